"""The build's files are concatenated from per-graph chunks: the chunks must give the bytes one
serialization of everything would give."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import output
from kg.namespaces import graph_iri
from kg.output import _TTL_PREFIXES, graph_chunk, static_chunks

from .conftest import RAW

G = "https://w3id.org/qpkg/id/graph/t"


def _turtle(nt: bytes) -> bytes:
    return ox.serialize(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE, prefixes=_TTL_PREFIXES)


def _triples(nq: bytes, graph: str) -> bytes:
    return nq.replace(f" <{graph}> .\n".encode(), b" .\n")


@pytest.mark.parametrize("name", sorted(p.name for p in RAW.glob("*.txt")))
def test_turtle_blocks_are_the_documents_turtle(name):
    """graph.ttl's blocks are cut from the TriG block: they equal pyoxigraph's Turtle of the graph."""
    from kg.pipeline import build_document

    r = build_document(RAW / name)
    g = str(graph_iri(r.report.doc_id))
    c = graph_chunk(g, r.nquads.encode("utf-8"))
    assert c.blocks and len(c.blocks) == len(c.subjects)
    header = output._headers()[1]
    assert header + b"".join(c.blocks) == _turtle(_triples(c.nquads, g))
    assert c.quads == len(c.nquads.splitlines()) == len(r.nquads.splitlines())
    assert c.trig.startswith(f"<{g}> {{\n".encode()) and c.trig.endswith(b"}\n")


def test_unsorted_duplicate_noncanonical_lines_are_canonicalized():
    nq = (
        f'<http://a/s2> <http://a/p> "x\\u0041" <{G}> .\n'
        f'<http://a/s1> <http://a/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <{G}> .\n'
        f'<http://a/s2> <http://a/p> "xA" <{G}> .\n'
    ).encode()
    c = graph_chunk(G, nq)
    assert c.nquads == (
        f'<http://a/s1> <http://a/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <{G}> .\n'
        f'<http://a/s2> <http://a/p> "xA" <{G}> .\n'
    ).encode()
    assert c.subjects == (b"<http://a/s1>", b"<http://a/s2>")
    assert c.quads == 2


def test_a_quad_outside_the_graph_is_refused():
    with pytest.raises(ValueError, match="outside the named graph"):
        graph_chunk(G, f"<http://a/s> <http://a/p> <http://a/o> <{G}x> .\n".encode())


def test_a_subject_in_two_graphs_is_merged(tmp_path):
    from kg import atomic

    g2 = G + "2"
    a = graph_chunk(G, f'<http://a/s> <http://a/p> "1" <{G}> .\n<http://a/t> <http://a/p> "2" <{G}> .\n'.encode())
    b = graph_chunk(g2, f'<http://a/s> <http://a/p> "1" <{g2}> .\n<http://a/s> <http://a/q> "3" <{g2}> .\n'.encode())
    with atomic.batch():
        n = output.write_outputs(tmp_path, [b, a], static=[])
    assert n == 4
    nt = _triples(_triples(a.nquads + b.nquads, G), g2)
    assert (tmp_path / "graph.ttl").read_bytes() == _turtle(b"".join(sorted(set(nt.splitlines(keepends=True)))))
    assert (tmp_path / "graph.nq").read_bytes() == b.nquads + a.nquads  # graph terms sorted as bytes: "…/t2>" < "…/t>"


def test_static_graphs_are_cached_by_content(tmp_path, monkeypatch):
    fresh = static_chunks()
    assert [c.graph for c in fresh] == [f"<{g}>".encode() for g in ("https://w3id.org/qpkg/id/graph/ontology", "https://w3id.org/qpkg/id/graph/vocab")]
    assert static_chunks(tmp_path) == fresh  # computed and saved
    [cached] = list(tmp_path.glob("static-*.bin"))

    def boom(*_a, **_k):
        raise AssertionError("serialized again")

    monkeypatch.setattr(output, "graph_chunk", boom)
    assert static_chunks(tmp_path) == fresh  # read back
    monkeypatch.undo()
    cached.write_bytes(cached.read_bytes()[:-100])  # damaged: serialized again, same chunks
    assert static_chunks(tmp_path) == fresh
    assert [p.name for p in tmp_path.iterdir()] == [cached.name]


def test_static_graphs_shared_cache_serves_a_fresh_build_folder(tmp_path, monkeypatch):
    fresh = static_chunks()
    shared, out1, out2 = tmp_path / "shared", tmp_path / "a", tmp_path / "b"
    assert static_chunks(out1, shared) == fresh  # computed, saved in both
    [entry] = list(shared.glob("static-*.bin"))
    assert [p.name for p in out1.iterdir()] == [entry.name]
    (shared / "static-0.bin").write_bytes(b"another version")  # not pruned from the shared folder

    def boom(*_a, **_k):
        raise AssertionError("serialized again")

    monkeypatch.setattr(output, "graph_chunk", boom)
    assert static_chunks(out2, shared) == fresh  # a fresh folder: read from the shared entry, copied
    assert [p.name for p in out2.iterdir()] == [entry.name]
    assert (shared / "static-0.bin").exists()
    monkeypatch.undo()
    ro = tmp_path / "ro"
    ro.write_bytes(b"")  # not a folder: cannot be written, the build still gets its chunks
    assert static_chunks(None, ro) == fresh


def test_outputs_written_by_threads_are_renamed_with_the_batch(tmp_path, monkeypatch):
    """graph.nq and graph.trig are written by threads: their renames still wait for the enclosing batch,
    and a failure while merging the Turtle leaves neither files nor temporaries."""
    from kg import atomic

    a = graph_chunk(G, f'<http://a/s> <http://a/p> "1" <{G}> .\n'.encode())
    with atomic.batch():
        output.write_outputs(tmp_path, [a], static=[])
        assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".tmp")) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.nq", "graph.trig", "graph.ttl"]

    def broken(_graphs):
        raise RuntimeError("merge failed")

    monkeypatch.setattr(output, "_merged_turtle", broken)
    out = tmp_path / "again"
    with pytest.raises(RuntimeError, match="merge failed"):
        with atomic.batch():
            output.write_outputs(out, [a], static=[])
    assert sorted(p.name for p in out.iterdir()) == []
