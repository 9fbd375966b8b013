/* The simulator's telephone (issues 15, 16): dial an entry number over /ws/telephony/phone/, show each
   prompt as text and, when the exchange has speech (`audio` on prompt and collect frames), play it
   — one at a time, in order; a key pressed drops what was still to be said, a new question
   replaces an earlier one not yet heard out; a mute toggle — send the pressed digits (keypad or
   keyboard), leave a voicemail as text. */
(function () {
  "use strict";
  var root = document.getElementById("softphone");
  if (!root || !window.WebSocket) { return; }
  var d = root.dataset, socket = null, call = "", retry = 0, secret = false;
  var status = root.querySelector(".softphone-status"), log = root.querySelector(".softphone-log");
  var hangupButton = root.querySelector(".softphone-hangup"), callButton = root.querySelector(".softphone-call");
  var keys = root.querySelectorAll("[data-key]"), messageForm = root.querySelector(".softphone-message");
  var player = root.querySelector(".softphone-audio"), muteButton = root.querySelector(".softphone-mute");
  var sounds = [], playing = null, muted = false;
  try { muted = window.localStorage.getItem("okienko.softphone.muted") === "1"; } catch (err) { muted = false; }

  // -- the prompts' sound: a queue played in order through one <audio> ---------------------------
  function next() {
    playing = null;
    if (muted || !sounds.length) { return; }
    var sound = playing = sounds.shift();
    player.src = sound.url;
    var started = player.play();
    // refused (autoplay) or broken: the text is there; go on unless another sound took over
    if (started && started.catch) { started.catch(function () { if (playing === sound) { next(); } }); }
  }
  function hear(url, question) {
    if (!url || muted || !player) { return; }
    if (question) {  // a new question interrupts an earlier question, not the prompts before it
      sounds = sounds.filter(function (s) { return !s.question; });
      if (playing && playing.question) { player.pause(); playing = null; }
    }
    sounds.push({ url: url, question: question });
    if (!playing) { next(); }
  }
  function silence() {
    sounds = []; playing = null;
    if (player) { player.pause(); }
  }
  function setMuted(value) {
    muted = value;
    muteButton.setAttribute("aria-pressed", muted ? "true" : "false");
    try { window.localStorage.setItem("okienko.softphone.muted", muted ? "1" : "0"); } catch (err) { /* private mode */ }
    if (muted) { silence(); }
  }
  if (player) {
    player.addEventListener("ended", function () { if (playing) { next(); } });
    player.addEventListener("error", function () { if (playing) { next(); } });
    muteButton.addEventListener("click", function () { setMuted(!muted); });
    setMuted(muted);
  }

  function say(text, kind) {
    var li = document.createElement("li");
    li.textContent = text; li.className = kind || "prompt";
    log.appendChild(li);
  }
  function inCall(active) {
    hangupButton.disabled = !active; callButton.disabled = active;
    keys.forEach(function (k) { k.disabled = !active; });
    if (!active) { call = ""; messageForm.hidden = true; silence(); }
  }
  function send(message) { if (socket && socket.readyState === 1) { socket.send(JSON.stringify(message)); } }
  function press(key) {
    if (!call) { return; }
    send({ type: "press", call: call, digits: key });
    silence();  // the caller answered: what was still to be said is dropped
    say(secret && key !== "#" ? "•" : key, "pressed");
  }
  function open(then) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var caller = document.getElementById("softphone-caller").value.trim();
    socket = new WebSocket(scheme + location.host + d.socket + (caller ? "?caller=" + encodeURIComponent(caller) : ""));
    socket.onopen = function () { retry = 0; if (then) { then(); } };
    socket.onmessage = function (e) {
      var m; try { m = JSON.parse(e.data); } catch (err) { return; }
      if (m.type === "error" && m.code === "engine-down") { status.textContent = d.down; return; }
      if (m.type === "error") { status.textContent = m.detail || m.code; return; }
      if (m.type === "dialled") { call = m.call; inCall(true); status.textContent = d.dialled + " " + m.number; }
      else if (m.type === "prompt" || m.type === "position") { if (m.text) { say(m.text); } hear(m.audio, false); }
      else if (m.type === "collect") { secret = !!m.secret; say(m.text); hear(m.audio, true); }
      else if (m.type === "queued") { status.textContent = d.queued + ": " + m.queue; }
      else if (m.type === "ringing") { status.textContent = d.ringing; }
      else if (m.type === "connected") { status.textContent = d.connected + (m.agent ? " (" + m.agent + ")" : ""); }
      else if (m.type === "voicemail") { say(m.text); messageForm.hidden = false; messageForm.querySelector("textarea").focus(); }
      else if (m.type === "transfer") { say(d.transfer + " " + m.number); }
      else if (m.type === "ended") { status.textContent = d.ended; inCall(false); }
    };
    socket.onclose = function (e) {
      if (e.code === 4503) { status.textContent = d.down; inCall(false); return; }
      if (call) { status.textContent = d.lost; inCall(false); }
      socket = null;
    };
  }
  root.querySelector(".softphone-dial").addEventListener("submit", function (e) {
    e.preventDefault();
    var number = document.getElementById("softphone-number").value.trim();
    if (!number) { return; }
    log.textContent = "";
    var dial = function () { send({ type: "dial", number: number }); };
    if (socket && socket.readyState === 1) { dial(); } else { open(dial); }
  });
  hangupButton.addEventListener("click", function () { send({ type: "hangup", call: call }); status.textContent = d.ended; inCall(false); });
  keys.forEach(function (k) { k.addEventListener("click", function () { press(k.dataset.key); }); });
  document.addEventListener("keydown", function (e) {
    if (!call || e.target.closest("input, textarea, select")) { return; }
    if (/^[0-9*#]$/.test(e.key)) { e.preventDefault(); press(e.key); }
  });
  messageForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = messageForm.querySelector("textarea").value.trim();
    if (text) { send({ type: "message", call: call, text: text }); messageForm.hidden = true; }
  });
}());
