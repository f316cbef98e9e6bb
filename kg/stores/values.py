"""Binding query parameters by a VALUES block at the start of the WHERE group.

Used by every backend that cannot bind natively: remote servers, and the embedded
index too (Oxigraph's own substitution refuses variables that are not projected,
and saved queries bind variables they do not select). One way to bind keeps the
embedded index and a remote server in exact agreement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from rdflib.term import Identifier

from kg.model.errors import QueryError, UsageError
from kg.stores.terms import ntriples

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def code_only(sparql: str) -> str:
    """`sparql` with its comments, strings and IRIs blanked out, at the same offsets:
    what is left are the query's keywords, braces and variables."""
    return _TOKEN.sub(
        lambda token: (
            " " * len(token.group())
            if token.lastgroup in ("comment", "string", "iri")
            else token.group()
        ),
        sparql,
    )


def inject_values(sparql: str, bindings: Mapping[str, Identifier]) -> str:
    """Bind variables with a VALUES block at the start of the WHERE group.

    At the start of the group the values join before FILTER, OPTIONAL and BIND see
    them, as substitution does; a trailing VALUES joins last and can change results.
    Values are written as N-Triples terms, so no user text enters the query.
    """
    names = sorted(bindings)
    row = " ".join(ntriples(bindings[name]) for name in names)
    return _with_block(sparql, names, [f"({row})"])


def inject_rows(sparql: str, name: str, terms: Iterable[Identifier]) -> str:
    """Bind `name` to each of `terms` in turn (one solution each), by a VALUES block
    at the start of the WHERE group, as `inject_values` binds one row."""
    return _with_block(sparql, [name], [f"({ntriples(term)})" for term in terms])


def _with_block(sparql: str, names: Sequence[str], rows: Sequence[str]) -> str:
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise UsageError(f"{name!r} is not a SPARQL variable name")
    data = "(" + " ".join(f"?{name}" for name in names) + ") { " + " ".join(rows) + " } "
    position = _where_group(sparql)
    if position is None:
        # CONSTRUCT WHERE { triples } allows no VALUES inside: bind after it.
        return sparql + "\nVALUES " + data
    return sparql[: position + 1] + " VALUES " + data + sparql[position + 1 :]


def where_group_start(sparql: str) -> int | None:
    """The offset of the `{` that opens the query's WHERE group, where kg binds
    parameters; None for CONSTRUCT WHERE (bound after it); QueryError without one."""
    return _where_group(sparql)


def _where_group(sparql: str) -> int | None:
    """The offset of the `{` that opens the query's WHERE group, or None for CONSTRUCT WHERE."""
    form: str | None = None
    depth = 0
    after_where = False
    template_done = False
    for match in _TOKEN.finditer(sparql):
        group = match.lastgroup
        if group == "word":
            word = match.group().upper()
            if depth == 0 and form is None and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                form = word
            elif depth == 0 and word == "WHERE":
                after_where = True
        elif group == "open":
            if depth == 0:
                if form == "CONSTRUCT" and not after_where and not template_done:
                    template_done = True  # the template, not the pattern
                elif form == "CONSTRUCT" and after_where and not template_done:
                    return None
                else:
                    return match.start()
            depth += 1
        elif group == "close":
            depth -= 1
    raise QueryError("the query has no WHERE group to bind parameters in")
