"""`kg build`: load, infer, validate, query, export and draw, into a static site.

Everything is computed in memory first and written at the end, each file
through a temporary file and a rename that is skipped when the bytes are the
same: a failing step leaves the previous site as it was, and a re-run with
nothing changed rewrites nothing. Nothing in the output depends on the clock.

The site records what it wrote in a manifest (`.kg-build.json`); files that an
earlier build wrote and this one no longer produces are removed. Files that
the build did not write are never touched.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from kg.model.errors import InputError, QueryError, UsageError
from kg.model.fileio import write_atomically
from kg.model.files import display_path
from kg.model.namespaces import shorten

if TYPE_CHECKING:
    from kg.answers.labels import Labels
    from kg.answers.queries import SavedQuery
    from kg.knowledge.project import Knowledge
    from kg.outputs.export import Selection
    from kg.stores.base import QueryResult
    from kg.validation.shacl import ValidationReport

MANIFEST = ".kg-build.json"
SITE_TITLE = "motorsport-kg"
EXPORT_STEM = "motorsport-kg"
STEPS = (
    "validating",
    "running the saved queries",
    "exporting",
    "drawing the pictures",
    "writing the ontology reference",
    "writing the site",
)

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class QueryPage:
    name: str
    title: str
    description: str
    path: str
    rows: int | None
    note: str


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: files relative to `out`, and what changed on disk."""

    out: Path
    conforms: bool
    validation_summary: str
    files: tuple[str, ...]
    written: tuple[str, ...]
    removed: tuple[str, ...]
    failed_queries: tuple[str, ...] = ()

    @property
    def unchanged(self) -> int:
        return len(self.files) - len(self.written)

    @property
    def exit_code(self) -> int:
        from kg.model.errors import EXIT_INPUT, EXIT_NOT_CONFORMING, EXIT_OK

        if self.failed_queries:
            return EXIT_INPUT
        return EXIT_OK if self.conforms else EXIT_NOT_CONFORMING


