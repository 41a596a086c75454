"""The command line (`build.py`): a thin layer over the library. User errors: one line, exit 1."""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import re
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__, cache, manifest, progress
from .contentfiles import top_folders
from .diagnostics import ContentError
from .kinds import BY_NAME, KINDS, RESERVED_IDS
from .project import Project, ProjectError, quiet_mkdocs_logging
from .scaffold import ScaffoldError, scaffold
from .search import whoosh_index
from .search.backend import QueryError
from .search.params import MAX_PER_PAGE, search_query
from .yamlfile import is_valid_id

# The publishing stack (WeasyPrint, python-docx, pypinyin …) is imported by the commands
# that publish: a search from the command line must not wait for it.
if TYPE_CHECKING:
    from .linker import KnowledgeBase
    from .loader import Entry
    from .publish.document import Document

# the publication formats (publish.writers.WRITERS, which tests hold this to)
FORMATS = ("html", "docx", "pdf")


class UserError(Exception):
    """Printed as `Error: …`, exit 1."""


def _project(args: argparse.Namespace) -> Project:
    return Project(Path(args.config_file))


def _summary(kb: KnowledgeBase) -> str:
    counts = Counter(e.kind.name for e in kb.entries.values())
    parts = [f"{counts[k.name]} {k.label}" for k in KINDS]
    return f"{len(kb.entries)} entries: " + ", ".join(parts)


def _warn(kb: KnowledgeBase) -> None:
    for warning in kb.warnings:
        print(
            f"{warning.path}:{warning.line}:{warning.col}: warning: {warning.message}",
            file=sys.stderr,
        )


def cmd_check(args: argparse.Namespace) -> int:
    kb = _project(args).load(strict=args.strict)
    _warn(kb)
    print(f"OK: {_summary(kb)}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    project = _project(args)
    kb = project.load(strict=args.strict)
    _warn(kb)
    site = project.build(kb, Path(args.site_dir) if args.site_dir else None)
    _record_index(project, kb)
    print(f"Built {site} ({_summary(kb)})")
    return 0


INDEX_MANIFEST = "index.manifest.json"  # in the work dir, beside the index it describes


def _index(project: Project, kb: KnowledgeBase | None = None) -> whoosh_index.WhooshSearch:
    """The search index of the content as it is now, rebuilt first if the content changed
    since it was built. Unchanged files (by the manifest) load nothing: no entry is read."""
    # First a guess at work_dir without loading MkDocs: right when the manifest there says
    # the index is current (the manifest records mkdocs.yml, so a changed config misses)
    guess = None if kb else project.quick_work_dir()
    if guess is not None and _is_current(project, guess):
        return whoosh_index.WhooshSearch(guess / "index")
    work_dir = project.settings()[1]
    directory = work_dir / "index"
    # a right guess was found stale above: the manifest is not checked (and hashed) again
    if work_dir == guess or not _is_current(project, work_dir):
        from .search.segment import glossary

        kb = kb or project.load(strict=False)
        # the glossary is enough to tell; the segmenter is built only to rebuild
        if not whoosh_index.is_current(directory, kb, glossary(kb)):
            whoosh_index.build(kb, directory, use_directory_urls=project.directory_urls())
        _record_index(project, kb, work_dir)
    return whoosh_index.WhooshSearch(directory)


def _is_current(project: Project, work_dir: Path) -> bool:
    """Whether the index in ``work_dir`` was built from the content as it is now."""
    inputs = _index_inputs(project, work_dir)
    return inputs is not None and manifest.is_current(
        work_dir / INDEX_MANIFEST, project.root, inputs
    )


def _index_inputs(project: Project, work_dir: Path) -> dict[str, str] | None:
    """What the index depends on besides the entry files: the code, mkdocs.yml, and the
    index itself (a build in between, of other content, makes the manifest another's)."""
    meta = whoosh_index.read_meta(work_dir / "index")
    if meta is None:
        return None
    return {
        "code": cache.code_version(),
        "mkdocs.yml": hashlib.sha256(project.config_file.read_bytes()).hexdigest(),
        "index": meta.fingerprint,
    }


def _record_index(project: Project, kb: KnowledgeBase, work_dir: Path | None = None) -> None:
    """Notes which files the index now in the work dir was built from (after the index)."""
    work_dir = work_dir or project.settings()[1]
    inputs = _index_inputs(project, work_dir)
    if inputs is not None and kb.sources:
        manifest.write(work_dir / INDEX_MANIFEST, kb.sources, inputs)


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
                "level": args.level,
                "issuer": args.issuer,
                "doctype": args.doctype,
                "sort": args.sort,
                "correct": "0" if args.exact else None,
            },
            kinds=set(BY_NAME),
            name=lambda n: SEARCH_OPTIONS.get(n, f"--{n}"),
        )
        project = _project(args)
        backend = _index(project)
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
    if results.corrected:
        # the page says it in Chinese; the terminal in the CLI's own language
        print(f"Showing results for {results.corrected!r}; --exact searches {args.query!r}.")
    print(f"{results.total} result(s) for {args.query!r}, page {query.page} of {results.pages}:")
    for n, hit in enumerate(results.hits, start=first + 1):
        print(f"{n}. [{BY_NAME[hit.kind].label}] {hit.title}  ({hit.url})")
        facts = [hit.region, hit.date, hit.level, hit.issuer, hit.status]
        if any(facts):
            print(f"   {' · '.join(f for f in facts if f)}")
        print(f"   {_terminal_snippet(hit.snippet)}")
    return 0


