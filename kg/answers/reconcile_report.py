"""The checks of kg reconcile as text, and as the derived report that `--write` keeps
in data/imsa/reconciliation.ttl (one ms:Reconciliation claim per check)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from kg.answers.reconcile import (
    CANNOT_SAY,
    CONTRADICTED,
    CORROBORATED,
    DIFFERS,
    REPORT,
    REPORT_TITLE,
    REPORT_TITLE_DE,
    VERDICTS,
    Check,
)
from kg.knowledge.project import Knowledge
from kg.model.namespaces import MS, MSR, new_graph, shorten

# The explanations kg reconcile writes, clause by clause ("; " between clauses), in
# German: fixed clauses here, clauses with values in _GERMAN_PATTERNS.
GERMAN_EXPLANATIONS = {
    "in the official line-up": "in der offiziellen Fahrerbesetzung",
    "not in the official line-up": "nicht in der offiziellen Fahrerbesetzung",
    "same value": "gleicher Wert",
    "matches the position overall and in class": "stimmt gesamt und in der Klasse",
    "matches the position overall": "stimmt mit der Gesamtposition",
    "matches the position in class": "stimmt mit der Klassenposition",
    "matches neither the overall nor the class position": (
        "stimmt weder mit der Gesamt- noch mit der Klassenposition"
    ),
    "the article does not say behind whom or when it counted": (
        "der Artikel sagt nicht, hinter wem oder wann gezählt wurde"
    ),
    "the official results do not say how many laps behind this car finished": (
        "die offiziellen Ergebnisse sagen nicht, mit wie vielen Runden Rückstand dieses "
        "Auto ins Ziel kam"
    ),
    "the article does not say in which class the lap was fastest": (
        "der Artikel sagt nicht, in welcher Klasse die Runde die schnellste war"
    ),
    "the official results name no fastest lap in that class": (
        "die offiziellen Ergebnisse nennen keine schnellste Runde in dieser Klasse"
    ),
    "this car set the fastest lap of the class": "dieses Auto fuhr die schnellste Runde der Klasse",
    "the results do not say which driver set it": (
        "die Ergebnisse sagen nicht, welcher Fahrer sie fuhr"
    ),
    "another car set the fastest lap of the class": (
        "ein anderes Auto fuhr die schnellste Runde der Klasse"
    ),
    "the article does not say which": "der Artikel sagt nicht, welche",
}
_GERMAN_PATTERNS = (
    (
        r"finished (?P<laps>\d+) laps behind the class winner",
        "mit {laps} Runden Rückstand auf den Klassensieger im Ziel",
    ),
    (
        r"(?P<cars>.+) of the same team finished (?P<laps>\d+) laps down, so the article's "
        r"number may be about that car",
        "{cars} desselben Teams kam mit {laps} Runden Rückstand ins Ziel, die Zahl des "
        "Artikels könnte dieses Auto meinen",
    ),
    (
        r"no official race entry of this event fits \((?P<basis>[^()]*)\)",
        "kein offizieller Rennstarter dieser Veranstaltung passt ({basis})",
    ),
    (
        r"several official entries fit \((?P<cars>.*)\) by (?P<basis>[^()]*)",
        "mehrere offizielle Starter passen ({cars}) nach {basis}",
    ),
)
_GERMAN_BASIS = {"car number": "Startnummer", "event only": "nur Veranstaltung"}


def german_explanation(english: str) -> str | None:
    """The German of an explanation kg reconcile wrote, or None where a clause of it
    has no translation (the English then stands alone, rather than half translated)."""
    import re

    clauses = []
    for clause in english.split("; "):
        german = GERMAN_EXPLANATIONS.get(clause)
        for pattern, template in _GERMAN_PATTERNS:
            if german is not None:
                break
            found = re.fullmatch(pattern, clause)
            if found:
                values = found.groupdict()
                if "basis" in values:
                    values["basis"] = _GERMAN_BASIS.get(values["basis"], values["basis"])
                german = template.format(**values)
        if german is None:
            return None
        clauses.append(german)
    return "; ".join(clauses)


def as_text(checks: Sequence[Check]) -> str:
    """Two lines per check: the verdict with both values, then both sources."""
    lines = []
    for check in checks:
        official = check.official or "-"
        lines.append(
            f"{check.verdict.upper():<13} {check.entry_label}: {shorten(check.checked_property)} "
            f"reported {check.reported}, official {official} ({check.explanation})"
        )
        sources = f"reported in {shorten(check.reported_source)} ({shorten(check.claim)})"
        if check.official_source:
            sources += f"; official: {shorten(check.official_source)}"
        lines.append(f"{'':13} {sources}")
    counts = {v: sum(1 for c in checks if c.verdict == v) for v in VERDICTS}
    lines.append(
        f"{len(checks)} checks: {counts[CORROBORATED]} corroborated, "
        f"{counts[CONTRADICTED]} contradicted, {counts[DIFFERS]} differs, "
        f"{counts[CANNOT_SAY]} cannot say"
    )
    return "\n".join(lines) + "\n"


def as_turtle(checks: Sequence[Check], knowledge: Knowledge) -> str:
    """The checks as ms:Reconciliation claims of one derived ms:ReconciliationReport."""
    from kg.model.serialize import stable_turtle

    graph = new_graph()
    graph.add((REPORT, RDF.type, MS.ReconciliationReport))
    graph.add((REPORT, DCTERMS.language, Literal("en", datatype=XSD.language)))
    graph.add((REPORT, DCTERMS.title, Literal(REPORT_TITLE, lang="en")))
    # Its checks are explained in both languages, so a German reference names it in German.
    graph.add((REPORT, DCTERMS.title, Literal(REPORT_TITLE_DE, lang="de")))
    graph.add(
        (
            REPORT,
            MS.summary,
            Literal(
                "What the official IMSA results say about the claims of the articles "
                "(written by kg reconcile --write).",
                lang="en",
            ),
        )
    )
    dates = _official_dates(knowledge, {c.official_source for c in checks if c.official_source})
    if dates:
        graph.add((REPORT, MS.publishedNotBefore, Literal(max(dates), datatype=XSD.date)))
    graph.add(
        (
            REPORT,
            MS.publicationDateNote,
            Literal(
                "Derived from the sources it compares; it cannot predate the latest of them.",
                lang="en",
            ),
        )
    )
    for check in checks:
        node = MSR[f"reconciliation-{check.key}"]
        graph.add((node, RDF.type, MS.Reconciliation))
        graph.add((node, MS.statedIn, REPORT))
        graph.add((node, MS.checksClaim, URIRef(check.claim)))
        graph.add((node, MS.checkedProperty, URIRef(check.checked_property)))
        graph.add((node, MS.verdict, Literal(check.verdict)))
        graph.add((node, MS.reportedValue, Literal(check.reported)))
        graph.add((node, MS.entry, URIRef(check.subject)))
        if check.official:
            graph.add((node, MS.officialValue, Literal(check.official)))
        if check.official_claim:
            graph.add((node, MS.againstClaim, URIRef(check.official_claim)))
        graph.add((node, MS.description, Literal(check.explanation, lang="en")))
        german = german_explanation(check.explanation)
        if german:
            graph.add((node, MS.description, Literal(german, lang="de")))
        for source in (check.reported_source, check.official_source):
            if source:
                graph.add((REPORT, PROV.wasDerivedFrom, URIRef(source)))
    return stable_turtle(graph)


def _official_dates(knowledge: Knowledge, documents: set[str]) -> list[str]:
    query = """
    PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
    SELECT ?doc ?date WHERE { ?doc ms:publishedNotBefore ?date }
    """
    dates: list[str] = []
    for doc in sorted(documents):
        rows = knowledge.store.query(query, bindings={"doc": URIRef(doc)}).rows
        dates.extend(str(row[1]) for row in rows if row[1] is not None)
    return dates


def write_reconciliation(checks: Sequence[Check], knowledge: Knowledge, path: Path) -> bool:
    from kg.model.fileio import write_atomically

    return write_atomically(path, as_turtle(checks, knowledge))
