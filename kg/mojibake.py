"""Find mojibake (bytes decoded with the wrong codec or one byte out of step) and repair it where the bytes allow.

Detection scores every character for being out of place, then keeps dense runs:

- 1.0  U+FFFD, control and private-use characters; kana, bopomofo, Greek, Cyrillic (the
       symbol rows of GBK and Big5); a '?' touching a hanzi (a byte lost in
       decoding: Chinese text writes ？); hanzi outside the common set (GB2312 level 1 and its
       traditional forms); Latin-1 sequences typical of UTF-8 read as cp1252 (Ã¤, â€œ);
- 0.7  a simplified-only hanzi in a traditional text (GBK out of step yields simplified forms);
- 0.5  a hanzi that forms no common bigram with either neighbour (kg/data/bigrams.txt).

A window of WINDOW characters scoring at least WINDOW/2 with STRONG_MIN strong characters
(score >= 0.7) is suspect; overlapping suspect windows merge into a span, trimmed to strong
characters at both ends, never crossing a line break. Legit rare characters (names, places)
are isolated and never reach the density.

Repair re-encodes the span and decodes it again under each hypothesis (GBK or Big5 bytes
read one byte out of step; UTF-8 read as GBK, Big5 or cp1252) and keeps the candidate that
reads as common Chinese. Lost bytes ('?', U+FFFD) become U+FFFD in the repair.
"""
from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from .hanzi import char_table, common_bigrams, common_chars, convert_chars, distinct_chars, is_han, script_of_counts

WINDOW = 6
STRONG_MIN = 2
SPAN_STRONG_MIN = 3

# Kana, bopomofo, Greek and Cyrillic sit in the symbol rows of GBK/Big5: misaligned bytes land
# there often, Chinese government prose almost never does.
_SYMBOL_ROWS = re.compile("[\u0370-\u03ff\u0400-\u04ff\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf]")
# UTF-8 read as cp1252/Latin-1: a lead byte shown as Â..ô, then continuation bytes shown as
# C1 controls, Latin-1 punctuation or the cp1252 specials (€ ‚ ƒ „ … ‰ Š ‹ Œ Ž ' ' " " • – — ˜ ™ š › œ ž Ÿ).
_LATIN1_MOJI = re.compile(
    "(?:[\u00c2-\u00f4][\u0080-\u00bf\u2013-\u203a\u0152-\u0192\u02c6\u02dc\u20ac\u2122\ufffd]+)+"
)


@dataclass(frozen=True)
class MojibakeSpan:
    start: int  # offsets into the text scanned
    end: int
    text: str
    repaired: str = ""  # "" when no hypothesis reads as text
    how: str = ""  # which hypothesis repaired it


# U+FFFD, controls other than \t \n \r, C1 controls and private use: never in decoded text
_BAD = re.compile("[\ufffd\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")


@dataclass(frozen=True)
class _Context:
    """What scoring needs about the whole document, computed once."""

    traditional: bool
    simp: dict[str, str]  # hanzi -> simplified form
    strong: frozenset[str]  # distinct characters that score >= 0.7 on their own


def _context(text: str) -> _Context:
    distinct, han = distinct_chars(text)
    simp = convert_chars("t2s", han)
    s2t = char_table("s2t", han)  # look-ups only: the shared cache, no copy
    common = common_chars()
    # a text none of whose hanzi t2s changes is not traditional: count characters only otherwise
    traditional = any(simp[c] != c for c in han) and script_of_counts(Counter(text), han).kind == "traditional"
    strong = set(_BAD.findall("".join(distinct))) | set(_SYMBOL_ROWS.findall("".join(distinct)))
    strong |= han.difference(common)
    if traditional:
        strong |= {c for c in han if s2t[c] != c}
    return _Context(traditional=traditional, simp=simp, strong=frozenset(strong))


def char_scores(text: str, lo: int = 0, hi: int | None = None, ctx: _Context | None = None) -> list[float]:
    """How out of place each character of text[lo:hi] is (0 = ordinary); neighbours outside count."""
    n = len(text)
    hi = n if hi is None else hi
    ctx = ctx or _context(text)
    simp, strong = ctx.simp, ctx.strong
    common = common_chars()
    bigrams = common_bigrams()
    scores = [0.0] * (hi - lo)
    for m in _LATIN1_MOJI.finditer(text, lo, hi):
        for k in range(m.start(), m.end()):
            scores[k - lo] = 1.0
    for i in range(lo, hi):
        c = text[i]
        if c in strong:
            # a common hanzi is strong only as a simplified-only form in a traditional text
            scores[i - lo] = 0.7 if c in simp and c in common else 1.0
        elif c == "?":
            if (i > 0 and text[i - 1] in simp) or (i + 1 < n and text[i + 1] in simp):
                scores[i - lo] = 1.0
        elif c in simp and not scores[i - lo]:
            left = i > 0 and text[i - 1] in simp and simp[text[i - 1]] + simp[c] in bigrams
            right = i + 1 < n and text[i + 1] in simp and simp[c] + simp[text[i + 1]] in bigrams
            if not (left or right):
                scores[i - lo] = 0.5
    return scores


def _strong_positions(text: str, ctx: _Context) -> list[int]:
    pos: set[int] = set()
    if ctx.strong:
        cls = re.compile("[" + "".join(re.escape(c) for c in sorted(ctx.strong)) + "]")
        pos.update(m.start() for m in cls.finditer(text))
    n = len(text)
    for m in re.finditer(r"\?", text):
        i = m.start()
        if (i > 0 and text[i - 1] in ctx.simp) or (i + 1 < n and text[i + 1] in ctx.simp):
            pos.add(i)
    for m in _LATIN1_MOJI.finditer(text):
        pos.update(range(m.start(), m.end()))
    return sorted(pos)


