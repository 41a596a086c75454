"""`build.py serve`: the static site and /api/search from one local server."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from policykb import server
from policykb.project import Project as PolicyProject
from policykb.search.whoosh_index import ReopeningSearch
from policykb.watcher import Watcher

from .browser import serving

REPO = Path(__file__).parent.parent


def get(url: str) -> tuple[int, dict | str]:
    try:
        with urllib.request.urlopen(url) as response:
            body = response.read().decode("utf-8")
            status = response.status
            ctype = response.headers["Content-Type"]
    except urllib.error.HTTPError as exc:
        body, status, ctype = exc.read().decode("utf-8"), exc.code, exc.headers["Content-Type"]
    return status, json.loads(body) if ctype.startswith("application/json") else body


def test_serves_the_site(api_url):
    status, body = get(f"{api_url}/problems/dujiankao-guoduo.html")
    assert status == 200 and "督查检查考核过多过频" in body


def test_search_api_hits_and_facets(api_url):
    status, body = get(f"{api_url}/api/search?q={quote('督检考')}&kind=case")
    assert status == 200
    # the second is about 繁琐哲学, a sub-type of 督检考
    assert [h["id"] for h in body["hits"]] == ["lanzhou-xinqu-duokao-heyi", "mou-xiangzhen-biaoge"]
    assert body["hits"][0]["url"] == "cases/lanzhou-xinqu-duokao-heyi.html"
    assert body["facets"]["kind"] == {"case": 2}
    assert body["facets"]["year"] == {"2024": 2}


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "parameter 'q' (the query) is required"),
        (
            "q=x&kind=article",
            "kind must be one of case, compilation, negative, problem, remedy, rule, source, study",
        ),
        ("q=x&page=0", "page must be a whole number from 1 to 1000000"),
        ("q=x&page=abc", "page must be a whole number from 1 to 1000000"),
        ("q=x&page=1000001", "page must be a whole number from 1 to 1000000"),
        (f"q=x&page={'9' * 5000}", "page must be a whole number from 1 to 1000000"),
        ("q=x&per_page=51", "per_page must be a whole number from 1 to 50"),
        ("q=x&per_page=-1", "per_page must be a whole number from 1 to 50"),
        ("q=x&year=24", "year must be four digits, e.g. 2024"),
        ("q=x&year=20x4", "year must be four digits, e.g. 2024"),
        ("q=x&order=date", "unknown parameter(s): order"),
        ("q=x&q=y", "parameter 'q' given 2 times"),
        (
            f"q=x&problem={quote('不存在')}",
            "unknown problem '不存在': give a problem id, title or alias",
        ),
    ],
)
def test_bad_parameters_get_400_with_a_message(api_url, query, message):
    status, body = get(f"{api_url}/api/search?{query}")
    assert status == 400
    assert body == {"error": message}


@pytest.mark.parametrize(
    "filters",
    [f"region={quote('火星')}", "year=1000", "kind=source&year=1999"],
    ids=["region", "year", "kind-and-year"],
)
def test_a_filter_that_matches_nothing_gives_nothing(api_url, filters):
    status, body = get(f"{api_url}/api/search?q={quote('考核')}&{filters}")
    assert status == 200
    assert (body["total"], body["pages"], body["hits"]) == (0, 0, [])


def test_a_page_past_the_end_is_empty(api_url):
    _, first = get(f"{api_url}/api/search?q={quote('考核')}&per_page=2")
    assert first["pages"] == -(-first["total"] // 2) and len(first["hits"]) == 2
    _, past = get(f"{api_url}/api/search?q={quote('考核')}&per_page=2&page=1000000")
    assert (past["total"], past["pages"], past["hits"]) == (first["total"], first["pages"], [])


@pytest.mark.parametrize(
    "text",
    ['"督检考"', "(考核]", "考核 AND NOT", "*?", "x" * 10000, "考核" * 1500],
    ids=["quote", "brackets", "operators", "wildcards", "long-ascii", "long-chinese"],
)
def test_any_query_text_answers_200(api_url, text):
    status, body = get(f"{api_url}/api/search?q={quote(text)}")
    assert status == 200
    assert isinstance(body["hits"], list)


def test_a_query_too_long_for_a_url_is_refused_not_crashed(api_url):
    # 10,000 Chinese characters are 90 KB URL-encoded, past the 64 KB request line
    status, _ = get(f"{api_url}/api/search?q={quote('考核' * 5000)}")
    assert status == 414


def raw(url: str, request: bytes, *, wait: float = 5.0) -> bytes:
    """What the server answers to bytes sent as they are, until it closes the connection."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    with socket.create_connection((host, port), timeout=wait) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("path", ["/no/such/page.html", "/assets/", "/%00", "/cases/%00.html"])
