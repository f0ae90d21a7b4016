// The searchable unit tree (org.audience.SearchableUnitTree): a search box that keeps the units whose name holds the
// words typed (compared without accents, as common.text.fold does on the server) together with the units above
// them, and a line that says how many units are chosen and, with "include their sub-units" ticked, how many the
// choice covers. Units covered through a chosen parent are marked. Without this script the plain tree works.
(function () {
  "use strict";

  function fold(text) {
    return text.replace(/[đĐ]/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }
  function fill(template, n) { return template.replace("%(n)s", n); }

  function setUp(picker) {
    var form = picker.closest("form");
    var search = picker.querySelector("[data-unit-search]");
    var status = picker.querySelector("[data-unit-search-status]");
    var summary = picker.querySelector("[data-unit-summary]");
    var labels = Array.prototype.slice.call(picker.querySelectorAll("label[data-path]"));
    var subunits = form ? form.querySelector("[name='" + picker.dataset.subunitsField + "']") : null;

    function row(label) { return label.parentElement; }  // Django wraps each option in a <div>

    function filter() {
      var words = fold(search.value).split(" ").filter(Boolean);
      if (!words.length) {
        labels.forEach(function (l) { row(l).hidden = false; });
        status.textContent = "";
        return;
      }
      var matched = labels.filter(function (l) {
        var name = l.dataset.folded;
        return words.every(function (w) { return name.indexOf(w) !== -1; });
      });
      var shown = {};
      matched.forEach(function (l) {
        // The match and every unit above it ("/1/7/25/" lies under "/1/" and "/1/7/"), so the tree still reads.
        labels.forEach(function (other) {
          if (l.dataset.path.indexOf(other.dataset.path) === 0) shown[other.dataset.path] = true;
        });
      });
      labels.forEach(function (l) {
        row(l).hidden = !shown[l.dataset.path];
        l.classList.toggle("unit-match", matched.indexOf(l) !== -1);
      });
      status.textContent = matched.length ? fill(picker.dataset.textFound, matched.length) : picker.dataset.textNone;
    }

    function summarise() {
      var chosen = labels.filter(function (l) { return l.querySelector("input").checked; });
      var paths = chosen.map(function (l) { return l.dataset.path; });
      var withSub = !subunits || subunits.checked;
      var covered = 0;
      labels.forEach(function (l) {
        var under = withSub && paths.some(function (p) { return p !== l.dataset.path && l.dataset.path.indexOf(p) === 0; });
        l.classList.toggle("unit-covered", under);
        if (under || paths.indexOf(l.dataset.path) !== -1) covered += 1;
      });
      var text = fill(picker.dataset.textChosen, chosen.length);
      if (withSub && covered > chosen.length) text += " (" + fill(picker.dataset.textCovered, covered) + ")";
      summary.textContent = chosen.length ? text : "";
    }

    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
    picker.addEventListener("change", summarise);
    if (subunits) subunits.addEventListener("change", summarise);
    summarise();
  }

  document.querySelectorAll("[data-unit-picker]").forEach(setUp);
})();
