"""Stores by name, named graphs kept, loading errors, and the incremental Oxigraph build."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.errors import GraphNotFoundError, UsageError
from kg.namespaces import graph_iri
from kg.pipeline import build
from kg.store import MemoryStore, OxigraphStore, db_in_sync, default_store, open_store
from kg.terms import GRAPH_FORMATS

from .conftest import RAW

MINI = Path(__file__).resolve().parent / "fixtures" / "queries" / "mini.trig"
SMALL = ["003_b8d4b0b9a0480c56.txt", "004_43b08ec545039170.txt"]  # the two smallest documents: fast builds
DOC_GRAPHS = [f"https://w3id.org/qpkg/id/graph/{g}" for g in ("hz", "sx", "tz", "vocab", "wx")]


@pytest.mark.parametrize("kind", ["oxigraph", "memory"])
def test_named_graphs_are_kept(kind):
    s = open_store(kind, graph_file=MINI)
    assert s.name == kind
    assert s.graphs() == DOC_GRAPHS
    assert len(s) == 312
    assert s.triples("https://w3id.org/qpkg/id/graph/tz").decode().count("\n") == 14


def test_stores_by_name_and_errors(tmp_path):
    with pytest.raises(UsageError) as e:
        open_store("fuseki")
    assert str(e.value) == "unknown store 'fuseki': choose one of memory, oxigraph, sparql"
    with pytest.raises(GraphNotFoundError) as e:
        open_store("oxigraph", db=tmp_path / "nope")
    assert str(e.value) == f"{tmp_path / 'nope'}: no Oxigraph store there (run `kg build --store oxigraph --db {tmp_path / 'nope'}` first)"
    with pytest.raises(GraphNotFoundError) as e:
        open_store("oxigraph", graph_file=tmp_path / "g.trig")
    assert str(e.value) == f"{tmp_path / 'g.trig'}: no graph file there (run `make run` or `kg build` first, or pass --graph FILE)"
    (tmp_path / "g.csv").write_text("a,b")
    with pytest.raises(UsageError) as e:
        open_store("memory", graph_file=tmp_path / "g.csv")
    assert str(e.value) == (f"{tmp_path / 'g.csv'}: unknown graph format "
                            "(use .jsonld, .nq, .nquads, .nt, .owl, .rdf, .trig, .ttl, .turtle or .xml)")
    with pytest.raises(UsageError) as e:
        open_store("sparql")
    assert str(e.value) == "the sparql store needs its query endpoint URL (--db http://host:port/query)"


def test_replace_and_drop_graph():
    s = OxigraphStore()
    g = "https://w3id.org/qpkg/id/graph/x"
    s.replace_graph(g, f'<http://a> <http://b> "1" <{g}> .\n<http://a> <http://b> "2" <{g}> .\n')
    s.replace_graph(g, f'<http://a> <http://b> "3" <{g}> .\n')
    assert len(s) == 1 and s.graphs() == [g]
    s.drop_graph(g)
    assert len(s) == 0 and s.graphs() == []
    m = MemoryStore()
    m.replace_graph(g, f'<http://a> <http://b> "1" <{g}> .\n')
    assert m.graphs() == [g]


@pytest.fixture()
def corpus(tmp_path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in SMALL:
        shutil.copy(RAW / name, raw / name)
    return raw


def _graph_sizes(db: Path) -> dict[str, int]:
    s = OxigraphStore(db, read_only=True)
    sol = s.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {str(g).rsplit("/", 1)[-1]: int(n) for g, n in sol.rows}


def test_incremental_build(corpus, tmp_path):
    out, db = tmp_path / "out", tmp_path / "db"
    first = build([corpus], out, store="oxigraph", db=db)
    assert [d.skipped for d in first.documents] == [False, False]
    nq = (out / "graph.nq").read_bytes()
    sizes = _graph_sizes(db)
    assert sorted(sizes) == ["003_b8d4b0b9a0480c56", "004_43b08ec545039170", "ontology", "vocab"]

    # unchanged: nothing is rebuilt, the outputs are the same bytes, the report says skipped
    second = build([corpus], out, store="oxigraph", db=db)
    assert [d.skipped for d in second.documents] == [True, True]
    assert [d.counts for d in second.documents] == [d.counts for d in first.documents]
    assert (out / "graph.nq").read_bytes() == nq
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [d["skipped"] for d in report["documents"]] == [True, True]
    assert _graph_sizes(db) == sizes
    assert db_in_sync(db, out / "graph.nq")

    # changed: only that document is rebuilt and its graph replaced
    changed = corpus / SMALL[1]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n鲁班奖\n", encoding="utf-8")
    third = build([corpus], out, store="oxigraph", db=db)
    assert [d.skipped for d in third.documents] == [True, False]
    after = _graph_sizes(db)
    assert after["003_b8d4b0b9a0480c56"] == sizes["003_b8d4b0b9a0480c56"]
    new_nq = next(r for r in third.documents if r.file == SMALL[1])
    assert after["004_43b08ec545039170"] > sizes["004_43b08ec545039170"], new_nq

    # deleted: its graph is dropped and its cached N-Quads removed
    (corpus / SMALL[0]).unlink()
    fourth = build([corpus], out, store="oxigraph", db=db)
    assert [(d.file, d.skipped) for d in fourth.documents] == [(SMALL[1], True)]
    assert sorted(_graph_sizes(db)) == ["004_43b08ec545039170", "ontology", "vocab"]
    assert not (db / "qpkg" / "docs" / "003_b8d4b0b9a0480c56.nq").exists()
    assert str(graph_iri("003_b8d4b0b9a0480c56")) not in (out / "graph.nq").read_text(encoding="utf-8")


def test_store_without_manifest_is_cleared(corpus, tmp_path):
    db = tmp_path / "db"
    s = OxigraphStore(db)
    s.load_nquads('<http://a> <http://b> <http://c> <http://stale/graph> .\n')
    del s
    build([corpus], tmp_path / "out", store="oxigraph", db=db)
    assert "stale" not in _graph_sizes(db)


def test_default_store_prefers_db_in_sync(corpus, tmp_path):
    out = tmp_path / "out"
    build([corpus], out, store="oxigraph")
    s = default_store(out)
    assert isinstance(s, OxigraphStore) and s.path == str(out / "db")
    # graph.nq rewritten by a build without the store: the db no longer matches it
    build([corpus], out, store=None)
    s = default_store(out)
    assert isinstance(s, OxigraphStore) and s.path is None
    with pytest.raises(GraphNotFoundError) as e:
        default_store(tmp_path / "none")
    assert str(e.value) == f"{tmp_path / 'none'}: no build there (run `make run` or `kg build` first, or pass --graph FILE)"


def test_export_nquads_equals_build_file(built):
    s = open_store("oxigraph", graph_file=built / "graph.nq")
    assert s.nquads() == (built / "graph.nq").read_bytes()


def test_validate_reads_an_oxigraph_folder_like_the_file(tmp_path):
    from click.testing import CliRunner

    from kg.cli import cli

    s = OxigraphStore(tmp_path / "db")
    s.load_nquads(open_store("oxigraph", graph_file=MINI).nquads())
    del s
    r = CliRunner()
    by_file = r.invoke(cli, ["validate", str(MINI)], catch_exceptions=False)
    by_db = r.invoke(cli, ["validate", "--store", "oxigraph", "--db", str(tmp_path / "db")], catch_exceptions=False)
    assert by_file.exit_code in (0, 1)
    assert (by_db.exit_code, by_db.output) == (by_file.exit_code, by_file.output)


def test_memory_store_evaluation_errors_are_one_line():
    """rdflib raises while rows are read (GROUP_CONCAT over an unbound OPTIONAL): a StoreError, not a traceback."""
    import pytest

    from kg.errors import StoreError
    from kg.store import MemoryStore

    st = MemoryStore()
    st.load_nquads('<http://x/a> <http://x/p> "1" <http://x/g> .\n')
    q = "SELECT ?s (GROUP_CONCAT(DISTINCT ?l) AS ?ls) WHERE { ?s ?p ?o OPTIONAL { ?s <http://x/none> ?l } } GROUP BY ?s"
    with pytest.raises(StoreError) as err:
        st.select(q)
    assert str(err.value) == (
        "rdflib's memory store could not evaluate the query (NotBoundError: Variable l is not bound); "
        "run it on the default store (--store oxigraph)"
    )


def test_incremental_build_with_jobs(corpus, tmp_path):
    """Documents reused from the store's cache are serialized in the pool like built ones: same bytes."""
    build([corpus], tmp_path / "serial", store=None)
    out, db = tmp_path / "out", tmp_path / "db"
    first = build([corpus], out, store="oxigraph", db=db, jobs=2)
    second = build([corpus], out, store="oxigraph", db=db, jobs=2)
    assert [d.skipped for d in first.documents] == [False, False]
    assert [d.skipped for d in second.documents] == [True, True]
    for f in ("graph.nq", "graph.trig", "graph.ttl"):
        assert (out / f).read_bytes() == (tmp_path / "serial" / f).read_bytes(), f
    assert db_in_sync(db, out / "graph.nq")
    assert OxigraphStore(db, read_only=True).nquads() == (out / "graph.nq").read_bytes()


