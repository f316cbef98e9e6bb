"""Decisions: what is pending, what changed, and what was known when.

A decision (`ms:Decision`) is identity; everything known about it is a sourced
claim: `ms:StatusReport` (a status as of a time, maybe with an expected time),
`ms:Outcome` (the choice, when it was made), `ms:Consideration` (what weighs
on it). Its state on a day D is computed from the claims whose sources were
published by D (see kg.knowledge.asof):

- current status: the status of the latest report (ordered by the time the
  report says it holds, then by when its source appeared); an outcome known
  by D makes it decided even if no report says so;
- since: when the current status was first reported in an unbroken run of
  reports with that status;
- expected time: the expected time of the latest report that gives one;
- overdue: still pending, and the expected time certainly ended before D.

Everything is read through the store with SPARQL (parameters bound as terms).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from kg.answers.labels import Labels, fetch_labels
from kg.knowledge.asof import publications, visible_graphs
from kg.knowledge.project import Knowledge
from kg.knowledge.timespec import from_node
from kg.model.errors import UsageError
from kg.model.namespaces import MSV, shorten
from kg.model.timeutil import TimeInterval, ended_before
from kg.stores.base import Store

# Status words a user can filter on: the DecisionStatus concepts, plus two
# derived ones. "pending": neither decided nor dropped; "overdue": pending
# with its expected time over.
STATUS_CONCEPTS: dict[str, URIRef] = {
    "open": MSV.Open,
    "under-evaluation": MSV.UnderEvaluation,
    "decided": MSV.Decided,
    "dropped": MSV.Dropped,
    "deferred": MSV.Deferred,
}
DERIVED_STATUSES = ("pending", "overdue")
STATUS_CHOICES = (*DERIVED_STATUSES, *STATUS_CONCEPTS)

_PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
"""

DECISIONS_QUERY = (
    _PREFIXES
    + """
SELECT ?decision ?property ?value WHERE {
  ?decision a ms:Decision .
  OPTIONAL {
    VALUES ?property { ms:question ms:owner ms:ownerPost ms:option ms:process ms:concerns }
    ?decision ?property ?value .
  }
}
"""
)

# Every claim about a decision, one row per (claim, property, value).
CLAIMS_QUERY = (
    _PREFIXES
    + """
SELECT ?decision ?claim ?kind ?property ?value WHERE {
  ?decision a ms:Decision .
  ?claim ms:decision ?decision ; a ?kind ; ?property ?value .
  # FILTER, not VALUES: rdflib matches every triple of the data before it joins a
  # VALUES block (25 s on the bundled data); one pattern binds from left to right.
  FILTER(?kind IN (ms:StatusReport, ms:Outcome, ms:Consideration))
  FILTER(?property IN (
    ms:decisionStatus, ms:validAt, ms:expectedTime, ms:statedIn, ms:attributedTo,
    ms:chosenOption, ms:decidedAt, ms:description, ms:criterion, ms:evidence
  ))
}
"""
)

# Bound variables stay in the projection: some backends bind by substitution.
POST_HOLDER_QUERY = (
    _PREFIXES
    + """
SELECT ?post ?person WHERE { ?post ms:person ?person . }
"""
)


@dataclass(frozen=True)
class Named:
    """An entity with its label in the chosen language."""

    iri: str
    label: str

    @property
    def short(self) -> str:
        return shorten(self.iri)


@dataclass(frozen=True)
class Source:
    """A source document and when it was published."""

    iri: str
    published: TimeInterval | None

    @property
    def short(self) -> str:
        return shorten(self.iri)


@dataclass(frozen=True)
class StatusEntry:
    """One sourced status report in a decision's history."""

    claim: str
    status: Named
    valid_at: TimeInterval | None
    expected: TimeInterval | None
    sources: tuple[Source, ...]
    attributed_to: tuple[Named, ...]


