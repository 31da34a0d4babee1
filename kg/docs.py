"""An offline HTML reference of the ontology and the vocabularies (no scripts, no CDN, one CSS block).

`write_docs(out_dir)` writes index.html (ontology: classes, properties, individuals), one page per
concept scheme, and areas.html (the GB/T 2260 divisions as a table). Output is deterministic.
"""
from __future__ import annotations

import html
import os
from collections import defaultdict
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from . import atomic
from .namespaces import PREFIXES, QP
from .resources import ontology_file
from .vocab import load_vocab_graph

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222;line-height:1.45}
h1,h2,h3{line-height:1.2} h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
code{background:#f4f4f4;padding:0 .2rem;border-radius:3px;font-size:.92em}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem} th,td{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;text-align:left}
th{background:#f7f7f7} .term{margin:1.2rem 0;padding:.6rem .9rem;border-left:4px solid #4a7ab8;background:#fafcff}
.term h3{margin:.1rem 0 .4rem} .zh{font-weight:600} nav a{margin-right:1rem} .muted{color:#666;font-size:.9em}
"""


def _short(term) -> str:
    s = str(term)
    best = max((p for p in PREFIXES.items() if s.startswith(p[1])), key=lambda p: len(p[1]), default=None)
    return f"{best[0]}:{s[len(best[1]):]}" if best else s


def _anchor(term) -> str:
    return _short(term).replace(":", "-").replace("/", "-")


def _lit(g: Graph, s, p, lang: str) -> str:
    vals = sorted(str(o) for o in g.objects(s, p) if isinstance(o, Literal) and (o.language or "").startswith(lang))
    return " / ".join(vals)


def _link(term, local: set[str]) -> str:
    if isinstance(term, URIRef):
        text = html.escape(_short(term))
        if str(term) in local:
            return f'<a href="#{_anchor(term)}"><code>{text}</code></a>'
        return f"<code>{text}</code>"
    return html.escape(str(term))


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>\n"
        '<nav><a href="index.html">Ontology</a><a href="vocabularies.html">Vocabularies</a>'
        '<a href="areas.html">Areas</a></nav>\n'
        f"{body}\n</body></html>\n"
    )


def _ontology_html(ont: Graph) -> str:
    header = next(iter(sorted(ont.subjects(RDF.type, OWL.Ontology))), None)
    local = {str(s) for s in ont.subjects() if isinstance(s, URIRef) and str(s).startswith(str(QP))}
    parts = ["<h1>qpkg ontology</h1>"]
    if header is not None:
        parts.append(f"<p>{html.escape(_lit(ont, header, RDFS.comment, 'en'))}</p>")
        parts.append(
            f'<p class="muted">IRI <code>{html.escape(str(header))}</code> · namespace <code>{html.escape(str(QP))}</code>'
            f" · version {html.escape(str(ont.value(header, OWL.versionInfo) or ''))}"
            f" · license {html.escape(str(ont.value(header, URIRef('http://purl.org/dc/terms/license')) or ''))}</p>"
        )
        parts.append(f"<p>{html.escape(_lit(ont, header, URIRef('http://purl.org/dc/terms/description'), 'en'))}</p>")
    sections = [
        ("Classes", [OWL.Class]),
        ("Object properties", [OWL.ObjectProperty]),
        ("Datatype properties", [OWL.DatatypeProperty]),
        ("Annotation properties", [OWL.AnnotationProperty]),
        ("Individuals", [OWL.NamedIndividual]),
    ]
    for title, types in sections:
        terms = sorted({s for t in types for s in ont.subjects(RDF.type, t) if str(s).startswith(str(QP))}, key=str)
        parts.append(f"<h2>{title} ({len(terms)})</h2>")
        parts.append("<p>" + " · ".join(_link(t, local) for t in terms) + "</p>")
        for t in terms:
            rows = []
            for label, pred in (
                ("subclass of", RDFS.subClassOf),
                ("subproperty of", RDFS.subPropertyOf),
                ("equivalent", OWL.equivalentProperty),
                ("domain", RDFS.domain),
                ("range", RDFS.range),
                ("type", RDF.type),
                ("see also", RDFS.seeAlso),
            ):
                vals = sorted(ont.objects(t, pred), key=str)
                if pred == RDF.type:
                    vals = [v for v in vals if not str(v).startswith(str(OWL))]
                if vals:
                    rows.append(f"<tr><th>{label}</th><td>{', '.join(_link(v, local) for v in vals)}</td></tr>")
            parts.append(
                f'<div class="term" id="{_anchor(t)}"><h3><code>{html.escape(_short(t))}</code> '
                f'<span class="zh">{html.escape(_lit(ont, t, RDFS.label, "zh"))}</span> · '
                f"{html.escape(_lit(ont, t, RDFS.label, 'en'))}</h3>"
                f"<p>{html.escape(_lit(ont, t, RDFS.comment, 'en'))}</p>"
                + (f"<table>{''.join(rows)}</table>" if rows else "")
                + "</div>"
            )
    return _page("qpkg ontology", "\n".join(parts))


def _vocab_html(voc: Graph) -> str:
    schemes = sorted(voc.subjects(RDF.type, SKOS.ConceptScheme), key=str)
    parts = ["<h1>qpkg vocabularies</h1>", "<p>SKOS concept schemes published with the graph; the extractor "
             "matches exactly the @zh labels listed here (after converting traditional to simplified characters).</p>"]
    members: dict[str, list] = defaultdict(list)
    for c, sch in voc.subject_objects(SKOS.inScheme):
        members[str(sch)].append(c)
    local = {str(c) for cs in members.values() for c in cs if not str(c).endswith(tuple("0123456789"))}
    parts.append("<ul>")
    for sch in schemes:
        if str(sch).endswith("/areas"):
            parts.append(f'<li><a href="areas.html">{html.escape(_lit(voc, sch, SKOS.prefLabel, "en"))}</a> '
                         f"({len(members[str(sch)])})</li>")
        else:
            parts.append(f'<li><a href="#{_anchor(sch)}">{html.escape(_lit(voc, sch, SKOS.prefLabel, "en"))}</a> '
                         f"({len(members[str(sch)])})</li>")
    parts.append("</ul>")
    for sch in schemes:
        if str(sch).endswith("/areas"):
            continue
        parts.append(f'<h2 id="{_anchor(sch)}">{html.escape(_lit(voc, sch, SKOS.prefLabel, "zh"))} · '
                     f"{html.escape(_lit(voc, sch, SKOS.prefLabel, 'en'))}</h2>")
        parts.append(f"<p>{html.escape(_lit(voc, sch, SKOS.definition, 'en'))} <code>{html.escape(_short(sch))}</code></p>")
        parts.append("<table><tr><th>Concept</th><th>Labels (@zh)</th><th>Definition and notes</th><th>Relations</th></tr>")
        for c in sorted(members[str(sch)], key=lambda x: _lit(voc, x, SKOS.prefLabel, "zh")):
            alts = sorted(str(o) for o in voc.objects(c, SKOS.altLabel))
            excl = sorted(str(o) for o in voc.objects(c, QP.excludeLabel))
            rel = []
            for label, pred in (("broader", SKOS.broader), ("related", SKOS.related),
                                ("not to be confused with", QP.notToBeConfusedWith)):
                vals = sorted(voc.objects(c, pred), key=str)
                if vals:
                    rel.append(f"{label}: " + ", ".join(_link(v, local) for v in vals))
            notes = [html.escape(_lit(voc, c, SKOS.definition, "en"))]
            if _lit(voc, c, SKOS.scopeNote, "en"):
                notes.append(f'<br><span class="muted">{html.escape(_lit(voc, c, SKOS.scopeNote, "en"))}</span>')
            if excl:
                notes.append(f'<br><span class="muted">not inside: {html.escape("、".join(excl))}</span>')
            notation = voc.value(c, SKOS.notation)
            parts.append(
                f'<tr id="{_anchor(c)}"><td><span class="zh">{html.escape(_lit(voc, c, SKOS.prefLabel, "zh"))}</span><br>'
                f"{html.escape(_lit(voc, c, SKOS.prefLabel, 'en'))}<br><code>{html.escape(_short(c))}</code>"
                + (f" <code>{html.escape(str(notation))}</code>" if notation else "")
                + f"</td><td>{html.escape('、'.join(alts))}</td><td>{''.join(notes)}</td><td>{'<br>'.join(rel)}</td></tr>"
            )
        parts.append("</table>")
    return _page("qpkg vocabularies", "\n".join(parts))


def _areas_html(voc: Graph) -> str:
    sch = next((s for s in voc.subjects(RDF.type, SKOS.ConceptScheme) if str(s).endswith("/areas")), None)
    rows = []
    for a in voc.subjects(QP.adminCode, None):
        code = str(voc.value(a, QP.adminCode))
        parent = voc.value(a, QP.partOf)
        rows.append((code, _lit(voc, a, RDFS.label, "zh"), _lit(voc, a, SKOS.altLabel, "zh"),
                     _lit(voc, a, QP.divisionType, "zh"),
                     str(voc.value(parent, QP.adminCode)) if parent is not None else ""))
    rows.sort()
    meta = ""
    if sch is not None:
        meta = (f"<p>{html.escape(_lit(voc, sch, SKOS.definition, 'en'))}</p><p class=\"muted\">"
                f"{html.escape(_lit(voc, sch, URIRef('http://purl.org/dc/terms/description'), 'en'))}</p>")
    body = [f"<h1>Administrative areas ({len(rows)})</h1>", meta,
            "<table><tr><th>Code</th><th>Name</th><th>Short form</th><th>Type</th><th>Part of</th></tr>"]
    for code, name, short, typ, parent in rows:
        body.append(f'<tr id="a{code}"><td><code>{code}</code></td><td>{html.escape(name)}</td><td>{html.escape(short)}</td>'
                    f"<td>{html.escape(typ)}</td><td>" + (f'<a href="#a{parent}">{parent}</a>' if parent else "") + "</td></tr>")
    body.append("</table>")
    return _page("qpkg administrative areas", "\n".join(body))


def write_docs(out_dir: str | os.PathLike) -> Path:
    """Write the HTML reference (index.html, vocabularies.html, areas.html) into out_dir; returns index.html."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ont = Graph()
    ont.parse(data=ontology_file("qp.ttl").read_text(encoding="utf-8"), format="turtle")
    voc = load_vocab_graph()
    pages = {
        "index.html": _ontology_html(ont),
        "vocabularies.html": _vocab_html(voc),
        "areas.html": _areas_html(voc),
    }
    with atomic.batch():  # all three pages or none: a killed run leaves the previous reference intact
        for name, text in pages.items():
            atomic.write_text(out / name, text)
    return out / "index.html"
