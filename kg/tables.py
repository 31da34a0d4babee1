"""Tables in normalized text -> `Table` records (cells with normalized offsets), two layouts.

**pipe** — a PDF converter wrote each row as one line, cells separated by `|`:

    类别 | 主要指标 | 单位 | 2025年规划目标值 | |
    产品质量 | 主要农产品质量安全省级监测合格率 | % | 98 | |
    基本药物抽检合格率 | % | 100 | ||
    综合指标 | 质量建设 | 浙江省人民政府质量奖企业 | 家 | 2 |

A table is two or more consecutive lines with at least two non-empty cells each; the first
is the header, a short line just above it the caption. Row-spanning cells were flattened:
a category cell is written only on the first row of its group. Rows are therefore aligned
to the header from the right; a row with fewer cells takes its missing leading cells from
the row above (fill-down), and a row with more cells than the header has an extra leading
group level, kept in a synthetic first column with an empty header. A later row that names
only the inner level keeps the outer one (`标准建设` after `综合指标 | 质量建设` is
`综合指标/标准建设`): the flattened text has no mark where an outer cell ends.

**cell-per-line** — an HTML page wrote each cell as its own line (blank lines between):

    质量发展“十四五”规划主要指标        <- caption
    一级 / 指标 / 序号 / 二级指标 / 单位 / 2020年 / 实际值 / 2025年 / 目标值 / 指标 / 属性
    1 / 制造业产品质量合格率 / % / 96.56 / 不低于96 / 约束性 / 质量 / 建设 / 2 / ...

The header is the run of header words before the first row number `1` (or before the group
label a page prints ahead of its first row); header words split over two lines (一级/指标,
2020年/实际值) are joined. Rows start at the row numbers 1, 2, 3 … (a `序号` column is
required in this layout); a number equal to the next row number is a value of the current row
when that row still has columns to fill and a value or the attribute follows it (…/项/10/12以上).
Group labels (一级指标) sit between rows, split over lines (质量/建设) and joined; a label
belongs to the rows after it, and the first label also to the rows before it (a page may print
it after the first row of its group, centred on the spanning cell). Within a row the cells are
aligned from the right to the columns after the indicator, so an empty 单位 cell that the page
dropped stays empty. A table ends at a
line that is prose (sentence punctuation, long), a heading or a 注: note.

Cells keep normalized offsets; missing cells are empty with a zero-width span.
"""
from __future__ import annotations

import re
from typing import Optional

from .model import NormText, Table, TableCell
from .numbers import parse_bound

__all__ = ["find_tables", "find_pipe_tables", "find_cell_tables", "column"]

_MAX_CAPTION = 60


def find_tables(nt: NormText) -> tuple[Table, ...]:
    """Every table of both layouts, in text order."""
    tables = list(find_pipe_tables(nt)) + list(find_cell_tables(nt))
    return tuple(sorted(tables, key=lambda t: t.start))


def column(table: Table, pattern: str) -> Optional[int]:
    """Index of the first header cell that fully matches a regex, or None."""
    rx = re.compile(pattern)
    for i, h in enumerate(table.header):
        if rx.fullmatch(h):
            return i
    return None