def _terminal_snippet(snippet_html: str) -> str:
    marked = snippet_html.replace("<mark>", "【").replace("</mark>", "】")
    return html.unescape(re.sub(r"<[^>]+>", "", marked))


def cmd_serve(args: argparse.Namespace) -> int:
    from .live import LiveSite
    from .server import SiteVersion, make_server
    from .watcher import Watcher

    project = _project(args)
    project.serving = True
    version = SiteVersion()
    live = LiveSite(project, version, strict=args.strict, warn=_warn)
    site = live.build()
    _index(project, live.kept[1].kb if live.kept else None).close()
    # follows the index an edit (or a `build.py build` in another terminal) switches in
    backend = whoosh_index.ReopeningSearch(project.settings()[1] / "index")
    try:
        server = make_server(
            site, backend, kinds=set(BY_NAME), host=args.host, port=args.port, version=version
        )
    except OSError as exc:  # the port is taken, the address is not this machine's…
        backend.close()
        raise UserError(f"cannot listen on {args.host}:{args.port}: {_reason(exc)}") from None
    sources = [project.root / name for name in top_folders()]
    watcher = Watcher(sources, [project.config_file], live.changed).start()
    print(
        f"Serving {site} on http://{args.host}:{server.server_port}/ "
        f"(search API: /api/search?q=…); edits in {', '.join(top_folders())} go live. "
        "Ctrl+C stops.",
        flush=True,
    )
    # A service manager (or a script that started it in the background, where Ctrl+C's
    # SIGINT is ignored) stops it with SIGTERM: the same clean stop as Ctrl+C.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        server.server_close()
        backend.close()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def cmd_compile(args: argparse.Namespace) -> int:
    from .publish import compilation
    from .publish.freeze import AlreadyFrozen, freeze
    from .publish.writers import WRITERS

    project = _project(args)
    kb = project.load(strict=args.strict)
    _warn(kb)
    entry = _publication(kb, args.id, "compilation", "compilation", "compilations")
    edition = kb.editions.by_id[entry.id]
    if args.freeze:
        try:
            path = freeze(project.root, entry, [c.id for c in edition.cases])
        except AlreadyFrozen as exc:
            raise UserError(str(exc)) from None
        print(f"Froze {len(edition.cases)} cases into {path.relative_to(project.root)}")
    formats = list(WRITERS) if args.format == "all" else [args.format]
    document = compilation.document(kb, edition)
    _write_publication(project, document, entry.id, formats, Path(args.output))
    return 0


def _publication(kb: KnowledgeBase, entry_id: str, kind: str, one: str, many: str) -> Entry:
    """The entry ``entry_id`` of ``kind``, or a user error that lists the ones there are."""
    entry = kb.entries.get(entry_id)
    if entry is None or entry.kind.name != kind:
        known = ", ".join(sorted(e.id for e in kb.of_kind(kind))) or "none"
        raise UserError(f"no {one} with id '{entry_id}' ({many}: {known})")
    return entry


def _write_publication(
    project: Project, document: Document, stem: str, formats: list[str], output: Path
) -> None:
    """Every format is written in memory first: a missing font leaves no file behind."""
    from .publish import publications
    from .publish.fonts import FontError
    from .publish.writers import WRITERS

    config = project.mkdocs_config()
    href = publications.site_href(config.site_url, use_directory_urls=project.directory_urls())
    try:
        contents = {f: WRITERS[f].write(document, href=href) for f in formats}
    except FontError as exc:
        raise UserError(str(exc)) from None
    output.mkdir(parents=True, exist_ok=True)
    for fmt, content in contents.items():
        path = output / f"{stem}{WRITERS[fmt].extension}"
        temporary = path.with_name(f".{path.name}.writing")
        data = content.encode("utf-8") if isinstance(content, str) else content
        temporary.write_bytes(data)
        temporary.replace(path)
        print(f"Wrote {path} ({len(data):,} bytes)")


