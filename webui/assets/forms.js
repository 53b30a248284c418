// Forms: the settings' provider choice shows only the fields for that
// provider (data-providers); without this script the page shows them
// after a save.
(function () {
  "use strict";
  document.addEventListener("change", function (ev) {
    var sel = ev.target;
    if (!sel.matches || !sel.matches("select[data-shows-providers]")) { return; }
    document.querySelectorAll("[data-providers]").forEach(function (el) {
      el.hidden = el.getAttribute("data-providers").split(" ").indexOf(sel.value) < 0;
    });
  });
})();