def test_large_results_read_from_a_pipe():
    """select(large=True): Oxigraph writes in a thread, rows are read meanwhile; the same results as
    read at the end, for a result much bigger than a pipe holds, ASK and CONSTRUCT, and errors."""
    import threading

    s = open_store("oxigraph", graph_file=MINI)
    q = "SELECT ?a ?b ?c ?d WHERE { ?a ?b ?c . ?c ?e ?d } ORDER BY ?a ?b ?c ?d"
    inline, piped = s.select(q), s.select(q, large=True)
    assert piped == inline and len(inline.rows) > 500
    big = "SELECT * WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } } LIMIT 40000"
    assert s.select(big, large=True) == s.select(big)
    assert s.select("ASK { ?s ?p ?o }", large=True).boolean is True
    con = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"
    assert s.select(con, large=True) == s.select(con)
    triple = "SELECT ?t WHERE { BIND(<<( <http://e/a> <http://e/b> <http://e/c> )>> AS ?t) }"
    assert s.select(triple, large=True) == s.select(triple)  # TSV cannot take it: read as objects
    with pytest.raises(UsageError, match="SPARQL syntax error"):
        s.select("SELECT ?x WHERE {", large=True)
    assert not [t for t in threading.enumerate() if t.name == "kg-oxigraph-query"]  # all writers ended


