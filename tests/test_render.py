"""Views: the networkx graphs, the pyvis networks and the pages, on a hand-made graph and on the corpus."""
from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import ViewError
from kg.render import STYLES, build_view, json_for_script, page_html, render_html, render_view, to_pyvis
from kg.render.layout import layout
from kg.store import open_store

from .conftest import ROOT

SMALL = ROOT / "tests" / "fixtures" / "views" / "small.trig"
QPD = "https://w3id.org/qpkg/id/"
CITY1, CITY2 = QPD + "area/990100", QPD + "area/990200"
SCHEME, AWARD, INIT, HOSTILE = (QPD + f"concept/t-{k}" for k in ("scheme", "award", "initiative", "hostile"))
P1, P2, N3 = (QPD + f"doc/{d}" for d in ("p1", "p2", "n3"))


@pytest.fixture(scope="module")
def small():
    return open_store("oxigraph", graph_file=SMALL)


def data_block(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


# --- the networkx graphs -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "view, opts, nodes, edges",
    [
        ("overview", {}, 11, 14),
        ("cities-concepts", {}, 6, 7),
        ("cities-concepts", {"min_cities": 2}, 5, 6),
        ("shared", {}, 8, 10),
        ("shared", {"min_cities": 3}, 0, 0),
        ("plan", {"node": "p1.txt"}, 13, 13),
        ("plan", {"node": "p1"}, 13, 13),
        ("plan", {"node": "甲市质量发展规划"}, 13, 13),
        ("plan", {"node": P1}, 13, 13),
        ("ego", {"node": "甲市"}, 3, 2),
        ("ego", {"node": "甲市", "depth": 2}, 16, 17),
        ("ego", {"node": "qpd:concept/t-scheme"}, 4, 3),
    ],
)
def test_view_sizes(small, view, opts, nodes, edges):
    g = build_view(small, view, **opts).graph
    assert (g.number_of_nodes(), g.number_of_edges()) == (nodes, edges)


def test_overview_classes_labels_and_sizes(small):
    v = build_view(small, "overview")
    g = v.graph
    classes = {}
    for _, d in g.nodes(data=True):
        classes[d["cls"]] = classes.get(d["cls"], 0) + 1
    assert classes == {"Plan": 2, "Article": 1, "City": 2, "CertificationScheme": 1, "Award": 1, "Initiative": 2,
                       "Organization": 2}
    assert g.nodes[P1]["label"] == "甲市质量发展规划"
    assert g.nodes[SCHEME]["label"] == "品字标"  # the @zh label, not the English one
    assert g.nodes[CITY1]["label"] == "甲市"
    # cut on the canvas at 16 characters, whole in the tooltip
    assert g.nodes[N3]["label"] == "<img src=x oner…"  # 15 characters and an ellipsis
    assert g.nodes[N3]["title"].splitlines()[0] == "<img src=x onerror=window.__pwned=1>乙市品质"
    # size by weighted degree: p1 links 7 nodes, the scheme 3 documents
    assert (g.nodes[P1]["weight"], g.nodes[SCHEME]["weight"], g.nodes[HOSTILE]["weight"]) == (7, 3, 1)
    assert v.heading == "质量发展规划知识图谱 · 总览 Overview"
    assert v.notices == ()


def test_tooltip_is_plain_text_with_three_quotes_from_documents(small):
    g = build_view(small, "overview").graph
    assert g.nodes[SCHEME]["title"].splitlines() == [
        "品字标",
        "认证 Scheme · qpd:concept/t-scheme",
        "连接 links: 3",
        "证据 evidence (3 of 4):",
        "“品字标” — p1.txt [20–23]",
        "“</script><script>window.__pwned=1</script><!--品字标” — p2.txt [5–30]",
        "“品字标浙江制造认证” — p1.txt [50–60]",
    ]
    assert g.nodes[P1]["title"].splitlines()[:4] == [
        "甲市质量发展规划", "规划 Plan · qpd:doc/p1", "文件 file: p1.txt", "发布 issuer: 甲市市场监督管理局"]


def test_cities_concepts_edge_weight_is_documents(small):
    v = build_view(small, "cities-concepts")
    g = v.graph
    assert {frozenset(e): d["weight"] for *e, d in g.edges(data=True)} == {
        frozenset((CITY1, SCHEME)): 1, frozenset((CITY2, SCHEME)): 2, frozenset((CITY1, AWARD)): 1,
        frozenset((CITY2, AWARD)): 1, frozenset((CITY1, INIT)): 1, frozenset((CITY2, INIT)): 1,
        frozenset((CITY1, HOSTILE)): 1}
    net = to_pyvis(v)
    widths = {(e["from"], e["to"]): e["width"] for e in net.edges}
    assert widths[(CITY2, SCHEME)] == 2.0 and widths[(CITY1, SCHEME)] == 1.0
    assert v.heading == "城市 × 概念 Cities and concepts (mentioned in ≥ 1 city)"


