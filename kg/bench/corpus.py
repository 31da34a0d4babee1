"""A synthetic corpus of plans and articles for cities and counties, with the facts each one plants.

`generate_corpus(n, out, seed)` writes n source files (plans, portal notices, news articles) for
cities and counties drawn from the GB/T 2260 area vocabulary, with concept names from the SKOS
vocabularies and phrases from `templates.json`. Layouts vary the way real sources do: pipe
tables, one-cell-per-line tables, prose targets, 专栏 boxes, an appendix of major reforms and
projects, HTML debris from a government portal, traditional script, GB18030 bytes, PDF
line-break spaces. Beside every source file, `<stem>.facts.json` lists what it planted;
`kg build` skips `.json` files, so the sidecars never enter the graph.

Goals read as plans write them: a falling indicator (an accident rate) has an upper bound
(≤0.3, 控制在0.3起以内), a percentage at 100 takes no 以上/不低于, a table's base-year value
lies on the near side of its goal, and every planted target records the comparator a careful
reader takes from its cell or phrase. PDF line-break spaces fall in 专栏 titles, long indicator
cells of pipe tables and appendix items (those two from a stream of their own).

Document i depends only on (seed, i): the first 10 documents of a 1,000-document corpus are the
10 documents of a 10-document corpus, and any document can be regenerated alone.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from .. import atomic
from ..resources import package_file
from ..vocab import AreaEntry, Gazetteer, load_gazetteer

PERIOD = (2021, 2025)
CN_DIGITS = "〇一二三四五六七八九"
CN_ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class PlantedTarget:
    indicator: str
    unit: str
    value: Optional[float]  # None for a qualitative goal (达到省均)
    text: str  # the cell or phrase as written
    year: int
    category: str
    source: str  # table | prose
    comparator: Optional[str] = None  # as a careful reader takes it: at_least | at_most | reach | exactly


@dataclass(frozen=True)
class PlantedDoc:
    """The facts one synthetic document states, in the terms of the data model."""

    file: str
    kind: str  # plan | article
    layouts: tuple[str, ...]
    encoding: str
    jurisdiction: dict[str, str]  # code, name, level
    title: str
    issuer: str = ""
    doc_number: str = ""
    signed: str = ""  # YYYY-MM
    period: tuple[int, ...] = ()
    concepts: tuple[str, ...] = ()  # concept IRIs
    targets: tuple[PlantedTarget, ...] = ()
    past_results: tuple[PlantedTarget, ...] = ()  # stated results that must not become targets
    programs: tuple[tuple[str, str], ...] = ()  # (kind, label)
    orgs: tuple[str, ...] = ()
    areas: tuple[str, ...] = field(default=())  # admin codes of other areas named in the text


@dataclass(frozen=True)
class CorpusSummary:
    out_dir: str
    files: tuple[str, ...]
    bytes: int
    seed: int


@lru_cache(maxsize=1)
def templates() -> dict[str, Any]:
    return json.loads(package_file("bench", "templates.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- vocabulary helpers


@lru_cache(maxsize=1)
def _areas() -> tuple[tuple[AreaEntry, ...], tuple[AreaEntry, ...]]:
    """Cities and counties whose full name is unique, so a document can name its area unambiguously."""
    gaz = load_gazetteer()
    names: dict[str, int] = {}
    for a in gaz.areas:
        names[a.name] = names.get(a.name, 0) + 1
    cities = tuple(a for a in gaz.areas if a.level == "city" and names[a.name] == 1)
    counties = tuple(a for a in gaz.areas if a.level == "county" and names[a.name] == 1 and a.parent)
    return cities, counties


@lru_cache(maxsize=1)
def _area_index() -> dict[str, AreaEntry]:
    return {a.code: a for a in load_gazetteer().areas}


def _lineage(area: AreaEntry) -> list[AreaEntry]:
    """The area and its ancestors, nearest first (county -> city -> province)."""
    out = [area]
    idx = _area_index()
    while out[-1].parent and out[-1].parent in idx and len(out) < 4:
        out.append(idx[out[-1].parent])
    return out


@lru_cache(maxsize=1)
def _concept_areas() -> dict[str, frozenset[str]]:
    """For each concept: province prefixes (two digits) of the areas its labels name (浙品码 names none,
    放心消费在湖州 names 33). A concept tied to one province is planted only in that province's documents."""
    gaz = load_gazetteer()
    by_name: dict[str, str] = {}
    for a in gaz.areas:
        for n in (a.name, *a.short_names):
            if len(n) >= 2:
                by_name.setdefault(n, a.code[:2])
    pat = re.compile("|".join(map(re.escape, sorted(by_name, key=lambda s: (-len(s), s)))))
    return {c.iri: frozenset(by_name[m.group(0)] for lab in c.labels for m in pat.finditer(lab)) for c in gaz.concepts}


