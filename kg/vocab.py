"""The gazetteer: concepts and administrative areas read from the SKOS vocabularies in ontology/vocab.

The extractor matches exactly what the graph publishes: labels come from
skos:prefLabel / skos:altLabel / skos:hiddenLabel (@zh) of the vocabulary files, and
areas from the GB/T 2260 area vocabulary.

Loading speed: the area vocabulary has ~28,000 triples; rdflib's Turtle parser needs ~0.9 s
for it, pyoxigraph ~0.03 s. The gazetteer is therefore built from pyoxigraph's parse into a
plain dictionary index; `load_vocab_graph()` converts the same parse into an rdflib Graph for
callers that want one (emit, docs, tests).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from . import atomic
from .namespaces import QP, QPD
from .resources import package_file, vocab_files
from .terms import graph_from_quads

#: concept classes -> the kind name used in records and gold files
CONCEPT_KINDS = {
    QP.CertificationScheme: "scheme",
    QP.Award: "award",
    QP.Initiative: "initiative",
}
AREA_LEVELS = {QP.Province: "province", QP.City: "city", QP.County: "county"}

#: concept schemes (IRIs fixed by the data model)
SCHEMES = {
    "certification": QPD["scheme/certification"],
    "award": QPD["scheme/award"],
    "initiative": QPD["scheme/initiative"],
    "target-category": QPD["scheme/target-category"],
    "program-kind": QPD["scheme/program-kind"],
    "areas": QPD["scheme/areas"],
}


@dataclass(frozen=True)
class ConceptEntry:
    iri: str
    kind: str  # scheme | award | initiative
    pref_label: str
    labels: tuple[str, ...]  # every @zh label to match (pref, alt, hidden)
    broader: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # qp:excludeLabel: longer strings in which a label match does not count
    en_label: str = ""
    scheme: str = ""
    not_confused_with: tuple[str, ...] = ()  # qp:notToBeConfusedWith: IRIs of near neighbours


@dataclass(frozen=True)
class AreaEntry:
    code: str
    name: str
    short_names: tuple[str, ...]
    level: str
    parent: str  # parent code or ""
    division_type: str = ""  # GB/T 2260 type as written: 地级市, 自治州, 市辖区, 县级市 …

    @property
    def iri(self) -> str:
        return str(QPD[f"area/{self.code}"])


@dataclass(frozen=True)
class TermEntry:
    """A target category or a programme kind."""

    iri: str
    pref_label: str
    en_label: str
    labels: tuple[str, ...]  # @zh pref + alt labels
    notation: str  # ASCII slug (programme IRIs use the programme-kind notation)


# eq=False: hash by identity. The lru_cache'd indexes below are keyed by the gazetteer, and hashing
# its thousands of entries on every lookup cost 2 ms a call, two thirds of the build (kg bench).
@dataclass(frozen=True, eq=False)
class Gazetteer:
    concepts: tuple[ConceptEntry, ...]
    areas: tuple[AreaEntry, ...]
    categories: tuple[TermEntry, ...] = ()
    program_kinds: tuple[TermEntry, ...] = ()

    @property
    def area_by_code(self) -> dict[str, AreaEntry]:
        return _area_index(self)

    def concept(self, iri: str) -> ConceptEntry:
        return _concept_index(self)[iri]

    def concept_pattern(self) -> re.Pattern[str]:
        """One regex of every concept label, leftmost-longest matching (a trie: see `trie_regex`)."""
        return _concept_regex(self)

    def concepts_for_label(self, label: str) -> tuple[ConceptEntry, ...]:
        return _label_index(self).get(label, ())

    def ancestors(self, iri: str) -> tuple[str, ...]:
        """Every skos:broader ancestor of a concept, nearest first (品字标浙江制造 -> 品字标)."""
        out: list[str] = []
        todo = list(self.concept(iri).broader)
        idx = _concept_index(self)
        while todo:
            b = todo.pop(0)
            if b in out:
                continue
            out.append(b)
            if b in idx:
                todo.extend(idx[b].broader)
        return tuple(out)

    def category_for_label(self, label: str) -> TermEntry | None:
        """The target category whose @zh label is exactly `label` (产品质量 -> category-product-quality)."""
        return _term_label_index(self, "categories").get(label)

    def program_kind_for_label(self, label: str) -> TermEntry | None:
        """The programme kind whose @zh label is exactly `label` (重大改革 -> notation 'reform')."""
        return _term_label_index(self, "program_kinds").get(label)


def per_gazetteer(cache: dict, gaz: "Gazetteer", build):
    """`build(gaz)`, kept in `cache` for the one gazetteer in use, keyed by identity (hashing a
    Gazetteer walks all its areas): the indexes that extraction derives from the vocabulary."""
    hit = cache.get(id(gaz))
    if hit is None or hit[0] is not gaz:
        hit = (gaz, build(gaz))
        cache.clear()
        cache[id(gaz)] = hit
    return hit[1]


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
def _term_label_index(g: Gazetteer, field: str) -> dict[str, TermEntry]:
    # keyed by the gazetteer (hashed by identity), not by its tuple of terms, which would hash
    # every term on each look-up
    return {lab: t for t in getattr(g, field) for lab in t.labels}


@lru_cache(maxsize=None)
def _concept_regex(g: Gazetteer) -> re.Pattern[str]:
    labels = sorted(_label_index(g))
    return re.compile(trie_regex(labels)) if labels else re.compile(r"(?!)")


def trie_regex(words: list[str]) -> str:
    """A regex matching the longest of `words` at a position, written as a trie.

    It matches what the flat alternation sorted longest first would, but Python's regex engine
    tries the alternatives of one position in turn, so the trie (one branch per next character)
    is several times faster than ~200 flat alternatives.
    """
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(node[ch]) for ch in sorted(node) if ch]
        if not alts:
            return ""
        ends = "" in node
        if len(alts) == 1:
            return f"(?:{alts[0]})?" if ends else alts[0]
        # a longer word before the one ending here: the empty alternative goes last
        return "(?:" + "|".join(alts + ([""] if ends else [])) + ")"

    return emit(root)


# --------------------------------------------------------------------------- parsing

_Index = dict[str, dict[str, list]]


def _parse_quads(sources: list[bytes] | None = None) -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for data in sources if sources is not None else [f.read_bytes() for f in vocab_files()]:
        quads.extend(ox.parse(data, format=ox.RdfFormat.TURTLE))
    return quads


def _index(quads: list[ox.Quad]) -> _Index:
    """{subject IRI: {predicate IRI: [objects]}} (plain dicts: the build loads this at start-up)."""
    idx: _Index = {}
    named = ox.NamedNode
    for subj, pred, obj, _ in quads:
        if type(subj) is not named:
            continue
        po = idx.get(subj.value)
        if po is None:
            po = idx[subj.value] = {}
        objs = po.get(pred.value)
        if objs is None:
            po[pred.value] = [obj]
        else:
            objs.append(obj)
    return idx


# predicate IRIs as strings, looked up once (an rdflib namespace attribute costs a few µs a time)
_TYPE = str(RDF.type)
_LABEL = str(RDFS.label)
_PREF, _ALT, _HIDDEN = str(SKOS.prefLabel), str(SKOS.altLabel), str(SKOS.hiddenLabel)
_NOTATION, _IN_SCHEME, _BROADER = str(SKOS.notation), str(SKOS.inScheme), str(SKOS.broader)
_EXCLUDE, _NOT_CONFUSED = str(QP.excludeLabel), str(QP.notToBeConfusedWith)
_ADMIN_CODE, _PART_OF, _DIVISION_TYPE = str(QP.adminCode), str(QP.partOf), str(QP.divisionType)


def _zh(po: dict[str, list], p: str) -> list[str]:
    return sorted(
        o.value for o in po.get(p, ()) if isinstance(o, ox.Literal) and (o.language or "").startswith("zh")
    )


def _en(po: dict[str, list], p: str) -> str:
    vals = sorted(o.value for o in po.get(p, ()) if isinstance(o, ox.Literal) and (o.language or "") == "en")
    return vals[0] if vals else ""


def _iris(po: dict[str, list], p: str) -> list[str]:
    return sorted(o.value for o in po.get(p, ()) if isinstance(o, ox.NamedNode))


def _plain(po: dict[str, list], p: str) -> str:
    vals = sorted(o.value for o in po.get(p, ()) if isinstance(o, ox.Literal))
    return vals[0] if vals else ""


def load_vocab_graph() -> Graph:
    """Every vocabulary file in one rdflib Graph (parsed by pyoxigraph for speed)."""
    return graph_from_quads(_parse_quads())


def _terms(idx: _Index, cls: URIRef) -> tuple[TermEntry, ...]:
    out = []
    cls_iri = str(cls)
    for s, po in idx.items():
        if not any(o.value == cls_iri for o in po.get(_TYPE, ()) if isinstance(o, ox.NamedNode)):
            continue
        pref = _zh(po, _PREF)
        if not pref:
            continue
        out.append(
            TermEntry(
                iri=s,
                pref_label=pref[0],
                en_label=_en(po, _PREF),
                labels=tuple(sorted(set(pref) | set(_zh(po, _ALT)) | set(_zh(po, _HIDDEN)))),
                notation=_plain(po, _NOTATION),
            )
        )
    return tuple(sorted(out, key=lambda t: t.iri))


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Read every vocabulary file once per process.

    Parsing and indexing the ~30,000 vocabulary triples takes ~0.15 s, paid by every build at
    start-up (and by every worker of `--jobs N`), so the result is kept in a user cache file
    (`$XDG_CACHE_HOME/qpkg`, else ~/.cache/qpkg) named by a hash of the vocabulary files and
    of this module's source: an edit to either makes a new entry. A cache that cannot be read
    or written is skipped; the gazetteer is then built from the files as before.
    """
    sources = [(f.name, f.read_bytes()) for f in vocab_files()]
    path = _cache_path(sources)
    if path is not None:
        try:
            return _gazetteer_from_json(path.read_bytes())
        except (OSError, ValueError, KeyError, TypeError):
            pass  # no entry yet, or an unreadable one: build it
    gaz = _build_gazetteer([data for _, data in sources])
    if path is not None:
        atomic.write_cache(path, [_gazetteer_to_json(gaz)])
    return gaz


