"""Stage 5: Extraction -> RDF quads of the document's named graph, as canonical N-Quads lines.

Only this module knows RDF terms. Every fact gets a qp:Mention with the exact quote;
a mention whose quote is not the source slice is refused and counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from . import namespaces as ns
from .model import Evidence, Extraction, OrgMention, SourceDoc

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
QP = str(ns.QP)
PROV = "http://www.w3.org/ns/prov#"


def iri(value: str) -> str:
    return f"<{value}>"


_ESC = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def lit(value, datatype: str | None = None, lang: str | None = None) -> str:
    if isinstance(value, bool):
        return f'"{str(value).lower()}"^^<{XSD}boolean>'
    if isinstance(value, int) and datatype is None:
        return f'"{value}"^^<{XSD}integer>'
    if isinstance(value, float) and datatype is None:
        return f'"{decimal_text(value)}"^^<{XSD}decimal>'
    s = str(value).translate(_ESC)
    if lang:
        return f'"{s}"@{lang}'
    if datatype and datatype != XSD + "string":
        return f'"{s}"^^<{datatype}>'
    return f'"{s}"'


def decimal_text(v: float) -> str:
    """Canonical xsd:decimal text, as Oxigraph writes it: 98.0 -> 98, 99.50 -> 99.5."""
    d = Decimal(repr(v)).normalize()
    s = format(d, "f")
    return s


def date_literal(value: str) -> str:
    """xsd:date, xsd:gYearMonth or xsd:gYear, as precise as the text."""
    n = value.count("-")
    dt = {2: "date", 1: "gYearMonth", 0: "gYear"}[n]
    return lit(value, XSD + dt)


_P_TYPE = iri(RDF_TYPE)
_C_MENTION = iri(QP + "Mention")
_P_IN_DOCUMENT = iri(QP + "inDocument")
_P_QUOTE = iri(QP + "quote")
_P_START = iri(QP + "start")
_P_END = iri(QP + "end")
_P_MENTION_OF = iri(QP + "mentionOf")
_P_EVIDENCE = iri(QP + "evidence")
_INTEGER = f"^^<{XSD}integer>"


@dataclass
class Emitter:
    doc: SourceDoc
    graph: str
    lines: set[str] = field(default_factory=set)
    refused: int = 0

    def __post_init__(self) -> None:
        # per-document constants of every mention (a document has ~70 of them): the same strings
        # ns.mention_iri and ns.doc_iri give, without an rdflib term and a hash per mention
        did = self.doc.doc_id
        self._mention_prefix = f"<{ns.QPD}doc/{did}/mention/"
        self._doc = iri(ns.doc_iri(did))
        self._tail = f" {self.graph} ."
        self._hashes: dict[str, str] = {}

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.add(f"{s} {p} {o} {self.graph} .")

    def mention(self, start: int, end: int, target: str) -> str:
        """The mention's IRI term, as iri(ns.mention_iri(doc_id, start, end, target))."""
        h = self._hashes.get(target)
        if h is None:
            h = self._hashes[target] = ns.short_hash(target, length=6)
        return f"{self._mention_prefix}{start}-{end}-{h}>"

    def evidence(self, subject: str, ev: Evidence, of: str | None = None, link: bool = True) -> bool:
        """Add a qp:Mention of `of` (default: subject); with link, also `subject qp:evidence mention`.

        Refuse (and count) a mention whose quote is not exactly the source slice.
        """
        start, end, quote = ev.start, ev.end, ev.quote
        text = self.doc.text
        if not (0 <= start < end <= len(text)) or text[start:end] != quote:
            self.refused += 1
            return False
        target = of or subject[1:-1]
        m = self.mention(start, end, target)
        tail = self._tail
        self.lines.update((
            f"{m} {_P_TYPE} {_C_MENTION}{tail}",
            f"{m} {_P_IN_DOCUMENT} {self._doc}{tail}",
            f"{m} {_P_QUOTE} {lit(quote)}{tail}",
            f'{m} {_P_START} "{start}"{_INTEGER}{tail}',
            f'{m} {_P_END} "{end}"{_INTEGER}{tail}',
            f"{m} {_P_MENTION_OF} <{target}>{tail}",
        ))
        if link:
            self.lines.add(f"{subject} {_P_EVIDENCE} {m}{tail}")
        return True


