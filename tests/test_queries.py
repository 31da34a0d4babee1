"""Named queries: headers, golden rows on the bundled corpus, exact rows on a hand-made graph,
the same rows from the rdflib memory store, and the notebook API."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import kg
from kg.errors import QueryNotFoundError, QueryParameterError
from kg.querying import is_internal, named_queries

from .regen_golden import CASES, GOLDEN

MINI = Path(__file__).resolve().parent / "fixtures" / "queries" / "mini.trig"
PUBLIC = sorted(n for n in named_queries() if not is_internal(n))
REQUIRED = {"shared-concepts", "city-targets", "indicator-across-cities", "targets-by-category", "binding-targets",
            "plan-lineage", "city-agencies", "concept-evidence", "node-provenance", "documents", "cities-without",
            "concept-cooccurrence"}
MINI_CASES = {**CASES, "city-targets": {"city": "湖州市"}, "city-programs": {"city": "湖州市"},
              "describe": {"node": "湖州市市场监督管理局"}, "indicator-across-cities": {"indicator": "基本药物抽检合格率"},
              "mentions": {"doc": "hz.txt"}, "node-provenance": {"node": "qpd:doc/hz/target/001"}, "concept-evidence": {"concept": "品字标"}}


@pytest.fixture(scope="module")
def mini():
    return kg.open(MINI)


def rows(result) -> list[list]:
    return [list(r.values()) for r in json.loads(result.to_json())]


def test_required_queries_exist_with_headers():
    qs = named_queries()
    assert REQUIRED <= set(qs)
    assert len(PUBLIC) >= 12
    for name in qs:
        q = qs[name]
        assert q.purpose and q.columns, f"{name}.rq has no # purpose: or # columns: header"


@pytest.mark.parametrize("name", PUBLIC)
def test_columns_header_matches_result(mini, name):
    res = mini.query(name, **MINI_CASES[name])
    assert list(res.vars) == list(named_queries()[name].columns)


def test_every_public_query_has_a_golden_file():
    assert sorted(CASES) == PUBLIC, "add the query to CASES in tests/regen_golden.py and run python -m tests.regen_golden"
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == PUBLIC


@pytest.mark.parametrize("name", PUBLIC)
def test_golden(graph, name):
    """Expected rows on the bundled corpus. After an extraction change: python -m tests.regen_golden, review the diff."""
    gold = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    res = graph.query(name, **gold["params"])
    assert list(res.vars) == gold["columns"]
    got = json.loads(res.to_json())
    # every named query ends with an ORDER BY that fixes the order of its rows
    assert "ORDER BY" in named_queries()[name].text
    assert got == gold["rows"]


# --- exact rows on the hand-made graph ----------------------------------------------------------
def test_city_targets_takes_in_county_plans(mini):
    res = mini.query("city-targets", city="湖州市")
    assert [(r["jurisdiction"], r["indicator"], r["target_value"], r["binding"]) for r in res.records()] == [
        ("湖州市", "基本药物抽检合格率", 100, True),
        ("湖州市", "培育“品字标”企业", 200, False),
        ("吴兴区", "基本药物 抽检合格率", 98, None),
    ]
    # the same city by CURIE and by alias
    assert rows(mini.query("city-targets", city="qpd:area/330500")) == rows(res)
    assert rows(mini.query("city-targets", city="湖州")) == rows(res)


def test_indicator_across_cities_ignores_spaces_and_quotes(mini):
    res = mini.query("indicator-across-cities", indicator="基本药物抽检合格率")
    assert [(r["city"], r["jurisdiction"], r["target_text"]) for r in res.records()] == [
        ("湖州市", "吴兴区", "98以上"), ("湖州市", "湖州市", "100"), ("绍兴市", "绍兴市", "100")]
    assert [r["as_written"] for r in mini.query("indicator-across-cities", indicator="培育品字标").records()] == ["培育“品字标”企业"]


def test_targets_by_category_and_binding(mini):
    assert rows(mini.query("targets-by-category")) == [["产品质量", 4, 3, 2, "湖州市, 绍兴市", 2, 4]]
    res = mini.query("binding-targets")
    assert [(r["nature"], r["city_label"], r["indicator"]) for r in res.records()] == [
        ("约束性", "湖州市", "基本药物抽检合格率"), ("约束性", "绍兴市", "基本药物抽检合格率"), ("预期性", "湖州市", "培育“品字标”企业")]
    assert [r["city_label"] for r in mini.query("binding-targets", city="绍兴市").records()] == ["绍兴市"]


def test_targets_by_category_with_a_plan_without_a_city(tmp_path):
    """A target whose plan has no labelled city does not empty its category's list of cities (Oxigraph's
    GROUP_CONCAT over an unbound value gave nothing for the whole category, rdflib's memory store raised
    NotBoundError): the same rows on both stores, cities sorted."""
    ttl = tmp_path / "g.ttl"
    ttl.write_text(
        '@prefix qp: <https://w3id.org/qpkg/ontology#> . @prefix qpd: <https://w3id.org/qpkg/id/> .\n'
        '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
        'qpd:area\\/1 a qp:City ; rdfs:label "乙市"@zh . qpd:area\\/2 a qp:City ; rdfs:label "甲市"@zh .\n'
        'qpd:area\\/3 a qp:County ; rdfs:label "丙县"@zh ; qp:partOf qpd:area\\/1 .\n'
        'qpd:doc\\/a qp:jurisdiction qpd:area\\/2 ; qp:hasTarget qpd:doc\\/a\\/1 .\n'
        'qpd:doc\\/b qp:jurisdiction qpd:area\\/3 ; qp:hasTarget qpd:doc\\/b\\/1, qpd:doc\\/b\\/2 .\n'
        'qpd:doc\\/c qp:hasTarget qpd:doc\\/c\\/1 .\n'
        'qpd:doc\\/a\\/1 qp:categoryLabel "甲类"@zh ; qp:binding true ; qp:targetValue 1.0 .\n'
        'qpd:doc\\/b\\/1 qp:categoryLabel "甲类"@zh . qpd:doc\\/b\\/2 qp:categoryLabel "乙类"@zh ; qp:targetValue 2.0 .\n'
        'qpd:doc\\/c\\/1 qp:categoryLabel "乙类"@zh .\n',
        encoding="utf-8")
    for store in ("oxigraph", "memory"):
        assert rows(kg.open(ttl, store=store).query("targets-by-category")) == [
            ["乙类", 2, 2, 1, "乙市", 0, 1], ["甲类", 2, 2, 2, "乙市, 甲市", 1, 1]], store


def test_plan_lineage_follows_chains(mini):
    res = mini.query("plan-lineage", city="湖州市")
    assert [(r["plan"].rsplit("/", 1)[-1], r["from"] and r["from"].rsplit("/", 1)[-1], r["relation"], r["related_title"], r["related_in_corpus"])
            for r in res.records()] == [
        ("hz", "hz", "basedOn", "浙江省质量强省规划", False),
        ("hz", "hz", "succeeds", "湖州市质量发展“十三五”规划", False),
        ("hz", "prov", "basedOn", "质量发展纲要", False),
        ("wx", None, None, None, None),
    ]


def test_city_agencies(mini):
    res = mini.query("city-agencies", city="湖州市")
    assert rows(res) == [
        ["https://w3id.org/qpkg/id/org/330500-group", "质量强市工作领导小组", "leading-group", "湖州市", 1, 2, 0, "hz.txt"],
        ["https://w3id.org/qpkg/id/org/330500-amr", "湖州市市场监督管理局", "government", "湖州市", 1, 1, 1, "hz.txt"],
    ]


def test_concept_evidence_includes_narrower_concepts_and_scopes(mini):
    res = mini.query("concept-evidence", concept="品字标")
    assert [(r["file"], r["start"], r["end"], r["quote"], r["scopes"]) for r in res.records()] == [
        ("hz.txt", 150, 157, "品字标浙江制造", "食品安全提升工程"),
        ("sx.txt", 250, 257, "品字标浙江制造", "推进“无废城市”建设"),
        ("sx.txt", 420, 427, "品字标浙江制造", "三、质量品牌"),
    ]


def test_node_provenance(mini):
    res = mini.query("node-provenance", node="https://w3id.org/qpkg/id/doc/hz/target/001")
    assert rows(res) == [
        ["evidence", "https://w3id.org/qpkg/id/graph/hz", "https://w3id.org/qpkg/id/doc/hz", "hz.txt",
         "https://w3id.org/qpkg/id/doc/hz/mention/10-20", 10, 20, "基本药物抽检合格率 100"],
    ]
    # a concept is named, not evidenced; the merged Turtle has no named graphs
    assert [(r["via"], r["file"], r["quote"]) for r in mini.query("node-provenance", node="鲁班奖").records()] == [
        ("mention", "hz.txt", "鲁班奖"), ("mention", "sx.txt", "鲁班奖"), ("mention", "tz.txt", "鲁班奖"), ("mention", "wx.txt", "鲁班奖")]


def test_cities_without(mini):
    assert [r["label"] for r in mini.query("cities-without", concept="浙食链").records()] == ["泰州市", "绍兴市"]
    # a county plan mentioning 鲁班奖 counts for its city: every city has it
    assert mini.query("cities-without", concept="鲁班奖").records() == []
    # 品字标 is named through its narrower concept 品字标浙江制造
    assert [r["label"] for r in mini.query("cities-without", concept="品字标").records()] == ["泰州市"]


def test_concept_cooccurrence_by_span_and_section(mini):
    res = mini.query("concept-cooccurrence")
    assert [(r["label_a"], r["label_b"], r["n_scopes"], r["scopes"]) for r in res.records()] == [
        ("品字标浙江制造", "无废城市", 1, "推进“无废城市”建设"),
        ("品字标浙江制造", "浙食链", 1, "食品安全提升工程"),
        ("鲁班奖", "品字标浙江制造", 1, "三、质量品牌"),
    ]
    assert mini.query("concept-cooccurrence", min_scopes=2).records() == []


def _scopes_graph(tmp_path) -> Path:
    """Concepts a, b, c named in sections s1..s3 and programme s4 of one document (s4 also by the span of its
    evidence, which takes in a's first two mentions); s2 has no label."""
    ttl = tmp_path / "g.ttl"
    mentions = [("a", 1), ("a", 2), ("a", 3), ("a", 4), ("b", 1), ("b", 2), ("b", 4), ("c", 2), ("c", 3)]
    ttl.write_text(
        '@prefix qp: <https://w3id.org/qpkg/ontology#> . @prefix qpd: <https://w3id.org/qpkg/id/> .\n'
        '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
        'qpd:area\\/1 a qp:City ; rdfs:label "甲市"@zh . qpd:doc\\/d qp:jurisdiction qpd:area\\/1 ; qp:sourceFile "d.txt" .\n'
        'qpd:concept\\/a a qp:Award ; skos:prefLabel "甲奖"@zh . qpd:concept\\/b a qp:Award ; skos:prefLabel "乙奖"@zh .\n'
        'qpd:concept\\/c a qp:Initiative ; skos:prefLabel "丙行动"@zh .\n'
        'qpd:doc\\/d\\/s1 a qp:Section ; rdfs:label "一、甲"@zh . qpd:doc\\/d\\/s2 a qp:Section .\n'
        'qpd:doc\\/d\\/s3 a qp:Section ; rdfs:label "二、乙"@zh . qpd:doc\\/d\\/s4 a qp:Program ; rdfs:label "三、丙"@zh .\n'
        'qpd:doc\\/d\\/s4 qp:evidence qpd:doc\\/d\\/ev . qpd:doc\\/d\\/ev qp:inDocument qpd:doc\\/d ; qp:start 0 ; qp:end 3 .\n'
        + "".join(f'qpd:doc\\/d\\/m\\/{c}{s} qp:mentionOf qpd:concept\\/{c} ; qp:inDocument qpd:doc\\/d ; qp:inSection qpd:doc\\/d\\/s{s} ; '
                  f'qp:start {i} ; qp:end {i + 2} ; qp:quote "x" .\n' for i, (c, s) in enumerate(mentions)),
        encoding="utf-8")
    return ttl


def test_concept_cooccurrence_with_a_scope_without_a_label(tmp_path):
    """A shared section without a label does not empty the pair's list of scopes (Oxigraph's GROUP_CONCAT
    over an unbound value gave nothing for the whole pair, rdflib's memory store raised NotBoundError): the
    same rows on both stores, the labelled scopes sorted; a pair sharing only the unlabelled one has none."""
    ttl = _scopes_graph(tmp_path)
    a, b, c = (f"https://w3id.org/qpkg/id/concept/{x}" for x in "abc")
    for store in ("oxigraph", "memory"):
        g = kg.open(ttl, store=store)
        assert rows(g.query("concept-cooccurrence")) == [
            [a, "甲奖", b, "乙奖", 3, 1, 1, "一、甲 | 三、丙"], [a, "甲奖", c, "丙行动", 2, 1, 1, "二、乙"],
            [b, "乙奖", c, "丙行动", 1, 1, 1, None]], store
        assert [r["scopes"] for r in g.query("concept-cooccurrence", min_scopes=2).records()] == ["一、甲 | 三、丙", "二、乙"], store


def test_concept_evidence_with_a_scope_without_a_label(tmp_path):
    """concept-evidence lists the labelled scopes only (the label is required inside its sub-SELECT, so the
    GROUP_CONCAT never sees an unbound value): a mention in the unlabelled section still lists the programme
    whose span takes it in; the same rows on both stores."""
    ttl = _scopes_graph(tmp_path)
    for store in ("oxigraph", "memory"):
        res = kg.open(ttl, store=store).query("concept-evidence", concept="qpd:concept/a")
        assert [(r["start"], r["scopes"]) for r in res.records()] == [(0, "一、甲 | 三、丙"), (1, "三、丙"), (2, "二、乙"), (3, "三、丙")], store


def test_shared_concepts_counts_cities_not_counties(mini):
    assert [(r["label"], r["n_cities"], r["cities"], r["n_docs"]) for r in mini.query("shared-concepts").records()] == [
        ("鲁班奖", 3, "泰州市, 湖州市, 绍兴市", 4), ("品字标浙江制造", 2, "湖州市, 绍兴市", 2)]
    assert [r["label"] for r in mini.query("shared-concepts", min_cities=3).records()] == ["鲁班奖"]


def test_documents_inventory(mini):
    assert rows(mini.query("documents"))[0] == [
        "https://w3id.org/qpkg/id/doc/hz", "hz.txt", "plan", "湖州市", "湖州市质量发展规划", "utf-8", 2, 1, 10, 3, 2]
    assert [r["kind"] for r in mini.query("documents").records()] == ["plan", "plan", "article", "plan"]


def test_memory_store_gives_the_same_rows():
    ox, mem = kg.open(MINI), kg.open(MINI, store="memory")
    assert mem.store.name == "memory"
    for name in PUBLIC:
        assert ox.query(name, **MINI_CASES[name]).to_json() == mem.query(name, **MINI_CASES[name]).to_json(), name


# --- parameters --------------------------------------------------------------------------------
def test_label_resolution_errors(mini):
    with pytest.raises(QueryParameterError) as e:
        mini.query("city-targets", city="浙食链")
    assert str(e.value) == "parameter city: no administrative area in the graph is labelled '浙食链' (give an IRI, a CURIE or an exact label)"
    with pytest.raises(QueryParameterError) as e:
        mini.query("describe", node="质量发展")
    assert str(e.value) == "parameter node: no node in the graph is labelled '质量发展' (give an IRI, a CURIE or an exact label)"
    with pytest.raises(QueryParameterError) as e:
        mini.query("city-targets")
    assert str(e.value) == "query 'city-targets' needs --param city=… (the city: a label (湖州市) or an IRI/CURIE (qpd:area/330500))"
    with pytest.raises(QueryParameterError) as e:
        mini.query("shared-concepts", min_cities="two")
    assert str(e.value) == "parameter min_cities: 'two' is not an integer"
    with pytest.raises(QueryNotFoundError):
        mini.query("no-such-query")


def test_ambiguous_label_names_the_candidates(graph):
    with pytest.raises(QueryParameterError) as e:
        graph.query("city-targets", city="朝阳区")
    assert str(e.value) == "parameter city: '朝阳区' is ambiguous (qpd:area/110105, qpd:area/220104): give the IRI or CURIE"


# --- the notebook API --------------------------------------------------------------------------
def test_api_describe_counts_and_df(mini):
    d = mini.describe("湖州市市场监督管理局").df(labels=True)
    assert list(d.columns) == ["direction", "predicate", "predicate_label", "value", "value_label", "graph", "graph_label"]
    assert d[d.predicate == "qp:seatedIn"].value.tolist() == ["qpd:area/330500"]
    counts = {r["class"]: r["n"] for r in mini.counts_by_class().records()}
    assert counts["https://w3id.org/qpkg/ontology#Target"] == 4
    assert counts["https://w3id.org/qpkg/ontology#Mention"] == 20
    assert mini.resolve("湖州", kind="area") == "https://w3id.org/qpkg/id/area/330500"
    df = mini.query("shared-concepts").df()
    assert df.concept.tolist() == ["qpd:concept/luban", "qpd:concept/pinzibiao-zhizao"]


def test_api_source_text_and_excerpt(built, sources):
    g = kg.open(built)
    name = "003_b8d4b0b9a0480c56.txt"
    text = g.source_text(name)
    assert text == sources[name]
    assert g.source_text("qpd:doc/003_b8d4b0b9a0480c56") == text
    m = g.query("mentions", doc=name).records()[0]
    before, quote, after = g.excerpt(m["mention"], width=5)
    assert quote == m["quote"] == text[m["start"]:m["end"]]
    assert before == text[max(0, m["start"] - 5):m["start"]]


def test_api_source_text_refuses_changed_file(built, tmp_path):
    from kg.errors import StoreError

    name = "004_43b08ec545039170.txt"
    (tmp_path / name).write_text("changed", encoding="utf-8")
    g = kg.open(built, sources=tmp_path)
    with pytest.raises(StoreError) as e:
        g.source_text(name)
    assert str(e.value) == f"{tmp_path / name}: the file changed since the build (sha256 differs); rebuild with `kg build`"


def test_describe_and_provenance_on_a_merged_turtle_file(tmp_path):
    ttl = tmp_path / "g.ttl"
    ttl.write_text(
        '@prefix qp: <https://w3id.org/qpkg/ontology#> . @prefix qpd: <https://w3id.org/qpkg/id/> .\n'
        '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
        'qpd:org\\/x a <http://www.w3.org/ns/org#Organization> ; rdfs:label "甲局"@zh .\n'
        'qpd:doc\\/d qp:mentions qpd:org\\/x ; qp:sourceFile "d.txt" .\n'
        'qpd:doc\\/d\\/mention\\/1-3 qp:inDocument qpd:doc\\/d ; qp:start 1 ; qp:end 3 ; qp:quote "甲局" ; qp:mentionOf qpd:org\\/x .\n',
        encoding="utf-8")
    for store in ("oxigraph", "memory"):
        g = kg.open(ttl, store=store)
        assert [(r["direction"], r["predicate"].rsplit("#", 1)[-1], r["graph"]) for r in g.describe("甲局").records()] == [
            ("out", "type", None), ("out", "label", None), ("in", "mentions", None)], store
        assert [(r["via"], r["graph"], r["file"], r["start"]) for r in g.provenance("甲局").records()] == [("mention", None, "d.txt", 1)]


# --- both stores, every named query, the bundled build -------------------------------------------
# Parameters of the queries behind views and exports (the public ones use the golden cases).
INTERNAL_CASES = {
    "view-cities-concepts": {"min_cities": "1"}, "view-shared": {"min_cities": "2"},
    "view-ego": {"node": "qpd:area/330500"}, "view-evidence": {"node": "qpd:concept/zheshilian"},
    "view-nodes": {"node": "qpd:area/330500"}, "view-lookup": {"text": "浙食链"},
    "view-plan": {"plan": "qpd:doc/001_bcf92bb41f96abcb"},
}
# rdflib does not finish these in test time on the bundled build: concept-cooccurrence joins every
# pair of spans of a document (past 10 GB and minutes); concept-evidence takes minutes (its span
# sub-SELECT; it agrees on tests/fixtures/queries/mini.trig, see test_memory_store_gives_the_same_rows).
RDFLIB_TOO_SLOW = {"concept-cooccurrence", "concept-evidence"}
# Queries rdflib cannot evaluate at all: its memory store raises a one-line StoreError for them.
RDFLIB_CANNOT: set[str] = set()


@pytest.fixture(scope="module")
def both_stores(built):
    return kg.open(built), kg.open(built / "graph.nq", store="memory")


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(set(named_queries()) - RDFLIB_TOO_SLOW))
def test_rdflib_and_oxigraph_give_the_same_rows(both_stores, name):
    """The same rows from both stores; queries without ORDER BY (exports) are compared as sets."""
    from kg.errors import StoreError

    ox, mem = both_stores
    params = {**CASES, **INTERNAL_CASES}.get(name, {})
    expected = ox.query(name, **params)
    assert expected.rows, f"{name}: no rows on the bundled build, nothing compared"
    if name in RDFLIB_CANNOT:
        with pytest.raises(StoreError):
            mem.query(name, **params)
        return
    got = mem.query(name, **params)
    assert got.vars == expected.vars
    if "ORDER BY" in named_queries()[name].text:
        assert got.to_json() == expected.to_json()
    else:
        assert sorted(map(json.dumps, json.loads(got.to_json()))) == sorted(map(json.dumps, json.loads(expected.to_json())))


def test_parameters_are_bound_in_the_sub_selects_that_use_them():
    from rdflib import URIRef

    from kg.querying import bind_values

    text = ('SELECT ?x WHERE { ?x <http://e/p#q> ?concept . # a { in a comment\n'
            '  { SELECT ?x WHERE { ?x ?p ?concept } } { SELECT ?y WHERE { ?y ?p "WHERE { }" } } }')
    out = bind_values(text, {"concept": URIRef("http://e/c")})
    assert out == ('SELECT ?x WHERE { VALUES (?concept) { (<http://e/c>) }  ?x <http://e/p#q> ?concept . # a { in a comment\n'
                   '  { SELECT ?x WHERE { VALUES (?concept) { (<http://e/c>) }  ?x ?p ?concept } } '
                   '{ SELECT ?y WHERE { ?y ?p "WHERE { }" } } }')
