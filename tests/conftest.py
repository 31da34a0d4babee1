from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
GOLD = ROOT / "tests" / "gold" / "seeds.json"


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The bundled corpus built once per test session (no store), returns the output folder."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("build")
    summary = build([RAW], out, store=None)
    assert not summary.failed, [d.error for d in summary.failed]
    return out


@pytest.fixture(scope="session")
def graph(built):
    """The session build opened as a kg.Graph (in-memory Oxigraph)."""
    import kg

    return kg.open(built)


@pytest.fixture(scope="session")
def sources() -> dict[str, str]:
    """Decoded source text of every bundled document, by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))}


@pytest.fixture(scope="session")
def extractions() -> dict:
    """Every bundled document through build_document once per session: file name -> Extraction."""
    from kg.pipeline import build_document

    return {p.name: build_document(p).extraction for p in sorted(RAW.glob("*.txt"))}
