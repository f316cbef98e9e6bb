"""Entity resolution for imported IMSA files: link names to curated entities, never guess.

The rules are data (`imsa_rules.toml` beside this module, or a file the user
names): explicit name -> IRI tables, manufacturer tables, and surname-only
links bound to one car at one event. Everything else is matched against the
curated labels, folded with `kg.lookup.fold`; a name that matches two curated
entities is reported as ambiguous and becomes a new entity of its own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kg.answers.lookup import fold
from kg.importers.rules import (  # noqa: F401  (part of this module's interface)
    RULES_FILE,
    Manufacturer,
    Rules,
    SurnameLink,
    load_rules,
)
from kg.model.namespaces import MS, MSR, shorten
from kg.stores.base import Store

# Labels of curated entities, by type. Imported files (ms:ResultsFile) and the
# derived reconciliation are not curated: matching against them would make an
# import depend on what was imported before.
CURATED_NAMES_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?type ?name WHERE {
  ?entity a ?type .
  { ?entity skos:prefLabel ?name } UNION { ?entity skos:altLabel ?name }
  UNION { ?entity rdfs:label ?name }
  FILTER(isIRI(?entity))
}
"""

# English preferred names of curated entities: the title of an imported file names
# its event as the curated data does ("Rolex 24 at Daytona 2024").
CURATED_PREFERRED_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?entity ?name WHERE {
  ?entity skos:prefLabel ?name .
  FILTER(isIRI(?entity) && langMatches(lang(?name), "en"))
}
"""

CURATED_IDS_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?entity ?id WHERE { ?entity ms:imsaDriverId ?id . FILTER(isIRI(?entity)) }
"""

# The entities earlier imports created (msr:imsa-...), with the name each file gave
# them: another file names the same team, driver or car, perhaps spelled otherwise.
MINTED_NAMES_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?doc ?entity ?name WHERE {
  GRAPH ?g { ?doc a ms:ResultsFile . ?entity skos:prefLabel ?name . }
  FILTER(isIRI(?entity) && STRSTARTS(STR(?entity), "https://w3id.org/motorsport-kg/id/imsa-"))
}
"""

# The IMSA driver ids earlier imports recorded, on whichever person they linked.
IMPORTED_IDS_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?doc ?entity ?id WHERE {
  GRAPH ?g { ?doc a ms:ResultsFile . ?entity ms:imsaDriverId ?id . }
  FILTER(isIRI(?entity))
}
"""

RESULTS_GRAPHS_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?g WHERE { GRAPH ?g { ?doc a ms:ResultsFile } }
"""

IMPORTED_GRAPHS_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?g WHERE {
  GRAPH ?g { { ?doc a ms:ResultsFile } UNION { ?doc a ms:ReconciliationReport } }
}
"""


@dataclass(frozen=True)
class Note:
    """One resolution outcome worth telling the user about."""

    kind: str  # "linked", "created", "ambiguous", "rule not applied"
    what: str  # "team", "driver", ...
    name: str
    iri: str
    detail: str = ""

    def line(self) -> str:
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.kind} {self.what} {self.name!r} -> {shorten(self.iri)}{extra}"


