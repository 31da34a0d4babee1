"""Normalization: each step on the seeds and on snippets, offset maps, idempotence (hypothesis)."""
from __future__ import annotations

import json
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import normalize as N
from kg.mojibake import find_mojibake
from kg.normalize import normalize_text
from kg.salad import find_salad, salad_reason
from kg.spam import find_injected_tokens, recover_place, repair_tokens

from .conftest import RAW

SEEDS = sorted(p.name for p in RAW.glob("*.txt"))
SPAM = "365bet电脑网站_365365bet娱乐场_365淘房APP官网下载"


def text_of(name: str) -> str:
    return (RAW / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def normalized() -> dict[str, N.NormText]:
    return {name: normalize_text(text_of(name)) for name in SEEDS}


def excluded_texts(nt: N.NormText) -> list[str]:
    return [nt.text[s:e] for s, e in nt.excluded]


# --- offset maps ---------------------------------------------------------------------------------------
def check_map(source: str, nt: N.NormText) -> None:
    n = len(nt.text)
    assert len(nt.offsets) == len(nt.ends) == n
    assert all(0 <= a < b <= len(source) for a, b in zip(nt.offsets, nt.ends))
    assert all(x <= y for x, y in zip(nt.offsets, nt.offsets[1:]))
    assert all(x <= y for x, y in zip(nt.ends, nt.ends[1:]))
    assert all(0 <= s < e <= n for s, e in nt.excluded)
    assert all(0 <= r.start < r.end <= len(source) for r in nt.repairs)


@pytest.mark.parametrize("name", SEEDS)
def test_seed_offset_maps(name, normalized):
    check_map(text_of(name), normalized[name])


def test_source_span_of_a_repaired_name_is_the_spam_in_the_source():
    from kg.vocab import load_gazetteer

    src = text_of("002_4b58b0da6dcbff1b.txt")
    nt, warnings = repair_tokens(normalize_text(src), load_gazetteer().areas)
    i = nt.text.index("绍兴市人民政府关于印发")
    s, e = nt.source_span(i, i + len("绍兴市人民政府"))
    assert src[s:e] == SPAM + "人民政府"
    assert warnings == [
        f"injected token {SPAM!r} found 11x; replaced by 绍兴市 "
        "(from index number area code 330600, document number prefix 绍政发, 38 intact mention(s))"
    ]
    spam = [r for r in nt.repairs if r.kind == "spam-token"]
    assert len(spam) == 11 and {(r.before, r.after) for r in spam} == {(SPAM, "绍兴市")}
    assert spam[0].note == "recovered 绍兴市 from index number area code 330600, document number prefix 绍政发, 38 intact mention(s)"


# --- HTML -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw,clean",
    [
        ("<p>质量</p><p>发展</p>", "\n质量\n\n发展\n"),
        ("湖州<script>alert(1)</script>市", "湖州市"),
        ("湖州<img src=x onerror=alert(1)>市", "湖州市"),
        ("湖州&lt;script&gt;alert(1)&lt;/script&gt;市", "湖州市"),
        ("A&amp;lt;b&amp;gt;B", "AB"),
        ("质量&nbsp;发展&#12290;", "质量 发展。"),
        ("<!-- 注释 -->正文", "正文"),
        ("正文<div class=\"foot", "正文\n"),
        ("正文<script>var a = 1;", "正文"),
        ("PM2.5&lt;35", "PM2.5<35"),
    ],
)
def test_strip_html(raw, clean):
    nt = N.fold_width(N.strip_html(N.identity(raw)))
    assert nt.text == clean
    check_map(raw, nt)


def test_markup_warnings():
    assert N.markup_warnings("<p>x</p>") == []
    assert N.markup_warnings('<script>a()</script><img src=x onerror="b()">') == [
        "removed active markup (2x: <script, onerror); it is never run or kept"
    ]
    assert N.markup_warnings("<p>质量发展</p><div class=") == [
        "HTML looks truncated (a tag or comment is cut off at the end); the text before it is used"
    ]


