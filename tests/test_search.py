"""Search understands the domain: its own words stay whole, aliases expand, filters work."""

from __future__ import annotations

import dataclasses
import json

import pytest
from policykb.pipeline import load_knowledge_base
from policykb.search import engine as engine_module
from policykb.search import whoosh_index
from policykb.search.backend import FACETS, QueryError, SearchQuery
from policykb.search.documents import build_documents
from policykb.search.segment import Segmenter, glossary

from .conftest import TINY


@pytest.fixture(scope="module")
def tiny_kb():
    return load_knowledge_base(TINY, strict=True)


@pytest.fixture(scope="module")
def segmenter(tiny_kb):
    return Segmenter.for_kb(tiny_kb)


@pytest.fixture(scope="module")
def engine(tiny_kb, segmenter, tmp_path_factory):
    directory = tmp_path_factory.mktemp("index") / "index"
    whoosh_index.build(tiny_kb, directory, use_directory_urls=False, segmenter=segmenter)
    search = whoosh_index.WhooshSearch(directory)
    yield search
    search.close()


def ids(results) -> list[str]:
    return [hit.id for hit in results.hits]


@pytest.mark.parametrize("word", ["多考合一", "四不两直", "小马拉大车", "督查检查考核", "千分制"])
def test_domain_words_stay_whole(segmenter, word):
    assert word in segmenter.cut(f"我县推行{word}工作")


def test_plain_jieba_would_split_them():
    plain = Segmenter([])
    assert "多考合一" not in plain.cut("我县推行多考合一工作")
    assert "四不两直" not in plain.cut("采取四不两直方式")


def test_glossary_comes_from_the_knowledge_base(tiny_kb):
    words = glossary(tiny_kb)
    assert {"督检考", "多考合一", "四不两直", "小马拉大车", "千分制"} <= set(words)
    assert words == sorted(words)


def test_alias_finds_the_problem_first_and_what_links_to_it(engine):
    found = ids(engine.search(SearchQuery("督检考")))
    assert found[0] == "dujiankao-guoduo"
    # neither says 督检考, both are about the problem
    assert {"lanzhou-xinqu-duokao-heyi", "zhucheng-jinling"} <= set(found)


def test_practice_name(engine):
    assert ids(engine.search(SearchQuery("多考合一")))[:2] == [
        "tongchou-guifan-dujiankao",
        "lanzhou-xinqu-duokao-heyi",
    ]


def test_place_plus_topic(engine):
    assert ids(engine.search(SearchQuery("兰州 考核")))[0] == "lanzhou-xinqu-duokao-heyi"


@pytest.mark.parametrize(
    "query, expected",
    [("800余次", "mou-xiangzhen-biaoge"), ("328", "nanle-wangge"), ("千分制", "fansuo-zhexue")],
)
def test_numbers_and_terms(engine, query, expected):
    assert ids(engine.search(SearchQuery(query)))[0] == expected


def test_filters(engine):
    assert set(ids(engine.search(SearchQuery("考核", kind="case")))) == {
        "lanzhou-xinqu-duokao-heyi",
        "mou-xiangzhen-biaoge",
    }
    assert ids(engine.search(SearchQuery("考核", region="兰州"))) == ["lanzhou-xinqu-duokao-heyi"]
    assert ids(engine.search(SearchQuery("网格", year="2020"))) == ["nanle-wangge"]
    # a problem filter by alias covers its sub-types: 繁琐哲学 is under 督检考
    by_problem = set(ids(engine.search(SearchQuery("考核", kind="case", problem="督检考"))))
    assert by_problem == {"lanzhou-xinqu-duokao-heyi", "mou-xiangzhen-biaoge"}


def test_unknown_problem_filter(engine):
    with pytest.raises(QueryError, match="unknown problem '不存在'"):
        engine.search(SearchQuery("考核", problem="不存在"))


def test_facets_count_all_matches(engine):
    results = engine.search(SearchQuery("督检考", per_page=1))
    assert len(results.hits) == 1
    assert results.facets["kind"]["case"] >= 1
    assert results.facets["problems"]["dujiankao-guoduo"] == results.total


def test_snippet_marks_matches(engine):
    hit = engine.search(SearchQuery("单元网格")).hits[0]
    assert hit.id == "nanle-wangge"
    assert "<mark>单元</mark>" in hit.snippet or "<mark>单元网格</mark>" in hit.snippet


