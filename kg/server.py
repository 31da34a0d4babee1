"""`kg serve`: a real SPARQL endpoint (with YASGUI at /) over a built graph, run by the `oxigraph`
server that pip installs with the project (package `oxigraph`).

The server needs an on-disk store. Read-only, it serves a snapshot of the build's Oxigraph folder
(a RocksDB checkpoint made of hard links, so it is instant and a later `kg build` cannot disturb
it), or a temporary store loaded from a graph file. Writable (`--writable`), it serves the folder
given with --db itself, or else a temporary copy whose writes are discarded on exit.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import ServerError, UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878


def oxigraph_binary() -> str:
    """The `oxigraph` executable of this environment (beside the Python running us), else on PATH."""
    here = Path(sys.executable).parent / "oxigraph"
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    found = shutil.which("oxigraph")
    if not found:
        raise ServerError("the oxigraph server is not installed (pip install -e . installs it; or pip install oxigraph)")
    return found


def check_port(host: str, port: int) -> None:
    """Fail with one line when the port cannot be bound (checked before launching the server)."""
    if not 0 < port < 65536:
        raise UsageError(f"--port {port}: choose a port between 1 and 65535")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself does
        try:
            s.bind((host, port))
        except PermissionError:
            raise ServerError(f"port {port} on {host} needs privileges (pick one above 1023 with --port)") from None
        except OSError as exc:
            if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                raise ServerError(f"port {port} on {host} is already in use (stop the other server or pick another with --port)") from None
            raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror} (check --host)") from None


def free_port(host: str = DEFAULT_HOST) -> int:
    """A port the system considers free right now (for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running `oxigraph serve` child process; use as a context manager or call stop()."""

    location: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    writable: bool = False
    cleanup: list[Path] = field(default_factory=list)  # temporary folders removed on stop
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    @property
    def update_url(self) -> str:
        return self.url + "/update"

    @property
    def store_url(self) -> str:
        return self.url + "/store"

    def command(self) -> list[str]:
        mode = "serve" if self.writable else "serve-read-only"
        return [oxigraph_binary(), mode, "--location", str(self.location), "--bind", f"{self.host}:{self.port}", "--union-default-graph"]

    def start(self, timeout: float = 30.0) -> "Server":
        check_port(self.host, self.port)
        self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        probe = self.query_url + "?query=ASK%7B%7D"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = (self.process.stderr.read() if self.process.stderr else b"").decode("utf-8", "replace").strip().splitlines()
                self._remove_temp()
                raise ServerError(f"the oxigraph server stopped at start: {err[-1] if err else 'no message'} (location {self.location})")
            try:
                with opener.open(probe, timeout=1) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise ServerError(f"the oxigraph server did not answer on {self.url} within {timeout:.0f} s")

    def wait(self) -> int:
        """Block until the server process exits; returns its exit code."""
        assert self.process is not None
        return self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stderr:
            self.process.stderr.close()
        self._remove_temp()

    def _remove_temp(self) -> None:
        for p in self.cleanup:
            shutil.rmtree(p, ignore_errors=True)
        self.cleanup = []

    def __enter__(self) -> "Server":
        if self.process is None:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def prepare(build_dir: str | Path = "build", graph_file: str | Path | None = None, db: str | Path | None = None,
            writable: bool = False) -> tuple[Path, list[Path], str]:
    """Choose or make the on-disk store to serve: (location, temporary folders, description)."""
    from .store import OxigraphStore, db_in_sync, load_file

    if db is not None:
        db = Path(db)
        if not db.is_dir():
            raise UsageError(f"{db}: no Oxigraph store there (run `kg build --store oxigraph --db {db}` first)")
        if writable:
            return db, [], f"{db} (writable)"
        return (*_snapshot(db), f"a snapshot of {db}")
    if graph_file is None:
        out = Path(build_dir)
        if (out / "db").is_dir() and db_in_sync(out / "db", out / "graph.nq"):
            loc, tmp = _snapshot(out / "db")
            return loc, tmp, f"a snapshot of {out / 'db'}" + (" (writes are discarded on exit)" if writable else "")
        graph_file = out / "graph.nq"
        if not graph_file.is_file():
            raise UsageError(f"{out}: no build there (run `make run` or `kg build` first, or pass --graph FILE or --db DIR)")
    tmp = Path(tempfile.mkdtemp(prefix="qpkg-serve-"))
    try:
        store = OxigraphStore(tmp / "db")
        load_file(store, Path(graph_file))
        store.flush()
        del store  # release the lock before the server opens the folder
    except Exception:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp / "db", [tmp], f"{graph_file} (loaded into a temporary store{', writes are discarded on exit' if writable else ''})"


def _snapshot(db: Path) -> tuple[Path, list[Path]]:
    from .store import OxigraphStore

    # beside the store, so the checkpoint can hard-link its files instead of copying them
    tmp = Path(tempfile.mkdtemp(prefix=".serve-", dir=db.parent))
    try:
        OxigraphStore(db, read_only=True).backup(tmp / "db")
    except Exception:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp / "db", [tmp]


class _Stop(Exception):
    """A SIGINT or SIGTERM arrived."""


def serve(build_dir: str | Path = "build", graph_file: str | Path | None = None, db: str | Path | None = None,
          host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, writable: bool = False,
          echo: Callable[[str], None] = print) -> int:
    """Serve until interrupted; returns the exit code (0 on Ctrl-C or SIGTERM).

    The signal handlers are in place before anything is prepared, so a Ctrl-C at any moment
    stops the child server (SIGTERM, then wait) and removes the temporary store.
    """
    check_port(host, port)  # before any work: a taken port fails fast

    def on_signal(signum, _frame):
        raise _Stop(signum)

    old = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    server: Server | None = None
    try:
        location, tmp, what = prepare(build_dir, graph_file, db, writable)
        server = Server(location, host, port, writable, cleanup=tmp)
        server.start()
        echo(f"Serving {what} {'read-write' if writable else 'read-only'} at {server.url}/ (YASGUI)")
        echo(f"SPARQL query endpoint: {server.query_url}" + (f"   update: {server.update_url}   graph store: {server.store_url}" if writable else ""))
        echo("Press Ctrl-C to stop.")
        code = server.wait()
        echo(f"The oxigraph server exited with code {code}.")
        return 1 if code else 0
    except _Stop:
        echo("Stopped.")
        return 0
    finally:
        # ignore further signals while the child is stopped and the temporary store removed
        for sig in old:
            signal.signal(sig, signal.SIG_IGN)
        if server is not None:
            server.stop()
        for sig, h in old.items():
            signal.signal(sig, h)
