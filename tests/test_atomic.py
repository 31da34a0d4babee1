"""Atomic outputs: a build killed midway leaves the previous build byte-identical."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kg import atomic
from kg.pipeline import build

from .conftest import RAW, ROOT

OUTPUTS = ("graph.nq", "graph.trig", "graph.ttl", "report.json")
SMALL = "003_b8d4b0b9a0480c56.txt"
BIG = "001_bcf92bb41f96abcb.txt"
OTHER = "004_43b08ec545039170.txt"


def snapshot(out: Path) -> dict[str, bytes]:
    return {f: (out / f).read_bytes() for f in OUTPUTS}


@pytest.fixture()
def previous(tmp_path) -> tuple[Path, dict[str, bytes]]:
    """A finished build of one small document: the output a killed build must not damage."""
    out = tmp_path / "out"
    build([RAW / SMALL], out, store=None)
    return out, snapshot(out)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_sigkill_during_build_keeps_previous_output(previous, tmp_path):
    out, before = previous
    many = tmp_path / "many"
    many.mkdir()
    for i in range(40):
        shutil.copy(RAW / BIG, many / f"copy{i:02d}.txt")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "build", str(many), "--out", str(out), "--store", "none", "-q"],
        env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(2.0)  # interpreter start plus a few documents: well inside the 40-document build
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert snapshot(out) == before


def test_kill_while_writing_outputs_keeps_previous_output(previous, tmp_path):
    """The process dies after writing some output temporaries and before renaming any."""
    out, before = previous
    script = textwrap.dedent(
        f"""
        import os
        from kg import atomic
        from kg.pipeline import build

        real = atomic._write_temp
        calls = []

        def dying(path, data):
            tmp = real(path, data)
            calls.append(tmp)
            if len(calls) == 3:  # graph.nq, graph.trig and graph.ttl are on disk as temporaries
                os._exit(9)
            return tmp

        atomic._write_temp = dying
        build([{str(RAW / OTHER)!r}], {str(out)!r}, store=None)
        """
    )
    res = subprocess.run([sys.executable, "-c", script], env=_env(), capture_output=True, timeout=120)
    assert res.returncode == 9, res.stderr.decode()
    assert snapshot(out) == before
    stale = sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp"))
    assert [re.sub(r"\.\d+\.[A-Za-z0-9_]+\.tmp$", "", n) for n in stale] == [".graph.nq", ".graph.trig", ".graph.ttl"]
    # the next build clears what the dead one left and replaces the outputs
    build([RAW / OTHER], out, store=None)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert snapshot(out)["graph.ttl"] != before["graph.ttl"]


def test_batch_renames_only_on_success(tmp_path):
    (tmp_path / "a.txt").write_text("old a")
    (tmp_path / "b.txt").write_text("old b")
    with pytest.raises(RuntimeError):
        with atomic.batch():
            atomic.write_text(tmp_path / "a.txt", "new a")
            atomic.write_text(tmp_path / "b.txt", "new b")
            raise RuntimeError("killed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]
    assert (tmp_path / "a.txt").read_text() == "old a"
    with atomic.batch():
        atomic.write_text(tmp_path / "a.txt", "new a")
        assert (tmp_path / "a.txt").read_text() == "old a"  # not yet
        atomic.write_text(tmp_path / "c.txt", "new c")
    assert [(tmp_path / n).read_text() for n in ("a.txt", "b.txt", "c.txt")] == ["new a", "old b", "new c"]


def test_single_write_is_atomic_and_keeps_mode(tmp_path):
    p = tmp_path / "x.txt"
    atomic.write_text(p, "一")
    atomic.write_text(p, "二")
    assert p.read_text(encoding="utf-8") == "二"
    assert oct(p.stat().st_mode & 0o777) == oct(0o666 & ~atomic._umask())
    assert [f.name for f in tmp_path.iterdir()] == ["x.txt"]


def test_clean_stale_keeps_live_temporaries(tmp_path):
    dead = tmp_path / ".graph.ttl.999999999.abc_1.tmp"
    live = tmp_path / f".graph.ttl.{os.getpid()}.abc_2.tmp"
    other = tmp_path / ".notes.tmp"
    for f in (dead, live, other):
        f.write_text("x")
    assert atomic.clean_stale(tmp_path) == [dead]
    assert sorted(f.name for f in tmp_path.iterdir()) == sorted([live.name, other.name])
