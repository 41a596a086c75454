"""Options of the ``policykb`` MkDocs plugin."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class PolicyKBConfig(Config):
    enabled = c.Type(bool, default=True)
    """Turn the knowledge base off without removing the plugin."""
    strict = c.Type(bool, default=False)
    """Also enforce completeness: every problem has remedies and cases, no orphans, sources."""
    work_dir = c.Type(str, default=".policykb")
    """Where the search index and the generated user dictionary go (relative to mkdocs.yml)."""
    publications = c.Type(bool, default=True)
    """Write every compilation's .docx and .pdf into the site, linked from its page."""
    feed_size = c.Type(int, default=50)
    """How many of the newest cases the Atom feed (feed.xml) lists, besides every edition."""
    popular_queries = c.ListOfItems(
        c.Type(str),
        default=["督检考", "千分制", "借调", "一表通", "文山会海", "层层加码", "过度留痕"],
    )
    """Example queries under the home page's search box, one click each (a static site has no
    logs to learn them from)."""
