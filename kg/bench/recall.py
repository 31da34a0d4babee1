"""Recall at scale: the facts a synthetic corpus planted against what its build put into the graph.

The comparison reads the built graph through the public data model only (qp:sourceFile,
qp:jurisdiction, qp:mentions, qp:hasTarget, qp:hasProgram, dcterms:title), so it keeps working
as extractors are added: a fact type no extractor produces yet is reported as `extracted: false`
rather than as a failure. `target_comparators` counts, of the numeric targets found, those
whose qp:comparator is the one planted (AtLeast for 不低于96 or 96以上, Reach for 达到, none for
a bare number).
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..store import Store, open_store

_SPACE = re.compile(r"\s+")

# One query per fact type, each returning (file, value[, value2]) rows over the union of graphs.
_QUERIES = {
    "kind": """SELECT ?file ?v WHERE { ?d qp:sourceFile ?file .
        { ?d a qp:Plan BIND("plan" AS ?v) } UNION { ?d a qp:Article BIND("article" AS ?v) } }""",
    "jurisdiction": "SELECT ?file ?v WHERE { ?d qp:sourceFile ?file ; qp:jurisdiction ?v }",
    "title": "SELECT ?file ?v WHERE { ?d qp:sourceFile ?file ; dcterms:title ?v }",
    "concepts": "SELECT ?file ?v WHERE { ?d qp:sourceFile ?file ; qp:mentions ?v . ?v a skos:Concept }",
    "targets": """SELECT ?file ?v ?w ?c WHERE { ?d qp:sourceFile ?file ; qp:hasTarget ?t .
        ?t qp:indicator ?v OPTIONAL { ?t qp:targetValue ?w } OPTIONAL { ?t qp:comparator ?c } }""",
    "programs": "SELECT ?file ?v WHERE { ?d qp:sourceFile ?file ; qp:hasProgram ?p . ?p rdfs:label ?v }",
    "org_labels": "SELECT ?file ?v WHERE { ?d qp:sourceFile ?file ; qp:mentions ?o . ?o a org:Organization ; rdfs:label ?v }",
}


@dataclass(frozen=True)
class TypeRecall:
    fact: str
    planted: int
    found: int
    extracted: bool  # does the graph hold any fact of this type at all?
    misses: tuple[str, ...] = ()  # a few examples (file: fact), for debugging

    @property
    def recall(self) -> float | None:
        return round(self.found / self.planted, 4) if self.planted else None

    def as_dict(self) -> dict[str, Any]:
        return {"planted": self.planted, "found": self.found, "recall": self.recall, "extracted": self.extracted,
                "misses": list(self.misses)}


def _norm(s: str) -> str:
    return _SPACE.sub("", s)


def _found(store: Store) -> dict[str, dict[str, set]]:
    out: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for fact, q in _QUERIES.items():
        for row in store.select(q).rows:
            file, v = str(row[0]), row[1]
            if fact == "jurisdiction":
                out[fact][file].add(str(v).rsplit("/", 1)[-1])  # qpd:area/<code>
            elif fact == "targets":
                w = row[2]
                key = (_norm(str(v)), None if w is None else round(float(w.toPython()), 6))
                out[fact][file].add(key)
                # qp:AtLeast -> at_least, as the generator plants it; "" for none
                c = "" if row[3] is None else re.sub(r"(?<!^)(?=[A-Z])", "_", str(row[3]).rsplit("#", 1)[-1]).lower()
                out["target_comparators"][file].add((*key, c))
                out["target_indicators"][file].add(_norm(str(v)))
            elif fact in ("title", "programs", "org_labels"):
                out[fact][file].add(_norm(str(v)))
            else:
                out[fact][file].add(str(v))
    return out


def _value(v) -> float | None:
    return None if v is None else round(float(v), 6)


def compare(planted: dict[str, dict[str, Any]], store: Store, examples: int = 5) -> dict[str, TypeRecall]:
    """Recall per fact type of `planted` (from `load_planted`) in `store`."""
    found = _found(store)
    tallies: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: dict[str, list[str]] = defaultdict(list)

    def check(fact: str, file: str, ok: bool, what: str) -> None:
        tallies[fact][0] += 1
        tallies[fact][1] += ok
        if not ok and len(misses[fact]) < examples:
            misses[fact].append(f"{file}: {what}")

    for file, d in sorted(planted.items()):
        check("kind", file, d["kind"] in found["kind"].get(file, ()), d["kind"])
        check("jurisdiction", file, d["jurisdiction"]["code"] in found["jurisdiction"].get(file, ()),
              f"{d['jurisdiction']['name']} {d['jurisdiction']['code']}")
        check("title", file, _norm(d["title"]) in found["title"].get(file, ()), d["title"])
        for c in d["concepts"]:
            check("concepts", file, c in found["concepts"].get(file, ()), c.rsplit("/", 1)[-1])
        for t in d["targets"]:
            key = (_norm(t["indicator"]), _value(t["value"]))
            fact = "targets" if t["source"] == "table" else "prose_targets"
            check(fact, file, key in found["targets"].get(file, ()), f"{t['indicator']}={t['text']}")
            if key in found["targets"].get(file, ()) and t["value"] is not None and "comparator" in t:
                # of the numeric targets found, those read with the comparator the text states
                check("target_comparators", file, (*key, t["comparator"] or "") in found["target_comparators"].get(file, ()),
                      f"{t['indicator']}={t['text']} ({t['comparator']})")
        for kind, label in d["programs"]:
            check("programs", file, _norm(label) in found["programs"].get(file, ()), f"{kind} {label}")
        for o in d["orgs"]:
            check("orgs", file, _norm(o) in found["org_labels"].get(file, ()), o)
    # Past results wrongly extracted as targets (a precision check on the recall set).
    wrong = sum(
        1 for file, d in planted.items() for p in d.get("past_results", ())
        if (_norm(p["indicator"]), _value(p["value"])) in found["targets"].get(file, ())
    )
    extracted = {
        "kind": bool(found["kind"]), "jurisdiction": bool(found["jurisdiction"]), "title": bool(found["title"]),
        "concepts": bool(found["concepts"]), "targets": bool(found["targets"]), "prose_targets": bool(found["targets"]),
        "programs": bool(found["programs"]), "orgs": bool(found["org_labels"]),
        "target_comparators": bool(found["target_comparators"]),
    }
    out = {
        fact: TypeRecall(fact, n, k, extracted.get(fact, True), tuple(misses[fact]))
        for fact, (n, k) in sorted(tallies.items())
    }
    n_past = sum(len(d.get("past_results", ())) for d in planted.values())
    out["past_results_as_targets"] = TypeRecall("past_results_as_targets", n_past, wrong, bool(found["targets"]))
    return out


def recall_of_build(corpus_dir: str | Path, graph_file: str | Path) -> dict[str, TypeRecall]:
    """Load a build's graph (graph.nq) into an in-memory store and compare it with the corpus sidecars."""
    from .corpus import load_planted

    return compare(load_planted(corpus_dir), open_store("oxigraph", graph_file=graph_file))
