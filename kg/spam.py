"""Injected spam tokens: find a recurring machine-pasted string and recover the place name it replaced.

Mirror sites replace a word of the page, typically the city name, by a gambling or SEO
string (the Shaoxing plan reads `365bet电脑网站_…人民政府` for 绍兴市人民政府).

Finding: a seed is an ASCII run that recurs; each occurrence is extended left and right while
every occurrence agrees on the next character. A token survives when it recurs MIN_COUNT
times, is at least MIN_LEN long, mixes at least four ASCII letters/digits with two hanzi,
and looks machine-made (`spam_signals`: letters and digits fused in one run like `365bet`,
segments joined by `_` or `|`, an ASCII run repeated inside it, a URL fragment). Two signals
make a token spam; one signal (ISO9001质量管理体系认证) is enough only when the token also
hides a place name. Ordinary repeated ASCII (APP, 5G, GDP, PM2.5, R&D) fails these tests.

Recovering: the token is replaced only when the document itself says which place it hides:
- the six-digit area code inside the portal's index number (索引号 11330600… -> 330600),
- the document number's prefix (绍政发 -> 绍 -> 绍兴市),
- intact mentions of the place elsewhere (绍兴 23x),
and the place's full name never appears intact (the injection took all of them). The
evidence is written into the repair's note. A spam token (two signals) with no recoverable
place is excluded from extraction instead.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .model import NormText

MIN_COUNT = 3
MIN_LEN = 8

_ASCII_SEED = re.compile(r"[A-Za-z0-9]{3,}")
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_|.\-\u4e00-\u9fff]")
# The issuer's unified social credit code opens a portal's index number: 2 characters, the
# six-digit area code, 9 more and a check character (GB 32100).
_INDEX_CODE = re.compile(r"索引号\s*[::]?\s*[0-9A-HJ-NPQRTUWXY]{2}(\d{6})[0-9A-HJ-NPQRTUWXY]{10}")
_DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,6}?)(?:政办?|府|委办?|办)?[发办函字]\s*[〔\[(]\s*(\d{4})\s*[〕\])]\s*\d+\s*号"
)


def spam_signals(token: str) -> int:
    """How machine-made a token looks (0 = like ordinary text)."""
    n = 0
    if re.search(r"(?=[A-Za-z0-9]*[A-Za-z])(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{4,}", token):
        n += 1  # letters and digits fused in one run: 365bet
    if re.search(r"[\u4e00-\u9fffA-Za-z0-9][_|][\u4e00-\u9fffA-Za-z0-9]", token):
        n += 1  # SEO title segments: a_b_c
    runs = re.findall(r"[A-Za-z0-9]{3,}", token)
    if any(runs.count(r) > 1 for r in runs) or re.search(r"([A-Za-z0-9]{3,})\1", token):
        n += 1  # the same ASCII run twice: 365365bet
    if re.search(r"www|https?|\.com|\.net|\.cc\b", token, re.I):
        n += 1
    return n


def candidate_tokens(text: str, min_count: int = MIN_COUNT, min_len: int = MIN_LEN) -> dict[str, int]:
    """Recurring tokens that look at least a little machine-made: {token: spam_signals}."""
    seeds: dict[str, list[int]] = {}
    for m in _ASCII_SEED.finditer(text):
        seeds.setdefault(m.group(0), []).append(m.start())
    found: dict[str, int] = {}
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
        signals = spam_signals(tok)
        if len(tok) >= min_len and ascii_n >= 4 and cjk_n >= 2 and signals >= 1:
            found[tok] = signals
    # keep maximal tokens only
    return {t: n for t, n in found.items() if not any(t != u and t in u for u in found)}


def find_injected_tokens(text: str, min_count: int = MIN_COUNT, min_len: int = MIN_LEN) -> list[str]:
    """Recurring tokens that are clearly machine-made (two spam signals or more), longest first.

    A token with one signal (ISO9001质量管理体系认证) is spam only when it also hides a place
    name (`repair_tokens`).
    """
    found = candidate_tokens(text, min_count, min_len)
    return sorted((t for t, n in found.items() if n >= 2), key=lambda t: (-len(t), t))


@dataclass(frozen=True)
class PlaceEvidence:
    code: str  # six-digit area code of the recovered place
    name: str  # its full name, the replacement
    index_code: str = ""  # area code read from the index number
    doc_number_prefix: str = ""  # e.g. 绍政发
    intact_mentions: int = 0  # occurrences of the place's names outside the token

    def note(self) -> str:
        parts = []
        if self.index_code:
            parts.append(f"index number area code {self.index_code}")
        if self.doc_number_prefix:
            parts.append(f"document number prefix {self.doc_number_prefix}")
        parts.append(f"{self.intact_mentions} intact mention(s)")
        return "recovered " + self.name + " from " + ", ".join(parts)


def recover_place(text: str, token: str, areas) -> PlaceEvidence | None:
    """The place an injected token replaced, from the document's own evidence; None when unsure.

    `areas` is the gazetteer's area list (objects with code, name, short_names, level, parent).
    """
    clean = text.replace(token, "\x00")
    by_code = {a.code: a for a in areas}
    votes: Counter[str] = Counter()
    index_code = ""
    for m in _INDEX_CODE.finditer(clean):
        code = m.group(1)
        if code in by_code:
            index_code = code
            votes[code] += 3
            parent = by_code[code].parent
            if by_code[code].level == "county" and parent:
                votes[parent] += 1
            break
    prefix = ""
    m = _DOC_NUMBER.search(clean)
    if m:
        prefix = m.group(0).split("〔")[0].split("[")[0].split("(")[0].strip()
    # only places the index code or the document number point at are candidates: a city
    # named in passing (a neighbour, the province capital) must not win on mentions alone
    candidates = set(votes)
    if prefix:
        abbr = prefix[0]
        for a in areas:
            if a.level in ("city", "county") and a.name.startswith(abbr):
                if not index_code or a.code[:2] == index_code[:2]:
                    candidates.add(a.code)
                    votes[a.code] += 2
    best: PlaceEvidence | None = None
    best_score = 0
    for code in sorted(candidates):
        a = by_code[code]
        names = sorted({a.name, *a.short_names}, key=len, reverse=True)
        if a.name in clean:
            continue  # the full name survives intact: the token did not replace it
        intact = len(re.findall("|".join(map(re.escape, names)), clean))
        score = votes[code] + min(intact, 10)
        evidence_kinds = (code == index_code) + bool(prefix and a.name.startswith(prefix[0])) + (intact > 0)
        if evidence_kinds >= 2 and score > best_score:
            best_score = score
            best = PlaceEvidence(
                code=code,
                name=a.name,
                index_code=index_code if code == index_code else "",
                doc_number_prefix=prefix if prefix and a.name.startswith(prefix[0]) else "",
                intact_mentions=intact,
            )
    return best


def repair_tokens(nt: NormText, areas) -> tuple[NormText, list[str]]:
    """Replace (or exclude) every injected token of a normalized text; return it with one warning per token."""
    from .normalize import mark, replace_token

    warnings = []
    candidates = candidate_tokens(nt.text)
    for tok in sorted(candidates, key=lambda t: (-len(t), t)):
        n = nt.text.count(tok)
        place = recover_place(nt.text, tok, areas)
        if place:
            nt = replace_token(nt, tok, place.name, note=place.note())
            evidence = place.note()[len("recovered " + place.name) + 1 :]
            warnings.append(f"injected token {tok!r} found {n}x; replaced by {place.name} ({evidence})")
        elif candidates[tok] >= 2:
            spans = [(m.start(), m.end()) for m in re.finditer(re.escape(tok), nt.text)]
            nt = mark(nt, spans, "spam-token", note="no place name recoverable; excluded from extraction")
            warnings.append(f"injected token {tok!r} found {n}x; no place name recoverable, excluded from extraction")
    return nt, warnings
