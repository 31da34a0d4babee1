"""Character statistics for reading Chinese text: common characters, script, bigrams, plausibility.

Used by `read` (which decoding of the bytes is plausible Chinese?), `mojibake` (which
characters are out of place?) and `salad` (does a paragraph read like language?). The
knowledge behind it is data, not a word list in code:

- common characters: GB2312 level 1, the 3,755 most frequently used hanzi (rows 16-55 of
  the standard), read from Python's own gb2312 codec, plus their traditional forms (OpenCC);
- common bigrams: kg/data/bigrams.txt (within-word pairs of a frequency dictionary);
- script: a character is traditional-only when OpenCC t2s changes it, simplified-only
  when s2t changes it.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from .resources import package_file

# CJK Unified Ideographs Extension A, CJK Unified Ideographs, CJK Compatibility Ideographs: the BMP hanzi
_BMP_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
HAN = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _BMP_BLOCKS)
HAN_RE = re.compile(f"[{HAN}]")
HAN_RUN = re.compile(f"[{HAN}]+")  # a run of BMP hanzi


def is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F


_IS_HAN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0003134f]")  # is_han, as a class


def han_chars(chars: Iterable[str]) -> set[str]:
    """The distinct hanzi among chars (a text, or a set of characters): `is_han` in one regex pass."""
    return set(_IS_HAN.findall(chars if isinstance(chars, str) else "".join(chars)))


@lru_cache(maxsize=8)  # t2s, s2t, s2tw, s2hk are in use: each loaded once per process
def opencc_converter(config: str):
    import opencc

    return opencc.OpenCC(config)


_CHAR_CACHE: dict[str, dict[str, str]] = {}  # config -> {char: converted char}
# configs whose stored table is loaded: a character of the BMP blocks (HAN) that is not in it is unchanged
_TABLED: set[str] = set()


def convert_chars(config: str, chars: Iterable[str]) -> dict[str, str]:
    """Per-character OpenCC conversion (no phrase context), cached: {char: converted char}."""
    cache = char_table(config, chars)
    return {c: cache[c] for c in chars}


def char_table(config: str, chars: Iterable[str]) -> dict[str, str]:
    """The shared per-character conversion table of a config, holding at least `chars` (for look-ups:
    no copy, unlike convert_chars; never modify it)."""
    if not _tables_loaded and config in TABLE_CONFIGS:
        load_char_tables()
    cache = _CHAR_CACHE.setdefault(config, {})
    todo = set(chars).difference(cache)
    if todo and config in _TABLED:
        unchanged = {c for c in todo if HAN_RE.fullmatch(c)}  # absent from the stored table: left as they are
        cache.update(zip(unchanged, unchanged))
        todo -= unchanged
    if todo:
        cache.update(_converted(config, sorted(todo)))
    return cache


def _converted(config: str, chars: list[str]) -> dict[str, str]:
    """OpenCC's conversion of each character on its own."""
    # one call for all characters: a newline stops phrase matching across them
    out = opencc_converter(config).convert("\n".join(chars)).split("\n")
    if len(out) != len(chars) or any(len(o) != 1 for o in out):
        out = [(opencc_converter(config).convert(c) or c)[:1] for c in chars]
    return dict(zip(chars, out))


# The per-character tables of the configs in use, for the three BMP blocks, are computed once and kept
# in the user cache (only the characters a conversion changes: about 60 KB). Loading OpenCC's s2t, s2tw
# and s2hk to convert a few thousand characters cost every process about 80 ms, and freeing them at exit
# about 70 ms more (every worker of `kg build --jobs N` too). Characters outside the blocks are
# converted as before.
TABLE_CONFIGS = ("t2s", "s2t", "s2tw", "s2hk")
_TABLES_FORMAT = b"qpkg opencc char tables 1"
_tables_loaded = False


def _tables_path():
    import hashlib

    import opencc

    from .vocab import user_cache_dir

    try:
        code = package_file("hanzi.py").read_bytes()  # the code that builds the tables is part of the key
    except OSError:
        return None  # not installed as files (a zip): no cache
    h = hashlib.sha256(_TABLES_FORMAT)
    h.update(getattr(opencc, "__version__", "?").encode())
    h.update(code)
    return user_cache_dir() / f"opencc-chars-{h.hexdigest()[:16]}.json"


