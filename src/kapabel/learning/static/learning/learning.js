// Learning pages. In a file (not inline) so the Content-Security-Policy can forbid inline scripts.
// Everything here is an enhancement: the pages work without it.
(function () {
  // Cohort form: "Add a session" clones the formset's empty form and counts it in TOTAL_FORMS.
  function addSession(button) {
    var prefix = button.getAttribute("data-prefix");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById("session-template");
    var target = document.getElementById("session-forms");
    if (!total || !template || !target) { return; }
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fieldset = holder.firstElementChild;
    target.appendChild(fieldset);
    total.value = String(index + 1);
    var first = fieldset.querySelector("input:not([type=hidden])");
    if (first) { first.focus(); }
  }

  // Bulk booking: tick or untick every person shown.
  function setAll(button, checked) {
    var form = button.closest("form");
    if (!form) { return; }
    form.querySelectorAll("input[type=checkbox][name=employees]:not(:disabled)").forEach(function (box) {
      box.checked = checked;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".js-add-session, .js-select-all, .js-select-none").forEach(function (button) {
      button.hidden = false;
    });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".js-add-session, .js-select-all, .js-select-none");
    if (!button) { return; }
    if (button.classList.contains("js-add-session")) { addSession(button); }
    if (button.classList.contains("js-select-all")) { setAll(button, true); }
    if (button.classList.contains("js-select-none")) { setAll(button, false); }
  });
})();
