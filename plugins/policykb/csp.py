"""A Content-Security-Policy on every page: only the site's own scripts run.

The policy is a ``<meta http-equiv>`` so that it holds where no server sends headers (the
site opened as files from a USB stick or a shared folder). The theme's own inline scripts
(Material's ``__md_scope`` … snippet and the like) are allowed by their sha256, computed
from the page as written, so a theme update cannot silently break or widen the policy;
any other inline script, and every event-handler attribute, is refused by the browser.
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

# Styles stay 'unsafe-inline': Material and search.js set style attributes; CSS cannot run
# script. data: images are the theme's CSS icons.
DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self' {hashes}",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)


class _Scripts(HTMLParser):
    """The text of every inline script, and where the policy goes (after <meta charset>)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.inline: list[str] = []
        self.after_head: tuple[int, int] | None = None  # (line, offset) just after the tag
        self.after_charset: tuple[int, int] | None = None
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        kind = dict(attrs).get("type") or ""
        # a JSON block (Material's __config) is data the browser never runs: no hash for it
        if tag == "script" and "src" not in names and "json" not in kind:
            self._current = []
        line, offset = self.getpos()
        end = (line, offset + len(self.get_starttag_text() or ""))
        if tag == "head" and self.after_head is None:
            self.after_head = end
        if tag == "meta" and "charset" in names and self.after_charset is None:
            self.after_charset = end

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.inline.append("".join(self._current))
            self._current = None


def script_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def policy(inline_scripts: list[str]) -> str:
    hashes = " ".join(dict.fromkeys(script_hash(s) for s in inline_scripts))
    return "; ".join(DIRECTIVES).replace("{hashes}", hashes).replace("  ", " ").strip()


def protect(page: str) -> str:
    """``page`` with a policy allowing its own script files and its inline scripts as written."""
    parser = _Scripts()
    parser.feed(page)
    parser.close()
    where = parser.after_charset or parser.after_head
    if where is None:  # not an HTML page with a head
        return page
    line, offset = where
    at = 0
    for _ in range(line - 1):  # HTMLParser counts lines by "\n" alone
        at = page.index("\n", at) + 1
    at += offset
    meta = f'\n<meta http-equiv="Content-Security-Policy" content="{policy(parser.inline)}">'
    return page[:at] + meta + page[at:]
