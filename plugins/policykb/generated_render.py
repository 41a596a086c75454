"""The generated pages made HTML as MkDocs makes any page, with one Python-Markdown instance.

MkDocs' ``Page.render`` builds a new ``markdown.Markdown`` for every page: its extensions,
block parsers and inline patterns, which cost as much as converting a short entry page.
The generated pages (thousands) share one instance instead, reset between pages as
Python-Markdown provides, with MkDocs' own per-page processors registered on it afresh
for each page, in MkDocs' order: the same HTML, table of contents, title and anchors.
Hand-written pages keep MkDocs' own path (their extensions and front matter are authors').

Most entry pages hold no HTML tag at all (their lists are set aside as blocks, see
``htmlblocks``): for those the two HTML scanners (MkDocs' collector of anchors in raw HTML,
md_in_html's block extractor) have nothing to find, and are skipped. Likewise most runs of
text (five in six: Chinese prose) hold no character any inline pattern begins with, and
Python-Markdown's inline processor, which tries each of its patterns on each run in
Python, is given only the others.
"""

from __future__ import annotations

import copy
import logging
import re

import markdown
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import (
    Page,
    _ExtractAnchorsTreeprocessor,
    _ExtractTitleTreeprocessor,
    _RawHTMLPreprocessor,
    _RelativePathTreeprocessor,
)
from mkdocs.structure.toc import get_toc
from mkdocs.utils import meta

# MkDocs' logger of pages: Page.render keeps a page's links to anchors unless it debugs
_PAGES_LOG = logging.getLogger("mkdocs.structure.pages")


# What the text must hold for each of Python-Markdown's inline patterns to match it (each
# pattern's regex begins with, or requires, one of these)
_PATTERN_NEEDS = {
    "backtick": "`",
    "escape": "\\",
    "reference": "[",
    "link": "[",
    "image_link": "[",
    "image_reference": "[",
    "short_reference": "[",
    "short_image_ref": "[",
    "autolink": "<",
    "automail": "<",
    "linebreak": "  \n",
    "html": "<",
    "entity": "&",
    "em_strong": "*",
    "em_strong2": "_",
    "not_strong": "*_",
}


def _inline_trigger(md: markdown.Markdown) -> re.Pattern[str] | None:
    """What a run of text must hold for some inline pattern of ``md`` to match it; None
    when a pattern is not one of Python-Markdown's own (an extension's: anything may)."""
    names = [item.name for item in md.inlinePatterns._priority]
    if any(name not in _PATTERN_NEEDS for name in names):
        return None
    singles = sorted({c for name in names if name != "linebreak" for c in _PATTERN_NEEDS[name]})
    parts = ["[" + re.escape("".join(singles)) + "]"] if singles else []
    if "linebreak" in names:
        parts.append(re.escape(_PATTERN_NEEDS["linebreak"]))
    return re.compile("|".join(parts)) if parts else None


def _holds_tag(lines: list[str]) -> bool:
    return any("<" in line for line in lines)


class _RawHTMLIds(_RawHTMLPreprocessor):
    """MkDocs' collector of the ids in a page's raw HTML: a page without a tag has none."""

    def run(self, lines: list[str]) -> list[str]:
        if _holds_tag(lines):
            return super().run(lines)
        self.present_anchor_ids = set()
        return lines


class GeneratedPages:
    """Reads and renders generated pages for one build's config (see ``attach``)."""

    def __init__(self, config: MkDocsConfig, front_matter: str):
        self.config = config
        self.front_matter = front_matter  # what every generated page's source begins with
        self._meta = meta.get_data(front_matter)[1]
        self._md: markdown.Markdown | None = None

    def attach(self, page: Page) -> None:
        """``page`` read and rendered by this object when MkDocs asks it to (its methods,
        for this page only)."""
        page.read_source = lambda config: self.read_source(page, config)  # type: ignore[method-assign]
        page.render = lambda config, files: self.render(page, config, files)  # type: ignore[method-assign]

    def read_source(self, page: Page, config: MkDocsConfig) -> None:
        """As Page.read_source, with the front matter every generated page shares parsed
        once (YAML is most of reading a page held in memory)."""
        source = config.plugins.on_page_read_source(page=page, config=config)
        if source is None:
            source = page.file.content_string
        if source.startswith(self.front_matter):
            page.markdown = source[len(self.front_matter) :].lstrip("\n")
            page.meta = copy.deepcopy(self._meta)
        else:
            page.markdown, page.meta = meta.get_data(source)

    def render(self, page: Page, config: MkDocsConfig, files: Files) -> None:
        """As Page.render (MkDocs 1.6), on the shared instance."""
        if page.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        md = self._markdown(config)
        md.reset()
        raw_html = _RawHTMLIds()
        raw_html._register(md)
        anchors = _ExtractAnchorsTreeprocessor(page.file, files, config)
        anchors._register(md)
        relative_paths = _RelativePathTreeprocessor(page.file, files, config)
        relative_paths._register(md)
        title = _ExtractTitleTreeprocessor()
        title._register(md)

        page.content = md.convert(page.markdown)
        page.toc = get_toc(getattr(md, "toc_tokens", []))
        page._title_from_render = title.title
        page.present_anchor_ids = anchors.present_anchor_ids | raw_html.present_anchor_ids
        if _PAGES_LOG.getEffectiveLevel() > logging.DEBUG:
            page.links_to_anchors = relative_paths.links_to_anchors

    def _markdown(self, config: MkDocsConfig) -> markdown.Markdown:
        if self._md is None:
            self._md = markdown.Markdown(
                extensions=config["markdown_extensions"],
                extension_configs=config["mdx_configs"] or {},
            )
            if "html_block" in self._md.preprocessors:
                blocks = self._md.preprocessors["html_block"]
                extract = blocks.run
                # md_in_html's extractor of raw HTML blocks: nothing to extract without a tag
                blocks.run = lambda lines: extract(lines) if _holds_tag(lines) else lines  # type: ignore[method-assign]
            trigger = _inline_trigger(self._md)
            if trigger is not None and "inline" in self._md.treeprocessors:
                inline = self._md.treeprocessors["inline"]
                handle = inline._InlineProcessor__handleInline  # type: ignore[attr-defined]
                found = trigger.search

                def handle_inline(data: str, pattern_index: int = 0) -> str:
                    # no pattern can match: the text as the processor would leave it
                    return handle(data, pattern_index) if found(data) else data

                inline._InlineProcessor__handleInline = handle_inline  # type: ignore[attr-defined]
        return self._md
