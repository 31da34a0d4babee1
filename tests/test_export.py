"""kg export: GraphML/GEXF networks, JSON-LD with a compact context, N-Quads, CSV tables."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.export import export, to_networkx
from kg.namespaces import PREFIXES
from kg.store import open_store

MINI = Path(__file__).resolve().parent / "fixtures" / "queries" / "mini.trig"


@pytest.fixture(scope="module")
def store():
    return open_store("oxigraph", graph_file=MINI)


def test_network_nodes_edges_and_weights(store):
    g = to_networkx(store)
    # the documents and what they reach; the vocabulary's unreached nodes and the mentions are left out
    assert g.number_of_nodes() == 31
    assert not any(n.startswith("qpd:doc/hz/mention/") for n in g)
    assert g.nodes["qpd:doc/hz"] == {"label": "湖州市质量发展规划", "cls": "Plan", "classes": "qp:Document qp:Plan",
                                     "iri": "https://w3id.org/qpkg/id/doc/hz"}
    assert g.nodes["qpd:concept/luban"]["label"] == "鲁班奖"
    assert g.nodes["qpd:concept/luban"]["cls"] == "Award"
    assert g.nodes["qpd:doc/hz/target/001"]["label"] == "基本药物抽检合格率"
    # weight: how many mentions the document holds
    assert g.edges["qpd:doc/hz", "qpd:org/330500-group"] == {"rel": "qp:mentions", "weight": 2}
    assert g.edges["qpd:doc/hz", "qpd:org/330500-amr"] == {"rel": "qp:issuer qp:mentions", "weight": 1}
    assert g.edges["qpd:area/330502", "qpd:area/330500"] == {"rel": "qp:partOf", "weight": 1}
    assert g.edges["qpd:plan/prov", "qpd:plan/nat"]["rel"] == "qp:basedOn"


@pytest.mark.parametrize("fmt,reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graphml_and_gexf_read_back(store, tmp_path, fmt, reader):
    out = tmp_path / f"g.{fmt}"
    assert export(store, fmt, out) == [out]
    g = reader(out)
    assert g.number_of_nodes() == 31 and g.number_of_edges() == 39
    node = g.nodes["qpd:concept/zheshilian"]
    assert node["label"] == "浙食链" and node["cls"] == "CertificationScheme"
    assert float(g.edges["qpd:doc/hz", "qpd:org/330500-group"]["weight"]) == 2


def test_jsonld_has_a_compact_context_and_round_trips(store, tmp_path):
    out = tmp_path / "g.jsonld"
    export(store, "jsonld", out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["@context"] == PREFIXES
    graphs = {g["@id"]: g["@graph"] for g in doc["@graph"]}
    assert sorted(graphs) == ["qpd:graph/hz", "qpd:graph/sx", "qpd:graph/tz", "qpd:graph/vocab", "qpd:graph/wx"]
    tz = next(n for n in graphs["qpd:graph/tz"] if n["@id"] == "qpd:doc/tz")
    assert tz["@type"] == ["qp:Article", "qp:Document"]
    assert tz["dcterms:title"] == [{"@value": "泰州：品质城市", "@language": "zh"}]
    assert tz["qp:jurisdiction"] == [{"@id": "qpd:area/321200"}]
    back = set(ox.parse(out.read_bytes(), format=ox.RdfFormat.JSON_LD))
    assert back == set(ox.parse(store.nquads(), format=ox.RdfFormat.N_QUADS))


def test_nquads_is_sorted_and_complete(store, tmp_path):
    out = tmp_path / "g.nq"
    export(store, "nquads", out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 312
    quads = list(ox.parse(out.read_bytes(), format=ox.RdfFormat.N_QUADS))
    assert quads == sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def test_csv_tables(store, tmp_path):
    written = export(store, "csv", tmp_path / "tables")
    assert [p.name for p in written] == ["targets.csv", "programs.csv", "mentions.csv"]
    with open(tmp_path / "tables" / "targets.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["file"], r["indicator"], r["target_text"], r["quote"]) for r in rows] == [
        ("hz.txt", "基本药物抽检合格率", "100", "基本药物抽检合格率 100"),
        ("hz.txt", "培育“品字标”企业", "200", "培育“品字标”企业 200"),
        ("sx.txt", "基本药物抽检合格率", "100", "基本药物抽检合格率 100"),
        ("wx.txt", "基本药物 抽检合格率", "98以上", "基本药物 抽检合格率 98以上"),
    ]
    with open(tmp_path / "tables" / "mentions.csv", encoding="utf-8", newline="") as fh:
        assert sum(1 for _ in csv.DictReader(fh)) == 20
    one = export(store, "csv", tmp_path / "p.csv", table="programs")
    assert one == [tmp_path / "p.csv"]
    assert (tmp_path / "p.csv").read_text(encoding="utf-8").splitlines()[0] == "doc,file,city,program,kind,ordinal,label,n_evidence,start,end,quote"


def test_cli_export_and_errors(tmp_path):
    r = CliRunner()
    res = r.invoke(cli, ["export", "--format", "graphml", "--out", str(tmp_path / "g.graphml"), "--graph", str(MINI)], catch_exceptions=False)
    assert res.exit_code == 0 and res.output == f"wrote {tmp_path / 'g.graphml'}\n"
    res = r.invoke(cli, ["export", "--format", "jsonld", "--table", "targets", "--out", str(tmp_path / "x"), "--graph", str(MINI)], catch_exceptions=False)
    assert res.exit_code == 2 and res.output == "Error: --table goes with --format csv only\n"
    (tmp_path / "f.csv").write_text("")
    res = r.invoke(cli, ["export", "--format", "csv", "--out", str(tmp_path / "f.csv"), "--graph", str(MINI)], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output == f"Error: {tmp_path / 'f.csv'}: is a file; without --table give a folder for targets.csv, programs.csv, mentions.csv\n"
    res = r.invoke(cli, ["export", "--format", "nquads", "--out", str(tmp_path / "g.nq"), "--build-dir", str(tmp_path / "none")], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output == f"Error: {tmp_path / 'none'}: no build there (run `make run` or `kg build` first, or pass --graph FILE)\n"
