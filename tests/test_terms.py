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
    (ox.Literal("2025-03", datatype=ox.NamedNode(str(XSD.gYearMonth))), Literal("2025-03", datatype=XSD.gYearMonth)),
    (ox.Literal("98", datatype=ox.NamedNode(str(XSD.decimal))), Literal("98", datatype=XSD.decimal)),
    (ox.Literal("-0.5", datatype=ox.NamedNode(str(XSD.decimal))), Literal("-0.5", datatype=XSD.decimal)),
    (ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean))), Literal("true", datatype=XSD.boolean)),
    (ox.Literal("false", datatype=ox.NamedNode(str(XSD.boolean))), Literal("false", datatype=XSD.boolean)),
    (ox.Literal("2025-01-31", datatype=ox.NamedNode(str(XSD.date))), Literal("2025-01-31", datatype=XSD.date)),
    (ox.Literal("1.5E3", datatype=ox.NamedNode(str(XSD.double))), Literal("1500", datatype=XSD.double)),
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


# --- TSV results: the fast reader gives, row for row, what the term objects give -------------------
HOSTILE = [
    ox.Literal('tab\tnewline\ncr\rquote"backslash\\end'), ox.Literal("ctl\x01\x7f\u2028\x00nul"),
    ox.Literal('\\'), ox.Literal('"'), ox.Literal('"@en'), ox.Literal('x"^^<http://e/dt>'), ox.Literal("\\u0041"), ox.Literal("a\\nb\\\\t"), ox.Literal('\\"'),
    ox.Literal("\b\f back\x08space"), ox.Literal("'single' \\'"),
    ox.Literal("湖州", language="zh-Hans-CN"), ox.Literal("", language="en"), ox.Literal(""),
    ox.Literal("not a number", datatype=ox.NamedNode(str(XSD.integer))),
    ox.Literal("INF", datatype=ox.NamedNode(str(XSD.double))), ox.Literal("NaN", datatype=ox.NamedNode(str(XSD.double))),
    ox.Literal("1", datatype=ox.NamedNode(str(XSD.decimal))), ox.Literal(".5", datatype=ox.NamedNode(str(XSD.decimal))),
    ox.Literal("1", datatype=ox.NamedNode(str(XSD.boolean))), ox.Literal("tomorrow", datatype=ox.NamedNode(str(XSD.date))),
    ox.Literal("v", datatype=ox.NamedNode("http://example.org/dt#x")), ox.BlankNode("b0"),
    ox.NamedNode("http://example.org/路径?q=1#x"),
] + [o for o, _ in CASES]


def _objects_path(store, sparql):
    from kg.namespaces import PREFIXES

    res = store.store.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES)
    return tuple(v.value for v in res.variables), tuple(tuple(map(from_ox, s)) for s in res)


def _same_rows(a, b):
    assert a[0] == b[0]
    assert len(a[1]) == len(b[1])
    for ra, rb in zip(a[1], b[1]):
        for x, y in zip(ra, rb):
            assert type(x) is type(y) and x == y and repr(x) == repr(y)
            if isinstance(x, Literal):
                assert (x.language, x.datatype, x.ill_typed) == (y.language, y.datatype, y.ill_typed)
                assert x.value == y.value or (x.value != x.value and y.value != y.value)  # NaN


def test_tsv_reader_gives_the_objects_terms_for_hostile_values():
    from kg.store import OxigraphStore

    store = OxigraphStore()
    p = ox.NamedNode("http://example.org/p")
    for i, o in enumerate(HOSTILE):
        store.store.add(ox.Quad(ox.NamedNode(f"http://example.org/s{i:03d}"), p, o, ox.NamedNode("http://example.org/g")))
    q = "SELECT ?s ?o ?none WHERE { ?s <http://example.org/p> ?o OPTIONAL { ?s <http://example.org/q> ?none } } ORDER BY ?s"
    for large in (False, True):  # read at the end, and read from a pipe while Oxigraph writes
        got = store.select(q, large=large)
        _same_rows((got.vars, got.rows), _objects_path(store, q))
        assert len(got.rows) == len(HOSTILE)
    # one column, unbound in every row: empty lines are rows, not noise
    one = store.select("SELECT ?x WHERE { ?s <http://example.org/p> ?o OPTIONAL { ?s <http://example.org/q> ?x } }")
    assert one.vars == ("x",) and one.rows == ((None,),) * len(HOSTILE)
    assert store.select("SELECT ?x WHERE { FILTER(false) }").rows == ()


def test_tsv_reader_refuses_what_it_does_not_know():
    assert terms.solutions_from_tsv(b"?x\n<<( <a> <b> <c> )>>\n") is None
    assert terms.solutions_from_tsv(b"?x\n\"bad \\q escape\"\n") is None
    assert terms.solutions_from_tsv(b"?x\t?y\n<http://e/a>\n") is None  # a short row
    assert terms.solutions_from_tsv(b"?x\n<http://e/a>") is None  # truncated
    assert terms.solutions_from_tsv(b"\n\n") is None  # no variables
    assert terms.solutions_from_tsv(b"?x\n1.5e3\n")[1][0][0] == Literal("1.5e3", datatype=XSD.double)


def test_every_named_query_reads_the_same_through_tsv(built):
    from kg.querying import named_queries
    from kg.store import open_store

    store = open_store("oxigraph", graph_file=built / "graph.nq")
    n = 0
    for q in named_queries().values():
        if q.params:
            continue  # parameters need values: the query tests cover those
        got = store.select(q.text)
        _same_rows((got.vars, got.rows), _objects_path(store, q.text))
        piped = store.select(q.text, large=True)
        _same_rows((piped.vars, piped.rows), (got.vars, got.rows))
        n += len(got.rows)
    assert n > 10_000


def test_tsv_reader_takes_chunks_cut_anywhere():
    """Lines (and UTF-8 characters) cut across the chunks a pipe gives: the same rows as in one piece."""
    data = "?s\t?o\n<http://e/路径>\t\"质量\\t强市\"@zh\n\t42\n_:b0\t\"x\"^^<http://e/dt>\n".encode()
    whole = terms.solutions_from_tsv(data)
    assert whole[0] == ("s", "o") and len(whole[1]) == 3 and whole[1][1] == (None, Literal("42", datatype=XSD.integer))
    for size in (1, 2, 3, 7, 16):
        reader = terms.TsvReader()
        for i in range(0, len(data), size):
            reader.feed(data[i : i + size])
        assert reader.result() == whole, size
    cut = terms.TsvReader()
    cut.feed(data[:-1])  # the last line has no newline: cut off
    assert cut.result() is None
