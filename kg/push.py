"""`kg push`: load a build into a remote SPARQL 1.1 store, one named graph per document.

Each graph is sent with the Graph Store HTTP Protocol: a PUT replaces it (so pushing twice gives
the same store), further batches of a large graph are POSTed (added). Afterwards the triples of
every pushed graph are counted through the query endpoint and compared with the local counts.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from .errors import ServerError, UsageError
from .store import Store

DEFAULT_BATCH = 50_000


@dataclass(frozen=True)
class PushReport:
    graphs: int
    triples: int
    requests: int
    remote_triples: int  # counted by the server in the pushed graphs
    pruned: tuple[str, ...] = ()
    seconds: float = 0.0


def _batches(ntriples: bytes, size: int) -> list[bytes]:
    lines = [ln for ln in ntriples.split(b"\n") if ln.strip()]
    if not lines:
        return [b""]
    if b"_:" in ntriples:
        # blank node labels are scoped to one request: a graph with blank nodes goes in one piece
        return [b"\n".join(lines) + b"\n"]
    return [b"\n".join(lines[i : i + size]) + b"\n" for i in range(0, len(lines), size)]


def push(source: Store, store_url: str, query_url: str | None = None, batch_size: int = DEFAULT_BATCH,
         prune: bool = False, progress: Callable[[str], None] | None = None, graph_prefix: str | None = None) -> PushReport:
    """Push every named graph of `source` (and its default graph, if any) to the Graph Store at store_url."""
    from .namespaces import QPD
    from .remote import SparqlStore, derive_query_url

    if batch_size < 1:
        raise UsageError(f"--batch-size {batch_size}: give a positive number of triples per request")
    t0 = time.perf_counter()
    remote = SparqlStore(query_url or derive_query_url(store_url), gsp_url=store_url)
    graphs = source.graphs()
    local: dict[str, int] = {}
    requests = 0
    for g in [*graphs, None]:
        data = source.triples(g)
        if g is None and not data.strip():
            continue  # builds put everything in named graphs
        parts = _batches(data, batch_size)
        n = sum(1 for ln in data.split(b"\n") if ln.strip())
        for i, part in enumerate(parts):
            (remote.put_graph if i == 0 else remote.post_graph)(g, part)
            requests += 1
        if g is not None:
            local[g] = n
        if progress:
            progress(g or "default graph")
    pruned: list[str] = []
    prefix = graph_prefix or str(QPD["graph/"])
    if prune:
        for g in remote.graphs():
            if g.startswith(prefix) and g not in local:
                remote.delete_graph(g)
                pruned.append(g)
                requests += 1
    counts = remote.counts()
    for g, n in sorted(local.items()):
        got = counts.get(g, 0)
        if got != n:
            raise ServerError(f"push check failed: graph <{g}> has {got} triples at {remote.url}, expected {n} "
                              f"(is {remote.url} the query endpoint of the same store? pass --query-url)")
    return PushReport(graphs=len(local), triples=sum(local.values()), requests=requests,
                      remote_triples=sum(counts.get(g, 0) for g in local), pruned=tuple(pruned),
                      seconds=time.perf_counter() - t0)
