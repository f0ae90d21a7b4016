/* Lesson progress: remember how far the reader got (the furthest point, sent every few seconds of scrolling and
   when the page is hidden) and bring them back there when they resume from "My learning". */
(function () {
  "use strict";
  var lesson = document.getElementById("lesson");
  if (!lesson || !lesson.dataset.progressApi) return;
  var api = lesson.dataset.progressApi;  // the token is the lesson's data-csrf, which http.js reads
  var saved = parseFloat(lesson.dataset.position) || 0, furthest = saved, sentAt = 0, timer = null;

  function position() {
    var top = lesson.getBoundingClientRect().top + window.scrollY;
    var height = Math.max(lesson.offsetHeight - window.innerHeight * 0.5, 1);
    return Math.max(0, Math.min(1, (window.scrollY + window.innerHeight * 0.5 - top) / height));
  }

  function anchor() {
    var heads = lesson.querySelectorAll("h2[id], h3[id]"), last = "";
    for (var i = 0; i < heads.length; i++) {
      if (heads[i].getBoundingClientRect().top < window.innerHeight * 0.3) last = heads[i].id;
    }
    return last;
  }

  function send(useBeacon) {
    if (furthest <= saved + 0.01) return;
    var body = {position: Math.round(furthest * 1000) / 1000, anchor: anchor()};
    saved = furthest;
    sentAt = Date.now();
    // While the page is hidden or left, keepalive: the request outlives the page (sendBeacon cannot carry the token).
    window.cchcHttp.request("POST", api, body, {keepalive: !!useBeacon}).catch(function () { saved = 0; });
  }

  window.addEventListener("scroll", function () {
    furthest = Math.max(furthest, position());
    if (timer) return;
    timer = setTimeout(function () { timer = null; if (Date.now() - sentAt > 5000) send(false); }, 5000);
  }, {passive: true});
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") send(true); });
  window.addEventListener("pagehide", function () { send(true); });

  // Resume: "?tiep-tuc=1" from "My learning" scrolls back to where the reader stopped.
  if (/[?&]tiep-tuc=1/.test(location.search) && saved > 0.02 && !location.hash) {
    var target = lesson.dataset.anchor && document.getElementById(lesson.dataset.anchor);
    if (target) { target.scrollIntoView(); }
    else {
      var top = lesson.getBoundingClientRect().top + window.scrollY;
      window.scrollTo(0, top + saved * Math.max(lesson.offsetHeight - window.innerHeight * 0.5, 1) - window.innerHeight * 0.5);
    }
  }
})();
