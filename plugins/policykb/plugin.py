"""The MkDocs integration: a thin layer over the library modules."""

from __future__ import annotations

import logging
import posixpath
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from importlib import resources
from pathlib import Path

from jinja2 import pass_context
from jinja2.runtime import Context
from mkdocs.commands.build import _populate_page
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from . import (
    citation,
    csp,
    htmlblocks,
    htmlsize,
    order,
    pinyin,
    progress,
    sanitize,
    translations,
    urls,
)
from .cache import Cache, template_cache
from .config import PolicyKBConfig
from .contentfiles import top_folders
from .diagnostics import ContentError, Diagnostic
from .generated_render import GeneratedPages
from .kinds import KINDS
from .linker import KnowledgeBase
from .page_inputs import Checked
from .pipeline import CACHE_FOLDER, load_knowledge_base
from .publish import publications
from .render import PAGE_SOURCES, Renderer
from .render import Page as PageSource
from .search import browser_index, whoosh_index
from .search.documents import DOCUMENTS, SearchDocument, build_documents
from .search.segment import Segmenter
from .site_config import apply_site_defaults, uses_directory_urls
from .site_output import OutputState, SiteOutput, TrackedFile

log = logging.getLogger("mkdocs.plugins.policykb")

ASSETS = {  # site path → file in the package's assets/
    urls.STYLESHEET: "policykb.css",
    urls.SEARCH_SCRIPT: "search.js",
    urls.QUIZ_SCRIPT: "quiz.js",
    urls.CITE_SCRIPT: "cite.js",
    # Material's inline scripts, as files (theme/partials/javascripts/)
    "assets/policykb/material-content.js": "material/content.js",
}
MATERIAL_SEARCH = ("assets/javascripts/lunr/", "assets/javascripts/workers/")
THEME = str(resources.files("policykb") / "theme")  # our overrides of Material's templates
# Generated pages stay out of Material's own search index: their documents are
# segmented once, by us, for the whoosh index and the in-browser index alike.
EXCLUDE_FROM_MATERIAL = "---\nsearch:\n  exclude: true\n---\n\n"


def _in_theme(file: File) -> bool:
    return (file.abs_src_path or "").startswith(THEME)


