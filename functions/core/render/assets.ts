/**
 * The site's only style sheet and script, inlined into every page so a page makes no further request
 * (no CDN, no web font). Constants, never data: they are the only markup passed through `trusted()`.
 */
import { createHash } from 'node:crypto';

/**
 * System fonts, a readable measure, WCAG AA contrast in both schemes (light: text 15.8:1, muted 7.3:1,
 * links 6.3:1, 5.8:1 on panels; dark: text 14.9:1, muted 9.4:1, links 8.8:1; checked by
 * tests/unit/render-site.test.ts).
 */
export const SITE_CSS = `
:root{color-scheme:light dark;--bg:#fcfcfb;--fg:#1d2125;--muted:#4d5560;--link:#0a58ca;--rule:#d9dce0;--panel:#f1f3f5;--focus:#b35c00}
@media (prefers-color-scheme:dark){:root{--bg:#131517;--fg:#e8e8e6;--muted:#b4bac2;--link:#8cb4ff;--rule:#353a40;--panel:#1d2024;--focus:#ffb454}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:1.0625rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
.wrap{max-width:42rem;margin:0 auto;padding:0 1rem}
a{color:var(--link);text-underline-offset:.15em}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:var(--bg);padding:.5rem 1rem;z-index:1}
.skip:focus{left:1rem}
header.site{border-bottom:1px solid var(--rule);padding:1.25rem 0 .75rem}
.site-name{font-size:1.5rem;font-weight:700;margin:0;line-height:1.2}
.site-name a{color:inherit;text-decoration:none}
.tagline{margin:.25rem 0 0;color:var(--muted)}
nav ul{list-style:none;margin:.75rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
main{padding:1.5rem 0 2rem}
h1,h2,h3{line-height:1.25;overflow-wrap:anywhere}
h1{font-size:1.9rem;margin:.25rem 0 .75rem}
h2{font-size:1.35rem;margin:1.75rem 0 .5rem}
h3,.archive h2{font-size:1.1rem;margin:0 0 .25rem}
p,li{overflow-wrap:anywhere}
.meta{color:var(--muted);font-size:.95rem;margin:0 0 1rem}
.lede{font-size:1.15rem}
.tags{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem}
.tags li{background:var(--panel);border:1px solid var(--rule);border-radius:1rem;padding:0 .6rem;font-size:.9rem}
.archive{list-style:none;padding:0}
.archive li{border-top:1px solid var(--rule);padding:.9rem 0}
.archive p{margin:.25rem 0 0}
.archive.edition li:first-child{border-top:0}
.source{margin-top:-.75rem}
.toc{background:var(--panel);border:1px solid var(--rule);border-radius:.5rem;padding:.5rem 1.25rem;margin:0 0 1.5rem}
.toc ol{margin:.5rem 0;padding-left:1.25rem}
article+article{border-top:1px solid var(--rule);margin-top:1.5rem;padding-top:.5rem}
.pager{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;justify-content:space-between;border-top:1px solid var(--rule);padding-top:1rem;margin-top:1rem}
.subscribe{background:var(--panel);border:1px solid var(--rule);border-left:4px solid var(--link);border-radius:.5rem;padding:1rem 1.25rem;margin:1.5rem 0}
.subscribe h2{margin-top:0}
.subscribe form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
.subscribe label{display:block;font-weight:600}
.field{flex:1 1 14rem}
input[type=email]{width:100%;font:inherit;padding:.5rem .6rem;border:1px solid var(--muted);border-radius:.35rem;background:var(--bg);color:var(--fg)}
select{width:100%;max-width:100%;font:inherit;padding:.45rem .5rem;border:1px solid var(--muted);border-radius:.35rem;background:var(--bg);color:var(--fg)}
.prefs{display:grid;gap:1rem;max-width:26rem;margin:1.25rem 0 1.5rem}
.prefs fieldset{border:0;margin:0;padding:0;min-width:0}
.prefs legend,.prefs label[for]{display:block;font-weight:600;padding:0;margin:0 0 .25rem}
.prefs fieldset label{display:block;padding:.2rem 0}
.prefs input[type=radio]{accent-color:var(--link);margin:0 .4rem 0 0}
.prefs button{justify-self:start}
.prefs:has(input[value=instant]:checked) :is(.timed,.weekly),.prefs:has(input[value=daily]:checked) .weekly{display:none}
button{font:inherit;font-weight:600;padding:.5rem 1rem;border:0;border-radius:.35rem;background:var(--link);color:var(--bg);cursor:pointer}
button[disabled]{opacity:.6;cursor:wait}
.hp{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}
.status{flex-basis:100%;margin:.25rem 0 0;min-height:1.6em;font-weight:600}
.fine{color:var(--muted);font-size:.9rem;margin:.5rem 0 0}
footer.site{border-top:1px solid var(--rule);padding:1rem 0 2rem;color:var(--muted);font-size:.95rem}
`.trim();

/**
 * The site's one script, progressive enhancement only (every form works without it):
 * - the subscribe form: without JavaScript the browser posts the form and the API answers with a page;
 *   with it, the same form-encoded body is posted with fetch (`Accept: application/json`) and the
 *   answer appears inline in the `aria-live` status line;
 * - the manage form: a time zone list marked `data-browser-zone` (the subscriber never chose one)
 *   selects the browser's zone when the list has it, instead of the operator's default.
 */
export const SITE_SCRIPT = `
(function(){
  if(!window.fetch||!window.URLSearchParams||!window.FormData)return;
  var forms=document.querySelectorAll('form[data-subscribe]');
  Array.prototype.forEach.call(forms,function(form){
    form.addEventListener('submit',function(event){
      event.preventDefault();
      var status=form.querySelector('.status');
      var button=form.querySelector('button');
      button.disabled=true;
      status.textContent='Sending…';
      fetch(form.action,{method:'POST',headers:{'Accept':'application/json','Content-Type':'application/x-www-form-urlencoded'},body:new URLSearchParams(new FormData(form)).toString()})
        .then(function(response){
          return response.json().catch(function(){return {};}).then(function(body){
            if(!response.ok)throw new Error(body&&body.message||'');
            status.textContent=(body&&body.message)||'Check your inbox: we sent you a link to confirm your subscription.';
            form.reset();
          });
        })
        .catch(function(error){
          status.textContent=(error&&error.message)||'Sorry, that did not work. Please check the address and try again.';
        })
        .then(function(){button.disabled=false;});
    });
  });
})();
(function(){
  var zone=document.querySelector('select[data-browser-zone]');
  if(!zone||!window.Intl||!Intl.DateTimeFormat)return;
  var mine=Intl.DateTimeFormat().resolvedOptions().timeZone;
  for(var i=0;i<zone.options.length;i+=1){if(zone.options[i].value===mine){zone.value=mine;return;}}
})();
`.trim();

function cspHash(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

/**
 * A Content-Security-Policy the pages satisfy (for a CloudFront response headers policy): nothing may
 * load from anywhere, only our one inline style and script run, and forms and fetch go to our origin.
 */
export const SITE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${cspHash(SITE_CSS)}`,
  `script-src ${cspHash(SITE_SCRIPT)}`,
  "connect-src 'self'",
  "form-action 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');
