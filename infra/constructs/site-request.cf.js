// CloudFront Function (cloudfront-js-2.0, viewer request) for the site behaviour. S3 behind Origin
// Access Control has no index documents, so digest permalinks /digests/<slug>/ and /digests/<slug>
// are mapped here to the object /digests/<slug>/index.html. Any other path without a file extension
// gets the same treatment; paths with an extension (feeds, index.html, assets) pass unchanged.
// Only the site's own object keys are served: anything else in the bucket (the articles waiting under
// inbox/) answers 404 here, before the origin is asked. The list is filled in at synth.
var SITE_KEYS = /* SITE_OBJECT_KEYS */ [];

function isSiteKey(key) {
  for (var i = 0; i < SITE_KEYS.length; i++) {
    var pattern = SITE_KEYS[i];
    var wildcard = pattern.charAt(pattern.length - 1) === '*';
    if (wildcard ? key.indexOf(pattern.slice(0, -1)) === 0 : key === pattern) return true;
  }
  return false;
}

function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.charAt(uri.length - 1) === '/') {
    uri = uri + 'index.html';
  } else if (uri.lastIndexOf('.') < uri.lastIndexOf('/')) {
    uri = uri + '/index.html';
  }
  // Dot segments could make /digests/../inbox/x.md pass for a site key.
  if (!isSiteKey(uri.slice(1)) || uri.indexOf('/../') !== -1 || uri.indexOf('/./') !== -1) {
    return { statusCode: 404, statusDescription: 'Not Found' };
  }
  request.uri = uri;
  return request;
}
