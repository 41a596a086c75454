"""Read one YAML entry file, keeping where every key and value stands.

PyYAML silently keeps the last of two equal keys and resolves ``2024-08-20`` to a
``date``; both would lose what the author wrote, so this reader composes the node tree
itself, reports duplicate keys, and leaves timestamps as the strings they were.

Entry files come from many offices and are untrusted: anchors and aliases (a 2 KB file of
nested aliases expands to gigabytes), tags (``!!python/name:…``), files over ``MAX_BYTES``
and anything but a regular file are refused before any value is built.

libyaml (PyYAML's C parser) reads a well-formed entry in one pass over its events; any file
it finds anything to say about (a syntax error, a duplicate key, an anchor…) is read again by
the pure-Python path, whose messages and positions are the ones authors see.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic

Position = tuple[int, int]  # 1-based line, column
MAX_BYTES = 1_000_000  # an entry is a page of text; anything bigger is a mistake or an attack
MAX_DEPTH = 20  # entries nest three levels (figures: a list of mappings); deeper is an attack
KeyPath = tuple[str | int, ...]


class _EntryLoader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: dates stay text."""


_EntryLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class YamlDocument:
    """A parsed file: its data, and its source, to place each key and value in it."""

    path: str
    data: dict[str, Any]
    text: str = ""
    # (key positions, value positions), found again from the text when first asked for (to
    # place an error): a loaded knowledge base holds no table of every value's position
    _positions: tuple[dict[KeyPath, Position], dict[KeyPath, Position]] | None = field(
        default=None, repr=False, compare=False
    )

    def __getstate__(self) -> dict[str, Any]:
        # As bytes: pickling a str makes CPython keep a UTF-8 copy inside it for good (a
        # second copy of every entry's text once the cache is saved).
        state = dict(self.__dict__)
        state.pop("lines", None)
        state["text"] = self.text.encode("utf-8", "surrogatepass")
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["text"] = state["text"].decode("utf-8", "surrogatepass")
        self.__dict__.update(state)

    @property
    def key_positions(self) -> dict[KeyPath, Position]:
        return self._located()[0]

    @property
    def value_positions(self) -> dict[KeyPath, Position]:
        return self._located()[1]

    @functools.cached_property
    def lines(self) -> list[str]:  # the source, to place errors inside values
        return self.text.splitlines()

    def _located(self) -> tuple[dict[KeyPath, Position], dict[KeyPath, Position]]:
        if self._positions is None:
            again = _parse_clean(self.text, self.path) or _parse_checked(self.text, self.path)[0]
            self._positions = again._located() if again is not None else ({}, {})
        return self._positions

    def position(self, path: KeyPath, *, key: bool = False) -> Position:
        """Where ``path`` stands; falls back to its nearest parent, then to the file start."""
        table = self.key_positions if key else self.value_positions
        while path:
            if path in table:
                return table[path]
            if not key and path in self.key_positions:
                return self.key_positions[path]
            path = path[:-1]
        return (1, 1)

    def diagnostic(self, path: KeyPath, message: str, *, key: bool = False) -> Diagnostic:
        line, col = self.position(path, key=key)
        return Diagnostic(self.path, line, col, message)


# Encodings a Chinese author's editor is likely to have saved in, tried in this order.
_GUESSES = (("utf-16", "UTF-16"), ("gb18030", "GBK/GB18030"), ("big5", "Big5"))