def emit_document(doc: SourceDoc, ex: Extraction) -> tuple[list[str], int]:
    """Return (sorted N-Quads lines of the document's named graph, refused mention count)."""
    g = iri(ns.graph_iri(doc.doc_id))
    em = Emitter(doc=doc, graph=g)
    d = iri(ns.doc_iri(doc.doc_id))
    meta = ex.meta
    add = em.add
    add(d, iri(RDF_TYPE), iri(QP + "Document"))
    add(d, iri(RDF_TYPE), iri(QP + ("Plan" if meta.kind == "plan" else "Article")))
    add(d, iri(QP + "sourceFile"), lit(doc.name))
    add(d, iri(QP + "sha256"), lit(doc.sha256))
    add(d, iri(QP + "encoding"), lit(doc.encoding))
    if meta.is_fragment:
        add(d, iri(QP + "isFragment"), lit(True))
    if meta.jurisdiction:
        a = iri(ns.area_iri(meta.jurisdiction.code))
        add(d, iri(QP + "jurisdiction"), a)
        for ev in meta.jurisdiction_evidence:
            em.evidence(d, ev, of=a[1:-1], link=False)
    for prop, val in (
        (DCT + "title", meta.title),
        (QP + "docNumber", meta.doc_number),
        (QP + "source", meta.source),
    ):
        if val:
            add(d, iri(prop), lit(val.value, lang="zh") if prop == DCT + "title" else lit(val.value))
            em.evidence(d, val.evidence, of=d[1:-1])
    if meta.signed:
        add(d, iri(DCT + "issued"), date_literal(meta.signed.value))
        em.evidence(d, meta.signed.evidence, of=d[1:-1])
    if meta.published:
        add(d, iri(QP + "published"), date_literal(meta.published.value))
        em.evidence(d, meta.published.evidence, of=d[1:-1])
    for prop, val in ((QP + "periodStart", meta.period_start), (QP + "periodEnd", meta.period_end)):
        if val:
            add(d, iri(prop), lit(val.value, XSD + "gYear"))
            em.evidence(d, val.evidence, of=d[1:-1])
    for a in meta.authors:
        add(d, iri(DCT + "creator"), lit(a.value, lang="zh"))
        em.evidence(d, a.evidence, of=d[1:-1])
    if meta.issuer:
        # the node the text's own mention of the issuer resolved to (a county plan issued by its
        # city's bureau is that bureau's node, not one scoped to the county)
        named = next((o for o in ex.orgs if o.name == meta.issuer.value), None)
        scope = named.scope if named else meta.jurisdiction.code if meta.jurisdiction else "cn"
        o = iri(ns.org_iri(scope, meta.issuer.value))
        add(d, iri(QP + "issuer"), o)
        add(o, iri(RDF_TYPE), iri("http://www.w3.org/ns/org#Organization"))
        add(o, iri(RDFS + "label"), lit(meta.issuer.value, lang="zh"))
        em.evidence(o, meta.issuer.evidence)
    for c in meta.cited:
        p = iri(ns.cited_plan_iri(c.title))
        add(p, iri(RDF_TYPE), iri(QP + "Plan"))
        add(p, iri(RDF_TYPE), iri(QP + "Document"))
        add(p, iri(DCT + "title"), lit(c.title, lang="zh"))
        add(d, iri(QP + c.relation), p)
        em.evidence(p, c.evidence)

    seen_concepts: set[str] = set()
    for cm in ex.concepts:
        c = iri(cm.concept)
        if cm.concept not in seen_concepts:
            seen_concepts.add(cm.concept)
            add(d, iri(QP + "mentions"), c)
        if em.evidence(c, cm.evidence, link=False) and cm.scope:
            m = em.mention(cm.evidence.start, cm.evidence.end, cm.concept)
            add(m, iri(QP + "inSection"), iri(cm.scope))
    seen_areas: set[str] = set()
    for am in ex.areas:
        a = iri(ns.area_iri(am.code))
        if am.code not in seen_areas:
            seen_areas.add(am.code)
            add(d, iri(QP + "mentions"), a)
        em.evidence(a, am.evidence, link=False)
    for om in ex.orgs:
        emit_org(em, d, om)
    for t in ex.targets:
        emit_target(em, d, t)
    for pr in ex.programs:
        emit_program(em, d, pr)
    emit_sections(em, d, ex.sections)
    return sorted(em.lines), em.refused


ORG = "http://www.w3.org/ns/org#"
#: extractor org kinds -> ontology subclasses of org:Organization
_ORG_CLASSES = {
    "government": "GovernmentBody",
    "leading-group": "LeadingGroup",
    "institute": "Institute",
    "university": "University",
    "alliance": "Alliance",
    "association": "Association",
    "enterprise": "Enterprise",
}


def _org_node(em: Emitter, name: str, scope: str, kind: str) -> str:
    o = iri(ns.org_iri(scope, name))
    em.add(o, iri(RDF_TYPE), iri(ORG + "Organization"))
    if kind in _ORG_CLASSES:
        em.add(o, iri(RDF_TYPE), iri(QP + _ORG_CLASSES[kind]))
    em.add(o, iri(RDFS + "label"), lit(name, lang="zh"))
    if kind:
        em.add(o, iri(QP + "orgKind"), lit(kind))
    return o


def emit_org(em: Emitter, d: str, om: OrgMention) -> None:
    """One node per organization name and scope; its class, seat and (named) parent body; the mention."""
    o = iri(ns.org_iri(om.scope, om.name))
    if not em.evidence(o, om.evidence, link=False):
        return
    _org_node(em, om.name, om.scope, om.kind)
    em.add(d, iri(QP + "mentions"), o)
    # a government body or leading group sits in its jurisdiction; other bodies only where the name says
    seat = om.seat or (om.scope if om.scope != "cn" and om.kind in ("government", "leading-group") else "")
    if seat:
        em.add(o, iri(QP + "seatedIn"), iri(ns.area_iri(seat)))
    if om.parent:
        p = _org_node(em, om.parent, om.parent_scope or om.scope, om.parent_kind)
        em.add(o, iri(QP + "partOf"), p)
        em.add(o, iri(ORG + "subOrganizationOf"), p)


