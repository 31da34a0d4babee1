"""Programmes of a plan (qp:Program) from the document tree.

- every 专栏 box is a programme of kind 专栏, its ordinal the box number, its items the
  box's bullets (or paragraphs);
- every row of a programme table (a group label such as 重大改革 spanning numbered rows,
  usually in the appendix) is a programme of the kind the group label names, its ordinal
  the row number; the same list written as headings (一、重大改革 over 1.智慧监管集成改革:…)
  gives one programme per numbered sub-heading. Which group labels and headings are programme
  kinds is read from the programme-kind vocabulary (ontology/vocab), so a new kind needs a
  concept there, not code here.
"""
from __future__ import annotations

import re

from .. import namespaces as ns
from ..model import DocMeta, DocTree, NormText, Program, Section, SourceDoc
from ..vocab import TermEntry, load_gazetteer
from .evidence import evidence

BOX_KIND = "专栏"
# PDF converters leave spaces inside Chinese text (数字赋能制造业 高质量发展工程); labels drop them.
_CJK_SPACE = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")


def clean_label(text: str) -> str:
    """A programme label or item as shown: no PDF spaces, no table pipes or trailing colon."""
    t = _CJK_SPACE.sub("", text.strip().strip("|").strip())
    return re.sub(r"\s+", " ", t).rstrip(":").strip()


def _ordinals(numbers: list[str]) -> list[int]:
    """The written numbers when they are distinct integers, else positions 1..n."""
    ints = [int(n) if n.isdigit() else None for n in numbers]
    if all(i is not None for i in ints) and len(set(ints)) == len(ints):
        return [i for i in ints if i is not None]
    from ..numbers import cn_number

    cn = [cn_number(n) if n else None for n in numbers]
    if all(i is not None for i in cn) and len(set(cn)) == len(cn):
        return [i for i in cn if i is not None]
    return list(range(1, len(numbers) + 1))


def _section_iri(doc: SourceDoc, tree: DocTree, pos: int) -> str:
    """IRI of the innermost heading or appendix section containing normalized offset `pos`."""
    for s in reversed(tree.path_at(pos)):
        if s.kind in ("heading", "appendix") and s.heading_span:
            return ns.section_iri(doc.doc_id, s.heading_span[0])
    return ""


def _program(doc: SourceDoc, nt: NormText, tree: DocTree, kind: str, term: TermEntry | None, ordinal: int,
             sec: Section, ev_start: int, ev_end: int) -> Program | None:
    label = clean_label(sec.title)
    if not label or ev_end <= ev_start:
        return None
    items = [c for c in sec.children if c.kind == "item"]
    return Program(
        kind=term.pref_label if term else kind,
        ordinal=ordinal,
        label=label,
        evidence=evidence(doc, nt, ev_start, ev_end),
        items=tuple(evidence(doc, nt, c.start, c.end) for c in items),
        item_texts=tuple(clean_label(c.title) for c in items),
        kind_iri=term.iri if term else "",
        kind_slug=term.notation if term else "",
        section=_section_iri(doc, tree, sec.start),
    )


def extract_programs(doc: SourceDoc, nt: NormText, tree: DocTree, meta: DocMeta) -> list[Program]:
    """专栏 boxes and programme-table rows, in document order within each kind."""
    gaz = load_gazetteer()
    out: list[Program] = []
    boxes = [s for s in tree.walk() if s.kind == "box"]
    box_term = gaz.program_kind_for_label(BOX_KIND)
    for sec, n in zip(boxes, _ordinals([s.number for s in boxes])):
        # Evidence: the heading as written, from 专栏N to the end of its title (without a trailing |).
        end = sec.title_end if sec.title_end > sec.start else sec.start
        p = _program(doc, nt, tree, BOX_KIND, box_term, n, sec, sec.start, end)
        if p:
            out.append(p)
    rows_by_kind: dict[str, list[tuple[TermEntry, Section]]] = {}
    for g in tree.walk():
        if g.kind != "group":
            continue
        term = gaz.program_kind_for_label(clean_label(g.title))
        if term is None:
            continue  # a table grouped by something else (target categories…)
        rows_by_kind.setdefault(term.iri, []).extend((term, r) for r in g.children if r.kind == "row")
    # A heading that names a kind (一、重大改革) over numbered headings (1.智慧监管集成改革:…) is the
    # same list written as text: each numbered heading is a programme of that kind.
    for h in tree.walk():
        if h.kind != "heading":
            continue
        term = gaz.program_kind_for_label(clean_label(h.title))
        if term is None:
            continue
        listed = [c for c in h.children if c.kind == "heading" and c.number and c.title_end > c.title_start]
        if len({c.level for c in listed}) == 1:
            rows_by_kind.setdefault(term.iri, []).extend((term, c) for c in listed)
    for rows in rows_by_kind.values():
        for (term, row), n in zip(rows, _ordinals([r.number for _, r in rows])):
            p = _program(doc, nt, tree, term.pref_label, term, n, row, row.title_start, row.title_end)
            if p:
                out.append(p)
    return out
