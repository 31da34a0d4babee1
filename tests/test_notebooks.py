"""The analyst notebooks and the API they rely on.

- every notebook in notebooks/ is committed without outputs;
- every notebook runs top to bottom (nbclient) against the session build, and its own `assert`
  cells check its facts (无废城市 shared by 湖州市 and 绍兴市, Shaoxing's 23 table targets …);
- matplotlib draws Chinese without a missing glyph;
- the API helpers: `Graph.incidence`, `Graph.targets`, `Graph.quote_context`, `kg.open()`'s
  default build ($QPKG_BUILD, ./build, ../build), `kg.query` as a function.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
import warnings
from pathlib import Path

import pytest

from kg.errors import QueryParameterError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
RAW = ROOT / "data" / "raw"
SHAOXING = "002_4b58b0da6dcbff1b.txt"
GLYPH_MISSING = re.compile(r"Glyph \d+ .*missing from (current )?font", re.S)


# --------------------------------------------------------------------------- committed state
def test_the_four_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == [
        "01-quickstart.ipynb",
        "02-shared-initiatives.ipynb",
        "03-targets.ipynb",
        "04-provenance.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_are_cleared_in_git(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    dirty = [i for i, c in code
             if c.get("outputs") or c.get("execution_count") is not None or "execution" in c["metadata"]]
    assert dirty == [], f"{path.name}: cells {dirty} have outputs; clear them (Edit > Clear Outputs of All Cells)"
    assert "widgets" not in nb["metadata"], f"{path.name}: widget state saved in the notebook metadata"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_open_the_graph_through_the_public_api(path: Path):
    code = "\n".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                     for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code")
    assert "kg.open()" in code
    # internals stay internal: no store, pipeline or query-module imports, no hard-coded build path
    internals = r"from kg\.(store|pipeline|query|emit|extract|render)\b|import kg\.(store|pipeline|query)\b"
    assert not re.search(internals, code)
    assert not re.search(r"kg\.open\(\s*[\"']", code), f"{path.name}: let kg.open() find the build itself"


# --------------------------------------------------------------------------- execution
@pytest.fixture(scope="session")
def kernel(tmp_path_factory) -> str:
    """A kernelspec for the interpreter running the tests: a user-level `python3` elsewhere must not win."""
    pytest.importorskip("nbclient", reason="the notebooks extra is not installed: pip install -e '.[notebooks]'")
    pytest.importorskip("ipykernel", reason="the notebooks extra is not installed: pip install -e '.[notebooks]'")
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "qpkg-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "qpkg tests", "language": "python"}))
    return str(root)


def run_notebook(path: Path, build: Path, jupyter_path: str):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env = {**os.environ, "QPKG_BUILD": str(build), "QPKG_SOURCES": str(RAW)}
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = jupyter_path  # searched before the user's and the system's kernelspecs
    try:
        resources = {"metadata": {"path": str(NOTEBOOK_DIR)}}  # the kernel's working directory
        client = NotebookClient(nb, kernel_name="qpkg-test", timeout=120, resources=resources)
        client.execute(env=env)
    finally:
        if old is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = old
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path, built: Path, kernel: str):
    nb = run_notebook(path, built, kernel)  # raises CellExecutionError (with the cell and traceback) on any error
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    stderr = "".join(o.get("text", "") for c in code for o in c.outputs if o.get("name") == "stderr")
    assert not GLYPH_MISSING.search(stderr), f"{path.name}: matplotlib lacked a Chinese glyph:\n{stderr}"


# --------------------------------------------------------------------------- Chinese in matplotlib
def _draw_chinese_figure() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.bar(["湖州市", "绍兴市"], [44, 23], label="目标数")
    ax.set_title("无废城市 · 合格率 · 满意度 — 约束性/预期性")
    ax.set_xlabel("2020 基期 → 2025 目标")
    ax.legend()
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def test_cjk_font_draws_every_chinese_glyph():
    import matplotlib as mpl

    from kg.plotting import use_cjk_font

    with mpl.rc_context(), warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing")
        family = use_cjk_font()
        assert mpl.rcParams["font.sans-serif"][0] == family
        _draw_chinese_figure()


def test_without_a_cjk_font_glyphs_go_missing():
    """The check above can fail: matplotlib's default font has no Chinese."""
    import matplotlib as mpl

    with mpl.rc_context({"font.family": ["DejaVu Sans"]}), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _draw_chinese_figure()
    assert any(GLYPH_MISSING.search(str(w.message)) for w in caught)


def test_cjk_font_installed_after_matplotlib_cached_its_font_list(monkeypatch):
    from matplotlib import font_manager

    from kg.plotting import CJK_FAMILIES, find_cjk_font

    cached = [f for f in font_manager.fontManager.ttflist if f.name not in CJK_FAMILIES]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", cached)
    assert find_cjk_font() in CJK_FAMILIES


