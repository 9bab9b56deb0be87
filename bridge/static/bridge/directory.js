// Public directory: keep the comparison to at most four ticked programs and say how many are ticked.
// Without JavaScript the compare page itself refuses more than four, so this is only a convenience.
(function () {
  "use strict";
  function setUp() {
    var form = document.getElementById("compare-form");
    if (!form) return;
    var max = parseInt(form.getAttribute("data-max"), 10) || 4;
    var status = document.getElementById("compare-status");
    var boxes = form.querySelectorAll("input.compare-box");
    // The words come from the page (data-say-*), in the page's language.
    function say(name, fallback, ticked) {
      var text = form.getAttribute("data-say-" + name) || fallback;
      return text.replace("{max}", String(max)).replace("{ticked}", String(ticked));
    }
    function update() {
      var ticked = 0;
      boxes.forEach(function (box) { if (box.checked) ticked += 1; });
      boxes.forEach(function (box) { box.disabled = !box.checked && ticked >= max; });
      if (status) {
        status.textContent = ticked === 0
          ? say("none", "Tick up to {max} programs.", ticked)
          : ticked >= max
            ? say("full", "{ticked} of {max} ticked: untick one to choose another.", ticked)
            : say("some", "{ticked} of {max} ticked.", ticked);
      }
    }
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    form.addEventListener("submit", function (event) {
      var ticked = form.querySelectorAll("input.compare-box:checked").length;
      if (ticked === 0) {
        event.preventDefault();
        if (status) status.textContent = say("empty", "Tick at least one program to compare.", 0);
      }
    });
    update();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
