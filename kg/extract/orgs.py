"""Organizations a document names: patterns over name suffixes, resolved to one node per jurisdiction.

The patterns are data (ontology/org-patterns.csv): name suffixes with their kind, known bodies
and their abbreviations, and the words that mark where a name starts. A name is found at a
suffix (…局, …领导小组, …研究院) and grown leftwards over Chinese characters until a punctuation
mark or a stop character (的, 等, 在 …); it then starts after the last verb (建立, 充分发挥, 依托 …)
and after a 和/与 that joins two names. What is left must name one body, not a kind of body:

- an area or national prefix anchors it (湖州市…, 浙江省…, 中国…, 国家…), and a bare 省/市/县/区
  stands for the document's province, city or county (市市场监管局 in a 湖州 plan is
  湖州市市场监督管理局);
- a leading group without a prefix belongs to the document's jurisdiction;
- a …总局 is a national body;
- anything else must contain an area name (哈工大湖州国家创新研究院) or is dropped
  (行业协会, 产业联盟, 省级质检中心).

A stop character that opens a known word is kept (市经信局: 经 stops 经市政府同意, not 经信局);
a bare prefix after an enumeration of levels (各区、市市场监管局) names every such body and is
dropped; a seat in brackets belongs to the name (国家鞋类质量检验检测中心(温州)).

Resolved names write out known abbreviations (市场监管局 -> 市场监督管理局, 市政府 -> 市人民政府)
and start at the innermost of official nested area prefixes (杭州市萧山区人民政府 and 区政府 in a
萧山 text are both 萧山区人民政府; 浙江南浔…联盟, written with short forms, is a proper name);
`scope` (an admin code or "cn") and the name identify the node, so the same body named in two
documents of one city is one node.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache

from ..model import AreaRef, DocMeta, DocTree, NormText, OrgMention, SourceDoc
from ..resources import ontology_file
from ..vocab import AreaEntry, Gazetteer, trie_regex
from .evidence import evidence
from .mentions import AreaIndex, area_index, concept_spans

PATTERNS_FILE = "org-patterns.csv"


@dataclass(frozen=True)
class Known:
    name: str
    kind: str
    scope: str


@dataclass(frozen=True, eq=False)  # hashed by identity: the cached regexes key on the one loaded instance
class OrgPatterns:
    suffixes: dict[str, tuple[str, str]]  # suffix -> (kind, policy: anchored | jurisdiction | national)
    national: tuple[str, ...]
    known: dict[str, Known]  # name or alias -> the body
    abbrev: tuple[tuple[str, str], ...]  # (short, long), longest short form first
    cut: tuple[str, ...]
    lead: tuple[str, ...]
    stop: frozenset[str]
    conj: frozenset[str]
    generic: tuple[str, ...]
    not_name: tuple[str, ...]


def parse_patterns(text: str) -> OrgPatterns:
    """Parse the CSV of organization patterns (comment lines start with #)."""
    suffixes: dict[str, tuple[str, str]] = {}
    national: list[str] = []
    known: dict[str, Known] = {}
    abbrev: list[tuple[str, str]] = []
    lists: dict[str, list[str]] = {"cut": [], "lead": [], "stop": [], "conj": [], "generic": [], "not-name": []}
    rows = csv.reader(io.StringIO(text))
    for row in rows:
        if not row or not row[0] or row[0].startswith("#") or row[0] == "type":
            continue
        kind_, value, kind, extra, note = (row + [""] * 5)[:5]
        if kind_ == "suffix":
            suffixes[value] = (kind, extra or "anchored")
        elif kind_ == "national":
            national.append(value)
        elif kind_ == "known":
            body = Known(value, kind, extra or "cn")
            for alias in [value, *filter(None, note.split("|"))]:
                known[alias] = body
        elif kind_ == "abbrev":
            abbrev.append((value, extra))
        elif kind_ in lists:
            lists[kind_].append(value)
        else:
            raise ValueError(f"{PATTERNS_FILE}: unknown row type {kind_!r} (use suffix, national, known, abbrev, cut, lead, stop, conj, generic or not-name)")
    return OrgPatterns(
        suffixes=suffixes,
        national=tuple(sorted(national, key=len, reverse=True)),
        known=known,
        abbrev=tuple(sorted(abbrev, key=lambda ab: -len(ab[0]))),
        cut=tuple(sorted(lists["cut"], key=len, reverse=True)),
        lead=tuple(sorted(lists["lead"], key=len, reverse=True)),
        stop=frozenset(lists["stop"]),
        conj=frozenset(lists["conj"]),
        generic=tuple(lists["generic"]),
        not_name=tuple(lists["not-name"]),
    )


@lru_cache(maxsize=1)
def load_patterns() -> OrgPatterns:
    return parse_patterns(ontology_file(PATTERNS_FILE).read_text(encoding="utf-8"))


def _alternation(words) -> re.Pattern[str]:
    """The longest of `words` at each position, as a trie (the same matches as the flat alternation
    longest first, which Python's regex engine would try one alternative after another)."""
    words = sorted(set(words))
    return re.compile(trie_regex(words)) if words else re.compile(r"(?!)")


@lru_cache(maxsize=2)
def _suffix_lengths(p: OrgPatterns) -> tuple[int, ...]:
    """The lengths of the body suffixes, longest first."""
    return tuple(sorted({len(x) for x in p.suffixes}, reverse=True))


def _longest_suffix(name: str, p: OrgPatterns) -> str | None:
    """The longest body suffix `name` ends with (one set look-up per suffix length)."""
    for k in _suffix_lengths(p):
        if k == 0:
            return ""
        if k <= len(name) and name[-k:] in p.suffixes:
            return name[-k:]
    return None


@lru_cache(maxsize=2)
def _regexes(p: OrgPatterns) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    return _alternation(p.suffixes), _alternation(p.known), _alternation(p.not_name)


# ----------------------------------------------------------------------------------- areas in names


@dataclass(frozen=True)
class _Jur:
    """The document's jurisdiction chain: the areas a bare 省/市/县 stands for."""

    province: AreaEntry | None
    city: AreaEntry | None
    county: AreaEntry | None
    own: AreaEntry | None
    ai: AreaIndex | None = None

    @staticmethod
    def of(ref: AreaRef | None, ai: AreaIndex) -> "_Jur":
        if ref is None or ref.code not in ai.idx:
            return _Jur(None, None, None, None, ai)
        chain = [ai.idx[c] for c in (ref.code, *ai.chain(ref.code)) if c in ai.idx]
        get = lambda lv: next((x for x in chain if x.level == lv), None)  # noqa: E731
        return _Jur(get("province"), get("city"), get("county"), chain[0], ai)

    def contains(self, code: str) -> bool:
        """The area is inside the jurisdiction's province."""
        return self.province is not None and self.ai is not None and (
            code == self.province.code or self.province.code in self.ai.chain(code)
        )


def _area_at(name: str, i: int, ai: AreaIndex, jur: _Jur, prev: str = "") -> tuple[str, int] | None:
    """The area whose name starts at name[i] (longest first) if it can be trusted in a name:
    a full name, a province or city short form, a short form right after its parent, or a
    short form inside the document's province (新建 in 新建国家… is a verb, not Nanchang's district)."""
    for n in ai.names_at(name, i) if name[i] in ai.lengths else ():
        ok = []
        for cand in ai.by_name[n]:
            a = ai.idx[cand.code]
            if cand.full and len(n) >= 3 or a.level in ("province", "city") or jur.contains(cand.code) or (prev and prev in ai.chain(cand.code)):
                ok.append(cand.code)
        if len(ok) > 1:
            inside = [c for c in ok if jur.contains(c)]
            ok = inside if len(inside) == 1 else ok
        if len(ok) == 1:
            return ok[0], len(n)
    return None


def _areas_in(name: str, ai: AreaIndex, jur: _Jur, start: int = 0) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    i = start
    prev = ""
    while i < len(name) - 1:
        hit = _area_at(name, i, ai, jur, prev)
        if hit:
            out.append((i, i + hit[1], hit[0]))
            prev = hit[0]
            i += hit[1]
        else:
            prev = ""
            i += 1
    return out


# ----------------------------------------------------------------------------------- candidates


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


@dataclass(frozen=True)
class _Cand:
    start: int
    end: int
    suffix: str  # "" for a known name
    known: Known | None = None


@lru_cache(maxsize=2)
def _words_by_first(p: OrgPatterns) -> dict[str, tuple[str, ...]]:
    """Abbreviations, suffixes and known names by their first character."""
    out: dict[str, set[str]] = {}
    for w in [a for a, _ in p.abbrev] + list(p.suffixes) + list(p.known):
        out.setdefault(w[0], set()).add(w)
    return {c: tuple(ws) for c, ws in out.items()}


def _opens_area(text: str, i: int, ai: AreaIndex, jur: _Jur) -> bool:
    """text[i] opens the full name of an area (同仁市, 于洪区, 和田地区) or a name of the document's
    own areas (和田 in a 和田地区 plan): a stop or joining character there is the first character
    of a place name, not a word of the sentence."""
    if text[i] not in ai.lengths:
        return False
    own = {a.code for a in (jur.own, jur.county, jur.city, jur.province) if a is not None}
    return any(
        (len(n) >= 3 and c.full) or c.code in own for n in ai.names_at(text, i) for c in ai.by_name[n]
    )


def _grow_left(text: str, s: int, p: OrgPatterns, floor: int, ai: AreaIndex, jur: _Jur) -> int:
    """Start of the longest run of name characters ending at s (a parenthesised area is allowed: 中国(湖州)).

    A stop character that opens a name word reaching into the suffix is part of the name:
    经 stops 经市政府同意 but not 市经信局 (经信局 is an abbreviation); so is one that opens
    the full name of an area (于洪区人民政府)."""
    i = s
    lo = max(floor, s - 30)
    words = _words_by_first(p)
    while i > lo:
        ch = text[i - 1]
        if ch in p.stop and (
            any(text.startswith(w, i - 1) and i - 1 + len(w) > s for w in words.get(ch, ()))
            or _opens_area(text, i - 1, ai, jur)
        ):
            i -= 1
            continue
        if ch == ")":
            j = text.rfind("(", max(lo, i - 10), i - 1)
            if j > lo and all(_is_han(c) for c in text[j + 1 : i - 1]) and j > 0 and _is_han(text[j - 1]):
                i = j
                continue
            break
        if _is_han(ch) and ch not in p.stop:
            i -= 1
            continue
        break
    return i


def _starts_anchored(name: str, p: OrgPatterns, ai: AreaIndex, jur: _Jur) -> bool:
    if any(name.startswith(n) for n in p.national):
        return True
    if _has_level_prefix(name):
        return True
    return _area_at(name, 0, ai, jur) is not None


_ENUMERATED = re.compile(r"各(?:[省市县区][、,])+$")


def _has_level_prefix(name: str) -> bool:
    """The name opens with a bare 省/市/县/区 standing for an area (市市场监管局, 省市场监督管理局)."""
    if len(name) < 3 or name[0] not in "省市县区":
        return False
    # 市场, 市民, 区域, 县域 … are words, not a prefix (but 市市场监管局 is 市 + 市场监管局)
    return name[1] not in "场民域内外级区县乡镇" or name[1] == name[0]


def _level_prefix(name: str, jur: _Jur) -> AreaEntry | None:
    """The area a leading bare 省/市/县/区 stands for in this document (市 -> its city)."""
    if not _has_level_prefix(name):
        return None
    return {"省": jur.province, "市": jur.city, "县": jur.county, "区": jur.county}[name[0]]


def _trim(text: str, start: int, s_suffix: int, end: int, p: OrgPatterns, ai: AreaIndex, jur: _Jur) -> int:
    """Move a name's start past verbs, measure words and a 和/与 that joins two names."""
    # a verb that opens with a stop character (对接, 从事) stopped the growth inside the verb
    for w in p.cut:
        for j in range(1, len(w)):
            if start - j >= 0 and text.startswith(w, start - j) and s_suffix - (start - j + len(w)) >= 2:
                start = start - j + len(w)
                break
    stem = text[start:s_suffix]
    best = -1
    for w in p.cut:
        k = stem.rfind(w)
        if k >= 0 and k + len(w) > best and end - (start + k + len(w)) >= 3:
            best = k + len(w)
    for w in p.lead:
        k = stem.rfind(w)
        if k >= 0 and k + len(w) > best and _starts_anchored(text[start + k + len(w) : end], p, ai, jur):
            best = k + len(w)
    if best > 0:
        start += best
    for k in range(s_suffix - 1, start, -1):
        if text[k] in p.conj:
            right = text[k + 1 : end]
            left = text[start:k]
            sfx = text[s_suffix:end]
            unique = p.suffixes.get(sfx, ("", ""))[1] == "unique" and len(right) - len(sfx) >= 2
            if unique or _starts_anchored(right, p, ai, jur) or _longest_suffix(left, p) is not None:
                start = k + 1
                break
    # "2家零售…": a measure word after a number
    if start > 0 and text[start - 1].isdigit() and text[start] in "个家批项所座名位":
        start += 1
    while start < s_suffix and text[start] in p.stop | p.conj and not _opens_area(text, start, ai, jur):
        start += 1
    return start


def _seat_suffix(text: str, e: int, ai: AreaIndex) -> int:
    """The end of a name that goes on with its seat in brackets: 国家鞋类质量检验检测中心(温州)."""
    if text[e : e + 1] != "(":
        return e
    k = text.find(")", e + 1, e + 10)
    return k + 1 if k > e + 2 and text[e + 1 : k] in ai.by_name else e


def _inside_area_name(text: str, s: int, e: int, ai: AreaIndex) -> bool:
    """The suffix text[s:e] is part of a place name that starts before it (海关 in 山海关区):
    no body ends there (湖州海关 is 湖州 + 海关, a name that ends where the suffix starts)."""
    for j in range(max(0, s - 6), s):
        if text[j] in ai.lengths and any(j + len(n) >= e for n in ai.names_at(text, j)):
            return True
    return False


def _candidates(text: str, p: OrgPatterns, nt: NormText, ai: AreaIndex, jur: _Jur, blocked: list[tuple[int, int]]) -> list[_Cand]:
    sfx_re, known_re, not_re = _regexes(p)
    not_pos: set[int] = set()
    for m in not_re.finditer(text):
        not_pos.update(range(m.start(), m.end()))
    hits = [m for m in sfx_re.finditer(text)
            if not not_pos.intersection(range(m.start(), m.end())) and not _inside_area_name(text, m.start(), m.end(), ai)]
    out: list[_Cand] = []
    for n, m in enumerate(hits):
        s_sfx, e = m.span()
        nxt = hits[n + 1] if n + 1 < len(hits) else None
        if nxt is not None:
            between = text[e : nxt.start()]
            # the name goes on to a longer one: 上海大学|绍兴研究院, 人民政府|办公室
            # (but not past a word that opens a kind of body: 检测院|有关实验室)
            if (len(between) <= 12 and all(_is_han(c) and c not in p.stop and c not in p.conj for c in between)
                    and not any(w in between for w in (*p.cut, *p.generic))):
                continue
        start = _grow_left(text, s_sfx, p, 0, ai, jur)
        start = _trim(text, start, s_sfx, e, p, ai, jur)
        if e - start < 3 or start >= s_sfx and m.group(0) not in p.known:
            continue
        out.append(_Cand(start, _seat_suffix(text, e, ai), m.group(0)))
    for m in known_re.finditer(text):
        out.append(_Cand(m.start(), m.end(), "", p.known[m.group(0)]))
    # one name per place: the longer wins, a known name on a tie
    out.sort(key=lambda c: (-(c.end - c.start), c.known is None, c.start))
    chosen: list[_Cand] = []
    for c in out:
        if nt.is_excluded(c.start, c.end):
            continue
        if c.known is None and any(g in text[c.start : c.end] for g in p.generic):
            continue  # a kind of body (…有关实验室) names none and must not hide the body before it
        if any(c.start < b_e and b_s < c.end and not (c.start <= b_s and b_e <= c.end) for b_s, b_e in blocked):
            continue  # inside (or across) a scheme/award label: 浙江省人民政府质量奖
        if any(c.start < x.end and x.start < c.end for x in chosen):
            continue
        chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


# ----------------------------------------------------------------------------------- resolution


def _expand(name: str, p: OrgPatterns) -> str:
    for short, long in p.abbrev:
        out, i = [], 0
        while True:
            k = name.find(short, i)
            if k < 0:
                break
            # already written out (人民政府 contains 政府)
            pre = long[: len(long) - len(short)] if long.endswith(short) else None
            if pre is not None and name[max(0, k - len(pre)) : k] == pre:
                out.append(name[i : k + len(short)])
            else:
                out.append(name[i:k] + long)
            i = k + len(short)
        out.append(name[i:])
        name = "".join(out)
    return name


@dataclass(frozen=True)
class _Resolved:
    name: str
    scope: str
    kind: str
    seat: str = ""
    parent: str = ""
    parent_scope: str = ""
    parent_kind: str = ""


def resolve(written: str, suffix: str, known: Known | None, p: OrgPatterns, ai: AreaIndex, jur: _Jur) -> _Resolved | None:
    """The full name, scope and kind of a name as written; None when it names no single body."""
    if known is not None:
        return _Resolved(known.name, known.scope, known.kind)
    if any(g in written for g in p.generic):
        return None
    kind, policy = p.suffixes[suffix]
    name, scope = written, ""
    national = next((n for n in p.national if written.startswith(n)), None)
    level = _level_prefix(written, jur)
    lead = _areas_in(written, ai, jur)
    lead_prefix = [a for a in lead if a[0] == 0]
    if national:
        scope = "cn"
    elif policy == "unique" and not _has_level_prefix(written) and len(written) - len(suffix) >= 2:
        # 浙江大学, 南京农业大学: a national body named after its seat, not the seat's own body
        scope = "cn"
    elif _has_level_prefix(written):
        if level is None:
            return None  # 县市场监管局 in a city plan: any county's bureau, or no jurisdiction known
        name, scope = level.name + written[1:], level.code
    elif lead_prefix:
        # 浙江省湖州市…: the innermost of the leading areas, which also opens the name, so that
        # 杭州市萧山区人民政府 and 区政府 (in a 萧山 document) are one body
        end, code, inner, formal = 0, "", 0, True
        for s, e, c in lead:
            if s != end or (code and code not in ai.chain(c)):
                break  # 浙江南浔|山东宁津: the next area is not inside the previous one
            if code:
                formal = formal and written[inner:s] == ai.idx[code].name
            end, code, inner = e, c, s
        scope = code
        if inner and end < len(written) and formal:
            name = written[inner:]  # only an official prefix (杭州市萧山区); 浙江南浔…联盟 is a proper name
    elif policy == "national":
        name, scope = ("国家" + written) if not written.startswith("国家") else written, "cn"
    elif lead:
        scope = lead[-1][2]
    elif policy == "unique" and len(written) - len(suffix) >= 2:
        scope = "cn"
    elif policy == "jurisdiction" and jur.own is not None:
        name, scope = jur.own.name + written, jur.own.code
    elif _parent(written, p, ai, jur) is None:
        return None
    # else: a body built on one the name states (清华大学长三角研究院): the parent anchors it
    name = _expand(name, p)
    if name in p.known:
        k = p.known[name]
        return _Resolved(k.name, k.scope, k.kind)
    # the seat in brackets names no parent body: 国家鞋类质量检验检测中心(温州) is that centre itself
    seat_paren = re.search(r"\([^()]+\)$", name)
    parent = _parent(name[: seat_paren.start()] if seat_paren else name, p, ai, jur)
    areas = _areas_in(name, ai, jur, len(parent.name) if parent else 0)
    seat = ""
    if areas:
        # nested areas only (浙江省湖州市): one place; 浙江南浔…山东宁津 names two and says nothing
        codes = [a[2] for a in areas]
        if all(codes[i] in ai.chain(codes[i + 1]) or codes[i] == codes[i + 1] for i in range(len(codes) - 1)):
            seat = codes[-1]
    if parent is not None:
        # 上海大学绍兴研究院 is one body wherever it is named: it takes its parent's scope
        return _Resolved(name, parent.scope, kind, seat or parent.seat, parent.name, parent.scope, parent.kind)
    return _Resolved(name, scope, kind, seat)


def _parent(name: str, p: OrgPatterns, ai: AreaIndex, jur: _Jur) -> "_Resolved | None":
    """The body a name is built on, stated by the name itself: 湖州市人民政府|办公室,
    上海大学|绍兴研究院, 国家市场监督管理总局|技术创新中心 (the longest such prefix)."""
    for k in range(len(name) - 2, 2, -1):
        head = name[:k]
        if head in p.known:
            kn = p.known[head]
            return _Resolved(kn.name, kn.scope, kn.kind)
        sfx = _longest_suffix(head, p)
        if sfx and len(head) > len(sfx):
            r = resolve(head, sfx, None, p, ai, jur)
            if r is not None:
                return r
    return None


def extract_orgs(
    doc: SourceDoc, nt: NormText, tree: DocTree, meta: DocMeta, gaz: Gazetteer,
    concept_hits: list[tuple[int, int]] | None = None,
) -> list[OrgMention]:
    """Every organization name in the document, resolved (one OrgMention per occurrence).

    `concept_hits`: `concept_spans(nt.text, gaz)` when the caller has them already (no name
    is read inside a concept label)."""
    p = load_patterns()
    ai = area_index(gaz)
    jur = _Jur.of(meta.jurisdiction, ai)
    text = nt.text
    blocked = concept_hits if concept_hits is not None else concept_spans(text, gaz)
    out: list[OrgMention] = []
    for c in _candidates(text, p, nt, ai, jur, blocked):
        written = text[c.start : c.end]
        if _has_level_prefix(written) and _ENUMERATED.search(text, max(0, c.start - 12), c.start):
            continue  # 各区、市市场监管局: every district's and county's bureau, not the city's own
        r = resolve(written, c.suffix, c.known, p, ai, jur)
        if r is None:
            continue
        out.append(
            OrgMention(
                name=r.name,
                scope=r.scope,
                kind=r.kind,
                evidence=evidence(doc, nt, c.start, c.end),
                parent=r.parent,
                parent_scope=r.parent_scope,
                parent_kind=r.parent_kind,
                seat=r.seat,
                written=written,
            )
        )
    return out
