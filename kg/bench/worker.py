"""A child process holding one store, answering timed named queries on stdin/stdout (JSON lines).

    python -m kg.bench.worker memory build/graph.nq

The benchmark keeps the slow rdflib store in a child so that one runaway query can be stopped
(a timer interrupts it) without stopping the benchmark, and so the child's memory is returned
when it exits. Requests: {"name": ..., "params": {...}, "timeout": seconds}. Replies:
{"seconds": t, "rows": n, "loops": k} | {"timeout": true} | {"error": "..."}; the first line reports the load.
A fast query is run k times back to back and t is the mean per call (kg.bench.measure.per_call);
the time limit applies to the first call.
"""
from __future__ import annotations

import json
import signal
import sys
import time


class _Timeout(BaseException):
    """Raised by the timer inside rdflib's evaluation. Not an Exception: the memory store turns
    exceptions into StoreErrors, which would report a stopped query as a failed one."""


def _alarm(_signum, _frame):
    raise _Timeout()


def main(argv: list[str]) -> int:
    from pathlib import Path

    from ..querying import run_named
    from ..store import open_store
    from ..terms import gc_paused
    from .measure import MIN_SAMPLE_SECONDS, per_call

    kind, graph_file = argv[0], argv[1]
    t0 = time.perf_counter()
    store = open_store(kind, graph_file=Path(graph_file))
    print(json.dumps({"loaded": time.perf_counter() - t0, "quads": len(store)}), flush=True)
    signal.signal(signal.SIGALRM, _alarm)
    for line in sys.stdin:
        req = json.loads(line)
        try:
            signal.setitimer(signal.ITIMER_REAL, float(req.get("timeout") or 0))
            name, params = req["name"], req.get("params") or {}
            with gc_paused():  # as kg.bench.measure.timed does for our side
                t0 = time.perf_counter()
                rows = len(run_named(store, name, params).rows)
                took = time.perf_counter() - t0
                signal.setitimer(signal.ITIMER_REAL, 0)  # the time limit is for one call
                loops = 1
                if took < MIN_SAMPLE_SECONDS:  # a fast call: repeat it back to back, as the benchmark does for ours
                    rest, more = per_call(lambda: run_named(store, name, params), MIN_SAMPLE_SECONDS - took)
                    took, loops = (took + rest * more) / (1 + more), 1 + more
            reply = {"seconds": took, "rows": rows, "loops": loops}
        except _Timeout:
            reply = {"timeout": True}
        except Exception as exc:  # report, keep serving: one bad query must not end the run
            signal.setitimer(signal.ITIMER_REAL, 0)
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
