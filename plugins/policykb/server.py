"""`build.py serve`: the static site plus a JSON search API backed by the whoosh index."""

from __future__ import annotations

import json
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .search.backend import QueryError, SearchBackend, SearchQuery

API_PATH = "/api/search"
PARAMS = {"q", "kind", "region", "problem", "year", "page", "per_page"}
MAX_PER_PAGE = 50


def parse_query(raw_query: str, *, kinds: set[str]) -> SearchQuery:
    """A search request from URL parameters; ``QueryError`` says what is wrong."""
    params = parse_qs(raw_query, keep_blank_values=True)
    unknown = sorted(set(params) - PARAMS)
    if unknown:
        raise QueryError(f"unknown parameter(s): {', '.join(unknown)}")
    for name, values in params.items():
        if len(values) > 1:
            raise QueryError(f"parameter '{name}' given {len(values)} times")
    one = {name: values[0].strip() for name, values in params.items()}
    if not one.get("q"):
        raise QueryError("parameter 'q' (the query) is required")
    kind = one.get("kind") or None
    if kind and kind not in kinds:
        raise QueryError(f"kind must be one of {', '.join(sorted(kinds))}")
    year = one.get("year") or None
    if year and not (len(year) == 4 and year.isdigit()):
        raise QueryError("year must be four digits, e.g. 2024")
    page = _positive_int(one.get("page"), "page", 1)
    per_page = _positive_int(one.get("per_page"), "per_page", 10)
    if per_page > MAX_PER_PAGE:
        raise QueryError(f"per_page must be at most {MAX_PER_PAGE}")
    return SearchQuery(
        text=one["q"],
        kind=kind,
        region=one.get("region") or None,
        problem=one.get("problem") or None,
        year=year,
        page=page,
        per_page=per_page,
    )


def _positive_int(value: str | None, name: str, default: int) -> int:
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise QueryError(f"{name} must be a whole number of 1 or more")
    return int(value)


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
