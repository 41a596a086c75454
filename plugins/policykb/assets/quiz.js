/* policykb quiz: scores a study pack's quiz in the browser, with no server and from file://.
 * Each item is a <fieldset class="kb-quiz__item" data-kb-type data-kb-answer='[…]'>; its feedback
 * (right answer, explanation, the rules it tests) is shown once the quiz is submitted. */
(function () {
  "use strict";

  function normalise(text) {
    // as the build normalises fill-in answers: Unicode NFKC, runs of whitespace as one space
    return String(text).normalize("NFKC").replace(/\s+/g, " ").trim();
  }

  function given(item) {
    var type = item.getAttribute("data-kb-type");
    if (type === "fill") {
      var input = item.querySelector(".kb-quiz__fill");
      return input && input.value.trim() ? [normalise(input.value)] : [];
    }
    return Array.prototype.map.call(item.querySelectorAll("input:checked"), function (i) {
      return i.value;
    });
  }

  function isRight(item, answer) {
    var chosen = given(item);
    var type = item.getAttribute("data-kb-type");
    if (type === "fill") return chosen.length === 1 && answer.indexOf(chosen[0]) >= 0;
    if (chosen.length !== answer.length) return false; // multiple: all or nothing
    return chosen.every(function (c) { return answer.indexOf(c) >= 0; });
  }

  function setUp(items) {
    var last = items[items.length - 1];
    var bar = document.createElement("div");
    bar.className = "kb-quiz__bar";
    var submit = document.createElement("button");
    submit.type = "button";
    submit.className = "md-button md-button--primary kb-quiz__submit";
    submit.textContent = "提交";
    var reset = document.createElement("button");
    reset.type = "button";
    reset.className = "md-button kb-quiz__reset";
    reset.textContent = "重做";
    var score = document.createElement("p");
    score.className = "kb-quiz__score";
    score.setAttribute("role", "status");
    score.setAttribute("aria-live", "polite");
    bar.appendChild(submit);
    bar.appendChild(reset);
    bar.appendChild(score);
    last.parentNode.insertBefore(bar, last.nextSibling);

    submit.addEventListener("click", function () {
      var scored = 0, right = 0;
      items.forEach(function (item) {
        var raw = item.getAttribute("data-kb-answer");
        var feedback = item.querySelector(".kb-quiz__feedback");
        item.classList.remove("kb-quiz__item--right", "kb-quiz__item--wrong");
        if (!raw) return;
        scored += 1;
        var ok = isRight(item, JSON.parse(raw));
        if (ok) right += 1;
        item.classList.add(ok ? "kb-quiz__item--right" : "kb-quiz__item--wrong");
        item.setAttribute("data-kb-result", ok ? "right" : "wrong");
        var verdict = item.querySelector(".kb-quiz__verdict");
        if (!verdict) {
          verdict = document.createElement("p");
          verdict.className = "kb-quiz__verdict";
          item.insertBefore(verdict, feedback);
        }
        verdict.textContent = ok ? "✓ 回答正确" : "✗ 回答错误";
        if (feedback) feedback.hidden = false;
      });
      score.textContent = scored
        ? "得分：" + right + " / " + scored + "（" + Math.round((100 * right) / scored) + " 分）"
        : "已提交。本测验的答案由培训教师掌握。";
    });

    reset.addEventListener("click", function () {
      items.forEach(function (item) {
        item.querySelectorAll("input").forEach(function (i) {
          if (i.type === "text") i.value = ""; else i.checked = false;
        });
        item.classList.remove("kb-quiz__item--right", "kb-quiz__item--wrong");
        item.removeAttribute("data-kb-result");
        var verdict = item.querySelector(".kb-quiz__verdict");
        if (verdict) verdict.remove();
        var feedback = item.querySelector(".kb-quiz__feedback");
        if (feedback) feedback.hidden = true;
      });
      score.textContent = "";
    });
  }

  function start() {
    var items = Array.prototype.slice.call(document.querySelectorAll(".kb-quiz__item"));
    if (items.length && !document.querySelector(".kb-quiz__bar")) setUp(items);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
