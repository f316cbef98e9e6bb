"""The index page: the validation banner, the summary, the downloads, queries and pictures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from kg.model.namespaces import shorten
from kg.outputs.site.layout import SITE_TITLE, page

if TYPE_CHECKING:
    from kg.knowledge.project import Knowledge
    from kg.outputs.site.downloads import ExportLink, Picture
    from kg.outputs.site.queries import QueryPage
    from kg.validation.shacl import ValidationReport

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


def index(
    knowledge: Knowledge,
    report: ValidationReport,
    validation_summary: str,
    queries: Sequence[QueryPage],
    exports: Sequence[ExportLink],
    pictures: Sequence[Picture],
    lang: str,
    pages: Mapping[str, str] | None = None,
) -> str:
    parts: list[str] = [_validation_banner(report, validation_summary)]
    parts.append(f"<h1>{SITE_TITLE}</h1>")
    parts.append(
        "<p>An open knowledge graph of motorsport programmes and the decisions behind "
        "them; every fact is a claim tied to the source that states it.</p>"
    )
    # What a reader came for first: what is pending, what changed, what it is about;
    # the numbers, downloads and queries below.
    parts.append(_lead_sections(knowledge, lang, pages or {}))
    parts.append(_summary_section(knowledge, validation_summary, lang))
    parts.append(_downloads_section(exports))
    parts.append(_queries_section(queries))
    parts.append(_pictures_section(pictures))
    return page(SITE_TITLE, "".join(parts), depth=0, failing=not report.passes)


def _lead_sections(knowledge: Knowledge, lang: str, pages: Mapping[str, str]) -> str:
    from kg.answers.labels import fetch_labels
    from kg.knowledge.asof import publications
    from kg.outputs.site.downloads import curated_graphs
    from kg.outputs.site.home import changes_section, entities_section, pending_section

    sources = publications(knowledge.store, knowledge.data_graphs, knowledge.ontology_graphs)
    labels = fetch_labels(knowledge.store, [URIRef(s.document) for s in sources], lang)
    return (
        '<div class="lead">'
        + pending_section(knowledge, labels, lang)
        + changes_section(knowledge, sources, labels)
        + "</div>"
        + entities_section(knowledge, curated_graphs(knowledge), lang, pages)
    )


def _validation_banner(report: ValidationReport, validation_summary: str) -> str:
    """The banner at the top: green when no shape is violated, red with the reports' links
    if one is. With warnings only it says so: SHACL does not call that conforming."""
    if report.conforms:
        return (
            '<div class="banner passing" id="validation-status">Validation: the data conforms '
            f"to the shapes. {escape(validation_summary)}</div>"
        )
    if report.passes:
        return (
            '<div class="banner passing" id="validation-status">Validation: no shape is '
            f"violated, but there are warnings. {escape(validation_summary)}. "
            'See <a href="validation.txt">validation.txt</a>.</div>'
        )
    return (
        '<div class="banner failing" id="validation-status" role="alert">'
        f"Validation FAILED: {escape(validation_summary)}. "
        'See <a href="validation.txt">validation.txt</a> '
        '(or <a href="validation.json">validation.json</a>).</div>'
    )


def _summary_section(knowledge: Knowledge, validation_summary: str, lang: str) -> str:
    """The numbers, the things per class, the sources, the languages and pending decisions."""
    store = knowledge.store
    data_graphs = knowledge.data_graphs
    parts: list[str] = []
    triples = sum(1 for _ in store.quads(data_graphs))
    counted = _class_counts(knowledge, lang)
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
    parts.append(_languages_table(knowledge))
    parts.append("</section>")
    return "".join(parts)


def _class_counts(knowledge: Knowledge, lang: str) -> list[tuple[str, Identifier, int]]:
    """(label, class, things) for every class with instances, most instances first."""
    from kg.answers.labels import fetch_labels

    store = knowledge.store
    class_rows = store.query(_CLASS_COUNTS, graphs=knowledge.data_graphs).rows
    labels = fetch_labels(store, [row[0] for row in class_rows], lang)
    return sorted(
        ((labels.of(row[0]), row[0], _count(row[1])) for row in class_rows if row[0] is not None),
        key=lambda item: (-item[2], item[0], str(item[1])),
    )


def _languages_table(knowledge: Knowledge) -> str:
    """How many texts there are in each language, most first."""
    language_rows = knowledge.store.query(_LANGUAGES, graphs=knowledge.data_graphs).rows
    languages = sorted(
        ((str(row[0]), _count(row[1])) for row in language_rows if row[0] is not None),
        key=lambda item: (-item[1], item[0]),
    )
    parts = [
        '<h3 id="languages">Languages of the texts</h3><table class="languages">'
        "<thead><tr><th>language</th><th>texts (literals)</th></tr></thead><tbody>"
    ]
    for language, count in languages:
        parts.append(f"<tr><td>{escape(language)}</td><td>{count}</td></tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def _downloads_section(exports: Sequence[ExportLink]) -> str:
    """The exports and the validation reports, as links."""
    parts = [
        '<section id="exports"><h2>Downloads</h2><table class="exports"><thead><tr>'
        "<th>file</th><th>format</th><th>triples</th><th>what</th></tr></thead><tbody>"
    ]
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
    return "".join(parts)


def _queries_section(queries: Sequence[QueryPage]) -> str:
    """Every saved query with its row count (or why it did not run)."""
    parts = [
        '<section id="queries"><h2>Saved queries</h2><table class="queries"><thead>'
        "<tr><th>query</th><th>rows</th><th>what it answers</th></tr></thead><tbody>"
    ]
    for query_page in queries:
        if query_page.note.startswith("FAILED"):
            rows = '<strong class="failed">failed</strong>'
        else:
            rows = "not run" if query_page.rows is None else str(query_page.rows)
        parts.append(
            f'<tr><td><a href="{escape(query_page.path)}">{escape(query_page.title)}</a>'
            f" <code>{escape(query_page.name)}</code></td><td>{rows}</td>"
            f"<td>{escape(query_page.description)}</td></tr>"
        )
    parts.append("</tbody></table></section>")
    return "".join(parts)


def _pictures_section(pictures: Sequence[Picture]) -> str:
    """The pictures, the ontology reference, and a preview of the graph."""
    parts = ['<section id="pictures"><h2>Pictures</h2><ul>']
    for picture in pictures:
        detail = f" ({escape(picture.detail)})" if picture.detail else ""
        name = escape(picture.title)
        if picture.path:
            name = f'<a href="{escape(picture.path)}">{name}</a>'
        parts.append(f"<li>{name}{detail}</li>")
    parts.append(
        '</ul><p><a href="ontology.html">The ontology reference</a>: every class, property '
        "and controlled vocabulary, with English and German labels.</p>"
    )
    if any(p.path == "graph.svg" for p in pictures):
        parts.append('<img class="preview" src="graph.svg" alt="The knowledge graph">')
    parts.append("</section>")
    return "".join(parts)


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
    # The ontology's class axioms too: an official results file is a source document.
    sources = publications(knowledge.store, knowledge.data_graphs, knowledge.ontology_graphs)
    for publication in sources:
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
