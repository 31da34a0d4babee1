"""The build: files -> per-document named graphs -> build/graph.trig, graph.ttl, report.json (+ store).

`build_document` is the map step: a pure function from one file (and options) to its
canonical N-Quads and report, so it runs the same in a process pool or on a cluster.
"""
from __future__ import annotations

import gc
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from .errors import InputError, UsageError
from .model import DocReport, DocResult

if TYPE_CHECKING:
    from .output import GraphChunk

SOURCE_SUFFIXES = {".txt", ".html", ".htm", ".md", ""}
SKIP_NAMES = {"MANIFEST.tsv", "README.md"}


@dataclass(frozen=True)
class BuildOptions:
    encoding: Optional[str] = None
    max_bytes: int = 50 * 1024 * 1024
    profile: bool = False


@dataclass
class BuildSummary:
    out_dir: str
    documents: list[DocReport] = field(default_factory=list)
    triples: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # whole-build stages: map, write, store

    @property
    def failed(self) -> list[DocReport]:
        return [d for d in self.documents if not d.ok]


def collect_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the source files inside folders named, sorted for determinism."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(
                f for f in sorted(p.rglob("*")) if f.is_file() and f.name not in SKIP_NAMES and not f.name.startswith(".")
                and f.suffix.lower() in SOURCE_SUFFIXES
            )
        elif p.is_file():
            out.append(p)
        else:
            raise UsageError(f"{p}: no such file or folder (give files or folders of source documents)")
    seen: set[Path] = set()
    uniq = []
    for f in out:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            uniq.append(f)
    return uniq


def check_options(options: BuildOptions) -> None:
    """Refuse options that would fail every file the same way (a usage error, exit 2)."""
    import codecs

    if options.encoding:
        try:
            codecs.lookup(options.encoding)
        except LookupError:
            raise UsageError(
                f"--encoding {options.encoding}: unknown encoding (use a codec name such as gb18030, big5 or utf-16)"
            ) from None
    if options.max_bytes <= 0:
        raise UsageError(f"--max-bytes {options.max_bytes}: must be a positive number of bytes")


def build_document(path: str | Path, options: BuildOptions = BuildOptions()) -> DocResult:
    """Read -> normalize -> segment -> extract -> emit one file. Never raises for bad input.

    A file that breaks a later stage fails alone (a one-line error naming it), so one hostile
    input cannot stop the rest of the batch.
    """
    try:
        return _build_document(path, options)
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - reported per file, the batch goes on
        from .namespaces import doc_id
        from .read import display_path

        p = Path(path)
        msg = f"{display_path(p)}: could not be built ({type(exc).__name__}: {exc}) (please report this file as a bug)"
        report = DocReport(file=p.name, doc_id=doc_id(p.name), ok=False, error=msg.replace("\n", " "), path=str(p.resolve()))
        return DocResult(report=report)


