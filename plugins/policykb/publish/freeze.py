"""`compile ID --freeze`: write an edition's resolved cases into its file, for good."""

from __future__ import annotations

from pathlib import Path

from ..loader import Entry


class AlreadyFrozen(Exception):
    pass


def freeze(root: Path, entry: Entry, case_ids: list[str]) -> Path:
    """Appends ``frozen:`` to the edition's YAML (comments and layout kept) and returns its path."""
    if entry.data.frozen is not None:
        raise AlreadyFrozen(
            f"{entry.path}: the edition is already frozen; remove 'frozen' to resolve it anew"
        )
    path = root / entry.path
    text = path.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text += "\n"
    lines = [
        "# The cases of the released edition (build.py compile --freeze): do not edit.",
        "frozen:",
    ]
    lines += [f"  - {case_id}" for case_id in case_ids]
    temporary = path.with_name(f".{path.name}.freezing")
    temporary.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path
