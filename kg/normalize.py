"""Stage 2: SourceDoc -> NormText. Small text steps, each keeping an offset map to the source.

Text-changing steps are regex substitutions run through `_substitute`, which keeps, for
each output character, the source span it came from. A character kept or replaced one for
one maps to its own source character; a replacement of different length maps every output
character to the whole matched source span; a deletion maps to nothing. Marking steps
(mojibake, page furniture, word salad) change no text: they add normalized spans to
`NormText.excluded`, which later substitutions keep aligned, and record a `Repair`.

The steps, in order (README "Reading messy sources"):

1. fold_width      full-width ASCII forms to half-width; NBSP and other odd spaces to a space;
                   zero-width characters and stray BOMs dropped; CRLF, CR, form feed to \n
2. strip_html      tags, comments, <script>/<style> bodies (also unclosed ones), entities;
                   repeated until nothing changes, so `&amp;lt;b&amp;gt;` cannot survive as a tag
3. strip_pinyin    a reading in parentheses after a hanzi: 揚(yáng) -> 揚
4. mark_mojibake   spans of text decoded with the wrong byte alignment or codec (kg/mojibake.py)
5. fix_pinzhi      品質 -> 質量 where a Taiwan-usage mirror rewrote 质量 (kg/data/zhiliang-terms.txt,
                   pinzhi-keep.txt)
6. to_simplified   OpenCC t2s, one character for one
7. mark_furniture  breadcrumbs, 字体/字号/打印/分享/浏览次数 widgets (kg/data/furniture.txt)
8. mark_salad      paragraphs that do not read as language (kg/salad.py)
9. join_cjk_spaces remove the single spaces PDF conversion puts inside Chinese words
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Callable

from .hanzi import HAN as _HAN
from .hanzi import HAN_RUN as _HAN_RUN
from .model import NormText, Repair, SourceDoc

Repl = Callable[[re.Match[str]], str]
Step = Callable[[NormText], NormText]


def identity(text: str) -> NormText:
    n = len(text)
    return NormText(text=text, offsets=tuple(range(n)), ends=tuple(range(1, n + 1)))


def _substitute(
    nt: NormText, pattern: re.Pattern[str], repl: Repl | str, kind: str = "", record: bool = False
) -> NormText:
    text, offs, ends = nt.text, nt.offsets, nt.ends
    out: list[str] = []
    o_offs: list[int] = []
    o_ends: list[int] = []
    repairs = list(nt.repairs)
    # old index -> new index, only needed to carry excluded spans across the change
    moved: list[int] | None = [] if nt.excluded else None
    size = 0
    pos = 0
    changed = False
    for m in pattern.finditer(text):
        s, e = m.span()
        new = repl(m) if callable(repl) else m.expand(repl)
        if new == m.group(0):
            continue
        changed = True
        if s > pos:
            out.append(text[pos:s])
            o_offs.extend(offs[pos:s])
            o_ends.extend(ends[pos:s])
            if moved is not None:
                moved.extend(range(size, size + s - pos))
            size += s - pos
        if moved is not None:
            moved.extend(range(size, size + e - s) if len(new) == e - s else [size] * (e - s))
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
            size += len(new)
        if record and e > s:
            repairs.append(Repair(kind=kind, start=offs[s], end=ends[e - 1], before=m.group(0), after=new))
        pos = e
    if not changed:
        return nt
    out.append(text[pos:])
    o_offs.extend(offs[pos:])
    o_ends.extend(ends[pos:])
    excluded = nt.excluded
    if moved is not None:
        moved.extend(range(size, size + len(text) - pos))
        moved.append(size + len(text) - pos)
        excluded = tuple((moved[a], moved[b]) for a, b in nt.excluded if moved[b] > moved[a])
    return NormText(
        text="".join(out), offsets=tuple(o_offs), ends=tuple(o_ends), repairs=tuple(repairs), excluded=excluded
    )


def mark(
    nt: NormText, spans: list[tuple[int, int]], kind: str, note: str = "", after: list[str] | None = None
) -> NormText:
    """Exclude normalized spans from extraction and record each (source offsets) as a Repair."""
    if not spans:
        return nt
    repairs = list(nt.repairs)
    excluded = set(nt.excluded)
    for i, (s, e) in enumerate(spans):
        if e <= s:
            continue
        excluded.add((s, e))
        src_s, src_e = nt.source_span(s, e)
        fixed = after[i] if after else ""
        repairs.append(Repair(kind=kind, start=src_s, end=src_e, before=nt.text[s:e], after=fixed, note=note))
    return NormText(
        text=nt.text, offsets=nt.offsets, ends=nt.ends, repairs=tuple(repairs), excluded=tuple(sorted(excluded))
    )


def _until_stable(step: Step, nt: NormText, limit: int = 5) -> NormText:
    for _ in range(limit):
        new = step(nt)
        if new is nt or new.text == nt.text:
            return new
        nt = new
    return nt


# --- HTML ---------------------------------------------------------------------------------------
_TAG = re.compile(
    r"<!--.*?(?:-->|\Z)"  # comments, also one left open by a truncated page
    r"|<(script|style|iframe|object|noscript)\b[^>]*>.*?(?:</\1\s*>|\Z)"  # active content, body and all
    r"|<!\[CDATA\[.*?(?:\]\]>|\Z)|<![A-Za-z][^>]*>|<\?[^>]*\?>"
    r"|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>"
    r"|(?:<[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?)+\Z",  # a tag cut off by truncation (with any unclosed ones before it)
    re.S | re.I,
)
_BLOCK = re.compile(
    r"</?(p|div|br|tr|td|th|li|h\d|table|section|article|ul|ol|dl|dt|dd|blockquote|pre|hr|title|header|footer)\b", re.I
)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _unescape(m: re.Match[str]) -> str:
    out = html.unescape(m.group(0))
    # a numeric entity for a control or surrogate code point is debris, not text
    if any(ord(c) < 32 and c not in "\t\n" or 0xD800 <= ord(c) <= 0xDFFF for c in out):
        return ""
    # fold_width ran before: &nbsp; and &#65288; must come out folded too
    return "".join(_narrow(c) if _WIDE.match(c) else c for c in out)


def _strip_html_once(nt: NormText) -> NormText:
    def tag(m: re.Match[str]) -> str:
        return "\n" if _BLOCK.match(m.group(0)) else ""

    nt = _substitute(nt, _TAG, tag)
    return _substitute(nt, _ENTITY, _unescape)


def strip_html(nt: NormText) -> NormText:
    """Drop tags (block tags become a line break), comments and active content; decode entities."""
    if "<" not in nt.text and "&" not in nt.text:
        return nt
    # each pass shrinks the text, so this ends; the bound only stops absurd nestings (&amp;amp;amp;…)
    return _until_stable(_strip_html_once, nt, limit=50)


_ACTIVE = re.compile(r"<(script|iframe|object|embed)\b|\son[a-z]+\s*=|javascript:", re.I)
_TRUNCATED = re.compile(r"<[A-Za-z][^<>]*\Z|<!--(?:(?!-->).)*\Z|<(script|style)\b(?:(?!</\1).)*\Z", re.S | re.I)


def markup_warnings(text: str) -> list[str]:
    """One-line warnings about hostile or truncated markup in a source text (the markup is stripped)."""
    out = []
    # every alternative of _ACTIVE holds a <, = or : (no case folding reaches them): a quick test first
    maybe = "<" in text or "=" in text or ":" in text
    active = [m.group(0).strip().lower().rstrip("=").strip() for m in _ACTIVE.finditer(text)] if maybe else []
    if active:
        kinds = sorted(set(active))
        out.append(f"removed active markup ({len(active)}x: {', '.join(kinds[:4])}); it is never run or kept")
    tail = text[-2000:]
    if "<" in tail and _TRUNCATED.search(tail):
        out.append("HTML looks truncated (a tag or comment is cut off at the end); the text before it is used")
    return out


# --- width and spaces -----------------------------------------------------------------------------
_WIDE = re.compile(r"[\uff01-\uff5e\u3000\u00a0\u2000-\u200d\u2060\u202f\u205f\ufeff]")


def _narrow(ch: str) -> str:
    o = ord(ch)
    if 0xFF01 <= o <= 0xFF5E:
        return chr(o - 0xFEE0)
    if ch in "\ufeff\u200b\u200c\u200d\u2060":
        return ""
    return " "


_NEWLINE = re.compile("\r\n?|[\v\f\x85\u2028\u2029]")


def fold_width(nt: NormText) -> NormText:
    """Full-width ASCII forms to half-width; NBSP, ideographic and other odd spaces to a plain space;
    CRLF, CR, form feeds (PDF page breaks) and Unicode line separators to one line break."""
    nt = _substitute(nt, _NEWLINE, "\n")
    return _substitute(nt, _WIDE, lambda m: _narrow(m.group(0)))


# --- pinyin readings ------------------------------------------------------------------------------
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_TONES = {"a": "āáǎà", "e": "ēéěè", "i": "īíǐì", "o": "ōóǒò", "u": "ūúǔù", "ü": "ǖǘǚǜ", "n": "ńňǹ", "m": "ḿ"}
_PLAIN = str.maketrans({c: b for b, cs in _TONES.items() for c in cs})
_SYLLABLE = re.compile(
    r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|üan|van|ai|ei|ao|ou|an|en|er"
    r"|ia|ie|iu|in|ua|uo|ui|un|üe|ve|ue|ün|vn|a|o|e|i|u|ü|v)"
    r"|ng|hm|hng|m|n)[1-5]?"
)
_PINYIN = re.compile(rf"(?<=[{_HAN}])(?: ?\([a-zü{_TONED}]{{1,6}}[1-5]?\))+")
_READING = re.compile(rf"\(([a-zü{_TONED}]{{1,6}}[1-5]?)\)")
_READING_START = re.compile(rf"\([a-zü{_TONED}]")  # every reading has one; a quick test before _PINYIN


def _is_syllable(s: str) -> bool:
    return bool(_SYLLABLE.fullmatch(s.translate(_PLAIN)))


def strip_pinyin(nt: NormText) -> NormText:
    """Remove the pinyin reading that some mirrors print after a character: 揚(yáng) -> 揚.

    A reading must be a valid syllable; toneless ones (的(de)) count only when the same text
    also has tone-marked readings, so `浙里办(app)` or `(an)` in ordinary text stay.
    """
    if "(" not in nt.text or not _READING_START.search(nt.text):
        return nt
    readings = [r for m in _PINYIN.finditer(nt.text) for r in _READING.findall(m.group(0))]
    toned = any(ch in _TONED or ch.isdigit() for r in readings if _is_syllable(r) for ch in r)

    def repl(m: re.Match[str]) -> str:
        rs = _READING.findall(m.group(0))
        ok = all(_is_syllable(r) and (toned or any(ch in _TONED or ch.isdigit() for ch in r)) for r in rs)
        return "" if ok else m.group(0)

    return _substitute(nt, _PINYIN, repl)


# --- mojibake --------------------------------------------------------------------------------------
def mark_mojibake(nt: NormText) -> NormText:
    """Exclude spans of mis-decoded bytes; record each with the text its bytes allow to recover."""
    from .mojibake import find_mojibake

    for s in find_mojibake(nt.text):
        how = f"{s.how}; excluded from extraction" if s.how else "the bytes allow no repair; excluded from extraction"
        nt = mark(nt, [(s.start, s.end)], "mojibake", note=how, after=[s.repaired])
    return nt


# --- traditional to simplified ---------------------------------------------------------------------
def _converter():
    """OpenCC t2s: the instance kg.hanzi keeps (loading a config's dictionaries takes ~50 ms)."""
    from .hanzi import opencc_converter

    return opencc_converter("t2s")


def to_simplified(nt: NormText) -> NormText:
    """OpenCC t2s on every run of hanzi; a run whose conversion changes length goes character by character."""
    if not any(ord(c) >= 0x3400 for c in nt.text):
        return nt
    for _ in range(3):  # t2s output converted again until stable, as `_until_stable` would
        changed = _t2s_runs(nt.text)
        if not changed:
            return nt
        nt = _substitute(nt, _HAN_RUN, lambda m: changed.get(m.group(0), m.group(0)))
    return nt


def _t2s_runs(text: str) -> dict[str, str]:
    """{run: converted run} for the runs of hanzi that OpenCC t2s changes, each converted on its own.

    One OpenCC call for the whole text, the runs joined by line breaks: no dictionary entry holds
    a line break, so no phrase matches across two runs and each comes out as if converted alone.
    Most texts are simplified already: then this is the only Python-level work.
    """
    cc = _converter()
    runs = _HAN_RUN.findall(text)
    joined = "\n".join(runs)
    out = cc.convert(joined)
    if out == joined:
        return {}
    parts = out.split("\n")
    if len(parts) != len(runs):  # cannot happen with OpenCC's dictionaries; stay correct anyway
        parts = [cc.convert(run) for run in runs]
    changed: dict[str, str] = {}
    for run, conv in zip(runs, parts):
        if conv != run:
            if len(conv) != len(run):  # keep the map one-to-one
                conv = "".join((cc.convert(ch) or ch)[:1] for ch in run)
            if conv != run:
                changed[run] = conv
    return changed


def _both_scripts(s: str) -> str:
    """A regex alternation of a simplified string and its traditional forms."""
    from .hanzi import convert_chars

    forms = {s}
    for config in ("s2t", "s2tw"):
        forms.add("".join(convert_chars(config, s)[c] for c in s))
    return "(?:" + "|".join(sorted(map(re.escape, forms))) + ")"


def _contexts(name: str) -> re.Pattern[str] | None:
    """品質 inside any expression of a data file (each expression written with 质量 or 品质)."""
    from .resources import package_file

    text = package_file("data", name).read_text(encoding="utf-8")
    alts = []
    for line in text.splitlines():
        t = line.strip()
        if not t or t.startswith("#"):
            continue
        word = "质量" if "质量" in t else "品质"
        pre, post = t.split(word, 1)
        before = f"(?<={_both_scripts(pre)})" if pre else ""
        after = f"(?={_both_scripts(post)})" if post else ""
        alts.append(before + "品質" + after)
    return re.compile("|".join(sorted(set(alts)))) if alts else None


@lru_cache(maxsize=1)
def _pinzhi_patterns() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    return _contexts("zhiliang-terms.txt"), _contexts("pinzhi-keep.txt")


def fix_pinzhi(nt: NormText) -> NormText:
    """Undo the 质量 -> 品質 rewrite of Taiwan-usage mirrors (rules in kg/data/zhiliang-terms.txt)."""
    text = nt.text
    if "品質" not in text or "質量" in text:
        return nt
    evidence, keep = _pinzhi_patterns()
    if evidence is None or not evidence.search(text):
        return nt
    from .hanzi import script_of

    if script_of(text).kind != "traditional":
        return nt
    # a 质量 term wins over a 品质 expression: 高品質發展 is 高质量发展, not 高品质 + 发展
    kept = ({m.start() for m in keep.finditer(text)} if keep else set()) - {m.start() for m in evidence.finditer(text)}
    def repl(m: re.Match[str]) -> str:
        return m.group(0) if m.start() in kept else "質量"

    return _substitute(nt, re.compile("品質"), repl, kind="t2s-pinzhi", record=True)


# --- PDF line-break spaces ---------------------------------------------------------------------------
# the space first (then the look-behind checks the character before it): the regex engine then jumps
# from space to space instead of trying the look-behind at every character (15x faster)
_CJK_SPACE = re.compile(rf" (?<=[{_HAN}“”《》()、] )(?! )(?=[{_HAN}“”《》])(?![{_HAN}]{{2,6}}:)")
_SENTENCE_PUNCT = re.compile(r"[,。;;!?!?]")
HEADER_LINES = 10


def _kept_lines(text: str) -> list[tuple[int, int]]:
    """Lines whose spaces are deliberate: in the first HEADER_LINES non-empty lines, short,
    without sentence punctuation or table pipes, and every space-separated part 2+ characters
    (bylines 程芸 尹力, headlines 让城市更美好 让生活更幸福).
    PDF letter-spacing (目 录) has 1-char parts."""
    out = []
    seen = 0
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        body = line.strip()
        if not body:
            continue
        seen += 1
        if seen > HEADER_LINES:
            break
        parts = body.split()
        if (
            len(parts) >= 2
            and len(body) <= 40
            and "|" not in body
            and not _SENTENCE_PUNCT.search(body)
            and all(len(p) >= 2 for p in parts)
        ):
            out.append((start, start + len(line)))
    return out


def join_cjk_spaces(nt: NormText) -> NormText:
    """PDF converters split words with spaces (万平 方米, 重 大 改 革); Chinese has no word spaces.

    A single space between hanzi (or Chinese quotes/brackets) goes, except: a run of 2+ spaces
    (a field separator), a space before a field label (`市政府办公室 公开日期:`), and the
    deliberate spaces of header lines (`_kept_lines`).
    """
    if " " not in nt.text:
        return nt
    kept = _kept_lines(nt.text)

    def repl(m: re.Match[str]) -> str:
        s = m.start()
        return " " if any(a <= s < b for a, b in kept) else ""

    return _substitute(nt, _CJK_SPACE, repl)


# --- page furniture ----------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _furniture_patterns() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    from .resources import package_file

    crumbs, fields = [], []
    for line in package_file("data", "furniture.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, label = line.split("\t", 1)
        (crumbs if kind == "breadcrumb" else fields).append(re.escape(label.strip()))
    crumb = None
    if crumbs:
        alt = "|".join(sorted(crumbs, key=lambda s: (-len(s), s)))
        # the label line, then continuation lines that start with a breadcrumb separator
        crumb = re.compile(rf"^[ \t]*(?:{alt})[ \t]*[::][^\n]*(?:\n[ \t]*[>»›][^\n]*)*", re.M)
    field = None
    if fields:
        alt = "|".join(sorted(fields, key=lambda s: (-len(s), s)))
        field = re.compile(
            rf"(?:(?<=^)|(?<=[ \t】\]|]))【?(?:{alt})"
            rf"(?:[ \t]*[::][ \t]*(?:\[[^\]\n]{{0,16}}\]|【[^】\n]{{0,16}}】|[0-9]{{0,10}})?)?】?"
            rf"(?=[ \t【\[|]|$)",
            re.M,
        )
    return crumb, field


_NAV_LINE = re.compile(r"^[ \t]*(?:[^\n>»,。;]{1,30}[ \t]*[>»][ \t]*){2,}[^\n>»,。;]{1,30}[ \t]*$", re.M)


_ARROW = re.compile("[>»]")


def marked_lines(marker: re.Pattern, text: str):
    """(start, end) of every line of `text` that has a match of `marker` (which never spans a line
    break), each line once, in order: where to run a costly line pattern that needs the marker."""
    seen = -1
    for m in marker.finditer(text):
        if m.start() < seen:
            continue
        ls = text.rfind("\n", 0, m.start()) + 1
        le = text.find("\n", m.start())
        seen = le = len(text) if le < 0 else le
        yield ls, le


def _nav_lines(text: str):
    """`_NAV_LINE.finditer(text)`, tried only on the lines with two or more > or »: a navigation
    line is one whole line that has them, so the matches are the same, without running the
    backtracking pattern over every line."""
    for ls, le in marked_lines(_ARROW, text):
        if len(_ARROW.findall(text, ls, le)) >= 2:
            yield from _NAV_LINE.finditer(text, ls, le)


def mark_furniture(nt: NormText, max_line: int = 80) -> NormText:
    """Exclude portal navigation and widgets; keep every metadata field (索引号, 发布日期, 来源 …)."""
    crumb, field = _furniture_patterns()
    text = nt.text
    spans: list[tuple[int, int]] = []
    if crumb:
        spans.extend(m.span() for m in crumb.finditer(text))
    spans.extend(m.span() for m in _nav_lines(text))
    if field:
        pos = 0
        for line in text.split("\n"):
            start, pos = pos, pos + len(line) + 1
            if len(line.strip()) > max_line:
                continue
            spans.extend((start + m.start(), start + m.end()) for m in field.finditer(line) if m.end() > m.start())
    spans = _merge(_trim(text, spans))
    return mark(nt, spans, "furniture", note="page furniture, not extracted")


def _trim(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _covered(spans: tuple[tuple[int, int], ...], s: int, e: int) -> bool:
    """True when [s, e) lies inside the union of spans."""
    pos = s
    for a, b in sorted(spans):
        if a <= pos < b:
            pos = b
        if pos >= e:
            return True
    return pos >= e


# --- word salad ----------------------------------------------------------------------------------------
def mark_salad(nt: NormText) -> NormText:
    """Exclude paragraphs that do not read as language (spun text, keyword stuffing)."""
    from .salad import find_salad

    for s, e, why in find_salad(nt.text):
        if _covered(nt.excluded, s, e):
            continue  # already excluded as furniture or mojibake
        nt = mark(nt, [(s, e)], "word-salad", note=f"{why}; excluded from extraction")
    return nt


# --- the pipeline ------------------------------------------------------------------------------------------
STEPS: tuple[Step, ...] = (
    fold_width,  # first, so that full-width ＜ｄｉｖ＞ is markup to strip_html as it is to a browser
    strip_html,
    strip_pinyin,
    mark_mojibake,
    fix_pinzhi,
    to_simplified,
    mark_furniture,
    mark_salad,  # before joining spaces: separated keywords are the mark of stuffing
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


# --- injected spam tokens (kept here for callers of the first version; see kg/spam.py) -----------------
def find_injected_tokens(text: str, min_count: int = 3, min_len: int = 8) -> list[str]:
    """Recurring machine-injected tokens (e.g. a gambling-site name pasted over a city name)."""
    from .spam import find_injected_tokens as _find

    return _find(text, min_count=min_count, min_len=min_len)


def replace_token(nt: NormText, token: str, replacement: str, note: str = "") -> NormText:
    """Replace every occurrence of an injected token, recording each repair (quotes keep the source text)."""
    out = _substitute(nt, re.compile(re.escape(token)), replacement, kind="spam-token", record=True)
    if note and out is not nt:
        k = len(nt.repairs)
        reps = out.repairs[:k] + tuple(
            Repair(kind=r.kind, start=r.start, end=r.end, before=r.before, after=r.after, note=note)
            for r in out.repairs[k:]
        )
        out = NormText(text=out.text, offsets=out.offsets, ends=out.ends, repairs=reps, excluded=out.excluded)
    return out
