// Polls a background job (a roster import, a report export) while it runs and reloads the page once it has
// finished. The page marks the job's card with data-job-poll (data-status, data-api: the JSON status URL) and
// the parts to update inside it with data-job-part="status", "bar" and "phase".
(function () {
  var box = document.querySelector("[data-job-poll]");
  if (!box) return;
  var status = box.dataset.status;
  if (status !== "pending" && status !== "running") return;
  function part(name) { return box.querySelector('[data-job-part="' + name + '"]'); }
  var bar = part("bar"), statusLabel = part("status"), phase = part("phase");
  function tick() {
    window.cchcHttp.request("GET", box.dataset.api)
      .then(function (r) { return r.ok ? r.body : null; })
      .then(function (job) {
        if (!job) return setTimeout(tick, 3000);
        if (job.status !== "pending" && job.status !== "running") return window.location.reload();
        if (statusLabel) statusLabel.textContent = job.status_label;
        if (bar && job.progress && job.progress.total) {
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
