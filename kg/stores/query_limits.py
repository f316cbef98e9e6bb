"""Limits on SPARQL text that comes from outside, checked before any engine sees it.

Query text from a user (`kg query -e`, a saved query file and its parameters) or
from a client of `kg serve` can be hostile: Oxigraph's parser and planner recurse
once per level of nesting and crash the whole process (a segfault in `kg query`,
an abort of the server) at a few thousand levels of brackets or of chained
operators, and `SERVICE <url>` makes the engine (rdflib, pyoxigraph, the Oxigraph
server) connect to any address the text names. Only text from outside goes
through here: kg's own queries are written by kg.

The limits (docs/security.md), generous for real queries (the saved queries in
queries/ use a small fraction of each):

- MAX_QUERY_BYTES: the query text in UTF-8, with the parameter values bound into it.
- MAX_BRACKET_DEPTH: (), {} and [] inside one another. Oxigraph's parser takes
  time that grows steeply with the depth of [] (80 levels: about a second).
- MAX_NESTING: the levels a query's syntax tree can have: each open bracket, and
  each operator, keyword or pattern element before it inside those brackets,
  counts one (`1+1+...+1` nests as deep as it is long). Data in a VALUES block
  and the arguments of a function or an IN list are flat and do not count.
- SERVICE is refused unless the caller allows it (`--allow-service`).

The text is read as a lexer would, not parsed: strings, IRIs and comments are
skipped, and the text is checked once more with SPARQL's \\u escapes decoded,
because rdflib decodes them before parsing (`\\u0053ERVICE` is SERVICE to it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.model.errors import UsageError

MAX_QUERY_BYTES = 1_048_576
MAX_BRACKET_DEPTH = 64
MAX_NESTING = 1000

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<variable>[?$]\w+)
  | (?P<name>[\w.\-]*:[\w.\-%:\\]*|\w[\w.\-]*)
  | (?P<open>[({\[])
  | (?P<close>[)}\]])
  | (?P<operator>\|\||&&|!=|<=|>=|[=<>+\-*/!^|?.;,])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
# Keywords that add a node to the query's tree (a join, a filter, a union, ...).
_NESTING_KEYWORDS = frozenset(
    {"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "GRAPH", "SERVICE", "EXISTS", "NOT", "IN"}
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class QueryShape:
    """What the limits look at in a query text; `*_at` is (line, column), 1-based."""

    bracket_depth: int
    bracket_depth_at: tuple[int, int]
    nesting: int
    nesting_at: tuple[int, int]
    service_at: tuple[int, int] | None


@dataclass
class _Group:
    bracket: str
    weight: int = 0
    flat: bool = False


def shape_of(text: str) -> QueryShape:
    """The bracket depth, the nesting and the first SERVICE keyword of `text`."""
    stack = [_Group("")]  # the root: the text outside any bracket
    nesting = deepest = most = 0
    deepest_at = most_at = 0
    service_at: int | None = None
    values_next = False
    for token in _TOKEN.finditer(text):
        kind, value = token.lastgroup, token.group()
        inner = stack[-1]
        adds = 0
        if kind == "close":
            if len(stack) > 1:
                nesting -= stack.pop().weight
            continue
        if kind == "open":
            adds = 1
        elif kind == "name" and ":" not in value:
            keyword = value.upper()
            if keyword == "SERVICE" and service_at is None:
                service_at = token.start()
            values_next = values_next or keyword == "VALUES"
            adds = int(keyword in _NESTING_KEYWORDS)
        elif kind == "operator":
            # Commas between a function's arguments or in an IN list make a flat list.
            adds = int(value != "," or inner.bracket != "(")
        if adds and not inner.flat:
            inner.weight += adds
            nesting += adds
            if nesting > most:
                most, most_at = nesting, token.start()
        if kind == "open":
            # A VALUES block's rows are data, a flat table however long.
            data = values_next and value == "{"
            values_next = values_next and not data
            stack.append(_Group(value, flat=inner.flat or data))
            if len(stack) - 1 > deepest:
                deepest, deepest_at = len(stack) - 1, token.start()
    return QueryShape(
        deepest,
        _position(text, deepest_at),
        most,
        _position(text, most_at),
        None if service_at is None else _position(text, service_at),
    )


def check_query(
    text: str,
    *,
    allow_service: bool = False,
    service_hint: str = "rerun with --allow-service to allow it",
    bound_bytes: int = 0,
) -> None:
    """Refuse (UsageError, exit 2) query text over a limit, or with SERVICE unless allowed.

    `bound_bytes`: the size of the parameter values that will be bound into the text.
    """
    size = len(text.encode("utf-8", errors="surrogatepass")) + bound_bytes
    if size > MAX_QUERY_BYTES:
        raise UsageError(
            f"the query is {size:,} bytes long{' with its parameters' if bound_bytes else ''}; "
            f"kg takes queries of at most {MAX_QUERY_BYTES:,} bytes (1 MiB): "
            "split it into smaller queries"
        )
    readings = [text]
    if _ESCAPE.search(text):
        readings.append(_ESCAPE.sub(_unescaped, text))
    for reading in readings:
        shape = shape_of(reading)
        if shape.bracket_depth > MAX_BRACKET_DEPTH:
            raise UsageError(
                f"the query nests brackets {shape.bracket_depth} deep (at line "
                f"{shape.bracket_depth_at[0]}, column {shape.bracket_depth_at[1]}); kg takes "
                f"at most {MAX_BRACKET_DEPTH} levels of (), {{}} and [] inside one another"
            )
        if shape.nesting > MAX_NESTING:
            raise UsageError(
                f"the query nests {shape.nesting} levels deep (at line {shape.nesting_at[0]}, "
                f"column {shape.nesting_at[1]}; each bracket, operator and pattern element "
                f"inside another counts one); kg takes at most {MAX_NESTING}: split it into "
                "smaller queries"
            )
        if shape.service_at is not None and not allow_service:
            line, column = shape.service_at
            raise UsageError(
                f"the query calls another SPARQL endpoint with SERVICE (line {line}, column "
                f"{column}), a connection to wherever it names; {service_hint}"
            )


def _unescaped(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF else match.group()


def _position(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1
