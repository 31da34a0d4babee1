"""`kg eval`: compare a built graph with a hand-checked gold file (the format of tests/gold/seeds.json).

The graph is read only through SPARQL (the queries in kg/queries/eval/), never through
extractor records, so the scores measure what a user can query. Matching rules:

- **table targets** (`targets`): a gold row matches a target of the same document whose
  indicator is equal after removing spaces and NFKC folding, and whose every field the gold
  row gives is equal (category as qp:categoryLabel or the category concept's label; unit,
  target/baseline text, value and year; comparator; binding; cumulative). A gold ``null``
  means the property must be absent. Predicted rows are the targets with
  ``qp:extractedFrom "table"`` (or no qp:extractedFrom). Precision, recall, F1 over rows.
- **prose targets** (`prose_targets`, a recall list): a gold item matches any target of the
  document with the same year, the same value once 万/亿/千 unit prefixes are applied, a
  compatible unit, and a similar indicator (one contains the other, or character-bigram
  Dice >= 0.5). Recall only.
- **not_targets**: a past result counts as a violation when a target of its document matches it
  by the same rule (its year, or no year). The floor is a maximum count.
- **programmes** (`programs`): (document, kind, label) triples, labels compared without spaces;
  the kind is one of the kind concept's @zh labels (or found by its notation). F1.
- **concepts**: (concept, city) pairs. A gold concept counts for a city when a document of that
  city (the city of the document in the gold) mentions a concept whose @zh label is the gold
  label or one of its aliases (typographic quotes ignored), or a narrower concept of one (a mention
  counts for its skos:broader* ancestors: 品字标浙江制造 also names 品字标). Only the gold's concepts
  are scored.
- **agencies** (a recall list per document): a gold name matches an organization the document
  mentions or was issued by when the names are equal, or equal *modulo the area prefix*: both
  names have 市场监管 expanded to 市场监督管理 and a bare 政府 to 人民政府, then a leading
  国家, area names (浙江省, 湖州市, 湖州 …) or a single 省/市/县/区 are removed, remembering the
  level removed; the rests must be equal and the levels equal unless one name had no prefix.
  So 市市场监管局 matches 湖州市市场监督管理局 and 质量强市工作领导小组 matches
  湖州市质量强市工作领导小组, but 湖州标准化研究院 does not match 中国标准化研究院.
- **metadata**: every field a gold document gives (kind, city, province, admin_code, title,
  issuer, doc_number, date, published, period, based_on, succeeds, authors, source, fragment)
  must equal the graph's values exactly (sets for multi-valued fields); ``null`` means absent.
- **quotes**: every qp:Mention's quote must equal source[start:end] of its document's source file
  (found in the --sources folder and decoded with the encoding the build recorded).
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .errors import GoldFileError, InputError
from .resources import query_dir
from .store import Store

# ------------------------------------------------------------------------------------- scores


@dataclass(frozen=True)
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else 1.0

    @property
    def accuracy(self) -> float:
        n = self.tp + self.fp + self.fn
        return self.tp / n if n else 1.0

    def __add__(self, other: "Score") -> "Score":
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


#: fact type -> (metric the floor applies to, what the score counts)
FACT_TYPES: dict[str, tuple[str, str]] = {
    "table-targets": ("f1", "rows with every field right"),
    "prose-targets": ("recall", "gold prose goals found"),
    "not-targets": ("fp", "past results extracted as targets"),
    "programs": ("f1", "(kind, label) per document"),
    "concepts": ("f1", "(concept, city) pairs"),
    "agencies": ("recall", "gold agencies found"),
    "metadata": ("accuracy", "gold metadata fields right"),
    "quotes": ("precision", "mentions whose quote is source[start:end]"),
}


@dataclass(frozen=True)
class Floors:
    """The thresholds `kg eval` enforces (defaults: the floors of issue 5 on the bundled corpus)."""

    table_f1: float = 1.0
    prose_recall: float = 0.9
    max_not_targets: int = 0
    program_f1: float = 0.98
    concept_f1: float = 0.95
    agency_recall: float = 0.9
    metadata: float = 1.0
    quote_exact: float = 1.0

    def of(self, fact: str) -> float:
        return {
            "table-targets": self.table_f1,
            "prose-targets": self.prose_recall,
            "not-targets": self.max_not_targets,
            "programs": self.program_f1,
            "concepts": self.concept_f1,
            "agencies": self.agency_recall,
            "metadata": self.metadata,
            "quotes": self.quote_exact,
        }[fact]


@dataclass
class Evaluation:
    scores: dict[str, Score] = field(default_factory=dict)
    by_doc: dict[str, dict[str, Score]] = field(default_factory=dict)  # fact -> document (or city) -> score
    misses: list[str] = field(default_factory=list)  # one line per wrong or missing fact
    unchecked_quotes: int = 0
    notes: list[str] = field(default_factory=list)

    def metric(self, fact: str) -> float:
        name = FACT_TYPES[fact][0]
        s = self.scores.get(fact, Score())
        return float(s.fp) if name == "fp" else getattr(s, name)

    def _miss(self, fact: str, doc: str, text: str) -> None:
        self.misses.append(f"{fact}\t{doc}\t{text}")

    def _add(self, fact: str, doc: str, s: Score) -> None:
        self.scores[fact] = self.scores.get(fact, Score()) + s
        per = self.by_doc.setdefault(fact, {})
        per[doc] = per.get(doc, Score()) + s


# ------------------------------------------------------------------------------------- gold


def load_gold(path: str | Path) -> dict[str, Any]:
    """Read and check a gold file; errors name the file and what is wrong."""
    p = Path(path)
    if not p.is_file():
        raise GoldFileError(f"{p}: no gold file there (pass --gold tests/gold/seeds.json or another file in its format)")
    try:
        gold = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldFileError(f"{p}: not a UTF-8 JSON file ({exc}); fix the file or pass another --gold") from None
    if not isinstance(gold, dict) or not isinstance(gold.get("documents"), list):
        raise GoldFileError(f"{p}: no 'documents' list at the top level (see tests/gold/seeds.json for the format)")
    for d in gold["documents"]:
        if not isinstance(d, dict) or not isinstance(d.get("doc"), str):
            raise GoldFileError(f"{p}: every entry of 'documents' needs a 'doc' file name (see tests/gold/seeds.json)")
    return gold


# ------------------------------------------------------------------------------------- reading the graph


def _query_text(name: str) -> str:
    return (query_dir() / "eval" / f"{name}.rq").read_text(encoding="utf-8")


def _rows(store: Store, name: str) -> list[dict[str, str | None]]:
    """Rows of an eval query as plain strings (None where unbound)."""
    sol = store.select(_query_text(name))
    return [{v: (None if c is None else str(c)) for v, c in zip(sol.vars, r)} for r in sol.rows]


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "“”\"'‘’《》")


def norm(text: str) -> str:
    """Compare form: NFKC, no whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def _num(v: str | None) -> float | None:
    if v is None:
        return None
    try:
        return float(v)
    except ValueError:
        return None


