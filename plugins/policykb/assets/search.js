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
  function fnv1a(text) {
    var h = 0x811c9dc5;
    for (var ch of text) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0;
    return h;
  }

  function chars(text) { return Array.from(text); }

  // ---- engine ------------------------------------------------------------------------
  // The same steps as plugins/policykb/search/engine.py, in the same order and with the
  // same whole-number arithmetic: the server and this engine find the same documents in
  // the same order (tests/test_search_agreement.py). The constants come from meta.js.
  // loadScript(name) resolves once the file has run and called back into `registry`.
  function createEngine(registry, loadScript) {
    var loading = {};
    var decoded = {};
    var corrector = null;

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

    function known(term, m) {
      var shard = registry.data.shards[shardOf(term, m)];
      return !!shard && Object.prototype.hasOwnProperty.call(shard, term);
    }

    // A long list lives in its own file (p<N>.js): the shard has only its length.
    function isLong(term, m) { return typeof registry.data.shards[shardOf(term, m)][term] === "number"; }
    function longFile(term, m) { return "p" + (fnv1a(term) % m.long_shards) + ".js"; }

    function df(term, m) {
      var value = registry.data.shards[shardOf(term, m)][term];
      return typeof value === "number" ? value : postings(term, m).length / 2;
    }

    function isCommon(term, m) { return df(term, m) * 1000 > m.limits.common_per_mille * m.docs; }

    // Loads the long lists of these (known) terms.
    function loadLists(terms, m) {
      var files = {};
      terms.forEach(function (t) { if (known(t, m) && isLong(t, m)) files[longFile(t, m)] = true; });
      return Promise.all(Object.keys(files).map(load));
    }

    // A term's postings as [row, weight, row, weight, …] (see browser_index.encode).
    function postings(term, m) {
      if (decoded[term]) return decoded[term];
      var out = [];
      if (known(term, m)) {
        var text = registry.data.shards[shardOf(term, m)][term];
        if (typeof text === "number") text = registry.data.long[term];
        var digits = m.digits, previous = 0, value = 0, scale = 1, half = 0;
        for (var i = 0; i < text.length; i++) {
          var d = digits.indexOf(text.charAt(i));
          if (d >= 32) { value += (d - 32) * scale; scale *= 32; continue; }
          value += d * scale;
          if (half === 0) { previous += value; out.push(previous); } else out.push(value);
          half = 1 - half; value = 0; scale = 1;
        }
      }
      decoded[term] = out;
      return out;
    }

    function idf(df, n) { return Math.floor(1000 * Math.log(1 + (n - df + 0.5) / (df + 0.5)) + 0.5); }

    function normalise(text, m) {
      var q = chars(String(text || "").toLowerCase()).slice(0, m.limits.query_chars);
      return q.map(function (ch) { return m.foldTable[ch] || ch; });
    }

    function splitRuns(q, m) {
      var runs = [], run = [];
      q.forEach(function (ch) {
        if (m.limits.separators.indexOf(ch) >= 0) { if (run.length) runs.push(run); run = []; }
        else run.push(ch);
      });
      if (run.length) runs.push(run);
      return runs;
    }

    function pieces(run, m) {
      var out = [], i = 0;
      while (i < run.length) {
        for (var j = Math.min(run.length, i + m.limits.term_chars); j > i; j--) {
          var piece = run.slice(i, j).join("");
          if (j === i + 1 || known(piece, m)) { out.push(piece); i = j; break; }
        }
      }
      return out;
    }

    function parts(term, m) {
      var t = chars(term), n = t.length;
      if (n < 3) return [];
      var out = [], i = 0;
      while (i < n) {
        for (var j = Math.min(n, i + n - 1); j > i; j--) {
          var piece = t.slice(i, j).join("");
          if (j === i + 1 || known(piece, m)) { out.push(piece); i = j; break; }
        }
      }
      return out.every(function (p) { return chars(p).length > 1; }) ? out : [];
    }

    // Segments piece of text by piece of text (loading the shards of each one's
    // characters first), up to the cap on terms: the rest of a pasted page is not read.
    function analysed(text, m) {
      var q = normalise(text, m), runs = splitRuns(q, m), found = [], loose = 0;
      function from(r) {
        if (r >= runs.length || found.length >= m.limits.terms) return Promise.resolve();
        var needed = {};
        runs[r].forEach(function (ch) { needed[shardOf(ch, m)] = true; });
        return Promise.all(Object.keys(needed).map(function (n) { return load("s" + n + ".js"); })).then(function () {
          var list = pieces(runs[r], m);
          for (var k = 0; k < list.length && found.length < m.limits.terms; k++) {
            if (known(list[k], m)) { if (found.indexOf(list[k]) < 0) found.push(list[k]); } else loose++;
          }
          return from(r + 1);
        });
      }
      return from(0).then(function () { return finish(q, runs, found, loose, m); });
    }

    function finish(q, runs, found, loose, m) {
      var joined = q.join(""), terms = found, madeOf = {};
      terms.forEach(function (t) {
        var p = parts(t, m);
        if (p.length && (df(t, m) < m.limits.enough || !p.some(function (x) { return isCommon(x, m); }))) madeOf[t] = p;
      });
      return {
        text: joined, runs: runs.map(function (r) { return r.join(""); }),
        terms: terms, loose: loose, parts: madeOf,
        aliases: Object.keys(m.aliases).filter(function (a) { return joined.indexOf(a) >= 0; }),
      };
    }


    function scoredTerms(a, m) {
      var terms = a.terms;
      var base = terms.filter(function (t) { return chars(t).length > 1; });
      if (!base.length) base = terms;
      var rare = base.filter(function (t) { return !isCommon(t, m); });
      var used = rare.length ? terms.filter(function (t) { return !isCommon(t, m); }) : terms;
      var scored = [];
      used.concat.apply(used, used.map(function (t) { return a.parts[t] || []; })).forEach(function (t) {
        if (scored.indexOf(t) < 0) scored.push(t);
      });
      return { required: rare.length ? rare : base, scored: scored };
    }

    // Analysed, with the lists its ranking reads loaded.
    function ready(text, m) {
      return analysed(text, m).then(function (a) {
        return loadLists(scoredTerms(a, m).scored, m).then(function () { return a; });
      });
    }

    function findsNothing(terms, m) {
      var wanted = terms.filter(function (t) { return chars(t).length > 1; });
      if (!wanted.length) wanted = terms;
      var rare = wanted.filter(function (t) { return !isCommon(t, m); });
      if (rare.length) wanted = rare;
      if (!wanted.length) return true;
      var common = null;
      wanted.forEach(function (t) {
        var list = postings(t, m), here = {};
        for (var k = 0; k < list.length; k += 2) if (!common || common[list[k]]) here[list[k]] = true;
        common = here;
      });
      return Object.keys(common).length === 0;
    }

    function Corrector(lexicon) {
      var soundOf = {}, bySound = {}, byLength = {};
      Object.keys(lexicon.sounds).forEach(function (s) {
        chars(lexicon.sounds[s]).forEach(function (ch) { soundOf[ch] = s; });
      });
      function sound(text) {
        var out = [];
        for (var ch of text) { if (!soundOf[ch]) return null; out.push(soundOf[ch]); }
        return out.join(" ");
      }
      lexicon.glossary.forEach(function (word) {
        var key = sound(word);
        if (key !== null && !Object.prototype.hasOwnProperty.call(bySound, key)) bySound[key] = word;
        var n = chars(word).length;
        (byLength[n] = byLength[n] || []).push(word);
      });
      function fix(piece) {
        var key = sound(piece);
        if (key !== null && Object.prototype.hasOwnProperty.call(bySound, key)) return bySound[key];
        var p = chars(piece);
        if (p.length >= 3) {
          var words = byLength[p.length] || [];
          for (var w = 0; w < words.length; w++) {
            var c = chars(words[w]), diff = 0;
            for (var k = 0; k < c.length; k++) if (c[k] !== p[k]) diff++;
            if (diff === 1) return words[w];
          }
        }
        return null;
      }
      this.correct = function (runs, m) {
        var out = runs.map(function (text) {
          var run = chars(text), fixed = "", i = 0;
          while (i < run.length) {
            var done = false;
            for (var j = Math.min(run.length, i + m.limits.term_chars); j > i + 1; j--) {
              var piece = run.slice(i, j).join("");
              if (known(piece, m)) { fixed += piece; i = j; done = true; break; }
              var fixable = j - i <= m.limits.fix_chars &&
                !run.slice(i, j).every(function (ch) { return known(ch, m); });
              var word = fixable ? fix(piece) : null;
              if (word) { fixed += word; i = j; done = true; break; }
            }
            if (!done) { fixed += run[i]; i++; }
          }
          return fixed;
        }).join(" ");
        return out !== runs.join(" ") ? out : null;
      };
    }

    // The query searched: the typed one, or its correction when that one finds nothing.
    function chosen(text, m, options) {
      return ready(text, m).then(function (a) {
        var nothing = a.loose > 0 || findsNothing(a.terms, m);
        if (options.correct === false || !a.runs.length || !nothing || a.terms.length >= m.limits.terms) {
          return { analysed: a, corrected: null };
        }
        return load("x.js").then(function () {
          corrector = corrector || new Corrector(registry.data.lexicon);
          var fixed = corrector.correct(a.runs, m);
          if (fixed === null) return { analysed: a, corrected: null };
          return ready(fixed, m).then(function (again) {
            var better = again.loose < a.loose || findsNothing(a.terms, m);
            if (better && !findsNothing(again.terms, m)) return { analysed: again, corrected: again.runs.join(" ") };
            return { analysed: a, corrected: null };
          });
        });
      });
    }

    function rank(a, targets, ok, m) {
      var terms = a.terms, lists = {}, chosenTerms = scoredTerms(a, m);
      var scored = chosenTerms.scored, required = chosenTerms.required;
      scored.forEach(function (t) { lists[t] = postings(t, m); });
      function rowsOf(t) {
        var set = new Set(), list = lists[t];
        for (var k = 0; k < list.length; k += 2) set.add(list[k]);
        return set;
      }
      function holders(t) {
        var found = rowsOf(t), madeOf = a.parts[t];
        if (madeOf) {
          var common = rowsOf(madeOf[0]);
          madeOf.slice(1).forEach(function (p) {
            var next = rowsOf(p);
            common.forEach(function (row) { if (!next.has(row)) common.delete(row); });
          });
          common.forEach(function (row) { found.add(row); });
        }
        return found;
      }
      var multi = terms.filter(function (t) { return chars(t).length > 1; });
      var holding = {};
      required.forEach(function (t) { holding[t] = holders(t); });
      var count = new Map();
      required.forEach(function (t) {
        holding[t].forEach(function (row) {
          if (ok(row)) count.set(row, (count.get(row) || 0) + 1);
        });
      });
      var need = required.length, matched = new Set();
      count.forEach(function (c, row) { if (c === need) matched.add(row); });
      if (need > 1 && matched.size < m.limits.enough) {
        var least = need - Math.floor(need / 2);
        matched = new Set();
        count.forEach(function (c, row) { if (c >= least) matched.add(row); });
      }
      var links = {};
      targets.forEach(function (target) {
        if (ok(target[0])) matched.add(target[0]);
        var list = links[target[1]] = postings(target[1], m);
        for (var k = 0; k < list.length; k += 2) if (ok(list[k])) matched.add(list[k]);
      });
      var scores = new Map();
      matched.forEach(function (row) { scores.set(row, 0); });
      scored.forEach(function (t) {
        var weight = idf(lists[t].length / 2, m.docs), list = lists[t];
        var share = chars(t).length === 1 && multi.length ? m.limits.single_char_share : 1;
        for (var k = 0; k < list.length; k += 2) {
          if (scores.has(list[k])) scores.set(list[k], scores.get(list[k]) + Math.floor(weight * list[k + 1] / share));
        }
      });
      // the more of the required words a document holds, the higher
      scores.forEach(function (score, row) { scores.set(row, score * Math.max(1, count.get(row) || 0)); });
      Object.keys(links).forEach(function (link) {
        var list = links[link], weight = m.limits.alias_link_factor * idf(list.length / 2, m.docs);
        for (var k = 0; k < list.length; k += 2) {
          if (scores.has(list[k])) scores.set(list[k], scores.get(list[k]) + weight * list[k + 1]);
        }
      });
      targets.forEach(function (target) {
        if (scores.has(target[0])) scores.set(target[0], scores.get(target[0]) + m.limits.alias_score);
      });
      var rows = Array.from(scores.keys());
      rows.sort(function (x, y) { return scores.get(y) - scores.get(x) || x - y; });
      return { rows: rows, scores: scores, terms: scored };
    }

    // ---- what each document is (f.js): filters, facets, date order, as catalogue.py
    var FILTER_FACETS = { kind: "kind", problem: "problems", region: "region", year: "year",
      level: "level", issuer: "issuer", doctype: "doctype" };
    var FACETS = ["kind", "problems", "region", "year", "level", "issuer", "doctype"];

    function valuesOf(facet, row, m, facts) {
      if (facet === "kind") return [m.kindNames[m.kinds.charAt(row)]];
      if (facet === "problems") {
        if (!facts.problems.rows) facts.problems.rows = facts.problems.of.split(" ");
        return chars(facts.problems.rows[row]).map(function (c) { return facts.problems.values[c.codePointAt(0) - 48]; });
      }
      var f = facts[facet], v = f.values[f.codes.charCodeAt(row) - 48];
      return v ? [v] : [];
    }

    function problemId(name, m, facts) {
      var targets = m.aliases[name.toLowerCase()] || [];
      for (var k = 0; k < targets.length; k++) {
        if (targets[k][1].indexOf("@p:") === 0) return targets[k][1].slice(3);
      }
      if (facts && Object.prototype.hasOwnProperty.call(facts.problems.titles, name)) return name;
      throw new Error("unknown problem '" + name + "': give a problem id, title or alias");
    }

    function allowed(filters, m, facts) {
      var tests = Object.keys(FILTER_FACETS).filter(function (k) { return filters[k]; })
        .map(function (k) { return [FILTER_FACETS[k], k === "problem" ? problemId(filters[k], m, facts) : filters[k]]; });
      if (!tests.length) return function () { return true; };
      return function (row) {
        for (var k = 0; k < tests.length; k++) {
          var facet = tests[k][0], value = tests[k][1];
          if (facet === "region") {
            var region = facts.region.values[facts.region.codes.charCodeAt(row) - 48];
            if (region.indexOf(value) < 0) return false;
          } else if (valuesOf(facet, row, m, facts).indexOf(value) < 0) return false;
        }
        return true;
      };
    }

    function facetCounts(rows, m, facts) {
      var out = {};
      FACETS.forEach(function (facet) {
        var counts = {};
        rows.forEach(function (row) {
          valuesOf(facet, row, m, facts).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
        });
        var keys = Object.keys(counts).sort(function (x, y) {
          return counts[y] - counts[x] || (x < y ? -1 : x > y ? 1 : 0);
        });
        var sorted = {};
        keys.forEach(function (k) { sorted[k] = counts[k]; });
        out[facet] = sorted;
      });
      return out;
    }

    function byDate(rows, facts) {
      var d = facts.date;
      return rows.slice().sort(function (x, y) {
        var a = d.values[d.codes.charCodeAt(x) - 48], b = d.values[d.codes.charCodeAt(y) - 48];
        return a < b ? 1 : a > b ? -1 : 0;
      });
    }

    // options: kind, problem, region, year, level, issuer, doctype, sort ("date"),
    // correct (false: as typed), facets (true: count them; needs f.js).
    function search(query, options) {
      options = options || {};
      return meta().then(function (m) {
        prepare(m);
        var needsFacts = options.facets || options.sort === "date" ||
          Object.keys(FILTER_FACETS).some(function (k) { return k !== "kind" && options[k]; });
        return Promise.all([chosen(query, m, options), needsFacts ? load("f.js") : null]).then(function (both) {
          var choice = both[0], a = choice.analysed, facts = needsFacts ? registry.data.facts : null;
          var ok = allowed(options, m, facts);
          var targets = [];
          a.aliases.forEach(function (alias) { m.aliases[alias].forEach(function (t) { targets.push(t); }); });
          var needed = {};
          targets.forEach(function (t) { needed[shardOf(t[1], m)] = true; });
          return Promise.all(Object.keys(needed).map(function (n) { return load("s" + n + ".js"); })).then(function () {
            return loadLists(targets.map(function (t) { return t[1]; }), m);
          }).then(function () {
            var ranked = rank(a, targets, ok, m);
            var rows = options.sort === "date" ? byDate(ranked.rows, facts) : ranked.rows;
            return {
              total: rows.length, terms: ranked.terms, corrected: choice.corrected,
              hits: rows.map(function (row) { return { doc: row, score: ranked.scores.get(row) }; }),
              facets: options.facets ? facetCounts(ranked.rows, m, facts) : null,
              labels: facts ? { problems: facts.problems.titles } : { problems: {} },
            };
          });
        });
      });
    }

    function prepare(m) {
      if (m.foldTable) return;
      var aliases = {};
      Object.keys(m.aliases.names).forEach(function (name) {
        var at = m.aliases.names[name];
        aliases[name] = at ? at.split(" ").map(function (k) { return m.aliases.targets[Number(k)]; }) : [];
      });
      m.aliases = aliases;
      var fold = chars(m.fold), table = {};
      for (var k = 0; k + 1 < fold.length; k += 2) table[fold[k]] = fold[k + 1];
      m.foldTable = table;
      m.kindNames = {};
      Object.keys(m.kind_codes).forEach(function (kind) { m.kindNames[m.kind_codes[kind]] = kind; });
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
              region: row[3], date: row[4], snippet: row[5], level: row[6], issuer: row[7],
              doctype: row[8], status: row[9], score: h.score,
            };
          });
        });
      });
    }

    return { search: search, describe: describe };
  }

  function createRegistry() {
    var data = { meta: null, shards: {}, long: {}, docs: {}, facts: null, lexicon: null };
    return {
      data: data,
      meta: function (m) { data.meta = m; },
      shard: function (n, terms) { data.shards[n] = terms; },
      long: function (n, lists) { Object.keys(lists).forEach(function (t) { data.long[t] = lists[t]; }); },
      docs: function (n, rows) { data.docs[n] = rows; },
      facts: function (f) { data.facts = f; },
      lexicon: function (x) { data.lexicon = x; },
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

  // Where the query's terms occur in plain text: [start, end) pairs in order, longest
  // term first, never one inside another.
  function markRanges(text, terms) {
    var sorted = terms.filter(function (t) { return t && t.charAt(0) !== "@"; })
      .sort(function (a, b) { return b.length - a.length; });
    var marks = [];
    var lower = text.toLowerCase();
    sorted.forEach(function (t) {
      var from = 0, at;
      while ((at = lower.indexOf(t, from)) >= 0) {
        var end = at + t.length;
        if (!marks.some(function (m) { return at < m[1] && m[0] < end; })) marks.push([at, end]);
        from = end;
      }
    });
    return marks.sort(function (a, b) { return a[0] - b[0]; });
  }

  // Marks the query's terms in plain text, as HTML.
  function highlight(text, terms) {
    var out = "", last = 0;
    markRanges(text, terms).forEach(function (m) {
      out += escapeHtml(text.slice(last, m[0])) + "<mark>" + escapeHtml(text.slice(m[0], m[1])) + "</mark>";
      last = m[1];
    });
    return out + escapeHtml(text.slice(last));
  }

  // search.highlight, Material's feature done here (Material's needs its own search index,
  // which this site does not load): a hit's link carries the query's words as ?h=…, and
  // the page it opens marks them in its article. Words of one character would mark half
  // the page, so they are left out; the list is bounded, as anything read off a URL.
  var HIGHLIGHT = config.features.indexOf("search.highlight") >= 0;
  var MARK_WORDS = 8, MARK_WORD_CHARS = 32;
  function markable(terms) {
    var seen = {};
    return terms.filter(function (t) {
      var n = chars(t).length;
      if (t.charAt(0) === "@" || n < 2 || n > MARK_WORD_CHARS || seen[t]) return false;
      return (seen[t] = true);
    }).slice(0, MARK_WORDS);
  }

  function hitHref(hit, terms) {
    var href = base + "/" + hit.url;
    var words = HIGHLIGHT ? markable(terms) : [];
    return words.length ? href + "?h=" + encodeURIComponent(words.join(" ")) : href;
  }

  // Wraps the words of ?h= in <mark> in the article's text, with DOM nodes only (what
  // the URL says is never parsed as markup).
  function markArticle() {
    if (!HIGHLIGHT) return;
    var words = markable((new URLSearchParams(root.location.search).get("h") || "")
      .toLowerCase().split(/\s+/));
    var article = document.querySelector("article.md-content__inner");
    if (!words.length || !article) return;
    var skip = "script, style, mark, a.headerlink, [hidden], #kb-search-page";
    var walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        return node.parentNode.closest(skip) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      },
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var text = node.nodeValue, ranges = markRanges(text, words);
      if (!ranges.length) return;
      var parts = document.createDocumentFragment(), last = 0;
      ranges.forEach(function (m) {
        parts.appendChild(document.createTextNode(text.slice(last, m[0])));
        var mark = document.createElement("mark");
        mark.setAttribute("data-md-highlight", "");
        mark.textContent = text.slice(m[0], m[1]);
        parts.appendChild(mark);
        last = m[1];
      });
      parts.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(parts, node);
    });
  }

  // kind · region · date, and for rules and sources the level and the issuer
  function resultMeta(hit) {
    var parts = [KIND_LABELS[hit.kind] || hit.kind, hit.region, hit.date];
    if (hit.kind === "rule" || hit.kind === "source" || hit.kind === "negative") parts.push(hit.level, hit.issuer);
    else parts.push(hit.level);
    return parts.filter(Boolean).join(" · ");
  }

  function metaHtml(hit) {
    return escapeHtml(resultMeta(hit)) +
      (hit.status ? ' <span class="kb-status">' + escapeHtml(hit.status) + "</span>" : "");
  }

  function snippetOf(hit, terms) {
    return hit.snippetHtml || highlight(hit.snippet || "", terms);
  }

  // 已显示"形式主义"的结果，仍搜索"形式主意" (a link that searches what was typed)
  function correctedHtml(corrected, typed, href) {
    return '已显示"' + escapeHtml(corrected) + '"的结果，<a class="kb-exact" href="' + escapeHtml(href) +
      '">仍搜索"' + escapeHtml(typed) + '"</a>';
  }

  // A hit in the header's drop-down, in Material's markup so that its styles apply.
  function dropdownItem(hit, terms) {
    return '<li class="md-search-result__item kb-hit" data-kb-id="' + escapeHtml(hit.id) + '">' +
      '<a href="' + escapeHtml(hitHref(hit, terms)) + '" class="md-search-result__link" tabindex="-1">' +
      '<article class="md-search-result__article md-typeset">' +
      '<div class="md-search-result__icon md-icon"></div>' +
      "<h1>" + highlight(hit.title, terms) + "</h1>" +
      '<p class="kb-hit__meta">' + metaHtml(hit) + "</p>" +
      '<p class="kb-hit__snippet">' + snippetOf(hit, terms) + "</p></article></a></li>";
  }

  // A hit on the search page.
  function pageItem(hit, terms) {
    return '<li class="kb-hit" data-kb-id="' + escapeHtml(hit.id) + '">' +
      '<a class="kb-hit__title" href="' + escapeHtml(hitHref(hit, terms)) + '">' +
      highlight(hit.title, terms) + "</a>" +
      '<span class="kb-hit__meta">' + metaHtml(hit) + "</span>" +
      '<p class="kb-hit__snippet">' + snippetOf(hit, terms) + "</p></li>";
  }

  function searchPageUrl(query, exact) {
    return base + "/" + settings.search_page + "?q=" + encodeURIComponent(query) + (exact ? "&correct=0" : "");
  }

  // Header box: the first results as you type, Enter opens the search page.
  function bindHeader() {
    var box = document.querySelector("[data-kb-search]");
    if (!box) return;
    var toggle = document.getElementById("__search");
    // The results area, Material's markup: added here rather than carried by every page.
    box.querySelector(".md-search__inner").insertAdjacentHTML("beforeend",
      '<div class="md-search__output"><div class="md-search__scrollwrap" tabindex="0">' +
      '<div class="md-search-result"><div class="md-search-result__meta">键入以开始搜索</div>' +
      '<ol class="md-search-result__list" role="presentation"></ol></div></div></div>');
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
          var count = result.total ? "找到 " + result.total + " 个符合条件的结果" : "没有找到符合条件的结果";
          if (result.corrected) meta.innerHTML = correctedHtml(result.corrected, query.trim(), searchPageUrl(query.trim(), true)) + "，" + count;
          else meta.textContent = count;
          box.setAttribute("data-kb-rendered", query);
          list.innerHTML = hits.map(function (h) { return dropdownItem(h, result.terms); }).join("") +
            (result.total > hits.length ? '<li class="md-search-result__item"><a class="md-search-result__link kb-more" href="' +
              escapeHtml(searchPageUrl(query.trim())) + '"><article class="md-search-result__article md-typeset"><p>查看全部 ' +
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
    // Material's own keyboard handling takes Enter in its search box for the focused
    // result; here Enter always opens the search page with everything found.
    function open(event) {
      event.preventDefault();
      event.stopImmediatePropagation();
      if (input.value.trim()) root.location.href = searchPageUrl(input.value.trim());
    }
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { if (toggle) toggle.checked = false; input.blur(); }
      if (event.key === "Enter" && !event.isComposing) open(event);
    }, true);
    form.addEventListener("submit", open);
    form.addEventListener("reset", function () { setTimeout(run, 0); });
  }

  var FACET_NAMES = { kind: "类型", problems: "问题", region: "地区", year: "年份", level: "层级", issuer: "发文机关", doctype: "文种" };
  var FACET_PARAMS = { kind: "kind", problems: "problem", region: "region", year: "year", level: "level", issuer: "issuer", doctype: "doctype" };
  var FILTERS = ["kind", "problem", "region", "year", "level", "issuer", "doctype"];
  var PAGE_SIZE = 20;

  // Search page: all results, facets, filters and date order; from the search server
  // when `build.py serve` is there, else from the in-browser index (the same results).
  function bindPage() {
    var page = document.getElementById("kb-search-page");
    if (!page) return;
    var params = new URLSearchParams(root.location.search);
    var state = { q: params.get("q") || "", sort: params.get("sort") === "date" ? "date" : "",
      exact: params.get("correct") === "0", shown: PAGE_SIZE };
    FILTERS.forEach(function (k) { state[k] = params.get(k) || ""; });
    page.innerHTML =
      '<form class="kb-search-form"><input type="search" name="q" class="kb-search-input" aria-label="搜索" ' +
      'placeholder="搜索条款、负面清单、问题、对策、案例" autocomplete="off"><button type="submit" class="md-button md-button--primary">搜索</button></form>' +
      '<p class="kb-search-status" aria-live="polite"></p>' +
      '<p class="kb-sort" hidden>排序：<button type="button" class="kb-chip" data-sort="">相关度</button>' +
      '<button type="button" class="kb-chip" data-sort="date">日期（新→旧）</button></p>' +
      '<details class="kb-facets-box" hidden><summary>筛选</summary><div class="kb-facets"></div></details>' +
      '<ol class="kb-results"></ol><p><button type="button" class="md-button kb-more-results" hidden>显示更多</button></p>';
    var input = page.querySelector("input");
    var status = page.querySelector(".kb-search-status");
    var sort = page.querySelector(".kb-sort");
    var facets = page.querySelector(".kb-facets");
    // On a phone the filters fold away under 筛选: the first hit stays on the first screen
    var facetsBox = page.querySelector(".kb-facets-box");
    facetsBox.open = !(root.matchMedia && root.matchMedia("(max-width: 44.9375em)").matches);
    var results = page.querySelector(".kb-results");
    var more = page.querySelector(".kb-more-results");
    input.value = state.q;

    function filters() {
      return FILTERS.filter(function (k) { return state[k]; });
    }

    function serverSearch() {
      if (!/^https?:$/.test(root.location.protocol)) return Promise.reject(new Error("no server"));
      var query = new URLSearchParams({ q: state.q, per_page: "50" });
      filters().forEach(function (k) { query.set(k, state[k]); });
      if (state.sort) query.set("sort", state.sort);
      if (state.exact) query.set("correct", "0");
      // the API gives at most 50 a page: the pages up to what is shown
      var pages = [];
      for (var n = 1; n <= Math.ceil(state.shown / 50); n++) {
        query.set("page", String(n));
        pages.push(fetchJson(base + "/api/search?" + query.toString()));
      }
      return Promise.all(pages).then(function (bodies) {
        var body = bodies[0];
        body.hits = [].concat.apply([], bodies.map(function (b) { return b.hits; })).slice(0, state.shown);
        return body;
      });
    }

    function fetchJson(url) {
      return fetch(url).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") !== 0) throw new Error("no server");
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || "search failed");
          return body;
        });
      });
    }

    function browserSearch() {
      var options = { facets: true, sort: state.sort, correct: !state.exact };
      filters().forEach(function (k) { options[k] = state[k]; });
      return engine.search(state.q, options).then(function (result) {
        return engine.describe(result.hits.slice(0, state.shown)).then(function (hits) {
          return { total: result.total, hits: hits, terms: result.terms, corrected: result.corrected,
            facets: result.facets, labels: result.labels };
        });
      });
    }

    function label(facet, key, body) {
      if (facet === "kind") return KIND_LABELS[key] || key;
      if (facet === "problems") return (body.labels && body.labels.problems[key]) || key;
      return key;
    }

    function renderFacets(body) {
      var html = filters().map(function (k) {
        var facet = k === "problem" ? "problems" : k;
        return '<button type="button" class="kb-chip kb-chip--on" data-clear="' + k + '">' +
          escapeHtml(FACET_NAMES[facet] + "：" + label(facet, state[k], body)) + " ✕</button>";
      }).join("");
      Object.keys(FACET_NAMES).forEach(function (facet) {
        var counts = body.facets[facet] || {};
        var keys = Object.keys(counts).slice(0, 12);
        if (!keys.length || state[FACET_PARAMS[facet]]) return;
        html += '<div class="kb-facet"><span class="kb-facet__name">' + FACET_NAMES[facet] + "</span>" +
          keys.map(function (key) {
            return '<button type="button" class="kb-chip" data-set="' + FACET_PARAMS[facet] + '" data-value="' +
              escapeHtml(key) + '">' + escapeHtml(label(facet, key, body)) + " <small>" + counts[key] + "</small></button>";
          }).join("") + "</div>";
      });
      facets.innerHTML = html;
      facetsBox.hidden = !html;
    }

    function render(body, source) {
      page.setAttribute("data-source", source);
      renderFacets(body);
      var count = body.total ? "找到 " + body.total + " 个结果" : "没有找到符合条件的结果";
      if (body.corrected) {
        var exact = new URLSearchParams(root.location.search);
        exact.set("correct", "0");
        status.innerHTML = correctedHtml(body.corrected, state.q, "?" + exact.toString()) + "。" + escapeHtml(count);
      } else status.textContent = count;
      sort.hidden = !body.total;
      sort.querySelectorAll("button").forEach(function (b) {
        b.classList.toggle("kb-chip--on", b.dataset.sort === state.sort);
        b.setAttribute("aria-pressed", String(b.dataset.sort === state.sort));
      });
      results.innerHTML = body.hits.map(function (h) {
        return pageItem(source === "server" ? Object.assign({}, h, { snippetHtml: h.snippet }) : h, body.terms || []);
      }).join("");
      // only when there is more to show
      more.hidden = !(body.total > body.hits.length);
      page.setAttribute("data-kb-rendered", state.q);
    }

    function run() {
      if (!state.q.trim()) {
        status.textContent = "输入关键词，例如：督检考、千分制、多考合一、兰州 考核";
        results.innerHTML = "";
        facets.innerHTML = "";
        facetsBox.hidden = true;
        sort.hidden = true;
        more.hidden = true;
        return;
      }
      status.textContent = "正在搜索…";
      serverSearch().then(function (body) { render(body, "server"); }, function () {
        return browserSearch().then(function (body) { render(body, "browser"); });
      }).catch(function (error) {
        status.textContent = "搜索失败：" + error.message;
        more.hidden = true;
      });
    }

    function update() {
      var query = new URLSearchParams();
      ["q"].concat(FILTERS).forEach(function (k) { if (state[k]) query.set(k, state[k]); });
      if (state.sort) query.set("sort", state.sort);
      if (state.exact) query.set("correct", "0");
      root.history.replaceState(null, "", "?" + query.toString());
      run();
    }

    page.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      state.q = input.value.trim();
      state.shown = PAGE_SIZE;
      state.exact = false;
      update();
    });
    facets.addEventListener("click", function (event) {
      var chip = event.target.closest("button");
      if (!chip) return;
      if (chip.dataset.clear) state[chip.dataset.clear] = "";
      else state[chip.dataset.set] = chip.dataset.value;
      state.shown = PAGE_SIZE;
      update();
    });
    sort.addEventListener("click", function (event) {
      var chip = event.target.closest("button");
      if (!chip) return;
      state.sort = chip.dataset.sort;
      state.shown = PAGE_SIZE;
      update();
    });
    more.addEventListener("click", function () { state.shown += PAGE_SIZE; run(); });
    run();
  }

  bindHeader();
  bindPage();
  markArticle();
})(typeof window !== "undefined" ? window : this);
