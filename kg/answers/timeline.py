"""What happened and what was said, in time order: one sentence per item, with citations.

Two kinds of item, kept apart as the modelling guide keeps the two times apart:

- "said": a source document appeared (its publication time, with its precision);
- "holds": a claim's valid time (`ms:validFrom`, `ms:validUntil`, `ms:validAt`,
  `ms:occurredAt`, `ms:decidedAt`, `ms:expectedTime`) or an entity's own date
  (`ms:startDate`, `ms:endDate`, `ms:startTime`) with the sources that state it.

Each item is said in words by the briefing's sentence builders (so an incident reads
the same in `kg show` and here) and cites its sources by number; the references
follow. An official results file's hundreds of dated rows become one line per file
unless every row is asked for. Around one entity, the timeline holds what happened
to the things it took part in: a driver's car, an event's entries (the same paths as
its briefing).

Items are ordered by the earliest day their time can mean, then the latest, then the
exact instant, then the text, so the output is the same on every run. A --from/--to
window keeps the items that are not certainly outside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from kg.answers.briefing.context import Context, _Reader, neighbourhood
from kg.answers.briefing.facts import claim_line
from kg.answers.briefing.model import Reference
from kg.answers.briefing.when import time_words
from kg.answers.briefing.words import words
from kg.knowledge.asof import SourcePublication, publications, visible_graphs
from kg.knowledge.project import Knowledge
from kg.knowledge.timespec import from_node
from kg.model.namespaces import MS, shorten
from kg.model.timeutil import TimeInterval, compare
from kg.stores.base import Store

TIME_PROPERTIES: dict[str, str] = {
    "validFrom": "from",
    "validUntil": "until",
    "validAt": "",
    "occurredAt": "",
    "decidedAt": "decided",
    "expectedTime": "expected",
    "startDate": "starts",
    "endDate": "ends",
    "startTime": "starts",
}
ROLE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "from": "from then on",
        "until": "until then",
        "decided": "decided",
        "expected": "expected",
        "starts": "starts",
        "ends": "ends",
        "published": "published",
    },
    "de": {
        "from": "ab dann",
        "until": "bis dahin",
        "decided": "entschieden",
        "expected": "erwartet",
        "starts": "Beginn",
        "ends": "Ende",
        "published": "veröffentlicht",
    },
}
_EXPECTED = {
    "en": "{decision}: the decision is expected (so {who} said, {said})",
    "de": "{decision}: die Entscheidung wird erwartet (so {who}, {said})",
}
_OFFICIAL_LINE = {
    "en": "{session} starts: official results, {n} dated rows ({what}); --all lists them",
    "de": (
        "{session} beginnt: offizielle Ergebnisse, {n} datierte Zeilen ({what}); --all listet sie"
    ),
}

# Each timed value once without a source (the empty group) and once per source that
# states it; `_timed` gathers the sources. (An OPTIONAL holding the UNION says the
# same, but Virtuoso 7.2 loses its bindings: every source showed as none.)
TIMED_QUERY = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?subject ?property ?value ?source WHERE {
  VALUES ?property {
    ms:validFrom ms:validUntil ms:validAt ms:occurredAt ms:decidedAt ms:expectedTime
    ms:startDate ms:endDate ms:startTime
  }
  ?subject ?property ?value .
  { }
  UNION
  { ?subject ms:statedIn ?source }
  UNION
  { ?statement rdf:subject ?subject ; rdf:predicate ?property ; ms:statedIn ?source }
}
"""


@dataclass(frozen=True)
class TimelineItem:
    """One line of the timeline: when, what (a sentence), and the sources it cites."""

    when: TimeInterval
    when_text: str
    kind: str  # "said" or "holds"
    role: str  # "published", "expected", "decided", ... or ""
    subject: str
    text: str
    cites: tuple[int, ...]
    sources: tuple[str, ...]

    def sort_key(self) -> tuple[object, ...]:
        return (*self.when.sort_key(), 0 if self.kind == "said" else 1, self.text, self.subject)


