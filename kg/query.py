"""Named SPARQL queries (kg/queries/*.rq) and their results.

Each .rq file opens with a comment header:

    # name: shared-concepts
    # purpose: ...
    # param: min_cities integer 2  -- what it means
    # columns: concept, label, kind, cities, n_cities, quote

Parameters are bound as RDF terms (pyoxigraph substitutions / rdflib initBindings),
never formatted into the query text. A label (湖州市, 浙食链) resolves to an IRI.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from .errors import QueryNotFoundError, QueryParameterError
from .namespaces import PREFIXES
from .resources import query_dir
from .store import Solutions, Store


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # iri | integer | decimal | string | label
    default: str | None
    help: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    purpose: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    text: str

    @property
    def header(self) -> str:
        lines = [f"{self.name}: {self.purpose}"]
        for p in self.params:
            d = f" (default {p.default})" if p.default is not None else " (required)"
            lines.append(f"  --param {p.name}=<{p.kind}>{d}  {p.help}")
        lines.append(f"  columns: {', '.join(self.columns)}")
        return "\n".join(lines)


_HEADER = re.compile(r"^#\s*(name|purpose|param|columns):\s*(.*)$")


def parse_query(name: str, text: str) -> NamedQuery:
    purpose, params, columns = "", [], []
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if not m:
            continue
        key, val = m.groups()
        if key == "purpose":
            purpose = (purpose + " " + val).strip()
        elif key == "columns":
            columns = [c.strip() for c in val.split(",") if c.strip()]
        elif key == "param":
            head, _, help_ = val.partition("--")
            parts = head.split()
            pname, kind = parts[0], parts[1] if len(parts) > 1 else "string"
            default = parts[2] if len(parts) > 2 else None
            params.append(Param(pname, kind, default, help_.strip()))
    return NamedQuery(name=name, purpose=purpose, params=tuple(params), columns=tuple(columns), text=text)


@lru_cache(maxsize=None)
def named_queries() -> dict[str, NamedQuery]:
    out = {}
    for f in sorted(query_dir().iterdir(), key=lambda f: f.name):
        if f.name.endswith(".rq"):
            name = f.name[:-3]
            out[name] = parse_query(name, f.read_text(encoding="utf-8"))
    return out


def get_query(name: str) -> NamedQuery:
    qs = named_queries()
    if name not in qs:
        raise QueryNotFoundError(f"no named query {name!r} (see `kg query --list`; available: {', '.join(sorted(qs))})")
    return qs[name]


_LABEL_LOOKUP = """
SELECT DISTINCT ?s WHERE {
  { ?s rdfs:label ?l } UNION { ?s skos:prefLabel ?l } UNION { ?s skos:altLabel ?l } UNION { ?s dcterms:title ?l }
  FILTER(STR(?l) = STR(?label))
} ORDER BY ?s LIMIT 5
"""


def resolve_term(store: Store, p: Param, raw: str) -> Any:
    """Turn a parameter string into an RDF term; labels and CURIEs resolve to IRIs."""
    if "\x00" in raw:
        raise QueryParameterError(f"parameter {p.name}: NUL byte not allowed")
    if p.kind == "integer":
        if not re.fullmatch(r"-?\d{1,9}", raw.strip()):
            raise QueryParameterError(f"parameter {p.name}: {raw!r} is not an integer")
        return Literal(int(raw), datatype=XSD.integer)
    if p.kind == "decimal":
        try:
            return Literal(float(raw), datatype=XSD.decimal)
        except ValueError:
            raise QueryParameterError(f"parameter {p.name}: {raw!r} is not a number") from None
    if p.kind == "string":
        return Literal(raw)
    if p.kind == "lang":
        return Literal(raw, lang="zh")
    # iri or label
    if re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", raw):
        return URIRef(raw)
    m = re.fullmatch(r"([a-z][a-z0-9-]*):([^\s<>\"{}|\\^`]*)", raw)
    if m and m.group(1) in PREFIXES:
        return URIRef(PREFIXES[m.group(1)] + m.group(2))
    sol = store.select(bind_values(_LABEL_LOOKUP, {"label": Literal(raw)}))
    hits = [r[0] for r in sol.rows]
    if not hits:
        raise QueryParameterError(f"parameter {p.name}: nothing in the graph is labelled {raw!r} (give an IRI or an exact @zh label)")
    return hits[0]


@dataclass
class Result:
    """Rows of a query, with exporters. Cells are rdflib terms or None."""

    vars: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    boolean: bool | None = None
    name: str = ""
    _store: Any = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.records())

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.vars, (plain(c) for c in r))) for r in self.rows]

    def df(self):
        """A pandas DataFrame: IRIs as short CURIEs, literals as Python values."""
        import pandas as pd

        return pd.DataFrame([[plain(c, curie=True) for c in r] for r in self.rows], columns=list(self.vars))

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.vars)
        for r in self.rows:
            w.writerow(["" if c is None else str(c) for c in r])
        return buf.getvalue()

    def to_json(self) -> str:
        return json.dumps([{k: jsonable(v) for k, v in zip(self.vars, r)} for r in self.rows], ensure_ascii=False, indent=2)

    def to_srj(self) -> str:
        """SPARQL 1.1 Query Results JSON."""
        if self.boolean is not None:
            return json.dumps({"head": {}, "boolean": self.boolean})
        bindings = []
        for r in self.rows:
            b = {}
            for k, v in zip(self.vars, r):
                if v is None:
                    continue
                if isinstance(v, URIRef):
                    b[k] = {"type": "uri", "value": str(v)}
                elif isinstance(v, Literal):
                    d = {"type": "literal", "value": str(v)}
                    if v.language:
                        d["xml:lang"] = v.language
                    elif v.datatype:
                        d["datatype"] = str(v.datatype)
                    b[k] = d
                else:
                    b[k] = {"type": "bnode", "value": str(v)}
            bindings.append(b)
        return json.dumps({"head": {"vars": list(self.vars)}, "results": {"bindings": bindings}}, ensure_ascii=False, indent=2)

    def to_table(self, max_width: int = 60) -> str:
        if self.boolean is not None:
            return "true" if self.boolean else "false"
        cells = [[_cell(c, max_width) for c in r] for r in self.rows]
        widths = [max([_w(v)] + [_w(row[i]) for row in cells]) for i, v in enumerate(self.vars)]
        def fmt(row):
            return "  ".join(v + " " * (widths[i] - _w(v)) for i, v in enumerate(row)).rstrip()
        out = [fmt(list(self.vars)), "  ".join("-" * w for w in widths)]
        out += [fmt(r) for r in cells]
        out.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(out)


def _w(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _cell(c, max_width: int) -> str:
    s = "" if c is None else str(plain(c, curie=True))
    s = s.replace("\n", " ")
    if _w(s) > max_width:
        while _w(s) > max_width - 1:
            s = s[:-1]
        s += "…"
    return s


def curie(iri: str) -> str:
    for p, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{p}:{iri[len(ns):]}"
    return iri


def plain(c, curie_: bool = False, curie: bool = False):
    """rdflib term -> Python value (IRIs as str, optionally as CURIEs)."""
    if c is None:
        return None
    if isinstance(c, URIRef):
        return globals()["curie"](str(c)) if (curie or curie_) else str(c)
    if isinstance(c, Literal):
        v = c.toPython()
        return v if not isinstance(v, Literal) else str(v)
    return str(c)


def jsonable(c):
    v = plain(c)
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    from decimal import Decimal

    if isinstance(v, Decimal):
        return float(v)
    return str(v)


def run_named(store: Store, name: str, params: dict[str, str] | None = None) -> Result:
    q = get_query(name)
    params = dict(params or {})
    known = {p.name for p in q.params}
    unknown = sorted(set(params) - known)
    if unknown:
        raise QueryParameterError(f"query {name!r} has no parameter {', '.join(unknown)} (it takes: {', '.join(sorted(known)) or 'none'})")
    bindings = {}
    for p in q.params:
        raw = params.get(p.name, p.default)
        if raw is None:
            raise QueryParameterError(f"query {name!r} needs --param {p.name}=… ({p.help})")
        bindings[p.name] = resolve_term(store, p, raw)
    sol = store.select(bind_values(q.text, bindings))
    return Result(vars=sol.vars, rows=sol.rows, boolean=sol.boolean, name=name, _store=store)


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_IRI_OK = re.compile(r"[^\x00-\x20<>\"{}|^`\\]*")


def sparql_term(term: Any) -> str:
    """Serialize an RDF term for a VALUES block (N-Triples escaping; IRIs are checked, not trusted)."""
    if isinstance(term, URIRef):
        if not _IRI_OK.fullmatch(str(term)):
            raise QueryParameterError(f"{str(term)!r} is not a valid IRI")
        return f"<{term}>"
    if isinstance(term, Literal):
        s = str(term).translate(_ESCAPES)
        if term.language:
            if not re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", term.language):
                raise QueryParameterError(f"bad language tag {term.language!r}")
            return f'"{s}"@{term.language}'
        if term.datatype:
            return f'"{s}"^^{sparql_term(URIRef(term.datatype))}'
        return f'"{s}"'
    raise QueryParameterError(f"cannot bind {term!r}")


_WHERE = re.compile(r"\bWHERE\s*\{", re.I)


def bind_values(text: str, bindings: dict[str, Any]) -> str:
    """Bind parameters with a VALUES block opening the outermost WHERE group.

    The values are serialized RDF terms, so no parameter text can change the query's shape.
    """
    if not bindings:
        return text
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    m = _WHERE.search(body)
    if not m:
        raise QueryParameterError("the query has no WHERE { … } group to bind parameters in")
    names = sorted(bindings)
    values = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(sparql_term(bindings[n]) for n in names)}) }} "
    return body[: m.end()] + values + body[m.end() :]


def run_sparql(store: Store, text: str) -> Result:
    sol: Solutions = store.select(text)
    return Result(vars=sol.vars, rows=sol.rows, boolean=sol.boolean)
