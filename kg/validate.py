"""SHACL validation of a built graph against ontology/shapes.ttl.

`validate()` returns data — (conforms, report_graph, report_text) — and the CLI maps it to exit
codes 0 (conforms), 1 (violations) and 2 (cannot load). pyshacl validates each named graph of
a Dataset separately, but our shapes need the union (a target in a document graph points at
an area in the vocabulary graph), so every input is first flattened into one Graph.

What makes `kg validate` of a build fast (about three quarters of a build's triples are the packaged
ontology and vocabularies, identical on every build, and validating their 10,000 concept and area
nodes was most of the time):

- The default ontology is mixed into our own copy of the data, so the engine runs in place and
  does not clone the graph. The triples mixed in are exactly those pyshacl's `ont_graph=` adds.
- When the data holds every packaged ontology and vocabulary triple and the shapes are the
  packaged ones, only the nodes the other triples can affect are focus nodes, and the engine is
  given the triples their validation reads, static ones included (`focus_plan`). The static
  graphs themselves are validated by the test suite (`validate(..., full=True)`).
"""
from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Union

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import Dataset
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from .errors import UsageError, ValidationLoadError
from .namespaces import PREFIXES, bind_prefixes
from .resources import ontology_file, vocab_files
from .terms import GRAPH_FORMATS, from_ox, graph_from_quads, graph_suffixes, to_ox

GraphSource = Union[str, os.PathLike, Graph]

#: SHACL engines by name. pyshacl is the reference; pyshacl-turbo has the same API.
ENGINES = ("pyshacl", "turbo")


def _union(quads: Iterable[ox.Quad]) -> Graph:
    return graph_from_quads(quads)


def _parse(path: str | os.PathLike, what: str) -> Iterator[ox.Quad]:
    p = Path(path)
    if p.suffix.lower() not in GRAPH_FORMATS:
        raise ValidationLoadError(f"{p}: cannot tell the RDF format of the {what} from its suffix (use {graph_suffixes()})")
    fmt = GRAPH_FORMATS[p.suffix.lower()][1]
    if not p.is_file():
        hint = " (run `make run` or `kg build` first)" if what == "graph" else ""
        raise ValidationLoadError(f"{p}: no such {what} file{hint}")
    try:
        with p.open("rb") as fh:
            # a list, so that parse errors surface here and not while the caller iterates
            return iter(list(ox.parse(fh, format=fmt, base_iri=p.resolve().as_uri())))
    except (SyntaxError, ValueError, OSError) as exc:
        raise ValidationLoadError(f"{p}: the {what} cannot be parsed as {fmt.name}: {exc}") from exc


def load_union_graph(path: str | os.PathLike, what: str = "graph") -> Graph:
    """Parse an RDF file (TriG, N-Quads, Turtle, N-Triples, RDF/XML) into one Graph holding the union
    of its default and named graphs. pyoxigraph parses; rdflib receives the triples."""
    return _union(_parse(path, what))


def _as_graph(source: GraphSource, what: str) -> Graph:
    if isinstance(source, Dataset) or (isinstance(source, Graph) and source.context_aware):
        g = Graph()
        for s, p, o, _ctx in source.quads((None, None, None, None)):
            g.add((s, p, o))
        return g
    if isinstance(source, Graph):
        return source
    return load_union_graph(source, what)


class _Data:
    """The union of a source's default and named graphs: a set of pyoxigraph triples, and an
    in-memory pyoxigraph store over them (with the ontology mixed in) for pattern lookups."""

    def __init__(self, quads: list[ox.Quad], mixin: Iterable[ox.Triple]) -> None:
        self.triples: set[ox.Triple] = {q.triple for q in quads}
        self.mixin = set(mixin) - self.triples
        self.store = ox.Store()
        self.store.bulk_extend(quads)
        self.store.bulk_extend(ox.Quad(*t) for t in self.mixin)

    def match(self, s=None, p=None, o=None) -> Iterator[ox.Triple]:
        if isinstance(s, ox.Literal):
            return iter(())
        return (q.triple for q in self.store.quads_for_pattern(s, p, o))


def _quads(source: GraphSource) -> list[ox.Quad]:
    if isinstance(source, Graph):
        it = source.quads((None, None, None, None)) if source.context_aware else source
        return [ox.Quad(to_ox(t[0]), to_ox(t[1]), to_ox(t[2])) for t in it]
    return list(_parse(source, "graph"))


