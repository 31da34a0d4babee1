"""Concept and area mentions on snippets: aliases, traditional forms, near-neighbours, excluded spans,
and area names that hide inside ordinary words."""
from __future__ import annotations

from dataclasses import replace

import pytest

from kg.extract.mentions import find_area_mentions, find_concept_mentions
from kg.model import AreaRef, DocTree, SourceDoc
from kg.normalize import normalize_text
from kg.vocab import load_gazetteer

HUZHOU = AreaRef("330500", "湖州市", "city")
SHAOXING = AreaRef("330600", "绍兴市", "city")
DEQING = AreaRef("330521", "德清县", "county")


def _doc(text: str) -> SourceDoc:
    return SourceDoc(path="x.txt", name="x.txt", doc_id="x", text=text, encoding="utf-8", sha256="0", size=len(text.encode()))


def concepts(text: str, excluded: tuple[tuple[int, int], ...] = ()) -> list[tuple[str, str]]:
    """(prefLabel, quote) of every concept mention, checking each quote against the source."""
    gaz = load_gazetteer()
    nt = normalize_text(text)
    if excluded:
        nt = replace(nt, excluded=excluded)
    out = []
    for m in find_concept_mentions(_doc(text), nt, DocTree(sections=()), gaz):
        assert text[m.evidence.start : m.evidence.end] == m.evidence.quote
        out.append((gaz.concept(m.concept).pref_label, m.evidence.quote))
    return out


def areas(text: str, jurisdiction: AreaRef | None) -> list[tuple[str, str]]:
    """(area name, quote) of every area mention."""
    gaz = load_gazetteer()
    out = []
    for m in find_area_mentions(_doc(text), normalize_text(text), gaz, jurisdiction):
        assert text[m.evidence.start : m.evidence.end] == m.evidence.quote
        out.append((gaz.area_by_code[m.code].name, m.evidence.quote))
    return out


# ---------------------------------------------------------------------------------- concepts


def test_news_article_about_zhepinma_codes():
    text = "本报讯 记者从湖州市市场监管局获悉,全市已有1200家企业完成“浙品码”赋码,消费者扫码即可查看产品质量信息。"
    assert concepts(text) == [("浙品码", "浙品码")]


def test_traditional_characters_and_pinyin_readings_match_with_the_source_quote():
    text = "推廣“浙品碼”,開展“品字標(biāo)浙江製造”認證"
    assert concepts(text) == [("浙品码", "浙品碼"), ("品字标浙江制造", "品字標(biāo)浙江製造")]


def test_alias_maps_to_its_concept():
    assert concepts("接入浙江省食品安全追溯闭环管理系统") == [("浙食链", "浙江省食品安全追溯闭环管理系统")]


def test_near_neighbour_label_does_not_count():
    # 浙江制造 is an alias of 品字标浙江制造, but not inside 浙江制造业 (qp:excludeLabel)
    assert concepts("推动浙江制造业高质量发展") == []
    assert concepts("培育“浙江制造”标准") == [("品字标浙江制造", "浙江制造")]


def test_excluded_span_is_not_matched():
    text = "创建无废城市。乱码无废城市乱码"
    s = text.index("乱码")
    assert concepts(text, excluded=((s, len(text)),)) == [("无废城市", "无废城市")]


# ---------------------------------------------------------------------------------- areas


def test_county_short_names_of_the_document_city():
    text = "吴兴、南浔和德清县入选试点,长兴县、安吉县同步推进"
    assert areas(text, HUZHOU) == [
        ("吴兴区", "吴兴"), ("南浔区", "南浔"), ("德清县", "德清县"), ("长兴县", "长兴县"), ("安吉县", "安吉县"),
    ]


def test_two_character_county_names_inside_words_are_not_areas():
    # 新建 (南昌), 资源 (桂林), 富裕 (齐齐哈尔), 合作 (甘南), 太湖 (安庆), 范县 in 示范县, 金山 (上海)
    text = "全市新建建筑集聚创新资源,推进共同富裕,加强合作,打造环太湖城市,创建示范县,践行绿水青山就是金山银山"
    assert areas(text, HUZHOU) == []


def test_a_two_character_county_name_standing_alone_counts_before_the_jurisdiction_is_known():
    # first pass (no jurisdiction): 云县 after a comma or at a line start is the county
    assert areas("近年来,云县加快质量强县建设。\n夏县今年新增认证企业", None) == [("云县", "云县"), ("夏县", "夏县")]


@pytest.mark.parametrize(
    "text",
    [
        "积极探索县域经济高质量发展",  # 索县 inside 探索县域
        "创建示范县,争创英雄县",  # 范县 in 示范县, 雄县 in 英雄县
        "新县城建设提速",  # 新县 + 城: 新 + 县城 (a new county town)
        ",各县级部门协同推进",  # 各县 is no county; 县级 opens a word
        "城区、郊区、矿区同步推进",  # two-character district names are ordinary words
    ],
)
def test_a_two_character_county_name_inside_a_word_does_not_count(text):
    assert areas(text, None) == []


def test_a_rejected_name_does_not_hide_the_next_one():
    # 和安 is a county short name (云南); it must not swallow the 安 of 安吉县
    assert areas("德清县和安吉县", HUZHOU) == [("德清县", "德清县"), ("安吉县", "安吉县")]


def test_an_enclosing_area_written_before_a_short_name_vouches_for_it():
    assert areas("浙江南浔山东宁津电梯产业", HUZHOU) == [
        ("浙江省", "浙江"), ("南浔区", "南浔"), ("山东省", "山东"), ("宁津县", "宁津"),
    ]


