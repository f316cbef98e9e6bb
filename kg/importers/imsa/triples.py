"""Triples of one file: the Builder that sources every plain fact to the document,
and the document, season, event and session that every file describes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD
from rdflib.term import Node

from kg import __version__
from kg.importers.imsa.reading import FileContext
from kg.importers.resolution import Resolved, Resolver
from kg.model.namespaces import MS, MSR, MSV, SCHEMA

Triple = tuple[Node, Node, Node]

PUBLISHER = MSR["imsa"]
TIMING_PROVIDER = MSR["al-kamel-systems"]
TIMING_PROVIDER_LABEL = "Al Kamel Systems"
SERIES = MSR["imsa-weathertech-sportscar-championship"]
SERIES_NAME = "IMSA WeatherTech SportsCar Championship"

SESSION_KINDS = {"race": MSV.Race, "qualifying": MSV.Qualifying, "practice": MSV.Practice}


# --- Building triples ------------------------------------------------------------------


class Builder:
    """Triples of one file plus the ms:Statement for every plain fact."""

    def __init__(self, document: URIRef, key: str, labels: Mapping[str, str]) -> None:
        self.document = document
        self.key = key
        self.labels = labels
        self.triples: set[Triple] = set()
        # The entities this file created and labelled -> their label.
        self.named: dict[str, str] = {}

    def add(self, subject: Node, predicate: Node, obj: Node | None) -> None:
        if obj is not None:
            self.triples.add((subject, predicate, obj))

    def claim(
        self,
        node: URIRef,
        cls: URIRef,
        values: Iterable[tuple[URIRef, Node | None]],
        stated: bool = True,
    ) -> None:
        self.add(node, RDF.type, cls)
        if stated:
            self.add(node, MS.statedIn, self.document)
        for predicate, obj in values:
            self.add(node, predicate, obj)

    def fact(
        self, subject: URIRef, predicate: URIRef, obj: Node, valid_at: Node | None = None
    ) -> None:
        """A plain binary fact: the triple, and an ms:Statement that sources it."""
        self.add(subject, predicate, obj)
        digest = hashlib.sha1(
            f"{subject.n3()} {predicate.n3()} {obj.n3()}".encode(), usedforsecurity=False
        ).hexdigest()[:12]
        statement = MSR[f"{self.key}-statement-{digest}"]
        self.claim(
            statement,
            MS.Statement,
            [
                (RDF.subject, subject),
                (RDF.predicate, predicate),
                (RDF.object, obj),
                (MS.validAt, valid_at),
            ],
        )

    def entity(self, resolved: Resolved, cls: URIRef) -> URIRef:
        """Type a resolved entity and label what results files create.

        The file that creates an entity labels it with its own spelling; every other
        file that names it states that same label (one triple in the merged graph), so
        a file loaded without the others still names every entity it mentions.
        """
        iri = URIRef(resolved.iri)
        self.add(iri, RDF.type, cls)
        if resolved.given is not None:
            self.add(iri, SKOS.prefLabel, Literal(resolved.given, lang="en"))
        elif resolved.created:
            label = self.labels.get(resolved.iri, resolved.label)
            first = self.named.setdefault(resolved.iri, label)
            if first == label:
                self.add(iri, SKOS.prefLabel, Literal(label, lang="en"))
                if label != resolved.label:
                    # A [labels] rule chose the name: this file's spelling is an alias.
                    self.fact(iri, SKOS.altLabel, Literal(resolved.label, lang="en"))
            else:
                # Spelled two ways in one file: one label, the other a sourced alias.
                self.fact(iri, SKOS.altLabel, Literal(label, lang="en"))
        return iri


# --- The file's context as triples -----------------------------------------------------


def _session_kind(session_slug: str) -> URIRef | None:
    return SESSION_KINDS.get(session_slug.split("-")[0])


@dataclass(frozen=True)
class SessionEnd:
    """How long the session a file reports ran at least, as far as the file tells.

    `length` counts from the start in the file name; `evidence` says in words where
    it comes from ("the longest total time in the file (TOTAL_TIME 24:00:17.685)").
    Without a length (practice and qualifying results give best laps only), a file
    is dated by the session's start.
    """

    length: timedelta | None = None
    evidence: str = ""


def publication_bound(context: FileContext, ended: SessionEnd) -> tuple[Literal, Literal]:
    """The file's ms:publishedNotBefore and its ms:publicationDateNote.

    Official results come out when the session ends, so the day the session ended is
    the earliest the export can have been published (kg.knowledge.asof shows it from
    that day). A session that runs past midnight ends the next day.
    """
    start = context.session_start
    started = f"the session started at the local time in its file name ({start:%Y-%m-%dT%H:%M})"
    if ended.length is None:
        day = start.date()
        note = (
            "The export carries no publication date and does not say how long the session "
            f"ran. It cannot predate the session it reports: {started}."
        )
    else:
        end = start + ended.length
        day = end.date()
        note = (
            "The export carries no publication date. It cannot predate the end of the session "
            f"it reports: {started} and ran at least as long as {ended.evidence}, so it ended "
            f"on {day.isoformat()} at the earliest ({end:%Y-%m-%dT%H:%M} local time)."
        )
    return Literal(day.isoformat(), datatype=XSD.date), Literal(note, lang="en")


def document_title(kind_label: str, event_name: str, session_slug: str) -> Literal:
    """The title an editor cites an imported file by: series, event, session, what it is.

    "IMSA WeatherTech SportsCar Championship, Rolex 24 at Daytona 2024, race: official
    results (Al Kamel Systems)".
    """
    what = "results" if kind_label.endswith("results") else kind_label
    what = "weather observations" if what == "weather" else what
    session = session_slug.replace("-", " ")
    return Literal(
        f"{SERIES_NAME}, {event_name}, {session}: official {what} ({TIMING_PROVIDER_LABEL})",
        lang="en",
    )


def context_triples(
    builder: Builder,
    context: FileContext,
    resolver: Resolver,
    data: bytes,
    kind_label: str,
    ended: SessionEnd,
) -> tuple[URIRef, URIRef]:
    """The document, season, event and session, each fact sourced to the document."""
    doc = builder.document
    start = context.session_start
    not_before, note = publication_bound(context, ended)
    event_resolved = resolver.event(context.folder_key, context.year, context.round_venue)
    event_name = resolver.event_name(event_resolved, context.year, context.round_venue)
    builder.claim(
        doc,
        MS.ResultsFile,
        [
            (DCTERMS.title, document_title(kind_label, event_name, context.session_slug)),
            (DCTERMS.language, Literal("en", datatype=XSD.language)),
            (SCHEMA.publisher, PUBLISHER),
            (PROV.wasAttributedTo, TIMING_PROVIDER),
            (MS.sourceFileName, Literal(context.path.name)),
            (MS.sha256, Literal(hashlib.sha256(data).hexdigest())),
            (MS.importerVersion, Literal(__version__)),
            (MS.publishedNotBefore, not_before),
            (MS.publicationDateNote, note),
            (
                MS.summary,
                Literal(
                    f"IMSA official {kind_label} of the session '{context.session_slug}' "
                    f"({context.folder_key}), exported by Al Kamel Systems.",
                    lang="en",
                ),
            ),
        ],
        stated=False,
    )
    builder.add(TIMING_PROVIDER, RDF.type, MS.Organisation)
    builder.add(TIMING_PROVIDER, SKOS.prefLabel, Literal(TIMING_PROVIDER_LABEL, lang="en"))
    builder.add(PUBLISHER, RDF.type, MS.Publisher)

    season = MSR[f"imsa-wtscc-{context.year}"]
    builder.entity(
        Resolved(str(season), True, f"{SERIES_NAME} {context.year}"),
        MS.Season,
    )
    builder.fact(season, MS.series, SERIES)
    builder.fact(season, MS.year, Literal(context.year, datatype=XSD.gYear))

    event = builder.entity(event_resolved, MS.Event)
    builder.fact(event, MS.season, season)

    session = builder.entity(
        resolver.session(context.session_key, context.folder_key, context.session_slug, event_name),
        MS.Session,
    )
    builder.fact(session, MS.partOfEvent, event)
    kind = _session_kind(context.session_slug)
    if kind is not None:
        builder.fact(session, MS.sessionKind, kind)
    builder.fact(
        session, MS.startTime, Literal(start.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    )
    return event, session