def cmd_study(args: argparse.Namespace) -> int:
    from .publish import study
    from .publish.writers import WRITERS

    project = _project(args)
    if args.target == "draft":
        return _study_draft(project, args)
    kb = project.load(strict=args.strict)
    _warn(kb)
    entry = _publication(kb, args.target, "study", "study pack", "study packs")
    pack = kb.studies.by_id[entry.id]
    formats = [f for f in WRITERS if f != "html"] if args.format == "all" else [args.format]
    output = Path(args.output)
    _write_publication(project, study.handout(kb, pack), f"{entry.id}-handout", formats, output)
    _write_publication(project, study.key(kb, pack), f"{entry.id}-key", formats, output)
    return 0


def _study_draft(project: Project, args: argparse.Namespace) -> int:
    from .publish import study_draft

    if not args.problem:
        raise UserError("study draft needs --problem ID (the problem type to teach)")
    kb = project.load(strict=False)
    problem = kb.entries.get(args.problem)
    if problem is None or problem.kind.name != "problem":
        raise UserError(f"no problem with id '{args.problem}'")
    pack_id = args.id or f"{problem.id}-xuexi"
    if not is_valid_id(pack_id) or pack_id in RESERVED_IDS:
        raise UserError(f"bad id '{pack_id}': use lowercase letters, digits and single hyphens")
    if pack_id in kb.entries:
        raise UserError(f"id '{pack_id}' is taken by {kb.get(pack_id).path}")
    fields, missing = study_draft.draft(kb, problem.id)
    try:
        path = study_draft.write(project.root, pack_id, fields, missing, problem.id)
    except FileExistsError as exc:
        raise UserError(str(exc)) from None
    print(f"Drafted {path.relative_to(project.root)} (draft: true): edit it, then build.py check")
    for item in missing:
        print(f"  missing: {item}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    project = _project(args)
    path = scaffold(project.root, args.kind, args.id)
    print(f"Created {path.relative_to(project.root)}: fill in the fields, then run build.py check")
    return 0


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="build.py", description="减负知识库: check, build, serve, search and publish.")
    p.add_argument("--version", action="version", version=f"policykb {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-f",
        "--config-file",
        default="mkdocs.yml",
        help="the project's mkdocs.yml (default: ./mkdocs.yml)",
    )
    common.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' progress")
    common.add_argument(
        "-q", "--quiet", action="store_true", help="no stage lines or progress, errors only"
    )
    strictness = argparse.ArgumentParser(add_help=False)
    strictness.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="completeness rules too (default: as mkdocs.yml sets 'strict')",
    )
    files = argparse.ArgumentParser(add_help=False)
    files.add_argument(
        "--format", choices=[*FORMATS, "all"], default="all", help="which files (default: all)"
    )
    files.add_argument(
        "-o", "--output", default="dist", help="folder to write into (default: ./dist)"
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
    s.add_argument("--level", help="only entries of this level, e.g. 县级")
    s.add_argument("--issuer", help="only entries issued by this body (发文机关)")
    s.add_argument("--doctype", help="only entries of this document type (文种), e.g. 通知")
    s.add_argument("--sort", help="relevance (default) or date (newest first)")
    s.add_argument(
        "--exact", action="store_true", help="search the query as typed, never corrected"
    )
    s.add_argument("--limit", help=f"results per page, 1 to {MAX_PER_PAGE} (default 10)")
    s.add_argument("--page", help="page of results (default 1)")
    s.add_argument(
        "--json",
        action="store_true",
        help="print JSON: total, pages, hits (id, kind, title, url, score, snippet, region, "
        "date, level, issuer, doctype, status), facets, terms, corrected",
    )
    s.set_defaults(func=cmd_search)

    s = sub.add_parser(
        "compile",
        parents=[common, strictness, files],
        help="write a compilation (汇编) edition as print HTML, Word (.docx) and PDF",
    )
    s.add_argument("id", help="the compilation's id, e.g. dianxing-anli-2025q4")
    s.add_argument(
        "--freeze",
        action="store_true",
        help="write the resolved case ids into the edition ('frozen'): it never changes again",
    )
    s.set_defaults(func=cmd_compile)

    s = sub.add_parser(
        "study",
        parents=[common, strictness, files],
        help="draft a study pack from a problem, or write a pack's handout and key (.docx, PDF)",
    )
    s.add_argument("target", help="'draft', or the id of the study pack to write")
    s.add_argument("--problem", help="with draft: the problem the pack teaches")
    s.add_argument("--id", help="with draft: the new pack's id (default: PROBLEM-xuexi)")
    s.set_defaults(func=cmd_study)

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
    # stage lines where the work is long (a build); other commands keep their output exact
    long_work = args.command in {"build", "serve"} or getattr(args, "verbose", False)
    progress.quiet(getattr(args, "quiet", False) or not long_work)
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
