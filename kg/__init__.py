"""qpkg: a knowledge graph of Chinese municipal quality-development plans.

Nothing heavy happens at import time; the public API is loaded on first use:

    import kg
    g = kg.open()                      # the last build in ./build
    g.query("shared-concepts", min_cities=2).df()
    g.sparql("SELECT ...")
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["open", "query", "sparql", "build", "Graph", "__version__"]


def __getattr__(name: str):
    if name in ("open", "query", "sparql", "Graph", "build", "views"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
