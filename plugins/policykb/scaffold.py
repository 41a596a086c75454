"""`build.py new`: an entry file with every field of its kind, ready to fill in."""

from __future__ import annotations

from pathlib import Path

from .kinds import BY_NAME, RESERVED_IDS
from .yamlfile import is_valid_id


class ScaffoldError(ValueError):
    """An id `new` cannot take: one line for the user."""


def scaffold(root: Path, kind_name: str, entry_id: str) -> Path:
    kind = BY_NAME[kind_name]
    if not is_valid_id(entry_id) or entry_id in RESERVED_IDS:
        raise ScaffoldError(
            f"bad id '{entry_id}': use lowercase letters, digits and single hyphens"
        )
    existing = [p for k in BY_NAME.values() for p in (root / k.folder).glob(f"{entry_id}.yaml")]
    if existing:
        raise ScaffoldError(f"id '{entry_id}' is taken by {existing[0].relative_to(root)}")
    lines = [f"# {kind.label}. Required fields first; remove optional ones you do not use."]
    for name, info in kind.model.model_fields.items():
        if info.is_required():
            lines.append(f"{name}:")
    lines.append("# optional:")
    for name, info in kind.model.model_fields.items():
        if not info.is_required():
            lines.append(f"# {name}:")
    path = root / kind.folder / f"{entry_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
