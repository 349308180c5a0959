// CloudFront Function (cloudfront-js-2.0, viewer request) for the site behaviour. S3 behind Origin
// Access Control has no index documents, so digest permalinks /digests/<slug>/ and /digests/<slug>
// are mapped here to the object /digests/<slug>/index.html. Any other path without a file extension
// gets the same treatment; paths with an extension (feeds, index.html, assets) pass unchanged.
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.charAt(uri.length - 1) === '/') {
    request.uri = uri + 'index.html';
  } else if (uri.lastIndexOf('.') < uri.lastIndexOf('/')) {
    request.uri = uri + '/index.html';
  }
  return request;
}
