// The reply box's live SMS count: a moment after typing stops, the server says how many SMS the
// text takes and in which encoding (one table of GSM-7 characters, on the server).
(function () {
  "use strict";
  var out = document.getElementById("sms-plan");
  if (!out || !window.fetch) return;
  var box = document.getElementById(out.dataset.for);
  if (!box) return;
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  var timer = null;
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var body = new FormData();
      body.append("text", box.value);
      fetch(out.dataset.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: token ? { "X-CSRFToken": token.value } : {},
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (plan) { if (plan) out.textContent = plan.summary; })
        .catch(function () { /* the count is a help, not a condition */ });
    }, 400);
  });
})();
