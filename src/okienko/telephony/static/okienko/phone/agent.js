/* The consultant's phone on the desk (issue 15): state buttons, the screen pop when a call rings
   (the caller's facts from the engine, then the client-card panels), answer, end, wrap-up.
   Reconnects with back-off; the engine logs the consultant out only after a grace period.
   With the browser phone registered (browser_phone.js), the console names it at login so the
   engine rings this browser (and names the usual phone again when it disconnects). */
(function () {
  "use strict";
  var root = document.getElementById("phone-agent");
  if (!root || !window.WebSocket) { return; }
  var d = root.dataset, states = JSON.parse(d.states), socket = null, retry = 0, call = "";
  var alertLine = root.querySelector(".phone-alert"), stateLine = root.querySelector(".phone-state");
  var callBox = root.querySelector(".phone-call"), pop = root.querySelector(".phone-pop");
  var wrap = root.querySelector(".phone-wrap"), answerButton = root.querySelector("[data-command=answer]");
  var hangupButton = root.querySelector("[data-command=hangup]");
  var browserPhone = "", phoneNamed = false;  /* the registered browser phone, and whether the engine knows it */

  function send(message) { if (socket && socket.readyState === 1) { socket.send(JSON.stringify(message)); return true; } return false; }
  function namePhone() { if (browserPhone && !phoneNamed) { phoneNamed = send({ type: "login", phone: browserPhone }); } }
  document.addEventListener("okienko:browser-phone", function (e) {
    browserPhone = (e.detail && e.detail.phone) || ""; phoneNamed = false;
    if (root.dataset.state && root.dataset.state !== "logged_out") { namePhone(); }
  });
  function fact(name, value) { var dd = callBox.querySelector("[data-fact=" + name + "]"); if (dd) { dd.textContent = value; } }
  function ring(m) {
    call = m.call; callBox.hidden = false; wrap.hidden = true;
    alertLine.textContent = d.ringing + ": " + (m.caller || "");
    fact("caller", m.caller || "—"); fact("entry", m.entry || "—"); fact("queue_name", m.queue_name || m.queue);
    fact("waited", Math.round(m.waited || 0) + " s"); fact("path", (m.path || []).join(" → ") || "—");
    fact("client_number", m.client_number || d.unidentified);
    answerButton.hidden = false; hangupButton.hidden = true; pop.textContent = "";
    if (m.client) {
      fetch(d.pop + "?client=" + encodeURIComponent(m.client), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          if (!html || call !== m.call) { return; }
          var page = new DOMParser().parseFromString(html, "text/html");
          pop.textContent = ""; Array.prototype.forEach.call(page.body.childNodes, function (n) { pop.appendChild(document.importNode(n, true)); });
        }).catch(function () { /* the facts above stay */ });
    }
    answerButton.focus();
  }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + d.socket);
    socket.onopen = function () { retry = 0; phoneNamed = false; if (alertLine.textContent === d.lost) { alertLine.textContent = ""; } };
    socket.onmessage = function (e) {
      var m; try { m = JSON.parse(e.data); } catch (err) { return; }
      if (m.type === "state") {
        stateLine.textContent = (states[m.state] || m.state) + (m.reason ? " (" + m.reason + ")" : "");
        root.dataset.state = m.state;
        if (m.state !== "logged_out") { namePhone(); }
        if (!m.call && m.state !== "wrap_up" && callBox.hidden === false && !call) { callBox.hidden = true; }
      } else if (m.type === "ring") { ring(m); }
      else if (m.type === "connected") { call = m.call; callBox.hidden = false; answerButton.hidden = true; hangupButton.hidden = false; alertLine.textContent = ""; hangupButton.focus(); }
      else if (m.type === "missed") { if (call === m.call) { call = ""; callBox.hidden = true; } alertLine.textContent = d.missed; }
      else if (m.type === "completed") {
        call = ""; callBox.hidden = true;
        if (m.interaction) { wrap.hidden = false; wrap.querySelector("[name=interaction]").value = m.interaction; wrap.querySelector("select").focus(); }
      } else if (m.type === "dialling") { alertLine.textContent = d.dialling + " " + m.number; }
      else if (m.type === "outbound_connected") { alertLine.textContent = d.outbound + " " + m.number; }
      else if (m.type === "error" && m.code === "engine-down") { alertLine.textContent = d.down; }
      else if (m.type === "error" && m.code === "gone") { alertLine.textContent = d.gone; call = ""; callBox.hidden = true; }
      else if (m.type === "error") { alertLine.textContent = m.detail || m.code; }
    };
    socket.onclose = function (e) {
      socket = null;
      if (e.code === 4403) { return; }
      alertLine.textContent = e.code === 4503 ? d.down : d.lost;
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * Math.pow(2, retry));
    };
  }
  root.querySelectorAll("[data-command]").forEach(function (button) {
    button.addEventListener("click", function () {
      var command = button.dataset.command, message = { type: command };
      if (command === "pause") { message.reason = document.getElementById("phone-reason").value; }
      if (command === "answer" || command === "hangup") { message.call = call; }
      if (command === "ready" && root.dataset.state === "logged_out") { namePhone(); }
      if (command === "dial") { message.callback = button.dataset.callback; message.number = button.dataset.number; }
      send(message);
    });
  });
  connect();
}());
