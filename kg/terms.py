"""Convert RDF terms between pyoxigraph (fast parsing, storage, queries) and rdflib (the public term API).

A leaf module: the one place that knows both term models.
"""
from __future__ import annotations

import gc
import re
from collections.abc import Iterable
from contextlib import contextmanager
from decimal import Decimal

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


# Fast constructors. rdflib's URIRef and Literal constructors validate and cast on every call (about
# 1.3 and 2.3 µs); terms coming out of Oxigraph are already valid, and reading a 50k-row result spent
# more time there than in the query. For IRIs and for plain and language-tagged literals these build
# the very objects rdflib's constructors build (and for canonical xsd:integer) (same class, slots, equality, hash; checked by
# tests/test_terms.py); any other literal goes through Literal() as before.
_new_str = str.__new__
_FAST = getattr(Literal, "__slots__", None) == ("_language", "_datatype", "_value", "_ill_typed")


def _uri(value: str) -> URIRef:
    return _new_str(URIRef, value)


def _built(lexical: str, lang, datatype, value, ill_typed) -> Literal:
    """The Literal rdflib's constructor would make, with its four fields given (only when _FAST)."""
    lit = _new_str(Literal, lexical)
    lit._language = lang
    lit._datatype = datatype
    lit._value = value
    lit._ill_typed = ill_typed
    return lit


def _string_literal(value: str, lang: str | None) -> Literal:
    if not _FAST:  # an rdflib whose Literal has other fields: take the slow, safe way
        return Literal(value, lang=lang)
    return _built(value, lang, None, value, None)


_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_XSD_INTEGER_REF = URIRef(_XSD_INTEGER)


def _integer_literal(value: str) -> Literal:
    """xsd:integer in canonical form (what Oxigraph returns for offsets and counts); other forms: Literal()."""
    if _FAST and value.isdigit() and value.isascii() and (value[0] != "0" or len(value) == 1):
        return _built(value, None, _XSD_INTEGER_REF, int(value), False)  # the common case, without a round trip
    try:
        number = int(value)
    except ValueError:
        number = None
    if not _FAST or number is None or str(number) != value:
        return Literal(value, datatype=_XSD_INTEGER_REF)
    return _built(value, None, _XSD_INTEGER_REF, number, False)


_XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
_XSD_DECIMAL_REF = URIRef(_XSD_DECIMAL)
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_XSD_BOOLEAN_REF = URIRef(_XSD_BOOLEAN)
_XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
# datatypes rdflib gives no Python value (Literal() leaves _value and _ill_typed None)
_NO_VALUE = {f"http://www.w3.org/2001/XMLSchema#{t}": URIRef(f"http://www.w3.org/2001/XMLSchema#{t}")
             for t in ("gYear", "gYearMonth")}


def typed_literal(lexical: str, datatype: str) -> Literal:
    """Literal(lexical, datatype=datatype), built directly for the datatypes our graphs use most
    (the values are those rdflib's converters give; tests/test_terms.py checks each)."""
    if _FAST:
        if datatype == _XSD_INTEGER:
            return _integer_literal(lexical)
        if datatype == _XSD_DECIMAL:
            if _DECIMAL_LEXICAL.fullmatch(lexical):
                return _built(lexical, None, _XSD_DECIMAL_REF, Decimal(lexical), False)
        elif datatype == _XSD_BOOLEAN:
            if lexical in ("true", "false"):
                return _built(lexical, None, _XSD_BOOLEAN_REF, lexical == "true", False)
        elif datatype in _NO_VALUE:
            return _built(lexical, None, _NO_VALUE[datatype], None, None)
    return Literal(lexical, datatype=_uri(datatype))


_DECIMAL_LEXICAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def from_ox(term):
    """pyoxigraph term -> rdflib term (None stays None; xsd:string literals become plain literals)."""
    if term is None:
        return None
    kind = type(term)
    if kind is ox.NamedNode:
        return _uri(term.value)
    if kind is ox.Literal:
        lang = term.language
        if lang:
            return _string_literal(term.value, lang)
        dt = term.datatype.value
        if dt == XSD_STRING:
            return _string_literal(term.value, None)
        return typed_literal(term.value, dt)
    if kind is ox.BlankNode:
        return BNode(term.value)
    return URIRef(str(term))


