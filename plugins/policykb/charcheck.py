"""Characters that look right but are not: the checks Chinese text needs (``check --strict``).

Two kinds of slip, both invisible on screen: a look-alike code point for a Chinese
character (a Kangxi radical or a compatibility ideograph pasted from a PDF, which search
never matches), and a half-width comma, colon, semicolon or bracket between Chinese
characters. Each is reported where it stands in the file, with its code points.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from .diagnostics import Diagnostic

# Blocks whose characters stand in for ordinary ones (Unicode's own NFKC mapping says which).
_LOOKALIKE_BLOCKS = (
    (0x2E80, 0x2EFF),  # CJK Radicals Supplement
    (0x2F00, 0x2FDF),  # Kangxi Radicals
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x2F800, 0x2FA1F),  # CJK Compatibility Ideographs Supplement
)

# Half-width punctuation and the full-width form Chinese text uses.
FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}

_HAN = r"[\u3400-\u9fff\U00020000-\U0003134f]"
# Chinese text around a mark: characters, or its own punctuation (“ 《 。 ，).
_CJK = r"[\u3400-\u9fff\U00020000-\U0003134f\u3000-\u303f\uff01-\uff60“”‘’]"
_BETWEEN = re.compile(rf"(?<={_CJK})[,:;?!](?={_CJK})")
_BRACKETED = re.compile(
    rf"(?<={_HAN})\(([^()\n]*{_HAN}[^()\n]*)\)|\(([^()\n]*{_HAN}[^()\n]*)\)(?={_HAN})"
)


@cache
def lookalikes() -> dict[str, str]:
    """The data table: look-alike character → the standard one ("" when it has none)."""
    table = {}
    for first, last in _LOOKALIKE_BLOCKS:
        for cp in range(first, last + 1):
            char = chr(cp)
            if not unicodedata.name(char, ""):
                continue
            standard = unicodedata.normalize("NFKC", char)
            # most supplement radicals have no standard form: reported without a fix
            table[char] = standard if standard != char else ""
    return table


def _cp(char: str) -> str:
    return f"U+{ord(char):04X}"


def check_text(path: str, text: str) -> list[Diagnostic]:
    errors = []
    table = lookalikes()
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        for col, char in enumerate(line, start=1):
            if char in table:
                name = unicodedata.name(char).title()
                standard = table[char]
                fix = f": write '{standard}' ({_cp(standard)})" if standard else ""
                errors.append(
                    Diagnostic(path, number, col, f"look-alike '{char}' ({_cp(char)} {name}){fix}")
                )
        flow = re.match(r"^\s*(-\s+)?([\w-]+:\s*)?[\[{]", line)
        for m in _BETWEEN.finditer(line):
            if m.group() == "," and flow:
                continue  # in a flow list, a comma separates items
            errors.append(_half_width(path, number, m.start() + 1, m.group()))
        for m in _BRACKETED.finditer(line):
            errors.append(_half_width(path, number, m.start() + 1, "("))
            errors.append(_half_width(path, number, m.end(), ")"))
    return errors


def _half_width(path: str, line: int, col: int, char: str) -> Diagnostic:
    full = FULL_WIDTH[char]
    return Diagnostic(
        path,
        line,
        col,
        f"half-width '{char}' ({_cp(char)}) beside Chinese: write '{full}' ({_cp(full)})",
    )


def check(root: Path, paths: Iterable[str]) -> list[Diagnostic]:
    """Every slip in the entry files at ``paths`` (relative to ``root``)."""
    errors = []
    for path in paths:
        text = (root / path).read_text(encoding="utf-8", errors="replace")
        errors.extend(check_text(path, text))
    return errors
