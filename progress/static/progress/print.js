// The 打印 button of the bulletin and the printable 督办单. A file rather than an inline onclick: the Content-Security-Policy allows
// scripts from this site only, never inline ones.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
});
