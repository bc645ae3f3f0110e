// Enhances the organisation's pickers (kapabel.organisation.pickers); both work without it.
//
// Unit tree: folds the tree behind disclosure buttons (WAI-ARIA disclosure pattern: a button with
// aria-expanded and aria-controls), shows "with the units below" only for chosen units, marks units
// that a chosen unit already covers, keeps a one-line summary of the choice, and filters by name.
//
// People picker: results follow the search (HTMX, on the input); the search and page buttons stop
// submitting the form; ticking a result moves the person into the chosen list and unticking a
// chosen person takes them off it, with focus kept in place and a status message for screen readers.
(function () {
  "use strict";

  // --- Unit tree --------------------------------------------------------------------------------
  function unitNodes(picker) { return picker.querySelectorAll(".unit-node"); }

  function choiceOf(node) { return node.querySelector(":scope > .unit-row .unit-choice input"); }
  function subtreeOf(node) { return node.querySelector(":scope > .unit-row [data-unit-subtree] input"); }

  function refreshUnits(picker) {
    var chosen = [];
    var always = picker.hasAttribute("data-always-below");
    unitNodes(picker).forEach(function (node) {
      var choice = choiceOf(node);
      var subtree = subtreeOf(node);
      if (subtree) { subtree.closest("[data-unit-subtree]").hidden = !choice.checked; }
      var covered = false;
      var ancestor = node.parentElement.closest(".unit-node");
      while (ancestor) {
        var a = choiceOf(ancestor), s = subtreeOf(ancestor);
        if (a.checked && (always || (s && s.checked))) { covered = true; break; }
        ancestor = ancestor.parentElement.closest(".unit-node");
      }
      node.querySelector(":scope > .unit-row [data-unit-covered]").hidden = !covered;
      if (choice.checked) {
        var name = node.querySelector(":scope > .unit-row .unit-choice label").textContent.trim();
        chosen.push((always && node.querySelector(".unit-node")) || (subtree && subtree.checked) ? picker.getAttribute("data-summary-with").replace("%(name)s", name) : name);
      }
    });
    var summary = picker.querySelector("[data-unit-summary]");
    summary.textContent = chosen.length
      ? picker.getAttribute("data-summary-prefix") + " " + chosen.join(", ")
      : picker.getAttribute("data-summary-none");
  }

  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var below = document.getElementById(button.getAttribute("aria-controls"));
    if (below) { below.hidden = !open; }
  }

  function initUnitPicker(picker) {
    picker.classList.add("is-enhanced");
    picker.querySelectorAll(".unit-toggle").forEach(function (button) {
      button.hidden = false;
      setOpen(button, button.getAttribute("aria-expanded") === "true");
      button.addEventListener("click", function () {
        setOpen(button, button.getAttribute("aria-expanded") !== "true");
      });
    });
    picker.addEventListener("change", function () { refreshUnits(picker); });
    var wrap = picker.querySelector("[data-unit-filter-wrap]");
    var filter = picker.querySelector("[data-unit-filter]");
    if (wrap && filter) {
      wrap.hidden = false;
      var status = wrap.querySelector("[role=status]");
      filter.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); }
      });
      filter.addEventListener("input", function () { filterUnits(picker, filter.value, status); });
    }
    refreshUnits(picker);
  }

  function filterUnits(picker, value, status) {
    var text = value.trim().toLowerCase();
    var matches = 0;
    // Deepest first, so a parent knows whether a descendant matched.
    var nodes = Array.prototype.slice.call(unitNodes(picker)).reverse();
    nodes.forEach(function (node) {
      var own = !text || node.getAttribute("data-unit-name").indexOf(text) !== -1;
      var below = Array.prototype.some.call(
        node.querySelectorAll(":scope > .unit-below > .unit-tree > .unit-node"),
        function (child) { return !child.hidden; }
      );
      node.hidden = !(own || below);
      if (text && own) { matches += 1; }
      var toggle = node.querySelector(":scope > .unit-row .unit-toggle");
      if (text && toggle && below) { setOpen(toggle, true); }
    });
    status.textContent = text ? picker.getAttribute("data-filter-count").replace("%(count)s", matches) : "";
  }

  // --- People picker ----------------------------------------------------------------------------
  function announce(picker, template, name) {
    var region = picker.querySelector("[data-picker-announce]");
    region.textContent = template.replace("%(name)s", name);
  }

  function refreshPeople(picker) {
    var count = picker.querySelectorAll("[data-chosen] input:checked").length;
    picker.querySelector("[data-chosen-count]").textContent = count;
    picker.querySelector("[data-chosen-empty]").hidden = count > 0;
  }

  function neighbour(item, fallback) {
    var next = item.nextElementSibling || item.previousElementSibling;
    return next ? next.querySelector("input") : fallback;
  }

  function initPeoplePicker(picker) {
    var query = picker.querySelector("[data-picker-query]");
    picker.querySelectorAll("[data-picker-search]").forEach(function (button) {
      button.type = "button";
      button.addEventListener("click", function () { window.htmx.trigger(query, "search"); });
    });
    query.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); window.htmx.trigger(query, "search"); }
    });
    picker.addEventListener("change", function (event) {
      var input = event.target;
      if (!input.matches("input[data-person]")) { return; }
      var item = input.closest("li");
      var name = input.getAttribute("data-person");
      if (input.checked && !item.closest("[data-chosen]")) {
        var focusNext = neighbour(item, query);
        picker.querySelector("[data-chosen]").appendChild(item);
        if (focusNext) { focusNext.focus(); }
        announce(picker, picker.getAttribute("data-added"), name);
      } else if (!input.checked && item.closest("[data-chosen]")) {
        var focusAfter = neighbour(item, query);
        item.remove();
        if (focusAfter) { focusAfter.focus(); }
        announce(picker, picker.getAttribute("data-removed"), name);
      }
      refreshPeople(picker);
    });
  }

  function init(root) {
    root.querySelectorAll("[data-unit-picker]").forEach(function (picker) {
      if (!picker.dataset.ready) { picker.dataset.ready = "1"; initUnitPicker(picker); }
    });
    root.querySelectorAll("[data-people-picker]").forEach(function (picker) {
      if (!picker.dataset.ready && window.htmx) { picker.dataset.ready = "1"; initPeoplePicker(picker); }
    });
    // Page buttons arrive with each page of results: they page with HTMX, not by submitting.
    root.querySelectorAll("[data-picker-page]").forEach(function (button) { button.type = "button"; });
  }

  // A new page of results: say how many, in the picker's own live region (it stays in the page, so
  // screen readers hear the change; the count inside the swapped results would be a new region).
  document.addEventListener("htmx:afterSettle", function (event) {
    var results = event.target;
    if (!results.classList || !results.classList.contains("picker-results")) { return; }
    var picker = results.closest("[data-people-picker]");
    var count = results.querySelector("[data-results-count]");
    if (picker && count) { picker.querySelector("[data-picker-announce]").textContent = count.textContent.trim(); }
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
