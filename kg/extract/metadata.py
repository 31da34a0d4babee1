"""Document metadata: kind, jurisdiction, title, issuer, 文号, dates, period, fragment, cited plans, bylines.

Rules are about the layout of Chinese government documents and newspaper pages, not
about any one file:

- a plan's *head* is the text before its first heading, box or table (a portal page, a
  covering notice 关于印发…的通知, the title block of a PDF, a table of contents);
- jurisdiction: votes over area mentions (see `infer_jurisdiction`); a county named far more
  than its city (a district bureau's news) wins; a plan whose title or issuer opens with a
  county, after any official prefix of its city (宁波市鄞州区…), governs that county;
- title: the first short line of the head that ends like a document name (规划, 方案, …),
  joined to the line above when a cover page broke it (德清县质量发展 / “十四五”规划), an
  excerpt mark ((节选), (摘要)) left out and making the document a fragment; a covering
  notice yields the plan it publishes when no separate title line exists;
- issuer: the notice's sender (X关于印发…), a labelled 发文机关, a signature line (an
  organization followed by a date line), or an organization line of the title block;
- dates: a labelled 成文日期 or a standalone date line (2021年7月21日, 二〇二一年八月) is the
  date signed; 发布日期 / 公开日期 labels give the date published;
- period: an explicit span in or under the title ((2021~2025年)), a 规划期 sentence, or the
  five-year plan named in the title (“十四五” -> 2021-2025);
- articles: the first line is the headline unless it is a byline; 来源:, 记者 / 作者: bylines,
  a first line of two or more personal names, and a date(time) line, alone or opening a
  dateline (2022年9月6日 星期二 来源:…).
"""
from __future__ import annotations

import re
from collections import Counter

from ..model import AreaMention, AreaRef, CitedPlan, DocMeta, DocTree, Evidence, NormText, SourceDoc, Value
from ..numbers import cn_number, five_year_plan_years
from ..vocab import Gazetteer, per_gazetteer
from .citations import extract_citations
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
    for m in _DOC_NUMBER.finditer(text) if "〔" in text else ():  # a quick test: most texts cite none
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
        code = _dominant_county(code, areas, gaz) or code
    e = idx[code]
    support = [a for a in areas if a.code == code]
    return AreaRef(code=code, name=e.name, level=e.level), support


def _dominant_county(city: str, areas: list[AreaMention], gaz: Gazetteer) -> str | None:
    """The county a document is about when it names that county far more than its city or any
    other county (a district bureau's news: 黄岩区 x7, 台州 x2 in the newspaper's and an institute's name)."""
    idx = gaz.area_by_code
    counts = Counter(a.code for a in areas if a.code in idx and (a.code == city or idx[a.code].parent == city))
    counties = [(n, c) for c, n in counts.most_common() if c != city]
    if not counties:
        return None
    n, code = counties[0]
    runner_up = counties[1][0] if len(counties) > 1 else 0
    return code if n >= 3 and n > 2 * counts[city] and n > 2 * runner_up else None


# ------------------------------------------------------------------------------------- lines

