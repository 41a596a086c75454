"""`build.py serve`: the static site plus a JSON search API backed by the whoosh index."""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import queue
import selectors
import socket
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .search.backend import QueryError, SearchBackend, SearchQuery
from .search.params import FIELDS, search_query

API_PATH = "/api/search"
VERSION_PATH = "/api/version"  # the site's version and a page's, for live reload
RELOAD_SCRIPT = "/api/reload.js"


def reload_tag(page: str | None) -> bytes:
    """Goes before </head>: a script file, which the pages' Content-Security-Policy allows
    ('self'), told which version of its page it came with (``page_version``; none for the
    404 page, which reloads once the page it stands for is there)."""
    version = f' data-page="{page}"' if page else ""
    return f'<script src="{RELOAD_SCRIPT}"{version} defer></script>'.encode()


def with_reload(body: bytes, page: str | None) -> bytes:
    head = body.find(b"</head>")
    return body if head < 0 else body[:head] + reload_tag(page) + body[head:]


def _hash(page: bytes) -> str:
    return hashlib.sha256(page).hexdigest()[:16]


@functools.lru_cache(maxsize=1024)  # each open page asks twice a second
def _digest(path: str, identity: tuple[int, int, int]) -> str:
    with open(path, "rb") as file:
        return _hash(file.read())


def page_version(path: str) -> str | None:
    """The version of a page file: a hash of its bytes (None: no such page). An edit's
    stages rewrite a page more than once, mostly with the same bytes: the reader's page
    reloads only when its own bytes changed, once per edit that changed it."""
    try:
        info = os.stat(path)
        return _digest(path, (info.st_ino, info.st_mtime_ns, info.st_size))
    except OSError:
        return None


class SiteVersion:
    """Counts the site's updates under `build.py serve`; pages poll it and reload when it
    moves."""

    def __init__(self) -> None:
        self.number = 1
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.number += 1


def parse_query(raw_query: str, *, kinds: set[str]) -> SearchQuery:
    """A search request from URL parameters; ``QueryError`` says what is wrong."""
    params = parse_qs(raw_query, keep_blank_values=True)
    unknown = sorted(set(params) - set(FIELDS))
    if unknown:
        raise QueryError(f"unknown parameter(s): {', '.join(unknown)}")
    for name, values in params.items():
        if len(values) > 1:
            raise QueryError(f"parameter '{name}' given {len(values)} times")
    return search_query(
        {name: values[0] for name, values in params.items()},
        kinds=kinds,
        name=lambda n: f"parameter '{n}'" if n == "q" else n,
    )


