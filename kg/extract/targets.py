"""Targets (qp:Target) from indicator tables and from running prose.

**Tables** (`kg.tables` finds them; `tree.tables` when the segmenter filled it). A table is a
target table when its header has an indicator column (指标 / 主要指标 / 二级指标 / 指标名称)
and at least one value column with a year (2025年目标值, 2025年规划目标值, 2022年, …).
Header roles:
- columns before the indicator (except 序号) are category levels, joined with `/`
  (`综合指标/质量建设`); 单位 is the unit (`/` or empty: none); 属性 gives `binding`
  (约束性 true, 预期性 false);
- a year column is a baseline when it says 实际/现状/基期/基数/基准/完成, a target when it
  says 目标/规划/预期, and a bare year is a baseline when it is not after the plan's
  reference year (the year before its period starts); every target column gives one Target.
Cells: `不低于96` -> 96 at_least, `[56]` -> 56 cumulative, `/`, 完成, 第二, 前三 -> text only.
`cumulative` is true for a bracketed value or an indicator marked `(累计)`, false for the
other rows of a table that uses those marks, and unknown otherwise. Without a unit column,
a unit in brackets after the indicator is the unit (`制造业产品质量合格率(%)`).

**Prose.** A sentence (up to 。!? or a line, bullet or cell break) is read clause by clause
(clauses end at , ; :, never inside quotes or brackets). Markers switch a scope that lasts
to the end of the sentence, later markers overriding earlier ones; a sentence that sets no
scope of its own takes the scope of the sentence before it in the same paragraph
(`到2025年,总体目标。具体指标…。`), and a paragraph of a goals section (发展目标, 主要目标)
without one is future, for the first year the section names:
- future: 到/至2025年(底|末), 2025年前, a five-year period (“十四五”期间/期末/末/时期) that
  ends after the reference year, an aspiration word (力争, 争取, 确保, 目标是/为), or a
  bare year after the reference year. The target year is the stated year, the period's end,
  or for a bare aspiration the plan's period end (none for an article); 今年底 / 年内 is
  the year the document is dated, and 到2023年底 in a text dated 2023 is still ahead;
- past: a year or period not after the reference year, 截至, 已, 目前, 同比, 比上年. Past
  clauses never give targets (`2020年,实现服务业增加值1473.3亿元` is a result). A year
  after 比/较 is a comparison (`比2020年增加8件`), not a scope.
In a future scope a clause gives a target when it *ends* with a value — a number (Arabic
or Chinese, 万/亿 kept in the unit as written: `2万台` is 2 with unit 万台) followed by a
unit, with its qualifiers (不低于/以上 at_least, 左右/约 about, 突破/超过 exceed, 达到 reach,
不超过/以内 at_most, 保持 exactly). The indicator is the noun phrase before the value or
before its verb (达到, 突破, 保持, 提高到 …), without scope words (全市, 当年, 其中, 实现,
创建, 建成 …; 基本/全面 only before a verb: 基本实现, but 基本药物); a scope marker between
the subject and its value (顾客满意度指数力争达到85分, 合格率2025年达到96%) leaves the
subject before it; `培育60家企业成为X` measures `X企业`; `A和B分别达到93%以上、95%以上` gives
two targets; `A1家、B5家` gives one target per value; a clause that starts with 占
(`占GDP比重10%`) or has no subject at all (`;到2025年,累计达到30项`) borrows the previous
subject. A generic measure with at most a two-character qualifier (产值, 检验机构, 完成投资)
names no indicator and gives no target.
Rates per year (每年 …) and ranges (1—2个) are skipped. The same goal stated twice
(a box repeated in an appendix) is kept once, and a goal equal to a table row is dropped.

Clauses in excluded spans (mojibake, spam) are not read. Ordinals: table rows first in
table order, prose after in text order.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Iterable, Optional

from ..model import DocMeta, DocTree, Evidence, NormText, SourceDoc, Table, TableCell, Target
from ..numbers import (
    NUMBER, combine_comparators, five_year_plan_years, parse_bound, parse_number, parse_quantity, split_qualifiers,
)
from ..tables import find_tables
from .evidence import evidence

__all__ = ["extract_targets", "table_targets", "prose_targets"]


def extract_targets(doc: SourceDoc, nt: NormText, tree: DocTree, meta: DocMeta) -> list[Target]:
    """Table rows (in table order), then prose goals (in text order), ordinals 1..n."""
    tables = tree.tables or find_tables(nt)
    start, end = plan_period(meta, nt.text)
    ref = start - 1 if start else _latest_past_year(nt.text)
    rows = table_targets(doc, nt, tables, ref)
    target_spans = [(t.start, t.end) for t in tables if _roles(t, ref) is not None]
    dated = meta.signed or meta.published
    doc_year = int(dated.value[:4]) if dated and dated.value[:4].isdigit() else None
    goals = [(s.start, s.end) for s in tree.walk() if s.kind == "heading" and _GOAL_HEADING.search(s.title)]
    prose = prose_targets(doc, nt, ref_year=ref, period_end=end, skip=target_spans, first_ordinal=len(rows) + 1, known=rows,
                          doc_year=doc_year, goal_spans=goals)
    return rows + prose


# --- the plan's own period ---------------------------------------------------------------------


# A section that states the plan's goals: 发展目标, 主要目标, (二)总体目标, 目标任务
_GOAL_HEADING = re.compile(r"目标(?:与任务|和任务|任务)?$")


_OWN_FYP = re.compile(r"“?(十?[一二三四五六七八九]?五)”?(?:规划|时期|期间)")
_SPAN = re.compile(r"(20\d\d)\s*年?\s*[—\-~～至到]\s*(20\d\d)\s*年")


def plan_period(meta: DocMeta, text: str) -> tuple[Optional[int], Optional[int]]:
    """(start, end) years of the document's own plan period: metadata first, else its opening lines."""
    try:
        if meta.period_start and meta.period_end:
            return int(meta.period_start.value[:4]), int(meta.period_end.value[:4])
    except ValueError:
        pass
    if meta.kind != "plan":
        return None, None
    head = text[:400]
    m = _SPAN.search(head)
    if m and int(m.group(2)) - int(m.group(1)) in range(1, 16):
        return int(m.group(1)), int(m.group(2))
    m = _OWN_FYP.search(head)
    years = five_year_plan_years(m.group(1)) if m else None
    return years if years else (None, None)