def _build_document(path: str | Path, options: BuildOptions) -> DocResult:
    from . import emit, normalize, segment
    from .extract import extract_document
    from .namespaces import doc_id
    from .read import read_document
    from .spam import repair_tokens
    from .vocab import load_gazetteer

    p = Path(path)
    timings: dict[str, float] = {}

    def timed(stage: str, fn: Callable, *args):
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - t0

    try:
        doc = timed("decode", read_document, p, options.encoding, options.max_bytes)
    except InputError as exc:
        return DocResult(report=DocReport(file=p.name, doc_id=doc_id(p.name), ok=False, error=str(exc), path=str(p.resolve())))
    warnings: list[str] = list(doc.warnings)
    gaz = timed("extract", load_gazetteer)
    nt = timed("normalize", normalize.normalize, doc)
    warnings.extend(normalize.markup_warnings(doc.text))
    # An injected token (spam) overwrites a place name: recover the place from the document's own
    # evidence (index-number area code, document-number prefix, intact mentions) and put it back.
    nt, spam_warnings = timed("normalize", repair_tokens, nt, gaz.areas)
    warnings.extend(spam_warnings)
    for kind, n in sorted(Counter(r.kind for r in nt.repairs if r.kind in ("mojibake", "word-salad")).items()):
        warnings.append(f"{n} {kind} span(s) excluded from extraction (see repairs in report.json)")
    tree = timed("segment", segment.segment, nt)
    ex = timed("extract", extract_document, doc, nt, tree, gaz)
    lines, refused = timed("emit", emit.emit_document, doc, ex)
    if refused:
        warnings.append(f"{refused} mention(s) refused: quote did not match the source slice")
    rdf_type = " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    counts = Counter([ln.split(" ", 3)[2] for ln in lines if rdf_type in ln])
    report = DocReport(
        file=p.name,
        doc_id=doc.doc_id,
        ok=True,
        encoding=doc.encoding,
        sha256=doc.sha256,
        warnings=tuple(warnings),
        # "before" is the source slice [start, end): what the user sees in the file, like a quote
        repairs=tuple(
            {
                "kind": r.kind, "start": r.start, "end": r.end, "before": doc.text[r.start : r.end], "after": r.after,
                **({"note": r.note} if r.note else {}),
            }
            for r in nt.repairs
        ),
        counts=tuple(sorted((_curie(k), v) for k, v in counts.items())),
        refused_mentions=refused,
        timings=tuple(sorted(timings.items())),
        path=str(p.resolve()),
        kind=ex.meta.kind + (" fragment" if ex.meta.is_fragment else ""),
        jurisdiction=ex.meta.jurisdiction.name if ex.meta.jurisdiction else "",
    )
    return DocResult(report=report, nquads="\n".join(lines) + ("\n" if lines else ""), extraction=ex)


def _curie(iri_term: str) -> str:
    from .namespaces import PREFIXES

    v = iri_term.strip("<>")
    for p, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if v.startswith(ns):
            return f"{p}:{v[len(ns):]}"
    return v


@dataclass(frozen=True)
class BuiltDocument:
    """What `build` keeps of a document: its report and its graph already serialized (bytes, no
    Python object per quad or extraction record, so it crosses from a worker cheaply)."""

    report: DocReport
    chunk: Optional["GraphChunk"] = None

    @property
    def nquads(self) -> bytes:
        return self.chunk.nquads if self.chunk else b""


def build_serialized(path: str | Path, options: BuildOptions = BuildOptions()) -> BuiltDocument:
    """`build_document`, then the document's share of the output files (the worker of `kg build --jobs N`)."""
    r = build_document(path, options)
    return serialize_document(r.report, r.nquads.encode("utf-8"), timed=True)


def serialize_document(report: DocReport, nquads: bytes, timed: bool = False) -> BuiltDocument:
    """Sort and serialize one document's graph (N-Quads, TriG, Turtle blocks); never raises for its content."""
    from dataclasses import replace

    from .namespaces import graph_iri
    from .output import graph_chunk

    if not report.ok or not nquads:
        return BuiltDocument(report)
    t0 = time.perf_counter()
    try:
        chunk = graph_chunk(str(graph_iri(report.doc_id)), nquads)
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - reported per file, the batch goes on
        from .read import display_path

        msg = f"{display_path(report.path or report.file)}: could not be serialized ({type(exc).__name__}: {exc}) (please report this file as a bug)"
        return BuiltDocument(replace(report, ok=False, error=msg.replace("\n", " "), counts=(), warnings=()))
    if timed:
        report = replace(report, timings=tuple(sorted((*report.timings, ("serialize", time.perf_counter() - t0)))))
    return BuiltDocument(report, chunk)


