"""Compact copies of the print fonts for one document: only the glyphs its text uses.

WeasyPrint embeds a subset of each font it prints with, but keeps every glyph's place (an
empty one) up to the last glyph used, and a Chinese font has some 65,000 glyphs: each face
of each PDF cost 150 to 300 KB for a few hundred characters, nine tenths of the PDF. Printed
from a copy holding only the document's characters (HarfBuzz's subsetter: milliseconds), a
face costs a tenth of that and the pages are the same: same font, same glyphs, same
shaping tables. Such a copy is named after its family with SUFFIX (as the PDF's font list
shows it) and goes first in each stack; a character it lacks (none should: it is made from
the whole print HTML) falls through to the installed family behind it.
"""

from __future__ import annotations

import base64
from functools import cache

from .fonts import FontFace, PrintFonts, faces

SUFFIX = " subset"
REGULAR, BOLD = 80, 200  # fontconfig's weights; CSS's 400 and 700
# What the print stylesheet writes that is not in the HTML's text: page numbers (— 1 —),
# the contents' leaders and page references, list markers.
GENERATED = "0123456789—. \u00a0•◦▪"


def compact_stacks(fonts: PrintFonts) -> PrintFonts:
    """The stacks with each one's first family's compact copy in front of it."""

    def front(stack: tuple[str, ...]) -> tuple[str, ...]:
        return (stack[0] + SUFFIX, *stack) if stack else stack

    return PrintFonts(front(fonts.serif), front(fonts.sans), front(fonts.title))


def font_faces(fonts: PrintFonts, text: str) -> str:
    """CSS @font-face rules of the compact copies (``compact_stacks``' names) of the
    stacks' first families, regular and bold where installed, for the characters of
    ``text``; a face that cannot be copied has no rule (its stack goes on to the family)."""
    characters = frozenset(text) | frozenset(GENERATED)
    rules = []
    for family in dict.fromkeys(s[0] for s in (fonts.serif, fonts.sans, fonts.title) if s):
        for css_weight, face in _regular_and_bold(faces(family)):
            data = _compact(face, characters)
            if data is not None:
                rules.append(
                    f'@font-face {{ font-family: "{family}{SUFFIX}"; font-weight: {css_weight};'
                    f" src: url(data:font/otf;base64,{base64.b64encode(data).decode()}); }}"
                )
    return "\n".join(rules)


def _regular_and_bold(found: tuple[FontFace, ...]) -> list[tuple[int, FontFace]]:
    """The face nearest regular and, if the family has one, the face nearest bold (without
    it, bold text is the regular face made bold, as from the installed family)."""
    chosen = []
    regular = [f for f in found if f.weight < (REGULAR + BOLD) // 2]
    bold = [f for f in found if f.weight >= (REGULAR + BOLD) // 2]
    if regular:
        chosen.append((400, min(regular, key=lambda f: abs(f.weight - REGULAR))))
    if bold:
        chosen.append((700, min(bold, key=lambda f: abs(f.weight - BOLD))))
    return chosen


def _compact(face: FontFace, characters: frozenset[str]) -> bytes | None:
    import uharfbuzz as hb

    source = _face(face.file, face.index)
    if source is None:
        return None
    wanted = hb.SubsetInput()
    for character in characters:
        wanted.unicode_set.add(ord(character))
    wanted.flags = hb.SubsetFlags.NO_HINTING  # WeasyPrint drops hinting from PDFs too
    try:
        copy = hb.subset(source, wanted)
    except Exception:  # noqa: BLE001 (a font HarfBuzz cannot cut: print from the installed one)
        return None
    data = copy.blob.data if copy is not None else b""
    return bytes(data) or None


@cache  # one read of each font file per build (a .ttc is 20 MB)
def _face(file: str, index: int):  # noqa: ANN202 (uharfbuzz.Face)
    import uharfbuzz as hb

    try:
        return hb.Face(hb.Blob.from_file_path(file), index)
    except Exception:  # noqa: BLE001 (gone, unreadable, not a font)
        return None
