// Idle sign-out never destroys work (issue 13).
// - Two minutes before the idle limit a dialog warns and offers "Stay signed in".
// - Typing counts as activity: while someone types, the server is told (at most once a minute).
// - Leaving a page whose form has unsaved changes asks first (beforeunload).
// - A form marked data-unsaved-warning keeps a copy of what is typed in this browser tab's
//   sessionStorage; if the session still ends, signing in again returns to the same page
//   (the server adds ?next=) and the text is put back, with a note saying so.
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
    p.textContent = "You will be signed out in 2 minutes without activity. What you typed is kept.";
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

  // Unsaved changes: warn before leaving, keep a copy to restore after signing in again.
  var key = "bridge-draft:" + body.getAttribute("data-user") + ":" + window.location.pathname;
  var dirty = false;
  var forms = document.querySelectorAll("form[data-unsaved-warning]");
  function snapshot() {
    var data = {};
    forms.forEach(function (form, i) {
      form.querySelectorAll("textarea, input[type=text]").forEach(function (el) {
        if (el.name) { data[i + ":" + el.name] = el.value; }
      });
    });
    try { sessionStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full: skip */ }
  }
  forms.forEach(function (form) {
    form.addEventListener("input", function () { dirty = true; snapshot(); });
    form.addEventListener("submit", function () { dirty = false; });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && Date.now() - lastActivity < limit * 1000) { event.preventDefault(); event.returnValue = ""; }
  });
  var saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { saved = null; }
  if (saved && forms.length && body.getAttribute("data-restore-draft") === "1") {
    var restored = 0;
    forms.forEach(function (form, i) {
      form.querySelectorAll("textarea, input[type=text]").forEach(function (el) {
        var v = saved[i + ":" + el.name];
        if (v && v !== el.value) { el.value = v; restored += 1; }
      });
    });
    if (restored) {
      dirty = true;
      var note = document.createElement("p");
      note.className = "banner-info";
      note.setAttribute("role", "status");
      note.textContent = "You were signed out while writing. Your unsaved text was restored below: check it and save.";
      forms[0].parentNode.insertBefore(note, forms[0]);
    }
  }
  if (!saved || body.getAttribute("data-restore-draft") !== "1") {
    // A page loaded normally starts clean; drafts survive only a sign-out in between.
    if (!dirty) { try { sessionStorage.removeItem(key); } catch (e) { /* ignore */ } }
  }
}());