# --- SPARQL results in TSV (https://www.w3.org/TR/sparql11-results-csv-tsv/) -------------------
# Reading a large result through pyoxigraph's term objects costs about 1 µs per value before any
# conversion (a Python object per term); serializing the same solutions to TSV inside Oxigraph and
# splitting the text costs a fraction of that, and a cell string is a cheap cache key. 1M-quad
# graph, 53k rows x 3 columns: 568 -> 418 ms (kg bench queries).
_BARE_NUMBER = re.compile(r"[+-]?(?:([0-9]+)|([0-9]*\.[0-9]+)|((?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+))")
_ECHAR = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.?))", re.S)
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(m: re.Match) -> str:
    if m.group(3) is None:
        return chr(int(m.group(1) or m.group(2), 16))
    try:
        return _ECHARS[m.group(3)]
    except KeyError:
        raise ValueError(f"unknown escape in a literal: {m.group(0)!r}") from None


_SIMPLE_ESCAPES = (('\\"', '"'), ("\\n", "\n"), ("\\t", "\t"), ("\\r", "\r"), ("\\'", "'"), ("\\b", "\b"), ("\\f", "\f"))


def _unescaped(lexical: str) -> str:
    """N-Triples string escapes undone; ValueError for an unknown one."""
    if "\\u" in lexical or "\\U" in lexical:
        return _ECHAR.sub(_unescape, lexical)
    parts = lexical.split("\\\\")  # escaped backslashes first: what follows them is not an escape
    for i, part in enumerate(parts):
        if "\\" in part:
            for esc, char in _SIMPLE_ESCAPES:
                part = part.replace(esc, char)
            if "\\" in part:
                raise ValueError(f"unknown escape in a literal: {lexical[:40]!r}")
            parts[i] = part
    return "\\".join(parts)


def tsv_term(cell: str):
    """One cell of SPARQL TSV results -> the rdflib term from_ox gives for the same value; None if
    unbound. Raises ValueError for what this reader does not know (e.g. RDF 1.2 triple terms)."""
    if not cell:
        return None
    if cell.isdigit() and cell.isascii():  # bare xsd:integer (isdigit alone also takes other scripts' digits)
        return _integer_literal(cell)
    first = cell[0]
    if first == "<":
        if cell[-1] != ">" or cell.startswith("<<"):
            raise ValueError(f"not an IRI cell: {cell[:40]!r}")
        return _uri(cell[1:-1])
    if first == '"':
        end = cell.rfind('"')  # neither a language tag nor a datatype IRI holds a quote
        if end == 0:
            raise ValueError(f"unterminated literal cell: {cell[:40]!r}")
        lexical = cell[1:end]
        if "\\" in lexical:
            lexical = _unescaped(lexical)
        rest = cell[end + 1 :]
        if not rest:
            return _string_literal(lexical, None)
        if rest[0] == "@":
            return _string_literal(lexical, rest[1:])
        if rest.startswith("^^<") and rest[-1] == ">":
            dt = rest[3:-1]
            return _string_literal(lexical, None) if dt == XSD_STRING else typed_literal(lexical, dt)
        raise ValueError(f"not a literal cell: {cell[:40]!r}")
    if first == "_" and cell.startswith("_:"):
        return BNode(cell[2:])
    if cell == "true" or cell == "false":
        return typed_literal(cell, _XSD_BOOLEAN)
    m = _BARE_NUMBER.fullmatch(cell)
    if m is None:
        raise ValueError(f"unknown cell: {cell[:40]!r}")
    return typed_literal(cell, _XSD_INTEGER if m.group(1) else _XSD_DECIMAL if m.group(2) else _XSD_DOUBLE)


def solutions_from_tsv(data: bytes):
    """(variable names, rows of rdflib terms) of SPARQL TSV results, or None when the text holds
    something this reader does not take (the caller then reads the solutions as objects)."""
    reader = TsvReader()
    with gc_paused():  # tens of thousands of new terms and tuples, none in a cycle
        reader.feed(data)
    return reader.result()


