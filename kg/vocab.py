"""The gazetteer: concepts and administrative areas read from the SKOS vocabularies in ontology/vocab.

The extractor matches exactly what the graph publishes: labels come from
skos:prefLabel / skos:altLabel / skos:hiddenLabel (@zh) of the vocabulary files, and
areas from the GB/T 2260 area vocabulary.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from .namespaces import QP
from .resources import vocab_files

#: concept classes -> the kind name used in records and gold files
CONCEPT_KINDS = {
    QP.CertificationScheme: "scheme",
    QP.Award: "award",
    QP.Initiative: "initiative",
}
AREA_LEVELS = {QP.Province: "province", QP.City: "city", QP.County: "county"}


@dataclass(frozen=True)
class ConceptEntry:
    iri: str
    kind: str  # scheme | award | initiative
    pref_label: str
    labels: tuple[str, ...]  # every @zh label to match (pref, alt, hidden)
    broader: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # qp:excludeLabel: longer strings in which a label match does not count


@dataclass(frozen=True)
class AreaEntry:
    code: str
    name: str
    short_names: tuple[str, ...]
    level: str
    parent: str  # parent code or ""


@dataclass(frozen=True)
class Gazetteer:
    concepts: tuple[ConceptEntry, ...]
    areas: tuple[AreaEntry, ...]

    @property
    def area_by_code(self) -> dict[str, AreaEntry]:
        return _area_index(self)

    def concept(self, iri: str) -> ConceptEntry:
        return _concept_index(self)[iri]

    def concept_pattern(self) -> re.Pattern[str]:
        """One alternation of every concept label, longest first (leftmost-longest matching)."""
        return _concept_regex(self)

    def concepts_for_label(self, label: str) -> tuple[ConceptEntry, ...]:
        return _label_index(self).get(label, ())


@lru_cache(maxsize=None)
def _area_index(g: Gazetteer) -> dict[str, AreaEntry]:
    return {a.code: a for a in g.areas}


@lru_cache(maxsize=None)
def _concept_index(g: Gazetteer) -> dict[str, ConceptEntry]:
    return {c.iri: c for c in g.concepts}


@lru_cache(maxsize=None)
def _label_index(g: Gazetteer) -> dict[str, tuple[ConceptEntry, ...]]:
    idx: dict[str, list[ConceptEntry]] = {}
    for c in g.concepts:
        for lab in c.labels:
            idx.setdefault(lab, []).append(c)
    return {k: tuple(v) for k, v in idx.items()}


@lru_cache(maxsize=None)
def _concept_regex(g: Gazetteer) -> re.Pattern[str]:
    labels = sorted(_label_index(g), key=lambda s: (-len(s), s))
    return re.compile("|".join(re.escape(x) for x in labels)) if labels else re.compile(r"(?!)")


def _zh(graph: Graph, s, p) -> list[str]:
    return sorted(str(o) for o in graph.objects(s, p) if isinstance(o, Literal) and (o.language or "").startswith("zh"))


def load_vocab_graph() -> Graph:
    g = Graph()
    for f in vocab_files():
        g.parse(data=f.read_text(encoding="utf-8"), format="turtle")
    return g


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Read every vocabulary file once per process."""
    g = load_vocab_graph()
    concepts = []
    for cls, kind in CONCEPT_KINDS.items():
        for s in g.subjects(RDF.type, cls):
            pref = _zh(g, s, SKOS.prefLabel)
            if not pref:
                continue
            labels = set(pref) | set(_zh(g, s, SKOS.altLabel)) | set(_zh(g, s, SKOS.hiddenLabel))
            concepts.append(
                ConceptEntry(
                    iri=str(s),
                    kind=kind,
                    pref_label=pref[0],
                    labels=tuple(sorted(labels)),
                    broader=tuple(sorted(str(o) for o in g.objects(s, SKOS.broader))),
                    exclude=tuple(_zh(g, s, QP.excludeLabel)),
                )
            )
    areas = []
    for cls, level in AREA_LEVELS.items():
        for s in g.subjects(RDF.type, cls):
            code = str(g.value(s, QP.adminCode) or "")
            names = _zh(g, s, RDFS.label) or _zh(g, s, SKOS.prefLabel)
            if not code or not names:
                continue
            parent = g.value(s, QP.partOf)
            parent_code = str(g.value(parent, QP.adminCode) or "") if isinstance(parent, URIRef) else ""
            areas.append(
                AreaEntry(
                    code=code,
                    name=names[0],
                    short_names=tuple(_zh(g, s, SKOS.altLabel)),
                    level=level,
                    parent=parent_code,
                )
            )
    concepts.sort(key=lambda c: c.iri)
    areas.sort(key=lambda a: a.code)
    return Gazetteer(concepts=tuple(concepts), areas=tuple(areas))
