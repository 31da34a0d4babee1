"""kg.validate and `kg validate`: one conforming and one violating graph per shape, exact violations."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef

from kg.cli import cli
from kg.errors import ValidationLoadError
from kg.validate import validate, violations

FIX = Path(__file__).parent / "fixtures" / "shapes"

OK = sorted(p.name for p in FIX.glob("*-ok.ttl"))

#: violating fixture -> the exact results expected: (focus node, path, constraint component)
BAD = {
    "document-bad.ttl": {("qpd:doc/d1", "qp:jurisdiction", "MinCountConstraintComponent")},
    "document-two-jurisdictions-bad.ttl": {("qpd:doc/d1", "qp:jurisdiction", "MaxCountConstraintComponent")},
    "target-bad.ttl": {("qpd:doc/d1/target/001", "-", "OrConstraintComponent")},
    "target-no-year-bad.ttl": {("qpd:doc/d1/target/001", "qp:targetYear", "MinCountConstraintComponent")},
    "mention-bad.ttl": {("qpd:doc/d1/mention/9-4-bbbbbb", "qp:start", "LessThanConstraintComponent")},
    "mention-no-quote-bad.ttl": {("qpd:doc/d1/mention/0-4-cccccc", "qp:quote", "MinCountConstraintComponent")},
    "concept-bad.ttl": {("qpd:concept/luban-prize", "skos:prefLabel", "UniqueLangConstraintComponent")},
    "concept-no-zh-bad.ttl": {("qpd:concept/luban-prize", "skos:prefLabel", "QualifiedMinCountConstraintComponent")},
    "concept-duplicate-bad.ttl": {
        ("qpd:concept/luban-prize", "-", "SPARQLConstraintComponent"),
        ("qpd:concept/luban-prize-2", "-", "SPARQLConstraintComponent"),
    },
    "area-bad.ttl": {("qpd:area/330502", "qp:adminCode", "PatternConstraintComponent")},
    "program-bad.ttl": {("qpd:doc/d1/program/box-01", "qp:programKind", "MinCountConstraintComponent")},
}


def test_every_fixture_is_listed():
    assert set(BAD) == {p.name for p in FIX.glob("*-bad.ttl")}
    assert {n.split("-")[0] for n in BAD} == {n.split("-")[0] for n in OK}


@pytest.mark.parametrize("name", OK)
def test_conforming_fixture(name):
    conforms, _report, text = validate(FIX / name)
    assert conforms, text


@pytest.mark.parametrize("name", sorted(BAD))
def test_violating_fixture(name):
    conforms, report, text = validate(FIX / name)
    assert not conforms
    got = {(v["focus"], v["path"], v["component"]) for v in violations(report)}
    assert got == BAD[name], text
    assert text.startswith("Does not conform")


def test_trig_named_graphs_are_validated_as_one_union(tmp_path):
    """The target lives in a document graph, its area and mention in others: only the union conforms."""
    g = Graph()
    g.parse(FIX / "target-ok.ttl")
    ds = Dataset()
    areas = ds.graph(URIRef("https://w3id.org/qpkg/id/graph/vocab"))
    docs = ds.graph(URIRef("https://w3id.org/qpkg/id/graph/d1"))
    for t in g:
        (areas if "/area/" in str(t[0]) or "/scheme/" in str(t[0]) else docs).add(t)
    path = tmp_path / "graph.trig"
    ds.serialize(path, format="trig")
    assert validate(path)[0]
    assert validate(ds)[0]
    nq = tmp_path / "graph.nq"
    ds.serialize(nq, format="nquads")
    assert validate(nq)[0]


def test_missing_graph_cannot_be_loaded(tmp_path):
    with pytest.raises(ValidationLoadError, match="no such graph file"):
        validate(tmp_path / "graph.trig")


def test_malformed_graph_cannot_be_loaded(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    with pytest.raises(ValidationLoadError, match="cannot be parsed"):
        validate(bad)


def test_malformed_shapes_cannot_be_loaded(tmp_path):
    bad = tmp_path / "shapes.ttl"
    bad.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> . [ sh:path", encoding="utf-8")
    with pytest.raises(ValidationLoadError):
        validate(FIX / "area-ok.ttl", shapes=bad)


# --------------------------------------------------------------------------- only what can change
# `kg validate` of a build does not validate again the nodes of the packaged ontology and
# vocabularies that the documents cannot affect (kg.validate.focus_plan). These tests prove the
# static graphs conform on their own, and that the results equal today's pyshacl call that
# validates every node, on every fixture and on the bundled build, clean and broken.

def reference(data: Graph) -> tuple[bool, set]:
    """The pyshacl call `kg validate` made before the fast path: every node, the ontology mixed in
    by pyshacl (`ont_graph=`), inference none."""
    import pyshacl

    from kg.validate import default_ontology, default_shapes

    conforms, report, _text = pyshacl.validate(data, shacl_graph=default_shapes(), ont_graph=default_ontology(),
                                               inference="none", advanced=True, allow_warnings=True)
    return bool(conforms), results(report)


def results(report: Graph) -> set:
    """Every result of a report, blank-node free: the rows of `violations` plus the source shape."""
    from rdflib.namespace import RDF, SH

    shapes = {}
    for r in report.subjects(RDF.type, SH.ValidationResult):
        src = report.value(r, SH.sourceShape)
        shapes.setdefault(str(report.value(r, SH.focusNode)), []).append(str(src) if isinstance(src, URIRef) else "[]")
    rows = {tuple(v.values()) for v in violations(report)}
    assert len(rows) == len(list(report.subjects(RDF.type, SH.ValidationResult)))  # no two results alike
    return rows | {(focus, tuple(sorted(s))) for focus, s in shapes.items()}


def static_graph(triples) -> Graph:
    from kg.terms import from_ox

    g = Graph()
    for s, p, o in triples:
        g.add((from_ox(s), from_ox(p), from_ox(o)))
    return g


def test_static_triples_are_what_every_build_carries():
    import pyoxigraph as ox

    from kg.output import static_nquads
    from kg.validate import static_triples

    quads = ox.parse(static_nquads().encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    assert static_triples() == {q.triple for q in quads}


def test_the_vocabularies_and_ontology_conform():
    """What the fast path relies on: the packaged ontology and vocabularies, as every build carries
    them, conform on their own with every node validated."""
    from kg.validate import static_triples

    g = static_graph(static_triples())
    conforms, _report, text = validate(g, full=True)
    assert conforms, text
    assert validate(g)[0]  # and the fast path has nothing left to validate


@pytest.fixture(scope="module")
def small_static():
    """A part of the static triples small enough to validate every node quickly, and conforming like
    the whole: the ontology, the schemes, the areas of Huzhou (3305xx) and Zhejiang, and the one
    curated concept the fixtures name (concept/luban-prize) with its broader concepts."""
    from kg.validate import static_triples

    area, concept = "https://w3id.org/qpkg/id/area/", "https://w3id.org/qpkg/id/concept/"
    broader = "http://www.w3.org/2004/02/skos/core#broader"
    keep = {concept + "luban-prize"}
    for _ in range(5):
        keep |= {t.object.value for t in static_triples() if t.subject.value in keep and t.predicate.value == broader}

    def kept(term) -> bool:
        v = getattr(term, "value", "")
        if v.startswith(area):
            return v[len(area):].startswith("3305") or v.endswith("/330000")
        return not v.startswith(concept) or v in keep

    small = frozenset(t for t in static_triples() if kept(t.subject))
    assert len(small) < len(static_triples()) / 10
    assert reference(static_graph(small)) == (True, set())
    return small


@pytest.mark.parametrize("name", sorted(OK + list(BAD)))
def test_fixture_with_the_static_graphs_gives_todays_results(name, small_static, monkeypatch):
    import kg.validate as kv

    monkeypatch.setattr(kv, "static_triples", lambda: small_static)
    data = static_graph(small_static)
    data.parse(FIX / name)
    assert kv.plan_for(data) is not None  # the fast path is taken
    expected = reference(data)
    conforms, report, _text = validate(data)
    assert (conforms, results(report)) == expected


@pytest.mark.parametrize("name", sorted(OK + list(BAD)))
def test_fixture_alone_gives_todays_results(name):
    data = Graph().parse(FIX / name)
    conforms, report, _text = validate(FIX / name)
    assert (conforms, results(report)) == reference(data)


def test_bundled_build_gives_todays_results(built):
    import kg.validate as kv

    trig = built / "graph.trig"
    plan = kv.plan_for(trig)
    assert plan is not None and plan.kept < plan.targeted / 3
    conforms, report, text = validate(trig)
    assert conforms, text
    assert (conforms, results(report)) == reference(kv.load_union_graph(trig)) == (True, set())


@pytest.fixture(scope="module")
def broken_build(built, tmp_path_factory) -> Path:
    """The bundled build with defects in its document graphs: a target without a value or a text,
    a mention whose quote is missing, a new concept that repeats the @zh label of a packaged one
    (so the packaged concept violates too), and a second admin code on a packaged area."""
    import pyoxigraph as ox

    qp, sk = "https://w3id.org/qpkg/ontology#", "http://www.w3.org/2004/02/skos/core#"
    quads = list(ox.parse((built / "graph.trig").read_bytes(), format=ox.RdfFormat.TRIG))
    doc_graph = next(q.graph_name for q in quads if str(q.predicate.value) == qp + "sourceFile")
    target = next(q.subject for q in quads if str(q.predicate.value) == qp + "targetValue")
    mention = next(q.subject for q in quads if str(q.predicate.value) == qp + "quote")
    drop = {(target, qp + "targetValue"), (target, qp + "targetText"), (mention, qp + "quote")}
    kept = [q for q in quads if (q.subject, str(q.predicate.value)) not in drop]
    n = ox.NamedNode
    luban = n("https://w3id.org/qpkg/id/concept/luban-prize")
    label = next(q.object for q in quads if q.subject == luban and str(q.predicate.value) == sk + "prefLabel"
                 and q.object.language == "zh")
    scheme = next(q.object for q in quads if q.subject == luban and str(q.predicate.value) == sk + "inScheme")
    copy = n("https://w3id.org/qpkg/id/concept/luban-prize-copy")
    area = n("https://w3id.org/qpkg/id/area/110101")
    kept += [ox.Quad(*t, doc_graph) for t in (
        (copy, n(str(RDF_TYPE)), n(sk + "Concept")), (copy, n(str(RDF_TYPE)), n(qp + "Award")),
        (copy, n(sk + "inScheme"), scheme), (copy, n(sk + "prefLabel"), label),
        (copy, n(sk + "prefLabel"), ox.Literal("Luban Prize copy", language="en")),
        (area, n(qp + "adminCode"), ox.Literal("999999")),
    )]
    path = tmp_path_factory.mktemp("broken") / "graph.trig"
    path.write_bytes(ox.serialize(kept, format=ox.RdfFormat.TRIG))
    return path


RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def test_broken_build_gives_todays_results(broken_build):
    import kg.validate as kv

    assert kv.plan_for(broken_build) is not None
    conforms, report, text = validate(broken_build)
    assert not conforms
    got = results(report)
    assert (conforms, got) == reference(kv.load_union_graph(broken_build))
    found = {(v["focus"], v["path"], v["component"]) for v in violations(report)}
    assert {("qpd:concept/luban-prize", "-", "SPARQLConstraintComponent"),
            ("qpd:concept/luban-prize-copy", "-", "SPARQLConstraintComponent"),
            ("qpd:area/110101", "qp:adminCode", "MaxCountConstraintComponent")} <= found
    assert any(c == "OrConstraintComponent" and "/target/" in f for f, _p, c in found)
    assert any(p == "qp:quote" and c == "MinCountConstraintComponent" for _f, p, c in found)


def test_cli_broken_build_exits_1_with_a_readable_report(broken_build):
    r = run(str(broken_build))
    assert r.exit_code == 1
    assert r.output.startswith("Does not conform: ")
    assert "qp:quote [MinCountConstraintComponent]" in r.output
    assert "A target needs a qp:targetValue or a qp:targetText." in r.output
    assert "Traceback" not in r.output


# --------------------------------------------------------------------------- CLI contract

def run(*args):
    return CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)


def test_cli_exit_0_when_conforming():
    r = run(str(FIX / "mention-ok.ttl"))
    assert r.exit_code == 0, r.output
    assert "conforms" in r.output


def test_cli_exit_1_with_a_readable_report():
    r = run(str(FIX / "mention-bad.ttl"))
    assert r.exit_code == 1
    assert "qpd:doc/d1/mention/9-4-bbbbbb" in r.output
    assert "qp:start [LessThanConstraintComponent]" in r.output


def test_cli_exit_2_when_the_graph_cannot_be_loaded(tmp_path):
    r = run(str(tmp_path / "nothing.trig"))
    assert r.exit_code == 2
    assert "Error:" in r.output and "no such graph file" in r.output


def test_cli_default_graph_is_build_graph_trig(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "build").mkdir()
    shutil.copy(FIX / "area-ok.ttl", tmp_path / "build" / "graph.trig")  # Turtle is valid TriG
    assert run().exit_code == 0


def test_cli_docs_writes_offline_html(tmp_path):
    r = CliRunner().invoke(cli, ["docs", "--out", str(tmp_path / "docs")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    index = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    vocab = (tmp_path / "docs" / "vocabularies.html").read_text(encoding="utf-8")
    areas = (tmp_path / "docs" / "areas.html").read_text(encoding="utf-8")
    assert "qp:Mention" in index and "文本证据" in index
    assert "品字标浙江制造" in vocab and "浙江制造业" in vocab
    assert "330500" in areas and "湖州市" in areas
    for page in (index, vocab, areas):
        assert "<script" not in page and 'src="http' not in page and 'href="http' not in page


# --------------------------------------------------------------------------- engines

@pytest.mark.parametrize("name", sorted(OK + list(BAD)))
def test_turbo_engine_gives_the_pyshacl_results_on_every_fixture(name):
    pytest.importorskip("pyshacl_turbo")
    conforms, report, _text = validate(FIX / name, engine="turbo")
    expected, ref_report, _ = validate(FIX / name, engine="pyshacl")
    assert (conforms, results(report)) == (expected, results(ref_report))


def test_unknown_engine_is_a_usage_error():
    from kg.errors import UsageError

    with pytest.raises(UsageError, match="unknown SHACL engine 'jena'"):
        validate(FIX / "area-ok.ttl", engine="jena")


def test_cli_engine_and_full_options():
    pytest.importorskip("pyshacl_turbo")
    r = run("--engine", "turbo", str(FIX / "mention-bad.ttl"))
    assert r.exit_code == 1
    assert "qp:start [LessThanConstraintComponent]" in r.output
    assert run("--full", str(FIX / "mention-ok.ttl")).exit_code == 0
    r = run("--engine", "jena", str(FIX / "mention-ok.ttl"))
    assert r.exit_code == 2 and "Invalid value for '--engine'" in r.output


def test_every_node_is_validated_when_the_data_changes_what_a_class_targets():
    import kg.validate as kv

    data = static_graph(kv.static_triples())
    assert kv.plan_for(data) is not None
    data.add((URIRef("https://w3id.org/qpkg/ontology#Chapter"), URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
              URIRef("https://w3id.org/qpkg/ontology#Document")))
    assert kv.plan_for(data) is None


def test_every_node_is_validated_without_the_whole_static_graphs():
    import kg.validate as kv

    assert kv.plan_for(FIX / "area-ok.ttl") is None
