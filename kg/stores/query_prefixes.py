"""kg's prefixes for query text that uses them without declaring them (`kg serve`).

`kg query -e` puts the project's PREFIX lines before the text a user types; `kg serve`
does the same for its clients, with care: it adds only the prefixes of kg's own
(kg.model.namespaces.PREFIXES) that a query uses and does not declare. A query's own
PREFIX always wins, and a query that declares what it uses reaches the server
exactly as it was sent. The declarations go in front of the first line, on that
line, so every line of the query keeps its number (Oxigraph's "error at LINE:COLUMN"
then needs only the columns of line 1 moved back, which the front does).

A prefix neither kg's nor declared is named in a refusal: Oxigraph's parser reports
it as a puzzle ("expected OPTIONAL").

The text is read as kg.stores.values reads it (comments, strings and IRIs blanked
out), not parsed. Where that reading is wrong the result is an error, never a
different answer: a use it misses gets no declaration (the server then refuses the
text), a use it sees where there is none adds a declaration nothing reads, and a
declaration it misses is declared twice, the query's own last, which the server
takes (SPARQL's later declaration wins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.model.namespaces import PREFIXES
from kg.stores.values import code_only

# `PREFIX label:` in the prologue (PNAME_NS: no space before the colon).
_DECLARED = re.compile(r"(?<![\w:.\-])PREFIX\s+([A-Za-z][\w.\-]*)?:", re.IGNORECASE)
# `label:local` anywhere: a label starts with a letter and follows no name character,
# so the colons inside a local name (`ms:a:b`) and blank nodes (`_:b0`) are not uses.
_USED = re.compile(r"(?<![\w:.\-?$\\])([A-Za-z][\w.\-]*):")


@dataclass(frozen=True)
class UndeclaredPrefix:
    """A prefix used without a declaration: its label, where it is first used (1-based)."""

    label: str
    line: int
    column: int

    @property
    def known(self) -> bool:
        return self.label in PREFIXES


def undeclared_prefixes(text: str) -> tuple[UndeclaredPrefix, ...]:
    """The prefixes `text` uses without declaring them, in the order of first use."""
    code = code_only(text)
    declared = {match.group(1) or "" for match in _DECLARED.finditer(code)}
    found: dict[str, UndeclaredPrefix] = {}
    line, line_start, counted_to = 1, 0, 0
    for match in _USED.finditer(code):
        label = match.group(1)
        if label in declared or label in found:
            continue
        offset = match.start()
        # Counted on from the last use, so a text of many prefixes is read once.
        line += text.count("\n", counted_to, offset)
        line_start = text.rfind("\n", counted_to, offset) + 1 or line_start
        counted_to = offset
        found[label] = UndeclaredPrefix(label, line, offset - line_start + 1)
    return tuple(found.values())


def known_prologue(undeclared: tuple[UndeclaredPrefix, ...]) -> str:
    """PREFIX declarations of kg's prefixes among `undeclared`, in kg's order, on one
    line with no line break (to go in front of the query's first line)."""
    used = {prefix.label for prefix in undeclared if prefix.known}
    return "".join(
        "PREFIX " + label + ": <" + namespace + "> "
        for label, namespace in PREFIXES.items()
        if label in used
    )
