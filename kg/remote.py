"""A client of a remote SPARQL 1.1 store: the Query, Update and Graph Store HTTP protocols, with urllib.

Authentication comes from the environment, never from the command line (where it would land in
shell history and process lists): QPKG_TOKEN sends `Authorization: Bearer …`; QPKG_USER and
QPKG_PASSWORD answer Basic or Digest challenges (Virtuoso's graph CRUD endpoint uses Digest).

The endpoints' default graph must be the union of the named graphs for the named queries to see
the documents: Oxigraph `serve --union-default-graph` (or `…/query?union-default-graph`), Fuseki
`…/query?default-graph-uri=urn:x-arq:UnionGraph` (or tdb2:unionDefaultGraph), GraphDB and
Virtuoso by default. Query parameters already in the URL are kept on every request.
"""
from __future__ import annotations

import base64
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from rdflib import BNode, Literal, URIRef

from .errors import ServerError, UsageError
from .namespaces import sparql_prologue
from .store import Solutions
from .terms import XSD_STRING

SRJ = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
USER_AGENT = "qpkg (kg push / kg query --store sparql)"


def public_url(url: str) -> str:
    """The URL without user:password@ (for messages)."""
    parts = urllib.parse.urlsplit(url)
    if parts.username or parts.password:
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


def auth_from_env(env: dict[str, str] | None = None) -> tuple[str, str, str] | None:
    """('bearer', token, '') or ('basic', user, password) from QPKG_TOKEN / QPKG_USER + QPKG_PASSWORD."""
    env = dict(os.environ if env is None else env)
    token = env.get("QPKG_TOKEN", "")
    user, password = env.get("QPKG_USER", ""), env.get("QPKG_PASSWORD", "")
    if token:
        return ("bearer", token, "")
    if user or password:
        if not (user and password):
            raise UsageError("set both QPKG_USER and QPKG_PASSWORD for basic authentication (or QPKG_TOKEN for a bearer token)")
        return ("basic", user, password)
    return None


def with_param(url: str, **params: str) -> str:
    """Add query parameters to a URL that may already have some."""
    sep = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + sep + urllib.parse.urlencode(params)


class Http:
    """One place for requests: auth headers, timeouts and errors that say what to do."""

    def __init__(self, timeout: float = 120.0) -> None:
        self.timeout = timeout
        self.auth = auth_from_env()
        handlers: list[Any] = []
        if self.auth and self.auth[0] == "basic":
            mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            mgr.add_password(None, "http://", self.auth[1], self.auth[2])
            mgr.add_password(None, "https://", self.auth[1], self.auth[2])
            handlers.append(urllib.request.HTTPDigestAuthHandler(mgr))
        self.opener = urllib.request.build_opener(*handlers)
        # a store on this machine must not be sent through an HTTP proxy set in the environment
        self.direct = urllib.request.build_opener(urllib.request.ProxyHandler({}), *handlers)

    def request(self, method: str, url: str, body: bytes | None = None, content_type: str | None = None, accept: str | None = None) -> tuple[int, str, bytes]:
        headers = {"User-Agent": USER_AGENT}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        if self.auth and self.auth[0] == "bearer":
            headers["Authorization"] = f"Bearer {self.auth[1]}"
        elif self.auth:
            # preemptive Basic (Fuseki, GraphDB); a Digest challenge is answered by the handler
            cred = base64.b64encode(f"{self.auth[1]}:{self.auth[2]}".encode()).decode()
            headers["Authorization"] = f"Basic {cred}"
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        shown = public_url(url)
        try:
            opener = self.direct if _is_loopback(url) else self.opener
            with opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.headers.get("Content-Type", ""), resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace").strip().replace("\n", " ")
            hint = {
                401: "set QPKG_TOKEN, or QPKG_USER and QPKG_PASSWORD",
                403: "the credentials lack write or read permission on this endpoint",
                404: "check the endpoint URL (see README: Pushing to a triple store)",
                405: "this URL does not accept this method: is it the Graph Store endpoint (push) or the query endpoint (query)?",
                413: "the request is too large: lower --batch-size",
            }.get(exc.code, "see the server's log")
            raise ServerError(f"{method} {shown}: HTTP {exc.code} {exc.reason}{': ' + detail if detail else ''} ({hint})") from None
        except urllib.error.URLError as exc:
            raise ServerError(f"cannot reach {shown.split('?')[0]}: {exc.reason} (is the server running? check the URL)") from None
        except (TimeoutError, OSError) as exc:
            raise ServerError(f"cannot reach {shown.split('?')[0]}: {exc} (is the server running? check the URL)") from None


def _is_loopback(url: str) -> bool:
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def parse_srj(data: bytes) -> Solutions:
    """SPARQL 1.1 Query Results JSON -> Solutions of rdflib terms."""
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise ServerError(f"the endpoint did not answer with SPARQL JSON results: {exc}") from None
    if "boolean" in doc:
        return Solutions(vars=(), rows=(), boolean=bool(doc["boolean"]))
    names = tuple(doc.get("head", {}).get("vars", []))
    rows = []
    for b in doc.get("results", {}).get("bindings", []):
        rows.append(tuple(_term(b.get(v)) for v in names))
    return Solutions(vars=names, rows=tuple(rows))


