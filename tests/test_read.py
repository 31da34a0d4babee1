"""Decoding: every seed, its re-encodings, the GBK/Big5 confusion, refusals with the fix; exact provenance."""
from __future__ import annotations

import json

import opencc
import pytest

from kg.errors import BinaryFileError, DecodeError, EmptyFileError, FileTooLargeError
from kg.hanzi import plausibility
from kg.read import decode, read_document

from .conftest import RAW

SEEDS = sorted(p.name for p in RAW.glob("*.txt"))


@pytest.mark.parametrize("name", SEEDS)
def test_each_seed_decodes_as_utf8(name):
    doc = read_document(RAW / name)
    assert doc.encoding == "utf-8"
    assert doc.text == (RAW / name).read_text(encoding="utf-8")
    assert doc.warnings == ()
    assert plausibility(doc.text).score > 0.95


@pytest.mark.parametrize("name", SEEDS)
@pytest.mark.parametrize(
    "codec,expected",
    [("gb18030", "gb18030"), ("utf-16", "utf-16"), ("utf-8-sig", "utf-8-sig"), ("utf-16-le", "utf-16-le")],
)
def test_reencoded_seed_decodes_to_the_same_text(name, codec, expected):
    text = (RAW / name).read_text(encoding="utf-8")
    d = decode(text.encode(codec), name)
    assert (d.text, d.encoding) == (text, expected)


@pytest.mark.parametrize("name", ["000_3dc1af908529f85b.txt", "003_b8d4b0b9a0480c56.txt"])
def test_plain_gbk_decodes_as_gb18030(name):
    """GB18030 is a superset of GBK: a GBK file (traditional text included) reads back unchanged."""
    text = (RAW / name).read_text(encoding="utf-8")
    d = decode(text.encode("gbk"), name)
    assert (d.text, d.encoding) == (text, "gb18030")


@pytest.mark.parametrize("name", ["001_bcf92bb41f96abcb.txt", "003_b8d4b0b9a0480c56.txt", "004_43b08ec545039170.txt"])
def test_big5_is_not_taken_for_gbk(name):
    """Big5 bytes always 'decode' as GB18030; the plausibility score must still pick Big5."""
    traditional = opencc.OpenCC("s2t").convert((RAW / name).read_text(encoding="utf-8"))
    data = traditional.encode("big5", errors="replace")
    d = decode(data, name)
    assert d.encoding == "big5"
    assert d.text == data.decode("big5")
    assert plausibility(data.decode("gb18030")).score < 0.6


def test_gbk_is_not_taken_for_big5():
    text = (RAW / "003_b8d4b0b9a0480c56.txt").read_text(encoding="utf-8")
    data = text.encode("gb2312", errors="replace")  # GB2312 bytes are also valid Big5 cells
    assert decode(data, "x").encoding == "gb18030"


def test_a_few_bad_bytes_are_replaced_with_a_warning():
    text = (RAW / "004_43b08ec545039170.txt").read_text(encoding="utf-8")
    data = text.encode("utf-8")[:-1]  # cut inside the last character
    d = decode(data, "cut.txt")
    assert d.encoding == "utf-8"
    assert d.text == text[:-1] + "\ufffd"
    assert d.warnings == ("1 undecodable byte sequence(s) replaced by U+FFFD while decoding as utf-8",)


def test_forced_encoding_wins_and_fails_with_the_fix():
    text = (RAW / "003_b8d4b0b9a0480c56.txt").read_text(encoding="utf-8")
    data = text.encode("gb18030")
    assert decode(data, "x", "gb18030").text == text
    with pytest.raises(DecodeError) as exc:
        decode(data, "in/x.txt", "utf-8")
    assert str(exc.value) == (
        "in/x.txt: cannot decode as utf-8 at byte 0 (try another --encoding, e.g. gb18030, big5 or utf-16, or omit it to detect)"
    )
    with pytest.raises(DecodeError) as exc:
        decode(data, "x.txt", "klingon")
    assert str(exc.value) == "x.txt: unknown encoding 'klingon' (use a Python codec name such as gb18030, big5 or utf-16)"


def test_nonsense_bytes_are_refused_with_the_fix():
    data = "Ça coûte très cher, déjà réglé à Noël.".encode("latin-1") * 20
    with pytest.raises(DecodeError) as exc:
        decode(data, "fr.txt")
    msg = str(exc.value)
    assert msg.startswith("fr.txt: cannot be decoded sensibly (best guess ")
    assert msg.endswith(" (try --encoding gb18030, or big5, utf-16)")


@pytest.mark.parametrize(
    "data,message",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "b.txt: is a PDF file, not text (extract its text first, e.g. with pdftotext)"),
        (b"PK\x03\x04\x14\x00\x06\x00", "b.txt: is a ZIP archive (.docx, .xlsx, .zip), not text (export it as UTF-8 text first)"),
        (bytes(range(256)) * 4, "b.txt: looks like a binary file, not text (convert it to UTF-8 text first)"),
    ],
)
def test_binary_is_refused(data, message):
    with pytest.raises(BinaryFileError) as exc:
        decode(data, "b.txt")
    assert str(exc.value) == message


