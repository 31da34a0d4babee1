"""Regenerate tests/golden/<query>.json: the expected rows of every named query on the bundled corpus.

    .venv/bin/python -m tests.regen_golden            # every query
    .venv/bin/python -m tests.regen_golden city-targets documents

Review the diff (`git diff tests/golden`) before committing: it is the change extraction made.
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"

# The parameters each named query is run with on the bundled corpus.
CASES: dict[str, dict[str, str]] = {
    "binding-targets": {},
    "cities-without": {"concept": "浙食链"},
    "city-agencies": {"city": "湖州市"},
    "city-programs": {"city": "绍兴市"},
    "city-targets": {"city": "湖州市"},
    "concept-cooccurrence": {},
    "concept-evidence": {"concept": "浙食链"},
    "counts-by-class": {},
    "describe": {"node": "浙食链"},
    "documents": {},
    "indicator-across-cities": {"indicator": "合格率"},
    "mentions": {"doc": "003_b8d4b0b9a0480c56.txt"},
    "node-provenance": {"node": "qpd:concept/zheshilian"},
    "plan-lineage": {"city": "湖州市"},
    "programs": {},
    "shared-concepts": {"min_cities": "2"},
    "targets": {},
    "targets-by-category": {},
}


def golden_record(graph, name: str, params: dict[str, str]) -> dict:
    res = graph.query(name, **params)
    return {"query": name, "params": params, "columns": list(res.vars), "rows": json.loads(res.to_json())}


def write(name: str, record: dict) -> Path:
    GOLDEN.mkdir(exist_ok=True)
    p = GOLDEN / f"{name}.json"
    p.write_text(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    return p


def main(names: list[str]) -> int:
    import kg
    from kg.pipeline import build

    from .conftest import RAW

    unknown = sorted(set(names) - set(CASES))
    if unknown:
        print(f"Error: no golden case for {', '.join(unknown)} (add it to CASES in tests/regen_golden.py)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        summary = build([RAW], Path(tmp) / "build", store=None)
        if summary.failed:
            print(f"Error: the bundled corpus did not build: {[d.error for d in summary.failed]}", file=sys.stderr)
            return 1
        g = kg.open(Path(tmp) / "build")
        for name in names or sorted(CASES):
            rec = golden_record(g, name, CASES[name])
            print(f"{write(name, rec)}: {len(rec['rows'])} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