def _term(t: dict | None):
    if t is None:
        return None
    kind, value = t.get("type"), t.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    lang = t.get("xml:lang")
    if lang:
        return Literal(value, lang=lang)
    dt = t.get("datatype")
    if dt and dt != XSD_STRING:
        return Literal(value, datatype=URIRef(dt))
    return Literal(value)


def derive_query_url(store_url: str) -> str:
    """The query endpoint that usually sits beside a Graph Store endpoint, or an error asking for it."""
    parts = urllib.parse.urlsplit(store_url)
    path = parts.path.rstrip("/")
    rules = [
        (r"/store$", "/query"),  # Oxigraph
        (r"/data$", "/query"),  # Fuseki
        (r"/rdf-graphs/service$", ""),  # GraphDB / RDF4J: the repository URL answers queries
        (r"/sparql-graph-crud(-auth)?$", "/sparql"),  # Virtuoso
    ]
    for pat, repl in rules:
        if re.search(pat, path):
            return urllib.parse.urlunsplit(parts._replace(path=re.sub(pat, repl, path), query=""))
    raise UsageError(f"cannot guess the query endpoint of {public_url(store_url)}: pass --query-url (e.g. http://host:3030/ds/query)")


class SparqlStore:
    """A remote SPARQL 1.1 store. `url` is the query endpoint; updates and the Graph Store protocol
    use `update_url` and `gsp_url` when given."""

    name = "sparql"

    def __init__(self, url: str, update_url: str | None = None, gsp_url: str | None = None, timeout: float = 120.0) -> None:
        if not re.match(r"https?://", url):
            raise UsageError(f"{url!r} is not an http(s) URL of a SPARQL query endpoint")
        self.url = url
        self.update_url = update_url
        self.gsp_url = gsp_url
        self.http = Http(timeout)

    # --- query / update ------------------------------------------------------------------------
    def select(self, sparql: str, bindings: dict[str, Any] | None = None, *, large: bool = False) -> Solutions:
        if bindings:
            from .querying import bind_values

            sparql = bind_values(sparql, bindings)
        body = urllib.parse.urlencode({"query": sparql_prologue() + sparql}).encode("utf-8")
        _, ctype, data = self.http.request("POST", self.url, body, "application/x-www-form-urlencoded", f"{SRJ}, {NTRIPLES};q=0.9")
        if ctype.startswith(("application/n-triples", "text/plain")):
            return _triples(data)
        return parse_srj(data)

    def update(self, sparql: str) -> None:
        if not self.update_url:
            raise UsageError("no SPARQL update endpoint given for this store")
        body = urllib.parse.urlencode({"update": sparql_prologue() + sparql}).encode("utf-8")
        self.http.request("POST", self.update_url, body, "application/x-www-form-urlencoded")

    # --- graph store protocol -------------------------------------------------------------------
    def _gsp(self, graph: str | None) -> str:
        if not self.gsp_url:
            raise UsageError("no Graph Store endpoint given for this store (kg push STORE_URL)")
        return with_param(self.gsp_url, graph=graph) if graph else with_param(self.gsp_url, default="")

    def put_graph(self, graph: str | None, ntriples: bytes) -> None:
        """Replace a graph (idempotent)."""
        self.http.request("PUT", self._gsp(graph), ntriples, NTRIPLES)

    def post_graph(self, graph: str | None, ntriples: bytes) -> None:
        """Add triples to a graph."""
        self.http.request("POST", self._gsp(graph), ntriples, NTRIPLES)

    def delete_graph(self, graph: str) -> None:
        try:
            self.http.request("DELETE", self._gsp(graph))
        except ServerError as exc:
            if "HTTP 404" not in str(exc):
                raise

    # --- the Store protocol ----------------------------------------------------------------------
    def replace_graph(self, graph: str, nquads: str | bytes) -> None:
        import pyoxigraph as ox

        data = nquads.encode("utf-8") if isinstance(nquads, str) else nquads
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)]
        self.put_graph(graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")

    def drop_graph(self, graph: str) -> None:
        self.delete_graph(graph)

    def graphs(self) -> list[str]:
        sol = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(str(r[0]) for r in sol.rows if isinstance(r[0], URIRef))

    def counts(self) -> dict[str, int]:
        """Triples per named graph, counted by the server."""
        sol = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {str(g): int(n) for g, n in sol.rows}

    def triples(self, graph: str | None) -> bytes:
        q = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }" if graph else "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
        sol = self.select(q, {"g": URIRef(graph)} if graph else None)
        lines = sorted(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in sol.rows)
        return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")

    def __len__(self) -> int:
        sol = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(sol.rows[0][0]) if sol.rows else 0


def _triples(data: bytes) -> Solutions:
    import pyoxigraph as ox

    from .terms import from_ox

    rows = tuple((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    return Solutions(vars=("subject", "predicate", "object"), rows=rows)
