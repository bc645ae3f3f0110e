// Keeps keyboard focus on the "move up/down" button a user pressed after HTMX swaps the tree, so
// reordering by keyboard can continue without hunting for the button again.
(function () {
  var lastId = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    lastId = active && active.id && /^(up|down)-\d+$/.test(active.id) ? active.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!lastId) { return; }
    var button = document.getElementById(lastId);
    if (button && !button.disabled) { button.focus(); }
    else if (button) {
      var otherId = lastId.indexOf("up-") === 0 ? "down-" + lastId.slice(3) : "up-" + lastId.slice(5);
      var other = document.getElementById(otherId);
      if (other) { other.focus(); }
    }
    lastId = null;
  });
})();