_YEAR = re.compile(r"(?<![\d.])(19\d\d|20\d\d)年")


def _latest_past_year(text: str) -> Optional[int]:
    """For an article: the latest year it mentions outside 到20XX年 (it reports up to then)."""
    years = [int(m.group(1)) for m in _YEAR.finditer(text) if not re.search(r"[到至]\s*$", text[max(0, m.start() - 2) : m.start()])]
    return max(years) if years else None


# --- tables -------------------------------------------------------------------------------------------
_INDICATOR_COL = re.compile(r"(?:[二三四]级|主要|具体)?指标(?:名称)?|指标项|名称")
_SEQ_COL = re.compile(r"序号|编号")
_UNIT_COL = re.compile(r"(?:计量)?单位")
_ATTR_COL = re.compile(r"(?:指标)?属性|性质")
_YEAR_COL = re.compile(r"(\d{4})年(底|末)?(.*)")
_BASE_WORDS = re.compile(r"实际|现状|基期|基数|基准|完成")
_TARGET_WORDS = re.compile(r"目标|规划|预期")
_NO_UNIT = {"", "/", "-", "—", "无"}


@dataclass(frozen=True)
class _Roles:
    """What each header column of a target table holds (column indexes)."""

    categories: tuple[int, ...]
    seq: Optional[int]
    indicator: int
    unit: Optional[int]
    attr: Optional[int]
    baseline: Optional[tuple[int, int]]  # (column, year)
    targets: tuple[tuple[int, int], ...]  # (column, year) per target column


def _roles(table: Table, ref: Optional[int]) -> Optional[_Roles]:
    h = table.header
    ind = [i for i, x in enumerate(h) if _INDICATOR_COL.fullmatch(x)]
    if not ind:
        return None
    indicator = ind[-1]
    years: list[tuple[int, int, str]] = []
    for i, x in enumerate(h):
        m = _YEAR_COL.fullmatch(x)
        if m and i > indicator:
            years.append((i, int(m.group(1)), m.group(3)))
    base: list[tuple[int, int]] = []
    targets: list[tuple[int, int]] = []
    bare = [y for y in years if not _BASE_WORDS.search(y[2]) and not _TARGET_WORDS.search(y[2])]
    for i, year, words in years:
        if _BASE_WORDS.search(words):
            base.append((i, year))
        elif _TARGET_WORDS.search(words):
            targets.append((i, year))
        elif ref is not None:
            (base if year <= ref else targets).append((i, year))
        elif len(bare) >= 2 and year == min(y[1] for y in bare) and not any(_BASE_WORDS.search(y[2]) for y in years):
            base.append((i, year))  # 2020年 | 2025年 with no reference year: the earlier is the baseline
        else:
            targets.append((i, year))
    if not targets:
        return None

    def find(rx: re.Pattern[str]) -> Optional[int]:
        return next((i for i, x in enumerate(h) if rx.fullmatch(x)), None)

    seq = find(_SEQ_COL)
    return _Roles(
        categories=tuple(i for i in range(indicator) if i != seq),
        seq=seq,
        indicator=indicator,
        unit=find(_UNIT_COL),
        attr=find(_ATTR_COL),
        baseline=base[-1] if base else None,
        targets=tuple(targets),
    )


