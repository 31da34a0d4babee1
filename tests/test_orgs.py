"""Organization names on snippets: left boundaries, resolution per jurisdiction, kinds, parents, and emission."""
from __future__ import annotations

from dataclasses import replace

import pytest

from kg.emit import emit_document
from kg.extract.orgs import extract_orgs, load_patterns, parse_patterns
from kg.model import AreaRef, DocMeta, DocTree, Evidence, Extraction, OrgMention, SourceDoc
from kg.namespaces import org_iri
from kg.normalize import normalize_text
from kg.vocab import load_gazetteer

HUZHOU = AreaRef("330500", "湖州市", "city")
SHAOXING = AreaRef("330600", "绍兴市", "city")
TAIZHOU = AreaRef("321200", "泰州市", "city")
DEQING = AreaRef("330521", "德清县", "county")


def _doc(text: str) -> SourceDoc:
    return SourceDoc(path="x.txt", name="x.txt", doc_id="x", text=text, encoding="utf-8", sha256="0", size=len(text.encode()))


def orgs(text: str, jurisdiction: AreaRef | None = HUZHOU, excluded=()) -> list[OrgMention]:
    nt = normalize_text(text)
    if excluded:
        nt = replace(nt, excluded=excluded)
    meta = DocMeta(kind="plan", jurisdiction=jurisdiction)
    out = extract_orgs(_doc(text), nt, DocTree(sections=()), meta, load_gazetteer())
    for o in out:  # every mention is quote-exact
        assert text[o.evidence.start : o.evidence.end] == o.evidence.quote
    return out


def names(text: str, jurisdiction: AreaRef | None = HUZHOU) -> list[tuple[str, str, str, str]]:
    """(quote, resolved name, scope, kind) of each mention."""
    return [(o.evidence.quote, o.name, o.scope, o.kind) for o in orgs(text, jurisdiction)]


def test_county_plan_names_its_bureau_and_leading_group():
    text = "由县市场监管局牵头,县质量强县工作领导小组统筹协调,市市场监管局加强指导。"
    assert names(text, DEQING) == [
        ("县市场监管局", "德清县市场监督管理局", "330521", "government"),
        ("县质量强县工作领导小组", "德清县质量强县工作领导小组", "330521", "leading-group"),
        ("市市场监管局", "湖州市市场监督管理局", "330500", "government"),
    ]


def test_news_article_names_the_city_bureau():
    text = "记者从湖州市市场监管局获悉,全市1200家企业完成“浙品码”赋码。"
    assert names(text) == [("湖州市市场监管局", "湖州市市场监督管理局", "330500", "government")]


def test_abbreviated_and_full_names_are_one_node():
    a = orgs("湖州市市场监督管理局")[0]
    b = orgs("同时与市市场监管局对接")[0]
    assert (a.name, a.scope) == (b.name, b.scope) == ("湖州市市场监督管理局", "330500")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("进一步加强湖州标准化研究院建设", [("湖州标准化研究院", "湖州标准化研究院", "330500", "institute")]),
        ("加大与中国标准化研究院的合作", [("中国标准化研究院", "中国标准化研究院", "cn", "institute")]),
        ("建立由分管市长任组长的质量强市工作领导小组", [("质量强市工作领导小组", "湖州市质量强市工作领导小组", "330500", "leading-group")]),
        ("充分发挥嘉兴市质量强市工作领导小组作用", [("嘉兴市质量强市工作领导小组", "嘉兴市质量强市工作领导小组", "330400", "leading-group")]),
        ("消费者等代表组成嘉兴市质量监管团", [("嘉兴市质量监管团", "嘉兴市质量监管团", "330400", "other")]),
        ("建立与浙江大学、中国计量大学的合作", [("浙江大学", "浙江大学", "cn", "university"), ("中国计量大学", "中国计量大学", "cn", "university")]),
        ("新建国家纺织化学品质量监督检验中心", [("国家纺织化学品质量监督检验中心", "国家纺织化学品质量监督检验中心", "cn", "institute")]),
        ("并成立泰州市质量发展委员会", [("泰州市质量发展委员会", "泰州市质量发展委员会", "321200", "government")]),
        # 建设 also occurs inside names (住房和城乡建设局): a name starts after it only before an area prefix
        ("建设湖州学院,市住房和城乡建设局", [("湖州学院", "湖州学院", "330500", "university"),
                                            ("市住房和城乡建设局", "湖州市住房和城乡建设局", "330500", "government")]),
        ("建设中国(湖州)知识产权保护中心", [("中国(湖州)知识产权保护中心", "中国(湖州)知识产权保护中心", "cn", "institute")]),
        ("参与全国电梯标准化技术委员会", [("全国电梯标准化技术委员会", "全国电梯标准化技术委员会", "cn", "other")]),
    ],
)
def test_left_boundary_stops_at_verbs_and_function_words(text, expected):
    assert names(text) == expected


