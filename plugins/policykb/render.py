"""Turn the linked knowledge base into Markdown pages, through Jinja2 templates."""

from __future__ import annotations

import functools
import html
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import jinja2
from mkdocs.utils import get_relative_url

from . import edition_pages, htmlblocks, listing, numbering, order, page_inputs, urls
from .cache import Cache, key
from .kinds import BY_NAME, KINDS, Kind
from .linker import WIKILINK, KnowledgeBase
from .loader import Entry
from .publish import compilation, page, study
from .publish.blocks import (
    PLACE_SEPARATOR,
    EntryBlocks,
    date_label,
    is_anonymous,
    number,
    region_key,
    region_label,
)
from .publish.document import Document
from .schema import CASE_KIND_LABELS, LEVELS

PAGE_SOURCES = "page-sources"  # the cache's namespace of entry pages' sources


@dataclass(frozen=True)
class Page:
    path: str  # Markdown path relative to the docs root
    markdown: str


def environment(bytecode_cache: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("policykb", "templates"),
        bytecode_cache=bytecode_cache,
        auto_reload=False,  # the templates do not change during a build: not stated again
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # the output is Markdown, escaped by the filters below
    )
    env.filters["escape"] = escape
    env.filters["html"] = html_text
    env.filters["inline_html"] = inline_html
    env.filters["html_list"] = lambda items: htmlblocks.block(f"<ul>\n{items}</ul>")
    env.filters["cell"] = table_cell
    env.filters["number"] = number
    env.filters["text"] = page.text  # plain text made inert inside Markdown
    env.filters["inner_quotes"] = inner_quotes
    env.filters["year"] = lambda entry: entry.data.date[:4]
    env.filters["when"] = date_label
    env.filters["place"] = lambda data: region_label(getattr(data, "region", None))
    env.globals.update(
        other_names=other_names, rule_heading=rule_heading, item_heading=numbering.item_heading
    )
    env.globals["order"] = order
    env.globals.update(CASE_KIND_LABELS=CASE_KIND_LABELS, LEVELS=LEVELS, KINDS=KINDS)
    env.globals["CASES_BY"] = urls.CASES_BY
    return env


def escape(text: object) -> str:
    """Plain text made safe inside a line of Markdown: shown as written, never as markup.

    For every field that is not Markdown (titles, regions, tags, aliases …). Line breaks
    become spaces: a plain field cannot open a block of its own. The one rule is the page
    writer's, so entry pages and publications escape alike."""
    return page.text(str(text))


def html_text(text: object) -> str:
    """Plain text made safe inside raw HTML that the page writes (figure cards)."""
    return html.escape(str(text), quote=True)


def inline_html(text: object) -> str:
    """Plain text made safe inside HTML we write in place of a line of Markdown: as
    ``escape`` shows it there (a line break is a space)."""
    return html.escape(str(text).replace("\n", " "), quote=True)


def table_cell(text: object) -> str:
    """Markdown (already escaped) made safe inside a table cell: one line, no stray `|`."""
    return re.sub(r"(?<!\\)\|", r"\\|", " ".join(str(text).splitlines()))


def json_for_html(dumped: str) -> str:
    """JSON (or a script built of JSON) that stays data wherever it lands: `<`, `>` and `&`
    as escapes, so no text in it can close a `<script>` or open a tag, even when a server
    sends the file as HTML."""
    # three replaces: str.translate with a table goes character by character in Python's
    # loop, a tenth as fast on the in-browser index's megabytes
    return dumped.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def inner_quotes(text: str) -> str:
    """Quotation marks inside a quotation become single ones: “不搞‘千分制’”."""
    return text.replace("“", "‘").replace("”", "’")


def other_names(entry: Entry) -> list[str]:
    """An entry's aliases without its own title (层层加码 is not "又称层层加码")."""
    return [a for a in entry.data.aliases or () if a != entry.title]


def rule_heading(rule: Entry) -> str:
    """一、切实精简文件 · 1. 严控文件数量"""
    return numbering.rule_heading(rule.data.part, rule.data.item, rule.title)


