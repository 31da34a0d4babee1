"""The `kg` command line. Thin: parse options, call one library function, map errors to exit codes."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__

FORMATS = ("table", "csv", "json", "srj")


class KgGroup(click.Group):
    def list_commands(self, ctx):
        return list(self.commands)  # keep definition order in --help


def fail(exc: Exception, code: int | None = None) -> None:
    """Print a one-line error and exit with the error's code."""
    click.echo(f"Error: {exc}", err=True)
    sys.exit(code if code is not None else getattr(exc, "exit_code", 1))


def graph_options(f):
    """--graph / --store / --db: what every reading command reads (default: the last build)."""
    f = click.option("--db", type=click.Path(), help="Store location: an Oxigraph folder, or an endpoint URL for --store sparql.")(f)
    f = click.option("--store", type=click.Choice(["oxigraph", "memory", "sparql"]), default="oxigraph", show_default=True, help="Store backend.")(f)
    f = click.option("--graph", "graph_file", type=click.Path(), help="A graph file (.trig, .nq, .ttl, .nt, .jsonld or RDF/XML) instead of the last build.")(f)
    f = click.option("--build-dir", type=click.Path(), default="build", show_default=True, help="Folder of the last build.")(f)
    return f


def open_graph(build_dir: str, graph_file: str | None, store: str, db: str | None):
    from .store import default_store, open_store

    if graph_file:
        return open_store(store if store != "sparql" else "oxigraph", graph_file=graph_file)
    if db or store == "sparql":
        return open_store(store, db=db)
    if store == "memory":
        return open_store("memory", graph_file=Path(build_dir) / "graph.nq")
    return default_store(build_dir)


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def cli() -> None:
    """qpkg: a knowledge graph of Chinese municipal quality-development plans.

    Build the graph from source documents, query it with named or raw SPARQL,
    validate it, and render interactive views.
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--out", type=click.Path(), default="build", show_default=True, help="Output folder.")
@click.option("--store", type=click.Choice(["oxigraph", "memory", "none"]), default="oxigraph", show_default=True, help="Store to fill after the build.")
@click.option("--db", type=click.Path(), help="Oxigraph store folder (default: OUT/db).")
@click.option("--encoding", help="Force the source encoding (e.g. gb18030, big5, utf-16) instead of detecting it.")
@click.option("--max-bytes", type=int, default=50 * 1024 * 1024, show_default=True, help="Refuse files larger than this.")
@click.option("--jobs", "-j", type=int, default=1, show_default=True, help="Documents built in parallel.")
@click.option("--profile", is_flag=True, help="Record time per stage in report.json and print it.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary table.")
def build(paths, out, store, db, encoding, max_bytes, jobs, profile, quiet):
    """Build the graph from source files or folders (default: data/raw).

    Writes OUT/graph.trig (one named graph per document), OUT/graph.ttl (merged),
    OUT/graph.nq and OUT/report.json. Exit 0 when every file built, 1 when some
    failed (the others are still written), 2 on a usage error.
    """
    from .errors import KgError
    from .pipeline import BuildOptions, build as run_build, collect_inputs
    from .read import display_path

    paths = paths or ("data/raw",)
    options = BuildOptions(encoding=encoding, max_bytes=max_bytes, profile=profile)
    try:
        bar = None
        if not quiet:
            from tqdm import tqdm

            bar = tqdm(total=len(collect_inputs(paths)), unit="doc", desc="building", file=sys.stderr, leave=False)
        summary = run_build(paths, out, options, store=store, db=db, jobs=jobs, progress=(bar.update and (lambda _n: bar.update(1))) if bar else None)
        if bar:
            bar.close()
    except KgError as exc:
        fail(exc)
    for d in summary.documents:
        if not d.ok:
            click.echo(f"Error: {d.error}", err=True)
        for w in d.warnings:
            click.echo(f"Warning: {display_path(d.file)}: {w}", err=True)
    if not quiet:
        click.echo(summary_table(summary, profile))
    sys.exit(1 if summary.failed else 0)


def summary_table(summary, profile: bool = False) -> str:
    from .querying import _w

    cols = ["file", "status", "encoding", "kind", "area", "Target", "Program", "Mention", "Organization"]
    rows = []
    for d in summary.documents:
        c = dict(d.counts)
        status = "FAILED" if not d.ok else "skipped" if getattr(d, "skipped", False) else "ok"
        rows.append([d.file, status, d.encoding or "-", d.kind or "-", d.jurisdiction or "-",
                     str(c.get("qp:Target", 0)), str(c.get("qp:Program", 0)), str(c.get("qp:Mention", 0)), str(c.get("org:Organization", 0))])
    widths = [max(_w(cols[i]), *(_w(r[i]) for r in rows)) for i in range(len(cols))]
    line = lambda r: "  ".join(v + " " * (widths[i] - _w(v)) for i, v in enumerate(r))
    out = [line(cols), "  ".join("-" * w for w in widths), *map(line, rows)]
    out.append(f"{len(summary.documents) - len(summary.failed)} built, {len(summary.failed)} failed, "
               f"{summary.triples} quads in {summary.seconds:.2f} s -> {summary.out_dir}/graph.trig")
    if profile:
        stages: dict[str, float] = {}
        for d in summary.documents:
            for k, v in d.timings:
                stages[k] = stages.get(k, 0.0) + v
        out.append("time per stage: " + ", ".join(f"{k} {v:.3f} s" for k, v in sorted(stages.items())))
        whole = getattr(summary, "timings", {})
        if whole:
            out.append("whole build: " + ", ".join(f"{k} {v:.3f} s" for k, v in sorted(whole.items())))
    return "\n".join(out)


def emit_result(result, fmt: str) -> None:
    out = {"table": result.to_table, "csv": result.to_csv, "json": result.to_json, "srj": result.to_srj}[fmt]()
    click.echo(out.rstrip("\n"))


def parse_params(params: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for p in params:
        key, sep, val = p.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{p!r} is not key=value", param_hint="--param")
        out[key.strip()] = val
    return out


@cli.command()
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help="A query parameter (a label, IRI, CURIE or number).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--list", "list_", is_flag=True, help="List the named queries with their headers.")
@graph_options
def query(name, params, fmt, list_, build_dir, graph_file, store, db):
    """Run the named query NAME (see --list)."""
    from .errors import KgError
    from .querying import is_internal, named_queries, run_named

    if list_ or not name:
        for q in named_queries().values():
            if not is_internal(q.name):
                click.echo(q.header + "\n")
        return
    try:
        emit_result(run_named(open_graph(build_dir, graph_file, store, db), name, parse_params(params)), fmt)
    except KgError as exc:
        fail(exc)


@cli.command()
@click.argument("query_or_file")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@graph_options
def sparql(query_or_file, fmt, build_dir, graph_file, store, db):
    """Run a raw SPARQL query, given as text or as a .rq file (prefixes of the graph are predeclared)."""
    from .errors import KgError
    from .querying import run_sparql

    text = query_or_file
    if len(text) < 512 and "\n" not in text and Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8")
    try:
        emit_result(run_sparql(open_graph(build_dir, graph_file, store, db), text, large=True), fmt)
    except KgError as exc:
        fail(exc)


@cli.command()
@click.argument("view")
@click.argument("node", required=False)
@click.option("--out", type=click.Path(), required=True, help="The HTML file to write.")
@click.option("--min-cities", type=int, help="cities-concepts and shared: keep concepts named by documents of at least N cities (defaults 1 and 2).")
@click.option("--depth", type=int, default=1, show_default=True, help="ego: how many hops from NODE.")
@click.option("--max-nodes", type=int, default=1500, show_default=True, help="Above this many nodes the view merges documents or keeps the most connected nodes, and says so on the page.")
@graph_options
def render(view, node, out, min_cities, depth, max_nodes, build_dir, graph_file, store, db):
    """Render the interactive VIEW as one self-contained, offline HTML page.

    \b
    Views:
      overview                documents, cities, concepts and organizations, clustered
      cities-concepts         cities x schemes/awards/initiatives (--min-cities)
      plan PLAN               a plan's targets and programmes (PLAN: IRI, file name or title)
      ego NODE --depth N      the neighbourhood of NODE (an IRI or an exact @zh label)
      shared                  concepts shared by at least 2 cities (--min-cities)
    """
    from .errors import KgError
    from .render import render_view

    try:
        done = render_view(open_graph(build_dir, graph_file, store, db), view, out, node=node,
                           min_cities=min_cities, depth=depth, max_nodes=max_nodes)
    except KgError as exc:
        fail(exc)
    for note in done.notices:
        click.echo(f"Note: {note}", err=True)
    click.echo(f"wrote {done.path} ({done.nodes} nodes, {done.edges} edges)")


@cli.command()
@click.argument("graph", required=False, type=click.Path())
@click.option("--shapes", type=click.Path(), help="SHACL shapes file (default: the packaged ontology/shapes.ttl).")
@click.option("--engine", type=click.Choice(["pyshacl", "turbo"]), default="pyshacl", show_default=True,
              help="SHACL engine: pyshacl (the reference) or pyshacl-turbo (same API and results, faster).")
@click.option("--full", is_flag=True,
              help="Also validate the packaged ontology and vocabulary nodes the documents cannot affect.")
@graph_options
def validate(graph, shapes, engine, full, build_dir, graph_file, store, db):
    """Validate GRAPH (default BUILD_DIR/graph.trig, or the store given with --store/--db) against the SHACL shapes.

    Exit 0 when it conforms, 1 on violations (with a report), 2 when it cannot be loaded.
    The packaged ontology and vocabularies conform on their own (the test suite checks them), so
    by default their nodes are validated again only where the documents' triples can affect them.
    """
    from .errors import KgError
    from .validate import validate as run_validate

    try:
        source = graph or graph_file
        if source is None and (db or store != "oxigraph"):
            from .store import rdflib_dataset

            source = rdflib_dataset(open_graph(build_dir, None, store, db))
        conforms, _report_graph, text = run_validate(source or str(Path(build_dir) / "graph.trig"), shapes,
                                                     engine=engine, full=full)
    except KgError as exc:
        fail(exc, 2)
    if conforms:
        click.echo("Validation: the graph conforms to the shapes.")
        sys.exit(0)
    click.echo(text.rstrip())
    sys.exit(1)


@cli.command()
@click.option("--out", type=click.Path(), default="build/docs", show_default=True)
def docs(out):
    """Write an offline HTML reference of the ontology and vocabularies."""
    from .docs import write_docs
    from .errors import KgError

    try:
        path = write_docs(out)
    except KgError as exc:
        fail(exc)
    click.echo(f"wrote {path}")


@cli.command()
@click.option("--port", type=int, default=7878, show_default=True, help="TCP port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (0.0.0.0 exposes the graph to the network).")
@click.option("--writable", is_flag=True, help="Accept SPARQL updates and Graph Store writes (to --db DIR itself, else to a temporary copy).")
@graph_options
def serve(port, host, writable, build_dir, graph_file, store, db):
    """Serve the graph as a SPARQL endpoint with YASGUI at http://HOST:PORT/ (Ctrl-C stops).

    Runs the Oxigraph server installed with qpkg, read-only unless --writable, over a
    snapshot of the build's Oxigraph store or a temporary store loaded from --graph FILE.
    """
    from .errors import KgError
    from .server import serve as run_serve

    if store == "sparql":
        fail(click.UsageError("kg serve serves a local graph: use --graph FILE or --db DIR, not --store sparql"), 2)
    try:
        code = run_serve(build_dir, graph_file, db if store == "oxigraph" else None, host, port, writable, echo=click.echo)
    except KgError as exc:
        fail(exc)
    sys.exit(code)


@cli.command()
@click.argument("store_url")
@click.option("--query-url", help="The SPARQL query endpoint of the same store (default: guessed from STORE_URL, e.g. /store -> /query).")
@click.option("--batch-size", type=int, default=50_000, show_default=True, help="Triples per HTTP request (a large graph is PUT, then POSTed in batches).")
@click.option("--prune", is_flag=True, help="Also delete remote document graphs (qpd:graph/…) that the build no longer has.")
@graph_options
def push(store_url, query_url, batch_size, prune, build_dir, graph_file, store, db):
    """Load the build into a remote store through its Graph Store endpoint STORE_URL.

    One named graph per document, replaced with PUT (pushing twice gives the same store),
    then checked by counting triples through the query endpoint. Credentials come from the
    environment only: QPKG_TOKEN (bearer), or QPKG_USER and QPKG_PASSWORD (basic/digest).
    """
    from .errors import KgError
    from .push import push as run_push

    try:
        report = run_push(open_graph(build_dir, graph_file, store, db), store_url, query_url, batch_size, prune)
    except KgError as exc:
        fail(exc)
    pruned = f", {len(report.pruned)} stale graph(s) deleted" if report.pruned else ""
    click.echo(f"pushed {report.graphs} graphs, {report.triples} triples in {report.requests} requests ({report.seconds:.2f} s){pruned}; "
               f"the store reports {report.remote_triples} triples in them")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "jsonld", "nquads", "csv"]), required=True, help="graphml/gexf for Gephi and Cytoscape, jsonld, nquads, or csv tables.")
@click.option("--out", type=click.Path(), required=True, help="The file to write (for csv: a folder, or a file with --table).")
@click.option("--table", type=click.Choice(["targets", "programs", "mentions"]), help="csv: write only this table, to the file --out.")
@graph_options
def export(fmt, out, table, build_dir, graph_file, store, db):
    """Export the graph for other tools: GraphML/GEXF networks, JSON-LD, N-Quads or CSV tables."""
    from .errors import KgError
    from .export import export as run_export

    try:
        paths = run_export(open_graph(build_dir, graph_file, store, db), fmt, out, table)
    except KgError as exc:
        fail(exc)
    for p in paths:
        click.echo(f"wrote {p}")


@cli.command("eval")
@click.option("--gold", type=click.Path(), required=True, help="Gold JSON file (the format of tests/gold/seeds.json).")
@click.option("--sources", type=click.Path(), default="data/raw", show_default=True, help="Folder of the source files, to check mention quotes.")
@click.option("--min-table-f1", type=float, default=1.0, show_default=True, help="Floor: F1 of table targets (every field right).")
@click.option("--min-prose-recall", type=float, default=0.9, show_default=True, help="Floor: recall of prose targets.")
@click.option("--max-not-targets", type=int, default=0, show_default=True, help="Ceiling: past results extracted as targets.")
@click.option("--min-program-f1", type=float, default=0.98, show_default=True, help="Floor: F1 of programmes.")
@click.option("--min-concept-f1", type=float, default=0.95, show_default=True, help="Floor: F1 of (concept, city) pairs.")
@click.option("--min-agency-recall", type=float, default=0.9, show_default=True, help="Floor: recall of gold agencies.")
@click.option("--min-metadata", type=float, default=1.0, show_default=True, help="Floor: share of gold metadata fields right.")
@click.option("--min-quote-exact", type=float, default=1.0, show_default=True, help="Floor: share of mentions whose quote is the source slice.")
@click.option("--verbose", "-v", is_flag=True, help="List every miss, not only the first 40.")
@graph_options
def eval_(gold, sources, min_table_f1, min_prose_recall, max_not_targets, min_program_f1, min_concept_f1,
          min_agency_recall, min_metadata, min_quote_exact, verbose, build_dir, graph_file, store, db):
    """Score the graph against a gold file: precision, recall and F1 per fact type and document.

    Exit 0 when every floor is met, 1 when one is not, 2 when the gold or the graph cannot be loaded.
    """
    from .errors import KgError
    from .evaluate import Floors, check_floors, evaluate, format_evaluation, load_gold

    floors = Floors(min_table_f1, min_prose_recall, max_not_targets, min_program_f1, min_concept_f1,
                    min_agency_recall, min_metadata, min_quote_exact)
    try:
        gold_data = load_gold(gold)
        ev = evaluate(open_graph(build_dir, graph_file, store, db), gold_data, sources)
    except KgError as exc:
        fail(exc, 2)
    click.echo(format_evaluation(ev, floors, verbose))
    below = check_floors(ev, floors)
    if below:
        fail(f"{len(below)} floor(s) not met: {'; '.join(below)}", 1)


@cli.group(cls=KgGroup)
def bench() -> None:
    """Benchmarks: a synthetic corpus generator and the timed suites behind `make bench`."""


@bench.command("corpus")
@click.option("--docs", "n_docs", type=int, required=True, help="Number of documents to generate.")
@click.option("--out", type=click.Path(), required=True, help="Folder to write the documents and their .facts.json sidecars to.")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed gives the same corpus.")
def bench_corpus(n_docs, out, seed):
    """Write a synthetic corpus: plans and articles for cities and counties, each with the facts it planted."""
    from .bench.corpus import generate_corpus
    from .errors import KgError

    try:
        s = generate_corpus(n_docs, out, seed=seed)
    except KgError as exc:
        fail(exc)
    click.echo(f"wrote {len(s.files)} documents ({s.bytes / 1e6:.2f} MB) and their .facts.json sidecars to {s.out_dir}")


@bench.command("run")
@click.option("--out", type=click.Path(), default="build/bench", show_default=True, help="Folder for results.json (and a work folder, removed afterwards).")
@click.option("--quick", is_flag=True, help="Smaller corpora and graphs, 3 runs per pair: minutes instead of about 20.")
@click.option("--suite", "suites", multiple=True, type=click.Choice(["build", "memory", "validate", "load", "queries", "views", "cli"]), help="Run only these suites (repeatable; default all).")
@click.option("--raw", type=click.Path(), default="data/raw", show_default=True, help="The bundled corpus measured by the validate, load, query and view suites.")
@click.option("--keep", is_flag=True, help="Keep OUT/work (corpora, builds, stores) for inspection.")
@click.option("--query", "queries", multiple=True, metavar="NAME", help="Measure only these named queries in the queries suite (repeatable; default all).")
def bench_run(out, quick, suites, raw, keep, queries):
    """Measure build, validation, load, queries, views and start-up against their baselines.

    Writes OUT/results.json and prints a table; goals that are missed are marked MISSED.
    """
    from .bench.report import table
    from .bench.runner import SUITES, RunOptions, run_bench

    if queries:
        from .querying import named_queries

        unknown = sorted(set(queries) - set(named_queries()))
        if unknown:
            fail(click.UsageError(f"no named query {', '.join(unknown)} (see `kg query --list`)"))
    options = RunOptions(out=Path(out), quick=quick, suites=tuple(suites) or SUITES, raw=Path(raw), keep=keep, queries=tuple(queries))
    data = run_bench(options, log=lambda m: click.echo(m, err=True))
    click.echo(table(data))
    click.echo(f"wrote {Path(out) / 'results.json'}")


def main() -> None:
    cli(prog_name="kg")


if __name__ == "__main__":
    main()
