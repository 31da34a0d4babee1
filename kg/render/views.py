"""Views as networkx graphs: run the view's named query (kg/queries/view-<name>.rq), then label, size,
limit and lay out the nodes. Tooltips are plain text: class, key properties, up to three evidence quotes."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterable

import networkx as nx

from ..errors import ViewError
from ..querying import WHERE_OPEN, Result, curie, get_query, run_named, sparql_term
from ..store import Store
from .layout import layout
from .styles import PROPS, REL_NAMES, TYPE_ORDER, LABEL_CHARS, MAX_QUOTES, QUOTE_CHARS, STYLES

DEFAULT_MAX_NODES = 1500
MAX_DEPTH = 5
_CHUNK = 300  # nodes bound per details query
MIN_SIZE, MAX_SIZE = 10.0, 36.0  # node radius in pixels, by weighted degree


@dataclass(frozen=True)
class View:
    """A view ready to draw: a networkx graph whose nodes carry label, cls, title, weight, x, y."""

    name: str
    heading: str
    graph: nx.Graph
    notices: tuple[str, ...] = ()
    total_nodes: int = 0  # nodes before any limit was applied


@dataclass(frozen=True)
class ViewSpec:
    name: str
    help: str
    needs_node: str = ""  # what NODE means for this view; empty when it takes none
    example: str = ""


VIEWS: dict[str, ViewSpec] = {
    v.name: v
    for v in (
        ViewSpec("overview", "documents, their cities, concepts and organizations, clustered"),
        ViewSpec("cities-concepts", "cities × schemes, awards and initiatives; edge weight = documents (--min-cities)"),
        ViewSpec("plan", "one plan's structure: targets, programmes, issuer, related plans", "PLAN (an IRI, file name or title)",
                 "kg render plan FILE.txt --out plan.html"),
        ViewSpec("ego", "the neighbourhood of any node (--depth)", "NODE (an IRI or an exact @zh label)",
                 "kg render ego 湖州市 --depth 2 --out ego.html"),
        ViewSpec("shared", "concepts shared by at least --min-cities cities (default 2), with documents and cities"),
    )
}


def build_view(
    store: Store,
    view: str,
    node: str | None = None,
    depth: int = 1,
    min_cities: int | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> View:
    """Run a view's query and return its graph, laid out and limited to max_nodes."""
    spec = VIEWS.get(view)
    if spec is None:
        raise ViewError(f"unknown view {view!r}: choose one of {', '.join(VIEWS)}")
    if spec.needs_node and not node:
        raise ViewError(f"view {view!r} needs {spec.needs_node}, e.g. {spec.example}")
    if not spec.needs_node and node:
        raise ViewError(f"view {view!r} takes no NODE argument (got {node!r}); the views that do are plan and ego")
    if max_nodes < 1:
        raise ViewError(f"--max-nodes must be at least 1 (got {max_nodes})")
    if not 1 <= depth <= MAX_DEPTH:
        raise ViewError(f"--depth must be between 1 and {MAX_DEPTH} (got {depth})")
    if min_cities is not None and min_cities < 1:
        raise ViewError(f"--min-cities must be at least 1 (got {min_cities})")
    notices: list[str] = []
    pinned: set[str] = set()
    if view == "overview":
        g = _edges_graph(run_named(store, "view-overview").records())
        heading = "质量发展规划知识图谱 · 总览 Overview"
    elif view == "cities-concepts":
        n = min_cities or 1
        g = _edges_graph(run_named(store, "view-cities-concepts", {"min_cities": str(n)}).records())
        heading = f"城市 × 概念 Cities and concepts (mentioned in ≥ {n} {'city' if n == 1 else 'cities'})"
    elif view == "shared":
        n = min_cities or 2
        g = _edges_graph(run_named(store, "view-shared", {"min_cities": str(n)}).records())
        heading = f"共享概念 Concepts shared by ≥ {n} cities"
    elif view == "plan":
        centre, note = resolve_node(store, node or "", "PLAN")
        notices += note
        info = _node_info(store, [centre])
        if _style_key(info.get(centre, {})) not in ("Plan", "Document", "Article", "CitedPlan"):
            raise ViewError(f"PLAN {node!r} is not a document of the graph (give a plan's IRI, file name or title)")
        g = _edges_graph(run_named(store, "view-plan", {"plan": centre}).records())
        g.add_node(centre)
        pinned.add(centre)
        heading = f"规划结构 Plan: {_label(centre, info.get(centre, {}))}"
    else:  # ego
        centre, note = resolve_node(store, node or "", "NODE")
        notices += note
        g, cut = _ego_graph(store, centre, depth, max_nodes)
        if cut:
            notices.append(f"The neighbourhood grows past {max_nodes} nodes at depth {cut}: later hops are not expanded.")
        pinned.add(centre)
        info = _node_info(store, [centre])
        if not info.get(centre) and not g.number_of_edges():
            raise ViewError(f"NODE {node!r}: nothing in the graph has that IRI (check it with kg query, or give an exact @zh label)")
        heading = f"邻域 Neighbourhood of {_label(centre, info.get(centre, {}))} (depth {depth})"
    total = g.number_of_nodes()
    if total > max_nodes and view in ("overview", "shared"):
        g, merged = _merge_documents(g)
        if merged:
            notices.append(
                f"{total} nodes exceed the limit of {max_nodes}: {merged} documents are merged into their "
                f"jurisdictions (raise --max-nodes to see every document)."
            )
    if g.number_of_nodes() > max_nodes:
        before = g.number_of_nodes()
        g = _keep_top(g, max_nodes, pinned)
        notices.append(
            f"Showing the {g.number_of_nodes()} most connected of {before} nodes (limit --max-nodes {max_nodes})."
        )
    _decorate(store, g, pinned)
    layout(g, clustered=view == "overview")
    if g.number_of_nodes() == 0:
        notices.append("This view is empty for this graph: no facts match its query.")
    return View(name=view, heading=heading, graph=g, notices=tuple(notices), total_nodes=total)