def _same_num(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


# ------------------------------------------------------------------------------------- targets

_COMPARATOR_NAMES = {"AtLeast": "at_least", "AtMost": "at_most", "Exactly": "exactly", "Reach": "reach", "About": "about", "Exceed": "exceed"}
_QP = "https://w3id.org/qpkg/ontology#"


@dataclass
class _Target:
    iri: str
    props: dict[str, list[str]]

    def one(self, prop: str) -> str | None:
        vals = self.props.get(prop, [])
        return vals[0] if len(vals) == 1 else (None if not vals else "\x00".join(sorted(vals)))

    @property
    def indicator(self) -> str:
        return self.one("indicator") or ""

    @property
    def source(self) -> str:
        return self.one("extractedFrom") or ""


def _targets(store: Store) -> dict[str, list[_Target]]:
    by_iri: dict[tuple[str, str], dict[str, list[str]]] = {}
    for r in _rows(store, "targets"):
        prop = r["property"] or ""
        key = prop[len(_QP):] if prop.startswith(_QP) else prop
        by_iri.setdefault((r["file"], r["target"]), {}).setdefault(key, []).append(r["value"] or "")
    out: dict[str, list[_Target]] = defaultdict(list)
    for (f, t), props in sorted(by_iri.items()):
        out[f].append(_Target(t, props))
    return out


def _category_labels(store: Store) -> dict[str, set[str]]:
    """@zh labels of every concept a target's qp:category points to."""
    text = """SELECT DISTINCT ?c ?l WHERE { ?t qp:category ?c . ?c skos:prefLabel|skos:altLabel ?l . FILTER(LANG(?l) = "zh") }"""
    out: dict[str, set[str]] = defaultdict(set)
    sol = store.select(text)
    for c, lab in sol.rows:
        out[str(c)].add(str(lab))
    return out


def _field_problems(gold: dict[str, Any], t: _Target, cat_labels: dict[str, set[str]]) -> list[str]:
    """The gold row's fields that the target gets wrong (empty: all right)."""
    wrong = []

    def check_text(key: str, prop: str) -> None:
        if key not in gold:
            return
        got = t.one(prop)
        exp = gold[key]
        if (exp is None and got is not None) or (exp is not None and (got is None or norm(got) != norm(str(exp)))):
            wrong.append(f"{key}={got!r} (gold {exp!r})")

    def check_num(key: str, prop: str) -> None:
        if key not in gold:
            return
        got = _num(t.one(prop))
        exp = gold[key]
        if not _same_num(None if exp is None else float(exp), got):
            wrong.append(f"{key}={t.one(prop)!r} (gold {exp!r})")

    def check_bool(key: str, prop: str) -> None:
        if key not in gold:
            return
        got = t.one(prop)
        exp = gold[key]
        if (None if got is None else got == "true") != exp:
            wrong.append(f"{key}={got!r} (gold {exp!r})")

    if "category" in gold:
        labels = set(t.props.get("categoryLabel", []))
        for c in t.props.get("category", []):
            labels |= cat_labels.get(c, set())
        exp = gold["category"]
        ok = exp in labels or exp.split("/")[-1] in labels if exp else not labels
        if not ok:
            wrong.append(f"category={sorted(labels)!r} (gold {exp!r})")
    check_text("unit", "unit")
    check_text("target_text", "targetText")
    check_num("target_value", "targetValue")
    check_num("target_year", "targetYear")
    check_text("baseline_text", "baselineText")
    check_num("baseline_value", "baselineValue")
    check_num("baseline_year", "baselineYear")
    if "comparator" in gold:
        got = t.one("comparator")
        name = _COMPARATOR_NAMES.get(_local(got), _local(got)) if got else None
        if name != gold["comparator"]:
            wrong.append(f"comparator={name!r} (gold {gold['comparator']!r})")
    check_bool("binding", "binding")
    check_bool("cumulative", "cumulative")
    return wrong


def _eval_table_targets(ev: Evaluation, gold: dict, files: list[str], targets: dict[str, list[_Target]], cats) -> None:
    gold_by_doc: dict[str, list[dict]] = defaultdict(list)
    for table in gold.get("targets", []):
        gold_by_doc[table["doc"]].extend(table.get("targets", []))
    for f in files:
        predicted = [t for t in targets.get(f, []) if t.source in ("", "table")]
        used: set[str] = set()
        tp = fn = 0
        for row in gold_by_doc.get(f, []):
            ind = norm(row["indicator"])
            same = [t for t in predicted if norm(t.indicator) == ind and t.iri not in used]
            exact = next((t for t in same if not _field_problems(row, t, cats)), None)
            if exact:
                used.add(exact.iri)
                tp += 1
                continue
            fn += 1
            if same:
                ev._miss("table-targets", f, f"{row['indicator']}: " + "; ".join(_field_problems(row, same[0], cats)))
            else:
                ev._miss("table-targets", f, f"{row['indicator']}: not extracted")
        extra = [t for t in predicted if t.iri not in used]
        for t in extra:
            ev._miss("table-targets", f, f"extra {t.indicator!r} ({_local(t.iri)})")
        ev._add("table-targets", f, Score(tp, len(extra), fn))


_UNIT_SCALE = {"万": 1e4, "亿": 1e8, "千": 1e3}


def _scaled(value: float, unit: str | None) -> tuple[float, str]:
    u = norm(unit or "")
    # 2万台 and 20000台 are the same goal; both sides are scaled alike, so 万元/人 stays comparable
    if len(u) > 1 and u[0] in _UNIT_SCALE:
        return value * _UNIT_SCALE[u[0]], u[1:]
    return value, u


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)}