class Renderer:
    """Renders every page of the site from one linked knowledge base."""

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        downloads: tuple[str, ...] = (),
        bytecode_cache: jinja2.BytecodeCache | None = None,
        use_directory_urls: bool = False,
        store: Cache | None = None,
        checked: page_inputs.Checked | None = None,
    ):
        self.kb = kb
        # the entry pages' sources of the last build, with what each was made of
        self.store = store
        # the pages' inputs as last checked, and what the edit since can have changed
        self._checked = checked.inputs if checked else {}
        self._reach = page_inputs.Reach(checked.kb, kb) if checked else None
        self.inputs: dict[str, str] = {}  # each kept or made page's, checked against ``kb``
        self.use_directory_urls = use_directory_urls  # the addresses HTML links are written with
        self.env = environment(bytecode_cache)
        self.downloads = downloads  # formats of the publications' files in the site
        self.blocks = EntryBlocks(kb)
        # Hub sections too long to list in full, each given its own paginated list page
        # (registered while the entry pages render, written after them).
        self._more: dict[str, dict] = {}
        self._index_pages: dict[str, list[listing.ListPage]] = {}
        self._lists: dict[str, list[Entry]] | None = None  # negatives by list, in kb order
        self.recorder = page_inputs.Recorder(
            kb, same_list=self.same_list, index_page_of=self.index_page_of
        )
        self.recorded_blocks = EntryBlocks(self.recorder)  # type: ignore[arg-type]
        self._registered: list[tuple[str, dict]] | None = None  # a recorded page's `more`

    def pages(self) -> Iterator[Page]:
        for entry in sorted(self.kb.published(), key=lambda e: (e.kind.name, e.id)):
            if entry.kind.name == "compilation":
                yield from self.edition_pages(entry)
            else:
                yield self.entry_page(entry)
        for pack in self.kb.studies.published():
            yield Page(
                study.page_path(pack, study.QUIZ),
                page.write(study.quiz(self.kb, pack), study.page_path(pack, study.QUIZ)),
            )
            if pack.public_key:
                path = study.page_path(pack, study.KEY)
                yield Page(path, page.write(study.key(self.kb, pack), path))
        for kind, old_id, entry in self.kb.replaced():
            yield self._render(
                urls.old_page_path(BY_NAME[kind], old_id),
                "replaced.md.j2",
                old_id=old_id,
                entry=entry,
            )
        registered, self._more = self._more, {}
        for first, more in registered.items():
            yield from self.list_pages(first, "more.md.j2", [(None, more.pop("entries"))], **more)
        for kind in KINDS:
            yield from self.list_pages(
                urls.index_path(kind),
                f"index_{kind.name}.md.j2",
                self.index_groups(kind.name),
                first_page={"count": len(self.kb.of_kind(kind.name))},
            )
        for axis, path in urls.CASES_BY.items():
            groups = self.case_groups(axis)
            yield self._render(path, "cases_by.md.j2", axis=axis, groups=groups)
            for group in groups:
                yield from self.list_pages(
                    group.path,
                    "cases_group.md.j2",
                    group.subgroups,
                    first_page={"count": group.count},
                    axis=axis,
                    group=group,
                )
        yield self._render(urls.HOME, "home.md.j2")
        yield self._render(urls.SEARCH, "search.md.j2")

    def entry_page(self, entry: Entry) -> Page:
        path = urls.page_path(entry)
        # an edition's or a study pack's page is a publication of many entries: made anew
        if self.store is None or not entry.key or entry.kind.name in ("compilation", "study"):
            return self._render(path, entry.kind.template, entry=entry, data=entry.data)
        return self._kept_or_made(
            path,
            key(path, entry.key, self._settings),
            lambda: self._render(
                path, entry.kind.template, kb=self.recorder, entry=entry, data=entry.data
            ),
        )

    def _kept_or_made(self, path: str, item: str, render: Callable[[], Page]) -> Page:
        """The page's kept source when what it asked the knowledge base gets the same
        answers (``page_inputs``); else ``render()`` (through the recorder), kept for the
        next build under ``item``, the key of everything else it is made of. Not asked
        again: the questions of a page checked before an edit that reaches none of them."""
        assert self.store is not None
        kept = self.store.get(PAGE_SOURCES, item)
        if kept is not None:
            questions, inputs, markdown, registered = kept
            if self._same_inputs(item, questions, inputs):
                self.inputs[item] = inputs
                for first, more in registered:
                    self._more.setdefault(first, self._more_from_ids(more))
                return Page(path, markdown)
        self.recorder.start()
        self._registered = []
        try:
            made = render()
            questions, registered = self.recorder.asked, self._registered
        finally:
            self._registered = None
        inputs = self.inputs[item] = self.recorder.digest()
        self.store.put(PAGE_SOURCES, item, (questions, inputs, made.markdown, registered))
        return made

    def _same_inputs(self, item: str, questions: list, inputs: str) -> bool:
        """Whether the knowledge base answers the kept page's ``questions`` as it did when
        they gave ``inputs``."""
        if self._reach is not None and self._checked.get(item) == inputs:
            if not self._reach.reaches(questions):
                return True
        try:
            return page_inputs.digest(self.kb, questions, self.recorder.functions) == inputs
        except page_inputs.Missing:
            return False

    @functools.cached_property
    def _settings(self) -> str:
        """What every entry page depends on besides the knowledge base: the templates (the
        cache's version covers the code), the list sizes, the link style."""
        templates = Path(str(resources.files("policykb") / "templates"))
        sources = [p.read_bytes() for p in sorted(templates.glob("*.j2"))]
        settings = repr(
            (listing.HUB_LIMIT, listing.PAGE_SIZE, self.use_directory_urls, self.downloads)
        )
        return key(settings, jinja2.__version__, *sources)

    def _more_from_ids(self, more: dict) -> dict:
        return {
            **more,
            "entries": [self.kb.get(i) for i in more["entries"]],
            "hub": self.kb.get(more["hub"]),
        }

    def list_pages(
        self,
        first: str,
        template: str,
        groups: list[tuple[object, list]],
        first_page: dict[str, object] | None = None,
        **context: object,
    ) -> Iterator[Page]:
        """A list's pages (``listing.split``), each with a pager; ``first_page``: what only
        the first page shows (how many in all), so that the others stay as they were when
        an item comes or goes. Each page's source is kept like an entry page's: an edit
        re-makes the few pages listing what it changed, not every list (``_list_shape``)."""
        for part in listing.split(first, groups):
            values = {**context, **(first_page or {})} if part.number == 1 else context
            render = functools.partial(self._list_page, part, template, values)
            shape = _list_shape(self.kb, part, values) if self.store is not None else None
            if shape is None:
                yield render(self.kb)
            else:
                item = key(part.path, template, shape, self._settings)
                yield self._kept_or_made(part.path, item, functools.partial(render, self.recorder))

    def _list_page(
        self,
        part: listing.ListPage,
        template: str,
        context: dict,
        kb: KnowledgeBase | page_inputs.Recorder,
    ) -> Page:
        return self._render(
            part.path,
            template,
            kb=kb,
            part=part,
            pager=listing.pager(part),
            pager_end=listing.pager(part, listing.END_LABEL),
            **context,
        )

    def index_groups(self, kind: str) -> list[tuple[object, list]]:
        """What a kind's index lists, in groups (a heading and its items)."""
        kb = self.kb
        if kind == "case":
            return [(label, order.cases(kb, k)) for k, label in CASE_KIND_LABELS.items()]
        if kind == "problem":
            return [(None, order.problem_tree(kb))]
        if kind == "rule":
            return [(source, rules) for source, rules in kb.rules_by_source() if rules]
        if kind == "negative":
            lists: dict[str, list[Entry]] = defaultdict(list)
            for n in sorted(kb.of_kind("negative"), key=lambda e: (e.data.list, e.id)):
                lists[n.data.list].append(n)
            return list(lists.items())
        if kind == "source":
            return [(None, order.reading_order(kb, "source"))]
        if kind == "remedy":
            return [(None, order.by_pinyin(kb.of_kind("remedy")))]
        if kind == "compilation":
            return [(None, kb.editions.newest_first())]
        if kind == "study":
            return [(None, sorted(kb.studies.published(), key=lambda p: p.entry.data.title))]
        return [(None, order.reading_order(kb, kind))]

    def same_list(self, negative: Entry) -> list[Entry]:
        """The other items of a negative's list: grouped once a build, where a filter over
        every negative on each negative's page grew with the square of their number."""
        if self._lists is None:
            self._lists = defaultdict(list)
            for n in self.kb.of_kind("negative"):
                self._lists[n.data.list].append(n)
        return [n for n in self._lists[negative.data.list] if n.id != negative.id]

    def index_page_of(self, kind: str, key: object) -> str:
        """The index page of ``kind`` on which the group ``key`` begins."""
        if kind not in self._index_pages:  # once a build: every negative page asks
            self._index_pages[kind] = listing.split(urls.index_path(kind), self.index_groups(kind))
        return listing.page_of(self._index_pages[kind], key).path

    def edition_pages(self, entry: Entry) -> Iterator[Page]:
        """An edition online: one page, or past edition_pages.CASES_PER_PAGE cases several."""
        edition = self.kb.editions.by_id[entry.id]
        parts = edition_pages.split(
            self.publication(entry),
            urls.page_path(entry),
            {c.id for c in edition.cases},
            {f"g{g}" for g in range(1, len(edition.groups) + 1)},
        )
        if len(parts) == 1:
            yield self.entry_page(entry)
            return
        for part in parts:
            top, end = listing.pager(part.page), listing.pager(part.page, listing.END_LABEL)
            title, _, rest = page.write(part.document, part.page.path).partition("\n")
            yield Page(part.page.path, f"{title}\n\n{top}\n{rest}\n{end}")

    def _render(
        self,
        path: str,
        template: str,
        kb: KnowledgeBase | page_inputs.Recorder | None = None,
        **context: object,
    ) -> Page:
        """The page from ``template``; ``kb``: the knowledge base, or its recorder (an entry
        page whose source is kept: everything it asks goes through it)."""
        kb = kb or self.kb
        recorded = isinstance(kb, page_inputs.Recorder)
        helpers = _PageHelpers(kb, path, self.use_directory_urls)  # type: ignore[arg-type]
        blocks = self.recorded_blocks if recorded else self.blocks

        def more(key: str, title: str, entries: list[Entry], style: str) -> str:
            """The link to every one of a hub section's entries, on a list page of its own."""
            first = path.removesuffix(".md") + f"/{key}.md"
            hub = context.get("entry")
            self._more.setdefault(
                first,
                {"entries": entries, "hub": hub, "title": title, "style": style},
            )
            if self._registered is not None and isinstance(hub, Entry):
                ids = [e.id for e in entries]
                self._registered.append(
                    (first, {"entries": ids, "hub": hub.id, "title": title, "style": style})
                )
            return urls.relative(path, first)

        def ask(name: str, *args: object) -> object:
            if recorded:
                return kb.ask(name, *args)  # type: ignore[union-attr]
            return getattr(self, name)(*args)

        def group_page(kind: str, key: object) -> str:
            return urls.relative(path, ask("index_page_of", kind, key))  # type: ignore[arg-type]

        markdown = self.env.get_template(template).render(
            kb=kb,
            page_path=path,
            link=helpers.link,
            a=helpers.a,
            md=helpers.markdown,
            url=helpers.url,
            block=lambda entry: page.write_blocks(blocks.of(entry), path),
            publication=lambda entry: page.write(self.publication(entry), path),
            pack_page=study.page_path,
            more=more,
            group_page=group_page,
            same_list=lambda negative: ask("same_list", negative),
            HUB_LIMIT=listing.HUB_LIMIT,
            **context,
        )
        return Page(path, markdown)

    def publication(self, entry: Entry) -> Document:
        if entry.kind.name == "study":
            pack = self.kb.studies.by_id[entry.id]
            return study.handout(self.kb, pack, downloads=self.downloads)
        edition = self.kb.editions.by_id[entry.id]
        return compilation.document(self.kb, edition, downloads=self.downloads)

    def case_groups(self, axis: str) -> list[CaseGroup]:
        """The cases along one axis, one group a year, level or province (its own pages),
        a province's cases under headings for each place within it."""
        places: dict[str, list[Entry]] = defaultdict(list)
        for case in self.kb.of_kind("case"):
            if axis == "region":
                key = PLACE_SEPARATOR.join(region_key(self.kb, case))
            elif axis == "year":
                key = case.data.date[:4]
            else:
                key = case.data.level or "未标注层级"
            places[key].append(case)
        for members in places.values():
            members.sort(key=lambda e: (e.data.date, e.id), reverse=True)
        if axis == "year":
            keys = sorted(places, reverse=True)
        elif axis == "level":
            keys = [lv for lv in (*LEVELS, "未标注层级") if lv in places]
        else:
            # Broad to narrow: 湖北省, then 湖北省 › 咸宁市, then 湖北省 › 咸宁市 › 咸安区.
            counts = Counter({province(k): 0 for k in places})
            for k, v in places.items():
                counts[province(k)] += len(v)
            keys = sorted(
                places,
                key=lambda k: (
                    province(k) == UNNAMED_PLACES,  # last: a reader looks for a province
                    -counts[province(k)],
                    province(k),
                    k.split(PLACE_SEPARATOR),
                ),
            )
        groups: dict[str, list[str]] = {}
        for key in keys:
            groups.setdefault(province(key) if axis == "region" else key, []).append(key)
        folder = urls.CASES_BY[axis].removesuffix(".md")
        taken: set[str] = set()
        out = []
        for top, members in groups.items():
            name = listing.slug(top)
            if name in taken:  # two names with one pinyin: the later one takes a hash too
                name = listing.slug(top + "\0")
            taken.add(name)
            subgroups = [(k if axis == "region" else None, places[k]) for k in members]
            out.append(CaseGroup(top, f"{folder}/{name}.md", subgroups))
        return out


