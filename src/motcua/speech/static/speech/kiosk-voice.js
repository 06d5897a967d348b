// Voice at the kiosk: record in the browser (MediaRecorder, nothing sent anywhere but this
// server), show the words heard for the citizen to confirm or correct, then search with them.
// "Nghe" buttons play a prompt the server made. Every failure leaves typing and touch working.
(function () {
  "use strict";
  var MAX_MS = 15000; // the server refuses more than 20 s
  var csrf = document.body.dataset.csrf || "";

  // --- Nghe: play a server-made prompt, one at a time -----------------------------------
  var playing = null;
  document.querySelectorAll("[data-listen]").forEach(function (button) {
    if (typeof Audio === "undefined") { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (playing) { playing.pause(); }
      playing = new Audio(button.dataset.listen);
      playing.play().catch(function () { button.hidden = true; });
    });
  });

  // --- Nói: record, transcribe, confirm --------------------------------------------------
  var mic = document.querySelector("[data-voice-mic]");
  var form = document.querySelector("[data-voice-form]");
  var panel = document.querySelector("[data-voice-panel]");
  if (!mic || !form || !panel) { return; }
  var input = form.querySelector("input[name=q]");
  var status = panel.querySelector("[data-voice-status]");
  var confirmBox = panel.querySelector("[data-voice-confirm]");
  var labelStart = mic.lastChild.textContent;
  var recorder = null, chunks = [], stopTimer = null;

  function say(text, showConfirm) {
    panel.hidden = false;
    status.textContent = text;
    confirmBox.hidden = !showConfirm;
  }

  function setLabel(text) { mic.lastChild.textContent = " " + text; }

  function pickType() {
    var types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];
    for (var i = 0; i < types.length; i++) {
      if (MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(types[i])) { return types[i]; }
    }
    return "";
  }

  if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder && window.fetch)) {
    return; // the button stays disabled: this browser cannot record
  }
  mic.disabled = false;

  function send(blob) {
    mic.disabled = true;
    say("Đang nghe lại lời bạn nói…", false);
    fetch(mic.dataset.url, {
      method: "POST",
      body: blob,
      credentials: "same-origin",
      headers: { "Content-Type": blob.type || "audio/webm", "X-CSRFToken": csrf }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok && data.text) {
          input.value = data.text;
          say("Máy nghe được: “" + data.text + "”. Đúng chưa? Nếu chưa đúng, bạn sửa chữ trong ô tìm kiếm.", true);
        } else {
          say(data.error || "Không nhận ra được lời nói. Xin gõ hoặc chạm để chọn thủ tục.", false);
        }
      });
    }).catch(function () {
      say("Không gửi được đoạn ghi âm. Xin gõ hoặc chạm để chọn thủ tục.", false);
    }).then(function () { mic.disabled = false; });
  }

  function stop() {
    clearTimeout(stopTimer);
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
  }

  function start() {
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var type = pickType();
      recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
      chunks = [];
      recorder.addEventListener("dataavailable", function (event) {
        if (event.data && event.data.size) { chunks.push(event.data); }
      });
      recorder.addEventListener("stop", function () {
        stream.getTracks().forEach(function (track) { track.stop(); });
        mic.classList.remove("is-recording");
        mic.setAttribute("aria-pressed", "false");
        setLabel(labelStart.trim());
        var blob = new Blob(chunks, { type: (recorder.mimeType || type || "audio/webm").split(";")[0] });
        recorder = null;
        send(blob);
      });
      recorder.start();
      mic.classList.add("is-recording");
      mic.setAttribute("aria-pressed", "true");
      setLabel(mic.dataset.labelStop || "Dừng");
      say("Mời bạn nói… Bấm Dừng khi nói xong.", false);
      stopTimer = setTimeout(stop, MAX_MS);
    }).catch(function () {
      say("Không mở được micrô. Xin gõ hoặc chạm để chọn thủ tục.", false);
    });
  }

  mic.addEventListener("click", function () {
    if (recorder) { stop(); } else { start(); }
  });
  panel.querySelector("[data-voice-accept]").addEventListener("click", function () {
    if (input.value.trim()) { form.submit(); }
  });
  panel.querySelector("[data-voice-edit]").addEventListener("click", function () {
    input.focus();
    input.select();
  });
})();
