"""Stage 4: normalized text + document tree -> Extraction (typed facts with evidence).

Each sub-module extracts one kind of fact; `extract_document` composes them.
"""
from __future__ import annotations

from ..model import DocTree, Extraction, NormText, SourceDoc
from ..vocab import Gazetteer
from .mentions import find_area_mentions, find_concept_mentions
from .metadata import extract_metadata


def extract_document(doc: SourceDoc, nt: NormText, tree: DocTree, gaz: Gazetteer) -> Extraction:
    areas = find_area_mentions(doc, nt, gaz)
    meta = extract_metadata(doc, nt, tree, gaz, areas)
    if meta.jurisdiction is not None:  # second pass: short names resolve within the document's city first
        areas = find_area_mentions(doc, nt, gaz, meta.jurisdiction)
    concepts = find_concept_mentions(doc, nt, tree, gaz)
    targets = _optional("targets", "extract_targets", doc, nt, tree, meta)
    programs = _optional("programs", "extract_programs", doc, nt, tree, meta)
    orgs = _optional("orgs", "extract_orgs", doc, nt, tree, meta, gaz)
    return Extraction(
        meta=meta,
        targets=tuple(targets),
        programs=tuple(programs),
        concepts=tuple(concepts),
        areas=tuple(areas),
        orgs=tuple(orgs),
        sections=tree.sections,
    )


def _optional(module: str, func: str, *args):
    """Extractors that later work adds; absent ones yield nothing."""
    import importlib

    try:
        mod = importlib.import_module(f"{__name__}.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__name__}.{module}":
            return ()
        raise
    return getattr(mod, func)(*args)