def load_char_tables() -> None:
    """Fill the per-character tables from the user cache, computing and storing them if absent
    (once per process; a cache that cannot be read or written only costs time)."""
    global _tables_loaded
    if _tables_loaded:
        return
    _tables_loaded = True
    import json

    path = _tables_path()
    data = None
    if path is not None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not (isinstance(data, dict) and set(data) == set(TABLE_CONFIGS)
                    and all(isinstance(v, dict) for v in data.values())):
                data = None
        except (OSError, ValueError):
            data = None
    if data is None:
        chars = [chr(o) for lo, hi in _BMP_BLOCKS for o in range(lo, hi + 1)]
        data = {config: {c: o for c, o in _converted(config, chars).items() if o != c} for config in TABLE_CONFIGS}
        if path is not None:  # a read-only home: the next process computes them again
            from .atomic import write_cache

            write_cache(path, [json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")])
    for config, changed in data.items():
        _CHAR_CACHE.setdefault(config, {}).update(changed)
        _TABLED.add(config)


@lru_cache(maxsize=1)
def common_simplified() -> frozenset[str]:
    """GB2312 level 1: the 3,755 most frequently used hanzi, straight from the codec."""
    out = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # the five unassigned cells at the end of row 55
    return frozenset(out)


@lru_cache(maxsize=1)
def common_chars() -> frozenset[str]:
    """Common hanzi in either script: GB2312 level 1 plus its traditional forms.

    OpenCC's own standard (s2t: 爲), Taiwan (s2tw: 為) and Hong Kong (s2hk) forms all count.
    """
    simp = common_simplified()
    out = set(simp)
    for config in ("s2t", "s2tw", "s2hk"):
        out.update(convert_chars(config, simp).values())
    return frozenset(out)


@lru_cache(maxsize=1)
def common_bigrams() -> frozenset[str]:
    """Frequent simplified hanzi bigrams (kg/data/bigrams.txt)."""
    text = package_file("data", "bigrams.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


_T2S_SEEN: set[str] = set()  # hanzi whose t2s form simplified_view has looked up
_T2S_CHANGED: set[str] = set()  # those of them that t2s changes
_T2S_TABLE: dict[int, str] = {}  # and their translation table


# The distinct hanzi of the last text read by `distinct_chars`. Normalization asks about one text
# twice (mojibake scoring, then the salad check, whose text is the same object when t2s and the
# markers changed nothing): the second time costs no pass over the characters. Held by reference,
# so the identity test cannot match a new string at a reused address.
_LAST_HAN: tuple[str | None, set[str]] = (None, set())


def distinct_chars(text: str) -> tuple[set[str], set[str]]:
    """The distinct characters of text, and the hanzi among them."""
    global _LAST_HAN
    distinct = set(text)
    han = han_chars(distinct)
    _LAST_HAN = (text, han)
    return distinct, han


def _han_of(text: str) -> set[str]:
    last, han = _LAST_HAN
    return han if last is text else han_chars(set(text))


def simplified_view(text: str) -> str:
    """The text with every hanzi replaced by its simplified form, one character for one."""
    han = _han_of(text)
    new = han.difference(_T2S_SEEN)
    if new:
        for c, s in convert_chars("t2s", new).items():
            if s != c:
                _T2S_CHANGED.add(c)
                _T2S_TABLE[ord(c)] = s
        _T2S_SEEN.update(new)
    # a simplified text (most of them) has none to change: no translate pass
    return text if han.isdisjoint(_T2S_CHANGED) else text.translate(_T2S_TABLE)


@dataclass(frozen=True)
class Script:
    han: int  # hanzi counted
    traditional_only: int  # characters that t2s changes (發, 質)
    simplified_only: int  # characters that s2t changes (发, 质)

    @property
    def kind(self) -> str:
        """simplified | traditional | mixed | none."""
        if self.han == 0:
            return "none"
        if self.traditional_only >= 3 * max(1, self.simplified_only) and self.traditional_only >= 0.05 * self.han:
            return "traditional"
        if self.simplified_only >= 3 * max(1, self.traditional_only) or self.traditional_only < 0.02 * self.han:
            return "simplified"
        return "mixed"


def script_of(text: str) -> Script:
    return script_of_counts(Counter(text))  # counting in C, then one look at each distinct character


def script_of_counts(counts: Counter[str], han_set: set[str] | None = None) -> Script:
    """`script_of` a text from its character counts (Counter(text)) and, if known, its distinct hanzi."""
    han = {c: counts[c] for c in (han_chars(counts) if han_set is None else han_set)}
    t2s = char_table("t2s", han)
    s2t = char_table("s2t", han)
    return Script(
        han=sum(han.values()),
        traditional_only=sum(n for c, n in han.items() if t2s[c] != c),
        simplified_only=sum(n for c, n in han.items() if s2t[c] != c),
    )


@dataclass(frozen=True)
class Plausibility:
    """How much a decoded text looks like Chinese (or plain text): the basis of encoding detection."""

    chars: int  # non-space characters
    han: int
    common: int  # hanzi in the common set
    bad: int  # replacement, control and private-use characters

    @property
    def score(self) -> float:
        """common-hanzi share minus twice the bad-character share; 1.0 for text without hanzi or damage."""
        if self.chars == 0:
            return 0.0
        common_share = self.common / self.han if self.han else 1.0
        return common_share - 2.0 * self.bad / self.chars


_SPACE = re.compile(r"\s")  # str.isspace, as a class
# characters that decoded text should not contain: replacement, control (but \t \n \r \f), private use
_BAD = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")


def plausibility(text: str) -> Plausibility:
    counts = Counter(text)
    distinct = "".join(counts)  # the characters are sorted into classes by regex, not one by one
    space = set(_SPACE.findall(distinct))
    han_set = han_chars(distinct)
    bad_set = set(_BAD.findall(distinct)).difference(space)  # \x1c-\x1f and \x85 are spaces
    han = sum(map(counts.__getitem__, han_set))
    return Plausibility(
        chars=len(text) - sum(map(counts.__getitem__, space)),
        han=han,
        common=sum(map(counts.__getitem__, han_set.intersection(common_chars()))),
        bad=sum(map(counts.__getitem__, bad_set)),
    )


def bigram_coverage(text: str) -> tuple[float, int]:
    """(share of adjacent hanzi pairs that are common bigrams, number of pairs), on the simplified view."""
    bigrams = common_bigrams()
    pairs = [r[i : i + 2] for r in HAN_RUN.findall(simplified_view(text)) for i in range(len(r) - 1)]
    if not pairs:
        return 0.0, 0
    return sum(p in bigrams for p in pairs) / len(pairs), len(pairs)
