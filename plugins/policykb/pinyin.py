"""Pinyin (for sorting, group slugs and the search lexicon), remembered between builds.

pypinyin takes a quarter of a second to import (its phrase dictionary) and a build asks for
the pinyin of the same titles and characters every time: with a store (the build's cache)
a text's pinyin is read back, and pypinyin is imported only for a text not seen before.
"""

from __future__ import annotations

import functools
import gc
import sys
from importlib import metadata

from .cache import Cache, key

NAMESPACE = "pinyin"
_store: Cache | None = None


def remember_in(store: Cache | None) -> None:
    """Where lookups are kept until ``remember_in(None)`` (the build saves the store)."""
    global _store
    _store = store


def lazy_pinyin(text: str, *, tone3: bool = False, errors: str = "default") -> list[str]:
    """pypinyin's ``lazy_pinyin`` (style TONE3 or NORMAL)."""
    if _store is None:
        return _compute(text, tone3, errors)
    item = key(text, str(tone3), errors, _version())
    return list(_store.memo(NAMESPACE, item, lambda: _compute(text, tone3, errors)))


def _compute(text: str, tone3: bool, errors: str) -> list[str]:
    import pypinyin

    style = pypinyin.Style.TONE3 if tone3 else pypinyin.Style.NORMAL
    return pypinyin.lazy_pinyin(text, style=style, errors=errors)


@functools.cache
def _version() -> str:
    return metadata.version("pypinyin")


def unload() -> None:
    """Frees pypinyin's dictionaries (some 50 MB) once a build has asked for its last
    pinyin: imported again should anything ask after. Its modules hold each other in cycles,
    hence the collection."""
    names = [n for n in sys.modules if n == "pypinyin" or n.startswith("pypinyin.")]
    if names:
        for name in names:
            del sys.modules[name]
        gc.collect()
