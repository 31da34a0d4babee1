"""Convert RDF terms between pyoxigraph (fast parsing, storage, queries) and rdflib (the public term API).

A leaf module: the one place that knows both term models.
"""
from __future__ import annotations

from collections.abc import Iterable

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
    try:
        number = int(value)
    except ValueError:
        number = None
    if not _FAST or number is None or str(number) != value:
        return Literal(value, datatype=_XSD_INTEGER_REF)
    return _built(value, None, _XSD_INTEGER_REF, number, False)


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
        if dt == _XSD_INTEGER:
            return _integer_literal(term.value)
        return Literal(term.value, datatype=_uri(dt))
    if kind is ox.BlankNode:
        return BNode(term.value)
    return URIRef(str(term))


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