def test_cjk_font_file_not_found(tmp_path: Path):
    from kg.plotting import FontNotFoundError, use_cjk_font

    with pytest.raises(FontNotFoundError) as e:
        use_cjk_font(tmp_path / "none.ttf")
    assert str(e.value) == f"{tmp_path / 'none.ttf'}: font file not found (give a .ttf/.otf/.ttc path)"


# --------------------------------------------------------------------------- API helpers
def test_incidence_of_cities_and_concepts(graph):
    b = graph.incidence(weight="binary")
    assert list(b.index) == ["嘉兴市", "泰州市", "湖州市", "绍兴市"]
    assert b["无废城市"].to_dict() == {"嘉兴市": 0, "泰州市": 0, "湖州市": 1, "绍兴市": 1}
    assert b["政府质量奖"].to_dict() == {"嘉兴市": 0, "泰州市": 1, "湖州市": 1, "绍兴市": 1}
    assert set(b.to_numpy().ravel()) == {0, 1}
    docs = graph.incidence()
    assert docs.loc["湖州市", "政府质量奖"] == 2  # the Huzhou plan and the Huzhou news feature
    assert (graph.incidence(weight="mentions") >= docs).all().all()
    awards = graph.incidence(kind="award")
    assert "政府质量奖" in awards.columns and "无废城市" not in awards.columns


def test_incidence_rejects_bad_arguments(graph):
    with pytest.raises(QueryParameterError) as e:
        graph.incidence(weight="tfidf")
    assert str(e.value) == "weight: 'tfidf' is not one of docs, mentions, binary"
    with pytest.raises(QueryParameterError) as e:
        graph.incidence(kind="person")
    assert str(e.value) == "kind: 'person' is not one of scheme, award, initiative (or None for all)"


def test_targets_are_typed(graph):
    t = graph.targets()
    sx = t[(t["file"] == SHAOXING) & (t["extracted_from"] == "table")].sort_values("ordinal")
    assert len(sx) == 23
    first = sx.iloc[0]
    assert first["indicator"] == "制造业产品质量合格率"
    assert (first["baseline_value"], first["target_value"]) == (96.56, 96.0)
    assert (first["baseline_year"], first["target_year"], first["binding"]) == (2020, 2025, True)
    assert str(t["target_year"].dtype) == "Int64" and str(t["binding"].dtype) == "boolean"


def test_quote_context_of_a_target(graph, sources):
    ctx = graph.quote_context("qpd:doc/002_4b58b0da6dcbff1b/target/001", width=20)
    text = sources[SHAOXING]
    assert ctx.agrees and ctx.quote == text[ctx.start:ctx.end]
    assert "制造业产品质量合格率" in ctx.quote and "96.56" in ctx.quote
    assert ctx.before == text[ctx.start - 20:ctx.start] and ctx.after == text[ctx.end:ctx.end + 20]
    page = ctx._repr_html_()
    assert f"[{ctx.start}:{ctx.end}]: the quote agrees with the source slice" in page and "<mark>" in page


def test_quote_context_keeps_the_spam_the_source_really_has(graph, sources):
    prov = graph.query("node-provenance", node="绍兴市").df()
    row = prov[prov["file"] == SHAOXING].sort_values("start").iloc[0]
    ctx = graph.quote_context(row["mention"])
    spam = "365bet电脑网站_365365bet娱乐场_365淘房APP官网下载"
    assert ctx.quote == sources[SHAOXING][ctx.start:ctx.end] == spam
    assert str(ctx).startswith(f"{SHAOXING} [{ctx.start}:{ctx.end}] …")


def test_quote_context_of_a_node_without_evidence(graph):
    with pytest.raises(QueryParameterError) as e:
        graph.quote_context("qp:Target")
    assert str(e.value) == "node: 'qp:Target' has no qp:Mention with quote and offsets in the graph"


def test_open_finds_the_build(built: Path, tmp_path: Path, monkeypatch):
    import kg

    monkeypatch.setenv("QPKG_BUILD", str(built))
    monkeypatch.setenv("QPKG_SOURCES", str(RAW))
    g = kg.open()
    assert (g.build_dir, g.sources) == (built, RAW)
    # a notebook runs in notebooks/, the build is ../build
    monkeypatch.delenv("QPKG_BUILD")
    shutil.copytree(built, tmp_path / "build")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    g = kg.open()
    assert g.build_dir == Path("..") / "build" and len(g) > 0


def test_kg_query_stays_a_function_after_the_api_is_loaded(graph):
    import kg
    import kg.api  # noqa: F401  (loading the API imports kg.querying, which no longer shadows kg.query)

    assert callable(kg.query) and kg.query.__module__ == "kg.api"
    assert callable(kg.sparql) and kg.sparql.__module__ == "kg.api"
