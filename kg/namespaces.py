"""One prefix table and the IRI minting rules (a leaf module: imports nothing of ours).

Every IRI the build mints is derived from content (a file stem, an admin code, a
slug or a short hash of normalized key fields), so rebuilding gives the same IRIs.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

QP = Namespace("https://w3id.org/qpkg/ontology#")
QPD = Namespace("https://w3id.org/qpkg/id/")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")

#: The single prefix table: emit, queries, exports and notebooks all bind these.
PREFIXES: dict[str, str] = {
    "qp": str(QP),
    "qpd": str(QPD),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "org": str(ORG),
    "prov": str(PROV),
    "oa": str(OA),
    "time": str(TIME),
    "eli": str(ELI),
    "qb": str(QB),
    "sdmx-measure": str(SDMX_MEASURE),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "schema": str(SCHEMA),
    "sh": str(SH),
}

#: Named graphs that are not documents.
ONTOLOGY_GRAPH = QPD["graph/ontology"]
VOCAB_GRAPH = QPD["graph/vocab"]
#: Document ids a source file cannot have: their graph IRI is one of the graphs above.
RESERVED_DOC_IDS = {"ontology": "ontology", "vocab": "vocabulary"}


def sparql_prologue() -> str:
    """PREFIX lines for every entry of the prefix table."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def bind_prefixes(graph) -> None:
    """Bind the prefix table on an rdflib Graph or Dataset (replacing rdflib's defaults)."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)


def short_hash(*parts: str, length: int = 10) -> str:
    """A stable hex digest of normalized key fields."""
    key = "\x1f".join(unicodedata.normalize("NFC", p).strip() for p in parts)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:length]


_SLUG_RE = re.compile(r"[^A-Za-z0-9._-]+")


def slug(text: str) -> str:
    """An ASCII slug; empty input gives 'x'."""
    s = _SLUG_RE.sub("-", text).strip("-")
    return s or "x"


def doc_id(file_name: str) -> str:
    """Document id from a file name: its stem, made IRI-safe (000_3dc1af908529f85b.txt -> 000_3dc1af908529f85b)."""
    stem = file_name.rsplit("/", 1)[-1]
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    s = slug(stem)
    if s != stem:
        # the slug dropped or replaced characters (湖州规划.txt, 绍兴规划.txt -> "x"): keep ids distinct
        s = f"{s}-{short_hash(stem, length=8)}" if s != "x" else f"doc-{short_hash(stem, length=8)}"
    return s


# The minting functions return plain strings (every caller wants the IRI's text): building an
# rdflib URIRef for each of the ~100,000 IRIs of a build cost more than the rest of the minting.
_QPD = str(QPD)


def doc_iri(did: str) -> str:
    return f"{_QPD}doc/{did}"


def graph_iri(did: str) -> str:
    return f"{_QPD}graph/{did}"


def area_iri(code: str) -> str:
    return f"{_QPD}area/{code}"


def target_iri(did: str, n: int) -> str:
    return f"{_QPD}doc/{did}/target/{n:03d}"


def program_iri(did: str, kind_slug: str, ordinal: int) -> str:
    return f"{_QPD}doc/{did}/program/{kind_slug}-{ordinal:02d}"


def mention_iri(did: str, start: int, end: int, of: str) -> str:
    return f"{_QPD}doc/{did}/mention/{start}-{end}-{short_hash(str(of), length=6)}"


def org_iri(scope: str, name: str) -> str:
    """An organization, one per name and jurisdiction scope (an admin code, or 'cn' for national bodies)."""
    return f"{_QPD}org/{scope}-{short_hash(name)}"


def cited_plan_iri(title: str) -> str:
    """A plan cited by title; the same normalized title from two documents is one node."""
    return f"{_QPD}plan/{short_hash(title)}"


def section_iri(did: str, start: int) -> str:
    return f"{_QPD}doc/{did}/section/{start}"
