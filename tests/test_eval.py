"""`kg eval`: the bundled corpus meets the floors of issue 5, and the scorer catches planted errors."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.evaluate import FACT_TYPES, Floors, _OrgCanon, check_floors, evaluate, load_gold
from kg.store import open_store

from .conftest import GOLD, RAW

# ---------------------------------------------------------------------------------- the golden test


@pytest.fixture(scope="module")
def corpus_eval(graph):
    return evaluate(graph.store, load_gold(GOLD), RAW)


def test_bundled_corpus_meets_the_issue_floors(corpus_eval):
    # floors: table F1 1.0, prose recall 0.9, no not_targets, programmes F1 0.98, (concept, city) F1 0.95,
    # agency recall 0.9, every metadata field right, every mention quote-exact
    assert check_floors(corpus_eval, Floors()) == [], "\n".join(corpus_eval.misses)


def test_every_gold_fact_is_scored(corpus_eval):
    s = corpus_eval.scores
    assert (s["table-targets"].tp + s["table-targets"].fn) == 44 + 23
    assert (s["prose-targets"].tp + s["prose-targets"].fn) == 15 + 8
    assert (s["programs"].tp + s["programs"].fn) == 12 + 8 + 15 + 3 + 4 + 12
    assert (s["concepts"].tp + s["concepts"].fn) == 77  # (concept, city) pairs of the gold
    assert (s["agencies"].tp + s["agencies"].fn) == 9 + 6 + 5 + 3 + 3
    assert sum(s["metadata"].__dict__.values()) == 7 + 10 + 11 + 6 + 8
    assert corpus_eval.unchecked_quotes == 0 and s["quotes"].tp > 1000


def test_cli_eval_on_the_session_build(built):
    res = CliRunner().invoke(cli, ["eval", "--gold", str(GOLD), "--build-dir", str(built), "--sources", str(RAW)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    totals = lines[-len(FACT_TYPES) :]  # the verdict comes last, for `kg eval | tail`
    assert lines[-len(FACT_TYPES) - 1].split() == ["fact", "type", "tp", "fp", "fn", "prec", "recall", "f1", "floor"]
    assert [ln.split()[0] for ln in totals] == list(FACT_TYPES)
    assert all(" ok " in ln and "BELOW" not in ln for ln in totals)


# ---------------------------------------------------------------------------------- planted errors

TRIG = """
@prefix qp: <https://w3id.org/qpkg/ontology#> .
@prefix qpd: <https://w3id.org/qpkg/id/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .

<https://w3id.org/qpkg/id/graph/vocab> {
  <https://w3id.org/qpkg/id/area/330000> a qp:Province ; rdfs:label "浙江省"@zh ; qp:adminCode "330000" .
  <https://w3id.org/qpkg/id/area/330500> a qp:City ; rdfs:label "湖州市"@zh ; skos:altLabel "湖州"@zh ;
      qp:adminCode "330500" ; qp:partOf <https://w3id.org/qpkg/id/area/330000> .
  <https://w3id.org/qpkg/id/concept/zhepinma> a qp:CertificationScheme ; skos:prefLabel "浙品码"@zh .
  <https://w3id.org/qpkg/id/concept/zheshilian> a qp:CertificationScheme ; skos:prefLabel "浙食链"@zh .
  <https://w3id.org/qpkg/id/concept/program-kind-box> a qp:ProgramKind ; skos:prefLabel "专栏"@zh ; skos:notation "box" .
}
<https://w3id.org/qpkg/id/graph/x> {
  <https://w3id.org/qpkg/id/doc/x> a qp:Document, qp:Plan ; qp:sourceFile "x.txt" ; qp:encoding "utf-8" ;
      qp:jurisdiction <https://w3id.org/qpkg/id/area/330500> ; dcterms:title "湖州市浙品码推广方案"@zh ;
      qp:hasTarget <https://w3id.org/qpkg/id/doc/x/target/001> ;
      qp:mentions <https://w3id.org/qpkg/id/concept/zhepinma>, <https://w3id.org/qpkg/id/org/330500-a> .
  <https://w3id.org/qpkg/id/doc/x/target/001> a qp:Target ; qp:indicator "赋码企业占比"@zh ; qp:extractedFrom "table" ;
      qp:unit "%" ; qp:targetText "98" ; qp:targetValue 98.0 ; qp:targetYear "2025"^^xsd:gYear ; qp:binding false .
  <https://w3id.org/qpkg/id/doc/x> qp:hasTarget <https://w3id.org/qpkg/id/doc/x/target/002>, <https://w3id.org/qpkg/id/doc/x/target/003> ;
      qp:hasProgram <https://w3id.org/qpkg/id/doc/x/program/box-01> .
  <https://w3id.org/qpkg/id/doc/x/target/002> a qp:Target ; qp:indicator "在役工业机器人"@zh ; qp:extractedFrom "prose" ;
      qp:unit "万台" ; qp:targetValue 2.0 ; qp:targetYear "2025"^^xsd:gYear .
  <https://w3id.org/qpkg/id/doc/x/target/003> a qp:Target ; qp:indicator "服务业增加值"@zh ; qp:extractedFrom "prose" ;
      qp:unit "亿元" ; qp:targetValue 1473.3 ; qp:targetYear "2020"^^xsd:gYear .
  <https://w3id.org/qpkg/id/doc/x/program/box-01> a qp:Program ; rdfs:label "服务质量 提升工程"@zh ;
      qp:programKind <https://w3id.org/qpkg/id/concept/program-kind-box> .
  <https://w3id.org/qpkg/id/org/330500-a> a org:Organization ; rdfs:label "湖州市市场监督管理局"@zh .
  <https://w3id.org/qpkg/id/m1> a qp:Mention ; qp:inDocument <https://w3id.org/qpkg/id/doc/x> ;
      qp:start 0 ; qp:end 3 ; qp:quote "湖州市" .
  <https://w3id.org/qpkg/id/m2> a qp:Mention ; qp:inDocument <https://w3id.org/qpkg/id/doc/x> ;
      qp:start 3 ; qp:end 5 ; qp:quote "浙食" .
}
"""

PLANTED_GOLD = {
    "documents": [
        {"doc": "x.txt", "kind": "plan", "city": "湖州市", "province": "浙江省", "admin_code": "330500",
         "title": "湖州市浙品码推广方案", "issuer": "湖州市市场监督管理局"},
    ],
    "targets": [{"doc": "x.txt", "targets": [
        {"indicator": "赋码企业占比", "unit": "%", "target_text": "98", "target_value": 98.0, "target_year": 2025, "binding": True},
    ]}],
    "concepts": [
        {"label": "浙品码", "kind": "scheme", "aliases": [], "cities": ["湖州市"]},
        {"label": "浙食链", "kind": "scheme", "aliases": [], "cities": ["湖州市"]},
    ],
    "agencies": {"x.txt": ["市市场监管局", "国务院"]},
    "prose_targets": {"x.txt": [
        {"indicator": "在役工业机器人数量", "value": 20000, "unit": "台", "year": 2025},  # 2万台
        {"indicator": "5G基站", "value": 2, "unit": "万个", "year": 2025},
    ]},
    "not_targets": {"x.txt": [{"indicator": "服务业增加值", "value": 1473.3, "unit": "亿元", "year": 2020}]},
    "programs": {"x.txt": {"专栏": ["服务质量提升工程", "计量能力提升工程"]}},
}


@pytest.fixture()
def planted(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "x.txt").write_text("湖州市市场监管局推广浙品码", encoding="utf-8")
    (tmp_path / "g.trig").write_text(TRIG, encoding="utf-8")
    (tmp_path / "gold.json").write_text(json.dumps(PLANTED_GOLD, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def test_planted_errors_are_each_reported(planted):
    store = open_store("oxigraph", graph_file=planted / "g.trig")
    ev = evaluate(store, load_gold(planted / "gold.json"), planted / "src")
    s = ev.scores
    assert (s["table-targets"].tp, s["table-targets"].fp, s["table-targets"].fn) == (0, 1, 1)
    assert (s["concepts"].tp, s["concepts"].fp, s["concepts"].fn) == (1, 0, 1)
    assert (s["agencies"].tp, s["agencies"].fn) == (1, 1)
    assert (s["metadata"].tp, s["metadata"].fp, s["metadata"].fn) == (5, 0, 1)
    assert (s["quotes"].tp, s["quotes"].fp) == (1, 1)
    assert (s["prose-targets"].tp, s["prose-targets"].fn) == (1, 1)
    assert s["not-targets"].fp == 1
    assert (s["programs"].tp, s["programs"].fp, s["programs"].fn) == (1, 0, 1)
    assert ev.misses == [
        "table-targets\tx.txt\t赋码企业占比: binding='false' (gold True)",
        "table-targets\tx.txt\textra '赋码企业占比' (001)",
        "prose-targets\tx.txt\t5G基站 2万个 (2025): not extracted",
        "not-targets\tx.txt\t服务业增加值 1473.3 (2020) extracted as 003",
        "programs\tx.txt\tmissing 专栏 计量能力提升工程",
        "concepts\t湖州市\tmissing 浙食链",
        "agencies\tx.txt\tmissing 国务院",
        "metadata\tx.txt\tissuer: got - (gold '湖州市市场监督管理局')",
        "quotes\tx.txt\tm2: '浙食' at 3-5 is not the source slice",
    ]


def test_cli_exit_1_below_floors_with_one_error_line(planted):
    args = ["eval", "--gold", str(planted / "gold.json"), "--graph", str(planted / "g.trig"), "--sources", str(planted / "src")]
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert res.exit_code == 1
    assert res.output.splitlines()[-1] == (
        "Error: 8 floor(s) not met: table-targets f1 0.000 < 1; prose-targets recall 0.500 < 0.9; not-targets: 1 > 0; "
        "programs f1 0.667 < 0.98; concepts f1 0.667 < 0.95; agencies recall 0.500 < 0.9; metadata accuracy 0.833 < 1; "
        "quotes precision 0.500 < 1"
    )
    lowered = args + ["--min-table-f1", "0", "--min-prose-recall", "0.5", "--max-not-targets", "1", "--min-program-f1", "0.6",
                      "--min-concept-f1", "0.5", "--min-agency-recall", "0.5", "--min-metadata", "0.8", "--min-quote-exact", "0.5"]
    assert CliRunner().invoke(cli, lowered, catch_exceptions=False).exit_code == 0


def test_missing_sources_leave_quotes_unchecked_and_fail(planted):
    store = open_store("oxigraph", graph_file=planted / "g.trig")
    ev = evaluate(store, load_gold(planted / "gold.json"), planted / "nowhere")
    assert ev.unchecked_quotes == 2
    assert "quotes: 2 mention(s) unchecked (source files not found; pass --sources DIR)" in check_floors(ev, Floors())


def test_gold_file_errors_exit_2(tmp_path):
    runner = CliRunner()
    res = runner.invoke(cli, ["eval", "--gold", str(tmp_path / "none.json")], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output == f"Error: {tmp_path / 'none.json'}: no gold file there (pass --gold tests/gold/seeds.json or another file in its format)\n"
    (tmp_path / "bad.json").write_text('{"documents": 3}', encoding="utf-8")
    res = runner.invoke(cli, ["eval", "--gold", str(tmp_path / "bad.json")], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output == f"Error: {tmp_path / 'bad.json'}: no 'documents' list at the top level (see tests/gold/seeds.json for the format)\n"


def test_graph_not_built_exits_2(tmp_path):
    res = CliRunner().invoke(cli, ["eval", "--gold", str(GOLD), "--build-dir", str(tmp_path / "b")], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output.startswith(f"Error: {tmp_path / 'b'}: no build there")


# ---------------------------------------------------------------------------------- agency matching


@pytest.fixture(scope="module")
def canon():
    return _OrgCanon([("province", "浙江省"), ("province", "浙江"), ("province", "江苏省"), ("city", "湖州市"),
                      ("city", "湖州"), ("city", "泰州市")])


@pytest.mark.parametrize(
    "gold, got, same",
    [
        ("市市场监管局", "湖州市市场监督管理局", True),
        ("质量强市工作领导小组", "湖州市质量强市工作领导小组", True),
        ("市场监管总局", "国家市场监督管理总局", True),
        ("市政府办公室", "湖州市人民政府办公室", True),
        ("省市场监督管理局", "江苏省市场监督管理局", True),
        ("省市场监督管理局", "泰州市市场监督管理局", False),  # the province's bureau, not the city's
        ("湖州标准化研究院", "中国标准化研究院", False),
        ("国务院", "国务院办公厅", False),
        ("浙江大学", "浙江省大学", False),
    ],
)
def test_agency_names_match_modulo_area_prefix(canon, gold, got, same):
    assert canon.match(gold, got) is same