@pytest.mark.parametrize(
    "query",
    ['"督检考', "(考核", "考核 AND OR NOT", "*", "考" * 10000, "", "   ", "<script>"],
    ids=["quote", "bracket", "operators", "star", "long", "empty", "blank", "html"],
)
def test_any_text_is_a_valid_query(engine, query):
    engine.search(SearchQuery(query))


def test_documents_share_their_term_weight_pairs_read_from_the_cache_or_not(
    tiny_kb, segmenter, tmp_path
):
    from policykb.cache import Cache

    cold = Cache(tmp_path / "cache")
    first = build_documents(tiny_kb, segmenter, cold)
    cold.save()
    warm = Cache(tmp_path / "cache")
    again = build_documents(tiny_kb, segmenter, warm)
    assert warm.hits and not warm.misses
    assert again == first
    for documents in (first, again):
        pairs = [pair for doc in documents for pair in doc.weights]
        distinct = {id(pair) for pair in pairs}
        assert len(distinct) == len(set(pairs)) < len(pairs)  # one object per distinct pair


def test_a_rebuild_makes_again_only_the_documents_of_what_changed(tmp_path):
    """A document is kept under its entry and what it reads of the entries it links to:
    a source's note is its own; its date is its rules' too; its title, every linker's."""
    import shutil

    from policykb.cache import Cache

    root = tmp_path / "kb"
    shutil.copytree(TINY, root)
    source = root / "content/sources/ruogan-guiding.yaml"

    def rebuild() -> tuple[list[str], list]:
        kb = load_knowledge_base(root)
        segmenter = Segmenter.for_kb(kb)
        store = Cache(tmp_path / "cache")
        made = []
        real = segmenter.cut
        segmenter.cut = lambda text: made.append(text) or real(text)
        documents = build_documents(kb, segmenter, store)
        store.save()
        assert documents == build_documents(kb, Segmenter.for_kb(kb))  # as a cold build's
        titles = {doc.title for doc in documents}
        return sorted(doc.id for doc in documents if doc.title in made), titles

    every, _ = rebuild()
    assert len(every) > 10
    assert rebuild()[0] == []
    source.write_text(source.read_text(encoding="utf-8") + "note: 一段说明。\n", encoding="utf-8")
    assert rebuild()[0] == ["ruogan-guiding"]
    source.write_text(source.read_text(encoding="utf-8").replace("2024-08", "2024-09"), "utf-8")
    assert rebuild()[0] == ["kaohe-qianfenzhi", "ruogan-guiding"]
    source.write_text(source.read_text(encoding="utf-8").replace("若干规定", "若干措施"), "utf-8")
    remade, titles = rebuild()
    assert remade == ["huibian", "kaohe-qianfenzhi", "ruogan-guiding", "tongchou-guifan-dujiankao"]
    assert "整治形式主义为基层减负若干措施" in titles


def test_the_in_browser_index_after_an_edit_is_byte_for_byte_a_cold_builds(
    tiny_kb, segmenter, tmp_path, monkeypatch
):
    """Its postings are patched from the last build's for the documents that changed:
    a term one of them lost, gained or weighs anew, one no document has any more."""
    from policykb.cache import Cache
    from policykb.search import browser_index

    def build(documents, store=None):
        aliases = whoosh_index.alias_table(tiny_kb)
        built = browser_index.build(
            documents, segmenter, aliases, use_directory_urls=False, store=store
        )
        if store:
            store.save()
        return built.files

    documents = build_documents(tiny_kb, segmenter)
    assert build(documents, Cache(tmp_path / "cache")) == build(documents)
    first, last = documents[0], documents[-1]
    only_in_first = next(
        t for t, _ in first.weights if all(t not in dict(d.weights) for d in documents[1:])
    )
    edited = [
        dataclasses.replace(
            first, weights=tuple(p for p in first.weights if p[0] != only_in_first)
        ),
        *documents[1:-1],
        dataclasses.replace(
            last, weights=tuple(sorted([(t, w + 3) for t, w in last.weights[1:]] + [("新词", 7)]))
        ),
    ]
    for version in (edited, edited, documents):
        store = Cache(tmp_path / "cache")
        assert build(version, store) == build(version)
        assert store.hits
    # a document gone, back again (first, in the middle, last), then an edit: every later
    # number moves by one, the kept postings are renumbered; two gone: made afresh from
    # terms partly kept, and the next build patches from those
    renumbered = []
    original = browser_index._renumbered

    def noting(kept, ids):  # noqa: ANN001
        done = original(kept, ids)
        renumbered.append(done is not None)
        return done

    monkeypatch.setattr(browser_index, "_renumbered", noting)
    middle = [*documents[:3], *documents[4:]]
    versions = [documents[1:], documents, middle, documents, documents[:-1], documents, edited]
    for version in [*versions, documents[2:], documents]:
        store = Cache(tmp_path / "cache")
        assert build(version, store) == build(version)
    assert renumbered == [True] * 6 + [False, False]  # the edit keeps every number

    def holds(files, term):
        return any(f'"{term}":' in text for text in files.values())

    assert holds(build(documents), only_in_first) and not holds(build(edited), only_in_first)


