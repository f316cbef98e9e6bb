"""The evidence check: every quoted span of a claim is really in its source's text.

SHACL cannot read files, so mss:TextClaimShape only requires that a claim stated in
a text source carries ms:evidence (or ms:quoteText). This check reads the text
files: for every claim with `ms:statedIn ?source` where `?source ms:textFile ?path`,

- each ms:evidence and ms:quoteText value of the claim must occur in the text of
  one of those sources, character for character (the rule the bundled data's own
  test applies: no whitespace or case folding; the file is read as UTF-8 with
  universal newlines). A miss is a violation on the claim naming the source, the
  text file and the start of the missing span;
- the text file must be there and readable as UTF-8: if not, that is a violation
  on the source document naming the path.

Where the text file is: ms:textFile is a path relative to the data folder, as
in the bundled layout (data/articles/a.ttl says "sources/a.txt" for
data/sources/a.txt). kg looks for it below the folder of the RDF file that
states the ms:textFile, then below each folder above that one, and takes the
first file it finds; this works the same for the knowledge (`kg validate`, any
data folder) and for `kg validate FILE...`. A path that mss:SourceDocument-textFile
refuses (absolute, or with a ".." segment) is left to that shape and not read.

The results are kg's own, not SHACL's: their source shape is
mss:EvidenceInTextCheck, which no shapes file declares, and their constraint
component mss:EvidenceInTextComponent or mss:TextFileComponent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from kg.model.files import display_path
from kg.model.namespaces import MS, MSS, new_graph, prefix_lines
from kg.validation.shacl import ValidationReport, ValidationResult, label_rank, shown

if TYPE_CHECKING:
    from kg.knowledge.project import Knowledge

EVIDENCE_CHECK = MSS["EvidenceInTextCheck"]
EVIDENCE_COMPONENT = MSS["EvidenceInTextComponent"]
TEXT_FILE_COMPONENT = MSS["TextFileComponent"]
SPAN_PROPERTIES = (MS.evidence, MS.quoteText)
SHOWN_SPAN_LENGTH = 60


@dataclass(frozen=True)
class TextFileStatement:
    """`source ms:textFile path`, as stated in the RDF file `stated_in`."""

    source: Node
    path: Node
    stated_in: Path


@dataclass(frozen=True)
class QuotedSpan:
    """An ms:evidence or ms:quoteText value of a claim stated in `source`."""

    claim: Node
    source: Node
    prop: URIRef
    span: Node


@dataclass(frozen=True)
class EvidenceFacts:
    """What the check reads from the data, and how to name what it reports on."""

    text_files: tuple[TextFileStatement, ...]
    spans: tuple[QuotedSpan, ...]
    describe: Callable[[Node], Iterable[tuple[Node, Node]]]
    source_files: Mapping[Node, str]


@dataclass(frozen=True)
class _Text:
    """A source's text file: where it is and what it says (None when it cannot be read)."""

    path: Path
    text: str | None
    problem: str = ""


@dataclass(frozen=True)
class _Hit:
    focus: Node
    prop: URIRef
    value: Node
    component: URIRef
    message: str


# --- reading the facts ---------------------------------------------------------------

_TEXT_FILES = """
SELECT ?source ?path ?graph WHERE { GRAPH ?graph { ?source ms:textFile ?path } }
"""
_SPANS = """
SELECT DISTINCT ?claim ?source ?prop ?span WHERE {
    ?claim ms:statedIn ?source .
    ?source ms:textFile ?path .
    { ?claim ms:evidence ?span . BIND (ms:evidence AS ?prop) }
    UNION
    { ?claim ms:quoteText ?span . BIND (ms:quoteText AS ?prop) }
}
"""
_DESCRIBE = """
SELECT ?p ?o WHERE {
    ?node ?p ?o .
    FILTER (?p = rdf:type || ?p = skos:prefLabel || ?p = rdfs:label)
}
"""
_PREFIXES = prefix_lines(
    [("ms", str(MS)), ("rdf", str(RDF)), ("rdfs", str(RDFS)), ("skos", str(SKOS))]
)


def facts_of_knowledge(
    knowledge: Knowledge,
    source_files: Mapping[Node, str],
    data: Graph | None = None,
    ontology: Graph | None = None,
) -> EvidenceFacts:
    """The facts of the knowledge (either store), over its data files.

    Which file states each ms:textFile comes from the store's named graphs; the
    rest from `data` and `ontology` when the caller has them as rdflib graphs
    already (cheaper than SPARQL on the in-memory store), else from the store.
    """
    store = knowledge.store
    files = {item.graph: item.path for item in knowledge.files if item.kind == "data"}
    text_files = tuple(
        TextFileStatement(source, path, files[str(graph)])
        for source, path, graph in store.query(_PREFIXES + _TEXT_FILES).rows
        if source is not None and path is not None and str(graph) in files
    )
    if not text_files:
        return EvidenceFacts((), (), lambda _node: (), source_files)
    if data is not None:
        graphs = (data, *([ontology] if ontology is not None else []))
        return EvidenceFacts(
            text_files, _spans_in(data, text_files), _describer(graphs), source_files
        )
    spans = tuple(
        QuotedSpan(claim, source, URIRef(str(prop)), span)
        for claim, source, prop, span in store.query(_PREFIXES + _SPANS).rows
        if claim is not None and source is not None and span is not None
    )

    def describe(node: Node) -> list[tuple[Node, Node]]:
        if not isinstance(node, URIRef):
            return []
        answer = store.query(_PREFIXES + _DESCRIBE, bindings={"node": node})
        return [(p, o) for p, o in answer.rows if p is not None and o is not None]

    return EvidenceFacts(text_files, spans, describe, source_files)


