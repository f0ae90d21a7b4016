// The exam room. Every change is saved at once with a rising sequence number; unsent answers are kept in this
// browser (localStorage) and resent after a network drop or a reload. The server's clock decides the time: the
// countdown only shows the deadline the server gave.
(function () {
  "use strict";
  var room = document.getElementById("room");
  if (!room) return;
  var t = room.dataset, api = t.api, csrf = t.csrf;
  var store = "exam-room:" + api;
  var client = sessionStorage.getItem(store + ":client");
  if (!client) {
    client = Math.random().toString(36).slice(2) + Date.now().toString(36);
    sessionStorage.setItem(store + ":client", client);
  }
  var state = JSON.parse(localStorage.getItem(store) || '{"seq":0,"pending":{},"answers":{}}');
  var paper = [], deadline = 0, offset = 0, closed = false, sending = false;

  function persist() { localStorage.setItem(store, JSON.stringify(state)); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function request(method, url, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: body ? JSON.stringify(body) : undefined
    });
  }

  function showState() {
    var n = Object.keys(state.pending).length;
    var box = document.getElementById("save-state");
    box.textContent = closed ? t.tClosed : (n ? t.tPending + " (" + n + ")" : t.tSaved);
    box.className = n ? "status-failed" : "muted";
    document.querySelectorAll("#navigator a").forEach(function (a) {
      var slot = a.dataset.slot;
      a.classList.toggle("answered", !!state.answers[slot]);
      a.classList.toggle("unsaved", !!state.pending[slot]);
    });
    var missing = paper.filter(function (q) { return !state.answers[q.slot]; }).map(function (q) { return q.slot; });
    document.getElementById("unanswered").textContent = missing.length ? t.tUnanswered + " " + missing.join(", ") : t.tNone;
  }

  function flush() {
    if (sending || closed) return;
    var slots = Object.keys(state.pending);
    if (!slots.length) return showState();
    sending = true;
    var slot = slots[0], item = state.pending[slot];
    document.getElementById("save-state").textContent = t.tSaving;
    request("PUT", api + "/answers/" + slot, {response: item.response, seq: item.seq, client: client})
      .then(function (r) {
        if (r.ok) {
          return r.json().then(function (body) {
            if (state.pending[slot] && state.pending[slot].seq <= body.seq) delete state.pending[slot];
            persist();
          });
        }
        return r.json().then(function (body) {
          if (r.status === 410 || r.status === 423) { closed = true; alert(body.detail); }
          else if (r.status === 422) { delete state.pending[slot]; persist(); }
          else throw new Error(body.detail);
        });
      })
      .catch(function () { setTimeout(flush, 3000); })
      .then(function () { sending = false; showState(); if (!closed) setTimeout(flush, 0); });
  }

  function record(slot, response) {
    state.seq += 1;
    state.answers[slot] = response;
    state.pending[slot] = {response: response, seq: state.seq};
    persist();
    showState();
    flush();
  }

  function readResponse(q, li) {
    if (q.kind === "single" || q.kind === "truefalse") {
      var c = li.querySelector("input[type=radio]:checked");
      return c ? {choice: +c.value} : null;
    }
    if (q.kind === "multiple") {
      return {choices: Array.prototype.map.call(li.querySelectorAll("input[type=checkbox]:checked"), function (i) { return +i.value; })};
    }
    if (q.kind === "matching") {
      var pairs = {};
      li.querySelectorAll("select").forEach(function (s) { if (s.value !== "") pairs[s.dataset.item] = +s.value; });
      return {pairs: pairs};
    }
    if (q.kind === "ordering") {
      return {order: Array.prototype.map.call(li.querySelectorAll("select"), function (s) { return +s.value; })};
    }
    if (q.kind === "numeric") return {value: li.querySelector("input").value};
    return {text: li.querySelector("textarea, input").value};
  }

  function render() {
    var list = document.getElementById("questions"), nav = document.getElementById("navigator");
    paper.forEach(function (q) {
      var li = el("li", {id: "q" + q.slot, class: "card question"});
      li.appendChild(el("p", {class: "muted"}, t.tQuestion + " " + q.slot));
      var text = el("div", {class: "question-text"});
      text.innerHTML = q.text;  // question text is the trainer's rich text, stored and sanitised by the bank
      li.appendChild(text);
      var saved = state.answers[q.slot] || {};
      var name = "q" + q.slot;
      if (q.kind === "truefalse") q.options = [{id: 0, text: t.tTrue}, {id: 1, text: t.tFalse}];
      if (q.options) {
        q.options.forEach(function (o) {
          var type = q.kind === "multiple" ? "checkbox" : "radio";
          var label = el("label", {class: "inline"});
          var input = el("input", {type: type, name: name, value: o.id});
          if ((type === "radio" && saved.choice === o.id) || (saved.choices || []).indexOf(o.id) >= 0) input.checked = true;
          label.appendChild(input);
          label.appendChild(document.createTextNode(" " + o.text));
          li.appendChild(label);
        });
      } else if (q.kind === "matching") {
        q.items.forEach(function (item) {
          var label = el("label", {}, item.text);
          var select = el("select", {"data-item": item.id});
          select.appendChild(el("option", {value: ""}, t.tChoose));
          q.matches.forEach(function (m) {
            var opt = el("option", {value: m.id}, m.text);
            if (saved.pairs && saved.pairs[item.id] === m.id) opt.selected = true;
            select.appendChild(opt);
          });
          label.appendChild(select);
          li.appendChild(label);
        });
      } else if (q.kind === "ordering") {
        var current = saved.order || q.items.map(function (i) { return i.id; });
        current.forEach(function (id, pos) {
          var select = el("select", {"aria-label": (pos + 1) + "."});
          q.items.forEach(function (i) {
            var opt = el("option", {value: i.id}, i.text);
            if (i.id === id) opt.selected = true;
            select.appendChild(opt);
          });
          var row = el("label", {class: "inline"}, (pos + 1) + ". ");
          row.appendChild(select);
          li.appendChild(row);
        });
      } else if (q.kind === "essay") {
        li.appendChild(el("textarea", {rows: 8, "aria-label": t.tQuestion + " " + q.slot})).value = saved.text || "";
      } else if (q.kind !== "description") {
        var input = el("input", {type: "text", "aria-label": t.tQuestion + " " + q.slot, inputmode: q.kind === "numeric" ? "decimal" : "text"});
        input.value = saved.text || saved.value || "";
        li.appendChild(input);
      }
      li.addEventListener("change", function () { record(q.slot, readResponse(q, li)); });
      li.addEventListener("input", function (e) {
        if (e.target.tagName === "TEXTAREA" || e.target.type === "text") record(q.slot, readResponse(q, li));
      });
      list.appendChild(li);
      var a = el("a", {href: "#q" + q.slot, "data-slot": q.slot, class: "nav-dot"}, String(q.slot));
      nav.appendChild(a);
    });
  }

  function tick() {
    var left = Math.max(0, Math.floor((deadline - (Date.now() + offset)) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    document.getElementById("countdown").textContent = m + ":" + (s < 10 ? "0" : "") + s;
    if (left <= 0 && !closed) { closed = true; finish(); return; }
    if (!closed) setTimeout(tick, 1000);
  }

  function showResult(r) {
    closed = true;
    localStorage.removeItem(store);
    document.getElementById("questions").hidden = true;
    document.getElementById("submit-box").hidden = true;
    var box = document.getElementById("result");
    box.hidden = false;
    box.appendChild(el("h2", {}, t.tSubmitted));
    box.appendChild(el("p", {}, r.status_label));
    if (r.score !== null && r.score !== undefined) {
      var num = function (x) { return Number(x).toLocaleString(document.documentElement.lang); };
      box.appendChild(el("p", {id: "score"}, t.tResult + ": " + num(r.score) + "/" + num(r.max_score) + " (" + num(r.percent) + "%)"));
      if (r.passed !== null) box.appendChild(el("p", {id: "verdict"}, r.passed ? t.tPassed : t.tFailed));
    }
    box.appendChild(el("a", {href: t.list, class: "btn"}, "‹"));
    showState();
  }

  function finish() {
    request("POST", api + "/submit").then(function (r) { return r.json(); }).then(showResult)
      .catch(function () { setTimeout(finish, 3000); });
  }

  document.getElementById("submit").addEventListener("click", function () {
    if (Object.keys(state.pending).length) flush();
    var missing = document.getElementById("unanswered").textContent;
    if (!window.confirm(missing + "\n" + t.tConfirm)) return;
    var wait = function () {
      if (Object.keys(state.pending).length && !closed) { flush(); return setTimeout(wait, 500); }
      finish();
    };
    wait();
  });
  window.addEventListener("online", function () { request("POST", api + "/events", {kind: "reconnect", client: client}); flush(); });
  window.addEventListener("blur", function () { if (!closed) request("POST", api + "/events", {kind: "focus_lost", client: client}).catch(function () {}); });

  fetch(api + "?client=" + encodeURIComponent(client), {credentials: "same-origin", headers: {Accept: "application/json"}})
    .then(function (r) { return r.json(); })
    .then(function (data) {
      paper = data.paper;
      deadline = Date.parse(data.deadline);
      offset = Date.parse(data.server_now) - Date.now();
      // What the server holds, unless this browser has a newer unsent answer.
      Object.keys(data.answers).forEach(function (slot) {
        var server = data.answers[slot];
        var mine = state.pending[slot];
        if (!mine || mine.seq <= server.seq) {
          state.answers[slot] = server.response;
          delete state.pending[slot];
        }
        state.seq = Math.max(state.seq, server.seq);
      });
      persist();
      if (data.status !== "in_progress") {
        return request("GET", api + "/result").then(function (r) { return r.json(); }).then(showResult);
      }
      render();
      showState();
      tick();
      flush();
    });
})();
