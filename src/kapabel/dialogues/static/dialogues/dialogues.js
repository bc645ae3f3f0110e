// "Print the plan": the browser's print dialogue (the link itself opens the printable page).
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.js-print");
  if (link && window.print) {
    event.preventDefault();
    window.print();
  }
});
