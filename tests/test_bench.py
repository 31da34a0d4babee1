"""The benchmark kit: the synthetic corpus, recall of its planted facts, the big-graph generator, results.json.

No timing assertions: `make bench` measures; these tests check that what it measures is well formed.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.bench.corpus import generate_document, load_planted
from kg.bench.measure import Entry, Goal, Took, alternate
from kg.bench.report import ENTRY_KEYS, check_results, results_dict, table, write_results
from kg.cli import cli


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    res = CliRunner().invoke(cli, ["bench", "corpus", "--docs", "5", "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert res.output.startswith("wrote 5 documents (")
    return out


@pytest.fixture(scope="module")
def corpus_build(corpus, tmp_path_factory) -> Path:
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("corpus-build")
    summary = build([corpus], out, store=None)
    assert not summary.failed, [d.error for d in summary.failed]
    return out


@pytest.fixture(scope="module")
def recall(corpus, corpus_build):
    from kg.bench.recall import recall_of_build

    return recall_of_build(corpus, corpus_build / "graph.nq")


def test_corpus_writes_documents_and_sidecars_the_build_skips(corpus):
    from kg.pipeline import collect_inputs

    names = sorted(p.name for p in corpus.iterdir())
    sources = [n for n in names if not n.endswith(".facts.json")]
    assert len(sources) == 5 and len(names) == 10
    assert [p.name for p in collect_inputs([corpus])] == sources  # sidecars never enter the build
    planted = load_planted(corpus)
    assert sorted(planted) == sources
    for name, facts in planted.items():
        assert facts["jurisdiction"]["code"].isdigit() and len(facts["jurisdiction"]["code"]) == 6
        assert facts["kind"] in ("plan", "article")
        assert facts["title"] and facts["concepts"], name


def test_corpus_is_deterministic_and_independent_of_its_size(corpus, tmp_path):
    res = CliRunner().invoke(cli, ["bench", "corpus", "--docs", "3", "--out", str(tmp_path)], catch_exceptions=False)
    assert res.exit_code == 0
    for p in sorted(tmp_path.iterdir()):
        assert p.read_bytes() == (corpus / p.name).read_bytes(), p.name  # document i depends on (seed, i) only
    other = generate_document(0, seed=1)
    assert other[1] != (corpus / generate_document(0, seed=0)[0]).read_bytes()


def test_planted_text_states_its_facts(corpus):
    """The sidecar describes the text: every planted target indicator and concept label is in the source."""
    from kg.vocab import load_gazetteer

    gaz = load_gazetteer()
    for name, facts in load_planted(corpus).items():
        raw = (corpus / name).read_bytes().decode(facts["encoding"])
        if "traditional" in facts["layouts"]:
            continue  # written in traditional characters; the facts are in simplified ones
        assert facts["title"] in raw, name
        flat = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", raw)  # PDF line-break spaces
        for t in facts["targets"]:
            assert t["indicator"] in flat and t["text"] in raw, (name, t)
        for _kind, label in facts["programs"]:
            assert label in flat, (name, label)
        for c in facts["concepts"]:
            assert any(lab in raw for lab in gaz.concept(c).labels), (name, c)


def test_layouts_vary_across_a_corpus():
    seen = set()
    encodings = set()
    for i in range(40):
        _name, _data, planted = generate_document(i)
        seen.update(planted.layouts)
        encodings.add(planted.encoding)
    assert {"pipe-table", "cell-table", "prose-targets", "boxes", "portal-html", "traditional"} <= seen
    assert encodings == {"utf-8", "gb18030"}


def test_build_of_the_corpus_recovers_planted_facts(recall):
    # Gazetteer matching of planted labels and document kinds must be exact.
    assert recall["concepts"].planted > 0 and recall["concepts"].found == recall["concepts"].planted, recall["concepts"].misses
    assert recall["kind"].found == recall["kind"].planted == 5
    assert recall["title"].found == 5, recall["title"].misses
    # Every other fact type that the extractors produce is found at least in part.
    for fact, r in recall.items():
        if fact != "past_results_as_targets" and r.extracted and r.planted:
            assert r.found > 0, (fact, r.misses)
    # Targets (with their comparators), programmes and organizations of these five are all found.
    for fact in ("targets", "prose_targets", "target_comparators", "programs", "orgs"):
        assert recall[fact].found == recall[fact].planted > 0, (fact, recall[fact].misses)
    assert recall["past_results_as_targets"].found == 0


def test_planted_goals_read_as_plans_write_them():
    """A falling indicator has an upper bound (≤, 以内), no percentage goes past 100% (≥100, 100%以上),
    and a table's base-year value lies on the near side of its goal."""
    from kg.bench.corpus import templates

    specs = {s["name"]: s for s in templates()["indicators"]}
    seen_down = 0
    for i in range(60):
        _name, data, planted = generate_document(i)
        text = data.decode(planted.encoding)
        for t in planted.targets:
            spec = specs[t.indicator]
            if t.value is None:
                continue
            if spec.get("direction") == "down":
                seen_down += 1
                assert t.comparator in (None, "at_most", "reach"), t
            if spec["unit"] == "%" and t.value >= 100:
                assert t.comparator in (None, "reach", "exactly") and "以上" not in t.text and "≥" not in t.text, t
            assert t.comparator is None or t.comparator in ("at_least", "at_most", "reach", "exactly")
            if t.source == "table" and "traditional" not in planted.layouts and "cell-table" not in planted.layouts:
                row = next(ln for ln in text.splitlines() if "|" in ln and t.indicator == ln.split("|")[-5].replace(" ", ""))
                base = float(row.split("|")[-3])
                assert base >= t.value if spec.get("direction") == "down" else base <= t.value, row
    assert seen_down > 0