# --- width, pinyin ------------------------------------------------------------------------------------------
def test_fold_width():
    assert N.fold_width(N.identity("（一）质量\u00a0发展\u3000ＡＢ１２\u200b。")).text == "(一)质量 发展 AB12。"
    nt = N.fold_width(N.identity("一、总体要求\r\n二、发展目标\r三\f四"))
    assert nt.text == "一、总体要求\n二、发展目标\n三\n四"
    assert nt.source_span(6, 7) == (6, 8)  # the line break stands for both CR and LF


def test_crlf_copy_has_the_same_normalized_text():
    text = text_of("003_b8d4b0b9a0480c56.txt")
    assert normalize_text(text.replace("\n", "\r\n")).text == normalize_text(text).text


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("弘揚(yáng)", "弘揚"),
        ("揚(yáng)(yáng)", "揚"),
        ("揚 (yáng)了", "揚了"),
        ("堅(jiān)持的(de)", "堅持的"),  # toneless readings go when the text has toned ones
        ("打造浙里办(app)平台", "打造浙里办(app)平台"),
        ("的(de)", "的(de)"),  # no toned reading anywhere: may be ordinary text
        ("产业(ai)", "产业(ai)"),
        ("标准(zhǔn)化", "标准化"),
        ("x(yáng)", "x(yáng)"),  # not after a hanzi
    ],
)
def test_strip_pinyin(raw, clean):
    assert N.strip_pinyin(N.identity(raw)).text == clean


def test_no_pinyin_reading_left_in_000(normalized):
    src = text_of("000_3dc1af908529f85b.txt")
    assert len(re.findall(r"[\u4e00-\u9fff]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", src)) == 343
    assert re.findall(r"\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", normalized["000_3dc1af908529f85b.txt"].text) == []


# --- traditional script and 品質 -----------------------------------------------------------------------------
def test_000_becomes_simplified_and_keeps_pinzhi_shenghuo(normalized):
    text = normalized["000_3dc1af908529f85b.txt"].text
    assert text.startswith("程芸 尹力\n近年来,湖州市大力弘扬“抓发展质量、享品质生活、创共富样本”的城市质量精神")
    assert not [r for r in normalized["000_3dc1af908529f85b.txt"].repairs if r.kind == "t2s-pinzhi"]


@pytest.mark.parametrize("name", ["003_b8d4b0b9a0480c56.txt", "004_43b08ec545039170.txt"])
def test_mainland_pinzhi_is_never_rewritten(name, normalized):
    """品质泰州, 品质提升 are mainland usage written in simplified script: no repair."""
    nt = normalized[name]
    assert nt.text.count("品质") == text_of(name).count("品质")
    assert [r for r in nt.repairs if r.kind == "t2s-pinzhi"] == []


def test_taiwan_usage_mirror_gets_zhiliang_back():
    mirror = "堅持品質第一，推進品質強市建設，提升產品品質和服務品質，享受品質生活。"
    nt = normalize_text(mirror)
    assert nt.text == "坚持质量第一,推进质量强市建设,提升产品质量和服务质量,享受品质生活。"
    assert [(r.before, r.after, mirror[r.start : r.end]) for r in nt.repairs] == [("品質", "質量", "品質")] * 4


def test_pinzhi_is_kept_when_the_text_also_writes_zhiliang():
    text = "堅持品質第一，推進質量強市建設。"
    assert normalize_text(text).text == "坚持品质第一,推进质量强市建设。"


# --- PDF spaces --------------------------------------------------------------------------------------------
HEADER = "\n".join(["题"] * 10) + "\n"  # ten lines push the rest out of the header zone


