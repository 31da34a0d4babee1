"""kg.tables on snippets of both layouts (not from the corpus)."""
from __future__ import annotations

from kg.normalize import normalize_text
from kg.tables import column, find_cell_tables, find_pipe_tables, find_tables

PIPE = """表2:某县质量发展主要目标
类别 | 主要指标 | 单位 | 2025年 目标值 | |
产品质量 | 规上工业产品质量合格率 | % | 96 | |
新增“品字标”企业 | 家 | 30 | ||
工程质量 | 新建装配式建筑面积 | 万平 方米 | 120 | |
综合指标 | 标准建设 | 主导制定国家标准 | 项 | 5 |
参与制定行业标准 | 项 | 12 | ||
品牌建设 | 县长质量奖企业 | 家 | 6 | |
专栏1:县域质量提升工程 |
¨ 推进质量提升。 |
"""


def test_pipe_table_fill_down_and_levels() -> None:
    nt = normalize_text(PIPE)
    (t,) = find_pipe_tables(nt)
    assert t.layout == "pipe"
    assert t.caption == "表2:某县质量发展主要目标"
    assert t.header == ("", "类别", "主要指标", "单位", "2025年目标值")
    rows = [tuple(c.text for c in r) for r in t.rows]
    assert rows == [
        ("", "产品质量", "规上工业产品质量合格率", "%", "96"),
        ("", "产品质量", "新增“品字标”企业", "家", "30"),
        ("", "工程质量", "新建装配式建筑面积", "万平方米", "120"),
        ("综合指标", "标准建设", "主导制定国家标准", "项", "5"),
        ("综合指标", "标准建设", "参与制定行业标准", "项", "12"),
        ("综合指标", "品牌建设", "县长质量奖企业", "家", "6"),
    ]
    # every non-empty cell points at its normalized text; filled-down cells point at the row they came from
    for r in t.rows:
        for c in r:
            assert nt.text[c.start : c.end] == c.text or c.text == ""
    assert t.rows[1][1].start == t.rows[0][1].start
    assert column(t, "单位") == 3
    assert column(t, "属性") is None


def test_single_cell_pipe_lines_are_not_tables() -> None:
    nt = normalize_text("专栏1:县域质量提升工程 |\n¨ 推进质量提升。 |\n正文。\n")
    assert find_tables(nt) == ()


CELLS = """各县(市、区)要对照下表抓好落实。

        某县质量发展“十四五”主要指标

        一级

        指标

        序号

        二级指标

        单位

        2020年

        实际值

        2025年

        目标值

        指标

        属性

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

        品牌

        建设

        3

        县长质量奖获奖企业累计数全市排名

        /

        第四

        前三

        预期性

        4

        新申报地理标志

        [2]

        [5]

        预期性

        注:带[\u00a0]为五年累计数。

        三、重点任务
"""


def test_cell_per_line_table() -> None:
    nt = normalize_text(CELLS)
    (t,) = find_cell_tables(nt)
    assert t.layout == "cell-per-line"
    assert t.caption == "某县质量发展“十四五”主要指标"
    assert t.header == ("一级指标", "序号", "二级指标", "单位", "2020年实际值", "2025年目标值", "指标属性")
    rows = [tuple(c.text for c in r) for r in t.rows]
    assert rows == [
        # the first group label follows its first row; it covers that row too
        ("质量提升", "1", "规上工业产品质量合格率", "%", "95.2", "不低于96", "约束性"),
        # no unit cell: values are aligned from the right
        ("质量提升", "2", "新增“浙江制造”标准", "", "[6]", "[15]", "预期性"),
        ("品牌建设", "3", "县长质量奖获奖企业累计数全市排名", "/", "第四", "前三", "预期性"),
        ("品牌建设", "4", "新申报地理标志", "", "[2]", "[5]", "预期性"),
    ]
    assert nt.text[t.start : t.end].startswith("一级")
    assert nt.text[t.start : t.end].endswith("预期性")
    label = t.rows[0][0]
    assert nt.text[label.start : label.end].split() == ["质量", "提升"]