def test_recall_checks_the_comparator_of_each_found_target(tmp_path):
    from kg.bench.recall import compare
    from kg.store import open_store

    nq = (
        '<https://w3id.org/qpkg/id/doc/a> <https://w3id.org/qpkg/ontology#sourceFile> "a.txt" <https://w3id.org/qpkg/id/graph/a> .\n'
        '<https://w3id.org/qpkg/id/doc/a> <https://w3id.org/qpkg/ontology#hasTarget> <https://w3id.org/qpkg/id/doc/a/target/001> <https://w3id.org/qpkg/id/graph/a> .\n'
        '<https://w3id.org/qpkg/id/doc/a/target/001> <https://w3id.org/qpkg/ontology#indicator> "顾客满意度指数"@zh <https://w3id.org/qpkg/id/graph/a> .\n'
        '<https://w3id.org/qpkg/id/doc/a/target/001> <https://w3id.org/qpkg/ontology#targetValue> "84.8"^^<http://www.w3.org/2001/XMLSchema#decimal> <https://w3id.org/qpkg/id/graph/a> .\n'
        '<https://w3id.org/qpkg/id/doc/a/target/001> <https://w3id.org/qpkg/ontology#comparator> <https://w3id.org/qpkg/ontology#AtLeast> <https://w3id.org/qpkg/id/graph/a> .\n'
    )
    (tmp_path / "g.nq").write_text(nq, encoding="utf-8")
    store = open_store("oxigraph", graph_file=tmp_path / "g.nq")

    def planted(comparator):
        t = {"indicator": "顾客满意度指数", "value": 84.8, "text": "84.8", "source": "prose", "comparator": comparator}
        return {"a.txt": {"kind": "plan", "jurisdiction": {"code": "1", "name": "x"}, "title": "t", "concepts": [],
                          "targets": [t], "programs": [], "orgs": []}}

    ok = compare(planted("at_least"), store)
    assert (ok["prose_targets"].found, ok["target_comparators"].found, ok["target_comparators"].planted) == (1, 1, 1)
    wrong = compare(planted("reach"), store)
    assert (wrong["prose_targets"].found, wrong["target_comparators"].found) == (1, 0)


def test_jurisdictions_are_recovered(corpus, corpus_build):
    """City documents get their city; county documents their county (or, at least, its city)."""
    from kg.store import open_store

    store = open_store("oxigraph", graph_file=corpus_build / "graph.nq")
    got = {str(f): str(a).rsplit("/", 1)[-1] for f, a in store.select(
        "SELECT ?f ?a WHERE { ?d qp:sourceFile ?f ; qp:jurisdiction ?a }").rows}
    from kg.vocab import load_gazetteer

    areas = load_gazetteer().area_by_code
    for name, facts in load_planted(corpus).items():
        code = facts["jurisdiction"]["code"]
        if facts["jurisdiction"]["level"] == "city":
            assert got.get(name) == code, name
        else:
            assert got.get(name) in (code, areas[code].parent), name


