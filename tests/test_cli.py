"""CLI contract: help on every command, exit codes, exact error lines (CliRunner, no subprocesses)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import cli

from .conftest import RAW


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_every_command_has_help(runner):
    res = runner.invoke(cli, ["--help"], catch_exceptions=False)
    assert res.exit_code == 0
    for name, cmd in cli.commands.items():
        assert cmd.help and cmd.help.strip(), f"kg {name} has no help text"
        sub = runner.invoke(cli, [name, "--help"], prog_name="kg", catch_exceptions=False)
        assert sub.exit_code == 0, name
        assert "Usage: kg " + name in sub.output


def test_version(runner):
    import kg

    res = runner.invoke(cli, ["--version"], catch_exceptions=False)
    assert res.output.strip() == f"kg, version {kg.__version__}"


def test_build_query_roundtrip(runner, tmp_path):
    out = tmp_path / "b"
    res = runner.invoke(cli, ["build", str(RAW), "--out", str(out), "--store", "oxigraph", "--db", str(out / "db"), "-q"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    for f in ("graph.trig", "graph.ttl", "graph.nq", "report.json"):
        assert (out / f).is_file()
    res = runner.invoke(cli, ["query", "documents", "--build-dir", str(out), "--format", "json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert [r["file"] for r in rows] == sorted(p.name for p in RAW.glob("*.txt"))
    # the same query through the on-disk Oxigraph store
    res2 = runner.invoke(cli, ["query", "documents", "--store", "oxigraph", "--db", str(out / "db"), "--format", "json"], catch_exceptions=False)
    assert res2.exit_code == 0, res2.output
    assert json.loads(res2.output) == rows


def test_build_exit_1_when_a_file_fails(runner, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "good.txt").write_bytes((RAW / "003_b8d4b0b9a0480c56.txt").read_bytes())
    res = runner.invoke(cli, ["build", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--store", "none", "-q"], catch_exceptions=False)
    assert res.exit_code == 1
    assert f"Error: {tmp_path / 'in' / 'empty.txt'}: is empty (remove it from the input or add its text)" in res.output
    assert (tmp_path / "out" / "graph.ttl").is_file()


def test_build_missing_path_is_usage_error(runner, tmp_path):
    res = runner.invoke(cli, ["build", str(tmp_path / "nope"), "--out", str(tmp_path / "o"), "-q"], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output.strip() == f"Error: {tmp_path / 'nope'}: no such file or folder (give files or folders of source documents)"


def test_unknown_query(runner, built):
    res = runner.invoke(cli, ["query", "no-such-query", "--build-dir", str(built)], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output.startswith("Error: no named query 'no-such-query' (see `kg query --list`; available: ")


def test_unknown_param(runner, built):
    res = runner.invoke(cli, ["query", "documents", "-p", "x=1", "--build-dir", str(built)], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output.strip() == "Error: query 'documents' has no parameter x (it takes: none)"


def test_query_list_shows_headers(runner):
    res = runner.invoke(cli, ["query", "--list"], catch_exceptions=False)
    assert res.exit_code == 0
    assert "shared-concepts: " in res.output
    assert "--param min_cities=<integer> (default 2)" in res.output


def test_sparql_text_and_formats(runner, built):
    q = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a qp:Document ; qp:sourceFile ?f }"
    res = runner.invoke(cli, ["sparql", q, "--build-dir", str(built), "--format", "csv"], catch_exceptions=False)
    assert res.exit_code == 0
    assert res.output.splitlines() == ["n", "5"]
    res = runner.invoke(cli, ["sparql", q, "--build-dir", str(built), "--format", "srj"], catch_exceptions=False)
    assert json.loads(res.output)["results"]["bindings"][0]["n"]["value"] == "5"


def test_sparql_syntax_error(runner, built):
    res = runner.invoke(cli, ["sparql", "SELECT WHERE {", "--build-dir", str(built)], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output.startswith("Error: SPARQL syntax error:")


def test_no_build_is_a_clear_error(runner, tmp_path):
    res = runner.invoke(cli, ["query", "documents", "--build-dir", str(tmp_path / "none")], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output.strip() == f"Error: {tmp_path / 'none'}: no build there (run `make run` or `kg build` first, or pass --graph FILE)"


def test_render_overview(runner, built, tmp_path):
    out = tmp_path / "v.html"
    res = runner.invoke(cli, ["render", "overview", "--build-dir", str(built), "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert json.dumps("湖州市")[1:-1] in page or "湖州市" in page
    assert "bootstrap" not in page.lower()


def test_build_same_stem_twice_is_one_error_line(runner, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    good = (RAW / "003_b8d4b0b9a0480c56.txt").read_bytes()
    (src / "plan.txt").write_bytes(good)
    (src / "plan.md").write_bytes(good)
    res = runner.invoke(cli, ["build", str(src), "--out", str(tmp_path / "out"), "--store", "none", "-q", "--jobs", "2"], catch_exceptions=False)
    assert res.exit_code == 1
    assert res.output.splitlines() == [
        f"Error: {src / 'plan.txt'}: has the same document id 'plan' as {src / 'plan.md'} "
        "(the id is the file name without its extension; rename one of the two files)"
    ]
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert [(d["file"], d["ok"]) for d in report["documents"]] == [("plan.md", True), ("plan.txt", False)]