def build(
    knowledge: Knowledge,
    out: Path,
    inference: str = "none",
    lang: str = "en",
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site into `out`. Validation failing does not stop the build:
    the report is written and the site is marked as failing."""
    from kg.validation.checking import validate_knowledge
    from kg.validation.report import as_json, as_text, summary_line

    if out.exists() and not out.is_dir():
        raise UsageError(f"{display_path(out)} is a file; --out needs a folder")

    def step(index: int) -> None:
        if progress is not None:
            progress(index + 1, len(STEPS), STEPS[index])

    files: dict[str, bytes] = {}
    step(0)
    report = validate_knowledge(knowledge, inference=inference)
    files["validation.txt"] = as_text(report).encode("utf-8")
    files["validation.json"] = as_json(report).encode("utf-8")

    step(1)
    query_pages = _run_queries(knowledge, lang, files)

    step(2)
    exports = _exports(knowledge, inference, files)

    step(3)
    pictures = _pictures(knowledge, lang, files)

    step(4)
    _ontology_page(knowledge, files)

    step(5)
    files["style.css"] = STYLE.encode("utf-8")
    files["index.html"] = _index(
        knowledge, report, summary_line(report), query_pages, exports, pictures, lang
    ).encode("utf-8")
    written, removed = _write_site(out, files)
    return BuildResult(
        out=out,
        conforms=report.conforms,
        validation_summary=summary_line(report),
        files=tuple(sorted(files)),
        written=tuple(written),
        removed=tuple(removed),
        failed_queries=tuple(p.note for p in query_pages if p.note.startswith("FAILED")),
    )


# --- queries -------------------------------------------------------------------


def _run_queries(knowledge: Knowledge, lang: str, files: dict[str, bytes]) -> list[QueryPage]:
    from kg.answers.labels import fetch_labels
    from kg.answers.queries import bind, registry
    from kg.outputs.tables import as_delimited

    pages: list[QueryPage] = []
    for name, saved in registry().items():
        path = f"queries/{name}.html"
        missing = [p for p in saved.params if p.required]
        if missing:
            needed = ", ".join(p.name for p in missing)
            example = " ".join(f"-p {p.name} VALUE" for p in missing)
            note = f"Not run: it needs a value for {needed}. Run it with: kg query {name} {example}"
            files[path] = _query_page(saved, None, None, note).encode("utf-8")
            pages.append(QueryPage(name, saved.title, saved.description, path, None, note))
            continue
        bindings = bind(saved, [])
        try:
            result = knowledge.store.query(saved.text, bindings=bindings)
        except QueryError as error:
            # One broken query must not hide the rest of the site: its page says
            # what failed, and the build exits 3 at the end.
            note = f"FAILED: {display_path(saved.path)}: {error.message}"
            files[path] = _query_page(saved, None, None, note).encode("utf-8")
            pages.append(QueryPage(name, saved.title, saved.description, path, None, note))
            continue
        result = stable_rows(saved.text, result)
        terms = [term for row in result.rows for term in row]
        labels = fetch_labels(knowledge.store, terms, lang)
        shown = ", ".join(f"{key} = {shorten(str(value))}" for key, value in bindings.items())
        note = f"Parameters: {shown}." if shown else ""
        files[path] = _query_page(saved, result, labels, note).encode("utf-8")
        rows: int | None = None
        if result.kind == "select":
            rows = len(result.rows)
            files[f"queries/{name}.csv"] = as_delimited(result, labels, ",").encode("utf-8")
        pages.append(QueryPage(name, saved.title, saved.description, path, rows, note))
    return pages


def stable_rows(sparql: str, result: QueryResult) -> QueryResult:
    """Rows in an order that does not change between runs.

    rdflib returns rows that tie on every ORDER BY key in an order that varies
    with PYTHONHASHSEED, so ties are sorted by their values, keeping the
    query's own order between runs of equal keys; without ORDER BY all rows
    are sorted. When the first key is not a column, the order is left alone.
    """
    import dataclasses

    if result.kind != "select" or not result.rows:
        return result
    keys = _order_keys(sparql)

    def value_key(row: tuple[Identifier | None, ...]) -> tuple[str, ...]:
        return tuple("" if term is None else term.n3() for term in row)

    if keys is None:
        return dataclasses.replace(result, rows=tuple(sorted(result.rows, key=value_key)))
    positions = [result.variables.index(k) for k in keys if k in result.variables]
    positions = positions[
        : next((i for i, k in enumerate(keys) if k not in result.variables), len(keys))
    ]
    if not positions:
        return result
    ordered: list[tuple[Identifier | None, ...]] = []
    run: list[tuple[Identifier | None, ...]] = []
    for row in result.rows:
        if run and [row[i] for i in positions] != [run[0][i] for i in positions]:
            ordered.extend(sorted(run, key=value_key))
            run = []
        run.append(row)
    ordered.extend(sorted(run, key=value_key))
    return dataclasses.replace(result, rows=tuple(ordered))


def _order_keys(sparql: str) -> list[str] | None:
    """The ORDER BY conditions as variable names (an expression gives ""), or None."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    def find(node: object) -> list[object] | None:
        if isinstance(node, CompValue):
            if node.name == "OrderBy":
                return list(node.expr)
            for value in node.values():
                found = find(value)
                if found is not None:
                    return found
        elif isinstance(node, list):
            for item in node:
                found = find(item)
                if found is not None:
                    return found
        return None

    conditions = find(prepareQuery(sparql).algebra)
    if conditions is None:
        return None
    names: list[str] = []
    for condition in conditions:
        expression = condition.get("expr") if isinstance(condition, CompValue) else condition
        names.append(str(expression) if isinstance(expression, Variable) else "")
    return names


def _query_page(
    saved: SavedQuery, result: QueryResult | None, labels: Labels | None, note: str
) -> str:
    parts = [f"<h1>{escape(saved.title)}</h1>"]
    if saved.description:
        parts.append(f'<p class="description">{escape(saved.description)}</p>')
    if note:
        parts.append(f'<p class="note">{escape(note)}</p>')
    if result is not None and labels is not None:
        if result.kind == "select":
            parts.append(f'<p><a href="{escape(saved.name)}.csv">Download as CSV</a></p>')
            parts.append(_result_table(result, labels))
        elif result.kind == "ask":
            parts.append(f'<p class="answer">{"yes" if result.boolean else "no"}</p>')
        elif result.graph is not None:
            from kg.model.serialize import stable_turtle

            parts.append(f"<pre>{escape(stable_turtle(result.graph))}</pre>")
    parts.append(
        f"<details><summary>SPARQL ({escape(saved.path.name)})</summary>"
        f"<pre>{escape(saved.text)}</pre></details>"
    )
    return _page(saved.title, "".join(parts), depth=1)


def _result_table(result: QueryResult, labels: Labels) -> str:
    head = "".join(f"<th>{escape(v)}</th>" for v in result.variables)
    rows = []
    for row in result.rows:
        cells = []
        for term in row:
            text = escape(labels.of(term))
            if isinstance(term, URIRef):
                cells.append(f'<td title="{escape(shorten(str(term)))}">{text}</td>')
            else:
                cells.append(f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    count = len(result.rows)
    caption = f"{count} row{'s' if count != 1 else ''}"
    return (
        f'<table class="results"><caption>{caption}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


# --- exports -------------------------------------------------------------------


@dataclass(frozen=True)
class ExportLink:
    format: str
    path: str
    triples: int
    graphs: int
    note: str


def _exports(knowledge: Knowledge, inference: str, files: dict[str, bytes]) -> list[ExportLink]:
    from kg.outputs.export import CONTEXT_FILE, FORMATS, Selection, select, serialize

    links: list[ExportLink] = []
    data = select(knowledge, inferred=inference != "none")
    for name, chosen in FORMATS.items():
        result = serialize(data, name)
        path = f"export/{EXPORT_STEM}{chosen.suffix}"
        files[path] = result.content
        note = (
            "named graphs kept (one per source file)"
            if chosen.has_graphs
            else "the union of the named graphs"
        )
        links.append(ExportLink(name, path, result.triples, len(result.graphs), note))
    ontology: Selection = Selection(
        tuple((g, knowledge.store.graph(g)) for g in sorted(knowledge.ontology_graphs))
    )
    result = serialize(ontology, "turtle")
    files["export/ontology.ttl"] = result.content
    links.append(
        ExportLink(
            "turtle",
            "export/ontology.ttl",
            result.triples,
            len(ontology.graphs),
            "the ontology and vocabularies",
        )
    )
    files["export/motorsport.context.jsonld"] = CONTEXT_FILE.read_bytes()
    links.append(
        ExportLink(
            "jsonld",
            "export/motorsport.context.jsonld",
            0,
            0,
            "the JSON-LD context (already inline in the JSON-LD export)",
        )
    )
    return links


# --- pictures ------------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    path: str
    title: str
    detail: str


_DERIVED_OR_IMPORTED = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
ASK { { ?file a ms:ResultsFile } UNION { ?check a ms:Reconciliation } }
"""


def _curated_graphs(knowledge: Knowledge) -> list[str]:
    """The data graphs written by people: no imported results, no derived checks."""
    return [
        graph
        for graph in knowledge.data_graphs
        if not knowledge.store.query(_DERIVED_OR_IMPORTED, graphs=[graph]).boolean
    ]


def _pictures(knowledge: Knowledge, lang: str, files: dict[str, bytes]) -> list[Picture]:
    """Drawn by kg.viz into a scratch folder, then held in memory with everything else."""
    from kg.outputs import viz

    pictures: list[Picture] = []
    with tempfile.TemporaryDirectory(prefix="kg-build-") as scratch:
        folder = Path(scratch)
        graph = viz.to_networkx(knowledge, lang=lang)
        counts = f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
        viz.write_html(graph, folder / "graph.html", title=SITE_TITLE)
        pictures.append(Picture("graph.html", "The interactive graph", counts))
        # Hundreds of imported drivers and results make a static picture unreadable,
        # so it shows what the curated sources say; the interactive page has it all.
        curated = viz.to_networkx(knowledge, graphs=_curated_graphs(knowledge), lang=lang)
        viz.write_svg(curated, folder / "graph.svg", title=SITE_TITLE)
        pictures.append(
            Picture(
                "graph.svg",
                "What the articles say, as a picture (SVG; official results left out)",
                f"{curated.number_of_nodes()} nodes, {curated.number_of_edges()} edges",
            )
        )
        schema = viz.to_networkx(knowledge, lang=lang, schema=True)
        viz.write_svg(schema, folder / "ontology.svg", title=f"{SITE_TITLE} ontology")
        pictures.append(
            Picture("ontology.svg", "The ontology's classes and object properties (SVG)", "")
        )
        viz.decision_timeline(knowledge, folder / "decisions.svg", lang=lang)
        pictures.append(Picture("decisions.svg", "The decision timeline (SVG)", ""))
        for picture in pictures:
            files[picture.path] = (folder / picture.path).read_bytes()
    return pictures


# --- the ontology reference ----------------------------------------------------


def _ontology_page(knowledge: Knowledge, files: dict[str, bytes]) -> None:
    from kg.outputs.ontology_doc import render_body

    body = "<h1>Ontology reference</h1>" + render_body(knowledge.ontology())
    files["ontology.html"] = _page("Ontology reference", body, depth=0).encode("utf-8")


# --- the index -----------------------------------------------------------------

_CLASS_COUNTS = """
SELECT ?type (COUNT(DISTINCT ?entity) AS ?count) WHERE {
  ?entity a ?type .
  FILTER(isIRI(?entity))
} GROUP BY ?type
"""

_LANGUAGES = """
SELECT ?lang (COUNT(*) AS ?count) WHERE {
  ?s ?p ?o .
  FILTER(isLiteral(?o) && LANG(?o) != "")
  BIND(LCASE(LANG(?o)) AS ?lang)
} GROUP BY ?lang
"""

_SOURCE_DETAILS = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?title ?summary ?language ?doc WHERE {
  OPTIONAL { ?doc dcterms:title ?title }
  OPTIONAL { ?doc ms:summary ?summary }
  OPTIONAL { ?doc dcterms:language ?language }
}
"""


def _count(value: Identifier | None) -> int:
    return int(value.toPython()) if isinstance(value, Literal) else 0


def _pick(values: Sequence[Identifier | None], lang: str) -> str:
    by_lang: dict[str, str] = {}
    for value in sorted((v for v in values if isinstance(v, Literal)), key=str):
        by_lang.setdefault(value.language or "", str(value))
    for preference in (lang, "en", ""):
        if preference in by_lang:
            return by_lang[preference]
    return next(iter(by_lang.values()), "")


def _index(
    knowledge: Knowledge,
    report: ValidationReport,
    validation_summary: str,
    queries: Sequence[QueryPage],
    exports: Sequence[ExportLink],
    pictures: Sequence[Picture],
    lang: str,
) -> str:
    from kg.answers.labels import fetch_labels

    store = knowledge.store
    data_graphs = knowledge.data_graphs
    parts: list[str] = []
    if report.conforms:
        parts.append(
            '<div class="banner passing" id="validation-status">Validation: the data conforms '
            f"to the shapes. {escape(validation_summary)}</div>"
        )
    else:
        parts.append(
            '<div class="banner failing" id="validation-status" role="alert">'
            f"Validation FAILED: {escape(validation_summary)}. "
            'See <a href="validation.txt">validation.txt</a> '
            '(or <a href="validation.json">validation.json</a>).</div>'
        )
    parts.append(f"<h1>{SITE_TITLE}</h1>")
    parts.append(
        "<p>An open knowledge graph of motorsport programmes and the decisions behind "
        "them; every fact is a claim tied to the source that states it.</p>"
    )

    triples = sum(1 for _ in store.quads(data_graphs))
    class_rows = store.query(_CLASS_COUNTS, graphs=data_graphs).rows
    labels = fetch_labels(store, [row[0] for row in class_rows], lang)
    counted = sorted(
        ((labels.of(row[0]), row[0], _count(row[1])) for row in class_rows if row[0] is not None),
        key=lambda item: (-item[2], item[0], str(item[1])),
    )
    entities = len({s for s in _typed_subjects(knowledge)})
    parts.append('<section id="summary"><h2>Summary</h2>')
    parts.append(
        '<table class="numbers"><tbody>'
        f"<tr><th>data files (named graphs)</th><td>{len(data_graphs)}</td></tr>"
        f"<tr><th>triples</th><td>{triples}</td></tr>"
        f"<tr><th>typed things</th><td>{entities}</td></tr>"
        f"<tr><th>validation</th><td>{escape(validation_summary)}</td></tr>"
        "</tbody></table>"
    )
    parts.append(
        '<h3 id="classes">Things per class</h3><table class="classes"><thead><tr>'
        "<th>class</th><th>IRI</th><th>count</th></tr></thead><tbody>"
    )
    for label, iri, count in counted:
        parts.append(
            f"<tr><td>{_ontology_link(iri, label)}</td><td><code>{escape(shorten(str(iri)))}"
            f"</code></td><td>{count}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append(_sources_section(knowledge, lang))
    language_rows = store.query(_LANGUAGES, graphs=data_graphs).rows
    languages = sorted(
        ((str(row[0]), _count(row[1])) for row in language_rows if row[0] is not None),
        key=lambda item: (-item[1], item[0]),
    )
    parts.append(
        '<h3 id="languages">Languages of the texts</h3><table class="languages">'
        "<thead><tr><th>language</th><th>texts (literals)</th></tr></thead><tbody>"
    )
    for language, count in languages:
        parts.append(f"<tr><td>{escape(language)}</td><td>{count}</td></tr>")
    parts.append("</tbody></table>")
    parts.append(_decisions_section(knowledge, lang))
    parts.append("</section>")

    parts.append(
        '<section id="exports"><h2>Downloads</h2><table class="exports"><thead><tr>'
        "<th>file</th><th>format</th><th>triples</th><th>what</th></tr></thead><tbody>"
    )
    for link in exports:
        triples_cell = str(link.triples) if link.triples else ""
        parts.append(
            f'<tr><td><a href="{escape(link.path)}">{escape(link.path)}</a></td>'
            f"<td>{escape(link.format)}</td><td>{triples_cell}</td><td>{escape(link.note)}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append(
        '<p>Validation report: <a href="validation.txt">validation.txt</a>, '
        '<a href="validation.json">validation.json</a>.</p></section>'
    )

    parts.append(
        '<section id="queries"><h2>Saved queries</h2><table class="queries"><thead>'
        "<tr><th>query</th><th>rows</th><th>what it answers</th></tr></thead><tbody>"
    )
    for page in queries:
        if page.note.startswith("FAILED"):
            rows = '<strong class="failed">failed</strong>'
        else:
            rows = "not run" if page.rows is None else str(page.rows)
        parts.append(
            f'<tr><td><a href="{escape(page.path)}">{escape(page.title)}</a>'
            f" <code>{escape(page.name)}</code></td><td>{rows}</td>"
            f"<td>{escape(page.description)}</td></tr>"
        )
    parts.append("</tbody></table></section>")

    parts.append('<section id="pictures"><h2>Pictures</h2><ul>')
    for picture in pictures:
        detail = f" ({escape(picture.detail)})" if picture.detail else ""
        parts.append(
            f'<li><a href="{escape(picture.path)}">{escape(picture.title)}</a>{detail}</li>'
        )
    parts.append(
        '</ul><p><a href="ontology.html">The ontology reference</a>: every class, property '
        "and controlled vocabulary, with English and German labels.</p>"
    )
    if any(p.path == "graph.svg" for p in pictures):
        parts.append('<img class="preview" src="graph.svg" alt="The knowledge graph">')
    parts.append("</section>")
    return _page(SITE_TITLE, "".join(parts), depth=0, failing=not report.conforms)


def _typed_subjects(knowledge: Knowledge) -> set[str]:
    result = knowledge.store.query(
        "SELECT DISTINCT ?s WHERE { ?s a ?t FILTER(isIRI(?s)) }", graphs=knowledge.data_graphs
    )
    return {str(row[0]) for row in result.rows}


def _ontology_link(iri: Identifier | None, label: str) -> str:
    from kg.outputs.ontology_doc import anchor, is_own

    if isinstance(iri, URIRef) and is_own(iri):
        return f'<a href="ontology.html#{anchor(iri)}">{escape(label)}</a>'
    return escape(label)


def _sources_section(knowledge: Knowledge, lang: str) -> str:
    from kg.knowledge.asof import publications
    from kg.model.timeutil import format_interval

    parts = [
        '<h3 id="sources">Sources</h3><table class="sources"><thead><tr><th>source</th>'
        "<th>published</th><th>language</th><th>file</th></tr></thead><tbody>"
    ]
    for publication in publications(knowledge.store, knowledge.data_graphs):
        rows = knowledge.store.query(
            _SOURCE_DETAILS,
            bindings={"doc": URIRef(publication.document)},
            graphs=[publication.graph],
        ).rows
        title = _pick([row[0] for row in rows], lang) or _pick([row[1] for row in rows], lang)
        language = ", ".join(sorted({str(row[2]) for row in rows if row[2] is not None}))
        item = knowledge.file_of(publication.graph)
        file_name = item.display if item is not None else publication.graph
        parts.append(
            f"<tr><td>{escape(title or shorten(publication.document))}"
            f" <code>{escape(shorten(publication.document))}</code></td>"
            f"<td>{escape(format_interval(publication.published, lang))}</td>"
            f"<td>{escape(language)}</td><td><code>{escape(file_name)}</code></td></tr>"
        )
    parts.append("</tbody></table>")
    return "".join(parts)


def _decisions_section(knowledge: Knowledge, lang: str) -> str:
    from kg.answers.decisions import list_decisions
    from kg.model.timeutil import format_interval

    pending = [d for d in list_decisions(knowledge, lang=lang) if d.pending]
    parts = ['<h3 id="pending-decisions">Pending decisions</h3>']
    if not pending:
        parts.append("<p>No pending decision is recorded.</p>")
        return "".join(parts)
    # Overdue depends on today's date, so it is left to `kg decisions`: the site
    # must not change from one day to the next when the data does not.
    parts.append(
        '<table class="decisions"><thead><tr><th>decision</th><th>owner</th>'
        "<th>status</th><th>since</th><th>decision expected</th></tr></thead><tbody>"
    )
    for decision in pending:
        owner = ", ".join(o.label for o in decision.owner)
        status = decision.status.label if decision.status is not None else "unknown"
        since = format_interval(decision.since, lang) if decision.since is not None else ""
        expected = format_interval(decision.expected, lang) if decision.expected is not None else ""
        parts.append(
            f"<tr><td>{escape(decision.question or decision.label)}"
            f" <code>{escape(decision.short)}</code></td><td>{escape(owner)}</td>"
            f"<td>{escape(status)}</td><td>{escape(since)}</td><td>{escape(expected)}</td></tr>"
        )
    parts.append("</tbody></table>")
    return "".join(parts)


# --- pages and files -----------------------------------------------------------


def _page(title: str, body: str, depth: int, failing: bool = False) -> str:
    up = "../" * depth
    state = ' class="failing"' if failing else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{up}style.css">\n</head>\n'
        f"<body{state}>\n"
        f'<nav class="top"><a href="{up}index.html">{SITE_TITLE}</a>'
        f' <a href="{up}ontology.html">ontology</a>'
        f' <a href="{up}graph.html">graph</a>'
        f' <a href="{up}validation.txt">validation</a></nav>\n'
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _write_site(out: Path, files: Mapping[str, bytes]) -> tuple[list[str], list[str]]:
    """Write every file (skipping identical bytes), then remove what earlier builds left."""
    previous = _read_manifest(out)
    manifest = (
        json.dumps({"generator": "kg build", "files": sorted(files)}, indent=2, sort_keys=True)
        + "\n"
    )
    written: list[str] = []
    try:
        for relative in sorted(files):
            if write_atomically(out / relative, files[relative]):
                written.append(relative)
        write_atomically(out / MANIFEST, manifest)
    except OSError as error:
        raise InputError(
            f"{display_path(out)}: the site cannot be written ({error.strerror or error}); "
            "check that the folder is writable"
        ) from error
    removed: list[str] = []
    root = out.resolve()
    for relative in sorted(set(previous) - set(files)):
        target = (out / relative).resolve()
        # Only files inside the site, and only the ones a build recorded writing.
        if not target.is_relative_to(root) or not target.is_file():
            continue
        target.unlink()
        removed.append(relative)
        parent = target.parent
        while parent != root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return written, removed


def _read_manifest(out: Path) -> list[str]:
    path = out / MANIFEST
    if not path.is_file():
        return []
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(
            f"{display_path(path)}: the build manifest cannot be read ({error}); "
            "delete it (and the old site) and build again"
        ) from error
    listed = payload.get("files", []) if isinstance(payload, dict) else []
    return [item for item in listed if isinstance(item, str)]


STYLE = """\
:root { --fg: #1d232a; --muted: #5b6672; --accent: #0b5cad; --line: #d8dee4; --bg: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--fg); background: var(--bg); }
nav.top { background: #13293d; padding: 0.6rem 1.5rem; }
nav.top a { color: #fff; margin-right: 1.2rem; text-decoration: none; font-weight: 600; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { margin: 0.8rem 0; } h2 { border-bottom: 2px solid var(--line); padding-bottom: 0.2rem; }
a { color: var(--accent); }
code { font: 0.9em ui-monospace, "DejaVu Sans Mono", monospace; color: #6a3d9a; }
table { border-collapse: collapse; margin: 0.6rem 0 1.2rem; width: 100%; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: left;
  vertical-align: top; }
thead th, table.numbers th { background: #eef3f8; }
caption { text-align: left; color: var(--muted); }
.banner { padding: 0.8rem 1rem; margin: 1rem 0; border-radius: 6px; font-weight: 600; }
.banner.passing { background: #e3f6e8; border: 1px solid #2e8b57; color: #14532d; }
.banner.failing { background: #fde8e8; border: 2px solid #c62828; color: #7f1d1d; }
.note, .description, small { color: var(--muted); }
pre { background: #f6f8fa; padding: 0.8rem; overflow-x: auto; }
nav.toc ol { columns: 2; } nav.toc ol ol { columns: 1; }
section.term { border-top: 1px solid var(--line); padding-top: 0.4rem; }
img.preview { max-width: 100%; border: 1px solid var(--line); }
"""