def test_documents_are_segmented_once_not_once_per_index(tiny_kb, segmenter, tmp_path):
    documents = build_documents(tiny_kb, segmenter)

    class NoCutting(Segmenter):
        def cut(self, text):
            raise AssertionError("the index re-segmented a document")

    no_cut = NoCutting(segmenter.words)
    whoosh_index.build(
        tiny_kb, tmp_path / "index", use_directory_urls=False, segmenter=no_cut, documents=documents
    )


def test_cli_search_json(kb):
    result = kb.run("search", "督检考", "--json", "--limit", "2")
    assert result.code == 0
    data = json.loads(result.out)
    assert data["total"] >= 3
    first = data["hits"][0]
    assert set(first) == {
        *("id", "kind", "title", "url", "score", "snippet"),
        *("region", "date", "level", "issuer", "doctype", "status"),
    }
    assert first["id"] == "dujiankao-guoduo"
    assert first["url"] == "problems/dujiankao-guoduo.html"
    assert set(data["facets"]) == {
        *("kind", "problems", "region", "year"),
        *("level", "issuer", "doctype"),
    }
    assert data["corrected"] is None


def test_cli_search_text_and_filters(kb):
    result = kb.run("search", "考核", "--region", "兰州", "--kind", "case")
    assert result.out.splitlines()[:2] == [
        "1 result(s) for '考核', page 1 of 1:",
        "1. [案例] 兰州新区“多考合一”  (cases/lanzhou-xinqu-duokao-heyi.html)",
    ]
    assert result.out.splitlines()[2] == "   甘肃省兰州新区 · 2024 · 县级"
    assert "【" in result.out.splitlines()[3]
    bad = kb.run("search", "考核", "--problem", "不存在")
    assert bad.code == 1
    assert bad.err == "Error: unknown problem '不存在': give a problem id, title or alias\n"


def test_cli_index_follows_content_changes(kb):
    assert "No results" in kb.run("search", "无会日").out
    kb.edit("cases/nanle-wangge.yaml", "summary: 全县设", "summary: 推行无会日，全县设")
    assert "nanle-wangge" in kb.run("search", "无会日").out


def test_index_is_replaced_only_when_complete(tiny_kb, segmenter, tmp_path):
    directory = tmp_path / "index"
    whoosh_index.build(tiny_kb, directory, use_directory_urls=False, segmenter=segmenter)

    class Broken(list):
        def __iter__(self):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        whoosh_index.build(
            tiny_kb, directory, use_directory_urls=False, segmenter=segmenter, documents=Broken()
        )
    search = whoosh_index.WhooshSearch(directory)
    assert search.search(SearchQuery("督检考")).total > 0
    search.close()
    # the index and the one complete version it points to; nothing of the failed build
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".index.lock",
        directory.readlink().name,
        "index",
    ]


def test_documents_with_all_the_words_come_alone_when_there_are_enough(engine, monkeypatch):
    monkeypatch.setattr(engine_module, "COMMON_PER_MILLE", 1000)  # 督查 is in most of them
    broad = ids(engine.search(SearchQuery("督查 计划外")))
    assert len(broad) > 1  # fewer than ENOUGH have both words: any word will do
    monkeypatch.setattr(engine_module, "ENOUGH", 1)
    assert ids(engine.search(SearchQuery("督查 计划外"))) == ["dujiankao-guoduo"]


@pytest.mark.parametrize(
    "filters",
    [{"region": "火星"}, {"year": "1000"}, {"kind": "source", "year": "1999"}],
    ids=["region", "year", "kind-and-year"],
)
def test_a_filter_that_matches_nothing_gives_nothing(engine, filters):
    results = engine.search(SearchQuery("考核", **filters))
    assert (results.total, results.pages, results.hits) == (0, 0, [])
    assert results.facets == {name: {} for name in FACETS}