def default_shapes() -> Graph:
    g = Graph()
    g.parse(data=ontology_file("shapes.ttl").read_text(encoding="utf-8"), format="turtle")
    return g


def default_ontology() -> Graph:
    g = Graph()
    g.parse(data=ontology_file("qp.ttl").read_text(encoding="utf-8"), format="turtle")
    return g


def _mixin(ontology: Graph) -> Graph:
    """The triples pyshacl's `ont_graph=` adds to a data graph (its `inoculate`: the RDFS and OWL
    axioms, not the ontology's own metadata), so that adding them ourselves validates the same."""
    from pyshacl.graph_abstraction import DataGraph
    from pyshacl.rdfutil.inoculate import inoculate

    target = Graph()
    inoculate(DataGraph.from_rdflib(target), ontology)
    return target


def _mixin_triples(ontology: Graph) -> frozenset[ox.Triple]:
    return frozenset(ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in _mixin(ontology))


@lru_cache(maxsize=1)
def _default_mixin() -> frozenset[ox.Triple]:
    return _mixin_triples(default_ontology())


@lru_cache(maxsize=1)
def static_triples() -> frozenset[ox.Triple]:
    """The packaged ontology and vocabulary triples that every build carries: the files behind
    `kg.output.static_nquads()` (tests/test_validate.py checks they are the same triples)."""
    files = [ontology_file("qp.ttl"), *vocab_files()]
    return frozenset(q.triple for f in files for q in ox.parse(f.read_bytes(), format=ox.RdfFormat.TURTLE))


# --------------------------------------------------------------------------- focus nodes

_TARGETS = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))
_TYPE = ox.NamedNode(str(RDF.type))

#: Constraint parameters that read only the triples of the node they apply to (and compare its
#: values as terms). Shapes using anything else are validated on every node.
_LOCAL = {SH[n] for n in (
    "minCount", "maxCount", "datatype", "nodeKind", "pattern", "flags", "minLength", "maxLength",
    "languageIn", "uniqueLang", "in", "hasValue", "minInclusive", "maxInclusive", "minExclusive",
    "maxExclusive", "lessThan", "lessThanOrEquals", "equals", "disjoint", "qualifiedMinCount",
    "qualifiedMaxCount", "message", "severity", "name", "description",
    "deactivated", "order", "group", "defaultValue", "path", "targetNode", "targetClass",
    "targetSubjectsOf", "targetObjectsOf", "prefixes")} | {RDF.type, RDFS.label, RDFS.comment}
#: Parameters whose shapes apply where the constraint does: to the focus node in a node shape,
#: to each value in a property shape.
_SAME_NODE = {SH["and"], SH["or"], SH.xone, SH["not"], SH.node}
_LISTS = {SH["and"], SH["or"], SH.xone}

#: SPARQL constraints whose reach was reviewed (whitespace normalized), each with the predicates
#: through which it compares the focus node with other nodes: here, another concept with the same
#: label in the same scheme. Beyond those, it reads only the focus node's own triples. A constraint
#: not listed here makes `kg validate` check every node.
_REVIEWED_SPARQL = {
    " ".join("""
    SELECT $this ?value ?scheme WHERE {
        $this skos:prefLabel ?value ; skos:inScheme ?scheme .
        FILTER (lang(?value) = "zh")
        ?other skos:prefLabel ?value ; skos:inScheme ?scheme .
        FILTER (?other != $this)
    }""".split()): (SKOS.prefLabel, SKOS.inScheme),
}


class _Unsupported(Exception):
    """The shapes use something `focus_plan` does not reason about."""


@dataclass(frozen=True)
class _Reach:
    hops: int  # the farthest value hop whose triples the shapes read (0: the focus node's own)
    inverse: frozenset  # predicates the shapes follow backwards (rdflib URIRefs)
    siblings: frozenset  # predicates through which a reviewed SPARQL constraint compares nodes


