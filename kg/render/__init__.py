"""Views: a named SPARQL query -> networkx graph -> pyvis Network -> one self-contained, offline HTML page.

Only this package knows pyvis. `build_view` returns a `View` (a networkx graph with labels, classes,
plain-text tooltips and positions); `to_pyvis` turns it into a pyvis Network; `page_html` makes the
page; `render_view` does all three and writes the file as UTF-8.

    views.py   the view queries -> networkx, lookup of NODE/PLAN, node limits
    layout.py  positions in Python (physics stays off in the browser)
    styles.py  colour and shape per class, tooltip fields
    page.py    pyvis Network and the HTML page (page.js, page.css beside it)
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import atomic
from ..store import Store
from .page import json_for_script, page_html, to_pyvis, vis_options
from .styles import STYLES, Style
from .views import DEFAULT_MAX_NODES, MAX_DEPTH, VIEWS, View, ViewSpec, build_view, resolve_node

__all__ = [
    "DEFAULT_MAX_NODES", "MAX_DEPTH", "STYLES", "VIEWS", "Rendered", "Style", "View", "ViewSpec", "build_view",
    "json_for_script", "page_html", "render_html", "render_view", "resolve_node", "to_pyvis", "vis_options",
]


@dataclass(frozen=True)
class Rendered:
    """What `render_view` wrote."""

    path: Path
    nodes: int
    edges: int
    notices: tuple[str, ...] = ()


def render_html(store: Store, view: str, **opts: Any) -> tuple[str, View]:
    """The page of a view, as text, and the view it shows. Options: node, depth, min_cities, max_nodes."""
    v = build_view(store, view, **{k: val for k, val in opts.items() if val is not None})
    return page_html(to_pyvis(v), v), v


def render_view(store: Store, view: str, out: str | Path, **opts: Any) -> Rendered:
    """Build a view and write its page to `out` (UTF-8, atomically). Options as for `render_html`."""
    page, v = render_html(store, view, **opts)
    p = Path(out)
    atomic.write_text(p, page)
    return Rendered(path=p, nodes=v.graph.number_of_nodes(), edges=v.graph.number_of_edges(), notices=v.notices)
