/* The supervisor's wallboard (issue 15): queues and consultants live from /ws/telephony/board/;
   a queue below its service-level target is marked and announced; consultants can be moved. */
(function () {
  "use strict";
  var root = document.getElementById("phone-board");
  if (!root || !window.WebSocket) { return; }
  var d = root.dataset, states = JSON.parse(d.states), socket = null, retry = 0, alerted = {};
  var alertLine = root.querySelector(".phone-alert");
  var queueBody = root.querySelector(".board-queues tbody"), agentBody = root.querySelector(".board-agents tbody");
  var options = document.getElementById("board-queue-options");

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
    agentBody.textContent = "";
    board.agents.forEach(function (a) {
      var tr = document.createElement("tr");
      cell(tr, a.name, true); cell(tr, (states[a.state] || a.state) + (a.reason ? " (" + a.reason + ")" : "")); cell(tr, a.in_state); cell(tr, a.calls); cell(tr, a.queues.join(", "));
      var td = document.createElement("td"), select = document.createElement("select"), button = document.createElement("button");
      var id = "move-" + a.agent;
      select.id = id; select.innerHTML = options.innerHTML; select.setAttribute("aria-label", d.move + " " + a.name);
      button.type = "button"; button.textContent = d.move;
      button.addEventListener("click", function () { var queues = {}; queues[select.value] = 0; send({ type: "move", agent: a.agent, queues: queues }); });
      td.appendChild(select); td.appendChild(button); tr.appendChild(td);
      agentBody.appendChild(tr);
    });
  }
  function send(message) { if (socket && socket.readyState === 1) { socket.send(JSON.stringify(message)); } }
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + d.socket);
    socket.onopen = function () { retry = 0; if (alertLine.textContent === d.lost) { alertLine.textContent = ""; } };
    socket.onmessage = function (e) {
      var m; try { m = JSON.parse(e.data); } catch (err) { return; }
      if (m.type === "board") { render(m); }
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
