"""A reference page of the ontology, generated from the ontology itself.

pyLODE is the ecosystem's tool for this, but it fetches things from the web
and brings heavy dependencies; the project's ontology is small and regular,
so the page is written here: classes, properties and concept schemes, each
with its English and German labels, definition, domain and range, alignments
to external vocabularies, and an anchor per term, under a table of contents.

External terms are shown as prefixed names (with the full IRI as a tooltip),
not as links: the site works offline and links only to its own files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.model.namespaces import MS, MSV, shorten

LANGUAGES = ("en", "de")
ALIGNMENT_PREDICATES = (
    (RDFS.subClassOf, "subclass of"),
    (RDFS.subPropertyOf, "subproperty of"),
    (OWL.equivalentClass, "equivalent class"),
    (OWL.equivalentProperty, "equivalent property"),
    (OWL.inverseOf, "inverse of"),
    (SKOS.exactMatch, "exact match"),
    (SKOS.closeMatch, "close match"),
    (SKOS.broadMatch, "broad match"),
    (SKOS.narrowMatch, "narrow match"),
    (SKOS.relatedMatch, "related match"),
)
PROPERTY_KINDS = (
    (OWL.ObjectProperty, "Object properties", "object-properties"),
    (OWL.DatatypeProperty, "Datatype properties", "datatype-properties"),
    (OWL.AnnotationProperty, "Annotation properties", "annotation-properties"),
    (RDF.Property, "Other properties (literal or node values)", "other-properties"),
)


@dataclass(frozen=True)
class OntologyStats:
    classes: int
    properties: int
    schemes: int
    concepts: int


def anchor(term: Node) -> str:
    """The fragment id of a term on the page: `ms:Claim` -> `ms-Claim`."""
    short = shorten(str(term))
    if short.startswith("<"):
        return "term-" + "".join(c if c.isalnum() else "-" for c in str(term))
    return short.replace(":", "-")


def is_own(term: Node) -> bool:
    return isinstance(term, URIRef) and (
        str(term).startswith(str(MS)) or str(term).startswith(str(MSV))
    )


def stats(ontology: Graph) -> OntologyStats:
    classes = _own(ontology.subjects(RDF.type, OWL.Class))
    properties = {
        p for kind, _, _ in PROPERTY_KINDS for p in _own(ontology.subjects(RDF.type, kind))
    }
    schemes = _own(ontology.subjects(RDF.type, SKOS.ConceptScheme))
    concepts = _own(ontology.subjects(RDF.type, SKOS.Concept))
    return OntologyStats(len(classes), len(properties), len(schemes), len(concepts))


def _own(nodes: Iterable[Node]) -> list[URIRef]:
    return sorted({n for n in nodes if isinstance(n, URIRef) and is_own(n)}, key=str)


def _labels(graph: Graph, term: Node) -> dict[str, str]:
    found: dict[str, str] = {}
    for predicate in (SKOS.prefLabel, RDFS.label):
        for value in sorted(graph.objects(term, predicate), key=str):
            if isinstance(value, Literal):
                found.setdefault(value.language or "", str(value))
    return found


def label(graph: Graph, term: Node, lang: str = "en") -> str:
    labels = _labels(graph, term)
    for preference in (lang, "en", ""):
        if preference in labels:
            return labels[preference]
    return shorten(str(term)) if isinstance(term, URIRef) else "(anonymous)"


def term_html(graph: Graph, term: Node, page: str = "") -> str:
    """A link to a term's anchor when the ontology defines it, else its prefixed name."""
    if isinstance(term, BNode):
        return _anonymous(graph, term, page)
    if isinstance(term, Literal):
        return escape(str(term))
    short = escape(shorten(str(term)))
    if is_own(term) and (term, None, None) in graph:
        title = escape(label(graph, term))
        return f'<a href="{page}#{anchor(term)}" title="{title}"><code>{short}</code></a>'
    return f'<code title="{escape(str(term))}">{short}</code>'


def _anonymous(graph: Graph, node: BNode, page: str) -> str:
    for predicate, word in ((OWL.unionOf, " or "), (OWL.intersectionOf, " and ")):
        members = graph.value(node, predicate)
        if members is not None:
            items = [term_html(graph, item, page) for item in Collection(graph, members)]
            return word.join(sorted(items))
    return "(an anonymous class)"