@dataclass(frozen=True)
class OutcomeEntry:
    claim: str
    chosen_option: Named | None
    decided_at: TimeInterval | None
    description: str | None
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class ConsiderationEntry:
    claim: str
    criterion: Named | None
    description: str | None
    sources: tuple[Source, ...]
    attributed_to: tuple[Named, ...]


@dataclass(frozen=True)
class Decision:
    """A decision as known on `as_of` (None: everything in the graph), judged on `day`."""

    iri: str
    label: str
    question: str | None
    owner: tuple[Named, ...]
    owner_people: tuple[Named, ...]
    options: tuple[Named, ...]
    process: tuple[Named, ...]
    concerns: tuple[Named, ...]
    history: tuple[StatusEntry, ...]
    outcomes: tuple[OutcomeEntry, ...]
    considerations: tuple[ConsiderationEntry, ...]
    status: Named | None
    since: TimeInterval | None
    expected: TimeInterval | None
    decided: bool
    dropped: bool
    overdue: bool
    day: date
    as_of: date | None

    @property
    def short(self) -> str:
        return shorten(self.iri)

    @property
    def pending(self) -> bool:
        return not self.decided and not self.dropped

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every source behind its history, outcomes and considerations, oldest first."""
        found: dict[str, Source] = {}
        entries: list[StatusEntry | OutcomeEntry | ConsiderationEntry] = [
            *self.history,
            *self.outcomes,
            *self.considerations,
        ]
        for entry in entries:
            for source in entry.sources:
                found.setdefault(source.iri, source)
        return tuple(sorted(found.values(), key=_source_key))

    def matches(self, status: str) -> bool:
        """Whether the decision has `status` (one of STATUS_CHOICES)."""
        if status == "pending":
            return self.pending
        if status == "overdue":
            return self.overdue
        if status == "decided":
            return self.decided
        if status == "dropped":
            return self.dropped
        concept = STATUS_CONCEPTS[status]
        return self.status is not None and self.status.iri == str(concept)


def _source_key(source: Source) -> tuple[object, ...]:
    if source.published is None:
        return (1, (), source.iri)
    return (0, source.published.sort_key(), source.iri)


def check_status(status: str | None) -> str | None:
    """A --status value, normalised ("Under evaluation" -> "under-evaluation")."""
    if status is None:
        return None
    wanted = "-".join(status.strip().lower().replace("_", " ").replace("-", " ").split())
    if wanted == "underevaluation":
        wanted = "under-evaluation"
    if wanted not in STATUS_CHOICES:
        raise UsageError(
            f"unknown decision status {status!r}: use one of {', '.join(STATUS_CHOICES)}"
        )
    return wanted


def _pick_lang(values: Iterable[Identifier], lang: str) -> str | None:
    """The text in `lang`, else English, else untagged, else the first in order."""
    literals = sorted((v for v in values if isinstance(v, Literal)), key=lambda v: str(v))
    by_lang: dict[str, str] = {}
    for value in literals:
        by_lang.setdefault(value.language or "", str(value))
    for preference in (lang, "en", ""):
        if preference in by_lang:
            return by_lang[preference]
    return str(literals[0]) if literals else None


def _named(iris: Iterable[Identifier], labels: Labels) -> tuple[Named, ...]:
    unique = sorted({str(i) for i in iris if isinstance(i, URIRef)})
    return tuple(Named(iri, labels.of(URIRef(iri))) for iri in unique)


def _label_of_status(concept: str, labels: Labels) -> str:
    label = labels.of(URIRef(concept))
    if label.startswith("msv:"):
        # No label in the vocabulary: "msv:UnderEvaluation" -> "under evaluation".
        import re

        return re.sub(r"(?<!^)(?=[A-Z])", " ", label[4:]).lower()
    return label


def list_decisions(
    knowledge: Knowledge,
    as_of: date | None = None,
    lang: str = "en",
    today: date | None = None,
    status: str | None = None,
) -> list[Decision]:
    """Every decision known as of `as_of` (all when None), sorted by label then IRI.

    Overdue is judged on `as_of`, or on `today` (default: the current date) when
    there is no as-of view.
    """
    graphs = visible_graphs(knowledge, as_of)
    day = as_of or today or date.today()
    wanted = check_status(status)
    found = _read(knowledge.store, graphs, lang, day, as_of)
    if wanted is not None:
        found = [d for d in found if d.matches(wanted)]
    return found


def get_decision(
    knowledge: Knowledge,
    text: str,
    as_of: date | None = None,
    lang: str = "en",
    today: date | None = None,
) -> Decision:
    """One decision named by IRI, prefixed name or label, as known on `as_of`.

    A decision that exists but is not yet known on `as_of` gets a UsageError
    saying so (and when it became known), not a bare "not found".
    """
    from kg.answers.lookup import resolve_one

    graphs = visible_graphs(knowledge, as_of)
    store = knowledge.store
    day = as_of or today or date.today()
    try:
        iri = resolve_one(store, text, graphs)
    except UsageError:
        if graphs is None:
            raise
        try:
            later = resolve_one(store, text, None)
        except UsageError:
            raise UsageError(f"no entity is named {text!r}; 'kg decisions' lists them") from None
        raise UsageError(
            f"{shorten(str(later))} is not known as of {as_of}: no source describing it "
            "had certainly been published by then; try a later --as-of"
        ) from None
    for decision in _read(store, graphs, lang, day, as_of):
        if decision.iri == str(iri):
            return decision
    raise UsageError(
        f"{shorten(str(iri))} is not a decision (ms:Decision); 'kg decisions' lists them"
    )


# A claim's or a decision's values, by the local name of the property.
_Props = dict[str, list[Identifier]]
# Per decision IRI: per claim IRI, the claim's kind (local name) and its values.
_ClaimsByDecision = dict[str, dict[str, tuple[str, _Props]]]


def _read(
    store: Store,
    graphs: Sequence[str] | None,
    lang: str,
    day: date,
    as_of: date | None,
) -> list[Decision]:
    published = {item.document: item.published for item in publications(store, graphs)}
    decision_facts = _decision_facts(store, graphs)
    claims = _claims(store, graphs)
    holders = _post_holders(store, graphs, decision_facts)
    labels = _labels_for(store, graphs, lang, decision_facts, holders, claims)
    reader = _ClaimReader(store, graphs, lang, published, labels)
    result: list[Decision] = []
    for iri, facts in decision_facts.items():
        entries = reader.entries(claims.get(iri, {}))
        result.append(
            _judge(
                iri=iri,
                label=labels.of(URIRef(iri)),
                question=_pick_lang(facts.get("question", []), lang),
                owner=_named(facts.get("owner", []), labels),
                owner_people=_named(
                    [p for post in facts.get("ownerPost", []) for p in holders.get(str(post), [])],
                    labels,
                ),
                options=_named(facts.get("option", []), labels),
                process=_named(facts.get("process", []), labels),
                concerns=_named(facts.get("concerns", []), labels),
                history=entries.history,
                outcomes=entries.outcomes,
                considerations=entries.considerations,
                day=day,
                as_of=as_of,
                labels=labels,
            )
        )
    return sorted(result, key=lambda d: (d.label.casefold(), d.iri))


def _decision_facts(store: Store, graphs: Sequence[str] | None) -> dict[str, _Props]:
    """Every decision with the values of its own properties (question, owner, options...)."""
    decision_facts: dict[str, _Props] = {}
    for row in store.query(DECISIONS_QUERY, graphs=graphs).dicts():
        facts = decision_facts.setdefault(str(row["decision"]), {})
        prop, value = row.get("property"), row.get("value")
        if prop is not None and value is not None:
            facts.setdefault(str(prop).rsplit("/", 1)[-1], []).append(value)
    return decision_facts


def _claims(store: Store, graphs: Sequence[str] | None) -> _ClaimsByDecision:
    """Every claim about a decision (status reports, outcomes, considerations), by decision."""
    claims: _ClaimsByDecision = {}
    for row in store.query(CLAIMS_QUERY, graphs=graphs).dicts():
        per_decision = claims.setdefault(str(row["decision"]), {})
        claim = str(row["claim"])
        kind = str(row["kind"]).rsplit("/", 1)[-1]
        _, props = per_decision.setdefault(claim, (kind, {}))
        value = row["value"]
        assert value is not None
        props.setdefault(str(row["property"]).rsplit("/", 1)[-1], []).append(value)
    return claims


def _post_holders(
    store: Store, graphs: Sequence[str] | None, decision_facts: dict[str, _Props]
) -> dict[str, list[Identifier]]:
    """The people holding each post that owns a decision, by post IRI."""
    posts = [v for facts in decision_facts.values() for v in facts.get("ownerPost", [])]
    holders: dict[str, list[Identifier]] = {}
    for post in sorted(set(posts), key=str):
        rows = store.query(POST_HOLDER_QUERY, bindings={"post": post}, graphs=graphs).rows
        holders[str(post)] = [row[1] for row in rows if row[1] is not None]
    return holders


def _labels_for(
    store: Store,
    graphs: Sequence[str] | None,
    lang: str,
    decision_facts: dict[str, _Props],
    holders: dict[str, list[Identifier]],
    claims: _ClaimsByDecision,
) -> Labels:
    """The labels of every term a decision shows, fetched in one go."""
    terms: list[Identifier] = [URIRef(d) for d in decision_facts]
    for facts in decision_facts.values():
        for values in facts.values():
            terms.extend(values)
    for people in holders.values():
        terms.extend(people)
    for per_decision in claims.values():
        for _, props in per_decision.values():
            for values in props.values():
                terms.extend(values)
    terms.extend(STATUS_CONCEPTS.values())
    return fetch_labels(store, terms, lang, graphs)


@dataclass(frozen=True)
class _ClaimEntries:
    """A decision's claims as entries, each kind in its order."""

    history: tuple[StatusEntry, ...]
    outcomes: tuple[OutcomeEntry, ...]
    considerations: tuple[ConsiderationEntry, ...]


