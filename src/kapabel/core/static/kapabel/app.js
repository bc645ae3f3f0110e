// Kapabel's front-end bootstrap. Kept in a file (not inline) so the Content-Security-Policy can
// forbid inline scripts.
document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS) { window.DKFDS.init(); }
});
// Re-initialise DKFDS components inside fragments that HTMX swaps in.
document.addEventListener("htmx:afterSettle", function (event) {
  if (window.DKFDS) { window.DKFDS.init(event.target); }
});
