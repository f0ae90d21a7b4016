/* Lesson progress: remember how far the reader got (the furthest point, sent every few seconds of scrolling and
   when the page is hidden) and bring them back there when they resume from "My learning". A lesson still to
   finish carries its course's way of counting it as studied (data-completion, set by the LMS): "end" finishes it
   once the end of the lesson comes into view, "next" when the reader follows "Next lesson"; "button" is the
   "Mark as studied" form, which needs no script. The server checks the way and the module either way. */
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

  // --- Finishing the lesson the course's way --------------------------------------------------------------------
  var way = lesson.dataset.completion;
  function finish(how) {
    furthest = saved = 1;
    return window.cchcHttp.request("POST", api, {position: 1, anchor: anchor(), completed: true, how: how})
      .then(function (res) {
        if (!res.ok) return;
        delete lesson.dataset.completion;
        var done = document.querySelector("[data-testid=lesson-done]"), pending = document.querySelector("[data-testid=lesson-pending]");
        if (done) done.hidden = false;
        if (pending) pending.hidden = true;
      });
  }
  var end = document.querySelector("[data-lesson-end]");
  if (way === "end" && end && "IntersectionObserver" in window) {
    var watcher = new IntersectionObserver(function (entries) {
      for (var i = 0; i < entries.length; i++) {
        if (entries[i].isIntersecting) { watcher.disconnect(); finish("end").catch(function () {}); return; }
      }
    });
    watcher.observe(end);
  }
  var next = document.querySelector(".lesson-nav a[rel=next]");
  if (way === "next" && next) {
    next.addEventListener("click", function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      var go = function () { location.href = next.href; };
      finish("next").then(go, go);  // a failed save must not keep the reader on this lesson
    });
  }

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
