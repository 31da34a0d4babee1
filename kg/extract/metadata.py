"""Document kind, title, jurisdiction and other plan/article metadata."""
from __future__ import annotations

import re
from collections import Counter

from ..model import AreaMention, AreaRef, DocMeta, DocTree, Evidence, NormText, SourceDoc, Value
from ..vocab import Gazetteer
from .evidence import evidence

_PLAN_TITLE = re.compile(r"^[^\n]{2,60}?(规划|方案|纲要|意见|计划|办法|通知)(\([^)\n]{0,20}\))?$", re.M)
_PLAN_WORDS = re.compile(r"本规划|规划期|专栏|重点任务|保障措施|主要指标|发展目标|实施方案")
_ARTICLE_WORDS = re.compile(r"记者|本报|来源[::]|编辑[::]|作者[::]|日报|晚报|新闻")
# The issuer's unified social credit code in a portal's index number: 11 + six-digit area code.
_INDEX_CODE = re.compile(r"索引号[::]?\s*11(\d{6})")
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,6}[发办函字])〔(\d{4})〕(\d+)号")


def detect_kind(text: str) -> str:
    plan = len(_PLAN_WORDS.findall(text)) + 3 * bool(_PLAN_TITLE.search(text[:600]))
    article = len(_ARTICLE_WORDS.findall(text[:1500])) * 2
    return "plan" if plan > article else "article"


def infer_jurisdiction(text: str, areas: list[AreaMention], gaz: Gazetteer) -> tuple[AreaRef | None, list[AreaMention]]:
    """The prefecture-level city (or county, or province) a document is about.

    Votes: every mention of a city or its counties; the index-number area code counts
    heavily, and a document-number prefix (绍政发) that abbreviates a candidate city.
    """
    idx = gaz.area_by_code
    votes: Counter[str] = Counter()
    for a in areas:
        entry = idx.get(a.code)
        if entry is None:
            continue
        if entry.level == "city":
            votes[a.code] += 2
        elif entry.level == "county" and entry.parent:
            votes[entry.parent] += 1
    for m in _INDEX_CODE.finditer(text):
        code = m.group(1)
        city = code[:4] + "00"
        if city in idx and idx[city].level == "city":
            votes[city] += 20
    for m in _DOC_NUMBER.finditer(text):
        abbr = m.group(1)[0]
        for code in list(votes):
            if idx[code].name.startswith(abbr):
                votes[code] += 10
    if not votes:
        provinces = Counter(a.code for a in areas if idx.get(a.code) and idx[a.code].level == "province")
        if not provinces:
            return None, []
        code = provinces.most_common(1)[0][0]
    else:
        code = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    e = idx[code]
    support = [a for a in areas if a.code == code]
    return AreaRef(code=code, name=e.name, level=e.level), support


def _first_line_value(doc: SourceDoc, nt: NormText, pattern: re.Pattern[str], limit: int) -> Value | None:
    m = pattern.search(nt.text, 0, limit)
    if not m:
        return None
    s, e = m.span()
    while s < e and nt.text[s].isspace():
        s += 1
    return Value(value=nt.text[s:e].strip(), evidence=evidence(doc, nt, s, e))


_NOTICE = re.compile(r"关于印发《?(.+?)》?的通知")


def _plan_title(doc: SourceDoc, nt: NormText) -> Value | None:
    """The plan's own title line; a covering notice (关于印发…的通知) yields the plan it publishes."""
    notice = None
    for m in _PLAN_TITLE.finditer(nt.text, 0, 3000):
        line = m.group(0)
        n = _NOTICE.search(line)
        if n:
            notice = notice or (m.start() + n.start(1), m.start() + n.end(1))
            continue
        s = m.start() + (len(line) - len(line.lstrip()))
        return Value(value=line.strip(), evidence=evidence(doc, nt, s, m.end()))
    if notice:
        return Value(value=nt.text[notice[0] : notice[1]], evidence=evidence(doc, nt, *notice))
    return None


def extract_metadata(doc: SourceDoc, nt: NormText, tree: DocTree, gaz: Gazetteer, areas: list[AreaMention]) -> DocMeta:
    text = nt.text
    kind = detect_kind(text)
    jur, support = infer_jurisdiction(text, areas, gaz)
    title = None
    if kind == "plan":
        title = _plan_title(doc, nt)
    else:
        first = re.search(r"\S[^\n]{3,60}", text)
        if first:
            title = Value(value=first.group(0).strip(), evidence=evidence(doc, nt, first.start(), first.end()))
    jur_ev: tuple[Evidence, ...] = tuple(a.evidence for a in support[:3])
    return DocMeta(kind=kind, jurisdiction=jur, jurisdiction_evidence=jur_ev, title=title)