@dataclass(frozen=True)
class Timeline:
    items: tuple[TimelineItem, ...]
    references: tuple[Reference, ...]
    lang: str


_Timed = dict[tuple[Identifier, Identifier, Identifier], set[str]]


def timeline(
    knowledge: Knowledge,
    entity: URIRef | None = None,
    start: TimeInterval | None = None,
    end: TimeInterval | None = None,
    lang: str = "en",
    as_of: date | None = None,
    show_all: bool = False,
) -> Timeline:
    """Every dated item (around `entity` when given) inside [start, end], in time order."""
    graphs = visible_graphs(knowledge, as_of)
    store = knowledge.store
    published = {p.document: p for p in publications(store, graphs)}
    official = {doc for doc, p in published.items() if p.official}

    around: set[Node] | None = None
    reader = _Reader(store, graphs)
    if entity is not None:
        reader.graph = neighbourhood(store, entity, graphs)
        around = _around(reader.graph, entity)
    timed = _timed(store, graphs, around)
    # Around one entity the official rows are few (a driver's licence and country):
    # they are shown; over the whole graph they are counted per file.
    kept, bulk = _split_official(timed, official, collapse=not show_all and around is None)
    subjects = {key[0] for key in kept} | {URIRef(doc) for doc in published}
    subjects |= {subject for rows in bulk.values() for subject in rows}
    reader.out(subjects)
    reader.out({o for o in reader.graph.objects() if isinstance(o, URIRef)})
    reader.out({o for o in reader.graph.objects() if isinstance(o, URIRef)})
    ctx = Context(reader.graph, lang)

    items = [_holds(ctx, store, graphs, key, sources) for key, sources in kept.items()]
    items += _official_lines(ctx, bulk, published, lang)
    cited = {s for item in items for s in item.sources}
    for document, publication in published.items():
        if around is not None and document not in cited and URIRef(document) != entity:
            continue
        if document in official and not show_all and (around is None or document not in cited):
            # Over the whole graph, a results file is its session's one line.
            continue
        items.append(_said(ctx, document, publication))
    chosen = sorted((i for i in items if _inside(i.when, start, end)), key=lambda i: i.sort_key())
    # Number the references in the order the reader meets them.
    renumbered = Context(ctx.graph, lang)
    final = []
    for item in chosen:
        cites = renumbered.cite([URIRef(s) for s in item.sources])
        final.append(_replace_cites(item, cites))
    references = sorted(renumbered.references.values(), key=lambda r: r.number)
    return Timeline(tuple(final), tuple(references), lang)


def _timed(store: Store, graphs: Sequence[str] | None, around: set[Node] | None) -> _Timed:
    """Every (subject, time property, time value) with the sources that state it."""
    timed: _Timed = {}
    for row in store.query(TIMED_QUERY, graphs=graphs).dicts():
        node, prop, value = row["subject"], row["property"], row["value"]
        if node is None or prop is None or value is None:
            continue
        if around is not None and node not in around:
            continue
        sources = timed.setdefault((node, prop, value), set())
        if row.get("source") is not None:
            sources.add(str(row["source"]))
    return timed


def _split_official(
    timed: _Timed, official: set[str], collapse: bool
) -> tuple[_Timed, dict[str, list[Identifier]]]:
    """The items to show one by one, and (when collapsing) the subjects of the rows only
    official files state, per file: one line per session, at its start (a session's
    start that another source states too keeps its own line)."""
    bulk: dict[str, list[Identifier]] = {}
    kept: _Timed = {}
    for key, sources in timed.items():
        if collapse and sources and sources <= official:
            for source in sources:
                bulk.setdefault(source, []).append(key[0])
        else:
            kept[key] = sources
    return kept, bulk


