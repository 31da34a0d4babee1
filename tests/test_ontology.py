"""ontology/qp.ttl: an OWL ontology whose every term is labelled, commented and aligned."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.namespaces import ELI, OA, ORG, PROV, QB, QP, SDMX_ATTRIBUTE, SDMX_MEASURE
from kg.resources import ontology_file

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)

#: every qp: term that ../shared/DATA-MODEL.md names, plus what extraction needs
DATA_MODEL_TERMS = """
Document Plan Article Section AdministrativeArea Province City County Target Program Mention
CertificationScheme Award Initiative TargetCategory ProgramKind Comparator
GovernmentBody LeadingGroup Institute University Alliance Association
sourceFile sha256 encoding isFragment docNumber issuer periodStart periodEnd basedOn succeeds jurisdiction
adminCode partOf seatedIn hasTarget indicator category unit targetText targetValue targetYear baselineText
baselineValue baselineYear comparator binding cumulative hasProgram programKind ordinal programItem
mentions inDocument quote start end mentionOf evidence inSection orgKind excludeLabel notToBeConfusedWith
signed published authors source
""".split()


@pytest.fixture(scope="module")
def ont() -> Graph:
    g = Graph()
    g.parse(data=ontology_file("qp.ttl").read_text(encoding="utf-8"), format="turtle")
    return g


def qp_terms(ont: Graph) -> list[URIRef]:
    return sorted({s for t in TERM_TYPES for s in ont.subjects(RDF.type, t) if str(s).startswith(str(QP))})


def langs(g: Graph, s, p) -> set[str]:
    return {o.language for o in g.objects(s, p) if isinstance(o, Literal)}


def test_ontology_header(ont):
    header = URIRef("https://w3id.org/qpkg/ontology")
    assert (header, RDF.type, OWL.Ontology) in ont
    assert ont.value(header, OWL.versionInfo) is not None
    assert ont.value(header, URIRef("http://purl.org/dc/terms/license")) is not None


@pytest.mark.parametrize("name", DATA_MODEL_TERMS)
def test_data_model_term_declared(ont, name):
    assert any((QP[name], RDF.type, t) in ont for t in TERM_TYPES), name


def test_every_term_has_both_labels_and_an_english_comment(ont):
    missing = []
    for t in qp_terms(ont):
        if not {"zh", "en"} <= langs(ont, t, RDFS.label) or "en" not in langs(ont, t, RDFS.comment):
            missing.append(str(t))
    assert not missing, missing


def test_comparator_individuals_have_labels(ont):
    for name in ("AtLeast", "AtMost", "Exactly", "Reach", "About", "Exceed"):
        assert (QP[name], RDF.type, QP.Comparator) in ont
        assert {"zh", "en"} <= langs(ont, QP[name], RDFS.label), name


@pytest.mark.parametrize(
    "sub,pred,sup",
    [
        (QP.Document, RDFS.subClassOf, PROV.Entity),
        (QP.Plan, RDFS.subClassOf, ELI.LegalResource),
        (QP.Mention, RDFS.subClassOf, OA.Annotation),
        (QP.Target, RDFS.subClassOf, QB.Observation),
        (QP.LeadingGroup, RDFS.subClassOf, ORG.Organization),
        (QP.jurisdiction, RDFS.subPropertyOf, ELI.relevant_for),
        (QP.basedOn, RDFS.subPropertyOf, ELI.based_on),
        (QP.docNumber, RDFS.subPropertyOf, ELI.id_local),
        (QP.issuer, RDFS.subPropertyOf, ELI.passed_by),
        (QP.evidence, RDFS.subPropertyOf, PROV.wasDerivedFrom),
        (QP.targetValue, RDFS.subPropertyOf, SDMX_MEASURE.obsValue),
        (QP.unit, RDFS.subPropertyOf, SDMX_ATTRIBUTE.unitMeasure),
        (QP.start, RDFS.subPropertyOf, OA.start),
        (QP.quote, RDFS.subPropertyOf, OA.exact),
    ],
)
def test_alignment_axiom(ont, sub, pred, sup):
    assert (sub, pred, sup) in ont


def test_organization_subclasses_are_organizations(ont):
    for cls in ("GovernmentBody", "LeadingGroup", "Institute", "University", "Alliance", "Association"):
        supers = set(ont.transitive_objects(QP[cls], RDFS.subClassOf))
        # org:FormalOrganization is itself a subclass of org:Organization in W3C ORG
        assert ORG.Organization in supers or ORG.FormalOrganization in supers, cls


def test_area_levels_are_administrative_areas(ont):
    for cls in (QP.Province, QP.City, QP.County):
        assert (cls, RDFS.subClassOf, QP.AdministrativeArea) in ont


@pytest.mark.slow
def test_every_qp_term_used_in_the_build_is_declared_with_both_labels(ont, built):
    from kg.validate import load_union_graph

    g = load_union_graph(built / "graph.trig")
    used = {p for p in g.predicates() if str(p).startswith(str(QP))}
    used |= {o for o in g.objects(None, RDF.type) if str(o).startswith(str(QP))}
    used |= {o for o in g.objects() if isinstance(o, URIRef) and str(o).startswith(str(QP))}
    undeclared = sorted(str(t) for t in used if not {"zh", "en"} <= langs(ont, t, RDFS.label))
    assert not undeclared, undeclared


@pytest.mark.slow
def test_the_built_graph_conforms(built):
    from kg.validate import validate

    conforms, _report, text = validate(built / "graph.trig")
    assert conforms, text
