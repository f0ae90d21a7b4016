// Polls a report export while it runs and reloads the page once the file is ready (or the export failed).
(function () {
  var box = document.getElementById("report-job");
  if (!box) return;
  var status = box.dataset.status;
  if (status !== "pending" && status !== "running") return;
  var bar = document.getElementById("report-job-progress");
  var statusLabel = document.getElementById("report-job-status");
  var phase = document.getElementById("report-job-phase");
  function tick() {
    fetch(box.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) return setTimeout(tick, 3000);
        if (job.status !== "pending" && job.status !== "running") return window.location.reload();
        if (statusLabel) statusLabel.textContent = job.status_label;
        if (job.progress && job.progress.total) {
          bar.max = job.progress.total;
          bar.value = job.progress.done;
          if (phase) phase.textContent = job.progress.done + " / " + job.progress.total;
        }
        setTimeout(tick, 1000);
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 500);
})();