# --- lines -------------------------------------------------------------------------------------
def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without the newline."""
    out = []
    pos = 0
    for ln in text.split("\n"):
        out.append((pos, pos + len(ln)))
        pos += len(ln) + 1
    return out


def _strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


# --- pipe layout -------------------------------------------------------------------------------------
def _pipe_cells(text: str, s: int, e: int) -> list[TableCell]:
    cells = []
    pos = s
    for part in text[s:e].split("|"):
        cs, ce = _strip_span(text, pos, pos + len(part))
        if ce > cs:
            cells.append(TableCell(text=text[cs:ce], start=cs, end=ce))
        pos += len(part) + 1
    return cells


def find_pipe_tables(nt: NormText) -> list[Table]:
    text = nt.text
    lines = _lines(text)
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        block = []
        j = i
        while j < len(lines) and "|" in text[lines[j][0] : lines[j][1]]:
            cells = _pipe_cells(text, *lines[j])
            if len(cells) < 2:
                break
            block.append(cells)
            j += 1
        if len(block) >= 2:
            tables.append(_pipe_table(text, lines, i, block))
            i = j
        else:
            i = max(j, i + 1)
    return tables


def _caption(text: str, lines: list[tuple[int, int]], idx: int) -> str:
    """The short non-table line just above line idx (blank lines skipped), or ''."""
    k = idx - 1
    while k >= 0 and not text[lines[k][0] : lines[k][1]].strip():
        k -= 1
    if k < 0:
        return ""
    ln = text[lines[k][0] : lines[k][1]].strip()
    if ln and "|" not in ln and len(ln) <= _MAX_CAPTION and not re.search(r"[。;!?]$", ln):
        return ln
    return ""


def _empty(pos: int) -> TableCell:
    return TableCell(text="", start=pos, end=pos)


def _pipe_table(text: str, lines: list[tuple[int, int]], first: int, block: list[list[TableCell]]) -> Table:
    header = block[0]
    n = len(header)
    extra = max(0, max(len(r) for r in block[1:]) - n)  # synthetic leading group columns
    width = n + extra
    rows: list[tuple[TableCell, ...]] = []
    prev: list[TableCell] = []
    for cells in block[1:]:
        if len(cells) >= width:
            # more cells than columns: fold the surplus leading ones into the first group column
            surplus = len(cells) - width
            if surplus:
                head = cells[: surplus + 1]
                joined = TableCell(text="/".join(c.text for c in head), start=head[0].start, end=head[-1].end)
                cells = [joined] + cells[surplus + 1 :]
            row = list(cells)
        else:
            missing = width - len(cells)
            fill = prev[:missing] if len(prev) >= missing else [_empty(cells[0].start)] * missing
            row = list(fill) + list(cells)
        rows.append(tuple(row))
        prev = row
    head = tuple([""] * extra + [c.text for c in header])
    start = header[0].start
    end = block[-1][-1].end
    return Table(caption=_caption(text, lines, first), start=start, end=end, header=head, rows=tuple(rows), layout="pipe")


# --- cell-per-line layout ------------------------------------------------------------------------------
_CELL_MAX = 60
_PROSE = re.compile(r"[。;!?]|^注[::]|^[一二三四五六七八九十]{1,3}、|^\([一二三四五六七八九十]{1,3}\)|^\d{1,2}\.(?!\d)")
# header words and the fragments they are split into on the page
_HEADER_WORD = re.compile(
    r"序号|编号|单位|计量单位|属性|指标属性|性质|类别|类型|领域|分类|备注|名称|指标(名称|类别|类型)?|"
    r"[一二三四]级(指标)?|[一二三四]级指标|主要指标|具体指标|"
    r"(\d{4}年)?(规划|预期)?(目标值?|实际值?|现状值?|基期值?|基数|基准值?|完成值?|预期值?|值)|\d{4}年(底|末)?"
)
_HEADER_COMPOUND = re.compile(r"[一二三四]级指标|指标(属性|名称|类别|类型)|\d{4}年(底|末)?(规划|预期)?(目标值?|实际值?|现状值?|基期值?|基数|基准值?|完成值?|预期值?)")
_LABEL_FRAGMENT = re.compile(r"[\u4e00-\u9fff]{1,6}")
_SEQ = re.compile(r"\d{1,3}")


def _cell_lines(text: str) -> list[tuple[int, int]]:
    """Non-blank lines as stripped spans."""
    out = []
    for s, e in _lines(text):
        s, e = _strip_span(text, s, e)
        if e > s:
            out.append((s, e))
    return out


def _is_cell(text: str) -> bool:
    return len(text) <= _CELL_MAX and "|" not in text and not _PROSE.search(text)


def find_cell_tables(nt: NormText) -> list[Table]:
    text = nt.text
    spans = _cell_lines(text)
    cells = [TableCell(text=text[s:e], start=s, end=e) for s, e in spans]
    tables: list[Table] = []
    i = 0
    while i < len(cells):
        if cells[i].text != "1" or not _is_cell(cells[i].text):
            i += 1
            continue
        # header: the header words right before the row number 1, or before the first group label
        # when the page prints a spanning cell ahead of its first row (一级指标 / 序号 / … / 产品质量 / 1)
        found = _cell_header(cells, i)
        if found is None:
            i += 1
            continue
        h, header, lead = found
        table, nxt = _cell_table(cells, h, i, header, lead)
        if table is None:
            i += 1
            continue
        caption = cells[h - 1].text if h > 0 and _is_cell(cells[h - 1].text) and len(cells[h - 1].text) <= _MAX_CAPTION else ""
        tables.append(Table(caption=caption, start=table.start, end=table.end, header=table.header, rows=table.rows, layout="cell-per-line"))
        i = nxt
    return tables


def _cell_header(cells: list[TableCell], first: int) -> Optional[tuple[int, list[TableCell], list[TableCell]]]:
    """(index of the first header cell, joined header, group-label fragments before row 1) or None."""
    g = first
    while g > 0 and first - g < 3 and _is_cell(cells[g - 1].text) and _LABEL_FRAGMENT.fullmatch(cells[g - 1].text) \
            and not _HEADER_WORD.fullmatch(cells[g - 1].text):
        g -= 1
    for lead_start in dict.fromkeys((first, g)):
        h = lead_start
        while h > 0 and _is_cell(cells[h - 1].text) and _HEADER_WORD.fullmatch(cells[h - 1].text):
            h -= 1
        header = _join_header(cells[h:lead_start])
        seq = next((k for k, x in enumerate(header) if re.fullmatch(r"序号|编号", x.text)), None)
        if len(header) < 3 or seq is None:
            continue
        if lead_start < first and seq == 0:
            continue  # no group column for a label to belong to
        return h, header, cells[lead_start:first]
    return None


def _join_header(cells: list[TableCell]) -> list[TableCell]:
    out: list[TableCell] = []
    k = 0
    while k < len(cells):
        c = cells[k]
        if k + 1 < len(cells) and _HEADER_COMPOUND.fullmatch(c.text + cells[k + 1].text):
            n = cells[k + 1]
            out.append(TableCell(text=c.text + n.text, start=c.start, end=n.end))
            k += 2
        else:
            out.append(c)
            k += 1
    return out


_ATTRIBUTE = re.compile(r"约束性?|预期性?|指导性?")


def _cell_table(cells: list[TableCell], h: int, first: int, header: list[TableCell],
                lead: list[TableCell]) -> tuple[Optional[Table], int]:
    names = [c.text for c in header]
    width = len(names)
    seq_col = next(k for k, x in enumerate(names) if re.fullmatch(r"序号|编号", x))
    attr_col = next((k for k, x in enumerate(names) if re.fullmatch(r"(指标)?属性|性质", x)), None)
    value_cols = [x for x in range(seq_col + 1, width) if x != attr_col]  # indicator first
    rows_raw: list[list[TableCell]] = []  # each row's cells, from its row number on
    labels: list[list[TableCell]] = []  # label fragments seen before each row
    pending: list[TableCell] = list(lead)
    cur: list[TableCell] = []
    expect = 1
    k = first
    while k < len(cells) and _is_cell(cells[k].text):
        c = cells[k]
        # a row is complete at its attribute cell, or (no attribute column) when every column is filled
        full = bool(cur) and (_ATTRIBUTE.fullmatch(cur[-1].text) is not None if attr_col is not None else len(cur) > len(value_cols))
        nxt_text = cells[k + 1].text if k + 1 < len(cells) else ""
        # the next row number, unless it is a value of a row that still has columns to fill: a row
        # number is followed by an indicator, a value by another value (…/项/10/12以上: 10 is the
        # baseline) or by the attribute (…/86/11/预期性: 11 is the target)
        in_row = bool(cur) and not full and len(cur) - 1 < len(value_cols) and (
            parse_bound(nxt_text).value is not None or (attr_col is not None and _ATTRIBUTE.fullmatch(nxt_text) is not None))
        if c.text == str(expect) and (not cur or full or len(cur) >= 3) and not _SEQ.fullmatch(nxt_text) and not in_row:
            if cur:
                rows_raw.append(cur)
            labels.append(pending)
            pending, cur = [], [c]
            expect += 1
        elif full:
            if not _LABEL_FRAGMENT.fullmatch(c.text):
                break
            pending.append(c)
        else:
            cur.append(c)
        k += 1
    if cur:
        rows_raw.append(cur)  # group labels after the last row belong to no row
    if not rows_raw:
        return None, first + 1
    row_labels: list[Optional[TableCell]] = []
    current: Optional[TableCell] = None
    for frag in labels:
        if frag:
            current = TableCell(text="".join(f.text for f in frag), start=frag[0].start, end=frag[-1].end)
        row_labels.append(current)
    # the first label is printed after the first row of its group: it also covers the rows before it
    first_label = next((lab for lab in row_labels if lab is not None), None)
    row_labels = [lab if lab is not None else first_label for lab in row_labels]

    rows: list[tuple[TableCell, ...]] = []
    for raw, lab in zip(rows_raw, row_labels):
        row: list[TableCell] = [_empty(raw[0].start)] * width
        if seq_col > 0 and lab is not None:
            row[seq_col - 1] = lab  # the group column is the header column before 序号
        row[seq_col] = raw[0]
        body = raw[1:]
        if attr_col is not None and body and _ATTRIBUTE.fullmatch(body[-1].text):
            row[attr_col] = body[-1]
            body = body[:-1]
        if body:
            row[value_cols[0]] = body[0]
            rest, slots = body[1:], value_cols[1:]
            rest = rest[-len(slots):] if slots else []
            # right-aligned: a dropped cell is a leading one (the unit)
            for col, cell in zip(slots[len(slots) - len(rest):], rest):
                row[col] = cell
        rows.append(tuple(row))
    table = Table(caption="", start=header[0].start, end=rows_raw[-1][-1].end, header=tuple(names), rows=tuple(rows), layout="cell-per-line")
    return table, k
