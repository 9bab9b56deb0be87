// The Today board refreshes itself every minute, but never while someone is typing in it:
// a field that has focus or holds typed text postpones the refresh (fields also carry
// hx-preserve, so a check-in elsewhere on the board keeps what was typed).
(function () {
  function busy(board) {
    if (board.contains(document.activeElement) && document.activeElement.matches("input, textarea, select")) {
      return true;
    }
    return Array.prototype.some.call(board.querySelectorAll("input[type=text], textarea"), function (field) {
      return field.value !== field.defaultValue;
    });
  }
  function refresh() {
    var board = document.getElementById("today-board");
    if (!board || !window.htmx || busy(board)) {
      return;
    }
    window.htmx.ajax("GET", board.dataset.refreshUrl, { target: "#today-board", select: "#today-board", swap: "outerHTML" });
  }
  window.bridgeTodayRefresh = refresh; // for the browser test: the minute's tick on demand
  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("today-board");
    if (!board) {
      return;
    }
    var seconds = parseInt(board.dataset.refreshSeconds || "60", 10);
    window.setInterval(refresh, seconds * 1000);
  });
})();
