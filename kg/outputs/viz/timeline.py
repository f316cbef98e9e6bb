"""The decision timeline: each decision's status reports, expected windows and outcome,
read from the store for `decision_timeline` (timeline_chart draws them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rdflib import Literal as RDFLiteral
from rdflib import URIRef
from rdflib.term import Node

from kg.model.errors import UsageError
from kg.model.namespaces import MSV, shorten
from kg.outputs.viz.files import write_file
from kg.outputs.viz.formats import output_format
from kg.outputs.viz.timeline_chart import Outcome, Report, timeline_bytes

if TYPE_CHECKING:
    from kg.knowledge.project import Knowledge
    from kg.stores.base import Store


@dataclass(frozen=True)
class TimelineSummary:
    """What `decision_timeline` drew."""

    path: Path
    decisions: int
    reports: int
    written: bool


_REPORTS_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
PREFIX schema: <https://schema.org/>
SELECT ?decision ?report ?status ?validAt ?expected ?source ?published ?outlet WHERE {
  ?report a ms:StatusReport ; ms:decision ?decision .
  OPTIONAL { ?report ms:decisionStatus ?status }
  OPTIONAL { ?report ms:validAt ?validAt }
  OPTIONAL { ?report ms:expectedTime ?expected }
  OPTIONAL {
    ?report ms:statedIn ?source .
    OPTIONAL { ?source ms:published ?published }
    OPTIONAL { ?source schema:publisher|ms:interviewGivenTo ?outlet }
  }
}
"""

# A report whose status is one of these has no decision left to wait for.
_SETTLED = (str(MSV.Decided), str(MSV.Dropped))

_DECISIONS_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?decision WHERE {
  { ?decision a ms:Decision } UNION { ?claim ms:decision ?decision }
}
"""

_OUTCOMES_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?decision ?outcome ?decidedAt ?chosen WHERE {
  ?outcome a ms:Outcome ; ms:decision ?decision .
  OPTIONAL { ?outcome ms:decidedAt ?decidedAt }
  OPTIONAL { ?outcome ms:chosenOption ?chosen }
}
"""


def decision_timeline(
    knowledge: Knowledge,
    path: Path,
    *,
    as_of: date | None = None,
    lang: str = "en",
    graphs: Sequence[str] | None = None,
    title: str | None = None,
    format: str | None = None,
    today: date | None = None,
    mark_today: bool = True,
) -> TimelineSummary:
    """Each decision's reported statuses, with the source of each report, and expected
    windows over time; a line on the as-of day, else on `today` (default: the current
    date), and the decisions still awaited whose expected window ended before that day
    marked overdue.

    With `as_of` (and no `graphs`), only the sources published by that day are read.
    `mark_today=False` draws no today line and judges nothing overdue: for pictures
    that must not change from one day to the next.
    """
    chosen = output_format(path, format)
    if chosen not in ("svg", "png"):
        raise UsageError(f"{path}: the decision timeline is a picture; name the file .svg or .png")
    if as_of is not None and graphs is None:
        from kg.knowledge.asof import visible_graphs

        graphs = visible_graphs(knowledge, as_of)
    store = knowledge.store
    from kg.answers.labels import fetch_labels

    reader = _Reader(store, graphs, lang)
    reports = _reports(reader)
    decisions = _decisions(reader, reports)
    outcomes = _outcomes(reader)
    label_terms: list[Any] = [URIRef(d) for d in decisions]
    label_terms += [URIRef(r.status) for r in reports.values() if r.status]
    label_terms += [URIRef(c) for _, _, c in outcomes if c]
    label_terms += [URIRef(i) for r in reports.values() for pair in r.sources for i in pair if i]
    labels = fetch_labels(store, label_terms, lang)
    reports = {key: _with_source_text(r, labels, lang) for key, r in reports.items()}
    questions = _questions(knowledge, decisions, lang, graphs)
    ordered = sorted(
        reports.values(), key=lambda r: (r.decision, r.valid or (date.min, date.min), r.report)
    )
    day = as_of or (today or date.today() if mark_today else None)
    late = overdue(ordered, outcomes, day) if day is not None else set()
    content = timeline_bytes(
        decisions,
        ordered,
        sorted(outcomes, key=lambda o: (o[0], o[1] or (date.min, date.min), o[2])),
        lambda iri: labels.of(URIRef(iri)) if iri else "",
        questions,
        as_of,
        title or ("Decisions" if lang == "en" else "Entscheidungen"),
        chosen,
        lang,
        today=None if as_of is not None or day is None else day,
        overdue=late,
    )
    written = write_file(path, content)
    return TimelineSummary(path, len(decisions), len(reports), written)


@dataclass(frozen=True)
class _Reader:
    """Where the timeline is read from: the store, the graphs (None: all), the language."""

    store: Store
    graphs: Sequence[str] | None
    lang: str

    def interval(self, node: Node | None, where: str) -> tuple[tuple[date, date] | None, str]:
        """A time value as (earliest, latest) days, None if unbounded, and in words."""
        from kg.knowledge import timespec
        from kg.model import timeutil

        if node is None:
            return None, ""
        found = timespec.from_node(self.store, cast("Any", node), self.graphs, where)
        low = found.earliest or found.latest
        high = found.latest or found.earliest
        if low is None or high is None:
            return None, timeutil.format_interval(found, self.lang)
        return (low, high), timeutil.format_interval(found, self.lang)


