"""Material's interface strings, looked up once per key, are Material's own answers."""

from __future__ import annotations

from importlib import resources

import jinja2
import pytest
from policykb import translations
from policykb.plugin import THEME

MATERIAL = str(resources.files("material") / "templates")
KEYS = ["action.skip", "top", "footer.previous", "search.result.none", "no.such.key"]


def lookups(env: jinja2.Environment, language: str) -> list[str]:
    config = {"theme": {"language": language}}
    module = env.get_template("partials/language.html", None, {"config": config}).module
    return [module.t(key) for key in KEYS]  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", ["zh", "de"])
def test_our_lookup_answers_as_materials(language: str):
    material = lookups(jinja2.Environment(loader=jinja2.FileSystemLoader([MATERIAL])), language)
    ours = jinja2.Environment(loader=jinja2.FileSystemLoader([THEME, MATERIAL]))
    assert lookups(ours, language) == material  # without kb_translate: Material's lookup
    ours = jinja2.Environment(loader=jinja2.FileSystemLoader([THEME, MATERIAL]))
    ours.globals["kb_translate"] = translations.lookup(ours, language)
    assert lookups(ours, language) == material
    assert ours.globals["kb_translate"].cache_info().currsize == len(KEYS)  # it was asked
    assert material[0] != material[-1] == "no.such.key"