def _window_spans(text: str, scores: list[float], lo: int) -> list[tuple[int, int]]:
    """Spans of text[lo:lo+len(scores)] where windows are dense, trimmed to strong characters."""
    n = len(scores)
    total = [0.0]
    strong = [0]
    for sc in scores:
        total.append(total[-1] + sc)
        strong.append(strong[-1] + (sc >= 0.7))
    suspect = [False] * n
    width = min(WINDOW, n)
    for i in range(0, n - width + 1):
        j = i + width
        dense = total[j] - total[i] >= WINDOW / 2 and strong[j] - strong[i] >= STRONG_MIN
        if dense and "\n" not in text[lo + i : lo + j]:
            for k in range(i, j):
                suspect[k] = True
    spans = []
    i = 0
    while i < n:
        if not suspect[i]:
            i += 1
            continue
        j = i
        while j < n and suspect[j]:
            j += 1
        s, e = i, j
        while s < e and scores[s] < 0.7:
            s += 1
        while e > s and scores[e - 1] < 0.7:
            e -= 1
        if sum(sc >= 0.7 for sc in scores[s:e]) >= SPAN_STRONG_MIN:
            spans.append((lo + s, lo + e))
        i = j
    return spans


def find_spans(text: str) -> list[tuple[int, int]]:
    """Dense runs of out-of-place characters, as (start, end) offsets.

    Only neighbourhoods of strong characters are scored in full: clean text costs one scan.
    """
    ctx = _context(text)
    positions = _strong_positions(text, ctx)
    spans: list[tuple[int, int]] = []
    group: list[int] = []
    for p in positions + [None]:
        if p is not None and (not group or p - group[-1] < WINDOW):
            group.append(p)
            continue
        if len(group) >= SPAN_STRONG_MIN:
            lo, hi = max(0, group[0] - WINDOW), min(len(text), group[-1] + WINDOW + 1)
            spans.extend(_window_spans(text, char_scores(text, lo, hi, ctx), lo))
        group = [p] if p is not None else []
    return spans


# --- repair -----------------------------------------------------------------------------------------
_FULL = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def _units(span: str, codec: str) -> list[list[tuple[int | None, ...]]] | None:
    """Per character, the byte strings it may have come from (None = a lost byte)."""
    out = []
    for ch in span:
        if ch in "?\ufffd":
            out.append([(None,)])
            continue
        alts = []
        for cand in (ch, _FULL.get(ch)):
            if cand is None:
                continue
            try:
                alts.append(tuple(cand.encode(codec)))
            except UnicodeEncodeError:
                continue
        if not alts:
            return None
        out.append(alts)
    return out


def _decode_pairs(seq: list[int | None], codec: str, skip_first: bool) -> str:
    out = []
    i = 0
    if skip_first and seq:
        out.append("\ufffd")
        i = 1
    n = len(seq)
    while i < n:
        b = seq[i]
        if b is not None and b < 0x80:
            out.append(chr(b))
            i += 1
            continue
        if i + 1 >= n or b is None or seq[i + 1] is None:
            out.append("\ufffd")
            i += 2
            continue
        try:
            out.append(bytes((b, seq[i + 1])).decode(codec))
        except UnicodeDecodeError:
            out.append("\ufffd")
        i += 2
    return "".join(out)


def _quality(text: str) -> tuple[float, int, int]:
    """(share of common hanzi among hanzi, number of hanzi, number of lost characters)."""
    common = common_chars()
    han = [c for c in text if is_han(c)]
    lost = text.count("\ufffd")
    if not han:
        return 0.0, 0, lost
    return sum(c in common for c in han) / len(han), len(han), lost


def _candidates(span: str):
    for codec, name in (("gbk", "GBK"), ("big5", "Big5")):
        units = _units(span, codec)
        if units is None:
            continue
        combos = 1
        for u in units:
            combos *= len(u)
        if combos > 64:
            units = [u[:1] for u in units]
        for choice in itertools.product(*units):
            seq = [b for part in choice for b in part]
            for skip in (False, True):
                how = f"re-encoded as {name}, decoded again " + ("one byte later" if skip else "in step")
                yield _decode_pairs(seq, codec, skip), how
    for wrong, name in (("gb18030", "GBK"), ("big5", "Big5"), ("cp1252", "cp1252")):
        try:
            raw = span.replace("\ufffd", "?").encode(wrong)
        except UnicodeEncodeError:
            continue
        yield raw.decode("utf-8", errors="replace"), f"UTF-8 bytes that were read as {name}"


def repair(span: str) -> tuple[str, str]:
    """(repaired text, how) for the best hypothesis that reads as common Chinese, else ("", "")."""
    base = _quality(span)[0]
    best: tuple[tuple[float, int], str, str] | None = None
    for cand, how in _candidates(span):
        q, han, lost = _quality(cand)
        if han < 2 or q < 0.85 or q < base + 0.15 or lost > 0.34 * len(cand):
            continue
        key = (q, -lost)
        if best is None or key > best[0]:
            best = (key, cand, how)
    if best is None:
        return "", ""
    return best[1], best[2]


def find_mojibake(text: str) -> list[MojibakeSpan]:
    """Every mojibake span of the text, with its repair where the bytes allow one."""
    if not text:
        return []
    out = []
    for s, e in find_spans(text):
        fixed, how = repair(text[s:e])
        out.append(MojibakeSpan(start=s, end=e, text=text[s:e], repaired=fixed, how=how))
    return out