def test_unknown_paths_get_the_sites_chinese_404_page(api_url, path, capsys):
    status, body = get(f"{api_url}{path}")
    assert status == 404
    assert "<h1>页面不存在</h1>" in body
    assert '<a href="/index.html">返回首页</a>' in body
    assert '<a href="/search.html">搜索知识库</a>' in body
    assert "Traceback" not in capsys.readouterr().err


def test_the_built_404_page_is_chinese(built):
    page = (built / "site" / "404.html").read_text(encoding="utf-8")
    assert "<title>页面不存在 - 测试知识库</title>" in page and "404 - Not found" not in page


@pytest.mark.parametrize(
    "request_line",
    [b"GARBAGE", b"GET / HTTP/1.1 extra", b"GET / HTTP/x.y", b"GET / HTTP/1.0 \xff\xfe"],
)
def test_a_bad_request_line_gets_a_clean_400(api_url, request_line, capsys):
    answer = raw(api_url, request_line + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 400 ")
    assert "Traceback" not in capsys.readouterr().err


def test_an_idle_connection_is_dropped(api_url, monkeypatch):
    monkeypatch.setattr(server.Handler, "timeout", 0.5)
    started = time.monotonic()
    assert raw(api_url, b"GET / HTTP/1.0\r\n") == b""  # never finishes its headers
    assert time.monotonic() - started < 3


def test_a_crowd_is_answered(api_url):
    """200 clients at once: the listen backlog and the workers hold them (the default
    backlog of 5 made clients wait for TCP retries, seconds each)."""
    urls = [f"{api_url}/api/search?q={quote(q)}" for q in ("督检考", "考核", "兰州", "台账")] * 50
    with ThreadPoolExecutor(200) as pool:
        statuses = list(pool.map(lambda u: get(u)[0], urls))
    assert statuses == [200] * 200


def test_serve_follows_a_rebuilt_index(kb):
    assert kb.run("build").code == 0
    backend = ReopeningSearch(kb.root / ".policykb" / "index")
    with serving(kb.root / "site", backend) as url:
        search = f"{url}/api/search?q={quote('无会日')}"
        assert get(search)[1]["total"] == 0
        kb.edit("cases/nanle-wangge.yaml", "summary: 全县设", "summary: 推行无会日，全县设")
        assert kb.run("build").code == 0  # as in another terminal
        assert [h["id"] for h in get(search)[1]["hits"]] == ["nanle-wangge"]
        assert "推行无会日" in get(f"{url}/cases/nanle-wangge.html")[1]
    backend.close()


def test_serve_says_when_the_port_is_taken(kb):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        kb.with_address()
        result = kb.run("serve", "-q", "--port", str(port))
    assert (result.code, result.err) == (
        1,
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use\n",
    )


def test_clients_that_connect_and_say_nothing_hold_no_worker(api_url):
    idle = [
        socket.create_connection((urlsplit(api_url).hostname, urlsplit(api_url).port))
        for _ in range(50)
    ]
    try:
        started = time.monotonic()
        status, _ = get(f"{api_url}/api/search?q={quote('考核')}")
        assert status == 200 and time.monotonic() - started < 1
    finally:
        for conn in idle:
            conn.close()


class Serving:
    """`build.py serve` in a process of its own, as a user runs it."""

    def __init__(self, root: Path):
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "build.py"),
                "serve",
                "-q",
                "-f",
                str(root / "mkdocs.yml"),
                "--port",
                "0",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO / "plugins")},
        )
        self.lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        for stream in (self.process.stdout, self.process.stderr):
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()
        started = self.wait_for_line("Serving ")
        self.url = re.search(r"http://[\d.]+:\d+", started).group(0)

    def _read(self, stream) -> None:  # noqa: ANN001
        for line in stream:
            self.lines.put(line)

    def wait_for_line(self, start: str) -> str:
        """The next line of its output that starts with ``start`` (a minute at most: the
        machine may be busy; this is no speed test)."""
        deadline = time.monotonic() + 60
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            seen.append(line)
            if line.startswith(start):
                return line
        raise AssertionError(f"no line starting {start!r} in {seen}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


@pytest.fixture
def live(kb):
    served = Serving(kb.root)
    yield served
    served.stop()


def hit_ids(live: Serving, text: str) -> list[str]:
    return [h["id"] for h in get(f"{live.url}/api/search?q={quote(text)}")[1]["hits"]]


def test_an_edit_goes_live_page_and_search(kb, live):
    assert hit_ids(live, "无会日") == []
    version = get(f"{live.url}/api/version")[1]["version"]
    kb.edit("cases/nanle-wangge.yaml", "summary: 全县设", "summary: 推行无会日，全县设")
    # first the entry's own page and search document, before the complete update
    assert re.match(
        r"Live 1 page\(s\) and their search documents, .* after cases/nanle-wangge.yaml\n",
        live.wait_for_line("Live "),
    )
    assert "推行无会日" in get(f"{live.url}/cases/nanle-wangge.html")[1]
    assert hit_ids(live, "无会日") == ["nanle-wangge"]
    # each stage moves the version: the page reloads
    assert (first := get(f"{live.url}/api/version")[1]["version"]) > version
    assert live.wait_for_line("Updated ").endswith("after cases/nanle-wangge.yaml\n")
    assert "推行无会日" in get(f"{live.url}/cases/nanle-wangge.html")[1]
    assert hit_ids(live, "无会日") == ["nanle-wangge"]
    assert get(f"{live.url}/api/version")[1]["version"] > first


def test_the_pages_that_show_an_edited_title_follow(kb, live):
    title = "南乐县“多网合一”网格化管理"
    problem = f"{live.url}/problems/xiaomala-dache.html"  # lists its cases by title
    index = f"{live.url}/cases/index.html"
    assert title in get(problem)[1] and title in get(index)[1]
    kb.edit("cases/nanle-wangge.yaml", "title: 南乐县", "title: 河南南乐县")
    assert live.wait_for_line("Live ").startswith("Live 1 page(s) and")
    assert "河南" + title in get(f"{live.url}/cases/nanle-wangge.html")[1]
    # then the pages that show it (linked to it or from it, the lists) and the shards
    assert re.search(r"^Live \d+ page\(s\) next to them, ", live.wait_for_line("Live "))
    assert "河南" + title in get(problem)[1]
    assert "河南" + title in get(index)[1]
    assert re.search(r"^Live \d+ in-browser index file\(s\), ", live.wait_for_line("Live "))
    shards = (kb.root / "site" / "search" / "kb").glob("d*.js")
    assert any("河南" + title in shard.read_text(encoding="utf-8") for shard in shards)
    live.wait_for_line("Updated ")
    assert "河南" + title in get(index)[1]
    assert "nanle-wangge" in hit_ids(live, "河南南乐县")


def test_an_added_entry_goes_live_page_and_search(kb, live):
    original = (kb.root / "cases" / "nanle-wangge.yaml").read_text(encoding="utf-8")
    added = original.replace("title: ", "title: 又一个", 1).replace("全县设", "推行无会日，全县设")
    kb.write("cases/nanle-wangge-2.yaml", added)
    assert live.wait_for_line("Live ").startswith("Live 1 page(s)")
    status, page = get(f"{live.url}/cases/nanle-wangge-2.html")
    assert status == 200 and "又一个南乐县" in page
    assert hit_ids(live, "无会日") == ["nanle-wangge-2"]
    live.wait_for_line("Updated ")
    assert get(f"{live.url}/cases/nanle-wangge-2.html")[0] == 200


def served_version(page: str) -> str:
    """The version of its page a served page's reload script came with."""
    return re.search(rf'<script src="{server.RELOAD_SCRIPT}" data-page="(\w+)" defer>', page)[1]


def page_version(live: Serving, address: str) -> str | None:
    return get(f"{live.url}/api/version?page={quote(address)}")[1]["page"]


def test_served_pages_reload_themselves_but_the_built_site_has_no_such_script(kb, live):
    page = get(f"{live.url}/cases/nanle-wangge.html")[1]
    assert served_version(page) == page_version(live, "/cases/nanle-wangge.html")
    assert server.RELOAD_SCRIPT not in kb.site("cases/nanle-wangge.html")
    status, script = get(f"{live.url}{server.RELOAD_SCRIPT}")
    assert status == 200 and "/api/version?page=" in script
    assert page_version(live, "/cases/no-such-case.html") is None
    assert page_version(live, "/cases/%00.html") is None


def test_a_reader_reloads_once_per_edit_and_only_if_the_page_changed(kb, live):
    """Each stage rewrites pages; the reader's page reloads when its own bytes changed."""
    edited, other = "/cases/nanle-wangge.html", "/cases/lanzhou-xinqu-duokao-heyi.html"
    before = {address: page_version(live, address) for address in (edited, other)}
    kb.edit("cases/nanle-wangge.yaml", "summary: 全县设", "summary: 推行无会日，全县设")
    live.wait_for_line("Live 1 page(s)")
    after_first_stage = page_version(live, edited)
    assert after_first_stage != before[edited]
    live.wait_for_line("Updated ")
    # the complete update wrote the edited page again, with the same bytes
    assert page_version(live, edited) == after_first_stage
    assert page_version(live, other) == before[other]


def test_an_open_page_reloads_itself_in_the_browser_and_so_does_a_404_page(kb, live, browser):
    context = browser.new_context()
    try:
        edited, missing = context.new_page(), context.new_page()
        edited.goto(f"{live.url}/cases/nanle-wangge.html")
        missing.goto(f"{live.url}/cases/nanle-wangge-2.html")  # the site's 404 page
        assert missing.title().startswith("页面不存在")
        kb.edit("cases/nanle-wangge.yaml", "summary: 全县设", "summary: 推行无会日，全县设")
        shown = "() => document.body.innerText.includes('推行无会日')"
        edited.wait_for_function(shown, timeout=30_000)
        original = (kb.root / "cases" / "nanle-wangge.yaml").read_text(encoding="utf-8")
        kb.write("cases/nanle-wangge-2.yaml", original.replace("title: ", "title: 又一个", 1))
        missing.wait_for_function("() => document.title.startsWith('又一个')", timeout=30_000)
    finally:
        context.close()


def test_a_broken_edit_shows_where_and_keeps_the_last_good_site(kb, live):
    kb.edit("cases/nanle-wangge.yaml", "summary: 全县设", "summary: [全县设")
    error = live.wait_for_line("cases/nanle-wangge.yaml:")
    assert re.match(r"cases/nanle-wangge\.yaml:\d+:\d+: ", error)
    assert "still serving the last good site" in live.wait_for_line("Error: ")
    status, page = get(f"{live.url}/cases/nanle-wangge.html")
    assert status == 200 and "全县设" in page
    kb.edit("cases/nanle-wangge.yaml", "summary: [全县设", "summary: 推行无会日，全县设")
    live.wait_for_line("Updated ")
    assert "推行无会日" in get(f"{live.url}/cases/nanle-wangge.html")[1]


def test_a_deleted_entry_leaves_the_served_site(kb, live):
    original = (kb.root / "cases" / "nanle-wangge.yaml").read_text(encoding="utf-8")
    added = original.replace("title: ", "title: 又一个", 1).replace("全县设", "推行无会日，全县设")
    kb.write("cases/nanle-wangge-2.yaml", added)
    live.wait_for_line("Updated ")
    assert "又一个南乐县" in get(f"{live.url}/problems/xiaomala-dache.html")[1]
    (kb.root / "cases" / "nanle-wangge-2.yaml").unlink()
    assert "1 removed" in live.wait_for_line("Live ")
    assert get(f"{live.url}/cases/nanle-wangge-2.html")[0] == 404
    assert hit_ids(live, "无会日") == []
    live.wait_for_line("Updated ")
    assert get(f"{live.url}/cases/nanle-wangge-2.html")[0] == 404
    assert "又一个南乐县" not in get(f"{live.url}/problems/xiaomala-dache.html")[1]


def test_a_reader_never_gets_half_a_page(kb, live):
    page = f"{live.url}/cases/nanle-wangge.html"
    bodies: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            bodies.append(get(page)[1])

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(3):
            kb.edit(
                "cases/nanle-wangge.yaml",
                "summary: ",
                f"summary: 第{n}次，",
            )
            live.wait_for_line("Updated ")
    finally:
        done.set()
        reader.join()
    assert len(bodies) > 3
    assert all(body.rstrip().endswith("</html>") for body in bodies)
    assert "第2次，第1次，第0次，" in bodies[-1]


def test_an_edits_load_reads_the_changed_files_and_gives_the_full_load(kb, monkeypatch):
    from policykb import loader

    project = PolicyProject(kb.root / "mkdocs.yml")
    before = project.load(strict=False)
    case = kb.root / "cases" / "nanle-wangge.yaml"
    original = case.read_text(encoding="utf-8")
    kb.edit("cases/nanle-wangge.yaml", "title: 南乐县", "title: 河南南乐县")
    added = kb.write("cases/nanle-wangge-2.yaml", original.replace("title: ", "title: 又一个", 1))
    gone = kb.root / "cases" / "mou-xiangzhen-biaoge.yaml"
    gone.unlink()
    read = []
    real_read_bytes = loader.read_bytes
    monkeypatch.setattr(
        loader, "read_bytes", lambda f, rel: read.append(rel) or real_read_bytes(f, rel)
    )
    edited = project.load(strict=False, since=before, changed=[case, added, gone])
    assert sorted(read) == ["cases/nanle-wangge-2.yaml", "cases/nanle-wangge.yaml"]
    full = project.load(strict=False)

    def described(knowledge):
        return (
            [(e.id, e.path, e.kind.name, e.data) for e in knowledge.entries.values()],
            [(link.source.id, link.target.id, link.field) for link in knowledge.links],
            knowledge.sources,
        )

    assert described(edited) == described(full)
    assert edited.entries["nanle-wangge"].title == "河南南乐县“多网合一”网格化管理"
    assert "mou-xiangzhen-biaoge" not in edited.entries


def test_an_edits_load_walks_the_project_again_when_a_folder_moved(kb):
    project = PolicyProject(kb.root / "mkdocs.yml")
    original = (kb.root / "cases" / "nanle-wangge.yaml").read_text(encoding="utf-8")
    kb.write("cases/more/nanle-wangge-2.yaml", original.replace("title: ", "title: 又一个", 1))
    before = project.load(strict=False)
    moved = kb.root / "cases" / "moved"
    (kb.root / "cases" / "more").rename(moved)  # the watcher names the folders alone
    edited = project.load(strict=False, since=before, changed=[kb.root / "cases" / "more", moved])
    assert edited.entries["nanle-wangge-2"].path == "cases/moved/nanle-wangge-2.yaml"
    assert sorted(edited.sources) == sorted(project.load(strict=False).sources)


def test_an_edits_load_finds_the_errors_a_full_load_finds(kb):
    from policykb.diagnostics import ContentError

    project = PolicyProject(kb.root / "mkdocs.yml")
    before = project.load()
    gone = kb.root / "content" / "remedies" / "sibu-liangzhi.yaml"
    gone.unlink()  # nanle-wangge still names it
    duplicate = kb.write("cases/kaohe-qianfenzhi.yaml", "title: x\n")  # a rule's id
    with pytest.raises(ContentError) as edited:
        project.load(since=before, changed=[gone, duplicate])
    with pytest.raises(ContentError) as full:
        project.load()
    assert [str(d) for d in edited.value.diagnostics] == [str(d) for d in full.value.diagnostics]
    assert any("no entry with id 'sibu-liangzhi'" in str(d) for d in edited.value.diagnostics)
    assert any("duplicate id 'kaohe-qianfenzhi'" in str(d) for d in edited.value.diagnostics)


def test_a_newer_edit_supersedes_a_complete_update_not_yet_published(kb):
    from policykb.live import LiveSite, Superseded, Turn

    project = PolicyProject(kb.root / "mkdocs.yml")
    live = LiveSite(project, server.SiteVersion(), strict=False)
    live.build()
    kb.edit("cases/nanle-wangge.yaml", "summary: 全县设", "summary: 推行无会日，全县设")
    edited = project.load()
    turn = Turn(live, live.generation)
    live.generation += 1  # a newer edit came
    with pytest.raises(Superseded):
        project.update(edited, turn)
    assert "推行无会日" not in kb.site("cases/nanle-wangge.html")
    assert not live.lock.locked()
    project.update(edited, Turn(live, live.generation))
    assert "推行无会日" in kb.site("cases/nanle-wangge.html")


def test_the_kept_count_of_each_term_follows_every_edit(kb):
    from collections import Counter

    from policykb.live import LiveSite, search_update

    project = PolicyProject(kb.root / "mkdocs.yml")
    live = LiveSite(project, server.SiteVersion(), strict=False)
    live.build()
    plugin = live.kept[1]
    before = Counter(plugin.term_counts)
    kb.edit("cases/nanle-wangge.yaml", "summary: 全县设", "summary: 推行无会日，全县设")
    edited = project.load()
    search_update(plugin, edited, [edited.entries["nanle-wangge"]], [])
    search_update(plugin, edited, [], [edited.entries["mou-xiangzhen-biaoge"]])
    every = Counter(term for doc in plugin.documents for term, _ in doc.weights)
    assert plugin.term_counts == every  # what the lexicon is made of: no term lost or left
    assert every["推行"] == before["推行"] + 1  # the edit's new word
    assert "mou-xiangzhen-biaoge" not in {d.id for d in plugin.documents}


def test_a_superseded_complete_update_stops_at_its_next_stage(kb, monkeypatch, caplog):
    import logging

    from policykb.live import LiveSite, Superseded, Turn
    from policykb.render import Renderer

    project = PolicyProject(kb.root / "mkdocs.yml")
    live = LiveSite(project, server.SiteVersion(), strict=False)
    live.build()
    kb.edit("cases/nanle-wangge.yaml", "summary: 全县设", "summary: 推行无会日，全县设")
    edited = project.load()
    pages = Renderer.pages

    def pages_then_a_newer_edit(self):  # noqa: ANN001, ANN202
        yield from pages(self)
        live.generation += 1

    monkeypatch.setattr(Renderer, "pages", pages_then_a_newer_edit)
    stages = logging.getLogger("mkdocs.plugins.policykb.progress")
    level = stages.level
    stages.setLevel(logging.INFO)
    stages.addHandler(caplog.handler)
    try:
        with pytest.raises(Superseded):
            project.update(edited, Turn(live, live.generation))
    finally:
        stages.removeHandler(caplog.handler)
        stages.setLevel(level)
    # the stage after the pages' sources (publications, feed, CSV) never began
    logged = [r.getMessage() for r in caplog.records if r.name == stages.name]
    assert logged[-1].startswith("policykb: page sources:")
    assert "推行无会日" not in kb.site("cases/nanle-wangge.html")


def test_a_superseded_update_stops_between_publication_files_and_keeps_those_made(kb, monkeypatch):
    import dataclasses

    from policykb.live import LiveSite, Superseded, Turn
    from policykb.publish.publications import WRITERS

    from .test_compilation import EDITION_2024, EDITION_2025

    project = PolicyProject(kb.root / "mkdocs.yml")
    live = LiveSite(project, server.SiteVersion(), strict=False)
    live.build()
    kb.write("content/compilations/huibian-2024.yaml", EDITION_2024)
    kb.write("content/compilations/huibian-2025q1.yaml", EDITION_2025)
    edited = project.load()
    written: list[str] = []
    docx = WRITERS["docx"]

    def counting(document, **kwargs):  # noqa: ANN001, ANN202
        written.append(document.subtitle)
        if len(written) == 1:
            live.generation += 1  # a newer edit came while the first file was written
        return docx.write(document, **kwargs)

    monkeypatch.setitem(WRITERS, "docx", dataclasses.replace(docx, write=counting))
    with pytest.raises(Superseded):
        project.update(edited, Turn(live, live.generation))
    assert len(written) == 1  # it stopped before the next file
    project.update(edited, Turn(live, live.generation))
    # the newer edit's update writes the other edition's Word file, not the first again
    assert len(written) == 2 and written[1] != written[0]
    assert (kb.root / "site" / "compilations" / "huibian-2024.docx").is_file()


def test_mkdocs_serve_watches_the_cases_too(kb):
    """`mkdocs serve` watches docs_dir (content/) itself; the plugin adds cases/."""

    class Server:
        watched: list[str] = []

        def watch(self, path: str) -> None:
            self.watched.append(path)

    project = PolicyProject(kb.root / "mkdocs.yml")
    config = project.mkdocs_config()
    config.plugins.on_config(config)
    watching = Server()
    config.plugins.on_serve(watching, config=config, builder=lambda: None)
    assert watching.watched == [str((kb.root / "cases").resolve())]


def test_the_watcher_reports_sources_not_editors_scratch_files(tmp_path):
    (tmp_path / "cases").mkdir()
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\n")
    gone = tmp_path / "cases" / "b.yaml"
    gone.write_text("title: b\n")
    reported: queue.SimpleQueue[set[Path]] = queue.SimpleQueue()
    watching = Watcher([tmp_path / "cases"], [config], reported.put).start()
    try:
        case = tmp_path / "cases" / "a.yaml"
        # a source deleted, made again and deleted again: a deletion, whatever came between
        gone.unlink()
        gone.write_text("title: b again\n")
        gone.unlink()
        for name in (".a.yaml.swp", "a.yaml~", "#a.yaml#", "4913"):
            (tmp_path / "cases" / name).write_text("scratch")
        (tmp_path / "elsewhere.txt").write_text("not watched")
        for n in range(3):  # an editor's save: several writes, one change
            case.write_text(f"title: {n}\n")
        # sed -i's save: a file of a name of its own, renamed over the case
        (tmp_path / "cases" / "sedOGvQzD").write_text("title: 3\n")
        (tmp_path / "cases" / "sedOGvQzD").replace(case)
        config.write_text("site_name: y\n")
        seen: set[Path] = set()
        while not {case.resolve(), config.resolve(), gone.resolve()} <= seen:
            seen |= reported.get(timeout=30)
    finally:
        watching.stop()
    assert seen == {case.resolve(), config.resolve(), gone.resolve()}


def test_an_index_updated_in_place_answers_as_one_built_afresh(kb, tmp_path):
    from policykb.pipeline import load_knowledge_base
    from policykb.search import whoosh_index
    from policykb.search.backend import SearchQuery
    from policykb.search.documents import build_documents
    from policykb.search.segment import Segmenter

    def documents(knowledge):
        segmenter = Segmenter.for_kb(knowledge)
        return segmenter, build_documents(knowledge, segmenter)

    before = load_knowledge_base(kb.root)
    segmenter, old = documents(before)
    updated = tmp_path / "updated"
    whoosh_index.build(
        before, updated, use_directory_urls=False, documents=old, segmenter=segmenter
    )
    kb.edit("cases/nanle-wangge.yaml", "summary: 全县设", "summary: 推行无会日，全县设")
    edited = (kb.root / "cases" / "nanle-wangge.yaml").read_text(encoding="utf-8")
    kb.write("cases/nanle-wangge-2.yaml", edited)
    after = load_knowledge_base(kb.root)
    _, new = documents(after)
    hashes = {d.id: d.content_hash() for d in old}
    kept = [d for d in new if d.id != "mou-xiangzhen-biaoge"]  # as if it were deleted
    changed = [d for d in kept if hashes.get(d.id) != d.content_hash()]
    assert {"nanle-wangge", "nanle-wangge-2"} <= {d.id for d in changed}
    whoosh_index.update_entries(
        after,
        updated,
        kept,
        changed=changed,
        removed=["mou-xiangzhen-biaoge"],
        words=segmenter.words,
    )
    fresh = tmp_path / "fresh"
    whoosh_index.build(after, fresh, use_directory_urls=False, documents=kept, segmenter=segmenter)
    in_place, afresh = whoosh_index.WhooshSearch(updated), whoosh_index.WhooshSearch(fresh)
    try:
        for text in ("无会日", "网格化", "表格", "督检考"):
            query = SearchQuery(text, per_page=50)
            assert in_place.search(query).to_json() == afresh.search(query).to_json(), text
        assert [h.id for h in in_place.search(SearchQuery("无会日")).hits] == [
            "nanle-wangge",
            "nanle-wangge-2",
        ]
    finally:
        in_place.close()
        afresh.close()


# What only the complete update writes: the exports and the feed (the tiny knowledge base
# has no edition, so no publication files).
COMPLETE_UPDATE_ONLY = {"entries.json", "entries.csv", "feed.xml"}


def site_files(site: Path) -> dict[str, bytes]:
    site = site.resolve()
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def cold_build(kb) -> dict[str, bytes]:  # noqa: ANN001
    """The project's content built from nothing: a copy with no site and no work dir."""
    import shutil

    from policykb.cli import main

    copy = kb.root.parent / "cold"
    shutil.copytree(kb.root, copy, ignore=shutil.ignore_patterns(".policykb", "site", ".site*"))
    assert main(["build", "-q", "-f", str(copy / "mkdocs.yml")]) == 0
    return site_files(copy / "site")


@pytest.mark.parametrize("change", ["edit", "add", "delete"])
def test_the_quick_stages_write_what_a_cold_build_writes_before_the_complete_update(
    kb, monkeypatch, capsys, change
):
    from policykb.live import LiveSite

    monkeypatch.setattr(LiveSite, "_complete", lambda self: None)  # it never runs here
    case = kb.root / "cases" / "nanle-wangge.yaml"
    original = case.read_text(encoding="utf-8")
    # a case naming one more problem type, with a new title
    edited = original.replace("title: 南乐县", "title: 河南南乐县").replace(
        "problems: [xiaomala-dache]", "problems: [xiaomala-dache, fansuo-zhexue]"
    )
    changed = kb.root / "cases" / "nanle-wangge-2.yaml"
    if change == "delete":
        kb.write("cases/nanle-wangge-2.yaml", edited.replace("title: ", "title: 又一个", 1))
    project = PolicyProject(kb.root / "mkdocs.yml")
    live = LiveSite(project, server.SiteVersion(), strict=False)
    live.build()
    before = site_files(kb.root / "site")
    if change == "edit":
        changed = case
        case.write_text(edited, encoding="utf-8")
    elif change == "add":
        kb.write("cases/nanle-wangge-2.yaml", edited.replace("title: ", "title: 又一个", 1))
    else:
        changed.unlink()
    capsys.readouterr()
    live.changed({changed})
    out = capsys.readouterr().out
    assert "Live " in out and "Updated " not in out
    served, cold = site_files(kb.root / "site"), cold_build(kb)
    if change == "delete":
        assert "cases/nanle-wangge-2.html" not in served
        assert "又一个" not in kb.site("problems/fansuo-zhexue.html")
    else:
        # the linked problem's page lists the case, the index of cases its title
        assert "河南南乐县" in kb.site("problems/fansuo-zhexue.html")
        assert "河南南乐县" in kb.site("cases/index.html")
    shards = [name for name in cold if name.startswith("search/kb/")]
    assert any(before.get(name) != cold[name] for name in shards)  # the edit changed some
    assert {name for name in shards if served.get(name) != cold[name]} == set()
    differ = {name for name in served.keys() | cold.keys() if served.get(name) != cold.get(name)}
    assert differ <= COMPLETE_UPDATE_ONLY


def test_an_edit_that_changes_the_glossary_leaves_the_in_browser_index_to_the_complete_update(
    kb, monkeypatch, capsys
):
    """A new quoted practice name is a new word of the segmenter: every document is cut
    anew, which is the complete update's; the quick stages leave the shards as they were
    (never a mix of two segmentations)."""
    from policykb.live import LiveSite

    monkeypatch.setattr(LiveSite, "_complete", lambda self: None)
    live = LiveSite(PolicyProject(kb.root / "mkdocs.yml"), server.SiteVersion(), strict=False)
    live.build()
    before = site_files(kb.root / "site")
    kb.edit("cases/nanle-wangge.yaml", "summary: 全县设", "summary: 推行“无会周”，全县设")
    capsys.readouterr()
    live.changed({kb.root / "cases" / "nanle-wangge.yaml"})
    assert "Live 0 in-browser index file(s), " in capsys.readouterr().out
    served = site_files(kb.root / "site")
    assert "推行“无会周”" in kb.site("cases/nanle-wangge.html")
    assert all(served[n] == data for n, data in before.items() if n.startswith("search/kb/"))


def test_an_edits_pass_over_the_pages_asks_again_only_what_the_edit_can_change(
    kb, monkeypatch, capsys
):
    """Every page's source is made again after an edit, mostly from the cache; a kept page
    is checked by asking the knowledge base its recorded questions again, but only where
    the edited entries can change the answer (``page_inputs.Reach``): the pages about them
    and those linking to and from them. Two edits in a row, each as a cold build makes it."""
    from policykb import page_inputs
    from policykb.live import LiveSite
    from policykb.render import Renderer

    monkeypatch.setattr(LiveSite, "_complete", lambda self: None)
    asked: list[str] = []
    rendering: list[str] = []
    pages: list[str] = []
    kept_or_made, digest = Renderer._kept_or_made, page_inputs.digest

    def noting_page(self, path, *args):  # noqa: ANN001
        rendering.append(path)
        pages.append(path)
        try:
            return kept_or_made(self, path, *args)
        finally:
            rendering.pop()

    def noting_question(*args):  # noqa: ANN002
        asked.append(rendering[-1])
        return digest(*args)

    monkeypatch.setattr(Renderer, "_kept_or_made", noting_page)
    monkeypatch.setattr(page_inputs, "digest", noting_question)
    live = LiveSite(PolicyProject(kb.root / "mkdocs.yml"), server.SiteVersion(), strict=False)
    live.build()
    case = kb.root / "cases" / "nanle-wangge.yaml"
    for old, new in [("328 个单元网格", "329 个单元网格"), ("title: 南乐县", "title: 河南南乐县")]:
        asked.clear()
        pages.clear()
        kb.edit("cases/nanle-wangge.yaml", old, new)
        live.changed({case})
        assert "problems/xiaomala-dache.md" in asked  # it lists the case
        assert "cases/lanzhou-xinqu-duokao-heyi.md" not in asked
        assert "rules/kaohe-qianfenzhi.md" not in asked
        assert len(asked) < len(pages) / 2, (len(asked), len(pages))
    assert "河南南乐县" in kb.site("problems/xiaomala-dache.html")
    # a negative's list is asked of the kind as a whole: a new item on it shows on the others
    negative = (kb.root / "content/negatives/zhucheng-jinling.yaml").read_text(encoding="utf-8")
    kb.write("content/negatives/zhucheng-2.yaml", negative.replace("手机打卡", "微信打卡"))
    live.changed({kb.root / "content/negatives/zhucheng-2.yaml"})
    assert "微信打卡" in kb.site("negatives/zhucheng-jinling.html")
    served, cold = site_files(kb.root / "site"), cold_build(kb)
    differ = {name for name in served.keys() | cold.keys() if served.get(name) != cold.get(name)}
    assert differ <= COMPLETE_UPDATE_ONLY


RULE = """\
source: ruogan-guiding
article: 统筹规范督查检查考核
text: 不得以“留痕”代替实绩
title: 不以留痕代替实绩
problems: [dujiankao-guoduo]
"""


@pytest.mark.parametrize(
    "edit",
    [
        # a problem under another: the parent's children, every page naming either
        (
            "content/problems/xiaomala-dache.yaml",
            "title: 小马拉大车",
            "title: 小马拉大车\nparent: dujiankao-guoduo",
        ),
        # a problem's title: its cases, rules, remedies and the editions' groups
        (
            "content/problems/dujiankao-guoduo.yaml",
            "title: 督查检查考核过多过频",
            "title: 督考过多",
        ),
        # a source's level: the order of the rules on every page listing them (a second
        # rule, of the other source, now comes first on their problem's page)
        ("content/sources/huibian.yaml", "issuer: 未署名", "issuer: 未署名\nlevel: 中央"),
        # a new rule of a source: its problem and its source list it, in rule order (its
        # 第N条 and its quoted word are new words of the glossary)
        ("content/rules/bu-liuhen.yaml", None, RULE.replace("留痕", "痕迹")),
    ],
)
def test_the_quick_stages_follow_an_edit_of_any_kind_as_a_cold_build_does(kb, monkeypatch, edit):
    from policykb.live import LiveSite

    monkeypatch.setattr(LiveSite, "_complete", lambda self: None)
    kb.write("content/rules/huibian-liuhen.yaml", RULE.replace("ruogan-guiding", "huibian"))
    live = LiveSite(PolicyProject(kb.root / "mkdocs.yml"), server.SiteVersion(), strict=False)
    live.build()
    problem = kb.site("problems/dujiankao-guoduo.html")
    assert problem.index("留痕") > problem.index("千分制")  # the central regulation's first
    path, old, new = edit
    if old is None:
        kb.write(path, new)
    else:
        kb.edit(path, old, new)
    live.changed({kb.root / path})
    served, cold = site_files(kb.root / "site"), cold_build(kb)
    differ = {name for name in served.keys() | cold.keys() if served.get(name) != cold.get(name)}
    if "dujiankao-guoduo" in path or old is None:  # new words of the glossary (above)
        differ = {name for name in differ if not name.startswith("search/kb/")}
    assert differ <= COMPLETE_UPDATE_ONLY