@pytest.mark.parametrize(
    "raw,clean",
    [
        (HEADER + "| 新开工装配式建筑面积 | 万平 方米 | 2500 |", HEADER + "| 新开工装配式建筑面积 | 万平方米 | 2500 |"),
        (HEADER + "| 1 | 数字赋能制造业 高质量发展工程 |", HEADER + "| 1 | 数字赋能制造业高质量发展工程 |"),
        (HEADER + "重 大 改 革", HEADER + "重大改革"),
        (HEADER + "发布机构: 市政府办公室 公开日期: 2021-07-28", HEADER + "发布机构: 市政府办公室 公开日期: 2021-07-28"),
        (HEADER + "主题分类: 质量监督 发文字号: 绍政发〔2021〕19号", HEADER + "主题分类: 质量监督 发文字号: 绍政发〔2021〕19号"),
        (HEADER + "质量  发展", HEADER + "质量  发展"),
        ("程芸 尹力\n正文", "程芸 尹力\n正文"),
        ("泰州:让城市更美好 让生活更幸福\n正文", "泰州:让城市更美好 让生活更幸福\n正文"),
        ("目 录\n前 言 1", "目录\n前言 1"),
    ],
)
def test_join_cjk_spaces(raw, clean):
    assert N.join_cjk_spaces(N.identity(raw)).text == clean


