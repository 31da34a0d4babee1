"""Positions computed in Python, so the browser draws with physics off (measured far faster than
vis-network's own physics, which freezes beyond about a thousand nodes). numpy only, no scipy."""
from __future__ import annotations

import math

import networkx as nx


def layout(g: nx.Graph, clustered: bool = False, seed: int = 7) -> None:
    """Fruchterman–Reingold in numpy (no scipy), seeded by communities when clustered; x, y in pixels."""
    import numpy as np

    nodes = sorted(g)
    n = len(nodes)
    if n == 0:
        return
    idx = {v: i for i, v in enumerate(nodes)}
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    if clustered and n > 2 and g.number_of_edges():
        # A canonical copy (sorted nodes and edges) and sorted communities: louvain and set order would
        # otherwise follow Python's per-process string hashing, and the layout would change on every run.
        canon = nx.Graph()
        canon.add_nodes_from(nodes)
        canon.add_edges_from(sorted(tuple(sorted(e)) for e in g.edges()))
        comms = sorted((sorted(c) for c in nx.community.louvain_communities(canon, seed=seed)), key=lambda c: (-len(c), c[0]))
        for ci, comm in enumerate(comms):
            angle = 2 * math.pi * ci / len(comms)
            cx, cy = 0.5 + 0.4 * math.cos(angle), 0.5 + 0.4 * math.sin(angle)
            for v in comm:
                g.nodes[v]["cluster"] = ci + 1
                pos[idx[v]] = (cx + 0.12 * (rng.random() - 0.5), cy + 0.12 * (rng.random() - 0.5))
    adj = np.zeros((n, n), dtype=np.float32)
    for a, b in g.edges():
        adj[idx[a], idx[b]] = adj[idx[b], idx[a]] = 1.0
    pos = fruchterman_reingold(adj, pos.astype(np.float32), iterations=80 if n <= 2000 else 40)
    pos -= pos.mean(axis=0)
    spread = float(np.abs(pos).max()) or 1.0
    pos = declutter(pos / spread * (60.0 * math.sqrt(n) + 150.0), MIN_GAP)
    for v, (x, y) in zip(nodes, pos):
        g.nodes[v]["x"], g.nodes[v]["y"] = int(round(float(x))), int(round(float(y)))


MIN_GAP = 80.0  # pixels between node centres, so labels of a dense core stay legible


def declutter(pos, gap: float, iterations: int = 60):
    """Push apart every pair of nodes closer than `gap` (force layouts pile shared nodes between hubs)."""
    import numpy as np

    pos = pos.astype(np.float32)
    for _ in range(iterations):
        sq = (pos * pos).sum(1)
        d2 = sq[:, None] + sq[None, :] - 2 * pos @ pos.T
        np.maximum(d2, 1e-2, out=d2)
        d = np.sqrt(d2)
        push = np.maximum(gap - d, 0) / d / 2  # each node of a pair moves half the overlap
        np.fill_diagonal(push, 0)
        if not push.any():
            break
        pos = pos + pos * push.sum(1)[:, None] - push @ pos
    return pos


def fruchterman_reingold(adj, pos, iterations: int = 80):
    """Force-directed layout with (n, n) matrices only: pairwise distances from |p|² terms, no (n, n, 2) array."""
    import numpy as np

    n = adj.shape[0]
    k2 = np.float32(1.0 / n)
    k = np.sqrt(k2)
    t = 0.1
    dt = t / (iterations + 1)
    for _ in range(iterations):
        sq = (pos * pos).sum(1)
        d2 = sq[:, None] + sq[None, :] - 2 * pos @ pos.T
        np.maximum(d2, 1e-4, out=d2)
        f = k2 / d2 - adj * np.sqrt(d2) / k
        np.fill_diagonal(f, 0)
        disp = pos * f.sum(1)[:, None] - f @ pos
        length = np.sqrt((disp * disp).sum(1))
        np.maximum(length, 0.01, out=length)
        pos = pos + disp * (t / length)[:, None]
        t -= dt
    return pos
