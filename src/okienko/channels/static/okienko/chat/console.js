/* The desk's chat console (ADR 0057): keeps the consultant online (a beat every 20 s), refreshes
   the queue when a chat arrives or is taken, and on a chat's page shows the conversation live,
   sends the consultant's lines and typing, and refreshes the knowledge suggestions. Text only. */
(function () {
  "use strict";
  var consoleRoot = document.getElementById("chat-console");
  var sessionRoot = document.getElementById("chat-session");
  var root = consoleRoot || sessionRoot;
  if (!root || !window.WebSocket) { return; }
  var d = root.dataset;
  var alertLine = document.querySelector(".chat-alert");
  var socket = null, retry = 0, beat = null;
  var sessionId = sessionRoot ? parseInt(d.session, 10) : 0;
  var last = sessionRoot ? parseInt(d.last, 10) || 0 : 0;
  var log = sessionRoot ? sessionRoot.querySelector(".chat-log") : null;
  var typingLine = sessionRoot ? sessionRoot.querySelector(".chat-typing") : null;
  var text = document.getElementById("chat-text");
  var suggestTimer = null, typingSent = 0, typingTimer = null;

  function refreshQueue() {
    fetch(location.pathname + "?part=queue", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
      if (!html) { return; }
      var page = new DOMParser().parseFromString(html, "text/html");
      var fresh = page.getElementById("chat-queue"), current = document.getElementById("chat-queue");
      if (fresh && current) { current.replaceWith(fresh); }
    }).catch(function () { /* the next change refreshes it */ });
  }

  function refreshSuggestions() {
    fetch(d.suggestions, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (body) {
      var list = document.querySelector(".chat-suggestions");
      if (!list || !body || !body.suggestions.length) { return; }
      list.textContent = "";
      body.suggestions.forEach(function (s) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = s.url; a.textContent = s.title; a.target = "_blank"; a.rel = "noopener";
        li.appendChild(a); list.appendChild(li);
      });
    }).catch(function () { /* suggestions are a help, not a must */ });
  }

  function line(msg) {
    if (!log || msg.seq <= last) { return; }
    last = msg.seq;
    var li = document.createElement("li"), who = document.createElement("span");
    li.className = "from-" + msg.sender; li.dataset.seq = msg.seq;
    who.className = "who";
    who.textContent = msg.sender === "visitor" ? d.visitor : (msg.sender === "agent" ? d.you : d.system);
    li.appendChild(who); li.appendChild(document.createTextNode(msg.text));
    log.querySelector("ol").appendChild(li); log.scrollTop = log.scrollHeight;
    if (msg.sender === "visitor") { clearTimeout(suggestTimer); suggestTimer = setTimeout(refreshSuggestions, 800); }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/chat/agent/");
    socket.onopen = function () {
      retry = 0;
      if (alertLine && alertLine.textContent === d.lost) { alertLine.textContent = ""; }
      if (sessionId) { socket.send(JSON.stringify({ type: "watch", session: sessionId, after: last })); }
      clearInterval(beat);
      beat = setInterval(function () { socket.send(JSON.stringify({ type: "beat" })); }, 20000);
    };
    socket.onmessage = function (e) {
      var msg; try { msg = JSON.parse(e.data); } catch (err) { return; }
      if (msg.session && msg.session !== sessionId && msg.type !== "error") {
        // a line in another of the consultant's chats: the console tells, the chat page ignores it
        if (msg.type === "message" && msg.sender === "visitor" && alertLine && consoleRoot) { alertLine.textContent = d.line; }
        return;
      }
      if (msg.type === "queue" && consoleRoot) { refreshQueue(); if (alertLine) { alertLine.textContent = d["new"]; } }
      else if (msg.type === "message") { line(msg); if (typingLine) { typingLine.textContent = ""; } }
      else if (msg.type === "typing" && typingLine) { typingLine.textContent = msg.active && msg.sender === "visitor" ? d.typing : ""; }
      else if (msg.type === "state" && sessionRoot) {
        sessionRoot.dataset.live = "1"; // following the chat live from here on
        var label = d["status" + msg.status.charAt(0).toUpperCase() + msg.status.slice(1)];
        var cell = document.getElementById("chat-state");
        if (cell && label) { cell.textContent = label; }
      } else if (msg.type === "error" && alertLine) { alertLine.textContent = msg.detail; }
    };
    socket.onclose = function (e) {
      clearInterval(beat);
      if (e.code === 4403) { return; }
      if (alertLine) { alertLine.textContent = d.lost; }
      retry = Math.min(retry + 1, 5);
      setTimeout(connect, 500 * Math.pow(2, retry));
    };
  }

  function send() {
    var value = text.value.trim();
    if (!value || !socket || socket.readyState !== 1) { return; }
    socket.send(JSON.stringify({ type: "message", session: sessionId, text: value }));
    socket.send(JSON.stringify({ type: "typing", session: sessionId, active: false }));
    typingSent = 0; text.value = "";
  }
  var form = document.querySelector(".chat-send");
  if (form && text) {
    form.addEventListener("submit", function (e) { e.preventDefault(); send(); });
    text.addEventListener("keydown", function (e) { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(); } });
    text.addEventListener("input", function () {
      if (!socket || socket.readyState !== 1) { return; }
      var now = Date.now();
      if (now - typingSent > 2000) { socket.send(JSON.stringify({ type: "typing", session: sessionId, active: true })); typingSent = now; }
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () {
        if (socket && socket.readyState === 1) { socket.send(JSON.stringify({ type: "typing", session: sessionId, active: false })); }
        typingSent = 0;
      }, 3000);
    });
  }
  connect();
}());
