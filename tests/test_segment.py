"""Document structure: heading levels, table of contents, 专栏 boxes, bullets, programme tables, appendices."""
from __future__ import annotations

import pytest

from kg.model import NormText, Section
from kg.normalize import normalize_text
from kg.numbers import cn_number
from kg.segment import segment


def tree_of(text: str):
    nt = normalize_text(text)
    return nt, segment(nt, tables=[])


def outline(sections, depth: int = 0) -> list[str]:
    """kind:level:number:title, indented by depth, items left out."""
    out = []
    for s in sections:
        if s.kind == "item":
            continue
        out.append("  " * depth + f"{s.kind}:{s.level}:{s.number}:{s.title}")
        out += outline(s.children, depth + 1)
    return out


IMPLEMENTATION_PLAN = """安吉县质量提升行动实施方案
一、总体要求
(一)指导思想。以习近平新时代中国特色社会主义思想为指导,坚持质量第一。
(二)主要目标
1.到2023年,全县制造业产品质量合格率达到95%以上。
2.到2025年,培育“品字标”企业20家。
二、重点任务
(一)提升产品质量
1.实施质量攻关
(1)开展质量比对
组织重点行业开展质量比对提升。
(2)推广先进方法
——推广卓越绩效管理。
——推广精益生产。
2.强化标准引领
三、保障措施
"""


def test_heading_levels_nest_and_run_in_titles_stop_at_the_full_stop():
    _, tree = tree_of(IMPLEMENTATION_PLAN)
    assert outline(tree.sections) == [
        "heading:1:一:总体要求",
        "  heading:2:一:指导思想",
        "  heading:2:二:主要目标",
        "    heading:3:1:到2023年,全县制造业产品质量合格率达到95%以上",
        "    heading:3:2:到2025年,培育“品字标”企业20家",
        "heading:1:二:重点任务",
        "  heading:2:一:提升产品质量",
        "    heading:3:1:实施质量攻关",
        "      heading:4:1:开展质量比对",
        "      heading:4:2:推广先进方法",
        "        heading:5::推广卓越绩效管理",
        "        heading:5::推广精益生产",
        "    heading:3:2:强化标准引领",
        "heading:1:三:保障措施",
    ]


def test_chapters_sit_above_chapter_one_headings():
    text = "第一章 发展基础\n一、主要成效\n二、面临形势\n第二章 主要任务\n一、提升质量\n(一)产品质量\n"
    _, tree = tree_of(text)
    assert outline(tree.sections) == [
        "heading:0:一:发展基础",
        "  heading:1:一:主要成效",
        "  heading:1:二:面临形势",
        "heading:0:二:主要任务",
        "  heading:1:一:提升质量",
        "    heading:2:一:产品质量",
    ]


def test_sections_span_their_body_and_map_to_source():
    nt, tree = tree_of(IMPLEMENTATION_PLAN)
    first, second, third = tree.sections
    assert nt.text[first.start : first.start + 7] == "一、总体要求\n"
    assert first.end <= second.start
    assert nt.text[second.start : second.end].endswith("2.强化标准引领")
    assert third.end == len(nt.text.rstrip())
    s, e = first.heading_span
    assert IMPLEMENTATION_PLAN[s:e] == "一、总体要求"
    # path_at finds the chain of sections around an offset
    pos = nt.text.index("组织重点行业")
    assert [x.title for x in tree.path_at(pos)] == ["重点任务", "提升产品质量", "实施质量攻关", "开展质量比对"]


def test_table_of_contents_is_one_section_and_its_entries_are_not_headings():
    text = (
        "某市质量发展规划\n目 录\n前 言 1\n一、发展基础 1\n(一)主要成效 2\n二、主要任务 5\n附件 9\n"
        "前言正文,说明编制背景。\n一、发展基础\n(一)主要成效\n成效显著。\n二、主要任务\n"
    )
    nt, tree = tree_of(text)
    assert outline(tree.sections) == [
        "toc:0::目录",
        "heading:1:一:发展基础",
        "  heading:2:一:主要成效",
        "heading:1:二:主要任务",
    ]
    toc = tree.sections[0]
    assert nt.text[toc.start : toc.end].endswith("附件 9")


def test_toc_without_page_numbers_is_the_list_of_headings_that_recur_in_the_body():
    text = "目录\n一、总体要求\n二、主要任务\n一、总体要求\n内容。\n二、主要任务\n"
    nt, tree = tree_of(text)
    assert [(s.kind, s.title) for s in tree.sections] == [("toc", "目录"), ("heading", "总体要求"), ("heading", "主要任务")]
    assert tree.sections[1].start == nt.text.index("一、总体要求\n内容")


def test_toc_without_a_heading_line_is_recognised_by_its_page_numbers():
    text = "一、总体要求 1\n二、主要任务 4\n三、保障措施 12\n一、总体要求\n内容。\n二、主要任务\n三、保障措施\n"
    _, tree = tree_of(text)
    assert [s.kind for s in tree.sections] == ["toc", "heading", "heading", "heading"]


def test_pipe_cell_box_with_bullets_on_one_line():
    text = (
        "(一)提升制造业质量\n推进数字化改造。\n"
        "专栏1:数字赋能制造业 高质量发展工程 |\n"
        "¨ 开展智能化技术改造诊断。 ¨ 创建智能工厂30个左右。 ¨ 建设质量追溯体系。 |\n"
        "加快绿色智造体系建设。推进生产方式绿色化。\n"
    )
    nt, tree = tree_of(text)
    heading = tree.sections[0]
    (box,) = [c for c in heading.children if c.kind == "box"]
    assert (box.number, box.title) == ("1", "数字赋能制造业高质量发展工程")
    assert [i.title for i in box.children] == ["开展智能化技术改造诊断。", "创建智能工厂30个左右。", "建设质量追溯体系。"]
    # the box is the cell: the paragraph after the closing | is body text again
    assert nt.text[box.end - 1] == "。" and "加快绿色智造" not in nt.text[box.start : box.end]


