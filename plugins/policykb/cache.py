"""The per-entry cache: what is costly to compute and depends only on an entry's bytes.

A value is stored under a key that hashes everything it depends on (``key``: the file's
bytes, its path and kind), so a changed file is simply a key never seen before: a stale
value cannot be found, only a missing one. Every value also depends on this package's code,
so the cache is keyed as a whole by ``code_version()``; another version's cache is ignored.

Stored with pickle in the builder's work dir (``.policykb/cache/``, next to the search
index): that folder is written by the build, never by content authors, whose files are
only ever parsed as YAML. A cache that cannot be read (corrupt, truncated, another Python)
is ignored and rebuilt; it is never trusted for anything but speed.

Values go to 64 shards per namespace by key, each written atomically and only when it
changed, so a rebuild after one edit rewrites two small files. ``save`` keeps only the
keys this run asked for, so the cache holds what the knowledge base holds and no more.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
_MISSING = object()
SHARDS = 64
MAX_SHARD_BYTES = 64_000_000  # ten thousand entries fill about 1 MB a shard
_MAGIC = "policykb-cache-1"


@functools.cache
def code_version() -> str:
    """A hash of this package's source and of the libraries whose objects the cache holds:
    any change to the schema, the loader or the checks is a new version."""
    digest = hashlib.sha256(_MAGIC.encode())
    package = Path(__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0")
        digest.update(source.read_bytes())
    for library in ("pydantic", "pydantic_core", "PyYAML", "markdown-it-py"):
        digest.update(f"{library}={_version(library)}\0".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def _version(library: str) -> str:
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return "-"


def key(*parts: str | bytes) -> str:
    """A key for values computed from ``parts`` (unambiguous: each part's length is hashed)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


class Cache:
    """Values by namespace and key; ``directory=None`` keeps nothing between runs."""

    def __init__(self, directory: Path | None, version: str | None = None):
        self.directory = directory
        self.version = version or code_version()
        self._shards: dict[tuple[str, int], dict[str, Any]] = {}
        self._changed: set[tuple[str, int]] = set()
        self._used: dict[tuple[str, int], set[str]] = {}
        self._released: set[str] = set()  # namespaces written and dropped (see ``release``)
        self.hits = self.misses = 0

    def get(self, namespace: str, item: str, default: Any = None) -> Any:
        """The value stored under ``item``, or ``default``."""
        number = _number(item)
        self._used.setdefault((namespace, number), set()).add(item)
        shard = self._shard(namespace, number)
        if item in shard:
            self.hits += 1
            return shard[item]
        self.misses += 1
        return default

    def put(self, namespace: str, item: str, value: Any) -> None:
        number = _number(item)
        self._used.setdefault((namespace, number), set()).add(item)
        self._shard(namespace, number)[item] = value
        self._changed.add((namespace, number))

    def memo(self, namespace: str, item: str, compute: Callable[[], T]) -> T:
        """The value under ``item``, computed (and kept) the first time it is asked for.
        ``item`` must be a key (see ``key``) of everything the value depends on."""
        value = self.get(namespace, item, _MISSING)
        if value is _MISSING:
            value = compute()
            self.put(namespace, item, value)
        return value

    def save(self, *, prune: bool = True) -> None:
        """Writes the shards that changed. With ``prune`` (a run that asked for every value
        it needs), the namespaces it used keep only the keys it asked for."""
        if self.directory is None:
            return
        if prune:
            for namespace in {name for name, _ in self._used} - self._released:
                self._prune(namespace)
        for namespace, number in sorted(self._changed):
            self._write(namespace, number, self._shards[namespace, number])
        self._changed.clear()

    def release(self, namespace: str) -> None:
        """Saves ``namespace`` now, pruned as ``save`` prunes, and drops it from memory: a
        build whose last use of it is done need not hold it (a page's source, a search
        document) until the end. A later ``get`` reads it again; ``save`` no longer
        prunes it, as the keys asked for after this are not all it needs."""
        if namespace not in self._released:
            self._prune(namespace)
        self._released.add(namespace)
        for number in range(SHARDS):
            name = (namespace, number)
            if name in self._changed and self.directory is not None:
                self._write(namespace, number, self._shards[name])
            self._changed.discard(name)
            self._shards.pop(name, None)
            self._used.pop(name, None)

    def _prune(self, namespace: str) -> None:
        """Only the keys this run asked for stay in ``namespace``."""
        for number in range(SHARDS):
            shard = self._shard(namespace, number)
            stale = shard.keys() - self._used.get((namespace, number), set())
            for item in stale:
                del shard[item]
            if stale or not shard:
                self._changed.add((namespace, number))

    def _shard(self, namespace: str, number: int) -> dict[str, Any]:
        name = (namespace, number)
        if name not in self._shards:
            self._shards[name] = self._read(namespace, number)
        return self._shards[name]

    def _path(self, namespace: str, number: int) -> Path:
        assert self.directory is not None
        return self.directory / namespace / f"{number:02d}.pickle"

    def _read(self, namespace: str, number: int) -> dict[str, Any]:
        if self.directory is None:
            return {}
        try:
            with open(self._path(namespace, number), "rb") as handle:
                raw = handle.read(MAX_SHARD_BYTES + 1)
            if len(raw) > MAX_SHARD_BYTES:
                return {}
            magic, version, values = pickle.loads(raw)
        except Exception:  # missing, truncated, corrupt, from another Python: start afresh
            return {}
        if magic != _MAGIC or version != self.version or not isinstance(values, dict):
            return {}
        return values

    def _write(self, namespace: str, number: int, shard: dict[str, Any]) -> None:
        path = self._path(namespace, number)
        if not shard:
            path.unlink(missing_ok=True)
            return
        data = pickle.dumps((_MAGIC, self.version, shard), protocol=pickle.HIGHEST_PROTOCOL)
        atomic_write(path, data)


def atomic_write(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _number(item: str) -> int:
    """The shard of a key: from its first hex digits (a key is a hash), else hashed."""
    try:
        return int(item[:8], 16) % SHARDS
    except ValueError:
        return int(key(item)[:8], 16) % SHARDS


TEMPLATES_FOLDER = "templates"  # in the cache directory


def template_cache(directory: Path | None, name: str) -> Any:
    """A Jinja bytecode cache (compiled templates between builds) in ``directory``, or None.

    Jinja checks each template's source itself, but not the options of the environment
    that compiled it: those are in this package's code and in the libraries', so the
    folder is one per code version and library versions, and other versions' are removed."""
    if directory is None:
        return None
    from jinja2 import FileSystemBytecodeCache

    libraries = "".join(
        f"{lib}={_version(lib)}\0" for lib in ("jinja2", "mkdocs", "mkdocs-material")
    )
    version = key(code_version(), libraries)[:16]
    parent = directory / TEMPLATES_FOLDER / name
    folder = parent / version
    folder.mkdir(parents=True, exist_ok=True)
    for other in parent.iterdir():
        if other != folder and other.is_dir():
            for stale in other.iterdir():
                stale.unlink(missing_ok=True)
            other.rmdir()
    return FileSystemBytecodeCache(str(folder))
