"""`kg export`: the graph for other tools.

- graphml / gexf (networkx): the nodes reachable from the documents (documents, areas, concepts,
  organizations, targets, programmes, cited plans) with label, class and CURIE; links between them
  with their property and a weight (the number of mentions for document → node links, else 1).
  Gephi and Cytoscape open both. Mentions are folded into the weights rather than drawn.
- jsonld: every quad, grouped by named graph and subject, with a compact @context (the prefix table).
- nquads: every quad, sorted (canonical, byte-identical for the same graph).
- csv: the `targets`, `programs` and `mentions` tables (named queries of the same names) with quotes.
"""
from __future__ import annotations

import json
from collections import defaultdict, deque
from pathlib import Path

from rdflib import BNode, Literal, URIRef

from . import atomic
from .errors import UsageError
from .namespaces import PREFIXES
from .querying import curie, run_named
from .store import Store
from .terms import from_ox

FORMATS = ("graphml", "gexf", "jsonld", "nquads", "csv")
TABLES = ("targets", "programs", "mentions")
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# The most specific class first: a node's `class` attribute is the first of its classes found here.
_CLASS_ORDER = [
    "qp:Plan", "qp:Article", "qp:Document", "qp:Target", "qp:Program", "qp:Section",
    "qp:CertificationScheme", "qp:Award", "qp:Initiative", "qp:TargetCategory", "qp:ProgramKind",
    "qp:City", "qp:County", "qp:Province", "qp:AdministrativeArea",
    "qp:GovernmentBody", "qp:LeadingGroup", "qp:Institute", "qp:University", "qp:Alliance", "qp:Association", "qp:Enterprise",
    "org:Organization", "qp:Comparator", "skos:Concept",
]