def decode(raw: bytes, path: str) -> tuple[str | None, Diagnostic | None]:
    """UTF-8 text (a BOM is tolerated), or a diagnostic naming the likely encoding."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Diagnostic(
            path, 1, 1, "file is not UTF-8 (looks like UTF-16); save it as UTF-8"
        )
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        guess = "an unknown encoding"
        for codec, name in _GUESSES[1:]:
            try:
                raw.decode(codec)
            except UnicodeDecodeError:
                continue
            guess = name
            break
        return None, Diagnostic(
            path, line, col, f"file is not UTF-8 (looks like {guess}); save it as UTF-8"
        )


def parse(text: str, path: str) -> tuple[YamlDocument | None, list[Diagnostic]]:
    doc = _parse_clean(text, path)
    errors: list[Diagnostic] = []
    if doc is None:
        doc, errors = _parse_checked(text, path)
    if doc is not None:
        doc._positions = None  # found again if ever needed (see YamlDocument)
    return doc, errors


def _parse_checked(text: str, path: str) -> tuple[YamlDocument | None, list[Diagnostic]]:
    try:
        refused = _refused_constructs(text, path)
        if refused:
            return None, refused
        root = yaml.compose(text, Loader=_EntryLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if (
            exc.problem
            and exc.context
            and exc.context_mark
            and exc.problem_mark
            and exc.context_mark.line != exc.problem_mark.line
        ):
            problem += f" ({exc.context} that starts at line {exc.context_mark.line + 1})"
        return None, [Diagnostic(path, line, col, f"YAML syntax error: {problem}")]
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks nearly everything
        return None, [Diagnostic(path, 1, 1, f"YAML syntax error: {exc}")]
    if root is None:
        return None, [Diagnostic(path, 1, 1, "file is empty: an entry is a mapping of fields")]
    if not isinstance(root, yaml.MappingNode):
        line, col = _pos(root)
        return None, [
            Diagnostic(path, line, col, "an entry must be a mapping of fields (key: value)")
        ]
    doc = YamlDocument(path, {}, text, ({}, {}))
    errors: list[Diagnostic] = []
    constructor = _EntryLoader("")
    doc.data = _convert(root, (), doc, errors, constructor)
    return doc, errors


class _Unclean(Exception):
    """The fast path met something the checked path has a diagnostic for."""


try:
    from yaml._yaml import CParser as _CParser  # PyYAML's libyaml binding
except ImportError:  # PyYAML built without libyaml: every file takes the checked path
    _CParser = None
_RESOLVER = _EntryLoader("")  # resolves plain scalars and constructs their values
_STR = "tag:yaml.org,2002:str"


def _parse_clean(text: str, path: str) -> YamlDocument | None:
    """The document of a file with nothing to report, or None: read it with the checks.

    Builds the values straight from libyaml's events (flat: nesting costs no stack), so
    nothing that an anchor, a tag or a deep nesting could expand is ever built."""
    if _CParser is None:
        return None
    try:
        parser = _CParser(text)
        try:
            return _build_from_events(parser, text, path)
        finally:
            parser.dispose()
    except (_Unclean, yaml.YAMLError):
        return None


def _build_from_events(parser: Any, text: str, path: str) -> YamlDocument:
    doc = YamlDocument(path, {}, text, ({}, {}))
    keys, values = doc.key_positions, doc.value_positions
    # one frame per open collection: [container, its path, the key awaiting a value, is_map]
    stack: list[list[Any]] = []
    root: Any = None
    documents = 0
    resolve, constructors = _RESOLVER.resolve, _RESOLVER.yaml_constructors
    while (event := parser.get_event()) is not None:
        kind = type(event)
        if (
            kind is yaml.ScalarEvent
            or kind is yaml.MappingStartEvent
            or kind is yaml.SequenceStartEvent
        ):
            if event.anchor is not None or event.tag is not None:
                raise _Unclean
            mark = event.start_mark
            position = (mark.line + 1, mark.column + 1)
            if kind is yaml.ScalarEvent:
                tag = resolve(yaml.ScalarNode, event.value, event.implicit)
                if tag == _STR:
                    value: Any = event.value
                    if _INVISIBLE.search(value):
                        raise _Unclean
                elif (construct := constructors.get(tag)) is not None:
                    value = construct(_RESOLVER, yaml.ScalarNode(tag, event.value))
                else:  # `<<` (merge) and `=` (value) keys
                    raise _Unclean
            elif len(stack) >= MAX_DEPTH:
                raise _Unclean
            else:
                value = {} if kind is yaml.MappingStartEvent else []
            if not stack:
                if root is not None or kind is not yaml.MappingStartEvent:
                    raise _Unclean
                root, here = value, ()
            else:
                frame = stack[-1]
                container, at = frame[0], frame[1]
                if frame[3]:  # a mapping
                    if frame[2] is None:  # this is a key
                        if not isinstance(value, str) or value in container or value == "<<":
                            raise _Unclean
                        frame[2] = value
                        keys[at + (value,)] = position
                        continue
                    here = at + (frame[2],)
                    container[frame[2]] = value
                    frame[2] = None
                else:
                    here = at + (len(container),)
                    container.append(value)
            values[here] = position
            if kind is not yaml.ScalarEvent:
                stack.append([value, here, None, kind is yaml.MappingStartEvent])
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
        elif kind is yaml.AliasEvent:
            raise _Unclean
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Unclean
    if root is None:
        raise _Unclean
    doc.data = root
    return doc


def _refused_constructs(text: str, path: str) -> list[Diagnostic]:
    """Anchors, aliases and tags, found in the event stream (linear in the file's size)
    before the node tree is composed or any alias expanded."""
    errors: list[Diagnostic] = []
    anchored = False
    depth = 0
    for event in yaml.parse(text, Loader=_EntryLoader):
        line, col = event.start_mark.line + 1, event.start_mark.column + 1
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:  # composing it would exhaust Python's stack
                message = f"lists and mappings nested more than {MAX_DEPTH} levels deep"
                return [*errors, Diagnostic(path, line, col, message)]
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            if not anchored:  # one is enough: a billion-laughs file has thousands
                sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
                errors.append(
                    Diagnostic(
                        path,
                        line,
                        col,
                        f"YAML anchors and aliases are not allowed ({sign}{event.anchor}): "
                        "write each value out",
                    )
                )
                anchored = True
        tag = getattr(event, "tag", None)
        if tag is not None:
            tag = tag.replace("tag:yaml.org,2002:", "!!", 1)  # as the author wrote it
            errors.append(
                Diagnostic(
                    path,
                    line,
                    col,
                    f"YAML tags are not allowed ({tag}): "
                    "an entry holds only text, numbers, lists and mappings",
                )
            )
    return errors


def read(file: Path, display_path: str) -> tuple[YamlDocument | None, list[Diagnostic]]:
    raw, _, problems = read_bytes(file, display_path)
    if raw is None:
        return None, problems
    return parse_bytes(raw, display_path)


def read_bytes(
    file: Path, display_path: str
) -> tuple[bytes | None, os.stat_result | None, list[Diagnostic]]:
    """The bytes of a regular file of at most ``MAX_BYTES`` (a FIFO would block, a device
    never end), and its status as it was opened (a later change shows in its mtime)."""
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        return None, None, [Diagnostic(display_path, 1, 1, f"cannot read: {exc.strerror}")]
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            message = "not a regular file: entries are files"
            return None, info, [Diagnostic(display_path, 1, 1, message)]
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        size = max(info.st_size, len(raw))
        return (
            None,
            info,
            [
                Diagnostic(
                    display_path,
                    1,
                    1,
                    f"file is {size / 1_000_000:.1f} MB; an entry file may be at most "
                    f"{MAX_BYTES // 1_000_000} MB",
                )
            ],
        )
    return raw, info, []


def parse_bytes(raw: bytes, display_path: str) -> tuple[YamlDocument | None, list[Diagnostic]]:
    text, problem = decode(raw, display_path)
    if problem:
        return None, [problem]
    assert text is not None
    return parse(text, display_path)


def _pos(node: yaml.Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _convert(
    node: yaml.Node,
    path: KeyPath,
    doc: YamlDocument,
    errors: list[Diagnostic],
    constructor: yaml.SafeLoader,
) -> Any:
    doc.value_positions[path] = _pos(node)
    if isinstance(node, yaml.MappingNode):
        constructor.flatten_mapping(node)  # resolves `<<:` merge keys
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            line, col = _pos(key_node)
            if not isinstance(key, str):
                errors.append(Diagnostic(doc.path, line, col, f"key {key!r} is not a field name"))
                continue
            if key in first_seen:
                errors.append(
                    Diagnostic(
                        doc.path,
                        line,
                        col,
                        f"duplicate key '{key}' (first at line {first_seen[key]}); "
                        "YAML would keep only the last one",
                    )
                )
                continue
            first_seen[key] = line
            doc.key_positions[path + (key,)] = (line, col)
            result[key] = _convert(value_node, path + (key,), doc, errors, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, path + (i,), doc, errors, constructor)
            for i, item in enumerate(node.value)
        ]
    value = constructor.construct_object(node, deep=True)
    if isinstance(value, str) and (bad := _INVISIBLE.search(value)):
        line, col = _pos(node)
        errors.append(
            Diagnostic(
                doc.path,
                line,
                col,
                f"invisible control character U+{ord(bad.group()):04X} in the text; remove it",
            )
        )
    return value


# Written as escapes ("\e", "\u202e"), these would reach terminals and pages: terminal
# control sequences, and bidirectional overrides that show text in another order than it is.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def is_valid_id(stem: str) -> bool:
    return bool(_ID.match(stem))
