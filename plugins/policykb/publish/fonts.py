"""The Chinese fonts a printed publication can use on this machine (through fontconfig)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import cache

# What offices have first, then the free fonts that stand in for them.
SERIF = (
    "FangSong_GB2312",
    "仿宋_GB2312",
    "FangSong",
    "仿宋",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
)
SANS = ("SimHei", "黑体", "Noto Sans CJK SC", "Source Han Sans SC")
TITLE = (
    "FZXiaoBiaoSong-B05S",
    "方正小标宋简体",
    "SimSun",
    "宋体",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
)
FIX = "install a Chinese font, e.g. `apt-get install fonts-noto-cjk` (Debian/Ubuntu)"


class FontError(Exception):
    """No Chinese font: a PDF would print boxes."""


@dataclass(frozen=True)
class PrintFonts:
    serif: tuple[str, ...]  # body: 仿宋
    sans: tuple[str, ...]  # headings: 黑体
    title: tuple[str, ...]  # title: 小标宋


@dataclass(frozen=True)
class FontFace:
    """One installed font file (a face of a family), as fontconfig lists it."""

    file: str
    index: int  # the face in a collection (.ttc)
    weight: int  # fontconfig's scale: 80 regular, 200 bold


@cache
def _listing() -> tuple[tuple[frozenset[str], FontFace | None], ...] | None:
    """Every installed font: its family names (casefolded) and its face (None for a
    variable font, whose weight is a range); None without fc-list.

    One fc-list costs milliseconds; asking fontconfig through WeasyPrint costs its import
    (about 1.5 s) and a font scan per family, on every build, even one that prints nothing.
    """
    try:
        listed = subprocess.run(
            ["fc-list", "--format", "%{family}\t%{weight}\t%{index}\t%{file}\n"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    fonts = []
    for line in listed.splitlines():
        family, weight, index, file = (line.split("\t", 3) + ["", "", ""])[:4]
        names = frozenset(n.strip().casefold() for n in family.split(",") if n.strip())
        face = None
        if weight.isdigit() and index.isdigit() and file:
            face = FontFace(file, int(index), int(weight))
        fonts.append((names, face))
    return tuple(fonts)


@cache
def _families() -> frozenset[str] | None:
    """Every family name of every installed font, casefolded; None without fc-list."""
    listing = _listing()
    return None if listing is None else frozenset().union(*(names for names, _ in listing))


def faces(family: str) -> tuple[FontFace, ...]:
    """The installed faces of ``family`` (static fonts only), in a stable order."""
    wanted = family.casefold()
    found = {face for names, face in _listing() or () if face and wanted in names}
    return tuple(sorted(found, key=lambda f: (f.weight, f.file, f.index)))


@cache
def installed(family: str) -> bool:
    """Whether fontconfig has ``family`` itself (not a substitute for it)."""
    families = _families()
    if families is not None:
        return family.casefold() in families
    return _matched(family)


def _matched(family: str) -> bool:
    from weasyprint.text.ffi import ffi, fontconfig

    config = fontconfig.FcInitLoadConfigAndFonts()
    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", family.encode())
        fontconfig.FcConfigSubstitute(config, pattern, 0)  # FcMatchPattern
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fontconfig.FcFontMatch(config, pattern, result)
        if match == ffi.NULL:
            return False
        name = ffi.new("FcChar8 **")
        found = fontconfig.FcPatternGetString(match, b"family", 0, name) == 0
        matched = ffi.string(name[0]).decode() if found else ""
        fontconfig.FcPatternDestroy(match)
        return matched.casefold() == family.casefold()
    finally:
        fontconfig.FcPatternDestroy(pattern)
        fontconfig.FcConfigDestroy(config)


def print_fonts() -> PrintFonts:
    """The families to print with, those installed only; FontError when there is none."""
    chosen = [tuple(f for f in stack if installed(f)) for stack in (SERIF, SANS, TITLE)]
    if not chosen[0] and not chosen[2]:
        raise FontError(f"no Chinese font found for the PDF: {FIX}")
    serif = chosen[0] or chosen[2]
    return PrintFonts(serif, chosen[1] or serif, chosen[2] or serif)
