"""Stage 1: raw bytes -> SourceDoc (decoded text, detected encoding, content hash)."""
from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from .errors import BinaryFileError, DecodeError, EmptyFileError, FileTooLargeError
from .model import SourceDoc
from .namespaces import doc_id

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Tried in order after BOM sniffing. GB18030 is a superset of GBK and GB2312.
_CANDIDATES = ("utf-8", "gb18030", "big5")


def _cjk_ratio(text: str) -> float:
    if not text:
        return 0.0
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
    return cjk / len(text)


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    ctrl = sum(1 for b in head if b < 9 or 13 < b < 32)
    return ctrl > len(head) * 0.05


def decode_bytes(data: bytes, path: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes; return (text, encoding name). Raises DecodeError with the fix."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise DecodeError(path, f"cannot decode as {encoding}: {exc}", "try another --encoding, e.g. gb18030, big5 or utf-16") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                raise DecodeError(path, f"has a {name} byte-order mark but does not decode as {name}", "re-save it as UTF-8 or pass --encoding") from None
    if _looks_binary(data):
        raise BinaryFileError(path, "looks like a binary file, not text", "convert it to UTF-8 text first")
    for name in _CANDIDATES:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        # a non-UTF-8 legacy decode that yields little Chinese is probably the wrong guess
        if name == "utf-8" or _cjk_ratio(text) > 0.2:
            return text, name
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - detector failure is reported below
        best = None
    if best is not None and best.encoding:
        return str(best), best.encoding
    raise DecodeError(path, "cannot detect the text encoding", "try --encoding gb18030 (or big5, utf-16)")


def read_document(path: str | Path, encoding: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceDoc:
    """Read and decode one file. Errors name the file and the fix."""
    p = Path(path)
    size = p.stat().st_size
    if size > max_bytes:
        raise FileTooLargeError(str(p), f"is {size} bytes, over the {max_bytes}-byte limit", "raise it with --max-bytes or split the file")
    data = p.read_bytes()
    if not data.strip():
        raise EmptyFileError(str(p), "is empty", "remove it from the input or add its text")
    text, enc = decode_bytes(data, str(p), encoding)
    if not text.strip():
        raise EmptyFileError(str(p), "has no text after decoding", "check the file's content")
    return SourceDoc(
        path=str(p),
        name=p.name,
        doc_id=doc_id(p.name),
        text=text,
        encoding=enc,
        sha256=hashlib.sha256(data).hexdigest(),
        size=size,
    )
