// The exam room. Every change is saved at once with a rising sequence number; unsent answers are kept in this
// browser (localStorage) and resent after a network drop or a reload. The server's clock decides the time: the
// countdown only shows the deadline the server gave.
//
// Two layouts, chosen by the exam: "all" shows every question on one page; "one" shows one question at a time
// with Previous/Next. Both render every question into the page (the hidden ones keep their inputs), so saving,
// resending and takeover work the same way whatever is on screen. Flags ("come back to this") stay in this
// browser only.
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
  state.flags = state.flags || {};
  var paper = [], deadline = 0, offset = 0, closed = false, sending = false;
  var layout = "all", current = null, closedText = "";
  var failures = 0, retryTimer = null;  // consecutive failed saves, and the pending retry (see retryLater)

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
  // An empty text box or no box ticked is not an answer, even though it was saved.
  function isAnswered(r) {
    if (!r) return false;
    if (r.choices) return r.choices.length > 0;
    if (r.pairs) return Object.keys(r.pairs).length > 0;
    if ("text" in r) return String(r.text).trim() !== "";
    if ("value" in r) return String(r.value).trim() !== "";
    return true;
  }
  function gradable() { return paper.filter(function (q) { return q.kind !== "description"; }); }
  function slotList(box, label, slots) {
    box.textContent = "";
    if (!slots.length) return;
    box.appendChild(document.createTextNode(label + " "));
    slots.forEach(function (slot, i) {
      if (i) box.appendChild(document.createTextNode(", "));
      var a = el("a", {href: "#q" + slot, "data-slot": slot}, String(slot));
      a.addEventListener("click", jump);
      box.appendChild(a);
    });
  }

  function showState() {
    var n = Object.keys(state.pending).length;
    var box = document.getElementById("save-state");
    // Unsent answers are only a warning once a save has failed or the browser is offline; before that they are
    // on their way (typing waits up to 2 s).
    var failing = n && (failures > 0 || navigator.onLine === false);
    box.textContent = closed ? (closedText || t.tClosed) : (failing ? t.tPending + " (" + n + ")" : (n ? t.tSaving : t.tSaved));
    box.className = failing ? "status-failed" : "muted";
    document.querySelectorAll("#navigator a").forEach(function (a) {
      var slot = a.dataset.slot, answered = isAnswered(state.answers[slot]), flagged = !!state.flags[slot];
      a.classList.toggle("answered", answered);
      a.classList.toggle("unsaved", !!state.pending[slot]);
      a.classList.toggle("flagged", flagged);
      a.classList.toggle("current", layout === "one" && +slot === current);
      if (layout === "one" && +slot === current) a.setAttribute("aria-current", "step");
      else a.removeAttribute("aria-current");
      a.setAttribute("aria-label", t.tQuestion + " " + slot + (answered ? ", " + t.tAnsweredMark : "") +
        (flagged ? ", " + t.tFlaggedMark : ""));
    });
    var missing = gradable().filter(function (q) { return !isAnswered(state.answers[q.slot]); }).map(function (q) { return q.slot; });
    var unanswered = document.getElementById("unanswered");
    if (missing.length) slotList(unanswered, t.tUnanswered, missing);
    else unanswered.textContent = t.tNone;
    var flagged = paper.filter(function (q) { return state.flags[q.slot]; }).map(function (q) { return q.slot; });
    slotList(document.getElementById("flagged-summary"), t.tFlaggedList, flagged);
  }

  // A failed save is retried later, each time waiting about twice as long (1 s, 2 s, 4 s … up to 30 s, with
  // jitter): a dropped network or an overloaded server is not hammered by every open exam room at once, and the
  // answers wait in the browser meanwhile. A success, the network coming back or the submit button retries now.
  function backoff(tries) {  // milliseconds before try number `tries` + 1: half to all of 1, 2, 4 … 30 s
    var cap = Math.min(30000, 1000 * Math.pow(2, tries - 1));
    return cap / 2 + Math.random() * cap / 2;
  }
  function retryLater() {
    failures += 1;
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, backoff(failures));
  }
  function retryNow() {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    flush();
  }

  function flush() {
    if (sending || closed || retryTimer) return;
    var slots = Object.keys(state.pending);
    if (!slots.length) return showState();
    sending = true;
    var slot = slots[0], item = state.pending[slot];
    document.getElementById("save-state").textContent = t.tSaving;
    request("PUT", api + "/answers/" + slot, {response: item.response, seq: item.seq, client: client})
      .then(function (r) {
        if (r.ok) {
          return r.json().then(function (body) {
            failures = 0;
            if (state.pending[slot] && state.pending[slot].seq <= body.seq) delete state.pending[slot];
            persist();
          });
        }
        return r.json().then(function (body) {
          // Time is up, or another tab took the sitting over: say which, here and in the status line.
          if (r.status === 410 || r.status === 423) { closed = true; closedText = body.detail; alert(body.detail); }
          else if (r.status === 422) { delete state.pending[slot]; persist(); }
          else throw new Error(body.detail);
        });
      })
      .catch(retryLater)
      .then(function () { sending = false; showState(); if (!closed && !retryTimer) setTimeout(flush, 0); });
  }

  // Every change is kept in this browser at once. A click or a choice is sent at once; typing is sent at most every
  // 2 s while it goes on (and at once when the field is left): one save per keystroke would be dozens of
  // requests a minute per candidate in an essay, against the one every 30 s the server is sized for.
  var typingTimer = null;
  function record(slot, response, typing) {
    state.seq += 1;
    state.answers[slot] = response;
    state.pending[slot] = {response: response, seq: state.seq};
    persist();
    showState();
    if (!typing) return flush();
    if (!typingTimer) typingTimer = setTimeout(function () { typingTimer = null; flush(); }, 2000);
  }

  function readResponse(q, li) {
    // An answer names the paper's own identifiers, as the paper gave them: strings (numbers on papers started
    // before papers had identifiers of their own).
    function id(list, value) {
      for (var i = 0; i < list.length; i++) if (String(list[i].id) === value) return list[i].id;
      return value;
    }
    if (q.kind === "single" || q.kind === "truefalse") {
      var c = li.querySelector("input[type=radio]:checked");
      return c ? {choice: id(q.options, c.value)} : null;
    }
    if (q.kind === "multiple") {
      return {choices: Array.prototype.map.call(li.querySelectorAll("input[type=checkbox]:checked"), function (i) { return id(q.options, i.value); })};
    }
    if (q.kind === "matching") {
      var pairs = {};
      li.querySelectorAll("select").forEach(function (s) { if (s.value !== "") pairs[s.dataset.item] = id(q.matches, s.value); });
      return {pairs: pairs};
    }
    if (q.kind === "ordering") {
      return {order: Array.prototype.map.call(li.querySelectorAll("select"), function (s) { return id(q.items, s.value); })};
    }
    if (q.kind === "numeric") return {value: li.querySelector(".answer-input").value};
    return {text: li.querySelector("textarea, .answer-input").value};
  }

  // --- One question per page -----------------------------------------------------------------------------------

  function position(slot) {
    for (var i = 0; i < paper.length; i++) if (paper[i].slot === slot) return i;
    return -1;
  }

  function go(slot, focus) {
    var i = position(slot);
    if (i < 0) return;
    current = slot;
    state.current = slot;
    persist();
    if (layout !== "one") return showState();
    paper.forEach(function (q) { document.getElementById("q" + q.slot).hidden = q.slot !== slot; });
    document.getElementById("prev").disabled = i === 0;
    document.getElementById("next").disabled = i === paper.length - 1;
    document.getElementById("position").textContent = t.tQuestion + " " + (i + 1) + "/" + paper.length;
    showState();
    var dot = document.querySelector("#navigator a[data-slot='" + slot + "']");
    if (dot && dot.scrollIntoView) dot.scrollIntoView({block: "nearest", inline: "nearest"});
    if (focus) {
      room.scrollIntoView({block: "start"});
      // The heading takes the focus, so a keyboard or screen-reader user starts reading the new question.
      document.getElementById("q" + slot).querySelector(".question-head").focus({preventScroll: true});
    }
  }

  function jump(e) {
    if (layout !== "one") return;  // on one page the link's own scrolling is the right thing
    e.preventDefault();
    go(+e.currentTarget.dataset.slot, true);
  }

  function toggleFlag(slot, button) {
    if (state.flags[slot]) delete state.flags[slot];
    else state.flags[slot] = true;
    persist();
    button.setAttribute("aria-pressed", state.flags[slot] ? "true" : "false");
    button.textContent = state.flags[slot] ? t.tFlagged : t.tFlag;
    showState();
  }

  function render() {
    var list = document.getElementById("questions"), nav = document.getElementById("navigator");
    paper.forEach(function (q, index) {
      var li = el("li", {id: "q" + q.slot, class: "card question"});
      var head = el("div", {class: "question-bar"});
      head.appendChild(el("h2", {class: "question-head muted", tabindex: "-1"},
        t.tQuestion + " " + q.slot + (layout === "one" ? " (" + (index + 1) + "/" + paper.length + ")" : "")));
      var flag = el("button", {type: "button", class: "btn btn-small btn-ghost flag-toggle",
        "aria-pressed": state.flags[q.slot] ? "true" : "false"}, state.flags[q.slot] ? t.tFlagged : t.tFlag);
      flag.addEventListener("click", function () { toggleFlag(q.slot, flag); });
      head.appendChild(flag);
      li.appendChild(head);
      var text = el("div", {class: "question-text"});
      text.innerHTML = q.text;  // the trainer's rich text from the bank, as the review page shows it too
      li.appendChild(text);
      var saved = state.answers[q.slot] || {};
      var name = "q" + q.slot;
      if (q.options) {
        var group = el("fieldset", {class: "options"});
        group.appendChild(el("legend", {class: "visually-hidden"}, t.tQuestion + " " + q.slot));
        q.options.forEach(function (o) {
          var type = q.kind === "multiple" ? "checkbox" : "radio";
          var label = el("label", {class: "inline option"});
          var input = el("input", {type: type, name: name, value: o.id});
          if ((type === "radio" && saved.choice === o.id) || (saved.choices || []).indexOf(o.id) >= 0) input.checked = true;
          label.appendChild(input);
          label.appendChild(document.createTextNode(" " + o.text));
          group.appendChild(label);
        });
        li.appendChild(group);
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
        var order = saved.order || q.items.map(function (i) { return i.id; });
        order.forEach(function (id, pos) {
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
        var input = el("input", {type: "text", class: "answer-input", "aria-label": t.tQuestion + " " + q.slot,
          inputmode: q.kind === "numeric" ? "decimal" : "text"});
        input.value = saved.text || saved.value || "";
        li.appendChild(input);
      }
      li.addEventListener("change", function (e) {
        if (e.target.classList.contains("flag-toggle")) return;
        record(q.slot, readResponse(q, li));
      });
      li.addEventListener("input", function (e) {
        if (e.target.tagName === "TEXTAREA" || e.target.type === "text") record(q.slot, readResponse(q, li), true);
      });
      list.appendChild(li);
      var a = el("a", {href: "#q" + q.slot, "data-slot": q.slot, class: "nav-dot"}, String(q.slot));
      a.addEventListener("click", jump);
      nav.appendChild(a);
    });
    if (layout === "one") {
      room.classList.add("layout-one");
      document.getElementById("pager").hidden = false;
      var fromHash = /^#q(\d+)$/.exec(location.hash);
      var start = fromHash && position(+fromHash[1]) >= 0 ? +fromHash[1]
        : (position(state.current) >= 0 ? state.current : paper[0].slot);
      go(start, false);
    }
  }

  function step(delta) {
    var i = position(current) + delta;
    if (i >= 0 && i < paper.length) go(paper[i].slot, true);
  }
  document.getElementById("prev").addEventListener("click", function () { step(-1); });
  document.getElementById("next").addEventListener("click", function () { step(1); });

  function tick() {
    var ms = deadline - (Date.now() + offset), left = Math.max(0, Math.ceil(ms / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    document.getElementById("countdown").textContent = m + ":" + (s < 10 ? "0" : "") + s;
    if (ms <= 0 && !closed) { timeUp(); return; }
    // On the second: the display turns when the server's second does, and time is up at the deadline itself.
    if (!closed) setTimeout(tick, Math.min(1000, ms % 1000 || 1000));
  }

  // Time is up. An answer given in the last moments may still be on its way, or waiting for the network: the
  // server takes saves for 5 s after the deadline, so send what is left (4 s at most) before submitting.
  function timeUp() {
    var until = Date.now() + 4000;
    retryNow();
    (function wait() {  // a few tries in these seconds, whatever the back-off had reached
      if (Object.keys(state.pending).length && Date.now() < until) {
        if (!sending) retryNow();
        return setTimeout(wait, 500);
      }
      closed = true;
      finish();
    })();
  }

  function showResult(r) {
    closed = true;
    localStorage.removeItem(store);
    ["questions", "submit-box", "pager", "navigator", "save-state"].forEach(function (id) { document.getElementById(id).hidden = true; });
    document.getElementById("countdown").parentNode.parentNode.hidden = true;  // the clock has stopped
    var box = document.getElementById("result");
    box.hidden = false;
    box.textContent = "";
    box.appendChild(el("h2", {}, t.tSubmitted));
    box.appendChild(el("p", {}, r.status_label));
    var num = function (x) { return Number(x).toLocaleString(document.documentElement.lang); };
    // Score and outcome are separate columns of the review policy: each shows only when the server sent it.
    if (r.score !== null && r.score !== undefined) {
      box.appendChild(el("p", {id: "score"}, t.tResult + ": " + num(r.score) + "/" + num(r.max_score) + " (" + num(r.percent) + "%)"));
    }
    if (r.passed !== null && r.passed !== undefined) box.appendChild(el("p", {id: "verdict"}, r.passed ? t.tPassed : t.tFailed));
    else if (r.pending_grading && (r.score !== null && r.score !== undefined)) box.appendChild(el("p", {class: "muted"}, t.tPendingGrading));
    var links = el("p", {class: "lesson-nav"});
    if (r.review_url) links.appendChild(el("a", {href: r.review_url, class: "btn", id: "review-link"}, t.tReview));
    links.appendChild(el("a", {href: t.list, class: "btn btn-ghost"}, t.tBack));
    box.appendChild(links);
    showState();
  }

  function finish() {
    request("POST", api + "/submit").then(function (r) { return r.json(); }).then(showResult)
      .catch(function () { setTimeout(finish, 3000); });
  }

  document.getElementById("submit").addEventListener("click", function () {
    if (Object.keys(state.pending).length) retryNow();
    var summary = [document.getElementById("unanswered").textContent, document.getElementById("flagged-summary").textContent];
    if (!window.confirm(summary.filter(Boolean).join("\n") + "\n" + t.tConfirm)) return;
    var wait = function () {
      if (Object.keys(state.pending).length && !closed) { flush(); return setTimeout(wait, 500); }
      finish();
    };
    wait();
  });
  window.addEventListener("online", function () { request("POST", api + "/events", {kind: "reconnect", client: client}).catch(function () {}); retryNow(); });
  // Leaving the page or the app (a phone may suspend it) sends typing still waiting for its 2 s.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && typingTimer) { clearTimeout(typingTimer); typingTimer = null; flush(); }
  });
  window.addEventListener("blur", function () { if (!closed) request("POST", api + "/events", {kind: "focus_lost", client: client}).catch(function () {}); });

  // Loading the paper: a refusal (not this person's sitting, say) is shown as the server words it; a dropped
  // network or an overloaded server is retried with the same growing waits as a save, and said so meanwhile.
  var loadFailures = 0;
  function loadFailed() {
    loadFailures += 1;
    document.getElementById("save-state").textContent = t.tLoadFailed;
    setTimeout(load, backoff(loadFailures));
  }
  function load() {
    // Opening the room in this tab takes the sitting over from any other: a state change, so a POST with the token.
    request("POST", api + "/claim", {client: client})
      .then(function (r) {
        if (r.ok) return r.json().then(start);
        if (r.status >= 500) throw new Error(r.status);  // the proxy's "busy" answer: try again later
        return r.json().then(function (body) { document.getElementById("save-state").textContent = body.detail; });
      })
      .catch(loadFailed);
  }
  load();

  function start(data) {
    paper = data.paper;
    layout = data.layout === "one" && paper.length ? "one" : "all";
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
  }
})();
