"""Stage 3: NormText -> DocTree (headings, boxes, tables) with normalized offsets."""
from __future__ import annotations

import re

from .model import DocTree, NormText, Section

_HEADINGS = (
    (1, re.compile(r"^[ \t]*([一二三四五六七八九十]{1,3})、([^\n]{1,60})$", re.M)),
    (2, re.compile(r"^[ \t]*\(([一二三四五六七八九十]{1,3})\)([^\n]{1,80})$", re.M)),
)


def segment(nt: NormText) -> DocTree:
    found: list[Section] = []
    for level, pat in _HEADINGS:
        for m in pat.finditer(nt.text):
            found.append(Section(kind="heading", level=level, title=m.group(2).strip(), number=m.group(1), start=m.start(), end=m.end()))
    found.sort(key=lambda s: s.start)
    return DocTree(sections=tuple(found))
