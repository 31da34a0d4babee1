"""Triple stores chosen by name: `memory` (rdflib), `oxigraph` (pyoxigraph, on disk or in memory),
`sparql` (a remote SPARQL 1.1 endpoint, kg/remote.py). Only this module (and remote.py) know which
store is behind a handle.

All stores keep one named graph per document and answer queries over the union of graphs.
An on-disk Oxigraph store filled by `kg build` is incremental: `BuildCache` remembers, under
`DIR/qpkg/`, each document's content hash, report and canonical N-Quads, so an unchanged file is
skipped and the build outputs stay complete.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Iterable, Protocol

from rdflib import URIRef

from .errors import GraphNotFoundError, StoreError, UsageError
from .namespaces import PREFIXES
from .terms import GRAPH_FORMATS, TsvReader, cached_from_ox, gc_paused, graph_suffixes, solutions_from_tsv, to_ox

STORES = ("memory", "oxigraph", "sparql")


@dataclass(frozen=True)
class Solutions:
    """SELECT results as rdflib terms (None where unbound), or a boolean for ASK."""

    vars: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    boolean: bool | None = None


class Store(Protocol):
    name: str

    def select(self, sparql: str, bindings: dict[str, Any] | None = None, *, large: bool = False) -> Solutions:
        """SELECT (or ASK, CONSTRUCT) results. `large`: the query reads the whole graph (a long
        evaluation, or a row per node or mention), which a store may read in a way that pays off
        only then (OxigraphStore: on a second thread, through a pipe)."""
        ...

    def replace_graph(self, graph: str, nquads: str) -> None: ...

    def drop_graph(self, graph: str) -> None: ...

    def graphs(self) -> list[str]: ...

    def triples(self, graph: str | None) -> bytes:
        """N-Triples of one named graph (None: the default graph)."""
        ...

    def __len__(self) -> int: ...


# --- term conversion lives in kg/terms.py (cached_from_ox for result sets) --------------------
def _sort_key(q) -> tuple[str, str, str, str]:
    return (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))


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
            raise StoreError(f"{path}: cannot open the Oxigraph store: {exc} (is another process writing it, e.g. `kg serve --writable`? stop it, or remove the folder and build again)") from None
        self.path = str(path) if path else None
        self.read_only = read_only

    def select(self, sparql: str, bindings: dict[str, Any] | None = None, *, large: bool = False) -> Solutions:
        ox = self._ox
        if large and _FD_PATH:
            sol = self._select_piped(sparql, bindings)
            if sol is not None:
                return sol
        res = self._query(sparql, bindings)
        if isinstance(res, ox.QuerySolutions):
            # the fast way: Oxigraph writes the solutions as TSV, we split the text (kg/terms.py)
            sink = _Chunks()
            try:
                res.serialize(sink, format=ox.QueryResultsFormat.TSV)
            except OSError as exc:
                raise self._failed(exc) from None
            parsed = solutions_from_tsv(b"".join(sink.parts))
            if parsed is not None:
                return Solutions(vars=parsed[0], rows=parsed[1])
            res = self._query(sparql, bindings)  # a term TSV does not carry plainly: read the objects
        return self._objects(res)

    def _objects(self, res) -> Solutions:
        """Solutions from pyoxigraph's result objects (ASK, CONSTRUCT, or what TSV does not carry)."""
        ox = self._ox
        if isinstance(res, ox.QueryBoolean):
            return Solutions(vars=(), rows=(), boolean=bool(res))
        conv = cached_from_ox()
        if isinstance(res, ox.QueryTriples):
            rows = tuple((conv(t.subject), conv(t.predicate), conv(t.object)) for t in res)
            return Solutions(vars=("subject", "predicate", "object"), rows=rows)
        names = tuple(v.value for v in res.variables)
        rows = tuple(tuple(map(conv, sol)) for sol in res)  # a solution iterates its values in `names` order
        return Solutions(vars=names, rows=rows)

    def _select_piped(self, sparql: str, bindings: dict[str, Any] | None) -> Solutions | None:
        """Results read while Oxigraph still writes them: a thread evaluates the query and writes the
        TSV into a pipe (no Python, so no GIL, between its writes), this thread converts complete
        lines as they arrive. Oxigraph also evaluates faster on a thread of its own: glibc gives it a
        malloc arena apart from Python's (targets-by-category 124 -> 100 ms at 1M quads; the gain is
        gone under MALLOC_ARENA_MAX=1). kg bench, 1M quads, two cores: export-labels (49k rows)
        273 -> 142 ms, export-weights (53k rows) 451 -> 308 ms. A small result would only pay for
        the thread (about 0.3 ms): run_named asks for this when no parameter binds a node.
        Ctrl-C stops the read at once (the writer then fails on the closed pipe and ends).
        None when the TSV reader cannot take the results (the caller reads them as objects)."""
        try:
            r, w = os.pipe()
        except OSError:  # out of file descriptors: the direct path needs none
            return None
        done: list[Any] = []
        writer = threading.Thread(target=self._write_tsv, args=(sparql, bindings, w, done),
                                  name="kg-oxigraph-query", daemon=True)
        reader = TsvReader()
        try:
            try:
                writer.start()
            except BaseException as exc:
                os.close(w)  # the writer would have closed it
                if isinstance(exc, RuntimeError):  # no thread to be had: the direct path
                    return None
                raise
            with gc_paused():  # tens of thousands of new terms and tuples, none in a cycle
                while chunk := os.read(r, 1 << 20):
                    reader.feed(chunk)
        finally:
            os.close(r)
        writer.join()
        if isinstance(done[0], BaseException):
            raise done[0]
        if isinstance(done[0], Solutions):  # ASK, CONSTRUCT: read as objects by the writer
            return done[0]
        parsed = reader.result()
        return None if parsed is None else Solutions(vars=parsed[0], rows=parsed[1])

    def _write_tsv(self, sparql: str, bindings: dict[str, Any] | None, w: int, done: list[Any]) -> None:
        """Evaluate a query and write its solutions as TSV to pipe `w`, then close it; `done` gets
        True, the Solutions of an ASK or CONSTRUCT, or the exception. (pyoxigraph's results stay in
        the thread that made them: they cannot be handed to another.)"""
        try:
            res = self._query(sparql, bindings)
            try:
                if isinstance(res, self._ox.QuerySolutions):
                    try:
                        res.serialize(_FD_PATH.format(w), format=self._ox.QueryResultsFormat.TSV)
                    except OSError as exc:
                        # pyoxigraph ends a file with fsync, which a pipe refuses (EINVAL) after the
                        # last byte is written and flushed; any other error is real
                        if not _PIPE_FSYNC.search(str(exc)):
                            raise self._failed(exc) from None
                    done.append(True)
                else:
                    done.append(self._objects(res))
            finally:
                del res  # freed here: an exception's traceback would carry it to the reading thread
        except BaseException as exc:  # handed to the reading thread
            done.append(exc)
        finally:
            os.close(w)

    def _failed(self, exc: OSError) -> StoreError:
        return StoreError(f"{self.path or 'in-memory store'}: query failed: {exc}")

    def _query(self, sparql: str, bindings: dict[str, Any] | None):
        ox = self._ox
        subs = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            return self.store.query(sparql, use_default_graph_as_union=True, substitutions=subs or None, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise UsageError(f"SPARQL syntax error: {exc}") from None
        except OSError as exc:
            raise self._failed(exc) from None

    def load_nquads(self, nquads: str | bytes) -> None:
        data = nquads.encode("utf-8") if isinstance(nquads, str) else nquads
        if data:
            self.store.bulk_load(data, format=self._ox.RdfFormat.N_QUADS)

    def replace_graph(self, graph: str, nquads: str | bytes) -> None:
        self.drop_graph(graph)
        self.load_nquads(nquads)

    def drop_graph(self, graph: str) -> None:
        g = self._ox.NamedNode(graph)
        if self.store.contains_named_graph(g):
            self.store.remove_graph(g)

    def clear(self) -> None:
        self.store.clear()

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, self._ox.NamedNode))

    def triples(self, graph: str | None) -> bytes:
        ox = self._ox
        g = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        ts = sorted((ox.Triple(q.subject, q.predicate, q.object) for q in self.store.quads_for_pattern(None, None, None, g)), key=str)
        return ox.serialize(ts, format=ox.RdfFormat.N_TRIPLES)

    def nquads(self) -> bytes:
        """Every quad, sorted (canonical N-Quads, the same bytes for the same content)."""
        ox = self._ox
        return ox.serialize(sorted(self.store, key=_sort_key), format=ox.RdfFormat.N_QUADS)

    def backup(self, target: str | Path) -> None:
        """A snapshot of an on-disk store (hard links when on the same file system)."""
        try:
            self.store.backup(str(target))
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot snapshot the store into {target}: {exc}") from None

    def flush(self) -> None:
        if self.path and not self.read_only:
            self.store.flush()

    def __len__(self) -> int:
        return len(self.store)


