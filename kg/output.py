"""Write the build's files: graph.nq, graph.trig (named graphs), graph.ttl (merged), report.json.

Serialization goes through pyoxigraph for speed; quads are sorted first so the same
input always gives byte-identical files.
"""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from . import atomic
from .model import DocResult
from .namespaces import ONTOLOGY_GRAPH, PREFIXES, VOCAB_GRAPH
from .resources import ontology_file, vocab_files

# Prefixes whose namespace ends in '/' or '#' and that Turtle can abbreviate safely.
_TTL_PREFIXES = {k: v for k, v in PREFIXES.items() if k != "qpd"}  # qpd IRIs have paths: full IRIs read better than qpd:doc\/…


def static_nquads() -> str:
    """The ontology and the vocabularies, each in its own named graph."""
    parts = []
    onto = ontology_file("qp.ttl")
    if onto.is_file():
        parts.append(_as_nquads(onto.read_bytes(), str(ONTOLOGY_GRAPH)))
    for f in vocab_files():
        parts.append(_as_nquads(f.read_bytes(), str(VOCAB_GRAPH)))
    return "".join(parts)


def _as_nquads(turtle: bytes, graph: str) -> str:
    g = ox.NamedNode(graph)
    quads = (ox.Quad(t.subject, t.predicate, t.object, g) for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE))
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")


def _sort_key(q: ox.Quad):
    return (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))


def write_outputs(out_dir: Path, results: list[DocResult]) -> int:
    """Write graph.nq / graph.trig / graph.ttl atomically; return the number of quads."""
    docs_nq = "".join(r.nquads for r in results if r.report.ok)
    all_nq = static_nquads() + docs_nq
    quads = sorted(set(ox.parse(all_nq.encode("utf-8"), format=ox.RdfFormat.N_QUADS)), key=_sort_key)
    atomic.write_bytes(out_dir / "graph.nq", ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    atomic.write_bytes(out_dir / "graph.trig", ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_TTL_PREFIXES))
    triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    atomic.write_bytes(out_dir / "graph.ttl", ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_TTL_PREFIXES))
    return len(quads)


def write_report(out_dir: Path, summary) -> None:
    from .pipeline import report_dict

    atomic.write_text(out_dir / "report.json", json.dumps(report_dict(summary), ensure_ascii=False, indent=2, sort_keys=True) + "\n")