@dataclass(frozen=True)
class _ClaimReader:
    """Turns the claims about one decision into entries, with their sources and times."""

    store: Store
    graphs: Sequence[str] | None
    lang: str
    published: dict[str, TimeInterval]
    labels: Labels

    def entries(self, per_decision: dict[str, tuple[str, _Props]]) -> _ClaimEntries:
        history: list[StatusEntry] = []
        outcomes: list[OutcomeEntry] = []
        considerations: list[ConsiderationEntry] = []
        for claim, (kind, props) in sorted(per_decision.items()):
            sources = self.sources_of(props)
            if kind == "StatusReport":
                history.extend(self.status_entries(claim, props, sources))
            elif kind == "Outcome":
                outcomes.append(self.outcome(claim, props, sources))
            else:
                considerations.append(self.consideration(claim, props, sources))
        history.sort(key=lambda entry: _history_key(entry))
        outcomes.sort(key=lambda o: (_interval_key(o.decided_at), o.claim))
        considerations.sort(key=lambda c: (c.criterion.label if c.criterion else "", c.claim))
        return _ClaimEntries(tuple(history), tuple(outcomes), tuple(considerations))

    def sources_of(self, props: _Props) -> tuple[Source, ...]:
        found = [Source(str(s), self.published.get(str(s))) for s in props.get("statedIn", [])]
        return tuple(sorted(set(found), key=_source_key))

    def time_of(self, props: _Props, name: str, claim: str) -> TimeInterval | None:
        values = sorted(props.get(name, []), key=lambda v: v.n3())
        if not values:
            return None
        return from_node(self.store, values[0], self.graphs, where=f"{shorten(claim)} ms:{name}")

    def status_entries(
        self, claim: str, props: _Props, sources: tuple[Source, ...]
    ) -> list[StatusEntry]:
        """One entry per status a report gives (normally one)."""
        labels = self.labels
        history: list[StatusEntry] = []
        for concept in sorted({str(v) for v in props.get("decisionStatus", [])}):
            history.append(
                StatusEntry(
                    claim=claim,
                    status=Named(concept, _label_of_status(concept, labels)),
                    valid_at=self.time_of(props, "validAt", claim),
                    expected=self.time_of(props, "expectedTime", claim),
                    sources=sources,
                    attributed_to=_named(props.get("attributedTo", []), labels),
                )
            )
        return history

    def outcome(self, claim: str, props: _Props, sources: tuple[Source, ...]) -> OutcomeEntry:
        options = _named(props.get("chosenOption", []), self.labels)
        return OutcomeEntry(
            claim=claim,
            chosen_option=options[0] if options else None,
            decided_at=self.time_of(props, "decidedAt", claim),
            description=_pick_lang(props.get("description", []), self.lang),
            sources=sources,
        )

    def consideration(
        self, claim: str, props: _Props, sources: tuple[Source, ...]
    ) -> ConsiderationEntry:
        criteria = _named(props.get("criterion", []), self.labels)
        return ConsiderationEntry(
            claim=claim,
            criterion=criteria[0] if criteria else None,
            description=_pick_lang(props.get("description", []), self.lang),
            sources=sources,
            attributed_to=_named(props.get("attributedTo", []), self.labels),
        )


