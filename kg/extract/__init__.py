"""Stage 4: normalized text + document tree -> Extraction (typed facts with evidence).

Each sub-module extracts one kind of fact; `extract_document` composes them.
"""
from __future__ import annotations

from dataclasses import replace

from ..model import ConceptMention, DocMeta, DocTree, Extraction, NormText, SourceDoc, Value
from ..namespaces import section_iri
from ..vocab import Gazetteer
from .mentions import areas_outside, concept_spans, find_area_mentions, find_concept_mentions
from .metadata import extract_metadata
from .orgs import extract_orgs
from .programs import extract_programs
from .targets import extract_targets


def extract_document(doc: SourceDoc, nt: NormText, tree: DocTree, gaz: Gazetteer) -> Extraction:
    areas = find_area_mentions(doc, nt, gaz)
    meta = extract_metadata(doc, nt, tree, gaz, areas)
    if meta.jurisdiction is not None:  # second pass: short names resolve within the document's city first
        areas = find_area_mentions(doc, nt, gaz, meta.jurisdiction)
    hits = concept_spans(nt.text, gaz)  # one scan of the labels, read by concepts and organizations
    concepts = find_concept_mentions(doc, nt, tree, gaz, hits)
    concepts = scope_in_sections(doc, nt, tree, concepts)
    targets = extract_targets(doc, nt, tree, meta)
    programs = extract_programs(doc, nt, tree, meta)
    orgs = extract_orgs(doc, nt, tree, meta, gaz, hits)
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


def scope_in_sections(doc: SourceDoc, nt: NormText, tree: DocTree, concepts: list[ConceptMention]) -> list[ConceptMention]:
    """Give each concept mention the innermost heading section it sits in (emitted as qp:inSection),
    so queries can find concepts named together in one section."""
    spans = []
    for sec in tree.walk():
        if sec.kind in ("heading", "appendix") and len(sec.heading_span) == 2 and sec.end > sec.start:
            s, e = nt.source_span(sec.start, sec.end)
            spans.append((s, e, str(section_iri(doc.doc_id, sec.heading_span[0]))))
    if not spans:
        return concepts
    out = []
    for cm in concepts:
        inner = [sp for sp in spans if sp[0] <= cm.evidence.start and cm.evidence.end <= sp[1]]
        if inner:
            cm = replace(cm, scope=min(inner, key=lambda sp: sp[1] - sp[0])[2])
        out.append(cm)
    return out
