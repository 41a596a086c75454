/* 减负知识库 search: the in-browser index (search/kb/*.js, loaded on demand with <script>
 * tags, so it works from a web server and from file://) and, on the search page, the
 * server's /api/search with facets when `build.py serve` is there.
 *
 * The engine part (createEngine) touches no DOM: bench/ runs the same code in Node. */
(function (root) {
  "use strict";

  var KIND_LABELS = {
    source: "来源文件", rule: "条款", negative: "负面清单",
    problem: "问题类型", remedy: "对策措施", case: "案例", compilation: "汇编", study: "学习材料",
  };
  var MAX_TERM = 12; // longest term looked up, in characters
  var MAX_QUERY = 200; // characters of a query that are used
  var SPLIT = /[\s\u3000，。、；：！？,.;:!?"'“”‘’（）()《》〈〉【】[\]{}<>|/\\*+=~`^&%$#@_-]+/;

  function fnv1a(text) {
    var h = 0x811c9dc5;
    for (var ch of text) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0;
    return h;
  }

  function chars(text) { return Array.from(text); }

  // ---- engine ------------------------------------------------------------------------
  // loadScript(name) resolves once the file has run and called back into `registry`.
  function createEngine(registry, loadScript) {
    var loading = {};

    function load(name) {
      if (!loading[name]) loading[name] = loadScript(name);
      return loading[name];
    }

    function meta() {
      return load("meta.js").then(function () { return registry.data.meta; });
    }

    function shardOf(term, m) {
      return fnv1a(term.charAt(0) === "@" ? term : chars(term)[0]) % m.shards;
    }

    function postings(term, m) {
      var shard = registry.data.shards[shardOf(term, m)];
      return shard && Object.prototype.hasOwnProperty.call(shard, term) ? shard[term] : null;
    }

    function idf(df, n) { return Math.log(1 + (n - df + 0.5) / (df + 0.5)); }

    function search(query, options) {
      options = options || {};
      var q = String(query || "").toLowerCase().trim().slice(0, MAX_QUERY);
      var runs = q.split(SPLIT).filter(Boolean).map(chars);
      if (!runs.length) return Promise.resolve({ total: 0, hits: [], terms: [] });
      return meta().then(function (m) {
        var aliases = Object.keys(m.aliases).filter(function (a) { return q.indexOf(a) >= 0; });
        var needed = {};
        runs.forEach(function (run) {
          run.forEach(function (ch) { needed[shardOf(ch, m)] = true; });
        });
        aliases.forEach(function (a) {
          m.aliases[a].forEach(function (t) { needed[shardOf(t[1], m)] = true; });
        });
        return Promise.all(Object.keys(needed).map(function (n) {
          return load("s" + n + ".js");
        })).then(function () { return rank(m, runs, aliases, options); });
      });
    }

    function rank(m, runs, aliases, options) {
      // Candidate terms: every substring of the query that the index knows. Segments and
      // their subwords were indexed, so 督查检查考核 finds 督查检查考核, 督查, 检查, 考核.
      var candidates = [];
      var width = 0;
      runs.forEach(function (run, r) {
        for (var i = 0; i < run.length; i++) {
          for (var j = i + 1; j <= Math.min(run.length, i + MAX_TERM); j++) {
            var term = run.slice(i, j).join("");
            if (postings(term, m)) candidates.push({ term: term, run: r, start: i, end: j });
          }
        }
        width += run.length;
      });
      // A single character counts only where no longer term covers it: 多考合一 is one
      // word, not 多 + 考 + 合一.
      candidates = candidates.filter(function (c) {
        return c.end - c.start > 1 || !candidates.some(function (o) {
          return o.run === c.run && o.end - o.start > 1 && o.start <= c.start && c.end <= o.end;
        });
      });
      var scores = {};
      var covered = {};
      function credit(doc, amount, positions) {
        scores[doc] = (scores[doc] || 0) + amount;
        var set = covered[doc] || (covered[doc] = {});
        positions.forEach(function (p) { set[p] = true; });
      }
      var byTerm = {};
      candidates.forEach(function (c) {
        var spans = byTerm[c.term] || (byTerm[c.term] = []);
        for (var p = c.start; p < c.end; p++) spans.push(c.run + ":" + p);
      });
      Object.keys(byTerm).forEach(function (term) {
        var list = postings(term, m);
        var weight = idf(list[0], m.docs);
        for (var k = 1, doc = 0; k < list.length; k += 2) {
          doc += list[k];
          credit(doc, weight * list[k + 1] / 10, byTerm[term]);
        }
      });
      // 督检考 names a problem: the problem first, then what links to it.
      aliases.forEach(function (alias) {
        var positions = [];
        runs.forEach(function (run, r) {
          var at = run.join("").indexOf(alias);
          if (at >= 0) for (var p = 0; p < chars(alias).length; p++) positions.push(r + ":" + (at + p));
        });
        m.aliases[alias].forEach(function (target) {
          credit(target[0], 40, positions);
          var list = postings(target[1], m);
          if (!list) return;
          var weight = 2 * idf(list[0], m.docs);
          for (var k = 1, doc = 0; k < list.length; k += 2) {
            doc += list[k];
            credit(doc, weight, positions);
          }
        });
      });
      var code = options.kind ? m.kind_codes[options.kind] : null;
      var hits = Object.keys(scores).filter(function (doc) {
        return !code || m.kinds.charAt(Number(doc)) === code;
      }).map(function (doc) {
        var share = Object.keys(covered[doc]).length / width;
        return { doc: Number(doc), score: scores[doc] * share * share };
      });
      hits.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
      return { total: hits.length, hits: hits, terms: Object.keys(byTerm).concat(aliases) };
    }

    // Titles, URLs and snippets of hits (loads only the chunks they are in).
    function describe(hits) {
      return meta().then(function (m) {
        var chunks = {};
        hits.forEach(function (h) { chunks[Math.floor(h.doc / m.chunk)] = true; });
        return Promise.all(Object.keys(chunks).map(function (n) {
          return load("d" + n + ".js");
        })).then(function () {
          return hits.map(function (h) {
            var row = registry.data.docs[Math.floor(h.doc / m.chunk)][h.doc % m.chunk];
            return {
              id: row[0], kind: row[1], title: row[2], url: m.folders[row[1]] + row[0] + m.suffix,
              region: row[3], year: row[4], snippet: row[5], score: h.score,
            };
          });
        });
      });
    }

    return { search: search, describe: describe };
  }

  function createRegistry() {
    var data = { meta: null, shards: {}, docs: {} };
    return {
      data: data,
      meta: function (m) { data.meta = m; },
      shard: function (n, terms) { data.shards[n] = terms; },
      docs: function (n, rows) { data.docs[n] = rows; },
    };
  }

  if (typeof module === "object" && module.exports) {
    module.exports = { createEngine: createEngine, createRegistry: createRegistry, fnv1a: fnv1a };
  }
  if (typeof document === "undefined") return;

  // ---- page --------------------------------------------------------------------------
  var registry = (root.policykbSearch = createRegistry());
  var config = JSON.parse(document.getElementById("__config").textContent);
  var base = config.base.replace(/\/$/, "") || ".";
  var settings = JSON.parse(document.getElementById("policykb-config").textContent);

  var engine = createEngine(registry, function (name) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = base + "/" + settings.index + name;
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error("cannot load " + script.src)); };
      document.head.appendChild(script);
    });
  });

  // For integrations and the benchmark: policykbSearch.engine.search(q).then(…)
  registry.engine = engine;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // Marks the query's terms in plain text (longest first, never inside another mark).
  function highlight(text, terms) {
    var sorted = terms.filter(function (t) { return t && t.charAt(0) !== "@"; })
      .sort(function (a, b) { return b.length - a.length; });
    var marks = [];
    sorted.forEach(function (t) {
      var from = 0, at;
      var lower = text.toLowerCase();
      while ((at = lower.indexOf(t, from)) >= 0) {
        var end = at + t.length;
        if (!marks.some(function (m) { return at < m[1] && m[0] < end; })) marks.push([at, end]);
        from = end;
      }
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var out = "", last = 0;
    marks.forEach(function (m) {
      out += escapeHtml(text.slice(last, m[0])) + "<mark>" + escapeHtml(text.slice(m[0], m[1])) + "</mark>";
      last = m[1];
    });
    return out + escapeHtml(text.slice(last));
  }

  function resultMeta(hit) {
    return [KIND_LABELS[hit.kind] || hit.kind, hit.region, hit.year].filter(Boolean).join(" · ");
  }

  function snippetOf(hit, terms) {
    return hit.snippetHtml || highlight(hit.snippet || "", terms);
  }

  // A hit in the header's drop-down, in Material's markup so that its styles apply.
  function dropdownItem(hit, terms) {
    return '<li class="md-search-result__item kb-hit" data-kb-id="' + escapeHtml(hit.id) + '">' +
      '<a href="' + escapeHtml(base + "/" + hit.url) + '" class="md-search-result__link" tabindex="-1">' +
      '<article class="md-search-result__article md-typeset">' +
      '<div class="md-search-result__icon md-icon"></div>' +
      "<h1>" + highlight(hit.title, terms) + "</h1>" +
      '<p class="kb-hit__meta">' + escapeHtml(resultMeta(hit)) + "</p>" +
      "<p>" + snippetOf(hit, terms) + "</p></article></a></li>";
  }

  // A hit on the search page.
  function pageItem(hit, terms) {
    return '<li class="kb-hit" data-kb-id="' + escapeHtml(hit.id) + '">' +
      '<a class="kb-hit__title" href="' + escapeHtml(base + "/" + hit.url) + '">' +
      highlight(hit.title, terms) + "</a>" +
      '<span class="kb-hit__meta">' + escapeHtml(resultMeta(hit)) + "</span>" +
      '<p class="kb-hit__snippet">' + snippetOf(hit, terms) + "</p></li>";
  }

  function searchPageUrl(query) {
    return base + "/" + settings.search_page + "?q=" + encodeURIComponent(query);
  }

  // Header box: the first results as you type, Enter opens the search page.
  function bindHeader() {
    var box = document.querySelector("[data-kb-search]");
    if (!box) return;
    var toggle = document.getElementById("__search");
    var input = box.querySelector("input");
    var meta = box.querySelector(".md-search-result__meta");
    var list = box.querySelector(".md-search-result__list");
    var form = box.querySelector("form");
    var pending = 0;
    function run() {
      var query = input.value;
      var ticket = ++pending;
      if (!query.trim()) {
        meta.textContent = "键入以开始搜索";
        list.innerHTML = "";
        return;
      }
      engine.search(query).then(function (result) {
        return engine.describe(result.hits.slice(0, 8)).then(function (hits) {
          if (ticket !== pending) return;
          meta.textContent = result.total ? "找到 " + result.total + " 个符合条件的结果" : "没有找到符合条件的结果";
          box.setAttribute("data-kb-rendered", query);
          list.innerHTML = hits.map(function (h) { return dropdownItem(h, result.terms); }).join("") +
            (result.total > hits.length ? '<li class="md-search-result__item"><a class="md-search-result__link kb-more" href="' +
              escapeHtml(searchPageUrl(query)) + '"><article class="md-search-result__article md-typeset"><p>查看全部 ' +
              result.total + " 个结果 →</p></article></a></li>" : "");
        });
      }).catch(function (error) {
        meta.textContent = "搜索索引加载失败：" + error.message;
      });
    }
    var timer;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    input.addEventListener("focus", function () { if (toggle) toggle.checked = true; });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { if (toggle) toggle.checked = false; input.blur(); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (input.value.trim()) root.location.href = searchPageUrl(input.value.trim());
    });
    form.addEventListener("reset", function () { setTimeout(run, 0); });
  }

  // Search page: all results; facets and filters when the search server answers.
  function bindPage() {
    var page = document.getElementById("kb-search-page");
    if (!page) return;
    var params = new URLSearchParams(root.location.search);
    var state = {
      q: params.get("q") || "", kind: params.get("kind") || "", problem: params.get("problem") || "",
      region: params.get("region") || "", year: params.get("year") || "", shown: 20,
    };
    page.innerHTML =
      '<form class="kb-search-form"><input type="search" name="q" class="kb-search-input" ' +
      'placeholder="搜索条款、负面清单、问题、对策、案例" autocomplete="off"><button type="submit" class="md-button md-button--primary">搜索</button></form>' +
      '<p class="kb-search-status" aria-live="polite"></p><div class="kb-facets"></div>' +
      '<ol class="kb-results"></ol><p><button type="button" class="md-button kb-more-results" hidden>显示更多</button></p>';
    var input = page.querySelector("input");
    var status = page.querySelector(".kb-search-status");
    var facets = page.querySelector(".kb-facets");
    var results = page.querySelector(".kb-results");
    var more = page.querySelector(".kb-more-results");
    input.value = state.q;

    function filters() {
      return ["kind", "problem", "region", "year"].filter(function (k) { return state[k]; });
    }

    function serverSearch() {
      if (!/^https?:$/.test(root.location.protocol)) return Promise.reject(new Error("no server"));
      var query = new URLSearchParams({ q: state.q, per_page: String(state.shown) });
      filters().forEach(function (k) { query.set(k, state[k]); });
      return fetch(base + "/api/search?" + query.toString()).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") !== 0) throw new Error("no server");
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || "search failed");
          return body;
        });
      });
    }

    function renderFacets(body) {
      var names = { kind: "类型", problems: "问题", region: "地区", year: "年份" };
      var param = { kind: "kind", problems: "problem", region: "region", year: "year" };
      var html = filters().map(function (k) {
        return '<button type="button" class="kb-chip kb-chip--on" data-clear="' + k + '">' +
          escapeHtml(k === "kind" ? KIND_LABELS[state[k]] : (body.labels && body.labels.problems[state[k]]) || state[k]) + " ✕</button>";
      }).join("");
      Object.keys(names).forEach(function (facet) {
        var counts = body.facets[facet] || {};
        var keys = Object.keys(counts).slice(0, 12);
        if (!keys.length || state[param[facet]]) return;
        html += '<div class="kb-facet"><span class="kb-facet__name">' + names[facet] + "</span>" +
          keys.map(function (key) {
            var label = facet === "kind" ? KIND_LABELS[key] : facet === "problems" ?
              (body.labels && body.labels.problems[key]) || key : key;
            return '<button type="button" class="kb-chip" data-set="' + param[facet] + '" data-value="' +
              escapeHtml(key) + '">' + escapeHtml(label) + " <small>" + counts[key] + "</small></button>";
          }).join("") + "</div>";
      });
      facets.innerHTML = html;
    }

    function run() {
      if (!state.q.trim()) {
        status.textContent = "输入关键词，例如：督检考、千分制、多考合一、兰州 考核";
        results.innerHTML = "";
        return;
      }
      status.textContent = "正在搜索…";
      serverSearch().then(function (body) {
        renderFacets(body);
        status.textContent = "找到 " + body.total + " 个结果（服务器检索）";
        page.setAttribute("data-source", "server");
        results.innerHTML = body.hits.map(function (h) {
          return pageItem({ id: h.id, kind: h.kind, title: h.title, url: h.url, snippetHtml: h.snippet }, []);
        }).join("");
        more.hidden = body.total <= body.hits.length;
      }).catch(function () {
        facets.innerHTML = "";
        page.setAttribute("data-source", "browser");
        engine.search(state.q, { kind: state.kind }).then(function (result) {
          return engine.describe(result.hits.slice(0, state.shown)).then(function (described) {
            return { total: result.total, described: described, terms: result.terms };
          });
        }).then(function (r) {
          status.textContent = r.total ? "找到 " + r.total + " 个结果" : "没有找到符合条件的结果";
          results.innerHTML = r.described.map(function (h) { return pageItem(h, r.terms); }).join("");
          more.hidden = r.total <= r.described.length;
        }).catch(function (error) {
          status.textContent = "搜索索引加载失败：" + error.message;
        });
      });
    }

    function update() {
      var query = new URLSearchParams();
      ["q", "kind", "problem", "region", "year"].forEach(function (k) { if (state[k]) query.set(k, state[k]); });
      root.history.replaceState(null, "", "?" + query.toString());
      run();
    }

    page.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      state.q = input.value.trim();
      state.shown = 20;
      update();
    });
    facets.addEventListener("click", function (event) {
      var chip = event.target.closest("button");
      if (!chip) return;
      if (chip.dataset.clear) state[chip.dataset.clear] = "";
      else state[chip.dataset.set] = chip.dataset.value;
      state.shown = 20;
      update();
    });
    more.addEventListener("click", function () { state.shown += 20; run(); });
    run();
  }

  bindHeader();
  bindPage();
})(typeof window !== "undefined" ? window : this);