def test_national_bodies_by_abbreviation():
    assert names("在市场监管总局组织的测评中,申报国家市场监管总局项目,获国务院督查激励") == [
        ("市场监管总局", "国家市场监督管理总局", "cn", "government"),
        ("国家市场监管总局", "国家市场监督管理总局", "cn", "government"),
        ("国务院", "国务院", "cn", "government"),
    ]


def test_province_prefix_resolves_to_the_documents_province():
    assert names("2020年,与省市场监督管理局签订合作协议", TAIZHOU) == [
        ("省市场监督管理局", "江苏省市场监督管理局", "320000", "government"),
    ]


def test_city_government_and_its_office():
    out = orgs("信息来源:市政府办公室。市委市政府高度重视", SHAOXING)
    assert [(o.name, o.parent, o.parent_scope, o.parent_kind) for o in out] == [
        ("绍兴市人民政府办公室", "绍兴市人民政府", "330600", "government"),
        ("绍兴市人民政府", "", "", ""),
    ]


def test_leading_group_office_has_the_group_as_parent_and_is_seated_in_the_city():
    out = orgs("湖州市质量强市工作领导小组办公室设在市市场监管局")
    assert [(o.name, o.kind, o.seat, o.parent, o.parent_kind) for o in out] == [
        ("湖州市质量强市工作领导小组办公室", "government", "330500", "湖州市质量强市工作领导小组", "leading-group"),
        ("湖州市市场监督管理局", "government", "330500", "", ""),
    ]


def test_institutes_of_universities_take_the_university_as_parent():
    out = orgs("引进上海大学绍兴研究院、东华大学绍兴研究院等多家高校共建研究院", SHAOXING)
    assert [(o.name, o.scope, o.seat, o.parent, o.parent_scope) for o in out] == [
        ("上海大学绍兴研究院", "cn", "330600", "上海大学", "cn"),
        ("东华大学绍兴研究院", "cn", "330600", "东华大学", "cn"),
    ]


def test_a_university_named_after_its_seat_is_a_national_body():
    out = orgs("联合浙江大学、南京农业大学和湖州师范学院", SHAOXING)
    assert [(o.name, o.scope, o.seat) for o in out] == [
        ("浙江大学", "cn", "330000"),
        ("南京农业大学", "cn", "320100"),
        ("湖州师范学院", "330500", "330500"),  # 学院: anchored to its area like other local bodies
    ]


def test_a_body_built_on_a_named_parent_needs_no_area():
    out = orgs("积极对接清华大学长三角研究院")
    assert [(o.name, o.scope, o.parent, o.parent_kind) for o in out] == [("清华大学长三角研究院", "cn", "清华大学", "university")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("积极对接浙江大学", "浙江大学"),  # 对 stops the growth inside the verb 对接
        ("推荐湖州市市场监督管理局牵头", "湖州市市场监督管理局"),
        ("邀请中国质量协会专家授课", "中国质量协会"),
        ("指导湖州海关开展工作", "湖州海关"),
        ("推进湖州南太湖新区管委会建设", "湖州南太湖新区管委会"),
        ("成立湖州市品牌促进会", "湖州市品牌促进会"),
        ("绍兴市质量技术监督检测院有关实验室", "绍兴市质量技术监督检测院"),
    ],
)
def test_leading_verbs_and_more_suffixes(text, expected):
    assert [o.name for o in orgs(text)] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "构建新发展格局,优化产业布局",  # 局 in ordinary words
        "申报省级质检中心,组建一批产业技术标准创新联盟",  # kinds of bodies, not bodies
        "依托行业协会,支持产业联盟、专利联盟与标准联盟",
        "通过的研究院",  # a fragment
        "湖州市政府质量奖、浙江省人民政府质量奖",  # award names, not governments
        "全国首个跨区域知识产权联盟",
        "县市场监管局",  # a city plan: which county?
    ],
)
def test_no_organization(text):
    assert names(text) == []


