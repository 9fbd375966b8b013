// Clients desk: arrow keys move between the search box and the results.
(function () {
  "use strict";
  function links() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-results] a"));
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var target = event.target;
    var box = document.querySelector("[data-search-box]");
    var items = links();
    if (!items.length) return;
    if (target === box && event.key === "ArrowDown") {
      event.preventDefault();
      items[0].focus();
      return;
    }
    var index = items.indexOf(target);
    if (index < 0) return;
    event.preventDefault();
    if (event.key === "ArrowDown" && index < items.length - 1) items[index + 1].focus();
    else if (event.key === "ArrowUp") (index === 0 ? box : items[index - 1]).focus();
  });
})();
