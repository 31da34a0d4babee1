"""Docs that cannot rot: the README's commands exist."""
from __future__ import annotations

import re

from kg.cli import cli

from .conftest import ROOT


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", text, re.M))


def test_readme_opens_with_the_two_setup_commands():
    block = re.search(r"```sh\n(.*?)```", readme(), re.S).group(1)
    cmds = [ln.split("#")[0].strip() for ln in block.splitlines() if ln.strip()]
    assert cmds[:2] == ["make run", "make test"]
    assert {"run", "test"} <= make_targets()


def test_every_make_command_in_readme_exists():
    for target in re.findall(r"`make ([a-z-]+)`", readme()) + re.findall(r"^make ([a-z-]+)", readme(), re.M):
        assert target in make_targets(), target


def test_every_kg_command_in_readme_exists():
    used = set(re.findall(r"^kg ([a-z-]+)", readme(), re.M)) - {"--version"}
    assert used, "the README shows no kg command"
    assert used <= set(cli.commands), used - set(cli.commands)


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
