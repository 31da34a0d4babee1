"""Stage 2: SourceDoc -> NormText. Pure str -> str steps, each keeping an offset map to the source.

Every step is a regex substitution run through `_substitute`, which keeps, for each
output character, the source span it came from. A character kept or replaced one for
one maps to its own source character; a replacement of different length maps every
output character to the whole matched source span; a deletion maps to nothing.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Callable

from .model import NormText, Repair, SourceDoc

Repl = Callable[[re.Match[str]], str]


def identity(text: str) -> NormText:
    n = len(text)
    return NormText(text=text, offsets=tuple(range(n)), ends=tuple(range(1, n + 1)))


def _substitute(nt: NormText, pattern: re.Pattern[str], repl: Repl | str, kind: str = "", record: bool = False) -> NormText:
    text, offs, ends = nt.text, nt.offsets, nt.ends
    out: list[str] = []
    o_offs: list[int] = []
    o_ends: list[int] = []
    repairs = list(nt.repairs)
    pos = 0
    for m in pattern.finditer(text):
        s, e = m.span()
        if s > pos:
            out.append(text[pos:s])
            o_offs.extend(offs[pos:s])
            o_ends.extend(ends[pos:s])
        new = repl(m) if callable(repl) else m.expand(repl)
        if new:
            if len(new) == e - s:
                o_offs.extend(offs[s:e])
                o_ends.extend(ends[s:e])
            else:
                src_s = offs[s] if e > s else (offs[s] if s < len(offs) else (ends[-1] if ends else 0))
                src_e = ends[e - 1] if e > s else src_s
                o_offs.extend([src_s] * len(new))
                o_ends.extend([src_e] * len(new))
            out.append(new)
        if record and e > s:
            repairs.append(Repair(kind=kind, start=offs[s], end=ends[e - 1], before=m.group(0), after=new))
        pos = e
    if pos == 0 and not out:
        return nt
    out.append(text[pos:])
    o_offs.extend(offs[pos:])
    o_ends.extend(ends[pos:])
    return NormText(text="".join(out), offsets=tuple(o_offs), ends=tuple(o_ends), repairs=tuple(repairs), excluded=nt.excluded)


# --- HTML ---------------------------------------------------------------------------------
_TAG = re.compile(r"<!--.*?-->|<(?:script|style)\b[^>]*>.*?</(?:script|style)\s*>|</?[A-Za-z][^<>]*>|<[A-Za-z][^<>\n]*$", re.S | re.I | re.M)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def strip_html(nt: NormText) -> NormText:
    """Drop tags (block tags become a line break) and decode entities."""

    def tag(m: re.Match[str]) -> str:
        t = m.group(0).lower()
        return "\n" if re.match(r"</?(p|div|br|tr|li|h\d|table|section|article)\b", t) else ""

    nt = _substitute(nt, _TAG, tag)
    return _substitute(nt, _ENTITY, lambda m: html.unescape(m.group(0)))


# --- width and spaces -----------------------------------------------------------------------
_WIDE = re.compile(r"[\uff01-\uff5e\u3000\u00a0\u2002-\u200b\u202f\u205f\ufeff]")


def _narrow(ch: str) -> str:
    o = ord(ch)
    if 0xFF01 <= o <= 0xFF5E:
        return chr(o - 0xFEE0)
    if ch == "\ufeff" or ch == "\u200b":
        return ""
    return " "


def fold_width(nt: NormText) -> NormText:
    """Full-width ASCII forms to half-width; NBSP, ideographic and other odd spaces to a plain space."""
    return _substitute(nt, _WIDE, lambda m: _narrow(m.group(0)))


# --- pinyin readings --------------------------------------------------------------------------
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\(([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}\d?)\)")


def strip_pinyin(nt: NormText) -> NormText:
    """Remove the pinyin reading that some mirrors print after a character: 揚(yáng) -> 揚."""
    return _substitute(nt, _PINYIN, "", kind="pinyin")


# --- traditional to simplified ----------------------------------------------------------------
@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


# Big5 mirrors convert 質量 to 品質 ("quality" in Taiwan usage); in mainland plans it is 质量.
_PINZHI = re.compile(r"品质(?=(发展|强市|强省|强国|提升|工作|监管|安全|管理|基础|技术|奖|月|第一|意识|水平|效益|变革|革命|精神|共治|考核|时代|标杆|标准|品牌|总体|状况|强县|强区))")
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def to_simplified(nt: NormText) -> NormText:
    if not any(ord(c) > 0x3400 for c in nt.text):
        return nt
    cc = _converter()

    def conv(m: re.Match[str]) -> str:
        run = m.group(0)
        out = cc.convert(run)
        if len(out) != len(run):  # keep the map one-to-one: fall back to characters
            out = "".join((cc.convert(ch) or ch)[:1] for ch in run)
        return out

    return _substitute(nt, _HAN_RUN, conv)


def fix_pinzhi(nt: NormText) -> NormText:
    return _substitute(nt, _PINZHI, "质量", kind="t2s-pinzhi", record=True)


# --- PDF line-break spaces ---------------------------------------------------------------------
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}“”《》（）()、])[ \t]+(?=[{_CJK}“”《》（）()])")


def join_cjk_spaces(nt: NormText) -> NormText:
    """PDF converters split words with spaces (万平 方米, 重 大 改 革); Chinese has no word spaces."""
    return _substitute(nt, _CJK_SPACE, "")


# --- the pipeline ---------------------------------------------------------------------------------
STEPS: tuple[Callable[[NormText], NormText], ...] = (
    strip_html,
    fold_width,
    strip_pinyin,
    to_simplified,
    fix_pinzhi,
    join_cjk_spaces,
)


def normalize_text(text: str) -> NormText:
    nt = identity(text)
    for step in STEPS:
        nt = step(nt)
    return nt


def normalize(doc: SourceDoc) -> NormText:
    """Normalize a document's decoded text for extraction."""
    return normalize_text(doc.text)


