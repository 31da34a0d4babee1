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


def test_the_vocabularies_and_ontology_conform():
    from kg.vocab import load_vocab_graph

    conforms, _report, text = validate(load_vocab_graph())
    assert conforms, text


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
