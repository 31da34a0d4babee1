"""Plan and article metadata on snippets of unseen document kinds, and the gold fields of the corpus."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.extract.citations import clean_title, predecessor_key
from kg.extract.metadata import parse_date
from kg.model import Extraction
from kg.pipeline import build_document

GOLD = Path(__file__).resolve().parent / "gold" / "seeds.json"


def extract(tmp_path: Path, text: str, name: str = "doc.txt") -> tuple[Extraction, str]:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    r = build_document(p)
    assert r.report.ok, r.report.error
    assert r.report.refused_mentions == 0
    return r.extraction, text


def fields(ex: Extraction) -> dict:
    m = ex.meta
    out = {k: getattr(m, k).value for k in ("title", "issuer", "doc_number", "signed", "published", "period_start",
                                           "period_end", "source") if getattr(m, k) is not None}
    if m.authors:
        out["authors"] = [a.value for a in m.authors]
    if m.cited:
        out["cited"] = [(c.relation, c.title) for c in m.cited]
    out["kind"] = m.kind
    out["fragment"] = m.is_fragment
    return out


NOTICE = """安吉县人民政府办公室关于印发安吉县质量提升行动实施方案(2022—2024年)的通知
安政办发〔2022〕8号
各乡镇人民政府、街道办事处,县政府各部门:
现将《安吉县质量提升行动实施方案(2022—2024年)》印发给你们,请结合实际认真贯彻落实。
安吉县人民政府办公室
2022年3月15日
安吉县质量提升行动实施方案(2022—2024年)
根据《浙江省质量强省建设“十四五”规划》和《安吉县国民经济和社会发展第十四个五年规划纲要》,结合我县实际,制定本方案。
一、总体要求
(一)主要目标。到2023年,全县制造业产品质量合格率达到95%以上;到2024年,培育“品字标”企业20家。
二、重点任务
专栏1:品牌培育工程
培育区域公共品牌。
三、保障措施
加强组织领导。
"""


def test_notice_with_document_number_dates_and_period(tmp_path):
    ex, text = extract(tmp_path, NOTICE)
    assert fields(ex) == {
        "kind": "plan",
        "fragment": False,
        "title": "安吉县质量提升行动实施方案(2022—2024年)",
        "issuer": "安吉县人民政府办公室",
        "doc_number": "安政办发〔2022〕8号",
        "signed": "2022-03-15",
        "period_start": "2022",
        "period_end": "2024",
        "cited": [
            ("basedOn", "浙江省质量强省建设“十四五”规划"),
            ("basedOn", "安吉县国民经济和社会发展第十四个五年规划纲要"),
        ],
    }
    m = ex.meta
    assert text[m.doc_number.evidence.start : m.doc_number.evidence.end] == "安政办发〔2022〕8号"
    assert m.signed.evidence.quote == "2022年3月15日"
    assert m.jurisdiction is not None and m.jurisdiction.name == "安吉县"


COUNTY_PLAN = """德清县质量发展“十四五”规划
德清县市场监督管理局
二〇二一年十二月
本规划承接和落实浙江省质量发展纲要以及《湖州市质量发展“十四五”规划》,与《德清县国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要》相衔接。“十三五”期间,全县围绕《德清县质量发展“十三五”规划》推进质量强县建设。
一、发展基础
(一)主要成效
成效显著。
二、重点任务
专栏1:地理标志培育工程
● 培育地理标志商标5件。
● 建设地理标志产品保护示范区。
专栏2:质量基础设施提升工程
建设县级检验检测中心。
"""


def test_county_plan_with_basis_predecessor_and_five_year_period(tmp_path):
    ex, _ = extract(tmp_path, COUNTY_PLAN)
    assert fields(ex) == {
        "kind": "plan",
        "fragment": False,
        "title": "德清县质量发展“十四五”规划",
        "issuer": "德清县市场监督管理局",
        "signed": "2021-12",
        "period_start": "2021",
        "period_end": "2025",
        "cited": [
            ("basedOn", "浙江省质量发展纲要"),
            ("basedOn", "湖州市质量发展“十四五”规划"),
            ("basedOn", "德清县国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"),
            ("succeeds", "德清县质量发展“十三五”规划"),
        ],
    }
    # the period comes from 十四五 in the title: the evidence is that span
    assert ex.meta.period_start.evidence.quote == "十四五"


def test_basis_list_with_numbered_titles(tmp_path):
    text = (
        "某市标准化发展规划\n某市市场监督管理局\n"
        "《规划》编制依据:\n1.《国家标准化发展纲要》\n2.《浙江省标准化发展“十四五”规划》\n"
        "本规划期限为2021年—2025年。\n一、发展基础\n"
    )
    ex, _ = extract(tmp_path, text)
    f = fields(ex)
    assert f["cited"] == [("basedOn", "国家标准化发展纲要"), ("basedOn", "浙江省标准化发展“十四五”规划")]
    assert (f["period_start"], f["period_end"]) == ("2021", "2025")


def test_fragment_starts_mid_section_without_title(tmp_path):
    text = (
        "依托示范区建设,推动质量标准互认。\n2.加强质量发展社会监督\n建立健全质量信息反馈机制。\n"
        "五、保障措施\n(一)加强组织领导\n坚持党对质量工作的全面领导,本规划由市政府组织实施。\n"
    )
    ex, _ = extract(tmp_path, text)
    assert fields(ex) == {"kind": "plan", "fragment": True}


def test_plan_without_title_but_starting_at_chapter_one_is_not_a_fragment(tmp_path):
    text = "一、总体要求\n坚持质量第一,本规划提出主要目标和重点任务。\n二、重点任务\n三、保障措施\n"
    ex, _ = extract(tmp_path, text)
    assert (ex.meta.title, ex.meta.is_fragment) == (None, False)


NEWS = """浙品码赋码企业突破千家 “一码”连通质量信息
发布时间:2022-05-10 10:12 来源:丽水日报
本报记者 王小明 通讯员 李华
本报讯 近日,记者从市市场监管局获悉,全市已有1024家企业完成浙品码赋码。
企业通过浙品码公示质量信息。
"""


def test_news_article_dateline_source_and_byline(tmp_path):
    ex, _ = extract(tmp_path, NEWS)
    assert fields(ex) == {
        "kind": "article",
        "fragment": False,
        "title": "浙品码赋码企业突破千家 “一码”连通质量信息",
        "signed": "2022-05-10",
        "source": "丽水日报",
        "authors": ["王小明", "李华"],
    }
    assert ex.meta.authors[0].evidence.quote == "王小明"
    assert ex.meta.source.evidence.quote == "丽水日报"


def test_feature_opening_with_author_names_has_no_title(tmp_path):
    text = "张三 李四\n近年来,本报记者走访发现,全市质量工作成效明显,获评省质量工作考核优秀。\n"
    ex, _ = extract(tmp_path, text)
    assert fields(ex) == {"kind": "article", "fragment": False, "authors": ["张三", "李四"]}


def test_article_author_at_the_foot_of_the_page(tmp_path):
    text = "质量月活动启动\n2021-09-01\n全市启动质量月活动,记者了解到,活动持续一个月。\n作者:赵六  编辑:陈七\n"
    ex, _ = extract(tmp_path, text)
    assert [a.value for a in ex.meta.authors] == ["赵六"]
    assert ex.meta.signed.value == "2021-09-01"


def test_red_header_names_the_issuer(tmp_path):
    text = "衢州市人民政府文件\n衢政发〔2021〕30号\n衢州市人民政府关于印发衢州市标准化发展规划的通知\n一、总体要求\n"
    ex, _ = extract(tmp_path, text)
    f = fields(ex)
    assert (f["issuer"], f["doc_number"], f["title"]) == ("衢州市人民政府", "衢政发〔2021〕30号", "衢州市标准化发展规划")


def test_joint_issuers_under_the_title_give_the_first(tmp_path):
    text = "某市质量发展规划\n某市市场监督管理局 某市发展和改革委员会\n2021年10月\n一、总体要求\n"
    ex, _ = extract(tmp_path, text)
    assert (ex.meta.issuer.value, ex.meta.signed.value) == ("某市市场监督管理局", "2021-10")


def test_news_lead_byline_in_brackets_and_breadcrumb_before_headline(tmp_path):
    text = (
        "首页 > 新闻中心 > 本地新闻\n我市新增“品字标”企业12家\n2021年6月3日\n"
        "本报讯(记者 周八 通讯员 吴九)近日,记者从市市场监管局获悉,我市新增“品字标”企业12家。\n"
    )
    ex, _ = extract(tmp_path, text)
    assert fields(ex) == {
        "kind": "article",
        "fragment": False,
        "title": "我市新增“品字标”企业12家",
        "signed": "2021-06-03",
        "authors": ["周八", "吴九"],
    }


def test_excerpt_mark_is_not_part_of_the_title_and_makes_a_fragment(tmp_path):
    text = "舟山市質量發展“十四五”規劃(節選)\n二、發展目標\n到2025年,製造業產品質量合格率達到96%以上。\n"
    ex, _ = extract(tmp_path, text)
    f = fields(ex)
    assert (f["title"], f["fragment"], f["period_start"], f["period_end"]) == ("舟山市质量发展“十四五”规划", True, "2021", "2025")
    assert ex.meta.title.evidence.quote == "舟山市質量發展“十四五”規劃"


def test_title_broken_over_two_cover_lines(tmp_path):
    text = "德清县质量发展\n“十四五”规划\n\n德清县人民政府办公室\n二〇二一年十二月\n一、发展目标\n"
    ex, _ = extract(tmp_path, text)
    f = fields(ex)
    assert (f["title"], f["issuer"], f["signed"], f["period_end"]) == ("德清县质量发展“十四五”规划", "德清县人民政府办公室", "2021-12", "2025")
    assert ex.meta.title.evidence.quote == "德清县质量发展\n“十四五”规划"
    assert ex.meta.jurisdiction.code == "330521"


def test_plans_cited_as_carried_out_are_its_basis(tmp_path):
    text = (
        "青岛市标准化发展“十四五”规划\n为贯彻落实《国家标准化发展纲要》和《山东省“十四五”标准化发展规划》,"
        "根据《青岛市国民经济和社会发展第十四个五年规划和2035年远景目标纲要》,制定本规划。\n一、发展现状\n"
    )
    ex, _ = extract(tmp_path, text)
    assert fields(ex)["cited"] == [
        ("basedOn", "国家标准化发展纲要"),
        ("basedOn", "山东省“十四五”标准化发展规划"),
        ("basedOn", "青岛市国民经济和社会发展第十四个五年规划和2035年远景目标纲要"),
    ]


def test_district_plan_titled_with_its_city_governs_the_district(tmp_path):
    text = "宁波市鄞州区质量强区建设“十四五”规划\n一、主要目标\n到2025年,全区质量强区建设取得显著成效。\n"
    ex, _ = extract(tmp_path, text)
    assert (ex.meta.jurisdiction.code, ex.meta.jurisdiction.name) == ("330212", "鄞州区")
    assert ex.meta.jurisdiction_evidence[0].quote == "鄞州区"


def test_issuer_takes_the_name_of_its_organization_node(tmp_path):
    text = (
        "杭州市萧山区人民政府关于印发萧山区质量提升三年行动方案(2023—2025年)的通知\n萧政发〔2023〕9号\n"
        "各镇人民政府、街道办事处,区政府各部门:\n杭州市萧山区人民政府\n2023年2月10日\n"
        "萧山区质量提升三年行动方案(2023—2025年)\n一、总体要求\n"
    )
    ex, _ = extract(tmp_path, text)
    assert ex.meta.jurisdiction.code == "330109"
    assert ex.meta.issuer.value == "萧山区人民政府"
    assert ex.meta.issuer.evidence.quote == "杭州市萧山区人民政府"
    assert {o.name for o in ex.orgs} == {"萧山区人民政府"}


def test_news_about_one_county_has_that_county_as_jurisdiction(tmp_path):
    text = (
        "德清:“浙品码”让产品质量可追溯\n2022年9月6日 星期二 来源:湖州日报\n本报记者 沈梅 通讯员 何晓东\n"
        "近日,德清县市场监管局在全县推广“浙品码”赋码应用。德清县一家家具企业负责人说,扫码就能看到检测报告。"
        "德清县市场监管局有关负责人表示,力争年内赋码企业达到150家以上。\n"
    )
    ex, _ = extract(tmp_path, text)
    f = fields(ex)
    assert (f["signed"], f["source"], f["authors"]) == ("2022-09-06", "湖州日报", ["沈梅", "何晓东"])
    assert ex.meta.jurisdiction.code == "330521"
    assert [(t.indicator, t.target_value, t.target_year) for t in ex.targets] == [("赋码企业", 150.0, 2022)]


def test_news_about_a_county_with_a_two_character_name_has_that_county_as_jurisdiction(tmp_path):
    # the city is named once, the county (云县) on its own four times: the county wins as 德清县 does
    text = (
        "云县:质量提升见实效\n2023年5月8日 来源:本报\n"
        "近日,临沧市云县召开质量工作会议。会议指出,云县将推进标准化建设。\n"
        "云县今年新增认证企业12家。记者从云县市场监管部门获悉,相关工作进展顺利。\n"
    )
    ex, _ = extract(tmp_path, text)
    assert (ex.meta.jurisdiction.code, ex.meta.jurisdiction.name) == ("530922", "云县")
    assert [e.quote for e in ex.meta.jurisdiction_evidence] == ["云县", "云县", "云县"]


@pytest.mark.parametrize(
    "text,iso",
    [
        ("二〇二一年八月", "2021-08"),
        ("2021年7月21日", "2021-07-21"),
        ("2020-09-24 09:34:00", "2020-09-24"),
        ("2022/3/5", "2022-03-05"),
        ("二〇二二年十二月三十一日", "2022-12-31"),
        ("2021年", "2021"),
        ("2021年13月", None),
        ("1850年1月", None),
        ("第三季度", None),
    ],
)
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_title_helpers():
    assert clean_title("《湖州市质量发展 “十三五”规划》") == "湖州市质量发展“十三五”规划"
    assert predecessor_key("湖州市质量发展“十四五”规划") == "湖州市质量发展十三五规划"
    assert predecessor_key("质量提升行动方案") is None


# ----------------------------------------------------------------------------- the corpus

def _gold_docs() -> list[dict]:
    return json.loads(GOLD.read_text(encoding="utf-8"))["documents"]


@pytest.mark.parametrize("gold", _gold_docs(), ids=lambda d: d["doc"][:3])
def test_gold_metadata(extractions, gold):
    m = extractions[gold["doc"]].meta
    got = {
        "kind": {"plan": "plan", "article": "news"}[m.kind],
        "title": m.title.value if m.title else None,
        "issuer": m.issuer.value if m.issuer else None,
        "doc_number": m.doc_number.value if m.doc_number else None,
        "date": m.signed.value if m.signed else None,
        "published": m.published.value if m.published else None,
        "period": [int(m.period_start.value), int(m.period_end.value)] if m.period_start and m.period_end else None,
        "based_on": sorted(c.title for c in m.cited if c.relation == "basedOn"),
        "succeeds": next((c.title for c in m.cited if c.relation == "succeeds"), None),
        "authors": [a.value for a in m.authors],
        "source": m.source.value if m.source else None,
        "fragment": m.is_fragment,
        "city": m.jurisdiction.name if m.jurisdiction else None,
    }
    for key, want in gold.items():
        if key in got:
            exp = sorted(want) if key == "based_on" else want
            assert got[key] == exp, key
    # fields the gold leaves out must be absent, so nothing is invented
    for key in ("title", "issuer", "doc_number", "date", "published", "period", "succeeds", "source"):
        if key not in gold:
            assert got[key] is None, key
    if "based_on" not in gold:
        assert got["based_on"] == []
    if "fragment" not in gold:
        assert got["fragment"] is False