def overdue(reports: Sequence[Report], outcomes: Sequence[Outcome], day: date) -> set[str]:
    """The decisions still awaited on `day` whose expected window had ended before it:
    no outcome, the latest report neither decided nor dropped, and the latest expected
    window (of the latest report that gives one) over."""
    decided = {decision for decision, _, _ in outcomes}
    latest: dict[str, Report] = {}
    expected: dict[str, tuple[date, date]] = {}
    for report in reports:  # in time order per decision
        latest[report.decision] = report
        if report.expected is not None:
            expected[report.decision] = report.expected
    return {
        decision
        for decision, report in latest.items()
        if decision not in decided
        and report.status not in _SETTLED
        and decision in expected
        and expected[decision][1] < day
    }


def _with_source_text(report: Report, labels: Any, lang: str) -> Report:
    """The report with its sources in words: "Motorsport-Total.com, July 2023"."""
    import dataclasses

    texts = []
    for source, outlet in report.sources:
        name = labels.of(URIRef(outlet)) if outlet else labels.of(URIRef(source))
        when = report.published.get(source, "")
        texts.append(f"{name}, {when}" if when else name)
    return dataclasses.replace(report, source_text="; ".join(dict.fromkeys(texts)))


def _reports(reader: _Reader) -> dict[str, Report]:
    """The status reports by IRI, each with when it held, the window it expected and
    the sources that state it (with their outlet and publication date)."""
    from kg.knowledge import timespec
    from kg.outputs.viz.when import in_words

    reports: dict[str, Report] = {}
    for row in reader.store.query(_REPORTS_QUERY, graphs=reader.graphs).dicts():
        decision, report = row["decision"], row["report"]
        if decision is None or report is None:
            continue
        source = row.get("source")
        if str(report) in reports:
            known = reports[str(report)]
            if source is not None:
                pair = (str(source), str(row.get("outlet") or ""))
                if pair not in known.sources:
                    known.sources.append(pair)
                    known.sources.sort()
            continue
        where = f"status report {shorten(str(report))}"
        valid, _ = reader.interval(row.get("validAt"), f"{where}: ms:validAt")
        if valid is None:
            valid, _ = reader.interval(row.get("published"), f"{where}: its source's ms:published")
        expected, expected_text = reader.interval(row.get("expected"), f"{where}: ms:expectedTime")
        entry = Report(
            str(decision),
            str(report),
            str(row.get("status") or ""),
            valid,
            expected,
            expected_text,
        )
        if source is not None:
            entry.sources.append((str(source), str(row.get("outlet") or "")))
        reports[str(report)] = entry
    # When each source appeared, in words, read once per source.
    for entry in reports.values():
        for source_iri, _ in entry.sources:
            if source_iri in entry.published:
                continue
            published = _published(reader, source_iri)
            if published is not None:
                found = timespec.from_node(
                    reader.store, published, reader.graphs, f"source {shorten(source_iri)}"
                )
                entry.published[source_iri] = in_words(found, reader.lang)
    return reports


_PUBLISHED_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?published WHERE { ?source ms:published ?published }
"""


def _published(reader: _Reader, source: str) -> Any:
    rows = reader.store.query(
        _PUBLISHED_QUERY, bindings={"source": URIRef(source)}, graphs=reader.graphs
    ).rows
    values = sorted((row[0] for row in rows if row[0] is not None), key=str)
    return values[0] if values else None


def _decisions(reader: _Reader, reports: Mapping[str, Report]) -> list[str]:
    """Every decision, named as one or reported on, in IRI order."""
    return sorted(
        {
            str(r["decision"])
            for r in reader.store.query(_DECISIONS_QUERY, graphs=reader.graphs).dicts()
            if r["decision"]
        }
        | {r.decision for r in reports.values()}
    )


def _outcomes(reader: _Reader) -> list[Outcome]:
    """Each outcome's decision, when it was decided and the option chosen."""
    outcomes: list[Outcome] = []
    for row in reader.store.query(_OUTCOMES_QUERY, graphs=reader.graphs).dicts():
        if row["decision"] is None:
            continue
        when, _ = reader.interval(row.get("decidedAt"), f"outcome {shorten(str(row['outcome']))}")
        outcomes.append((str(row["decision"]), when, str(row.get("chosen") or "")))
    return outcomes


def _questions(
    knowledge: Knowledge, decisions: Sequence[str], lang: str, graphs: Sequence[str] | None
) -> dict[str, str]:
    query = """
    PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
    SELECT ?question WHERE { ?decision ms:question ?question }
    """
    found: dict[str, str] = {}
    for decision in decisions:
        texts = {
            (q.language or ""): str(q)
            for (q,) in knowledge.store.query(
                query, bindings={"decision": URIRef(decision)}, graphs=graphs
            ).rows
            if isinstance(q, RDFLiteral)
        }
        for language in (lang, "en", ""):
            if language in texts:
                found[decision] = texts[language]
                break
    return found
