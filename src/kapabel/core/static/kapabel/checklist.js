// Checkbox lists (kapabel.core.widgets.CheckboxList): a filter box that hides the options whose
// label does not contain the text typed. The list works without it.
(function () {
  "use strict";
  function init(root) {
    root.querySelectorAll("[data-checklist]").forEach(function (list) {
      if (list.dataset.ready) { return; }
      list.dataset.ready = "1";
      var wrap = list.querySelector("[data-checklist-filter-wrap]");
      var input = list.querySelector("[data-checklist-filter]");
      if (!wrap || !input) { return; }
      wrap.hidden = false;
      var status = wrap.querySelector("[role=status]");
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); }  // not a submit of the whole form
      });
      input.addEventListener("input", function () {
        var text = input.value.trim().toLowerCase();
        var shown = 0;
        list.querySelectorAll("[data-checklist-item]").forEach(function (item) {
          var match = !text || item.getAttribute("data-checklist-item").indexOf(text) !== -1;
          item.hidden = !match;
          if (match) { shown += 1; }
        });
        status.textContent = text ? list.getAttribute("data-filter-count").replace("%(count)s", shown) : "";
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
