"""Gazetteer matching: concepts (schemes, awards, initiatives) and administrative areas.

Both run on normalized text (traditional characters, pinyin readings and PDF spaces already
folded), skip excluded spans (mojibake, spam prose), and report source evidence.

Area names are short and Chinese has no word boundaries, so a county's two-character short
form (新建, 资源, 富裕, 合作) hides inside ordinary words everywhere. An area match is kept
only when the context vouches for it (see `_accept`): the document's own city and province,
an enclosing area written right before it (山东宁津), or an unambiguous full name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import AreaMention, AreaRef, ConceptMention, DocTree, NormText, SourceDoc
from ..normalize import marked_lines
from ..vocab import AreaEntry, Gazetteer, per_gazetteer
from .evidence import evidence


def _excluded_by_context(text: str, start: int, end: int, excludes: tuple[str, ...]) -> bool:
    """True when the match sits inside a longer string the vocabulary says is a different thing."""
    for ex in excludes:
        lo = max(0, start - len(ex))
        window = text[lo : end + len(ex)]
        for m in re.finditer(re.escape(ex), window):
            if lo + m.start() <= start and end <= lo + m.end():
                return True
    return False


def concept_spans(text: str, gaz: Gazetteer) -> list[tuple[int, int]]:
    """(start, end) of every concept label match in text, leftmost-longest (one regex pass)."""
    return [m.span() for m in gaz.concept_pattern().finditer(text)]


def find_concept_mentions(
    doc: SourceDoc, nt: NormText, tree: DocTree, gaz: Gazetteer, hits: list[tuple[int, int]] | None = None
) -> list[ConceptMention]:
    """Every label or alias of a scheme, award or initiative, minus near-neighbour (qp:excludeLabel) hits.

    One mention per span, the longest label: the matcher is leftmost-longest, so 品字标浙江制造 is
    one mention of that scheme (queries reach 品字标 through skos:broader), and two labels that
    only quote marks part (“品字标”浙江制造) are read as the one label they spell together.
    `hits`: `concept_spans(nt.text, gaz)` when the caller has them already."""
    out: list[ConceptMention] = []
    text = nt.text
    if hits is None:
        hits = concept_spans(text, gaz)
    joined = _quote_free_labels(gaz)
    k = 0
    while k < len(hits):
        s, e = hits[k]
        label = text[s:e]
        if k + 1 < len(hits) and _QUOTES_ONLY.fullmatch(text[e : hits[k + 1][0]]):
            both = joined.get(_QUOTE_MARKS.sub("", text[s : hits[k + 1][1]]))
            if both is not None:
                e, label = hits[k + 1][1], both
                k += 1
        k += 1
        if nt.is_excluded(s, e):
            continue
        for c in gaz.concepts_for_label(label):
            if _excluded_by_context(text, s, e, c.exclude):
                continue
            out.append(ConceptMention(concept=c.iri, evidence=evidence(doc, nt, s, e)))
    return out


_QUOTE_MARKS = re.compile("[“”\"'‘’「」]")
_QUOTES_ONLY = re.compile("[“”\"'‘’「」]{1,2}")
_JOINED: dict[int, tuple[Gazetteer, dict[str, str]]] = {}


def _quote_free_labels(gaz: Gazetteer) -> dict[str, str]:
    """Every concept label by its spelling without quote marks (cached by gazetteer identity)."""
    hit = _JOINED.get(id(gaz))
    if hit is None or hit[0] is not gaz:
        labels: dict[str, str] = {}
        for c in gaz.concepts:
            for lab in c.labels:
                labels.setdefault(_QUOTE_MARKS.sub("", lab), lab)
        hit = (gaz, labels)
        _JOINED.clear()
        _JOINED[id(gaz)] = hit
    return hit[1]


# ----------------------------------------------------------------------------------- areas


@dataclass(frozen=True)
class _Name:
    code: str
    full: bool  # the area's full name (南浔区), not a short form (南浔)


class AreaIndex:
    """The area names of a gazetteer indexed for scanning text (built once per gazetteer).

    Scanning looks names up by their first character and length, which is far faster than one
    regex alternation of ~6,000 names, and lets a rejected long name fall back to a shorter one.
    Every name has two or more characters, so `starts` (a first character followed by a possible
    second one, one C-level regex pass) and a look-up of the first two characters find the few
    positions where a name can begin (about 1 in 200 characters of ordinary text).
    """

    def __init__(self, gaz: Gazetteer) -> None:
        self.idx: dict[str, AreaEntry] = dict(gaz.area_by_code)
        by_name: dict[str, list[_Name]] = {}
        for a in gaz.areas:
            for n, full in ((a.name, True), *((s, False) for s in a.short_names)):
                if len(n) >= 2:
                    by_name.setdefault(n, []).append(_Name(a.code, full))
        self.by_name = {k: tuple(v) for k, v in by_name.items()}
        lengths: dict[str, set[int]] = {}
        for n in self.by_name:
            lengths.setdefault(n[0], set()).add(len(n))
        self.lengths = {c: tuple(sorted(ls, reverse=True)) for c, ls in lengths.items()}
        self._chains: dict[str, tuple[str, ...]] = {}
        self._ancestry: dict[str, tuple[tuple[AreaEntry, ...], tuple[str, ...]]] = {}
        self.prefixes = frozenset(n[:2] for n in self.by_name)
        self.starts = re.compile(_char_class(n[0] for n in self.by_name) + "(?=" + _char_class(n[1] for n in self.by_name) + ")")
        self._last_scan: tuple[str, list[tuple[int, list[str]]]] = ("", [])

    def chain(self, code: str) -> tuple[str, ...]:
        """Codes of the area's ancestors, nearest first."""
        out = self._chains.get(code)
        if out is None:
            acc: list[str] = []
            a = self.idx.get(code)
            while a is not None and a.parent and len(acc) < 4:
                acc.append(a.parent)
                a = self.idx.get(a.parent)
            out = self._chains[code] = tuple(acc)
        return out

    def ancestry(self, code: str) -> tuple[tuple[AreaEntry, ...], tuple[str, ...]]:
        """The area's ancestors (nearest first) and their names and short names (sorted)."""
        out = self._ancestry.get(code)
        if out is None:
            ancestors = tuple(self.idx[c] for c in self.chain(code) if c in self.idx)
            names = tuple(sorted({n for x in ancestors for n in (x.name, *x.short_names)}))
            out = self._ancestry[code] = (ancestors, names)
        return out

    def names_at(self, text: str, i: int) -> list[str]:
        """Area names starting at text[i], longest first."""
        return [text[i : i + ln] for ln in self.lengths.get(text[i], ()) if text[i : i + ln] in self.by_name]

    def scan(self, text: str) -> list[tuple[int, list[str]]]:
        """(position, names starting there, longest first) for every position of text where a name
        starts. The last text's result is kept: both passes of `find_area_mentions` scan the same text."""
        if self._last_scan[0] is text:
            return self._last_scan[1]
        prefixes = self.prefixes
        out = []
        for m in self.starts.finditer(text):
            i = m.start()
            if text[i : i + 2] in prefixes:
                names = self.names_at(text, i)
                if names:
                    out.append((i, names))
        self._last_scan = (text, out)
        return out


