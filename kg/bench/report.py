"""results.json: the machine, the date, the git commit, and one entry per measurement; and the printed table."""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterable

from .. import atomic
from .measure import Entry

SCHEMA_VERSION = 1
ENTRY_KEYS = ("name", "unit", "ours", "baseline_name", "baseline", "ratio", "runs", "min", "median", "max")


def machine() -> dict[str, Any]:
    """CPU model, cores, memory, OS and the versions of the engines measured."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    versions = {}
    from importlib.metadata import PackageNotFoundError, version

    for pkg in ("qpkg", "pyoxigraph", "oxigraph", "rdflib", "pyshacl", "pyshacl-turbo", "pyvis", "networkx"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": versions,
    }


def git_commit(cwd: str | Path = ".") -> dict[str, Any]:
    """The commit measured and whether the tree had uncommitted changes."""
    def run(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=True).stdout.strip()

    try:
        return {"commit": run("rev-parse", "HEAD"), "dirty": bool(run("status", "--porcelain", "--untracked-files=no"))}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def results_dict(entries: Iterable[Entry], settings: dict[str, Any], recall: dict[str, Any] | None = None,
                 skipped: Iterable[dict[str, str]] = (), cwd: str | Path = ".") -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "date": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "git": git_commit(cwd),
        "machine": machine(),
        "settings": settings,
        "entries": [e.as_dict() for e in entries],
        "recall": recall or {},
        "skipped": list(skipped),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
    }


def write_results(path: str | Path, data: dict[str, Any]) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(p, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return p


def check_results(data: Any) -> list[str]:
    """Problems with a results document (empty when it is well formed)."""
    problems = []
    if not isinstance(data, dict):
        return ["results: not a JSON object"]
    for key in ("schema", "date", "git", "machine", "entries"):
        if key not in data:
            problems.append(f"results: missing {key!r}")
    m = data.get("machine", {})
    for key in ("cpu", "cores", "memory_gb"):
        if key not in m:
            problems.append(f"machine: missing {key!r}")
    if "commit" not in data.get("git", {}):
        problems.append("git: missing 'commit'")
    names = set()
    for i, e in enumerate(data.get("entries", [])):
        missing = [k for k in ENTRY_KEYS if k not in e]
        if missing:
            problems.append(f"entry {i}: missing {', '.join(missing)}")
            continue
        if e["name"] in names:
            problems.append(f"entry {i}: duplicate name {e['name']!r}")
        names.add(e["name"])
        if not isinstance(e["runs"], int) or e["runs"] < 1:
            problems.append(f"entry {e['name']!r}: runs must be a positive integer")
        nums = [e[k] for k in ("min", "median", "max")]
        if any(not isinstance(v, (int, float)) for v in nums):
            problems.append(f"entry {e['name']!r}: min/median/max must be numbers")
        elif not nums[0] <= nums[1] <= nums[2]:
            problems.append(f"entry {e['name']!r}: min <= median <= max does not hold")
        elif e["ours"] != e["median"]:
            problems.append(f"entry {e['name']!r}: ours is not the median")
        if e["baseline"] is not None and not e["baseline_name"]:
            problems.append(f"entry {e['name']!r}: a baseline without a name")
    return problems


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def table(data: dict[str, Any]) -> str:
    """The printed summary: one line per entry, goals marked ok / MISSED."""
    from ..querying import _w

    head = ["name", "unit", "ours", "baseline", "baseline name", "ratio", "runs", "goal"]
    rows = []
    for e in data["entries"]:
        goal = "; ".join(("ok " if g["met"] else "MISSED " if g["met"] is False else "? ") + g["text"]
                         for g in e.get("goals", ()))
        base = _fmt(e["baseline"]) + (">" if e.get("baseline_censored") else "")
        rows.append([e["name"], e["unit"], _fmt(e["ours"]), base, (e["baseline_name"] or "")[:38], _fmt(e["ratio"]),
                     str(e["runs"]), goal])
    widths = [max(_w(head[i]), *(_w(r[i]) for r in rows)) if rows else _w(head[i]) for i in range(len(head))]

    def line(r: list[str]) -> str:
        return "  ".join(v + " " * (widths[i] - _w(v)) for i, v in enumerate(r)).rstrip()

    out = [line(head), "  ".join("-" * w for w in widths), *map(line, rows)]
    rec = data.get("recall") or {}
    if rec:
        out.append("")
        out.append(f"recall on {rec.get('documents', '?')} synthetic documents:")
        for fact, r in sorted((rec.get("types") or {}).items()):
            state = "" if r.get("extracted") else "  (not extracted yet)"
            out.append(f"  {fact:24} {r['found']}/{r['planted']} = {_fmt(r['recall'])}{state}")
    for s in data.get("skipped", []):
        out.append(f"skipped: {s['name']}: {s['reason']}")
    m = data.get("machine", {})
    out.append(f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('memory_gb', '?')} GB; "
               f"commit {(data.get('git') or {}).get('commit') or '?'}; {data.get('date', '')}")
    return "\n".join(out)
