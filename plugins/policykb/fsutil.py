"""Replace a directory only once its successor is complete."""

from __future__ import annotations

import shutil
from pathlib import Path


def swap_in(new: Path, target: Path) -> None:
    """Move ``new`` to ``target``; the old ``target`` is removed only after the move."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
