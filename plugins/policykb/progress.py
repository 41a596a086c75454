"""Stage lines with timings: a long build says what it is doing and where its time went.

Each stage logs one line when it ends (``policykb: pages: 362 in 1.21 s, CPU 1.18 s``), so a
CI log or a maintainer reading a slow build sees where the seconds went. On a terminal a
spinner (rich) shows the stage while it runs. ``build.py -q`` silences both.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger("mkdocs.plugins.policykb.progress")


def _spinner(label: str):
    if not (log.isEnabledFor(logging.INFO) and sys.stderr.isatty()):
        return None
    from rich.console import Console

    return Console(stderr=True).status(f"policykb: {label} …")


_checks = threading.local()


@contextmanager
def checked(check: Callable[[], None]) -> Iterator[None]:
    """``check()`` called as each stage of this thread begins: a live update asks there
    whether a newer edit superseded it (``live.Turn``), and stops if so."""
    previous = getattr(_checks, "check", None)
    _checks.check = check
    try:
        yield
    finally:
        _checks.check = previous


def check() -> None:
    """The thread's check (see ``checked``), for work that is long within one stage."""
    if (current := getattr(_checks, "check", None)) is not None:
        current()


@contextmanager
def stage(label: str, count: int | None = None) -> Iterator[None]:
    """Times the block; ``count`` says how many things it handled (entries, pages…)."""
    check()
    spinner = _spinner(label)
    wall, cpu = time.perf_counter(), time.process_time()
    if spinner is not None:
        spinner.start()
    try:
        yield
    finally:
        if spinner is not None:
            spinner.stop()
    since(label, (wall, cpu), count)


def mark() -> tuple[float, float]:
    """Now, to time a stage that spans hooks (MkDocs' own page pass) with ``since``."""
    return time.perf_counter(), time.process_time()


def since(label: str, start: tuple[float, float], count: int | None = None) -> None:
    what = f"{count} in " if count is not None else ""
    log.info(
        "policykb: %s: %s%.2f s, CPU %.2f s",
        label,
        what,
        time.perf_counter() - start[0],
        time.process_time() - start[1],
    )


def quiet(silent: bool) -> None:
    log.setLevel(logging.WARNING if silent else logging.INFO)
