// The name of the file just chosen, in the page's words ("Đã chọn: …"), under the
// camera-or-file button (eforms/_document.html). A file from this site, not an inline script:
// the Content-Security-Policy allows only these. Without it the page still works; the server
// names the file it received after the next submit.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.classList || !input.classList.contains("ef-file-input")) return;
  var note = document.getElementById(input.id + "-chosen");
  if (!note) return;
  var file = input.files && input.files[0];
  note.textContent = file ? note.dataset.chosen.replace("%(name)s", file.name) : "";
  note.hidden = !file;
});