@pytest.mark.parametrize("suffix", sorted(GRAPH_FORMATS))
def test_every_graph_suffix_loads_in_both_stores_and_validate(tmp_path, suffix):
    """One table of suffixes for the stores and kg validate: a graph in each format gives the same triples."""
    import pyoxigraph as ox

    from kg.validate import _parse

    p = ox.NamedNode("http://example.org/p")
    triples = [ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), p, o)
               for i, o in enumerate([ox.Literal("质量强市", language="zh"), ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))])]
    f = tmp_path / f"g{suffix}"
    f.write_bytes(ox.serialize(triples, format=GRAPH_FORMATS[suffix][1]))
    q = "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?s"
    ours, theirs = open_store("oxigraph", graph_file=f).select(q), open_store("memory", graph_file=f).select(q)
    assert ours.rows == theirs.rows and [str(o) for _, o in ours.rows] == ["质量强市", "42"]
    assert len(list(_parse(f, "graph"))) == 2


def test_piped_read_falls_back_without_a_pipe_or_a_thread(monkeypatch):
    """Out of file descriptors or threads: the direct path answers, with no descriptor left open."""
    import os
    import threading

    s = open_store("oxigraph", graph_file=MINI)
    q = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o LIMIT 100"
    expected = s.select(q)
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None

    def no_pipe():
        raise OSError(24, "Too many open files")

    with monkeypatch.context() as m:
        m.setattr(os, "pipe", no_pipe)
        assert s.select(q, large=True) == expected

    def no_thread(self):
        raise RuntimeError("can't start new thread")

    with monkeypatch.context() as m:
        m.setattr(threading.Thread, "start", no_thread)
        assert s.select(q, large=True) == expected
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before


def test_piped_reads_from_several_threads_at_once():
    """Each call has its own pipe and writer: threads querying one store at once get their own rows."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    s = open_store("oxigraph", graph_file=MINI)
    queries = [f"SELECT ?s ?o WHERE {{ ?s ?p ?o }} ORDER BY ?s ?o LIMIT {n}" for n in (50, 400, 1200, 3000)] * 3
    expected = {q: s.select(q) for q in set(queries)}
    fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda q: s.select(q, large=True), queries))
    assert got == [expected[q] for q in queries]
    if fds is not None:  # every pipe closed, both ends
        assert len(os.listdir("/proc/self/fd")) == fds


def test_raw_sparql_takes_the_piped_read(monkeypatch):
    """`kg sparql` (one query per process) and g.sparql(large=True) ask for the piped read; the API's
    default and a named query about one node keep the direct one."""
    import kg
    from kg.cli import cli
    from kg.store import OxigraphStore

    asked: list[bool] = []
    real = OxigraphStore.select

    def spy(self, sparql, bindings=None, *, large=False):
        asked.append(large)
        return real(self, sparql, bindings, large=large)

    monkeypatch.setattr(OxigraphStore, "select", spy)
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    res = CliRunner().invoke(cli, ["sparql", q, "--graph", str(MINI), "--format", "csv"])
    assert res.exit_code == 0, res.output
    g = kg.open(MINI)
    n = res.output.splitlines()[1]
    assert str(g.sparql(q).rows[0][0]) == n and str(g.sparql(q, large=True).rows[0][0]) == n
    assert asked[-3:] == [True, False, True]
    del asked[:]
    g.query("describe", node="湖州市")  # the label's look-up, then the query: both about one node
    g.query("documents")
    assert asked[-1] is True and len(asked) >= 3 and not any(asked[:-1])


@pytest.mark.parametrize("large", [False, True], ids=["direct", "piped"])
def test_ctrl_c_stops_a_long_oxigraph_query(large):
    """SIGINT is handled mid-query: a cross product of 312 x 312 x 312 quads (30M rows) stops within
    a second instead of running to its end. Direct: results come out of Oxigraph in chunks through
    Python. Piped (large=True): the read from the pipe stops at once, the writer at its next write."""
    import os
    import signal
    import threading
    import time

    s = open_store("oxigraph", graph_file=MINI)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    t0 = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            s.select("SELECT * WHERE { GRAPH ?g { ?a ?b ?c } GRAPH ?h { ?d ?e ?f } GRAPH ?i { ?x ?y ?z } }", large=large)
    finally:
        timer.cancel()
    assert time.perf_counter() - t0 < 2.0
    for t in threading.enumerate():  # the piped query's writer has ended too
        if t.name == "kg-oxigraph-query":
            t.join(5.0)
            assert not t.is_alive()