def test_damaged_box_heading_and_paragraph_items_end_at_the_next_heading():
    text = (
        "9.加快平台建设。建设一批服务平台。\n"
        "栏10:推动质量基础“一站式”服务平台建设\n"
        "加快培育建设一批特色鲜明的服务站点。\n"
        "到2025年,建成服务站点50个。\n"
        "10.提升质量服务水平。\n"
    )
    _, tree = tree_of(text)
    (box,) = [s for s in tree.walk() if s.kind == "box"]
    assert (box.number, box.title) == ("10", "推动质量基础“一站式”服务平台建设")
    assert [i.title for i in box.children] == ["加快培育建设一批特色鲜明的服务站点。", "到2025年,建成服务站点50个。"]
    assert [s.title for s in tree.sections] == ["加快平台建设", "提升质量服务水平"]


def test_box_with_chinese_number_and_title_on_the_next_line():
    _, tree = tree_of("专栏三\n品牌培育工程\n● 培育区域公共品牌。\n● 申报地理标志。\n")
    (box,) = tree.sections
    assert (box.kind, box.number, box.title) == ("box", "三", "品牌培育工程")
    assert [i.title for i in box.children] == ["培育区域公共品牌。", "申报地理标志。"]


APPENDIX = (
    "三、保障措施\n加强组织领导。\n"
    "附件1\n“十四五”时期某县重大项目表\n"
    "序号 | 名称 | 主要说明 | |\n"
    "重 大 工 程 | 1 | 品牌培育 工程 | ¨ 培育品牌。 ¨ 申报标志。 |\n"
    "2 | “数字监管” 推进工程 | 建设监管平台。 | |\n"
    "重 大 平 台 | 1 | 检验检测平台 | 建设检测中心。 |\n"
)


def test_appendix_programme_table_groups_rows_under_spaced_out_labels():
    _, tree = tree_of(APPENDIX)
    assert outline(tree.sections) == [
        "heading:1:三:保障措施",
        "appendix:0:附件1:“十四五”时期某县重大项目表",
        "  table:6::“十四五”时期某县重大项目表",
        "    group:7::重大工程",
        "      row:8:1:品牌培育工程",
        "      row:8:2:“数字监管”推进工程",
        "    group:7::重大平台",
        "      row:8:1:检验检测平台",
    ]
    row = next(s for s in tree.walk() if s.kind == "row")
    assert [i.title for i in row.children] == ["培育品牌。", "申报标志。"]


def test_programme_table_after_the_last_heading_is_the_appendix():
    text = APPENDIX.replace("附件1\n", "")
    _, tree = tree_of(text)
    assert [(s.kind, s.title) for s in tree.sections] == [
        ("heading", "保障措施"),
        ("appendix", "“十四五”时期某县重大项目表"),
    ]


def test_numbered_list_of_cited_titles_is_items_not_headings():
    _, tree = tree_of("编制依据:\n1.《浙江省质量强省建设“十四五”规划》\n2.《某市国民经济和社会发展第十四个五年规划纲要》\n")
    assert [s.kind for s in tree.sections] == ["item", "item"]


def test_news_text_has_no_structure():
    _, tree = tree_of("泰州:让城市更美好\n2020-09-24 09:34:00\n来源:泰州日报\n近年来,泰州市以品质建设为抓手。\n")
    assert tree.sections == ()


def test_tables_from_kg_tables_are_sections_and_hide_their_cells():
    nt = normalize_text("二、发展目标\n主要指标\n1.\n合格率\n一、不是标题\n")
    from kg.model import Table

    start = nt.text.index("主要指标")
    table = Table(caption="主要指标", start=start, end=len(nt.text) - 1, header=(), rows=(), layout="cell-per-line")
    tree = segment(nt, tables=[table])
    assert outline(tree.sections) == ["heading:1:二:发展目标", "  table:6::主要指标"]
    assert tree.tables == (table,)


@pytest.mark.parametrize("text,n", [("三", 3), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("12", 12), ("x", None)])
def test_cn_number(text, n):
    assert cn_number(text) == n


def test_corpus_plan_structure(sources):
    """001: TOC skipped, 12 pipe-cell boxes, appendix of 4 kinds; 002: 12 boxes (one damaged) under headings."""
    nt = normalize_text(sources["001_bcf92bb41f96abcb.txt"])
    tree = segment(nt, tables=[])
    kinds = [s.kind for s in tree.sections]
    assert kinds.count("toc") == 1 and kinds.count("heading") == 0
    boxes = [s for s in tree.walk() if s.kind == "box"]
    assert [b.number for b in boxes] == [str(i) for i in range(1, 13)]
    assert sum(len(b.children) for b in boxes) == 41
    (app,) = [s for s in tree.sections if s.kind == "appendix"]
    assert [(g.title, len(g.children)) for g in app.children] == [("重大改革", 8), ("重大工程", 15), ("重大平台", 3), ("重大政策", 4)]

    nt2 = normalize_text(sources["002_4b58b0da6dcbff1b.txt"])
    tree2 = segment(nt2, tables=[])
    assert [s.title for s in tree2.sections] == ["发展背景", "总体要求", "重点任务", "保障措施"]
    boxes2 = [s for s in tree2.walk() if s.kind == "box"]
    assert [b.number for b in boxes2] == [str(i) for i in range(1, 13)]
    assert all(isinstance(s, Section) for s in tree2.walk())
    assert isinstance(nt2, NormText)