@lru_cache(maxsize=64)
def _concept_choices(province_prefix: str) -> list[tuple[str, tuple[str, ...]]]:
    """(label, concept IRIs it names) pairs usable in a document of this province."""
    gaz = load_gazetteer()
    tied = _concept_areas()
    out = []
    for c in gaz.concepts:
        if tied[c.iri] and tied[c.iri] != {province_prefix}:
            continue
        for lab in c.labels:
            if len(lab) >= 3 and not any(q in lab for q in "“”\"'"):
                out.append((lab, tuple(x.iri for x in gaz.concepts_for_label(lab))))
    return sorted(out)


# --------------------------------------------------------------------------- text helpers


def _cn_year(year: int) -> str:
    return "".join(CN_DIGITS[int(d)] for d in str(year))


def _cn_ordinal(n: int) -> str:
    if n <= 10:
        return CN_ORDINALS[n - 1]
    return "十" + (CN_ORDINALS[n - 11] if n > 10 else "")


def _number(rng: random.Random, spec: dict) -> tuple[float, str]:
    v = round(rng.uniform(spec["low"], spec["high"]), spec["decimals"])
    text = f"{v:.{spec['decimals']}f}" if spec["decimals"] else str(int(round(v)))
    return float(text), text


def _fill(template: str, **kw: Any) -> str:
    return template.format(**kw)


