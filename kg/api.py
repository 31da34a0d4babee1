"""The public Python API for notebooks and scripts: `kg.open`, `kg.query`, `kg.sparql`.

    import kg
    g = kg.open()                                  # the last build in ./build
    g.query("city-targets", city="湖州市").df()     # pandas, IRIs as CURIEs
    g.describe("浙食链").df(labels=True)
    g.source_text("001_bcf92bb41f96abcb.txt")[120:180]
"""
from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef

from .errors import GraphNotFoundError, InputError, QueryParameterError, StoreError
from .querying import NamedQuery, Result, bind_values, named_queries, parse_iri, resolve_label, run_named, run_sparql
from .store import Store, default_store, open_store

if TYPE_CHECKING:
    import pandas as pd


class Graph:
    """A handle on a built graph: a store, the named queries, and the way back to the sources."""

    def __init__(self, store: Store, build_dir: str | Path | None = None, sources: str | Path | None = None) -> None:
        self.store = store
        self.build_dir = Path(build_dir) if build_dir is not None else None
        self.sources = Path(sources) if sources is not None else None

    # --- asking ----------------------------------------------------------------------------------
    def query(self, name: str, **params: Any) -> Result:
        """Run a named query; parameters are labels (湖州市), IRIs/CURIEs or numbers."""
        return run_named(self.store, name, {k: str(v) for k, v in params.items() if v is not None})

    def sparql(self, text: str, *, large: bool = False) -> Result:
        """Run a raw SPARQL query (the prefix table is predeclared). `large=True` for a query over the
        whole graph: the embedded store then reads rows while it evaluates (faster from about a
        thousand rows or 50 ms on; about 0.3 ms slower for a small query)."""
        return run_sparql(self.store, text, large=large)

    def queries(self) -> dict[str, NamedQuery]:
        return named_queries()

    def resolve(self, node: str, kind: str = "node") -> str:
        """An IRI from an IRI, a CURIE or an exact label (kind: node, area or concept)."""
        iri = parse_iri(node.strip())
        return str(iri) if iri is not None else str(resolve_label(self.store, node, kind, "node"))

    def describe(self, node: str) -> Result:
        """Every statement about a node, both directions, with labels and named graphs."""
        return self.query("describe", node=node)

    def provenance(self, node: str) -> Result:
        """The graphs asserting a node and the mentions (document, offsets, quote) behind it."""
        return self.query("node-provenance", node=node)

    def counts_by_class(self) -> Result:
        return self.query("counts-by-class")

    def documents(self) -> Result:
        return self.query("documents")

    # --- back to the source ----------------------------------------------------------------------
    def _doc_row(self, doc: str) -> tuple[str, str, str, str]:
        iri = parse_iri(doc.strip())
        text = "SELECT ?d ?file ?sha ?enc WHERE { ?d a qp:Document ; qp:sourceFile ?file . OPTIONAL { ?d qp:sha256 ?sha } OPTIONAL { ?d qp:encoding ?enc } }"
        if iri is not None:
            rows = self.store.select(bind_values(text, {"d": iri})).rows
        else:
            rows = self.store.select(bind_values(text, {"file": Literal(doc)})).rows
            if not rows:
                from .namespaces import doc_iri

                rows = self.store.select(bind_values(text, {"d": URIRef(str(doc_iri(doc)))})).rows
        if not rows:
            raise QueryParameterError(f"no document {doc!r} in the graph (give its IRI, CURIE, file name or id; see g.documents())")
        d, f, sha, enc = rows[0]
        return str(d), str(f), str(sha) if sha is not None else "", str(enc) if enc is not None else ""

    def source_path(self, doc: str) -> Path:
        """Where the source file of a document is: --sources folder, else the path the build recorded."""
        _d, file, _sha, _enc = self._doc_row(doc)
        candidates: list[Path] = []
        if self.sources is not None:
            candidates += [self.sources / file, *sorted(self.sources.rglob(file))]
        for p in self._recorded_paths().get(file, []):
            candidates.append(Path(p))
        for c in candidates:
            if c.is_file():
                return c
        raise GraphNotFoundError(f"{file}: source file not found (open the graph with kg.open(..., sources='FOLDER'))")

    def _recorded_paths(self) -> dict[str, list[str]]:
        """file name -> input paths, from the build's report.json and the Oxigraph store's manifest."""
        out: dict[str, list[str]] = {}
        files = []
        if self.build_dir is not None:
            files += [self.build_dir / "report.json", self.build_dir / "db" / "qpkg" / "manifest.json"]
        path = getattr(self.store, "path", None)
        if path:
            files.append(Path(path) / "qpkg" / "manifest.json")
        for f in files:
            try:
                data = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            reports = data.get("documents") or [e.get("report", {}) for e in data.get("docs", {}).values()]
            for r in reports:
                if r.get("file") and r.get("path"):
                    out.setdefault(r["file"], []).append(r["path"])
        return out

    def source_text(self, doc: str) -> str:
        """The decoded source text of a document: the text that qp:start/qp:end offsets index.

        Decoded exactly as the build did (same reader, the encoding it recorded); refuses a file
        whose bytes changed since the build.
        """
        from .read import read_document

        _d, file, sha, enc = self._doc_row(doc)
        path = self.source_path(doc)
        try:
            src = read_document(path, enc or None)
        except InputError as exc:
            raise StoreError(str(exc)) from None
        if sha and src.sha256 != sha:
            raise StoreError(f"{path}: the file changed since the build (sha256 differs); rebuild with `kg build`")
        return src.text

    def excerpt(self, mention: str, width: int = 30) -> tuple[str, str, str]:
        """(text before, quote, text after) of a qp:Mention, read from the source file."""
        iri = URIRef(self.resolve(mention))
        rows = self.store.select(bind_values(
            "SELECT ?doc ?s ?e WHERE { ?m qp:inDocument ?doc ; qp:start ?s ; qp:end ?e }", {"m": iri})).rows
        if not rows:
            raise QueryParameterError(f"{mention!r} is not a qp:Mention of the graph")
        doc, s, e = rows[0]
        text = self.source_text(str(doc))
        s, e = int(s), int(e)
        return text[max(0, s - width) : s], text[s:e], text[e : e + width]

    # --- analyst helpers (notebooks) ------------------------------------------------------------
    def incidence(self, kind: str | None = None, weight: str = "docs") -> pd.DataFrame:
        """City × concept table (schemes, awards, initiatives the cities' documents name); see `incidence`."""
        return incidence(self, kind, weight)

    def targets(self) -> pd.DataFrame:
        """The named query `targets` as a DataFrame with typed columns (floats, Int64 years, boolean flags)."""
        return targets(self)

    def quote_context(self, node: str, width: int = 60) -> QuoteContext:
        """The quote of a mention, or of a node's first evidence, in its source context (displays highlighted)."""
        return quote_context(self, node, width)

    def __len__(self) -> int:
        return len(self.store)

    def __repr__(self) -> str:
        return f"<kg.Graph {self.store.name} {len(self)} quads>"


