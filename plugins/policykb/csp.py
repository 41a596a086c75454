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
import re

# Styles stay 'unsafe-inline': Material and search.js set style attributes; CSS cannot run
# script. data: images are the theme's CSS icons. connect-src is default-src's 'self'.
DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self' {hashes}",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)


# The page is the theme's markup around sanitised content (no author can add a script or
# a raw tag: see sanitize), so a scan of its tags is enough; an HTML parser costed a sixth
# of a build. A script's text runs to the first "</script", as the browser reads it.
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_CHARSET = re.compile(r"<meta\b[^>]*\bcharset\b[^>]*>", re.I)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)
_SRC = re.compile(r"\ssrc\s*=", re.I)
_TYPE = re.compile(r"""\stype\s*=\s*["']?([^"'\s>]*)""", re.I)


def inline_scripts(page: str) -> list[str]:
    """The text of every inline script the browser would run (a JSON block is data)."""
    found = []
    for match in _SCRIPT.finditer(page):
        attrs, text = match.groups()
        kind = _TYPE.search(attrs)
        if _SRC.search(attrs) or (kind and "json" in kind.group(1).lower()):
            continue
        found.append(text)
    return found


def script_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def policy(inline_scripts: list[str]) -> str:
    hashes = " ".join(dict.fromkeys(script_hash(s) for s in inline_scripts))
    return "; ".join(DIRECTIVES).replace(" {hashes}", " " + hashes if hashes else "")


def protect(page: str) -> str:
    """``page`` with a policy allowing its own script files and its inline scripts as written."""
    where = _CHARSET.search(page) or _HEAD.search(page)
    if where is None:  # not an HTML page with a head
        return page
    at = where.end()
    meta = f'\n<meta http-equiv="Content-Security-Policy" content="{policy(inline_scripts(page))}">'
    return page[:at] + meta + page[at:]