class _Text:
    """Lines of a document being written."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


# --------------------------------------------------------------------------- documents


@dataclass
class _Ctx:
    rng: random.Random
    gaz: Gazetteer
    area: AreaEntry
    lineage: list[AreaEntry]
    t: dict[str, Any]
    # PDF line breaks outside 专栏 titles draw from their own stream, so adding them left every
    # other choice of a document as it was
    breaks: random.Random = field(default_factory=random.Random)

    @property
    def short(self) -> str:
        return self.area.short_names[0] if self.area.short_names else self.area.name

    @property
    def province(self) -> AreaEntry:
        return self.lineage[-1]

    @property
    def full(self) -> str:
        """How a document names its area: a county together with its city (湖州市长兴县)."""
        if self.area.level == "county" and len(self.lineage) > 1 and self.lineage[1].level == "city":
            return self.lineage[1].name + self.area.name
        return self.area.name

    def kw(self) -> dict[str, str]:
        return {"area": self.area.name, "short": self.short, "province": self.province.name}

    def sentences(self, n: int) -> str:
        kw = self.kw()
        return "".join(_fill(self.rng.choice(self.t["filler"]), **kw) for _ in range(n))


def _pick_concepts(ctx: _Ctx, k: int) -> list[tuple[str, tuple[str, ...]]]:
    choices = _concept_choices(ctx.area.code[:2])
    picked: list[tuple[str, tuple[str, ...]]] = []
    seen: set[str] = set()
    for lab, iris in ctx.rng.sample(choices, min(len(choices), 4 * k)):
        if seen & set(iris):
            continue
        seen |= set(iris)
        picked.append((lab, iris))
        if len(picked) == k:
            break
    return picked


def _targets(ctx: _Ctx, n: int, specs: list[dict], source: str) -> list[PlantedTarget]:
    out = []
    for spec in specs[:n]:
        year = PERIOD[1]
        if source == "table" and ctx.rng.random() < 0.08:
            text = ctx.rng.choice(ctx.t["qualitative_targets"])
            out.append(PlantedTarget(spec["name"], spec["unit"], None, text, year, spec["category"], source))
            continue
        value, num = _number(ctx.rng, spec)
        comp = ctx.rng.choice(ctx.t[_variant("comparators", spec, value)]) if source == "table" else {"prefix": "", "suffix": ""}
        out.append(PlantedTarget(spec["name"], spec["unit"], value, comp["prefix"] + num + comp["suffix"], year, spec["category"], source,
                                 comp.get("means")))
    return out


def _variant(key: str, spec: dict, value: Optional[float]) -> str:
    """The template list for a goal: an upper bound for a falling indicator (事故率 ≤0.3, 控制在…以内),
    no 以上/不低于 for a percentage at its ceiling (100%), else the plain list. The lists have the
    same length, so the choice draws the same random numbers."""
    if spec.get("direction") == "down":
        return key + "_down"
    if value is not None and spec["unit"] == "%" and value >= 100:
        return key + "_cap"
    return key


def _baseline(rng: random.Random, spec: dict, target: PlantedTarget) -> str:
    """The base-year value of a table row: below a rising goal, above a falling one (one random draw)."""
    u = rng.random()
    if target.value is None:  # a qualitative goal: any value of the indicator's range
        v = spec["low"] + (spec["high"] - spec["low"]) * u
    elif spec.get("direction") == "down":
        v = target.value + (spec["high"] - target.value) * (0.3 + 0.7 * u) + 10 ** -spec["decimals"]
    else:
        v = target.value - (target.value - spec["low"]) * (0.3 + 0.7 * u) - (10 ** -spec["decimals"] if target.value > spec["low"] else 0)
    v = max(0.0, v)
    return f"{v:.{spec['decimals']}f}" if spec["decimals"] else str(int(round(v)))


def _pipe_table(doc: _Text, caption: str, rows: list[PlantedTarget], baselines: list[str], breaks: Optional[random.Random] = None) -> None:
    # Like a PDF export: the category cell appears on its group's first row only, rows end in "|";
    # with `breaks`, a long indicator cell may keep the space of a line break (规模以上工业 新产品产值率).
    doc.add(caption, f"类别 | 主要指标 | 单位 | {PERIOD[0] - 1}年基期值 | {PERIOD[1]}年目标值 |")
    last = None
    for r, base in zip(rows, baselines):
        name = _pdf_spaces(r.indicator, breaks) if breaks is not None and len(r.indicator) >= 9 and breaks.random() < 0.5 else r.indicator
        cells = ([r.category] if r.category != last else []) + [name, r.unit, base, r.text]
        last = r.category
        doc.add(" | ".join(cells) + " |")


def _cell_table(doc: _Text, caption: str, rows: list[PlantedTarget], baselines: list[str], rng: random.Random) -> None:
    # Like a government web page: every cell on its own indented line, blank lines between cells.
    cells = [caption, "一级指标", "序号", "二级指标", "单位", f"{PERIOD[0] - 1}年", "实际值", f"{PERIOD[1]}年", "目标值", "指标属性"]
    last = None
    for i, (r, base) in enumerate(zip(rows, baselines), 1):
        if r.category != last:
            cells.append(r.category)
            last = r.category
        cells += [str(i), r.indicator, r.unit, base, r.text, rng.choice(["约束性", "预期性"])]
    for c in cells:
        doc.add("        " + c, "")


def _program_label(ctx: _Ctx, kind: str, used: set[str]) -> str:
    for _ in range(50):
        label = ctx.rng.choice(ctx.t["program_subjects"]) + ctx.rng.choice(ctx.t["program_suffixes"][kind])
        if label not in used:
            used.add(label)
            return label
    raise RuntimeError("templates.json has too few programme subjects")  # pragma: no cover - data error


def _pdf_spaces(label: str, rng: random.Random) -> str:
    """A PDF line break inside a heading leaves a space (数字赋能制造业 高质量发展工程)."""
    if len(label) < 6:
        return label
    i = rng.randint(3, len(label) - 3)
    if label[i - 1] in "“”" or label[i] in "“”":
        return label
    return label[:i] + " " + label[i:]


def _plan(ctx: _Ctx, layouts: set[str]) -> tuple[_Text, dict[str, Any]]:
    rng, t, kw = ctx.rng, ctx.t, ctx.kw()
    kw["area"] = ctx.full if rng.random() < 0.5 else ctx.area.name
    title = _fill(rng.choice(t["plan_titles"]), **kw)
    issuer = _fill(rng.choice(t["plan_issuers"]), area=ctx.area.name)
    month = rng.randint(1, 12)
    leading = _fill(rng.choice(t["leading_groups"]), **ctx.kw())
    institute = _fill(rng.choice(t["institutes"]), **ctx.kw())
    specs = rng.sample(t["indicators"], len(t["indicators"]))
    spec_of = {spec["name"]: spec for spec in specs}
    n_table = rng.randint(6, 14)
    table = _targets(ctx, n_table, specs, "table") if "no-table" not in layouts else []
    table.sort(key=lambda r: r.category)
    rest = specs[n_table:]
    prose = _targets(ctx, rng.randint(2, 4), rest, "prose") if "prose-targets" in layouts else []
    past_specs = rest[len(prose):][:3]
    past = []
    for spec in past_specs:
        value, num = _number(rng, spec)
        past.append(PlantedTarget(spec["name"], spec["unit"], value, num, PERIOD[0] - 1, spec["category"], "past"))
    concepts = _pick_concepts(ctx, rng.randint(3, 8))
    used: set[str] = set()
    boxes = [_program_label(ctx, "专栏", used) for _ in range(rng.randint(2, 6))] if "boxes" in layouts else []
    appendix = {k: [_program_label(ctx, k, used) for _ in range(rng.randint(1, 4))] for k in ("重大改革", "重大工程", "重大平台", "重大政策")} if "appendix" in layouts else {}

    doc = _Text()
    doc.add(title, f"({PERIOD[0]}{rng.choice(['~', '—', '-'])}{PERIOD[1]}年)", issuer)
    doc.add(f"{_cn_year(PERIOD[0])}年{_cn_ordinal(month)}月" if rng.random() < 0.5 else f"{PERIOD[0]}年{month}月")
    headings = t["headings_l1"]
    tasks = rng.sample(t["task_headings"], rng.randint(3, 6))
    if "toc" in layouts:
        doc.add("目 录")
        page = 1
        for i, h in enumerate(headings, 1):
            doc.add(f"{_cn_ordinal(i)}、{h} {page}")
            page += rng.randint(2, 8)
    doc.add(
        f"为深入实施质量强国战略,根据《{ctx.province.name}质量发展“十四五”规划》和{ctx.area.name}国民经济和社会发展第十四个五年规划,"
        f"制定本规划。规划期限为{PERIOD[0]}年—{PERIOD[1]}年,覆盖{ctx.area.name}全域。"
    )
    concept_iter = iter(concepts * 2)

    def paragraph(n_sent: int, with_concept: bool) -> str:
        s = ctx.sentences(n_sent)
        if with_concept:
            c = next(concept_iter, None)
            if c:
                s += _fill(rng.choice(t["concept_frames"]), label=c[0])
        return s + ctx.sentences(rng.randint(1, 3))

    for i, h in enumerate(headings, 1):
        doc.add(f"{_cn_ordinal(i)}、{h}")
        if h == "发展基础":
            for p in past:
                doc.add(ctx.sentences(2) + _fill(rng.choice(t["past_frames"]), indicator=p.indicator, value=p.text, unit=p.unit))
            doc.add(paragraph(4, True))
        elif h == "发展目标":
            doc.add(f"到{PERIOD[1]}年,{ctx.area.name}质量总体水平显著提升,质量强市建设取得明显成效。" + ctx.sentences(2))
            for k, p in enumerate(prose):
                frame = rng.choice(t[_variant("prose_frames", spec_of[p.indicator], p.value)])
                doc.add(ctx.sentences(1) + _fill(frame["text"], year=p.year, indicator=p.indicator, value=p.text, unit=p.unit))
                prose[k] = replace(p, comparator=frame["means"])
            if table:
                caption = f"表1:{title}主要指标"
                baselines = [_baseline(rng, spec_of[r.indicator], r) for r in table]
                if "cell-table" in layouts:
                    _cell_table(doc, caption, table, baselines, rng)
                else:
                    _pipe_table(doc, caption, table, baselines, ctx.breaks if "pdf-spaces" in layouts else None)
        elif h == "主要任务":
            box_iter = iter(enumerate(boxes, 1))
            for j, task in enumerate(tasks, 1):
                doc.add(f"({_cn_ordinal(j)}){task}")
                for _ in range(rng.randint(2, 4)):
                    doc.add(paragraph(rng.randint(3, 7), rng.random() < 0.7))
                nb = next(box_iter, None)
                if nb:
                    n, label = nb
                    shown = _pdf_spaces(label, rng) if "pdf-spaces" in layouts else label
                    doc.add(f"专栏{n}:{shown}" + (" |" if "pipe-table" in layouts else ""))
                    for item in rng.sample(t["box_items"], 2):
                        doc.add("¨ " + _fill(item, year=PERIOD[1]))
            for n, label in box_iter:  # more boxes than task sections
                doc.add(f"专栏{n}:{label}", "¨ " + _fill(t["box_items"][0], year=PERIOD[1]))
        elif h == "保障措施":
            for j, sh in enumerate(t["safeguard_headings"], 1):
                doc.add(f"({_cn_ordinal(j)}){sh}")
                if j == 1:
                    doc.add(f"充分发挥{leading}统筹协调作用,建立健全部门协同推进机制。" + ctx.sentences(2))
                elif j == 2:
                    doc.add(f"支持{institute}建设,提升质量技术服务能力。" + ctx.sentences(2))
                else:
                    doc.add(paragraph(3, False))
        else:
            for _ in range(rng.randint(1, 3)):
                doc.add(paragraph(rng.randint(3, 6), rng.random() < 0.5))
    for c in concept_iter:  # every planted concept appears at least once
        doc.add(_fill(rng.choice(t["concept_frames"]), label=c[0]))
    if appendix:
        doc.add("附件1", f"“十四五”时期{ctx.area.name}质量发展领域重大改革、重大工程、重大平台、重大政策")
        for i, (kind, labels) in enumerate(appendix.items(), 1):
            doc.add(f"{_cn_ordinal(i)}、{kind}")
            for j, label in enumerate(labels, 1):
                shown = _pdf_spaces(label, ctx.breaks) if "pdf-spaces" in layouts and ctx.breaks.random() < 0.5 else label
                doc.add(f"{j}.{shown}:{ctx.sentences(1)}")
    programs = [("专栏", b) for b in boxes] + [(k, lab) for k, labs in appendix.items() for lab in labs]
    facts = dict(
        kind="plan", title=title, issuer=issuer, signed=f"{PERIOD[0]}-{month:02d}", period=PERIOD,
        concepts=tuple(sorted({i for _, iris in concepts for i in iris})),
        targets=tuple(table) + tuple(prose), past_results=tuple(past), programs=tuple(programs),
        orgs=(issuer, leading, institute),
    )
    return doc, facts


def _article(ctx: _Ctx, layouts: set[str]) -> tuple[_Text, dict[str, Any]]:
    rng, t, kw = ctx.rng, ctx.t, ctx.kw()
    headline = _fill(rng.choice(t["headlines"]), **kw)
    outlet = _fill(rng.choice(t["outlets"]), **kw)
    concepts = _pick_concepts(ctx, rng.randint(2, 4))
    leading = _fill(rng.choice(t["leading_groups"]), **kw)
    doc = _Text()
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    doc.add(headline, f"{PERIOD[0]}-{month:02d}-{day:02d} {rng.randint(7, 20):02d}:{rng.randint(0, 59):02d}:00", f"来源:{outlet}", "")
    doc.add(f"□本报记者 {rng.choice(t['reporters'])}", "")
    doc.add(f"近年来,{ctx.full}深入实施质量强市战略,质量总体水平稳步提升。" + ctx.sentences(2))
    for lab, _iris in concepts:
        doc.add(_fill(rng.choice(t["article_frames"]), label=lab, **{k: v for k, v in kw.items() if k != "label"}) + ctx.sentences(rng.randint(2, 4)))
        doc.add("")
    past = []
    for spec in rng.sample(t["indicators"], 2):
        v, num = _number(rng, spec)
        doc.add(f"{PERIOD[0] - 1}年,{ctx.area.name}{spec['name']}达到{num}{spec['unit']}。" + ctx.sentences(1))
        past.append(PlantedTarget(spec["name"], spec["unit"], v, num, PERIOD[0] - 1, spec["category"], "past"))
    doc.add(f"据介绍,{leading}将继续统筹推进各项工作。" + ctx.sentences(2))
    facts = dict(
        kind="article", title=headline, concepts=tuple(sorted({i for _, iris in concepts for i in iris})),
        past_results=tuple(past), orgs=(leading,),
    )
    return doc, facts


def _portal(ctx: _Ctx, body: str, facts: dict[str, Any], rng: random.Random) -> tuple[str, dict[str, Any]]:
    """Wrap a plan as a government portal page: tag debris, breadcrumb, index number, covering notice."""
    junk = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(5))
    debris = [_fill(rng.choice(ctx.t["html_debris"]), junk=junk) for _ in range(rng.randint(3, 8))]
    abbr = ctx.short[0] + rng.choice(ctx.t["doc_number_suffixes"])
    number = f"{abbr}〔{PERIOD[0]}〕{rng.randint(1, 60)}号"
    gov = f"{ctx.area.name}人民政府"
    head = [
        *debris,
        "",
        "        当前位置:首页 > 政务公开 > 政策文件",
        f"        索引号: 11{ctx.area.code}{rng.randint(10**8, 10**9 - 1)}X/{PERIOD[0]}-{rng.randint(100000, 999999)} 公开方式: 主动公开",
        f"        发布机构: {gov} 公开日期: {facts['signed']}-{rng.randint(1, 28):02d}",
        f"        发文字号: {number}",
        "",
        f"        {gov}关于印发{facts['title']}的通知",
        "",
        f"        现将《{facts['title']}》印发给你们,请结合实际认真贯彻执行。",
        "",
    ]
    lines = ["        " + ln if ln.strip() else ln for ln in body.splitlines()]
    tail = ["", "        主办单位: " + gov, *debris[:2]]
    facts = dict(facts, doc_number=number, orgs=tuple(facts["orgs"]) + (gov,))
    return "\n".join(head + lines + tail) + "\n", facts


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def _layouts(rng: random.Random, kind: str) -> set[str]:
    out: set[str] = set()
    if kind == "article":
        if rng.random() < 0.35:
            out.add("traditional")
        return out
    out.add("cell-table" if rng.random() < 0.35 else "pipe-table")
    for name, p in (("prose-targets", 0.7), ("boxes", 0.8), ("appendix", 0.4), ("toc", 0.5), ("pdf-spaces", 0.3), ("portal-html", 0.25)):
        if rng.random() < p:
            out.add(name)
    if rng.random() < 0.05:
        out.add("no-table")
    return out


@lru_cache(maxsize=4)
def _area_order(seed: int) -> tuple[list[AreaEntry], list[AreaEntry]]:
    """The sequence of areas depends on the seed only, not on the number of documents."""
    cities, counties = _areas()
    order = random.Random(seed)
    return order.sample(cities, len(cities)), order.sample(counties, len(counties))


def generate_document(i: int, seed: int = 0) -> tuple[str, bytes, PlantedDoc]:
    """Document i of the corpus for `seed`: (file name, raw bytes, planted facts)."""
    gaz = load_gazetteer()
    city_order, county_order = _area_order(seed)
    # Two cities for every county; cycle when n exceeds the vocabulary.
    area = county_order[(i // 3) % len(county_order)] if i % 3 == 2 else city_order[(i - i // 3) % len(city_order)]
    rng = random.Random(f"{seed}:{i}")
    ctx = _Ctx(rng=rng, gaz=gaz, area=area, lineage=_lineage(area), t=templates(), breaks=random.Random(f"{seed}:{i}:pdf"))
    kind = "plan" if rng.random() < 0.7 else "article"
    layouts = _layouts(rng, kind)
    doc, facts = (_plan if kind == "plan" else _article)(ctx, layouts)
    text = doc.text()
    if "portal-html" in layouts:
        text, facts = _portal(ctx, text, facts, rng)
    if "traditional" in layouts:
        text = _s2t().convert(text)
    encoding = "gb18030" if rng.random() < 0.15 else "utf-8"
    suffix = ".html" if "portal-html" in layouts and rng.random() < 0.5 else ".txt"
    digest = hashlib.sha1(f"{seed}:{i}".encode()).hexdigest()[:16]
    name = f"{i:05d}_{digest}{suffix}"
    planted = PlantedDoc(
        file=name,
        kind=facts["kind"],
        layouts=tuple(sorted(layouts)),
        encoding=encoding,
        jurisdiction={"code": area.code, "name": area.name, "level": area.level},
        title=facts["title"],
        issuer=facts.get("issuer", ""),
        doc_number=facts.get("doc_number", ""),
        signed=facts.get("signed", ""),
        period=tuple(facts.get("period", ())),
        concepts=facts["concepts"],
        targets=tuple(facts.get("targets", ())),
        past_results=tuple(facts.get("past_results", ())),
        programs=tuple(facts.get("programs", ())),
        orgs=tuple(facts.get("orgs", ())),
        areas=tuple(a.code for a in ctx.lineage[1:]),
    )
    return name, text.encode(encoding), planted


def sidecar_name(file_name: str) -> str:
    """`00001_ab.txt` -> `00001_ab.facts.json` (a .json file, which the build does not read)."""
    return file_name.rsplit(".", 1)[0] + ".facts.json"


def generate_corpus(n: int, out_dir: str | Path, seed: int = 0) -> CorpusSummary:
    """Write n documents and their `.facts.json` sidecars into out_dir (created if needed)."""
    from ..errors import UsageError

    if n < 1:
        raise UsageError(f"--docs must be at least 1 (got {n})")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out}: cannot create the corpus folder ({exc.strerror}); give --out a folder path") from None
    files, total = [], 0
    for i in range(n):
        name, data, planted = generate_document(i, seed)
        atomic.write_bytes(out / name, data)
        atomic.write_text(out / sidecar_name(name), json.dumps(asdict(planted), ensure_ascii=False, indent=1) + "\n")
        files.append(name)
        total += len(data)
    return CorpusSummary(out_dir=str(out), files=tuple(files), bytes=total, seed=seed)


def load_planted(corpus_dir: str | Path) -> dict[str, dict[str, Any]]:
    """The planted facts of a generated corpus, by source file name."""
    out = {}
    for p in sorted(Path(corpus_dir).glob("*.facts.json")):
        d = json.loads(p.read_text(encoding="utf-8"))
        out[d["file"]] = d
    return out
