// Text limits, shown as the person approaches them: every field with a maxlength gets a quiet
// "N characters left" line once it is four-fifths full (the server refuses more in any case).
(function () {
  function note(field) {
    var id = field.id ? field.id + "-left" : null;
    var el = id && document.getElementById(id);
    if (!el && id) {
      el = document.createElement("small");
      el.id = id;
      el.className = "chars-left";
      el.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", el);
    }
    return el;
  }
  function update(field) {
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (!max || max < 50) {
      return;
    }
    var el = note(field);
    if (!el) {
      return;
    }
    var left = max - field.value.length;
    el.textContent = left <= max / 5 ? left + " characters left" : "";
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[maxlength], input[maxlength]")) {
      update(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[maxlength]"), update);
  });
})();
