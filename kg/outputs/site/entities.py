"""One page per entity of the curated knowledge: its briefing (kg show), as HTML.

The home page lists these entities and links each to `entities/<slug>.html`; a
briefing line about another entity with a page links to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, MutableMapping, Sequence
from datetime import date

from rdflib import URIRef

from kg.knowledge.project import Knowledge
from kg.outputs.site.layout import page

FOLDER = "entities"


def slug(iri: str) -> str:
    """A file name for an entity: the last part of its IRI, made safe."""
    local = re.split(r"[/#]", iri.rstrip("/"))[-1] or "entity"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", local).strip("-.") or "entity"


def paths(iris: Iterable[str]) -> dict[str, str]:
    """The page of each entity, relative to the site root; names kept unique."""
    found: dict[str, str] = {}
    taken: set[str] = set()
    for iri in sorted(set(iris)):
        name = slug(iri)
        candidate, number = name, 2
        while candidate.lower() in taken:
            candidate, number = f"{name}-{number}", number + 1
        taken.add(candidate.lower())
        found[iri] = f"{FOLDER}/{candidate}.html"
    return found


def judged_on(knowledge: Knowledge) -> date | None:
    """The day the site judges overdue decisions on: the newest source's earliest day.

    Not the build day: the same knowledge gives the same pages on every day.
    """
    from kg.knowledge.asof import publications

    days = [
        p.published.earliest
        for p in publications(knowledge.store, knowledge.data_graphs, knowledge.ontology_graphs)
        if p.published.earliest is not None
    ]
    return max(days) if days else None


# The cars the curated sources report, and the official entry of each (through the
# reconciliation report): a race line names the official entry, the page is the car's.
_CARS = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT DISTINCT ?entry ?official WHERE {
  ?entry a ms:Entry ; ms:statedIn ?source .
  OPTIONAL {
    ?check ms:entry ?entry ; ms:againstClaim ?claim .
    { ?claim a ms:Entry . BIND(?claim AS ?official) }
    UNION { ?claim ms:entry ?official . ?official a ms:Entry }
  }
}
"""


def _cars(knowledge: Knowledge, graphs: Sequence[str]) -> dict[str, set[str]]:
    """Each reported car entry of `graphs`, with its official entries."""
    found: dict[str, set[str]] = {}
    rows = knowledge.store.query(_CARS, graphs=[*graphs, *knowledge.data_graphs]).rows
    in_graphs = {
        str(row[0]) for row in knowledge.store.query(_CARS, graphs=list(graphs)).rows if row[0]
    }
    for entry, official in rows:
        if entry is None or str(entry) not in in_graphs:
            continue
        found.setdefault(str(entry), set())
        if official is not None:
            found[str(entry)].add(str(official))
    return found


def entity_pages(
    knowledge: Knowledge,
    iris: Iterable[str],
    lang: str,
    files: MutableMapping[str, bytes],
    cars_in: Sequence[str] = (),
) -> dict[str, str]:
    """Write the briefing page of each entity (and of each car `cars_in` reports) into
    `files`; the page of each IRI, an official entry sharing its car's page."""
    from kg.answers.briefing import briefing
    from kg.answers.briefing.render import as_html

    cars = _cars(knowledge, cars_in) if cars_in else {}
    pages = paths([*iris, *cars])
    day = judged_on(knowledge)
    note = (
        f'<p class="note">Decisions are judged as of {day.isoformat()}, the day of the '
        "newest source; the home page judges them on the reader's day.</p>"
        if day is not None
        else ""
    )

    def link(iri: str | None) -> str:
        # Pages sit one folder down: a link to another entity page stays in the folder.
        target = pages.get(iri or "")
        return target.split("/", 1)[1] if target else ""

    written = dict(pages)
    for car, officials in cars.items():
        for official in officials:
            pages.setdefault(official, pages[car])
    for iri, path in written.items():
        found = briefing(knowledge, URIRef(iri), lang, today=day)
        body = as_html(found, link)
        if found.kind in ("decision", "manufacturer", "programme"):
            body += note
        files[path] = page(found.label, body, depth=1).encode("utf-8")
    return pages
