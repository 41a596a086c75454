"""Find every entry file of a project, and nothing outside it.

Content arrives through git from many offices, so the walk trusts no link: a symlink is
followed only when it stays inside the project, loops and dangling links are named, and
every ``.yaml``/``.yml`` file is either some kind's entry or an error, never skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic
from .kinds import KINDS, Kind

ENTRY_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class EntryFile:
    path: Path  # as reached from the project root (symlinks not resolved)
    rel: str  # as shown in messages
    kind: Kind


@dataclass
class Found:
    files: list[EntryFile]
    errors: list[Diagnostic]


def top_folders() -> list[str]:
    """``content``, ``cases``: the folders that hold entries, read from the kinds table."""
    return sorted({kind.folder.split("/")[0] for kind in KINDS})


def kind_of(rel: str) -> Kind | None:
    """The kind whose folder holds ``rel`` (the deepest one, should folders nest)."""
    owners = [k for k in KINDS if rel.startswith(k.folder + "/")]
    return max(owners, key=lambda k: len(k.folder)) if owners else None


def find(root: Path) -> Found:
    found = Found([], [])
    real_root = root.resolve()
    for name in top_folders():
        _walk(root / name, name, real_root, set(), found)
    found.files.sort(key=lambda f: f.rel)
    return found


def look_again(root: Path, paths: Iterable[Path]) -> tuple[Found, set[str]] | None:
    """What ``find`` says of ``paths`` alone (the entry files among them, their errors) and
    the paths they name, as ``find`` names them: after an edit only these are looked at
    again. None where only a whole walk can tell: a folder, a symlink, a path outside the
    top folders or reached through a link."""
    found = Found([], [])
    real_root = root.resolve()
    tops = set(top_folders())
    named: set[str] = set()
    for path in paths:
        try:
            rel_path = path.relative_to(real_root)
        except ValueError:
            return None
        parts = rel_path.parts
        if len(parts) < 2 or parts[0] not in tops:
            return None
        parent = real_root / rel_path.parent
        if os.path.islink(path) or os.path.isdir(path) or os.path.realpath(parent) != str(parent):
            return None
        rel = rel_path.as_posix()
        if not os.path.lexists(path) and not rel.lower().endswith(ENTRY_SUFFIXES):
            return None  # a folder, gone with what it held
        named.add(rel)
        _walk(root / rel_path, rel, real_root, set(), found)
    return found, named


def _walk(
    path: Path,
    rel: str,
    real_root: Path,
    seen: set[Path],
    found: Found,
    entry: os.DirEntry[str] | None = None,
) -> None:
    """``entry``, when the folder listing gave one, answers what the file is without
    another system call (a freshness check walks ten thousand files)."""
    if entry.is_symlink() if entry is not None else path.is_symlink():
        target = _link_target(path, rel, real_root, found)
        if target is None:
            return
    elif entry is None and not os.path.lexists(path):
        return
    if entry.is_dir() if entry is not None else path.is_dir():
        real = path.resolve()
        if real in seen:  # a link back to a folder already being walked
            found.errors.append(
                Diagnostic(rel, 1, 1, "symlink loop: this folder links back to one that holds it")
            )
            return
        try:
            with os.scandir(path) as listing:
                children = sorted(listing, key=lambda child: child.name)
        except OSError as exc:
            found.errors.append(Diagnostic(rel, 1, 1, f"cannot read folder: {exc.strerror}"))
            return
        inside = seen | {real}
        for child in children:
            _walk(path / child.name, f"{rel}/{child.name}", real_root, inside, found, child)
        return
    if not rel.lower().endswith(ENTRY_SUFFIXES):
        return
    kind = kind_of(rel)
    if kind is None:
        folders = ", ".join(k.folder + "/" for k in KINDS)
        message = f"not in any kind's folder, so not an entry; entries go in {folders}"
        found.errors.append(Diagnostic(rel, 1, 1, message))
        return
    found.files.append(EntryFile(path, rel, kind))


def _link_target(path: Path, rel: str, real_root: Path, found: Found) -> Path | None:
    """Where a symlink leads, or None (with an error) when it may not be followed."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        found.errors.append(
            Diagnostic(rel, 1, 1, f"dangling symlink: {os.readlink(path)} does not exist")
        )
        return None
    except (RuntimeError, OSError):  # ELOOP (RuntimeError before Python 3.13)
        found.errors.append(Diagnostic(rel, 1, 1, "symlink loop: the link leads back to itself"))
        return None
    if not target.is_relative_to(real_root):
        found.errors.append(
            Diagnostic(
                rel, 1, 1, f"symlink leads outside the repository ({target}); copy the file in"
            )
        )
        return None
    return target