def _list_shape(kb: KnowledgeBase, part: listing.ListPage, context: dict) -> str | None:
    """A hash of what a list page shows besides the knowledge base's answers: its place in
    the list, its groups and their items, each entry by its file's key (a list item shows
    its entry's own fields), and the template's other values. None when one of them is not
    a plain value or an entry (an edition, a study pack: what they show is read elsewhere,
    so such a list is made anew)."""

    def plain(value: object) -> object:
        if isinstance(value, listing.ListPage):
            groups = [plain(g) for g in value.groups]
            return ("page", value.first, value.path, value.number, value.count, groups)
        if isinstance(value, listing.Group):
            items = [plain(i) for i in value.items]
            return ("group", plain(value.key), value.total, value.continued, items)
        if isinstance(value, CaseGroup):
            return ("cases", value.name, value.path)  # its count: the first page's
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, Entry) or value is None or isinstance(value, str | int | bool):
            return value
        raise _NotPlain

    try:
        values = [plain(part), *([name, plain(v)] for name, v in sorted(context.items()))]
    except _NotPlain:
        return None
    return page_inputs.describe(kb, values)


class _NotPlain(Exception):
    pass


UNNAMED_PLACES = "未具名地区"
_PROVINCE = re.compile(r"^(?:北京市|天津市|上海市|重庆市|.{2,}?(?:省|自治区|特别行政区))")


