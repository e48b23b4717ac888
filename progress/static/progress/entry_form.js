// The entry form: choosing a target reloads the form for it (its unit, goal and periods). A file rather
// than an inline onchange: the Content-Security-Policy allows scripts from this site only.
document.addEventListener("DOMContentLoaded", function () {
  var target = document.querySelector("select[data-reload-on-change]");
  if (!target) {
    return;
  }
  target.addEventListener("change", function () {
    if (target.value) {
      window.location.search = "?target=" + encodeURIComponent(target.value);
    }
  });
});