def slug(text: str) -> str:
    """A stable IRI fragment from a name: folded, non-alphanumerics to single hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "unnamed"


@dataclass(frozen=True)
class Resolved:
    iri: str
    created: bool
    label: str
    # The label another results file gave the entity it created: this file states it
    # too, so that every file names what it mentions and any subset of files reads alone.
    given: str | None = None


@dataclass(frozen=True)
class DriverName:
    """One driver of a line-up as the file gives them."""

    first: str
    last: str
    imsa_id: str

    @property
    def full(self) -> str:
        return " ".join(part for part in (self.first.strip(), self.last.strip()) if part)


@dataclass
class Resolver:
    """Names -> IRIs, from the rules and the curated entities; collects notes as it goes."""

    rules: Rules
    names: Mapping[str, Mapping[str, frozenset[str]]]  # type IRI -> folded name -> entity IRIs
    driver_ids: Mapping[str, frozenset[str]]
    notes: list[Note] = field(default_factory=list)
    preferred: Mapping[str, str] = field(default_factory=dict)  # IRI -> English prefLabel
    # Entities created by another results file or earlier in this run -> the name they
    # were given: one entity, one label, however many files name it.
    minted: dict[str, str] = field(default_factory=dict)
    # IMSA driver ids this run linked to an existing person (by full name or surname
    # rule): a file read earlier in the run may have created imsa-driver-<id> for it.
    learned_ids: dict[str, str] = field(default_factory=dict)
    # Folded full name -> the IMSA driver ids published with it (this run's files and
    # earlier imports): a file that leaves the id out names a driver others identify.
    ids_by_name: dict[str, set[str]] = field(default_factory=dict)
    # IMSA driver id -> the countries published with it ("?" and blanks left out).
    id_countries: dict[str, set[str]] = field(default_factory=dict)
    # IMSA driver id -> the id of the same driver that names the entity: IMSA gives
    # some drivers a second id (Scott Dixon: 631 and 2699) under the same name.
    same_driver: dict[str, str] = field(default_factory=dict)
    # IMSA driver id -> how often each spelling of the name is published with it.
    spellings: dict[str, dict[str, int]] = field(default_factory=dict)
    # Entity IRI -> the label the run gives it: the driver's most published spelling
    # ("Gianmaria Bruni" 20 times, "Giammaria Bruni" twice), not the first file's.
    settled_labels: dict[str, str] = field(default_factory=dict)

    def learn_names(self, drivers: Iterable[tuple[DriverName, str]]) -> None:
        """Record which IMSA ids each full name is published with, and their countries."""
        for driver, country in drivers:
            if driver.imsa_id and driver.full:
                self.ids_by_name.setdefault(fold(driver.full), set()).add(driver.imsa_id)
                counted = self.spellings.setdefault(driver.imsa_id, {})
                counted[driver.full] = counted.get(driver.full, 0) + 1
                countries = self.id_countries.setdefault(driver.imsa_id, set())
                if country.strip() not in ("", "?"):
                    countries.add(country.strip())

    def settle_names(self) -> list[Note]:
        """One driver per full name published with several ids, when the ids' countries
        agree or a [[same_drivers]] rule says so: the lowest id names the entity, every
        id is kept on it. Ids of one name from different countries may be two people:
        reported (the notes returned), never merged without a rule."""
        notes: list[Note] = []
        for group in self.rules.same_drivers:
            first = min(group, key=int)
            for imsa_id in group:
                self.same_driver[imsa_id] = first
        for name, ids in sorted(self.ids_by_name.items()):
            if len(ids) < 2 or all(i in self.same_driver for i in ids):
                continue
            countries = set().union(*(self.id_countries.get(i, set()) for i in ids))
            listing = ", ".join(sorted(ids, key=int))
            if len(countries) > 1:
                notes.append(
                    Note(
                        "ambiguous",
                        "driver",
                        name,
                        str(MSR[f"imsa-driver-{slug(min(ids, key=int))}"]),
                        f"IMSA ids {listing} from {', '.join(sorted(countries))}; add a rule",
                    )
                )
                continue
            first = min(ids, key=int)
            for imsa_id in ids:
                self.same_driver[imsa_id] = first
        self._settle_labels()
        return notes

    def _settle_labels(self) -> None:
        by_entity: dict[str, dict[str, int]] = {}
        for imsa_id, counted in self.spellings.items():
            first = self.same_driver.get(imsa_id, imsa_id)
            totals = by_entity.setdefault(str(MSR[f"imsa-driver-{slug(first)}"]), {})
            for name, times in counted.items():
                totals[name] = totals.get(name, 0) + times
        for iri, totals in by_entity.items():
            if len(totals) > 1:
                # Most published first; on a tie, the spelling with accents, then the least.
                self.settled_labels[iri] = min(
                    totals, key=lambda n: (-totals[n], -sum(ord(c) > 127 for c in n), n)
                )

    def label_rules(self) -> dict[str, str]:
        """The label of each entity whose name the run settled, [labels] rules first."""
        return {**self.settled_labels, **self.rules.labels}

    def state(self) -> tuple[dict[str, str], list[Note], dict[str, str]]:
        return dict(self.minted), list(self.notes), dict(self.learned_ids)

    def restore(self, state: tuple[dict[str, str], list[Note], dict[str, str]]) -> None:
        self.minted, self.notes, self.learned_ids = dict(state[0]), list(state[1]), dict(state[2])

    def ids_created_too_early(self) -> dict[str, str]:
        """The learned ids of people for whom this run also created imsa-driver-<id>."""
        return {
            imsa_id: iri
            for imsa_id, iri in self.learned_ids.items()
            if str(MSR[f"imsa-driver-{slug(imsa_id)}"]) in self.minted
        }

    def know_ids(self, ids: Mapping[str, str]) -> None:
        """Link these IMSA driver ids to these people from now on."""
        self.driver_ids = {**self.driver_ids, **{k: frozenset({v}) for k, v in ids.items()}}

    def take_notes(self) -> list[Note]:
        taken, self.notes = self.notes, []
        return taken

    def _note(self, note: Note) -> None:
        if note not in self.notes:
            self.notes.append(note)

    def _by_label(self, type_iri: str, name: str) -> frozenset[str]:
        return self.names.get(type_iri, {}).get(fold(name), frozenset())

    def _resolve(
        self, what: str, name: str, table: Mapping[str, str], type_iri: str, new_prefix: str
    ) -> Resolved:
        ruled = table.get(name) or table.get(name.strip())
        if ruled is not None:
            self._note(Note("linked", what, name, ruled, "by rule"))
            if ruled.startswith(str(MSR[f"{new_prefix}-"])):
                # A rule that merges spellings ("Cadillac V-LMDh", the car's name in
                # early 2023) into an entity the results files create: labelled like
                # any such entity ([labels] settles which spelling), the rest aliases.
                return self.once(what, Resolved(ruled, True, " ".join(name.split())))
            return Resolved(ruled, False, name)
        found = self._by_label(type_iri, name)
        if len(found) == 1:
            (iri,) = found
            self._note(Note("linked", what, name, iri, "by label"))
            return Resolved(iri, False, name)
        new = str(MSR[f"{new_prefix}-{slug(name)}"])
        if len(found) > 1:
            listing = ", ".join(shorten(i) for i in sorted(found))
            self._note(Note("ambiguous", what, name, new, f"matches {listing}; add a rule"))
        return self.once(what, Resolved(new, True, " ".join(name.split())))

    def once(self, what: str, resolved: Resolved) -> Resolved:
        """A new entity is labelled by the first file that names it (in this run, else
        an earlier import); any other file links to it, and a spelling of its own
        ("CROWDSTRIKE RACING BY APR") becomes that file's sourced alias."""
        if not resolved.created:
            return resolved
        given = self.minted.get(resolved.iri)
        if given is None:
            # Recorded once the file that labels it is converted (Builder.named): the
            # laps file resolves its drivers too, but writes no label.
            return resolved
        if given != resolved.label:
            self._note(
                Note("linked", what, resolved.label, resolved.iri, f"named {given!r} elsewhere")
            )
        return Resolved(resolved.iri, False, resolved.label, given)

    def unlabelled_name(self, resolved: Resolved) -> str | None:
        """The published name of a linked entity when none of its curated labels folds to it.

        A driver linked by IMSA id or surname rule, or a team linked by rule, may carry
        only another spelling ("Calado" for "James Calado"); the importer records the
        published name as an alias, so the official name finds the entity.
        """
        if resolved.created:
            return None
        name = " ".join(resolved.label.split())
        if resolved.iri in self.minted:
            # Created by a results file: every spelling the files publish is kept.
            given = self.minted[resolved.iri]
            return None if name == given else name
        folded = fold(name)
        if not name or any(resolved.iri in by.get(folded, ()) for by in self.names.values()):
            return None
        return name

    def team(self, name: str) -> Resolved:
        return self._resolve("team", name, self.rules.teams, str(MS.Team), "imsa-team")

    def car_model(self, name: str) -> Resolved:
        return self._resolve("car model", name, self.rules.vehicles, str(MS.CarModel), "imsa-car")

    def racing_class(self, name: str) -> Resolved:
        return self._resolve("class", name, self.rules.classes, str(MS.RacingClass), "imsa-class")

    def manufacturer(self, imsa_id: str, vehicle: str, name: str = "") -> Resolved | None:
        """By IMSA id, else by name (laps file), else by the vehicle name's longest prefix."""
        chosen: Manufacturer | None = None
        if imsa_id:
            chosen = next((m for m in self.rules.manufacturers if imsa_id in m.imsa_ids), None)
        if chosen is None and name:
            wanted = fold(name)
            chosen = next(
                (
                    m
                    for m in self.rules.manufacturers
                    if wanted == fold(m.name) or wanted in {fold(p) for p in m.prefixes}
                ),
                None,
            )
        if chosen is None and vehicle:
            folded = fold(vehicle)
            best = -1
            for candidate in self.rules.manufacturers:
                for prefix in candidate.prefixes:
                    key = fold(prefix)
                    if (folded == key or folded.startswith(key + " ")) and len(key) > best:
                        chosen, best = candidate, len(key)
        if chosen is None:
            return None
        if chosen.iri is not None:
            return Resolved(chosen.iri, False, chosen.name)
        found = self._by_label(str(MS.Manufacturer), chosen.name)
        if len(found) == 1:
            (iri,) = found
            return Resolved(iri, False, chosen.name)
        return Resolved(str(MSR[f"imsa-manufacturer-{slug(chosen.name)}"]), True, chosen.name)

    def event(self, folder_key: str, year: str, round_venue: str) -> Resolved:
        ruled = self.rules.events.get(folder_key)
        if ruled is not None:
            return Resolved(ruled, False, folder_key)
        number, _, venue = round_venue.partition("-")
        label = f"IMSA {year} round {number}: {venue.replace('-', ' ').title()}"
        return Resolved(str(MSR[f"imsa-{year}-{round_venue}"]), True, label)

    def event_name(self, event: Resolved, year: str, round_venue: str) -> str:
        """The event as a title names it: its curated name, else its round and venue."""
        curated = self.preferred.get(event.iri)
        if curated is not None and not event.created:
            return curated
        number, _, venue = round_venue.partition("-")
        round_number = str(int(number)) if number.isascii() and number.isdigit() else number
        return f"{year} round {round_number} at {venue.replace('-', ' ').title()}"

    def session(
        self, session_key: str, folder_key: str, session_slug: str, event_name: str
    ) -> Resolved:
        """The session a file reports, named after its event as titles name it:
        "12 Hours of Sebring 2024, qualifying", "2023 round 7 at Sebring ..., race"."""
        ruled = self.rules.sessions.get(f"{folder_key}/{session_slug}")
        if ruled is not None:
            return Resolved(ruled, False, session_slug)
        label = f"{event_name}, {session_slug.replace('-', ' ')}"
        return Resolved(str(MSR[session_key]), True, label)

    def label(self, resolved: Resolved) -> str:
        """The label a new entity gets: a [labels] rule settles spellings that differ by file."""
        return self.label_rules().get(resolved.iri, resolved.label)

    def lineup(
        self, drivers: Sequence[DriverName], event_iri: str, car_number: str
    ) -> list[Resolved]:
        """IRIs for one car's drivers: by IMSA id, full folded name, or a surname rule."""
        resolved: list[Resolved | None] = [self._driver(d) for d in drivers]
        for rule in self.rules.surname_links:
            if rule.event != event_iri or rule.car_number != car_number:
                continue
            wanted = fold(rule.surname)
            hits = [i for i, d in enumerate(drivers) if fold(d.last) == wanted]
            if len(hits) == 1:
                (index,) = hits
                self._note(
                    Note(
                        "linked",
                        "driver",
                        drivers[index].full,
                        rule.person,
                        f"by surname rule for car #{car_number}",
                    )
                )
                resolved[index] = Resolved(rule.person, False, drivers[index].full)
                self._learn(drivers[index], rule.person)
            else:
                found = "no driver" if not hits else f"{len(hits)} drivers"
                self._note(
                    Note(
                        "rule not applied",
                        "driver",
                        rule.surname,
                        rule.person,
                        f"{found} of car #{car_number} have that surname",
                    )
                )
        return [
            r if r is not None else self.once("driver", self._new_driver(d))
            for r, d in zip(resolved, drivers, strict=True)
        ]

    def _driver(self, driver: DriverName) -> Resolved | None:
        by_name = False
        first = self.same_driver.get(driver.imsa_id, driver.imsa_id)
        if driver.imsa_id and first != driver.imsa_id and driver.imsa_id not in self.driver_ids:
            why = f"IMSA id {driver.imsa_id} is the same driver as IMSA id {first}"
            driver, by_name = self._known_as(driver, first, why), True
        if not driver.imsa_id:
            ids = {self.same_driver.get(i, i) for i in self.ids_by_name.get(fold(driver.full), ())}
            if len(ids) == 1:
                # Some files leave the id out: the one id other files give this name.
                (imsa_id,) = ids
                why = f"no id in this file; by name to IMSA id {imsa_id}"
                driver, by_name = self._known_as(driver, imsa_id, why), True
            elif len(ids) > 1 and len(self._by_label(str(MS.Person), driver.full)) != 1:
                listing = ", ".join(sorted(ids))
                self._note(
                    Note(
                        "ambiguous",
                        "driver",
                        driver.full,
                        self._new_driver(driver).iri,
                        f"published with IMSA ids {listing}; add a rule",
                    )
                )
        if driver.imsa_id:
            by_id = self.driver_ids.get(driver.imsa_id, frozenset())
            if len(by_id) == 1:
                (iri,) = by_id
                self._note(Note("linked", "driver", driver.full, iri, "by IMSA driver id"))
                if iri.startswith(str(MSR["imsa-"])):
                    # Created by a results file: labelled by the first file that names
                    # it, this one when no other does (the file that named it is
                    # imported again).
                    return self.once("driver", Resolved(iri, True, driver.full))
                return Resolved(iri, False, driver.full)
        found = self._by_label(str(MS.Person), driver.full)
        if len(found) == 1:
            (iri,) = found
            self._note(Note("linked", "driver", driver.full, iri, "by full name"))
            self._learn(driver, iri)
            return Resolved(iri, False, driver.full)
        if len(found) > 1:
            listing = ", ".join(shorten(i) for i in sorted(found))
            new = self._new_driver(driver)
            self._note(
                Note("ambiguous", "driver", driver.full, new.iri, f"matches {listing}; add a rule")
            )
        if by_name:
            # Identified by the id other files give the name: one entity for them all.
            return self.once("driver", self._new_driver(driver))
        return None

    def _known_as(self, driver: DriverName, imsa_id: str, why: str) -> DriverName:
        """The driver under the IMSA id that names the entity, noted with the reason."""
        iri = str(MSR[f"imsa-driver-{slug(imsa_id)}"])
        self._note(Note("linked", "driver", driver.full, iri, why))
        return DriverName(driver.first, driver.last, imsa_id)

    def _learn(self, driver: DriverName, iri: str) -> None:
        if driver.imsa_id and not self.driver_ids.get(driver.imsa_id):
            self.learned_ids.setdefault(driver.imsa_id, iri)

    @staticmethod
    def _new_driver(driver: DriverName) -> Resolved:
        if driver.imsa_id:
            return Resolved(str(MSR[f"imsa-driver-{slug(driver.imsa_id)}"]), True, driver.full)
        # Some files leave the IMSA id out: the name is the only key there is.
        return Resolved(str(MSR[f"imsa-driver-name-{slug(driver.full)}"]), True, driver.full)


