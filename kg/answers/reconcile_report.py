"""The checks of kg reconcile as text, and as the derived report that `--write` keeps
in data/imsa/reconciliation.ttl (one ms:Reconciliation claim per check)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from kg.answers.reconcile import REPORT, REPORT_TITLE, REPORT_TITLE_DE
from kg.answers.reconcile_base import (
    CANNOT_SAY,
    CONTRADICTED,
    CORROBORATED,
    DIFFERS,
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
    # Checks across the seasons (kg.answers.reconcile_season_rules).
    "in one official line-up": "in einer offiziellen Fahrerbesetzung",
    "in one team's official line-ups": "in den offiziellen Fahrerbesetzungen eines Teams",
    "the next race of the series with official results": (
        "das nächste Rennen der Serie mit offiziellen Ergebnissen"
    ),
    "the official results have no race of this event": (
        "die offiziellen Ergebnisse haben kein Rennen dieser Veranstaltung"
    ),
    "the official results have no later race of the series": (
        "die offiziellen Ergebnisse haben kein späteres Rennen der Serie"
    ),
    "the official entries give another maker": (
        "die offiziellen Nennungen geben einen anderen Hersteller an"
    ),
    "earlier seasons are not in the bundle": "frühere Saisons sind nicht mitgeliefert",
}
_GERMAN_PATTERNS: tuple[tuple[str, str], ...] = (
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
_GERMAN_PATTERNS += (
    (
        r"the official results bundled cover (?P<what>.+) only",
        "die mitgelieferten offiziellen Ergebnisse umfassen nur {what}",
    ),
    (r"first official race: (?P<what>.+)", "erstes offizielles Rennen: {what}"),
    (
        r"the bundled results begin with (?P<year>\d{4}), so they cannot show an earlier start",
        "die mitgelieferten Ergebnisse beginnen mit {year} und können einen früheren Einstieg "
        "nicht zeigen",
    ),
    (
        r"the bundled results begin on (?P<day>[-\d]+), earlier seasons are not covered",
        "die mitgelieferten Ergebnisse beginnen am {day}, frühere Saisons fehlen",
    ),
    (r"a (?P<what>.+) start before (?P<year>\d{4})", "ein Start in der {what} vor {year}"),
    (
        r"the official (?P<what>.+) results go back to (?P<year>\d{4})",
        "die offiziellen Ergebnisse der {what} reichen bis {year} zurück",
    ),
    (r"within (?P<a>[-\d]+) to (?P<b>[-\d]+)", "zwischen {a} und {b}"),
    (r"outside (?P<a>[-\d]+) to (?P<b>[-\d]+)", "außerhalb von {a} bis {b}"),
    (
        r"the maker of all (?P<n>\d+) official entries",
        "der Hersteller aller {n} offiziellen Nennungen",
    ),
    (r"same car at (?P<what>.+)", "dasselbe Auto bei {what}"),
    (
        r"the country code the official results give \((?P<code>[A-Z]{3}) in ISO 3166\)",
        "der Ländercode, den die offiziellen Ergebnisse angeben ({code} nach ISO 3166)",
    ),
    (
        r"no official race of (?P<who>.+) in the (?P<car>.+)",
        "kein offizielles Rennen von {who} im {car}",
    ),
    (
        r"last race by (?P<when>[-\d]+): (?P<what>.+)",
        "letztes Rennen bis {when}: {what}",
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


@dataclass(frozen=True)
class Report:
    """One derived report kg reconcile --write keeps: which checks, where, under what title."""

    iri: URIRef
    title: str
    title_de: str
    summary: str
    path: str  # under the data folder
    seasons: bool  # its checks look across the seasons: derived from every results file


RACES = Report(
    REPORT,
    REPORT_TITLE,
    REPORT_TITLE_DE,
    "What the official IMSA results say about the claims of the articles on the cars of "
    "a race (written by kg reconcile --write).",
    "imsa/reconciliation.ttl",
    seasons=False,
)
SEASONS = Report(
    MSR["imsa-season-reconciliation-report"],
    "Articles checked against whole seasons of official IMSA results (kg reconcile)",
    "Artikel, geprüft an ganzen Saisons offizieller IMSA-Ergebnisse (kg reconcile)",
    "What the official IMSA results of every bundled season say about the articles' claims "
    "on programmes, drivers and events (written by kg reconcile --write). Each check looks "
    "across the seasons, so the report derives from every results file and is known only "
    "once the last of them is.",
    "imsa/reconciliation-seasons.ttl",
    seasons=True,
)


def seasons_path(races_path: Path) -> Path:
    """Where the season checks go beside the race checks' file ("-seasons" added)."""
    return races_path.with_name(f"{races_path.stem}-seasons{races_path.suffix}")


