"""Where each page lives: the one place that turns ids into paths and URLs."""

from __future__ import annotations

import functools
import posixpath

from .kinds import BY_NAME, Kind
from .loader import Entry

HOME = "index.md"
SEARCH = "search.md"
CASES_BY = {
    "region": "cases/by-region.md",
    "year": "cases/by-year.md",
    "level": "cases/by-level.md",
}
STYLESHEET = "assets/policykb/policykb.css"
SEARCH_SCRIPT = "assets/policykb/search.js"
QUIZ_SCRIPT = "assets/policykb/quiz.js"
CITE_SCRIPT = "assets/policykb/cite.js"
HEADER_SCRIPT = "assets/policykb/header.js"  # a theme template (theme/assets/policykb/)


def page_path(entry: Entry) -> str:
    """The Markdown path of an entry's page, relative to the docs root."""
    return f"{entry.kind.url_dir}/{entry.id}.md"


def old_page_path(kind: Kind, old_id: str) -> str:
    """Where an id an entry took over (``replaces``) had its page: it stays an address."""
    return f"{kind.url_dir}/{old_id}.md"


def index_path(kind: Kind | str) -> str:
    kind = BY_NAME[kind] if isinstance(kind, str) else kind
    return f"{kind.url_dir}/index.md"


def relative(from_page: str, to_page: str) -> str:
    """A link from one page's Markdown to another's, as MkDocs resolves it."""
    to_dir, name = posixpath.split(to_page)
    up = _relative_dir(posixpath.dirname(from_page), to_dir)
    return name if up == "." else f"{up}/{name}"


@functools.cache  # a site has a dozen folders and every page links many entries
def _relative_dir(from_dir: str, to_dir: str) -> str:
    return posixpath.relpath(to_dir or ".", from_dir or ".")


def site_url(page: str, *, use_directory_urls: bool) -> str:
    """The URL (relative to the site root) MkDocs gives the page at ``page``."""
    stem = page[: -len(".md")]
    if not use_directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"