class PolicyKBPlugin(BasePlugin[PolicyKBConfig]):
    kb: KnowledgeBase | None = None
    # Set by build.py, which has already loaded and checked the knowledge base.
    preloaded: KnowledgeBase | None = None
    segmenter: Segmenter | None = None
    documents: list[SearchDocument] = []
    term_counts: Counter[str] | None = None  # serve: documents per term (live._term_counts)
    checked: Checked | None = None  # every page's inputs, as the last pass over them found
    # Set by Project for `build.py serve`, whose edits cut text with the same segmenter.
    keep_segmenter = False
    diagnostics: list[Diagnostic] = []
    _pages_started: tuple[float, float] | None = None
    nav_titled: set[str] = set()
    active_index: Page | None = None  # the index page made active for the entry page being written
    # Set by Project.build: what the site being built over holds (empty: build everything).
    previous_output: OutputState | None = None
    output: SiteOutput | None = None
    # src_uri → the HTML blocks of a generated page, from its Markdown until its HTML is made
    _html_blocks: dict[str, list[str]]
    # (name, key) → a part of the theme the same on many entry pages (same_on_entry_pages)
    _same_parts: dict[tuple[str, object], str]
    generated: GeneratedPages | None = None  # reads and renders the generated pages

    def __init__(self) -> None:
        super().__init__()
        self._html_blocks = {}
        self._same_parts = {}

    @property
    def root(self) -> Path:
        return Path(self._config_file).parent

    @property
    def work_dir(self) -> Path:
        return self.root / self.config.work_dir

    @event_priority(100)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        self._config_file = config.config_file_path
        try:
            if self.preloaded:
                self.kb = self.preloaded
            else:
                with progress.stage("load, validate and link"):
                    self.kb = load_knowledge_base(
                        self.root, strict=self.config.strict, work_dir=self.work_dir
                    )
        except ContentError as exc:
            self.diagnostics = exc.diagnostics
            raise PluginError(
                f"the knowledge base has {len(exc.diagnostics)} error(s):\n{exc}"
            ) from None
        self.diagnostics = []
        with progress.stage("segmenter"):
            self.segmenter = Segmenter.for_kb(self.kb)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        apply_site_defaults(config, theme_dir=THEME)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.kb or not self.segmenter:
            return None
        self.files = files
        store = Cache(self.work_dir / CACHE_FOLDER)
        pinyin.remember_in(store)  # the orders, the group pages' names, the lexicon
        try:
            return self._add_files(files, config, store)
        finally:
            pinyin.remember_in(None)

    def hold(self, kb: KnowledgeBase) -> None:
        """``kb`` as the pages are made of it: its entry pages and each kind's reading order
        (a build's, and an edit's under `build.py serve` on the state a build kept)."""
        self.kb = kb
        self.entry_pages = {urls.page_path(e): e for e in kb.published()}
        self.reading_orders = {k.name: order.reading_order(kb, k.name) for k in KINDS}

    def renderer(self, config: MkDocsConfig, store: Cache | None = None) -> Renderer:
        """The Renderer of the held knowledge base's pages, its templates compiled once (in
        the work dir's cache); ``store``: the last build's entry page sources, checked
        again where the held knowledge base differs from the one they were last checked
        against (``page_inputs.Reach``)."""
        assert self.kb is not None
        return Renderer(
            self.kb,
            downloads=publications.formats(self.config.publications),
            bytecode_cache=template_cache(self.work_dir / CACHE_FOLDER, "pages"),
            use_directory_urls=uses_directory_urls(config),
            store=store,
            checked=self.checked if store is not None else None,
        )

    def page_sources(self, config: MkDocsConfig, store: Cache) -> Iterator[PageSource]:
        """Every generated page of the held knowledge base, each page's inputs then kept
        as checked against it (for the next edit's pass)."""
        renderer = self.renderer(config, store)
        yield from renderer.pages()
        self.checked = Checked(renderer.kb, renderer.inputs)

    def _add_files(self, files: Files, config: MkDocsConfig, store: Cache) -> Files:
        self.hold(self.kb)
        for file in list(files):
            # The entry files live in docs_dir but are data, not pages or assets.
            if file.src_uri.lower().endswith((".yaml", ".yml")):
                files.remove(file)
            # The source maps of the theme's minified files (1 MB): only developer tools read them.
            elif file.src_uri.startswith("assets/") and file.src_uri.endswith(".map"):
                files.remove(file)
            # Material's search worker and its lunr languages (1 MB): it never starts, since
            # search.js, not Material, searches (theme/partials/search.html).
            elif file.src_uri.startswith(MATERIAL_SEARCH):
                files.remove(file)
            # Our theme's script fragments, which its templates include (header.js): MkDocs
            # would copy them as static files no page loads.
            elif file.src_uri.startswith("partials/") and _in_theme(file):
                files.remove(file)
        with progress.stage("page sources"):
            # an unchanged entry page's source is the last build's
            for page in self.page_sources(config, store):
                if files.get_file_from_path(page.path):
                    raise PluginError(
                        f"{page.path} is generated from the knowledge base; "
                        "remove the hand-written file of that name"
                    )
                content = EXCLUDE_FROM_MATERIAL + page.markdown
                files.append(TrackedFile.generated(config, page.path, content=content))
        # saved now: the cache's copy of every page's source is not held beside the files'
        store.release(PAGE_SOURCES)
        assets = resources.files("policykb") / "assets"
        for path, name in ASSETS.items():
            files.append(TrackedFile.generated(config, path, content=(assets / name).read_bytes()))
        directory_urls = uses_directory_urls(config)
        downloads = publications.formats(self.config.publications)
        try:
            with progress.stage(f"publications ({', '.join(downloads) or 'no files'}), feed, CSV"):
                generated = publications.files(
                    self.kb,
                    downloads,
                    site_url=config.site_url,
                    use_directory_urls=directory_urls,
                    feed_size=self.config.feed_size,
                    store=store,
                )
        except Exception:
            # the files made so far stay made: an update superseded by a newer edit (serve)
            # or a build stopped by a writer's error starts again from them
            store.save(prune=False)
            raise
        for path, content in generated.items():
            files.append(TrackedFile.generated(config, path, content=content))
        with progress.stage("search documents", len(self.kb.entries)):
            self.documents = build_documents(self.kb, self.segmenter, store)
        store.release(DOCUMENTS)  # nor the cache's copy of every document beside them
        if not self.keep_segmenter:
            self.segmenter.release()  # every document is cut: jieba's dictionary is not needed
        with progress.stage("in-browser index"):
            index = browser_index.build(
                self.documents,
                self.segmenter,
                whoosh_index.alias_table(self.kb),
                use_directory_urls=directory_urls,
                store=store,
            )
        store.save()  # the rest: the publications' files, the postings, the pinyin
        if not self.keep_segmenter:  # `build.py serve`'s edits would import it again
            pinyin.unload()  # the in-browser index's lexicon was the last to ask
        for path, content in index.files.items():
            files.append(TrackedFile.generated(config, path, content=content))
        config.extra["policykb_search"] = {
            "index": browser_index.FOLDER + "/",
            "search_page": urls.site_url(urls.SEARCH, use_directory_urls=directory_urls),
        }
        config.extra["policykb_popular_queries"] = list(self.config.popular_queries)
        self._pages_started = progress.mark()
        return files

    @event_priority(-100)  # last: the nav as every other plugin left it
    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> None:
        """Which pages MkDocs reads: those whose source changed since the last build; the
        generated files that are not pages are written now, before it reads them."""
        if not self.kb:
            return
        self.nav = nav
        self.generated = GeneratedPages(config, EXCLUDE_FROM_MATERIAL)
        # the pages the nav names with a title of its own (首页): that title, not their
        # heading, is theirs (an edit's pages, rendered again, are read anew: see live.py)
        self.nav_titled = {p.file.src_uri for p in nav.pages if "title" in vars(p)}
        self.output = SiteOutput(self.previous_output or OutputState(), config)
        self.output.sources_read(files)
        self.output.write_files(files)

    @event_priority(-100)
    def on_env(self, env: object, *, config: MkDocsConfig, files: Files) -> None:
        """Which pages MkDocs writes: those whose output changed (their source, or a title
        in their nav or prev/next links); the others are already in the staging site."""
        if not self.output:
            return
        # The theme's templates do not change during a build: without this Jinja stats
        # each of them again for every include of every page.
        env.auto_reload = False  # type: ignore[attr-defined]
        # nor are they compiled again in every build
        env.bytecode_cache = template_cache(self.work_dir / CACHE_FOLDER, "theme")  # type: ignore[attr-defined]
        # Chinese in the theme's JSON (Material's __config) as itself, 3 bytes, not a 6-byte
        # \uXXXX; tojson still escapes < > & ' so no </script> can close the block.
        env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}  # type: ignore[attr-defined]
        self.env = env  # kept for an edit under `build.py serve` (see live.py)
        self._same_parts = {}
        env.globals["kb_same"] = self.same_on_entry_pages  # type: ignore[attr-defined]
        language = config.theme["language"]
        env.globals["kb_translate"] = translations.lookup(env, language)  # type: ignore[arg-type,attr-defined]
        self.around = self._around()
        for page in self.output.complete(files, self.nav, self.around):
            _populate_page(page, config, files)
        self.output.unlink_outputs(files)

    def _around(
        self, only: Collection[str] | None = None
    ) -> dict[str, tuple[Page | None, Page | None, Page]]:
        """Each entry page's previous and next entries in its index, and that index page
        (``only``: of these pages alone, an edit's under `build.py serve`)."""
        pages = self.entry_pages
        around = {
            path: (None, None, self._page(urls.index_path(pages[path].kind)))
            for path in (pages if only is None else [p for p in only if p in pages])
        }
        for entries in self.reading_orders.values():
            for at, entry in enumerate(entries):
                path = urls.page_path(entry)
                if path not in around:
                    continue
                around[path] = (
                    self._page(urls.page_path(entries[at - 1])) if at > 0 else None,
                    self._page(urls.page_path(entries[at + 1])) if at + 1 < len(entries) else None,
                    self._page(urls.index_path(entry.kind)),
                )
        return around

    def on_page_context(
        self, context: dict, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> dict | None:
        """An entry page, out of the nav, still shows where it stands: its kind's tab active,
        a breadcrumb up to the index, the entries before and after it there, and the
        citation its "复制引用" button copies."""
        entry = self.kb and self.entry_pages.get(page.file.src_uri)
        if not entry:
            return None
        previous, following, index = self.around[page.file.src_uri]
        index.active = True  # and its section: the tab; undone once the page is written
        self.active_index = index
        # both, None too: under `build.py serve` the page object is the last build's, and
        # an edit that made it the first of its index must not leave the old one before it
        page.previous_page, page.next_page = previous, following
        context["kb_index"] = index
        # What the theme shows the same on such pages: their links are relative to the
        # page's folder (a page's own with directory URLs), the rest is the nav's.
        context["kb_same_key"] = (posixpath.dirname(page.url), index.url)
        context["kb_citation"] = citation.cite(self.kb, entry)
        return context

    @pass_context
    def same_on_entry_pages(self, context: Context, name: str, *, caller: Callable[[], str]) -> str:
        """The theme's part ``name`` (tabs, nav) as ``caller`` renders it, once for all the
        entry pages with one key (see on_page_context); other pages' rendered each time."""
        key = context.get("kb_same_key")
        if key is None:
            return caller()
        if (name, key) not in self._same_parts:
            self._same_parts[name, key] = caller()
        return self._same_parts[name, key]

    def _page(self, path: str) -> Page:
        return self.files.get_file_from_path(path).page

    def on_pre_page(self, page: Page, **kwargs: object) -> Page | None:
        """A generated page is read and made HTML through the build's one Markdown instance."""
        if self.generated is not None and isinstance(page.file, TrackedFile):
            self.generated.attach(page)
        return None

    def on_page_markdown(self, markdown: str, *, page: Page, **kwargs: object) -> str | None:
        """A generated page's HTML blocks set aside while Python-Markdown reads the rest."""
        if not isinstance(page.file, TrackedFile):
            return None
        # A generated page's source is read once, into page.markdown: not kept twice.
        page.file.content_string = ""
        markdown, self._html_blocks[page.file.src_uri] = htmlblocks.stash(markdown)
        return markdown

    # First, before any other plugin reads the page (material/search indexes its HTML).
    @event_priority(100)
    def _clean_content(self, html: str, *, page: Page, **kwargs: object) -> str | None:
        """The page's HTML, its blocks back in place, with whatever authors' content could
        smuggle in removed."""
        if not self.config.enabled:
            return None
        try:
            html = htmlblocks.restore(html, self._html_blocks.pop(page.file.src_uri, []))
        except htmlblocks.LostBlock as exc:
            raise PluginError(f"{page.file.src_uri}: {exc}") from None
        return sanitize.clean(html)

    # Last: once every plugin has seen the page's Markdown.
    @event_priority(-100)
    def _release_markdown(self, html: str, *, page: Page, **kwargs: object) -> str | None:
        """A generated page's Markdown, once made into HTML: MkDocs reads every page before
        it writes any, and would hold every page's Markdown until the build ends."""
        if isinstance(page.file, TrackedFile):
            page.markdown = ""
        return None

    on_page_content = CombinedEvent(_clean_content, _release_markdown)

    # Last: the policy hashes the inline scripts of the page as every other plugin left it.
    @event_priority(-100)
    def on_post_page(self, output: str, **kwargs: object) -> str | None:
        if not self.config.enabled:
            return None
        if self.active_index is not None:
            self.active_index.active = False
            self.active_index = None
        page = kwargs.get("page")
        if isinstance(page, Page) and isinstance(page.file, TrackedFile):
            _release(page)
        return csp.protect(htmlsize.compact(output))

    @event_priority(-100)
    def on_post_template(self, output_content: str, **kwargs: object) -> str | None:
        """The theme's own pages (404.html) carry the policy too; sitemap.xml has no head."""
        if not self.config.enabled:
            return None
        return csp.protect(output_content)

    def on_serve(self, server: object, *, config: MkDocsConfig, builder: object) -> None:
        """`mkdocs serve` watches docs_dir (content/) and mkdocs.yml; the cases are entries
        too (it rebuilds the whole site on a change there, as for any other)."""
        if not self.config.enabled:
            return None
        docs_dir = Path(config.docs_dir).resolve()
        for name in top_folders():
            folder = (self.root / name).resolve()
            if folder.is_dir() and folder != docs_dir:
                server.watch(str(folder))  # type: ignore[attr-defined]
        return None

    @event_priority(-50)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.kb or not self.segmenter:
            return
        if self._pages_started:
            progress.since("MkDocs pages (Markdown, theme, other plugins)", self._pages_started)
        directory_urls = uses_directory_urls(config)
        with progress.stage("whoosh index", len(self.documents)):
            whoosh_index.build(
                self.kb,
                self.work_dir / "index",
                use_directory_urls=directory_urls,
                segmenter=self.segmenter,
                documents=self.documents,
            )
        if self.output:
            self.built_output = self.output.state(self.files)
        log.info(
            "policykb: %d entries, search index in %s",
            len(self.kb.entries),
            self.work_dir / "index",
        )


def _release(page: Page) -> None:
    """Frees what MkDocs keeps of a generated page once its HTML is made (ten thousand
    pages' Markdown, HTML and table of contents would otherwise live until the build ends).
    Not None: the page's title is still asked for, and it reads from these (see Page.title)."""
    page.markdown = ""
    page.content = ""
    page.toc = get_toc([])