def test_pdf_spaces_of_001_are_joined(normalized):
    text = normalized["001_bcf92bb41f96abcb.txt"].text
    for joined in ("万平方米", "数字赋能制造业高质量发展工程", "重大改革", "质量基础设施重大平台", "高质量知识产权培育工程"):
        assert joined in text
    assert re.findall(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", text) == []


# --- furniture --------------------------------------------------------------------------------------------
def test_furniture_of_002_and_004(normalized):
    nt = normalized["002_4b58b0da6dcbff1b.txt"]
    furniture = [r.before for r in nt.repairs if r.kind == "furniture"]
    assert len(furniture) == 4
    assert furniture[0].startswith("当前位置:首页\n") and furniture[0].endswith("> 政策文件 > 其他文件")
    assert furniture[1:] == ["浏览次数:", "字体:[ ]", "分享:"]
    for field in ("索引号: 11330600002577014T/2021-207852", "发文字号: 绍政发〔2021〕19号", "发布日期:2021-07-28 14:28", "公开日期: 2021-07-28"):
        i = nt.text.index(field)
        assert not nt.is_excluded(i, i + len(field)), field
    nt = normalized["004_43b08ec545039170.txt"]
    assert excluded_texts(nt) == ["【字号:  】【打印"]
    i = nt.text.index("来源:泰州日报")
    assert not nt.is_excluded(i, i + 7)


def test_furniture_words_in_prose_stay():
    nt = normalize_text("发展3D打印产业,分享经济和共享平台。\n打印\n浏览次数: 12")
    assert excluded_texts(nt) == ["打印", "浏览次数: 12"]


# --- mojibake ----------------------------------------------------------------------------------------------
def test_mojibake_in_000_is_excluded_reported_and_repaired(normalized):
    src = text_of("000_3dc1af908529f85b.txt")
    nt = normalized["000_3dc1af908529f85b.txt"]
    moji = [r for r in nt.repairs if r.kind == "mojibake"]
    assert len(moji) == 1
    r = moji[0]
    assert (r.before, r.after) == ("?!吧嗉馍稀钡陌踩?", "\ufffd“舌尖上”的安\ufffd")
    assert src[r.start : r.end] == r.before and src[r.start - 2 : r.start] == "為確"
    assert r.note == "re-encoded as GBK, decoded again in step; excluded from extraction"
    assert excluded_texts(nt) == ["?!吧嗉馍稀钡陌踩?"]


@pytest.mark.parametrize("name", SEEDS[1:])
def test_no_mojibake_in_clean_seeds(name, normalized):
    assert [r for r in normalized[name].repairs if r.kind == "mojibake"] == []


@pytest.mark.parametrize("wrong", ["gbk", "cp1252"])
def test_utf8_read_with_the_wrong_codec_is_found_and_repaired(wrong):
    text = text_of("003_b8d4b0b9a0480c56.txt")
    sentence = "建立嘉兴、苏州、青浦三地标准化协作机制"
    bad = sentence.encode("utf-8").decode(wrong, errors="replace")
    found = find_mojibake(text.replace(sentence, bad))
    assert [f.text for f in found] == [bad]
    assert found[0].how == f"UTF-8 bytes that were read as {'GBK' if wrong == 'gbk' else 'cp1252'}"
    fixed = found[0].repaired
    assert fixed.startswith("建立嘉兴") and fixed.endswith("机制")
    assert len(re.sub("[\ufffd?]", "", fixed)) >= len(sentence) - 5  # bytes cp1252 cannot show are lost


# --- word salad ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SEEDS)
def test_no_legit_paragraph_is_salad(name, normalized):
    assert [r for r in normalized[name].repairs if r.kind == "word-salad"] == []
    assert find_salad(normalized[name].text) == [] or name == "002_4b58b0da6dcbff1b.txt"


def test_salad_is_found():
    paragraph = text_of("003_b8d4b0b9a0480c56.txt").split("\n")[0]
    assert salad_reason(paragraph) == ""
    chars = list(paragraph)
    random.Random(7).shuffle(chars)
    assert salad_reason("".join(chars)).startswith("scrambled text: ")
    stuffing = "365bet 体育投注 娱乐场 365bet 官网下载 真人娱乐 365bet 体育投注 娱乐场 官网下载 365bet 棋牌游戏 体育投注 娱乐场 官网"
    assert salad_reason(stuffing) == "keyword stuffing: 15 separated tokens, 7 distinct, '365bet' 4x"
    source = paragraph + "\n" + stuffing + "\n"
    nt = normalize_text(source)
    assert len(nt.excluded) == 1
    s, e = nt.source_span(*nt.excluded[0])
    assert source[s:e] == stuffing
    assert salad_reason("| 1 | 质量 | 标准 | 品牌 | 认证 | 计量 | 检测 | 检验 | 监管 | 安全 | 服务 | 工程 | 产品 | 环境 |") == ""


# --- injected tokens -------------------------------------------------------------------------------------------
def test_spam_token_of_002_is_found():
    assert find_injected_tokens(text_of("002_4b58b0da6dcbff1b.txt")) == [SPAM]


@pytest.mark.parametrize(
    "text",
    [
        "推广浙里办APP应用。" * 2 + "上线“浙食链”APP。" + "下载APP扫码。" * 3,
        "建成5G基站1200个,5G用户达到50万户,5G网络覆盖全域,实现5G全覆盖。",
        "GDP增长6%,人均GDP超过10万元,GDP总量突破3000亿元,GDP增速全省第一。",
        "PM2.5平均浓度下降。PM2.5平均浓度达标。PM2.5平均浓度全省最低。",
        "R&D经费投入强度达到3%。全社会R&D经费支出增长。R&D人员。R&D经费。",
        "推进ISO9001质量管理体系认证,ISO9001质量管理体系认证企业,ISO9001质量管理体系认证全覆盖。",
    ],
)
def test_legit_repeated_ascii_is_not_spam(text):
    assert find_injected_tokens(text) == []


def test_spam_without_recoverable_place_is_excluded_not_replaced():
    from kg.vocab import load_gazetteer

    text = "\n".join(f"{SPAM}{w}质量发展工作。" for w in "一二三四")
    nt, warnings = repair_tokens(normalize_text(text), load_gazetteer().areas)
    assert recover_place(text, SPAM, load_gazetteer().areas) is None
    assert nt.text == normalize_text(text).text
    assert excluded_texts(nt) == [SPAM] * 4
    assert warnings == [f"injected token {SPAM!r} found 4x; no place name recoverable, excluded from extraction"]


# --- properties ------------------------------------------------------------------------------------------------
FRAGMENTS = [
    *"质量发展湖州市品质質量強發展揚產品规划标准化",
    "(yáng)", "(de)", "(app)", "(", ")", "（", "）",
    " ", "  ", "\n", "\r", "\r\n", "\u00a0", "\u3000", "\u200b", "\ufeff",
    "<p>", "</p>", "<br/>", "<script>", "</script>", "<img src=x onerror=alert(1)>", "<div", "<", ">", "<!--", "-->",
    "&lt;", "&gt;", "&amp;", "&nbsp;", "&#12290;", "&#0;", "&", ";",
    "ＡＢ", "１２", "：", ":", "|", "?", "\ufffd", "吧嗉馍", "钡陌",
    "当前位置:首页", " > ", "字体:[ ]", "打印", "浏览次数:",
    "365bet", "_", "APP", "PM2.5", "万平 方米", "重 大", "a", "Z", "9",
]
texts = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_normalize_offsets_and_idempotence(text):
    nt = normalize_text(text)
    check_map(text, nt)
    assert normalize_text(nt.text).text == nt.text


@settings(max_examples=200, deadline=None)
@given(texts, st.sampled_from(N.STEPS))
def test_each_step_keeps_a_valid_map(text, step):
    nt = step(N.identity(text))
    check_map(text, nt)


# --- fast paths give what the plain scans give ------------------------------------------------------------------
# Speed-ups that skip work (a quick test, lines without the mark, a count that stops early, one OpenCC
# call for all runs) must find exactly what the plain pass over the whole text finds.
NAV_FRAGMENTS = ["首页", " > ", ">", "»", "政务公开", "\n", " ", "规划计划", "。", "a", "\t"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NAV_FRAGMENTS), max_size=30).map("".join))
def test_navigation_lines_as_the_whole_text_scan(text):
    assert [m.span() for m in N._nav_lines(text)] == [m.span() for m in N._NAV_LINE.finditer(text)]


