"""Stage 3: NormText -> DocTree: headings, table of contents, 专栏 boxes, bullets, tables, appendices.

Works line by line on the normalized text; every Section carries normalized offsets
(and `heading_span`, the source span of its heading line, for evidence). The rules are
about layout, not about any one document:

- headings 一、 / (一) / 1. / (1) / —— are levels 1-5 (第X章 above them, level 0) and nest
  by level; a run-in heading ("(三)总体目标。到2025年…") takes the text before the first
  full stop as its title;
- a table of contents (目录 followed by entries ending in page numbers, or by headings
  that recur in the body, or a run of heading-shaped entries with page numbers) becomes
  one `toc` section and nothing inside it is a heading;
- 专栏N: boxes, also when the PDF lost the first character (栏10:); a box that is one
  pipe cell ("专栏1:… |" then "¨ … ¨ … |") ends with the cell, other boxes at the next
  structural line; bullets (¨ ● ■ …) inside a box are `item`s, or each paragraph if none;
- pipe tables whose rows carry a row-spanning group label and a row number
  ("重 大 改 革 | 1 | 名称 | 说明 |" then "2 | 名称 | 说明 |") become `group` and `row`
  sections; such a table after the last heading is an `appendix`;
- 附件 / 附表 / 附录 headings open an appendix that runs to the next one.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .model import DocTree, NormText, Section, Table

_CN_NUM = "一二三四五六七八九十"

# (level, pattern) on a stripped line; group 1 = number, group 2 = the rest.
_HEADINGS: tuple[tuple[int, re.Pattern[str]], ...] = (
    # 第一章 / 第一部分 above 一、 in long plans: level 0, so 一、 keeps level 1 in every document
    (0, re.compile(rf"^第\s*([{_CN_NUM}]{{1,3}}|\d{{1,2}})\s*(?:章|部分|篇)\s*(.+)$")),
    (1, re.compile(rf"^([{_CN_NUM}]{{1,3}})\s*[、.]\s*(.+)$")),
    (2, re.compile(rf"^[(]\s*([{_CN_NUM}]{{1,3}})\s*[)]\s*(.+)$")),
    (3, re.compile(r"^(\d{1,2})\s*(?:[、]|\.(?!\d))\s*(.+)$")),
    (4, re.compile(r"^[(]\s*(\d{1,2})\s*[)]\s*(.+)$")),
    (5, re.compile(r"^(—{1,2}|-{2})\s*(.+)$")),
)
# the first characters _HEADINGS allow: 第, a Chinese numeral, (, a digit, a dash
_HEADING_START = re.compile(rf"[第{_CN_NUM}(\d—-]")


def _headings_for(ch: str) -> tuple[tuple[int, re.Pattern[str]], ...]:
    """The patterns of _HEADINGS (in order) that a line opening with `ch` can match."""
    if ch == "第":
        return _HEADINGS[0:1]
    if ch in _CN_NUM:
        return _HEADINGS[1:2]
    if ch == "(":
        return (_HEADINGS[2], _HEADINGS[4])
    if ch.isdecimal():
        return _HEADINGS[3:4]
    return _HEADINGS[5:6]  # — or -
# 专栏3: title | ; 栏10: title (the PDF lost 专); the number may be Chinese or 3-1.
_BOX = re.compile(
    rf"^(?:专栏\s*(\d{{1,2}}(?:[-—.]\d{{1,2}})?|[{_CN_NUM}]{{1,3}})?\s*[::、.]?|栏\s*(\d{{1,2}})\s*[::])\s*(.*)$"
)
_APPENDIX = re.compile(rf"^(附件|附表|附录)\s*(\d{{1,2}}|[{_CN_NUM}]{{1,3}})?\s*[::.、]?\s*(.{{0,60}})$")
_TOC_HEAD = re.compile(r"^目\s*录$|^目\s*次$")
_TOC_ENTRY = re.compile(r"^(?!.*\|)(.*?[\u4e00-\u9fff”》)].*?)[\s.…·_—-]+(\d{1,3})$")
_TOC_STARTER = re.compile(rf"^(?:[{_CN_NUM}]{{1,3}}、|[(][{_CN_NUM}]{{1,3}}[)]|\d{{1,2}}\.|第.{{1,3}}[章节部]|前言|附件|附录|结束语)")
_BULLET = "¨●•■◆▪◇➢►"
_BULLET_RE = re.compile(f"[{_BULLET}]")
_RUN_IN_STOP = re.compile(r"[。;:!?]")
_SENTENCE_END = re.compile(r"[。;!?]")
# A row of a programme table: label cell (optional), row number, name, rest.
_GROUP_ROW = re.compile(r"^([^|\d]{2,24}?)\s*\|\s*(\d{1,3})\s*\|\s*([^|]*?)\s*\|(.*)$")
_HAN = re.compile(r"[\u4e00-\u9fff]")

# Rank for nesting: an appendix or a TOC closes every heading; boxes and tables sit below headings.
_RANK_APPENDIX = 0
_RANK_BOX = 6


@dataclass
class _Line:
    start: int  # normalized offset of the first non-space character
    end: int  # normalized offset after the last non-space character
    text: str  # stripped content


@dataclass
class _Node:
    kind: str
    rank: int
    level: int
    title: str
    start: int
    end: int
    number: str = ""
    title_start: int = -1
    title_end: int = -1
    head_end: int = -1  # end of the heading line (for heading_span)
    fixed_end: bool = False
    children: list["_Node"] = field(default_factory=list)


def _lines(text: str) -> list[_Line]:
    out = []
    pos = 0
    for raw in text.split("\n"):
        s = len(raw) - len(raw.lstrip())
        content = raw.strip()
        if content:
            out.append(_Line(start=pos + s, end=pos + s + len(content), text=content))
        pos += len(raw) + 1
    return out


def _toc_ranges(lines: list[_Line]) -> list[tuple[int, int]]:
    """Index ranges [i, j) of lines that form a table of contents."""
    out: list[tuple[int, int]] = []
    seen = Counter(ln.text for ln in lines)
    i = 0
    while i < len(lines):
        head = bool(_TOC_HEAD.match(lines[i].text))
        j = i + 1 if head else i
        # an entry ends with its page number (\d is str.isdecimal): a cheap test before the regex
        while (j < len(lines) and len(lines[j].text) <= 70 and lines[j].text[-1].isdecimal()
               and _TOC_ENTRY.match(lines[j].text)):
            j += 1
        if head and j == i + 1:
            # A web page's contents list has no page numbers: its entries recur as the body's headings.
            listed: set[str] = set()
            while (j < len(lines) and _TOC_STARTER.match(lines[j].text) and seen[lines[j].text] >= 2
                   and lines[j].text not in listed):
                listed.add(lines[j].text)
                j += 1
        entries = j - (i + 1 if head else i)
        starts_like_toc = entries and _TOC_STARTER.match(lines[i + 1 if head else i].text)
        if (head and entries >= 1) or (entries >= 3 and starts_like_toc):
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def _run_in_title(rest: str) -> str:
    """The heading part of a heading line: up to the first full stop or colon, trailing marks dropped."""
    m = _RUN_IN_STOP.search(rest)
    title = rest[: m.start()] if m else rest
    if len(title) > 100:  # a numbered paragraph, not a heading: keep its first clause
        title = re.split(r"[,、]", title, maxsplit=1)[0]
    return title.strip().rstrip("|").strip()


def _heading(line: _Line) -> _Node | None:
    if line.text.count("|") >= 2:
        return None  # a table row
    if not _HEADING_START.match(line.text):
        return None  # most lines: no pattern of _HEADINGS can match
    for level, pat in _headings_for(line.text[0]):
        m = pat.match(line.text)
        if not m:
            continue
        rest = m.group(2)
        title = _run_in_title(rest)
        if not _HAN.search(title):
            return None
        off = line.start + m.start(2)
        ts = off + (rest.find(title) if title in rest else 0)
        kind = "heading"
        if re.fullmatch(r"《[^《》]+》", title) and level >= 3:
            kind = "item"  # a numbered list of cited documents, not a heading
        number = m.group(1) if level < 5 else ""
        return _Node(
            kind=kind, rank=level, level=level, title=title, number=number, start=line.start, end=line.end,
            title_start=ts, title_end=ts + len(title), head_end=line.end, fixed_end=kind == "item",
        )
    return None


def _box(line: _Line) -> _Node | None:
    if not (line.text.startswith("专栏") or line.text.startswith("栏")):
        return None
    m = _BOX.match(line.text)
    if not m:
        return None
    number = m.group(1) or m.group(2) or ""
    if not number and not re.match(r"^专栏\s*[::]", line.text):
        return None
    rest = m.group(3)
    title = rest.rstrip().rstrip("|").strip()
    ts = line.start + m.start(3)
    return _Node(
        kind="box", rank=_RANK_BOX, level=_RANK_BOX, title=title, number=number, start=line.start, end=line.end,
        title_start=ts, title_end=ts + len(title), head_end=line.end, fixed_end=True,
    )


def _items(text: str, start: int, end: int) -> list[_Node]:
    """Bullet items in text[start:end]; without bullets, each paragraph is an item."""
    chunk = text[start:end]
    out: list[_Node] = []
    if _BULLET_RE.search(chunk):
        marks = [m.start() for m in _BULLET_RE.finditer(chunk)]
        for k, b in enumerate(marks):
            stop = marks[k + 1] if k + 1 < len(marks) else len(chunk)
            seg_end = chunk.find("\n", b)
            if seg_end != -1 and seg_end < stop:
                stop = seg_end
            out.extend(_span_node("item", chunk, start, b + 1, stop))
        return out
    pos = 0
    for para in chunk.split("\n"):
        out.extend(_span_node("item", chunk, start, pos, pos + len(para)))
        pos += len(para) + 1
    return out


def _span_node(kind: str, chunk: str, base: int, s: int, e: int) -> list[_Node]:
    """A node for chunk[s:e] with surrounding spaces and table pipes trimmed (none if empty)."""
    while s < e and (chunk[s].isspace() or chunk[s] == "|"):
        s += 1
    while e > s and (chunk[e - 1].isspace() or chunk[e - 1] == "|"):
        e -= 1
    if e <= s or not _HAN.search(chunk[s:e]):
        return []
    t = chunk[s:e]
    return [_Node(kind=kind, rank=7, level=7, title=t, start=base + s, end=base + e, title_start=base + s,
                  title_end=base + e, head_end=base + e, fixed_end=True)]


def _pipe_blocks(lines: list[_Line], skip: set[int]) -> list[tuple[int, int]]:
    """Index ranges [i, j) of consecutive lines that are pipe-table rows (two or more |)."""
    out = []
    i = 0
    while i < len(lines):
        if i not in skip and lines[i].text.count("|") >= 2:
            j = i
            while j < len(lines) and j not in skip and lines[j].text.count("|") >= 2:
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def _cells(line: _Line) -> list[tuple[str, int, int]]:
    """The cells of a pipe row with normalized offsets, spaces trimmed."""
    out = []
    pos = 0
    for part in line.text.split("|"):
        s = len(part) - len(part.lstrip())
        c = part.strip()
        out.append((c, line.start + pos + s, line.start + pos + s + len(c)))
        pos += len(part) + 1
    return out


def _programme_table(text: str, lines: list[_Line], i: int, j: int) -> list[_Node]:
    """Group and row nodes of a pipe table whose rows carry a group label and a row number; [] if none."""
    groups: list[_Node] = []
    for k in range(i, j):
        ln = lines[k]
        cells = _cells(ln)
        label = None
        if _GROUP_ROW.match(ln.text) and not cells[0][0].isdigit():
            joined = re.sub(r"\s+", "", cells[0][0])
            if _HAN.search(joined) and re.fullmatch(r"[\u4e00-\u9fff]{2,12}", joined):
                label = cells[0]
                cells = cells[1:]
        if not cells or not cells[0][0].isdigit() or len(cells) < 2:
            continue
        if label:
            groups.append(_Node(kind="group", rank=7, level=7, title=re.sub(r"\s+", "", label[0]), start=label[1],
                                end=ln.end, title_start=label[1], title_end=label[2], head_end=label[2], fixed_end=True))
        if not groups:
            continue
        num, name = cells[0], cells[1]
        if not _HAN.search(name[0]):
            continue
        row = _Node(kind="row", rank=8, level=8, title=name[0], number=num[0], start=num[1], end=ln.end,
                    title_start=name[1], title_end=name[2], head_end=name[2], fixed_end=True)
        rest_s = name[2]
        row.children = [c for c in _items(text, rest_s, ln.end) if _BULLET_RE.search(text[rest_s:ln.end])]
        groups[-1].children.append(row)
        groups[-1].end = ln.end
    return groups


def _caption(lines: list[_Line], i: int, taken: set[int]) -> int | None:
    """Index of the caption line just before line i, if it is a short title (no sentence end)."""
    k = i - 1
    if k < 0 or k in taken:
        return None
    t = lines[k].text
    if len(t) <= 60 and not _SENTENCE_END.search(t) and "|" not in t and _HAN.search(t) and not _is_structural(lines[k]):
        return k
    return None


def segment(nt: NormText, tables: list[Table] | None = None) -> DocTree:
    """The document tree of a normalized text; `tables` defaults to kg.tables.find_tables when available."""
    text = nt.text
    lines = _lines(text)
    if tables is None:
        tables = _find_tables(nt)
    nodes: list[_Node] = []
    taken: set[int] = set()  # line indexes consumed by TOC, boxes, tables

    for i, j in _toc_ranges(lines):
        nodes.append(_Node(kind="toc", rank=_RANK_APPENDIX, level=0, title=lines[i].text, start=lines[i].start,
                           end=lines[j - 1].end, title_start=lines[i].start, title_end=lines[i].end,
                           head_end=lines[i].end, fixed_end=True))
        taken.update(range(i, j))

    # Lines inside tables found by kg.tables (cell-per-line layout) are cells, not headings.
    def in_table(ln: _Line) -> bool:
        return any(t.start <= ln.start < t.end for t in tables)

    blocks = _pipe_blocks(lines, taken)
    block_nodes: list[tuple[int, int, _Node]] = []
    for i, j in blocks:
        groups = _programme_table(text, lines, i, j)
        cap = _caption(lines, i, taken)
        first = cap if cap is not None else i
        title = lines[cap].text if cap is not None else ""
        node = _Node(kind="table", rank=_RANK_BOX, level=_RANK_BOX, title=title, start=lines[first].start,
                     end=lines[j - 1].end, title_start=lines[first].start if cap is not None else -1,
                     title_end=lines[first].end if cap is not None else -1, head_end=lines[first].end,
                     fixed_end=True, children=groups)
        block_nodes.append((first, j, node))
        taken.update(range(first, j))

    k = 0
    while k < len(lines):
        if k in taken:
            k += 1
            continue
        ln = lines[k]
        box = _box(ln)
        if box:
            body_from = k + 1
            if not box.title:  # 专栏1 on its own line, the title on the next
                if k + 1 < len(lines) and len(lines[k + 1].text) <= 40 and not _SENTENCE_END.search(lines[k + 1].text):
                    nxt = lines[k + 1]
                    box.title = nxt.text.rstrip("|").strip()
                    box.title_start, box.title_end = nxt.start, nxt.start + len(box.title)
                    body_from = k + 2
            pipe_cell = ln.text.endswith("|")
            m = body_from
            while m < len(lines) and m not in taken and not _is_structural(lines[m]):
                m += 1
                if pipe_cell and lines[m - 1].text.endswith("|"):
                    break
            box.end = lines[m - 1].end if m > body_from else ln.end
            box.children = _items(text, lines[body_from].start, box.end) if m > body_from else []
            nodes.append(box)
            taken.update(range(k, m))
            k = m
            continue
        if in_table(ln):
            k += 1
            continue
        app = _APPENDIX.match(ln.text)
        if app and (not app.group(3) or not _SENTENCE_END.search(app.group(3))):
            title = app.group(3).strip()
            ts = ln.start + app.start(3)
            if not title and k + 1 < len(lines) and len(lines[k + 1].text) <= 60:
                title = lines[k + 1].text
                ts = lines[k + 1].start
            nodes.append(_Node(kind="appendix", rank=_RANK_APPENDIX, level=0, title=title,
                               number=(app.group(1) + (app.group(2) or "")), start=ln.start, end=ln.end,
                               title_start=ts, title_end=ts + len(title), head_end=ln.end))
            k += 1
            continue
        h = _heading(ln)
        if h:
            nodes.append(h)
        elif _BULLET_RE.match(ln.text):
            nodes.extend(_items(text, ln.start, ln.end))
        k += 1

    # A programme table after the last heading, outside any appendix heading, is the appendix itself.
    last_heading = max((n.start for n in nodes if n.kind == "heading"), default=-1)
    has_appendix = [n.start for n in nodes if n.kind == "appendix"]
    for _, _, node in block_nodes:
        if node.children and node.start > last_heading and not any(a < node.start for a in has_appendix):
            node.kind, node.rank, node.level = "appendix", _RANK_APPENDIX, 0
        nodes.append(node)
    covered = [(n.start, n.end) for n in nodes if n.kind in ("table", "appendix") and n.fixed_end]
    for t in tables:
        if not any(s < t.end and t.start < e for s, e in covered):
            nodes.append(_Node(kind="table", rank=_RANK_BOX, level=_RANK_BOX, title=t.caption, start=t.start,
                               end=t.end, head_end=t.start, fixed_end=True))

    nodes.sort(key=lambda n: (n.start, n.rank))
    _close(nodes, len(text.rstrip()))
    roots = _nest(nodes)
    return DocTree(sections=tuple(_freeze(n, nt) for n in roots), tables=tuple(tables))


def _is_structural(ln: _Line) -> bool:
    return bool(_box(ln) or _heading(ln) or _APPENDIX.match(ln.text) or ln.text.count("|") >= 2)


def _close(nodes: list[_Node], text_end: int) -> None:
    """Open-ended sections (headings, appendices) end where the next one of equal or higher rank starts."""
    open_: list[_Node] = []  # strictly increasing ranks
    for m in nodes:
        if m.kind in ("heading", "appendix", "toc"):
            while open_ and open_[-1].rank >= m.rank:
                n = open_.pop()
                n.end = max(m.start, n.head_end)
        if not m.fixed_end:
            open_.append(m)
    for n in open_:
        n.end = max(text_end, n.head_end)


def _nest(nodes: list[_Node]) -> list[_Node]:
    roots: list[_Node] = []
    stack: list[_Node] = []
    for n in nodes:
        while stack and (stack[-1].end <= n.start or (stack[-1].rank >= n.rank and n.kind in ("heading", "appendix"))):
            stack.pop()
        (stack[-1].children if stack else roots).append(n)
        if n.kind not in ("item",):
            stack.append(n)
    return roots


def _freeze(n: _Node, nt: NormText) -> Section:
    end = n.end
    while end > n.start and (nt.text[end - 1].isspace() or nt.text[end - 1] == "|"):
        end -= 1
    span: tuple[int, ...] = ()
    he = min(n.head_end if n.head_end > n.start else end, len(nt.text))
    if he > n.start:
        span = nt.source_span(n.start, he)
    kids = tuple(_freeze(c, nt) for c in sorted(n.children, key=lambda c: c.start))
    return Section(kind=n.kind, level=n.level, title=n.title, start=n.start, end=end, number=n.number,
                   children=kids, heading_span=span, title_start=n.title_start, title_end=n.title_end)


def _find_tables(nt: NormText) -> list[Table]:
    """Tables from kg.tables when that module exists (it is optional for segmentation)."""
    try:
        from . import tables as _tables
    except ModuleNotFoundError as exc:
        if exc.name == f"{__package__}.tables":
            return []
        raise
    return list(_tables.find_tables(nt))
