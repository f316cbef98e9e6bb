"""The checks kg reconcile wrote about an entity that is not an article's car (a
programme's operation, a driver's first season or country, an event's date), as the
briefing section "Checked against the official results", right after the profile."""

from __future__ import annotations

from rdflib import URIRef

from kg.answers.briefing.context import Context
from kg.answers.briefing.model import Section
from kg.answers.briefing.words import words
from kg.model.namespaces import MS

_OPENING = ("profile", "when where")


def with_checks(ctx: Context, entity: URIRef, sections: list[Section]) -> list[Section]:
    """`sections` with the entity's checks added, unless its kind lists them already
    (an article's car has them on its card)."""
    if any(section.key == "checks" for section in sections):
        return sections
    from kg.answers.briefing.facts import check_line

    found = sorted(ctx.pointing(MS.checkedSubject, entity, MS.Reconciliation), key=str)
    lines = sorted((check_line(ctx, check) for check in found), key=lambda line: line.text)
    if not lines:
        return sections
    section = Section("checks", words(ctx.lang)["checks"], tuple(lines), "")
    at = 1 if sections and sections[0].key in _OPENING else 0
    return [*sections[:at], section, *sections[at:]]
