"""kg/terms.py: the fast pyoxigraph -> rdflib constructors build exactly what rdflib's constructors build."""
import pyoxigraph as ox
import pytest
from rdflib import XSD, Literal, URIRef

from kg import terms
from kg.terms import from_ox, to_ox

LANG_STRING = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")

CASES = [
    (ox.NamedNode("https://w3id.org/qpkg/id/area/330500"), URIRef("https://w3id.org/qpkg/id/area/330500")),
    (ox.NamedNode("http://example.org/路径?q=品字标#x"), URIRef("http://example.org/路径?q=品字标#x")),
    (ox.Literal("质量强市"), Literal("质量强市")),
    (ox.Literal(""), Literal("")),
    (ox.Literal('引号"与\n换行\t'), Literal('引号"与\n换行\t')),
    (ox.Literal("质量强市", language="zh"), Literal("质量强市", lang="zh")),
    # Oxigraph keeps language tags lower-cased; rdflib keeps what it is given.
    (ox.Literal("Quality city", language="en-US"), Literal("Quality city", lang="en-us")),
    (ox.Literal("xsd string", datatype=ox.NamedNode(str(XSD.string))), Literal("xsd string")),
    (ox.Literal("42", datatype=ox.NamedNode(str(XSD.integer))), Literal("42", datatype=XSD.integer)),
    (ox.Literal("-7", datatype=ox.NamedNode(str(XSD.integer))), Literal("-7", datatype=XSD.integer)),
    (ox.Literal("0", datatype=ox.NamedNode(str(XSD.integer))), Literal("0", datatype=XSD.integer)),
    (ox.Literal("007", datatype=ox.NamedNode(str(XSD.integer))), Literal("007", datatype=XSD.integer)),
    (ox.Literal("+5", datatype=ox.NamedNode(str(XSD.integer))), Literal("+5", datatype=XSD.integer)),
    (ox.Literal("98.6", datatype=ox.NamedNode(str(XSD.decimal))), Literal("98.6", datatype=XSD.decimal)),
    (ox.Literal("2025", datatype=ox.NamedNode(str(XSD.gYear))), Literal("2025", datatype=XSD.gYear)),
]


def test_the_fast_path_is_on_for_this_rdflib():
    # If rdflib changes Literal's fields, from_ox silently takes the slow path; this says so.
    assert terms._FAST


@pytest.mark.parametrize("ox_term,expected", CASES, ids=[str(c[1])[:20] or "empty" for c in CASES])
def test_from_ox_builds_what_rdflib_builds(ox_term, expected):
    got = from_ox(ox_term)
    assert type(got) is type(expected)
    assert got == expected and hash(got) == hash(expected)
    assert got.n3() == expected.n3() and repr(got) == repr(expected) and str(got) == str(expected)
    if isinstance(expected, Literal):
        assert (got.language, got.datatype, got.value, got.ill_typed) == (
            expected.language, expected.datatype, expected.value, expected.ill_typed)
        assert got.toPython() == expected.toPython()
        assert {got} == {expected} and got.eq(expected)
    # Back to Oxigraph: the same term, except that rdflib drops xsd:string and normalizes lexical forms.
    if isinstance(ox_term, ox.NamedNode) or (ox_term.datatype.value != str(XSD.string) and str(expected) == ox_term.value):
        assert to_ox(got) == ox_term


def test_none_and_blank_nodes():
    assert from_ox(None) is None
    b = from_ox(ox.BlankNode("b0"))
    assert str(b) == "b0" and b.n3() == "_:b0"


def test_language_literal_datatype_is_not_copied():
    lit = from_ox(ox.Literal("标签", language="zh"))
    assert ox.Literal("标签", language="zh").datatype == LANG_STRING
    assert lit.datatype is None and lit.language == "zh"
