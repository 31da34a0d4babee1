"""Triple stores chosen by name: `memory` (rdflib), `oxigraph` (pyoxigraph, on disk or in memory),
`sparql` (a remote SPARQL 1.1 endpoint). Only this module knows which store is behind a handle.

All stores keep one named graph per document and answer queries over the union of graphs.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Protocol

from rdflib import BNode, Literal, URIRef

from .errors import GraphNotFoundError, StoreError, UsageError
from .namespaces import PREFIXES

STORES = ("memory", "oxigraph", "sparql")


@dataclass(frozen=True)
class Solutions:
    """SELECT results as rdflib terms (None where unbound), or a boolean for ASK."""

    vars: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    boolean: bool | None = None


class Store(Protocol):
    name: str

    def select(self, sparql: str, bindings: dict[str, Any] | None = None) -> Solutions: ...

    def replace_graph(self, graph: str, nquads: str) -> None: ...

    def drop_graph(self, graph: str) -> None: ...

    def graphs(self) -> list[str]: ...

    def __len__(self) -> int: ...


# --- term conversion -------------------------------------------------------------------------------
def _from_ox(term):
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value if term.datatype else None
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt) if dt else None)
    return URIRef(str(term))


def _to_ox(term):
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise UsageError(f"cannot bind {term!r}: not an RDF term")


class OxigraphStore:
    """pyoxigraph: on disk (RocksDB) when `path` is given, else in memory."""

    name = "oxigraph"

    def __init__(self, path: str | Path | None = None, read_only: bool = False) -> None:
        import pyoxigraph as ox

        self._ox = ox
        try:
            if path is None:
                self.store = ox.Store()
            elif read_only:
                self.store = ox.Store.read_only(str(path))
            else:
                Path(path).mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(path))
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the Oxigraph store: {exc} (is another process using it? try kg build again or remove the folder)") from None
        self.path = str(path) if path else None

    def select(self, sparql: str, bindings: dict[str, Any] | None = None) -> Solutions:
        ox = self._ox
        subs = {ox.Variable(k): _to_ox(v) for k, v in (bindings or {}).items()}
        try:
            res = self.store.query(sparql, use_default_graph_as_union=True, substitutions=subs or None, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise UsageError(f"SPARQL syntax error: {exc}") from None
        if isinstance(res, ox.QueryBoolean):
            return Solutions(vars=(), rows=(), boolean=bool(res))
        if isinstance(res, ox.QueryTriples):
            rows = tuple((_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object)) for t in res)
            return Solutions(vars=("subject", "predicate", "object"), rows=rows)
        names = tuple(v.value for v in res.variables)
        rows = tuple(tuple(_from_ox(sol[v]) for v in names) for sol in res)
        return Solutions(vars=names, rows=rows)

    def load_nquads(self, nquads: str | bytes) -> None:
        data = nquads.encode("utf-8") if isinstance(nquads, str) else nquads
        self.store.bulk_load(data, format=self._ox.RdfFormat.N_QUADS)

    def replace_graph(self, graph: str, nquads: str) -> None:
        self.drop_graph(graph)
        if nquads:
            self.load_nquads(nquads)

    def drop_graph(self, graph: str) -> None:
        g = self._ox.NamedNode(graph)
        if self.store.contains_named_graph(g):
            self.store.remove_graph(g)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs())

    def flush(self) -> None:
        if self.path:
            self.store.flush()

    def __len__(self) -> int:
        return len(self.store)


class MemoryStore:
    """rdflib's in-memory Dataset (the slow reference store)."""

    name = "memory"

    def __init__(self) -> None:
        from rdflib import Dataset

        self.ds = Dataset(default_union=True)

    def select(self, sparql: str, bindings: dict[str, Any] | None = None) -> Solutions:
        from rdflib.plugins.sparql.parser import ParseException

        try:
            res = self.ds.query(sparql, initNs=PREFIXES, initBindings=bindings or None)
        except ParseException as exc:
            raise UsageError(f"SPARQL syntax error: {exc}") from None
        if res.type == "ASK":
            return Solutions(vars=(), rows=(), boolean=bool(res.askAnswer))
        if res.type == "CONSTRUCT" or res.type == "DESCRIBE":
            return Solutions(vars=("subject", "predicate", "object"), rows=tuple(tuple(t) for t in res.graph))
        names = tuple(str(v) for v in res.vars)
        return Solutions(vars=names, rows=tuple(tuple(r) for r in res))

    def load_nquads(self, nquads: str) -> None:
        self.ds.parse(data=nquads, format="nquads")

    def replace_graph(self, graph: str, nquads: str) -> None:
        self.drop_graph(graph)
        self.load_nquads(nquads)

    def drop_graph(self, graph: str) -> None:
        self.ds.remove_graph(URIRef(graph))

    def graphs(self) -> list[str]:
        return sorted(str(g.identifier) for g in self.ds.graphs() if str(g.identifier) != "urn:x-rdflib:default")

    def __len__(self) -> int:
        return len(self.ds)


