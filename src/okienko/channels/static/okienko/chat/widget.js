/* The public chat widget (ADR 0057): asks whether a consultant of the page's office is free,
   starts a chat over HTTP and talks over the WebSocket; reconnects after a dropped connection and
   asks for the lines after the last one it saw. Messages are shown as text, never as HTML. */
(function () {
  "use strict";
  var root = document.getElementById("chat-widget");
  if (!root || !window.WebSocket || !window.fetch) { return; }
  var d = root.dataset;
  var $ = function (sel) { return root.querySelector(sel); };
  var toggle = $(".chat-toggle"), offline = $(".chat-offline"), panel = $("#chat-panel");
  var status = $(".chat-status"), startForm = $(".chat-start"), talk = $(".chat-talk");
  var log = $(".chat-log"), typingLine = $(".chat-typing"), sendForm = $(".chat-send");
  var text = $("#chat-text"), errorLine = $(".chat-error");
  var KEY = "okienko-chat";
  var state = null, socket = null, retry = 0, ended = false, typingSent = 0, typingTimer = null;

  function load() { try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; } }
  function save() { try { sessionStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode */ } }
  function forget() { try { sessionStorage.removeItem(KEY); } catch (e) { /* private mode */ } }

  function show(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { (talk.hidden ? $("#chat-name") : text).focus(); } else { toggle.focus(); }
  }

  function checkAvailability() {
    if (state) { return; }
    fetch(d.availability + "?org=" + encodeURIComponent(d.org || ""), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { available: false }; })
      .then(function (body) {
        if (state) { return; }
        toggle.hidden = !body.available;
        offline.hidden = !!body.available;
        root.classList.toggle("chat-live", !!body.available);
        if (body.organisation) { d.org = body.organisation; }
        if (body.form) { offline.querySelector("a").href = body.form; }
        if (!body.available && !panel.hidden) { panel.hidden = true; toggle.setAttribute("aria-expanded", "false"); }
      })
      .catch(function () { toggle.hidden = true; });
  }

  function line(msg) {
    if (msg.seq <= state.last) { return; } // already shown (a replay after reconnecting)
    state.last = msg.seq; save();
    var li = document.createElement("li"), who = document.createElement("span");
    li.className = "from-" + msg.sender;
    who.className = "who";
    who.textContent = msg.sender === "visitor" ? d.you : (msg.sender === "agent" ? d.agent : d.system);
    li.appendChild(who);
    li.appendChild(document.createTextNode(msg.text));
    log.querySelector("ol").appendChild(li);
    log.scrollTop = log.scrollHeight;
  }

  function setStatus(s) {
    if (s === "waiting") { status.textContent = d.waiting; }
    else if (s === "active") { status.textContent = d.active; }
    else { status.textContent = d.ended; end(); }
  }

  function end() {
    ended = true; forget();
    sendForm.querySelector("textarea").disabled = true;
    sendForm.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    if (socket) { socket.close(); }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + state.socket + "?after=" + state.last);
    socket.onopen = function () { retry = 0; };
    socket.onmessage = function (e) {
      var msg; try { msg = JSON.parse(e.data); } catch (err) { return; }
      if (msg.type === "message") { line(msg); typingLine.textContent = ""; }
      else if (msg.type === "typing") { typingLine.textContent = msg.active && msg.sender === "agent" ? d.typing : ""; }
      else if (msg.type === "state") { setStatus(msg.status); }
      else if (msg.type === "error") { status.textContent = msg.detail; }
    };
    socket.onclose = function (e) {
      if (ended) { return; }
      if (e.code === 4404) { setStatus("closed"); return; }
      status.textContent = d.reconnecting;
      retry = Math.min(retry + 1, 5);
      setTimeout(connect, 500 * Math.pow(2, retry));
    };
  }

  function begin() {
    startForm.hidden = true; talk.hidden = false; toggle.hidden = false; offline.hidden = true;
    root.classList.add("chat-live");
    connect();
  }

  startForm.addEventListener("submit", function (e) {
    e.preventDefault();
    errorLine.textContent = "";
    var data = new FormData(startForm);
    data.append("org", d.org || "");
    data.append("page", location.pathname);
    fetch(d.start, { method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken") } })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; }, function () { return { ok: false, body: {} }; });
      })
      .then(function (res) {
        if (!res.ok) { errorLine.textContent = res.body.detail || d.failed; return; }
        state = { token: res.body.token, socket: res.body.socket, last: 0 }; save();
        begin(); text.focus();
      })
      .catch(function () { errorLine.textContent = d.failed; });
  });

  function send() {
    var value = text.value.trim();
    if (!value || !socket || socket.readyState !== 1) { return; }
    socket.send(JSON.stringify({ type: "message", text: value }));
    socket.send(JSON.stringify({ type: "typing", active: false }));
    typingSent = 0; text.value = "";
  }
  sendForm.addEventListener("submit", function (e) { e.preventDefault(); send(); });
  text.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(); }
  });
  text.addEventListener("input", function () {
    if (!socket || socket.readyState !== 1) { return; }
    var now = Date.now();
    if (now - typingSent > 2000) { socket.send(JSON.stringify({ type: "typing", active: true })); typingSent = now; }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () {
      if (socket && socket.readyState === 1) { socket.send(JSON.stringify({ type: "typing", active: false })); }
      typingSent = 0;
    }, 3000);
  });
  $(".chat-leave").addEventListener("click", function () {
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify({ type: "leave" })); }
  });
  toggle.addEventListener("click", function () { show(panel.hidden); });
  $(".chat-hide").addEventListener("click", function () { show(false); });
  root.addEventListener("keydown", function (e) { if (e.key === "Escape" && !panel.hidden) { show(false); } });

  state = load();
  if (state && state.token) { panel.hidden = false; toggle.setAttribute("aria-expanded", "true"); begin(); }
  else { state = null; checkAvailability(); setInterval(checkAvailability, 60000); }
}());