def _reach(shapes: Graph) -> _Reach:
    """What the shapes read around a focus node; raises _Unsupported for anything not analysed."""
    inverse = set(shapes.objects(None, SH.targetObjectsOf))
    siblings: set = set()
    memo: dict = {}

    def items(lst) -> list:
        return list(shapes.items(lst))

    def path_of(shape):
        path = shapes.value(shape, SH.path)
        if isinstance(path, URIRef):
            return path
        inv = shapes.value(path, SH.inversePath) if isinstance(path, BNode) else None
        if isinstance(inv, URIRef) and len(list(shapes.predicate_objects(path))) == 1:
            inverse.add(inv)
            return path
        raise _Unsupported(f"path {path!r}")

    def depth(shape, stack: tuple) -> int:
        """Hops from the node `shape` applies to, to the farthest node whose triples it reads."""
        if shape in stack:
            raise _Unsupported("recursive shapes")
        if shape in memo:
            return memo[shape]
        stack = (*stack, shape)
        is_property = (shape, SH.path, None) in shapes
        if is_property:
            path_of(shape)
        own = 0  # reads of the node the shape applies to
        values = -1  # reads of its values, counted from the values (-1: none)
        for pred, obj in shapes.predicate_objects(shape):
            if pred in _LOCAL:
                continue
            if pred == SH.qualifiedValueShape and is_property:
                values = max(values, depth(obj, stack))
            elif pred == SH.property:
                d = depth(obj, stack)
                values, own = (max(values, d), own) if is_property else (values, max(own, d))
            elif pred == SH["class"]:
                values, own = (max(values, 0), own) if is_property else (values, own)
            elif pred in _SAME_NODE:
                members = items(obj) if pred in _LISTS else [obj]
                d = max((depth(m, stack) for m in members), default=0)
                values, own = (max(values, d), own) if is_property else (values, max(own, d))
            elif pred == SH.sparql and not is_property:
                for sel in shapes.objects(obj, SH.select):
                    reviewed = _REVIEWED_SPARQL.get(" ".join(str(sel).split()))
                    if reviewed is None:
                        raise _Unsupported("a SPARQL constraint that was not reviewed")
                    siblings.update(reviewed)
            else:
                raise _Unsupported(f"constraint parameter {pred}")
        memo[shape] = d = max(own, values + 1)
        return d

    hops = 0
    for pred in _TARGETS:
        for shape in set(shapes.subjects(pred, None)):
            hops = max(hops, depth(shape, ()))
    return _Reach(hops, frozenset(inverse), frozenset(siblings))


@dataclass(frozen=True)
class FocusPlan:
    """Which nodes each targeted shape validates: every node it targets in the data, except the
    nodes of the static graphs that no other triple can affect."""

    focus: dict  # shape node (rdflib) -> set of rdflib focus nodes
    triples: frozenset  # the data triples validating those nodes reads (pyoxigraph terms)
    targeted: int  # focus nodes the shapes declare, counted per shape
    kept: int  # of those, the ones validated


def focus_plan(data: "_Data", shapes: Graph) -> FocusPlan | None:
    """Restrict the shapes' targets to the nodes that triples outside the packaged static graphs can
    affect; None when the data or the shapes do not allow it (then every node is validated).

    Why this gives the same results as validating every node: the data is the packaged static
    graphs S, which conform on their own (the test suite proves it), plus other triples D. The
    result for a node x of S can only change when D adds a triple that x's constraints read.
    `_reach` checks what the shapes read from a focus node: its own triples, the triples of nodes
    up to `hops` values away, the subjects of the predicates that are followed backwards
    (sh:inversePath, sh:targetObjectsOf) and, for the reviewed SPARQL constraint, other nodes that
    share an object with x. So x is affected when it is a subject of D, an object of D through a
    predicate read backwards, within `hops` values of such a node, or (siblings) has an object
    that a triple of D also has. A new rdfs:subClassOf in D changes which nodes a class targets:
    then every node is validated. tests/test_validate.py compares both ways on every fixture.
    """
    static = static_triples()
    if not static <= data.triples:
        return None
    try:
        reach = _reach(shapes)
    except _Unsupported:
        return None
    shape_targets: dict = defaultdict(list)
    for pred in _TARGETS:
        for shape, value in shapes.subject_objects(pred):
            shape_targets[shape].append((pred, value))
    for node in shape_targets:
        if (node, RDF.type, RDFS.Class) in shapes or (node, RDF.type, OWL.Class) in shapes:
            return None  # implicit class targets: not handled here
    if any(True for _ in shapes.subject_objects(SH.target)):
        return None  # SHACL-AF custom targets: not handled here
    delta = [tuple(t) for t in data.triples - static]
    if any(p == _SUBCLASS for _s, p, _o in delta):
        return None

    inverse = {to_ox(p) for p in reach.inverse}
    affected = {s for s, _p, _o in delta} | {o for _s, p, o in delta if p in inverse}
    backwards = [t for p in inverse for t in data.match(None, p, None)]
    frontier = set(affected)
    for _ in range(reach.hops):  # the nodes that have a value in the frontier
        nxt = {t.object for t in backwards if t.subject in frontier}
        for v in frontier:
            nxt.update(t.subject for t in data.match(None, None, v))
        frontier = nxt - affected
        affected |= frontier
    for p in map(to_ox, reach.siblings):  # other nodes with the same (p, o) as a triple of D
        for o in {o for _s, q, o in delta if q == p}:
            affected.update(t.subject for t in data.match(None, p, o))

    def with_subclasses(c) -> set:
        seen, todo = {c}, [c]
        while todo:
            for t in data.match(None, _SUBCLASS, todo.pop()):
                if t.subject not in seen:
                    seen.add(t.subject)
                    todo.append(t.subject)
        return seen

    focus: dict = {}
    focus_nodes: set = set()
    targeted = kept = 0
    for shape, targets in shape_targets.items():
        nodes: set = set()
        explicit: set = set()
        for pred, value in targets:
            if pred == SH.targetNode:
                explicit.add(value)  # sh:targetNode is kept as written
                continue
            v = to_ox(value)
            if pred == SH.targetClass:
                for c in with_subclasses(v):
                    nodes.update(t.subject for t in data.match(None, _TYPE, c))
            elif pred == SH.targetSubjectsOf:
                nodes.update(t.subject for t in data.match(None, v, None))
            else:
                nodes.update(t.object for t in data.match(None, v, None))
        keep = nodes & affected
        targeted += len(nodes) + len(explicit)
        kept += len(keep) + len(explicit)
        focus[shape] = explicit | {from_ox(n) for n in keep}
        focus_nodes |= keep | {to_ox(n) for n in explicit}
    return FocusPlan(focus, _read_set(data, focus_nodes, reach, inverse), targeted, kept)


