"""Bound values for Oxigraph's planner: written into a query's text, or selected too.

Oxigraph plans a query from its text alone: a value handed over as a substitution is
not planned with, so a saved query bound to one entity could read the whole graph.
These rewrites put each bound value where the planner sees it, only where the answer
stays exactly the one the in-memory store gives with rdflib's initBindings.

The rule for sub-selects (`inlined`): Oxigraph plans a sub-select from its own text
too, so a value is written into it as well where that is the same variable. SPARQL
scopes a sub-select's variables: one it selects joins with the outer variable of that
name, one it does not select is another variable. So the value goes into a sub-select
(and every sub-select around it) that selects the variable, which is then dropped from
its SELECT: the join kept only its rows with that value, which are the rows it gives
with the value written in. Not when a LIMIT or OFFSET picks rows, GROUP BY, HAVING or
an aggregate makes them, or the variable is used after its WHERE group; then the query
keeps the VALUES block (kg.stores.values). A sub-select that does not select the
variable is left as it is.

May import: kg.model, kg.stores.base, kg.stores.terms, kg.stores.values, pyoxigraph.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from kg.model.errors import UsageError
from kg.stores.base import QueryResult

_PROJECTION = re.compile(
    r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(?P<variables>(?:\?\w+\s+)+)(?=WHERE\b|\{)",
    re.IGNORECASE,
)


def with_projected(sparql: str, bindings: Mapping[str, Identifier]) -> str | None:
    """The query also selecting the bound variables, or None when that is not safe.

    Only for one SELECT (a subquery has its own scope) with a plain list of
    variables, no GROUP BY, none of the bound variables selected already, and
    bindings that are IRIs or literals.
    """
    if len(re.findall(r"\bSELECT\b", sparql, re.IGNORECASE)) != 1:
        return None
    if re.search(r"\bGROUP\s+BY\b", sparql, re.IGNORECASE):
        return None
    if any(not isinstance(value, URIRef | Literal) for value in bindings.values()):
        return None
    match = _PROJECTION.search(sparql)
    if match is None or set(re.findall(r"\?(\w+)", match.group("variables"))) & set(bindings):
        return None
    end = match.end("variables")
    return sparql[:end] + " ".join(f"?{name}" for name in bindings) + " " + sparql[end:]


def inlined(sparql: str, bindings: Mapping[str, Identifier]) -> str | None:
    """The query with each bound variable replaced by its value, or None when that is
    not safe. That is the pre-binding the in-memory store gives (rdflib's
    initBindings), written out. Done only for a SELECT query that does not select the
    bound variables (other variables and expressions of them), no VALUES, and bound
    variables that are neither the target of an AS nor used after the WHERE group
    (GROUP BY, HAVING, ORDER BY).

    A sub-select has variables of its own: one that selects a bound variable joins
    with the outer one, so the value is written into it too and the variable dropped
    from its SELECT (each row it gave with another value was dropped by the join, and
    for rdflib the variable is bound inside it). It must then have no GROUP BY, HAVING,
    aggregate, LIMIT or OFFSET, nor use the variable after its WHERE group, and keep a
    column. A sub-select that does not select the variable is left as it is: its
    variable of that name is another one, as the VALUES block of the other stores
    leaves it (rdflib's initBindings binds it too; docs/stores.md).
    """
    from kg.stores.terms import ntriples

    if any(not isinstance(value, URIRef | Literal) for value in bindings.values()):
        return None
    places = _places(sparql, frozenset(bindings))
    if places is None:
        return None
    values: dict[str, str] = {}
    for name, value in bindings.items():
        try:
            values[name] = ntriples(value)
        except UsageError:
            return None
    pieces: list[str] = []
    last = 0
    for start, end, name, written in places:
        pieces += [sparql[last:start], values[name] if written else ""]
        last = end
    return "".join(pieces) + sparql[last:]


@dataclass(frozen=True)
class _Scope:
    """One SELECT of a query, by offsets into its text: the query or a sub-select."""

    select: int  # its SELECT keyword
    where: int  # the "{" that opens its WHERE group
    after: int  # just after that group: GROUP BY, ORDER BY, LIMIT ... up to `end`
    end: int  # the "}" closing the group a sub-select is written in; the text's end
    plain: Mapping[str, int] | None  # the variables selected as they are (None: *)
    columns: int

    def holds(self, offset: int) -> bool:
        return self.select <= offset < self.end


def for_a_server(sparql: str, bindings: Mapping[str, Identifier]) -> str:
    """The text a SPARQL server gets for `sparql` with `bindings`: the values written in
    (`inlined`) where that is exact and still parses, else a VALUES block at the start
    of the WHERE group (kg.stores.values). A server plans from the text as the index
    does: bound by VALUES, a sub-select is evaluated for every value first, so at a
    million triples entity-facts took over 60 s on Oxigraph's server, 3 ms on the index
    (benchmarks/bench_servers.py)."""
    import pyoxigraph

    from kg.stores.values import inject_values

    text = inlined(sparql, bindings)
    if text is not None:
        try:
            pyoxigraph.Store().query(text)  # a value where SPARQL takes none: a literal
        except SyntaxError:  # as a predicate; bound by VALUES it matches nothing
            text = None
    return text if text is not None else inject_values(sparql, bindings)


def outer_select(sparql: str) -> tuple[str, str] | None:
    """The query's own SELECT as text with comments, strings and IRIs blanked: what comes
    between the keyword and its WHERE group (DISTINCT, the columns) and what follows
    that group (ORDER BY, LIMIT, ...); None for another form or braces that do not pair."""
    from kg.stores.values import code_only

    code = code_only(sparql)
    scopes = _scopes(code)
    if not scopes:
        return None
    query = scopes[0]
    return code[query.select + len("SELECT") : query.where], code[query.after :]


@functools.lru_cache(maxsize=256)
def _places(sparql: str, names: frozenset[str]) -> tuple[tuple[int, int, str, bool], ...] | None:
    """Where the variables `names` are written in `sparql` (start, end, name, and True to
    write the value there, False to drop a sub-select's column), or None when a value
    cannot be written in their place (see inlined). Cached: the same saved queries run
    again and again with other values."""
    from kg.stores.values import code_only

    # Comments, strings and IRIs blanked out: a "?name" inside them is not the variable.
    code = code_only(sparql)
    form = re.search(r"\b(?:SELECT|ASK|CONSTRUCT|DESCRIBE)\b", code, re.IGNORECASE)
    if form is None or form.group().upper() != "SELECT":
        return None
    if re.search(r"\bVALUES\b", code, re.IGNORECASE):
        return None
    pattern = "|".join(re.escape(name) for name in sorted(names))
    if re.search(rf"\bAS\s+[?$](?:{pattern})\b", code, re.IGNORECASE):
        return None
    scopes = _scopes(code)
    # The projection may hold expressions, (COALESCE(...) AS ?x): only the bound
    # variables must not be in it (`SELECT *` holds them all).
    if scopes is None or scopes[0].plain is None:
        return None
    places: list[tuple[int, int, str, bool]] = []
    dropped = [0] * len(scopes)
    for token in re.finditer(r"[?$](\w+)", code):
        name = token.group(1)
        if name not in names:
            continue
        chain = [index for index in range(len(scopes)) if scopes[index].holds(token.start())]
        if not chain:
            return None  # before the SELECT: not a query kg reads
        place = _place(code, [scopes[index] for index in reversed(chain)], token.start(), name)
        if place is None:
            return None
        if place == "own":
            continue
        places.append((token.start(), token.end(), name, place == "write"))
        dropped[chain[-1]] += place == "drop"
    if any(gone and scope.columns <= gone for scope, gone in zip(scopes, dropped, strict=True)):
        return None  # a sub-select left with nothing to select
    return tuple(places)


def _place(code: str, chain: list[_Scope], offset: int, name: str) -> str | None:
    """What to do with the bound variable `name` written at `offset`, inside the scopes
    `chain` (innermost first, the query last): "write" its value, "drop" it from a
    sub-select's SELECT, leave it as a sub-select's "own", or None: not safe."""
    inner, query = chain[0], chain[-1]
    for scope in chain[:-1]:
        if scope.plain is None:
            return None  # SELECT * in a sub-select: which variables it selects is not read
        if name not in scope.plain:
            return "own"
    for scope in chain[:-1]:
        tail, head = code[scope.after : scope.end], code[scope.select : scope.where]
        if (
            re.search(r"\b(?:GROUP|HAVING|LIMIT|OFFSET)\b", tail, re.IGNORECASE)
            or re.search(rf"[?$]{re.escape(name)}\b", tail)
            or re.search(_AGGREGATE, head + tail, re.IGNORECASE)
        ):
            return None
    if offset >= inner.after:
        return None  # after the WHERE group (GROUP BY, HAVING, ORDER BY)
    if offset >= inner.where:
        return "write"
    if inner is query:
        return None  # selected: the answer needs it as a column
    return "drop" if (inner.plain or {}).get(name) == offset else "write"


_AGGREGATE = r"\b(?:COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\("


def _scopes(code: str) -> list[_Scope] | None:
    """Every SELECT of `code` (comments, strings and IRIs blanked), the query's first,
    each sub-select after the one it is written in; None when the braces do not pair."""
    closing: dict[int, int] = {}
    opened: list[int] = []
    selects: list[tuple[int, int | None]] = []  # each SELECT and the "{" it is written in
    for token in re.finditer(r"[{}]|\bSELECT\b", code, re.IGNORECASE):
        if token.group() == "{":
            opened.append(token.start())
        elif token.group() == "}":
            if not opened:
                return None
            closing[opened.pop()] = token.start()
        else:
            selects.append((token.start(), opened[-1] if opened else None))
    if opened or not selects or any(group is None for _, group in selects[1:]):
        return None
    scopes: list[_Scope] = []
    for select, group in selects:
        where = _where_group(code, select)
        if where is None or where not in closing:
            return None
        head = select + len("SELECT")
        columns = _columns(code[head:where])
        scopes.append(
            _Scope(
                select=select,
                where=where,
                after=closing[where] + 1,
                end=len(code) if group is None else closing[group],
                plain=None if columns is None else {n: head + at for n, at in columns[0].items()},
                columns=0 if columns is None else columns[1],
            )
        )
    return scopes


def _where_group(code: str, select: int) -> int | None:
    """The "{" that opens the WHERE group of the SELECT at `select` (the first one
    outside the parentheses of its expressions)."""
    depth = 0
    for token in re.finditer(r"[(){]", code[select:]):
        if token.group() == "{" and depth == 0:
            return select + token.start()
        depth += {"(": 1, ")": -1}.get(token.group(), 0)
    return None


def _columns(head: str) -> tuple[dict[str, int], int] | None:
    """The variables a SELECT selects as they are (each with its offset in `head`, the
    text after the keyword) and how many columns it has; None for `SELECT *`."""
    plain: dict[str, int] = {}
    columns = depth = 0
    for token in re.finditer(r"[?$](\w+)|[()*]", head):
        if token.group() == "(":
            columns += depth == 0
            depth += 1
        elif token.group() == ")":
            depth -= 1
        elif token.group() == "*":
            if depth == 0:
                return None
        elif depth == 0:
            plain[token.group(1)] = token.start()
            columns += 1
    return plain, columns


def without_last_columns(result: QueryResult, count: int) -> QueryResult:
    """The answer without the `count` variables selected only to substitute them."""
    if count == 0 or result.kind != "select":
        return result
    return QueryResult(
        kind="select",
        variables=result.variables[:-count],
        rows=tuple(row[:-count] for row in result.rows),
    )
