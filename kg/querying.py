"""Named SPARQL queries (kg/queries/*.rq) and their results.

Each .rq file opens with a comment header:

    # name: shared-concepts
    # purpose: ...
    # param: min_cities integer 2 -- what it means
    # columns: concept, label, kind, cities, n_cities, quote

`# param: NAME KIND [DEFAULT] -- help`. KIND is one of
  integer, decimal, string, lang (a @zh literal),
  iri (an IRI or CURIE only), node (IRI, CURIE or the exact label of anything),
  area (… of an administrative area), concept (… of a SKOS concept: scheme, award, initiative, category).
DEFAULT `?` makes a parameter optional: left unbound (UNDEF) when not given.

Parameters are bound as RDF terms in a VALUES block opening the outermost WHERE group (and every
sub-SELECT's WHERE group that uses them), never formatted into the query text (pyoxigraph's
`substitutions` only reach projected variables).
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from .errors import QueryNotFoundError, QueryParameterError, UsageError
from .namespaces import PREFIXES
from .resources import query_dir
from .store import Solutions, Store

PARAM_KINDS = ("integer", "decimal", "string", "lang", "iri", "node", "label", "area", "concept")
NODE_KINDS = ("iri", "node", "label", "area", "concept")  # parameters bound to one node
OPTIONAL = "?"


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    default: str | None
    help: str

    @property
    def optional(self) -> bool:
        return self.default == OPTIONAL


@dataclass(frozen=True)
class NamedQuery:
    name: str
    purpose: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    text: str
    list_columns: tuple[tuple[str, str], ...] = ()  # (column, separator) of GROUP_CONCAT results

    @property
    def header(self) -> str:
        lines = [f"{self.name}: {self.purpose}"]
        for p in self.params:
            d = " (optional)" if p.optional else f" (default {p.default})" if p.default is not None else " (required)"
            lines.append(f"  --param {p.name}=<{p.kind}>{d}  {p.help}")
        lines.append(f"  columns: {', '.join(self.columns)}")
        return "\n".join(lines)


_HEADER = re.compile(r"^#\s*(name|purpose|param|columns):\s*(.*)$")
_CONCAT = re.compile(r'GROUP_CONCAT\s*\(\s*(?:DISTINCT\s+)?[?$]\w+\s*;\s*SEPARATOR\s*=\s*"([^"]+)"\s*\)\s*AS\s+[?$](\w+)', re.I)
#: A column computed from a GROUP_CONCAT column (its members are sorted too): `# list: column "separator"` in the header.
_LIST_HEADER = re.compile(r'^#\s*list:\s*(\w+)\s+"([^"]+)"\s*$', re.M)


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
            if default is None and help_.strip().lower().startswith("optional"):
                default = OPTIONAL
            params.append(Param(pname, kind, default, help_.strip()))
    lists = tuple((col, sep) for sep, col in _CONCAT.findall(text)) + tuple(_LIST_HEADER.findall(text))
    return NamedQuery(name=name, purpose=purpose, params=tuple(params), columns=tuple(columns), text=text, list_columns=lists)


@lru_cache(maxsize=None)
def named_queries() -> dict[str, NamedQuery]:
    out = {}
    for f in sorted(query_dir().iterdir(), key=lambda f: f.name):
        if f.name.endswith(".rq") and f.is_file():
            name = f.name[:-3]
            out[name] = parse_query(name, f.read_text(encoding="utf-8"))
    return out


def is_internal(name: str) -> bool:
    """Queries behind views and exports: run by kg render / kg export, hidden from `kg query --list`."""
    return name.startswith(("view-", "export-"))


def get_query(name: str) -> NamedQuery:
    qs = named_queries()
    if name not in qs:
        public = sorted(n for n in qs if not is_internal(n))
        raise QueryNotFoundError(f"no named query {name!r} (see `kg query --list`; available: {', '.join(public)})")
    return qs[name]


# --- parameters ------------------------------------------------------------------------------------
_LABEL_LOOKUP = """
SELECT DISTINCT ?s ?rank WHERE {
  { ?s skos:prefLabel ?l BIND(0 AS ?rank) } UNION { ?s rdfs:label ?l BIND(0 AS ?rank) }
  UNION { ?s dcterms:title ?l BIND(1 AS ?rank) } UNION { ?s skos:altLabel ?l BIND(2 AS ?rank) }
  UNION { ?s qp:sourceFile ?l BIND(3 AS ?rank) }
  FILTER(!BOUND(?cls) || EXISTS { ?s a ?cls })
}
ORDER BY ?rank ?s
LIMIT 20
"""
# The classes a label may name, per parameter kind (absent: anything).
_KIND_CLASSES = {
    "area": ("qp:AdministrativeArea", "qp:Province", "qp:City", "qp:County"),
    "concept": ("skos:Concept",),
}
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_IRI = re.compile(r"(?:https?|urn|file|ftp|mailto|tag):[^\x00-\x20<>\"{}|\\^`]+")
_CURIE = re.compile(r"([A-Za-z][A-Za-z0-9-]*):([^\x00-\x20<>\"{}|\\^`]*)")


def _check_text(p: Param, raw: str) -> None:
    if "\x00" in raw:
        raise QueryParameterError(f"parameter {p.name}: NUL byte not allowed")
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryParameterError(f"parameter {p.name}: not valid Unicode text (lone surrogate)") from None


def parse_iri(raw: str) -> URIRef | None:
    """An absolute IRI or a CURIE of the prefix table, else None."""
    if _IRI.fullmatch(raw):
        return URIRef(raw)
    m = _CURIE.fullmatch(raw)
    if m and m.group(1) in PREFIXES:
        return URIRef(PREFIXES[m.group(1)] + m.group(2))
    return None


def _expand(c: str) -> URIRef:
    p, local = c.split(":", 1)
    return URIRef(PREFIXES[p] + local)


def resolve_label(store: Store, raw: str, kind: str = "node", pname: str = "node") -> URIRef:
    """The one node whose label (@zh, @en or plain) is exactly `raw`, restricted by kind."""
    classes = [_expand(c) for c in _KIND_CLASSES.get(kind, ())] or [None]
    labels = [Literal(raw, lang="zh"), Literal(raw), Literal(raw, lang="en")]
    rows = [(sparql_term(lab), sparql_term(cls)) for lab in labels for cls in classes]
    block = "VALUES (?l ?cls) { " + " ".join(f"({a} {b})" for a, b in rows) + " }"
    m = WHERE_OPEN.search(_LABEL_LOOKUP)
    found = store.select(_LABEL_LOOKUP[: m.end()] + " " + block + _LABEL_LOOKUP[m.end() :]).rows
    if not found:
        what = {"area": "administrative area", "concept": "concept"}.get(kind, "node")
        raise QueryParameterError(f"parameter {pname}: no {what} in the graph is labelled {raw!r} (give an IRI, a CURIE or an exact label)")
    best = min(int(r[1]) for r in found)
    hits = sorted({str(r[0]) for r in found if int(r[1]) == best})
    if len(hits) > 1:
        shown = ", ".join(curie(h) for h in hits[:5])
        raise QueryParameterError(f"parameter {pname}: {raw!r} is ambiguous ({shown}{', …' if len(hits) > 5 else ''}): give the IRI or CURIE")
    return URIRef(hits[0])


def resolve_term(store: Store, p: Param, raw: str) -> Any:
    """Turn a parameter string into an RDF term; labels and CURIEs resolve to IRIs."""
    raw = str(raw)
    _check_text(p, raw)
    if p.kind == "integer":
        if not re.fullmatch(r"[+-]?\d{1,9}", raw.strip()):
            raise QueryParameterError(f"parameter {p.name}: {raw!r} is not an integer")
        return Literal(int(raw), datatype=XSD.integer)
    if p.kind == "decimal":
        if not _NUMBER.fullmatch(raw.strip()):
            raise QueryParameterError(f"parameter {p.name}: {raw!r} is not a number")
        from decimal import Decimal

        return Literal(Decimal(raw.strip()), datatype=XSD.decimal)
    if p.kind == "string":
        return Literal(raw)
    if p.kind == "lang":
        return Literal(raw, lang="zh")
    iri = parse_iri(raw.strip())
    if iri is not None:
        return iri
    if p.kind == "iri":
        raise QueryParameterError(f"parameter {p.name}: {raw!r} is not an IRI or a CURIE of a known prefix (e.g. qpd:area/330500)")
    return resolve_label(store, raw, p.kind, p.name)


# --- results ---------------------------------------------------------------------------------------
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

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records())

    def __bool__(self) -> bool:
        return bool(self.rows) if self.boolean is None else self.boolean

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.vars, (plain(c) for c in r))) for r in self.rows]

    def column(self, name: str) -> list[Any]:
        i = self.vars.index(name)
        return [plain(r[i]) for r in self.rows]

    def df(self, labels: bool = False):
        """A pandas DataFrame: IRIs as short CURIEs, literals as Python values (labels @zh as str).

        With labels=True, every column holding IRIs gets a `<column>_label` column with the
        node's @zh label (rdfs:label, skos:prefLabel, dcterms:title or qp:indicator).
        """
        try:
            import pandas as pd
        except ImportError:
            raise UsageError("Result.df() needs pandas: pip install -e '.[pandas]'") from None
        data = {v: [plain(r[i], curie=True) for r in self.rows] for i, v in enumerate(self.vars)}
        cols = list(self.vars)
        if labels and self._store is not None:
            iris = {str(c) for r in self.rows for c in r if isinstance(c, URIRef)}
            names = labels_of(self._store, iris)
            out_cols = []
            for i, v in enumerate(self.vars):
                out_cols.append(v)
                if any(isinstance(r[i], URIRef) for r in self.rows) and f"{v}_label" not in self.vars:
                    data[f"{v}_label"] = [names.get(str(r[i])) if isinstance(r[i], URIRef) else None for r in self.rows]
                    out_cols.append(f"{v}_label")
            cols = out_cols
        return pd.DataFrame({c: data[c] for c in cols}, columns=cols)

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.vars)
        for r in self.rows:
            w.writerow(["" if c is None else str(c) for c in r])
        return buf.getvalue()

    def to_json(self) -> str:
        if self.boolean is not None:
            return json.dumps(self.boolean)
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
        return int(v) if v == v.to_integral_value() else float(v)
    return str(v)


_LABELS = """
SELECT ?s (MIN(?l0) AS ?label) WHERE {
  { ?s skos:prefLabel ?l0 FILTER(LANG(?l0) = "zh") } UNION { ?s rdfs:label ?l0 FILTER(LANG(?l0) = "zh" || LANG(?l0) = "") }
  UNION { ?s dcterms:title ?l0 } UNION { ?s qp:indicator ?l0 }
} GROUP BY ?s
"""


def labels_of(store: Store, iris: set[str]) -> dict[str, str]:
    """@zh labels of the given nodes (first in code-point order when several), in chunks."""
    out: dict[str, str] = {}
    todo = sorted(iris)
    for i in range(0, len(todo), 200):
        chunk = todo[i : i + 200]
        values = " ".join(sparql_term(URIRef(x)) for x in chunk)
        text = _LABELS.replace("WHERE {", "WHERE { VALUES ?s { " + values + " }", 1)
        for s, label in store.select(text).rows:
            if label is not None:
                out[str(s)] = str(label)
    return out


def run_named(store: Store, name: str, params: dict[str, Any] | None = None) -> Result:
    q = get_query(name)
    params = {k: v for k, v in (params or {}).items() if v is not None}
    known = {p.name for p in q.params}
    unknown = sorted(set(params) - known)
    if unknown:
        raise QueryParameterError(f"query {name!r} has no parameter {', '.join(unknown)} (it takes: {', '.join(sorted(known)) or 'none'})")
    bindings: dict[str, Any] = {}
    for p in q.params:
        raw = params.get(p.name, p.default)
        if raw is None:
            raise QueryParameterError(f"query {name!r} needs --param {p.name}=… ({p.help})")
        bindings[p.name] = None if (p.optional and p.name not in params) else resolve_term(store, p, str(raw))
    # A query no node narrows reads the whole graph (long, or a row per node or mention): the store
    # may evaluate it on another thread and read its rows meanwhile (OxigraphStore._select_piped).
    large = not any(bindings[p.name] is not None and p.kind in NODE_KINDS for p in q.params)
    sol = store.select(bind_values(q.text, bindings), large=large)
    rows = sol.rows
    if q.list_columns and rows:
        rows = _sort_lists(sol.vars, rows, dict(q.list_columns))
    return Result(vars=sol.vars, rows=rows, boolean=sol.boolean, name=name, _store=store)


def _sort_lists(vars_: tuple[str, ...], rows, lists: dict[str, str]):
    """GROUP_CONCAT has no defined order: sort the members so output is deterministic."""
    idx = {i: lists[v] for i, v in enumerate(vars_) if v in lists}
    out = []
    for r in rows:
        r = list(r)
        for i, sep in idx.items():
            c = r[i]
            if isinstance(c, Literal) and sep in str(c):
                r[i] = Literal(sep.join(sorted(str(c).split(sep))), lang=c.language, datatype=c.datatype)
        out.append(tuple(r))
    return tuple(out)


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_IRI_OK = re.compile(r"[^\x00-\x20<>\"{}|^`\\]*")


def sparql_term(term: Any) -> str:
    """Serialize an RDF term for a VALUES block (N-Triples escaping; IRIs are checked, not trusted)."""
    if term is None:
        return "UNDEF"
    if isinstance(term, URIRef):
        if not _IRI_OK.fullmatch(str(term)):
            raise QueryParameterError(f"{str(term)!r} is not a valid IRI")
        return f"<{term}>"
    if isinstance(term, Literal):
        if "\x00" in str(term):
            raise QueryParameterError("NUL byte not allowed in a parameter")
        # A `u` after a backslash is written \U00000075 (8 digits, so no hex digit after it can
        # extend it): engines that expand \uXXXX before parsing (rdflib) would otherwise read
        # the value's "\u0022" as a quote.
        s = re.sub(r"\\\\([uU])", lambda m: "\\\\" + ("\\U00000075" if m.group(1) == "u" else "\\U00000055"), str(term).translate(_ESCAPES))
        if term.language:
            if not re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", term.language):
                raise QueryParameterError(f"bad language tag {term.language!r}")
            return f'"{s}"@{term.language}'
        if term.datatype:
            return f'"{s}"^^{sparql_term(URIRef(term.datatype))}'
        return f'"{s}"'
    raise QueryParameterError(f"cannot bind {term!r}")


# The opening `WHERE {` of a query (a VALUES block is spliced in after it; also used by render.views).
WHERE_OPEN = re.compile(r"\bWHERE\s*\{", re.I)
# What can hold a brace that is not a group: strings, IRIs and comments; then braces and `WHERE {`.
_TOKENS = re.compile(r'''"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*|\bWHERE\s*\{|[{}]''', re.I)


def _where_groups(body: str) -> list[tuple[int, int]]:
    """(start, end) of every `WHERE { … }` group's inside, the outermost first."""
    groups: list[list[int]] = []
    stack: list[int | None] = []  # index into groups for WHERE groups, None for other braces
    for m in _TOKENS.finditer(body):
        tok = m.group()
        if tok == "}":
            if stack:
                i = stack.pop()
                if i is not None:
                    groups[i][1] = m.start()
        elif tok.endswith("{"):
            if tok == "{":
                stack.append(None)
            else:
                groups.append([m.end(), len(body)])
                stack.append(len(groups) - 1)
    return [(a, b) for a, b in groups]


