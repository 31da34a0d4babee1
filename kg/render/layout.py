"""Positions computed in Python, so the browser draws with physics off (measured far faster than
vis-network's own physics, which freezes beyond about a thousand nodes). numpy only, no scipy."""
from __future__ import annotations

import math

import networkx as nx


def layout(g: nx.Graph, clustered: bool = False, seed: int = 7) -> None:
    """Fruchterman–Reingold in numpy (no scipy), seeded by communities when clustered; x, y in pixels."""
    import numpy as np
    from threadpoolctl import threadpool_limits

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
    # sorted, so the float sums (hence the layout) do not follow the order edges were added in
    edges = np.array(sorted(tuple(sorted((idx[a], idx[b]))) for a, b in g.edges()), dtype=np.int64).reshape(-1, 2)
    # One BLAS thread: its spinning worker threads made the matrix-vector products 4x slower on a busy
    # 2-core machine, and these products are too small to gain from threads anyway.
    with threadpool_limits(limits=1, user_api="blas"):
        pos = fruchterman_reingold(edges, pos.astype(np.float32), iterations=80 if n <= 500 else 50)
        pos -= pos.mean(axis=0)
        spread = float(np.abs(pos).max()) or 1.0
        radius = np.array([float(g.nodes[v].get("size", 10)) for v in nodes], dtype=np.float32)
        pos = declutter(pos / spread * (60.0 * math.sqrt(n) + 150.0), MIN_GAP, radius)
    for v, (x, y) in zip(nodes, pos):
        g.nodes[v]["x"], g.nodes[v]["y"] = int(round(float(x))), int(round(float(y)))


MIN_GAP = 50.0  # pixels between node rims, so labels of a dense core stay legible


def _sq_distances(pos, out, tmp):
    """Pairwise squared distances into `out` (n, n), in place, with element-wise numpy only: BLAS
    products with an inner dimension of 2 were 3-6x slower on a busy 2-core machine (thread contention)."""
    import numpy as np

    np.subtract.outer(pos[:, 0], pos[:, 0], out=out)
    out *= out
    np.subtract.outer(pos[:, 1], pos[:, 1], out=tmp)
    tmp *= tmp
    out += tmp
    return out


def _pull(w, pos):
    """w @ pos for (n, n) weights and (n, 2) positions, one column at a time (matrix-vector products)."""
    import numpy as np

    return np.stack([w.dot(pos[:, 0]), w.dot(pos[:, 1])], axis=1)


def declutter(pos, gap: float, radius=None, iterations: int = 40):
    """Push apart every pair of nodes whose rims are closer than `gap` (force layouts pile shared nodes
    between hubs, and big hubs swallow their neighbours' labels)."""
    import numpy as np

    pos = np.ascontiguousarray(pos, dtype=np.float32)
    n = len(pos)
    r = np.zeros(n, dtype=np.float32) if radius is None else np.asarray(radius, dtype=np.float32)
    need = np.add.outer(r, r) + np.float32(gap)  # wanted distance between centres
    buf = np.empty((n, n), dtype=np.float32)
    tmp = np.empty_like(buf)
    for _ in range(iterations):
        _sq_distances(pos, buf, tmp)
        np.maximum(buf, 1e-2, out=buf)
        np.sqrt(buf, out=buf)
        np.divide(need, buf, out=buf)  # push = max(need / d - 1, 0) / 2: each node moves half the overlap
        buf -= 1
        np.maximum(buf, 0, out=buf)
        np.fill_diagonal(buf, 0)
        if not buf.any():
            break
        buf *= 0.5
        pos = pos + pos * buf.sum(1)[:, None] - _pull(buf, pos)
    return pos


def fruchterman_reingold(edges, pos, iterations: int = 80):
    """Fruchterman–Reingold: dense repulsion k²/d with (n, n) buffers reused in place, attraction d²/k along edges."""
    import numpy as np

    n = len(pos)
    k2 = np.float32(1.0 / n)
    k = np.sqrt(k2)
    t = 0.1
    dt = t / (iterations + 1)
    pos = np.ascontiguousarray(pos, dtype=np.float32)
    buf = np.empty((n, n), dtype=np.float32)
    tmp = np.empty_like(buf)
    a, b = edges[:, 0], edges[:, 1]
    for _ in range(iterations):
        _sq_distances(pos, buf, tmp)
        np.maximum(buf, 1e-4, out=buf)
        np.divide(k2, buf, out=buf)
        np.fill_diagonal(buf, 0)
        disp = pos * buf.sum(1)[:, None] - _pull(buf, pos)
        if len(edges):
            delta = pos[a] - pos[b]
            pull = delta * (np.sqrt((delta * delta).sum(1)) / k)[:, None]
            np.subtract.at(disp, a, pull)
            np.add.at(disp, b, pull)
        length = np.sqrt((disp * disp).sum(1))
        np.maximum(length, 0.01, out=length)
        pos = pos + disp * (t / length)[:, None]
        t -= dt
    return pos