WENZHOU = AreaRef("330300", "温州市", "city")
SHUYANG = AreaRef("321322", "沭阳县", "county")


def test_a_stop_character_that_opens_an_abbreviation_is_kept():
    # 经 stops a name (经市政府同意) but opens 经信局
    assert names("市市场监管局牵头,市经信局、市科技局按职责分工负责。经市政府同意", WENZHOU) == [
        ("市市场监管局", "温州市市场监督管理局", "330300", "government"),
        ("市经信局", "温州市经济和信息化局", "330300", "government"),
        ("市科技局", "温州市科学技术局", "330300", "government"),
        ("市政府", "温州市人民政府", "330300", "government"),
    ]


def test_verbs_between_two_names_split_them():
    text = "县市场监管局承担领导小组办公室日常工作,强化县质量强县工作领导小组的统筹作用。县工信局、县发改局配合。"
    assert names(text, SHUYANG) == [
        ("县市场监管局", "沭阳县市场监督管理局", "321322", "government"),
        ("县质量强县工作领导小组", "沭阳县质量强县工作领导小组", "321322", "leading-group"),
        ("县工信局", "沭阳县工业和信息化局", "321322", "government"),
        ("县发改局", "沭阳县发展和改革局", "321322", "government"),
    ]


def test_every_districts_bureau_is_not_the_citys():
    assert names("各区、市市场监管局,局机关各处室", AreaRef("370200", "青岛市", "city")) == []


def test_seat_in_brackets_belongs_to_the_name():
    out = orgs("高标准建设国家鞋类质量检验检测中心(温州)、浙江省电气产品质量检验中心", WENZHOU)
    assert [(o.name, o.scope, o.seat, o.parent) for o in out] == [
        ("国家鞋类质量检验检测中心(温州)", "cn", "330300", ""),
        ("浙江省电气产品质量检验中心", "330000", "330000", ""),
    ]


def test_official_area_prefix_resolves_to_the_innermost_area():
    xiaoshan = AreaRef("330109", "萧山区", "county")
    assert names("杭州市萧山区人民政府,区政府各部门", xiaoshan) == [
        ("杭州市萧山区人民政府", "萧山区人民政府", "330109", "government"),
        ("区政府", "萧山区人民政府", "330109", "government"),
    ]
    # a proper name written with short area forms keeps them all
    assert names("组建浙江南浔山东宁津电梯产业知识产权联盟")[0][1] == "浙江南浔山东宁津电梯产业知识产权联盟"


def test_without_a_jurisdiction_a_bare_prefix_is_not_resolved():
    assert names("市市场监管局、中国计量大学", None) == [("中国计量大学", "中国计量大学", "cn", "university")]


def test_excluded_span_is_skipped():
    text = "湖州市市场监督管理局。乱码湖州标准化研究院"
    s = text.index("乱码")
    assert [o.name for o in orgs(text, excluded=((s, len(text)),))] == ["湖州市市场监督管理局"]


def test_traditional_source_keeps_its_quote():
    text = "建立質(zhì)量強(qiáng)市工作領(lǐng)導(dǎo)小組"
    assert names(text) == [("質(zhì)量強(qiáng)市工作領(lǐng)導(dǎo)小組", "湖州市质量强市工作领导小组", "330500", "leading-group")]


def test_patterns_file_rejects_unknown_row_types():
    with pytest.raises(ValueError, match="org-patterns.csv: unknown row type 'suffixx'"):
        parse_patterns("type,value,kind,extra,note\nsuffixx,局,government,anchored,\n")
    p = load_patterns()
    assert p.suffixes["领导小组"] == ("leading-group", "jurisdiction")
    assert p.known["市场监管总局"].name == "国家市场监督管理总局"