def indicator_similar(a: str, b: str) -> bool:
    """Prose indicators are paraphrased: containment or character-bigram Dice >= 0.5."""
    x, y = norm(a).translate(_QUOTES), norm(b).translate(_QUOTES)
    if not x or not y:
        return False
    if x in y or y in x:
        return True
    bx, by = _bigrams(x), _bigrams(y)
    return bool(bx and by) and 2 * len(bx & by) / (len(bx) + len(by)) >= 0.5


def _value_match(item: dict, t: _Target, year_may_be_missing: bool) -> bool:
    year = _num(t.one("targetYear"))
    if year is None:
        if not year_may_be_missing:
            return False
    elif int(year) != int(item["year"]):
        return False
    got = _num(t.one("targetValue"))
    if got is None:
        return False
    gv, gu = _scaled(float(item["value"]), item.get("unit"))
    pv, pu = _scaled(got, t.one("unit"))
    if gu and pu and gu != pu:
        return False
    return _same_num(gv, pv)


def _eval_prose(ev: Evaluation, gold: dict, files: list[str], targets: dict[str, list[_Target]]) -> None:
    for f in files:
        cands = targets.get(f, [])
        used: set[str] = set()
        tp = fn = 0
        for item in gold.get("prose_targets", {}).get(f, []):
            hit = next(
                (t for t in cands if t.iri not in used and _value_match(item, t, False) and indicator_similar(item["indicator"], t.indicator)),
                None,
            )
            if hit:
                used.add(hit.iri)
                tp += 1
            else:
                fn += 1
                ev._miss("prose-targets", f, f"{item['indicator']} {item['value']}{item.get('unit') or ''} ({item['year']}): not extracted")
        if f in gold.get("prose_targets", {}):
            ev._add("prose-targets", f, Score(tp, 0, fn))
        bad = 0
        for item in gold.get("not_targets", {}).get(f, []):
            for t in cands:
                if _value_match(item, t, True) and indicator_similar(item["indicator"], t.indicator):
                    bad += 1
                    ev._miss("not-targets", f, f"{item['indicator']} {item['value']} ({item['year']}) extracted as {_local(t.iri)}")
        ev._add("not-targets", f, Score(0, bad, 0))


