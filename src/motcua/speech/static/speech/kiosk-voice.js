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
  var input = form.querySelector("[data-voice-input]") || form.querySelector("input[name=q]");
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

  // The browser decodes its own recording and resamples it to 16 kHz mono WAV, what the
  // recognizer reads: the server then needs no ffmpeg, and the upload is small (32 KB/s).
  // Any failure sends the original recording, which the server converts with ffmpeg.
  function encodeWav(samples, rate) {
    var view = new DataView(new ArrayBuffer(44 + samples.length * 2));
    function text(offset, value) {
      for (var i = 0; i < value.length; i++) { view.setUint8(offset + i, value.charCodeAt(i)); }
    }
    text(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVE");
    text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true);
    view.setUint16(22, 1, true); view.setUint32(24, rate, true); view.setUint32(28, rate * 2, true);
    view.setUint16(32, 2, true); view.setUint16(34, 16, true);
    text(36, "data"); view.setUint32(40, samples.length * 2, true);
    for (var i = 0; i < samples.length; i++) {
      var s = Math.max(-1, Math.min(1, samples[i]));
      view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
    }
    return new Blob([view], { type: "audio/wav" });
  }

  function toWav(blob) {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context || !window.OfflineAudioContext || !blob.arrayBuffer) { return Promise.resolve(blob); }
    var context = new Context();
    return blob.arrayBuffer().then(function (buffer) {
      return new Promise(function (resolve, reject) { context.decodeAudioData(buffer, resolve, reject); });
    }).then(function (decoded) {
      var offline = new OfflineAudioContext(1, Math.max(1, Math.ceil(decoded.duration * 16000)), 16000);
      var source = offline.createBufferSource();
      source.buffer = decoded;
      source.connect(offline.destination);
      source.start();
      return offline.startRendering();
    }).then(function (rendered) {
      return encodeWav(rendered.getChannelData(0), 16000);
    }).catch(function () { return blob; }).then(function (result) {
      if (context.close) { context.close(); }
      return result;
    });
  }

  function send(recorded) {
    mic.disabled = true;
    say("Đang nghe lại lời bạn nói…", false);
    toWav(recorded).then(upload);
  }

  function upload(blob) {
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
