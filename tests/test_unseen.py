"""Documents nobody tuned the extractors on: six original texts in tests/fixtures/unseen/.

Each `<name>.txt|html` has a `<name>.json` beside it with the facts a careful analyst would
write down (metadata, every target, programmes, concepts, organizations, past results that
must not become targets). The folder is built once, like a user would (`kg build`), and the
facts are read back from the graph, so the test covers read -> extract -> emit.

The documents: a Jiangsu county plan (pipe table, 专栏), a city 实施方案 with goals for two
years and Chinese numerals, a district news article on 浙品码, a GBK notice from Qingdao with a
one-cell-per-line table, a Big5 traditional-script excerpt, and an HTML portal page.
"""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.namespaces import sparql_prologue

UNSEEN = Path(__file__).resolve().parent / "fixtures" / "unseen"
EXPECTED = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(UNSEEN.glob("*.json"))}
COMPARATORS = {"AtLeast", "AtMost", "Exactly", "Reach", "About", "Exceed"}


@pytest.fixture(scope="module")
def unseen(tmp_path_factory):
    """The unseen folder built once (no store): (report by file name, Oxigraph store of graph.nq)."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("unseen")
    summary = build([UNSEEN], out, store=None)
    assert not summary.failed, [d.error for d in summary.failed]
    store = ox.Store()
    store.bulk_load(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    return {d.file: d for d in summary.documents}, store


def _rows(store: ox.Store, query: str, **bindings: str) -> list[dict[str, str | None]]:
    """SELECT rows as plain strings (IRIs without <>, literals by value); bindings are literals."""
    values = "".join(f"VALUES ?{k} {{ {ox.Literal(v)} }}\n" for k, v in bindings.items())
    text = sparql_prologue() + query.replace("{{VALUES}}", values)
    res = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: (None if s[n] is None else s[n].value) for n in names} for s in res]


def _doc(store: ox.Store, file: str) -> str:
    rows = _rows(store, "SELECT ?d WHERE { {{VALUES}} ?d qp:sourceFile ?file }", file=file)
    assert len(rows) == 1, f"{file}: {len(rows)} document nodes"
    return rows[0]["d"]


def _one(store: ox.Store, doc: str, path: str) -> list[str]:
    return sorted(r["v"] for r in _rows(store, f"SELECT ?v WHERE {{ <{doc}> {path} ?v }}"))


params = pytest.mark.parametrize("name", sorted(EXPECTED))


# --- metadata -------------------------------------------------------------------------------------------
@params
def test_decoding_and_kind(unseen, name: str) -> None:
    reports, store = unseen
    exp = EXPECTED[name]
    report = reports[exp["file"]]
    assert report.ok and report.refused_mentions == 0
    assert report.encoding == exp["encoding"]
    doc = _doc(store, exp["file"])
    kinds = {v.rsplit("#", 1)[-1] for v in _one(store, doc, "a")}
    assert ("Plan" if exp["kind"] == "plan" else "Article") in kinds
    assert not {"Plan", "Article"} <= kinds


@params
def test_jurisdiction(unseen, name: str) -> None:
    _, store = unseen
    exp = EXPECTED[name]
    doc = _doc(store, exp["file"])
    assert [v.rsplit("/", 1)[-1] for v in _one(store, doc, "qp:jurisdiction")] == [exp["jurisdiction"]["code"]]


@params
def test_metadata(unseen, name: str) -> None:
    _, store = unseen
    exp = EXPECTED[name]
    doc = _doc(store, exp["file"])
    got = {
        "title": _one(store, doc, "dcterms:title"),
        "issuer": _one(store, doc, "qp:issuer/rdfs:label"),
        "doc_number": _one(store, doc, "qp:docNumber"),
        "signed": _one(store, doc, "dcterms:issued"),
        "published": _one(store, doc, "qp:published"),
        "source": _one(store, doc, "qp:source"),
        "authors": _one(store, doc, "dcterms:creator"),
        "based_on": _one(store, doc, "qp:basedOn/dcterms:title"),
        "period": [int(a) for a in _one(store, doc, "qp:periodStart")] + [int(b) for b in _one(store, doc, "qp:periodEnd")],
        "fragment": _one(store, doc, "qp:isFragment") == ["true"],
    }
    want = {
        **{k: [exp[k]] if exp[k] is not None else [] for k in ("title", "issuer", "doc_number", "signed", "published", "source")},
        "authors": sorted(exp["authors"]),
        "based_on": sorted(exp["based_on"]),
        "period": exp["period"] or [],
        "fragment": exp["fragment"],
    }
    assert got == want


# --- targets ---------------------------------------------------------------------------------------------
TARGETS = """
SELECT ?t ?ordinal ?source ?indicator ?category ?unit ?text ?value ?year ?btext ?bvalue ?byear ?comp ?binding ?cumulative
WHERE {
  {{VALUES}} ?d qp:sourceFile ?file ; qp:hasTarget ?t .
  ?t qp:ordinal ?ordinal ; qp:indicator ?indicator ; qp:extractedFrom ?source .
  OPTIONAL { ?t qp:categoryLabel ?category } OPTIONAL { ?t qp:unit ?unit } OPTIONAL { ?t qp:targetText ?text }
  OPTIONAL { ?t qp:targetValue ?value } OPTIONAL { ?t qp:targetYear ?year }
  OPTIONAL { ?t qp:baselineText ?btext } OPTIONAL { ?t qp:baselineValue ?bvalue } OPTIONAL { ?t qp:baselineYear ?byear }
  OPTIONAL { ?t qp:comparator ?comp } OPTIONAL { ?t qp:binding ?binding } OPTIONAL { ?t qp:cumulative ?cumulative }
}"""


def _targets(store: ox.Store, file: str) -> list[dict]:
    rows = sorted(_rows(store, TARGETS, file=file), key=lambda r: int(r["ordinal"] or 0))
    out = []
    for r in rows:
        out.append({
            "source": r["source"],
            "indicator": r["indicator"],
            "category": r["category"] or "",
            "unit": r["unit"],
            "target_text": r["text"],
            "target_value": float(r["value"]) if r["value"] is not None else None,
            "target_year": int(r["year"]) if r["year"] else None,
            "baseline_text": r["btext"],
            "baseline_value": float(r["bvalue"]) if r["bvalue"] is not None else None,
            "baseline_year": int(r["byear"]) if r["byear"] else None,
            "comparator": r["comp"].rsplit("#", 1)[-1] if r["comp"] else None,
            "binding": None if r["binding"] is None else r["binding"] == "true",
            "cumulative": None if r["cumulative"] is None else r["cumulative"] == "true",
        })
    return out


def _expected_target(item: dict) -> dict:
    """A gold row with the defaults of a prose goal (no category, baseline, binding)."""
    row = {"category": "", "baseline_text": None, "baseline_value": None, "baseline_year": None, "binding": None, "cumulative": None}
    row.update(item)
    for k in ("target_value", "baseline_value"):
        if row[k] is not None:
            row[k] = float(row[k])
    return row


@params
def test_targets(unseen, name: str) -> None:
    """Every target, in order (table rows, then prose goals), with every field."""
    _, store = unseen
    exp = EXPECTED[name]
    got = _targets(store, exp["file"])
    want = [_expected_target(t) for t in exp["targets"]]
    assert [(t["indicator"], t["target_year"]) for t in got] == [(t["indicator"], t["target_year"]) for t in want]
    for g, w in zip(got, want):
        assert g == w
    assert all(t["comparator"] in COMPARATORS for t in got if t["comparator"])


@params
def test_no_past_result_is_a_target(unseen, name: str) -> None:
    _, store = unseen
    exp = EXPECTED[name]
    got = _targets(store, exp["file"])
    for past in exp["not_targets"]:
        clash = [t for t in got if t["target_value"] == float(past["value"]) and (t["unit"] or "") == past["unit"]]
        assert not clash, f"past result {past} extracted as {clash}"


# --- programmes, concepts, organizations ------------------------------------------------------------------
@params
def test_programs(unseen, name: str) -> None:
    _, store = unseen
    exp = EXPECTED[name]
    rows = _rows(store, """
        SELECT ?p ?label ?kind ?ordinal (COUNT(?item) AS ?items) WHERE {
          {{VALUES}} ?d qp:sourceFile ?file ; qp:hasProgram ?p .
          ?p rdfs:label ?label ; qp:ordinal ?ordinal ; qp:programKind/skos:prefLabel ?kind .
          FILTER(lang(?kind) = "zh")
          OPTIONAL { ?p qp:programItem ?item }
        } GROUP BY ?p ?label ?kind ?ordinal""", file=exp["file"])
    got = sorted((r["kind"], int(r["ordinal"]), r["label"], int(r["items"])) for r in rows)
    assert got == sorted((p["kind"], p["ordinal"], p["label"], p["items"]) for p in exp["programs"])


@params
def test_concepts(unseen, name: str) -> None:
    """Schemes, awards and initiatives the document names (its labels after 繁体 folding), no more."""
    _, store = unseen
    exp = EXPECTED[name]
    rows = _rows(store, """
        SELECT DISTINCT ?label WHERE {
          {{VALUES}} ?d qp:sourceFile ?file ; qp:mentions ?c .
          ?c skos:prefLabel ?label . FILTER(lang(?label) = "zh")
          { ?c a qp:CertificationScheme } UNION { ?c a qp:Award } UNION { ?c a qp:Initiative }
        }""", file=exp["file"])
    assert sorted(r["label"] for r in rows) == sorted(exp["concepts"])


@params
def test_organizations(unseen, name: str) -> None:
    """Every organization named (issuer included), resolved to its full name: no fragments, no junk."""
    _, store = unseen
    exp = EXPECTED[name]
    rows = _rows(store, """
        SELECT DISTINCT ?label WHERE {
          {{VALUES}} ?d qp:sourceFile ?file .
          { ?d qp:mentions ?o } UNION { ?d qp:issuer ?o }
          ?o a org:Organization ; rdfs:label ?label .
        }""", file=exp["file"])
    assert sorted(r["label"] for r in rows) == sorted(exp["organizations"])


# --- provenance -----------------------------------------------------------------------------------------------
@params
def test_every_quote_is_the_source_slice(unseen, name: str) -> None:
    from kg.read import read_document

    _, store = unseen
    exp = EXPECTED[name]
    text = read_document(UNSEEN / exp["file"]).text
    rows = _rows(store, """
        SELECT ?quote ?start ?end WHERE {
          {{VALUES}} ?d qp:sourceFile ?file . ?m qp:inDocument ?d ; qp:quote ?quote ; qp:start ?start ; qp:end ?end .
        }""", file=exp["file"])
    assert rows
    bad = [r for r in rows if text[int(r["start"]) : int(r["end"])] != r["quote"]]
    assert not bad


def test_traditional_quotes_simplified_labels(unseen) -> None:
    """The Big5 mirror: indicators are simplified, their evidence keeps the traditional source."""
    _, store = unseen
    rows = _rows(store, """
        SELECT ?indicator ?quote WHERE {
          {{VALUES}} ?d qp:sourceFile ?file ; qp:hasTarget ?t . ?t qp:indicator ?indicator ; qp:evidence/qp:quote ?quote .
        }""", file="zhoushan_excerpt_big5.txt")
    got = {r["indicator"]: r["quote"] for r in rows}
    assert got["制造业产品质量合格率"] == "製造業產品質量合格率達到96%以上"
