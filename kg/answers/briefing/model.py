"""What a briefing is made of: sections of lines, each line with its numbered citations.

These frozen dataclasses are the `--format json` schema of `kg show` (documented
in docs/briefings.md): change a field only with a new SCHEMA_VERSION.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Reference:
    """One source in the reference list, cited as [number]."""

    number: int
    iri: str
    title: str
    kind: str
    outlet: str
    author: str
    published: str
    language: str
    text_file: str
    our_title: bool = False


@dataclass(frozen=True)
class Line:
    """One fact in words, with the numbers of the references that state it.

    `quote` is the verbatim quote of a quote line, `translation` its translation
    into the reader's language where the source's language differs; `details`
    are facts that belong under this one (the incidents under a race).
    """

    text: str
    cites: tuple[int, ...] = ()
    iri: str | None = None
    when: str = ""
    quote: str = ""
    translation: str = ""
    details: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    lines: tuple[Line, ...]
    note: str = ""


@dataclass(frozen=True)
class Briefing:
    schema_version: int
    iri: str
    label: str
    kind: str
    lang: str
    summary: str
    also_known_as: tuple[str, ...]
    sections: tuple[Section, ...]
    references: tuple[Reference, ...]
    as_of: str | None = None