def test_pages_split_the_results_and_a_page_past_the_end_is_empty(engine):
    everything = engine.search(SearchQuery("考核", per_page=50))
    assert everything.total == len(everything.hits) > 3
    pages = [engine.search(SearchQuery("考核", page=n, per_page=2)) for n in (1, 2, 3)]
    assert [h.id for p in pages for h in p.hits] == [h.id for h in everything.hits][:6]
    assert pages[0].pages == -(-everything.total // 2)
    past = engine.search(SearchQuery("考核", page=1_000_000, per_page=2))
    assert (past.total, past.pages, past.hits) == (everything.total, pages[0].pages, [])


def test_cli_search_a_filter_that_matches_nothing(kb):
    result = kb.run("search", "督检考", "--year", "1000")
    assert (result.code, result.out) == (0, "No results for '督检考'.\n")
    data = json.loads(kb.run("search", "督检考", "--year", "1000", "--json").out)
    assert (data["total"], data["pages"], data["hits"]) == (0, 0, [])


def test_cli_search_a_page_past_the_end(kb):
    total = json.loads(kb.run("search", "考核", "--json").out)["total"]
    result = kb.run("search", "考核", "--page", "1000000")
    assert result.out == f"No page 1000000: {total} result(s) for '考核' on 1 page(s).\n"
    data = json.loads(kb.run("search", "考核", "--page", "2", "--limit", "2", "--json").out)
    assert (data["total"], data["pages"], len(data["hits"])) == (total, -(-total // 2), 2)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--year", "20x4"], "--year must be four digits, e.g. 2024"),
        (["--year", "２０２４"], "--year must be four digits, e.g. 2024"),
        (
            ["--kind", "article"],
            "--kind must be one of case, compilation, negative, problem, remedy, rule, source, "
            "study",
        ),
        (["--page", "0"], "--page must be a whole number from 1 to 1000000"),
        (["--page", "1000001"], "--page must be a whole number from 1 to 1000000"),
        (["--page", "9" * 5000], "--page must be a whole number from 1 to 1000000"),
        (["--limit", "51"], "--limit must be a whole number from 1 to 50"),
        (["--limit", "-1"], "--limit must be a whole number from 1 to 50"),
    ],
)
def test_cli_search_refuses_bad_options_as_the_api_does(kb, args, message):
    result = kb.run("search", "考核", *args)
    assert (result.code, result.out, result.err) == (1, "", f"Error: {message}\n")


def test_cli_search_refuses_an_empty_query(kb):
    result = kb.run("search", " ")
    assert (result.code, result.err) == (1, "Error: QUERY (the query) is required\n")


def test_traditional_characters_find_what_simplified_ones_do(engine):
    assert ids(engine.search(SearchQuery("督檢考"))) == ids(engine.search(SearchQuery("督检考")))
    assert (
        ids(engine.search(SearchQuery("考覈")))[:3] == ids(engine.search(SearchQuery("考核")))[:3]
    )


def test_a_typo_is_corrected_from_the_glossary_and_said_so(kb):
    data = json.loads(kb.run("search", "多考和一", "--json").out)
    assert data["corrected"] == "多考合一"
    assert "lanzhou-xinqu-duokao-heyi" in [h["id"] for h in data["hits"]]
    assert "Showing results for '多考合一'" in kb.run("search", "多考和一").out
    exact = json.loads(kb.run("search", "多考和一", "--exact", "--json").out)
    assert exact["corrected"] is None


def test_a_query_that_finds_something_is_not_corrected(engine):
    assert engine.search(SearchQuery("多考合一")).corrected is None


def test_hits_carry_what_the_entry_is(kb):
    kb.edit("content/rules/kaohe-qianfenzhi.yaml", "status: 现行", "status: 已修订")
    data = json.loads(kb.run("search", "千分制", "--kind", "rule", "--json").out)
    [hit] = data["hits"]
    assert (hit["kind"], hit["status"]) == ("rule", "已修订")
    assert hit["issuer"] and hit["date"]  # the document's, as the rule has none of its own
    assert "已修订" in kb.run("search", "千分制", "--kind", "rule").out


def test_sort_by_date_puts_the_newest_first(engine):
    results = engine.search(SearchQuery("考核", sort="date", per_page=50))
    dates = [h.date for h in results.hits if h.date]
    assert len(dates) > 2 and dates == sorted(dates, reverse=True)
    relevance = engine.search(SearchQuery("考核", per_page=50))
    assert {h.id for h in relevance.hits} == {h.id for h in results.hits}


def test_filters_by_level(engine):
    results = engine.search(SearchQuery("考核", level="县级", per_page=50))
    assert results.total and all(h.level == "县级" for h in results.hits)
    assert results.facets["level"] == {"县级": results.total}


def test_snippets_are_plain_sentences(engine):
    for q in ["督检考", "千分制", "考核", "网格"]:
        for hit in engine.search(SearchQuery(q, per_page=50)).hits:
            assert "[[" not in hit.snippet and not hit.snippet.startswith("- ")


def _index_contents(directory):
    """Everything a reader finds in an index: terms with their statistics and postings,
    stored fields, lengths and the id column."""
    from whoosh import index as windex

    with windex.open_dir(directory).reader() as reader:
        terms = {}
        for field, text in reader.all_terms():
            info = reader.term_info(field, text)
            matcher = reader.postings(field, text)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length())
            terms[field, text] = (stats, info.max_weight(), postings)
        docs = range(reader.doc_count_all())
        return {
            "terms": terms,
            "stored": [reader.stored_fields(n) for n in docs],
            "lengths": [reader.doc_field_length(n, "terms") for n in docs],
            "total": reader.field_length("terms"),
            "ids": list(reader.column_reader("id")),
        }