class TsvReader:
    """SPARQL TSV results read in chunks, as they come out of a pipe: complete lines are converted
    when they arrive (kg/store.py overlaps this with Oxigraph's evaluation of the rest).

    Each distinct cell is converted once (IRIs, most of them, inline, without a call); a value never
    holds a raw tab or newline (TSV escapes them), so lines and cells split plainly. `result()` is
    None for what this reader does not take: no variables, a short row, an unknown cell (e.g. an
    RDF 1.2 triple term), or text cut off mid-line."""

    __slots__ = ("names", "width", "_rows", "_term", "_rest", "_bad")

    def __init__(self) -> None:
        self.names: tuple[str, ...] | None = None
        self.width = 0
        self._rows: list = []
        self._term: dict = {"": None}
        self._rest = b""
        self._bad = False

    def feed(self, data: bytes) -> None:
        if self._bad:
            return
        if self._rest:
            data = self._rest + data
        cut = data.rfind(b"\n") + 1
        self._rest = data[cut:]
        if not cut:
            return
        try:
            text = (data[:cut] if cut < len(data) else data).decode("utf-8")
            if self.names is None:
                head, _, text = text.partition("\n")
                if not head:
                    raise ValueError("no variables")  # rows would be indistinguishable
                self.names = tuple(v[1:] for v in head.split("\t"))
                self.width = len(self.names)
                if not text:
                    return
            width = self.width
            cells = text[:-1].replace("\n", "\t").split("\t")
            if len(cells) != text.count("\n") * width:
                raise ValueError("a row of another width")
            term = self._term
            for cell in set(cells).difference(term):
                term[cell] = (_new_str(URIRef, cell[1:-1]) if cell[0] == "<" and cell[1:2] != "<" and cell[-1] == ">"
                              else tsv_term(cell))
        except ValueError:  # UnicodeDecodeError included
            self._bad = True
            return
        self._rows.extend(zip(*[map(term.__getitem__, cells)] * width))

    def result(self):
        """(names, rows), or None (see the class)."""
        if self._bad or self._rest or self.names is None:
            return None
        return self.names, tuple(self._rows)


@contextmanager
def gc_paused():
    """The cyclic garbage collector off inside the block (as it was before, after it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Graph files by suffix: rdflib's and pyoxigraph's name of the format (the stores and kg validate read
# the same files).
GRAPH_FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {
    ".trig": ("trig", ox.RdfFormat.TRIG),
    ".nq": ("nquads", ox.RdfFormat.N_QUADS),
    ".nquads": ("nquads", ox.RdfFormat.N_QUADS),
    ".ttl": ("turtle", ox.RdfFormat.TURTLE),
    ".turtle": ("turtle", ox.RdfFormat.TURTLE),
    ".nt": ("nt", ox.RdfFormat.N_TRIPLES),
    ".jsonld": ("json-ld", ox.RdfFormat.JSON_LD),
    ".rdf": ("xml", ox.RdfFormat.RDF_XML),
    ".owl": ("xml", ox.RdfFormat.RDF_XML),
    ".xml": ("xml", ox.RdfFormat.RDF_XML),
}


def graph_suffixes() -> str:
    """The suffixes GRAPH_FORMATS knows, for error messages: `.jsonld, .nq, … or .xml`."""
    names = sorted(GRAPH_FORMATS)
    return ", ".join(names[:-1]) + " or " + names[-1]


def to_ox(term):
    """rdflib term -> pyoxigraph term; raises TypeError for anything else."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def cached_from_ox():
    """from_ox with a cache, for one batch of terms (a result set, a graph): rows and triples repeat
    the same IRIs and literals (documents, classes, labels), and building an rdflib term costs µs."""
    cache: dict = {}

    def conv(term):
        if term is None:
            return None
        out = cache.get(term)
        if out is None:
            out = cache[term] = from_ox(term)
        return out

    return conv


def graph_from_quads(quads: Iterable, graph: Graph | None = None) -> Graph:
    """Add the triples of pyoxigraph quads (or triples) to an rdflib Graph, ignoring graph names."""
    g = graph if graph is not None else Graph()
    conv = cached_from_ox()
    add = g.add
    for q in quads:
        add((conv(q.subject), conv(q.predicate), conv(q.object)))
    return g