def doc_id_clashes(files: list[Path]) -> dict[Path, str]:
    """Files that cannot have their document id, with a one-line error: the id is reserved, or an
    earlier file (in sorted order) has it (a.html and a.txt are both `a`). Ids come from file names and
    must not change, so the later file fails and the rest of the batch builds."""
    from .namespaces import RESERVED_DOC_IDS, doc_id
    from .read import display_path

    first: dict[str, Path] = {}
    out: dict[Path, str] = {}
    for f in sorted(files):
        did = doc_id(f.name)
        if did in RESERVED_DOC_IDS:
            out[f] = (f"{display_path(f)}: its document id {did!r} is the name of the {RESERVED_DOC_IDS[did]} graph "
                      f"(rename the file)")
        elif did in first:
            out[f] = (f"{display_path(f)}: has the same document id {did!r} as {display_path(first[did])} "
                      f"(the id is the file name without its extension; rename one of the two files)")
        else:
            first[did] = f
    return out


def build(
    paths: Iterable[str | Path],
    out_dir: str | Path = "build",
    options: BuildOptions = BuildOptions(),
    store: str | None = "memory",
    db: str | Path | None = None,
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
) -> BuildSummary:
    """Build every input into out_dir; load the store if one is named. Bad files are reported, not fatal."""
    from . import atomic, output
    from .namespaces import doc_id

    t0 = time.perf_counter()
    check_options(options)
    files = collect_inputs(paths)
    if not files:
        raise UsageError("no source files found in the given paths (pass .txt/.html files or folders)")
    clashes = doc_id_clashes(files)
    cache = None
    if store == "oxigraph":  # incremental: files whose bytes and build code are unchanged are skipped
        from .store import BuildCache

        cache = BuildCache(Path(db) if db else Path(out_dir) / "db", options)
    reused = cache.reuse([f for f in files if f not in clashes]) if cache else {}
    built: dict[Path, BuiltDocument] = {
        f: BuiltDocument(DocReport(file=f.name, doc_id=doc_id(f.name), ok=False, error=msg, path=str(f.resolve())))
        for f, msg in clashes.items()
    }
    static: list = []

    def prepare_outputs() -> None:
        """What the parent needs for writing; with --jobs it runs while the workers build."""
        atomic.clean_stale(out_dir)
        # the ontology and vocabulary graphs: serialized once, then read from out_dir's cache
        from .vocab import user_cache_dir

        static.extend(output.static_chunks(Path(out_dir) / output.STATIC_CACHE_DIR, user_cache_dir()))

    if progress:
        for f in clashes:
            progress(f.name)
    todo = [f for f in files if f not in built]
    built.update(_map(todo, reused, options, jobs, progress, meanwhile=prepare_outputs))
    results = [built[f] for f in files]
    summary = BuildSummary(out_dir=str(out_dir), documents=[r.report for r in results])
    # all outputs are renamed into place together at the end: a build killed before that
    # leaves the previous graph.*, report.json intact
    summary.timings["map"] = time.perf_counter() - t0
    with atomic.batch():
        t1 = time.perf_counter()
        summary.triples = output.write_outputs(Path(out_dir), [r.chunk for r in results if r.chunk], static)
        summary.timings["write"] = time.perf_counter() - t1
        if store and store != "none":
            from .store import load_build

            t1 = time.perf_counter()
            load_build(store, db, Path(out_dir), results, cache=cache)
            summary.timings["store"] = time.perf_counter() - t1
        summary.seconds = time.perf_counter() - t0
        output.write_report(Path(out_dir), summary)
    if cache is not None:  # graph.nq is in place now: record that the store matches it
        cache.mark_synced(Path(out_dir) / "graph.nq")
    return summary