def _edges_graph(rows: Iterable[dict[str, Any]]) -> nx.Graph:
    """Edge rows (a, rel, b, weight) -> an undirected graph; rel and weight on the edge, direction kept."""
    g = nx.Graph()
    for r in rows:
        a, b = str(r["a"]), str(r["b"])
        if a == b:
            continue
        w = int(r.get("weight") or 1)
        rel = curie(str(r["rel"]))
        if g.has_edge(a, b):
            d = g.edges[a, b]
            if rel not in d["rels"]:
                d["rels"] = d["rels"] + (rel,)
            d["weight"] = max(d["weight"], w)
        else:
            g.add_edge(a, b, rels=(rel,), weight=w, source=a)
    return g


# --- node lookup -------------------------------------------------------------------------------


def resolve_node(store: Store, text: str, what: str = "NODE") -> tuple[str, list[str]]:
    """An IRI, CURIE, file name or exact label -> (IRI, notices). Ambiguous labels take the first match."""
    from ..namespaces import PREFIXES

    text = text.strip()
    if re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", text):
        return text, []
    m = re.fullmatch(r"([a-z][a-z0-9-]*):([^\s<>\"{}|\\^`]+)", text)
    if m and m.group(1) in PREFIXES:
        return PREFIXES[m.group(1)] + m.group(2), []
    rows = run_named(store, "view-lookup", {"text": text}).records()
    if not rows:
        raise ViewError(f"{what} {text!r}: nothing in the graph has that IRI, file name or label (try an exact @zh label or an IRI)")
    best = [r for r in rows if r["rank"] == rows[0]["rank"]]
    notes = []
    if len(best) > 1:
        notes.append(f"{len(best)} nodes are named {text!r}; showing {curie(str(best[0]['node']))} (pass an IRI to choose another).")
    return str(best[0]["node"]), notes


# --- ego: breadth-first, one query per hop ----------------------------------------------------------


