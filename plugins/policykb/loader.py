"""Load every entry file of a project into validated entries, collecting all errors."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import cache, contentfiles
from .cache import Cache
from .contentfiles import EntryFile
from .diagnostics import Diagnostic
from .kinds import KINDS, RESERVED_IDS, Kind
from .manifest import FileState
from .yamlfile import YamlDocument, is_valid_id, parse_bytes, read_bytes

ENTRIES = "entries"  # the cache's namespace for parsed and validated entries


@dataclass(frozen=True)
class Entry:
    id: str
    kind: Kind
    path: str  # as shown in messages: relative to the project root
    data: Any  # the kind's pydantic model
    doc: YamlDocument
    # a hash of the file's bytes, path and kind: the cache key of what depends on it alone
    key: str = field(default="", compare=False)

    @property
    def title(self) -> str:
        return self.kind.title(self.data)


@dataclass
class Loaded:
    entries: list[Entry]
    errors: list[Diagnostic]
    # ids of files that exist but are invalid: references to them are not errors of their own
    broken: set[str]
    # every entry file read, as it was read: what the knowledge base was built from
    sources: dict[str, FileState] = field(default_factory=dict)


def load(
    root: Path,
    store: Cache | None = None,
    *,
    since: Loaded | None = None,
    changed: Iterable[Path] = (),
) -> Loaded:
    """All entries under ``root`` that are valid, and a diagnostic for every error.

    A file whose bytes ``store`` has seen (as a valid entry of this kind at this path) is
    taken from it, not parsed and validated again. ``since``: a load of ``root`` without
    errors, after which only the ``changed`` paths changed (an edit under `build.py serve`):
    only those are looked at and read again, the other entries are those of ``since``. A
    full load is the same load since nothing."""
    store = store or Cache(None)
    again = contentfiles.look_again(root, changed) if since is not None else None
    kept: list[Entry] = []
    if since is None or again is None:
        found = contentfiles.find(root)
    else:
        found, named = again
        kept = [e for e in since.entries if e.path not in named]
    sources: dict[str, FileState] = {}
    entries: list[Entry] = []
    errors: list[Diagnostic] = []
    first_path: dict[str, str] = {}
    errors.extend(found.errors)
    order = {kind.name: n for n, kind in enumerate(KINDS)}
    files: list[tuple[int, str, EntryFile | Entry]] = [
        *((order[f.kind.name], f.rel, f) for f in found.files),
        *((order[e.kind.name], e.path, e) for e in kept),
    ]
    for _, rel, item in sorted(files, key=lambda f: f[:2]):
        if isinstance(item, Entry):  # kept from ``since``: its name passed the checks there
            assert since is not None
            if not _claim(item.id, rel, first_path, errors):
                continue
            entries.append(item)
            sources[rel] = since.sources[rel]
            continue
        file = item.path
        if file.suffix != ".yaml":
            message = f"entry files end in .yaml, not {file.suffix}"
            errors.append(Diagnostic(rel, 1, 1, message))
            continue
        stem = file.stem
        if not is_valid_id(stem):
            errors.append(
                Diagnostic(
                    rel,
                    1,
                    1,
                    f"bad id '{stem}': a file name must be lowercase letters, digits and "
                    "single hyphens ([a-z0-9-]+)",
                )
            )
            continue
        if stem in RESERVED_IDS:
            errors.append(
                Diagnostic(rel, 1, 1, f"id '{stem}' is reserved for the site's own pages")
            )
            continue
        if not _claim(stem, rel, first_path, errors):
            continue
        state, entry, problems = _read(item, store)
        errors.extend(problems)
        if state is not None:
            sources[rel] = state
        if entry is not None:
            entries.append(entry)
    valid = {e.id for e in entries}
    return Loaded(entries, errors, set(first_path) - valid, sources)


def _claim(name: str, rel: str, first_path: dict[str, str], errors: list[Diagnostic]) -> bool:
    """Whether ``name`` is the id of the file ``rel`` alone so far (else a duplicate's error)."""
    if name in first_path:
        errors.append(
            Diagnostic(rel, 1, 1, f"duplicate id '{name}': also used by {first_path[name]}")
        )
        return False
    first_path[name] = rel
    return True


def _read(item: EntryFile, store: Cache) -> tuple[FileState | None, Entry | None, list[Diagnostic]]:
    """One entry file read: its state, its entry if it is valid, and its errors."""
    rel, kind = item.rel, item.kind
    raw, info, problems = read_bytes(item.path, rel)
    if raw is None or info is None:
        return None, None, problems
    state = FileState.of(raw, info)
    key = cache.key(kind.name, rel, state.sha256)
    cached = store.get(ENTRIES, key)
    if cached is not None:
        doc, data = cached
        return state, Entry(item.path.stem, kind, rel, data, doc, key), []
    doc, problems = parse_bytes(raw, rel)
    data, invalid = validate(doc, kind.model) if doc else (None, [])
    problems.extend(invalid)
    if doc is None or data is None:
        return state, None, problems
    # the model holds what the file says: its raw mapping is not kept twice (an error is
    # placed from the text, parsed again when one is reported)
    doc.data = {}
    if not problems:  # a file with errors is read again, to report them again
        store.put(ENTRIES, key, (doc, data))
    return state, Entry(item.path.stem, kind, rel, data, doc, key), problems


def validate(doc: YamlDocument, model: type[BaseModel]) -> tuple[Any, list[Diagnostic]]:
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        return None, [_diagnostic(doc, model, err) for err in exc.errors()]


_TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a mapping",
    type(None): "nothing",
}

_EXPECTED = {
    "string_type": "text",
    "list_type": "a list, e.g. [a, b]",
    "int_type": "a number",
    "float_type": "a number",
    "bool_type": "true or false",
    "model_type": "a mapping of fields",
    "dict_type": "a mapping of fields",
}


def _field_name(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts)


def _diagnostic(doc: YamlDocument, model: type[BaseModel], err: dict[str, Any]) -> Diagnostic:
    # pydantic adds the union member's type name to a location (…, 'value', 'int'): drop it.
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in {"int", "float", "str"}))
    kind, name = err["type"], _field_name(loc)
    given = err.get("input")
    if kind == "missing":
        return doc.diagnostic(loc[:-1], f"missing required field '{name}'", key=True)
    if kind == "extra_forbidden":
        allowed = list(_model_at(model, loc[:-1]).model_fields)
        near = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f" (did you mean '{near[0]}'?)" if near else f" (allowed: {', '.join(allowed)})"
        return doc.diagnostic(loc, f"unknown field '{name}'{hint}", key=True)
    if kind == "literal_error":
        return doc.diagnostic(
            loc, f"'{name}' must be one of {err['ctx']['expected']}, got {given!r}"
        )
    if kind == "value_error":
        return doc.diagnostic(loc, f"'{name}': {err['ctx']['error']}")
    if kind in {"string_too_short", "too_short"}:
        return doc.diagnostic(loc, f"'{name}' must not be empty")
    if kind in _EXPECTED:
        got = _TYPE_NAMES.get(type(given), type(given).__name__)
        return doc.diagnostic(loc, f"'{name}' must be {_EXPECTED[kind]}, got {got}")
    return doc.diagnostic(loc, f"'{name}': {err['msg']}")


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel]:
    """The nested model a location points into (for suggesting field names)."""
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        for candidate in getattr(annotation, "__args__", (annotation,)):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                model = candidate
                break
    return model