# ------------------------------------------------------------------------------------- programmes


def _eval_programs(ev: Evaluation, store: Store, gold: dict, files: list[str]) -> None:
    kinds_sol = store.select(
        'SELECT ?n ?l WHERE { ?k a qp:ProgramKind ; skos:notation ?n ; skos:prefLabel ?l . FILTER(LANG(?l) = "zh") }'
    )
    by_notation = {str(n): str(lab) for n, lab in kinds_sol.rows}
    gold_kinds = {k for d in gold.get("programs", {}).values() for k in d}
    progs: dict[str, dict[str, dict]] = defaultdict(dict)
    for r in _rows(store, "programs"):
        p = progs[r["file"]].setdefault(r["program"], {"label": r["label"] or "", "kinds": set()})
        if r["kind_label"]:
            p["kinds"].add(r["kind_label"])
        for n in filter(None, (r["kind_notation"], _local(r["kind"] or "").split("-")[-1])):
            if n in by_notation:
                p["kinds"].add(by_notation[n])
    for f in files:
        expected: list[tuple[str, str]] = []
        for kind, labels in gold.get("programs", {}).get(f, {}).items():
            expected += [(kind, norm(x)) for x in labels]
        got: list[tuple[str, str]] = []
        for p in progs.get(f, {}).values():
            ks = sorted(p["kinds"] & gold_kinds) or sorted(p["kinds"]) or [""]
            got.append((ks[0], norm(p["label"])))
        ev._add("programs", f, _multiset_score(ev, "programs", f, expected, got))


