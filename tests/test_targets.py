"""kg.extract.targets: table and prose targets on snippets, and the gold of the bundled corpus."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from kg.extract.targets import extract_targets
from kg.numbers import five_year_plan_years
from kg.model import DocMeta, DocTree, Evidence, SourceDoc, Target
from kg.normalize import normalize_text

ROOT = Path(__file__).resolve().parent.parent
GOLD = json.loads((ROOT / "tests" / "gold" / "seeds.json").read_text(encoding="utf-8"))


def _doc(text: str) -> SourceDoc:
    return SourceDoc(path="x.txt", name="x.txt", doc_id="x", text=text, encoding="utf-8", sha256="0", size=len(text.encode()))


def extract(text: str, kind: str = "plan", excluded: tuple[tuple[int, int], ...] = ()) -> list[Target]:
    doc = _doc(text)
    nt = normalize_text(text)
    if excluded:
        nt = replace(nt, excluded=excluded)
    out = extract_targets(doc, nt, DocTree(sections=()), DocMeta(kind=kind, jurisdiction=None))
    for t in out:  # every fact is quote-exact
        assert text[t.evidence.start : t.evidence.end] == t.evidence.quote
    return out


def brief(t: Target) -> tuple:
    return (t.indicator, t.target_value, t.unit, t.target_year, t.comparator)


# --- tables -------------------------------------------------------------------------------------
COUNTY_TABLE = """某县质量发展“十四五”规划
表1 某县质量发展主要指标
序号 | 指标名称 | 单位 | 2020年基期值 | 2022年目标值 | 2025年目标值 | 属性 |
1 | 规上工业产品质量合格率 | % | 95.1 | ≥95.5 | ≥96 | 约束性 |
2 | 新增“品字标”企业 | 家 | [5] | [8] | [15] | 预期性 |
3 | 服务质量满意度 | 分 | 80.2 | / | 达到全省平均 | 预期性 |
"""


def test_county_table_with_two_target_years() -> None:
    ts = extract(COUNTY_TABLE)
    assert [(t.ordinal, t.indicator, t.target_year, t.target_text) for t in ts] == [
        (1, "规上工业产品质量合格率", 2022, "≥95.5"),
        (2, "规上工业产品质量合格率", 2025, "≥96"),
        (3, "新增“品字标”企业", 2022, "[8]"),
        (4, "新增“品字标”企业", 2025, "[15]"),
        (5, "服务质量满意度", 2022, "/"),
        (6, "服务质量满意度", 2025, "达到全省平均"),
    ]
    t = ts[1]
    assert (t.target_value, t.comparator, t.unit, t.binding, t.cumulative, t.source) == (96.0, "at_least", "%", True, False, "table")
    assert (t.baseline_text, t.baseline_value, t.baseline_year) == ("95.1", 95.1, 2020)
    assert (ts[3].target_value, ts[3].cumulative, ts[3].baseline_value, ts[3].binding) == (15.0, True, 5.0, False)
    assert (ts[5].target_value, ts[5].comparator) == (None, None)
    assert ts[0].evidence.quote == "1 | 规上工业产品质量合格率 | % | 95.1 | ≥95.5 | ≥96 | 约束性"
    assert ts[0].category == ""


def test_bare_year_columns_use_the_plan_period() -> None:
    text = "某区质量提升三年行动计划(2021—2023年)\n指标 | 单位 | 2020年 | 2023年 |\n品牌企业 | 家 | 40 | 60 |\n"
    (t,) = extract(text)
    assert (t.baseline_year, t.baseline_value, t.target_year, t.target_value) == (2020, 40.0, 2023, 60.0)


CELL_TABLE = """某县质量发展“十四五”规划

        主要指标

        序号

        指标

        单位

        2020年实际值

        2025年目标值

        指标属性

        1

        规上工业产品质量合格率

        %

        95.2

        不低于96

        约束性

        质量

        提升

        2

        新增“浙江制造”标准

        [6]

        [15]

        预期性

        3

        县长质量奖获奖企业全市排名

        /

        第四

        前三

        预期性

        注:带[\u00a0]为五年累计数。
