"""Find word-salad paragraphs: spun or scrambled text and keyword stuffing that mirror sites inject.

A paragraph (a line of normalized text) with at least MIN_HAN hanzi is salad when either:

- scrambled: fewer than MAX_SCRAMBLED of its adjacent hanzi pairs are common bigrams
  (kg/data/bigrams.txt). Ordinary prose, tables and lists of names all stay above 0.25 on
  the bundled corpus; text whose characters are shuffled or spun at random falls near 0.05;
- stuffed: it is a list of at least MIN_TOKENS whitespace- or underscore-separated tokens
  without sentence punctuation, in which the tokens repeat (distinct/total <= MAX_DISTINCT)
  or one token recurs at least MIN_REPEAT times. Chinese prose has no word spaces, so a
  paragraph made of separated, repeating keywords is an SEO list, not a sentence.

Table rows (two or more '|') are never salad: cells are short and unpunctuated by nature.
The detector marks spans; it never deletes text (offsets stay exact).
"""
from __future__ import annotations

import re
from collections import Counter

from .hanzi import HAN_RUN, common_bigrams, simplified_view

MIN_HAN = 30
MAX_SCRAMBLED = 0.12
MIN_TOKENS = 8
MAX_DISTINCT = 0.6
MIN_REPEAT = 4

_SENTENCE = re.compile(r"[。;;!?!?]")
_SEPARATOR = re.compile(r"[\s_]+")


def salad_reason(paragraph: str, simplified: str | None = None) -> str:
    """Why a paragraph is salad ('' when it reads as language). `simplified`: its simplified view, if known."""
    runs = HAN_RUN.findall(simplified if simplified is not None else simplified_view(paragraph))
    han = sum(map(len, runs))
    if han < MIN_HAN or paragraph.count("|") >= 2:
        return ""
    bigrams = common_bigrams()
    pairs = han - len(runs)
    if pairs >= MIN_HAN - 5:
        coverage = _bigram_hits("\n".join(runs), bigrams, pairs) / pairs
        if coverage < MAX_SCRAMBLED:
            return f"scrambled text: {coverage:.0%} of {pairs} character pairs are common bigrams"
    if _SENTENCE.search(paragraph):
        return ""  # a sentence is not a keyword list
    # punctuation-only pieces (the '>' of a breadcrumb) are separators, not words
    tokens = [t for t in _SEPARATOR.split(paragraph.strip()) if any(c.isalnum() for c in t)]
    if len(tokens) >= MIN_TOKENS:
        counts = Counter(tokens)
        distinct = len(counts) / len(tokens)
        top, n = counts.most_common(1)[0]
        if distinct <= MAX_DISTINCT or n >= MIN_REPEAT:
            return f"keyword stuffing: {len(tokens)} separated tokens, {len(counts)} distinct, {top!r} {n}x"
    return ""


_CHUNK = 32


def _bigram_hits(joined: str, bigrams: frozenset[str], pairs: int) -> int:
    """How many adjacent pairs of `joined` (runs of hanzi joined by line breaks) are common bigrams.

    A pair across two runs holds a line break and is never a bigram, so this counts the pairs within
    runs. It counts a chunk at a time and stops once the share reaches MAX_SCRAMBLED: the paragraph
    is then not scrambled whatever the rest holds (a partial count is only ever used for that).
    """
    hits = 0
    for k in range(0, len(joined) - 1, _CHUNK):
        seg = joined[k : k + _CHUNK + 1]
        hits += sum(map(bigrams.__contains__, map(str.__add__, seg, seg[1:])))
        if hits / pairs >= MAX_SCRAMBLED:
            break
    return hits


def find_salad(text: str) -> list[tuple[int, int, str]]:
    """(start, end, reason) of every salad paragraph, offsets into text, leading/trailing spaces trimmed."""
    out = []
    simplified = simplified_view(text)  # one character for one: offsets agree with text
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if len(line) < MIN_HAN:
            continue
        why = salad_reason(line, simplified[start : start + len(line)])
        if why:
            s = start + (len(line) - len(line.lstrip()))
            e = start + len(line.rstrip())
            out.append((s, e, why))
    return out
