"""A folder of malformed and hostile inputs: exact error and warning lines, exit codes, same facts across encodings."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import opencc
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.pipeline import build_document

from .conftest import RAW

HERE = Path(__file__).resolve().parent / "fixtures" / "bad"
HOSTILE_NAME = "<img src=x onerror=alert(1)>.txt"
P002, P003, P004 = "002_4b58b0da6dcbff1b.txt", "003_b8d4b0b9a0480c56.txt", "004_43b08ec545039170.txt"


def big5_mirror(text: str) -> bytes:
    """What a Taiwan-usage mirror serves: traditional script, 质量 written 品質, Big5 bytes."""
    return opencc.OpenCC("s2tw").convert(text).replace("質量", "品質").encode("big5")


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("bad")
    for f in ("truncated.html", "script-payload.html"):
        shutil.copy(HERE / f, d / f)
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (d / "latin1.txt").write_bytes("Ça coûte très cher, déjà réglé à Noël. ".encode("latin-1") * 10)
    (d / "003-gbk.txt").write_bytes((RAW / P003).read_text(encoding="utf-8").encode("gbk"))
    (d / "002-gb18030.txt").write_bytes((RAW / P002).read_text(encoding="utf-8").encode("gb18030"))
    (d / "004-utf16.txt").write_bytes((RAW / P004).read_text(encoding="utf-8").encode("utf-16"))
    (d / "003-big5.txt").write_bytes(big5_mirror((RAW / P003).read_text(encoding="utf-8")))
    (d / HOSTILE_NAME).write_text("湖州市质量发展“十四五”规划\n推进品字标浙江制造品牌建设。", encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def run(bad_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    res = CliRunner().invoke(cli, ["build", str(bad_dir), "--out", str(out), "--store", "none", "-q"], catch_exceptions=False)
    return res, out


def test_exit_code_and_exact_error_lines(run, bad_dir):
    res, _ = run
    assert res.exit_code == 1
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("Error: ")]
    assert errors == [
        f"Error: {bad_dir / 'binary.txt'}: looks like a binary file, not text (convert it to UTF-8 text first)",
        f"Error: {bad_dir / 'empty.txt'}: is empty (remove it from the input or add its text)",
        f"Error: {bad_dir / 'latin1.txt'}: cannot be decoded sensibly (best guess utf-8 reads as 42% plausible text) "
        "(try --encoding gb18030, or big5, utf-16)",
    ]


def test_exact_warning_lines(run):
    res, _ = run
    warnings = [ln for ln in res.stderr.splitlines() if ln.startswith("Warning: ")]
    assert warnings == [
        "Warning: 002-gb18030.txt: injected token '365bet电脑网站_365365bet娱乐场_365淘房APP官网下载' found 11x; replaced by 绍兴市 "
        "(from index number area code 330600, document number prefix 绍政发, 38 intact mention(s))",
        f"Warning: {HOSTILE_NAME}: file name contains markup or control characters; it is kept as plain text and never interpreted",
        "Warning: script-payload.html: removed active markup (4x: <script, javascript:, onerror, onmouseover); it is never run or kept",
        "Warning: truncated.html: HTML looks truncated (a tag or comment is cut off at the end); the text before it is used",
    ]


def test_good_files_are_built_with_detected_encodings(run):
    _, out = run
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    got = {d["file"]: (d["ok"], d["encoding"]) for d in report["documents"]}
    assert got == {
        "002-gb18030.txt": (True, "gb18030"),
        "003-big5.txt": (True, "big5"),
        "003-gbk.txt": (True, "gb18030"),
        "004-utf16.txt": (True, "utf-16"),
        HOSTILE_NAME: (True, "utf-8"),
        "binary.txt": (False, ""),
        "empty.txt": (False, ""),
        "latin1.txt": (False, ""),
        "script-payload.html": (True, "utf-8"),
        "truncated.html": (True, "utf-8"),
    }
    assert (report["ok"], report["failed"], report["refused_mentions"]) == (7, 3, 0)
    graph = (out / "graph.nq").read_text(encoding="utf-8")
    assert "<https://w3id.org/qpkg/id/doc/img-src-x-onerror-alert-1-1a57adf5>" in graph
    assert "document.cookie" not in graph and "evil.example" not in graph


def test_hostile_markup_never_becomes_a_label(run):
    _, out = run
    labels = re.findall(r'"([^"\\]*(?:\\.[^"\\]*)*)"@zh', (out / "graph.nq").read_text(encoding="utf-8"))
    assert labels and not [x for x in labels if "<" in x or "onerror" in x or "javascript" in x]


def test_truncated_page_furniture_is_excluded_and_text_kept(bad_dir):
    r = build_document(bad_dir / "truncated.html")
    furniture = [x["before"] for x in r.report.repairs if x["kind"] == "furniture"]
    assert furniture == ["当前位置:首页 &gt; 政务公开 &gt; 通知公告"]  # the source slice
    assert "<https://w3id.org/qpkg/id/concept/zheshilian>" in r.nquads


# --- the same facts whatever the encoding -----------------------------------------------------------------
def facts(nquads: str, did: str, keep_quotes: bool = True) -> set[tuple[str, ...]]:
    """The document's triples with its id neutralised and the per-file fields (hash, encoding, file name) dropped.

    Mention IRIs lose their hash suffix (it depends on the document id); without quotes a
    traditional-script copy compares too.
    """
    out = set()
    drop = ("#sha256>", "#encoding>", "#sourceFile>", "#path>") + (() if keep_quotes else ("#quote>",))
    for line in nquads.splitlines():
        s, p, o = line.replace(did, "DOC").split(" ", 2)
        if any(p.endswith(k) for k in drop):
            continue
        s, o = (re.sub(r"(/mention/\d+-\d+)-[0-9a-f]+>", r"\1>", x) for x in (s, o))
        out.add((s, p, o))
    return out


@pytest.mark.parametrize(
    "copy,original",
    [("003-gbk.txt", P003), ("002-gb18030.txt", P002), ("004-utf16.txt", P004)],
)
def test_reencoded_copy_yields_the_same_facts(bad_dir, copy, original):
    a = build_document(RAW / original)
    b = build_document(bad_dir / copy)
    fa = facts(a.nquads, a.report.doc_id)
    assert len(fa) > 100
    assert facts(b.nquads, b.report.doc_id) == fa
    assert b.report.repairs == a.report.repairs


def test_big5_mirror_yields_the_same_facts(bad_dir):
    a = build_document(RAW / P003)
    b = build_document(bad_dir / "003-big5.txt")
    assert facts(b.nquads, b.report.doc_id, keep_quotes=False) == facts(a.nquads, a.report.doc_id, keep_quotes=False)
    pinzhi = [r for r in b.report.repairs if r["kind"] == "t2s-pinzhi"]
    assert len(pinzhi) == 61 and {(r["before"], r["after"]) for r in pinzhi} == {("品質", "質量")}


# --- options ------------------------------------------------------------------------------------------------
def test_forced_encoding(bad_dir, tmp_path):
    one = tmp_path / "in"
    one.mkdir()
    shutil.copy(bad_dir / "003-gbk.txt", one / "003-gbk.txt")
    runner = CliRunner()
    res = runner.invoke(cli, ["build", str(one), "--out", str(tmp_path / "o1"), "--store", "none", "-q", "--encoding", "utf-8"], catch_exceptions=False)
    assert res.exit_code == 1
    assert res.stderr.splitlines() == [
        f"Error: {one / '003-gbk.txt'}: cannot decode as utf-8 at byte 0 "
        "(try another --encoding, e.g. gb18030, big5 or utf-16, or omit it to detect)"
    ]
    res = runner.invoke(cli, ["build", str(one), "--out", str(tmp_path / "o2"), "--store", "none", "-q", "--encoding", "gb18030"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "o2" / "report.json").read_text(encoding="utf-8"))["documents"][0]["encoding"] == "gb18030"
    res = runner.invoke(cli, ["build", str(one), "--out", str(tmp_path / "o3"), "--store", "none", "-q", "--encoding", "klingon"], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.stderr.strip() == "Error: --encoding klingon: unknown encoding (use a codec name such as gb18030, big5 or utf-16)"


def test_max_bytes(tmp_path):
    one = tmp_path / "in"
    one.mkdir()
    shutil.copy(RAW / P003, one / P003)
    shutil.copy(RAW / P004, one / P004)
    size = (RAW / P004).stat().st_size
    res = CliRunner().invoke(
        cli, ["build", str(one), "--out", str(tmp_path / "o"), "--store", "none", "-q", "--max-bytes", "10000"], catch_exceptions=False
    )
    assert res.exit_code == 1
    assert res.stderr.splitlines() == [
        f"Error: {one / P004}: is {size} bytes, over the 10000-byte limit (raise it with --max-bytes or split the file)"
    ]
    report = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    assert [(d["file"], d["ok"]) for d in report["documents"]] == [(P003, True), (P004, False)]
    res = CliRunner().invoke(cli, ["build", str(one), "--out", str(tmp_path / "o"), "--store", "none", "-q", "--max-bytes", "0"], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.stderr.strip() == "Error: --max-bytes 0: must be a positive number of bytes"