def _char_class(chars) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(set(chars))) + "]"


_INDEXES: dict[int, tuple[Gazetteer, AreaIndex]] = {}


def area_index(gaz: Gazetteer) -> AreaIndex:
    """The AreaIndex of a gazetteer, cached by identity (hashing a Gazetteer walks all its areas)."""
    return per_gazetteer(_INDEXES, gaz, AreaIndex)


@dataclass(frozen=True)
class _Context:
    city: str  # code of the jurisdiction's city ('' when none)
    province: str

    @staticmethod
    def of(jurisdiction: AreaRef | None, ai: AreaIndex) -> "_Context":
        if jurisdiction is None or jurisdiction.code not in ai.idx:
            return _Context("", "")
        chain = [ai.idx[c] for c in (jurisdiction.code, *ai.chain(jurisdiction.code)) if c in ai.idx]
        city = next((a.code for a in chain if a.level == "city"), "")
        province = next((a.code for a in chain if a.level == "province"), "")
        return _Context(city, province)


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


_SUFFIX = re.compile(r"[区县市省州旗盟]")
# words that open with 县 (县城, 县域, 县级): in 新县城 (a new county town) the 县 ends no name
_XIAN_WORDS = re.compile(r"[城域级]")


def _stands_alone(name: str, text: str, s: int, e: int) -> bool:
    """A two-character county name (X县) that is not part of a longer word: no hanzi right before it
    (探索县域 holds 索县, 示范县 holds 范县) and its 县 does not open a word (新县城, 各县级).
    District names of two characters (城区, 郊区, 矿区) are ordinary words: never alone."""
    if not name.endswith("县"):
        return False
    if s > 0 and _is_han(text[s - 1]):
        return False
    return not _XIAN_WORDS.match(text, e)


