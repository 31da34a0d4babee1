"""Numbers as plans write them: Arabic or Chinese numerals, 万/亿 scales, bound qualifiers.

A leaf module (imports nothing of ours). Three layers, each a pure function:

- `parse_number("1.5万") -> 15000.0`, `parse_number("三百") -> 300.0`: the full value.
- `parse_quantity("2万")  -> Quantity(value=2.0, scale="万")`: the value *as written* with the
  scale word kept apart, because plans state "2万台" and analysts compare 2 (万台), not 20000.
- `parse_bound("不低于96") -> Bound(96.0, "at_least", ...)`: a table cell or prose value with
  its qualifier (不低于 / 以上 / 左右 / 突破 / ≥ / […] for a cumulative figure).

Error policy: text that is not a number (完成, /, 第二, 前三, 达到省指标) gives None, never raises.
Ranks (第二, 前三) are not quantities even though they contain a numeral.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

CN_DIGITS = "零〇一二两三四五六七八九"
CN_UNITS = "十百千"
SCALES = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4}

_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
# A Chinese numeral needs at least one digit character; a lone 十/百/千 (十分, 百花) is not a number.
_CHINESE = rf"(?:[{CN_DIGITS}][{CN_DIGITS}{CN_UNITS}]*|十[{CN_DIGITS}]?)"
_SCALE = r"(?:万亿|千亿|百亿|亿|千万|百万|万)"
#: a number as written: Arabic or Chinese, with an optional 万/亿 scale word
NUMBER = rf"(?:{_ARABIC}|{_CHINESE})(?:{_SCALE})?"
NUMBER_RE = re.compile(NUMBER)
_QUANTITY = re.compile(rf"^(?P<num>{_ARABIC}|{_CHINESE})(?P<scale>{_SCALE})?$")


@dataclass(frozen=True)
class Quantity:
    value: float  # the number before the scale word: 1.5 for 1.5万
    scale: str = ""  # "", 万, 亿, 万亿 ...

    @property
    def full(self) -> float:
        return self.value * SCALES.get(self.scale, 1.0)


@dataclass(frozen=True)
class Bound:
    """A value with its qualifier, as in a target cell or a prose goal."""

    value: Optional[float]  # full value (scale applied); None when not numeric
    comparator: Optional[str] = None  # at_least | at_most | exactly | reach | about | exceed
    cumulative: bool = False  # written in [ ] (five-year cumulative figure)
    quantity: Optional[Quantity] = None  # the number as written


@lru_cache(maxsize=1)
def _cn2an():
    import cn2an  # 0.1 s import: only when a Chinese numeral actually occurs

    return cn2an


def _chinese_to_float(s: str) -> Optional[float]:
    s = s.replace("〇", "零")
    if all(c in "零一二两三四五六七八九" for c in s) and len(s) > 1:
        # digit-by-digit (二零二五): cn2an reads it as a year-like string; do it ourselves
        return float("".join(str("零一二三四五六七八九".index(c if c != "两" else "二")) for c in s))
    try:
        v = _cn2an().cn2an(s, "normal")
    except (ValueError, KeyError, AttributeError):
        return None
    return float(v)


def parse_quantity(text: str) -> Optional[Quantity]:
    """'2万' -> Quantity(2.0, '万'); '三百' -> Quantity(300.0); '1,200' -> Quantity(1200.0); else None."""
    m = _QUANTITY.match(text.strip())
    if not m:
        return None
    num = m.group("num")
    if num[0].isdigit():
        value: Optional[float] = float(num.replace(",", ""))
    else:
        value = _chinese_to_float(num)
    if value is None:
        return None
    return Quantity(value=value, scale=m.group("scale") or "")


def parse_number(text: str) -> Optional[float]:
    """The full value of a number as written: '1.5万' -> 15000.0, '三百' -> 300.0, '第二' -> None."""
    q = parse_quantity(text)
    return q.full if q else None


# Qualifiers around a value. Order matters: the first that matches wins.
_PREFIX = (
    (re.compile(r"^(?:不低于|不少于|不小于|≥|>=|大于等于|至少)"), "at_least"),
    (re.compile(r"^(?:不高于|不超过|不大于|≤|<=|小于等于|低于|少于|控制在)"), "at_most"),
    (re.compile(r"^(?:约|大约)"), "about"),
    (re.compile(r"^(?:突破|超过|超|高于|大于|>)"), "exceed"),
    # a level to get to, up or down (提高到98%, 降至0.3起); a bare 增加/新增 is an increment, not a level
    (re.compile(r"^(?:达到|达|(?:提高|提升|增加|增长|下降|减少)[到至]|增至|降[至到])"), "reach"),
    (re.compile(r"^(?:保持|稳定在|维持)"), "exactly"),
)
_SUFFIX = (
    (re.compile(r"(?:以上|及以上|或以上|\+)$"), "at_least"),
    (re.compile(r"(?:以下|以内|及以下)$"), "at_most"),
    (re.compile(r"(?:左右|上下)$"), "about"),
)
_RANK = re.compile(r"^(?:第|前|后|排名)")


def split_qualifiers(text: str) -> tuple[str, Optional[str], Optional[str]]:
    """'不低于96%以上' -> ('96%', 'at_least', 'at_least'): the core and the prefix/suffix comparators."""
    core = text.strip()
    pre = suf = None
    for pat, comp in _PREFIX:
        m = pat.match(core)
        if m:
            pre, core = comp, core[m.end():].strip()
            break
    for pat, comp in _SUFFIX:
        m = pat.search(core)
        if m:
            suf, core = comp, core[: m.start()].strip()
            break
    return core, pre, suf


def combine_comparators(prefix: Optional[str], suffix: Optional[str]) -> Optional[str]:
    """A suffix bound (以上, 左右) is more specific than a verb-like prefix (达到 90%以上 = at least 90)."""
    if suffix and prefix in (None, "reach", "exactly", "exceed"):
        return suffix
    return prefix or suffix


@lru_cache(maxsize=4096)  # table cells repeat (约束性, 100, /) and are read more than once per row
def parse_bound(text: str) -> Bound:
    """A table cell or a value phrase: '不低于96' -> Bound(96.0, 'at_least'); '[56]' -> cumulative 56.

    A bare number has no comparator (the gold and the plans leave it implicit).
    Units are not part of the cell text here: a trailing '%' is tolerated and dropped.
    """
    s = text.strip()
    cumulative = False
    m = re.fullmatch(r"[\[【]\s*(.*?)\s*[\]】]", s)
    if m:
        cumulative, s = True, m.group(1)
    if not s or _RANK.match(s):
        return Bound(value=None, cumulative=cumulative)
    core, pre, suf = split_qualifiers(s)
    core = core.rstrip("%％").strip()
    q = parse_quantity(core)
    if q is None:
        return Bound(value=None, cumulative=cumulative)
    return Bound(value=q.full, comparator=combine_comparators(pre, suf), cumulative=cumulative, quantity=q)


# --- small integers and five-year-plan names (headings, dates, 十四五) ------------------------------
_SMALL_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2, "○": 0, "O": 0, "o": 0}


def cn_number(s: str) -> Optional[int]:
    """A small Chinese or Arabic numeral as int (三 -> 3, 十二 -> 12, 二十 -> 20, 二〇二一 -> 2021, 12 -> 12)."""
    s = s.strip()
    if s.isdigit():
        return int(s)
    if not s or any(c not in _SMALL_DIGITS and c != "十" for c in s):
        return None
    if "十" in s:
        hi, _, lo = s.partition("十")
        return (_SMALL_DIGITS.get(hi, 1) if hi else 1) * 10 + (_SMALL_DIGITS.get(lo, 0) if lo else 0)
    n = 0
    for c in s:
        n = n * 10 + _SMALL_DIGITS[c]
    return n


def five_year_plan_years(name: str) -> Optional[tuple[int, int]]:
    """'十四五' -> (2021, 2025). The 3rd plan began in 1966; every plan since lasts five years."""
    m = re.fullmatch(r"(十?)([一二三四五六七八九]?)五", name)
    if not m or not (m.group(1) or m.group(2)):
        return None
    n = (10 if m.group(1) else 0) + (_SMALL_DIGITS[m.group(2)] if m.group(2) else 0)
    if n < 3:
        return None
    start = 1966 + 5 * (n - 3)
    return start, start + 4
