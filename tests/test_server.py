"""The SPARQL protocol client, `kg push` into a real Oxigraph server, and `kg serve`.

Tests marked `server` start the `oxigraph` server installed with the project on a free loopback port.
"""
from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli
from kg.errors import ServerError, UsageError
from kg.push import push
from kg.remote import SparqlStore, derive_query_url
from kg.server import Server, check_port, free_port
from kg.store import default_store

SRJ = {"head": {"vars": ["s", "n", "l"]}, "results": {"bindings": [
    {"s": {"type": "uri", "value": "http://example.org/a"}, "n": {"type": "literal", "value": "3", "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
     "l": {"type": "literal", "value": "湖州市", "xml:lang": "zh"}}]}}


class _Fake(BaseHTTPRequestHandler):
    """Answers every POST with SRJ (or 401 when told), remembering the requests."""

    seen: list[dict] = []
    status = 200

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _Fake.seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body.decode()})
        if _Fake.status != 200:
            self.send_response(_Fake.status)
            self.send_header("WWW-Authenticate", 'Basic realm="x"')
            self.end_headers()
            self.wfile.write(b"go away")
            return
        data = json.dumps(SRJ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture()
def fake():
    _Fake.seen, _Fake.status = [], 200
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Fake)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_client_parses_results_and_keeps_url_parameters(fake, monkeypatch):
    for k in ("QPKG_TOKEN", "QPKG_USER", "QPKG_PASSWORD"):
        monkeypatch.delenv(k, raising=False)
    s = SparqlStore(fake + "/query?union-default-graph")
    sol = s.select("SELECT * WHERE { ?s ?p ?o }")
    assert sol.vars == ("s", "n", "l")
    assert [(str(a), int(b), str(c), c.language) for a, b, c in sol.rows] == [("http://example.org/a", 3, "湖州市", "zh")]
    req = _Fake.seen[0]
    assert req["path"] == "/query?union-default-graph" and req["auth"] is None
    assert "PREFIX+qp%3A+%3Chttps%3A%2F%2Fw3id.org%2Fqpkg%2Fontology%23%3E" in req["body"]


def test_client_auth_comes_from_the_environment(fake, monkeypatch):
    monkeypatch.setenv("QPKG_TOKEN", "s3cret")
    SparqlStore(fake + "/query").select("ASK {}")
    assert _Fake.seen[-1]["auth"] == "Bearer s3cret"
    monkeypatch.delenv("QPKG_TOKEN")
    monkeypatch.setenv("QPKG_USER", "ann")
    monkeypatch.setenv("QPKG_PASSWORD", "pw")
    SparqlStore(fake + "/query").select("ASK {}")
    assert _Fake.seen[-1]["auth"] == "Basic " + base64.b64encode(b"ann:pw").decode()
    monkeypatch.delenv("QPKG_PASSWORD")
    with pytest.raises(UsageError) as e:
        SparqlStore(fake + "/query")
    assert str(e.value) == "set both QPKG_USER and QPKG_PASSWORD for basic authentication (or QPKG_TOKEN for a bearer token)"


def test_client_errors_say_what_to_do(fake, monkeypatch):
    monkeypatch.delenv("QPKG_TOKEN", raising=False)
    _Fake.status = 401
    with pytest.raises(ServerError) as e:
        SparqlStore(fake + "/query").select("ASK {}")
    assert str(e.value) == f"POST {fake}/query: HTTP 401 Unauthorized: go away (set QPKG_TOKEN, or QPKG_USER and QPKG_PASSWORD)"
    port = free_port()
    with pytest.raises(ServerError) as e:
        SparqlStore(f"http://127.0.0.1:{port}/query").select("ASK {}")
    assert str(e.value) == f"cannot reach http://127.0.0.1:{port}/query: [Errno 111] Connection refused (is the server running? check the URL)"


