// Kiosk behaviour: idle warning then wipe, Back button, no personal data in browser storage.
(function () {
  "use strict";
  var body = document.body;
  var idleSeconds = parseInt(body.dataset.idleSeconds || "90", 10);
  var graceSeconds = 15;
  var overlay = document.querySelector(".k-idle");
  var countdown = overlay && overlay.querySelector("[data-countdown]");
  var idleTimer = null, tickTimer = null, remaining = graceSeconds;

  function wipe() {
    // POST so the server flushes the session; then the start page.
    var form = document.createElement("form");
    form.method = "post";
    form.action = body.dataset.finishUrl;
    var token = document.createElement("input");
    token.type = "hidden"; token.name = "csrfmiddlewaretoken"; token.value = body.dataset.csrf;
    form.appendChild(token);
    document.body.appendChild(form);
    form.submit();
  }

  function showWarning() {
    if (!overlay) { wipe(); return; }
    remaining = graceSeconds;
    countdown.textContent = remaining;
    overlay.hidden = false;
    overlay.querySelector("[data-stay]").focus();
    tickTimer = setInterval(function () {
      remaining -= 1;
      countdown.textContent = remaining;
      if (remaining <= 0) { clearInterval(tickTimer); wipe(); }
    }, 1000);
  }

  function reset() {
    if (overlay && !overlay.hidden) { return; }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(showWarning, idleSeconds * 1000);
  }

  if (!body.classList.contains("k-no-idle")) {
    ["pointerdown", "keydown", "input", "scroll"].forEach(function (type) {
      document.addEventListener(type, reset, { passive: true, capture: true });
    });
    reset();
  }
  if (overlay) {
    overlay.querySelector("[data-stay]").addEventListener("click", function () {
      clearInterval(tickTimer);
      overlay.hidden = true;
      reset();
    });
  }
  document.querySelectorAll("[data-back]").forEach(function (button) {
    button.addEventListener("click", function () { history.back(); });
  });
  // A scanner types fast and ends with Enter; keep the focus in the scan field.
  var scan = document.querySelector("[data-scan]");
  if (scan) {
    scan.focus();
    document.addEventListener("click", function (e) {
      if (!e.target.closest("input, textarea, select, button, a, label")) { scan.focus(); }
    });
  }
  // Never keep anything in browser storage (ND 13/2023); clear what an old page may have left.
  try { window.localStorage.clear(); window.sessionStorage.clear(); } catch (e) { /* disabled */ }
  // The one place that prints; the browser tests put a counter here (a headless Chromium has no
  // printer and cannot print a PDF frame).
  window.motcuaPrinter = { print: function (win) { win.focus(); win.print(); } };
  // Printing: the slip goes to the kiosk's own printer through a hidden frame of this page
  // (Chromium started with --kiosk-printing prints without a dialog, docs/kiosk.md). No new
  // tab is opened: the next citizen could have found the previous one's slip in it.
  document.querySelectorAll("[data-print-slip]").forEach(function (link) {
    link.addEventListener("click", function (e) {
      e.preventDefault();
      var old = document.querySelector(".k-print-frame");
      if (old) { old.remove(); }
      var frame = document.createElement("iframe");
      frame.className = "k-print-frame";
      frame.setAttribute("aria-hidden", "true");
      frame.tabIndex = -1;
      frame.title = "in";
      if (!link.hasAttribute("data-prints-itself")) {
        // Chromium's PDF viewer fires "load" more than once: one slip, one print.
        var printed = false;
        frame.addEventListener("load", function () {
          if (printed) { return; }
          printed = true;
          try { window.motcuaPrinter.print(frame.contentWindow); } catch (err) { /* the viewer prints */ }
        });
      }
      frame.src = link.href;
      document.body.appendChild(frame);
      var status = document.querySelector("[data-print-status]");
      if (status) { status.hidden = false; }
    });
  });
  // The file chooser is hidden behind its label: the label says which file was taken.
  document.querySelectorAll(".ef-upload input[type=file]").forEach(function (input) {
    input.addEventListener("change", function () {
      var label = document.querySelector("label[for='" + input.id + "']");
      var text = document.getElementById("k-text");
      var chosen = (text && text.dataset.chosen) || "%(name)s";
      if (label && input.files.length) { label.textContent = chosen.replace("%(name)s", input.files[0].name); }
    });
  });
  // Forms: one tap submits once (double taps on touch screens).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
})();