class _Line:
    __slots__ = ("start", "end", "text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start, self.end, self.text = start, end, text


def _lines(text: str, start: int = 0, end: int | None = None) -> list[_Line]:
    end = len(text) if end is None else end
    out = []
    pos = start
    for raw in text[start:end].split("\n"):
        s = len(raw) - len(raw.lstrip())
        c = raw.strip()
        if c:
            out.append(_Line(pos + s, pos + s + len(c), c))
        pos += len(raw) + 1
    return out


def _value(doc: SourceDoc, nt: NormText, s: int, e: int, value: str | None = None) -> Value:
    return Value(value=nt.text[s:e] if value is None else value, evidence=evidence(doc, nt, s, e))


def _spaced(doc: SourceDoc, nt: NormText, s: int, e: int) -> str:
    """Normalized text of [s, e) with one space wherever the source had whitespace that
    normalization dropped (headline and byline spaces are meaningful, PDF spaces are not)."""
    out = [nt.text[s]] if e > s else []
    for i in range(s + 1, e):
        gap = doc.text[nt.ends[i - 1] : nt.offsets[i]]
        if gap and any(c.isspace() for c in gap) and not nt.text[i].isspace() and not nt.text[i - 1].isspace():
            out.append(" ")
        out.append(nt.text[i])
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _source_words(doc: SourceDoc, nt: NormText, s: int, e: int) -> list[tuple[int, int]]:
    """Split normalized [s, e) into words at source whitespace and at 、,/ separators."""
    words: list[tuple[int, int]] = []
    cur = s
    for i in range(s, e + 1):
        boundary = i == e or nt.text[i] in " \t、,/|;" or (
            i > s and any(c.isspace() for c in doc.text[nt.ends[i - 1] : nt.offsets[i]])
        )
        if boundary:
            if i > cur:
                words.append((cur, i))
            cur = i + 1 if i < e and nt.text[i] in " \t、,/|;" else i
    return words


# ------------------------------------------------------------------------------------- dates

_Y = r"(?:19|20)\d{2}|[〇零○Oo一二三四五六七八九]{4}"
_MD = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
_DATE_CN = re.compile(rf"({_Y})\s*年\s*(?:({_MD})\s*月(?:\s*({_MD})\s*[日号])?)?")
_DATE_ISO = re.compile(r"((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_DATE_LINE = re.compile(rf"^(?:{_DATE_CN.pattern}|{_DATE_ISO.pattern})$")
_SIGNED_LABEL = re.compile(r"(?:成文日期|成文时间|签发日期)\s*[::]\s*")
_PUBLISHED_LABEL = re.compile(r"(?:发布日期|公开日期|发布时间|印发日期|发文日期|发稿时间)\s*[::]\s*")
_ARTICLE_DATE_LABEL = re.compile(r"(?:发布日期|发布时间|发稿时间|日期|时间)\s*[::]\s*")



def parse_date(text: str) -> str | None:
    """ISO date as precise as the text: 2021-07-21, 2021-08 (二〇二一年八月), 2021; None if not a date."""
    m = _DATE_ISO.match(text) or _DATE_CN.match(text)
    if not m:
        return None
    y, mo, d = (cn_number(g) if g else None for g in m.groups()[:3])
    if y is None or not 1949 <= y <= 2100:
        return None
    if mo is None:
        return f"{y:04d}"
    if not 1 <= mo <= 12:
        return None
    if d is None:
        return f"{y:04d}-{mo:02d}"
    if not 1 <= d <= 31:
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _labelled_date(doc: SourceDoc, nt: NormText, label: re.Pattern[str], start: int, end: int) -> Value | None:
    for m in label.finditer(nt.text, start, end):
        d = _DATE_ISO.match(nt.text, m.end()) or _DATE_CN.match(nt.text, m.end())
        if d and d.end() <= end:
            iso = parse_date(d.group(0))
            if iso and "-" in iso:
                return _value(doc, nt, d.start(), d.end(), iso)
    return None


# A newspaper dateline: the date first, then a weekday or other fields (2022年9月6日 星期二 来源:…)
_DATELINE = re.compile(rf"^(?:{_DATE_CN.pattern}|{_DATE_ISO.pattern})(?=\s|星期|周[一二三四五六日天]|$)")


def _dateline(doc: SourceDoc, nt: NormText, ln: _Line) -> Value | None:
    m = _DATELINE.match(ln.text)
    iso = parse_date(m.group(0)) if m else None
    if not iso or "-" not in iso:
        return None
    return _value(doc, nt, ln.start, ln.start + m.end(), iso)


def _date_line(doc: SourceDoc, nt: NormText, ln: _Line) -> Value | None:
    if not _DATE_LINE.match(ln.text):
        return None
    iso = parse_date(ln.text)
    if not iso or "-" not in iso:
        return None
    return _value(doc, nt, ln.start, ln.end, iso)


# ------------------------------------------------------------------------------------- plans

_TITLE_END = re.compile(r"(?:规划|方案|纲要|意见|计划|办法|通知|决定|规定|细则|行动|报告|条例)$")
_PERIOD_PAREN = re.compile(r"\s*[((]\s*((?:19|20)\d{2})\s*(?:年)?\s*[-—–~至到]+\s*((?:19|20)\d{2})\s*年?\s*[))]\s*$")
_EXCERPT = re.compile(r"\s*[((](?:节选|摘要|摘编|节录)[))]\s*$")
_SPAN = re.compile(r"((?:19|20)\d{2})\s*年?\s*[-—–~至到]+\s*((?:19|20)\d{2})\s*年")
_PERIOD_SENTENCE = re.compile(r"规划(?:期限|期|时限|年限)\s*(?:为|是|:|从)?\s*")
_FYP = re.compile(r"十([一二三四五六七八九])五")
_NOTICE = re.compile(r"^(.{0,40}?)关于印发《?(.+?)》?的通知$")
_ORG_END = r"(?:人民政府|人民代表大会常务委员会|政府|办公室|办公厅|委员会|领导小组|局|厅|委|部|署|院|中心|协会)"
_ORG_LINE = re.compile(rf"^[\u4e00-\u9fff()]{{2,40}}?{_ORG_END}$")
_ISSUER_LABEL = re.compile(r"(?:发文机关|发文单位|制发机关|发布单位)\s*[::]\s*([\u4e00-\u9fff()]{2,40})")
# The red header of an official document: 湖州市人民政府文件 / 湖州市人民政府办公室文件
_RED_HEADER = re.compile(r"^([\u4e00-\u9fff()]{2,40})文件$")
_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,10})\s*[〔\[(【]\s*((?:19|20)\d{2})\s*[〕\])】]\s*(\d{1,4})\s*号")
_NUMBER_LABEL = re.compile(r"(?:发文字号|文号|发文号|字号)\s*[::]\s*")
_SENTENCE = re.compile(r"[。;!?]")