def _accept(name: str, cand: _Name, text: str, s: int, e: int, ctx: _Context, ai: AreaIndex) -> int:
    """0 to reject; otherwise a rank (higher is more certain) for choosing among homonyms."""
    a = ai.idx[cand.code]
    by_name = ai.by_name
    ancestors, anc_names = ai.ancestry(cand.code)
    before = text[max(0, s - 8) : s]
    if anc_names and before.endswith(anc_names):
        return 5  # 山东宁津, 湖州市南浔区: the enclosing area vouches for it
    # written right after another area's name that does not enclose it: a sub-place of that area
    # (绍兴滨海新区 is Shaoxing's zone, not Tianjin's 滨海新区)
    for k in range(min(8, s), 1, -1) if a.level == "county" else ():
        if before[-k:] in by_name and before[-k:] not in anc_names and cand.code not in {n.code for n in by_name[before[-k:]]}:
            return 0
    if not ctx.province:  # first pass, no jurisdiction yet: only what is safe anywhere
        if a.level in ("province", "city"):
            return 2
        if cand.full and len(name) == 2:
            # a two-character county name (云县, 索县) counts where it stands alone, so that news
            # about such a county votes for it as 德清县 does for its own
            return 2 if _stands_alone(name, text, s, e) else 0
        return 2 if cand.full and len(name) >= 3 else 0
    in_city = bool(ctx.city) and (cand.code == ctx.city or any(x.code == ctx.city for x in ancestors))
    in_prov = cand.code == ctx.province or any(x.code == ctx.province for x in ancestors)
    if a.level == "province":
        return 3 if in_prov else 2
    if a.level == "city":
        if in_prov:
            return 4
        return 2 if cand.full or len(name) >= 3 else 0
    if in_city:
        # two-character full names hide in words (范县 in 示范县): not right after another Han character
        return 0 if cand.full and len(name) == 2 and s > 0 and _is_han(text[s - 1]) else 4
    if len(name) == 2:
        # 新建, 资源, 合作 … are ordinary words: a short form outside the city needs its suffix (富阳县)
        if in_prov and not cand.full and _SUFFIX.match(text, e):
            return 1
        return 0
    if in_prov:
        return 3 if cand.full else 2
    # another province's county: a county or county-level city by full name, but not a district,
    # whose names development zones reuse (绍兴's 滨海新区 is not Tianjin's)
    return 1 if cand.full and name[-1] in "市县旗" else 0