def export(store: Store, fmt: str, out: str | Path, table: str | None = None) -> list[Path]:
    """Write the export; returns the files written."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    out = Path(out)
    if fmt == "csv":
        return export_csv(store, out, table)
    if table:
        raise UsageError("--table goes with --format csv only")
    if fmt == "nquads":
        atomic.write_bytes(out, nquads_of(store))
    elif fmt == "jsonld":
        atomic.write_text(out, json.dumps(to_jsonld(store), ensure_ascii=False, indent=1) + "\n")
    else:
        import networkx as nx

        g = to_networkx(store)
        tmp = out.with_name(out.name + ".part")
        try:
            if fmt == "graphml":
                nx.write_graphml(g, tmp, encoding="utf-8")
            else:
                nx.write_gexf(g, tmp, encoding="utf-8")
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
    return [out]


def export_csv(store: Store, out: Path, table: str | None) -> list[Path]:
    """One table into the file `out` (with --table), or every table into the folder `out`."""
    if table is not None:
        if table not in TABLES:
            raise UsageError(f"unknown table {table!r}: choose one of {', '.join(TABLES)}")
        if out.is_dir():
            raise UsageError(f"{out}: is a folder; with --table give a file name (e.g. {out / (table + '.csv')})")
        atomic.write_text(out, run_named(store, table).to_csv())
        return [out]
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: is a file; without --table give a folder for {', '.join(t + '.csv' for t in TABLES)}")
    written = []
    for t in TABLES:
        p = out / f"{t}.csv"
        atomic.write_text(p, run_named(store, t).to_csv())
        written.append(p)
    return written


# --- N-Quads and JSON-LD -----------------------------------------------------------------------------
def nquads_of(store: Store) -> bytes:
    """Every quad of the store as sorted N-Quads."""
    if hasattr(store, "nquads"):
        return store.nquads()
    raise UsageError(f"cannot export every quad of a {store.name} store: export from the build (--graph or --build-dir)")


def _quads(store: Store):
    import pyoxigraph as ox

    for q in ox.parse(nquads_of(store), format=ox.RdfFormat.N_QUADS):
        g = None if isinstance(q.graph_name, ox.DefaultGraph) else from_ox(q.graph_name)
        yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), g


def _compact(iri: str) -> str:
    c = curie(iri)
    # a CURIE whose local part looks like an IRI authority or is empty would not round-trip
    return iri if c == iri or c.split(":", 1)[1].startswith("//") else c


def _node_id(t) -> str:
    return f"_:{t}" if isinstance(t, BNode) else _compact(str(t))


def _jsonld_value(o):
    if isinstance(o, URIRef) or isinstance(o, BNode):
        return {"@id": _node_id(o)}
    assert isinstance(o, Literal)
    if o.language:
        return {"@value": str(o), "@language": o.language}
    if o.datatype and str(o.datatype) != "http://www.w3.org/2001/XMLSchema#string":
        return {"@value": str(o), "@type": _compact(str(o.datatype))}
    return str(o)


def to_jsonld(store: Store) -> dict:
    """A JSON-LD 1.1 document: the prefix table as @context, one named-graph object per graph."""
    graphs: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for s, p, o, g in _quads(store):
        graphs[g][s][str(p)].append(o)

    def nodes(subjects) -> list[dict]:
        out = []
        for s in sorted(subjects, key=str):
            node: dict = {"@id": _node_id(s)}
            props = subjects[s]
            types = props.pop(_RDF_TYPE, [])
            if types:
                node["@type"] = sorted(_node_id(t) for t in types)
            for p in sorted(props):
                vals = sorted(props[p], key=lambda v: (type(v).__name__, str(v), str(getattr(v, "datatype", "") or ""), getattr(v, "language", "") or ""))
                node[_compact(p)] = [_jsonld_value(v) for v in vals]
            out.append(node)
        return out

    top: list[dict] = []
    if None in graphs:
        top.extend(nodes(graphs.pop(None)))
    for g in sorted(graphs, key=str):
        top.append({"@id": _node_id(g), "@graph": nodes(graphs[g])})
    return {"@context": dict(PREFIXES), "@graph": top}


# --- networkx ----------------------------------------------------------------------------------------
def to_networkx(store: Store):
    """A directed multigraph-free graph of the corpus: nodes reachable from the documents."""
    import networkx as nx

    from .querying import plain

    edges = [(str(s), str(p), str(o)) for s, p, o in run_named(store, "export-edges").rows]
    out_edges: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o in edges:
        out_edges[s].append((p, o))
    classes: dict[str, set[str]] = defaultdict(set)
    for node, cls in run_named(store, "export-nodes").rows:
        classes[str(node)].add(curie(str(cls)))
    docs = sorted(n for n, cs in classes.items() if cs & {"qp:Document", "qp:Plan", "qp:Article"})
    # the corpus: everything reachable from a document along the links
    keep: set[str] = set(docs)
    todo = deque(docs)
    while todo:
        n = todo.popleft()
        for _p, o in out_edges.get(n, ()):
            if o not in keep:
                keep.add(o)
                todo.append(o)
    labels: dict[str, tuple[int, str]] = {}
    for node, label, rank in run_named(store, "export-labels").rows:
        n = str(node)
        if n in keep:
            cand = (int(rank), str(label))
            if n not in labels or cand < labels[n]:
                labels[n] = cand
    weights = {(str(d), str(n)): int(plain(c)) for d, n, c in run_named(store, "export-weights").rows}

    g = nx.DiGraph()
    for n in sorted(keep):
        cs = classes.get(n, set())
        cls = next((c for c in _CLASS_ORDER if c in cs), min(cs) if cs else "")
        g.add_node(curie(n), label=labels.get(n, (9, curie(n)))[1], cls=cls.split(":")[-1], classes=" ".join(sorted(cs)), iri=n)
    for s, p, o in sorted(edges):
        if s in keep and o in keep:
            w = weights.get((s, o), 1) if p == PREFIXES["qp"] + "mentions" else 1
            key = (curie(s), curie(o))
            if g.has_edge(*key):  # two properties between the same nodes: keep both names, add weights
                d = g.edges[key]
                d["rel"] = " ".join(sorted(set(d["rel"].split()) | {curie(p)}))
                d["weight"] = max(d["weight"], w)
            else:
                g.add_edge(*key, rel=curie(p), weight=w)
    return g