def test_plan_view_structure(small):
    v = build_view(small, "plan", node="p1.txt")
    g = v.graph
    assert {g.nodes[n]["label"] for n in g.neighbors(QPD + "concept/target-category/a")} == {
        "制造业产品质量合格率", "食品抽检合格率 href=ja…"}
    assert sorted(d["cls"] for _, d in g.nodes(data=True)) == sorted(
        ["Plan", "Target", "Target", "Target", "Category", "Category", "Program", "Program", "Category", "Category",
         "City", "Organization", "CitedPlan"])
    assert g.nodes[P1]["pinned"] is True
    assert v.heading == "规划结构 Plan: 甲市质量发展规划"


def test_over_the_limit_documents_merge_then_the_most_connected_stay(small):
    v = build_view(small, "overview", max_nodes=5)
    assert set(v.graph) == {CITY1, CITY2, SCHEME, AWARD, INIT}
    assert v.total_nodes == 11
    assert v.notices == (
        "11 nodes exceed the limit of 5: 3 documents are merged into their jurisdictions (raise --max-nodes to see every document).",
        "Showing the 5 most connected of 8 nodes (limit --max-nodes 5).",
    )
    page = page_html(to_pyvis(v), v)
    assert '<p class="kg-notice">Showing the 5 most connected of 8 nodes (limit --max-nodes 5).</p>' in page


def test_ego_stops_expanding_past_the_limit_and_keeps_the_centre(small):
    v = build_view(small, "ego", node="甲市", depth=3, max_nodes=4)
    assert v.notices[0] == "The neighbourhood grows past 4 nodes at depth 2: later hops are not expanded."
    assert CITY1 in v.graph and v.graph.number_of_nodes() == 4


@pytest.mark.parametrize(
    "view, opts, message",
    [
        ("nosuch", {}, "unknown view 'nosuch': choose one of overview, cities-concepts, plan, ego, shared"),
        ("plan", {}, "view 'plan' needs PLAN (an IRI, file name or title), e.g. kg render plan FILE.txt --out plan.html"),
        ("overview", {"node": "x"}, "view 'overview' takes no NODE argument (got 'x'); the views that do are plan and ego"),
        ("plan", {"node": "甲市"}, "PLAN '甲市' is not a document of the graph (give a plan's IRI, file name or title)"),
        ("ego", {"node": "丙市"}, "NODE '丙市': nothing in the graph has that IRI, file name or label (try an exact @zh label or an IRI)"),
        ("ego", {"node": "qpd:nothing"}, "NODE 'qpd:nothing': nothing in the graph has that IRI (check it with kg query, or give an exact @zh label)"),
        ("ego", {"node": "甲市", "depth": 0}, "--depth must be between 1 and 5 (got 0)"),
        ("overview", {"max_nodes": 0}, "--max-nodes must be at least 1 (got 0)"),
        ("shared", {"min_cities": 0}, "--min-cities must be at least 1 (got 0)"),
    ],
)
def test_view_errors(small, view, opts, message):
    with pytest.raises(ViewError) as err:
        build_view(small, view, **opts)
    assert str(err.value) == message


# --- pyvis and the page ----------------------------------------------------------------------------
def test_pyvis_nodes_have_class_colour_shape_and_fixed_positions(small):
    from pyvis.network import Network

    v = build_view(small, "overview")
    net = to_pyvis(v)
    assert isinstance(net, Network)
    assert (len(net.nodes), len(net.edges)) == (11, 14)
    for item in net.nodes:
        st = STYLES[item["group"]]
        assert (item["color"]["background"], item["shape"]) == (st.color, st.shape)
        assert isinstance(item["x"], int) and isinstance(item["y"], int)
    by_id = {n["id"]: n for n in net.nodes}
    assert by_id[CITY1]["color"]["background"] == "#F58518" and by_id[AWARD]["shape"] == "star"
    assert by_id[P1]["size"] > by_id[HOSTILE]["size"]
    assert net.options["physics"] == {"enabled": False}


