"""Paired timings and result entries.

Pairs are measured alternately in the same process run (ours, baseline, baseline, ours, …) so
that drift in the machine's speed hits both sides alike. An entry keeps the median of each side
and min/median/max of ours; `ratio` always reads "how many times better ours is":
baseline / ours for costs (seconds, megabytes), ours / baseline for rates (MB/s, docs/s).
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

LOWER_IS_BETTER = {"s", "ms", "MB"}
HIGHER_IS_BETTER = {"MB/s", "docs/s", "x"}


@dataclass(frozen=True)
class Goal:
    """A target an entry must reach: `on` is "ours" or "ratio"."""

    text: str
    on: str
    op: str  # ">=" | "<="
    value: float

    def met(self, entry: "Entry") -> Optional[bool]:
        v = entry.ours if self.on == "ours" else entry.ratio
        if v is None:
            return None
        return v >= self.value if self.op == ">=" else v <= self.value


@dataclass
class Entry:
    name: str
    unit: str
    ours_runs: list[float]
    baseline_name: str = ""
    baseline_runs: list[float] = field(default_factory=list)
    group: str = ""
    goal: Optional[Goal] = None
    goals: tuple[Goal, ...] = ()
    note: str = ""
    baseline_censored: bool = False  # baseline runs stopped at a time limit: its value is a lower bound
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ours(self) -> Optional[float]:
        return _round(statistics.median(self.ours_runs)) if self.ours_runs else None

    @property
    def baseline(self) -> Optional[float]:
        return _round(statistics.median(self.baseline_runs)) if self.baseline_runs else None

    @property
    def ratio(self) -> Optional[float]:
        o, b = self.ours, self.baseline
        if o is None or b is None or o == 0 or b == 0:
            return None
        return _round(o / b if self.unit in HIGHER_IS_BETTER else b / o)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "unit": self.unit,
            "ours": self.ours,
            "baseline_name": self.baseline_name or None,
            "baseline": self.baseline,
            "ratio": self.ratio,
            "runs": len(self.ours_runs),
            "min": _round(min(self.ours_runs)) if self.ours_runs else None,
            "median": self.ours,
            "max": _round(max(self.ours_runs)) if self.ours_runs else None,
            "group": self.group,
            "baseline_runs": len(self.baseline_runs),
        }
        if self.baseline_runs:
            d["baseline_min"] = _round(min(self.baseline_runs))
            d["baseline_max"] = _round(max(self.baseline_runs))
        if self.baseline_censored:
            d["baseline_censored"] = True
        goals = ((self.goal,) if self.goal else ()) + tuple(self.goals)
        if goals:
            d["goals"] = [{"text": g.text, "on": g.on, "op": g.op, "value": g.value, "met": g.met(self)} for g in goals]
            met = [g.met(self) for g in goals]
            d["met"] = None if None in met else all(met)
        if self.note:
            d["note"] = self.note
        d.update(self.extra)
        return d


def _round(v: float) -> float:
    """Four significant digits: enough for a benchmark, stable in JSON."""
    if v == 0:
        return 0.0
    return float(f"{v:.4g}")


class Took(float):
    """Seconds a callable measured itself (a page's own clock, a child's report)."""


#: A sample of a fast call repeats it back to back for at least this long (pyperf and timeit's
#: autorange do the same): one call of a millisecond after the other side ran is mostly the cost of
#: cold CPU caches and a sleeping core (1.3 ms in a loop, 2.2 ms after a 30 ms pause, measured here).
MIN_SAMPLE_SECONDS = 0.05
MAX_LOOPS = 200


def per_call(fn: Callable[[], Any], min_seconds: float = MIN_SAMPLE_SECONDS, max_loops: int = MAX_LOOPS) -> tuple[float, int]:
    """(mean seconds per call, calls): fn called back to back until min_seconds have passed."""
    n = 0
    t0 = time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= min_seconds or n >= max_loops:
            return elapsed / n, n


#: What a callable returns when its side gave up (a baseline that failed): nothing is recorded.
GAVE_UP = object()


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time of one call, with the cyclic garbage collector off as timeit does: a collection
    triggered by earlier allocations (a large result of the previous query) would land on
    whichever side happens to run next. The rdflib worker times its side the same way."""
    from ..terms import gc_paused

    with gc_paused():
        t0 = time.perf_counter()
        out = fn()
        return time.perf_counter() - t0, out


def alternate(
    fns: dict[str, Callable[[], Any]],
    runs: int,
    warmup: int = 0,
    budget: Optional[dict[str, float]] = None,
    on_result: Optional[Callable[[str, Any], None]] = None,
) -> dict[str, list[float]]:
    """Time each callable `runs` times, rotating the order every round.

    A callable may return `Took(seconds)` it measured itself (e.g. a page's own clock or a
    child's report), or GAVE_UP to record nothing; any other return value means "use the wall
    time of the call". `budget`
    caps the total seconds spent on one callable: past it, that side stops early (at least one run).
    """
    names = list(fns)
    for _ in range(warmup):
        for n in names:
            fns[n]()
    out: dict[str, list[float]] = {n: [] for n in names}
    spent = {n: 0.0 for n in names}
    for r in range(runs):
        order = names[r % len(names):] + names[: r % len(names)]  # each side leads in turn
        for n in order:
            if budget and n in budget and out[n] and spent[n] >= budget[n]:
                continue
            wall, res = timed(fns[n])
            if on_result:
                on_result(n, res)
            if res is GAVE_UP:
                continue
            out[n].append(float(res) if isinstance(res, Took) else wall)
            spent[n] += out[n][-1]
    return out
