"""Benchmarks and scale: a synthetic corpus generator, the benchmark runner and its report.

- `corpus`: `generate_corpus(n, out, seed)` writes plan and article texts for n cities and
  counties of the GB/T 2260 vocabulary, each with a `.facts.json` sidecar of the facts it planted.
- `recall`: compares the planted facts with what a build put into the graph.
- `measure`: paired, alternating timings and the result entries.
- `runner`: the suites behind `kg bench run` (build, validation, load, queries, views, CLI, memory).
- `report`: results.json, the printed table, machine and commit information.

Nothing here is imported by the pipeline; it sits on top, like the CLI.
"""