# Where a thread's pyoxigraph writes into a pipe: a path to one of this process's descriptors (Linux).
# Elsewhere large results are read like others.
_FD_PATH = "/proc/self/fd/{}" if os.path.isdir("/proc/self/fd") else None
# The error pyoxigraph's closing fsync gives on a pipe (Rust words it "... (os error 22)": EINVAL)
_PIPE_FSYNC = re.compile(r"\(os error 22\)$")


class _Chunks:
    """Where Oxigraph writes serialized results: a Python `write` between chunks (about 8 KB) gives
    Ctrl-C its chance, so a long query stops when asked instead of when done; as fast as bytes."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(data if type(data) is bytes else bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


class MemoryStore:
    """rdflib's in-memory Dataset (the slow reference store)."""

    name = "memory"

    def __init__(self) -> None:
        from rdflib import Dataset

        self.ds = Dataset(default_union=True)

    def select(self, sparql: str, bindings: dict[str, Any] | None = None, *, large: bool = False) -> Solutions:
        from pyparsing import ParseException

        try:
            res = self.ds.query(sparql, initNs=PREFIXES, initBindings=bindings or None)
            # rdflib evaluates lazily: its evaluation errors surface while the rows are read
            if res.type == "ASK":
                return Solutions(vars=(), rows=(), boolean=bool(res.askAnswer))
            if res.type == "CONSTRUCT" or res.type == "DESCRIBE":
                return Solutions(vars=("subject", "predicate", "object"), rows=tuple(tuple(t) for t in res.graph))
            names = tuple(str(v) for v in res.vars)
            return Solutions(vars=names, rows=tuple(tuple(r) for r in res))
        except ParseException as exc:
            raise UsageError(f"SPARQL syntax error: {exc}") from None
        except Exception as exc:  # rdflib's evaluator raises NotBoundError, TypeError, … on valid queries
            msg = str(exc).replace("\n", " ")
            raise StoreError(f"rdflib's memory store could not evaluate the query ({type(exc).__name__}: {msg}); "
                             "run it on the default store (--store oxigraph)") from None

    def load_nquads(self, nquads: str | bytes) -> None:
        if nquads:
            self.ds.parse(data=nquads if isinstance(nquads, str) else nquads.decode("utf-8"), format="nquads")

    def replace_graph(self, graph: str, nquads: str | bytes) -> None:
        self.drop_graph(graph)
        self.load_nquads(nquads)

    def drop_graph(self, graph: str) -> None:
        self.ds.remove_graph(URIRef(graph))

    def graphs(self) -> list[str]:
        return sorted(str(g.identifier) for g in self.ds.graphs() if str(g.identifier) != "urn:x-rdflib:default" and len(g))

    def triples(self, graph: str | None) -> bytes:
        g = self.ds.graph(URIRef(graph or "urn:x-rdflib:default"))
        lines = sorted(ln for ln in g.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines() if ln.strip())
        return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")

    def nquads(self) -> bytes:
        lines = sorted(ln for ln in self.ds.serialize(format="nquads", encoding="utf-8").decode("utf-8").splitlines() if ln.strip())
        return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")

    def __len__(self) -> int:
        return sum(len(g) for g in self.ds.graphs())  # quads, as Oxigraph counts them


