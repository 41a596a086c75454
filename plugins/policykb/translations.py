"""Material's interface strings (跳转至, 回到页面顶部 …), each looked up once per build.

Material's ``t(key)`` macro (partials/languages/<language>.html) builds its table of some
200 strings at every call, and a page calls it dozens of times; our
theme/partials/language.html asks ``lookup``'s function instead, which asks Material's
macros as Material's partials/language.html does, once for each key.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jinja2


def lookup(env: jinja2.Environment, language: str) -> Callable[[str], str]:
    @functools.cache
    def translate(key: str) -> str:
        own = env.get_template(f"partials/languages/{language}.html").module
        fallback = env.get_template("partials/languages/en.html").module
        return own.t(key) or fallback.t(key) or key  # type: ignore[attr-defined]

    return translate