"""


def test_cell_per_line_table_targets() -> None:
    ts = extract(CELL_TABLE)
    got = [
        (t.category, t.indicator, t.unit, t.baseline_text, t.baseline_value, t.target_text, t.target_value, t.comparator, t.binding, t.cumulative)
        for t in ts
    ]
    assert got == [
        ("质量提升", "规上工业产品质量合格率", "%", "95.2", 95.2, "不低于96", 96.0, "at_least", True, False),
        ("质量提升", "新增“浙江制造”标准", None, "[6]", 6.0, "[15]", 15.0, None, False, True),
        ("质量提升", "县长质量奖获奖企业全市排名", None, "第四", None, "前三", None, None, False, False),
    ]
    assert {(t.baseline_year, t.target_year) for t in ts} == {(2020, 2025)}
    assert ts[0].evidence.quote.split() == ["1", "规上工业产品质量合格率", "%", "95.2", "不低于96", "约束性"]


def test_table_rows_in_excluded_spans_are_skipped() -> None:
    start = COUNTY_TABLE.index("2 | 新增")
    nt_text = normalize_text(COUNTY_TABLE).text
    s = nt_text.index("2 | 新增")
    ts = extract(COUNTY_TABLE, excluded=((s, s + 20),))
    assert start > 0 and [t.indicator for t in ts].count("新增“品字标”企业") == 0
    assert len(ts) == 4


# --- prose ----------------------------------------------------------------------------------------
PLAN = """某县质量提升行动实施方案(2021—2023年)
2020年,全县规上工业产品质量合格率达到95.3%,累计培育“品字标”企业86家。
到2023年,全县规上工业产品质量合格率达到96%以上,培育“品字标”企业三百家,新增发明专利1.5万件,质量品牌产业产值突破120亿元。
到2022年,放心消费单位达到500家;到2023年,放心消费单位达到800家左右。
到2023年,农产品抽检合格率和食品抽检合格率分别达到98%以上、99%以上,培育10家企业成为省级绿色工厂。
力争新建农村家宴放心厨房67家。
到2023年,全县规上工业产品质量合格率达到96%以上。
"""


def test_plan_with_targets_for_two_years() -> None:
    ts = extract(PLAN)
    assert [brief(t) for t in ts] == [
        ("规上工业产品质量合格率", 96.0, "%", 2023, "at_least"),
        ("培育“品字标”企业", 300.0, "家", 2023, None),
        ("新增发明专利", 1.5, "万件", 2023, None),
        ("质量品牌产业产值", 120.0, "亿元", 2023, "exceed"),
        ("放心消费单位", 500.0, "家", 2022, "reach"),
        ("放心消费单位", 800.0, "家", 2023, "about"),
        ("农产品抽检合格率", 98.0, "%", 2023, "at_least"),
        ("食品抽检合格率", 99.0, "%", 2023, "at_least"),
        ("省级绿色工厂企业", 10.0, "家", 2023, None),
        # 力争 without a year: the plan's period end
        ("新建农村家宴放心厨房", 67.0, "家", 2023, None),
        # the repeated first goal is kept once
    ]
    assert [t.ordinal for t in ts] == list(range(1, 11))
    assert {t.source for t in ts} == {"prose"}
    assert ts[0].target_text == "达到96%以上"
    assert ts[0].evidence.quote == "规上工业产品质量合格率达到96%以上"
    assert ts[1].evidence.quote == "培育“品字标”企业三百家"


def test_past_results_are_not_targets() -> None:
    ts = extract(PLAN)
    assert not [t for t in ts if t.target_value in (95.3, 86.0)]


def test_prose_after_table_and_no_duplicate_of_a_row() -> None:
    text = COUNTY_TABLE + "到2025年,规上工业产品质量合格率不低于96%,县级质量奖企业达到20家。\n"
    ts = extract(text)
    prose = [t for t in ts if t.source == "prose"]
    assert [brief(t) for t in prose] == [("县级质量奖企业", 20.0, "家", 2025, "reach")]
    assert prose[0].ordinal == 7


NEWS = """浙品码赋码企业破万家
本报讯(记者 张三)近日,记者从市市场监管局获悉,截至目前,全市已有1.2万家企业完成浙品码赋码,累计赋码产品3.5万个。
2021年,全市赋码企业达到5000家,同比增长40%。
下一步,市市场监管局将力争到2022年底,全市赋码企业超过2万家。
"""


def test_news_article_past_counts_are_not_targets() -> None:
    ts = extract(NEWS, kind="article")
    assert [brief(t) for t in ts] == [("赋码企业", 2.0, "万家", 2022, "exceed")]


def test_excluded_prose_is_not_read() -> None:
    nt_text = normalize_text(NEWS).text
    s = nt_text.index("力争")
    assert extract(NEWS, kind="article", excluded=((s, s + 30),)) == []


def extract_with(text: str, meta: DocMeta) -> list[Target]:
    """Targets of a text with its own document tree (goal sections) and metadata (dates)."""
    from kg.segment import segment

    doc = _doc(text)
    nt = normalize_text(text)
    out = extract_targets(doc, nt, segment(nt), meta)
    for t in out:
        assert text[t.evidence.start : t.evidence.end] == t.evidence.quote
    return out


def test_scope_goes_on_through_the_paragraph() -> None:
    text = "二、发展目标\n到2025年,全市质量总体水平显著提升。制造业产品质量合格率达到96%以上,新增认证企业20家。\n2020年,合格率为94.8%。\n"
    assert [brief(t) for t in extract(text)] == [
        ("制造业产品质量合格率", 96.0, "%", 2025, "at_least"),
        ("新增认证企业", 20.0, "家", 2025, None),
    ]


def test_a_goal_section_scopes_its_paragraphs() -> None:
    text = (
        "德清县质量发展“十四五”规划\n一、发展目标\n到2025年,全县质量总体水平进一步提升。\n"
        "(一)产品质量。规上工业产品质量合格率保持在96%以上,新增“品字标”企业15家。\n"
        "二、重点任务\n(一)夯实基础。全县现有检验检测机构120家。\n"
    )
    ts = extract_with(text, DocMeta(kind="plan", jurisdiction=None))
    assert [brief(t) for t in ts] == [
        ("规上工业产品质量合格率", 96.0, "%", 2025, "at_least"),
        ("新增“品字标”企业", 15.0, "家", 2025, None),
    ]


def test_a_list_of_goals_is_split_after_each_value() -> None:
    text = "到2025年,力争培育省政府质量奖企业1家、县政府质量奖企业5家,制修订国家标准、行业标准20项。\n"
    assert [brief(t) for t in extract(text)] == [
        ("培育省政府质量奖企业", 1.0, "家", 2025, None),
        ("培育县政府质量奖企业", 5.0, "家", 2025, None),  # the list shares its verb
        ("制修订国家标准、行业标准", 20.0, "项", 2025, None),
    ]


def test_an_elliptical_list_carries_its_counting_verb() -> None:
    text = (
        "“十四五”期间,新增鲁班奖、国家优质工程奖2个,“钱江杯”等省优质工程奖40个,飞英杯260个;"
        "获批省级技术标准综合研究基地1个,区域技术标准联合创新基地1个;"
        "新增国际标准20项,主导制定国家标准40项,参与制定行业标准400项;"
        "新增认证企业30家,合格率达到98%;新增高新技术企业100家,技术合同成交额50亿元。\n"
    )
    ts = extract(text)
    assert [brief(t) for t in ts] == [
        ("新增鲁班奖、国家优质工程奖", 2.0, "个", 2025, None),
        ("新增“钱江杯”等省优质工程奖", 40.0, "个", 2025, None),
        ("新增飞英杯", 260.0, "个", 2025, None),
        ("获批省级技术标准综合研究基地", 1.0, "个", 2025, None),
        ("获批区域技术标准联合创新基地", 1.0, "个", 2025, None),
        ("新增国际标准", 20.0, "项", 2025, None),
        ("主导制定国家标准", 40.0, "项", 2025, None),  # a verb of its own: nothing carried
        ("参与制定行业标准", 400.0, "项", 2025, None),
        ("新增认证企业", 30.0, "家", 2025, None),
        ("合格率", 98.0, "%", 2025, "reach"),  # a qualifier (达到) of its own, and a rate
        ("新增高新技术企业", 100.0, "家", 2025, None),
        ("技术合同成交额", 50.0, "亿元", 2025, None),  # not a count: nothing carried
    ]
    # the quote reaches back to the verb the item borrows
    assert ts[1].evidence.quote == "新增鲁班奖、国家优质工程奖2个,“钱江杯”等省优质工程奖40个"


def test_a_part_after_qizhong_is_named_within_its_whole() -> None:
    text = "到2025年,数字经济增加值达到4000亿元以上,其中:核心产业增加值年均增长12%以上,占GDP比重10%;新增企业20家,其中省级企业5家。\n"
    assert [brief(t) for t in extract(text)] == [
        ("数字经济增加值", 4000.0, "亿元", 2025, "at_least"),
        ("数字经济核心产业增加值年均增长", 12.0, "%", 2025, "at_least"),
        ("数字经济核心产业增加值占GDP比重", 10.0, "%", 2025, None),
        ("新增企业", 20.0, "家", 2025, None),
        ("省级企业", 5.0, "家", 2025, None),  # a level names the subset in full already
    ]


def test_a_later_year_without_subject_keeps_the_indicator() -> None:
    text = "到2024年底,全县主导或参与制修订国家标准、行业标准20项以上;到2025年,累计达到30项。\n"
    ts = extract(text)
    assert [brief(t) for t in ts] == [
        ("主导或参与制修订国家标准、行业标准", 20.0, "项", 2024, "at_least"),
        ("主导或参与制修订国家标准、行业标准", 30.0, "项", 2025, "reach"),
    ]
    assert ts[1].evidence.quote == "累计达到30项" and ts[1].cumulative is True


def test_a_comparison_year_does_not_end_the_future_scope() -> None:
    text = "某区质量强区建设“十四五”规划\n到2025年,地理标志证明商标达到20件,比2020年增加8件;规上工业增加值年均增长7%左右。\n"
    assert [brief(t) for t in extract(text)] == [
        ("地理标志证明商标", 20.0, "件", 2025, "reach"),
        ("规上工业增加值年均增长", 7.0, "%", 2025, "about"),
    ]


def test_end_of_the_year_goal_in_a_dated_article() -> None:
    from kg.model import Value

    text = (
        "黄岩3.2万件产品有了“身份证”\n今年以来,全区已有126家企业完成赋码。2022年,全区赋码企业仅有38家。\n"
        "下一步,力争今年底全区赋码企业突破200家。\n"
        "长兴县将力争到2023年底全县规上工业企业赋码率达到95%以上。\n"
    )
    dated = Value("2023-04-18", Evidence(0, 1, text[0]))
    ts = extract_with(text, DocMeta(kind="article", jurisdiction=None, signed=dated))
    assert [brief(t) for t in ts] == [
        ("赋码企业", 200.0, "家", 2023, "exceed"),
        ("规上工业企业赋码率", 95.0, "%", 2023, "at_least"),
    ]


def test_vague_indicators_are_not_targets() -> None:
    text = "“十四五”期末,争取全市体系认证达到1.5万张,检验机构达到200家以上,产值突破30亿元,计划完成投资超1500亿元。\n"
    assert [brief(t) for t in extract(text)] == [("体系认证", 1.5, "万张", 2025, "reach")]


def test_unit_in_brackets_after_the_indicator() -> None:
    text = (
        "某区质量强区建设“十四五”规划\n序号 | 指标名称 | 2020年 | 2025年 | 属性\n"
        "1 | 制造业产品质量合格率(%) | 95.2 | 96.5 | 约束性\n2 | 制定“浙江制造”标准(新增) | 10 | 30 | 预期性\n"
    )
    ts = extract(text)
    assert [(t.indicator, t.unit, t.target_value, t.baseline_value) for t in ts] == [
        ("制造业产品质量合格率", "%", 96.5, 95.2),
        ("制定“浙江制造”标准(新增)", None, 30.0, 10.0),
    ]


def test_five_year_plan_years() -> None:
    assert five_year_plan_years("十四五") == (2021, 2025)
    assert five_year_plan_years("十三五") == (2016, 2020)
    assert five_year_plan_years("十五五") == (2026, 2030)
    assert five_year_plan_years("五") is None


# --- the bundled corpus against the gold ----------------------------------------------------------
@pytest.fixture(scope="module")
def corpus_targets() -> dict[str, list[Target]]:
    from kg.pipeline import build_document

    out = {}
    for p in sorted((ROOT / "data" / "raw").glob("*.txt")):
        res = build_document(p)
        assert res.extraction is not None, res.report.error
        out[p.name] = list(res.extraction.targets)
    return out


_FIELDS = (
    "category", "indicator", "unit", "target_text", "target_value", "target_year",
    "baseline_text", "baseline_value", "baseline_year", "comparator", "binding", "cumulative",
)


def _contains(a: str, b: str) -> bool:
    a, b = a.replace(" ", ""), b.replace(" ", "")
    return a in b or b in a


def test_gold_table_targets_exact(corpus_targets) -> None:
    tp = fp = fn = 0
    for table in GOLD["targets"]:
        got = [t for t in corpus_targets[table["doc"]] if t.source == "table"]
        rows = table["targets"]
        keys = [k for k in _FIELDS if k in rows[0]]
        want = [tuple(r[k] for k in keys) for r in rows]
        have = [tuple(getattr(t, k) for k in keys) for t in got]
        assert have == want, table["doc"]  # same rows, same order, every field right
        assert [t.ordinal for t in got] == list(range(1, len(rows) + 1))
        tp += sum(1 for w in want if w in have)
        fn += sum(1 for w in want if w not in have)
        fp += sum(1 for h in have if h not in want)
    f1 = 2 * tp / (2 * tp + fp + fn)
    print(f"\ntable targets: tp={tp} fp={fp} fn={fn} F1={f1:.3f}")
    assert (tp, fp, fn) == (67, 0, 0)


def test_gold_prose_recall_and_not_targets(corpus_targets) -> None:
    found = total = 0
    for doc, items in GOLD["prose_targets"].items():
        prose = [t for t in corpus_targets[doc] if t.source == "prose"]
        for item in items:
            total += 1
            found += any(
                (t.target_year, t.target_value, t.unit) == (item["year"], float(item["value"]), item["unit"])
                and _contains(t.indicator, item["indicator"])
                for t in prose
            )
    print(f"\nprose targets: recall {found}/{total} = {found / total:.3f}")
    assert found / total >= 0.9
    bad = [
        (doc, item["indicator"])
        for doc, items in GOLD["not_targets"].items()
        for item in items
        for t in corpus_targets[doc]
        if t.target_value == float(item["value"]) and _contains(t.indicator, item["indicator"])
    ]
    assert bad == []


def test_corpus_targets_only_in_plans_with_goals(corpus_targets) -> None:
    counts = {doc: len(ts) for doc, ts in corpus_targets.items()}
    # the news articles and the Jiaxing fragment state no future numeric goal
    assert counts["000_3dc1af908529f85b.txt"] == 0
    assert counts["003_b8d4b0b9a0480c56.txt"] == 0
    assert counts["004_43b08ec545039170.txt"] == 0
    for ts in corpus_targets.values():
        assert len({(t.indicator, t.target_value, t.target_year) for t in ts}) == len(ts)  # no duplicates


def test_graph_links_table_targets_to_category_concepts(graph) -> None:
    res = graph.sparql(
        """PREFIX qp: <https://w3id.org/qpkg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?file ?label (COUNT(?t) AS ?n) WHERE {
          ?d qp:hasTarget ?t ; qp:sourceFile ?file . ?t qp:category ?c . ?c skos:prefLabel ?label .
          FILTER(LANG(?label) = "zh")
        } GROUP BY ?file ?label ORDER BY ?file ?label"""
    )
    got = {(r["file"][:3], r["label"]): r["n"] for r in res}
    assert got == {
        ("001", "产品质量"): 12, ("001", "服务质量"): 2, ("001", "工程质量"): 10, ("001", "环境质量"): 5,
        ("001", "质量建设"): 3, ("001", "标准建设"): 6, ("001", "品牌建设"): 6,
        ("002", "质量建设"): 10, ("002", "标准建设"): 4, ("002", "品牌建设"): 5, ("002", "创新驱动"): 4,
    }


def test_a_completion_verb_is_not_part_of_the_indicator() -> None:
    text = "到2025年,建成并投入使用线下联动的质量基础设施“一站式”服务平台12个。\n"
    assert [brief(t) for t in extract(text)] == [("线下联动的质量基础设施“一站式”服务平台", 12.0, "个", 2025, None)]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        # a scope word between the subject and its value: the subject is before it
        ("到2025年,顾客满意度指数力争达到84.8分。", ("顾客满意度指数", 84.8, "分", 2025, "reach")),
        ("到2025年,公共服务质量满意度力争达到85.0分以上。", ("公共服务质量满意度", 85.0, "分", 2025, "at_least")),
        ("规上工业产品质量合格率2025年达到96%以上。", ("规上工业产品质量合格率", 96.0, "%", 2025, "at_least")),
        ("到2025年,每万人高价值发明专利拥有量力争达到16.0件。", ("每万人高价值发明专利拥有量", 16.0, "件", 2025, "reach")),
        # 基本 opens a name (基本药物); it is a scope word only before a verb (基本实现)
        ("到2025年,基本药物抽检合格率达到100%。", ("基本药物抽检合格率", 100.0, "%", 2025, "reach")),
        ("到2025年,全市基本实现企业标准自我声明公开数达到3000项。", ("企业标准自我声明公开数", 3000.0, "项", 2025, "reach")),
        # an upper bound, counted in 起
        ("到2025年,万台特种设备事故率控制在0.3起以内。", ("万台特种设备事故率", 0.3, "起", 2025, "at_most")),
        ("到2025年,万台特种设备事故率力争降至0.25起。", ("万台特种设备事故率", 0.25, "起", 2025, "reach")),
    ],
)
def test_prose_goal_forms(sentence, expected) -> None:
    text = "某市质量发展“十四五”规划(2021—2025年)\n" + sentence + "\n"
    assert [brief(t) for t in extract(text)] == [expected]


def test_a_past_result_with_a_scope_word_after_its_subject_is_no_goal() -> None:
    text = "某市质量发展“十四五”规划(2021—2025年)\n2020年,顾客满意度指数已达到82.1分。“十三五”期间,合格率累计达到96%。\n"
    assert extract(text) == []


def test_cell_table_with_labels_before_rows_gives_every_row() -> None:
    from tests.test_tables import CELLS_LABEL_FIRST

    ts = extract(CELLS_LABEL_FIRST)
    assert [(t.category, t.indicator, t.target_value, t.comparator, t.baseline_value, t.binding) for t in ts] == [
        ("产品质量", "制造业产品质量合格率", 99.0, "at_least", 96.4, True),
        ("标准建设", "主导制修订国家和行业标准数", 12.0, "at_least", 3.0, False),
        ("标准建设", "企业标准自我声明公开数", 4.0, None, 1002.0, True),
        ("标准建设", "团体标准数", 5.0, None, 2.0, False),
    ]
