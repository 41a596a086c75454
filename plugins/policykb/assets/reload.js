// Live reload, under `build.py serve` only (the server adds this script to the pages it
// serves; a built site never has it): the page reloads once the site's version moves on,
// after an edit was built. Opened as a file (file://) there is no server to ask.
(function () {
  "use strict";
  if (location.protocol !== "http:" && location.protocol !== "https:") return;
  var seen = null;
  function poll() {
    fetch("/api/version", { cache: "no-store" })
      .then(function (response) {
        return response.json();
      })
      .then(
        function (body) {
          if (seen === null) seen = body.version;
          if (body.version !== seen) return location.reload();
          setTimeout(poll, 500);
        },
        function () {
          setTimeout(poll, 2000); // the server restarting: ask again later
        },
      );
  }
  poll();
})();
