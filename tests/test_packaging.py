"""Every data file the package reads at run time is declared in setup.cfg's package_data, so a wheel
(not only the editable install of `make`) has it."""
import configparser
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _declared() -> set[Path]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    out: set[Path] = set()
    for package, patterns in cfg["options.package_data"].items():
        base = ROOT.joinpath(*package.split("."))
        for pattern in patterns.replace("\n", ",").split(","):
            if pattern.strip():
                out.update(p.resolve() for p in base.glob(pattern.strip()) if p.is_file())
    return out


def _shipped_data() -> set[Path]:
    """Files git tracks under kg/ that are not Python, with kg/ontology (a link to ../ontology) followed."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tracked files are unknown")
    tracked = subprocess.run(["git", "ls-files", "kg", "ontology"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    files = set()
    for name in tracked:
        path = ROOT / name
        if name.startswith("ontology/"):
            path = ROOT / "kg" / name  # what the package sees through its link
        if path.is_file() and path.suffix != ".py":
            files.add(path.resolve())
    return files


def test_every_data_file_is_declared():
    missing = sorted(str(p.relative_to(ROOT)) for p in _shipped_data() - _declared())
    assert missing == []


def test_the_declarations_match_files():
    assert len(_declared()) >= 40  # ontology, vocabularies, queries, word lists, page assets, bench templates