def _read_set(data: "_Data", focus: set, reach: _Reach, inverse: set) -> frozenset:
    """The triples that validating `focus` reads, by `_reach`: the triples of every node up to
    `hops` values away (forward, and backwards through the inverse predicates), the triples that
    share a sibling predicate and object with them, and every rdfs:subClassOf (for sh:class)."""
    read = set(data.match(None, _SUBCLASS, None))
    backwards = [t for p in inverse for t in data.match(None, p, None)]
    level, seen = set(focus), set(focus)
    for _ in range(reach.hops + 1):
        nxt = set()
        for n in level:
            for t in data.match(n, None, None):
                read.add(t)
                nxt.add(t.object)
        for t in backwards:
            if t.object in level:
                read.add(t)
                nxt.add(t.subject)
        level = nxt - seen
        seen |= nxt
    for p in map(to_ox, reach.siblings):
        shared = {t.object for n in seen for t in data.match(n, p, None)}
        for o in shared:
            read.update(data.match(None, p, o))
    return frozenset(read)


def plan_for(data: GraphSource) -> FocusPlan | None:
    """The focus plan `validate(data)` uses with the packaged shapes and ontology (None: every node)."""
    return focus_plan(_Data(_quads(data), _default_mixin()), default_shapes())


def _retarget(shapes: Graph, plan: FocusPlan) -> Graph:
    """A copy of the shapes whose target declarations are replaced by the plan's sh:targetNode lists."""
    g = Graph()
    for t in shapes:
        if t[1] in _TARGETS and t[0] in plan.focus:
            continue
        g.add(t)
    for shape, nodes in plan.focus.items():
        for n in nodes:
            g.add((shape, SH.targetNode, n))
    for prefix, ns in shapes.namespaces():
        g.bind(prefix, ns, override=False)
    return g


# --------------------------------------------------------------------------- validation

def _engine(name: str):
    if name == "pyshacl":
        from pyshacl import validate as run  # heavy import, only when validating
    elif name == "turbo":
        try:
            from pyshacl_turbo import validate as run
        except ImportError as exc:
            raise UsageError("the turbo engine needs pyshacl-turbo (pip install pyshacl-turbo)") from exc
    else:
        raise UsageError(f"unknown SHACL engine {name!r} (use one of {', '.join(ENGINES)})")
    return run


