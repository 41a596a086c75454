"""Watches a project's sources (content/, cases/, mkdocs.yml) and says what changed, once
the writing has settled: an editor's save is several events (a temporary file, a rename, a
second write), which make one change."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

SETTLE = 0.15  # seconds without an event before the changes are reported
# vim's swap files and its 4913 probe, emacs' #autosave# and .#locks, backups~, dotfiles
_SCRATCH = re.compile(r"(^\.|^#.*#$|~$|\.sw[a-p]$|\.tmp$|\.part$|^4913$)")


def is_scratch(path: str) -> bool:
    """An editor's temporary file, not a source."""
    return bool(_SCRATCH.search(Path(path).name))


class _Collector(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reading is no change
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # a folder "modified" is a file in it changed: that file's event says which
        paths = [event.src_path, getattr(event, "dest_path", "")]
        for path in paths:
            if path and not is_scratch(str(path)) and self.watcher.watches(Path(str(path))):
                self.watcher.saw(Path(str(path)), born=event.event_type == "created")


class Watcher:
    """Calls ``on_change(paths)`` from a thread of its own, ``SETTLE`` seconds after the
    last change under ``folders`` or to one of ``files``; one call at a time (changes made
    during a call are reported by the next)."""

    def __init__(
        self,
        folders: Iterable[Path],
        files: Iterable[Path],
        on_change: Callable[[set[Path]], None],
    ):
        self.folders = [f.resolve() for f in folders if f.is_dir()]
        self.files = {f.resolve() for f in files}
        self.on_change = on_change
        self._changed: set[Path] = set()
        self._born: set[Path] = set()  # created since the last report
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._reporting = threading.Lock()
        self._observer = Observer()
        handler = _Collector(self)
        for folder in self.folders:
            self._observer.schedule(handler, str(folder), recursive=True)
        for parent in {f.parent for f in self.files}:
            self._observer.schedule(handler, str(parent), recursive=False)

    def watches(self, path: Path) -> bool:
        path = path.resolve()
        return path in self.files or any(path.is_relative_to(f) for f in self.folders)

    def saw(self, path: Path, born: bool = False) -> None:
        with self._lock:
            if born and path not in self._changed:  # its first event: it was not there before
                self._born.add(path)
            self._changed.add(path)
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(SETTLE, self._report)
            self._timer.daemon = True
            self._timer.start()

    def _report(self) -> None:
        with self._reporting:
            with self._lock:
                changed, self._changed = self._changed, set()
                born, self._born = self._born, set()
            # a file made and gone again while the writing settled (sed -i's sedXXXXXX,
            # an editor's own temporary name) was never a source: no change to report
            changed -= {p for p in born if not p.exists()}
            if changed:
                self.on_change(changed)

    def start(self) -> Watcher:
        self._observer.start()
        return self

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join()
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