def _head_end(tree: DocTree, text: str) -> int:
    """Where the body starts: the first heading, box, table or appendix (a TOC is still head)."""
    starts = [s.start for s in tree.walk() if s.kind in ("heading", "box", "table", "appendix")]
    return min(starts, default=len(text))


def _toc_spans(tree: DocTree) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in tree.walk() if s.kind == "toc"]


def _title_head(lines: list[_Line], i: int, gaz: Gazetteer | None) -> _Line | None:
    """The first half of a title broken over two lines on a cover page ("德清县质量发展" then
    "“十四五”规划"): a short plain line right above that opens with an area name, when the
    title line itself does not."""
    if i == 0 or gaz is None:
        return None
    from .mentions import area_index

    prev, ln = lines[i - 1], lines[i]
    ai = area_index(gaz)

    def opens_with_area(t: str) -> bool:
        return bool(t) and t[0] in ai.lengths and bool(ai.names_at(t, 0))

    if (len(prev.text) <= 40 and not re.search(r"[。;,:!?、\s]", prev.text) and not _DATE_LINE.match(prev.text)
            and not _TITLE_END.search(prev.text) and not _ORG_LINE.match(prev.text) and not _NUMBER.search(prev.text)
            and opens_with_area(prev.text) and not opens_with_area(ln.text)):
        return prev
    return None


def _plan_title(doc: SourceDoc, nt: NormText, lines: list[_Line], gaz: Gazetteer | None = None) -> tuple[Value | None, int]:
    """(title, index of the title line or -1) from the head lines; a covering notice's plan as fallback."""
    notice = None
    for i, ln in enumerate(lines):
        # an excerpt mark is not part of the title: 舟山市质量发展“十四五”规划(节选)
        mark = _EXCERPT.search(ln.text)
        end = ln.start + mark.start() if mark else ln.end
        text = _PERIOD_PAREN.sub("", ln.text[: end - ln.start])
        if not (len(text) <= 60 and not _SENTENCE.search(text) and _TITLE_END.search(text)):
            continue
        n = _NOTICE.match(text)
        if n:
            if notice is None:
                s = ln.start + n.start(2)
                notice = _value(doc, nt, s, ln.start + n.end(2), _clean(n.group(2)))
            continue
        # The title as written on its line, a period in brackets included: 实施方案(2022—2024年)
        first = _title_head(lines, i, gaz)
        start = first.start if first else ln.start
        return _value(doc, nt, start, end, _clean(nt.text[start:end])), i
    return (notice, -1) if notice else (None, -1)


def _clean(title: str) -> str:
    return re.sub(r"\s+", "", title).strip("《》")


def _first_org(doc: SourceDoc, nt: NormText, ln: _Line) -> Value | None:
    """The first organization of a line of organizations (joint issuers are separated by spaces)."""
    words = _source_words(doc, nt, ln.start, ln.end)
    if words and _ORG_LINE.match(nt.text[words[0][0] : words[0][1]]):
        return _value(doc, nt, *words[0])
    return None