def rdflib_dataset(store: Store):
    """The store's quads as an rdflib Dataset (for rdflib-based tools such as pySHACL)."""
    if isinstance(store, MemoryStore):
        return store.ds
    if not isinstance(store, OxigraphStore):
        raise UsageError(f"cannot read every quad of a {store.name} store: use a graph file or an Oxigraph folder")
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(data=store.nquads().decode("utf-8"), format="nquads")
    return ds


def open_store(kind: str = "oxigraph", db: str | Path | None = None, graph_file: str | Path | None = None, read_only: bool = True) -> Store:
    """Open a store by name. With graph_file, load that TriG/Turtle/N-Quads file into it.

    `db` is an Oxigraph folder for `oxigraph`, the query endpoint URL for `sparql`.
    """
    if kind not in STORES:
        raise UsageError(f"unknown store {kind!r}: choose one of {', '.join(STORES)}")
    if kind == "sparql":
        from .remote import SparqlStore

        if not db:
            raise UsageError("the sparql store needs its query endpoint URL (--db http://host:port/query)")
        return SparqlStore(str(db))
    if kind == "oxigraph":
        if db and graph_file is None:
            if not Path(db).is_dir():
                raise GraphNotFoundError(f"{db}: no Oxigraph store there (run `kg build --store oxigraph --db {db}` first)")
            return OxigraphStore(db, read_only=read_only)
        store: Store = OxigraphStore(None)
    else:
        store = MemoryStore()
    if graph_file is not None:
        load_file(store, Path(graph_file))
    return store


