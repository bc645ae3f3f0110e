// Heatmap rows that expand with HTMX: mark the button as expanded once the rows are in.
document.addEventListener("htmx:afterRequest", function (event) {
  var button = event.detail.elt;
  if (button && button.classList && button.classList.contains("gap-expand") && event.detail.successful) {
    button.setAttribute("aria-expanded", "true");
    button.disabled = true;
  }
});