def _issuer(doc: SourceDoc, nt: NormText, lines: list[_Line], title_idx: int) -> Value | None:
    for ln in lines:  # the sender of a covering notice
        n = _NOTICE.match(ln.text)
        if n and n.group(1) and re.fullmatch(rf"[\u4e00-\u9fff()]{{2,40}}?{_ORG_END}", n.group(1)):
            return _value(doc, nt, ln.start, ln.start + len(n.group(1)))
    for ln in lines:
        m = _ISSUER_LABEL.search(ln.text) or _RED_HEADER.match(ln.text)
        if m and re.search(rf"{_ORG_END}$", m.group(1)):
            return _value(doc, nt, ln.start + m.start(1), ln.start + m.end(1))
    for i, ln in enumerate(lines[:-1]):  # a signature: organization line, then a date line
        if _DATE_LINE.match(lines[i + 1].text):
            org = _first_org(doc, nt, ln)
            if org:
                return org
    if title_idx >= 0:  # the title block: an organization line just under the title
        for ln in lines[title_idx + 1 : title_idx + 5]:
            org = _first_org(doc, nt, ln)
            if org:
                return org
    return None


def _doc_number(doc: SourceDoc, nt: NormText, lines: list[_Line]) -> Value | None:
    def value(s: int, m: re.Match[str]) -> Value:
        return _value(doc, nt, s + m.start(), s + m.end(), f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号")

    for ln in lines:
        lab = _NUMBER_LABEL.search(ln.text)
        if lab:
            m = _NUMBER.match(ln.text, lab.end())
            if m:
                return value(ln.start, m)
    for ln in lines:  # a document number alone on its line, under a notice title
        m = _NUMBER.fullmatch(ln.text)
        if m:
            return value(ln.start, m)
    return None


def _period(doc: SourceDoc, nt: NormText, lines: list[_Line], title_idx: int,
            title: Value | None) -> tuple[Value | None, Value | None]:
    text = nt.text
    spans: list[tuple[int, re.Match[str]]] = []
    if title_idx >= 0:  # in or just under the title line: (2021~2025年)
        for ln in lines[title_idx : title_idx + 2]:
            m = _SPAN.search(ln.text)
            if m:
                spans.append((ln.start, m))
                break
    if not spans:
        for m in _PERIOD_SENTENCE.finditer(text):
            s = _SPAN.match(text, m.end())
            if s:
                spans.append((0, s))
                break
    if spans:
        base, m = spans[0]
        a, b = int(m.group(1)), int(m.group(2))
        if a <= b <= a + 15:
            return (_value(doc, nt, base + m.start(1), base + m.end(1), str(a)),
                    _value(doc, nt, base + m.start(2), base + m.end(2), str(b)))
    if title is not None:
        # The five-year plan named in the title; the 3rd plan began in 1966, each lasts five years.
        s = _title_span(nt, title)
        m = _FYP.search(text, s[0], s[1]) if s else None
        years = five_year_plan_years(m.group(0)) if m else None
        if years:
            a, b = years
            return (_value(doc, nt, m.start(), m.end(), str(a)), _value(doc, nt, m.start(), m.end(), str(b)))
    return None, None


def _title_span(nt: NormText, title: Value) -> tuple[int, int] | None:
    """The normalized span of a title value (found by its source evidence)."""
    ev = title.evidence
    try:
        s = nt.offsets.index(ev.start)
    except ValueError:
        return None
    e = s
    while e < len(nt.text) and nt.ends[e] <= ev.end:
        e += 1
    return s, e


def _starts_mid_section(tree: DocTree, text: str) -> bool:
    """A fragment opens with body prose, or with a heading below chapter level (2.加强…)."""
    first = next((s for s in tree.walk() if s.kind == "heading"), None)
    if first is None:
        return bool(_SENTENCE.search(text[:300]))
    return first.level > 1 or bool(_SENTENCE.search(text[: first.start]))


def _own_area(doc: SourceDoc, nt: NormText, jur: AreaRef | None, values: list[Value | None],
              gaz: Gazetteer) -> tuple[AreaRef, Evidence] | None:
    """The county a plan's title or issuer starts with (德清县质量发展规划, 安吉县人民政府办公室).

    Votes over mentions find the prefecture city; a county's own plan governs the county.
    A name shared by several counties is taken only when one of them lies in the voted city.
    """
    idx = gaz.area_by_code
    for v in values:
        span = _title_span(nt, v) if v else None
        if span is None:
            continue
        head = nt.text[span[0] : span[1]]
        off = _enclosing_prefix(head, jur, gaz)  # 宁波市鄞州区…, 浙江省湖州市德清县…
        cands = _counties(gaz).starting(head, off)  # only len(cands) == 1 counts: order is irrelevant
        if jur is not None:
            inside = [a for a in cands if a.parent == jur.code or a.code == jur.code
                      or (a.parent in idx and idx[a.parent].parent == jur.code)]
            cands = inside or (cands if len(cands) == 1 and jur.level != "city" else [])
        if len(cands) == 1:
            a = cands[0]
            s0 = span[0] + off
            return AreaRef(code=a.code, name=a.name, level=a.level), evidence(doc, nt, s0, s0 + len(a.name))
    return None


class _Counties:
    """County names (two or more characters) by their first two characters, and the counties
    by name: a title is matched against the few names it can start with, not every area."""

    def __init__(self, gaz: Gazetteer) -> None:
        by_name: dict[str, list] = {}
        for a in gaz.areas:
            if a.level == "county" and len(a.name) >= 2:
                by_name.setdefault(a.name, []).append(a)
        self.by_name = by_name
        self.by_prefix: dict[str, list[str]] = {}
        for n in by_name:
            self.by_prefix.setdefault(n[:2], []).append(n)

    def starting(self, head: str, off: int) -> list:
        """The counties whose name `head` has at `off`, in gazetteer order within a name."""
        return [a for n in self.by_prefix.get(head[off : off + 2], ()) if head.startswith(n, off) for a in self.by_name[n]]


_COUNTIES: dict[int, tuple[Gazetteer, _Counties]] = {}


def _counties(gaz: Gazetteer) -> _Counties:
    """The _Counties of a gazetteer, cached by identity (like kg.extract.mentions.area_index)."""
    return per_gazetteer(_COUNTIES, gaz, _Counties)


def _enclosing_prefix(head: str, jur: AreaRef | None, gaz: Gazetteer) -> int:
    """Length of the names of the voted area and its ancestors that open `head` (浙江省宁波市 in 浙江省宁波市鄞州区)."""
    if jur is None:
        return 0
    idx = gaz.area_by_code
    names: set[str] = set()
    code = jur.code
    while code in idx:
        names.update(n for n in (idx[code].name, *idx[code].short_names) if len(n) >= 2)
        code = idx[code].parent
    off, moved = 0, True
    while moved:
        moved = False
        for n in sorted(names, key=len, reverse=True):
            if head.startswith(n, off):
                off, moved = off + len(n), True
                break
    return off


# ------------------------------------------------------------------------------------- articles

_SOURCE = re.compile(r"(?:来源|稿源|出处)\s*[::]\s*([^\s|::【】\[\]]{2,30})")
_BYLINE = re.compile(r"^[□■◇○◆●\s]*(?:本报|本台|本刊|本网|新华社|人民网)?(?:首席|特约|实习)?(?:记者|通讯员)\s*[::]?\s*")
_AUTHOR_LABEL = re.compile(r"(?:作者|撰稿|文)\s*[::/|]\s*")
_ROLE = re.compile(r"记者|通讯员|实习生|摄影|编辑|责任编辑|作者")
_NAME = re.compile(r"[\u4e00-\u9fff·]{2,4}")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _names(doc: SourceDoc, nt: NormText, s: int, e: int) -> list[Value]:
    out = []
    for a, b in _source_words(doc, nt, s, e):
        w = nt.text[a:b]
        role = _ROLE.match(w)
        if role:  # 记者张三 written without a space
            a += role.end()
            w = nt.text[a:b]
        if _NAME.fullmatch(w):
            out.append(_value(doc, nt, a, b))
        elif w and not _ROLE.fullmatch(w):
            break  # not a name list any more (编辑:… or prose)
    return out


def _name_line(doc: SourceDoc, nt: NormText, ln: _Line) -> list[Value]:
    """A line that is only personal names, two or more (a feature's byline without a label)."""
    words = _source_words(doc, nt, ln.start, ln.end)
    if len(words) < 2 or any(not re.fullmatch(r"[\u4e00-\u9fff·]{2,3}", nt.text[a:b]) for a, b in words):
        return []
    return [_value(doc, nt, a, b) for a, b in words]


_BREADCRUMB = re.compile(r">|当前位置|首页")
# 本报讯(记者 张三 通讯员 李四)近日…: the byline in brackets at the start of the first paragraph
_NEWS_LEAD = re.compile(r"^[^(\n]{0,12}讯\s*[(]\s*((?:本报|本台)?(?:记者|通讯员)[^)\n]{2,40})[)]")


def _article_meta(doc: SourceDoc, nt: NormText) -> dict:
    text = nt.text
    lines = _lines(text)
    out: dict = {"authors": []}
    head: list[_Line] = []
    lead: _Line | None = None
    for ln in lines[:15]:
        if _SENTENCE.search(ln.text) and len(ln.text) > 30:
            lead = ln
            break  # the first paragraph: the head is over
        head.append(ln)
    for i, ln in enumerate(head):
        # A dateline often carries the source too: 发布时间:2022-05-10 10:12 来源:丽水日报
        date = (_date_line(doc, nt, ln) or _labelled_date(doc, nt, _ARTICLE_DATE_LABEL, ln.start, ln.end)
                or _dateline(doc, nt, ln))
        if date and "signed" not in out:
            out["signed"] = date
        m = _SOURCE.search(ln.text)
        if m and "source" not in out:
            out["source"] = _value(doc, nt, ln.start + m.start(1), ln.start + m.end(1))
        if date or m:
            continue
        b = _BYLINE.match(ln.text)
        if b:
            out["authors"] += _names(doc, nt, ln.start + b.end(), ln.end)
            continue
        a = _AUTHOR_LABEL.match(ln.text)
        if a:
            out["authors"] += _names(doc, nt, ln.start + a.end(), ln.end)
            continue
        if i <= 1 and not out["authors"]:
            names = _name_line(doc, nt, ln)
            if names:
                out["authors"] += names
                continue
        # The headline: among the first lines, not page furniture (breadcrumbs, 字号/打印 buttons).
        if ("title" not in out and i <= 2 and 4 <= len(ln.text) <= 60 and not _SENTENCE.search(ln.text)
                and not _BREADCRUMB.search(ln.text) and len(_HAN.findall(ln.text)) >= 4):
            out["title"] = Value(value=_spaced(doc, nt, ln.start, ln.end), evidence=evidence(doc, nt, ln.start, ln.end))
    if not out["authors"] and lead is not None:
        n = _NEWS_LEAD.match(lead.text)
        if n:
            b = _BYLINE.match(n.group(1))
            out["authors"] += _names(doc, nt, lead.start + n.start(1) + (b.end() if b else 0), lead.start + n.end(1))
    if not out["authors"]:  # 作者: at the foot of the page
        for ln in lines[-5:]:
            a = re.search(r"作者\s*[::]\s*", ln.text)
            if a:
                out["authors"] += _names(doc, nt, ln.start + a.end(), ln.end)
    return out


# ------------------------------------------------------------------------------------- entry point


def extract_metadata(doc: SourceDoc, nt: NormText, tree: DocTree, gaz: Gazetteer, areas: list[AreaMention]) -> DocMeta:
    text = nt.text
    kind = detect_kind(text)
    jur, support = infer_jurisdiction(text, areas, gaz)
    jur_ev: tuple[Evidence, ...] = tuple(a.evidence for a in support[:3])
    if kind != "plan":
        a = _article_meta(doc, nt)
        return DocMeta(
            kind=kind, jurisdiction=jur, jurisdiction_evidence=jur_ev, title=a.get("title"), signed=a.get("signed"),
            source=a.get("source"), authors=tuple(a["authors"]),
        )
    body = _head_end(tree, text)
    tocs = _toc_spans(tree)
    head = [ln for ln in _lines(text, 0, body) if not any(s <= ln.start < e for s, e in tocs)]
    title, title_idx = _plan_title(doc, nt, head, gaz)
    signed = _labelled_date(doc, nt, _SIGNED_LABEL, 0, body)
    if signed is None:
        signed = next((v for v in (_date_line(doc, nt, ln) for ln in head) if v), None)
    if signed is None:  # a signature block at the very end
        signed = next((v for v in (_date_line(doc, nt, ln) for ln in _lines(text)[-6:]) if v), None)
    published = _labelled_date(doc, nt, _PUBLISHED_LABEL, 0, body)
    if published and signed and published.value == signed.value and published.evidence == signed.evidence:
        published = None
    start, end = _period(doc, nt, head, title_idx, title)
    cited: tuple[CitedPlan, ...] = tuple(extract_citations(doc, nt, tree, title.value if title else None))
    issuer = _issuer(doc, nt, head, title_idx)
    own = _own_area(doc, nt, jur, [title, issuer], gaz)
    if own is not None:
        jur = own[0]
        jur_ev = (own[1],) + tuple(a.evidence for a in areas if a.code == jur.code)[:2]
    return DocMeta(
        kind=kind,
        jurisdiction=jur,
        jurisdiction_evidence=jur_ev,
        title=title,
        issuer=issuer,
        doc_number=_doc_number(doc, nt, head),
        signed=signed,
        published=published,
        period_start=start,
        period_end=end,
        is_fragment=(title is None and _starts_mid_section(tree, text))
        or (title_idx >= 0 and bool(_EXCERPT.search(head[title_idx].text))),
        cited=cited,
    )
