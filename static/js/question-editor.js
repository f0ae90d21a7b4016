// Question editor: add rows to the options (or answers, pairs, items) and move a row up or down.
// Without JavaScript the form still works: it always shows a couple of empty rows.
(function () {
  var list = document.querySelector("[data-rows]");
  if (!list) return;
  var prefix = list.dataset.rows;
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var maxField = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
  var max = maxField ? parseInt(maxField.value, 10) || 60 : 60;
  var template = document.getElementById("row-template");
  var add = document.querySelector("[data-add-row]");

  function fields(row) {
    return row.querySelectorAll("input:not([type=hidden]), select, textarea");
  }
  function renumber() {
    list.querySelectorAll("[data-row-number]").forEach(function (el, i) { el.textContent = (i + 1) + "."; });
  }

  if (add && template && total) {
    add.addEventListener("click", function () {
      var n = parseInt(total.value, 10);
      if (n >= max) return;
      list.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(n)));
      total.value = n + 1;
      renumber();
      var first = fields(list.lastElementChild)[0];
      if (first) first.focus();
    });
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move]");
    if (!button) return;
    var row = button.closest("[data-row]");
    var other = button.dataset.move === "up" ? row.previousElementSibling : row.nextElementSibling;
    if (!other || !other.hasAttribute("data-row")) return;
    // Swap the values, not the rows: each field keeps the name (formset index) the server expects.
    var mine = fields(row), theirs = fields(other);
    for (var i = 0; i < mine.length && i < theirs.length; i++) {
      if (mine[i].tagName === "SELECT") {
        [mine[i], theirs[i]].forEach(function (select, k) {
          var value = (k === 0 ? theirs[i] : mine[i]).value;
          if (!Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
            select.add(new Option(value.replace(".", ",") + "%", value));
          }
        });
      }
      var value = mine[i].value;
      mine[i].value = theirs[i].value;
      theirs[i].value = value;
    }
    var same = other.querySelector('[data-move="' + button.dataset.move + '"]');
    if (same) same.focus();
  });
})();
