"""Jupyter display helpers for the views (`kg.views`): each view as an isolated <iframe srcdoc>.

    import kg
    g = kg.open("build")
    kg.views.overview(g)
    kg.views.plan("001_bcf92bb41f96abcb.txt", g)
    kg.views.show("ego", g, node="湖州市", depth=2)

The page goes into `srcdoc` (HTML-escaped) of an iframe sandboxed with `allow-scripts` only: the view's
script runs, in an opaque origin that cannot reach the notebook, its cookies or its kernel. This works
the same in JupyterLab, classic Notebook and VS Code, none of which runs scripts of plain HTML outputs
reliably, and it keeps the page's Content-Security-Policy (no network request) in force.
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from .errors import UsageError

DEFAULT_HEIGHT = 720


def _store(graph: Any):
    """A kg.Graph, a store, a build folder or graph file, or None for the last build (./build)."""
    from . import api

    if graph is None:
        return api._graph().store
    if isinstance(graph, (str, Path)):
        return api.open(graph).store
    if isinstance(graph, api.Graph):
        return graph.store
    return graph


def iframe_html(page: str, height: int = DEFAULT_HEIGHT, title: str = "qpkg view") -> str:
    """The markup that shows `page` in a sandboxed iframe (nothing of the page is live in the notebook)."""
    return (
        f'<div class="kg-view"><iframe srcdoc="{html.escape(page, quote=True)}" sandbox="allow-scripts" '
        f'title="{html.escape(title, quote=True)}" referrerpolicy="no-referrer" '
        f'style="width: 100%; height: {int(height)}px; border: 1px solid #ddd;"></iframe></div>'
    )


def show(view: str, graph: Any = None, *, height: int = DEFAULT_HEIGHT, **opts: Any):
    """Display VIEW of `graph` (options as `kg render`: node, depth, min_cities, max_nodes) as an IPython HTML object."""
    try:
        from IPython.display import HTML
    except ImportError:
        raise UsageError("kg.views needs IPython: pip install -e '.[notebooks]' (or run it inside Jupyter)") from None
    from .render import render_html

    page, v = render_html(_store(graph), view, **opts)
    return HTML(iframe_html(page, height, v.heading))


def overview(graph: Any = None, **opts: Any):
    """Documents, their cities, concepts and organizations, clustered."""
    return show("overview", graph, **opts)


def cities_concepts(graph: Any = None, min_cities: int | None = None, **opts: Any):
    """Cities × schemes, awards and initiatives; edge weight = number of documents."""
    return show("cities-concepts", graph, min_cities=min_cities, **opts)


def plan(plan: str, graph: Any = None, **opts: Any):
    """One plan's structure (PLAN: an IRI, file name or title)."""
    return show("plan", graph, node=plan, **opts)


def ego(node: str, graph: Any = None, depth: int = 1, **opts: Any):
    """The neighbourhood of a node (an IRI or an exact @zh label), `depth` hops out."""
    return show("ego", graph, node=node, depth=depth, **opts)


def shared(graph: Any = None, min_cities: int | None = None, **opts: Any):
    """Concepts shared by at least `min_cities` (default 2) cities, with documents and cities."""
    return show("shared", graph, min_cities=min_cities, **opts)
