"""The public Python API for notebooks and scripts: `kg.open`, `kg.query`, `kg.sparql`."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .query import NamedQuery, Result, named_queries, run_named, run_sparql
from .store import Store, default_store, open_store


class Graph:
    """A handle on a built graph (a store plus the named queries)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def query(self, name: str, **params: Any) -> Result:
        """Run a named query; parameters are labels, IRIs/CURIEs or numbers."""
        return run_named(self.store, name, {k: str(v) for k, v in params.items()})

    def sparql(self, text: str) -> Result:
        return run_sparql(self.store, text)

    def queries(self) -> dict[str, NamedQuery]:
        return named_queries()

    def __len__(self) -> int:
        return len(self.store)

    def __repr__(self) -> str:
        return f"<kg.Graph {self.store.name} {len(self)} quads>"


def open(path: str | Path | None = None, store: str = "oxigraph", db: str | Path | None = None) -> Graph:  # noqa: A001
    """Open a graph: a build folder (default ./build), a graph file (.trig/.ttl/.nq), or a store by name."""
    if db is not None or store == "sparql":
        return Graph(open_store(store, db=db))
    p = Path(path) if path is not None else Path("build")
    if p.is_dir():
        if store == "oxigraph":
            return Graph(default_store(p))
        return Graph(open_store(store, graph_file=p / "graph.nq"))
    return Graph(open_store(store, graph_file=p))


_default: Graph | None = None


def _graph() -> Graph:
    global _default
    if _default is None:
        _default = open()
    return _default


def query(name: str, **params: Any) -> Result:
    """Run a named query on the last build (./build)."""
    return _graph().query(name, **params)


def sparql(text: str) -> Result:
    """Run a raw SPARQL query on the last build (./build)."""
    return _graph().sparql(text)


def build(*paths: str | Path, out: str | Path = "build", **kw: Any):
    from .pipeline import build as _build

    return _build(paths or ("data/raw",), out, **kw)
