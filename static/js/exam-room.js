// The exam room. Every change is saved at once with a rising sequence number; unsent answers are kept in this
// browser (localStorage) and resent after a network drop or a reload. The server's clock decides the time: the
// countdown only shows the deadline the server gave.
//
// Two layouts, chosen by the exam: "all" shows every question on one page; "one" shows one question at a time
// with Previous/Next. Both render every question into the page (the hidden ones keep their inputs), so saving,
// resending and takeover work the same way whatever is on screen. Flags ("come back to this") stay in this
// browser only.
//
// Every reply is read by its status and the API's `code`, and its Vietnamese `detail` is shown as it is. Only a 2xx
// that says the sitting is finished shows "submitted" and clears what this browser kept. A lost session (401) asks
// the candidate to sign in again in a dialog of this page, then resends; a stale security token (403 "csrf") is
// refreshed and the request sent again; an overloaded server (5xx) or a dropped network is retried later.
//
// The room asks and tells in dialogs of its own page (submit? time is up, an answer not saved), never with the
// browser's confirm() or alert(): those block the page (and its saves and countdown) and cannot be styled or read
// in the room's language by every browser.
(function () {
  "use strict";
  var room = document.getElementById("room");
  if (!room) return;
  var http = window.cchcHttp;  // http.js: the token, requests, the waits between tries
  var t = room.dataset, api = t.api;
  var store = "exam-room:" + api;
  var client = sessionStorage.getItem(store + ":client");
  if (!client) {
    client = Math.random().toString(36).slice(2) + Date.now().toString(36);
    sessionStorage.setItem(store + ":client", client);
  }
  var state = JSON.parse(localStorage.getItem(store) || '{"seq":0,"pending":{},"answers":{}}');
  state.flags = state.flags || {};
  state.refused = state.refused || {};  // answers the server refused (422): kept here and shown by their question
  var paper = [], deadline = 0, offset = 0, closed = false, sending = false;
  var layout = "all", current = null, closedText = "";
  var failures = 0, retryTimer = null;  // consecutive failed saves, and the pending retry (see retryLater)
  // signedOut: the session is gone, nothing is sent until the candidate signs in again (see the sign-in dialog).
  // notice: what the server last said about a refusal, shown in the status line until a request goes through.
  // done: the server confirmed the sitting is finished; leaving: the candidate is signing out. In both cases
  // nothing more is written to this browser's storage.
  var signedOut = false, signedOutText = "", notice = "", done = false, leaving = false;
  var submitWanted = false, csrfTries = 0;
  // The longest typed answer the room accepts, in characters: 3 bytes each at most in UTF-8, so an answer stays
  // under the server's 64 KB whatever the script.
  var MAX_ESSAY = 20000, MAX_TEXT = 2000;

  function persist() { if (!done && !leaving) localStorage.setItem(store, JSON.stringify(state)); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  var request = http.request;  // resolves whatever the status: only a dropped network rejects
  // The reply's JSON, or {} when it has none (a proxy's HTML page, say): the status alone then decides.
  function reply(r) { return r.body || {}; }
  // PostgreSQL stores neither U+0000 nor half of a surrogate pair, and the server refuses them (422): take them out
  // of what was typed or pasted before it is kept, so such an answer is never stuck.
  function clean(text) {
    return String(text).replace(/\u0000/g, "").replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]|[\uD800-\uDFFF]/g, function (m) {
      return m.length === 2 ? m : "\uFFFD";
    });
  }
  // An empty text box or no box ticked is not an answer, even though it was saved. The server's twin of this rule is
  // scoring/grading.py `is_answered` (used by grading and the statistics): this one reads the response's shape, as the
  // room builds it, where that one reads the question's kind; keep the two agreeing.
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
    var refused = Object.keys(state.refused);
    var text = signedOut ? signedOutText + (n ? " (" + n + ")" : "")
      : notice ? notice
      : closed ? (closedText || t.tClosed)
      : (failing ? t.tPending + " (" + n + ")" : (n ? t.tSaving : t.tSaved));
    if (refused.length && !done) {  // instead of "all saved", which these are not
      var said = t.tRefused + " " + refused.join(", ");
      text = text === t.tSaved ? said : text + " " + said;
    }
    box.textContent = text;
    box.className = (failing || signedOut || notice || (refused.length && !done)) ? "status-failed" : "muted";
    document.getElementById("sign-in-open").hidden = !signedOut;
    document.querySelectorAll("#navigator a").forEach(function (a) {
      var slot = a.dataset.slot, answered = isAnswered(state.answers[slot]), flagged = !!state.flags[slot];
      a.classList.toggle("answered", answered);
      a.classList.toggle("unsaved", !!state.pending[slot] || !!state.refused[slot]);
      a.classList.toggle("flagged", flagged);
      a.classList.toggle("current", layout === "one" && +slot === current);
      if (layout === "one" && +slot === current) a.setAttribute("aria-current", "step");
      else a.removeAttribute("aria-current");
      a.setAttribute("aria-label", t.tQuestion + " " + slot + (answered ? ", " + t.tAnsweredMark : "") +
        (flagged ? ", " + t.tFlaggedMark : ""));
    });
    var missing = gradable().filter(function (q) { return !isAnswered(state.answers[q.slot]); }).map(function (q) { return q.slot; });
    document.getElementById("nav-count").textContent = t.tAnsweredCount
      .replace("{n}", gradable().length - missing.length).replace("{total}", gradable().length);
    var unanswered = document.getElementById("unanswered");
    if (missing.length) slotList(unanswered, t.tUnanswered, missing);
    else unanswered.textContent = t.tNone;
    var flagged = paper.filter(function (q) { return state.flags[q.slot]; }).map(function (q) { return q.slot; });
    slotList(document.getElementById("flagged-summary"), t.tFlaggedList, flagged);
  }

  // A failed save is retried later, each time waiting about twice as long (http.backoff: 1 s, 2 s, 4 s … up to
  // 30 s, with jitter): a dropped network or an overloaded server is not hammered by every open exam room at once,
  // and the answers wait in the browser meanwhile. A success, the network coming back or the submit button
  // retries now.
  function retryLater() {
    failures += 1;
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, http.backoff(failures));
  }
  function retryNow() {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    flush();
  }

  function flush() {
    if (sending || closed || signedOut || retryTimer) return;
    var slots = Object.keys(state.pending);
    if (!slots.length) return showState();
    sending = true;
    var slot = slots[0], item = state.pending[slot];
    document.getElementById("save-state").textContent = t.tSaving;
    request("PUT", api + "/answers/" + slot, {response: item.response, seq: item.seq, client: client})
      .then(function (r) {
        var body = reply(r);
        if (r.ok) {
          failures = 0;
          csrfTries = 0;
          notice = "";
          if (state.pending[slot] && state.pending[slot].seq <= body.seq) delete state.pending[slot];
          persist();
          return;
        }
        if (r.status === 401) return needSignIn(body.detail);
        if (http.csrfRefused(r)) return tokenRefreshed(body.detail);
        // Time is up, or another tab took the sitting over: say which, here and in the status line.
        if (r.status === 410 || r.status === 423) {
          closed = true; closedText = body.detail; notice = "";
          tell(t.tNotSavedTitle, body.detail || t.tClosed);
          return;
        }
        if (r.status === 422 || r.status === 413) return refuse(slot, item, body.detail);
        if (r.status === 429) {  // too many requests: wait as long as the server asks, then send again
          notice = body.detail || t.tPending;
          failures += 1;
          retryTimer = setTimeout(function () { retryTimer = null; flush(); }, http.retryAfter(r, failures));
          return;
        }
        // The server is down or busy (5xx), or refuses for now (outside the exam's network, say): keep the answer
        // and try again later; a refusal is said as the server words it.
        if (r.status < 500 && body.detail) notice = body.detail;
        throw new Error(body.detail || r.status);
      })
      .catch(retryLater)
      .then(function () { sending = false; showState(); if (!closed && !signedOut && !retryTimer) setTimeout(flush, 0); });
  }

  // The server will not store this answer as it is (too long, say): it stays in this browser and on screen, with
  // the server's words beside its question, and is not sent again until the candidate changes it. The other
  // answers go on being saved meanwhile.
  function refuse(slot, item, detail) {
    if (state.pending[slot] && state.pending[slot].seq > item.seq) return;  // changed meanwhile: that one goes next
    delete state.pending[slot];
    state.refused[slot] = {response: item.response, seq: item.seq, detail: detail || t.tAnswerRefused};
    persist();
    showRefusal(slot);
  }
  function showRefusal(slot) {
    var li = document.getElementById("q" + slot);
    if (!li) return;
    var note = li.querySelector(".answer-error"), refused = state.refused[slot];
    if (!refused) { if (note) note.remove(); return; }
    if (!note) { note = el("p", {class: "answer-error status-failed", role: "alert"}); li.appendChild(note); }
    note.textContent = refused.detail;
  }

  // --- Dialogs of the page ------------------------------------------------------------------------------------
  // Modal (the rest of the page cannot be reached meanwhile) and Escape cancels, both the browser's own <dialog>.
  // What was chosen is the dialog's returnValue, read when it closes ("" when cancelled with Escape).
  function openDialog(d) {
    if (d.open) return;
    d.returnValue = "";
    if (d.showModal) d.showModal(); else d.setAttribute("open", "");
  }
  function closeDialog(d, value) {
    if (!d.open) return;
    if (d.close) return d.close(value);
    d.removeAttribute("open");
    d.returnValue = value;
    d.dispatchEvent(new Event("close"));
  }
  // The browser's modal dialog keeps the page behind it out of reach, but Tab from its last control would go on to the
  // browser's own bar: it comes round to the first control instead (and Shift+Tab from the first to the last).
  Array.prototype.forEach.call(document.querySelectorAll(".room-dialog"), function (d) {
    d.addEventListener("keydown", function (e) {
      if (e.key !== "Tab") return;
      var items = Array.prototype.filter.call(d.querySelectorAll(
        "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select, textarea"), function (x) {
        return x.getClientRects().length > 0;  // not the hidden ones
      });
      if (!items.length) return;
      var at = items.indexOf(document.activeElement), first = items[0], last = items[items.length - 1];
      if (at < 0 || (e.shiftKey && at === 0) || (!e.shiftKey && at === items.length - 1)) {
        e.preventDefault();
        (e.shiftKey ? last : first).focus();
      }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".room-dialog button[value]"), function (button) {
    button.addEventListener("click", function (e) {
      e.preventDefault();
      closeDialog(button.closest("dialog"), button.value);
    });
  });
  // A notice the candidate must see (time is up, an answer not saved): it stays until closed, the page goes on.
  var noticeBox = document.getElementById("room-notice");
  function tell(title, text) {
    var confirmBox = document.getElementById("confirm-submit");
    if (confirmBox.open) closeDialog(confirmBox, "cancel");
    document.getElementById("room-notice-title").textContent = title;
    document.getElementById("room-notice-text").textContent = text;
    openDialog(noticeBox);
  }

  // --- Security token and signing in again ----------------------------------------------------------------------

  function roomIn(html) {  // the #room of a page fetched in the background, if it is this sitting's room
    var found = new DOMParser().parseFromString(html, "text/html").getElementById("room");
    return found && found.dataset.api === api ? found : null;
  }
  // The token the page was rendered with goes stale when the person signs in again (here or in another window):
  // http.js takes the current one from Django's cookie, or else from this room's page fetched again.
  function refreshToken() {
    return http.refreshCsrf(function () {
      return fetch(location.pathname, {credentials: "same-origin"}).then(function (r) { return r.text(); })
        .then(function (html) {
          var found = roomIn(html);  // not the room: the session is gone too (the sign-in page came back instead)
          return found ? found.dataset.csrf : "";
        });
    });
  }
  // A 403 "csrf": send again at once with the current token. If that was not enough, the session has changed under
  // the page: signing in again sets both right.
  function tokenRefreshed(detail) {
    csrfTries += 1;
    if (csrfTries > 2) return needSignIn(detail);
    return refreshToken().then(function (ok) { if (!ok) needSignIn(); });
  }

  // The session is gone (it expired, or the person signed out in another tab). Nothing is lost and nothing leaves
  // the room: unsent answers wait here, and a dialog of this page signs in through the site's own sign-in form (in
  // the background, so its rate limits, two-factor step and messages all apply), then everything is sent again.
  var dialog = document.getElementById("sign-in"), signInForm = document.getElementById("sign-in-form");
  var authForm = null;  // the sign-in form (or its two-factor step) the server gave last, to post back to it
  function needSignIn(detail) {
    signedOut = true;
    signedOutText = detail || t.tSignedOut;
    document.getElementById("sign-in-why").textContent = signedOutText;
    showState();
    openSignIn();
  }
  function openSignIn() {
    if (dialog.open) return;
    if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
    dialog.querySelector(authForm && authForm.form.querySelector("[name=code]") ? "[name=code]" : "[name=login]").focus();
  }
  document.getElementById("sign-in-open").addEventListener("click", openSignIn);

  function signInError(text) {
    var box = document.getElementById("sign-in-error");
    box.textContent = text;
    box.hidden = !text;
  }
  // What a page of the sign-in flow says: this sitting's room (signed in), a step asking for more, or errors.
  function signInStep(r) {
    return r.text().then(function (html) {
      var found = roomIn(html);
      if (found) return {room: found};
      var doc = new DOMParser().parseFromString(html, "text/html");
      var form = doc.querySelector("main form [name=code], main form [name=password]");
      form = form && form.form;
      var errors = Array.prototype.map.call(doc.querySelectorAll("main .errorlist li"), function (li) { return li.textContent.trim(); });
      var heading = doc.querySelector("main h1");
      return {form: form, url: r.url, errors: errors.join(" ") || (r.ok || !heading ? "" : heading.textContent.trim())};
    });
  }
  function post(form, url, values) {
    var data = new URLSearchParams();
    Array.prototype.forEach.call(form.querySelectorAll("input[name]"), function (i) {
      if ((i.type === "checkbox" || i.type === "radio") && !i.checked) return;
      if (i.type !== "submit") data.append(i.name, i.name in values ? values[i.name] : i.value);
    });
    return fetch(new URL(form.getAttribute("action") || url, url).href, {
      method: "POST", credentials: "same-origin", body: data,
      headers: {"Content-Type": "application/x-www-form-urlencoded"}
    });
  }
  signInForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var button = signInForm.querySelector("button[type=submit]");
    var f = signInForm.elements, values = {login: f.login.value, password: f.password.value, code: f.code.value};
    button.disabled = true;
    signInError("");
    document.getElementById("sign-in-busy").hidden = false;
    var codeStep = authForm && authForm.form.querySelector("[name=code]");
    // A fresh sign-in page each time (its token goes with the cookie); it is this room already if the person has
    // signed in meanwhile, in another tab say.
    var asked = codeStep ? post(authForm.form, authForm.url, values).then(signInStep)
      : fetch(t.login + "?next=" + encodeURIComponent(location.pathname), {credentials: "same-origin"}).then(signInStep)
        .then(function (step) { return step.room || !step.form ? step : post(step.form, step.url, values).then(signInStep); });
    asked.then(function (step) {
      if (step.room) return signedIn(step.room.dataset.csrf);
      authForm = step.form ? {form: step.form, url: step.url} : null;
      var needsCode = !!(step.form && step.form.querySelector("[name=code]"));
      document.getElementById("sign-in-code-row").hidden = !needsCode;
      document.getElementById("sign-in-credentials").hidden = needsCode;
      signInError(step.errors || (needsCode ? "" : t.tSignInFailed));
      dialog.querySelector(needsCode ? "[name=code]" : "[name=password]").focus();
    }).catch(function () {
      signInError(t.tSignInOffline);
    }).then(function () {
      button.disabled = false;
      document.getElementById("sign-in-busy").hidden = true;
    });
  });
  function signedIn(token) {
    http.useCsrf(token);
    csrfTries = 0;
    failures = 0;
    signedOut = false;
    authForm = null;
    signInForm.reset();
    document.getElementById("sign-in-code-row").hidden = true;
    document.getElementById("sign-in-credentials").hidden = false;
    if (dialog.close) dialog.close(); else dialog.removeAttribute("open");
    if (!started) return load();
    showState();
    retryNow();
    if (submitWanted) submitWhenSent();
  }

  // Every change is kept in this browser at once. A click or a choice is sent at once; typing is sent at most every
  // 2 s while it goes on (and at once when the field is left): one save per keystroke would be dozens of
  // requests a minute per candidate in an essay, against the one every 30 s the server is sized for.
  var typingTimer = null;
  function record(slot, response, typing) {
    state.seq += 1;
    state.answers[slot] = response;
    state.pending[slot] = {response: response, seq: state.seq};
    if (state.refused[slot]) { delete state.refused[slot]; showRefusal(slot); }  // changed: worth sending again
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
    if (q.kind === "numeric") return {value: clean(li.querySelector(".answer-input").value)};
    return {text: clean(li.querySelector("textarea, .answer-input").value)};
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

  // The question takes the focus (its heading), so a keyboard or screen-reader user starts reading it: in the
  // one-per-page layout it is shown first; on one page it is scrolled to, clear of the sticky line.
  function focusQuestion(slot) {
    if (layout === "one") return go(slot, true);
    var li = document.getElementById("q" + slot);
    if (!li) return;
    li.scrollIntoView({block: "start"});
    li.querySelector(".question-head").focus({preventScroll: true});
  }
  function jump(e) {
    e.preventDefault();
    var confirmBox = document.getElementById("confirm-submit");
    if (confirmBox.open) closeDialog(confirmBox, "jump");  // a number in the "submit?" dialog: go and answer it
    if (narrow.matches) showNav(false);  // on a phone the list folds away again, to leave the question in sight
    focusQuestion(+e.currentTarget.dataset.slot);
  }

  // The question list folds into the compact line: open by default on a wide screen, folded on a phone.
  var navToggle = document.getElementById("nav-toggle"), navBox = document.getElementById("navigator");
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 640px)") : {matches: false};
  function showNav(open) {
    navBox.hidden = !open;
    navToggle.setAttribute("aria-expanded", open ? "true" : "false");
    var dot = open && navBox.querySelector("[aria-current]");
    if (dot && dot.scrollIntoView) dot.scrollIntoView({block: "nearest", inline: "nearest"});
  }
  navToggle.addEventListener("click", function () { showNav(navBox.hidden); });

  // "Skip to the question", the page's first tab stop: past the title and the line, into the question itself.
  document.getElementById("skip-to-question").addEventListener("click", function (e) {
    e.preventDefault();
    if (done) return document.querySelector("#result h2").focus();
    if (paper.length) return focusQuestion(layout === "one" && current !== null ? current : paper[0].slot);
    if (!document.getElementById("access-code-form").hidden) document.getElementById("access-code").focus();
  });

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
          label.appendChild(document.createTextNode(" "));
          var optionText = el("span", {class: "option-text"});
          optionText.innerHTML = o.text;  // the option in its own format, sanitised by the server like the text
          label.appendChild(optionText);
          group.appendChild(label);
        });
        li.appendChild(group);
      } else if (q.kind === "matching") {
        q.items.forEach(function (item) {
          var label = el("label", {});
          var itemText = el("span", {class: "item-text"});
          itemText.innerHTML = item.text;  // sanitised by the server; the answers to pick are plain text
          label.appendChild(itemText);
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
        li.appendChild(el("textarea", {rows: 8, maxlength: MAX_ESSAY, "aria-label": t.tQuestion + " " + q.slot})).value = saved.text || q.template || "";
      } else if (q.kind !== "description") {
        var input = el("input", {type: "text", class: "answer-input", "aria-label": t.tQuestion + " " + q.slot,
          inputmode: q.kind === "numeric" ? "decimal" : "text", maxlength: MAX_TEXT});
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
      showRefusal(q.slot);
      var a = el("a", {href: "#q" + q.slot, "data-slot": q.slot, class: "nav-dot"}, String(q.slot));
      a.addEventListener("click", jump);
      nav.appendChild(a);
    });
    navToggle.hidden = !paper.length;
    showNav(!narrow.matches);
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
    if (!done) tell(t.tClosed, t.tTimeUpText);
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

  // Only for a 2xx whose status says the sitting is finished: then, and only then, this browser forgets the answers.
  function showResult(r) {
    closed = true;
    done = true;
    notice = "";
    submitWanted = false;
    localStorage.removeItem(store);
    sessionStorage.removeItem(store + ":client");
    // The clock has stopped and nothing is left to save: the compact line goes with the questions.
    ["questions", "submit-box", "pager", "room-bar"].forEach(function (id) { document.getElementById(id).hidden = true; });
    var confirmBox = document.getElementById("confirm-submit");
    if (confirmBox.open) closeDialog(confirmBox, "cancel");
    var box = document.getElementById("result");
    box.hidden = false;
    box.textContent = "";
    var heading = box.appendChild(el("h2", {tabindex: "-1"}, t.tSubmitted));
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
    heading.focus({preventScroll: true});
    box.scrollIntoView({block: "nearest"});
  }

  function isFinal(r, body) { return r.ok && !!body.status && body.status !== "in_progress"; }

  // Submitting: only the server's word that the sitting is finished shows the result. A lost session asks to sign
  // in (then the unsent answers and the submit go again); a stale token is refreshed; a busy server or a dropped
  // network is tried again with growing waits, saying so; a refusal is shown as the server words it, and the
  // answers stay in this browser.
  var finishing = false, submitTries = 0, finishTimer = null;
  function finishLater(ms) { finishTimer = setTimeout(function () { finishTimer = null; finish(); }, ms); }
  function finish() {
    if (finishTimer) { clearTimeout(finishTimer); finishTimer = null; }  // one submit at a time: this one goes now
    if (finishing || done) return;
    finishing = true;
    submitWanted = true;
    document.getElementById("submit").disabled = true;
    if (!submitTries) { notice = t.tSubmitting; showState(); }
    request("POST", api + "/submit").then(function (r) {
      var body = reply(r);
      finishing = false;
      if (isFinal(r, body)) return showResult(body);
      if (r.status === 401) return needSignIn(body.detail);  // signedIn() submits again
      if (http.csrfRefused(r)) {
        return tokenRefreshed(body.detail).then(function () { if (!signedOut) finish(); });
      }
      if (r.status === 429) {
        notice = body.detail || t.tSubmitRetry;
        showState();
        submitTries += 1;
        return finishLater(http.retryAfter(r, submitTries));
      }
      if (r.ok || r.status >= 500) throw new Error(r.status);
      // Refused: time is up, another tab took over, outside the exam's network… Nothing is forgotten here.
      submitWanted = false;
      submitTries = 0;
      notice = body.detail || t.tNotSubmitted;
      if (r.status === 410 || r.status === 423) { closed = true; closedText = notice; }
      document.getElementById("submit").disabled = closed;
      showState();
    }).catch(function () {
      finishing = false;
      submitTries += 1;
      notice = t.tSubmitRetry;
      showState();
      finishLater(http.backoff(submitTries));
    });
  }

  // Unsent answers go first, then the submit; while signed out it waits for signedIn() to call it again.
  var waiting = false;
  function submitWhenSent() {
    submitWanted = true;
    document.getElementById("submit").disabled = true;
    if (waiting) return;
    waiting = true;
    (function wait() {
      if (signedOut || done) { waiting = false; return; }
      if (Object.keys(state.pending).length && !closed) { flush(); return setTimeout(wait, 500); }
      waiting = false;
      finish();
    })();
  }

  // "Submit?" in a dialog of the page, saying how many questions are not answered and how many are flagged (each
  // number there goes to its question). The safe choice, keep working, has the focus; Escape is the same.
  var confirmBox = document.getElementById("confirm-submit");
  function countLine(box, template, slots, total) {
    box.textContent = "";
    if (!slots.length) return;
    box.appendChild(document.createTextNode(template.replace("{n}", slots.length).replace("{total}", total) + " ("));
    slots.forEach(function (slot, i) {
      if (i) box.appendChild(document.createTextNode(", "));
      var a = el("a", {href: "#q" + slot, "data-slot": slot, "aria-label": t.tQuestion + " " + slot}, String(slot));
      a.addEventListener("click", jump);
      box.appendChild(a);
    });
    box.appendChild(document.createTextNode(")"));
  }
  document.getElementById("submit").addEventListener("click", function () {
    if (Object.keys(state.pending).length) retryNow();
    var questions = gradable();
    var missing = questions.filter(function (q) { return !isAnswered(state.answers[q.slot]); }).map(function (q) { return q.slot; });
    var flagged = paper.filter(function (q) { return state.flags[q.slot]; }).map(function (q) { return q.slot; });
    var unanswered = document.getElementById("confirm-unanswered");
    countLine(unanswered, t.tCountUnanswered, missing, questions.length);
    if (!missing.length) unanswered.textContent = t.tNone;
    countLine(document.getElementById("confirm-flagged"), t.tCountFlagged, flagged, questions.length);
    openDialog(confirmBox);
  });
  confirmBox.addEventListener("close", function () {
    if (confirmBox.returnValue === "submit") return submitWhenSent();
    var button = document.getElementById("submit");
    if (confirmBox.returnValue !== "jump" && !button.disabled && !done) button.focus();
  });
  // Signing out (on a shared exam-room computer) forgets this browser's answers (site.js): write none back after.
  document.addEventListener("signing-out", function () { leaving = true; });
  window.addEventListener("online", function () {
    request("POST", api + "/events", {kind: "reconnect", client: client}).catch(function () {});
    retryNow();
    if (finishTimer) finish();  // a submit waiting to be tried again goes now
  });
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
    setTimeout(load, http.backoff(loadFailures));
  }
  var accessCode = "";
  function load() {
    // Opening the room in this tab takes the sitting over from any other: a state change, so a POST with the token.
    request("POST", api + "/claim", {client: client, access_code: accessCode})
      .then(function (r) {
        if (r.ok && r.body) {
          document.getElementById("access-code-form").hidden = true;
          return start(r.body);
        }
        if (r.ok || r.status >= 500) throw new Error(r.status);  // the proxy's "busy" answer: try again later
        var body = reply(r);
        if (r.status === 401) return needSignIn(body.detail);  // signedIn() loads again
        if (http.csrfRefused(r)) {
          return tokenRefreshed(body.detail).then(function () { if (!signedOut) load(); });
        }
        // A new browser session must give the exam's access code again; a wrong one or too many say so.
        if (body.code === "access_code" || (accessCode && r.status === 429)) {
          return askAccessCode(body);
        }
        document.getElementById("save-state").textContent = body.detail || t.tLoadFailed;
      })
      .catch(loadFailed);
  }
  function askAccessCode(body) {
    var form = document.getElementById("access-code-form"), error = document.getElementById("access-code-error");
    document.getElementById("save-state").textContent = "";
    // The first refusal explains why the code is asked for; later ones (a wrong code, too many tries) are errors.
    if (!accessCode) document.getElementById("access-code-why").textContent = body.detail;
    error.hidden = !accessCode;
    error.textContent = accessCode ? body.detail : "";
    if (form.hidden) {
      form.hidden = false;
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        accessCode = document.getElementById("access-code").value.trim();
        if (accessCode) load();
      });
    }
    document.getElementById("access-code").focus();
  }
  function loadResult() {
    request("GET", api + "/result").then(function (r) {
      if (isFinal(r, reply(r))) showResult(r.body); else throw new Error(r.status);
    }).catch(function () { loadFailures += 1; setTimeout(loadResult, http.backoff(loadFailures)); });
  }
  load();

  var started = false;
  function start(data) {
    started = true;
    paper = data.paper;
    layout = data.layout === "one" && paper.length ? "one" : "all";
    deadline = Date.parse(data.deadline);
    offset = Date.parse(data.server_now) - Date.now();
    // What the server holds, unless this browser has a newer unsent answer.
    Object.keys(data.answers).forEach(function (slot) {
      var server = data.answers[slot];
      var mine = state.pending[slot] || state.refused[slot];
      if (!mine || mine.seq <= server.seq) {
        state.answers[slot] = server.response;
        delete state.pending[slot];
        delete state.refused[slot];
      }
      state.seq = Math.max(state.seq, server.seq);
    });
    persist();
    if (data.status !== "in_progress") return loadResult();
    render();
    showState();
    tick();
    flush();
  }
})();