def open(path: str | Path | None = None, store: str = "oxigraph", db: str | Path | None = None,  # noqa: A001
         sources: str | Path | None = None) -> Graph:
    """Open a graph: a build folder (default ./build), a graph file (.trig/.ttl/.nq), an Oxigraph
    folder (db=…), or a SPARQL endpoint (store="sparql", path or db = its query URL).

    `sources`: a folder holding the source files, for `source_text` when they have moved
    (default $QPKG_SOURCES). Without `path`, the build is found by `default_build()`.
    """
    if sources is None and os.environ.get("QPKG_SOURCES"):
        sources = os.environ["QPKG_SOURCES"]
    if store == "sparql":
        return Graph(open_store("sparql", db=str(db or path)), sources=sources)
    if db is not None:
        return Graph(open_store(store, db=db), build_dir=Path(db).parent, sources=sources)
    p = Path(path) if path is not None else default_build()
    if p.is_dir():
        if (p / "CURRENT").is_file() and store == "oxigraph":
            return Graph(open_store("oxigraph", db=p), build_dir=p.parent, sources=sources)  # an Oxigraph folder
        if store == "oxigraph":
            return Graph(default_store(p), build_dir=p, sources=sources)
        return Graph(open_store(store, graph_file=p / "graph.nq"), build_dir=p, sources=sources)
    return Graph(open_store(store, graph_file=p), build_dir=p.parent, sources=sources)


def default_build() -> Path:
    """Where `kg.open()` looks: $QPKG_BUILD, else ./build, else ../build (a notebook in notebooks/)."""
    if os.environ.get("QPKG_BUILD"):
        return Path(os.environ["QPKG_BUILD"])
    for candidate in (Path("build"), Path("..") / "build"):
        if candidate.is_dir():
            return candidate
    return Path("build")


_default: Graph | None = None


def _graph() -> Graph:
    global _default
    if _default is None:
        _default = open()
    return _default


def query(name: str, **params: Any) -> Result:
    """Run a named query on the last build (./build)."""
    return _graph().query(name, **params)


def sparql(text: str, *, large: bool = False) -> Result:
    """Run a raw SPARQL query on the last build (./build); `large` as in Graph.sparql."""
    return _graph().sparql(text, large=large)


def build(*paths: str | Path, out: str | Path = "build", **kw: Any):
    from .pipeline import build as _build

    return _build(paths or ("data/raw",), out, **kw)


