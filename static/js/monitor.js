// The trainers' live monitor: polls a small JSON view every 5 s and updates the tables in place (no reload).
(function () {
  "use strict";
  var box = document.getElementById("live-monitor");
  if (!box) return;
  function cell(text, cls) { var td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; return td; }
  function clock(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  function fill(tbody, rows, empty, columns) {
    tbody.textContent = "";
    if (!rows.length) {
      var tr = document.createElement("tr"), td = cell(empty);
      td.colSpan = columns; tr.appendChild(td); tbody.appendChild(tr); return;
    }
    rows.forEach(function (cells) {
      var tr = document.createElement("tr");
      cells.forEach(function (c) { tr.appendChild(c); });
      tbody.appendChild(tr);
    });
  }
  function render(data) {
    var c = data.counts;
    document.getElementById("monitor-counts").textContent = box.dataset.tCounts
      .replace("{s}", c.started).replace("{d}", c.submitted).replace("{i}", c.idle).replace("{w}", c.not_started);
    fill(document.querySelector("#monitor tbody"), data.rows.map(function (r) {
      var status = cell(r.status_label);
      if (r.idle) { var tag = document.createElement("span"); tag.className = "tag tag-warn"; tag.textContent = " " + box.dataset.tIdle; status.appendChild(tag); }
      return [cell(r.room + (r.number ? " · " + r.number : "")), cell(r.name), cell(r.unit), status,
              cell(clock(r.seconds_left), "num seconds-left"), cell(r.answered + "/" + r.slots, "num"),
              cell(r.last_activity), cell(String(r.focus_lost), "num")];
    }), box.dataset.tNobody, 8);
    fill(document.querySelector("#not-started tbody"), data.not_started.map(function (r) {
      return [cell(r.room), cell(r.number), cell(r.name), cell(r.unit), cell(r.attendance)];
    }), box.dataset.tEveryone, 5);
  }
  function poll() {
    fetch(box.dataset.live, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) render(data); })
      .catch(function () {})
      .then(function () { setTimeout(poll, 5000); });
  }
  poll();
})();
