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
