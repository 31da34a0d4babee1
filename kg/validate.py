"""SHACL validation of a built graph against ontology/shapes.ttl.

`validate()` returns data — (conforms, report_graph, report_text) — and the CLI maps it to exit
codes 0 (conforms), 1 (violations) and 2 (cannot load). pyshacl validates each named graph of
a Dataset separately, but our shapes need the union (a target in a document graph points at
an area in the vocabulary graph), so every input is first flattened into one Graph.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Union

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import Dataset
from rdflib.namespace import RDF, SH

from .errors import ValidationLoadError
from .namespaces import PREFIXES, bind_prefixes
from .resources import ontology_file
from .terms import graph_from_quads

GraphSource = Union[str, os.PathLike, Graph]

_FORMATS = {
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}


def _union(quads: Iterable[ox.Quad]) -> Graph:
    return graph_from_quads(quads)


def load_union_graph(path: str | os.PathLike, what: str = "graph") -> Graph:
    """Parse an RDF file (TriG, N-Quads, Turtle, N-Triples, RDF/XML) into one Graph holding the union
    of its default and named graphs. pyoxigraph parses; rdflib receives the triples."""
    p = Path(path)
    fmt = _FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise ValidationLoadError(
            f"{p}: cannot tell the RDF format of the {what} from its suffix "
            f"(use one of {', '.join(sorted(_FORMATS))})"
        )
    if not p.is_file():
        hint = " (run `make run` or `kg build` first)" if what == "graph" else ""
        raise ValidationLoadError(f"{p}: no such {what} file{hint}")
    try:
        with p.open("rb") as fh:
            return _union(ox.parse(fh, format=fmt, base_iri=p.resolve().as_uri()))
    except (SyntaxError, ValueError, OSError) as exc:
        raise ValidationLoadError(f"{p}: the {what} cannot be parsed as {fmt.name}: {exc}") from exc


def _as_graph(source: GraphSource, what: str) -> Graph:
    if isinstance(source, Dataset) or (isinstance(source, Graph) and source.context_aware):
        g = Graph()
        for s, p, o, _ctx in source.quads((None, None, None, None)):
            g.add((s, p, o))
        return g
    if isinstance(source, Graph):
        return source
    return load_union_graph(source, what)


def default_shapes() -> Graph:
    g = Graph()
    g.parse(data=ontology_file("shapes.ttl").read_text(encoding="utf-8"), format="turtle")
    return g


def default_ontology() -> Graph:
    g = Graph()
    g.parse(data=ontology_file("qp.ttl").read_text(encoding="utf-8"), format="turtle")
    return g


def validate(
    data: GraphSource,
    shapes: GraphSource | None = None,
    ontology: GraphSource | None = None,
) -> tuple[bool, Graph, str]:
    """Validate `data` (a path to TriG / N-Quads / Turtle, or an rdflib Graph or Dataset) against the
    SHACL shapes (default: ontology/shapes.ttl), with the ontology (default: ontology/qp.ttl) mixed in.

    Returns (conforms, report_graph, report_text); raises ValidationLoadError when the graph or the
    shapes cannot be loaded.
    """
    from pyshacl import validate as shacl_validate  # heavy import, only when validating

    data_graph = _as_graph(data, "graph")
    try:
        shapes_graph = default_shapes() if shapes is None else _as_graph(shapes, "shapes")
        ont_graph = default_ontology() if ontology is None else _as_graph(ontology, "ontology")
    except ValidationLoadError:
        raise
    except Exception as exc:  # a malformed packaged file: name it
        raise ValidationLoadError(f"the shapes or the ontology cannot be parsed: {exc}") from exc
    try:
        conforms, report_graph, _text = shacl_validate(
            data_graph,
            shacl_graph=shapes_graph,
            ont_graph=ont_graph,
            inference="none",
            advanced=True,
            allow_warnings=True,
        )
    except Exception as exc:  # pyshacl raises ReportableRuntimeError / ConstraintLoadError for bad shapes
        raise ValidationLoadError(f"the shapes cannot be loaded: {exc}") from exc
    bind_prefixes(report_graph)
    return bool(conforms), report_graph, format_report(report_graph)


def _short(term) -> str:
    if isinstance(term, URIRef):
        s = str(term)
        best = max((ns for ns in PREFIXES.items() if s.startswith(ns[1])), key=lambda ns: len(ns[1]), default=None)
        return f"{best[0]}:{s[len(best[1]):]}" if best else f"<{s}>"
    if isinstance(term, BNode):
        return "[]"
    if isinstance(term, Literal):
        return repr(str(term)) if not term.language else f"{str(term)!r}@{term.language}"
    return str(term)


def _path(report: Graph, node) -> str:
    if node is None:
        return "-"
    inv = report.value(node, SH.inversePath)
    if inv is not None:
        return f"^{_short(inv)}"
    return _short(node)


def violations(report_graph: Graph) -> list[dict[str, str]]:
    """The results of a report as sorted rows: focus, path, component, severity, value, message."""
    rows = []
    for r in report_graph.subjects(RDF.type, SH.ValidationResult):
        comp = report_graph.value(r, SH.sourceConstraintComponent)
        rows.append(
            {
                "focus": _short(report_graph.value(r, SH.focusNode)),
                "path": _path(report_graph, report_graph.value(r, SH.resultPath)),
                "component": _short(comp).replace("sh:", ""),
                "severity": _short(report_graph.value(r, SH.resultSeverity)).replace("sh:", ""),
                "value": _short(report_graph.value(r, SH.value)) if report_graph.value(r, SH.value) is not None else "",
                "message": str(report_graph.value(r, SH.resultMessage) or ""),
            }
        )
    rows.sort(key=lambda d: (d["focus"], d["path"], d["component"], d["value"], d["message"]))
    return rows


def format_report(report_graph: Graph) -> str:
    """A readable report: one line per result, grouped by focus node."""
    rows = violations(report_graph)
    if not rows:
        return "Conforms: the graph satisfies every shape."
    n_viol = sum(1 for r in rows if r["severity"] == "Violation")
    lines = [f"Does not conform: {n_viol} violation(s), {len(rows) - n_viol} other result(s)."]
    last = None
    for r in rows:
        if r["focus"] != last:
            lines.append(f"{r['focus']}")
            last = r["focus"]
        value = f" value={r['value']}" if r["value"] else ""
        lines.append(f"  {r['severity']}: {r['path']} [{r['component']}]{value}: {r['message']}")
    return "\n".join(lines)
