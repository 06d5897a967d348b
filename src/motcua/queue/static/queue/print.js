// The print button of the ticket and the poster; ?in=1 prints at once (kiosk and desk printers).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  if (new URLSearchParams(window.location.search).get("in") === "1") {
    window.print();
  }
});