def test_json_for_script_cannot_close_the_script():
    assert json_for_script({"a": "</script><!--x-->&\u2028"}) == '{"a":"\\u003c/script\\u003e\\u003c!--x--\\u003e\\u0026\\u2028"}'
    assert json.loads(json_for_script({"a": "</script>"})) == {"a": "</script>"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("view, opts", [("overview", {}), ("plan", {"node": "p2.txt"}), ("shared", {})])
def test_page_is_offline_and_every_document_string_is_inert(small, view, opts):
    page, v = render_html(small, view, **opts)
    parser = _Tags()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    # Exactly our elements: three scripts (vis-network, the JSON data, ours), no link, img, iframe or form.
    assert tags.count("script") == 3 and {"link", "img", "iframe", "form", "a", "base"}.isdisjoint(tags)
    assert not [a for _, attrs in parser.tags for a in attrs if a in ("src", "href") or a.startswith("on")]
    csp = next(attrs["content"] for t, attrs in parser.tags if attrs.get("http-equiv") == "Content-Security-Policy")
    assert csp.startswith("default-src 'none'; script-src 'sha256-") and "connect-src 'none'" in csp
    assert "bootstrap" not in page.lower() and "cdnjs" not in page and "jsdelivr" not in page
    # No payload appears unescaped anywhere: the JSON escapes <, the heading and notices are HTML-escaped.
    for payload in ("<script>window", "<img src=x", "<a href", "</script><script>"):
        assert payload not in page
    data = data_block(page)
    assert len(data["nodes"]) == v.graph.number_of_nodes()
    assert [item["legend"] for item in data["legend"]] == [STYLES[k].legend for k in STYLES
                                                           if any(n["group"] == k for n in data["nodes"])]


def test_heading_from_a_document_is_escaped(small):
    page, v = render_html(small, "plan", node="p2.txt")
    assert v.heading == "规划结构 Plan: 乙市<script>window.__pwned=1</script>规划"
    assert f'<h1 id="kg-heading">{html.escape(v.heading)}</h1>' in page
    assert f"<title>{html.escape(v.heading)}</title>" in page


def test_render_writes_utf8_and_no_lib_folder(small, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    done = render_view(small, "overview", "out/v.html")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["out", "v.html"]
    raw = (tmp_path / "out" / "v.html").read_bytes()
    assert "甲市".encode("utf-8") in raw and raw.startswith(b"<!DOCTYPE html>")
    assert (done.nodes, done.edges, done.notices) == (11, 14, ())


def test_pages_are_deterministic(small):
    assert render_html(small, "overview")[0] == render_html(small, "overview")[0]


def test_layout_does_not_depend_on_insertion_order():
    edges = [(f"n{i}", f"n{(i * 7) % 23}") for i in range(23)] + [("a", "n1"), ("b", "n2")]
    g1, g2 = nx.Graph(edges), nx.Graph(list(reversed(edges)))
    layout(g1, clustered=True)
    layout(g2, clustered=True)
    assert {n: (d["x"], d["y"]) for n, d in g1.nodes(data=True)} == {n: (d["x"], d["y"]) for n, d in g2.nodes(data=True)}
    # rims are pushed ~50 px apart (radius 10 without a size: centres ~70 px) so labels stay legible
    pos = [(d["x"], d["y"]) for _, d in g1.nodes(data=True)]
    assert min(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 for i, a in enumerate(pos) for b in pos[i + 1:]) > 65


# --- the CLI and the notebook helper ----------------------------------------------------------------
def test_cli_render(tmp_path):
    runner = CliRunner()
    out = tmp_path / "plan.html"
    res = runner.invoke(cli, ["render", "plan", "p1.txt", "--graph", str(SMALL), "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 0
    assert res.output == f"wrote {out} (13 nodes, 13 edges)\n"
    res = runner.invoke(cli, ["render", "overview", "--max-nodes", "5", "--graph", str(SMALL), "--out", str(out)],
                        catch_exceptions=False)
    assert res.exit_code == 0
    assert "Note: Showing the 5 most connected of 8 nodes (limit --max-nodes 5).\n" in res.output
    res = runner.invoke(cli, ["render", "ego", "--graph", str(SMALL), "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output == "Error: view 'ego' needs NODE (an IRI or an exact @zh label), e.g. kg render ego 湖州市 --depth 2 --out ego.html\n"


def test_notebook_helper_is_a_sandboxed_srcdoc_iframe(small):
    import kg

    shown = kg.views.plan("p2.txt", small, height=500)
    markup = shown.data
    assert markup.startswith('<div class="kg-view"><iframe srcdoc="&lt;!DOCTYPE html&gt;\n&lt;html lang=&quot;zh-Hans&quot;&gt;')
    assert ' sandbox="allow-scripts" ' in markup and "height: 500px" in markup
    assert "<script" not in markup  # everything of the page is inside the escaped attribute
    srcdoc = re.search(r'srcdoc="([^"]*)"', markup).group(1)
    assert html.unescape(srcdoc) == render_html(small, "plan", node="p2.txt")[0]


# --- the bundled corpus ------------------------------------------------------------------------------
def test_corpus_views(graph, sources):
    store = graph.store
    overview = build_view(store, "overview").graph
    docs = {d["name"] for _, d in overview.nodes(data=True) if d["cls"] in ("Plan", "Article")}
    titled = {d["iri"].rsplit("/", 1)[1] + ".txt" for _, d in overview.nodes(data=True) if d["cls"] in ("Plan", "Article")}
    assert titled == set(sources) and len(docs) == 5
    cc = build_view(store, "cities-concepts").graph
    # the jurisdictions of MANIFEST.tsv
    assert {d["label"] for _, d in cc.nodes(data=True) if d["cls"] == "City"} == {"湖州市", "绍兴市", "嘉兴市", "泰州市"}
    plan = build_view(store, "plan", node="001_bcf92bb41f96abcb.txt")
    assert plan.heading == "规划结构 Plan: 湖州市质量发展“十四五”规划"
    ego = build_view(store, "ego", node="绍兴市").graph
    assert "https://w3id.org/qpkg/id/doc/002_4b58b0da6dcbff1b" in ego
