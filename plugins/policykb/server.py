"""`build.py serve`: the static site plus a JSON search API backed by the whoosh index."""

from __future__ import annotations

import json
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .search.backend import QueryError, SearchBackend, SearchQuery
from .search.params import FIELDS, search_query

API_PATH = "/api/search"


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

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlsplit(self.path)
        if url.path != API_PATH:
            super().do_GET()
            return
        try:
            query = parse_query(url.query, kinds=self.kinds)
            body, status = self.backend.search(query).to_json(), HTTPStatus.OK
        except QueryError as exc:
            body, status = {"error": str(exc)}, HTTPStatus.BAD_REQUEST
        self._send_json(body, status)

    def _send_json(self, body: object, status: HTTPStatus) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # one line per request drowns the terminal; errors still surface as responses


def make_server(
    site_dir: Path, backend: SearchBackend, *, kinds: set[str], host: str, port: int
) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"backend": backend, "kinds": kinds})
    return ThreadingHTTPServer((host, port), partial(handler, directory=str(site_dir)))
