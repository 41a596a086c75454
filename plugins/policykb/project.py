"""A project on disk: its mkdocs.yml, the plugin's settings, and the site build."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError

from . import progress
from .fsutil import replacing
from .linker import KnowledgeBase
from .pipeline import load_knowledge_base
from .site_config import uses_directory_urls


class ProjectError(Exception):
    """A problem with the project set-up (not with the content): one line for the user."""


@dataclass
class Project:
    config_file: Path

    @property
    def root(self) -> Path:
        return self.config_file.resolve().parent

    def mkdocs_config(self, **overrides: object) -> MkDocsConfig:
        if not self.config_file.is_file():
            raise ProjectError(
                f"{self.config_file}: no such file (give the project's mkdocs.yml with -f)"
            )
        try:
            config = load_config(str(self.config_file), **overrides)
        except (ConfigurationError, Abort) as exc:
            raise ProjectError(f"{self.config_file}: {exc}") from None
        if "policykb" not in config.plugins:
            raise ProjectError(f"{self.config_file}: the 'policykb' plugin is not enabled")
        return config

    def settings(self, config: MkDocsConfig | None = None) -> tuple[bool, Path]:
        """(strict, work_dir) as mkdocs.yml sets them."""
        config = config or self.mkdocs_config()
        options = config.plugins["policykb"].config
        return options.strict, self.root / options.work_dir

    def load(self, *, strict: bool | None = None) -> KnowledgeBase:
        configured_strict, work_dir = self.settings()
        with progress.stage("load, validate and link"):
            return load_knowledge_base(
                self.root,
                strict=configured_strict if strict is None else strict,
                work_dir=work_dir,
            )

    def build(self, kb: KnowledgeBase, site_dir: Path | None = None) -> Path:
        """Build the site next to the old one and swap it in; a failure leaves the old site."""
        config = self.mkdocs_config()
        target = Path(site_dir) if site_dir else Path(config.site_dir)
        with replacing(target) as staging:
            config = self.mkdocs_config(site_dir=str(staging))
            config.plugins["policykb"].preloaded = kb
            try:
                mkdocs_build(config)
            except Abort as exc:
                raise ProjectError(
                    f"the site build failed ({exc}); {target} was left as it was"
                ) from None
        return target

    def directory_urls(self) -> bool:
        return uses_directory_urls(self.mkdocs_config())


class _Stderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a line is logged (not when it was made)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def quiet_mkdocs_logging(verbose: bool = False) -> None:
    """MkDocs' warnings on stderr, its chatter only with --verbose."""
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_policykb", False) for h in logger.handlers):
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler._policykb = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
