"""The suites behind `kg bench run`: each measures ours against a baseline, alternately, in one process run.

Suites (in order): build (throughput, --jobs 1 vs 2, time per stage), memory (peak RSS of a large
build, and recall of its planted facts), validate (SHACL), load (embedded store vs `oxigraph load`),
queries (every named query: embedded vs rdflib's memory store vs HTTP to `oxigraph serve`, on the
bundled corpus and on a ≥1M-quad graph), views (HTML writing and time to a stable network in
headless Chromium), cli (start-up cost). A suite that cannot run (no Chromium, no data/raw) is
recorded under `skipped` with the reason; an error in one suite does not stop the others.
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Optional

from .measure import GAVE_UP, Entry, Goal, Took, alternate, per_call

SUITES = ("build", "memory", "validate", "load", "queries", "views", "cli")


@dataclass(frozen=True)
class Scale:
    runs: int
    throughput_docs: int
    memory_docs: int
    big_quads: int
    view_sizes: tuple[int, ...]
    rdflib_timeout: tuple[float, float]  # per-run time limit for rdflib at the big graph: (min, max)
    rdflib_budget: float  # seconds of rdflib work per big-graph query at most (then it stops repeating)
    browser_timeout: float
    ours_limit: float  # a named query slower than this (probed over HTTP) is reported, not timed
    pair_budget: float  # seconds one side of a query pair may spend before it stops repeating


FULL = Scale(runs=5, throughput_docs=300, memory_docs=1000, big_quads=1_000_000, view_sizes=(100, 1000, 5000),
             rdflib_timeout=(1.0, 5.0), rdflib_budget=3.0, browser_timeout=15.0, ours_limit=20.0, pair_budget=4.0)
QUICK = Scale(runs=3, throughput_docs=24, memory_docs=60, big_quads=60_000, view_sizes=(100, 1000),
              rdflib_timeout=(1.0, 5.0), rdflib_budget=2.0, browser_timeout=12.0, ours_limit=5.0, pair_budget=2.0)

GOALS = {
    "build": Goal("≥ 1 MB/s per core", "ours", ">=", 1.0),
    "validate": Goal("≤ 3 s", "ours", "<=", 3.0),
    "jobs": Goal("--jobs 2 ≥ 1.7× --jobs 1", "ratio", ">=", 1.7),
    "load": Goal("≥ 0.5× oxigraph load", "ratio", ">=", 0.5),
    "query": Goal("≥ 20× rdflib at 1M", "ratio", ">=", 20.0),
    "shared": Goal("≤ 1 s at 1M", "ours", "<=", 1000.0),
    "view": Goal("≤ 2 s at 1,000 nodes", "ours", "<=", 2000.0),
    "help": Goal("≤ 0.3 s", "ours", "<=", 0.3),
    "memory": Goal("≤ 1.5 GB", "ours", "<=", 1536.0),
}


@dataclass(frozen=True)
class RunOptions:
    out: Path
    quick: bool = False
    suites: tuple[str, ...] = SUITES
    raw: Path = Path("data/raw")
    seed: int = 0
    keep: bool = False  # keep the work folder (corpora, builds, stores)
    queries: tuple[str, ...] = ()  # only these named queries in the queries suite (default: all)


class SuiteSkipped(Exception):
    """A suite (or part of one) cannot run here; the message says why and how to enable it."""


def _kg_cmd() -> list[str]:
    """How a user runs kg: the console script beside this interpreter, else `python -m kg`."""
    script = Path(sys.executable).parent / "kg"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kg"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], timeout: float = 1800) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if res.returncode not in (0,):
        tail = (res.stderr or res.stdout).strip().splitlines()[-1:] or [""]
        raise RuntimeError(f"{' '.join(cmd[:4])} … exited {res.returncode}: {tail[0]}")
    return res


def peak_rss_mb(cmd: list[str]) -> tuple[float, float, int]:
    """Run cmd as a child; return (peak RSS in MB from wait4, wall seconds, exit code)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _pid, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, wall, p.returncode


def regex_pass(files: list[Path]) -> int:
    """The floor a build is compared with: read, decode, one regex over the text for headings."""
    import re

    heading = re.compile(r"^[ \t]*(?:[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,3}\)|专栏\d+)", re.M)
    n = 0
    for f in files:
        data = f.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        n += sum(1 for _ in heading.finditer(text))
    return n