def validate(
    data: GraphSource,
    shapes: GraphSource | None = None,
    ontology: GraphSource | None = None,
    *,
    engine: str = "pyshacl",
    full: bool = False,
) -> tuple[bool, Graph, str]:
    """Validate `data` (a path to TriG / N-Quads / Turtle, or an rdflib Graph or Dataset) against the
    SHACL shapes (default: ontology/shapes.ttl), with the ontology (default: ontology/qp.ttl) mixed in.

    With the packaged shapes and ontology, nodes of the packaged static graphs that the rest of the
    data cannot affect are not validated again (see `focus_plan`); `full=True` validates every node.
    `engine` is "pyshacl" (the reference) or "turbo" (pyshacl-turbo, same API and results).

    Returns (conforms, report_graph, report_text); raises ValidationLoadError when the graph or the
    shapes cannot be loaded.
    """
    run = _engine(engine)
    quads = _quads(data)
    try:
        shapes_graph = default_shapes() if shapes is None else _as_graph(shapes, "shapes")
        mixin = _default_mixin() if ontology is None else _mixin_triples(_as_graph(ontology, "ontology"))
    except ValidationLoadError:
        raise
    except Exception as exc:  # a malformed packaged file: name it
        raise ValidationLoadError(f"the shapes or the ontology cannot be parsed: {exc}") from exc
    indexed = _Data(quads, mixin)
    read: Iterable[ox.Triple] = indexed.triples | indexed.mixin
    if not full and shapes is None and ontology is None:
        plan = focus_plan(indexed, shapes_graph)
        if plan is not None:
            shapes_graph = _retarget(shapes_graph, plan)
            read = plan.triples | indexed.mixin
    data_graph = graph_from_quads(read, Graph())
    try:
        conforms, report_graph, _text = run(
            data_graph,
            shacl_graph=shapes_graph,
            inference="none",
            advanced=True,
            allow_warnings=True,
            inplace=True,  # the data graph is our own copy: no clone
        )
    except Exception as exc:  # pyshacl raises ReportableRuntimeError / ConstraintLoadError for bad shapes
        raise ValidationLoadError(f"the shapes cannot be loaded: {exc}") from exc
    bind_prefixes(report_graph)
    return bool(conforms), report_graph, format_report(report_graph)


def _short(term) -> str:
    if isinstance(term, URIRef):
        s = str(term)
        best = max((ns for ns in PREFIXES.items() if s.startswith(ns[1])), key=lambda ns: len(ns[1]), default=None)
        return f"{best[0]}:{s[len(best[1]):]}" if best else f"<{s}>"
    if isinstance(term, BNode):
        return "[]"
    if isinstance(term, Literal):
        return repr(str(term)) if not term.language else f"{str(term)!r}@{term.language}"
    return str(term)


def _path(report: Graph, node) -> str:
    if node is None:
        return "-"
    inv = report.value(node, SH.inversePath)
    if inv is not None:
        return f"^{_short(inv)}"
    return _short(node)


def violations(report_graph: Graph) -> list[dict[str, str]]:
    """The results of a report as sorted rows: focus, path, component, severity, value, message."""
    rows = []
    for r in report_graph.subjects(RDF.type, SH.ValidationResult):
        comp = report_graph.value(r, SH.sourceConstraintComponent)
        rows.append(
            {
                "focus": _short(report_graph.value(r, SH.focusNode)),
                "path": _path(report_graph, report_graph.value(r, SH.resultPath)),
                "component": _short(comp).replace("sh:", ""),
                "severity": _short(report_graph.value(r, SH.resultSeverity)).replace("sh:", ""),
                "value": _short(report_graph.value(r, SH.value)) if report_graph.value(r, SH.value) is not None else "",
                "message": str(report_graph.value(r, SH.resultMessage) or ""),
            }
        )
    rows.sort(key=lambda d: (d["focus"], d["path"], d["component"], d["value"], d["message"]))
    return rows


def format_report(report_graph: Graph) -> str:
    """A readable report: one line per result, grouped by focus node."""
    rows = violations(report_graph)
    if not rows:
        return "Conforms: the graph satisfies every shape."
    n_viol = sum(1 for r in rows if r["severity"] == "Violation")
    lines = [f"Does not conform: {n_viol} violation(s), {len(rows) - n_viol} other result(s)."]
    last = None
    for r in rows:
        if r["focus"] != last:
            lines.append(f"{r['focus']}")
            last = r["focus"]
        value = f" value={r['value']}" if r["value"] else ""
        lines.append(f"  {r['severity']}: {r['path']} [{r['component']}]{value}: {r['message']}")
    return "\n".join(lines)