def table_targets(doc: SourceDoc, nt: NormText, tables: Iterable[Table], ref: Optional[int] = None) -> list[Target]:
    """One Target per row and target column of every target table, ordinals from 1."""
    out: list[Target] = []
    for table in tables:
        roles = _roles(table, ref)
        if roles is None:
            continue
        marks = any(_is_cumulative(r, roles) for r in table.rows)
        for row in table.rows:
            ind_cell = row[roles.indicator]
            if not ind_cell.text or nt.is_excluded(ind_cell.start, max(ind_cell.end, ind_cell.start + 1)):
                continue
            category = "/".join(row[i].text for i in roles.categories if row[i].text)
            unit = row[roles.unit].text if roles.unit is not None else ""
            indicator = ind_cell.text
            in_name = _UNIT_IN_NAME.fullmatch(indicator) if unit in _NO_UNIT else None
            if in_name:  # no unit column: 制造业产品质量合格率(%)
                indicator, unit = in_name.group(1), in_name.group(2)
            binding = None
            if roles.attr is not None:
                a = row[roles.attr].text
                binding = True if a.startswith("约束") else False if a.startswith(("预期", "指导")) else None
            base_cell = row[roles.baseline[0]] if roles.baseline else None
            base = parse_bound(base_cell.text) if base_cell is not None and base_cell.text else None
            cumulative = True if _is_cumulative(row, roles) else (False if marks else None)
            ev = _row_evidence(doc, nt, row, roles)
            for col, year in roles.targets:
                cell = row[col]
                if not cell.text:
                    continue
                b = parse_bound(cell.text)
                out.append(
                    Target(
                        ordinal=len(out) + 1,
                        indicator=indicator,
                        evidence=ev,
                        category=category,
                        unit=None if unit in _NO_UNIT else unit,
                        target_text=cell.text,
                        target_value=b.value,
                        target_year=year,
                        baseline_text=base_cell.text if base is not None else None,
                        baseline_value=base.value if base is not None else None,
                        baseline_year=roles.baseline[1] if roles.baseline else None,
                        comparator=b.comparator if b.value is not None else None,
                        binding=binding,
                        cumulative=cumulative,
                        source="table",
                        category_iri=_category_iri(category),
                    )
                )
    return out


def _category_iri(category: str) -> str:
    """The target-category concept of the innermost level the vocabulary knows (综合指标/质量建设 -> 质量建设)."""
    if not category:
        return ""
    from ..vocab import load_gazetteer  # cached; the build has loaded it already

    gaz = load_gazetteer()
    for level in reversed(category.split("/")):
        entry = gaz.category_for_label(level)
        if entry is not None:
            return str(entry.iri)
    return ""


def _is_cumulative(row: tuple[TableCell, ...], roles: _Roles) -> bool:
    cols = [c for c, _ in roles.targets] + ([roles.baseline[0]] if roles.baseline else [])
    if any(parse_bound(row[c].text).cumulative for c in cols if row[c].text):
        return True
    return row[roles.indicator].text.endswith("(累计)")


def _row_evidence(doc: SourceDoc, nt: NormText, row: tuple[TableCell, ...], roles: _Roles) -> Evidence:
    """The row's own span: from its first cell to its last (filled-down and trailing group cells excluded)."""
    anchor = row[roles.seq] if roles.seq is not None and row[roles.seq].text else row[roles.indicator]
    line_start = nt.text.rfind("\n", 0, anchor.start) + 1
    body = [c for i, c in enumerate(row) if c.text and i not in roles.categories]
    own = [c for c in body if c.start >= anchor.start]
    end = max(c.end for c in own)
    starts = [c.start for c in own] + [row[i].start for i in roles.categories if row[i].text and line_start <= row[i].start < anchor.start]
    return evidence(doc, nt, min(starts), end)


