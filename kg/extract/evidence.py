"""Turn normalized spans into Evidence (source offsets + exact quote)."""
from __future__ import annotations

from ..model import Evidence, NormText, SourceDoc


def evidence(doc: SourceDoc, nt: NormText, start: int, end: int) -> Evidence:
    """Evidence for normalized [start, end): the source span it came from and its exact text."""
    s, e = nt.source_span(start, end)
    return Evidence(start=s, end=e, quote=doc.text[s:e])
