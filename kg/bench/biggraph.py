"""A large graph shaped like ours: a build's document graphs replicated under new IRIs.

Replica k of a document gets a new document id (`<id>-r<k>`) in every IRI, literal and graph
name that carries it, and a different city as its jurisdiction, so the copy reads as another
plan of another city: joins over cities and concepts grow the way a national corpus would.
The ontology and vocabulary graphs are written once.
"""
from __future__ import annotations

import random
import re
from collections import defaultdict
from pathlib import Path

GRAPH_PREFIX = "<https://w3id.org/qpkg/id/graph/"
AREA_PREFIX = "<https://w3id.org/qpkg/id/area/"
_NON_DOC_GRAPHS = ("ontology>", "vocab>")
_JURISDICTION = re.compile(r"<https://w3id\.org/qpkg/ontology#jurisdiction> <https://w3id\.org/qpkg/id/area/(\d{6})>")


def _graph_of(line: str) -> str:
    """The graph term of an N-Quads line (the last IRI before the final ' .')."""
    i = line.rfind(GRAPH_PREFIX)
    return line[i : line.index(">", i) + 1] if i >= 0 else ""


def scale_nquads(src: str | Path, dst: str | Path, min_quads: int, city_codes: list[str], seed: int = 0) -> int:
    """Write `src` plus as many replicas of its document graphs as reach `min_quads`; return the quad count."""
    static: list[str] = []
    docs: dict[str, list[str]] = defaultdict(list)
    with open(src, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            g = _graph_of(line)
            if not g or g.endswith(_NON_DOC_GRAPHS):
                static.append(line)
            else:
                docs[g].append(line)
    if not docs:
        raise ValueError(f"{src}: no document graphs to replicate")
    rng = random.Random(seed)
    n = len(static) + sum(map(len, docs.values()))
    with open(dst, "w", encoding="utf-8") as out:
        out.writelines(static)
        for lines in docs.values():
            out.writelines(lines)
        k = 0
        while n < min_quads:
            k += 1
            for g, lines in sorted(docs.items()):
                did = g[len(GRAPH_PREFIX) : -1]
                new = f"{did}-r{k}"
                jur = next((m.group(1) for ln in lines for m in [_JURISDICTION.search(ln)] if m), None)
                block = "".join(lines).replace(did, new)
                if jur:
                    block = block.replace(f"{AREA_PREFIX}{jur}>", f"{AREA_PREFIX}{rng.choice(city_codes)}>")
                out.write(block)
                n += len(lines)
                if n >= min_quads:
                    break
    return n
