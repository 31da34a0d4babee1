"""Write files atomically: a temporary file in the same folder, flushed to disk, then renamed.

A single write is atomic on its own. Inside `with batch():` every write goes to its temporary
file first and all of them are renamed together when the block ends without error, so a
build killed midway leaves the previous graph.*, report.json and views as they were (an
exception deletes the temporaries instead). Temporaries are named `.<name>.<pid>.<random>.tmp`;
`clean_stale` removes those left by a killed process.
"""
from __future__ import annotations

import contextvars
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

_PENDING: contextvars.ContextVar[list[tuple[str, Path]] | None] = contextvars.ContextVar(
    "kg_atomic_pending", default=None
)
_TMP_NAME = re.compile(r"^\..+\.(\d+)\.[A-Za-z0-9_]+\.tmp$")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_temp(p: Path, chunks: Iterable[bytes]) -> str:
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.{os.getpid()}.", suffix=".tmp", dir=p.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            for data in chunks:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _unlink(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def write_bytes(path: str | Path, data: bytes) -> None:
    """Replace path with data atomically (deferred to the end of an enclosing `batch`)."""
    write_chunks(path, (data,))


def write_chunks(path: str | Path, chunks: Iterable[bytes]) -> None:
    """Replace path with the concatenated chunks atomically, without joining them in memory first."""
    p = Path(path)
    tmp = _write_temp(p, chunks)
    pending = _PENDING.get()
    if pending is not None:
        pending.append((tmp, p))
        return
    try:
        os.replace(tmp, p)
    except BaseException:
        _unlink(tmp)
        raise


def write_text(path: str | Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_cache(path: str | Path, chunks: Iterable[bytes]) -> bool:
    """Write a cache entry like write_chunks, after clearing stale temporaries from its folder. A
    cache that cannot be written (a read-only home or build folder) only costs time: False then,
    never an error."""
    try:
        clean_stale(Path(path).parent)
        write_chunks(path, chunks)
    except OSError:
        return False
    return True


@contextmanager
def batch() -> Iterator[None]:
    """Defer the renames of every write in the block to its successful end (nested blocks join the outer one)."""
    if _PENDING.get() is not None:
        yield
        return
    pending: list[tuple[str, Path]] = []
    token = _PENDING.set(pending)
    try:
        yield
    except BaseException:
        for tmp, _ in pending:
            _unlink(tmp)
        raise
    finally:
        _PENDING.reset(token)
    dirs = set()
    for tmp, final in pending:
        os.replace(tmp, final)
        dirs.add(final.parent)
    for d in sorted(dirs):
        _fsync_dir(d)


def _fsync_dir(d: Path) -> None:
    """Make the renames themselves durable (best effort: not every platform can open a folder)."""
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def clean_stale(folder: str | Path) -> list[Path]:
    """Remove temporaries that a killed process left in folder (their pid no longer runs)."""
    out = []
    d = Path(folder)
    if not d.is_dir():
        return out
    for f in sorted(d.iterdir()):
        m = _TMP_NAME.match(f.name)
        if not m or not f.is_file():
            continue
        pid = int(m.group(1))
        if pid == os.getpid() or _alive(pid):
            continue
        try:
            f.unlink()
            out.append(f)
        except OSError:
            continue
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
