"""Hostile parameter values are data, never query text: they come back unchanged as RDF terms,
match nothing, and leave the store as it was."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

import kg
from kg.cli import cli
from kg.errors import QueryParameterError
from kg.querying import Param, bind_values, resolve_term, sparql_term
from kg.store import MemoryStore, OxigraphStore, load_file

MINI = Path(__file__).resolve().parent / "fixtures" / "queries" / "mini.trig"

HOSTILE = [
    '"',
    "'",
    '\\"',
    "}",
    "{ ?s ?p ?o }",
    "} ; DROP ALL ; {",
    '" } ; DROP ALL ; { "',
    "\"\"\" } DROP ALL { \"\"\"",
    "line one\nline two",
    "carriage\rreturn\ttab",
    "back\\slash\\",
    "\\u0022 } DROP ALL { \\u0022",
    "# comment } DROP ALL {",
    "湖州市\" . ?s ?p ?o . \"",
    "<http://example.org/> } DROP ALL {",
    "http://example.org/a> } ; DROP ALL ; { <http://example.org/b",
    "?city",
    "$city",
]


@pytest.fixture(params=["oxigraph", "memory"])
def store(request):
    s = OxigraphStore() if request.param == "oxigraph" else MemoryStore()
    load_file(s, MINI)
    return s


@pytest.mark.parametrize("value", HOSTILE)
def test_value_round_trips_as_a_literal(store, value):
    before = len(store)
    text = bind_values("SELECT ?x (STRLEN(?x) AS ?n) WHERE { }", {"x": Literal(value)})
    sol = store.select(text)
    assert [(str(r[0]), int(r[1])) for r in sol.rows] == [(value, len(value))]
    assert len(store) == before


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_string_parameter_matches_nothing(store, value):
    g = kg.Graph(store)
    before = len(store)
    assert g.query("indicator-across-cities", indicator=value).records() == []
    assert len(store) == before


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_label_parameter_is_an_unknown_label(store, value):
    g = kg.Graph(store)
    before = len(store)
    with pytest.raises(QueryParameterError) as e:
        g.query("concept-evidence", concept=value)
    assert str(e.value) == f"parameter concept: no concept in the graph is labelled {value!r} (give an IRI, a CURIE or an exact label)"
    assert len(store) == before


@pytest.mark.parametrize("bad", ["http://example.org/a>b", "http://example.org/a b", "http://example.org/{x}", 'http://x/"', "http://x/\\", "http://x/\x00"])
def test_iris_are_checked_not_trusted(bad):
    with pytest.raises(QueryParameterError) as e:
        sparql_term(URIRef(bad))
    assert str(e.value) == f"{bad!r} is not a valid IRI"


def test_iri_parameter_kind_refuses_non_iris():
    p = Param("node", "iri", None, "")
    with pytest.raises(QueryParameterError) as e:
        resolve_term(None, p, "http://example.org/a> } DROP ALL {")
    assert str(e.value) == "parameter node: 'http://example.org/a> } DROP ALL {' is not an IRI or a CURIE of a known prefix (e.g. qpd:area/330500)"


@pytest.mark.parametrize("value", ["a\x00b", "\x00"])
def test_nul_is_refused(value):
    with pytest.raises(QueryParameterError) as e:
        resolve_term(None, Param("indicator", "string", None, ""), value)
    assert str(e.value) == "parameter indicator: NUL byte not allowed"


def test_lone_surrogate_is_refused():
    with pytest.raises(QueryParameterError) as e:
        resolve_term(None, Param("indicator", "string", None, ""), "a\ud800")
    assert str(e.value) == "parameter indicator: not valid Unicode text (lone surrogate)"


@pytest.mark.parametrize("value", ["1 } DROP ALL {", "1.5", "0x10", "1e3", ""])
def test_integer_parameters_are_integers(value):
    with pytest.raises(QueryParameterError) as e:
        resolve_term(None, Param("min_cities", "integer", "2", ""), value)
    assert str(e.value) == f"parameter min_cities: {value!r} is not an integer"


def test_parameter_names_are_checked():
    with pytest.raises(QueryParameterError) as e:
        bind_values("SELECT * WHERE { }", {"x) { } DROP ALL { (?y": Literal("v")})
    assert str(e.value) == "'x) { } DROP ALL { (?y' is not a valid parameter name"


@pytest.mark.parametrize("value", ["} ; DROP ALL ; {", "a\nb", '"'])
def test_cli_error_line(value):
    res = CliRunner().invoke(cli, ["query", "concept-evidence", "-p", f"concept={value}", "--graph", str(MINI)], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output == f"Error: parameter concept: no concept in the graph is labelled {value!r} (give an IRI, a CURIE or an exact label)\n"


def test_cli_nul_error_line():
    res = CliRunner().invoke(cli, ["query", "indicator-across-cities", "-p", "indicator=a\x00b", "--graph", str(MINI)], catch_exceptions=False)
    assert res.exit_code == 2
    assert res.output == "Error: parameter indicator: NUL byte not allowed\n"