def load_file(store: Store, path: Path) -> None:
    """Load a graph file; TriG and N-Quads keep their named graphs, Turtle goes to the default graph."""
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a graph file (.trig, .ttl, .nq) or use --build-dir")
    if not path.is_file():
        raise GraphNotFoundError(f"{path}: no graph file there (run `make run` or `kg build` first, or pass --graph FILE)")
    if path.suffix.lower() not in GRAPH_FORMATS:
        raise UsageError(f"{path}: unknown graph format (use {graph_suffixes()})")
    fmt, oxfmt = GRAPH_FORMATS[path.suffix.lower()]
    if isinstance(store, OxigraphStore):
        try:
            store.store.bulk_load(path=str(path), format=oxfmt)
        except (SyntaxError, ValueError, OSError) as exc:
            raise StoreError(f"{path}: cannot parse as {fmt}: {exc}") from None
    elif isinstance(store, MemoryStore):
        try:
            if fmt in ("trig", "nquads", "json-ld"):
                store.ds.parse(str(path), format=fmt)
            else:
                store.ds.graph(URIRef("urn:x-rdflib:default")).parse(str(path), format=fmt)
        except Exception as exc:  # rdflib raises many types for bad syntax
            raise StoreError(f"{path}: cannot parse as {fmt}: {exc}") from None
    else:
        raise UsageError("loading a file into a remote store: use `kg push`")


# --- incremental builds -----------------------------------------------------------------------------
CACHE_DIR = "qpkg"  # inside the Oxigraph folder; RocksDB ignores files it did not create
# Modules that only read a finished graph: editing them must not invalidate built documents.
_READING_MODULES = {
    "api.py", "cli.py", "docs.py", "evaluate.py", "export.py", "notebook.py", "plotting.py", "push.py",
    "querying.py", "remote.py", "server.py", "store.py", "validate.py", "__main__.py",
}
_READING_PACKAGES = {"bench", "render", "__pycache__", "queries", "templates"}


def build_fingerprint(options: Any = None) -> str:
    """A hash of everything besides the bytes of a file that decides its graph: the build code,
    the ontology and vocabularies, and the build options. A change rebuilds every document."""
    from importlib import resources

    from . import __version__

    h = hashlib.sha256(__version__.encode())
    root = resources.files("kg")

    def walk(node, rel: str):
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = f"{rel}{child.name}"
            if child.is_dir():
                if not (rel == "" and child.name in _READING_PACKAGES) and child.name != "__pycache__":
                    walk(child, name + "/")
            elif child.name.endswith((".py", ".ttl", ".tsv", ".csv", ".json", ".txt")) and not (rel == "" and child.name in _READING_MODULES):
                h.update(name.encode() + b"\0" + child.read_bytes() + b"\0")

    walk(root, "")
    if options is not None:
        from dataclasses import is_dataclass

        opts = asdict(options) if is_dataclass(options) else dict(vars(options))
        opts.pop("profile", None)  # timing only: the graph does not depend on it
        h.update(repr(sorted(opts.items())).encode())
    return h.hexdigest()


def _report_from_dict(d: dict):
    from .model import DocReport

    known = {f.name for f in fields(DocReport)}
    kw = {k: v for k, v in d.items() if k in known}
    for k in ("warnings", "repairs"):
        kw[k] = tuple(kw.get(k, ()))
    for k in ("counts", "timings"):
        kw[k] = tuple(tuple(x) for x in kw.get(k, ()))
    return DocReport(**kw)