class Handler(SimpleHTTPRequestHandler):
    backend: SearchBackend
    kinds: set[str]
    # Set under `build.py serve`: the pages it serves reload themselves after an edit (the
    # script is added to the response, never to the built site).
    version: SiteVersion | None = None
    # A connection idle this long, before its request or in the middle of it, is dropped.
    timeout = 5
    # http.server takes a one-word request line for HTTP/0.9 and answers its 400 without a
    # status line; nobody speaks 0.9 any more
    default_request_version = "HTTP/1.0"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlsplit(self.path)
        if self.version is not None and url.path == VERSION_PATH:
            versions: dict[str, object] = {"version": self.version.number}
            if page := parse_qs(url.query).get("page"):
                path = self._page_path(page[0])
                versions["page"] = page_version(path) if path else None
            self._send_json(versions, HTTPStatus.OK)
            return
        if self.version is not None and url.path == RELOAD_SCRIPT:
            script = (resources.files("policykb") / "assets" / "reload.js").read_bytes()
            self._send_bytes(script, "text/javascript; charset=utf-8")
            return
        if url.path != API_PATH:
            super().do_GET()
            return
        try:
            query = parse_query(url.query, kinds=self.kinds)
            body, status = self.backend.search(query).to_json(), HTTPStatus.OK
        except QueryError as exc:
            body, status = {"error": str(exc)}, HTTPStatus.BAD_REQUEST
        self._send_json(body, status)

    def send_head(self):  # noqa: ANN201 (a file or None, as http.server's)
        # open() refuses a NUL with a ValueError, which http.server does not expect
        if "\0" in unquote(urlsplit(self.path).path):
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        if self.version is not None and (page := self._page_path(self.path)):
            with open(page, "rb") as file:  # the file at this instant, old or new (fsutil)
                body = file.read()
            body = with_reload(body, _hash(body))
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()

    def _page_path(self, address: str) -> str | None:
        """The HTML file an address names (a folder: its index.html), if there is one."""
        url_path = urlsplit(address).path
        if "\0" in unquote(url_path):
            return None  # no file has one (and os.stat refuses it)
        path = self.translate_path(address)
        if os.path.isdir(path):
            if not url_path.endswith("/"):
                return None  # http.server redirects to the folder's address
            path = os.path.join(path, "index.html")
        return path if path.endswith(".html") and os.path.isfile(path) else None

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """No file listings: a folder without index.html is not a page."""
        self.send_error(HTTPStatus.NOT_FOUND)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        # the site's own page (Chinese, with links home and to search), not http.server's
        body = page.read_bytes()
        if self.version is not None:  # an address whose entry is being written reloads
            body = with_reload(body, None)
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, body: object, status: HTTPStatus) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self._send_bytes(data, "application/json; charset=utf-8", status)

    def _send_bytes(
        self, data: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # one line per request drowns the terminal; errors still surface as responses


class SiteServer(ThreadingHTTPServer):
    """http.server's threading server sized for a crowd: a deep listen backlog (the default
    of 5 refuses a crowd's connections, which clients retry seconds later), a fixed pool of
    workers instead of a thread per connection, and a waiting room: a connection reaches a
    worker only once its request has begun to arrive, so clients that connect and say
    nothing (a browser's preconnects, a slow-loris) hold no worker; they are dropped after
    ``Handler.timeout``."""

    request_queue_size = 1024
    daemon_threads = True
    # Searches take turns on one whoosh searcher and every thread takes turns on the GIL:
    # more threads only wait longer (`bench/load.py --workers 16` or 32: higher p99s).
    workers = 8

    def __init__(self, address: tuple[str, int], handler: Callable[..., Handler]):
        self._ready: queue.SimpleQueue = queue.SimpleQueue()
        self._arrived: queue.SimpleQueue = queue.SimpleQueue()
        self._wake_up, self._waker = socket.socketpair()
        self._closing = False
        super().__init__(address, handler)  # binds: may fail, with no thread started yet
        # daemon threads (not a ThreadPoolExecutor's): Ctrl+C must not wait for a client
        threading.Thread(target=self._wait, name="policykb-serve-waiting", daemon=True).start()
        for n in range(self.workers):
            threading.Thread(target=self._work, name=f"policykb-serve-{n}", daemon=True).start()

    def process_request(self, request, client_address) -> None:  # noqa: ANN001
        try:
            # most clients send their request with the connection: straight to a worker
            request.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            self._arrived.put((request, client_address, time.monotonic()))
            self._waker.send(b"\0")
        except OSError:
            self.shutdown_request(request)  # gone already
        else:
            self._ready.put((request, client_address))

    def _wait(self) -> None:
        """The waiting room: hands on each connection with something to read."""
        with selectors.DefaultSelector() as waiting:
            waiting.register(self._wake_up, selectors.EVENT_READ)
            swept = time.monotonic()
            while not self._closing:
                idle = len(waiting.get_map()) > 1
                for key, _ in waiting.select(min(1.0, Handler.timeout) if idle else None):
                    if key.fileobj is self._wake_up:
                        self._wake_up.recv(4096)
                        while not self._arrived.empty():
                            conn, client, since = self._arrived.get()
                            waiting.register(conn, selectors.EVENT_READ, (client, since))
                    else:
                        waiting.unregister(key.fileobj)
                        self._ready.put((key.fileobj, key.data[0]))
                now = time.monotonic()
                if now - swept < min(1.0, Handler.timeout):
                    continue
                swept = now
                for key in list(waiting.get_map().values()):
                    if key.data and now - key.data[1] > Handler.timeout:
                        waiting.unregister(key.fileobj)
                        self.shutdown_request(key.fileobj)

    def _work(self) -> None:
        while (item := self._ready.get()) is not None:
            self.process_request_thread(*item)

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        # a client that hangs up mid-answer is no error of ours; anything else is a bug
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)

    def server_close(self) -> None:
        super().server_close()
        self._closing = True
        self._waker.send(b"\0")
        for _ in range(self.workers):
            self._ready.put(None)


def make_server(
    site_dir: Path,
    backend: SearchBackend,
    *,
    kinds: set[str],
    host: str,
    port: int,
    version: SiteVersion | None = None,
) -> SiteServer:
    bound = {"backend": backend, "kinds": kinds, "version": version}
    handler = type("BoundHandler", (Handler,), bound)
    return SiteServer((host, port), partial(handler, directory=str(site_dir)))