def _map(files: list[Path], reused: dict, options: BuildOptions, jobs: int, progress,
         meanwhile: Callable[[], None] = lambda: None) -> dict[Path, BuiltDocument]:
    """Build (or, when reused from the store's cache, only serialize) each file, in a pool with jobs > 1.
    `meanwhile` is the parent's own work: called once the workers have their tasks."""
    out: dict[Path, BuiltDocument] = {}

    def done(f: Path, r: BuiltDocument) -> None:
        out[f] = r
        if progress:
            progress(f.name)

    if jobs <= 1 or len(files) <= 1:
        meanwhile()
        for f in files:
            done(f, _build_one(f, reused.get(f), options))
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    _warm_up()  # workers fork from here: modules and vocabularies are loaded once, not once per worker
    # Largest files first, so that no long document starts last while the other workers idle; a
    # few documents per task, because each task costs the parent (pickling, queues) about 0.5 ms.
    order = sorted(files, key=lambda f: (-_size(f), str(f)))
    per_task = max(1, min(8, len(order) // (jobs * 20)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(_START_METHOD),
                             initializer=_warm_up) as pool:
        futures = {}
        frozen = _START_METHOD == "fork"
        if frozen:  # the workers' collector leaves the inherited heap alone: fewer copy-on-write pages
            gc.freeze()
        try:
            for i in range(0, len(order), per_task):
                batch = order[i : i + per_task]
                fut = pool.submit(_build_batch, [(f, reused.get(f)) for f in batch], options)
                futures[fut] = batch
        finally:
            if frozen:  # the pool forked all its workers at the first submit
                gc.unfreeze()
        meanwhile()
        for fut in as_completed(futures):
            try:
                results = fut.result()
            except BrokenProcessPool:
                from .errors import KgError
                from .read import display_path

                # every unfinished task fails with the pool, so name them all: one of them killed it
                left = [f for f in files if f not in out]
                names = ", ".join(display_path(f) for f in left[:3]) + (f" and {len(left) - 3} more" if len(left) > 3 else "")
                raise KgError(f"a worker process died while building {names} (out of memory? try --jobs 1, "
                              "or build these files alone to find the one that kills it)") from None
            for f, r in zip(futures[fut], results):
                done(f, r)
    return out


def _build_one(f: Path, reused: Optional[DocResult], options: BuildOptions) -> BuiltDocument:
    """Build a file, or only serialize the graph reused from the store's cache."""
    if reused is not None:
        return serialize_document(reused.report, reused.nquads.encode("utf-8"))
    return build_serialized(f, options)


def _build_batch(items: list, options: BuildOptions) -> list[BuiltDocument]:
    """A task of the pool: `_build_one` for each (file, reused result or None)."""
    return [_build_one(f, reused, options) for f, reused in items]


# fork shares the warmed-up parent with the workers; other platforms start fresh interpreters
# that warm up in the initializer.
_START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"


def _warm_up() -> None:
    """Import the pipeline and load the vocabularies (cached per process)."""
    from . import emit, normalize, output, segment  # noqa: F401
    from .extract import extract_document  # noqa: F401
    from .hanzi import load_char_tables
    from .vocab import load_gazetteer

    load_gazetteer()
    load_char_tables()


def _size(f: Path) -> int:
    try:
        return f.stat().st_size
    except OSError:
        return 0


_REPORT_FIELDS = tuple(f.name for f in fields(DocReport))


def report_dict(summary: BuildSummary) -> dict:
    docs = []
    for d in summary.documents:
        item = {f: getattr(d, f) for f in _REPORT_FIELDS}  # shallow: asdict deep-copies every repair
        item["counts"] = dict(d.counts)
        item["timings"] = {k: round(v, 4) for k, v in d.timings}
        item["warnings"] = list(d.warnings)
        item["repairs"] = list(d.repairs)
        docs.append(item)
    return {
        "documents": docs,
        "triples": summary.triples,
        "ok": sum(d.ok for d in summary.documents),
        "failed": len(summary.failed),
        "refused_mentions": sum(d.refused_mentions for d in summary.documents),
        # whole-build stages (map = reading and extracting every document, in parallel with --jobs)
        "timings": {k: round(v, 4) for k, v in sorted(summary.timings.items())},
    }
