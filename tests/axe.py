"""axe-core, the accessibility engine behind the browsers' own audits, from the npm registry."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

VERSION = "4"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "policykb-tests" / "npm"
# WCAG 2.0 and 2.1, levels A and AA: what GB/T 37668 asks of a government site
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_script() -> Path:
    """Path of axe.min.js; installs the npm package into a cache folder first if needed."""
    script = CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if script.exists():
        return script
    problem = None
    if not shutil.which("npm"):
        problem = "npm is missing: cannot install axe-core"
    else:
        done = subprocess.run(
            ["npm", "install", "--prefix", str(CACHE), f"axe-core@{VERSION}"],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            problem = f"npm install axe-core failed: {done.stderr.strip()[-500:]}"
    if script.exists():
        return script
    message = problem or "axe-core is still missing after installing it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def serious_violations(page, script: Path) -> list[str]:
    """Each serious or critical WCAG 2 A/AA violation on the page: rule id and elements."""
    page.add_script_tag(path=str(script))
    result = page.evaluate("tags => axe.run({runOnly: tags})", TAGS)
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
