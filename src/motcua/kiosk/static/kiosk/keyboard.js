// The kiosk's on-screen Vietnamese keyboard (a kiosk has only its touch screen).
//
// Touching a text field opens the letter keyboard: big keys, the vowels ă â ê ô ơ ư and đ as
// keys of their own, and five tone keys (sắc, huyền, hỏi, ngã, nặng) that put the tone on the
// right vowel of the word being typed; the text is always NFC. Name fields write capitals at the
// start of each word and suggest common Vietnamese names. Fields that want digits (ID number,
// phone) open a number pad; date fields a digit pad that writes dd/mm/yyyy by itself. Pick lists
// open as big buttons. No inline code, no eval (the kiosk's CSP, docs/security.md).
(function () {
  "use strict";

  // The words on the keys come from the page (kiosk/base.html, translated there).
  var TEXT = (document.getElementById("k-text") || { dataset: {} }).dataset;
  function say(key, fallback, name) {
    return (TEXT[key] || fallback).replace("%(name)s", name || "");
  }
  var TONE_NAMES = say("tones", "sắc huyền hỏi ngã nặng").split(" ");
  var TONES = { sac: "\u0301", huyen: "\u0300", hoi: "\u0309", nga: "\u0303", nang: "\u0323" };
  var TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;
  var VOWELS = "aeiouy";
  var MODIFIED = "ăâêôơư";
  // Common family names, middle names and given names, most frequent first.
  var NAMES = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đinh Trịnh " +
    "Lương Lâm Cao Tạ Trương Hà Tô Thái Đoàn Kiều Châu Quách Lại Lưu Tăng La Triệu Mạc Chu " +
    "Giang Từ Khổng Lục Vương Hứa Phùng Đàm Tôn Nông Lò Văn Thị Minh Hữu Đức Công Quang Ngọc " +
    "Thanh Thu Kim Bảo Gia Xuân Hồng Hoài Phương Như Quốc Anh Thành Trọng Tuấn Mạnh Đình " +
    "Khánh Diệu Mỹ An Bình Chi Cường Dũng Dung Duy Đạt Hải Hạnh Hằng Hiếu Hiền Hoa Hòa Hùng " +
    "Huy Hương Hường Khang Khoa Khôi Lan Linh Long Loan Mai My Nam Nga Ngân Nghĩa Nhung Nhi " +
    "Phong Phúc Quân Quyên Sơn Tâm Tân Thảo Thắng Thủy Tiến Toàn Trang Trâm Trung Tú Tùng " +
    "Uyên Vân Việt Vinh Yến Sang Tài Hậu Lộc Phát Hiệp Hưng Kiên Lâm Nhân Quý Tuyết Vy"
  ).split(" ");

  // --- Vietnamese tone placement ---------------------------------------------------------

  function base(ch) {
    // "ấ" -> "a", "ư" -> "u", "Đ" -> "d": the letter without any mark, lower case.
    return ch.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace("đ", "d");
  }
  function isVowel(ch) { return VOWELS.indexOf(base(ch)) >= 0; }
  function stripTone(ch) { return ch.normalize("NFD").replace(TONE_MARKS, "").normalize("NFC"); }

  // Where the tone of a syllable goes (the traditional rule used on identity cards: Hòa, Thủy):
  // on ơ of ươ, else on a vowel carrying a hat, breve or horn; with three vowels on the middle
  // one; with two on the second if a consonant ends the syllable, else on the first. The u of
  // "qu" and the i of "gi" before another vowel belong to the consonant.
  function tonePosition(word) {
    var chars = Array.from(word);
    var start = -1, end = -1;
    for (var i = chars.length - 1; i >= 0; i--) {
      if (isVowel(chars[i])) { if (end < 0) { end = i; } start = i; }
      else if (end >= 0) { break; }
    }
    if (end < 0) { return -1; }
    var lower = chars.map(function (c) { return stripTone(c).toLowerCase(); });
    if (start > 0 && end > start) {
      var before = lower[start - 1], first = base(lower[start]);
      if ((before === "q" && first === "u") || (before === "g" && first === "i")) { start += 1; }
    }
    var k;
    for (k = start; k < end; k++) { if (lower[k] === "ư" && lower[k + 1] === "ơ") { return k + 1; } }
    for (k = end; k >= start; k--) { if (MODIFIED.indexOf(lower[k]) >= 0) { return k; } }
    var length = end - start + 1;
    if (length === 1) { return start; }
    if (length >= 3) { return start + 1; }
    return end < chars.length - 1 ? end : start;
  }

  function applyTone(text, tone) {
    // The word being typed is the text after the last space.
    var cut = text.lastIndexOf(" ") + 1;
    var word = Array.from(text.slice(cut));
    var at = tonePosition(word.join(""));
    if (at < 0) { return text; }
    var had = word[at].normalize("NFD").match(TONE_MARKS);
    word = word.map(stripTone);
    // The same tone again takes it off, as on a phone keyboard.
    if (!(had && had[0] === TONES[tone])) {
      word[at] = (word[at] + TONES[tone]).normalize("NFC");
    }
    return (text.slice(0, cut) + word.join("")).normalize("NFC");
  }

  // --- the keyboard ----------------------------------------------------------------------

  var LETTER_ROWS = [
    "1 2 3 4 5 6 7 8 9 0",
    "q w e r t y u i o p",
    "a s d f g h j k l đ",
    "z x c v b n m @ . , -",
  ];
  var VIET_ROW = ["ă", "â", "ê", "ô", "ơ", "ư"];
  var TONE_KEYS = [
    ["sac", "á", TONE_NAMES[0]], ["huyen", "à", TONE_NAMES[1]], ["hoi", "ả", TONE_NAMES[2]],
    ["nga", "ã", TONE_NAMES[3]], ["nang", "ạ", TONE_NAMES[4]],
  ];
  var current = null, kind = "text", shifted = false, panel = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function key(label, action, cls, aria) {
    var button = el("button", "k-key" + (cls ? " " + cls : ""), label);
    button.type = "button";
    button.dataset.key = action;
    if (aria) { button.setAttribute("aria-label", aria); }
    return button;
  }

  function build() {
    panel = el("div", "k-kb");
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", say("keyboard", "Bàn phím"));
    var top = el("div", "k-kb-top");
    var info = el("div", "k-kb-info");
    info.appendChild(el("span", "k-kb-label"));
    info.appendChild(el("output", "k-kb-value"));
    top.appendChild(info);
    top.appendChild(key(say("close", "Xong ✓"), "close", "k-key-close", say("closeLabel", "Đóng bàn phím")));
    panel.appendChild(top);
    panel.appendChild(el("div", "k-kb-suggest"));
    var letters = el("div", "k-kb-letters");
    LETTER_ROWS.forEach(function (row) {
      var line = el("div", "k-kb-row");
      row.split(" ").forEach(function (ch) { line.appendChild(key(ch, "char:" + ch, "k-key-char")); });
      letters.appendChild(line);
    });
    var viet = el("div", "k-kb-row k-kb-viet");
    VIET_ROW.forEach(function (ch) { viet.appendChild(key(ch, "char:" + ch, "k-key-char k-key-vowel")); });
    TONE_KEYS.forEach(function (t) {
      var b = key("", "tone:" + t[0], "k-key-tone", say("tone", "Dấu %(name)s", t[2]));
      b.appendChild(el("span", "k-key-big", t[1]));
      b.appendChild(el("small", "", t[2]));
      viet.appendChild(b);
    });
    letters.appendChild(viet);
    var last = el("div", "k-kb-row");
    last.appendChild(key(say("shift", "⇧ Chữ hoa"), "shift", "k-key-wide k-key-shift"));
    last.appendChild(key(say("space", "Dấu cách"), "space", "k-key-space"));
    last.appendChild(key(say("backspace", "⌫ Xóa"), "back", "k-key-wide k-key-back", say("backspaceLabel", "Xóa lùi")));
    letters.appendChild(last);
    panel.appendChild(letters);
    var digits = el("div", "k-kb-digits");
    ["1 2 3", "4 5 6", "7 8 9"].forEach(function (row) {
      var line = el("div", "k-kb-row");
      row.split(" ").forEach(function (ch) { line.appendChild(key(ch, "char:" + ch, "k-key-char")); });
      digits.appendChild(line);
    });
    var bottom = el("div", "k-kb-row");
    bottom.appendChild(key(say("backspace", "⌫ Xóa"), "back", "k-key-back", say("backspaceLabel", "Xóa lùi")));
    bottom.appendChild(key("0", "char:0", "k-key-char"));
    bottom.appendChild(key("ABC @", "letters", "k-key-abc", say("lettersLabel", "Bàn phím chữ")));
    digits.appendChild(bottom);
    panel.appendChild(digits);
    panel.addEventListener("pointerdown", function (e) { e.preventDefault(); });
    panel.addEventListener("click", onKey);
    document.body.appendChild(panel);
  }

  function labelOf(input) {
    var label = input.id && document.querySelector("label[for='" + input.id + "']");
    var text = label ? label.textContent.replace("*", "").trim() : (input.getAttribute("aria-label") || "");
    var section = input.closest("fieldset.ef-section");
    var legend = section && section.querySelector("legend");
    return legend ? legend.textContent.trim() + " — " + text : text;
  }

  function kindOf(input) {
    var wanted = input.dataset.kb;
    if (wanted) { return wanted; }
    var mode = input.getAttribute("inputmode");
    return mode === "numeric" || mode === "tel" ? "digits" : "text";
  }

  function open(input) {
    if (!panel) { build(); }
    if (current && current !== input) { current.classList.remove("k-kb-target"); }
    current = input;
    kind = kindOf(input);
    shifted = false;
    input.classList.add("k-kb-target");
    var numeric = kind === "digits" || kind === "date" || kind === "contact";
    panel.classList.toggle("k-kb--digits", numeric);
    panel.dataset.kind = kind;
    panel.querySelector(".k-kb-label").textContent =
      labelOf(input) + (kind === "date" ? " " + say("dateHint", "(ngày / tháng / năm)") : "");
    panel.hidden = false;
    document.body.classList.add("k-kb-open");
    refresh();
    document.body.style.setProperty("--kb-height", panel.offsetHeight + "px");
    // Keep the field (and its label) in sight above the keyboard.
    var box = (input.closest(".ef-field, .k-field") || input).getBoundingClientRect();
    var visible = window.innerHeight - panel.offsetHeight;
    // In the lower half it is moved up too, so the next field shows without a swipe.
    if (box.top < 8 || box.bottom > visible * 0.5) {
      window.scrollBy(0, box.top - Math.max(16, visible * 0.1));
    }
  }

  function close() {
    if (!panel || panel.hidden) { return; }
    panel.hidden = true;
    document.body.classList.remove("k-kb-open");
    if (current) { current.classList.remove("k-kb-target"); }
    current = null;
  }

  function capitalNext() {
    if (shifted) { return true; }
    if (kind !== "name") { return false; }
    var value = current.value;
    return value === "" || value.slice(-1) === " ";
  }

  function formatDate(digits) {
    digits = digits.replace(/\D/g, "").slice(0, 8);
    if (digits.length > 4) { return digits.slice(0, 2) + "/" + digits.slice(2, 4) + "/" + digits.slice(4); }
    if (digits.length > 2) { return digits.slice(0, 2) + "/" + digits.slice(2); }
    return digits;
  }

  function setValue(value) {
    var max = parseInt(current.getAttribute("maxlength") || "0", 10);
    value = value.normalize("NFC");
    if (max > 0 && value.length > max) { return; }
    current.value = value;
    current.dispatchEvent(new Event("input", { bubbles: true }));
    refresh();
  }

  function onKey(e) {
    // The keyboard's own taps never reach the page (a suggestion is rebuilt as it is used).
    e.stopPropagation();
    var button = e.target.closest("[data-key]");
    if (!button || !current) { return; }
    var action = button.dataset.key;
    var value = current.value;
    if (action === "close") { close(); return; }
    if (action === "shift") { shifted = !shifted; refresh(); return; }
    if (action === "letters") { panel.classList.remove("k-kb--digits"); refresh(); return; }
    if (action === "back") {
      var chars = Array.from(value);
      chars.pop();
      value = chars.join("");
      if (kind === "date") { value = formatDate(value); }
      setValue(value);
      return;
    }
    if (action === "space") { if (value && value.slice(-1) !== " ") { setValue(value + " "); } return; }
    if (action.indexOf("tone:") === 0) { setValue(applyTone(value, action.slice(5))); return; }
    if (action.indexOf("word:") === 0) {
      var cut = value.lastIndexOf(" ") + 1;
      setValue(value.slice(0, cut) + action.slice(5) + " ");
      return;
    }
    if (action.indexOf("char:") === 0) {
      var ch = action.slice(5);
      if (capitalNext()) { ch = ch.toUpperCase(); }
      shifted = false;
      if (kind === "date") { setValue(formatDate(value + ch)); return; }
      if ((kind === "digits") && !/\d/.test(ch)) { return; }
      setValue(value + ch);
    }
  }

  function suggestions() {
    if (kind !== "name") { return []; }
    var value = current.value;
    var word = value.slice(value.lastIndexOf(" ") + 1);
    if (!word) { return []; }
    var prefix = Array.from(word).map(base).join("");
    var seen = {}, found = [];
    // Names already on the page first: a child often carries a parent's family name.
    var onPage = [];
    document.querySelectorAll("input[data-kb=name], input.ef-locked[name$=full_name]").forEach(function (input) {
      if (input !== current) { onPage = onPage.concat(input.value.split(" ")); }
    });
    onPage.concat(NAMES).forEach(function (name) {
      if (!name || seen[name] || name === word || found.length >= 6) { return; }
      if (Array.from(name).map(base).join("").indexOf(prefix) === 0) { seen[name] = true; found.push(name); }
    });
    return found;
  }

  function refresh() {
    if (!current) { return; }
    panel.querySelector(".k-kb-value").textContent =
      current.value || (kind === "date" ? "__/__/____" : "");
    var upper = capitalNext();
    panel.querySelectorAll(".k-key-char").forEach(function (button) {
      var ch = button.dataset.key.slice(5);
      button.textContent = upper ? ch.toUpperCase() : ch;
    });
    panel.querySelector(".k-key-shift").classList.toggle("k-key-on", shifted);
    var bar = panel.querySelector(".k-kb-suggest");
    bar.textContent = "";
    suggestions().forEach(function (name) { bar.appendChild(key(name, "word:" + name, "k-key-word")); });
    bar.hidden = kind !== "name";
  }

  // --- pick lists as big buttons ---------------------------------------------------------

  var picker = null;
  function openPicker(select) {
    close();
    if (picker) { picker.remove(); }
    picker = el("div", "k-picker");
    picker.setAttribute("role", "dialog");
    picker.setAttribute("aria-label", labelOf(select));
    var box = el("div", "k-picker-box");
    box.appendChild(el("p", "k-picker-title", labelOf(select)));
    var grid = el("div", "k-picker-grid");
    Array.from(select.options).forEach(function (option) {
      if (!option.value) { return; }
      var b = el("button", "k-btn k-btn-secondary k-picker-option" + (option.selected ? " k-key-on" : ""), option.text);
      b.type = "button";
      b.addEventListener("click", function () {
        select.value = option.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        picker.remove(); picker = null;
      });
      grid.appendChild(b);
    });
    box.appendChild(grid);
    var cancel = el("button", "k-btn k-btn-secondary k-picker-cancel", say("dismiss", "Đóng"));
    cancel.type = "button";
    cancel.addEventListener("click", function () { picker.remove(); picker = null; });
    box.appendChild(cancel);
    picker.appendChild(box);
    document.body.appendChild(picker);
  }

  // --- the same person as the card: "Người đi đăng ký là: Mẹ" --------------------------

  function followCard(changed) {
    document.querySelectorAll("[data-card-when='" + changed.name + "']").forEach(function (input) {
      var chosen = document.querySelector("input[name='" + changed.name + "']:checked");
      if (chosen && chosen.value === input.dataset.cardEquals) {
        input.value = input.dataset.cardValue;
        input.readOnly = true;
        input.classList.add("ef-locked");
        input.dataset.cardFilled = "1";
      } else if (input.dataset.cardFilled) {
        if (input.value === input.dataset.cardValue) { input.value = ""; }
        input.readOnly = false;
        input.classList.remove("ef-locked");
        delete input.dataset.cardFilled;
      }
    });
  }

  // --- wiring ----------------------------------------------------------------------------

  var FIELDS = "input[type=text], input[type=search], input[type=tel], input[type=email], input:not([type]), textarea";
  document.querySelectorAll(FIELDS).forEach(function (input) {
    // Our keyboard replaces the system's on-screen one; a scanner still types as before.
    input.setAttribute("inputmode", "none");
  });
  document.addEventListener("click", function (e) {
    var input = e.target.closest(FIELDS);
    if (input && !input.readOnly && !input.disabled) { open(input); return; }
    if (panel && !panel.hidden && e.target.isConnected && !e.target.closest(".k-kb")) { close(); }
  });
  // A pick list shows as a field-like button; the real <select> stays in the form, out of
  // sight (the browser's own drop-down has rows far below 48 px on a touch screen).
  document.querySelectorAll("select").forEach(function (select) {
    if (select.disabled) { return; }
    var button = el("button", "k-select");
    button.type = "button";
    button.id = select.id + "-button";
    function show() {
      var option = select.options[select.selectedIndex];
      button.textContent = option ? option.text : "";
    }
    show();
    ["aria-describedby", "aria-invalid", "aria-required"].forEach(function (name) {
      if (select.hasAttribute(name)) { button.setAttribute(name, select.getAttribute(name)); }
    });
    var label = select.id && document.querySelector("label[for='" + select.id + "']");
    if (label) {
      label.id = label.id || select.id + "-label";
      button.setAttribute("aria-labelledby", label.id + " " + button.id);
      label.setAttribute("for", button.id);
    }
    select.classList.add("k-visually-hidden");
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    select.addEventListener("change", show);
    button.addEventListener("click", function () { openPicker(select); });
    select.parentNode.insertBefore(button, select.nextSibling);
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches("input[type=radio]")) { followCard(e.target); }
  });
  document.querySelectorAll("input[type=radio]:checked").forEach(followCard);

  // Errors: the page opens at the first field to correct.
  var firstError = document.querySelector("[data-field-error]");
  if (firstError) {
    var holder = firstError.closest(".ef-field, .k-field, .ef-document") || firstError.parentNode;
    var details = holder.closest("details");
    if (details) { details.open = true; }
    var target = holder.querySelector("input:not([type=hidden]):not([readonly]), select, textarea");
    if (target) {
      target.focus({ preventScroll: true });
      holder.scrollIntoView({ block: "center" });
    }
  }

  window.motcuaKeyboard = { applyTone: applyTone, tonePosition: tonePosition };
})();
