"""The README documents every command, option and field (docs as tests)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from policykb.cli import parser
from policykb.kinds import KINDS
from policykb.schema import Figure

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
CI = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")


def subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", sorted(subcommands()))
def test_every_command_and_option_is_documented(command):
    assert f"`build.py {command}" in README
    for action in subcommands()[command]._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag not in {"--help", "--no-strict"}:
                assert flag in README, f"{command} {flag}"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_field_of_every_kind_is_documented(kind):
    section = README[README.index(f"**{kind.name}**") :]
    section = section[: section.index("\n\n")]
    for field in kind.model.model_fields:
        assert f"`{field}`" in section, f"{kind.name}.{field}"
    assert kind.folder in section


def test_figure_fields_are_documented():
    assert "{" + ", ".join(Figure.model_fields) + "}" in README


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one():
    setup = README[README.index("## Set up") : README.index("## Commands")]
    commands = re.findall(r"```sh\n(.+?)\n```", setup)
    assert len(commands) == 2
    assert "build.py serve" in commands[0]
    assert commands[1] in CI


def test_every_plugin_option_is_documented():
    from policykb.config import PolicyKBConfig

    options = README[README.index("### Plugin options") :]
    for name, _ in PolicyKBConfig._schema:
        assert f"| `{name}` |" in options, name
