"""Debian packages the tests need (a browser, fonts, PDF tools), installed when missing.

CI may run on a new machine: the tests install what they use. In CI a package that cannot
be had fails the run; elsewhere the tests that need it are skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from functools import cache

import pytest


def _apt_install(package: str) -> str | None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return f"{package} is missing and only root can install it (apt-get install {package})"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", package]):
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            return f"{' '.join(command)} failed: {done.stderr.strip()[-500:]}"
    return None


@cache
def require(package: str, present: Callable[[], bool]) -> None:
    """Make sure ``package`` is installed (``present`` tells); install it with apt if not."""
    if present():
        return
    problem = _apt_install(package)
    if present():
        return
    message = problem or f"{package} is still missing after installing it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def command(name: str) -> Callable[[], bool]:
    return lambda: shutil.which(name) is not None


def cjk_font_installed() -> bool:
    from policykb.publish import fonts

    fonts.installed.cache_clear()
    fonts._listing.cache_clear()  # the fonts just installed
    fonts._families.cache_clear()
    return fonts.installed("Noto Serif CJK SC")
