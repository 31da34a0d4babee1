"""The foundation slice: documents, jurisdictions, titles, scheme mentions, provenance, determinism."""
from __future__ import annotations

import hashlib

import pytest
from rdflib import Dataset, Literal, URIRef

QP = "https://w3id.org/qpkg/ontology#"
QPD = "https://w3id.org/qpkg/id/"

JURISDICTIONS = {
    "000_3dc1af908529f85b.txt": "330500",
    "001_bcf92bb41f96abcb.txt": "330500",
    "002_4b58b0da6dcbff1b.txt": "330600",  # the page overwrites the city name with spam
    "003_b8d4b0b9a0480c56.txt": "330400",
    "004_43b08ec545039170.txt": "321200",
}


@pytest.fixture(scope="module")
def ds(built) -> Dataset:
    d = Dataset(default_union=True)
    d.parse(built / "graph.trig", format="trig")
    return d


def doc_node(ds: Dataset, file_name: str) -> URIRef:
    hits = list(ds.subjects(URIRef(QP + "sourceFile"), Literal(file_name)))
    assert len(hits) == 1, (file_name, hits)
    return hits[0]


@pytest.mark.parametrize("file_name,code", sorted(JURISDICTIONS.items()))
def test_jurisdiction(ds, file_name, code):
    d = doc_node(ds, file_name)
    assert list(ds.objects(d, URIRef(QP + "jurisdiction"))) == [URIRef(f"{QPD}area/{code}")]


def test_one_document_per_file_with_hash_and_encoding(ds, sources):
    from rdflib.namespace import RDF

    docs = set(ds.subjects(RDF.type, URIRef(QP + "Document")))
    files = {str(ds.value(d, URIRef(QP + "sourceFile"))) for d in docs if ds.value(d, URIRef(QP + "sourceFile"))}
    assert files == set(JURISDICTIONS)
    for name, text in sources.items():
        d = doc_node(ds, name)
        assert str(ds.value(d, URIRef(QP + "sha256"))) == hashlib.sha256(text.encode("utf-8")).hexdigest()
        assert str(ds.value(d, URIRef(QP + "encoding"))) == "utf-8"
        kinds = {t for t in ds.objects(d, RDF.type)} & {URIRef(QP + "Plan"), URIRef(QP + "Article")}
        assert len(kinds) == 1


@pytest.mark.parametrize(
    "file_name,title",
    [("001_bcf92bb41f96abcb.txt", "湖州市质量发展“十四五”规划"), ("002_4b58b0da6dcbff1b.txt", "绍兴市质量发展“十四五”规划")],
)
def test_full_plans_have_titles(ds, file_name, title):
    from rdflib.namespace import DCTERMS

    assert [str(t) for t in ds.objects(doc_node(ds, file_name), DCTERMS.title)] == [title]


SCHEMES = {"品字标": "pinzibiao", "浙食链": "zheshilian", "浙品码": "zhepinma"}


def test_scheme_mentions_with_exact_quotes(ds, sources):
    """Every document naming 品字标/浙食链/浙品码 (in any script) links to the concept, with exact evidence."""
    import opencc

    t2s = opencc.OpenCC("t2s")
    for name, text in sources.items():
        simplified = t2s.convert(text)
        d = doc_node(ds, name)
        mentioned = set(ds.objects(d, URIRef(QP + "mentions")))
        for label, slug in SCHEMES.items():
            concept = URIRef(f"{QPD}concept/{slug}")
            if label not in simplified:
                assert concept not in mentioned, (name, label)
                continue
            assert concept in mentioned, (name, label)
            mentions = [m for m in ds.subjects(URIRef(QP + "mentionOf"), concept) if (m, URIRef(QP + "inDocument"), d) in ds]
            assert mentions, (name, label)
            for m in mentions:
                s, e = int(ds.value(m, URIRef(QP + "start"))), int(ds.value(m, URIRef(QP + "end")))
                quote = str(ds.value(m, URIRef(QP + "quote")))
                assert text[s:e] == quote
                assert label in t2s.convert(quote) or "“" in quote or len(quote) > len(label)


def test_every_quote_is_the_source_slice(ds, sources):
    by_doc = {}
    for name in sources:
        by_doc[doc_node(ds, name)] = sources[name]
    n = 0
    for m in ds.subjects(URIRef(QP + "quote"), None):
        d = ds.value(m, URIRef(QP + "inDocument"))
        s, e = int(ds.value(m, URIRef(QP + "start"))), int(ds.value(m, URIRef(QP + "end")))
        assert by_doc[d][s:e] == str(ds.value(m, URIRef(QP + "quote")))
        n += 1
    assert n > 100


def test_spam_repair_is_reported(built):
    import json

    report = json.loads((built / "report.json").read_text(encoding="utf-8"))
    doc = next(d for d in report["documents"] if d["file"] == "002_4b58b0da6dcbff1b.txt")
    spam = [r for r in doc["repairs"] if r["kind"] == "spam-token"]
    assert spam and {r["after"] for r in spam} == {"绍兴市"}
    assert all(r["before"] == "365bet电脑网站_365365bet娱乐场_365淘房APP官网下载" for r in spam)