def __getattr__(name: str):
    # kg.views (notebook display helpers, kg/notebook.py) loads on first use: it pulls in networkx, numpy, pyvis.
    if name == "views":
        from . import notebook

        return notebook
    raise AttributeError(f"module 'kg.api' has no attribute {name!r}")


# --- analyst helpers -------------------------------------------------------------------------------
# Their SPARQL lives in kg/queries/api/*.rq (not named queries: `kg query --list` does not show them).

def _api_result(g: Graph, name: str, bindings: dict[str, Any] | None = None) -> Result:
    from .resources import query_dir

    text = (query_dir() / "api" / f"{name}.rq").read_text(encoding="utf-8")
    sol = g.store.select(bind_values(text, bindings or {}))
    return Result(vars=sol.vars, rows=sol.rows, name=f"api-{name}", _store=g.store)


def incidence(g: Graph, kind: str | None = None, weight: str = "docs") -> pd.DataFrame:
    """City × concept table over the schemes, awards and initiatives the cities' documents name.

    Rows are city labels, columns concept labels (both sorted). `kind` keeps one of scheme, award,
    initiative; `weight` is "docs" (documents naming the concept), "mentions" or "binary" (0/1).
    """
    if kind not in (None, "scheme", "award", "initiative"):
        raise QueryParameterError(f"kind: {kind!r} is not one of scheme, award, initiative (or None for all)")
    column = {"docs": "n_docs", "mentions": "n_mentions", "binary": "n_docs"}.get(weight)
    if column is None:
        raise QueryParameterError(f"weight: {weight!r} is not one of docs, mentions, binary")
    df = _api_result(g, "city-concepts", {"kind": Literal(kind)} if kind else None).df()
    # two concepts with the same @zh label would merge in the pivot: keep them apart by CURIE
    dup = df.groupby("label")["concept"].transform("nunique") > 1
    df.loc[dup, "label"] = df.loc[dup, "label"] + " (" + df.loc[dup, "concept"] + ")"
    table = df.pivot_table(index="city_label", columns="label", values=column, aggfunc="sum", fill_value=0)
    table = table.sort_index().sort_index(axis=1).astype(int)
    if weight == "binary":
        table = (table > 0).astype(int)
    table.index.name, table.columns.name = "city", "concept"
    return table


def targets(g: Graph) -> pd.DataFrame:
    """The named query `targets`, typed.

    Values as floats (NaN when not numeric); years, ordinals and offsets as Int64; flags as boolean.
    """
    import pandas as pd

    df = g.query("targets").df()
    for col in ("baseline_value", "target_value"):
        df[col] = df[col].astype("float64")
    for col in ("ordinal", "baseline_year", "target_year", "start", "end"):
        # xsd:gYear arrives as text ("2025"): keep the year number
        values = [None if pd.isna(v) else int(str(v)[:4] if "year" in col else v) for v in df[col]]
        df[col] = pd.array(values, dtype="Int64")
    for col in ("binding", "cumulative"):
        df[col] = df[col].astype("boolean")
    return df


@dataclass(frozen=True)
class QuoteContext:
    """A quote located in its source text: `source_slice` is `source[start:end]` and should equal `quote`."""

    mention: str
    doc: str
    file: str
    start: int
    end: int
    quote: str
    source_slice: str
    before: str
    after: str

    @property
    def agrees(self) -> bool:
        return self.quote == self.source_slice

    def __str__(self) -> str:
        flat = [t.replace("\n", "⏎") for t in (self.before, self.source_slice, self.after)]
        return f"{self.file} [{self.start}:{self.end}] …{flat[0]}【{flat[1]}】{flat[2]}…"

    def _repr_html_(self) -> str:
        ok = "agrees with" if self.agrees else "DOES NOT agree with"
        return (
            f"<div style='font-family:sans-serif'><div><code>{html.escape(self.file)}</code> "
            f"[{self.start}:{self.end}]: the quote {ok} the source slice</div>"
            "<div style='white-space:pre-wrap;border-left:3px solid #999;padding-left:8px'>"
            f"…{html.escape(self.before)}"
            f"<mark>{html.escape(self.source_slice)}</mark>{html.escape(self.after)}…</div></div>"
        )


def quote_context(g: Graph, node: str, width: int = 60) -> QuoteContext:
    """A mention (or a node's first evidence by offset) in its source file, `width` characters each side."""
    rows = _api_result(g, "evidence", {"node": URIRef(g.resolve(node))}).records()
    if not rows:
        raise QueryParameterError(f"node: {node!r} has no qp:Mention with quote and offsets in the graph")
    info = rows[0]
    text = g.source_text(info["doc"])
    start, end = int(info["start"]), int(info["end"])
    return QuoteContext(
        mention=info["mention"], doc=info["doc"], file=info["file"], start=start, end=end, quote=info["quote"],
        source_slice=text[start:end], before=text[max(0, start - width):start], after=text[end:end + width],
    )
