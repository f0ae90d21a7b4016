// The print view's "Print" button: a data attribute and this file, not an inline handler, which the
// Content-Security-Policy would block.
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