def province(place: str) -> str:
    """The page a place's cases are on: its province (湖北省 for 湖北省 › 咸宁市 and for
    湖北省咸宁市), itself when it names none; the places a source leaves unnamed share one."""
    first = place.split(PLACE_SEPARATOR)[0]
    if is_anonymous(first):
        return UNNAMED_PLACES
    match = _PROVINCE.match(first)
    return match.group(0) if match else first


@dataclass(frozen=True)
class CaseGroup:
    """One year, level or province of the cases: a page (or pages) of its own."""

    name: str
    path: str
    subgroups: list[tuple[str | None, list[Entry]]]  # places within a province

    @property
    def count(self) -> int:
        return sum(len(cases) for _, cases in self.subgroups)


class _PageHelpers:
    """Link helpers bound to the page being rendered (links are relative to it)."""

    def __init__(self, kb: KnowledgeBase, page: str, use_directory_urls: bool):
        self.kb = kb
        self.page = page
        self.use_directory_urls = use_directory_urls
        self.page_url = file_url(page, use_directory_urls)

    def url(self, target: Entry | Kind | str) -> str:
        if isinstance(target, Entry):
            path = urls.page_path(target)
        elif isinstance(target, Kind):
            path = urls.index_path(target)
        else:
            path = target
        return urls.relative(self.page, path)

    def link(self, target: Entry, text: str | None = None) -> str:
        return f"[{escape(text or target.title)}]({self.url(target)})"

    def a(self, target: Entry, text: str | None = None) -> str:
        """The HTML of ``link``: the address MkDocs would have made of the Markdown link."""
        target_url = file_url(urls.page_path(target), self.use_directory_urls)
        url = get_relative_url(target_url, self.page_url)
        return f'<a href="{url}">{inline_html(text or target.title)}</a>'

    def markdown(self, text: str | None) -> str:
        """An author's Markdown field with every ``[[id]]`` turned into a titled link."""
        if not text:
            return ""
        return WIKILINK.sub(lambda m: self.link(self.kb.get(m.group(1).strip())), text)


@functools.cache  # a page is linked from many others
def file_url(page: str, use_directory_urls: bool) -> str:
    """The URL MkDocs gives the page at ``page`` (``File.url``), which links are made
    relative from and to."""
    stem = page.removesuffix(".md")
    if not use_directory_urls:
        return quote(stem + ".html")
    if stem == "index" or stem.endswith("/index"):
        return quote((posixpath.dirname(stem) or ".") + "/")
    return quote(stem + "/")
