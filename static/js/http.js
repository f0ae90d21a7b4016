// Talking to the site's JSON API from the page, written once for every script (exam-room.js, lesson-progress.js,
// job-progress.js): the security token, one request that reads the reply whatever its status, and the waits
// between tries. Loaded by base.html before any page's own scripts, as a file of its own (the
// Content-Security-Policy runs no inline script); everything is on one global, window.cchcHttp.
(function () {
  "use strict";

  // --- Security token ------------------------------------------------------------------------------------------
  // Django refuses a change (POST, PUT…) without the CSRF token in a header. The page gives the one it was rendered
  // with on the element its script drives (data-csrf on #room, #lesson); a page without one uses Django's cookie.
  // The page's token goes stale when the person signs in again, here or in another window: refreshCsrf() finds the
  // current one.
  var token = null;

  function cookieToken() {  // Django's csrftoken cookie, or "" when there is none (or it is not readable)
    var m = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function csrfToken() {
    if (token === null) {
      var holder = document.querySelector("[data-csrf]");
      token = holder ? holder.dataset.csrf : cookieToken();
    }
    return token;
  }
  function useCsrf(fresh) { token = fresh; }  // a token the script found itself (a page fetched after signing in)
  // After a 403 "csrf": the cookie's token if it has changed; else `fromPage` (optional), a function that fetches a
  // fresh copy of the page and returns (a promise of) its token, or nothing when that page no longer holds one
  // (the sign-in page came back: the session is gone too). Resolves to whether a token was found.
  function refreshCsrf(fromPage) {
    var fresh = cookieToken();
    if (fresh && fresh !== csrfToken()) { token = fresh; return Promise.resolve(true); }
    if (!fromPage) return Promise.resolve(false);
    return Promise.resolve(fromPage()).then(function (found) {
      if (found) token = found;
      return !!found;
    });
  }
  // The API's answer for a missing or stale token (config/api.py): refresh it and send again.
  function csrfRefused(res) { return res.status === 403 && !!res.body && res.body.code === "csrf"; }

  // --- Requests ------------------------------------------------------------------------------------------------
  // One JSON request with the session's cookie and the token. It resolves whatever the status, to
  // {status, ok, body, headers}: `body` is the parsed JSON, or null when the reply has none (a proxy's HTML page,
  // say), so the status alone then decides. Only a dropped network (no reply at all) rejects.
  // options.keepalive: the request outlives the page (sent while it is hidden or left); sendBeacon cannot carry the
  // token's header, fetch with keepalive can.
  function request(method, url, body, options) {
    options = options || {};
    return fetch(url, {
      method: method, credentials: "same-origin", keepalive: !!options.keepalive,
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json"},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (data) {
        return {status: r.status, ok: r.ok, body: data, headers: r.headers};
      });
    });
  }

  // --- Waiting between tries -----------------------------------------------------------------------------------
  // A failed request is tried again later, each time waiting about twice as long (1 s, 2 s, 4 s … up to 30 s, with
  // jitter): a dropped network or an overloaded server is not hammered by every open page at once.
  function backoff(tries) {  // milliseconds before try number `tries` + 1: half to all of 1, 2, 4 … 30 s
    var cap = Math.min(30000, 1000 * Math.pow(2, tries - 1));
    return cap / 2 + Math.random() * cap / 2;
  }
  function retryAfter(res, tries) {  // milliseconds, as a 429's Retry-After asks (in seconds), else the back-off
    var s = parseInt(res.headers.get("Retry-After"), 10);
    return s > 0 ? s * 1000 : backoff(tries);
  }

  window.cchcHttp = {
    cookieToken: cookieToken, csrfToken: csrfToken, useCsrf: useCsrf, refreshCsrf: refreshCsrf,
    csrfRefused: csrfRefused, request: request, backoff: backoff, retryAfter: retryAfter
  };
})();