def open_store(kind: str = "oxigraph", db: str | Path | None = None, graph_file: str | Path | None = None, read_only: bool = True) -> Store:
    """Open a store by name. With graph_file, load that TriG/Turtle/N-Quads file into it."""
    if kind not in STORES:
        raise UsageError(f"unknown store {kind!r}: choose one of {', '.join(STORES)}")
    if kind == "sparql":
        from .remote import SparqlStore

        if not db:
            raise UsageError("the sparql store needs an endpoint URL (--db http://host:port/query)")
        return SparqlStore(str(db))
    if kind == "oxigraph":
        if db and graph_file is None:
            if not Path(db).exists():
                raise GraphNotFoundError(f"{db}: no Oxigraph store there (run `kg build --store oxigraph --db {db}` first)")
            return OxigraphStore(db, read_only=read_only)
        store: Store = OxigraphStore(None)
    else:
        store = MemoryStore()
    if graph_file is not None:
        load_file(store, Path(graph_file))
    return store


_FORMATS = {".trig": "trig", ".ttl": "turtle", ".nq": "nquads", ".nt": "nt", ".jsonld": "json-ld"}


def load_file(store: Store, path: Path) -> None:
    if not path.is_file():
        raise GraphNotFoundError(f"{path}: no graph file there (run `make run` or `kg build` first, or pass --graph FILE)")
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"{path}: unknown graph format (use .trig, .ttl, .nq or .nt)")
    if isinstance(store, OxigraphStore):
        import pyoxigraph as ox

        oxfmt = {"trig": ox.RdfFormat.TRIG, "turtle": ox.RdfFormat.TURTLE, "nquads": ox.RdfFormat.N_QUADS, "nt": ox.RdfFormat.N_TRIPLES, "json-ld": ox.RdfFormat.JSON_LD}[fmt]
        try:
            store.store.bulk_load(path=str(path), format=oxfmt)
        except (SyntaxError, ValueError, OSError) as exc:
            raise StoreError(f"{path}: cannot parse as {fmt}: {exc}") from None
    elif isinstance(store, MemoryStore):
        try:
            if fmt in ("trig", "nquads"):
                store.ds.parse(str(path), format=fmt)
            else:
                store.ds.graph(URIRef("urn:x-qpkg:default")).parse(str(path), format=fmt)
        except Exception as exc:  # rdflib raises many types for bad syntax
            raise StoreError(f"{path}: cannot parse as {fmt}: {exc}") from None
    else:
        raise UsageError("loading a file into a remote store: use `kg push`")


def load_build(kind: str, db: str | Path | None, out_dir: Path, results: Iterable) -> None:
    """After a build: put each document's graph (and the ontology/vocab graphs) into the store."""
    if kind == "memory":
        return  # nothing persistent to fill
    if kind != "oxigraph":
        raise UsageError(f"kg build cannot fill a {kind!r} store; use `kg push` for remote stores")
    store = OxigraphStore(db or out_dir / "db")
    from .namespaces import ONTOLOGY_GRAPH, VOCAB_GRAPH, graph_iri
    from .output import static_nquads

    for g in (str(ONTOLOGY_GRAPH), str(VOCAB_GRAPH)):
        store.drop_graph(g)
    store.load_nquads(static_nquads())
    for r in results:
        if r.report.ok:
            store.replace_graph(str(graph_iri(r.report.doc_id)), r.nquads)
    store.flush()


def default_store(out_dir: str | Path = "build") -> Store:
    """The last build: its Oxigraph store if there is one, else its graph file loaded in memory."""
    out = Path(out_dir)
    if (out / "graph.nq").is_file():
        return open_store("oxigraph", graph_file=out / "graph.nq")
    if (out / "db").is_dir():
        return open_store("oxigraph", db=out / "db")
    raise GraphNotFoundError(f"{out}: no build there (run `make run` or `kg build` first, or pass --graph FILE)")
