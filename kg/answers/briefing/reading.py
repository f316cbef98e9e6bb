"""What the naming and time helpers ask of a briefing's context (context.Context).

A protocol, so that names.py and when.py need not import context.py, which uses them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from rdflib import URIRef
from rdflib.term import Node


class Reads(Protocol):
    lang: str

    def one(self, subject: Node, prop: URIRef) -> Node | None: ...

    def all(self, subject: Node, prop: URIRef) -> list[Node]: ...

    def text(self, subject: Node, prop: URIRef) -> str: ...

    def texts_by_language(self, subject: Node, prop: URIRef) -> dict[str, str]: ...

    def pick(self, values: Iterable[Node]) -> str: ...

    def label(self, term: Node | None) -> str: ...

    def is_a(self, node: Node, kind: URIRef) -> bool: ...