def test_a_new_index_holds_what_whooshs_own_writer_makes_of_the_documents(
    tiny_kb, segmenter, tmp_path
):
    from whoosh import index as windex

    documents = build_documents(tiny_kb, segmenter)
    whoosh_index.build(tiny_kb, tmp_path / "ours", use_directory_urls=False, documents=documents)
    reference = tmp_path / "whoosh"
    reference.mkdir()
    with windex.create_in(reference, whoosh_index.schema()).writer() as writer:
        for doc in documents:
            writer.add_document(**whoosh_index._fields(doc))
    ours = _index_contents(tmp_path / "ours")
    assert ours == _index_contents(reference)
    assert len(ours["terms"]) > 100 and ours["stored"][0]["prose"]


def test_an_index_is_updated_in_place_for_what_changed(tiny_kb, segmenter, tmp_path, monkeypatch):
    directory = tmp_path / "index"
    documents = build_documents(tiny_kb, segmenter)
    whoosh_index.build(
        tiny_kb, directory, use_directory_urls=False, segmenter=segmenter, documents=documents
    )
    version, meta = directory.resolve(), (directory / "meta.json").stat().st_ino
    changed = [
        dataclasses.replace(d, weights=(*d.weights, ("无会日", 10)))
        if d.id == "nanle-wangge"
        else d
        for d in documents
    ]
    added = []
    real = whoosh_index._fields
    monkeypatch.setattr(whoosh_index, "_fields", lambda doc: added.append(doc.id) or real(doc))
    whoosh_index.build(
        tiny_kb, directory, use_directory_urls=False, segmenter=segmenter, documents=changed
    )
    assert added == ["nanle-wangge"]
    assert directory.resolve() == version  # the same directory, not a fresh one
    assert (directory / "meta.json").stat().st_ino != meta  # replaced: a server reopens
    search = whoosh_index.WhooshSearch(directory)
    assert ids(search.search(SearchQuery("无会日"))) == ["nanle-wangge"]
    assert search.search(SearchQuery("督检考")).total == len(
        ids(search.search(SearchQuery("督检考", per_page=50)))
    )
    search.close()


def test_an_index_updated_in_place_answers_as_a_new_one(tiny_kb, segmenter, tmp_path):
    """Same side files, every term with the same postings (by row), the same results."""
    documents = build_documents(tiny_kb, segmenter)
    first = documents[0]
    edited = [
        dataclasses.replace(first, weights=(*first.weights[1:], ("无会日", 12))),
        *documents[2:],  # the second one gone
    ]
    for directory, before in (("updated", documents), ("new", None)):
        if before:
            whoosh_index.build(
                tiny_kb, tmp_path / directory, use_directory_urls=False, documents=before
            )
        whoosh_index.build(
            tiny_kb, tmp_path / directory, use_directory_urls=False, documents=edited
        )
    for name in (whoosh_index.TABLE, whoosh_index.LEXICON, whoosh_index.META):
        assert (tmp_path / "updated" / name).read_bytes() == (tmp_path / "new" / name).read_bytes()
    updated, new = (whoosh_index.WhooshSearch(tmp_path / d) for d in ("updated", "new"))
    terms = {term for doc in documents for term, _ in doc.weights}
    for term in terms:
        assert updated.known(term) == new.known(term), term
        assert updated.postings(term) == new.postings(term), term
    for query in ("无会日", "督检考", "考核", "网格化管理"):
        assert updated.search(SearchQuery(query)) == new.search(SearchQuery(query)), query
    updated.close(), new.close()


