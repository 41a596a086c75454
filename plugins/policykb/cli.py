"""The command line (`build.py`): a thin layer over the library. User errors: one line, exit 1."""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import NoReturn

from . import __version__
from .diagnostics import ContentError
from .kinds import BY_NAME, KINDS
from .linker import KnowledgeBase
from .project import Project, ProjectError, quiet_mkdocs_logging
from .scaffold import ScaffoldError, scaffold
from .search import whoosh_index
from .search.backend import QueryError
from .search.params import MAX_PER_PAGE, search_query
from .search.segment import glossary


class UserError(Exception):
    """Printed as `Error: …`, exit 1."""


def _project(args: argparse.Namespace) -> Project:
    return Project(Path(args.config_file))


def _summary(kb: KnowledgeBase) -> str:
    counts = Counter(e.kind.name for e in kb.entries.values())
    parts = [f"{counts[k.name]} {k.label}" for k in KINDS]
    return f"{len(kb.entries)} entries: " + ", ".join(parts)


def cmd_check(args: argparse.Namespace) -> int:
    kb = _project(args).load(strict=args.strict)
    print(f"OK: {_summary(kb)}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    project = _project(args)
    kb = project.load(strict=args.strict)
    site = project.build(kb, Path(args.site_dir) if args.site_dir else None)
    print(f"Built {site} ({_summary(kb)})")
    return 0


def _index(project: Project, kb: KnowledgeBase) -> whoosh_index.WhooshSearch:
    """The search index for ``kb``, rebuilt first if the content changed since it was built."""
    _, work_dir = project.settings()
    directory = work_dir / "index"
    # the glossary is enough to tell; the segmenter is built only to rebuild
    if not whoosh_index.is_current(directory, kb, glossary(kb)):
        whoosh_index.build(kb, directory, use_directory_urls=project.directory_urls())
    return whoosh_index.WhooshSearch(directory)


# how search_query's messages name each parameter on the command line
SEARCH_OPTIONS = {"q": "QUERY", "per_page": "--limit"}


def cmd_search(args: argparse.Namespace) -> int:
    try:
        query = search_query(
            {
                "q": args.query,
                "kind": args.kind,
                "region": args.region,
                "problem": args.problem,
                "year": args.year,
                "page": args.page,
                "per_page": args.limit,
            },
            kinds=set(BY_NAME),
            name=lambda n: SEARCH_OPTIONS.get(n, f"--{n}"),
        )
        project = _project(args)
        backend = _index(project, project.load(strict=False))
        try:
            results = backend.search(query)
        finally:
            backend.close()
    except QueryError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        print(json.dumps(results.to_json(), ensure_ascii=False, indent=2))
        return 0
    if not results.total:
        print(f"No results for {args.query!r}.")
        return 0
    if not results.hits:
        print(
            f"No page {query.page}: {results.total} result(s) for {args.query!r} "
            f"on {results.pages} page(s)."
        )
        return 0
    first = (query.page - 1) * query.per_page
    print(f"{results.total} result(s) for {args.query!r}, page {query.page} of {results.pages}:")
    for n, hit in enumerate(results.hits, start=first + 1):
        print(f"{n}. [{BY_NAME[hit.kind].label}] {hit.title}  ({hit.url})")
        print(f"   {_terminal_snippet(hit.snippet)}")
    return 0


def _terminal_snippet(snippet_html: str) -> str:
    marked = snippet_html.replace("<mark>", "【").replace("</mark>", "】")
    return html.unescape(re.sub(r"<[^>]+>", "", marked))


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import make_server

    project = _project(args)
    kb = project.load(strict=args.strict)
    site = project.build(kb)
    _index(project, kb).close()
    # follows the index a `build.py build` in another terminal switches in
    backend = whoosh_index.ReopeningSearch(project.settings()[1] / "index")
    try:
        server = make_server(site, backend, kinds=set(BY_NAME), host=args.host, port=args.port)
    except OSError as exc:  # the port is taken, the address is not this machine's…
        backend.close()
        raise UserError(f"cannot listen on {args.host}:{args.port}: {_reason(exc)}") from None
    print(
        f"Serving {site} on http://{args.host}:{server.server_port}/ "
        f"(search API: /api/search?q=…). Ctrl+C stops.",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        backend.close()
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    project = _project(args)
    path = scaffold(project.root, args.kind, args.id)
    print(f"Created {path.relative_to(project.root)}: fill in the fields, then run build.py check")
    return 0


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="build.py", description="减负知识库: check, build, serve and search.")
    p.add_argument("--version", action="version", version=f"policykb {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-f",
        "--config-file",
        default="mkdocs.yml",
        help="the project's mkdocs.yml (default: ./mkdocs.yml)",
    )
    common.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' progress")
    strictness = argparse.ArgumentParser(add_help=False)
    strictness.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="completeness rules too (default: as mkdocs.yml sets 'strict')",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser(
        "check",
        parents=[common, strictness],
        help="validate every entry; print all errors as path:line:col: message",
    )
    s.set_defaults(func=cmd_check)

    s = sub.add_parser(
        "build",
        parents=[common, strictness],
        help="check, then build the site and the search index",
    )
    s.add_argument("--site-dir", help="where to put the site (default: mkdocs.yml's site_dir)")
    s.set_defaults(func=cmd_build)

    s = sub.add_parser(
        "serve",
        parents=[common, strictness],
        help="build, then serve the site and the search API on localhost",
    )
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument(
        "--port", type=_port, default=8000, help="port (default 8000; 0 picks a free one)"
    )
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("search", parents=[common], help="search the knowledge base")
    s.add_argument("query", help="what to look for, e.g. 督检考 or 兰州 考核")
    # Values are checked by search_query, as the API checks its parameters, not by argparse.
    s.add_argument("--kind", help="only entries of this kind: " + ", ".join(k.name for k in KINDS))
    s.add_argument("--region", help="only entries whose region contains this, e.g. 兰州")
    s.add_argument("--problem", help="only entries about this problem (id, title or alias)")
    s.add_argument("--year", help="only entries of this year, e.g. 2024")
    s.add_argument("--limit", help=f"results per page, 1 to {MAX_PER_PAGE} (default 10)")
    s.add_argument("--page", help="page of results (default 1)")
    s.add_argument(
        "--json",
        action="store_true",
        help="print JSON: total, pages, hits with id, kind, title, url, score, snippet; facets",
    )
    s.set_defaults(func=cmd_search)

    s = sub.add_parser(
        "new", parents=[common], help="create an entry file with its fields to fill in"
    )
    s.add_argument("kind", choices=[k.name for k in KINDS], help="the kind of entry")
    s.add_argument("id", help="its id: the file name without .yaml ([a-z0-9-]+)")
    s.set_defaults(func=cmd_new)
    return p


class _Parser(argparse.ArgumentParser):
    """argparse's usage errors as every other user error: one line, exit 1."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"Error: {message} (see {self.prog} --help)\n")


def _port(value: str) -> int:
    if not (value.isascii() and value.isdigit() and int(value) <= 65535):
        raise argparse.ArgumentTypeError(f"{value!r} is not a port (0 to 65535)")
    return int(value)


def _reason(exc: OSError) -> str:
    """What went wrong, in words: 'No space left on device', not '[Errno 28] …'."""
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason}" if exc.filename else reason


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    quiet_mkdocs_logging(getattr(args, "verbose", False))
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, where it is caught, not at exit
        return code
    except ContentError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        n = len(exc.diagnostics)
        print(f"Error: {n} error{'s' if n != 1 else ''} in the knowledge base", file=sys.stderr)
        return 1
    except (UserError, ProjectError, ScaffoldError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `build.py search … | head`: the reader has all it wanted; no message, and none
        # from Python either when it flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a full disk, a read-only or vanished folder…
        print(f"Error: {_reason(exc)}", file=sys.stderr)
        return 1