@settings(max_examples=200, deadline=None)
@given(texts)
def test_t2s_in_one_call_as_run_by_run(text):
    cc = N._converter()
    expected = {}
    for run in N._HAN_RUN.findall(text):
        out = cc.convert(run)
        if len(out) != len(run):
            out = "".join((cc.convert(ch) or ch)[:1] for ch in run)
        if out != run:
            expected[run] = out
    assert N._t2s_runs(text) == expected


def test_bigram_count_stops_only_above_the_threshold():
    from kg import salad
    from kg.hanzi import common_bigrams

    bigrams = common_bigrams()
    rng = random.Random(0)
    pool = sorted({c for b in bigrams for c in b})[:300] + ["\n"]
    for _ in range(200):
        joined = "".join(rng.choice(pool) for _ in range(rng.randrange(2, 400))).strip("\n") or "质量"
        pairs = sum(1 for a, b in zip(joined, joined[1:]) if "\n" not in a + b)
        full = sum(1 for a, b in zip(joined, joined[1:]) if a + b in bigrams)
        got = salad._bigram_hits(joined, bigrams, max(pairs, 1))
        if full / max(pairs, 1) < salad.MAX_SCRAMBLED:
            assert got == full  # a scrambled verdict and its reason use the exact count
        else:
            assert got / max(pairs, 1) >= salad.MAX_SCRAMBLED


def test_stored_opencc_character_tables_convert_as_opencc_does(tmp_path, monkeypatch):
    """The per-character tables kept in the user cache give OpenCC's own conversion, for characters
    in the stored blocks and outside them; a damaged file is computed again, an unwritable cache only costs time."""
    import kg.hanzi as H

    sample = "質量发展爲為裏里臺台后後乾干灣湾㐀㑇丽麗\U00020000\U0002a6d6𠀀ABC１"
    expected = {config: H._converted(config, sorted(set(sample))) for config in H.TABLE_CONFIGS}
    for content in (None, "{damaged", '{"t2s": {}}'):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        path = H._tables_path()
        if content is not None:
            path.write_text(content, encoding="utf-8")
        monkeypatch.setattr(H, "_CHAR_CACHE", {})
        monkeypatch.setattr(H, "_TABLED", set())
        monkeypatch.setattr(H, "_tables_loaded", False)
        for config in H.TABLE_CONFIGS:
            assert H.convert_chars(config, sample) == {c: expected[config][c] for c in sample}, (config, content)
        assert H._TABLED == set(H.TABLE_CONFIGS)
        stored = json.loads(path.read_text(encoding="utf-8"))
        assert stored["s2t"]["发"] == "發" and "A" not in stored["t2s"] and stored["t2s"]["質"] == "质"
    # a cache folder that cannot be written: the tables are computed, the build goes on
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    monkeypatch.setattr(H, "_CHAR_CACHE", {})
    monkeypatch.setattr(H, "_TABLED", set())
    monkeypatch.setattr(H, "_tables_loaded", False)
    assert H.convert_chars("t2s", "質量") == {"質": "质", "量": "量"}
