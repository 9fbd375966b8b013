/* The consultant's browser phone (issue 16, part 8; optional): JsSIP registers to Asterisk's PJSIP
   over WSS with the consultant's own account (fetched from the desk, never in the page), answers
   the calls the engine sends to it (at once with a cue, or with a button), mute and hang up.
   When registered it tells the console (agent.js) which phone to name at login, so the engine
   rings this browser. Microphone problems are explained in words. */
(function () {
  "use strict";
  var root = document.getElementById("browser-phone");
  if (!root || !window.JsSIP) { return; }
  var d = root.dataset, states = JSON.parse(d.states);
  var stateLine = root.querySelector(".bphone-state"), errorLine = root.querySelector(".bphone-error");
  var registerButton = root.querySelector("[data-bphone=register]"), unregisterButton = root.querySelector("[data-bphone=unregister]");
  var callBox = root.querySelector(".bphone-call"), incoming = root.querySelector(".bphone-incoming");
  var answerButton = root.querySelector("[data-bphone=answer]"), muteButton = root.querySelector("[data-bphone=mute]");
  var hangupButton = root.querySelector("[data-bphone=hangup]"), audio = root.querySelector(".bphone-audio");
  var ua = null, session = null, config = null, registered = false, cueTimer = null, audioContext = null;

  function show(state) { root.dataset.state = state; stateLine.textContent = states[state] || state; }
  function fail(text) { errorLine.textContent = text; }
  function deskPhone() { return (config && config.desk_phone) || ""; }  /* named back when the browser is gone */
  function announce(phone) { document.dispatchEvent(new CustomEvent("okienko:browser-phone", { detail: { phone: phone } })); }

  function beep() {  /* the audible cue: two short tones (Web Audio, nothing fetched) */
    try {
      audioContext = audioContext || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.25].forEach(function (offset) {
        var osc = audioContext.createOscillator(), gain = audioContext.createGain(), at = audioContext.currentTime + offset;
        osc.frequency.value = 880; gain.gain.value = 0.15; osc.connect(gain); gain.connect(audioContext.destination);
        osc.start(at); osc.stop(at + 0.15);
      });
    } catch (err) { /* no sound: the visible cue stays */ }
  }
  function stopCue() { if (cueTimer) { clearInterval(cueTimer); cueTimer = null; } root.classList.remove("bphone-ringing"); }

  function micError(err) {
    var name = err && err.name;
    if (name === "NotAllowedError" || name === "PermissionDeniedError") { return d.micDenied; }
    if (name === "NotFoundError" || name === "DevicesNotFoundError" || name === "OverconstrainedError") { return d.micMissing; }
    if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError") { return d.micBusy; }
    return d.micInsecure;
  }
  function checkMicrophone() {
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.reject({ name: "SecurityError" });
    }
    return navigator.mediaDevices.getUserMedia({ audio: true, video: false }).then(function (stream) {
      stream.getTracks().forEach(function (t) { t.stop(); });
    });
  }
  function loadConfig() {
    if (config) { return Promise.resolve(config); }
    return fetch(d.config, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("config " + r.status); } return r.json(); })
      .then(function (c) { config = c; return c; });
  }

  function endCall() {
    session = null; stopCue(); callBox.hidden = true; answerButton.hidden = true;
    muteButton.setAttribute("aria-pressed", "false"); muteButton.textContent = d.mute;
    audio.srcObject = null; show(registered ? "registered" : "off");
  }
  function answer() {
    if (!session) { return; }
    stopCue(); answerButton.hidden = true;
    session.answer({ mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: config.ice_servers || [] } });
    hangupButton.focus();
  }
  function incomingCall(s) {
    if (session) { s.terminate({ status_code: 486 }); return; }  /* one call at a time: busy */
    session = s; callBox.hidden = false; show("ringing"); root.classList.add("bphone-ringing");
    var from = s.remote_identity && (s.remote_identity.display_name || s.remote_identity.uri.user);
    incoming.textContent = d.incoming + (from ? ": " + from : "") + (config.auto_answer ? " — " + d.auto : "");
    beep();
    s.on("peerconnection", function (e) {
      e.peerconnection.addEventListener("track", function (t) { if (t.streams && t.streams[0]) { audio.srcObject = t.streams[0]; } });
    });
    s.on("icecandidate", function (e) { setTimeout(e.ready, 1000); });  /* do not wait for every candidate */
    s.on("accepted", function () { stopCue(); show("on_call"); });
    s.on("confirmed", function () { show("on_call"); });
    s.on("ended", endCall);
    s.on("failed", function (e) {
      if (e.cause === JsSIP.C.causes.USER_DENIED_MEDIA_ACCESS) { fail(d.micDenied); }
      else if (e.originator === "local" && e.cause !== JsSIP.C.causes.CANCELED && e.cause !== JsSIP.C.causes.BUSY) { fail(d.callFailed); }
      endCall();
    });
    if (config.auto_answer) { answer(); }
    else { answerButton.hidden = false; cueTimer = setInterval(beep, 2000); answerButton.focus(); }
  }

  function start() {
    fail(""); registerButton.disabled = true; show("connecting");
    checkMicrophone().then(loadConfig, function (err) { throw { mic: err }; }).then(function (c) {
      var socket = new JsSIP.WebSocketInterface(c.wss_url);
      ua = new JsSIP.UA({
        sockets: [socket], uri: c.uri, authorization_user: c.username, password: c.password,
        register: true, register_expires: 300, session_timers: false, user_agent: "Okienko desk (JsSIP)"
      });
      ua.on("registered", function () { registered = true; fail(""); show("registered"); announce(c.phone); });
      ua.on("unregistered", function () { registered = false; if (!session) { show("off"); } announce(deskPhone()); });
      ua.on("registrationFailed", function (e) {
        registered = false; show("failed"); announce(deskPhone());
        fail(e.cause === JsSIP.C.causes.AUTHENTICATION_ERROR || e.cause === JsSIP.C.causes.REJECTED ? d.authFailed : d.unreachable);
        if (e.cause === JsSIP.C.causes.AUTHENTICATION_ERROR || e.cause === JsSIP.C.causes.REJECTED) { stop(); }
      });
      ua.on("disconnected", function () { if (ua) { fail(d.unreachable); } });
      ua.on("connected", function () { if (errorLine.textContent === d.unreachable) { fail(""); } });
      ua.on("newRTCSession", function (e) { if (e.originator === "remote") { incomingCall(e.session); } });
      ua.start();
      /* from now on the consultant can always disconnect (also while the exchange is unreachable) */
      registerButton.hidden = true; registerButton.disabled = false; unregisterButton.hidden = false; unregisterButton.focus();
    }).catch(function (err) {
      registerButton.disabled = false; show("off");
      fail(err && err.mic ? micError(err.mic) : d.configFailed);
    });
  }
  function stop() {
    var old = ua; ua = null; registered = false;
    if (session) { try { session.terminate(); } catch (err) { /* already ended */ } }
    if (old) { try { old.stop(); } catch (err) { /* already stopped */ } }
    announce(deskPhone()); show("off");
    registerButton.hidden = false; registerButton.disabled = false; unregisterButton.hidden = true; registerButton.focus();
  }

  registerButton.addEventListener("click", start);
  unregisterButton.addEventListener("click", stop);
  answerButton.addEventListener("click", answer);
  hangupButton.addEventListener("click", function () { if (session) { try { session.terminate(); } catch (err) { endCall(); } } });
  muteButton.addEventListener("click", function () {
    if (!session) { return; }
    var muted = muteButton.getAttribute("aria-pressed") === "true";
    if (muted) { session.unmute({ audio: true }); } else { session.mute({ audio: true }); }
    muteButton.setAttribute("aria-pressed", muted ? "false" : "true");
    muteButton.textContent = muted ? d.mute : d.unmute;
  });
  window.addEventListener("pagehide", function () { if (ua) { ua.stop(); } });
}());