def facts_of_files(
    parsed: Sequence[tuple[Path, Graph]],
    data: Graph,
    ontology: Graph,
    source_files: Mapping[Node, str],
) -> EvidenceFacts:
    """The facts of the files given to `kg validate FILE...` (`data` is their union)."""
    text_files = tuple(
        TextFileStatement(source, path, file)
        for file, graph in parsed
        for source, path in graph.subject_objects(MS.textFile)
    )
    return EvidenceFacts(
        text_files, _spans_in(data, text_files), _describer((data, ontology)), source_files
    )


def _spans_in(data: Graph, text_files: Sequence[TextFileStatement]) -> tuple[QuotedSpan, ...]:
    with_text = {statement.source for statement in text_files}
    return tuple(
        QuotedSpan(claim, source, prop, span)
        for claim, source in data.subject_objects(MS.statedIn)
        if source in with_text
        for prop in SPAN_PROPERTIES
        for span in data.objects(claim, prop)
    )


def _describer(graphs: Sequence[Graph]) -> Callable[[Node], list[tuple[Node, Node]]]:
    def describe(node: Node) -> list[tuple[Node, Node]]:
        return [
            (p, o)
            for graph in graphs
            for predicate in (RDF.type, SKOS.prefLabel, RDFS.label)
            for p, o in ((predicate, o) for o in graph.objects(node, predicate))
        ]

    return describe


# --- the check -----------------------------------------------------------------------


def check_evidence(facts: EvidenceFacts) -> tuple[list[ValidationResult], Graph]:
    """The violations, as results and as SHACL result nodes for the report graph."""
    texts: dict[Node, list[_Text]] = {}
    hits: list[_Hit] = []
    read: dict[Path, _Text] = {}
    for source, statements in _by_source(facts.text_files).items():
        for statement in statements:
            found = _text_of(statement, read, hits)
            if found is not None:
                texts.setdefault(source, []).append(found)
    hits.extend(_missing_spans(facts.spans, texts))
    if not hits:
        return [], new_graph()
    files = facts.source_files
    fallback = {s.source: display_path(s.stated_in) for s in facts.text_files}
    names = _Names(facts.describe)
    results = [
        ValidationResult(
            focus=shown(hit.focus),
            focus_label=names.label(hit.focus),
            focus_type=names.type_label(hit.focus),
            severity="violation",
            message=hit.message,
            path=shown(hit.prop),
            value=shown(hit.value),
            shape=shown(EVIDENCE_CHECK),
            source_file=files.get(hit.focus, fallback.get(hit.focus)),
        )
        for hit in hits
    ]
    return results, _result_graph(hits)


def _by_source(statements: Sequence[TextFileStatement]) -> dict[Node, list[TextFileStatement]]:
    grouped: dict[Node, list[TextFileStatement]] = {}
    for statement in sorted(statements, key=lambda s: (str(s.source), str(s.path), s.stated_in)):
        if _checked_path(statement.path) is not None:
            grouped.setdefault(statement.source, []).append(statement)
    return grouped


def _checked_path(value: Node) -> PurePosixPath | None:
    """The relative path to look for; None for what mss:SourceDocument-textFile refuses."""
    if not isinstance(value, Literal) or not str(value):
        return None
    path = PurePosixPath(str(value))
    if path.is_absolute() or ".." in path.parts:
        return None
    return path


def find_text_file(stated_in: Path, relative: PurePosixPath) -> Path | None:
    """The first `folder/relative` that is a file, from stated_in's folder upwards."""
    folder = stated_in.resolve().parent
    for base in (folder, *folder.parents):
        candidate = base.joinpath(*relative.parts)
        if candidate.is_file():
            return candidate
    return None


