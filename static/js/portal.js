// What the templates would otherwise do inline: the Content-Security-Policy allows
// scripts from the portal's own files only, so no onclick= / onchange= / style= there.
(function () {
  "use strict";

  function wire(root) {
    // <select data-submit-on-change>: choosing sends its form (language, decisions).
    root.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      if (select.dataset.wired) return;
      select.dataset.wired = "1";
      select.addEventListener("change", function () {
        if (select.form) select.form.submit();
      });
    });
    // <button data-print>: print the page.
    root.querySelectorAll("[data-print]").forEach(function (button) {
      if (button.dataset.wired) return;
      button.dataset.wired = "1";
      button.addEventListener("click", function () {
        window.print();
      });
    });
    // <span data-bar-width="37">: a bar drawn to 37 % (CSSOM, which the policy allows).
    root.querySelectorAll("[data-bar-width]").forEach(function (bar) {
      bar.style.width = (parseFloat(bar.dataset.barWidth) || 0) + "%";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wire(document);
  });
  // Parts of pages that htmx swaps in get the same wiring.
  document.addEventListener("htmx:afterSettle", function (event) {
    wire(event.target);
  });
})();
