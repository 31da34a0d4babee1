"""Write the build's files: graph.nq, graph.trig (named graphs), graph.ttl (merged), report.json.

Serialization goes through pyoxigraph for speed; quads are sorted first so the same
input always gives byte-identical files.

The work is split so that it runs where the document was built: `graph_chunk` turns one named
graph into its sorted N-Quads, its TriG block and one Turtle block per subject (in a worker of
`kg build --jobs N`), and `write_outputs` only concatenates those chunks in graph-IRI order and
merges the Turtle blocks by subject (in the parent). The ontology and vocabulary graphs are the
same on every build: their chunks are cached on disk, keyed by a hash of their files.
"""
from __future__ import annotations

import contextvars
import hashlib
import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby, islice
from operator import itemgetter, lt
from pathlib import Path
from typing import Iterable, Optional

import pyoxigraph as ox

from . import atomic
from .namespaces import ONTOLOGY_GRAPH, PREFIXES, VOCAB_GRAPH
from .resources import ontology_file, package_file, vocab_files

# Prefixes whose namespace ends in '/' or '#' and that Turtle can abbreviate safely.
_TTL_PREFIXES = {k: v for k, v in PREFIXES.items() if k != "qpd"}  # qpd IRIs have paths: full IRIs read better than qpd:doc\/…

#: Where a build folder keeps the serialized ontology and vocabulary graphs between builds.
STATIC_CACHE_DIR = ".qpkg-cache"
_STATIC_MAGIC = b"qpkg-static-graphs 1\n"

# A subject's Turtle block starts on a line that is neither a continuation (tab) nor a @prefix line
# (a pattern led by a literal newline: re scans for it quickly, unlike ^ with re.M).
_BLOCK_START = re.compile(rb"\n(?=[^\t@])")


@dataclass(frozen=True)
class GraphChunk:
    """One named graph, serialized where it was built, ready to be concatenated.

    `subjects` are its subject terms (b"<iri>" or b"_:id") in sorted order and `blocks` their
    Turtle blocks for graph.ttl; `blocks` is empty when they could not be split (the parent then
    serializes those subjects itself).
    """

    graph: bytes  # the graph IRI as an N-Quads term, b"<…>": the files are in this order
    nquads: bytes  # the graph's unique quads, canonical N-Quads lines, sorted as bytes
    trig: bytes  # `<graph> { … }`, without the @prefix lines
    subjects: tuple[bytes, ...]
    blocks: tuple[bytes, ...]
    quads: int


def graph_chunk(graph: str, nquads: bytes) -> GraphChunk:
    """Canonicalize one named graph (every quad of `nquads` must be in `graph`) and serialize it.

    Sorting lines as UTF-8 bytes orders them as the (subject, predicate, object) terms would:
    UTF-8 byte order is code-point order, and the space that ends each term sorts below any
    character a term can continue with. The quads are parsed once (a Python object per quad is
    what costs): emit writes sorted canonical lines, so the parsed order is usually the final one.
    """
    g = f"<{graph}>".encode("utf-8")
    quads = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    nq = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    lines = nq.splitlines(keepends=True)
    if not all(map(lt, lines, islice(lines, 1, None))):  # not canonical, sorted and unique as given
        lines = sorted(set(lines))
        nq = b"".join(lines)
        quads = list(ox.parse(nq, format=ox.RdfFormat.N_QUADS))
    if nq.count(b" " + g + b" .\n") != len(lines):  # the graph term ends every line, and a line has one newline
        raise ValueError(f"a quad outside the named graph {graph}")
    trig = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_TTL_PREFIXES)
    trig = trig[trig.index(g + b" {\n") :] if trig else b""
    # Inside `<graph> { … }` pyoxigraph writes the graph's Turtle indented by one tab; literals
    # never span lines (newlines are escaped), so graph.ttl's blocks are these lines, unindented.
    body = trig[len(g) + 3 : -2]
    ttl = body[1:].replace(b"\n\t", b"\n") if body.startswith(b"\t") and trig.endswith(b"\n}\n") else b""
    return _chunk(g, nq, trig, ttl, lines)


def _chunk(g: bytes, nq: bytes, trig: bytes, ttl: bytes, lines: list[bytes]) -> GraphChunk:
    subjects = []
    i = 0
    while i < len(lines):  # a bisection per subject, not a step per line: the lines are sorted
        s = lines[i][: lines[i].index(b" ")]
        subjects.append(s)
        i = bisect_right(lines, s + b" \xff", i)  # after the subject come its predicates: b"<…" or b"_:…"
    blocks = _blocks(ttl)
    if len(blocks) != len(subjects):  # a layout we cannot split: the parent serializes these subjects
        blocks = []
    return GraphChunk(graph=g, nquads=nq, trig=trig, subjects=tuple(subjects), blocks=tuple(blocks), quads=len(lines))


