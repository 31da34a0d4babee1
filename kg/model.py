"""Typed records that stages pass to each other (a leaf module: frozen dataclasses only).

Coordinates: every `start`/`end` stored on a fact is a Unicode code-point offset into
`SourceDoc.text`, the decoded source text. Stages that work on normalized text convert
through `NormText.source_span` before building a record.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate
from typing import Iterator, Optional


@dataclass(frozen=True)
class SourceDoc:
    """One input file, decoded (output of `read`)."""

    path: str
    name: str  # file name, e.g. 000_3dc1af908529f85b.txt
    doc_id: str  # IRI-safe stem
    text: str  # the decoded source text: the coordinate system of all provenance
    encoding: str  # as detected (or forced with --encoding)
    sha256: str  # of the raw bytes
    size: int  # bytes
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Repair:
    """A change normalization made that a user should know about (spam replaced, mojibake found...)."""

    kind: str  # e.g. "spam-token", "mojibake", "pinyin", "t2s"
    start: int  # source offsets
    end: int
    before: str
    after: str
    note: str = ""


@dataclass(frozen=True)
class NormText:
    """Normalized text plus, for every normalized character, the source offset it came from.

    `offsets[i]` is the source index of normalized char i; `offsets[len(text)]` is the
    source end. A normalized span [s, e) maps to source [offsets[s], src_end(e)).
    """

    text: str
    offsets: tuple[int, ...]
    ends: tuple[int, ...]  # ends[i]: source end (exclusive) of normalized char i
    repairs: tuple[Repair, ...] = ()
    excluded: tuple[tuple[int, int], ...] = ()  # normalized spans not to extract from (mojibake, spam prose)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized [start, end) to the source span it came from."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}-{end} outside normalized text of length {len(self.text)}")
        return self.offsets[start], self.ends[end - 1]

    def is_excluded(self, start: int, end: int) -> bool:
        """Does [start, end) overlap an excluded span? (a bisect: extraction asks this ~100k times a build)"""
        if not self.excluded:
            return False
        starts, reach = self._excluded_index
        # the spans that start before `end`: does the farthest of their ends pass `start`?
        k = bisect_left(starts, end)
        return k > 0 and reach[k - 1] > start

    @cached_property
    def _excluded_index(self) -> tuple[list[int], list[int]]:
        """Excluded spans sorted by start, and the running maximum of their ends."""
        spans = sorted(self.excluded)
        reach = list(accumulate((e for _, e in spans), max))
        return [s for s, _ in spans], reach


@dataclass(frozen=True)
class Evidence:
    """Where a fact came from: a source span and the exact quote (source[start:end])."""

    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Section:
    """A node of the document tree (offsets in normalized text)."""

    kind: str  # heading | box | table | toc | appendix | group | row | item | preamble
    level: int
    title: str
    start: int
    end: int
    number: str = ""  # 一 / (一) / 1 / 专栏3 ...
    children: tuple["Section", ...] = ()
    heading_span: tuple[int, ...] = ()  # SOURCE (start, end) of the heading line / cell the title came from
    title_start: int = -1  # normalized offsets of `title` itself (for evidence of labels)
    title_end: int = -1

    def walk(self) -> Iterator["Section"]:
        """This section and all its descendants, in document order."""
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass(frozen=True)
class TableCell:
    text: str
    start: int  # normalized offsets
    end: int


@dataclass(frozen=True)
class Table:
    caption: str
    start: int
    end: int
    header: tuple[str, ...]
    rows: tuple[tuple[TableCell, ...], ...]  # cells after category fill-down, normalized
    layout: str  # "pipe" | "cell-per-line"


@dataclass(frozen=True)
class DocTree:
    sections: tuple[Section, ...]
    tables: tuple[Table, ...] = ()

    def walk(self) -> Iterator[Section]:
        """Every section of the tree, depth first, in document order."""
        for s in self.sections:
            yield from s.walk()

    def path_at(self, pos: int) -> tuple[Section, ...]:
        """The chain of sections (outermost first) containing normalized offset `pos`."""
        out: list[Section] = []
        level = self.sections
        while True:
            hit = next((s for s in level if s.start <= pos < s.end), None)
            if hit is None:
                return tuple(out)
            out.append(hit)
            level = hit.children


@dataclass(frozen=True)
class AreaRef:
    code: str  # six-digit GB/T 2260
    name: str  # full name, e.g. 湖州市
    level: str  # province | city | county


@dataclass(frozen=True)
class ConceptMention:
    concept: str  # concept IRI from the vocabularies
    evidence: Evidence
    scope: str = ""  # IRI of the programme/section it occurs in, if any


@dataclass(frozen=True)
class AreaMention:
    code: str
    evidence: Evidence


@dataclass(frozen=True)
class OrgMention:
    name: str  # resolved full name (label)
    scope: str  # admin code of the jurisdiction it belongs to, or "cn"
    kind: str  # government | leading-group | institute | university | alliance | association | enterprise | other
    evidence: Evidence
    parent: str = ""  # name of a parent organization, where the text states it
    parent_scope: str = ""  # the parent's scope (default: the same scope)
    parent_kind: str = ""
    seat: str = ""  # admin code of the area it is seated in, when the name says so ("" = unknown)
    written: str = ""  # the name as written (normalized), before resolution


@dataclass(frozen=True)
class Target:
    ordinal: int  # row or occurrence number within the plan (1-based)
    indicator: str
    evidence: Evidence
    category: str = ""  # category label as written, e.g. 产品质量 or 综合指标/质量建设
    unit: Optional[str] = None
    target_text: Optional[str] = None
    target_value: Optional[float] = None
    target_year: Optional[int] = None
    baseline_text: Optional[str] = None
    baseline_value: Optional[float] = None
    baseline_year: Optional[int] = None
    comparator: Optional[str] = None  # at_least | at_most | exactly | reach | about | exceed
    binding: Optional[bool] = None
    cumulative: Optional[bool] = None
    source: str = "table"  # table | prose
    category_iri: str = ""  # target-category concept of the innermost category level found in the vocabulary


@dataclass(frozen=True)
class Program:
    kind: str  # 专栏 | 重大改革 | 重大工程 | 重大平台 | 重大政策 | 行动
    ordinal: int
    label: str  # normalized heading (PDF spaces removed)
    evidence: Evidence
    items: tuple[Evidence, ...] = ()  # ¨ bullets inside a box
    item_texts: tuple[str, ...] = ()  # the items' normalized text, parallel to `items`
    kind_iri: str = ""  # programme-kind concept IRI from the vocabulary
    kind_slug: str = ""  # its skos:notation (box, reform, ...), used in the programme IRI
    section: str = ""  # IRI of the enclosing qp:Section, if any


@dataclass(frozen=True)
class CitedPlan:
    title: str  # normalized title without 《》
    relation: str  # basedOn | succeeds
    evidence: Evidence


@dataclass(frozen=True)
class Value:
    """A metadata value with its evidence."""

    value: str
    evidence: Evidence


@dataclass(frozen=True)
class DocMeta:
    kind: str  # plan | article
    jurisdiction: Optional[AreaRef]
    jurisdiction_evidence: tuple[Evidence, ...] = ()
    title: Optional[Value] = None
    issuer: Optional[Value] = None
    doc_number: Optional[Value] = None
    signed: Optional[Value] = None  # ISO date, YYYY-MM or YYYY
    published: Optional[Value] = None
    period_start: Optional[Value] = None
    period_end: Optional[Value] = None
    source: Optional[Value] = None  # newspaper / outlet
    authors: tuple[Value, ...] = ()
    is_fragment: bool = False
    cited: tuple[CitedPlan, ...] = ()


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one document (output of `extract`)."""

    meta: DocMeta
    targets: tuple[Target, ...] = ()
    programs: tuple[Program, ...] = ()
    concepts: tuple[ConceptMention, ...] = ()
    areas: tuple[AreaMention, ...] = ()
    orgs: tuple[OrgMention, ...] = ()
    sections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class DocReport:
    """Per-document lines of build/report.json."""

    file: str
    doc_id: str
    ok: bool
    encoding: str = ""
    sha256: str = ""
    error: str = ""
    warnings: tuple[str, ...] = ()
    repairs: tuple[dict, ...] = ()
    counts: tuple[tuple[str, int], ...] = ()  # class CURIE -> count
    refused_mentions: int = 0
    timings: tuple[tuple[str, float], ...] = ()
    skipped: bool = False  # unchanged since the last incremental build
    path: str = ""  # the input file, resolved: notebooks open the source from it (kg.Graph.source_text)
    kind: str = ""  # plan | article | plan fragment
    jurisdiction: str = ""  # the area's name, e.g. 绍兴市


@dataclass(frozen=True)
class DocResult:
    """What building one document produces: a pure function of its bytes and the options."""

    report: DocReport
    nquads: str = ""  # the document's named graph, canonical N-Quads (sorted lines)
    extraction: Optional[Extraction] = field(default=None, compare=False)