class BuildCache:
    """What the last build put in an on-disk Oxigraph store: per document its content hash,
    report and N-Quads (DIR/qpkg/manifest.json, DIR/qpkg/docs/<doc-id>.nq)."""

    def __init__(self, db: str | Path, options: Any = None) -> None:
        self.db = Path(db)
        self.dir = self.db / CACHE_DIR
        self.fingerprint = build_fingerprint(options)
        try:
            self.manifest = json.loads((self.dir / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.manifest = {}
        if self.manifest.get("fingerprint") != self.fingerprint:
            self.docs: dict[str, dict] = {}  # other code or options: nothing can be reused
        else:
            self.docs = dict(self.manifest.get("docs", {}))
        self.known = set(self.manifest.get("docs", {}))  # graphs present in the store

    @staticmethod
    def file_hash(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    def reuse(self, files: Iterable[Path]) -> dict[Path, Any]:
        """The unchanged files and their previous results, marked skipped."""
        from .model import DocResult
        from .namespaces import doc_id

        out = {}
        for f in files:
            entry = self.docs.get(doc_id(f.name))
            nq = self.dir / "docs" / f"{doc_id(f.name)}.nq"
            try:
                if not entry or entry["sha256"] != self.file_hash(f) or not nq.is_file():
                    continue
                report = replace(_report_from_dict(entry["report"]), skipped=True, path=str(f.resolve()))
                out[f] = DocResult(report=report, nquads=nq.read_text(encoding="utf-8"))
            except (OSError, KeyError, TypeError):
                continue
        return out

    def update(self, store: OxigraphStore, results: list) -> None:
        """Bring the store in line with this build's results, then record them."""
        from . import atomic
        from .namespaces import graph_iri

        if not self.manifest:
            store.clear()  # a store without a manifest: unknown graphs cannot be told apart from ours
        docs_dir = self.dir / "docs"
        docs_dir.mkdir(parents=True, exist_ok=True)
        now: dict[str, dict] = {}
        for r in results:
            rep = r.report
            if not rep.ok:
                continue
            if not rep.skipped:
                store.replace_graph(str(graph_iri(rep.doc_id)), r.nquads)
                nq = r.nquads
                atomic.write_bytes(docs_dir / f"{rep.doc_id}.nq", nq.encode("utf-8") if isinstance(nq, str) else nq)
            # the report's sha256 is of the raw bytes, as file_hash computes it
            now[rep.doc_id] = {"sha256": rep.sha256, "report": asdict(replace(rep, skipped=False))}
        for did in sorted(self.known - set(now)):  # deleted or now failing files: drop their graphs
            store.drop_graph(str(graph_iri(did)))
            (docs_dir / f"{did}.nq").unlink(missing_ok=True)
        static = _static_hash()
        if self.manifest.get("static") != static or not self.manifest:
            from .namespaces import ONTOLOGY_GRAPH, VOCAB_GRAPH
            from .output import static_nquads

            for g in (str(ONTOLOGY_GRAPH), str(VOCAB_GRAPH)):
                store.drop_graph(g)
            store.load_nquads(static_nquads())
        store.flush()
        self.new_manifest = {"fingerprint": self.fingerprint, "static": static, "docs": now}
        atomic.write_text(self.dir / "manifest.json", json.dumps(self.new_manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n")

    def mark_synced(self, graph_nq: Path) -> None:
        """Record that graph.nq (now in place) holds what the store holds: readers then open the store."""
        from . import atomic

        if not getattr(self, "new_manifest", None) or not graph_nq.is_file():
            return
        st = graph_nq.stat()
        manifest = dict(self.new_manifest, graph_nq={"path": str(graph_nq.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino})
        atomic.write_text(self.dir / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def _static_hash() -> str:
    from .resources import ontology_file, vocab_files

    h = hashlib.sha256()
    for f in [ontology_file("qp.ttl"), *vocab_files()]:
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def load_build(kind: str, db: str | Path | None, out_dir: Path, results: Iterable, cache: BuildCache | None = None) -> None:
    """After a build: put each document's graph (and the ontology/vocab graphs) into the store,
    replacing changed documents' graphs and dropping those of deleted files."""
    if kind == "memory":
        return  # nothing persistent to fill
    if kind != "oxigraph":
        raise UsageError(f"kg build cannot fill a {kind!r} store; use `kg push` for remote stores")
    path = Path(db) if db else Path(out_dir) / "db"
    cache = cache or BuildCache(path)
    store = OxigraphStore(path)
    cache.update(store, list(results))


def db_in_sync(db: Path, graph_nq: Path) -> bool:
    """True when the Oxigraph folder holds exactly what graph.nq holds (the same build wrote both)."""
    try:
        rec = json.loads((db / CACHE_DIR / "manifest.json").read_text(encoding="utf-8"))["graph_nq"]
        st = graph_nq.stat()
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return (rec.get("path") == str(graph_nq.resolve()) and rec.get("size") == st.st_size
            and rec.get("mtime_ns") == st.st_mtime_ns and rec.get("inode") == st.st_ino)


def default_store(out_dir: str | Path = "build") -> Store:
    """The last build: its Oxigraph store when it matches graph.nq, else graph.nq loaded in memory."""
    out = Path(out_dir)
    nq, db = out / "graph.nq", out / "db"
    if db.is_dir() and db_in_sync(db, nq):
        try:
            return OxigraphStore(db, read_only=True)
        except StoreError:
            pass  # locked or damaged: the graph file says the same
    if nq.is_file():
        return open_store("oxigraph", graph_file=nq)
    if db.is_dir():
        return open_store("oxigraph", db=db)
    raise GraphNotFoundError(f"{out}: no build there (run `make run` or `kg build` first, or pass --graph FILE)")

