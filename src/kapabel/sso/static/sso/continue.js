// Single sign-on hand-overs: post a form on (data-kapabel-autosubmit) or follow a link
// (data-kapabel-autofollow) as soon as the page is read. Both pages work without it too (a button).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-kapabel-autosubmit]");
  if (form) { form.submit(); return; }
  var link = document.querySelector("a[data-kapabel-autofollow]");
  if (link) { window.location.replace(link.href); }
});