def _blocks(ttl: bytes) -> list[bytes]:
    """Split a Turtle serialization (pyoxigraph: one block per subject, continuations indented by a
    tab, literals on one line) into its subject blocks."""
    starts = [m.end() for m in _BLOCK_START.finditer(ttl, 0, len(ttl) - 1)]
    if ttl[:1] not in (b"", b"\t", b"@"):
        starts.insert(0, 0)
    return [ttl[a:b] for a, b in zip(starts, starts[1:] + [len(ttl)])]


def _subject_lines(nq: bytes, subject: bytes) -> list[bytes]:
    """The sorted N-Quads lines of one subject (they are adjacent)."""
    k = subject + b" "
    start = 0 if nq.startswith(k) else nq.index(b"\n" + k) + 1
    end = start
    while end < len(nq) and nq.startswith(k, end):
        end = nq.index(b"\n", end) + 1
    return nq[start:end].splitlines(keepends=True)


@lru_cache(maxsize=1)
def _headers() -> tuple[bytes, bytes]:
    """The @prefix lines that open graph.trig and graph.ttl (pyoxigraph writes none for no data)."""
    s, p = ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p")
    trig = ox.serialize([ox.Quad(s, p, s, ox.NamedNode("urn:x:g"))], format=ox.RdfFormat.TRIG, prefixes=_TTL_PREFIXES)
    ttl = ox.serialize([ox.Triple(s, p, s)], format=ox.RdfFormat.TURTLE, prefixes=_TTL_PREFIXES)
    return trig[: trig.index(b"<urn:x:g> {")], ttl[: ttl.index(b"<urn:x:s> ")]


# --- the ontology and vocabulary graphs ---------------------------------------------------------
def _static_sources() -> list[tuple[str, bytes]]:
    """(graph IRI, Turtle) of the ontology and of each vocabulary, in load order."""
    out = []
    onto = ontology_file("qp.ttl")
    if onto.is_file():
        out.append((str(ONTOLOGY_GRAPH), onto.read_bytes()))
    for f in vocab_files():
        out.append((str(VOCAB_GRAPH), f.read_bytes()))
    return out


def static_nquads() -> str:
    """The ontology and the vocabularies, each in its own named graph."""
    return "".join(_as_nquads(turtle, graph).decode("utf-8") for graph, turtle in _static_sources())


def _as_nquads(turtle: bytes, graph: str) -> bytes:
    g = ox.NamedNode(graph)
    quads = (ox.Quad(t.subject, t.predicate, t.object, g) for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE))
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def static_chunks(cache_dir: Optional[Path] = None, shared_dir: Optional[Path] = None) -> list[GraphChunk]:
    """The ontology and vocabulary graphs as chunks; with cache_dir, read from (or saved to) a file
    there named by a hash of their sources, the prefixes, the pyoxigraph version and this module.

    With shared_dir (the user cache next to the gazetteer's), a miss in cache_dir — a fresh build
    folder — reads the same entry from there instead of serializing again (~0.2 s); a miss in both
    saves it in both. Other versions are pruned from cache_dir only: shared_dir is shared by
    checkouts of different versions."""
    sources = _static_sources()
    h = hashlib.sha256(_STATIC_MAGIC + ox.__version__.encode() + b"\0" + package_file("output.py").read_bytes())
    h.update(repr(sorted(_TTL_PREFIXES.items())).encode())
    for graph, turtle in sources:
        h.update(b"\0" + graph.encode() + b"\0" + hashlib.sha256(turtle).digest())
    name = f"static-{h.hexdigest()[:32]}.bin"
    path = cache_dir / name if cache_dir else None
    shared = shared_dir / name if shared_dir else None
    if path is not None:
        cached = _read_static(path)
        if cached is not None:
            return cached
    if shared is not None:
        cached = _read_static(shared)
        if cached is not None:
            if path is not None:
                _write_static(path, cached)
            return cached
    parts: dict[str, list[bytes]] = {}
    for graph, turtle in sources:
        parts.setdefault(graph, []).append(_as_nquads(turtle, graph))
    chunks = [graph_chunk(graph, b"".join(nq)) for graph, nq in parts.items()]
    if path is not None:
        _write_static(path, chunks)
    if shared is not None:
        _write_static(shared, chunks, prune=False)
    return chunks


def _write_static(path: Path, chunks: list[GraphChunk], prune: bool = True) -> None:
    head, body = [], []
    for c in chunks:
        ttl = b"".join(c.blocks)
        head.append([len(c.graph), len(c.nquads), len(c.trig), len(ttl)])
        body.extend([c.graph, c.nquads, c.trig, ttl])
    # a read-only build folder: the next build serializes them again
    if atomic.write_cache(path, [_STATIC_MAGIC, json.dumps({"chunks": head}).encode() + b"\n", *body]) and prune:
        try:
            for old in path.parent.glob("static-*.bin"):  # another version of the vocabularies
                if old != path:
                    old.unlink(missing_ok=True)
        except OSError:
            pass


