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
    f = click.option("--graph", "graph_file", type=click.Path(), help="A graph file (.trig, .ttl, .nq) instead of the last build.")(f)
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

    paths = paths or ("data/raw",)
    options = BuildOptions(encoding=encoding, max_bytes=max_bytes, profile=profile)
    try:
        n = len(collect_inputs(paths))
        bar = None
        if not quiet:
            from tqdm import tqdm

            bar = tqdm(total=n, unit="doc", desc="building", file=sys.stderr, leave=False)
        summary = run_build(paths, out, options, store=store, db=db, jobs=jobs, progress=(bar.update and (lambda _n: bar.update(1))) if bar else None)
        if bar:
            bar.close()
    except KgError as exc:
        fail(exc)
    for d in summary.documents:
        if not d.ok:
            click.echo(f"Error: {d.error}", err=True)
        for w in d.warnings:
            click.echo(f"Warning: {d.file}: {w}", err=True)
    if not quiet:
        click.echo(summary_table(summary, profile))
    sys.exit(1 if summary.failed else 0)


def summary_table(summary, profile: bool = False) -> str:
    from .query import _w

    cols = ["file", "status", "encoding", "Document", "Target", "Program", "Mention", "Organization"]
    rows = []
    for d in summary.documents:
        c = dict(d.counts)
        rows.append([d.file, "ok" if d.ok else "FAILED", d.encoding or "-", str(c.get("qp:Plan", 0) + c.get("qp:Article", 0)),
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
    from .query import named_queries, run_named

    if list_ or not name:
        for q in named_queries().values():
            if not q.name.startswith("view-"):
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
    from .query import run_sparql

    text = query_or_file
    if len(text) < 512 and "\n" not in text and Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8")
    try:
        emit_result(run_sparql(open_graph(build_dir, graph_file, store, db), text), fmt)
    except KgError as exc:
        fail(exc)


@cli.command()
@click.argument("view")
@click.argument("node", required=False)
@click.option("--out", type=click.Path(), required=True, help="The HTML file to write.")
@graph_options
def render(view, node, out, build_dir, graph_file, store, db):
    """Render the interactive VIEW (overview, ...) as a self-contained HTML page."""
    from .errors import KgError
    from .render import render_view

    try:
        path = render_view(open_graph(build_dir, graph_file, store, db), view, out, node=node)
    except KgError as exc:
        fail(exc)
    click.echo(f"wrote {path}")


@cli.command()
@click.argument("graph", required=False, type=click.Path())
@click.option("--shapes", type=click.Path(), help="SHACL shapes file (default: the packaged ontology/shapes.ttl).")
def validate(graph, shapes):
    """Validate GRAPH (default build/graph.trig) against the SHACL shapes.

    Exit 0 when it conforms, 1 on violations (with a report), 2 when it cannot be loaded.
    """
    from .errors import KgError
    from .validate import validate as run_validate

    try:
        conforms, _report_graph, text = run_validate(graph or "build/graph.trig", shapes)
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


def main() -> None:
    cli(prog_name="kg")


if __name__ == "__main__":
    main()
