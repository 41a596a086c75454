"""Markdown fields allow Markdown, not HTML: raw HTML and script links are content errors.

The text is parsed with markdown-it-py (a CommonMark parser), so what counts as HTML or as
a link is what a Markdown renderer sees, not what a pattern guesses. Every link is
examined, including those CommonMark itself would refuse to render (``javascript:``), since
the site's renderer, Python-Markdown, would render them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown.extensions.attr_list import AttrListTreeprocessor, get_attrs_and_remainder
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import BaseModel

from .diagnostics import Diagnostic
from .linker import markdown_fields
from .loader import Entry
from .yamlfile import KeyPath, Position, YamlDocument

LINK_SCHEMES = ("http", "https", "mailto")

_PARSER = MarkdownIt("commonmark", {"html": True}).enable("table")
_PARSER.validateLink = lambda url: True  # see every link, then judge it below

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# Python-Markdown's attr_list, read with its own pattern and parser: `{: onclick=…}` would
# put an event handler on the element before it.
_ATTR_LIST = re.compile(AttrListTreeprocessor.BASE_RE)
_REFUSED_ATTRIBUTES = ("href", "src", "style", "srcdoc", "formaction")

# Browsers ignore these inside a URL's scheme: "java\tscript:" is "javascript:".
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")


def problems(text: str) -> Iterator[tuple[str, str]]:
    """(what to point at in the source, message) for each thing the text may not hold."""
    for token in _walk(_PARSER.parse(text)):
        # a closing tag is part of the error its opening tag already is
        if token.type in ("html_block", "html_inline") and not token.content.startswith("</"):
            tag = token.content.strip().splitlines()[0]
            shown = tag if len(tag) <= 40 else tag[:40] + "…"
            yield (
                tag,
                (f"raw HTML is not allowed ({shown}); write Markdown, and &lt; for a literal <"),
            )
        if token.type == "text":
            for match in _ATTR_LIST.finditer(token.content):
                attrs, _ = get_attrs_and_remainder(match.group(1))
                for key, _value in attrs:
                    if key.lower().startswith("on") or key.lower() in _REFUSED_ATTRIBUTES:
                        yield (
                            match.group(0),
                            (
                                f"attribute list sets '{key}'; event handlers, links and styles "
                                "cannot be set this way"
                            ),
                        )
        for name in ("href", "src"):
            url = token.attrGet(name)
            if isinstance(url, str):
                scheme = _SCHEME.match(_IGNORED_IN_URL.sub("", url).lower())
                if scheme and scheme.group(1) not in LINK_SCHEMES:
                    yield (
                        scheme.group(0),
                        (
                            f"link to '{url}' is not allowed; links go to http(s):// or mailto: "
                            "addresses, or to entries as [[id]]"
                        ),
                    )


def check_entries(entries: list[Entry]) -> list[Diagnostic]:
    """Every Markdown field of every entry, those inside nested mappings and lists too
    (a study pack's sections), so a new kind is covered by its schema alone."""
    return [problem for entry in entries for problem in _check_model(entry.doc, entry.data, ())]


def _check_model(doc: YamlDocument, data: BaseModel, path: KeyPath) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    markdown = set(markdown_fields(type(data)))
    for name in type(data).model_fields:
        value = getattr(data, name)
        items = list(enumerate(value)) if isinstance(value, list | tuple) else [(None, value)]
        for index, item in items:
            where = path + (name,) if index is None else path + (name, index)
            if name in markdown and isinstance(item, str):
                found += check(doc, where, item)
            elif isinstance(item, BaseModel):
                found += _check_model(doc, item, where)
    return found


def check(doc: YamlDocument, path: KeyPath, text: str | None) -> list[Diagnostic]:
    """Diagnostics for the Markdown value at ``path`` of ``doc``, each where it stands."""
    if not text:
        return []
    field = _field_name(path)
    return [
        Diagnostic(doc.path, *_locate(doc, path, needle), f"'{field}': {message}")
        for needle, message in problems(text)
    ]


def _field_name(path: KeyPath) -> str:
    """``sections[0].body``, as the loader names fields."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + part
    return out


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _locate(doc: YamlDocument, path: KeyPath, needle: str) -> Position:
    """The first place at or after the value's start where ``needle`` is written; the value's
    start when it is not written as such (escaped in a quoted string)."""
    line, col = doc.position(path)
    needle = needle.lower()
    # the value ends where the next key begins
    end = min((k for k, _ in doc.key_positions.values() if k > line), default=len(doc.lines) + 1)
    for n in range(line - 1, min(end - 1, len(doc.lines))):
        start = col - 1 if n == line - 1 else 0
        found = doc.lines[n].lower().find(needle, start)
        if found >= 0:
            return n + 1, found + 1
    return line, col