def _read_static(path: Path) -> Optional[list[GraphChunk]]:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        if not data.startswith(_STATIC_MAGIC):
            return None
        nl = data.index(b"\n", len(_STATIC_MAGIC))
        head = json.loads(data[len(_STATIC_MAGIC) : nl])
        pos = nl + 1
        chunks = []
        for sizes in head["chunks"]:
            fields = []
            for n in sizes:
                fields.append(data[pos : pos + n])
                pos += n
            chunks.append(_chunk(*fields, fields[1].splitlines(keepends=True)))
        return chunks if pos == len(data) else None
    except (ValueError, KeyError, TypeError):
        return None  # damaged or from another version: serialize again


# --- the files ------------------------------------------------------------------------------------
def write_outputs(out_dir: Path, chunks: Iterable[GraphChunk], static: Optional[list[GraphChunk]] = None) -> int:
    """Write graph.nq / graph.trig / graph.ttl atomically; return the number of quads.

    `chunks` are the documents' graphs; `static` the ontology and vocabulary graphs (default:
    `static_chunks()` cached in out_dir). The parent only concatenates bytes: graphs in graph-IRI
    order, Turtle blocks in subject order (kg bench, 300 documents: 1.5 s serial before, when the
    parent parsed and serialized every graph; byte-identical files).
    """
    if static is None:
        static = static_chunks(Path(out_dir) / STATIC_CACHE_DIR)
    graphs = sorted([*static, *chunks], key=lambda c: c.graph)
    for a, b in zip(graphs, graphs[1:]):
        if a.graph == b.graph:  # the build refuses clashing document ids before it gets here
            raise ValueError(f"two chunks for the named graph {a.graph.decode('utf-8')}")
    trig_header, ttl_header = _headers()
    # graph.nq and graph.trig are written (and flushed to disk) by threads while this one merges
    # the Turtle: writes and fsync release the GIL (300 synthetic documents, --jobs 2: the write
    # step went from about 155 to 120 ms). The threads run in this context, so that an enclosing
    # atomic.batch() defers their renames too. Leaving the `with` waits for both threads.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="kg-write") as io:
        pending = [io.submit(contextvars.copy_context().run, atomic.write_chunks, out_dir / name, data) for name, data in (
            ("graph.nq", [c.nquads for c in graphs]),
            ("graph.trig", [trig_header, *(c.trig for c in graphs)] if graphs else []),
        )]
        blocks = _merged_turtle(graphs)
        atomic.write_chunks(out_dir / "graph.ttl", [ttl_header, *blocks] if blocks else [])
    for p in pending:  # the first thread's error, if any
        p.result()
    return sum(c.quads for c in graphs)


def _merged_turtle(graphs: list[GraphChunk]) -> list[bytes]:
    """The Turtle blocks of the union of all graphs, in subject order.

    A subject found in one graph keeps the block its worker wrote; one found in several graphs
    (a plan cited by two documents) gets its merged, deduplicated triples serialized here.
    """
    entries = [(s, i, j) for i, c in enumerate(graphs) for j, s in enumerate(c.subjects)]
    entries.sort(key=itemgetter(0))  # the order of the sorted triple lines: see graph_chunk
    out: list[bytes] = []
    todo: list[int] = []  # positions in out still to fill
    triples: list[bytes] = []
    for s, grp in groupby(entries, key=itemgetter(0)):
        grp = list(grp)
        if len(grp) == 1 and graphs[grp[0][1]].blocks:
            out.append(graphs[grp[0][1]].blocks[grp[0][2]])
            continue
        lines: set[bytes] = set()
        for _s, i, _j in grp:
            cut = len(graphs[i].graph) + 4  # " <graph> .\n"
            lines.update(ln[:-cut] + b" .\n" for ln in _subject_lines(graphs[i].nquads, s))
        triples.extend(sorted(lines))
        todo.append(len(out))
        out.append(b"")
    if todo:
        ttl = ox.serialize(ox.parse(b"".join(triples), format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE, prefixes=_TTL_PREFIXES)
        blocks = _blocks(ttl)
        if len(blocks) != len(todo):
            raise ValueError(f"cannot split the Turtle of {len(todo)} merged subjects into blocks (got {len(blocks)})")
        for pos, block in zip(todo, blocks):
            out[pos] = block
    return out


def write_report(out_dir: Path, summary) -> None:
    from .pipeline import report_dict

    atomic.write_text(out_dir / "report.json", json.dumps(report_dict(summary), ensure_ascii=False, indent=2, sort_keys=True) + "\n")
