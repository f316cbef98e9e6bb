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
from kg.model.namespaces import shorten
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
SELECT ?decision ?report ?status ?validAt ?expected ?source ?published WHERE {
  ?report a ms:StatusReport ; ms:decision ?decision .
  OPTIONAL { ?report ms:decisionStatus ?status }
  OPTIONAL { ?report ms:validAt ?validAt }
  OPTIONAL { ?report ms:expectedTime ?expected }
  OPTIONAL { ?report ms:statedIn ?source . OPTIONAL { ?source ms:published ?published } }
}
"""

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
) -> TimelineSummary:
    """Each decision's reported statuses and expected windows over time, with the as-of line.

    With `as_of` (and no `graphs`), only the sources published by that day are read.
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
    labels = fetch_labels(store, label_terms, lang)
    questions = _questions(knowledge, decisions, lang, graphs)
    content = timeline_bytes(
        decisions,
        sorted(
            reports.values(), key=lambda r: (r.decision, r.valid or (date.min, date.min), r.report)
        ),
        sorted(outcomes, key=lambda o: (o[0], o[1] or (date.min, date.min), o[2])),
        lambda iri: labels.of(URIRef(iri)) if iri else "",
        questions,
        as_of,
        title or ("Decisions" if lang == "en" else "Entscheidungen"),
        chosen,
        lang,
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


def _reports(reader: _Reader) -> dict[str, Report]:
    """The status reports by IRI, each with when it held and the window it expected."""
    reports: dict[str, Report] = {}
    for row in reader.store.query(_REPORTS_QUERY, graphs=reader.graphs).dicts():
        decision, report = row["decision"], row["report"]
        if decision is None or report is None or str(report) in reports:
            continue
        where = f"status report {shorten(str(report))}"
        valid, _ = reader.interval(row.get("validAt"), f"{where}: ms:validAt")
        if valid is None:
            valid, _ = reader.interval(row.get("published"), f"{where}: its source's ms:published")
        expected, expected_text = reader.interval(row.get("expected"), f"{where}: ms:expectedTime")
        reports[str(report)] = Report(
            str(decision),
            str(report),
            str(row.get("status") or ""),
            valid,
            expected,
            expected_text,
        )
    return reports


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