def _multiset_score(ev: Evaluation, fact: str, doc: str, expected: Iterable[tuple], got: Iterable[tuple]) -> Score:
    rest = list(got)
    tp = fn = 0
    for e in expected:
        if e in rest:
            rest.remove(e)
            tp += 1
        else:
            fn += 1
            ev._miss(fact, doc, "missing " + " ".join(e))
    for g in rest:
        ev._miss(fact, doc, "extra " + " ".join(g))
    return Score(tp, len(rest), fn)


# ------------------------------------------------------------------------------------- concepts


def _eval_concepts(ev: Evaluation, store: Store, gold: dict, doc_city: dict[str, str]) -> None:
    labels_by_doc: dict[str, set[str]] = defaultdict(set)
    concept_labels: dict[str, set[str]] = defaultdict(set)
    doc_concepts: dict[str, set[str]] = defaultdict(set)
    for r in _rows(store, "concepts"):
        concept_labels[r["concept"]].add(norm(r["label"]).translate(_QUOTES))
        doc_concepts[r["file"]].add(r["concept"])
    for f, cs in doc_concepts.items():
        for c in cs:
            labels_by_doc[f] |= concept_labels[c]
    cities = sorted(set(doc_city.values()))
    for city in cities:
        docs = [f for f, c in doc_city.items() if c == city]
        named = set().union(*(labels_by_doc.get(f, set()) for f in docs)) if docs else set()
        s = Score()
        for g in gold.get("concepts", []):
            names = {norm(x).translate(_QUOTES) for x in [g["label"], *g.get("aliases", [])]}
            exp = city in g.get("cities", [])
            got = bool(names & named)
            if exp and got:
                s += Score(1, 0, 0)
            elif exp:
                s += Score(0, 0, 1)
                ev._miss("concepts", city, f"missing {g['label']}")
            elif got:
                s += Score(0, 1, 0)
                ev._miss("concepts", city, f"extra {g['label']} (named as {', '.join(sorted(names & named))})")
        ev._add("concepts", city, s)


# ------------------------------------------------------------------------------------- agencies

_ABBREV = ((re.compile("市场监管"), "市场监督管理"), (re.compile("(?<!人民)政府"), "人民政府"))
_LEVEL_CHAR = {"省": "province", "市": "city", "县": "county", "区": "county"}


class _OrgCanon:
    """Organization names compared modulo their area prefix (see the module docstring)."""

    def __init__(self, areas: list[tuple[str, str]]) -> None:
        self.level_of: dict[str, str] = {}
        for level, name in areas:
            if len(name) >= 2:
                self.level_of.setdefault(name, level)
        self.names = sorted(self.level_of, key=lambda s: (-len(s), s))

    def canon(self, name: str) -> tuple[str, str]:
        s = norm(name).translate(_QUOTES)
        for pat, rep in _ABBREV:
            s = pat.sub(rep, s)
        level = ""
        if s.startswith("国家") and len(s) > 4:
            s, level = s[2:], "cn"
        changed = True
        while changed:
            changed = False
            for n in self.names:
                if s.startswith(n) and len(s) - len(n) >= 3:
                    s, level, changed = s[len(n):], self.level_of[n], True
                    break
        # a bare 省/市/县/区 prefix, but not the first character of 市场, 区域, 县域 …
        if not level and len(s) > 3 and s[0] in _LEVEL_CHAR and (s[1] not in "场民域内外级区县乡镇" or s[1] == s[0]):
            s, level = s[1:], _LEVEL_CHAR[s[0]]
        return level, s

    def match(self, gold: str, got: str) -> bool:
        if norm(gold) == norm(got):
            return True
        (lg, sg), (lp, sp) = self.canon(gold), self.canon(got)
        return sg == sp and (lg == lp or not lg or not lp)


