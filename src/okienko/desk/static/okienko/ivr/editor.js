/* The IVR editor (issue 16). The flow's JSON definition is the state; the node list and the node
   form do everything (keyboard and screen readers), the cytoscape graph shows the same and lets a
   mouse user pick a node. Saves name the revision they started from; the server refuses a save
   over someone else's (409) and the difference is shown. The test call replays the flow on the
   server from the list of keys kept here. */
(function () {
  "use strict";
  var root = document.getElementById("ivr-editor");
  var stateNode = document.getElementById("ivr-state");
  if (!root || !stateNode) { return; }
  var state = JSON.parse(stateNode.textContent);
  var T = state.texts, urls = state.urls, editable = state.editable;
  var def = state.definition || {};
  if (!def.nodes || typeof def.nodes !== "object") { def.nodes = {}; }
  var revision = state.revision, problems = state.problems || [];
  var selected = def.nodes[def.start] ? def.start : (Object.keys(def.nodes)[0] || "");
  var dirty = false, theirs = null, cy = null, redrawTimer = null;
  var test = { inputs: [], pending: null, path: [], running: false };

  var ID = /^[A-Za-z0-9_.\-]{1,60}$/;
  var KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"];
  var TESTS = ["office_open", "holiday", "queue_waiting_over", "queue_agents_available", "authenticated"];
  var SPECS = {
    play: [["text", "textarea"], ["prompt", "text"], ["next", "target"]],
    menu: [["text", "textarea"], ["options", "options"], ["timeout", "number"], ["retries", "number"], ["invalid_text", "textarea"], ["on_fail", "target"]],
    collect: [["text", "textarea"], ["var", "text"], ["min", "number"], ["max", "number"], ["terminator", "terminator"], ["first_timeout", "number"], ["inter_digit_timeout", "number"], ["retries", "number"], ["invalid_text", "textarea"], ["secret", "bool"], ["next", "target"], ["on_fail", "target"]],
    authenticate: [["text_number", "textarea"], ["text_pin", "textarea"], ["invalid_text", "textarea"], ["locked_text", "textarea"], ["max_tries", "number"], ["first_timeout", "number"], ["inter_digit_timeout", "number"], ["next", "target"], ["on_fail", "target"]],
    condition: [["test", "test"], ["then", "target"], ["else", "target"]],
    choose_office: [["text", "textarea"], ["options", "offices"], ["timeout", "number"], ["retries", "number"], ["invalid_text", "textarea"], ["next", "target"], ["on_fail", "target"]],
    enqueue: [["queue", "text"], ["priority", "number"], ["skills", "skills"]],
    transfer: [["number", "text"]],
    voicemail: [["box", "text"], ["text", "textarea"]],
    callback: [["text", "textarea"], ["next", "target"]],
    hangup: [["text", "textarea"]]
  };
  var DEFAULTS = {
    menu: { options: {} }, collect: { "var": "digits" }, condition: { test: { office_open: "{office}" } },
    choose_office: { options: {} }, enqueue: { queue: "{office}" }, voicemail: { box: "{office}" }
  };
  var COLOURS = { play: "#cfe2f3", callback: "#cfe2f3", menu: "#fff2cc", choose_office: "#fff2cc", collect: "#e6d7f2",
    authenticate: "#e6d7f2", condition: "#ffe0cc", enqueue: "#d9ead3", transfer: "#d9ead3", voicemail: "#d9ead3", hangup: "#d9ead3" };

  var $ = function (sel) { return root.querySelector(sel); };
  var list = $("#ivr-node-list"), form = $("#ivr-node-form"), tools = $("#ivr-node-tools");
  var status = $("#ivr-status"), problemList = $("#ivr-problems");

  function fmt(text, params) {
    return String(text).replace(/%\((\w+)\)s/g, function (m, name) { return params && name in params ? params[name] : m; });
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "className") { node.className = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function say(text) { status.textContent = text; }
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return { status: r.status, data: data }; },
        function () { return { status: r.status, data: { detail: r.statusText } }; });
    });
  }
  function typeLabel(type) { return T.types[type] || type; }
  function edgesOf(node) {
    var out = [];
    if (node.type === "menu" && node.options && typeof node.options === "object") {
      Object.keys(node.options).sort().forEach(function (k) { out.push([k, String(node.options[k])]); });
    }
    ["next", "on_fail", "then", "else"].forEach(function (f) { if (f in node) { out.push([f, String(node[f])]); } });
    return out;
  }
  function problemsOf(id) { return problems.filter(function (p) { return p.node === id; }); }

  // -- changes ------------------------------------------------------------------------------------
  function changed(structural) {
    dirty = true;
    say(T.unsaved);
    renderList();
    if (structural) { renderForm(); }
    scheduleRedraw();
  }
  function setField(name, value) {
    var node = def.nodes[selected];
    if (!node) { return; }
    if (value === undefined || value === "") { delete node[name]; } else { node[name] = value; }
  }
  function numberValue(raw) {
    raw = raw.trim();
    if (raw === "") { return undefined; }
    return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  function newId(type) {
    var i = 1;
    while (def.nodes[type + "_" + i]) { i += 1; }
    return type + "_" + i;
  }
  function forEachReference(fn) {
    Object.keys(def.nodes).forEach(function (id) {
      var node = def.nodes[id];
      ["next", "on_fail", "then", "else"].forEach(function (f) { if (f in node) { fn(node, f, node[f], null); } });
      if (node.type === "menu" && node.options && typeof node.options === "object") {
        Object.keys(node.options).forEach(function (k) { fn(node, k, node.options[k], node.options); });
      }
    });
  }
  function addNode() {
    var type = $("#ivr-add-type").value;
    var id = newId(type);
    def.nodes[id] = Object.assign({ type: type }, JSON.parse(JSON.stringify(DEFAULTS[type] || {})));
    if (!def.start || !def.nodes[def.start]) { def.start = id; }
    selected = id;
    changed(true);
    say(fmt(T.added, { id: id }));
    focusForm();
  }
  function deleteNode() {
    var id = selected;
    if (!def.nodes[id]) { return; }
    delete def.nodes[id];
    forEachReference(function (node, field, target, options) {
      if (target !== id) { return; }
      if (options) { delete options[field]; } else { delete node[field]; }
    });
    selected = def.nodes[def.start] ? def.start : (Object.keys(def.nodes)[0] || "");
    changed(true);
    say(fmt(T.deleted, { id: id }));
    var first = list.querySelector("button");
    if (first) { first.focus(); }
  }
  function renameNode() {
    var input = $("#ivr-rename"), next = input.value.trim(), old = selected;
    if (next === old || !def.nodes[old]) { return; }
    if (!ID.test(next)) { say(T.rename_bad); input.focus(); return; }
    if (def.nodes[next]) { say(fmt(T.rename_taken, { id: next })); input.focus(); return; }
    var nodes = {};
    Object.keys(def.nodes).forEach(function (id) { nodes[id === old ? next : id] = def.nodes[id]; });
    def.nodes = nodes;
    forEachReference(function (node, field, target, options) {
      if (target !== old) { return; }
      if (options) { options[field] = next; } else { node[field] = next; }
    });
    if (def.start === old) { def.start = next; }
    problems.forEach(function (p) { if (p.node === old) { p.node = next; } });
    selected = next;
    changed(true);
    say(fmt(T.renamed, { old: old, "new": next }));
  }
  function setStart() {
    if (!def.nodes[selected]) { return; }
    def.start = selected;
    changed(false);
    say(fmt(T.start_set, { id: selected }));
  }

  // -- the node list and the problems -------------------------------------------------------------
  function renderList() {
    list.textContent = "";
    Object.keys(def.nodes).forEach(function (id) {
      var node = def.nodes[id], count = problemsOf(id).length;
      var text = id + " — " + typeLabel(node.type);
      if (id === def.start) { text += " " + T.is_start; }
      if (count) { text += " " + fmt(T.has_problems, { count: count }); }
      var button = el("button", { type: "button", "data-node": id, className: count ? "ivr-has-problem" : "" }, text);
      if (id === selected) { button.setAttribute("aria-current", "true"); }
      button.addEventListener("click", function () { select(id, false); });
      var li = el("li");
      li.appendChild(button);
      list.appendChild(li);
    });
  }
  function renderProblems() {
    problemList.textContent = "";
    if (!problems.length) { problemList.appendChild(el("li", { className: "ivr-ok" }, T.no_problems)); return; }
    problems.forEach(function (p) {
      var li = el("li");
      if (p.node && def.nodes[p.node]) {
        var a = el("a", { href: "#ivr-node-title", "data-node": p.node }, p.message);
        a.addEventListener("click", function (e) { e.preventDefault(); select(p.node, true); });
        li.appendChild(a);
      } else { li.textContent = p.message; }
      problemList.appendChild(li);
    });
  }
  function select(id, focus) {
    if (!def.nodes[id]) { return; }
    selected = id;
    renderList();
    renderForm();
    if (cy) { cy.$(":selected").unselect(); cy.getElementById(id).select(); }
    if (focus) { focusForm(); }
  }
  function focusForm() { var title = $("#ivr-node-title"); if (title) { title.focus(); } }

  // -- the node form -----------------------------------------------------------------------------
  function targetSelect(id, value, onChange) {
    var s = el("select", { id: id });
    s.appendChild(el("option", { value: "" }, T.none));
    var ids = Object.keys(def.nodes);
    if (value && ids.indexOf(value) < 0) { ids = [value].concat(ids); }
    ids.forEach(function (nodeId) {
      var o = el("option", { value: nodeId }, nodeId + (def.nodes[nodeId] ? " — " + typeLabel(def.nodes[nodeId].type) : ""));
      if (nodeId === value) { o.selected = true; }
      s.appendChild(o);
    });
    s.addEventListener("change", function () { onChange(s.value); });
    return s;
  }
  function keySelect(id, value, taken, onChange) {
    var s = el("select", { id: id });
    KEYS.forEach(function (k) {
      if (k !== value && taken.indexOf(k) >= 0) { return; }
      var o = el("option", { value: k }, k);
      if (k === value) { o.selected = true; }
      s.appendChild(o);
    });
    s.addEventListener("change", function () { onChange(s.value); });
    return s;
  }
  function row(label, control, forId) {
    var wrap = el("div", { className: "ivr-field" });
    wrap.appendChild(el("label", { "for": forId }, label));
    wrap.appendChild(control);
    return wrap;
  }
  function optionRows(node, name, kind) {
    var box = el("fieldset", { className: "ivr-options" });
    box.appendChild(el("legend", {}, T.fields[kind === "offices" ? "offices" : "options"]));
    var options = node.options && typeof node.options === "object" ? node.options : {};
    var keys = Object.keys(options);
    keys.forEach(function (key, i) {
      var line = el("div", { className: "ivr-option" });
      var keyId = "opt-key-" + i, targetId = "opt-target-" + i;
      line.appendChild(el("label", { "for": keyId }, T.key));
      line.appendChild(keySelect(keyId, key, keys, function (value) {
        var rebuilt = {};
        Object.keys(options).forEach(function (k) { rebuilt[k === key ? value : k] = options[k]; });
        node.options = rebuilt;
        changed(true);
        var again = form.querySelector("#" + keyId);
        if (again) { again.focus(); }
      }));
      if (kind === "offices") {
        line.appendChild(el("label", { "for": targetId }, T.office));
        var input = el("input", { id: targetId, value: String(options[key]), maxlength: "60", autocomplete: "off" });
        input.addEventListener("change", function () { options[key] = input.value.trim(); changed(false); });
        line.appendChild(input);
      } else {
        line.appendChild(el("label", { "for": targetId }, T.target));
        line.appendChild(targetSelect(targetId, String(options[key]), function (value) { options[key] = value; changed(false); }));
      }
      var remove = el("button", { type: "button", "aria-label": fmt(T.remove_option, { key: key }) }, T.remove);
      remove.addEventListener("click", function () {
        delete options[key];
        changed(true);
        var add = form.querySelector(".ivr-add-option");
        if (add) { add.focus(); }
      });
      line.appendChild(remove);
      box.appendChild(line);
    });
    var free = KEYS.filter(function (k) { return keys.indexOf(k) < 0; });
    if (free.length) {
      var add = el("button", { type: "button", className: "ivr-add-option" }, T.add_option);
      add.addEventListener("click", function () {
        if (!node.options || typeof node.options !== "object") { node.options = {}; }
        node.options[free[0]] = "";
        changed(true);
        var last = form.querySelectorAll(".ivr-option select");
        if (last.length) { last[last.length - 1].focus(); }
      });
      box.appendChild(add);
    }
    return box;
  }
  function testFields(node) {
    var box = el("fieldset", { className: "ivr-options" });
    box.appendChild(el("legend", {}, T.fields.test));
    var current = node.test && typeof node.test === "object" ? node.test : {};
    var kind = Object.keys(current)[0] || "";
    var s = el("select", { id: "f-test-kind" });
    TESTS.forEach(function (t) {
      var o = el("option", { value: t }, T.tests[t] || t);
      if (t === kind) { o.selected = true; }
      s.appendChild(o);
    });
    s.addEventListener("change", function () {
      var fresh = {};
      fresh[s.value] = { office_open: "{office}", holiday: true, queue_waiting_over: ["{office}", 5],
        queue_agents_available: "{office}", authenticated: true }[s.value];
      node.test = fresh;
      changed(true);
      var again = form.querySelector("#f-test-kind");
      if (again) { again.focus(); }
    });
    box.appendChild(row(T.fields.test, s, "f-test-kind"));
    if (kind === "office_open" || kind === "queue_agents_available") {
      var v = el("input", { id: "f-test-value", value: String(current[kind]), maxlength: "60", autocomplete: "off" });
      v.addEventListener("change", function () { current[kind] = v.value.trim(); changed(false); });
      box.appendChild(row(T.fields.test_value, v, "f-test-value"));
    } else if (kind === "queue_waiting_over") {
      var pair = Array.isArray(current[kind]) ? current[kind] : ["", 0];
      var q = el("input", { id: "f-test-value", value: String(pair[0]), maxlength: "60", autocomplete: "off" });
      var n = el("input", { id: "f-test-limit", value: String(pair[1]), inputmode: "numeric", maxlength: "6" });
      var update = function () { current[kind] = [q.value.trim(), numberValue(n.value) === undefined ? 0 : numberValue(n.value)]; changed(false); };
      q.addEventListener("change", update);
      n.addEventListener("change", update);
      box.appendChild(row(T.fields.queue, q, "f-test-value"));
      box.appendChild(row(T.fields.test_limit, n, "f-test-limit"));
    }
    return box;
  }
  function control(node, name, kind) {
    var id = "f-" + name, value = node[name], input;
    if (kind === "target") {
      return row(T.fields[name] || name, targetSelect(id, value === undefined ? "" : String(value), function (v) { setField(name, v); changed(false); }), id);
    }
    if (kind === "options" || kind === "offices") { return optionRows(node, name, kind); }
    if (kind === "test") { return testFields(node); }
    if (kind === "bool") {
      var wrap = el("div", { className: "ivr-field ivr-check" });
      input = el("input", { id: id, type: "checkbox" });
      input.checked = value === true;
      input.addEventListener("change", function () { setField(name, input.checked ? true : undefined); changed(false); });
      wrap.appendChild(input);
      wrap.appendChild(el("label", { "for": id }, T.fields[name] || name));
      return wrap;
    }
    if (kind === "terminator") {
      input = el("select", { id: id });
      [["#", "#"], ["*", "*"], ["", T.absent]].forEach(function (pair) {
        var o = el("option", { value: pair[0] }, pair[1]);
        if ((value === undefined ? "#" : value) === pair[0]) { o.selected = true; }
        input.appendChild(o);
      });
      input.addEventListener("change", function () { node[name] = input.value; changed(false); });
      return row(T.fields[name] || name, input, id);
    }
    if (kind === "textarea") {
      input = el("textarea", { id: id, rows: "3", maxlength: "2000" });
      input.value = value === undefined ? "" : String(value);
    } else {
      input = el("input", { id: id, autocomplete: "off", maxlength: "200" });
      if (kind === "number") { input.setAttribute("inputmode", "decimal"); }
      input.value = value === undefined ? "" : (kind === "skills" && Array.isArray(value) ? value.join(", ") : String(value));
    }
    input.addEventListener("change", function () {
      var raw = input.value;
      if (kind === "number") { setField(name, numberValue(raw)); }
      else if (kind === "skills") {
        var skills = raw.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
        setField(name, skills.length ? skills : undefined);
      } else { setField(name, raw.trim() === "" ? undefined : raw); }
      changed(false);
    });
    return row(T.fields[name] || name, input, id);
  }
  function renderForm() {
    form.textContent = "";
    var node = def.nodes[selected];
    if (tools) { tools.hidden = !node; }
    if (!node) { return; }
    var heading = el("p", { className: "ivr-node-heading" }, selected + " — " + typeLabel(node.type) + (selected === def.start ? " " + T.is_start : ""));
    form.appendChild(heading);
    var mine = problemsOf(selected);
    if (mine.length) {
      var ul = el("ul", { className: "ivr-node-problems" });
      mine.forEach(function (p) { ul.appendChild(el("li", {}, p.message)); });
      form.appendChild(ul);
    }
    (SPECS[node.type] || []).concat([["note", "text"]]).forEach(function (spec) { form.appendChild(control(node, spec[0], spec[1])); });
    if (!editable) { form.querySelectorAll("input, select, textarea, button").forEach(function (c) { c.disabled = true; }); }
    var rename = $("#ivr-rename");
    if (rename) { rename.value = selected; }
  }

  // -- the graph ---------------------------------------------------------------------------------
  function elements() {
    var out = [];
    Object.keys(def.nodes).forEach(function (id) {
      var node = def.nodes[id];
      var classes = [problemsOf(id).length ? "problem" : "", test.path.indexOf(id) >= 0 ? "onpath" : "", id === def.start ? "start" : ""].join(" ");
      out.push({ group: "nodes", data: { id: id, label: id + "\n" + typeLabel(node.type), colour: COLOURS[node.type] || "#eeeeee" }, classes: classes });
    });
    Object.keys(def.nodes).forEach(function (id) {
      edgesOf(def.nodes[id]).forEach(function (edge, i) {
        if (!def.nodes[edge[1]]) { return; }
        var walked = false;
        for (var k = 0; k + 1 < test.path.length; k += 1) { if (test.path[k] === id && test.path[k + 1] === edge[1]) { walked = true; } }
        out.push({ group: "edges", data: { id: "e:" + id + ":" + i, source: id, target: edge[1], label: edge[0] }, classes: walked ? "onpath" : "" });
      });
    });
    return out;
  }
  function draw() {
    var container = document.getElementById("ivr-canvas");
    if (!window.cytoscape || !container) { return; }
    if (!cy) {
      cy = window.cytoscape({
        container: container, elements: [], wheelSensitivity: 0.3, minZoom: 0.15, maxZoom: 1.3, autoungrabify: false, boxSelectionEnabled: false,
        style: [
          { selector: "node", style: { "shape": "round-rectangle", "background-color": "data(colour)", "label": "data(label)",
            "text-wrap": "wrap", "text-valign": "center", "font-size": 10, "color": "#1b1f23", "width": 110, "height": 40,
            "border-width": 1, "border-color": "#4a5360" } },
          { selector: "node.start", style: { "border-width": 3, "border-color": "#0b4f8a" } },
          { selector: "node.problem", style: { "border-width": 4, "border-color": "#a4161a", "border-style": "dashed" } },
          { selector: "node.onpath", style: { "background-color": "#93c47d" } },
          { selector: "node:selected", style: { "overlay-color": "#ffbf47", "overlay-opacity": 0.35, "overlay-padding": 6 } },
          { selector: "edge", style: { "curve-style": "bezier", "target-arrow-shape": "triangle", "width": 1.5,
            "line-color": "#6b7580", "target-arrow-color": "#6b7580", "label": "data(label)", "font-size": 9,
            "text-background-color": "#ffffff", "text-background-opacity": 1, "text-rotation": "autorotate" } },
          { selector: "edge.onpath", style: { "width": 4, "line-color": "#1d6b2f", "target-arrow-color": "#1d6b2f" } }
        ]
      });
      cy.on("tap", "node", function (e) { select(e.target.id(), false); });
    }
    cy.elements().remove();
    cy.add(elements());
    var roots = def.nodes[def.start] ? "#" + cssId(def.start) : undefined;
    cy.layout({ name: "breadthfirst", directed: true, roots: roots, spacingFactor: 1.05, padding: 10, animate: false }).run();
    if (selected && def.nodes[selected]) { cy.getElementById(selected).select(); }
  }
  function cssId(id) { return id.replace(/([^A-Za-z0-9_-])/g, "\\$1"); }
  function scheduleRedraw() {
    if (redrawTimer) { clearTimeout(redrawTimer); }
    redrawTimer = setTimeout(draw, 250);
  }

  // -- save, check, publish, conflicts -------------------------------------------------------------
  function showProblems(list) {
    problems = list || [];
    renderList();
    renderForm();
    renderProblems();
    scheduleRedraw();
  }
  function validate() {
    return post(urls.validate, { definition: def }).then(function (r) {
      if (r.status !== 200) { say(fmt(T.save_failed, { detail: r.data.detail || r.status })); return; }
      showProblems(r.data.problems);
      say(r.data.problems.length ? fmt(T.problems_count, { count: r.data.problems.length }) : T.no_problems);
    });
  }
  function save() {
    say(T.saving);
    return post(urls.save, { definition: def, revision: revision }).then(function (r) {
      if (r.status === 200) {
        revision = r.data.revision;
        dirty = false;
        $("#ivr-conflict").hidden = true;
        showProblems(r.data.problems);
        say(T.saved + " " + (r.data.problems.length ? fmt(T.problems_count, { count: r.data.problems.length }) : T.no_problems));
        return true;
      }
      if (r.status === 409 && r.data.theirs) { conflict(r.data); return false; }
      say(fmt(T.save_failed, { detail: r.data.detail || r.status }));
      return false;
    });
  }
  function publish() {
    var go = function () {
      return post(urls.publish, { revision: revision }).then(function (r) {
        if (r.status === 200) {
          say(fmt(T.published, { number: r.data.number }));
          window.location.assign(r.data.url);
          return;
        }
        if (r.status === 422) {
          showProblems(r.data.problems);
          say(T.publish_refused + " " + (r.data.reasons || []).join(" "));
          return;
        }
        say(fmt(T.save_failed, { detail: r.data.detail || r.status }));
      });
    };
    if (dirty) { save().then(function (ok) { if (ok) { go(); } }); } else { go(); }
  }
  function diffTable(diff) {
    if (diff.same) { return el("p", {}, T.same); }
    var table = el("table", { className: "ivr-table ivr-diff" });
    var head = el("tr");
    [T.node, T.field, T.before, T.after].forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = el("tbody");
    var add = function (who, change, cls) {
      var tr = el("tr", { className: cls || "" });
      tr.appendChild(el("th", { scope: "row" }, who));
      tr.appendChild(el("td", {}, change.field));
      [change.before, change.after].forEach(function (v) {
        tr.appendChild(el("td", {}, v === null || v === undefined ? T.absent : (typeof v === "object" ? JSON.stringify(v) : String(v))));
      });
      body.appendChild(tr);
    };
    diff.flow.forEach(function (c) { add(T.flow_fields, c); });
    diff.nodes.forEach(function (n) {
      var label = n.node + " (" + (T[n.status + "_status"] || n.status) + ")";
      n.fields.forEach(function (c) { add(label, c, "ivr-diff-" + n.status); });
    });
    table.appendChild(body);
    return table;
  }
  function conflict(data) {
    theirs = { definition: data.theirs, revision: data.revision };
    var box = $("#ivr-conflict");
    box.querySelector(".ivr-conflict-text").textContent = T.conflict;
    var holder = box.querySelector(".ivr-conflict-diff");
    holder.textContent = "";
    holder.appendChild(diffTable(data.diff));
    box.hidden = false;
    box.focus();
    say(T.conflict);
  }
  function reloadTheirs() {
    if (!theirs) { return; }
    def = theirs.definition; revision = theirs.revision; theirs = null; dirty = false;
    if (!def.nodes[selected]) { selected = def.nodes[def.start] ? def.start : (Object.keys(def.nodes)[0] || ""); }
    $("#ivr-conflict").hidden = true;
    validate();
    renderList(); renderForm(); scheduleRedraw();
    say(T.saved);
  }
  function overwrite() {
    if (!theirs) { return; }
    revision = theirs.revision; theirs = null;
    save();
  }

  // -- the test call ------------------------------------------------------------------------------
  var keypad = root.querySelectorAll("[data-key]"), digitsInput = $("#ivr-test-digits");
  var sendButton = root.querySelector("[data-action=send]"), timeoutButton = root.querySelector("[data-action=timeout]");
  var backButton = root.querySelector("[data-action=back]");
  function services() {
    return {
      office_open: $("#sim-open").checked, holiday: $("#sim-holiday").checked,
      waiting: Number($("#sim-waiting").value) || 0, available: Number($("#sim-available").value) || 0,
      client_number: $("#sim-number").value, client_pin: $("#sim-pin").value, client_office: $("#sim-office").value
    };
  }
  function awaitingText(p) {
    if (!p) { return ""; }
    if (p.max === 1 && !p.terminator) { return fmt(T.awaiting, { what: T.awaiting_key }); }
    var what = p.terminator ? fmt(T.awaiting_digits, { min: p.min, max: p.max, terminator: p.terminator })
      : fmt(T.awaiting_digits_noterm, { min: p.min, max: p.max });
    return fmt(T.awaiting, { what: what });
  }
  function resultText(r) {
    if (r.kind === "enqueue") { return fmt(T.ended_enqueue, { queue: r.queue }); }
    if (r.kind === "transfer") { return fmt(T.ended_transfer, { number: r.number }); }
    if (r.kind === "voicemail") { return fmt(T.ended_voicemail, { box: r.box }); }
    return T.ended_hangup;
  }
  function enableKeys(on) {
    keypad.forEach(function (k) { k.disabled = !on; });
    digitsInput.disabled = !on; sendButton.disabled = !on; timeoutButton.disabled = !on;
    backButton.disabled = test.inputs.length === 0;
  }
  function runTest() {
    if (test.running) { return; }
    test.running = true;
    post(urls.testcall, { definition: def, inputs: test.inputs, services: services() }).then(function (r) {
      test.running = false;
      var log = $("#ivr-test-log"), pending = $("#ivr-test-pending");
      log.textContent = "";
      if (r.status !== 200) { pending.textContent = fmt(T.test_error, { detail: r.data.detail || r.status }); enableKeys(false); return; }
      var d = r.data;
      d.transcript.forEach(function (step) {
        var text = step.text;
        if (step.kind === "press") { text = fmt(T.pressed, { keys: step.text }); }
        if (step.kind === "timeout") { text = T.timeout; }
        if (step.kind === "end") { text = resultText(d.result || {}); }
        if (step.kind === "error") { text = fmt(T.test_error, { detail: T["error_" + d.error_code] || step.text }); }
        log.appendChild(el("li", { className: "ivr-step-" + step.kind }, "[" + step.node + "] " + text));
      });
      test.pending = d.pending; test.path = d.path || [];
      if (d.result) { pending.textContent = resultText(d.result) + " " + fmt(T.path, { path: test.path.join(" → ") }); }
      else if (d.error) { pending.textContent = fmt(T.test_error, { detail: T["error_" + d.error_code] || d.error }); }
      else { pending.textContent = (d.pending ? d.pending.text + " — " + awaitingText(d.pending) : ""); }
      digitsInput.type = d.pending && d.pending.secret ? "password" : "text";
      digitsInput.value = "";
      enableKeys(!!(d.pending && d.pending.kind === "digits"));
      scheduleRedraw();
    }, function () { test.running = false; });
  }
  function press(key) {
    var p = test.pending;
    if (!p) { return; }
    if (p.max === 1 && !p.terminator) { test.inputs.push(key); runTest(); return; }
    digitsInput.value += key;
    if (p.terminator && key === p.terminator) { sendDigits(); }
  }
  function sendDigits() {
    var value = digitsInput.value.trim();
    if (!value || !/^[0-9*#]{1,40}$/.test(value)) { digitsInput.focus(); return; }
    test.inputs.push(value);
    runTest();
  }

  // -- wiring -----------------------------------------------------------------------------------
  root.addEventListener("click", function (e) {
    var target = e.target.closest("[data-action], [data-key]");
    if (!target || !root.contains(target)) { return; }
    if (target.hasAttribute("data-key")) { press(target.getAttribute("data-key")); return; }
    var action = target.getAttribute("data-action");
    if (action === "save") { save(); }
    else if (action === "validate") { validate(); }
    else if (action === "publish") { publish(); }
    else if (action === "add") { addNode(); }
    else if (action === "delete") { deleteNode(); }
    else if (action === "rename") { renameNode(); }
    else if (action === "start") { setStart(); }
    else if (action === "reload") { reloadTheirs(); }
    else if (action === "overwrite") { overwrite(); }
    else if (action === "call") { test.inputs = []; runTest(); }
    else if (action === "send") { sendDigits(); }
    else if (action === "timeout") { test.inputs.push("timeout"); runTest(); }
    else if (action === "back") { test.inputs.pop(); runTest(); }
  });
  digitsInput.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); sendDigits(); } });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  var rename = $("#ivr-rename");
  if (rename) { rename.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); renameNode(); } }); }
  var addType = $("#ivr-add-type");
  if (addType) {
    state.types.forEach(function (t) { addType.appendChild(el("option", { value: t }, typeLabel(t))); });
  }
  window.addEventListener("beforeunload", function (e) { if (dirty) { e.preventDefault(); e.returnValue = ""; } });
  renderList();
  renderForm();
  renderProblems();
  draw();
}());
