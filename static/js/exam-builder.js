// The exam builder (exams/builder.html): adding section rows, and the checks the server makes while the trainer
// types — each section's pool, the 3× warning and its marks; how many officials the candidates reach; one drawn
// paper on request. Each check posts the whole form (its CSRF token included) to a small endpoint that writes
// nothing; an answer that arrives after a newer request was sent is dropped. Without script the page still saves,
// and shows the checks after saving.
(function () {
  "use strict";

  var form = document.getElementById("exam-builder");
  if (!form) return;

  function post(url) {
    return fetch(url, {method: "POST", body: new FormData(form), credentials: "same-origin",
                       headers: {"X-Requested-With": "fetch"}});
  }

  // One pending check of each kind: typing restarts its wait; only the latest request's answer is used.
  function checker(url, wait, apply) {
    var timer = null, sent = 0;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++sent;
        post(url).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
          if (data && mine === sent) apply(data);
        }).catch(function () { /* the next change checks again */ });
      }, wait);
    };
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // --- Sections ---------------------------------------------------------------------------------------------------
  var rowsBox = form.querySelector("[data-section-rows]");
  var total = form.querySelector("[name=sections-TOTAL_FORMS]");

  function showSections(data) {
    rowsBox.querySelectorAll("[data-section-row]").forEach(function (row) {
      var box = row.querySelector("[data-section-check]");
      var check = data.rows[row.dataset.prefix] || {empty: true};
      box.textContent = "";
      if (check.empty) return;
      var pool = el("span", "tag", check.pool);
      pool.setAttribute("data-pool", "");
      box.appendChild(pool);
      box.appendChild(document.createTextNode(" "));
      var marks = el("span", "", check.marks);
      marks.setAttribute("data-marks", "");
      box.appendChild(marks);
      if (check.warning) {
        var warning = el("p", "msg msg-warning", check.warning);
        warning.setAttribute("data-pool-warning", "");
        box.appendChild(warning);
      }
      check.mark_warnings.forEach(function (w) {
        var p = el("p", "muted", w);
        p.setAttribute("data-mark-warning", "");
        box.appendChild(p);
      });
      check.errors.forEach(function (e) { box.appendChild(el("p", "msg msg-error", e)); });
    });
    form.querySelector("[data-sections-total]").textContent = data.text;
  }
  var checkSections = checker(form.dataset.sectionsUrl, 350, showSections);

  function renumber() {
    rowsBox.querySelectorAll("[data-section-number]").forEach(function (n, i) { n.textContent = i + 1; });
  }

  form.querySelector("[data-add-section]").addEventListener("click", function () {
    var n = parseInt(total.value, 10);
    var html = document.getElementById("section-template").innerHTML.replace(/__prefix__/g, String(n));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    rowsBox.appendChild(row);
    total.value = n + 1;
    renumber();
    row.querySelector("input[type=text], input:not([type=hidden])").focus();
  });

  // --- Fixed questions of a section --------------------------------------------------------------------------------
  // Each row's picker: the chosen questions are hidden inputs the form sends (a button removes one); typing in its
  // search box asks the builder's question search (by words or number) and lists what it finds with an Add button.
  function chosenIds(picker) {
    return Array.prototype.map.call(picker.querySelectorAll("[data-fixed-chosen] input"), function (i) {
      return i.value;
    });
  }

  function addChosen(picker, id, label) {
    if (chosenIds(picker).indexOf(String(id)) >= 0) return;
    var item = el("li");
    item.setAttribute("data-fixed-item", id);
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = picker.dataset.name;
    input.value = id;
    var text = el("span", "", label);
    text.setAttribute("data-fixed-label", "");
    var remove = el("button", "btn btn-small btn-ghost", form.dataset.removeLabel);
    remove.type = "button";
    remove.setAttribute("data-fixed-remove", "");
    item.appendChild(input);
    item.appendChild(text);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(remove);
    picker.querySelector("[data-fixed-chosen]").appendChild(item);
  }

  function showFound(picker, data) {
    var list = picker.querySelector("[data-fixed-results]");
    var chosen = chosenIds(picker);
    list.textContent = "";
    picker.querySelector("[data-fixed-status]").textContent = data.text;
    data.results.forEach(function (q) {
      if (chosen.indexOf(String(q.id)) >= 0) return;
      var item = el("li");
      item.setAttribute("data-fixed-found", q.id);
      var add = el("button", "btn btn-small", form.dataset.addLabel);
      add.type = "button";
      add.setAttribute("data-fixed-add", "");
      item.appendChild(add);
      item.appendChild(el("span", "", q.label));
      list.appendChild(item);
    });
  }

  function searchFixed(picker) {
    clearTimeout(picker.searchTimer);
    picker.searchTimer = setTimeout(function () {
      var mine = picker.searchSent = (picker.searchSent || 0) + 1;
      var q = picker.querySelector("[data-fixed-search]").value;
      fetch(form.dataset.questionsUrl + "?q=" + encodeURIComponent(q), {credentials: "same-origin",
                                                                        headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && mine === picker.searchSent) showFound(picker, data); })
        .catch(function () { /* the next key searches again */ });
    }, 250);
  }

  rowsBox.addEventListener("input", function (event) {
    if (event.target.matches("[data-fixed-search]")) searchFixed(event.target.closest("[data-fixed-picker]"));
  });
  rowsBox.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("[data-fixed-search]")) event.preventDefault();  // not a save
  });
  rowsBox.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fixed-add], [data-fixed-remove]");
    if (!button) return;
    var picker = button.closest("[data-fixed-picker]");
    if (button.matches("[data-fixed-add]")) {
      var found = button.closest("[data-fixed-found]");
      addChosen(picker, found.dataset.fixedFound, found.querySelector("span").textContent);
      found.remove();
    } else {
      button.closest("[data-fixed-item]").remove();
    }
    checkSections();
  });

  // --- Candidates -------------------------------------------------------------------------------------------------
  var audience = form.querySelector("[data-audience]");
  var checkAudience = checker(form.dataset.audienceUrl, 300, function (data) {
    audience.querySelector("[data-audience-count]").textContent = data.text;
    var problems = audience.querySelector("[data-audience-problems]");
    problems.textContent = "";
    data.problems.forEach(function (p) { problems.appendChild(el("p", "msg msg-error", p)); });
  });

  function changed(event) {
    if (event.target.matches("[data-unit-search], [data-fixed-search]")) return;  // searching chooses nothing
    if (audience.contains(event.target)) checkAudience();
    else if (rowsBox.contains(event.target)) checkSections();
  }
  form.addEventListener("change", changed);
  form.addEventListener("input", changed);

  // --- One drawn paper --------------------------------------------------------------------------------------------
  var previewBox = document.getElementById("paper-preview");
  form.querySelector("[data-preview]").addEventListener("click", function () {
    post(form.dataset.previewUrl).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
      previewBox.innerHTML = html;  // rendered by the server's template, every text escaped there
    });
  });
})();