def _interval_key(interval: TimeInterval | None) -> tuple[int, tuple[object, ...]]:
    return (1, ()) if interval is None else (0, interval.sort_key())


def _history_key(entry: StatusEntry) -> tuple[object, ...]:
    first_source = min((_source_key(s) for s in entry.sources), default=(2, (), ""))
    return (_interval_key(entry.valid_at), first_source, entry.claim, entry.status.iri)


def _judge(
    *,
    iri: str,
    label: str,
    question: str | None,
    owner: tuple[Named, ...],
    owner_people: tuple[Named, ...],
    options: tuple[Named, ...],
    process: tuple[Named, ...],
    concerns: tuple[Named, ...],
    history: tuple[StatusEntry, ...],
    outcomes: tuple[OutcomeEntry, ...],
    considerations: tuple[ConsiderationEntry, ...],
    day: date,
    as_of: date | None,
    labels: Labels,
) -> Decision:
    status: Named | None = history[-1].status if history else None
    since: TimeInterval | None = None
    if history:
        run_start = len(history) - 1
        while run_start > 0 and history[run_start - 1].status == status:
            run_start -= 1
        since = history[run_start].valid_at
    expected = next((e.expected for e in reversed(history) if e.expected is not None), None)
    decided_concept = str(STATUS_CONCEPTS["decided"])
    dropped = status is not None and status.iri == str(STATUS_CONCEPTS["dropped"])
    decided = bool(outcomes) or (status is not None and status.iri == decided_concept)
    if outcomes and (status is None or status.iri != decided_concept) and not dropped:
        # An outcome is news even when no report states the new status.
        status = Named(decided_concept, _label_of_status(decided_concept, labels))
        since = outcomes[-1].decided_at
    overdue = (
        not decided and not dropped and expected is not None and ended_before(expected, day) is True
    )
    return Decision(
        iri=iri,
        label=label,
        question=question,
        owner=owner,
        owner_people=owner_people,
        options=options,
        process=process,
        concerns=concerns,
        history=history,
        outcomes=outcomes,
        considerations=considerations,
        status=status,
        since=since,
        expected=expected,
        decided=decided,
        dropped=dropped,
        overdue=overdue,
        day=day,
        as_of=as_of,
    )
