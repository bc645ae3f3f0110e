// The competence tree editor. Progressive enhancement over plain links and forms:
// - keeps keyboard focus on the "move up/down" button a user pressed after HTMX swaps the tree;
// - after other swaps, focuses what the server names (data-focus) or the opened panel's heading;
// - "Cancel" in an inline panel closes it and returns focus to the link that opened it;
// - only one inline panel is open at a time (the forms share field ids);
// - drag and drop (HTML5) reorders siblings; the up/down buttons remain the keyboard way.
(function () {
  "use strict";
  var openerByPanel = {};

  function tree() { return document.getElementById("competence-tree"); }

  function closePanels(except) {
    document.querySelectorAll(".ctree-panel").forEach(function (panel) {
      if (panel !== except) { panel.innerHTML = ""; }
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    // The pressed move button travels with its own request: a second press can start before the
    // first swap has settled, and must not take over (or lose) the first one's focus target.
    var active = document.activeElement;
    if (event.detail.xhr && active && active.id && /^(up|down)-\d+$/.test(active.id)) {
      event.detail.xhr.kapabelMoveId = active.id;
    }
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("ctree-panel")) {
      var opener = event.detail.elt;
      if (opener && opener.id) { openerByPanel[target.id] = opener.id; }
      if (opener && !opener.closest(".ctree-panel")) { closePanels(target); }
    }
  });

  // htmx fires afterSettle on each element it settled: the panel for a panel swap, the new tree
  // (and the status region) for a tree swap.
  document.addEventListener("htmx:afterSettle", function (event) {
    var settled = event.target;
    if (settled.classList && settled.classList.contains("ctree-panel")) {
      var first = settled.querySelector("[aria-invalid=true]") || settled.querySelector("[data-autofocus]");
      if (first) { first.focus(); }
      return;
    }
    if (settled.id !== "competence-tree") { return; }
    var moveId = event.detail.xhr ? event.detail.xhr.kapabelMoveId : null;
    if (moveId) {
      var button = document.getElementById(moveId);
      if (button && !button.disabled) { button.focus(); }
      else if (button) {
        var otherId = moveId.indexOf("up-") === 0 ? "down-" + moveId.slice(3) : "up-" + moveId.slice(5);
        var other = document.getElementById(otherId);
        if (other) { other.focus(); }
      }
      return;
    }
    var focusId = settled.getAttribute("data-focus");
    var element = focusId && document.getElementById(focusId);
    if (element) { element.focus(); }
  });

  document.addEventListener("click", function (event) {
    var cancel = event.target.closest && event.target.closest("[data-panel-cancel]");
    if (!cancel) { return; }
    var panel = cancel.closest(".ctree-panel");
    if (!panel) { return; }
    event.preventDefault();
    panel.innerHTML = "";
    var opener = document.getElementById(openerByPanel[panel.id] || "");
    if (opener) { opener.focus(); }
  });

  // --- Drag and drop among siblings -----------------------------------------------------------
  var dragged = null;

  function itemOf(node) { return node && node.closest ? node.closest(".ctree-item") : null; }

  function clearMarks() {
    document.querySelectorAll(".ctree-item.drop-before, .ctree-item.drop-after").forEach(function (item) {
      item.classList.remove("drop-before", "drop-after");
    });
  }

  document.addEventListener("mousedown", function (event) {
    var handle = event.target.closest && event.target.closest(".ctree-handle");
    var item = itemOf(handle);
    if (item) { item.setAttribute("draggable", "true"); }
  });

  document.addEventListener("mouseup", function () {
    if (dragged) { return; }
    document.querySelectorAll(".ctree-item[draggable]").forEach(function (item) { item.removeAttribute("draggable"); });
  });

  document.addEventListener("dragstart", function (event) {
    var item = event.target.classList && event.target.classList.contains("ctree-item") ? event.target : null;
    if (!item || !tree() || !tree().contains(item)) { return; }
    dragged = item;
    item.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.getAttribute("data-id"));
  });

  document.addEventListener("dragover", function (event) {
    var item = itemOf(event.target);
    if (!dragged || !item || item === dragged || item.parentNode !== dragged.parentNode) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    var row = item.querySelector(".ctree-row");
    var box = row.getBoundingClientRect();
    var before = event.clientY < box.top + box.height / 2;
    clearMarks();
    item.classList.add(before ? "drop-before" : "drop-after");
  });

  document.addEventListener("drop", function (event) {
    var item = itemOf(event.target);
    if (!dragged || !item || item === dragged || item.parentNode !== dragged.parentNode) { return; }
    event.preventDefault();
    var before = item.classList.contains("drop-before");
    clearMarks();
    item.parentNode.insertBefore(dragged, before ? item : item.nextSibling);
    var list = dragged.parentNode;
    var order = Array.prototype.filter.call(list.children, function (child) {
      return child.classList.contains("ctree-item");
    }).map(function (child) { return child.getAttribute("data-id"); });
    var url = tree().getAttribute("data-reorder-url");
    if (url && window.htmx) {
      window.htmx.ajax("POST", url, {
        source: dragged,
        target: "#competence-tree",
        swap: "outerHTML",
        values: { parent: list.getAttribute("data-parent") || "", order: order.join(","), moved: dragged.getAttribute("data-id") }
      });
    }
  });

  document.addEventListener("dragend", function () {
    clearMarks();
    if (dragged) {
      dragged.classList.remove("is-dragging");
      dragged.removeAttribute("draggable");
    }
    dragged = null;
  });
})();
