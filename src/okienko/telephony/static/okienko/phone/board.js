/* The supervisor's wallboard (issues 15, 16): queues and consultants live from /ws/telephony/board/;
   a queue below its service-level target is marked and announced; consultants can be moved; a
   consultant's call can be listened in on, whispered to or barged in on (only the modes the line
   carrying it allows), the change announced in a live region; line failures shown as alerts. */
(function () {
  "use strict";
  var root = document.getElementById("phone-board");
  if (!root || !window.WebSocket) { return; }
  var d = root.dataset, states = JSON.parse(d.states), socket = null, retry = 0, alerted = {};
  var modeNames = JSON.parse(d.modes), nowText = JSON.parse(d.now), supervised = {};
  var alertLine = root.querySelector(".phone-alert"), lineAlerts = root.querySelector(".board-line-alerts");
  var status = root.querySelector(".board-supervision-status");
  var queueBody = root.querySelector(".board-queues tbody"), agentBody = root.querySelector(".board-agents tbody");
  var options = document.getElementById("board-queue-options");
  var MAX_ALERTS = 5;

  function named(text, name) { return text.replace("{name}", name); }
  function cell(row, text, header) { var c = document.createElement(header ? "th" : "td"); if (header) { c.scope = "row"; } c.textContent = text; row.appendChild(c); return c; }
  function render(board) {
    queueBody.textContent = "";
    board.queues.forEach(function (q) {
      var tr = document.createElement("tr"); tr.dataset.queue = q.code;
      cell(tr, q.name, true); cell(tr, q.office); cell(tr, q.waiting); cell(tr, q.longest_wait); cell(tr, q.available); cell(tr, q.busy); cell(tr, q.paused);
      var sl = cell(tr, q.service_level === null ? "—" : Math.round(q.service_level * 100) + "%");
      if (q.alert) { tr.className = "board-alert"; sl.textContent += " — " + d.alert; if (!alerted[q.code]) { alertLine.textContent = d.alert + ": " + q.name; alerted[q.code] = true; } }
      else { alerted[q.code] = false; }
      queueBody.appendChild(tr);
    });
    var focused = document.activeElement && agentBody.contains(document.activeElement) ? document.activeElement.dataset.key : "";
    var chosen = {};
    agentBody.querySelectorAll("select").forEach(function (s) { chosen[s.id] = s.value; });
    agentBody.textContent = "";
    announce(board.agents);
    board.agents.forEach(function (a) {
      var tr = document.createElement("tr");
      cell(tr, a.name, true); cell(tr, (states[a.state] || a.state) + (a.reason ? " (" + a.reason + ")" : "")); cell(tr, a.in_state); cell(tr, a.calls); cell(tr, a.queues.join(", "));
      var td = document.createElement("td"), select = document.createElement("select"), button = document.createElement("button");
      var id = "move-" + a.agent;
      select.id = id; select.innerHTML = options.innerHTML; select.setAttribute("aria-label", d.move + " " + a.name);
      select.dataset.key = id; if (chosen[id]) { select.value = chosen[id]; }
      button.type = "button"; button.textContent = d.move; button.dataset.key = "move-button-" + a.agent;
      button.addEventListener("click", function () { var queues = {}; queues[select.value] = 0; send({ type: "move", agent: a.agent, queues: queues }); });
      td.appendChild(select); td.appendChild(button); tr.appendChild(td);
      tr.appendChild(supervision(a));
      agentBody.appendChild(tr);
    });
    if (focused) {
      // the same control again, else (Stop gone) the first of that consultant's supervision buttons
      var again = agentBody.querySelector("[data-key='" + focused + "']") ||
        agentBody.querySelector("[data-key^='" + focused.slice(0, focused.lastIndexOf("-") + 1) + "']");
      if (again) { again.focus(); }
    }
  }
  function supervision(a) {
    var td = document.createElement("td");
    if (!a.call || !(a.modes || []).length) { td.textContent = "—"; return td; }
    var group = document.createElement("div");
    group.className = "board-supervise"; group.setAttribute("role", "group");
    group.setAttribute("aria-label", named(d.supervise, a.name));
    a.modes.forEach(function (mode) {
      var b = document.createElement("button");
      b.type = "button"; b.textContent = modeNames[mode] || mode; b.dataset.mode = mode;
      b.dataset.key = "supervise-" + a.agent + "-" + mode;
      b.setAttribute("aria-pressed", a.supervising === mode ? "true" : "false");
      b.addEventListener("click", function () {
        if (a.supervising === mode) { send({ type: "stop_supervising", call: a.call }); }
        else { send({ type: "supervise", call: a.call, mode: mode }); }
      });
      group.appendChild(b);
    });
    if (a.supervising) {
      var stop = document.createElement("button");
      stop.type = "button"; stop.textContent = d.stop; stop.className = "board-stop";
      stop.dataset.key = "supervise-" + a.agent + "-stop";
      stop.addEventListener("click", function () { send({ type: "stop_supervising", call: a.call }); });
      group.appendChild(stop);
    }
    td.appendChild(group);
    return td;
  }
  function announce(agents) {
    // Tell the supervisor what changed in their own supervision (a mode taken, changed, ended).
    var seen = {};
    agents.forEach(function (a) {
      var was = supervised[a.agent], now = a.supervising ? a.call + " " + a.supervising : "";
      seen[a.agent] = true;
      if ((was ? was.now : "") === now) { return; }
      if (now) { status.textContent = named(nowText[a.supervising] || "", a.name); supervised[a.agent] = { now: now, name: a.name }; }
      else { status.textContent = named(d.stopped, a.name); delete supervised[a.agent]; }
    });
    Object.keys(supervised).forEach(function (agent) {
      if (!seen[agent]) { status.textContent = named(d.stopped, supervised[agent].name); delete supervised[agent]; }
    });
  }
  function lineAlert(m) {
    var p = document.createElement("p"), when = new Date();
    p.className = "board-line-alert";
    p.textContent = d.lineAlert + " (" + when.toLocaleTimeString() + "): " + (m.detail || m.what || "");
    lineAlerts.appendChild(p);
    while (lineAlerts.children.length > MAX_ALERTS) { lineAlerts.removeChild(lineAlerts.firstChild); }
  }
  function send(message) { if (socket && socket.readyState === 1) { socket.send(JSON.stringify(message)); } }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + d.socket);
    socket.onopen = function () { retry = 0; if (alertLine.textContent === d.lost) { alertLine.textContent = ""; } };
    socket.onmessage = function (e) {
      var m; try { m = JSON.parse(e.data); } catch (err) { return; }
      if (m.type === "board") { render(m); }
      else if (m.type === "alert") { lineAlert(m); }
      else if (m.type === "error" && m.code === "engine-down") { alertLine.textContent = d.down; }
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
  connect();
}());
