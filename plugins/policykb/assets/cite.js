/* policykb "复制引用": copies an entry's citation (built into data-kb-cite) and the page's
 * address. The Clipboard API exists only on https and localhost; an intranet on plain http
 * gets a selected text area copied with execCommand, and if even that is refused, the
 * citation stays shown and selected for Ctrl+C. */
(function () {
  "use strict";

  function address() {
    return location.href.split("#")[0];
  }

  function copyBySelection(box, text) {
    var area = box.querySelector("textarea");
    if (!area) {
      area = document.createElement("textarea");
      area.className = "kb-cite__text";
      area.readOnly = true;
      area.rows = 3;
      area.setAttribute("aria-label", "引用");
      box.appendChild(area);
    }
    area.value = text;
    area.focus();
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (e) {
      copied = false;
    }
    return copied;
  }

  function setUp(box) {
    // The button and its status line are this script's: a page without it has no use for them.
    box.innerHTML = '<button type="button" class="md-button kb-cite__button">复制引用</button>' +
      '<span class="kb-cite__status" role="status"></span>';
    var button = box.querySelector(".kb-cite__button");
    var status = box.querySelector(".kb-cite__status");
    button.addEventListener("click", function () {
      var text = box.getAttribute("data-kb-cite") + " " + address();
      var done = function () { status.textContent = "已复制"; };
      var manual = function () {
        if (copyBySelection(box, text)) done();
        else status.textContent = "请按 Ctrl+C 复制选中的引用";
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, manual);
      } else {
        manual();
      }
    });
    box.hidden = false; // only once there is a script to copy with
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-kb-cite]"), setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