def _text_of(
    statement: TextFileStatement, read: dict[Path, _Text], hits: list[_Hit]
) -> _Text | None:
    relative = _checked_path(statement.path)
    assert relative is not None
    where = display_path(statement.stated_in.parent)
    location = find_text_file(statement.stated_in, relative)
    if location is None:
        hits.append(
            _Hit(
                statement.source,
                MS.textFile,
                statement.path,
                TEXT_FILE_COMPONENT,
                f'The text file "{relative}" (ms:textFile) is not there: kg looked below '
                f"{where} and every folder above it. ms:textFile is relative to the data "
                f'folder ("sources/x.txt" for data/sources/x.txt); add the file, or '
                "correct the path.",
            )
        )
        return None
    if location not in read:
        try:
            read[location] = _Text(location, location.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            read[location] = _Text(location, None, str(error))
    found = read[location]
    if found.text is None:
        hits.append(
            _Hit(
                statement.source,
                MS.textFile,
                statement.path,
                TEXT_FILE_COMPONENT,
                f"The text file {display_path(location)} (ms:textFile) cannot be read "
                f"as UTF-8 text ({found.problem}); save it as UTF-8, or correct the path.",
            )
        )
        return None
    return found


def _missing_spans(spans: Sequence[QuotedSpan], texts: Mapping[Node, list[_Text]]) -> list[_Hit]:
    """Spans in none of the readable texts of their claim's sources.

    A claim stated in several text sources quotes one of them, so a span must be in
    at least one. When one of its text files cannot be read the span is not judged:
    that file is reported already, and the span may well be in it.
    """
    # Keyed by the terms' text (with the literal's language and datatype): a stable order.
    sources: dict[tuple[str, ...], tuple[QuotedSpan, set[Node]]] = {}
    for span in spans:
        value = span.span
        language = value.language if isinstance(value, Literal) else None
        datatype = value.datatype if isinstance(value, Literal) else None
        key = (str(span.claim), str(span.prop), str(value), str(language), str(datatype))
        sources.setdefault(key, (span, set()))[1].add(span.source)
    hits = []
    for _key, (first, stated_in) in sorted(sources.items(), key=lambda item: item[0]):
        claim, prop, value = first.claim, first.prop, first.span
        if any(source not in texts for source in stated_in):
            continue
        candidates = sorted(
            ((str(source), text) for source in stated_in for text in texts[source]),
            key=lambda candidate: (candidate[0], candidate[1].path),
        )
        if any(str(value) in (text.text or "") for _, text in candidates):
            continue
        where = ", ".join(
            f"{shown(URIRef(source))} ({display_path(text.path)})" for source, text in candidates
        )
        hits.append(
            _Hit(
                claim,
                prop,
                value,
                EVIDENCE_COMPONENT,
                f'The {shown(prop)} "{_shortened(str(value))}" is not in the text of {where}: '
                "copy the span exactly as the text file has it (same spaces, punctuation "
                "and case), or state the claim in the source that says it.",
            )
        )
    return hits


def _shortened(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= SHOWN_SPAN_LENGTH:
        return flat
    return flat[: SHOWN_SPAN_LENGTH - 1].rstrip() + "…"


class _Names:
    """Labels and types of the reported nodes, by kg.validation's rules."""

    def __init__(self, describe: Callable[[Node], Iterable[tuple[Node, Node]]]) -> None:
        self.describe = describe

    def _values(self, node: Node, *predicates: Node) -> list[Node]:
        return [o for p, o in self.describe(node) if p in predicates]

    def label(self, node: Node) -> str:
        for predicate in (SKOS.prefLabel, RDFS.label):
            labels = sorted(self._values(node, predicate), key=label_rank)
            if labels:
                return str(labels[0])
        return shown(node)

    def type_label(self, node: Node) -> str:
        types = sorted(set(self._values(node, RDF.type)), key=str)
        if not types:
            return "untyped"
        return ", ".join(self.label(t) for t in types)


def _result_graph(hits: Sequence[_Hit]) -> Graph:
    graph = new_graph()
    for hit in hits:
        result = BNode()
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, hit.focus))
        graph.add((result, SH.resultPath, hit.prop))
        graph.add((result, SH.value, hit.value))
        graph.add((result, SH.resultSeverity, SH.Violation))
        graph.add((result, SH.sourceShape, EVIDENCE_CHECK))
        graph.add((result, SH.sourceConstraintComponent, hit.component))
        graph.add((result, SH.resultMessage, Literal(hit.message, lang="en")))
    return graph


# --- joining the SHACL report --------------------------------------------------------


def _order(result: ValidationResult) -> tuple[str, ...]:
    return (
        result.source_file or "",
        result.focus,
        result.severity,
        result.path or "",
        result.message,
        result.value or "",
    )


def with_evidence(report: ValidationReport, facts: EvidenceFacts) -> ValidationReport:
    """`report` with the evidence check's results in place of any it held before."""
    results, triples = check_evidence(facts)
    kept = [r for r in report.results if r.shape != shown(EVIDENCE_CHECK)]
    if not results and len(kept) == len(report.results):
        return report
    combined = tuple(sorted([*kept, *results], key=_order))

    def report_graph() -> Graph:
        graph = new_graph()
        for triple in report.report_graph:
            graph.add(triple)
        for triple in triples:
            graph.add(triple)
        for node in list(graph.subjects(RDF.type, SH.ValidationReport)):
            graph.set((node, SH.conforms, Literal(not combined)))
            for result in triples.subjects(RDF.type, SH.ValidationResult):
                graph.add((node, SH.result, result))
        return graph

    return ValidationReport(
        results=combined, entities_checked=report.entities_checked, graph_maker=report_graph
    )