def _holds(
    ctx: Context,
    store: Store,
    graphs: Sequence[str] | None,
    key: tuple[Identifier, Identifier, Identifier],
    sources: set[str],
) -> TimelineItem:
    """A claim's or an entity's time as a sentence: the claim said as in a briefing."""
    subject, prop, value = key
    lang = ctx.lang
    local = str(prop).rsplit("/", 1)[-1]
    when = from_node(store, value, graphs, where=f"{shorten(str(subject))} ms:{local}")
    line = claim_line(ctx, subject) if isinstance(subject, URIRef) else None
    text = line.text if line is not None else str(subject)
    if line is not None and not ctx.sources_of(subject) and local in ("startTime", "startDate"):
        text = ctx.label(subject)
    if local == "expectedTime" and ctx.is_a(subject, MS.StatusReport):
        # The expected time is the item: say what is expected and who said so.
        who = ", ".join(sorted(ctx.label(p) for p in ctx.all(subject, MS.attributedTo)))
        text = _EXPECTED.get(lang, _EXPECTED["en"]).format(
            decision=ctx.label(ctx.one(subject, MS.decision)),
            who=who,
            said=time_words(ctx, ctx.one(subject, MS.validAt)),
        )
    role_words = ROLE_WORDS.get(lang, ROLE_WORDS["en"])
    return TimelineItem(
        when=when,
        when_text=time_words(ctx, value),
        kind="holds",
        role=role_words.get(TIME_PROPERTIES.get(local, ""), ""),
        subject=str(subject),
        text=text,
        cites=ctx.cite([URIRef(s) for s in sources]),
        sources=tuple(sorted(sources)),
    )


def _said(ctx: Context, document: str, publication: SourcePublication) -> TimelineItem:
    role_words = ROLE_WORDS.get(ctx.lang, ROLE_WORDS["en"])
    return TimelineItem(
        when=publication.published,
        when_text=_publication_words(ctx, document),
        kind="said",
        role=role_words["published"],
        subject=document,
        text=_title(ctx, URIRef(document)),
        cites=ctx.cite([URIRef(document)]),
        sources=(document,),
    )


def _replace_cites(item: TimelineItem, cites: tuple[int, ...]) -> TimelineItem:
    import dataclasses

    return dataclasses.replace(item, cites=cites)


def _around(graph: Graph, entity: URIRef) -> set[Node]:
    """What a timeline around `entity` may show: the entity, the entries it took part
    in (as driver, entrant, maker or event, with the official twin of a reported car),
    an event's sessions, and every claim or statement about one of these."""
    from kg.answers.briefing.races import twins

    ctx = Context(graph, "en")
    core: set[Node] = {entity}
    for prop in (MS.driver, MS.entrant, MS.manufacturer, MS.event):
        for entry in ctx.pointing(prop, entity, MS.Entry):
            core |= twins(ctx, entry)
    core |= set(ctx.pointing(MS.partOfEvent, entity, MS.Session))
    found = set(core)
    for subject in set(graph.subjects()):
        if any(o in core for o in graph.objects(subject)):
            found.add(subject)
    return found


def _title(ctx: Context, document: URIRef) -> str:
    from rdflib.namespace import DCTERMS

    title = ctx.text(document, DCTERMS.title) or ctx.text(document, MS.summary)
    return f'"{title}"' if title else ctx.label(document)


def _publication_words(ctx: Context, document: str) -> str:
    from kg.answers.briefing.when import publication_words

    return publication_words(ctx, URIRef(document))