# --- prose --------------------------------------------------------------------------------------------------
_UNITS = (
    "个百分点|百分点|%|‰|"
    "微克/立方米|毫克/立方米|毫克/升|万元/人|元/人|吨/万元|"
    "平方公里|平方千米|平方米|立方米|公顷|公里|千米|米|亩|吨|千瓦时|千瓦|兆瓦|"
    "亿元|万元|元|美元|"
    "万人次|人次|个|家|项|件|张|座|所|条|台|套|辆|名|人|户|次|处|种|款|支|部|批次|批|宗|份|本|篇|类|株|棵|头|只|"
    "小时|分钟|天|岁|倍|分|级|星|起"
)
_SCALE_UNIT = r"(?:万亿|千亿|百亿|亿|千万|百万|万)"
_UNIT_IN_NAME = re.compile(rf"(.+?)\s*\(((?:{_SCALE_UNIT})?(?:{_UNITS}))\)")
_VERBS = (
    r"提高到|提高至|提升到|提升至|增加到|增加至|增长到|增长至|增至|降至|降到|下降到|下降至|减少到|减少至|控制在|稳定在|"
    r"增加|新增|保持在|保持|达到|突破|超过|不低于|不少于|不小于|不高于|不超过|不大于|低于|高于|达|为|超"
)
_VALUE = re.compile(
    rf"(?P<verb>{_VERBS})?(?P<pre>约|大约)?(?P<num>{NUMBER})(?P<unit>(?:{_SCALE_UNIT})?(?:{_UNITS}))?(?P<suf>以上|及以上|以下|以内|左右)?$"
)
_ENTERPRISE = re.compile(rf"^(?P<lead>[\u4e00-\u9fff]{{0,4}}?)(?P<num>{NUMBER})(?P<unit>家|个)(?P<noun>企业|单位|项目|产品)(?:成为|入选|获评|列入|纳入)(?P<what>.+)$")
_CN_YEAR = r"二[〇零][一二三四五六七八九〇零]{2}"
# The marker patterns run over every text: each opens with a lookahead for its possible first
# characters (or is written as plain alternatives), which lets the regex engine skip most
# positions at once; an optional group at the start otherwise makes it try every one (2-4x).
_FUTURE_YEAR = re.compile(
    rf"(?=[到至于2二])(?:(?:到|至|于)\s*(20\d\d|{_CN_YEAR})\s*年(?:底|末|年底|年末)?(?:前)?|(20\d\d|{_CN_YEAR})\s*年(?:底|末)?前)"
)
# a year after 比/较 (比2020年增加8件) is the reference of a comparison, not the clause's time
_BARE_YEAR = re.compile(r"(?=20\d\d)(?<![\d~\-—至到比较])(20\d\d)\s*年(?:底|末)?(?![\d度])")
_FYP = re.compile(r"(?=[“十一二三四五六七八九])“?(十?[一二三四五六七八九]?五)”?(?:期间|期末|末|时期|规划期)")
_ASPIRE = re.compile(r"力争|争取|确保|预计到|主要目标[是为]|总体目标[是为]|发展目标[是为]|目标[是为]")
_PAST = re.compile(r"截至|截止|已|同比|比上年|较上年|上年度|以来|目前")
# the end of the current year, in an article or a notice dated that year (今年以来 is past)
_SOON = re.compile(r"(?:今年|本年度?)(?:底|末|内)(?:前)?|年内|年底前")
_SKIP = re.compile(r"每年|逐年|\d\s*[—\-~～至]\s*\d|[一二三四五六七八九]\s*[—\-~～至]\s*[一二三四五六七八九]")
_LEAD = re.compile(
    r"^(?:并|且|同时|另外|此外|其中|届时|力争|争取|确保|实现|使|全市|全县|全区|全省|全域|我市|本市|我县|本县|我区|当年|年度|"
    r"创建|建成|打造|(?:基本|全面)(?=实现|建成|建立|形成|完成|达到|覆盖|消除|普及|具备|满足|保持)|累计|力争在|努力|计划|投入使用)+"
)
_SENTENCE = re.compile(r"[^。!?\n¨|]+")  # a sentence: a run between two ends (。!? line break ¨ |)


