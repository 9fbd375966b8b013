// Letters and faxes: a scan over the size limit is reported before the form is sent (the server
// refuses a body that large before any page could keep what was typed). Without script the server
// says the same for files under the request limit.
(function () {
  "use strict";
  function check(form) {
    var input = form.querySelector("input[type=file][data-max-bytes]");
    var note = form.querySelector("#paper-scans_size");
    if (!input || !note) return true;
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var tooLarge = Array.prototype.filter.call(input.files || [], function (f) { return f.size > limit; });
    if (!tooLarge.length) {
      note.hidden = true;
      input.removeAttribute("aria-invalid");
      return true;
    }
    note.textContent = tooLarge[0].name + ": " + note.getAttribute("data-too-large");
    note.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "paper-scans_size");
    input.focus();
    return false;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("[data-paper-form]") && !check(form)) event.preventDefault();
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-paper-form]");
    if (form && event.target.type === "file") check(form);
  });
})();
