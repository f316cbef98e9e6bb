"""What every check of kg reconcile is: a verdict on one value of one article claim."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Node

CORROBORATED = "corroborated"
CONTRADICTED = "contradicted"
DIFFERS = "differs"
CANNOT_SAY = "cannot say"
VERDICTS = (CONTRADICTED, DIFFERS, CANNOT_SAY, CORROBORATED)


@dataclass(frozen=True)
class Check:
    """One value of one article claim, checked against the official results."""

    verdict: str
    claim: str
    subject: str
    checked_property: str
    reported: str
    official: str
    reported_source: str
    official_source: str
    official_claim: str
    entry_label: str
    explanation: str
    # An article's car (ms:entry in the report); else a programme, driver or event.
    about_entry: bool = True

    @property
    def key(self) -> str:
        text = f"{self.claim} {self.checked_property} {self.reported}"
        return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]


@dataclass
class ClaimNode:
    """A claim node: its values by property, its sources, and whether it is official."""

    iri: str
    values: dict[str, set[Node]]
    sources: set[str]
    official: bool

    def one(self, prop: URIRef) -> Node | None:
        found = sorted(self.values.get(str(prop), set()), key=str)
        return found[0] if found else None

    def all(self, prop: URIRef) -> list[str]:
        return sorted(str(v) for v in self.values.get(str(prop), set()))

    @property
    def source(self) -> str:
        return sorted(self.sources)[0] if self.sources else ""