def test_build_is_deterministic(tmp_path):
    from kg.pipeline import build

    from .conftest import RAW

    build([RAW], tmp_path / "a", store=None)
    build([RAW], tmp_path / "b", store=None)
    for f in ("graph.ttl", "graph.trig", "graph.nq"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_doc_ids_stay_distinct_for_non_ascii_names():
    from kg.namespaces import doc_id

    ids = {doc_id(n) for n in ("湖州规划.txt", "绍兴规划.txt", "湖州规划.html", "a b.txt", "a_b.txt")}
    assert len(ids) == 4  # the same stem in two formats is the same document id
    assert doc_id("000_3dc1af908529f85b.txt") == "000_3dc1af908529f85b"


def test_concept_mentions_know_their_section(ds):
    """A concept mention under a heading links to that heading's qp:Section of the same document."""
    from rdflib.namespace import DCTERMS, RDF

    linked = 0
    for m, sec in ds.subject_objects(URIRef(QP + "inSection")):
        if (m, RDF.type, URIRef(QP + "Mention")) not in ds:
            continue
        assert (sec, RDF.type, URIRef(QP + "Section")) in ds
        assert ds.value(sec, DCTERMS.isPartOf) == ds.value(m, URIRef(QP + "inDocument"))
        linked += 1
    assert linked > 100
    # the Shaoxing plan's body sits under 一、/(一) headings: every 无废城市 mention there has its section
    # (the Huzhou PDF lost its body headings, so its mentions have none)
    d = doc_node(ds, "002_4b58b0da6dcbff1b.txt")
    wufei = [m for m in ds.subjects(URIRef(QP + "mentionOf"), URIRef(QPD + "concept/wufei-chengshi"))
             if ds.value(m, URIRef(QP + "inDocument")) == d]
    assert len(wufei) == 9 and all(ds.value(m, URIRef(QP + "inSection")) is not None for m in wufei)


def test_jobs_give_the_same_bytes(tmp_path):
    """A process pool and a serial build write byte-identical graph files."""
    from kg.pipeline import build

    from .conftest import RAW

    one = build([RAW], tmp_path / "j1", store=None, jobs=1)
    two = build([RAW], tmp_path / "j2", store=None, jobs=2)
    assert [d.file for d in two.documents] == [d.file for d in one.documents] == sorted(p.name for p in RAW.glob("*.txt"))
    assert two.triples == one.triples
    for f in ("graph.ttl", "graph.trig", "graph.nq"):
        assert (tmp_path / "j1" / f).read_bytes() == (tmp_path / "j2" / f).read_bytes(), f


def test_same_stem_in_two_formats_fails_the_later_file(tmp_path):
    """a.html and a.txt would both be document `a`: the later one (sorted) fails, naming both; the rest builds."""
    import shutil

    from kg.pipeline import build

    from .conftest import RAW

    src = tmp_path / "in"
    src.mkdir()
    text = (RAW / "003_b8d4b0b9a0480c56.txt").read_text(encoding="utf-8")
    (src / "a.html").write_text(f"<html><body><pre>{text}</pre></body></html>", encoding="utf-8")
    (src / "a.txt").write_text(text, encoding="utf-8")
    shutil.copy(RAW / "004_43b08ec545039170.txt", src / "b.txt")
    for jobs in (1, 2):
        s = build([src], tmp_path / f"out{jobs}", store=None, jobs=jobs)
        assert [(d.file, d.ok) for d in s.documents] == [("a.html", True), ("a.txt", False), ("b.txt", True)]
        assert s.documents[1].error == (
            f"{src / 'a.txt'}: has the same document id 'a' as {src / 'a.html'} "
            "(the id is the file name without its extension; rename one of the two files)"
        )
        nq = (tmp_path / f"out{jobs}" / "graph.nq").read_text(encoding="utf-8")
        assert '<https://w3id.org/qpkg/ontology#sourceFile> "a.html"' in nq
        assert '"a.txt"' not in nq


def test_a_file_named_like_a_vocabulary_graph_fails(tmp_path):
    import shutil

    from kg.pipeline import build

    from .conftest import RAW

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(RAW / "003_b8d4b0b9a0480c56.txt", src / "vocab.txt")
    s = build([src], tmp_path / "out", store=None)
    assert s.documents[0].error == f"{src / 'vocab.txt'}: its document id 'vocab' is the name of the vocabulary graph (rename the file)"


def test_a_dying_worker_is_one_error_and_keeps_the_previous_build(tmp_path, monkeypatch):
    import os
    import shutil

    from kg import pipeline
    from kg.errors import KgError

    from .conftest import RAW

    src = tmp_path / "in"
    src.mkdir()
    for name in ("003_b8d4b0b9a0480c56.txt", "004_43b08ec545039170.txt"):
        shutil.copy(RAW / name, src / name)
    out = tmp_path / "out"
    pipeline.build([src], out, store=None)
    before = (out / "graph.nq").read_bytes()
    real = pipeline.build_serialized

    def dies_on_004(path, options=pipeline.BuildOptions()):
        if path.name.startswith("004"):
            os._exit(9)  # as the kernel's OOM killer would end it
        return real(path, options)

    monkeypatch.setattr(pipeline, "build_serialized", dies_on_004)  # the forked workers inherit it
    with pytest.raises(KgError) as e:
        pipeline.build([src], out, store=None, jobs=2)
    msg = str(e.value)
    assert msg.startswith("a worker process died while building ") and "\n" not in msg
    assert str(src / "004_43b08ec545039170.txt") in msg  # and perhaps 003, if it was still running
    assert msg.endswith("(out of memory? try --jobs 1, or build these files alone to find the one that kills it)")
    assert (out / "graph.nq").read_bytes() == before