def imported_graphs(store: Store, data_graphs: Sequence[str]) -> list[str]:
    """The data graphs written by `kg import imsa`."""
    if not data_graphs:
        return []
    found = {str(row[0]) for row in store.query(RESULTS_GRAPHS_QUERY, graphs=data_graphs).rows}
    return [g for g in data_graphs if g in found]


def curated_graphs(store: Store, data_graphs: Sequence[str]) -> list[str]:
    """The data graphs written by people, not by `kg import imsa` or `kg reconcile --write`."""
    if not data_graphs:
        return []
    imported = {str(row[0]) for row in store.query(IMPORTED_GRAPHS_QUERY, graphs=data_graphs).rows}
    return [g for g in data_graphs if g not in imported]


def build_resolver(
    store: Store,
    graphs: Sequence[str],
    rules: Rules,
    imported: Sequence[str] = (),
    reimported: Iterable[str] = (),
) -> Resolver:
    """The resolver of one import run: the curated entities of `graphs`, and the names
    that the results files in `imported` gave the entities they created, except the
    files of `reimported` (document IRIs): a file imported again names its own again."""
    names: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    ids: dict[str, set[str]] = defaultdict(set)
    preferred: dict[str, str] = {}
    if graphs:
        for entity, type_iri, name in store.query(CURATED_NAMES_QUERY, graphs=graphs).rows:
            if entity is not None and type_iri is not None and name is not None:
                names[str(type_iri)][fold(str(name))].add(str(entity))
        for entity, imsa_id in store.query(CURATED_IDS_QUERY, graphs=graphs).rows:
            if entity is not None and imsa_id is not None:
                ids[str(imsa_id)].add(str(entity))
        for entity, name in store.query(CURATED_PREFERRED_QUERY, graphs=graphs).rows:
            if entity is not None and name is not None:
                # One English prefLabel per entity (the shapes' rule); the least wins
                # should data break it, so the title stays deterministic.
                preferred[str(entity)] = min(preferred.get(str(entity), str(name)), str(name))
    minted: dict[str, str] = {}
    by_name: dict[str, set[str]] = defaultdict(set)
    if imported:
        again = set(reimported)
        for doc, entity, name in store.query(MINTED_NAMES_QUERY, graphs=imported).rows:
            if doc is None or entity is None or name is None or str(doc) in again:
                continue
            # Two files that each named it (imported before this rule): the least wins.
            minted[str(entity)] = min(minted.get(str(entity), str(name)), str(name))
        for doc, entity, imsa_id in store.query(IMPORTED_IDS_QUERY, graphs=imported).rows:
            if None not in (doc, entity, imsa_id) and str(doc) not in again:
                ids[str(imsa_id)].add(str(entity))
                if str(entity) in minted:
                    by_name[fold(minted[str(entity)])].add(str(imsa_id))
    return Resolver(
        rules=rules,
        names={t: {n: frozenset(e) for n, e in by.items()} for t, by in names.items()},
        driver_ids={k: frozenset(v) for k, v in ids.items()},
        preferred=preferred,
        minted=minted,
        ids_by_name=dict(by_name),
    )


def empty_resolver(rules: Rules | None = None) -> Resolver:
    return Resolver(rules=rules or load_rules(), names={}, driver_ids={})


def summarise(notes: Iterable[Note]) -> list[str]:
    return sorted({note.line() for note in notes})


__all__ = [
    "DriverName",
    "Note",
    "Resolved",
    "Resolver",
    "Rules",
    "build_resolver",
    "curated_graphs",
    "imported_graphs",
    "load_rules",
    "slug",
]
