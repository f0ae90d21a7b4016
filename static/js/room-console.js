// The supervisor's console: the room's seats updated in place from a small JSON view every 5 s (no page reload),
// and a confirmation before closing the shift.
(function () {
  "use strict";
  var box = document.getElementById("console");
  if (!box) return;
  var labels = {
    not_started: box.dataset.tNotStarted, answering: box.dataset.tAnswering, idle: box.dataset.tIdle,
    focus_lost: box.dataset.tFocusLost, submitted: box.dataset.tSubmitted, absent: box.dataset.tAbsent,
    removed: box.dataset.tRemoved, expected: box.dataset.tExpected, present: box.dataset.tPresent
  };
  function clock(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  function render(data) {
    document.getElementById("room-status").textContent = data.status_label;
    var c = data.counts;
    document.getElementById("room-counts").textContent =
      labels.present + ": " + c.present + " · " + labels.not_started + ": " + c.not_started + " · " +
      labels.answering + ": " + c.answering + " · " + labels.submitted + ": " + c.submitted;
    data.rows.forEach(function (r) {
      var row = document.querySelector('#seats tr[data-seat="' + r.seat_id + '"]');
      if (!row) return;
      var state = row.querySelector('[data-part="state"]');
      state.textContent = labels[r.state] || r.state;
      state.className = "state-" + r.state;
      row.querySelector('[data-part="left"]').textContent = clock(r.seconds_left);
      row.querySelector('[data-part="answered"]').textContent = r.answered;
    });
    if (data.status !== box.dataset.status) { box.dataset.status = data.status; }
  }
  function poll() {
    fetch(box.dataset.live, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) render(data); })
      .catch(function () {})
      .then(function () { setTimeout(poll, 5000); });
  }
  poll();
  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
    form.addEventListener("submit", function (e) {
      if (form.dataset.confirmed) return;
      e.preventDefault();
      var dialog = document.createElement("dialog");
      dialog.className = "confirm-dialog";
      var p = document.createElement("p");
      p.textContent = form.dataset.confirm;
      var yes = document.createElement("button");
      yes.type = "button"; yes.className = "btn btn-danger"; yes.id = "confirm-yes";
      yes.textContent = form.querySelector("button[type=submit]").textContent;
      var no = document.createElement("button");
      no.type = "button"; no.className = "btn btn-ghost"; no.textContent = box.dataset.tCancel || "✕";
      dialog.appendChild(p); dialog.appendChild(yes); dialog.appendChild(no);
      document.body.appendChild(dialog);
      yes.addEventListener("click", function () { form.dataset.confirmed = "1"; dialog.close(); form.submit(); });
      no.addEventListener("click", function () { dialog.close(); dialog.remove(); });
      dialog.showModal();
    });
  });
})();
