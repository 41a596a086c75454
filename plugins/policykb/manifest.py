"""What content a build was made from, to tell cheaply whether it is still current.

The loader notes every entry file's size, mtime and SHA-256 as it reads it (``FileState``).
A manifest written next to what was built from them (the search index) lets a later process
decide without loading anything: the same files, each with the same size and mtime, is
current; a file whose size or mtime differs is hashed, and only a different hash is a change
(a checkout that touched the file but kept its bytes costs one hash, not a rebuild).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from . import contentfiles
from .cache import atomic_write

FORMAT = "policykb-manifest-1"


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, raw: bytes, info: os.stat_result) -> FileState:
        return cls(info.st_size, info.st_mtime_ns, hashlib.sha256(raw).hexdigest())


def write(path: Path, sources: dict[str, FileState], extra: dict[str, str]) -> None:
    """Records ``sources`` (project-relative path → state) and ``extra`` (settings, the
    index's own fingerprint…: anything else the built thing depends on)."""
    record = {
        "format": FORMAT,
        "extra": extra,
        "files": {rel: asdict(state) for rel, state in sorted(sources.items())},
    }
    atomic_write(path, json.dumps(record, ensure_ascii=False, sort_keys=True).encode())


def is_current(path: Path, root: Path, extra: dict[str, str]) -> bool:
    """Whether the entry files under ``root`` are those ``path`` records, with ``extra``."""
    try:
        record = json.loads(path.read_bytes())
        if record["format"] != FORMAT or record["extra"] != extra:
            return False
        files = {rel: FileState(**state) for rel, state in record["files"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return False  # no manifest, or one this code cannot read: not current
    found = contentfiles.find(root)
    if found.errors or {f.rel for f in found.files} != files.keys():
        return False
    return all(_unchanged(f.path, files[f.rel]) for f in found.files)


def _unchanged(file: Path, recorded: FileState) -> bool:
    try:
        info = os.stat(file)
        if info.st_size != recorded.size:
            return False
        if info.st_mtime_ns == recorded.mtime_ns:
            return True
        return hashlib.sha256(file.read_bytes()).hexdigest() == recorded.sha256
    except OSError:
        return False