def test_big_graph_replicates_documents_under_new_iris(corpus_build, tmp_path):
    from kg.bench.biggraph import scale_nquads

    src = corpus_build / "graph.nq"
    lines = src.read_text(encoding="utf-8").splitlines()
    n = scale_nquads(src, tmp_path / "big.nq", 3 * len(lines), ["110000", "310000"], seed=0)
    out = (tmp_path / "big.nq").read_text(encoding="utf-8").splitlines()
    assert n == len(out) >= 3 * len(lines)
    assert len(set(out)) == len(out)  # replicas are new quads, not duplicates
    graphs = {ln.rsplit(" ", 2)[-2] for ln in out}
    assert any("-r1>" in g for g in graphs) and any("-r2>" in g for g in graphs)
    vocab = [ln for ln in out if ln.endswith("<https://w3id.org/qpkg/id/graph/vocab> .")]
    assert len(vocab) == len(set(vocab))  # the vocabulary is written once


def test_alternate_rotates_and_respects_budgets():
    calls: list[str] = []
    t = alternate({"a": lambda: calls.append("a"), "b": lambda: (calls.append("b"), Took(2.5))[1]}, runs=4,
                  budget={"b": 5.0})
    assert calls == ["a", "b", "b", "a", "a", "a"]  # the lead alternates; b stops once it spent its budget
    assert t["b"] == [2.5, 2.5] and len(t["a"]) == 4


def test_entry_ratio_reads_how_many_times_better_ours_is():
    cost = Entry("q", "ms", [1.0, 2.0, 3.0], "rdflib", [40.0, 60.0], goals=(Goal("≥ 20×", "ratio", ">=", 20.0),))
    d = cost.as_dict()
    assert (d["ours"], d["baseline"], d["ratio"], d["min"], d["max"], d["runs"]) == (2.0, 50.0, 25.0, 1.0, 3.0, 3)
    assert d["met"] is True and d["goals"][0]["met"] is True
    rate = Entry("b", "MB/s", [0.5], "regex", [50.0], goal=Goal("≥ 1 MB/s", "ours", ">=", 1.0)).as_dict()
    assert rate["ratio"] == 0.01 and rate["met"] is False


def test_results_file_is_well_formed(tmp_path):
    entries = [Entry("kg --help", "s", [0.2, 0.1, 0.3], "python -c pass", [0.02] * 3, goal=Goal("≤ 0.3 s", "ours", "<=", 0.3)),
               Entry("peak memory", "MB", [900.0], "build of 10 docs", [200.0])]
    data = results_dict(entries, {"quick": True}, {"documents": 5, "types": {}}, [{"name": "views", "reason": "no chromium"}])
    p = write_results(tmp_path / "bench" / "results.json", data)
    back = json.loads(p.read_text(encoding="utf-8"))
    assert check_results(back) == []
    assert all(set(ENTRY_KEYS) <= set(e) for e in back["entries"])
    assert {"cpu", "cores", "memory_gb"} <= set(back["machine"]) and "commit" in back["git"] and back["date"]
    text = table(back)
    assert "ok ≤ 0.3 s" in text and "skipped: views: no chromium" in text


def test_check_results_names_the_problem():
    bad = {"schema": 1, "date": "x", "git": {"commit": None}, "machine": {"cpu": "", "cores": 2, "memory_gb": 1},
           "entries": [{"name": "a", "unit": "s", "ours": 2, "baseline_name": None, "baseline": 1, "ratio": 0.5,
                        "runs": 3, "min": 3, "median": 2, "max": 1}]}
    assert check_results(bad) == ["entry 'a': min <= median <= max does not hold", "entry 'a': a baseline without a name"]


def test_bench_commands_have_help():
    for args in (["bench", "--help"], ["bench", "corpus", "--help"], ["bench", "run", "--help"]):
        res = CliRunner().invoke(cli, args, prog_name="kg", catch_exceptions=False)
        assert res.exit_code == 0 and res.output.startswith("Usage: kg bench")


def test_corpus_refuses_zero_documents(tmp_path):
    res = CliRunner().invoke(cli, ["bench", "corpus", "--docs", "0", "--out", str(tmp_path)], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output.strip() == "Error: --docs must be at least 1 (got 0)"


def test_corpus_refuses_a_file_as_its_folder(tmp_path):
    f = tmp_path / "taken"
    f.write_text("x", encoding="utf-8")
    res = CliRunner().invoke(cli, ["bench", "corpus", "--docs", "1", "--out", str(f)], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output.strip() == f"Error: {f}: cannot create the corpus folder (File exists); give --out a folder path"
