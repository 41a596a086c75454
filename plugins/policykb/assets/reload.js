// Live reload, under `build.py serve` only (the server adds this script to the pages it
// serves; a built site never has it): the page reloads once its own file changed, after an
// edit was published (the server says which version of the page this script came with, and
// which is there now: an edit's later stages that write the same page again reload nothing).
// The 404 page comes with no version: it reloads once its address has a page (an entry
// added, or one whose id an edit is giving back). Opened as a file (file://) there is no
// server to ask.
(function () {
  "use strict";
  if (location.protocol !== "http:" && location.protocol !== "https:") return;
  var script = document.currentScript;
  var served = script ? script.getAttribute("data-page") : null;
  var address = "/api/version?page=" + encodeURIComponent(location.pathname);
  function poll() {
    fetch(address, { cache: "no-store" })
      .then(function (response) {
        return response.json();
      })
      .then(
        function (body) {
          if (body.page !== served) return location.reload();
          setTimeout(poll, 500);
        },
        function () {
          setTimeout(poll, 2000); // the server restarting: ask again later
        },
      );
  }
  poll();
})();
