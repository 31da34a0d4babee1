"""The page: a pyvis Network made from a view, and one self-contained HTML file that never touches the network.

Why the page is built here and not by pyvis's template: that template loads Bootstrap from a CDN,
pastes the heading in unescaped, and switches every tooltip to an innerHTML popup as soon as one
title contains "href". Our page in-lines vis-network (from pyvis's package data), forbids every
fetch with a Content-Security-Policy whose script hashes also refuse injected scripts and inline
event handlers, ships all document text as JSON in a non-executed block, and shows it with textContent.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..errors import ViewError
from ..querying import curie
from .styles import STYLES
from .views import View

if TYPE_CHECKING:
    from pyvis.network import Network

# --- pyvis ------------------------------------------------------------------------------------------


def to_pyvis(view: View) -> Network:
    """A pyvis Network of the view: nodes and edges as vis-network dicts, physics off, positions fixed."""
    from pyvis.network import Network

    g = view.graph
    net = Network(height="100%", width="100%", cdn_resources="in_line", heading="", notebook=False)
    # pyvis's add_node/add_edge scan linearly on every call (quadratic); fill the lists directly.
    for n in sorted(g):
        d = g.nodes[n]
        st = STYLES[d.get("cls", "Other")]
        item = {
            "id": n,
            "label": d.get("label", curie(n)),
            "title": d.get("title", ""),
            "group": d.get("cls", "Other"),
            "color": {"background": st.color, "border": "#222222" if d.get("pinned") else _darker(st.color),
                      "highlight": {"background": st.color, "border": "#000000"},
                      "hover": {"background": st.color, "border": "#000000"}},
            "borderWidth": 3 if d.get("pinned") else 1,
            "shape": st.shape,
            "size": d.get("size", 10),
            "x": d.get("x", 0),
            "y": d.get("y", 0),
        }
        net.nodes.append(item)
        net.node_ids.append(n)
        net.node_map[n] = item
    for a, b in sorted(tuple(sorted(e)) for e in g.edges()):
        d = g.edges[a, b]
        src = d.get("source", a)
        dst = b if src == a else a
        w = d.get("weight", 1)
        edge = {"from": src, "to": dst, "title": d.get("title", ""), "width": round(1 + math.log2(w), 2)}
        if "qp:jurisdiction" in d.get("rels", ()):
            edge["color"] = {"color": "#F5A25D", "highlight": "#B85C00", "hover": "#B85C00"}
        net.edges.append(edge)
    net.options = vis_options(g.number_of_nodes())
    return net


def vis_options(n_nodes: int) -> dict[str, Any]:
    """vis-network options: physics off (positions come from Python), hover tooltips, straight edges."""
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": n_nodes > 400,
                        "hideEdgesOnZoom": n_nodes > 1000, "navigationButtons": False, "keyboard": False},
        "nodes": {"font": {"size": 14, "face": _FONTS, "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"smooth": False, "color": {"color": "#c4c4c4", "highlight": "#444444", "hover": "#666666"},
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}}},
    }


_FONTS = "'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"


def _darker(color: str, f: float = 0.7) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02X}{:02X}{:02X}".format(int(r * f), int(g * f), int(b * f))


# --- the page ---------------------------------------------------------------------------------------


def json_for_script(data: Any) -> str:
    """JSON safe inside <script>: no `</script>`, `<!--` or `]]>` can form, nor line separators."""
    s = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _asset(name: str) -> str:
    return (resources.files("kg.render") / name).read_text(encoding="utf-8")


def _vis_assets() -> tuple[str, str]:
    lib = resources.files("pyvis") / "templates" / "lib" / "vis-9.1.2"
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    if "</script" in js.lower() or "</style" in css.lower():
        raise ViewError("the bundled vis-network cannot be in-lined safely (reinstall pyvis==0.3.2)")
    return js, css


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


_SHAPE_POINTS = {
    "square": "-6,-6 6,-6 6,6 -6,6",
    "diamond": "0,-7 7,0 0,7 -7,0",
    "triangle": "0,-7 7,6 -7,6",
    "triangleDown": "-7,-6 7,-6 0,7",
    "hexagon": "-7,0 -3.5,-6 3.5,-6 7,0 3.5,6 -3.5,6",
    "star": "0,-7 2,-2 7,-2 3,1.5 4.5,7 0,3.5 -4.5,7 -3,1.5 -7,-2 -2,-2",
}


def page_html(net: Network, view: View) -> str:
    """The self-contained page of a view (pass the pyvis Network made by `to_pyvis`)."""
    js_lib, css_lib = _vis_assets()
    page_js, page_css = _asset("page.js"), _asset("page.css").replace("FONTS", _FONTS)
    counts: dict[str, int] = {}
    for item in net.nodes:
        counts[item["group"]] = counts.get(item["group"], 0) + 1
    legend = [
        {"legend": s.legend, "color": s.color, "shape": s.shape, "points": _SHAPE_POINTS.get(s.shape, ""), "count": counts[k]}
        for k, s in STYLES.items() if k in counts
    ]
    payload = {"nodes": net.nodes, "edges": net.edges, "options": net.options, "legend": legend}
    data_json = json_for_script(payload)
    csp = (
        "default-src 'none'; "
        f"script-src {_sha(js_lib)} {_sha(page_js)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'; "
        "form-action 'none'; base-uri 'none'"
    )
    e = html.escape
    notices = "".join(f'<p class="kg-notice">{e(n)}</p>' for n in view.notices)
    meta = (f"{len(net.nodes)} nodes · {len(net.edges)} edges · view {view.name} · "
            "hover a node for its evidence, drag to move, scroll to zoom")
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-Hans\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{e(csp)}\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{e(view.heading)}</title>\n"
        f"<style>{css_lib}</style>\n<style>{page_css}</style>\n"
        f"<script>{js_lib}</script>\n</head>\n<body>\n"
        f"<header><h1 id=\"kg-heading\">{e(view.heading)}</h1><div class=\"kg-meta\">{e(meta)}</div>{notices}</header>\n"
        "<main><div id=\"kg-network\"></div><aside id=\"kg-legend\"><h2>图例 Legend</h2>"
        "<input id=\"kg-find\" type=\"search\" placeholder=\"查找 find a label…\" aria-label=\"find a node by label\">"
        "<ul id=\"kg-legend-list\"></ul>"
        "<p>大小 = 连接数 · size = links (weighted)<br>线宽 = 文件数 · edge width = documents<br>"
        "橙色线 = 辖区 · orange line = jurisdiction</p></aside></main>\n"
        f"<script type=\"application/json\" id=\"kg-data\">{data_json}</script>\n"
        f"<script>{page_js}</script>\n</body>\n</html>\n"
    )