def _ego_graph(store: Store, centre: str, depth: int, max_nodes: int) -> tuple[nx.Graph, int]:
    g = nx.Graph()
    g.add_node(centre)
    frontier = [centre]
    for hop in range(1, depth + 1):
        rows = []
        for chunk in _chunks(sorted(frontier), _CHUNK):
            rows += _run_for_nodes(store, "view-ego", chunk)
        new = _edges_graph(rows)
        before = set(g)
        g = nx.compose(g, new)
        frontier = sorted(set(g) - before)
        if not frontier:
            return g, 0
        if g.number_of_nodes() > max_nodes and hop < depth:
            return g, hop
    return g, 0


def _chunks(items: list[str], n: int) -> Iterable[list[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _run_for_nodes(store: Store, name: str, nodes: list[str]) -> list[dict[str, Any]]:
    """Run a view query with ?node bound to a list of IRIs (a VALUES block of checked, serialized terms)."""
    from rdflib import URIRef

    q = get_query(name)
    body = "\n".join(ln for ln in q.text.splitlines() if not ln.lstrip().startswith("#"))
    m = WHERE_OPEN.search(body)
    values = " VALUES ?node { " + " ".join(sparql_term(URIRef(n)) for n in nodes) + " } "
    sol = store.select(body[: m.end()] + values + body[m.end() :])
    return Result(vars=sol.vars, rows=sol.rows).records()


# --- labels, classes, tooltips ----------------------------------------------------------------------


def _node_info(store: Store, nodes: list[str]) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """node -> property CURIE -> [(value, lang)], from view-nodes."""
    out: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for chunk in _chunks(sorted(nodes), _CHUNK):
        for r in _run_for_nodes(store, "view-nodes", chunk):
            props = out.setdefault(str(r["node"]), {})
            val = r["value"]
            val = curie(val) if r["prop"].endswith("#type") else _text(val)
            props.setdefault(curie(str(r["prop"])), []).append((val, r["lang"] or ""))
    return out


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "是 yes" if v else "否 no"
    if isinstance(v, str) and v.startswith(("http://", "https://")):
        return curie(v)
    return str(v)


def _style_key(props: dict[str, list[tuple[str, str]]]) -> str:
    types = {v for v, _ in props.get("rdf:type", [])}
    for t, key in TYPE_ORDER:
        if t in types:
            if key in ("Plan", "Document") and "qp:sourceFile" not in props:
                return "CitedPlan"  # named by a document of the corpus, not itself in it
            return key
    return "Other"


def _first(props: dict[str, list[tuple[str, str]]], *keys: str) -> str:
    for k in keys:
        vals = props.get(k, [])
        for lang in ("zh", ""):
            for v, vl in vals:
                if vl.startswith(lang) and (lang or not vl):
                    return v
        if vals:
            return vals[0][0]
    return ""


def _label(node: str, props: dict[str, list[tuple[str, str]]]) -> str:
    return _first(props, "skos:prefLabel", "rdfs:label", "dcterms:title", "qp:indicator", "qp:sourceFile") or curie(node)


def _short(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _evidence(store: Store, nodes: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for chunk in _chunks(sorted(nodes), _CHUNK):
        for r in _run_for_nodes(store, "view-evidence", chunk):
            out.setdefault(str(r["node"]), []).append(r)
    return out


def _pick_quotes(rows: list[dict[str, Any]], k: int = MAX_QUOTES) -> list[dict[str, Any]]:
    """Up to k quotes, from as many documents as possible, each text once per document."""
    by_file: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_file.setdefault(r["file"], []).append(r)
    picked: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    # the rows come unordered (view-evidence has no ORDER BY): files in name order, then by offsets
    queues = [sorted(v, key=lambda r: (r["start"], r["end"], r["quote"])) for _, v in sorted(by_file.items())]
    while queues and len(picked) < k:
        nxt = []
        for q in queues:
            while q and (q[0]["file"], q[0]["quote"]) in seen:
                q.pop(0)
            if q and len(picked) < k:
                r = q.pop(0)
                seen.add((r["file"], r["quote"]))
                picked.append(r)
            if q:
                nxt.append(q)
        queues = nxt
    return picked


def _decorate(store: Store, g: nx.Graph, pinned: set[str]) -> None:
    """Give every node label, cls, title (plain-text tooltip), weight and size (pixels, by weight)."""
    nodes = list(g)
    info = _node_info(store, nodes)
    ev = _evidence(store, nodes)
    for n in nodes:
        props = info.get(n, {})
        cls = _style_key(props)
        if cls in ("Plan", "Article", "Document"):
            name = _first(props, "dcterms:title") or _first(props, "qp:sourceFile")
        else:
            name = _label(n, props)
        wdeg = sum(d.get("weight", 1) for _, _, d in g.edges(n, data=True))
        d = g.nodes[n]
        d.update(label=_short(name, LABEL_CHARS), name=name, cls=cls, weight=wdeg, iri=n, pinned=n in pinned)
        lines = [name, f"{STYLES[cls].legend} · {curie(n)}"]
        for key, shown in PROPS:
            vals = sorted({v for v, _ in props.get(key, [])})
            if vals and not (key == "qp:sourceFile" and name == vals[0]):
                lines.append(f"{shown}: {_short('; '.join(vals), 60)}")
        lines.append(f"连接 links: {g.degree(n)}" + (f" (weight {wdeg})" if wdeg != g.degree(n) else ""))
        quotes = _pick_quotes(ev.get(n, []))
        if quotes:
            total = len(ev.get(n, []))
            lines.append(f"证据 evidence ({len(quotes)} of {total}):")
            for r in quotes:
                lines.append(f"“{_short(r['quote'], QUOTE_CHARS)}” — {r['file']} [{r['start']}–{r['end']}]")
        d["title"] = "\n".join(lines)
    top = max([g.nodes[n]["weight"] for n in nodes] or [1]) or 1
    for n in nodes:
        g.nodes[n]["size"] = round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(g.nodes[n]["weight"] / top), 1)
    for a, b, d in g.edges(data=True):
        rels = ", ".join(REL_NAMES.get(r, r) for r in d["rels"])
        src, dst = (a, b) if d.get("source", a) == a else (b, a)
        w = d.get("weight", 1)
        d["title"] = f"{g.nodes[src].get('name', curie(src))} → {rels} → {g.nodes[dst].get('name', curie(dst))}" + (
            f"\n{w} documents" if w > 1 else ""
        )


# --- limits ----------------------------------------------------------------------------------------


def _merge_documents(g: nx.Graph) -> tuple[nx.Graph, int]:
    """Fold each document into its jurisdiction: its other edges move to the area, weights add up."""
    docs = {}
    for a, b, d in g.edges(data=True):
        if "qp:jurisdiction" in d["rels"]:
            doc, area = (a, b) if d.get("source") == a else (b, a)
            docs[doc] = area
    if not docs:
        return g, 0
    h = nx.Graph()
    h.add_nodes_from(n for n in g if n not in docs)
    for a, b, d in g.edges(data=True):
        a2, b2 = docs.get(a, a), docs.get(b, b)
        if a2 == b2:
            continue
        if h.has_edge(a2, b2):
            h.edges[a2, b2]["weight"] += d.get("weight", 1)
        else:
            h.add_edge(a2, b2, rels=d["rels"], weight=d.get("weight", 1), source=docs.get(d.get("source"), d.get("source")))
    return h, len(docs)


def _keep_top(g: nx.Graph, max_nodes: int, pinned: set[str]) -> nx.Graph:
    """The pinned nodes and then the most connected ones (weighted degree, then IRI for a stable order)."""
    score = {n: sum(d.get("weight", 1) for _, _, d in g.edges(n, data=True)) for n in g}
    order = sorted(g, key=lambda n: (n not in pinned, -score[n], n))
    return g.subgraph(order[:max_nodes]).copy()
