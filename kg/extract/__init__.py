"""Stage 4: normalized text + document tree -> Extraction (typed facts with evidence).

Each sub-module extracts one kind of fact; `extract_document` composes them.
"""
from __future__ import annotations

from dataclasses import replace

from ..model import DocMeta, DocTree, Extraction, NormText, SourceDoc, Value
from ..vocab import Gazetteer
from .mentions import areas_outside, find_area_mentions, find_concept_mentions
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
    meta = _issuer_as_org(meta, orgs)
    # an area named only inside a concept label or an organization name is not mentioned on its own
    areas = areas_outside(areas, [(m.evidence.start, m.evidence.end) for m in (*concepts, *orgs)])
    return Extraction(
        meta=meta,
        targets=tuple(targets),
        programs=tuple(programs),
        concepts=tuple(concepts),
        areas=tuple(areas),
        orgs=tuple(orgs),
        sections=tree.sections,
    )


def _issuer_as_org(meta: DocMeta, orgs) -> DocMeta:
    """The issuer under the name its organization node has (杭州市萧山区人民政府 -> 萧山区人民政府,
    the body that 区政府 in the same text resolves to), so that both are one node."""
    if meta.issuer is None:
        return meta
    ev = meta.issuer.evidence
    hit = next((o for o in orgs if o.evidence.start <= ev.start and ev.end <= o.evidence.end), None)
    if hit is None or hit.name == meta.issuer.value:
        return meta
    return replace(meta, issuer=Value(value=hit.name, evidence=meta.issuer.evidence))


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