# --- injected spam tokens -------------------------------------------------------------------------
_ASCII_SEED = re.compile(r"[A-Za-z0-9]{3,}[A-Za-z][A-Za-z0-9]*|[A-Za-z]{3,}")
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\u4e00-\u9fff]")


def find_injected_tokens(text: str, min_count: int = 3, min_len: int = 10) -> list[str]:
    """Find a recurring machine-injected token (e.g. a gambling-site name pasted over a city name).

    A seed is an ASCII run that recurs; each occurrence is extended left and right while
    every occurrence agrees on the next token character. What survives must be long, mix
    ASCII and Chinese, and recur at least `min_count` times.
    """
    seeds: dict[str, list[int]] = {}
    for m in _ASCII_SEED.finditer(text):
        seeds.setdefault(m.group(0), []).append(m.start())
    found: set[str] = set()
    for seed, starts in seeds.items():
        if len(starts) < min_count:
            continue
        lo = list(starts)
        hi = [s + len(seed) for s in starts]
        while all(h < len(text) for h in hi) and len({text[h] for h in hi}) == 1 and _TOKEN_CHARS.match(text[hi[0]]):
            hi = [h + 1 for h in hi]
        while all(s > 0 for s in lo) and len({text[s - 1] for s in lo}) == 1 and _TOKEN_CHARS.match(text[lo[0] - 1]):
            lo = [s - 1 for s in lo]
        tok = text[lo[0] : hi[0]]
        ascii_n = sum(c.isascii() and c.isalnum() for c in tok)
        cjk_n = sum("\u4e00" <= c <= "\u9fff" for c in tok)
        if len(tok) >= min_len and ascii_n >= 3 and cjk_n >= 2:
            found.add(tok)
    # keep maximal tokens only
    return sorted((t for t in found if not any(t != u and t in u for u in found)), key=lambda t: (-len(t), t))


def replace_token(nt: NormText, token: str, replacement: str) -> NormText:
    """Replace every occurrence of an injected token, recording each repair (quotes keep the source text)."""
    return _substitute(nt, re.compile(re.escape(token)), replacement, kind="spam-token", record=True)
