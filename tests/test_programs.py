"""Programmes: 专栏 boxes and programme-table rows, with kind, ordinal, label, items and evidence."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.extract.programs import clean_label
from kg.pipeline import build_document

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold" / "seeds.json"
QPD = "https://w3id.org/qpkg/id/"


def programs(tmp_path: Path, text: str):
    p = tmp_path / "plan.txt"
    p.write_text(text, encoding="utf-8")
    r = build_document(p)
    assert r.report.ok and r.report.refused_mentions == 0
    return r.extraction.programs, r.nquads


COUNTY_PLAN = """长兴县质量强县建设“十四五”规划
一、重点任务
(一)提升产品质量
专栏1:传统产业 质量提升工程 |
¨ 开展质量比对。 ¨ 培育“品字标”企业10家。 |
(二)提升服务质量
专栏2:服务质量提升行动
推进服务标准化试点。
建设放心消费示范街区。
二、保障措施
加强组织领导。
附件
重大项目表
序号 | 名称 | 主要说明 | |
重 大 改 革 | 1 | 质量监管“一件事”改革 | 建立全链条监管。 |
2 | 亩均改革 | 优化评价。 |
重 大 平 台 | 1 | 检验检测 平台 | ¨ 建设检测中心。 |
重点指标 | 1 | 不是项目 | 100 |
"""


def test_boxes_and_appendix_rows_become_programmes(tmp_path):
    progs, _ = programs(tmp_path, COUNTY_PLAN)
    assert [(p.kind, p.ordinal, p.label) for p in progs] == [
        ("专栏", 1, "传统产业质量提升工程"),
        ("专栏", 2, "服务质量提升行动"),
        ("重大改革", 1, "质量监管“一件事”改革"),
        ("重大改革", 2, "亩均改革"),
        ("重大平台", 1, "检验检测平台"),
    ]
    box1, box2, _, _, platform = progs
    assert box1.item_texts == ("开展质量比对。", "培育“品字标”企业10家。")
    assert box2.item_texts == ("推进服务标准化试点。", "建设放心消费示范街区。")
    assert platform.item_texts == ("建设检测中心。",)
    assert box1.evidence.quote == "专栏1:传统产业 质量提升工程"
    assert platform.evidence.quote == "检验检测 平台"
    assert (box1.kind_slug, box1.kind_iri) == ("box", QPD + "concept/program-kind-box")
    assert platform.kind_slug == "platform"


def test_programmes_in_the_graph_have_kind_items_and_section(tmp_path):
    _, nq = programs(tmp_path, COUNTY_PLAN)
    box = f"<{QPD}doc/plan/program/box-01>"
    lines = [ln for ln in nq.splitlines() if ln.startswith(box + " ")]
    preds = sorted({ln.split(" ")[1] for ln in lines})
    assert preds == [
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
        "<http://www.w3.org/2000/01/rdf-schema#label>",
        "<https://w3id.org/qpkg/ontology#evidence>",
        "<https://w3id.org/qpkg/ontology#inSection>",
        "<https://w3id.org/qpkg/ontology#ordinal>",
        "<https://w3id.org/qpkg/ontology#programItem>",
        "<https://w3id.org/qpkg/ontology#programKind>",
    ]
    assert sum(" <https://w3id.org/qpkg/ontology#programItem> " in ln for ln in lines) == 2
    assert f"{box} <https://w3id.org/qpkg/ontology#programKind> <{QPD}concept/program-kind-box>" in nq
    # the enclosing section is a qp:Section labelled with its heading
    sec = next(ln.split(" ")[2] for ln in lines if "#inSection>" in ln)
    assert f'{sec} <http://www.w3.org/2000/01/rdf-schema#label> "提升产品质量"@zh' in nq


def test_repeated_box_numbers_fall_back_to_positions(tmp_path):
    text = "一、任务\n专栏1:甲工程\n内容甲。\n二、任务\n专栏1:乙工程\n内容乙。\n"
    progs, _ = programs(tmp_path, text)
    assert [(p.ordinal, p.label) for p in progs] == [(1, "甲工程"), (2, "乙工程")]


def test_no_programmes_in_a_plain_text(tmp_path):
    progs, _ = programs(tmp_path, "一、总体要求\n专栏式宣传推广质量文化。\n二、主要任务\n")
    assert progs == ()


@pytest.mark.parametrize(
    "raw,label",
    [("数字赋能制造业 高质量发展工程 |", "数字赋能制造业高质量发展工程"), ("“数字监管” 推进工程", "“数字监管”推进工程"), ("PM2.5 治理工程:", "PM2.5治理工程")],
)
def test_clean_label(raw, label):
    assert clean_label(raw) == label


# ----------------------------------------------------------------------------- the corpus


def test_gold_programmes_exact(extractions):
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["programs"]
    for name, kinds in gold.items():
        ex = extractions[name]
        got: dict[str, list[str]] = {}
        for p in ex.programs:
            got.setdefault(p.kind, []).append(p.label)
        assert got == kinds, name
        for p in ex.programs:  # ordinals run 1..n within each kind
            assert p.ordinal == got[p.kind].index(p.label) + 1
    for name in ("000_3dc1af908529f85b.txt", "003_b8d4b0b9a0480c56.txt", "004_43b08ec545039170.txt"):
        assert extractions[name].programs == ()


def test_corpus_box_items(extractions):
    ex = extractions["001_bcf92bb41f96abcb.txt"]
    boxes = [p for p in ex.programs if p.kind == "专栏"]
    assert [len(p.items) for p in boxes] == [3, 3, 3, 2, 3, 4, 4, 3, 2, 4, 6, 4]
    assert boxes[0].item_texts[1].startswith("构建“机器换人—数字化车间—智能工厂—未来工厂”梯次培育路径")
    assert all(i.quote.startswith(t[:5]) for p in boxes for i, t in zip(p.items, p.item_texts))


LIST_APPENDIX = """某市质量发展“十四五”规划
一、主要任务
1.提升产品质量:开展质量比对。
2.提升服务质量:推进服务标准化。
附件1
“十四五”时期某市质量发展领域重大改革、重大工程
一、重大改革
1.智慧监管集成改革:推进监管数据共享。
2.标准化“一件事”改革:优化办事流程。
二、重大工程
1.质量基础设施 提升工程:建设计量检测平台。
"""


def test_numbered_headings_under_a_kind_heading_are_programmes(tmp_path):
    progs, _ = programs(tmp_path, LIST_APPENDIX)
    # 一、主要任务 names no programme kind: its numbered headings are tasks, not programmes
    assert [(p.kind, p.ordinal, p.label, p.evidence.quote) for p in progs] == [
        ("重大改革", 1, "智慧监管集成改革", "智慧监管集成改革"),
        ("重大改革", 2, "标准化“一件事”改革", "标准化“一件事”改革"),
        ("重大工程", 1, "质量基础设施提升工程", "质量基础设施 提升工程"),
    ]
    assert progs[0].kind_slug == "reform" and progs[2].kind_slug == "project"