_FRAGMENT = re.compile(r"^[的和与及等在由对]|^.{0,2}$")


def _eval_agencies(ev: Evaluation, store: Store, gold: dict, files: list[str]) -> None:
    areas = [(r["level"], r["name"]) for r in _rows(store, "areas")]
    canon = _OrgCanon(areas)
    orgs: dict[str, set[str]] = defaultdict(set)
    for r in _rows(store, "agencies"):
        orgs[r["file"]].add(r["label"])
    for f in files:
        labels = sorted(orgs.get(f, set()))
        frags = [x for x in labels if _FRAGMENT.search(x)]
        if frags:
            ev.notes.append(f"{f}: {len(frags)} organization label(s) look like fragments: {', '.join(frags[:5])}")
        want = gold.get("agencies", {}).get(f)
        if want is None:
            continue
        tp = fn = 0
        for g in want:
            if any(canon.match(g, x) for x in labels):
                tp += 1
            else:
                fn += 1
                ev._miss("agencies", f, f"missing {g}")
        ev._add("agencies", f, Score(tp, 0, fn))


# ------------------------------------------------------------------------------------- metadata

_META_FIELDS = ("kind", "city", "province", "admin_code", "title", "issuer", "doc_number", "date", "published",
                "period", "based_on", "succeeds", "authors", "source", "fragment")
_MULTI = {"based_on", "authors"}


def _eval_metadata(ev: Evaluation, store: Store, gold: dict, files: list[str]) -> None:
    got: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in _rows(store, "metadata"):
        got[r["file"]][r["field"]].add(norm(r["value"] or "").strip("《》"))
    for d in gold["documents"]:
        f = d["doc"]
        if f not in files:
            continue
        g = got.get(f, {})
        s = Score()
        for key in _META_FIELDS:
            if key not in d:
                continue
            exp = d[key]
            if key == "period":
                have = (tuple(sorted(g.get("period_start", ()))), tuple(sorted(g.get("period_end", ()))))
                want = ((str(exp[0]),), (str(exp[1]),)) if exp else ((), ())
                ok, shown = have == want, f"{'/'.join(have[0]) or '-'}–{'/'.join(have[1]) or '-'}"
                missing = have == ((), ())
            else:
                vals = g.get(key, set())
                if key == "fragment":
                    want_set = {"true"} if exp else set()
                    vals = vals - {"false"}
                elif exp is None:
                    want_set = set()
                elif key in _MULTI:
                    want_set = {norm(x).strip("《》") for x in exp}
                else:
                    want_set = {norm(str(exp)).strip("《》")}
                ok, shown, missing = vals == want_set, " | ".join(sorted(vals)) or "-", not vals
            if ok:
                s += Score(1, 0, 0)
            else:
                s += Score(0, 0, 1) if missing else Score(0, 1, 0)
                ev._miss("metadata", f, f"{key}: got {shown} (gold {exp!r})")
        ev._add("metadata", f, s)


# ------------------------------------------------------------------------------------- quotes


def _eval_quotes(ev: Evaluation, store: Store, sources: Path | None) -> None:
    from .read import read_document

    texts: dict[str, str | None] = {}
    for r in _rows(store, "mentions"):
        f = r["file"] or "?"
        if f not in texts:
            texts[f] = None
            path = (sources / f) if sources and r["file"] else None
            if path is not None and path.is_file():
                try:
                    texts[f] = read_document(path, r["encoding"] or None).text
                except InputError as exc:
                    ev.notes.append(f"{f}: cannot read the source to check quotes: {exc}")
            else:
                ev.notes.append(f"{f}: source file not found in {sources} (pass --sources DIR); its quotes are unchecked")
        text = texts[f]
        if text is None:
            ev.unchecked_quotes += 1
            ev._add("quotes", f, Score(0, 1, 0))
            continue
        start, end, quote = _num(r["start"]), _num(r["end"]), r["quote"]
        ok = start is not None and end is not None and quote is not None and 0 <= start < end <= len(text) and text[int(start) : int(end)] == quote
        if not ok:
            ev._miss("quotes", f, f"{_local(r['mention'] or '')}: {quote!r} at {r['start']}-{r['end']} is not the source slice")
        ev._add("quotes", f, Score(1, 0, 0) if ok else Score(0, 1, 0))


