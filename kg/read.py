"""Stage 1: raw bytes -> SourceDoc (decoded text, detected encoding, content hash).

Decoding rules, in order (README "Reading messy sources"):

1. `--encoding NAME` wins; bytes that do not decode are an error that names the byte offset.
2. A byte-order mark decides: UTF-8, UTF-16 or UTF-32.
3. Known binary formats (PDF, ZIP/Office, images) and NUL-laden data are refused, except
   UTF-16 without a BOM, which is accepted only when it reads as plausible text.
4. Strict UTF-8 (ASCII included) is accepted as is.
5. Otherwise every legacy candidate (GB18030, which covers GBK and GB2312; Big5) is decoded
   and scored by `hanzi.plausibility`: the share of common hanzi (either script) minus a
   penalty for replacement and control characters. First success is not enough: Big5 bytes
   always "decode" as GBK, and most GB2312 bytes decode as Big5, into nonsense.
6. The best candidate must score at least MIN_SCORE, or the file is refused with the fix
   (`--encoding gb18030`).
"""
from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import BinaryFileError, DecodeError, EmptyFileError, FileTooLargeError, InputError
from .hanzi import plausibility
from .model import SourceDoc
from .namespaces import doc_id

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

#: below this plausibility score no automatic decoding is trusted
MIN_SCORE = 0.6
#: UTF-16 without a byte-order mark must read very well to be believed
MIN_SCORE_UTF16 = 0.9

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Legacy candidates; the Big5 family is tried narrowest first, the first that decodes strictly
# stands for the family (cp950 and big5hkscs add characters plain big5 lacks).
_GB = ("gb18030",)
_BIG5 = ("big5", "cp950", "big5hkscs")

_MAGIC = (
    (b"%PDF-", "is a PDF file, not text", "extract its text first, e.g. with pdftotext"),
    (b"PK\x03\x04", "is a ZIP archive (.docx, .xlsx, .zip), not text", "export it as UTF-8 text first"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "is a Microsoft Office binary file, not text", "export it as UTF-8 text first"),
    (b"\x89PNG", "is a PNG image, not text", "remove it from the input"),
    (b"\xff\xd8\xff", "is a JPEG image, not text", "remove it from the input"),
    (b"GIF8", "is a GIF image, not text", "remove it from the input"),
    (b"\x1f\x8b", "is gzip-compressed, not text", "decompress it first"),
)
_HOSTILE_NAME = re.compile(r"[<>\"'`&\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def display_path(path: str | Path) -> str:
    """A path for one-line messages: control characters (a newline in a file name) shown escaped."""
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in str(path))


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    ctrl = len(head.translate(None, _NOT_CONTROL))  # the control bytes are what is left
    return ctrl > len(head) * 0.05


# every byte but the controls that do not occur in text (below \t, and \x0e-\x1f)
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 9 or 13 < b < 32))


def _try(data: bytes, codec: str) -> tuple[str, int]:
    """Decode, strictly if possible; else with U+FFFD for bad bytes. Returns (text, bad byte runs)."""
    try:
        return data.decode(codec), 0
    except UnicodeDecodeError:
        text = data.decode(codec, errors="replace")
        return text, text.count("\ufffd")


def _sample(text: str, size: int = 60_000) -> str:
    """Head, middle and tail of a long text: scoring all of a 50 MB file would cost seconds."""
    if len(text) <= 3 * size:
        return text
    mid = len(text) // 2
    return text[:size] + text[mid - size // 2 : mid + size // 2] + text[-size:]


def _utf16_without_bom(data: bytes) -> Decoded | None:
    if len(data) % 2:
        return None
    best: tuple[float, str, str] | None = None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = plausibility(_sample(text)).score
        if score >= MIN_SCORE_UTF16 and (best is None or score > best[0]):
            best = (score, text, codec)
    return Decoded(best[1], best[2]) if best else None


def decode(data: bytes, path: str, encoding: str | None = None) -> Decoded:
    """Decode bytes by the rules above. Raises DecodeError / BinaryFileError naming the file and the fix."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DecodeError(
                path, f"unknown encoding {encoding!r}", "use a Python codec name such as gb18030, big5 or utf-16"
            ) from None
        try:
            return Decoded(data.decode(encoding), encoding)
        except UnicodeDecodeError as exc:
            raise DecodeError(
                path,
                f"cannot decode as {encoding} at byte {exc.start}",
                "try another --encoding, e.g. gb18030, big5 or utf-16, or omit it to detect",
            ) from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(name), name)
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    path,
                    f"has a {name} byte-order mark but does not decode as {name} at byte {exc.start}",
                    "re-save it as UTF-8 or pass --encoding",
                ) from None
    for magic, problem, fix in _MAGIC:
        if data.startswith(magic):
            raise BinaryFileError(path, problem, fix)
    if _looks_binary(data):
        utf16 = _utf16_without_bom(data) if b"\x00" in data[:8192] else None
        if utf16:
            return utf16
        raise BinaryFileError(path, "looks like a binary file, not text", "convert it to UTF-8 text first")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    scored: list[tuple[float, int, str, str, int]] = []  # (score, -rank, codec, text, bad)
    for rank, family in enumerate((("utf-8",), _GB, _BIG5)):
        best = None
        for codec in family:
            text, bad = _try(data, codec)
            if best is None or bad < best[1]:
                best = (text, bad, codec)
            if bad == 0:
                break
        text, bad, codec = best
        scored.append((plausibility(_sample(text)).score, -rank, codec, text, bad))
    scored.sort(reverse=True)
    score, _, codec, text, bad = scored[0]
    if score < MIN_SCORE:
        utf16 = _utf16_without_bom(data)
        if utf16:
            return utf16
        raise DecodeError(
            path,
            f"cannot be decoded sensibly (best guess {codec} reads as {max(score, 0.0):.0%} plausible text)",
            "try --encoding gb18030, or big5, utf-16",
        )
    warnings = (f"{bad} undecodable byte sequence(s) replaced by U+FFFD while decoding as {codec}",) if bad else ()
    return Decoded(text, codec, warnings)


def decode_bytes(data: bytes, path: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes; return (text, encoding name). Raises DecodeError with the fix."""
    d = decode(data, path, encoding)
    return d.text, d.encoding


def read_document(path: str | Path, encoding: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceDoc:
    """Read and decode one file. Errors name the file and the fix."""
    p = Path(path)
    shown = display_path(p)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise FileTooLargeError(
                shown, f"is {size} bytes, over the {max_bytes}-byte limit", "raise it with --max-bytes or split the file"
            )
        data = p.read_bytes()
    except OSError as exc:
        problem = f"cannot be read ({exc.strerror or exc})"
        raise InputError(shown, problem, "check that it exists and is readable") from None
    if not data.strip():
        raise EmptyFileError(shown, "is empty", "remove it from the input or add its text")
    d = decode(data, shown, encoding)
    if not d.text.strip(" \t\r\n\ufeff\x00"):
        raise EmptyFileError(shown, "has no text after decoding", "check the file's content")
    warnings = list(d.warnings)
    if _HOSTILE_NAME.search(p.name):
        warnings.append(
            "file name contains markup or control characters; it is kept as plain text and never interpreted"
        )
    return SourceDoc(
        path=str(p),
        name=p.name,
        doc_id=doc_id(p.name),
        text=d.text,
        encoding=d.encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        size=size,
        warnings=tuple(warnings),
    )
