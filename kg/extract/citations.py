"""Plans a plan cites: the ones it is based on (qp:basedOn) and the one it succeeds (qp:succeeds).

Based on, from three phrasings that plans use for their legal and planning basis:
- a 编制依据 (主要依据, 规划依据) list: the 《…》 titles on that line and on the numbered lines after it;
- 承接(和落实)…: the titles of that clause, bracketed or not ("承接和落实国务院质量发展纲要以及《…》");
- 与《…》相衔接, and 依据/根据/按照/贯彻/落实《…》…编制/制定本… within one sentence.
Succeeds: a cited title that is the plan's own title one five-year period earlier
("《湖州市质量发展“十三五”规划》" cited by 湖州市质量发展“十四五”规划).

Titles are normalized text (PDF spaces, spam and 繁体 already repaired) without 《》 and spaces.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher

from ..model import CitedPlan, DocTree, NormText, SourceDoc
from .evidence import evidence

_BOOK = re.compile(r"《([^《》\n]{2,80})》")
_BASIS_LIST = re.compile(r"(?:编制|主要|规划|制定)依据\s*[::]?")
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}\s*[.、]|[((]\d{1,2}[))]|[-•·●]|\s)*\s*《")
_CARRY = re.compile(r"承接(?:和落实|并落实|落实|和贯彻|好)?")
_LINK = re.compile(r"与((?:《[^《》\n]{2,80}》[、和及与]?)+)(?:等)?(?:规划|文件)?(?:相衔接|相衔|衔接|相协调)")
_FRAME = re.compile(r"(?:依据|根据|依照|按照|贯彻落实|贯彻|落实)([^。;\n]{2,400}?)(?:编制|制定|制订)(?:本|了本|此)")
# The words a plan-like document title ends with (for unbracketed titles in a 承接 clause).
_DOC_END = re.compile(r"(?:纲要|规划|方案|意见|计划|决定|条例|办法|战略|规定)$")
_SPLIT = re.compile(r"以及|、|,|\s")
# 和/及/与 join two titles only right after a title's last word ("…纲要和《…》"); inside a title they stay.
_JOIN = re.compile(r"(?<=[要划案见定例法略])[和及与]")
_FYP = re.compile(r"十([一二三四五六七八九])五")
_CN = "一二三四五六七八九"
_QUOTES = re.compile(r"[“”\"'‘’「」\s]")


def clean_title(title: str) -> str:
    """A cited title as a node label: no 《》, no spaces."""
    return re.sub(r"\s+", "", title.strip().strip("《》"))


def predecessor_key(title: str) -> str | None:
    """The title one five-year period earlier, in compare form (no quotes); None without 十N五."""
    m = _FYP.search(title)
    if not m or m.group(1) == "一":
        return None
    prev = _CN[_CN.index(m.group(1)) - 1]
    return _QUOTES.sub("", title[: m.start()] + f"十{prev}五" + title[m.end() :])


def _is_predecessor(cited: str, own: str | None) -> bool:
    if not own:
        return False
    key = predecessor_key(own)
    if not key:
        return False
    c = _QUOTES.sub("", cited)
    if c == key:
        return True
    # Same series, slightly different wording (湖州质量发展 vs 湖州市质量发展): same previous period, close text.
    return key[key.index("十") : key.index("十") + 3] in c and SequenceMatcher(None, c, key).ratio() >= 0.9


def extract_citations(doc: SourceDoc, nt: NormText, tree: DocTree, own_title: str | None) -> list[CitedPlan]:
    """Cited plans of one plan, basedOn and succeeds, each title once per relation, in text order."""
    text = nt.text
    found: list[tuple[int, int, str, str]] = []  # (start, end, title, relation)
    own = clean_title(own_title) if own_title else None

    def add(s: int, e: int, title: str) -> None:
        t = clean_title(title)
        if len(t) < 5 or t == own or nt.is_excluded(s, e):
            return
        found.append((s, e, t, "basedOn"))

    # 编制依据: titles on the same line and the list lines that follow.
    for m in _BASIS_LIST.finditer(text):
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end == -1 else line_end
        for b in _BOOK.finditer(text, m.end(), line_end):
            add(b.start(), b.end(), b.group(1))
        pos = line_end + 1
        while pos < len(text):
            nxt = text.find("\n", pos)
            nxt = len(text) if nxt == -1 else nxt
            line = text[pos:nxt]
            if not line.strip():
                pos = nxt + 1
                continue
            if not _LIST_ITEM.match(line):
                break
            for b in _BOOK.finditer(text, pos, nxt):
                add(b.start(), b.end(), b.group(1))
            pos = nxt + 1

    # 承接(和落实) X以及《Y》《Z》: the clause up to the next comma or full stop.
    for m in _CARRY.finditer(text):
        stop = re.compile(r"[,;。\n]").search(text, m.end())
        end = stop.start() if stop else len(text)
        _clause_titles(text, m.end(), end, add)

    for m in _LINK.finditer(text):
        for b in _BOOK.finditer(text, m.start(1), m.end(1)):
            add(b.start(), b.end(), b.group(1))
    for m in _FRAME.finditer(text):
        for b in _BOOK.finditer(text, m.start(1), m.end(1)):
            add(b.start(), b.end(), b.group(1))

    # Succeeds: any cited title that is this plan one period earlier.
    for b in _BOOK.finditer(text):
        t = clean_title(b.group(1))
        if _is_predecessor(t, own) and not nt.is_excluded(b.start(), b.end()):
            found.append((b.start(), b.end(), t, "succeeds"))

    out: list[CitedPlan] = []
    seen: set[tuple[str, str]] = set()
    succeeded = {t for _, _, t, r in found if r == "succeeds"}
    for s, e, t, rel in sorted(found):
        if rel == "basedOn" and t in succeeded:
            continue
        if (t, rel) in seen:
            continue
        seen.add((t, rel))
        out.append(CitedPlan(title=t, relation=rel, evidence=evidence(doc, nt, s, e)))
    return out


def _clause_titles(text: str, start: int, end: int, add) -> None:
    """Titles in text[start:end]: every 《…》, and unbracketed pieces that end like a document title."""
    pos = start
    for b in list(_BOOK.finditer(text, start, end)) + [None]:
        gap_end = b.start() if b else end
        _bare_titles(text, pos, gap_end, add)
        if b:
            add(b.start(), b.end(), b.group(1))
            pos = b.end()


def _bare_titles(text: str, start: int, end: int, add) -> None:
    pos = start
    pieces = [q for p in _SPLIT.split(text[start:end]) for q in _JOIN.split(p)]
    for piece in pieces:
        idx = text.find(piece, pos, end) if piece else -1
        if idx == -1:
            continue
        pos = idx + len(piece)
        p = piece.strip()
        if len(p) >= 6 and _DOC_END.search(p) and re.fullmatch(r"[\u4e00-\u9fff“”\"()()0-9]+", p):
            add(idx, idx + len(piece), p)