def test_emit_org_classes_parent_and_seat():
    text = "上海大学绍兴研究院"
    doc = _doc(text)
    om = OrgMention(name="上海大学绍兴研究院", scope="310000", kind="institute", evidence=Evidence(0, 9, text),
                    parent="上海大学", parent_scope="310000", parent_kind="university", seat="330600")
    lines, refused = emit_document(doc, Extraction(meta=DocMeta(kind="plan", jurisdiction=None), orgs=(om,)))
    assert refused == 0
    o, p = f"<{org_iri('310000', '上海大学绍兴研究院')}>", f"<{org_iri('310000', '上海大学')}>"
    g = "<https://w3id.org/qpkg/id/graph/x>"
    for triple in (
        f"{o} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/org#Organization>",
        f"{o} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/qpkg/ontology#Institute>",
        f"{o} <https://w3id.org/qpkg/ontology#seatedIn> <https://w3id.org/qpkg/id/area/330600>",
        f"{o} <https://w3id.org/qpkg/ontology#partOf> {p}",
        f"{o} <http://www.w3.org/ns/org#subOrganizationOf> {p}",
        f"{p} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/qpkg/ontology#University>",
        f'{p} <http://www.w3.org/2000/01/rdf-schema#label> "上海大学"@zh',
        f"<https://w3id.org/qpkg/id/doc/x> <https://w3id.org/qpkg/ontology#mentions> {o}",
    ):
        assert f"{triple} {g} ." in lines
    # the parent is named inside the child's name, not mentioned with its own quote
    assert not any(ln.startswith("<https://w3id.org/qpkg/id/doc/x> <https://w3id.org/qpkg/ontology#mentions> " + p) for ln in lines)


def test_emit_refuses_an_org_whose_quote_is_not_the_source_slice():
    doc = _doc("湖州市市场监督管理局")
    om = OrgMention(name="湖州市市场监督管理局", scope="330500", kind="government", evidence=Evidence(0, 3, "不对"))
    lines, refused = emit_document(doc, Extraction(meta=DocMeta(kind="plan", jurisdiction=None), orgs=(om,)))
    assert refused == 1
    assert not any("org/330500" in ln for ln in lines)


def test_emit_the_issuer_as_the_node_its_own_mention_resolved_to():
    # a county plan issued by its city's bureau: one node, scoped to the city, not a county twin
    from kg.model import Value

    text = "宿迁市市场监督管理局"
    doc = _doc(text)
    ev = Evidence(0, len(text), text)
    om = OrgMention(name=text, scope="321300", kind="government", evidence=ev)
    meta = DocMeta(kind="plan", jurisdiction=AreaRef("321322", "沭阳县", "county"), issuer=Value(text, ev))
    lines, _ = emit_document(doc, Extraction(meta=meta, orgs=(om,)))
    issuer = [ln.split(" ")[2] for ln in lines if " <https://w3id.org/qpkg/ontology#issuer> " in ln]
    assert issuer == [f"<{org_iri('321300', text)}>"]
    assert not any(org_iri("321322", text) in ln for ln in lines)


TONGREN = AreaRef("632301", "同仁市", "county")
SHENYANG = AreaRef("210100", "沈阳市", "city")


def test_an_area_whose_name_opens_with_a_function_character_keeps_it():
    # 同 joins two names (同市场监管局) and 于 stops one (于近日), but both open area names
    assert names("据介绍,同仁市质量强县工作领导小组将继续统筹推进各项工作。", TONGREN) == [
        ("同仁市质量强县工作领导小组", "同仁市质量强县工作领导小组", "632301", "leading-group"),
    ]
    assert [o.name for o in orgs("支持于洪区人民政府建设质量强区。", SHENYANG)] == ["于洪区人民政府"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("支持湖州市计量检定测试院建设,提升质量技术服务能力。", "湖州市计量检定测试院"),
        ("依托市计量测试所开展能力验证", "湖州市计量测试所"),
        ("湖州市计量检定所完成强制检定", "湖州市计量检定所"),
    ],
)
def test_metrology_institutes(text, expected):
    assert [(o.name, o.kind) for o in orgs(text)] == [(expected, "institute")]


def test_a_testing_word_is_no_institute_without_an_area():
    assert names("保障产品质量检测所需经费,提升计量测试所用设备水平。") == []


HOTAN = AreaRef("653200", "和田地区", "city")
QINHUANGDAO = AreaRef("130300", "秦皇岛市", "city")


def test_the_documents_own_short_name_may_open_with_a_joining_character():
    # 和 joins two names, but 和田 is the short name of this document's own prefecture
    assert [o.name for o in orgs("支持和田质量发展研究中心建设,提升质量技术服务能力。", HOTAN)] == ["和田质量发展研究中心"]


def test_a_suffix_inside_a_place_name_is_no_suffix():
    # 海关 (customs) inside 山海关区; 秦皇岛海关 is the customs
    assert [o.name for o in orgs("山海关区质量强县工作领导小组统筹推进,秦皇岛海关加强检验。", QINHUANGDAO)] == [
        "山海关区质量强县工作领导小组", "秦皇岛海关",
    ]
