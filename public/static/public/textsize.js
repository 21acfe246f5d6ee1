// The public pages' text-size setting (标准 / 大 / 特大 = 100% / 150% / 200%), remembered
// in this browser. A static file, no inline script: the pages' CSP allows only 'self'.
(function () {
  var KEY = "lianxin-text-size";
  var SIZES = ["100", "150", "200"];
  var root = document.documentElement;

  function apply(size) {
    SIZES.forEach(function (s) { root.classList.remove("text-" + s); });
    root.classList.add("text-" + size);
    document.querySelectorAll("[data-text-size]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-text-size") === size));
    });
  }

  var saved = null;
  try { saved = window.localStorage.getItem(KEY); } catch (e) { saved = null; }
  apply(SIZES.indexOf(saved) >= 0 ? saved : "100");

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-text-size]");
    if (!button) return;
    var size = button.getAttribute("data-text-size");
    apply(size);
    try { window.localStorage.setItem(KEY, size); } catch (e) { /* private mode: this page only */ }
  });
})();
