// Polls the import's status while it runs and reloads the page once it has finished.
(function () {
  var box = document.getElementById("job");
  if (!box) return;
  var status = box.dataset.status;
  if (status !== "pending" && status !== "running") return;
  var bar = document.getElementById("job-progress");
  var statusLabel = document.getElementById("job-status");
  var phase = document.getElementById("job-phase");
  var labels = { validating: phase ? phase.textContent : "", writing: "…" };
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
          if (phase) phase.textContent = job.status_label + " — " + job.progress.done + " / " + job.progress.total;
        }
        setTimeout(tick, 1000);
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 500);
})();
