"""HTML the page templates write themselves, carried past Python-Markdown untouched.

Most of a generated page is structure we produce (the lists of links on hubs, indexes and
list pages): as Markdown, Python-Markdown spent half its time on each page parsing those
lines back into the links we had in hand; as raw HTML its HTML parser is slower still.
So a template writes such a block as ``block(html)``: the HTML between STX and ETX in the
page's Markdown (which is what a build hashes, so a changed list is a changed page).
Before Python-Markdown reads the page each block becomes a placeholder paragraph, and
after it the placeholder becomes the block again, before the sanitiser reads the page's
HTML (so the blocks are cleaned like everything else).

Content cannot forge a block: the loader refuses control characters (STX, ETX among
them) in every text of an entry file.
"""

from __future__ import annotations

import re
import secrets

START, END = "\x02", "\x03"
_BLOCK = re.compile(f"{START}([^{START}{END}]*){END}")
# A word no content can hold (Python-Markdown drops STX and ETX, so not those): it is
# drawn afresh each run, and never reaches a page.
_WORD = f"kb{secrets.token_hex(12)}x"
_PLACEHOLDER = re.compile(f"<p>{_WORD}(\\d+)</p>")


class LostBlock(Exception):
    """A block's placeholder did not come out of Markdown as a paragraph of its own."""


def block(html: str) -> str:
    """``html`` as a block of a page's Markdown, a paragraph of its own."""
    return f"\n{START}{html}{END}\n\n"


def stash(markdown: str) -> tuple[str, list[str]]:
    """The page's Markdown with a placeholder for each block, and the blocks."""
    blocks: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        blocks.append(match.group(1))
        return f"{_WORD}{len(blocks) - 1}"

    return _BLOCK.sub(placeholder, markdown), blocks


def restore(html: str, blocks: list[str]) -> str:
    """The page's HTML with each placeholder replaced by its block; raises ``LostBlock``
    unless every block is put back exactly once (nothing is silently lost)."""
    if not blocks:
        return html
    seen: list[int] = []

    def original(match: re.Match[str]) -> str:
        seen.append(int(match.group(1)))
        return blocks[seen[-1]]

    restored = _PLACEHOLDER.sub(original, html)
    if sorted(seen) != list(range(len(blocks))):
        raise LostBlock(f"{len(blocks)} HTML block(s) written, {len(seen)} put back")
    return restored
