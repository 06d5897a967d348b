/* The calling display: live calls over server-sent events, a chime and the spoken call.
   No inline code (Content-Security-Policy); everything it needs is in the body's data-*. */
(function () {
  "use strict";

  var body = document.body;
  var eventsUrl = body.dataset.eventsUrl;
  var stateUrl = body.dataset.stateUrl;
  var audioUrl = body.dataset.audioUrl; // ends in "/0.wav": the event id replaces the 0
  var lastEvent = parseInt(body.dataset.lastEvent || "0", 10) || 0;
  var labels = document.querySelector("template[data-labels]").dataset;
  var FLASH_MS = 8000;
  var STATE_EVERY_MS = 60000;
  var seen = new Set();
  var seenOrder = [];
  var source = null;
  var flashTimer = null;

  function $(selector, root) { return (root || document).querySelector(selector); }

  function remember(id) {
    if (seen.has(id)) { return false; }
    seen.add(id);
    seenOrder.push(id);
    if (seenOrder.length > 2000) { seen.delete(seenOrder.shift()); }
    return true;
  }

  // --- the clock -------------------------------------------------------------------------
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var now = new Date();
    $("[data-clock]").textContent = two(now.getHours()) + ":" + two(now.getMinutes());
    $("[data-date]").textContent = two(now.getDate()) + "/" + two(now.getMonth() + 1) + "/" + now.getFullYear();
  }
  setInterval(tick, 1000);

  // --- rendering -------------------------------------------------------------------------
  function counterCard(number) { return $('[data-counter="' + number + '"]'); }

  function setCounter(number, ticket, status) {
    var card = counterCard(number);
    if (!card) { return; }
    $("[data-counter-number]", card).textContent = ticket ? String(ticket) : "—";
    if (status) {
      card.className = card.className.replace(/tv-counter-\w+/g, "").trim() + " tv-counter-" + status;
      $("[data-counter-status]", card).textContent = labels[status] || "";
    }
  }

  function setWaiting(areas) {
    if (!areas) { return; }
    areas.forEach(function (line) {
      var item = $('[data-area="' + line.area + '"] [data-area-waiting]');
      if (item) { item.textContent = String(line.waiting); }
    });
  }

  function addRecent(call) {
    var list = $("[data-recent]");
    var item = $("template[data-recent-item]").content.firstElementChild.cloneNode(true);
    item.dataset.call = String(call.id);
    $(".tv-recent-number", item).textContent = String(call.number);
    $("b", item).textContent = String(call.counter);
    list.insertBefore(item, list.firstChild);
    while (list.children.length > 8) { list.removeChild(list.lastChild); }
  }

  function showNow(call, flash) {
    $("[data-now-number]").textContent = String(call.number);
    $("[data-now-counter]").textContent = String(call.counter);
    if (!flash) { return; }
    var now = $(".tv-now");
    var card = counterCard(call.counter);
    now.classList.remove("tv-flash");
    if (card) { card.classList.remove("tv-flash"); }
    void now.offsetWidth; // restart the animation for a second call in a row
    now.classList.add("tv-flash");
    if (card) { card.classList.add("tv-flash"); }
    clearTimeout(flashTimer);
    flashTimer = setTimeout(function () {
      now.classList.remove("tv-flash");
      document.querySelectorAll(".tv-counter.tv-flash").forEach(function (el) { el.classList.remove("tv-flash"); });
    }, FLASH_MS);
  }

  function onTicket(message) {
    if (!remember(message.id)) { return; }
    lastEvent = Math.max(lastEvent, message.id);
    setWaiting(message.waiting);
    if (message.kind === "call" || message.kind === "recall") {
      setCounter(message.counter, message.number, "called");
      addRecent(message);
      showNow(message, !message.late);
      if (!message.late) { announce(message); }
    } else if (message.counter) {
      var card = counterCard(message.counter);
      var shown = card ? $("[data-counter-number]", card).textContent : "";
      if (message.status === "serving") {
        setCounter(message.counter, message.number, "serving");
      } else if (shown === String(message.number)) {
        // Ended, skipped or transferred: the counter is free for its next number.
        setCounter(message.counter, null, "open");
      }
    }
  }

  function renderState(state) {
    state.counters.forEach(function (line) { setCounter(line.counter, line.number, line.status); });
    setWaiting(state.waiting);
    var list = $("[data-recent]");
    list.textContent = "";
    state.calls.slice().reverse().forEach(function (call) { remember(call.id); addRecent(call); });
    if (state.calls.length) { showNow(state.calls[0], false); }
    var box = $("[data-notice-box]");
    $("[data-notice]").textContent = state.notice || "";
    box.hidden = !state.notice;
    fitNotice();
  }

  function refreshState() {
    return fetch(stateUrl, { cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        renderState(state);
        // The stream has fallen behind the rows (a half-open connection nobody noticed):
        // open it again from the last event shown, the server replays what is missing.
        if (state.last_event > lastEvent && source && source.readyState === EventSource.OPEN) {
          connect();
        }
      })
      .catch(function () { /* offline: the stream's own reconnection shows it */ });
  }

  // --- the live stream -------------------------------------------------------------------
  function connect() {
    if (source) { source.close(); }
    var wasDown = false;
    source = new EventSource(eventsUrl + "?sau=" + lastEvent);
    source.addEventListener("ticket", function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      onTicket(message);
    });
    source.addEventListener("open", function () {
      $("[data-offline]").hidden = true;
      if (wasDown) { refreshState(); }
      wasDown = false;
    });
    source.addEventListener("error", function () {
      $("[data-offline]").hidden = false;
      wasDown = true;
      // The browser retries by itself unless the server refused (not 200): try again later.
      if (source.readyState === EventSource.CLOSED) { setTimeout(connect, 10000); }
    });
  }

  // --- the loudspeaker -------------------------------------------------------------------
  var AudioContextClass = window.AudioContext || window.webkitAudioContext;
  var context = AudioContextClass ? new AudioContextClass() : null;
  var waiting = [];
  var speaking = false;

  function chime() {
    return new Promise(function (resolve) {
      if (!context || context.state !== "running") { resolve(); return; }
      var start = context.currentTime + 0.05;
      [[880, 0], [659.25, 0.45]].forEach(function (tone) {
        var oscillator = context.createOscillator();
        var gain = context.createGain();
        oscillator.type = "sine";
        oscillator.frequency.value = tone[0];
        gain.gain.setValueAtTime(0.0001, start + tone[1]);
        gain.gain.exponentialRampToValueAtTime(0.6, start + tone[1] + 0.03);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + tone[1] + 0.9);
        oscillator.connect(gain).connect(context.destination);
        oscillator.start(start + tone[1]);
        oscillator.stop(start + tone[1] + 0.95);
      });
      setTimeout(resolve, 1500);
    });
  }

  function speak(message) {
    return new Promise(function (resolve) {
      var audio = new Audio(audioUrl.replace(/0\.wav$/, message.id + ".wav"));
      var done = function () { resolve(); };
      audio.addEventListener("ended", done);
      audio.addEventListener("error", done);
      setTimeout(done, 15000); // never let one stuck file hold the queue
      var playing = audio.play();
      if (playing && playing.catch) { playing.catch(done); }
    });
  }

  // Announcements wait for each other: two counters calling at once are heard one by one.
  function next() {
    if (speaking || !waiting.length) { return; }
    speaking = true;
    var message = waiting.shift();
    chime().then(function () { return speak(message); }).then(function () {
      speaking = false;
      setTimeout(next, 400);
    });
  }

  function announce(message) {
    waiting.push(message);
    next();
  }

  function unlock() {
    $("[data-unlock]").hidden = true;
    if (context && context.state !== "running") { context.resume(); }
  }
  $("[data-unlock]").addEventListener("click", unlock);
  // A kiosk browser started with --autoplay-policy=no-user-gesture-required needs no touch.
  if (context && context.state === "running") { $("[data-unlock]").hidden = true; }

  // --- the scrolling notice --------------------------------------------------------------
  function fitNotice() {
    var text = $("[data-notice]");
    // About 12 seconds per screen width of text, whatever its length (CSSOM, allowed by CSP).
    var screens = (text.scrollWidth || window.innerWidth) / window.innerWidth;
    text.style.animationDuration = Math.max(12, Math.round(12 * screens)) + "s";
  }

  fitNotice();
  tick();
  document.querySelectorAll("[data-call]").forEach(function (item) { remember(parseInt(item.dataset.call, 10)); });
  connect();
  setInterval(refreshState, STATE_EVERY_MS);
})();