def _sentences(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, continues): `continues` when the sentence follows a full stop in the same paragraph."""
    # a sentence that does not open the text starts right after the end mark before it
    return [(s, e, s > 0 and text[s - 1] in "。!?") for s, e in map(re.Match.span, _SENTENCE.finditer(text))]


_CLAUSE_MARK = re.compile(r"[“(《\[【”)》\]】,;:]")


def _clauses(text: str, s: int, e: int) -> Iterable[tuple[int, int]]:
    """Clauses of text[s:e], split at , ; : outside quotes and brackets."""
    depth = 0
    start = s
    for m in _CLAUSE_MARK.finditer(text, s, e):  # only the marks: most characters are neither
        ch = m.group()
        if ch in "“(《[【":
            depth += 1
        elif ch in "”)》]】":
            depth = max(0, depth - 1)
        elif depth == 0:
            i = m.start()
            if i > start:
                yield start, i
            start = i + 1
    if e > start:
        yield start, e


def prose_targets(
    doc: SourceDoc,
    nt: NormText,
    ref_year: Optional[int] = None,
    period_end: Optional[int] = None,
    skip: Iterable[tuple[int, int]] = (),
    first_ordinal: int = 1,
    known: Iterable[Target] = (),
    doc_year: Optional[int] = None,
    goal_spans: Iterable[tuple[int, int]] = (),
) -> list[Target]:
    """Goals stated in running text (see the module docstring for the rules).

    `doc_year` (the year the document is dated) resolves 今年底 / 年内 (none: no year).
    `goal_spans` are the sections that state the plan's goals (发展目标): a paragraph there
    that sets no scope of its own is future, for the first year the section named
    ("到2025年,…总体目标。" then "(一)产品质量。…合格率保持在96%以上").
    """
    goals = sorted(goal_spans)
    goal_year: dict[tuple[int, int], int] = {}
    text = nt.text
    skip = list(skip)
    seen = {(t.indicator, t.target_value, t.target_year) for t in known}
    out: list[Target] = []
    carried: tuple[Optional[bool], Optional[int]] = (None, None)
    markers = _MarkerIndex(text)
    sentences = _sentences(text)
    marked = _sentences_to_read(sentences, markers, skip, goals)
    for k, (ss, se, continues) in enumerate(sentences):
        if k not in marked and not (continues and carried[0]):
            # no marker, table or goal section, and no scope carried into it: nothing to read (most
            # sentences). As below, only the carried scope changes: it ends with the paragraph.
            if not continues:
                carried = (None, None)
            continue
        if skip and any(a < se and ss < b for a, b in skip):
            carried = (None, None)
            continue
        # "到2025年,总体目标。具体指标…。": the scope of a paragraph's opening sentence goes on
        # through the sentences after it that set no scope of their own
        future, year = carried if continues else (None, None)
        goal = next((g for g in goals if g[0] <= ss < g[1]), None) if goals else None
        if goal is not None and future is None:
            future, year = True, goal_year.get(goal, period_end)
        if not future and not markers.any_in(ss, se):
            carried = (future, year)  # no clause of it can be a goal: most sentences of a plan
            continue
        prev_subject = ""
        last: Optional[tuple[str, int, str]] = None  # the sentence's latest goal: (indicator, evidence start, unit)
        whole = ""  # after 其中: the indicator the next goal is a part of
        excluded = nt.is_excluded(ss, se)  # clauses are checked only in a sentence that needs it
        for cs, ce in _clauses(text, ss, se):
            cs, ce = _strip(text, cs, ce)
            if ce <= cs or excluded and nt.is_excluded(cs, ce):
                continue
            clause = text[cs:ce]
            body_start = cs
            # markers, in order; the text after the last marker is the clause body, unless the marker
            # stands between a subject and its value (顾客满意度指数力争达到85分): then the body
            # starts after the marker before it
            body_rel = prev_end = last_start = 0
            for kind, y, mstart, end in markers.clause(text, cs, ce):
                if kind == "soon":  # 今年底, 年内: a goal for the year the document is dated
                    future, year = True, doc_year if doc_year is not None else year
                elif (kind == "future" and ref_year is not None and y is not None and y <= ref_year
                      and (doc_year is None or y < doc_year)):
                    # 2016年至2020年: a past span (but 到2023年底 in a text dated 2023 is still ahead)
                    future, year = False, None
                elif kind == "future":
                    future, year = True, y if y is not None else year
                elif kind == "past":
                    future, year = False, None
                elif kind == "year":
                    if ref_year is not None and y <= ref_year:
                        future, year = False, None
                    elif ref_year is not None:
                        future, year = True, y
                    else:
                        year = y  # undecided: needs an aspiration word or 到
                elif kind == "aspire":
                    future = True
                prev_end, last_start, body_rel = body_rel, mstart, end
            if last_start > prev_end and future:
                m = _VALUE.search(clause, body_rel)
                if m and m.group("unit") and not _indicator(clause[body_rel : m.start()]) \
                        and _indicator(clause[prev_end:last_start]):
                    body_rel = prev_end
            body_start = cs + body_rel
            if not future:
                prev_subject, last, whole = "", None, ""
                continue
            ty = year if year is not None else period_end
            if text.startswith("其中", body_start) and last is not None:
                whole = last[0]  # 数字经济增加值…,其中:核心产业增加值… names a part of that whole
            found = _parse_list(text, body_start, ce, prev_subject)
            found, last = _elided(text, body_start, found, last, whole)
            if found:
                whole = ""
            elif text[body_start:ce].strip() not in ("", "其中"):
                last, whole = None, ""
            # a following 占GDP比重10% refers to this clause's subject (before 年均增长 etc.)
            if found:
                prev_subject = re.split(r"年均|增长|增速|占", found[0][0])[0]
            elif body_start < ce:  # a clause that is only a marker (到2025年,) keeps the subject
                prev_subject = ""
            if _SKIP.search(clause):
                continue
            cumulative = True if "累计" in clause else None
            for indicator, vs, ve, value_text, value, unit, comp in found:
                key = (indicator, value, ty)
                if key in seen:
                    continue
                seen.add(key)
                out.append(
                    Target(
                        ordinal=first_ordinal + len(out),
                        indicator=indicator,
                        evidence=evidence(doc, nt, vs, ve),
                        unit=unit or None,
                        target_text=value_text,
                        target_value=value,
                        target_year=ty,
                        comparator=comp,
                        cumulative=cumulative,
                        source="prose",
                    )
                )
        carried = (future, year)
        if goal is not None and future and year is not None:
            goal_year.setdefault(goal, year)
    return out


# verbs that say what a counted goal counts (新增, 培育, 获批 …): the items after the first of an
# elliptical list share them ("新增A2个,B40个" counts new Bs)
_COUNT_VERB = re.compile(r"^(?:新增|新建|培育|获批|引进|认定|争创|申报|制定|制修订)")
# an item that opens with a verb of its own states what it counts itself
_OPENING_VERB = re.compile(
    r"^(?:新增|新建|培育|获批|引进|认定|争创|申报|制定|制修订|修订|主导|参与|创建|建成|建设|打造|提升|实施|推广|发布|"
    r"完成|扶持|支持|通过|获得|实现|开展|组织|举办|建立|形成|推动|引导|增加|减少|降低|提高|保持|达到|突破)"
)
# what may stand between an item's start and its indicator without being a verb of its own
_NO_VERB_HEAD = re.compile(r"[\s、,]*(?:全市|全县|全区|全省|我市|本市|我县|本县|我区|其中|并|且|同时)*[\s、:]*")
# classifiers of counted things: only a count borrows a counting verb (新增…50亿元 is no count)
_COUNT_UNIT = re.compile(r"(?:万|千|百)?(?:个|家|项|件|张|座|所|条|台|套|辆|名|人|户|次|处|种|款|支|部|批次|批|宗|份|本|篇|类|株|棵|头|只|人次)")


def _elided(text: str, start: int, found: list, last: Optional[tuple[str, int, str]], whole: str):
    """Complete the goals of a clause that an elliptical sentence leaves short; return them and the new last goal.

    - "新增鲁班奖、国家优质工程奖2个,钱江杯40个,飞英杯260个": a count with neither a verb nor a
      qualifier of its own takes the counting verb of the count before it (新增钱江杯), and its
      evidence starts where that verb is written;
    - "数字经济增加值达到4000亿元以上,其中:核心产业增加值年均增长12%以上": after 其中 a part
      named with the same measure as the whole (…增加值) is named in full (数字经济核心产业增加值…).
    Items of a 分别 list are left as they are.
    """
    out = []
    head_start = start
    for item in found:
        ind, vs, ve, value_text, value, unit, comp = item
        head = text[head_start:vs] if head_start <= vs else ""
        if whole and not out:
            full = _part_of(whole, ind)
            if full != ind:
                ind, vs = full, last[1] if last else vs
        elif (
            last is not None
            and "分别" not in text[start:ve]
            and _NO_VERB_HEAD.fullmatch(head)
            and not _OPENING_VERB.match(ind)
            and not re.match(_VERBS, value_text)
            and _COUNT_UNIT.fullmatch(unit or "")
            and _COUNT_UNIT.fullmatch(last[2])
        ):
            m = _COUNT_VERB.match(last[0])
            if m and not ind.startswith(m.group(0)):
                ind, vs = m.group(0) + ind, last[1]
        out.append((ind, vs, ve, value_text, value, unit, comp))
        last = (ind, vs, unit or "")
        head_start = ve + 1
    return out, last


_MEASURE = re.compile(r"(?:增加值|产值|营业收入|收入|利润|税收|销售额|出口额|总量|规模|投资额)$")


def _part_of(whole: str, part: str) -> str:
    """数字经济增加值 + 核心产业增加值年均增长 -> 数字经济核心产业增加值年均增长: the part named within
    the whole, when the whole ends in a statistical measure (增加值, 产值, 营业收入 …) that the part
    names after a qualifier of its own, and that qualifier is not a level (省级…, 市…: those name a
    subset in full already)."""
    m = _MEASURE.search(whole)
    if m is None or m.start() == 0 or re.match(r"[省市县区]|国家", part):
        return part
    qualifier = whole[: m.start()]
    if part.find(m.group(0)) < 2 or part.startswith(qualifier):
        return part
    return qualifier + part


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t、":
        s += 1
    while e > s and text[e - 1] in " \t、":
        e -= 1
    return s, e


def _find_markers(text: str) -> list[tuple[int, str, Optional[int], int]]:
    """(start, kind, year, end) of every scope marker in text, sorted."""
    found: list[tuple[int, str, Optional[int], int]] = []
    taken: list[tuple[int, int]] = []
    for m in _FUTURE_YEAR.finditer(text):
        found.append((m.start(), "future", int(parse_number(m.group(1) or m.group(2)) or 0), m.end()))
        taken.append(m.span())
    for m in _FYP.finditer(text):
        years = five_year_plan_years(m.group(1))
        if years:
            found.append((m.start(), "fyp", years[1], m.end()))
            taken.append(m.span())
    if taken:
        taken.sort()
        starts = [a for a, _ in taken]
    for m in _BARE_YEAR.finditer(text):
        if taken:
            k = bisect_right(starts, m.start()) - 1
            if k >= 0 and taken[k][0] <= m.start() < taken[k][1]:
                continue
        found.append((m.start(), "year", int(m.group(1)), m.end()))
    for m in _ASPIRE.finditer(text):
        found.append((m.start(), "aspire", None, m.end()))
    for m in _SOON.finditer(text):
        found.append((m.start(), "soon", None, m.end()))
    for m in _PAST.finditer(text):
        found.append((m.start(), "past", None, m.end()))
    found.sort()
    return found


def _markers(clause: str) -> list[tuple[str, Optional[int], int, int]]:
    """(kind, year, start and end offsets in clause) of every scope marker, in order."""
    # a five-year period is a year marker for its end year
    return [("year" if k == "fyp" else k, y, s, e) for s, k, y, e in _find_markers(clause)]


def _sentences_to_read(
    sentences: list[tuple[int, int, bool]], markers: "_MarkerIndex", skip: list[tuple[int, int]],
    goals: list[tuple[int, int]],
) -> set[int]:
    """Indexes of the sentences `prose_targets` must read whatever scope it carries: those with a
    scope marker (`_MarkerIndex.any_in`), those that touch a skipped span, and those that start in
    a goal section. Found by bisection from the markers and spans, not sentence by sentence."""
    starts = [s for s, _, _ in sentences]
    ends = [e for _, e, _ in sentences]
    out: set[int] = set()

    def overlapping(a: int, b: int) -> range:  # the sentences with a < end and start < b
        return range(bisect_right(ends, a), bisect_left(starts, b))

    for m in markers.starts:
        k = bisect_right(starts, m) - 1
        if k >= 0 and m < ends[k]:
            out.add(k)
    for a, b in (*markers.loose, *skip):
        out.update(overlapping(a, b))
    for a, b in goals:
        out.update(range(bisect_left(starts, a), bisect_left(starts, b)))
    return out


class _MarkerIndex:
    """The markers of a whole text, found once and handed out per clause (as `_markers` of the
    clause would find them: no marker crosses a clause mark, and none starts or ends in the
    spaces a clause is stripped of). A marker that spans a line break (到\n2025年) would not be
    found within one clause: the clauses it touches are read on their own."""

    def __init__(self, text: str) -> None:
        self.found = _find_markers(text)
        self.starts = [f[0] for f in self.found]
        self.loose = [(s, e) for s, _, _, e in self.found if "\n" in text[s:e]]

    def any_in(self, s: int, e: int) -> bool:
        """Does a marker start in [s, e) (or a line-spanning one touch it)?"""
        i = bisect_left(self.starts, s)
        if i < len(self.starts) and self.starts[i] < e:
            return True
        return bool(self.loose) and any(a < e and s < b for a, b in self.loose)

    def clause(self, text: str, cs: int, ce: int) -> list[tuple[str, Optional[int], int, int]]:
        if self.loose and any(s < ce and cs < e for s, e in self.loose):
            return _markers(text[cs:ce])
        out = []
        i = bisect_left(self.starts, cs)
        found = self.found
        while i < len(found) and found[i][0] < ce:
            s, k, y, e = found[i]
            out.append(("year" if k == "fyp" else k, y, s - cs, e - cs))
            i += 1
        return out


_LIST_VALUE = re.compile(rf"{NUMBER}(?:{_SCALE_UNIT})?(?:{_UNITS})(?:以上|及以上|以下|以内|左右)?(?=、)")


def _parse_list(text: str, s: int, e: int, prev_subject: str) -> list[tuple[str, int, int, str, float, str, Optional[str]]]:
    """A clause listing several goals, each with its value (培育省政府质量奖企业1家、县政府质量奖企业5家):
    split after every value that a 、 follows, and read each part (a 分别 list is read as a whole)."""
    body = text[s:e]
    cuts = [m.end() for m in _LIST_VALUE.finditer(body)] if "分别" not in body else []
    if not cuts:
        return _parse_clause(text, s, e, prev_subject)
    out = []
    for a, b in zip([0, *[c + 1 for c in cuts]], [*cuts, len(body)]):
        found = _parse_clause(text, s + a, s + b, prev_subject)
        if found:
            prev_subject = found[0][0]
        out.extend(found)
    return out


def _parse_clause(text: str, s: int, e: int, prev_subject: str) -> list[tuple[str, int, int, str, float, str, Optional[str]]]:
    """Targets stated by text[s:e]: (indicator, span start, span end, value text, value, unit, comparator)."""
    s, e = _strip(text, s, e)
    body = text[s:e]
    out = []
    m = _ENTERPRISE.match(body)
    if m:
        q = parse_quantity(m.group("num"))
        what = m.group("what")
        noun = m.group("noun")
        if q is not None and what:
            ind = what if what.endswith(noun) else what + noun
            vt = m.group("num") + m.group("unit")
            out.append((ind, s, e, vt, q.value, q.scale + m.group("unit"), None))
        return out
    m = _RESPECTIVELY.match(body)
    if m:
        return _respectively(text, s, e, body, m)
    m = _VALUE.search(body)
    if not m or not (m.group("unit") or ""):
        return out
    if m.start("num") > 0 and re.match(r"[\d.\u4e00-\u9fff]", body[m.start("num") - 1]) and not m.group("verb") and not m.group("pre"):
        # a Chinese numeral glued to the word before it (十四五, 四大) is not a value
        if not body[m.start("num")].isdigit() and re.match(r"[零〇一二两三四五六七八九十百千]", body[m.start("num") - 1]):
            return out
    q = parse_quantity(m.group("num"))
    if q is None:
        return out
    unit = q.scale + _unit_word(m.group("unit"), q.scale)
    verb = m.group("verb") or ""
    _, pre_comp, _ = split_qualifiers(verb) if verb else ("", None, None)
    suf = m.group("suf") or ""
    suf_comp = split_qualifiers("0" + suf)[2] if suf else None
    comp = combine_comparators(pre_comp or ("about" if m.group("pre") else None), suf_comp)
    head = body[: m.start()]
    value_text = body[m.start("verb") if verb else m.start("pre") if m.group("pre") else m.start("num") :]
    ind = _indicator(head)
    if ind.startswith("占") and prev_subject:
        ind = prev_subject + ind
    elif not ind and prev_subject:
        ind = prev_subject  # "A20项以上;到2025年,累计达到30项": the same indicator, a later year
    if not _good_indicator(ind):
        return out
    span_start = s + body.find(ind) if ind in body else s
    out.append((ind, span_start, e, value_text, q.value, unit, comp))
    return out


def _unit_word(unit: str, scale: str) -> str:
    return unit[len(scale) :] if scale and unit.startswith(scale) else unit


_RESPECTIVE_VALUE = re.compile(rf"(?P<num>{NUMBER})(?P<unit>{_UNITS})?(?P<suf>以上|及以上|以下|以内|左右)?")
_RESPECTIVELY = re.compile(rf"(?P<subj>.+?)分别(?P<verb>{_VERBS})?(?P<vals>[^,;]+)$")


def _respectively(text: str, s: int, e: int, body: str, m: re.Match[str]):
    """A和B分别达到93%以上、95%以上 -> one target per subject, values in order."""
    subjects = m.group("subj")
    verb = m.group("verb") or ""
    names = [x for x in re.split(r"和|、|及|与", subjects) if x]
    parts = [p for p in m.group("vals").split("、") if p]
    vals = [_RESPECTIVE_VALUE.fullmatch(p) for p in parts]
    if len(names) != len(parts) or not all(vals):
        return []
    last_unit = next((v.group("unit") for v in reversed(vals) if v.group("unit")), "")
    out = []
    pos = m.start("vals")
    for name, part, v in zip(names, parts, vals):
        ind = _indicator(name)
        q = parse_quantity(v.group("num"))
        if q is None or not _good_indicator(ind):
            return []
        suf = v.group("suf") or ""
        comp = combine_comparators(split_qualifiers(verb)[1] if verb else None, split_qualifiers("0" + suf)[2] if suf else None)
        ps = body.index(part, pos)
        pos = ps + len(part)
        out.append((ind, s + body.find(ind), s + ps + len(part), part, q.value, q.scale + (v.group("unit") or last_unit), comp))
    return out


# scope words between a subject and its value (合格率力争达到, 合格率到2025年达到)
_TRAIL = re.compile(rf"(?:力争|争取|确保|努力|(?:[到至于]\s*)?(?:20\d\d|{_CN_YEAR})\s*年(?:底|末)?前?)+$")


def _indicator(head: str) -> str:
    ind = head.strip(" 、")
    prev = None
    while prev != ind:
        prev = ind
        ind = _TRAIL.sub("", _LEAD.sub("", ind)).strip(" 、")
    return ind


def _good_indicator(ind: str) -> bool:
    if not 2 <= len(ind) <= 50:
        return False
    if not re.search(r"[\u4e00-\u9fffA-Za-z]", ind):
        return False
    if re.search(r"(20\d\d)年|[。;]", ind):
        return False
    if _BARE_VERB.fullmatch(ind):
        return False  # 建设两个中心: the verb alone names nothing
    if _VAGUE.fullmatch(ind):
        return False  # 产值突破30亿元, 检验机构达到200家: whose output, which bodies? the subject is elsewhere
    return not re.fullmatch(r"[\u4e00-\u9fff]?(?:的|和|及|等|其)", ind)


# A generic measure with at most a two-character qualifier names no indicator on its own.
_VAGUE = re.compile(r"[\u4e00-\u9fff]{0,2}(?:产值|总量|规模|收入|投资|产量|数量|机构|总额|金额)")
_BARE_VERB = re.compile(r"(?:建设|培育|新增|新建|创建|打造|完成|实现|推动|开展|组织|举办|制定|修订|发布|引进|建立|形成|扶持|支持|新增培育)")
