"""A project on disk: its mkdocs.yml, the plugin's settings, and the site build."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from . import progress
from .fsutil import file_clock, publish, replacing, staging, written_through

# MkDocs, the plugin it loads with mkdocs.yml and the pipeline are imported where they are
# used: `build.py search` on a current index needs none of them (half a second of imports).
if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from .cache import Cache
    from .linker import KnowledgeBase
    from .live import Turn
    from .site_output import OutputState


def _not_dirty_warning(record: logging.LogRecord) -> bool:
    """Every build is a 'dirty' one (see ``site_output``), and none is inaccurate for it."""
    return not record.getMessage().startswith("A 'dirty' build is being performed")


class ProjectError(Exception):
    """A problem with the project set-up (not with the content): one line for the user."""


@dataclass
class Project:
    config_file: Path
    serving: bool = False  # `build.py serve`: what its edits reuse is kept after a build
    # mkdocs.yml as loaded once (a build loads its own, with the plugins fresh for it)
    _config: MkDocsConfig | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def root(self) -> Path:
        return self.config_file.resolve().parent

    def mkdocs_config(self, **overrides: object) -> MkDocsConfig:
        """mkdocs.yml with ``overrides``; without any, the one loaded first (read only:
        a build runs on one of its own). ``forget_config`` once the file changed."""
        if not overrides and self._config is not None:
            return self._config
        config = self._load_config(**overrides)
        if not overrides:
            self._config = config
        return config

    def forget_config(self) -> None:
        self._config = None

    def _load_config(self, **overrides: object) -> MkDocsConfig:
        from mkdocs.config import load_config
        from mkdocs.exceptions import Abort, ConfigurationError

        # jieba as our segmenter imports it, without pkg_resources (see segment), before
        # Material's search plugin imports it (the plugin, loaded next, imports segment)
        from .search import segment  # noqa: F401

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

    def load(
        self,
        *,
        strict: bool | None = None,
        store: Cache | None = None,
        since: KnowledgeBase | None = None,
        changed: Iterable[Path] = (),
    ) -> KnowledgeBase:
        """The knowledge base (see ``pipeline.load_knowledge_base``): ``store``, the cache
        of the work dir kept in memory; ``since`` and ``changed``, an edit's load."""
        from .pipeline import load_knowledge_base

        configured_strict, work_dir = self.settings()
        with progress.stage("load, validate and link"):
            return load_knowledge_base(
                self.root,
                strict=configured_strict if strict is None else strict,
                work_dir=work_dir,
                store=store,
                since=since,
                changed=changed,
            )

    def build(self, kb: KnowledgeBase, site_dir: Path | None = None) -> Path:
        """Build the site next to the old one and swap it in; a failure leaves the old site.
        Only the pages whose output changed are rendered (see ``site_output``)."""
        from .site_output import OutputState

        config = self.mkdocs_config()
        target = Path(site_dir) if site_dir else Path(config.site_dir)
        work_dir = self.settings(config)[1]
        with replacing(target, prefilled=True) as staging:
            built = self._build_into(staging, target, kb, OutputState.load(work_dir, target))
        built.save(work_dir, target)
        return target

    def update(self, kb: KnowledgeBase, turn: Turn | None = None) -> list[str]:
        """Rebuild the live site in place, for `build.py serve`: built in a staging copy,
        then each changed file renamed over the live one (a reader never sees half a page).
        Returns the site paths changed; a failure leaves the live site as it was.

        ``turn`` (see ``live``) is asked before the pages and before anything live is
        written (the search index, the files): it raises once a newer edit supersedes
        this update, and it holds the live site from the search index to the last file."""
        from .site_output import OutputState

        config = self.mkdocs_config()
        target = Path(config.site_dir)
        if not target.is_dir():
            self.build(kb)
            return ["."]
        work_dir = self.settings(config)[1]
        try:
            with staging(target, prefilled=True) as building:
                previous = OutputState.load(work_dir, target)
                # asked at every stage too: a superseded update stops within seconds
                with progress.checked(turn.check) if turn is not None else nullcontext():
                    built = self._build_into(building, target, kb, previous, turn)
                if turn is not None:
                    turn.begin_live_writes()  # if no page was written, this is the first ask
                OutputState.forget(work_dir)
                changed = publish(building, target)
            built.save(work_dir, target)
        finally:
            if turn is not None:
                turn.end_live_writes()
        return changed

    def _build_into(
        self,
        site_dir: Path,
        target: Path,
        kb: KnowledgeBase,
        previous: OutputState,
        turn: Turn | None = None,
    ) -> OutputState:
        from mkdocs.commands.build import build as mkdocs_build
        from mkdocs.exceptions import Abort

        logging.getLogger("mkdocs.commands.build").addFilter(_not_dirty_warning)
        config = self.mkdocs_config(site_dir=str(site_dir))
        plugin = config.plugins["policykb"]
        plugin.preloaded = kb
        plugin.keep_segmenter = self.serving
        plugin.previous_output = previous
        if turn is not None:
            # before the pages, and first thing after them (before the search index)
            config.plugins.events["env"].insert(0, turn.check)
            config.plugins.events["post_build"].insert(0, turn.post_build)
        started = file_clock(site_dir.parent)
        try:
            # dirty: MkDocs leaves the prefilled staging copy and writes what changed
            mkdocs_build(config, dirty=True)
        except Abort as exc:
            raise ProjectError(
                f"the site build failed ({exc}); {target} was left as it was"
            ) from None
        if through := written_through(site_dir, started):
            # a writer site_output does not know of: it changed the live site in place
            raise ProjectError(
                f"the build wrote into {', '.join(through[:5])} in place, and so into "
                f"{target}: remove each file before writing it (see site_output)"
            )
        self.rendered = plugin.output.rendered
        self.last_build = (config, plugin)  # what an edit under serve renders with (live.py)
        return plugin.built_output

    def directory_urls(self) -> bool:
        from .site_config import uses_directory_urls

        return uses_directory_urls(self.mkdocs_config())

    def quick_work_dir(self) -> Path | None:
        """The plugin's work_dir read from mkdocs.yml without MkDocs (and the plugin it
        imports), or None where only MkDocs can tell (tags such as !ENV, a plain error).
        Only for a guess that is checked after: the index manifest records mkdocs.yml."""
        try:
            config = yaml.safe_load(self.config_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeError, yaml.YAMLError):
            return None
        plugins = config.get("plugins") if isinstance(config, dict) else None
        items = plugins.items() if isinstance(plugins, dict) else None
        if isinstance(plugins, list):
            items = [next(iter(p.items())) if isinstance(p, dict) else (p, None) for p in plugins]
        for name, options in items or ():
            if name == "policykb":
                options = options if isinstance(options, dict) else {}
                work_dir = options.get("work_dir", ".policykb")
                return self.root / work_dir if isinstance(work_dir, str) else None
        return None


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