def _values(graph: Graph, term: Node, predicate: URIRef) -> list[Node]:
    return sorted(graph.objects(term, predicate), key=lambda n: (isinstance(n, BNode), str(n)))


def _definitions(graph: Graph, term: Node) -> str:
    parts = []
    for value in sorted(graph.objects(term, SKOS.definition), key=lambda v: _lang_rank(v)):
        lang = value.language if isinstance(value, Literal) else None
        attribute = f' lang="{escape(lang)}"' if lang else ""
        parts.append(f'<p class="definition"{attribute}>{escape(str(value))}</p>')
    for value in sorted(graph.objects(term, RDFS.comment), key=lambda v: _lang_rank(v)):
        parts.append(f'<p class="comment">{escape(str(value))}</p>')
    return "".join(parts)


def _lang_rank(value: Node) -> tuple[int, str]:
    lang = value.language if isinstance(value, Literal) else None
    order = {"en": 0, "de": 1}
    return (order.get(lang or "", 2), str(value))


def _label_rows(graph: Graph, term: Node) -> str:
    labels = _labels(graph, term)
    rows = []
    for lang in LANGUAGES:
        if lang in labels:
            rows.append(
                f'<tr><th>label ({lang})</th><td lang="{lang}">{escape(labels[lang])}</td></tr>'
            )
    return "".join(rows)


def _row(name: str, cells: list[str]) -> str:
    if not cells:
        return ""
    return f"<tr><th>{escape(name)}</th><td>{', '.join(cells)}</td></tr>"


def _term_section(graph: Graph, term: URIRef, kind: str, extra_rows: str = "") -> str:
    rows = [
        f"<tr><th>IRI</th><td><code>{escape(str(term))}</code></td></tr>",
        _label_rows(graph, term),
    ]
    for predicate, name in ALIGNMENT_PREDICATES:
        rows.append(_row(name, [term_html(graph, v) for v in _values(graph, term, predicate)]))
    rows.append(extra_rows)
    heading = escape(label(graph, term))
    return (
        f'<section class="term" id="{anchor(term)}">'
        f"<h3>{heading} <small><code>{escape(shorten(str(term)))}</code>"
        f" · {escape(kind)}</small></h3>"
        f"{_definitions(graph, term)}"
        f'<table class="term-facts">{"".join(rows)}</table></section>\n'
    )


def _class_section(graph: Graph, term: URIRef) -> str:
    subclasses = [term_html(graph, s) for s in _own(graph.subjects(RDFS.subClassOf, term))]
    as_domain = [term_html(graph, p) for p in _own(graph.subjects(RDFS.domain, term))]
    as_range = [term_html(graph, p) for p in _own(graph.subjects(RDFS.range, term))]
    schemes = [
        term_html(graph, s)
        for s in _own(
            scheme
            for concept in graph.subjects(RDF.type, term)
            for scheme in graph.objects(concept, SKOS.inScheme)
        )
    ]
    extra = (
        _row("subclasses", subclasses)
        + _row("properties with this domain", as_domain)
        + _row("properties with this range", as_range)
        + _row("values from", schemes)
    )
    return _term_section(graph, term, "class", extra)


def _property_section(graph: Graph, term: URIRef, kind: str) -> str:
    characteristics = [
        shorten(str(t))
        for t in sorted(graph.objects(term, RDF.type), key=str)
        if t not in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
    ]
    extra = (
        _row("domain", [term_html(graph, d) for d in _values(graph, term, RDFS.domain)])
        + _row("range", [term_html(graph, r) for r in _values(graph, term, RDFS.range)])
        + _row("characteristics", [f"<code>{escape(c)}</code>" for c in characteristics])
    )
    return _term_section(graph, term, kind, extra)