def test_read_document_limits(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b" \n\t")
    with pytest.raises(EmptyFileError) as exc:
        read_document(tmp_path / "empty.txt")
    assert str(exc.value) == f"{tmp_path / 'empty.txt'}: is empty (remove it from the input or add its text)"
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf\n")
    with pytest.raises(EmptyFileError) as exc:
        read_document(tmp_path / "bom.txt")
    assert str(exc.value) == f"{tmp_path / 'bom.txt'}: has no text after decoding (check the file's content)"
    (tmp_path / "big.txt").write_bytes("质量".encode("utf-8") * 100)
    with pytest.raises(FileTooLargeError) as exc:
        read_document(tmp_path / "big.txt", max_bytes=599)
    assert str(exc.value) == f"{tmp_path / 'big.txt'}: is 600 bytes, over the 599-byte limit (raise it with --max-bytes or split the file)"
    assert read_document(tmp_path / "big.txt", max_bytes=600).text == "质量" * 100


def test_hostile_file_name_is_a_warning(tmp_path):
    p = tmp_path / "<img src=x onerror=alert(1)>.txt"
    p.write_text("湖州市质量发展规划", encoding="utf-8")
    doc = read_document(p)
    assert doc.warnings == ("file name contains markup or control characters; it is kept as plain text and never interpreted",)
    assert doc.doc_id == "img-src-x-onerror-alert-1-1a57adf5"  # slug + hash of the unsafe name


# --- provenance round trip on the built corpus -------------------------------------------------------
def test_every_mention_quote_is_the_source_slice(built, sources):
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(built / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    rows = store.query(
        """PREFIX qp: <https://w3id.org/qpkg/ontology#>
        SELECT ?file ?s ?e ?q WHERE { GRAPH ?g { ?m a qp:Mention ; qp:inDocument ?d ; qp:start ?s ; qp:end ?e ; qp:quote ?q }
                                      GRAPH ?h { ?d qp:sourceFile ?file } }"""
    )
    n = 0
    for r in rows:
        text = sources[r["file"].value]
        assert text[int(r["s"].value) : int(r["e"].value)] == r["q"].value
        n += 1
    assert n > 500
    report = json.loads((built / "report.json").read_text(encoding="utf-8"))
    assert report["refused_mentions"] == 0
    assert [d["refused_mentions"] for d in report["documents"]] == [0] * len(SEEDS)


def test_report_lists_reading_repairs(built, sources):
    report = {d["file"]: d for d in json.loads((built / "report.json").read_text(encoding="utf-8"))["documents"]}
    kinds = {name: sorted({r["kind"] for r in d["repairs"]}) for name, d in report.items()}
    assert kinds == {
        "000_3dc1af908529f85b.txt": ["mojibake"],
        "001_bcf92bb41f96abcb.txt": [],
        "002_4b58b0da6dcbff1b.txt": ["furniture", "spam-token"],
        "003_b8d4b0b9a0480c56.txt": [],
        "004_43b08ec545039170.txt": ["furniture"],
    }
    for name, d in report.items():
        for r in d["repairs"]:
            assert sources[name][r["start"] : r["end"]] == r["before"]
    (moji,) = report["000_3dc1af908529f85b.txt"]["repairs"]
    assert (moji["before"], moji["after"]) == ("?!吧嗉馍稀钡陌踩?", "\ufffd“舌尖上”的安\ufffd")
    assert report["000_3dc1af908529f85b.txt"]["warnings"] == ["1 mojibake span(s) excluded from extraction (see repairs in report.json)"]


def test_plausibility_counts_as_a_look_at_each_character():
    """plausibility sorts characters into classes by regex; a plain loop must agree."""
    import random
    from collections import Counter

    from kg.hanzi import Plausibility, common_chars, is_han

    def by_hand(text: str) -> Plausibility:
        chars = han = good = bad = 0
        for c, n in Counter(text).items():
            if c.isspace():
                continue
            chars += n
            o = ord(c)
            if is_han(c):
                han += n
                good += n if c in common_chars() else 0
            elif c == "\ufffd" or (o < 32 and c not in "\t\n\r\f") or 0x7F <= o < 0xA0 or 0xE000 <= o <= 0xF8FF:
                bad += n
        return Plausibility(chars=chars, han=han, common=good, bad=bad)

    rng = random.Random(0)
    pool = [*"质量發展鬱齉\n \t\f\r\x0b\x1c\x85\xa0\u3000\ufffd\x01\x7f\ue000a1,", "\U00020000"]
    for _ in range(200):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 60)))
        assert plausibility(text) == by_hand(text)