def test_the_stored_dictionary_cuts_as_the_loaded_one(tmp_path, monkeypatch):
    from policykb.search import segment

    monkeypatch.setattr(segment, "_dictionary_file", lambda: tmp_path / "jieba.sqlite")
    words = ["多考合一", "四不两直", "督检考"]
    loaded = Segmenter(words)
    loaded.prepare(segment.STORED_LIMIT + 1)
    assert not (tmp_path / "jieba.sqlite").exists()  # a big build needs no copy
    Segmenter(words).prepare(0)  # a small one writes it for the next
    stored = Segmenter(words)
    stored.prepare(0)
    assert stored._stored and not loaded._stored
    text = "推行“多考合一”，坚持四不两直，督检考过多过频，整治形式主义为基层减负。ABC 123"
    assert stored.cut(text) == loaded.cut(text)
    assert list(stored.subwords("督查检查考核过多过频")) == list(
        loaded.subwords("督查检查考核过多过频")
    )
    assert stored.user_dictionary() == loaded.user_dictionary()


def test_more_text_than_foreseen_is_cut_with_the_whole_dictionary(tmp_path, monkeypatch):
    from policykb.search import segment

    monkeypatch.setattr(segment, "_dictionary_file", lambda: tmp_path / "jieba.sqlite")
    monkeypatch.setattr(segment, "STORED_LIMIT", 10)
    Segmenter([]).prepare(0)
    segmenter = Segmenter([])
    assert segmenter.cut("整治形式主义") == ["整治", "形式主义"]
    assert segmenter._stored
    assert segmenter.cut("为基层减负，整治形式主义") == [
        "为",
        "基层",
        "减负",
        "，",
        "整治",
        "形式主义",
    ]
    assert not segmenter._stored


def test_what_the_glossary_adds_comes_from_the_cache_and_cuts_alike(tmp_path, monkeypatch):
    from policykb.cache import Cache
    from policykb.search import segment

    monkeypatch.setattr(segment, "_dictionary_file", lambda: tmp_path / "jieba.sqlite")
    store = Cache(None)
    words = ["多考合一", "四不两直", "督检考"]
    loaded = Segmenter(words)
    loaded.prepare(segment.STORED_LIMIT + 1, store)
    monkeypatch.setattr(
        segment.jieba.Tokenizer, "add_word", lambda *a, **k: pytest.fail("added again")
    )
    again = Segmenter(words)
    again.prepare(segment.STORED_LIMIT + 1, store)
    text = "推行“多考合一”，坚持四不两直，督检考过多过频。"
    assert again.cut(text) == loaded.cut(text)
    assert again.user_dictionary() == loaded.user_dictionary()


def test_jieba_s_table_read_from_our_copy_is_jieba_s(tmp_path, monkeypatch):
    from policykb.search import segment

    monkeypatch.setattr(segment, "_dictionary_file", lambda: tmp_path / "jieba.sqlite")
    loaded = segment._main_dictionary()  # by jieba, and copied
    assert (tmp_path / "jieba.words").is_file()
    monkeypatch.setattr(
        segment.jieba.Tokenizer, "initialize", lambda *a, **k: pytest.fail("jieba loaded it")
    )
    copied = segment._main_dictionary()
    assert copied == loaded and copied[0] is not loaded[0]  # each tokenizer's own table


def test_a_damaged_copy_of_jieba_s_table_is_not_read(tmp_path):
    from policykb.search import segment

    path = tmp_path / "jieba.words"
    segment._write_table(path, {"整治": 3, "整": 0, "形式主义": 5}, 8)
    assert segment._read_table(path) == ({"整治": 3, "整": 0, "形式主义": 5}, 8)
    path.write_bytes(path.read_bytes()[:-3])
    assert segment._read_table(path) is None
