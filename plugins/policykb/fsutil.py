"""Replace a directory only once its successor is complete, safely against a kill at any
instant.

``target`` (``site``, ``.policykb/index``) is a symlink to a complete version beside it
(``.site.v<ns>``). A build writes into ``.site-building-<random>``, renames it to a new
version, and switches the link with one ``rename`` of a fresh link over the old one: at every
moment ``target`` is the old or the new complete directory. Whatever a killed build left
(a half-built directory, an unused version or link) is removed by the next one; the lock file
``.site.lock`` stays, empty.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _patterns(target: Path) -> tuple[str, str, str]:
    """Half-built directories (``.index-*`` too, as earlier versions named them), complete
    versions, and the links and ``.old`` folders of a switch or of earlier versions."""
    name = re.escape(target.name)
    return rf"\.{name}-.+", rf"\.{name}\.v\d+", rf"\.{name}\.(link-.+|old)"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def replacing(target: Path, *, prefilled: bool = False) -> Iterator[Path]:
    """Yields an empty directory to build ``target``'s successor in (with ``prefilled``, a
    copy of ``target`` made of hard links: see ``staging``); when the block ends without an
    exception, ``target`` switches to it. On an exception ``target`` is as it was.
    """
    with staging(target, prefilled=prefilled) as building:
        yield building
        switch(building, target.absolute())


@contextmanager
def staging(target: Path, *, prefilled: bool = False) -> Iterator[Path]:
    """A scratch directory beside ``target``, removed afterwards, held under ``target``'s
    lock. ``prefilled``: it starts as a copy of ``target`` made of hard links (cheap at
    thousands of files); whoever writes into it must then replace files, never write into
    one (that would write into ``target`` too): see ``site_output``."""
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    # One build at a time (`build.py search` rebuilds the index too): a second one waits,
    # rather than taking the first one's half-built directory for a leftover.
    with open(target.with_name(f".{target.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        repair(target)
        building = Path(tempfile.mkdtemp(prefix=f".{target.name}-building-", dir=target.parent))
        # mkdtemp makes 0700; a web server running as another user must read the site
        building.chmod(0o777 & ~_umask())
        try:
            if prefilled and target.is_dir():
                shutil.copytree(target, building, copy_function=os.link, dirs_exist_ok=True)
            yield building
        finally:
            shutil.rmtree(building, ignore_errors=True)


def file_clock(folder: Path) -> int:
    """Now, as the file system stamps a file written in ``folder`` (a coarser clock than
    time.time_ns(), up to a tick behind it)."""
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".clock-") as marker:
        return os.fstat(marker.fileno()).st_mtime_ns


def written_through(staged: Path, since_ns: int) -> list[str]:
    """Files of a prefilled staging copy written in place after ``since_ns`` (a
    ``file_clock`` reading; still hard links, so the other copy changed too): a writer that
    should have replaced them. A file published into the live site just before the copy was
    made is older than the reading, however soon after it the build started."""
    found = []
    for folder, _dirs, names in os.walk(staged):
        for name in names:
            stat = os.lstat(os.path.join(folder, name))
            if stat.st_nlink > 1 and stat.st_mtime_ns > since_ns:
                found.append(os.path.relpath(os.path.join(folder, name), staged))
    return sorted(found)


def publish(staged: Path, live: Path) -> list[str]:
    """Makes ``live`` what ``staged`` (a prefilled staging copy of it) became, one file at a
    time: each new or replaced file (another inode than the live one) is renamed over the
    live one, so that a reader gets the old file or the new one, never part of one; files
    no longer in ``staged`` are removed. Returns the paths changed, relative to ``live``."""
    live = live.resolve()
    changed: list[str] = []
    kept: set[str] = set()
    for folder, _dirs, names in os.walk(staged):
        relative = os.path.relpath(folder, staged)
        for name in names:
            path = os.path.normpath(os.path.join(relative, name))
            kept.add(path)
            source, destination = os.path.join(folder, name), live / path
            try:
                same = os.path.samestat(os.lstat(source), os.lstat(destination))
            except FileNotFoundError:
                same = False
            if not same:
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, destination)
                changed.append(path)
    for folder, _dirs, names in os.walk(live, topdown=False):
        relative = os.path.relpath(folder, live)
        for name in names:
            path = os.path.normpath(os.path.join(relative, name))
            if path not in kept:
                os.unlink(os.path.join(folder, name))
                changed.append(path)
        if relative != "." and not os.listdir(folder):
            os.rmdir(folder)
    return changed


def switch(complete: Path, target: Path) -> None:
    """Make ``target`` the directory ``complete`` (which is moved to a version of its own)."""
    version = target.with_name(f".{target.name}.v{time.time_ns():020d}")
    os.rename(complete, version)
    link = target.with_name(f".{target.name}.link-{version.name}")
    os.symlink(version.name, link)  # relative: the project folder can move
    if target.is_dir() and not target.is_symlink():
        # A folder from before versions (or from plain `mkdocs build`) cannot be swapped for
        # a link in one step: moved aside first, and a kill in between is repaired by repair().
        os.rename(target, target.with_name(f".{target.name}.v{0:020d}"))
    os.replace(link, target)
    _sync(target.parent)
    _remove_leftovers(target)


def repair(target: Path) -> None:
    """Undo what a build killed at any instant left: if ``target`` is missing while complete
    versions exist, point it at the newest; then remove every leftover."""
    if not os.path.lexists(target):
        versions = sorted(p for p in _siblings(target, 1))
        if versions:
            link = target.with_name(f".{target.name}.link-{versions[-1].name}")
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(versions[-1].name, link)
            os.replace(link, target)
    _remove_leftovers(target)


def _siblings(target: Path, which: int) -> list[Path]:
    pattern = re.compile(_patterns(target)[which])
    return [p for p in target.parent.iterdir() if pattern.fullmatch(p.name)]


def _remove_leftovers(target: Path) -> None:
    current = os.readlink(target) if target.is_symlink() else None
    for which in range(3):
        for path in _siblings(target, which):
            if path.name == current:
                continue
            if path.is_symlink() or not path.is_dir():
                os.unlink(path)
            else:
                shutil.rmtree(path, ignore_errors=True)


def _sync(directory: Path) -> None:
    """The rename reaches the disk before the old version is deleted."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