# ------------------------------------------------------------------------------------- entry points


def evaluate(store: Store, gold: dict[str, Any], sources: str | Path | None = "data/raw") -> Evaluation:
    """Score the graph in `store` against `gold` (see the module docstring for the matching rules)."""
    ev = Evaluation()
    graph_files = {str(row[0]) for row in store.select("SELECT DISTINCT ?f WHERE { ?d a qp:Document ; qp:sourceFile ?f }").rows}
    files = [d["doc"] for d in gold["documents"]]
    for f in files:
        if f not in graph_files:
            ev.notes.append(f"{f}: in the gold but not in the graph (was it built?)")
    doc_city = {d["doc"]: d.get("city", "") for d in gold["documents"]}
    targets = _targets(store)
    cats = _category_labels(store)
    _eval_table_targets(ev, gold, files, targets, cats)
    _eval_prose(ev, gold, files, targets)
    _eval_programs(ev, store, gold, files)
    _eval_concepts(ev, store, gold, doc_city)
    _eval_agencies(ev, store, gold, files)
    _eval_metadata(ev, store, gold, files)
    _eval_quotes(ev, store, Path(sources) if sources else None)
    for fact in FACT_TYPES:
        ev.scores.setdefault(fact, Score())
    return ev


def check_floors(ev: Evaluation, floors: Floors) -> list[str]:
    """One message per floor not met (empty: all met)."""
    out = []
    for fact, (metric, _what) in FACT_TYPES.items():
        value, floor = ev.metric(fact), floors.of(fact)
        if metric == "fp":
            if value > floor:
                out.append(f"{fact}: {int(value)} > {int(floor)}")
        elif value + 1e-12 < floor:
            out.append(f"{fact} {metric} {value:.3f} < {floor:g}")
    if ev.unchecked_quotes and floors.quote_exact > 0:
        out.append(f"quotes: {ev.unchecked_quotes} mention(s) unchecked (source files not found; pass --sources DIR)")
    return out


def format_evaluation(ev: Evaluation, floors: Floors, verbose: bool = False) -> str:
    """The report `kg eval` prints: per document, the misses, then the totals per fact type with their
    floors last (so the tail of the output is the verdict)."""
    lines = ["per document (per city for concepts):", f"  {'fact type':<15}{'document':<28}{'tp':>5}{'fp':>5}{'fn':>5}{'prec':>8}{'recall':>8}{'f1':>8}"]
    for fact in FACT_TYPES:
        for doc, s in sorted(ev.by_doc.get(fact, {}).items()):
            lines.append(f"  {fact:<15}{doc:<28}{s.tp:>5}{s.fp:>5}{s.fn:>5}{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}")
    for n in ev.notes:
        lines.append(f"note: {n}")
    if ev.misses:
        shown = ev.misses if verbose else ev.misses[:40]
        lines.append("")
        lines.append(f"misses ({len(ev.misses)}{'' if verbose or len(ev.misses) <= 40 else ', first 40; -v lists all'}):")
        lines += ["  " + m.replace("\t", "  ") for m in shown]
    lines.append("")
    lines.append(f"{'fact type':<15}{'tp':>6}{'fp':>6}{'fn':>6}{'prec':>8}{'recall':>8}{'f1':>8}   floor")
    for fact, (metric, what) in FACT_TYPES.items():
        s = ev.scores[fact]
        floor = floors.of(fact)
        value = ev.metric(fact)
        ok = value <= floor if metric == "fp" else value + 1e-12 >= floor
        rule = f"fp <= {int(floor)}" if metric == "fp" else f"{metric} >= {floor:g}"
        lines.append(
            f"{fact:<15}{s.tp:>6}{s.fp:>6}{s.fn:>6}{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}   {rule:<16} {'ok' if ok else 'BELOW'}  ({what})"
        )
    return "\n".join(lines)
