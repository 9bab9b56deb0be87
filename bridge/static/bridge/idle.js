// Idle sign-out never destroys work (issue 13).
// - Two minutes before the idle limit a dialog warns and offers "Stay signed in".
// - Typing counts as activity: while someone types, the server is told (at most once a minute).
// - Leaving a page whose form has unsaved changes asks first (beforeunload).
// - A form marked data-draft sends its free text to the server as it is typed (a draft: the
//   author's own, never a record; bridge/accounts/drafts.py). Opening the page again (after an
//   idle sign-out, the server brings the person back with ?next=) puts the draft back when it is
//   newer than the saved record, says so, and offers to discard it.
(function () {
  "use strict";
  var body = document.body;
  var limit = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
  if (!limit) { return; }
  var warnBefore = Math.min(120, Math.floor(limit / 2));
  var keepaliveUrl = body.getAttribute("data-keepalive-url");
  var csrf = (JSON.parse(body.getAttribute("hx-headers") || "{}"))["X-CSRFToken"];
  var lastActivity = Date.now();
  var lastPing = Date.now();
  var dialog = null;

  function ping() {
    lastPing = Date.now();
    lastActivity = Date.now();
    return fetch(keepaliveUrl, {method: "POST", headers: {"X-CSRFToken": csrf}, credentials: "same-origin"});
  }
  function activity(typing) {
    if (dialog) { dialog.remove(); dialog = null; }
    if (typing && Date.now() - lastPing > Math.min(60000, warnBefore * 500)) { ping(); }
    lastActivity = Date.now();
  }
  function warn() {
    if (dialog) { return; }
    dialog = document.createElement("div");
    dialog.className = "idle-warning banner-alert";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-label", "About to sign out");
    var p = document.createElement("p");
    var left = warnBefore >= 60 && warnBefore % 60 === 0
      ? (warnBefore / 60) + (warnBefore === 60 ? " minute" : " minutes")
      : warnBefore + " seconds";
    p.textContent = "You will be signed out in " + left + " without activity. What you typed is kept.";
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button primary";
    b.textContent = "Stay signed in";
    b.addEventListener("click", function () { ping(); activity(false); });
    dialog.appendChild(p);
    dialog.appendChild(b);
    body.insertBefore(dialog, body.firstChild);
    b.focus();
  }
  document.addEventListener("input", function () { activity(true); }, true);
  document.addEventListener("keydown", function () { activity(true); }, true);
  setInterval(function () {
    // The server counts requests (page loads and pings); clicks alone are not sent to it.
    var idle = (Date.now() - lastPing) / 1000;
    if (idle >= limit - warnBefore) { warn(); }
    if (idle >= limit + 2) { window.location.reload(); }  // the server signs out and brings us back
  }, 1000);

  // Unsaved changes: warn before leaving; drafts of free text are kept on the server.
  var draftSaveUrl = body.getAttribute("data-drafts-url");
  var dirty = false;
  var leaving = false;
  var watched = document.querySelectorAll("form[data-unsaved-warning], form[data-draft]");
  var draftForms = Array.prototype.slice.call(document.querySelectorAll("form[data-draft]"));

  function textFields(form) {
    return Array.prototype.slice.call(form.querySelectorAll("textarea, input[type=text]")).filter(function (el) {
      return el.name && !el.disabled && !el.readOnly;
    });
  }
  function changed(form) {
    return textFields(form).some(function (el) { return el.value !== el.defaultValue; });
  }
  function post(url, data, keep) {
    var fd = new FormData();
    Object.keys(data).forEach(function (k) { if (data[k] !== null && data[k] !== undefined) { fd.append(k, data[k]); } });
    // A signed-out session answers with a redirect to the sign-in page: treat it as a failure.
    return fetch(url, {method: "POST", headers: {"X-CSRFToken": csrf}, credentials: "same-origin", body: fd, redirect: "error",
                        keepalive: !!keep && JSON.stringify(data).length < 60000})  // outlives leaving the page
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); });
  }
  function draftKey(form) {
    return {page: form.getAttribute("data-draft-page") || window.location.pathname, form: form.getAttribute("data-draft")};
  }
  function saveDraft(form) {
    if (form._draftTimer) { clearTimeout(form._draftTimer); form._draftTimer = null; }
    if (form._submitted || !form._draftDirty || !draftSaveUrl) { return; }
    if (document.querySelector(".htmx-request")) {
      // One request at a time: the page's own autosave (htmx) goes first.
      form._draftTimer = setTimeout(function () { saveDraft(form); }, 1000);
      return;
    }
    form._draftDirty = false;
    var key = draftKey(form);
    var data = {page: key.page, form: key.form};
    textFields(form).forEach(function (el) { data["field:" + el.name] = el.value; });
    lastPing = Date.now();  // the server counts this request as activity
    post(draftSaveUrl, data, true)
      .catch(function () { form._draftDirty = true; });
  }
  function discardDraft(form) {
    var key = draftKey(form);
    return post(draftSaveUrl.replace(/save\/$/, "discard/"), {page: key.page, form: key.form}).catch(function () { /* next save retries */ });
  }

  watched.forEach(function (form) {
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { leaving = true; form._submitted = true; if (form._draftTimer) { clearTimeout(form._draftTimer); } });
  });
  draftForms.forEach(function (form) {
    form.addEventListener("input", function (event) {
      if (!event.target.matches || !event.target.matches("textarea, input[type=text]")) { return; }
      form._draftDirty = true;
      if (form._draftTimer) { clearTimeout(form._draftTimer); }
      form._draftTimer = setTimeout(function () { saveDraft(form); }, 2000);
    });
    form.addEventListener("focusout", function (event) {
      // Leaving a field for a submit button: the submit carries the text (or asks first).
      var to = event.relatedTarget;
      if (to && to.matches && to.matches("button:not([type=button]), input[type=submit]")) { return; }
      saveDraft(form);
    });
  });
  // A form that ends the editing of the page (data-draft-final, e.g. "Sign and lock" of a plan)
  // would leave text typed in a form beside it (e.g. "Add a goal") unsaved: say so first.
  document.querySelectorAll("form[data-draft-final]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var pending = draftForms.filter(function (other) { return other !== form && changed(other); });
      if (!pending.length) { return; }
      var names = pending.map(function (f) {
        var h = f.querySelector("h2, legend");
        return h ? "“" + h.textContent.trim() + "”" : "another form";
      });
      if (!window.confirm("Text typed in " + names.join(", ") + " is not saved yet. Continue anyway?")) {
        event.preventDefault();
        event.stopImmediatePropagation();
        leaving = false;
        form._submitted = false;
      }
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !leaving && Date.now() - lastActivity < limit * 1000) { event.preventDefault(); event.returnValue = ""; }
  });

  // Put a newer server draft back into its form, and say so. A page sent back after a refused save
  // (data-posted) already shows what was just typed: that is the draft now.
  var signedOut = body.getAttribute("data-restore-draft") === "1";
  var posted = body.getAttribute("data-posted") === "1";
  var queue = Promise.resolve();  // one draft request at a time
  draftForms.forEach(function (form) {
    if (!draftSaveUrl) { return; }
    if (posted) {
      form._draftDirty = true;
      queue = queue.then(function () { saveDraft(form); });
      return;
    }
    var key = draftKey(form);
    queue = queue.then(function () {
      return post(draftSaveUrl.replace(/save\/$/, "load/"), {page: key.page, form: key.form, since: form.getAttribute("data-draft-since")});
    })
      .then(function (answer) {
        if (!answer.draft) { return; }
        var fields = answer.draft.fields || {};
        var restored = 0;
        textFields(form).forEach(function (el) {
          if (Object.prototype.hasOwnProperty.call(fields, el.name) && fields[el.name] !== el.value) {
            el.value = fields[el.name];
            restored += 1;
          }
        });
        if (!restored) { discardDraft(form); return; }
        dirty = true;
        form._draftDirty = false;
        var note = document.createElement("p");
        note.className = "banner-info draft-restored";
        note.setAttribute("role", "status");
        note.textContent = (signedOut ? "You were signed out while writing. " : "") +
          "Restored your unsaved draft from " + answer.draft.saved_at_label + ": check it and save. ";
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "link-button";
        discard.textContent = "Discard the draft";
        discard.addEventListener("click", function () {
          textFields(form).forEach(function (el) { el.value = el.defaultValue; });
          discardDraft(form);
          note.remove();
        });
        note.appendChild(discard);
        form.parentNode.insertBefore(note, form);
      })
      .catch(function () { /* no draft can be read: the page stays as the server sent it */ });
    queue = queue.then(function () { /* the next form's turn */ }, function () { /* likewise */ });
  });
}());