@pytest.mark.parametrize("store_url,query_url", [
    ("http://localhost:7878/store", "http://localhost:7878/query"),
    ("http://h:3030/ds/data", "http://h:3030/ds/query"),
    ("http://h:7200/repositories/qpkg/rdf-graphs/service", "http://h:7200/repositories/qpkg"),
    ("http://h:8890/sparql-graph-crud-auth", "http://h:8890/sparql"),
])
def test_query_url_is_derived_for_known_engines(store_url, query_url):
    assert derive_query_url(store_url) == query_url


def test_taken_port_is_one_clear_line():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(ServerError) as e:
            check_port("127.0.0.1", port)
        assert str(e.value) == f"port {port} on 127.0.0.1 is already in use (stop the other server or pick another with --port)"
        res = CliRunner().invoke(cli, ["serve", "--port", str(port)], catch_exceptions=False)
        assert res.exit_code == 2
        assert res.output == f"Error: port {port} on 127.0.0.1 is already in use (stop the other server or pick another with --port)\n"


# --- against a real oxigraph server -------------------------------------------------------------
@pytest.mark.server
def test_push_to_a_real_server_and_query_it(built, tmp_path):
    local = default_store(built)
    with Server(tmp_path / "remote", port=free_port(), writable=True) as srv:
        first = push(local, srv.store_url, batch_size=5000)
        second = push(local, srv.store_url, batch_size=5000)  # PUT replaces: idempotent
        assert first.graphs == second.graphs == len(local.graphs()) == 7
        assert first.triples == second.triples == first.remote_triples == second.remote_triples == len(local)
        assert first.requests > first.graphs  # the vocabulary graph went in several batches
        remote = kg.Graph(SparqlStore(srv.query_url))
        assert len(remote) == len(local)
        embedded = kg.Graph(local)
        for name, params in [("documents", {}), ("shared-concepts", {}), ("concept-evidence", {"concept": "浙食链"}),
                             ("cities-without", {"concept": "浙食链"}), ("city-targets", {"city": "湖州市"}),
                             ("counts-by-class", {})]:
            assert remote.query(name, **params).to_json() == embedded.query(name, **params).to_json(), name
        res = CliRunner().invoke(cli, ["push", srv.store_url, "--build-dir", str(built)], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        assert re.fullmatch(rf"pushed 7 graphs, {len(local)} triples in 7 requests \([0-9.]+ s\); "
                            rf"the store reports {len(local)} triples in them\n", res.output)
        # --prune deletes document graphs the build no longer has
        stale = "https://w3id.org/qpkg/id/graph/gone"
        SparqlStore(srv.query_url, gsp_url=srv.store_url).put_graph(stale, b"<http://a> <http://b> <http://c> .\n")
        assert push(local, srv.store_url, prune=True).pruned == (stale,)
        assert stale not in SparqlStore(srv.query_url).graphs()
        proc = srv.process
    assert proc.poll() is not None
    check_port("127.0.0.1", srv.port)  # released


@pytest.mark.server
def test_kg_serve_answers_and_stops_on_ctrl_c(built, tmp_path):
    port = free_port()
    env = dict(os.environ, TMPDIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--build-dir", str(built), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    try:
        url = f"http://127.0.0.1:{port}/query?query=" + urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline, answer = time.monotonic() + 30, None
        while time.monotonic() < deadline and answer is None:
            try:
                req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
                with opener.open(req, timeout=1) as r:
                    answer = json.load(r)
            except OSError:
                time.sleep(0.2)
        assert answer is not None, "kg serve did not answer"
        n = int(answer["results"]["bindings"][0]["n"]["value"])
        assert n == len(default_store(built))  # the default graph is the union of the named graphs
        with pytest.raises(urllib.error.HTTPError):  # read-only
            opener.open(urllib.request.Request(f"http://127.0.0.1:{port}/update", data=b"update=CLEAR+ALL", method="POST"), timeout=5)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert out.splitlines() == [
        f"Serving {built / 'graph.nq'} (loaded into a temporary store) read-only at http://127.0.0.1:{port}/ (YASGUI)",
        f"SPARQL query endpoint: http://127.0.0.1:{port}/query",
        "Press Ctrl-C to stop.",
        "Stopped.",
    ]
    assert list(tmp_path.iterdir()) == []  # the temporary store is gone
    check_port("127.0.0.1", port)