def find_area_mentions(doc: SourceDoc, nt: NormText, gaz: Gazetteer, jurisdiction: AreaRef | None = None) -> list[AreaMention]:
    """Area names (full or short) the context vouches for.

    Without a jurisdiction (the first pass, whose votes decide it) only full names of three or
    more characters, two-character county names standing alone (`_stands_alone`), province and
    city names, and names written after their province or city count.
    With one, short names resolve to the candidate in the document's city, then its province.
    """
    ai = area_index(gaz)
    ctx = _Context.of(jurisdiction, ai)
    text = nt.text
    out: list[AreaMention] = []
    spans: list[tuple[int, int]] = []  # normalized spans of `out`
    pos = 0  # the scan resumes after an accepted name; names that start inside it are skipped
    for i, names in ai.scan(text):
        if i < pos:
            continue
        hit = None
        # the longest name at i first, then shorter ones (湖州市 before 湖州)
        for name in names:
            e = i + len(name)
            ranked = sorted(
                ((_accept(name, c, text, i, e, ctx, ai), c.code) for c in ai.by_name[name]),
                key=lambda rc: (-rc[0], rc[1]),
            )
            if not ranked or ranked[0][0] == 0:
                continue
            if len(ranked) > 1 and ranked[1][0] == ranked[0][0]:
                continue  # homonyms the context cannot tell apart
            hit = (e, ranked[0][1])
            break
        if hit is None:
            continue
        e, code = hit
        if not nt.is_excluded(i, e):
            out.append(AreaMention(code=code, evidence=evidence(doc, nt, i, e)))
            spans.append((i, e))
        pos = e
    if ctx.province:
        out = _listed_areas(doc, nt, ai, out, spans)
    return out


# a list that says its items are places: 嘉兴、苏州、青浦三地, 柯桥、上虞等地
_PLACE_LIST = re.compile(r"((?:[\u4e00-\u9fff]{2,4}、)+[\u4e00-\u9fff]{2,4}?)(?:[两三四五六七八九十]|等)(?:地|市|县|区)")


_PLACE_TAIL = re.compile(r"(?:[两三四五六七八九十]|等)(?:地|市|县|区)")


def _place_lists(text: str):
    """`_PLACE_LIST.finditer(text)`, run only on the lines that have the list's tail (三地, 等地):
    a list never crosses a line break, so the matches are the same."""
    for ls, le in marked_lines(_PLACE_TAIL, text):
        yield from _PLACE_LIST.finditer(text, ls, le)


def _listed_areas(doc: SourceDoc, nt: NormText, ai: AreaIndex, found: list[AreaMention], spans: list[tuple[int, int]]) -> list[AreaMention]:
    """Areas in a list that calls its items places ("嘉兴、苏州、青浦三地") next to an accepted one:
    every item is then an area's name, and one without a homonym counts even as a short form from
    another province. A list with an item that names no area is left alone. `spans` are the
    normalized spans of `found`."""
    text = nt.text
    have = set(spans)
    extra: list[AreaMention] = []
    for m in _place_lists(text):
        items: list[tuple[int, int]] = []
        pos = m.start(1)
        parts = m.group(1).split("、")
        for j, part in enumerate(parts):
            s, e = pos, pos + len(part)
            if j == 0:  # the list's first item ends at the 、; its start is the longest area name there
                s = next((e - ln for ln in (4, 3, 2) if e - ln >= pos and text[e - ln : e] in ai.by_name), -1)
            if s < 0 or text[s:e] not in ai.by_name:
                items = []
                break
            items.append((s, e))
            pos = e + 1
        if not items or not have.intersection(items):
            continue
        for s, e in items:
            cands = ai.by_name[text[s:e]]
            if (s, e) not in have and len(cands) == 1 and not nt.is_excluded(s, e):
                extra.append(AreaMention(code=cands[0].code, evidence=evidence(doc, nt, s, e)))
    return sorted([*found, *extra], key=lambda m: m.evidence.start)


def areas_outside(areas: list[AreaMention], spans) -> list[AreaMention]:
    """The area mentions that are not part of a longer name (source spans `(start, end)`).

    An area named only inside a concept label or an organization's name (浙江 in 品字标浙江制造,
    泰州 in 品质泰州, 湖州市 in 湖州市市场监督管理局) is not a separate mention of the area: the
    concept or organization is what the text names, and an organization keeps its qp:seatedIn.
    """
    spans = sorted(spans)
    return [a for a in areas if not any(s <= a.evidence.start and a.evidence.end <= e for s, e in spans)]