# --------------------------------------------------------------------------- the cache file

_CACHE_FORMAT = b"qpkg-gazetteer-1"
_ENTRY_TYPES = {"concepts": ConceptEntry, "areas": AreaEntry, "categories": TermEntry, "program_kinds": TermEntry}


def user_cache_dir() -> Path:
    """$XDG_CACHE_HOME/qpkg, else ~/.cache/qpkg: the caches shared by every build of this user."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "qpkg"


def _cache_path(sources: list[tuple[str, bytes]]) -> Path | None:
    try:
        code = package_file("vocab.py").read_bytes()  # the code that builds the entries is part of the key
    except OSError:
        return None  # not installed as files (a zip): no cache
    h = hashlib.sha256(_CACHE_FORMAT)
    # the namespaces the entries are read with and the parser's version belong to the key too
    context = f"{QP}\n{QPD}\n{getattr(ox, '__version__', '')}".encode()
    for part in (code, context, *(x for name, data in sources for x in (name.encode(), data))):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return user_cache_dir() / f"gazetteer-{h.hexdigest()[:32]}.json"


def _gazetteer_to_json(gaz: Gazetteer) -> bytes:
    data = {name: [[getattr(e, f.name) for f in fields(cls)] for e in getattr(gaz, name)] for name, cls in _ENTRY_TYPES.items()}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _gazetteer_from_json(raw: bytes) -> Gazetteer:
    data = json.loads(raw)
    # every field is a string or a tuple of strings: JSON gives the tuples back as lists
    return Gazetteer(**{
        name: tuple(cls(*(tuple(v) if isinstance(v, list) else v for v in row)) for row in data[name])
        for name, cls in _ENTRY_TYPES.items()
    })


def _build_gazetteer(sources: list[bytes]) -> Gazetteer:
    idx = _index(_parse_quads(sources))
    concepts = []
    areas = []
    kinds = {str(k): v for k, v in CONCEPT_KINDS.items()}
    levels = {str(k): v for k, v in AREA_LEVELS.items()}
    for s, po in idx.items():
        types = _iris(po, _TYPE)
        kind = next((kinds[t] for t in types if t in kinds), None)
        if kind:
            pref = _zh(po, _PREF)
            if not pref:
                continue
            labels = set(pref) | set(_zh(po, _ALT)) | set(_zh(po, _HIDDEN))
            schemes = _iris(po, _IN_SCHEME)
            concepts.append(
                ConceptEntry(
                    iri=s,
                    kind=kind,
                    pref_label=pref[0],
                    labels=tuple(sorted(labels)),
                    broader=tuple(_iris(po, _BROADER)),
                    exclude=tuple(_zh(po, _EXCLUDE)),
                    en_label=_en(po, _PREF),
                    scheme=schemes[0] if schemes else "",
                    not_confused_with=tuple(_iris(po, _NOT_CONFUSED)),
                )
            )
        level = next((levels[t] for t in types if t in levels), None)
        if level:
            code = _plain(po, _ADMIN_CODE)
            names = _zh(po, _LABEL) or _zh(po, _PREF)
            if not code or not names:
                continue
            parents = _iris(po, _PART_OF)
            parent_code = ""
            if parents:
                parent_code = _plain(idx.get(parents[0], {}), _ADMIN_CODE)
            areas.append(
                AreaEntry(
                    code=code,
                    name=names[0],
                    short_names=tuple(_zh(po, _ALT)),
                    level=level,
                    parent=parent_code,
                    division_type=(_zh(po, _DIVISION_TYPE) or [""])[0],
                )
            )
    concepts.sort(key=lambda c: c.iri)
    areas.sort(key=lambda a: a.code)
    return Gazetteer(
        concepts=tuple(concepts),
        areas=tuple(areas),
        categories=_terms(idx, QP.TargetCategory),
        program_kinds=_terms(idx, QP.ProgramKind),
    )
