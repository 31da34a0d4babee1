"""Views: a named SPARQL query -> networkx graph -> pyvis Network -> self-contained HTML.

Only this module knows pyvis. Renderers return objects; `write_html` writes the page
(UTF-8, in-line scripts, no CDN requests).
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import networkx as nx

from . import atomic
from .errors import ViewError
from .query import curie, plain, run_named
from .store import Store

CLASS_STYLE = {
    "Document": ("#4C78A8", "box"),
    "City": ("#F58518", "dot"),
    "CertificationScheme": ("#54A24B", "diamond"),
    "Award": ("#E45756", "star"),
    "Initiative": ("#B279A2", "triangle"),
    "Organization": ("#9D755D", "square"),
}

VIEWS = ("overview",)


def overview_graph(store: Store) -> nx.Graph:
    g = nx.Graph()
    rows = run_named(store, "view-overview").records()
    for r in rows:
        for key in ("a", "b"):
            node, label, cls = r[key], r[f"{key}_label"] or curie(r[key]), r[f"{key}_class"]
            if node not in g:
                g.add_node(node, label=str(label), cls=cls.rsplit("#", 1)[-1].rsplit("/", 1)[-1], title=f"{cls}\n{label}")
        g.add_edge(r["a"], r["b"], rel=curie(r["rel"]))
    return g


def to_pyvis(g: nx.Graph, heading: str = ""):
    from pyvis.network import Network

    net = Network(height="800px", width="100%", cdn_resources="in_line", heading="", notebook=False)
    # pyvis's add_node/add_edge scan linearly (quadratic); fill the lists directly.
    for n, d in g.nodes(data=True):
        color, shape = CLASS_STYLE.get(d.get("cls", ""), ("#888888", "dot"))
        net.nodes.append(
            {"id": n, "label": d.get("label", n), "title": d.get("title", ""), "color": color, "shape": shape,
             "size": 10 + 3 * min(g.degree(n), 20)}
        )
        net.node_ids.append(n)
        net.node_map[n] = net.nodes[-1]
    for a, b, d in g.edges(data=True):
        net.edges.append({"from": a, "to": b, "title": d.get("rel", "")})
    net.toggle_physics(True)
    net.options.physics.stabilization.iterations = 200 if hasattr(net.options, "physics") else None
    net.heading_text = heading
    return net


_BOOTSTRAP = re.compile(r'<link[^>]+bootstrap[^>]*>|<script[^>]+bootstrap[^>]*></script>', re.I)


def page_html(net, heading: str) -> str:
    page = net.generate_html(notebook=False)
    page = _BOOTSTRAP.sub("", page)
    return page.replace("<body>", f"<body><h1 style=\"font-family:sans-serif\">{html.escape(heading)}</h1>", 1)


def render_view(store: Store, view: str, out: str | Path, **opts) -> Path:
    if view not in VIEWS:
        raise ViewError(f"unknown view {view!r}: choose one of {', '.join(VIEWS)}")
    g = overview_graph(store)
    net = to_pyvis(g)
    p = Path(out)
    atomic.write_text(p, page_html(net, "qpkg overview"))
    return p
