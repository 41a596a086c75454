"""Pages in fewer bytes, the same to a reader: without the theme's indentation, and without
the permalink of the page's own title (the page's address is that link; every heading
below it keeps its ¶).

Material's templates indent every tag and leave blank lines where a block is off; on an
entry page that is about 5 KB of 25. Between tags (and between a tag and text) a run of
whitespace holding a line break renders as one space wherever it matters, so it becomes
one line break. The text of <pre>, <textarea>, <script> and <style> is kept byte for byte
(code, the Content-Security-Policy's script hashes).
"""

from __future__ import annotations

import re

_KEPT = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2\s*>)", re.S | re.I)
_AFTER_TAG = re.compile(r">[ \t]*\n\s*")
_LEADING = re.compile(r"^[ \t]*\n\s*")
# The rules for white space before a tag (and before a kept block) are matched in the
# reversed text, where they begin with a character to look for: forwards, a pattern that
# begins with white space is tried at every character of the page, five times slower.
_BEFORE_TAG_REVERSED = re.compile(r"<[ \t]*\n\s*")  # \s*\n[ \t]*< forwards


# The toc extension's permalink ends a heading; the title's is the one before </h1>.
_TITLE_PERMALINK = re.compile(r'<a class="headerlink" [^>]*>[^<]*</a>(?=</h1>)')


def compact(html: str) -> str:
    return _TITLE_PERMALINK.sub("", _without_indentation(html))


def _without_indentation(html: str) -> str:
    parts = _KEPT.split(html)
    out = []
    # split() gives text, kept block, tag name, text, kept block, tag name, … text
    for i in range(0, len(parts), 3):
        reversed_text = _BEFORE_TAG_REVERSED.sub("<\n", _AFTER_TAG.sub(">\n", parts[i])[::-1])
        if i + 1 < len(parts):  # just before a kept block, which starts with a tag
            reversed_text = _LEADING.sub("\n", reversed_text)
        text = reversed_text[::-1]
        if i > 0:  # just after one, which ends with a tag
            text = _LEADING.sub("\n", text)
        out.append(text)
        if i + 1 < len(parts):
            out.append(parts[i + 1])
    return "".join(out)
