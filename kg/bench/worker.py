"""A child process holding one store, answering timed named queries on stdin/stdout (JSON lines).

    python -m kg.bench.worker memory build/graph.nq

The benchmark keeps the slow rdflib store in a child so that one runaway query can be stopped
(a timer interrupts it) without stopping the benchmark, and so the child's memory is returned
when it exits. Requests: {"name": ..., "params": {...}, "timeout": seconds}. Replies:
{"seconds": t, "rows": n} | {"timeout": true} | {"error": "..."}; the first line reports the load.
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

    kind, graph_file = argv[0], argv[1]
    t0 = time.perf_counter()
    store = open_store(kind, graph_file=Path(graph_file))
    print(json.dumps({"loaded": time.perf_counter() - t0, "quads": len(store)}), flush=True)
    signal.signal(signal.SIGALRM, _alarm)
    for line in sys.stdin:
        req = json.loads(line)
        try:
            signal.setitimer(signal.ITIMER_REAL, float(req.get("timeout") or 0))
            t0 = time.perf_counter()
            res = run_named(store, req["name"], req.get("params") or {})
            took = time.perf_counter() - t0
            signal.setitimer(signal.ITIMER_REAL, 0)
            reply = {"seconds": took, "rows": len(res.rows)}
        except _Timeout:
            reply = {"timeout": True}
        except Exception as exc:  # report, keep serving: one bad query must not end the run
            signal.setitimer(signal.ITIMER_REAL, 0)
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