def _official_lines(
    ctx: Context,
    bulk: dict[str, list[Identifier]],
    published: Mapping[str, SourcePublication],
    lang: str,
) -> list[TimelineItem]:
    """One line per official results file: its session, when it started, how many rows."""
    items = []
    for source, subjects in sorted(bulk.items()):
        node = URIRef(source)
        session_time = None
        session: Node | None = None
        rdf_subject = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject")
        for subject in sorted(subjects, key=str):
            candidates = [subject, *ctx.all(subject, rdf_subject)]
            found = next((c for c in candidates if ctx.is_a(c, MS.Session)), None)
            if found is not None:
                session = found
                break
        if session is not None:
            session_time = ctx.one(session, MS.startTime)
            # Its start is when the line stands, not one of the rows it counts.
            subjects = [s for s in subjects if s != session]
        publication = published[source]
        when: TimeInterval = publication.published
        when_text = _publication_words(ctx, source)
        if isinstance(session_time, Literal):
            from kg.model.timeutil import from_literal

            when = from_literal(session_time)
            when_text = time_words(ctx, session_time)
        # What the rows state: "228 country code, 228 licence grade" (a statement by its
        # property, anything else by its class).
        kinds: dict[str, int] = {}
        rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        rdf_predicate = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate")
        for subject in subjects:
            named = ctx.all(subject, rdf_predicate) or ctx.all(subject, rdf_type)
            for kind in named:
                kinds[ctx.label(kind)] = kinds.get(ctx.label(kind), 0) + 1
        what = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or str(len(subjects))
        template = _OFFICIAL_LINE.get(lang, _OFFICIAL_LINE["en"])
        items.append(
            TimelineItem(
                when=when,
                when_text=when_text,
                kind="holds",
                role="",
                subject=source,
                text=template.format(
                    session=ctx.label(session) if session is not None else ctx.label(node),
                    n=len(subjects),
                    what=what,
                ),
                cites=ctx.cite([node]),
                sources=(source,),
            )
        )
    return items


def _inside(when: TimeInterval, start: TimeInterval | None, end: TimeInterval | None) -> bool:
    if start is not None and compare(when, start) == "before":
        return False
    return not (end is not None and compare(when, end) == "after")


def _with_role(item: TimelineItem) -> str:
    """The role before the sentence ("Published: ..."), or after it for validity
    ("... (from then on)"); none where the sentence says it already."""
    if not item.role or item.role in ROLE_WORDS["en"]["expected"] + ROLE_WORDS["de"]["expected"]:
        return item.text
    if item.role in (ROLE_WORDS["en"]["from"], ROLE_WORDS["en"]["until"]) or item.role in (
        ROLE_WORDS["de"]["from"],
        ROLE_WORDS["de"]["until"],
    ):
        return f"{item.text} ({item.role})"
    return f"{item.role}: {item.text}"


def _sentence(item: TimelineItem) -> tuple[str, str]:
    """An item's sentence, capitalised, and its citation marks "[1][2]"."""
    text = _with_role(item)
    return text[:1].upper() + text[1:], "".join(f"[{n}]" for n in item.cites)


def as_lines(found: Timeline) -> list[str]:
    """Each item as "when: Role: sentence [n]", then the references."""
    from kg.answers.briefing.render import _reference_text

    w = words(found.lang)
    lines = []
    for item in found.items:
        text, marks = _sentence(item)
        lines.append(f"{item.when_text}: {text} {marks}".rstrip())
    if found.references:
        lines += ["", w["references"]]
        lines += [f"  [{r.number}] {_reference_text(r, found.lang)}" for r in found.references]
    return lines


def as_markdown(found: Timeline) -> str:
    from kg.answers.briefing.render import _md_escape, _reference_text

    w = words(found.lang)
    lines = []
    for item in found.items:
        text, marks = _sentence(item)
        lines.append(f"- **{_md_escape(item.when_text)}**: {_md_escape(text)} {marks}".rstrip())
    if found.references:
        lines += ["", f"## {w['references']}", ""]
        lines += [
            f"{r.number}. {_md_escape(_reference_text(r, found.lang))}" for r in found.references
        ]
    return "\n".join(lines) + "\n"


def as_json(found: Timeline) -> str:
    import json

    items = [
        {
            "when": item.when_text,
            "earliest": item.when.earliest.isoformat() if item.when.earliest else None,
            "latest": item.when.latest.isoformat() if item.when.latest else None,
            "kind": item.kind,
            "role": item.role,
            "subject": item.subject,
            "text": item.text,
            "cites": list(item.cites),
        }
        for item in found.items
    ]
    import dataclasses

    payload = {
        "schema_version": 1,
        "lang": found.lang,
        "items": items,
        "references": [dataclasses.asdict(r) for r in found.references],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
