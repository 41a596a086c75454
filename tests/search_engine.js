// The site's search.js engine in Node, over an in-browser index on disk:
//   node tests/search_engine.js SITE_DIR < requests.json > answers.json
// requests: [{q, options}]; answers: [{total, ids (top 10), corrected, terms, facets}].
"use strict";
const fs = require("fs"), path = require("path"), vm = require("vm");
const site = process.argv[2];
const lib = require(path.resolve(process.argv[3] || path.join(site, "search.js")));
const registry = lib.createRegistry();
const context = vm.createContext({ policykbSearch: registry });
const engine = lib.createEngine(registry, (name) => {
  vm.runInContext(fs.readFileSync(path.join(site, "search/kb", name), "utf8"), context);
  return Promise.resolve();
});
(async () => {
  const requests = JSON.parse(fs.readFileSync(0, "utf8"));
  const out = [];
  for (const r of requests) {
    try {
      const result = await engine.search(r.q, r.options || {});
      const hits = await engine.describe(result.hits.slice(0, r.k || 10));
      out.push({ total: result.total, ids: hits.map((h) => h.id), corrected: result.corrected,
        terms: result.terms, facets: result.facets, snippets: hits.map((h) => h.snippet) });
    } catch (error) {
      out.push({ error: error.message });
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