def test_cell_per_line_needs_a_row_number_column() -> None:
    text = "\n\n".join(["指标", "单位", "2025年目标值", "质量合格率", "%", "96"]) + "\n"
    assert find_cell_tables(normalize_text(text)) == []


def test_both_layouts_in_text_order() -> None:
    nt = normalize_text(CELLS + "\n" + PIPE)
    assert [t.layout for t in find_tables(nt)] == ["cell-per-line", "pipe"]


HTML_TABLE = (
    "<p>质量强市建设主要指标</p>\n<table>\n<tr>\n<th>序号</th>\n<th>指标名称</th>\n<th>单位</th>\n<th>2022年</th>\n<th>2025年</th>\n</tr>\n"
    "<tr>\n<td>1</td>\n<td><p>制造业产品质量合格率</p></td>\n<td>%</td>\n<td>95.3</td>\n<td>≥96</td>\n</tr>\n"
    "<tr>\n<td>2</td>\n<td>食品安全评价性抽检合格率</td>\n<td>%</td>\n<td>98.6</td>\n<td>≥98.8</td>\n</tr>\n</table>\n"
)


def test_html_table_with_one_cell_per_line_is_a_cell_per_line_table() -> None:
    (t,) = find_tables(normalize_text(HTML_TABLE))
    assert (t.layout, t.caption, t.header) == ("cell-per-line", "质量强市建设主要指标", ("序号", "指标名称", "单位", "2022年", "2025年"))
    assert [[c.text for c in r] for r in t.rows] == [
        ["1", "制造业产品质量合格率", "%", "95.3", "≥96"],
        ["2", "食品安全评价性抽检合格率", "%", "98.6", "≥98.8"],
    ]


def test_html_table_with_a_row_per_line() -> None:
    # <td>/<th> are block tags for the normalizer, so a row written on one line still gives one cell per line
    one_line = "".join(HTML_TABLE.split("\n")).replace("<table>", "\n<table>")
    (t,) = find_tables(normalize_text(one_line))
    assert [c.text for c in t.rows[0]] == ["1", "制造业产品质量合格率", "%", "95.3", "≥96"]


# A page that prints a spanning group cell ahead of its first row, and a baseline equal to the
# next row number (10 before row 10).
CELLS_LABEL_FIRST = "\n\n".join([
    "表1:某市质量强市建设主要指标", "一级指标", "序号", "二级指标", "单位", "2020年", "实际值", "2025年", "目标值", "指标属性",
    "产品质量", "1", "制造业产品质量合格率", "%", "96.4", "99.0以上", "约束性",
    "标准建设", "2", "主导制修订国家和行业标准数", "项", "3", "12以上", "预期性",
    "3", "企业标准自我声明公开数", "项", "1002", "4", "约束性",
    "4", "团体标准数", "项", "2", "5", "预期性",
]) + "\n\n三、主要任务\n"


def test_cell_per_line_table_with_the_group_label_before_its_first_row() -> None:
    nt = normalize_text(CELLS_LABEL_FIRST)
    (t,) = find_cell_tables(nt)
    assert t.caption == "表1:某市质量强市建设主要指标"
    assert t.header == ("一级指标", "序号", "二级指标", "单位", "2020年实际值", "2025年目标值", "指标属性")
    assert [tuple(c.text for c in r) for r in t.rows] == [
        ("产品质量", "1", "制造业产品质量合格率", "%", "96.4", "99.0以上", "约束性"),
        # 3 is the baseline, not row 3: the row still lacks its target and a value follows
        ("标准建设", "2", "主导制修订国家和行业标准数", "项", "3", "12以上", "预期性"),
        # 4 is the target, not row 4: the attribute follows
        ("标准建设", "3", "企业标准自我声明公开数", "项", "1002", "4", "约束性"),
        ("标准建设", "4", "团体标准数", "项", "2", "5", "预期性"),
    ]
    assert nt.text[t.start : t.end].startswith("一级指标")
