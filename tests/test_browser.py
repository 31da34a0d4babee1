"""The views in a real headless Chromium with the network off: offline, drawn, and inert to hostile names.

Skipped with a visible reason when chromium is absent, except under CI=true, where it must run
(.ci/run installs Debian's chromium and a CJK font).
"""
from __future__ import annotations

import json
import os
import shutil

import pytest

from kg.notebook import iframe_html
from kg.render import render_html, render_view
from kg.store import open_store

from .browser.cdp import Chromium, Page, find_chromium
from .conftest import ROOT

pytestmark = pytest.mark.browser

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
SMALL = ROOT / "tests" / "fixtures" / "views" / "small.trig"
# File names are shown too (labels of untitled documents, tooltips): make them payloads as well.
HOSTILE_NAMES = {"plan-payloads.txt": "<img src=x onerror=alert(1)>plan.txt",
                 "news-payloads.txt": "news<svg onload=window.__pwned=1>.txt"}
DRAWN = "window.kgView && window.kgView.drawn"


@pytest.fixture(scope="module")
def browser():
    binary = find_chromium()
    reason = "" if binary else "chromium is not installed (apt-get install chromium fonts-wqy-microhei)"
    try:
        import websocket  # noqa: F401
    except ImportError:
        reason = reason or "websocket-client is not installed (pip install -e '.[test]')"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the browser test cannot run: {reason}")
        pytest.skip(reason)
    with Chromium(binary, width=1280, height=800) as b:
        yield b


def load(browser: Chromium, path) -> Page:
    page = browser.page()
    page.goto(path.resolve().as_uri())
    page.wait_for(DRAWN)
    return page


def assert_offline_and_clean(page: Page, path) -> None:
    assert page.requests() == [path.resolve().as_uri()]  # the file itself, nothing else
    assert page.errors() == []
    assert page.dialogs() == []


# --- the bundled corpus ------------------------------------------------------------------------------
CORPUS_VIEWS = {
    "overview": {},
    "cities-concepts": {},
    "shared": {},
    "plan": {"node": "001_bcf92bb41f96abcb.txt"},
    "ego": {"node": "湖州市", "depth": 2},
}


@pytest.fixture(scope="module")
def corpus_pages(graph, tmp_path_factory):
    out = tmp_path_factory.mktemp("views")
    return {name: render_view(graph.store, name, out / f"{name}.html", **opts) for name, opts in CORPUS_VIEWS.items()}


@pytest.mark.parametrize("name", list(CORPUS_VIEWS))
def test_corpus_view_draws_offline(browser, corpus_pages, name):
    done = corpus_pages[name]
    page = load(browser, done.path)
    try:
        assert_offline_and_clean(page, done.path)
        assert page.js("document.querySelectorAll('#kg-network canvas').length") == 1
        assert page.js("kgView.nodes.length") == done.nodes
        assert page.js("kgView.network.body.nodeIndices.length") == done.nodes
        assert page.js("kgView.edges.length") == done.edges
        classes = page.js("new Set(kgView.nodes.get().map(function (n) { return n.group; })).size")
        assert page.js("document.querySelectorAll('#kg-legend-list li').length") == classes
        assert done.nodes > 0
    finally:
        page.close()


# --- hostile documents and names ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    from kg.pipeline import build

    src = tmp_path_factory.mktemp("hostile-src")
    for name, hostile_name in HOSTILE_NAMES.items():
        shutil.copy(HOSTILE / name, src / hostile_name)
    out = tmp_path_factory.mktemp("hostile-build")
    summary = build([src], out, store=None)
    assert not summary.failed
    return open_store("oxigraph", graph_file=out / "graph.nq")


@pytest.fixture(scope="module")
def small_store():
    return open_store("oxigraph", graph_file=SMALL)


HOSTILE_VIEWS = [
    ("built", "overview", {}),
    ("built", "cities-concepts", {}),
    ("built", "shared", {}),
    ("built", "plan", {"node": "<img src=x onerror=alert(1)>plan.txt"}),
    ("built", "ego", {"node": "news<svg onload=window.__pwned=1>.txt", "depth": 2}),
    ("small", "overview", {}),
    ("small", "plan", {"node": "p1.txt"}),
    ("small", "plan", {"node": "p2.txt"}),
]


@pytest.mark.parametrize("source, name, opts", HOSTILE_VIEWS, ids=[f"{s}-{n}-{len(o)}" for s, n, o in HOSTILE_VIEWS])
def test_hostile_names_render_as_inert_text(browser, hostile_store, small_store, tmp_path, source, name, opts):
    store = hostile_store if source == "built" else small_store
    path = tmp_path / "view.html"
    page_text, view = render_html(store, name, **opts)
    path.write_text(page_text, encoding="utf-8")
    page = load(browser, path)
    try:
        assert page.js("document.getElementById('kg-heading').textContent") == view.heading
        # Show the tooltips that carry markup: vis-network displays them, as text.
        ids = page.js("kgView.nodes.get().filter(function (n) { return n.title && n.title.textContent.indexOf('<') >= 0; })"
                      ".map(function (n) { return n.id; })")
        assert ids, "the view shows no hostile text at all: the fixture no longer tests anything"
        for node_id in ids[:4]:
            x, y = page.js(f"(function () {{ var n = kgView.network, p = n.canvasToDOM(n.getPosition({json.dumps(node_id)}));"
                           " var r = document.getElementById('kg-network').getBoundingClientRect();"
                           " return [p.x + r.left, p.y + r.top]; })()")
            page.hover(x - 2, y - 2)
            page.hover(x, y)
            text = page.wait_for("(function () { var t = document.querySelector('div.vis-tooltip');"
                                 " return t && t.style.visibility !== 'hidden' && t.textContent; })()")
            assert "<" in text
            assert page.js("document.querySelector('div.vis-tooltip').querySelectorAll('*').length") == 1  # our text div
        browser.pump(0.3)
        assert page.js("typeof window.__pwned") == "undefined"
        assert page.js("document.getElementById('pwned')") is None
        assert page.js("document.querySelectorAll('img, svg:not(#kg-legend svg), iframe, a, object, embed').length") == 0
        assert page.js("document.scripts.length") == 3
        assert_offline_and_clean(page, path)
    finally:
        page.close()


# --- the notebook helper: the same page inside a sandboxed srcdoc iframe ------------------------------
def test_notebook_iframe_draws_offline(browser, small_store, tmp_path):
    page_text, view = render_html(small_store, "plan", node="p2.txt")
    path = tmp_path / "notebook.html"
    path.write_text("<!DOCTYPE html><meta charset=utf-8><body>" + iframe_html(page_text, 600, view.heading), encoding="utf-8")
    page = browser.page()
    try:
        page.attach_frames()
        page.send("Page.navigate", {"url": path.resolve().as_uri()})
        frame = page.frame()  # Chromium runs the sandboxed iframe in its own process: a target of its own
        frame.wait_for(DRAWN)
        assert frame.js("kgView.nodes.length") == view.graph.number_of_nodes()
        assert frame.js("document.getElementById('kg-heading').textContent") == view.heading
        assert frame.js("typeof window.__pwned") == "undefined"
        # sandboxed without allow-same-origin: the view cannot reach the notebook page around it
        assert frame.js("(function () { try { return String(window.parent.document.title); }"
                        " catch (e) { return 'blocked'; } })()") == "blocked"
        assert page.requests() == [path.resolve().as_uri()]
        assert frame.requests() == []
        assert page.errors() == [] and frame.errors() == [] and page.dialogs() == [] and frame.dialogs() == []
    finally:
        page.close()