def bind_values(text: str, bindings: dict[str, Any]) -> str:
    """Bind parameters with a VALUES block opening the outermost WHERE group, and opening every
    sub-SELECT's WHERE group that uses the parameter's variable.

    The values are serialized RDF terms (None: UNDEF), so no parameter text can change the
    query's shape. A parameter means the same node everywhere in a named query; binding it inside
    sub-SELECTs as well lets them run for that node only (Oxigraph evaluates a sub-SELECT on its
    own, before joining it).
    """
    if not bindings:
        return text
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    groups = _where_groups(body)
    if not groups:
        raise QueryParameterError("the query has no WHERE { … } group to bind parameters in")
    names = sorted(bindings)
    for n in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n):
            raise QueryParameterError(f"{n!r} is not a valid parameter name")
    terms = {n: sparql_term(bindings[n]) for n in names}

    def values(used: list[str]) -> str:
        return f" VALUES ({' '.join('?' + n for n in used)}) {{ ({' '.join(terms[n] for n in used)}) }} "

    out = body
    for i, (start, end) in sorted(enumerate(groups), key=lambda g: -g[1][0]):  # from the end: offsets stay valid
        used = names if i == 0 else [n for n in names if re.search(rf"[?$]{n}\b", body[start:end])]
        if used:
            out = out[:start] + values(used) + out[start:]
    return out


def run_sparql(store: Store, text: str, *, large: bool = False) -> Result:
    """A raw query. `large`: it may read the whole graph (see run_named); `kg sparql` says so, since
    a process that runs one query does not feel the thread's 0.3 ms."""
    sol: Solutions = store.select(text, large=large)
    return Result(vars=sol.vars, rows=sol.rows, boolean=sol.boolean, _store=store)