_COMPARATORS = {
    "at_least": "AtLeast",
    "at_most": "AtMost",
    "exactly": "Exactly",
    "reach": "Reach",
    "about": "About",
    "exceed": "Exceed",
}


def emit_target(em: Emitter, d: str, t) -> None:
    s = iri(ns.target_iri(em.doc.doc_id, t.ordinal))
    add = em.add
    if not em.evidence(s, t.evidence):
        return
    add(s, iri(RDF_TYPE), iri(QP + "Target"))
    add(d, iri(QP + "hasTarget"), s)
    add(s, iri(QP + "indicator"), lit(t.indicator, lang="zh"))
    add(s, iri(QP + "ordinal"), lit(t.ordinal))
    add(s, iri(QP + "extractedFrom"), lit(t.source))
    if t.category:
        add(s, iri(QP + "categoryLabel"), lit(t.category, lang="zh"))
    if getattr(t, "category_iri", ""):
        add(s, iri(QP + "category"), iri(t.category_iri))
    if t.unit:
        add(s, iri(QP + "unit"), lit(t.unit))
    if t.target_text is not None:
        add(s, iri(QP + "targetText"), lit(t.target_text))
    if t.target_value is not None:
        add(s, iri(QP + "targetValue"), lit(float(t.target_value)))
    if t.target_year is not None:
        add(s, iri(QP + "targetYear"), lit(str(t.target_year), XSD + "gYear"))
    if t.baseline_text is not None:
        add(s, iri(QP + "baselineText"), lit(t.baseline_text))
    if t.baseline_value is not None:
        add(s, iri(QP + "baselineValue"), lit(float(t.baseline_value)))
    if t.baseline_year is not None:
        add(s, iri(QP + "baselineYear"), lit(str(t.baseline_year), XSD + "gYear"))
    if t.comparator:
        add(s, iri(QP + "comparator"), iri(QP + _COMPARATORS.get(t.comparator, "Reach")))
    if t.binding is not None:
        add(s, iri(QP + "binding"), lit(bool(t.binding)))
    if t.cumulative is not None:
        add(s, iri(QP + "cumulative"), lit(bool(t.cumulative)))


_KIND_SLUGS = {"专栏": "box", "重大改革": "reform", "重大工程": "project", "重大平台": "platform", "重大政策": "policy", "行动": "action"}


def emit_program(em: Emitter, d: str, pr) -> None:
    kslug = getattr(pr, "kind_slug", "") or _KIND_SLUGS.get(pr.kind, ns.slug(pr.kind))
    s = iri(ns.program_iri(em.doc.doc_id, kslug, pr.ordinal))
    if not em.evidence(s, pr.evidence):
        return
    add = em.add
    add(s, iri(RDF_TYPE), iri(QP + "Program"))
    add(d, iri(QP + "hasProgram"), s)
    add(s, iri(RDFS + "label"), lit(pr.label, lang="zh"))
    add(s, iri(QP + "programKind"), iri(getattr(pr, "kind_iri", "") or str(ns.QPD[f"concept/program-kind-{kslug}"])))
    add(s, iri(QP + "ordinal"), lit(pr.ordinal))
    if getattr(pr, "section", ""):
        add(s, iri(QP + "inSection"), iri(pr.section))
    texts = getattr(pr, "item_texts", ())
    for i, item in enumerate(pr.items):
        # An item is kept only with its evidence, so every qp:programItem can be traced to the text.
        if em.evidence(s, item, of=s[1:-1]) and i < len(texts) and texts[i]:
            add(s, iri(QP + "programItem"), lit(texts[i], lang="zh"))


def emit_sections(em: Emitter, d: str, sections) -> None:
    """Headings and appendices as qp:Section nodes (label, level, ordinal number, parent, evidence)."""
    from .numbers import cn_number

    def walk(secs, parent: str) -> None:
        for sec in secs:
            if sec.kind not in ("heading", "appendix") or len(sec.heading_span) != 2:
                walk(sec.children, parent)
                continue
            start, end = sec.heading_span
            s = iri(ns.section_iri(em.doc.doc_id, start))
            if not em.evidence(s, Evidence(start, end, em.doc.text[start:end])):
                continue
            em.add(s, iri(RDF_TYPE), iri(QP + "Section"))
            em.add(s, iri(RDFS + "label"), lit(sec.title, lang="zh"))
            em.add(s, iri(QP + "headingLevel"), lit(sec.level))
            n = cn_number(sec.number) if sec.number else None
            if n is not None:
                em.add(s, iri(QP + "ordinal"), lit(n))
            em.add(s, iri(DCT + "isPartOf"), d)
            if parent:
                em.add(s, iri(QP + "inSection"), iri(parent))
            walk(sec.children, s[1:-1])

    walk(sections, "")
