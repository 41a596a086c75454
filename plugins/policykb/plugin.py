"""The MkDocs integration: a thin layer over the library modules."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from . import exports, urls
from .config import PolicyKBConfig
from .diagnostics import ContentError, Diagnostic
from .linker import KnowledgeBase
from .pipeline import load_knowledge_base
from .render import Renderer
from .search import browser_index, whoosh_index
from .search.documents import build_documents
from .search.segment import Segmenter
from .site_config import apply_site_defaults, uses_directory_urls

log = logging.getLogger("mkdocs.plugins.policykb")

SHIM = "assets/policykb/iframe-worker-shim.js"


class PolicyKBPlugin(BasePlugin[PolicyKBConfig]):
    kb: KnowledgeBase | None = None
    # Set by build.py, which has already loaded and checked the knowledge base.
    preloaded: KnowledgeBase | None = None
    segmenter: Segmenter | None = None
    diagnostics: list[Diagnostic] = []

    @property
    def root(self) -> Path:
        return Path(self._config_file).parent

    @property
    def work_dir(self) -> Path:
        return self.root / self.config.work_dir

    # Runs before material/search (priority 0) so that it loads our user dictionary.
    @event_priority(100)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        self._config_file = config.config_file_path
        try:
            self.kb = self.preloaded or load_knowledge_base(self.root, strict=self.config.strict)
        except ContentError as exc:
            self.diagnostics = exc.diagnostics
            raise PluginError(
                f"the knowledge base has {len(exc.diagnostics)} error(s):\n{exc}"
            ) from None
        self.diagnostics = []
        self.segmenter = Segmenter.for_kb(self.kb)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        userdict = self.work_dir / "userdict.txt"
        userdict.write_text(self.segmenter.user_dictionary(), encoding="utf-8")
        apply_site_defaults(config, userdict=userdict, shim=SHIM, stylesheet=urls.STYLESHEET)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.kb:
            return None
        for file in list(files):
            # The entry files live in docs_dir but are data, not pages or assets.
            if file.src_uri.endswith((".yaml", ".yml")):
                files.remove(file)
        for page in Renderer(self.kb).pages():
            if files.get_file_from_path(page.path):
                raise PluginError(
                    f"{page.path} is generated from the knowledge base; "
                    "remove the hand-written file of that name"
                )
            content = browser_index.EXCLUDE_FROM_MATERIAL + page.markdown
            files.append(File.generated(config, page.path, content=content))
        assets = resources.files("policykb") / "assets"
        files.append(
            File.generated(config, urls.STYLESHEET, content=(assets / "policykb.css").read_bytes())
        )
        files.append(
            File.generated(
                config, SHIM, content=(assets / "vendor/iframe-worker/shim.js").read_bytes()
            )
        )
        return files

    # After material/search wrote its index (0), before material/offline inlines it (-100).
    @event_priority(-50)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.kb or not self.segmenter:
            return
        directory_urls = uses_directory_urls(config)
        site_dir = Path(config.site_dir)
        exports.write_entries_json(self.kb, site_dir, use_directory_urls=directory_urls)
        documents = build_documents(self.kb, self.segmenter)
        browser_index.add_to_material_index(site_dir, documents, use_directory_urls=directory_urls)
        whoosh_index.build(
            self.kb,
            self.work_dir / "index",
            use_directory_urls=directory_urls,
            segmenter=self.segmenter,
            documents=documents,
        )
        log.info(
            "policykb: %d entries, search index in %s",
            len(self.kb.entries),
            self.work_dir / "index",
        )
