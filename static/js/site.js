// Phone menu: the toggle shows and hides the main navigation and says so to screen readers.
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("main-nav");
  if (!toggle || !nav) return;
  toggle.addEventListener("click", function () {
    var open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
});

// Signing out forgets the exam answers this browser kept (exam-room.js), so the next person at a shared computer
// finds none. The sign-out response also sends Clear-Site-Data, which browsers honour over HTTPS (and localhost) only.
document.addEventListener("submit", function (e) {
  var action = e.target.getAttribute("action");
  if (!action || new URL(action, location.href).pathname !== "/accounts/logout/") return;
  document.dispatchEvent(new CustomEvent("signing-out"));  // the exam room stops writing
  try {
    [window.localStorage, window.sessionStorage].forEach(function (storage) {
      for (var i = storage.length - 1; i >= 0; i--) {
        var key = storage.key(i);
        if (key && key.indexOf("exam-room:") === 0) storage.removeItem(key);
      }
    });
  } catch (err) {}  // storage disabled: then nothing was kept either
});

// A form whose work takes a while (applying a reorganisation) says so once sent, and cannot be sent twice.
document.addEventListener("submit", function (e) {
  var form = e.target;
  var busy = form.getAttribute("data-busy-text");
  if (!busy || e.defaultPrevented) return;
  form.querySelectorAll("button[type=submit]").forEach(function (button) {
    button.disabled = true;
    button.textContent = busy;
  });
  form.setAttribute("aria-busy", "true");
});

// A table wider than the screen scrolls inside its .table-wrap: such a wrapper becomes a named region that the
// keyboard can reach and scroll with the arrow keys (WCAG 2.1.1). Named after the table's caption or the heading
// above it; a wrapper that no longer scrolls (wider window) leaves the tab order again.
(function () {
  function labelFor(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    for (var node = wrap; node && node !== document.body; node = node.parentElement) {
      for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
        var heading = /^H[1-6]$/.test(prev.tagName) ? prev : prev.querySelector("h1, h2, h3, h4, h5, h6");
        if (heading && heading.textContent.trim()) return heading.textContent.trim();
      }
    }
    return document.title;
  }
  function update() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      var ours = wrap.hasAttribute("data-scroll-region");
      if (scrolls) {
        if (!wrap.hasAttribute("tabindex")) { wrap.setAttribute("tabindex", "0"); wrap.setAttribute("data-scroll-region", ""); }
        if (!wrap.hasAttribute("role")) wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
          wrap.setAttribute("aria-label", labelFor(wrap));
        }
      } else if (ours) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("data-scroll-region");
      }
    });
  }
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; update(); });
  }
  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("resize", schedule);
})();