def test_a_development_zone_named_like_another_provinces_district():
    # 绍兴滨海新区 is Shaoxing's zone, not Tianjin's district 滨海新区
    assert areas("建设绍兴滨海新区,越城区(滨海新区)集成改革", SHAOXING) == [("绍兴市", "绍兴"), ("越城区", "越城区")]


def test_county_plan_resolves_short_names_within_its_city():
    text = "德清县质量发展规划:联动长兴、安吉,对标杭州、嘉兴"
    assert areas(text, DEQING) == [
        ("德清县", "德清县"), ("长兴县", "长兴"), ("安吉县", "安吉"), ("杭州市", "杭州"), ("嘉兴市", "嘉兴"),
    ]


def test_another_provinces_city_needs_its_full_name():
    assert areas("对标苏州,学习苏州市经验", HUZHOU) == [("苏州市", "苏州市")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("湖州市南浔区", [("湖州市", "湖州市"), ("南浔区", "南浔区")]),
        ("南浔是湖州的一个区", [("湖州市", "湖州")]),  # no jurisdiction yet: county short forms wait
        ("江苏省泰州市", [("江苏省", "江苏省"), ("泰州市", "泰州市")]),
    ],
)
def test_first_pass_without_jurisdiction_keeps_only_safe_names(text, expected):
    assert areas(text, None) == expected


# ---------------------------------------------------------------------------------- areas inside other names


def _extract(text: str):
    from kg.extract import extract_document
    from kg.normalize import normalize
    from kg.segment import segment

    doc = _doc(text)
    nt = normalize(doc)
    return extract_document(doc, nt, segment(nt), load_gazetteer())


def test_an_area_inside_a_concept_or_organization_name_is_not_mentioned_on_its_own():
    text = "湖州市质量发展规划。推广“品字标浙江制造”,支持浙江大学和湖州市市场监督管理局共建平台,湖州市全面推进。"
    ex = _extract(text)
    gaz = load_gazetteer()
    assert [(gaz.area_by_code[a.code].name, a.evidence.start) for a in ex.areas] == [
        ("湖州市", 0),
        ("湖州市", text.rindex("湖州市")),
    ]
    # the organization keeps its own mention (and its seat: see test_orgs)
    assert {o.name for o in ex.orgs} >= {"湖州市市场监督管理局", "浙江大学"}
    assert [gaz.concept(c.concept).pref_label for c in ex.concepts] == ["品字标浙江制造"]


def test_one_mention_per_span_the_longest_label():
    # the family member, not also its broader 品字标 or the alias 浙江制造 inside it
    assert concepts("推广品字标浙江制造认证") == [("品字标浙江制造", "品字标浙江制造")]
    # two labels that only quote marks part spell one label together
    assert concepts("获得“品字标”浙江制造证书,推进品字标“浙江制造”") == [
        ("品字标浙江制造", "品字标”浙江制造"),
        ("品字标浙江制造", "品字标“浙江制造"),
    ]
    # labels quoted apart that spell nothing together stay two
    assert concepts("“鲁班奖”“国家优质工程奖”") == [("鲁班奖", "“鲁班奖”"), ("国家优质工程奖", "国家优质工程奖")]


def test_eval_counts_a_family_through_skos_broader(tmp_path):
    """A span is one mention of its longest label, so `kg eval` reaches the family (品字标) from the
    member the text names (品字标浙江制造) through skos:broader, not through an extra mention."""
    from kg.evaluate import evaluate
    from kg.pipeline import build
    from kg.store import open_store

    src = tmp_path / "src"
    src.mkdir()
    (src / "x.txt").write_text("湖州市质量发展规划\n推广“品字标浙江制造”认证。\n", encoding="utf-8")
    build([src], tmp_path / "b", store=None)
    gold = {
        "documents": [{"doc": "x.txt", "city": "湖州市"}],
        "concepts": [
            {"label": "品字标", "kind": "scheme", "aliases": [], "cities": ["湖州市"]},
            {"label": "浙品码", "kind": "scheme", "aliases": [], "cities": []},
        ],
    }
    ev = evaluate(open_store("oxigraph", graph_file=tmp_path / "b" / "graph.nq"), gold, src)
    s = ev.scores["concepts"]
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)


JIAXING = AreaRef("330400", "嘉兴市", "city")


def test_a_list_that_calls_its_items_places_vouches_for_them():
    # short forms from other provinces count when the list says its items are places (三地)
    assert areas("建立嘉兴、苏州、青浦三地标准化协作机制", JIAXING) == [("嘉兴市", "嘉兴"), ("苏州市", "苏州"), ("青浦区", "青浦")]
    # not without that word, and not when an item names no area
    assert areas("与嘉兴、苏州合作", JIAXING) == [("嘉兴市", "嘉兴")]
    assert areas("嘉兴、苏州、提升三地", JIAXING) == [("嘉兴市", "嘉兴")]


def test_area_scan_finds_every_position_where_a_name_starts():
    """The scan jumps to possible name starts; it must list what a look at every position lists."""
    import random

    from kg.extract.mentions import area_index

    ai = area_index(load_gazetteer())
    rng = random.Random(2)
    names = sorted(ai.by_name)
    for _ in range(50):
        parts = [rng.choice(names) if rng.random() < 0.4 else rng.choice("的和在县市区发展质量,\n") for _ in range(30)]
        text = "".join(parts)
        every = [(i, ai.names_at(text, i)) for i in range(len(text)) if text[i] in ai.lengths and ai.names_at(text, i)]
        assert ai.scan(text) == every