def _scheme_section(graph: Graph, scheme: URIRef) -> str:
    concepts = _own(graph.subjects(SKOS.inScheme, scheme))
    rows = []
    for concept in concepts:
        labels = _labels(graph, concept)
        notation = ", ".join(str(n) for n in _values(graph, concept, SKOS.notation))
        broader = ", ".join(term_html(graph, b) for b in _values(graph, concept, SKOS.broader))
        definition = " ".join(
            str(d) for d in _values(graph, concept, SKOS.definition) if _lang_rank(d)[0] == 0
        )
        rows.append(
            f'<tr id="{anchor(concept)}"><td><code>{escape(shorten(str(concept)))}</code></td>'
            f'<td lang="en">{escape(labels.get("en", ""))}</td>'
            f'<td lang="de">{escape(labels.get("de", ""))}</td>'
            f"<td>{escape(notation)}</td><td>{broader}</td><td>{escape(definition)}</td></tr>"
        )
    table = (
        '<table class="concepts"><thead><tr><th>concept</th><th>label (en)</th>'
        "<th>label (de)</th><th>notation</th><th>broader</th><th>definition</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    heading = escape(label(graph, scheme))
    return (
        f'<section class="term" id="{anchor(scheme)}">'
        f"<h3>{heading} <small><code>{escape(shorten(str(scheme)))}</code> · concept scheme"
        f"</small></h3>{_definitions(graph, scheme)}{table}</section>\n"
    )


def render_body(ontology: Graph) -> str:
    """The reference as an HTML fragment (table of contents first)."""
    header = _ontology_header(ontology)
    groups: list[tuple[str, str, list[tuple[URIRef, str]]]] = []
    classes = _own(ontology.subjects(RDF.type, OWL.Class))
    groups.append(("Classes", "classes", [(c, _class_section(ontology, c)) for c in classes]))
    seen: set[URIRef] = set()
    for kind, title, slug in PROPERTY_KINDS:
        members = [p for p in _own(ontology.subjects(RDF.type, kind)) if p not in seen]
        seen.update(members)
        singular = title.split(" (")[0].lower().rstrip("s")
        groups.append(
            (title, slug, [(p, _property_section(ontology, p, singular)) for p in members])
        )
    schemes = _own(ontology.subjects(RDF.type, SKOS.ConceptScheme))
    groups.append(
        ("Concept schemes", "concept-schemes", [(s, _scheme_section(ontology, s)) for s in schemes])
    )
    toc = ['<nav class="toc"><h2>Contents</h2><ol>']
    sections = []
    for title, slug, entries in groups:
        if not entries:
            continue
        items = "".join(
            f'<li><a href="#{anchor(term)}">{escape(label(ontology, term))}</a> '
            f"<code>{escape(shorten(str(term)))}</code></li>"
            for term, _ in entries
        )
        toc.append(
            f'<li><a href="#{slug}">{escape(title)}</a> ({len(entries)})<ol>{items}</ol></li>'
        )
        sections.append(
            f'<section id="{slug}"><h2>{escape(title)}</h2>'
            + "".join(html for _, html in entries)
            + "</section>"
        )
    toc.append("</ol></nav>")
    return header + "".join(toc) + "".join(sections)


def _ontology_header(ontology: Graph) -> str:
    parts = []
    for node in sorted(ontology.subjects(RDF.type, OWL.Ontology), key=str):
        titles = {
            v.language or "": str(v)
            for v in ontology.objects(node, DCTERMS.title)
            if isinstance(v, Literal)
        }
        descriptions = sorted(ontology.objects(node, DCTERMS.description), key=_lang_rank)
        version = ontology.value(node, OWL.versionInfo)
        licence = ontology.value(node, DCTERMS.license)
        parts.append(
            f'<section class="ontology-header"><h2>{escape(titles.get("en", str(node)))}</h2>'
        )
        parts.append(f"<p>IRI: <code>{escape(str(node))}</code></p>")
        if version is not None:
            parts.append(f"<p>Version: {escape(str(version))}</p>")
        if licence is not None:
            parts.append(f"<p>Licence: <code>{escape(str(licence))}</code></p>")
        for value in descriptions:
            lang = value.language if isinstance(value, Literal) else None
            attribute = f' lang="{escape(lang)}"' if lang else ""
            parts.append(f"<p{attribute}>{escape(str(value))}</p>")
        parts.append("</section>")
    return "".join(parts)
