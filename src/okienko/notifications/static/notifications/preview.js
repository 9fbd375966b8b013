// Live preview of a message template: re-rendered on the server a moment after typing stops.
// Without script the "Preview" button does the same with a full page.
(function () {
  "use strict";
  var form = document.getElementById("template-form");
  var target = document.getElementById("template-preview");
  if (!form || !target || !window.fetch) return;
  var timer = null;
  var latest = 0;
  function refresh() {
    var ticket = ++latest;
    fetch(form.dataset.previewUrl, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null && ticket === latest) target.innerHTML = html; })
      .catch(function () { /* the server is unreachable: the last preview stays */ });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
