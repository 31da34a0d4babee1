"""Gazetteer matching: concepts (schemes, awards, initiatives) and administrative areas."""
from __future__ import annotations

import re

from ..model import AreaMention, ConceptMention, DocTree, NormText, SourceDoc
from ..vocab import Gazetteer
from .evidence import evidence


def _excluded_by_context(text: str, start: int, end: int, excludes: tuple[str, ...]) -> bool:
    """True when the match sits inside a longer string the vocabulary says is a different thing."""
    for ex in excludes:
        lo = max(0, start - len(ex))
        window = text[lo : end + len(ex)]
        for m in re.finditer(re.escape(ex), window):
            if lo + m.start() <= start and end <= lo + m.end():
                return True
    return False


def find_concept_mentions(doc: SourceDoc, nt: NormText, tree: DocTree, gaz: Gazetteer) -> list[ConceptMention]:
    out: list[ConceptMention] = []
    text = nt.text
    for m in gaz.concept_pattern().finditer(text):
        s, e = m.span()
        if nt.is_excluded(s, e):
            continue
        for c in gaz.concepts_for_label(m.group(0)):
            if _excluded_by_context(text, s, e, c.exclude):
                continue
            out.append(ConceptMention(concept=c.iri, evidence=evidence(doc, nt, s, e)))
    return out


_AREA_CACHE: dict[int, tuple[re.Pattern[str], dict[str, list[str]]]] = {}


def _area_pattern(gaz: Gazetteer) -> tuple[re.Pattern[str], dict[str, list[str]]]:
    key = id(gaz)
    if key not in _AREA_CACHE:
        by_name: dict[str, list[str]] = {}
        for a in gaz.areas:
            for n in (a.name, *a.short_names):
                if len(n) >= 2:
                    by_name.setdefault(n, []).append(a.code)
        names = sorted(by_name, key=lambda s: (-len(s), s))
        _AREA_CACHE[key] = (re.compile("|".join(map(re.escape, names))), by_name)
    return _AREA_CACHE[key]


def find_area_mentions(doc: SourceDoc, nt: NormText, gaz: Gazetteer) -> list[AreaMention]:
    """Every area name (full or short) in the text; ambiguous short names resolve later by province."""
    pattern, by_name = _area_pattern(gaz)
    out: list[AreaMention] = []
    for m in pattern.finditer(nt.text):
        s, e = m.span()
        if nt.is_excluded(s, e):
            continue
        codes = by_name[m.group(0)]
        if len(codes) == 1:
            out.append(AreaMention(code=codes[0], evidence=evidence(doc, nt, s, e)))
    return out
