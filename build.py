#!/usr/bin/env python3
"""减负知识库 command line: check, build, serve, search, new. See README.md."""

from __future__ import annotations

import sys
from pathlib import Path

# Run from a checkout even before `pip install -e .`.
sys.path.insert(0, str(Path(__file__).resolve().parent / "plugins"))

from policykb.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