def as_turtle(checks: Sequence[Check], knowledge: Knowledge, report: Report = RACES) -> str:
    """The checks as ms:Reconciliation claims of one derived ms:ReconciliationReport."""
    from kg.model.serialize import stable_turtle

    graph = new_graph()
    node = report.iri
    graph.add((node, RDF.type, MS.ReconciliationReport))
    graph.add((node, DCTERMS.language, Literal("en", datatype=XSD.language)))
    graph.add((node, DCTERMS.title, Literal(report.title, lang="en")))
    # Its checks are explained in both languages, so a German reference names it in German.
    graph.add((node, DCTERMS.title, Literal(report.title_de, lang="de")))
    graph.add((node, MS.summary, Literal(report.summary, lang="en")))
    sources = {s for c in checks for s in (c.reported_source, c.official_source) if s}
    if report.seasons and checks:
        sources |= _results_files(knowledge)
    dates = _official_dates(knowledge, sources)
    if dates:
        graph.add((node, MS.publishedNotBefore, Literal(max(dates), datatype=XSD.date)))
    note = "Derived from the sources it compares; it cannot predate the latest of them."
    graph.add((node, MS.publicationDateNote, Literal(note, lang="en")))
    for source in sources:
        graph.add((node, PROV.wasDerivedFrom, URIRef(source)))
    for check in checks:
        _add_check(graph, node, check)
    return stable_turtle(graph)


def _add_check(graph: Graph, report: URIRef, check: Check) -> None:
    node = MSR[f"reconciliation-{check.key}"]
    graph.add((node, RDF.type, MS.Reconciliation))
    graph.add((node, MS.statedIn, report))
    graph.add((node, MS.checksClaim, URIRef(check.claim)))
    graph.add((node, MS.checkedProperty, URIRef(check.checked_property)))
    graph.add((node, MS.verdict, Literal(check.verdict)))
    graph.add((node, MS.reportedValue, Literal(check.reported)))
    graph.add((node, MS.checkedSubject, URIRef(check.subject)))
    if check.about_entry:
        graph.add((node, MS.entry, URIRef(check.subject)))
    if check.official:
        graph.add((node, MS.officialValue, Literal(check.official)))
    if check.official_claim:
        graph.add((node, MS.againstClaim, URIRef(check.official_claim)))
    graph.add((node, MS.description, Literal(check.explanation, lang="en")))
    german = german_explanation(check.explanation)
    if german:
        graph.add((node, MS.description, Literal(german, lang="de")))


def _results_files(knowledge: Knowledge) -> set[str]:
    query = """
    PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
    SELECT ?doc WHERE { ?doc a ms:ResultsFile }
    """
    return {str(row[0]) for row in knowledge.store.query(query).rows if row[0] is not None}


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


def write_reconciliation(
    checks: Sequence[Check], knowledge: Knowledge, path: Path
) -> list[tuple[Path, bool]]:
    """Write the race checks to `path` and the season checks beside it (each file whole
    or not at all); (file, whether it changed) for each."""
    from kg.model.fileio import write_atomically

    written = []
    for report, target in ((RACES, path), (SEASONS, seasons_path(path))):
        mine = [c for c in checks if c.about_entry != report.seasons]
        written.append((target, write_atomically(target, as_turtle(mine, knowledge, report))))
    return written