class Bench:
    def __init__(self, options: RunOptions, log: Callable[[str], None] = lambda m: None) -> None:
        self.o = options
        self.scale = QUICK if options.quick else FULL
        self.log = log
        self.work = options.out / "work"
        self.entries: list[Entry] = []
        self.skipped: list[dict[str, str]] = []
        self.recall: dict[str, Any] = {}
        self.facts: dict[str, Any] = {}  # sizes and counts the entries refer to
        self._cleanup: list[Callable[[], None]] = []
        self._cli_dbs: set[str] = set()
        self._subsets: set[int] = set()

    # ------------------------------------------------------------------ inputs, built once
    @cached_property
    def corpus(self) -> Path:
        from .corpus import generate_corpus

        d = self.work / f"corpus-{self.scale.memory_docs}"
        shutil.rmtree(d, ignore_errors=True)  # a folder left by an earlier run may be from another generator
        s = generate_corpus(self.scale.memory_docs, d, seed=self.o.seed)
        self.log(f"generated {len(s.files)} synthetic documents ({s.bytes / 1e6:.1f} MB) in {d}")
        return d

    def _subset(self, n: int) -> Path:
        from .corpus import sidecar_name

        d = self.work / f"corpus-{n}"
        if n not in self._subsets:
            shutil.rmtree(d, ignore_errors=True)
            self._subsets.add(n)
            d.mkdir(parents=True)
            for f in sorted(p for p in self.corpus.iterdir() if not p.name.endswith(".json") and not p.name.startswith("."))[:n]:
                shutil.copy(f, d / f.name)
                shutil.copy(self.corpus / sidecar_name(f.name), d / sidecar_name(f.name))
        return d

    def _sources(self, d: Path) -> list[Path]:
        from ..pipeline import collect_inputs

        return collect_inputs([d])

    @cached_property
    def bundled(self) -> Path:
        """The bundled corpus built (no store): graph.nq, graph.trig."""
        if not self.o.raw.is_dir():
            raise SuiteSkipped(f"{self.o.raw}: no bundled corpus (run from the project root or pass --raw)")
        out = self.work / "bundled"
        _run([*_kg_cmd(), "build", str(self.o.raw), "--out", str(out), "--store", "none", "-q"])
        return out

    @cached_property
    def big_build(self) -> Path:
        """The large synthetic corpus built once in a child process; its peak memory is recorded."""
        out = self.work / "big-build"
        cmd = [*_kg_cmd(), "build", str(self.corpus), "--out", str(out), "--store", "none", "-q"]
        self.log(f"building {self.scale.memory_docs} synthetic documents (one child process, --jobs 1)")
        rss, wall, code = peak_rss_mb(cmd)
        if code not in (0, 1):
            raise RuntimeError(f"kg build of the synthetic corpus exited {code}")
        self.facts["big_build"] = {"docs": self.scale.memory_docs, "peak_rss_mb": round(rss, 1), "seconds": round(wall, 2),
                                   "mb": round(sum(f.stat().st_size for f in self._sources(self.corpus)) / 1e6, 2)}
        return out

    @cached_property
    def big_nq(self) -> Path:
        from ..vocab import load_gazetteer
        from .biggraph import scale_nquads

        dst = self.work / "big.nq"
        cities = [a.code for a in load_gazetteer().areas if a.level == "city"]
        n = scale_nquads(self.big_build / "graph.nq", dst, self.scale.big_quads, cities, seed=self.o.seed)
        self.facts["big_graph_quads"] = n
        self.log(f"big graph: {n} quads in {dst}")
        return dst

    # ------------------------------------------------------------------ suites
    def run(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self.facts["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
        try:
            for suite in SUITES:
                if suite in self.o.suites:
                    self._suite(suite)
        finally:  # children (rdflib worker, oxigraph serve) must not outlive an interrupted run
            for fn in reversed(self._cleanup):
                fn()
            self.facts["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
            if not self.o.keep:
                shutil.rmtree(self.work, ignore_errors=True)

    def _suite(self, suite: str) -> None:
        t0 = time.perf_counter()
        self.log(f"suite {suite} …")
        try:
            getattr(self, f"suite_{suite}")()
        except SuiteSkipped as exc:
            self.skipped.append({"name": suite, "reason": str(exc)})
            self.log(f"suite {suite} skipped: {exc}")
        except Exception as exc:  # keep measuring the other suites; the reason is in results.json
            self.skipped.append({"name": suite, "reason": f"error: {type(exc).__name__}: {exc}"})
            self.log(f"suite {suite} failed: {exc}\n{traceback.format_exc()}")
        self.facts.setdefault("suite_seconds", {})[suite] = round(time.perf_counter() - t0, 1)
        self.log(f"suite {suite} done in {time.perf_counter() - t0:.1f} s")

    def add(self, entry: Entry) -> Entry:
        self.entries.append(entry)
        d = entry.as_dict()
        self.log(f"  {d['name']}: {d['ours']} {d['unit']} vs {d['baseline']} ({d['ratio']}x)")
        return entry

    # build ------------------------------------------------------------------------------------
    def suite_build(self) -> None:
        src = self._subset(self.scale.throughput_docs)
        files = self._sources(src)
        mb = sum(f.stat().st_size for f in files) / 1e6
        n = len(files)
        stages: dict[str, list[float]] = {}

        def build(jobs: int) -> Callable[[], Any]:
            def fn() -> None:
                out = self.work / f"tp-build-{jobs}"
                _run([*_kg_cmd(), "build", str(src), "--out", str(out), "--store", "none", "-q", "--profile", "--jobs", str(jobs)])
                if jobs == 1:
                    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
                    totals: dict[str, float] = {}
                    for d in report["documents"]:
                        for k, v in (d.get("timings") or {}).items():
                            totals[k] = totals.get(k, 0.0) + v
                    for k in ("write", "store"):  # whole-build stages (report.json "timings")
                        if k in (report.get("timings") or {}):
                            totals[k] = report["timings"][k]
                    for k, v in totals.items():
                        stages.setdefault(k, []).append(v)
            return fn

        t = alternate({"jobs1": build(1), "jobs2": build(2), "regex": lambda: regex_pass(files)}, self.scale.runs, warmup=0)
        size = f"{n} synthetic docs, {mb:.1f} MB"
        for jobs in (1, 2):
            key = f"jobs{jobs}"
            self.add(Entry(f"build --jobs {jobs} MB/s", "MB/s", [mb / s for s in t[key]], "regex pass (read, decode, headings)",
                           [mb / s for s in t["regex"]], group="build", goal=GOALS["build"] if jobs == 1 else None,
                           note=f"{size}; end to end raw -> TriG in a child process (includes start-up)"))
            self.add(Entry(f"build --jobs {jobs} docs/s", "docs/s", [n / s for s in t[key]], "regex pass (read, decode, headings)",
                           [n / s for s in t["regex"]], group="build", note=size))
        self.add(Entry("build --jobs 2 vs --jobs 1", "s", t["jobs2"], "build --jobs 1", t["jobs1"], group="build",
                       note=f"{size}; {os.cpu_count()} cores; start-up and the final write (about 0.4 s, serial) "
                            "weigh on a build this short: the goal is measured on the larger corpus below"))
        # The speed-up where it matters: a corpus whose build takes long enough to wait for.
        import statistics

        big = self.corpus
        big_files = self._sources(big)
        big_mb = sum(f.stat().st_size for f in big_files) / 1e6

        def build_big(jobs: int) -> Callable[[], Any]:
            return lambda: _run([*_kg_cmd(), "build", str(big), "--out", str(self.work / f"tp-big-{jobs}"), "--store", "none",
                                 "-q", "--jobs", str(jobs)])

        tb = alternate({"jobs1": build_big(1), "jobs2": build_big(2)}, self.scale.runs)
        self.add(Entry(f"build --jobs 2 vs --jobs 1, {len(big_files)} docs", "s", tb["jobs2"], "build --jobs 1", tb["jobs1"],
                       group="build", goal=GOALS["jobs"],
                       note=f"{len(big_files)} synthetic docs, {big_mb:.1f} MB; {os.cpu_count()} cores; end to end in a child process",
                       extra={"jobs1_mb_per_s": round(big_mb / statistics.median(tb["jobs1"]), 3),
                              "jobs2_mb_per_s": round(big_mb / statistics.median(tb["jobs2"]), 3)}))
        for stage, secs in sorted(stages.items()):
            self.add(Entry(f"build stage {stage}", "s", secs, "regex pass (read, decode, headings)", t["regex"], group="stages",
                           note=f"summed over {n} docs, from report.json of kg build --profile --jobs 1"))

    # memory and recall ------------------------------------------------------------------------
    def suite_memory(self) -> None:
        from ..store import open_store
        from .corpus import load_planted
        from .recall import compare

        small = self._subset(10)
        base_rss, _w, _c = peak_rss_mb([*_kg_cmd(), "build", str(small), "--out", str(self.work / "small-build"), "--store", "none", "-q"])
        big = self.big_build
        info = self.facts["big_build"]
        self.add(Entry(f"peak memory, build of {info['docs']} docs", "MB", [info["peak_rss_mb"]], "build of 10 docs", [base_rss],
                       group="memory", goal=GOALS["memory"] if info["docs"] >= 1000 else None,
                       note=f"ru_maxrss of the kg build child (--jobs 1, --store none); {info['mb']} MB of sources; one run",
                       extra={"seconds": info["seconds"], "docs_per_s": round(info["docs"] / info["seconds"], 2)}))
        planted = load_planted(self.corpus)
        rec = compare(planted, open_store("oxigraph", graph_file=big / "graph.nq"))
        self.recall = {"documents": len(planted), "types": {k: v.as_dict() for k, v in rec.items()}}

    # validation -------------------------------------------------------------------------------
    def suite_validate(self) -> None:
        from ..validate import plan_for, validate, violations

        trig = self.bundled / "graph.trig"
        kg = _kg_cmd()
        # The previous `kg validate`: pyshacl (inference none) on every node of the union graph, the
        # ontology mixed in by pyshacl (ont_graph=, which clones the data graph). A child process,
        # like the command it is compared with.
        every_node = [sys.executable, "-c", (
            "import sys, pyshacl\n"
            "from kg.validate import default_ontology, default_shapes, load_union_graph\n"
            "c, _r, _t = pyshacl.validate(load_union_graph(sys.argv[1]), shacl_graph=default_shapes(),\n"
            "    ont_graph=default_ontology(), inference='none', advanced=True, allow_warnings=True)\n"
            "sys.exit(0 if c else 1)\n"), str(trig)]
        t = alternate({"ours": lambda: _run([*kg, "validate", str(trig)]), "base": lambda: _run(every_node)},
                      self.scale.runs, budget={"base": 30.0})
        quads = sum(1 for _ in open(self.bundled / "graph.nq", encoding="utf-8"))
        plan = plan_for(trig)
        scope = (f"{plan.kept} of {plan.targeted} focus nodes, {len(plan.triples)} triples read"
                 if plan else "every node (no focus plan)")
        ours_ok, ours_report, _ = validate(str(trig))
        full_ok, full_report, _ = validate(str(trig), full=True)
        same = ours_ok == full_ok and violations(ours_report) == violations(full_report)
        self.add(Entry("kg validate bundled build", "s", t["ours"], "pyshacl on every node (previous kg validate)",
                       t["base"], group="validate", goal=GOALS["validate"],
                       note=f"wall time of each command in a child process; {quads} quads; pyshacl, inference none; "
                            f"{scope}; conforms={ours_ok}; same verdict and results as --full: {same}"))
        try:
            import pyshacl_turbo  # noqa: F401
        except ImportError:
            self.skipped.append({"name": "validate: pyshacl-turbo", "reason": "not installed (pip install -e '.[bench]')"})
            return
        t = alternate({"turbo": lambda: _run([*kg, "validate", "--engine", "turbo", str(trig)]),
                       "pyshacl": lambda: _run([*kg, "validate", str(trig)])}, self.scale.runs)
        turbo_ok, turbo_report, _ = validate(str(trig), engine="turbo")
        agree = turbo_ok == ours_ok and violations(turbo_report) == violations(ours_report)
        self.add(Entry("kg validate --engine turbo (pyshacl-turbo)", "s", t["turbo"], "kg validate (pyshacl)",
                       t["pyshacl"], group="validate",
                       note=f"wall time of each command in a child process; same API; "
                            f"verdict and results agree with pyshacl: {agree}"))

    # load -------------------------------------------------------------------------------------
    def _graphs(self) -> list[tuple[str, Path]]:
        out = []
        try:
            out.append(("bundled", self.bundled / "graph.nq"))
        except SuiteSkipped as exc:
            self.skipped.append({"name": "bundled corpus", "reason": str(exc)})
        label = "1M" if self.scale.big_quads >= 1_000_000 else f"{self.scale.big_quads // 1000}k"
        out.append((label, self.big_nq))
        return out

    def _oxigraph_cli(self) -> str:
        exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
        if not exe:
            raise SuiteSkipped("the oxigraph CLI is not installed (pip install oxigraph)")
        return exe

    def cli_db(self, label: str, nq: Path) -> Path:
        """An on-disk store loaded by `oxigraph load` (for `oxigraph serve`)."""
        d = self.work / f"db-cli-{label}"
        if label not in self._cli_dbs:  # built once per run: a folder left by an earlier run may be stale
            shutil.rmtree(d, ignore_errors=True)
            _run([self._oxigraph_cli(), "load", "--location", str(d), "--file", str(nq)])
            self._cli_dbs.add(label)
        return d

    def suite_load(self) -> None:
        from ..store import OxigraphStore, load_file, open_store

        cli = self._oxigraph_cli()
        for label, nq in self._graphs():
            quads = sum(1 for _ in open(nq, encoding="utf-8"))
            counter = iter(range(10**6))

            def fresh(kind: str) -> Path:
                d = self.work / f"load-{kind}-{label}-{next(counter)}"
                shutil.rmtree(d, ignore_errors=True)
                return d

            def disk() -> Took:
                d = fresh("emb")
                t0 = time.perf_counter()
                s = OxigraphStore(d)
                load_file(s, nq)
                s.flush()
                took = time.perf_counter() - t0
                del s
                shutil.rmtree(d, ignore_errors=True)
                return Took(took)

            def memory() -> Took:
                t0 = time.perf_counter()
                s = open_store("oxigraph", graph_file=nq)
                took = time.perf_counter() - t0
                del s
                return Took(took)

            def cli_load() -> Took:
                d = fresh("cli")
                t0 = time.perf_counter()
                _run([cli, "load", "--location", str(d), "--file", str(nq)])
                took = time.perf_counter() - t0
                shutil.rmtree(d, ignore_errors=True)
                return Took(took)

            t = alternate({"disk": disk, "memory": memory, "cli": cli_load}, self.scale.runs, budget={"cli": 20.0})
            note = f"{quads} quads of N-Quads"
            self.add(Entry(f"load {label}: embedded on disk", "s", t["disk"], "oxigraph load (CLI, on disk)", t["cli"],
                           group="load", goal=GOALS["load"], note=note + "; kg.store.load_file into an on-disk store",
                           extra={"quads_per_s": round(quads / (sum(t["disk"]) / len(t["disk"])))}))
            self.add(Entry(f"load {label}: embedded in memory", "s", t["memory"], "oxigraph load (CLI, on disk)", t["cli"],
                           group="load", goal=GOALS["load"], note=note + "; what every reading command does with graph.nq"))

    # queries ----------------------------------------------------------------------------------
    def suite_queries(self) -> None:
        for label, nq in self._graphs():
            self._queries_on(label, nq)

    def _queries_on(self, label: str, nq: Path) -> None:
        from ..querying import named_queries, run_named
        from ..store import open_store

        self.log(f"  queries on {label}: loading the embedded store, rdflib (child) and oxigraph serve")
        ours = open_store("oxigraph", graph_file=nq)
        worker = _Worker("memory", nq)
        self._cleanup.append(worker.close)
        server = None
        try:
            server = _Server(self._oxigraph_cli(), self.cli_db(label, nq), timeout=self.scale.ours_limit)
            self._cleanup.append(server.close)
            # the server's store must hold what ours holds (a store left by an earlier build once made
            # HTTP return fewer rows): compare the quad counts
            count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
            theirs, mine = server.value(count), str(ours.select(count).rows[0][0])
            if theirs != mine:
                server.close()
                raise RuntimeError(f"oxigraph serve holds {theirs} quads in named graphs, the embedded store {mine}")
        except (SuiteSkipped, RuntimeError) as exc:
            self.skipped.append({"name": f"queries {label}: HTTP", "reason": str(exc)})
        self.facts.setdefault("rdflib_load_s", {})[label] = round(worker.loaded, 2)

        def probe(name: str, params: dict[str, str]) -> Optional[int]:
            """Rows of a query, bounded in time: over HTTP (the server stops it), else in process."""
            if server is None:
                return len(run_named(ours, name, params).rows)
            try:
                return server.select(server.query_text(ours, name, params))
            except _TooSlow:
                return None

        samples = _Samples(ours, probe)
        try:
            for name, q in named_queries().items():
                if self.o.queries and name not in self.o.queries:
                    continue
                try:
                    self._query_pair(label, name, q, ours, worker, server, samples, probe)
                except Exception as exc:  # one query's failure is reported, the others still run
                    self.skipped.append({"name": f"query {name} @{label}", "reason": f"error: {type(exc).__name__}: {exc}"})
        finally:  # the rdflib child holds gigabytes at 1M: free them before the next suite
            worker.close()
            if server:
                server.close()

    # rdflib's time limit per run: 25× our median, so a censored baseline still decides the 20× goal;
    # never below the scale's limit, never above the bound (in quick runs a quarter of it).
    RDFLIB_CAP_FACTOR = 25.0
    RDFLIB_CAP_BOUND = 120.0

    def _query_pair(self, label: str, name: str, q, ours, worker: "_Worker", server: Optional["_Server"],
                    samples: "_Samples", probe: Callable[[str, dict[str, str]], Optional[int]]) -> None:
        import statistics

        from ..querying import run_named

        big = label != "bundled"
        params = samples.params_for(q)
        if params is None:
            self.skipped.append({"name": f"query {name} @{label}", "reason": "no parameter value found that gives rows"})
            return
        if probe(name, params) is None:  # ours would not finish in reasonable time: say so, do not hang
            self.skipped.append({"name": f"query {name} @{label}",
                                 "reason": f"too slow: over HTTP it did not finish within {self.scale.ours_limit:.0f} s"
                                           + (" (goal missed)" if big else "")})
            return
        rows: dict[str, Any] = {}
        loops: dict[str, list[int]] = {"ours": [], "rdflib": [], "http": []}

        def steady(side: str, call: Callable[[], None]) -> Took:
            """One sample: the mean per call of `call` repeated back to back (measure.per_call)."""
            took, n = per_call(call)
            loops[side].append(n)
            return Took(took)

        def emb() -> Took:
            return steady("ours", lambda: rows.__setitem__("ours", len(run_named(ours, name, params).rows)))

        # 1. ours alone (after one warm-up run): its median sets rdflib's time limit
        emb()
        first = alternate({"ours": emb}, self.scale.runs, budget={"ours": self.scale.pair_budget})["ours"]
        est = statistics.median(first)
        lo, hi = self.scale.rdflib_timeout
        bound = self.RDFLIB_CAP_BOUND / (4 if self.o.quick else 1)
        wanted = max(min(hi, max(lo, 21 * est)), self.RDFLIB_CAP_FACTOR * est)
        limit = min(bound, wanted)
        state = {"censored": False, "error": ""}

        def rdf() -> Any:
            if state["error"]:
                return GAVE_UP
            r = worker.query(name, params, limit)
            if r.get("timeout"):
                state["censored"] = True
                return Took(limit)
            if "error" in r:
                state["error"] = r["error"]
                return GAVE_UP
            rows["rdflib"] = r["rows"]
            loops["rdflib"].append(r.get("loops", 1))
            return Took(r["seconds"])

        # 2. ours, rdflib and HTTP alternately; a side that spent its budget stops repeating (at least
        # one run each), so a censored rdflib runs once at its limit.
        fns: dict[str, Callable[[], Any]] = {"ours": emb, "rdflib": rdf}
        if server:
            text = server.query_text(ours, name, params)
            fns["http"] = lambda: steady("http", lambda: rows.__setitem__("http", server.select(text)))
        budget = {"rdflib": max(limit, self.scale.rdflib_budget), "ours": self.scale.pair_budget,
                  "http": self.scale.pair_budget}
        try:
            t = alternate(fns, self.scale.runs, budget=budget)
        except (RuntimeError, _TooSlow) as exc:
            self.skipped.append({"name": f"query {name} @{label}", "reason": f"{type(exc).__name__}: {exc}"})
            return
        ms = {k: [v * 1000 for v in vs] for k, vs in t.items()}
        if state["error"]:
            ms["rdflib"] = []
        agree = "" if len(set(rows.values())) <= 1 else f"; rows differ: {rows}"
        failed = f"; rdflib failed: {state['error']}" if state["error"] else ""
        goals = []
        if big and self.scale.big_quads >= 1_000_000:
            goals = [GOALS["query"]] + ([GOALS["shared"]] if name == "shared-concepts" else [])
        ours_ms = statistics.median(ms["ours"])
        if state["censored"] and not (ours_ms and limit * 1000 >= 20 * ours_ms):
            goals = [_Undecided(*vars(g).values()) if g is GOALS["query"] else g for g in goals]
        cap_ms = limit * 1000
        extra: dict[str, Any] = {"baseline_cap_ms": round(cap_ms, 1), "ours_first_ms": round(est * 1000, 3),
                                 # calls per sample (a fast call is repeated back to back: measure.per_call)
                                 "loops": {k: int(statistics.median(v)) for k, v in loops.items() if v}}
        note = f"{rows.get('ours')} rows; params {params}{agree}{failed}"
        if state["censored"]:
            # the ratio is a lower bound: it shows the 20× goal only if the limit was at least 20× ours
            extra["cap_over_ours"] = round(cap_ms / ours_ms, 1) if ours_ms else None
            extra["goal_decidable"] = bool(ours_ms and cap_ms >= 20 * ours_ms)
            note += f"; rdflib stopped at its limit of {limit:.1f} s"
            if wanted > bound:
                extra["cap_bounded"] = True
                note += f" (the bound; 25× ours would be {wanted:.0f} s)"
        self.add(Entry(f"query {name} @{label}: vs rdflib", "ms", ms["ours"], "rdflib memory store (kg --store memory)",
                       ms["rdflib"], group=f"queries-{label}", goals=tuple(goals), baseline_censored=state["censored"],
                       note=note, extra=extra))
        if "http" in ms:
            self.add(Entry(f"query {name} @{label}: vs HTTP", "ms", ms["ours"], "oxigraph serve over loopback HTTP",
                           ms["http"], group=f"queries-{label}", note=f"{rows.get('ours')} rows"))

    # views ------------------------------------------------------------------------------------
    def suite_views(self) -> None:
        from .. import render
        from ..store import open_store

        browser = _chromium()
        graphs = self._graphs()
        for label, nq in graphs[:1] if graphs[0][0] == "bundled" else []:
            store = open_store("oxigraph", graph_file=nq)
            for view, spec in render.VIEWS.items():
                node = _view_node(store, spec) if spec.needs_node else None
                opts = {"node": node} if node else {}
                t = alternate({"ours": lambda: render.render_html(store, view, **opts),
                               "pyvis": lambda: _pyvis_default_page(render.build_view(store, view, **opts))}, self.scale.runs)
                v = render.build_view(store, view, **opts)
                self.add(Entry(f"view {view} HTML @bundled", "ms", [x * 1000 for x in t["ours"]],
                               "same view through pyvis defaults (from_nx, template)", [x * 1000 for x in t["pyvis"]],
                               group="views", note=f"{v.graph.number_of_nodes()} nodes, {v.graph.number_of_edges()} edges; query + layout + page"))
        big_label, big_nq = graphs[-1]
        store = open_store("oxigraph", graph_file=big_nq)
        for n in self.scale.view_sizes:
            t0 = time.perf_counter()
            v = render.build_view(store, "overview", max_nodes=n)  # query, limits and layout: timed once
            built = time.perf_counter() - t0
            nodes = v.graph.number_of_nodes()
            pages: dict[str, str] = {}
            t = alternate({"ours": lambda: pages.__setitem__("ours", render.page_html(render.to_pyvis(v), v)),
                           "pyvis": lambda: pages.__setitem__("pyvis", _pyvis_default_page(v))}, self.scale.runs,
                          budget={"pyvis": self.scale.browser_timeout})
            self.add(Entry(f"view overview HTML, {n} nodes", "ms", [x * 1000 for x in t["ours"]],
                           "pyvis defaults (from_nx, template)", [x * 1000 for x in t["pyvis"]], group="views",
                           note=f"{nodes} nodes, {v.graph.number_of_edges()} edges of the {big_label} graph's overview; "
                                f"page only (building the view, query and layout: {built:.2f} s once)",
                           extra={"view_build_s": round(built, 3)}))
            if browser is None:
                continue
            with _PageServer(self.work / "pages") as srv:
                urls = {k: srv.publish(f"{k}-{n}.html", page) for k, page in pages.items()}
                limit = self.scale.browser_timeout
                censored = {"pyvis": False}

                def shot(kind: str) -> Callable[[], Took]:
                    def fn() -> Took:
                        ms = srv.time_page(browser, urls[kind], limit)
                        if ms is None:
                            if kind == "ours":
                                raise RuntimeError(f"our {n}-node page did not draw within {limit:.0f} s")
                            censored["pyvis"] = True
                            return Took(limit)
                        return Took(ms / 1000)
                    return fn

                t = alternate({"ours": shot("ours"), "pyvis": shot("pyvis")}, self.scale.runs, budget={"pyvis": limit})
            self.add(Entry(f"view overview in Chromium, {n} nodes", "ms", [x * 1000 for x in t["ours"]],
                           "pyvis default physics (until stabilized)", [x * 1000 for x in t["pyvis"]], group="views",
                           goals=(GOALS["view"],) if n == 1000 else (), baseline_censored=censored["pyvis"],
                           note=f"{nodes} nodes; page clock from navigation to a stable network (drawn with physics off, "
                                f"or 'stabilized'); headless Chromium"))
        if browser is None:
            self.skipped.append({"name": "views in Chromium", "reason": "no chromium on PATH (apt-get install chromium)"})

    # cli --------------------------------------------------------------------------------------
    def suite_cli(self) -> None:
        kg = _kg_cmd()
        cmds = {"help": [*kg, "--help"], "python": [sys.executable, "-c", "pass"]}
        try:
            cmds["query"] = [*kg, "query", "documents", "--build-dir", str(self.bundled), "--format", "csv"]
        except SuiteSkipped as exc:
            self.skipped.append({"name": "kg query documents", "reason": str(exc)})
        t = alternate({k: (lambda c=c: _run(c)) for k, c in cmds.items()}, max(self.scale.runs, 5), warmup=1)
        self.add(Entry("kg --help", "s", t["help"], "python -c pass", t["python"], group="cli", goal=GOALS["help"],
                       note="wall time of the console script in a child process"))
        if "query" in t:
            self.add(Entry("kg query documents", "s", t["query"], "python -c pass", t["python"], group="cli",
                           note="bundled build, graph.nq loaded into the embedded store"))


# ---------------------------------------------------------------------------------------- helpers
def _limit_memory() -> None:
    """In the rdflib child: at most 40 % of the machine's memory (rdflib's evaluator can take over
    10 GB on one query with a long time limit); past it the query fails with MemoryError, reported."""
    import resource

    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        cap = max(4 << 30, int(total * 0.4))
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ValueError, OSError):
        pass


class _Worker:
    """The rdflib store in a child process (kg.bench.worker)."""

    def __init__(self, kind: str, nq: Path) -> None:
        self.p = subprocess.Popen([sys.executable, "-m", "kg.bench.worker", kind, str(nq)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, preexec_fn=_limit_memory)
        first = json.loads(self.p.stdout.readline() or "{}")
        if "loaded" not in first:
            self.close()
            raise RuntimeError(f"the rdflib worker could not load {nq}")
        self.loaded = float(first["loaded"])

    def query(self, name: str, params: dict[str, str], timeout: float) -> dict[str, Any]:
        self.p.stdin.write(json.dumps({"name": name, "params": params, "timeout": timeout}) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("the rdflib worker stopped")
        return json.loads(line)

    def close(self) -> None:
        if self.p.poll() is None:
            self.p.stdin.close()
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


class _Undecided(Goal):
    """The 20× query goal when rdflib stopped at a limit below 20× ours: the lower bound cannot decide it."""

    def met(self, entry: Entry) -> Optional[bool]:
        return True if entry.ratio is not None and entry.ratio >= self.value else None


class _TooSlow(Exception):
    """The SPARQL server stopped a query at its time limit."""


class _Server:
    """`oxigraph serve-read-only` on a loopback port, union default graph; stopped by close()."""

    def __init__(self, exe: str, db: Path, timeout: float = 120.0) -> None:
        self.timeout = timeout
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/query"
        self.p = subprocess.Popen([exe, "serve-read-only", "--location", str(db), "--bind", f"127.0.0.1:{self.port}",
                                   "--union-default-graph", "--timeout-s", str(int(timeout))], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            try:
                self.select("ASK { }")
                break
            except (OSError, _TooSlow):
                if self.p.poll() is not None or time.time() > deadline:
                    self.close()
                    raise RuntimeError("oxigraph serve did not start on loopback within 30 s")
                time.sleep(0.1)

    def query_text(self, store, name: str, params: dict[str, str]) -> str:
        """The exact text kg runs for a named query (parameters bound), with the prefix table declared."""
        from ..namespaces import sparql_prologue
        from ..querying import bind_values, get_query, resolve_term

        q = get_query(name)
        bindings = {}
        for p in q.params:
            raw = params.get(p.name, p.default)
            bindings[p.name] = None if (getattr(p, "optional", False) and p.name not in params) else resolve_term(store, p, str(raw))
        return sparql_prologue() + bind_values(q.text, bindings)

    def value(self, text: str) -> Optional[str]:
        """The first value of the first row of a SELECT."""
        data = urllib.parse.urlencode({"query": text}).encode("utf-8")
        req = urllib.request.Request(self.url, data=data, headers={
            "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(req, timeout=self.timeout + 30) as r:
            rows = json.loads(r.read()).get("results", {}).get("bindings", [])
        return next(iter(rows[0].values()))["value"] if rows and rows[0] else None

    def select(self, text: str) -> int:
        data = urllib.parse.urlencode({"query": text}).encode("utf-8")
        req = urllib.request.Request(self.url, data=data, headers={
            "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout + 30) as r:
                raw = r.read()
        except urllib.error.HTTPError as exc:  # the server's own time limit, or a query it rejects
            raise _TooSlow(f"HTTP {exc.code}: {exc.read()[:200].decode('utf-8', 'replace')}") from None
        except http.client.IncompleteRead:
            raise _TooSlow("the server cut the response") from None
        try:
            body = json.loads(raw)
        except ValueError:  # results are streamed: a query stopped at the time limit leaves them cut short
            raise _TooSlow("the server cut the results short (time limit)") from None
        return len(body.get("results", {}).get("bindings", [])) if "results" in body else 1

    def close(self) -> None:
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


class _Samples:
    """Parameter values for named queries that take required parameters: real nodes of the graph."""

    _PICK = {
        "area": "SELECT ?v WHERE { ?d qp:jurisdiction ?v ; qp:hasTarget ?t } GROUP BY ?v ORDER BY DESC(COUNT(?t)) ?v LIMIT 3",
        "city": "SELECT ?v WHERE { ?d qp:jurisdiction ?v . ?v a qp:City } GROUP BY ?v ORDER BY DESC(COUNT(?d)) ?v LIMIT 3",
        "concept": "SELECT ?v WHERE { VALUES ?c { qp:CertificationScheme qp:Award qp:Initiative } ?d qp:mentions ?v . ?v a ?c }"
                   " GROUP BY ?v ORDER BY DESC(COUNT(?d)) ?v LIMIT 3",
        "plan": "SELECT ?v WHERE { ?v a qp:Plan ; qp:hasTarget ?t } GROUP BY ?v ORDER BY DESC(COUNT(?t)) ?v LIMIT 3",
        "indicator": "SELECT ?v WHERE { ?t qp:indicator ?v } GROUP BY ?v ORDER BY DESC(COUNT(?t)) ?v LIMIT 3",
        "label": "SELECT ?v WHERE { ?c a skos:Concept ; skos:prefLabel ?v . FILTER(LANG(?v) = 'zh') ?d qp:mentions ?c }"
                 " GROUP BY ?v ORDER BY DESC(COUNT(?d)) ?v LIMIT 3",
    }

    def __init__(self, store, probe: Optional[Callable[[str, dict[str, str]], Optional[int]]] = None) -> None:
        self.store = store
        self.probe = probe
        self._cache: dict[str, list[str]] = {}

    def values(self, what: str) -> list[str]:
        if what not in self._cache:
            self._cache[what] = [str(r[0]) for r in self.store.select(self._PICK[what]).rows if r[0] is not None]
        return self._cache[what]

    def candidates(self, pname: str, kind: str) -> list[str]:
        if kind == "integer":
            return ["1", "2"]
        if kind in ("area",) or pname == "city":
            return self.values("area") + self.values("city")
        if kind == "concept" or pname == "concept":
            return self.values("concept")
        if pname == "plan":
            return self.values("plan")
        if pname == "indicator":
            return [v[-5:] for v in self.values("indicator")]
        if kind == "string":
            return self.values("label") + self.values("indicator")
        return self.values("city") + self.values("concept") + self.values("plan")

    def params_for(self, q) -> Optional[dict[str, str]]:
        """Defaults where given; for required parameters the first candidate that yields rows."""
        from ..errors import KgError
        from ..querying import run_named

        required = [p for p in q.params if p.default is None and not getattr(p, "optional", False)]
        params: dict[str, str] = {}
        for p in required:
            for cand in self.candidates(p.name, p.kind):
                trial = dict(params, **{p.name: cand})
                if len(required) > len(trial):
                    params = trial
                    break
                try:
                    n = self.probe(q.name, trial) if self.probe else len(run_named(self.store, q.name, trial).rows)
                except KgError:
                    continue
                if n:
                    params = trial
                    break
            else:
                return None
        return params


def _view_node(store, spec) -> Optional[str]:
    samples = _Samples(store)
    for what in ("plan", "city", "concept"):
        vals = samples.values(what)
        if vals:
            return vals[0]
    return None


def _pyvis_default_page(view) -> str:
    """The baseline page: pyvis as documented (from_nx, default physics, in-line resources)."""
    from pyvis.network import Network

    import networkx as nx

    net = Network(height="800px", width="100%", cdn_resources="in_line")
    g = nx.Graph()  # labels and tooltips only: pyvis lays out with physics, and 'source' is its own keyword
    for n, d in view.graph.nodes(data=True):
        g.add_node(n, label=str(d.get("label", n)), title=str(d.get("title", "")))
    for a, b, d in view.graph.edges(data=True):
        g.add_edge(a, b, title=str(d.get("title", "")))
    net.from_nx(g)
    return net.generate_html()


def _chromium() -> Optional[str]:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        exe = shutil.which(name)
        if exe:
            return exe
    return None


# The hook a measured page gets: report the page's own clock when the network is drawn with physics
# off, or when physics says 'stabilized'. Both our page (window.kgView.network) and pyvis's template
# (a global `network`) are recognised.
_HOOK = """<script>(function () {
  var sent = false;
  function done(ev) { if (sent) { return; } sent = true;
    var i = new Image(); i.src = "/done?ms=" + performance.now().toFixed(1) + "&ev=" + ev; }
  function attach() {
    var n = (window.kgView && window.kgView.network) || (typeof network !== "undefined" ? network : null);
    if (!n) { setTimeout(attach, 5); return; }
    var physics = n.physics && n.physics.options && n.physics.options.enabled;
    if (physics) { n.once("stabilized", function () { done("stabilized"); }); }
    else if (window.kgView && window.kgView.drawn) { done("drawn"); }
    else { n.once("afterDrawing", function () { setTimeout(function () { done("drawn"); }, 0); }); }
  }
  attach();
})();</script>"""


class _PageServer:
    """A loopback HTTP server for measured pages and their 'done' beacon (same origin: no CORS, no CSP issue)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.done: dict[str, float] = {}
        self.event = threading.Event()

    def __enter__(self) -> "_PageServer":
        from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

        outer = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=str(outer.folder), **kw)

            def do_GET(self):  # noqa: N802 - http.server's naming
                if self.path.startswith("/done?"):
                    q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                    outer.done["ms"] = float(q["ms"][0])
                    outer.event.set()
                    self.send_response(204)
                    self.end_headers()
                    return
                super().do_GET()

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def publish(self, name: str, page: str) -> str:
        import re

        # Our page's CSP forbids the beacon; the measured copy drops it (rendering is unchanged).
        page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page, count=1)
        page = page.replace("</body>", _HOOK + "</body>", 1) if "</body>" in page else page + _HOOK
        (self.folder / name).write_text(page, encoding="utf-8")
        return self.base + name

    def time_page(self, browser: str, url: str, timeout: float) -> Optional[float]:
        """Milliseconds on the page's clock until the network is stable; None past the timeout."""
        self.done.clear()
        self.event.clear()
        with tempfile.TemporaryDirectory() as profile:
            p = subprocess.Popen([browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                  "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                                  "--disable-background-networking", f"--user-data-dir={profile}",
                                  "--window-size=1280,900", url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
            try:
                ok = self.event.wait(timeout)
            finally:
                try:
                    os.killpg(p.pid, 9)
                except ProcessLookupError:
                    pass
                p.wait()
        return self.done.get("ms") if ok else None


def run_bench(options: RunOptions, log: Callable[[str], None] = lambda m: None) -> dict[str, Any]:
    """Run the selected suites and write OUT/results.json; return the results document."""
    from .report import results_dict, write_results

    bench = Bench(options, log)
    bench.run()
    s = bench.scale
    settings = {"quick": options.quick, "suites": list(options.suites), "queries": list(options.queries) or "all",
                "runs": s.runs, "seed": options.seed,
                "throughput_docs": s.throughput_docs, "memory_docs": s.memory_docs, "big_quads": s.big_quads,
                "view_sizes": list(s.view_sizes), "facts": bench.facts}
    data = results_dict(bench.entries, settings, bench.recall, bench.skipped)
    write_results(options.out / "results.json", data)
    return data
