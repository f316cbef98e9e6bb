"""The columns of `SELECT *`: the same ones, in the same order, on every store.

SPARQL 1.1 gives `SELECT *` the variables in scope in the query (§18.2.1) and no
order. Each engine chose its own: rdflib's comes from a set (so it changes with
PYTHONHASHSEED from run to run), Oxigraph's is alphabetical, a server's is its own.
kg orders them as a reader expects: by where each first appears in the query text
in a place that puts it in scope. So `?x` counts where a triple
pattern, a `VALUES`, `GRAPH ?x`, `SERVICE ?x` or `BIND (... AS ?x)` names it, or a
sub-select projects it; not in a FILTER, an EXISTS, a MINUS, the expression of a
BIND, nor in the body of a sub-select that does not project it. `$x` and `?x` are
the same variable; comments, strings and IRIs are not read.

Which variables are columns is each store's answer (their in-scope sets), but that
rdflib and Virtuoso also make columns of variables only a FILTER, EXISTS or MINUS
names (never bound, so dropped here), and rdflib drops those of a VALUES clause
after the WHERE group: the memory store asks for the in-scope variables by name
(`explicit`).

May import: kg.stores.base and the standard library.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, TypeVar

from kg.stores.base import QueryResult

_Params = ParamSpec("_Params")
_Store = TypeVar("_Store")

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<variable>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+)
  | (?P<name>(?:[^\W\d][\w.\-]*)?:(?:[\w.\-%:]|\\[^\s])*)
  | (?P<word>[^\W\d]\w*)
  | (?P<open>[({\[])
  | (?P<close>[)}\]])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FORMS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})
# Text without this is no `SELECT *`: most queries are not read token by token.
_MAYBE_STAR = re.compile(
    r"SELECT(?:\s|\#[^\n]*\n)*(?:(?:DISTINCT|REDUCED)(?:\s|\#[^\n]*\n)*)?\*", re.IGNORECASE
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


@dataclass(frozen=True)
class StarProjection:
    """A `SELECT *` query: where its `*` is written (`star`, offsets into the text) and
    its in-scope variables in kg's order (`variables`). `scoped` is False when the text
    was too deeply nested to read scopes: then `variables` holds every variable in
    order of first appearance, an order but not the in-scope set."""

    star: tuple[int, int]
    variables: tuple[str, ...]
    scoped: bool = True
    service: bool = False  # whether the query calls a SERVICE


def star_ordered(
    query: Callable[Concatenate[_Store, str, _Params], QueryResult],
) -> Callable[Concatenate[_Store, str, _Params], QueryResult]:
    """A store's `query` method, its answer to `SELECT *` in kg's order (`in_star_order`):
    the one hook each backend needs."""

    @functools.wraps(query)
    def ordered(
        store: _Store, sparql: str, /, *args: _Params.args, **kwargs: _Params.kwargs
    ) -> QueryResult:
        return in_star_order(sparql, query(store, sparql, *args, **kwargs))

    return ordered


def in_star_order(sparql: str, result: QueryResult) -> QueryResult:
    """`result` with its columns in kg's order when `sparql` is `SELECT *`; as it is
    otherwise. The store's columns stay the columns, but for one that only a FILTER,
    EXISTS or MINUS names (which Virtuoso makes): no row binds it, no other store has it."""
    star = star_projection(sparql) if result.kind == "select" else None
    if star is None:
        return result
    columns = result.variables
    if star.scoped:
        columns = tuple(
            name
            for index, name in enumerate(result.variables)
            if name in star.variables or any(row[index] is not None for row in result.rows)
        )
    order = column_order(sparql, columns)
    if order is None or order == result.variables:
        return result
    position = {name: index for index, name in enumerate(result.variables)}
    places = [position[name] for name in order]
    return QueryResult(
        kind="select",
        variables=order,
        rows=tuple(tuple(row[index] for index in places) for row in result.rows),
    )


def column_order(sparql: str, variables: Sequence[str]) -> tuple[str, ...] | None:
    """A store's `variables` for `sparql` in kg's order, or None when `sparql` is not
    `SELECT *` (its own projection gives the order). A variable the text does not
    show in scope (a store's own idea) comes last, in order of name."""
    star = star_projection(sparql)
    if star is None:
        return None
    given = set(variables)
    known = [name for name in star.variables if name in given]
    return (*known, *sorted(given.difference(known)))


def explicit(sparql: str, variables: Sequence[str]) -> str:
    """`sparql` with the `*` of `SELECT *` replaced by `variables`, in that order: the
    same query, asking for its columns by name. Unchanged when `sparql` is not
    `SELECT *` or `variables` is empty (SPARQL has no empty projection)."""
    star = star_projection(sparql)
    if star is None or not variables:
        return sparql
    start, end = star.star
    return sparql[:start] + " ".join(f"?{name}" for name in variables) + sparql[end:]


@functools.lru_cache(maxsize=256)
def star_projection(sparql: str) -> StarProjection | None:
    """The `SELECT *` of `sparql` and its variables, or None for any other query (an
    explicit projection, ASK, CONSTRUCT, DESCRIBE, text that is not a query)."""
    if "*" not in sparql or _MAYBE_STAR.search(sparql) is None:
        return None
    tokens = [
        _Token(match.lastgroup or "other", match.group(), match.start(), match.end())
        for match in _TOKEN.finditer(sparql)
        if match.lastgroup not in ("space", "comment")
    ]
    form = next((index for index, token in enumerate(tokens) if token.keyword in _FORMS), None)
    if form is None or tokens[form].keyword != "SELECT":
        return None
    at = form + 1
    if at < len(tokens) and tokens[at].keyword in ("DISTINCT", "REDUCED"):
        at += 1
    if at >= len(tokens) or tokens[at].text != "*":
        return None
    star = (tokens[at].start, tokens[at].end)
    service = any(token.keyword == "SERVICE" for token in tokens)
    try:
        return StarProjection(star, _Scope(tokens).of_query(at + 1), service=service)
    except RecursionError:
        # Thousands of brackets inside one another: no engine answers such text anyway.
        names = (token.text[1:] for token in tokens if token.kind == "variable")
        return StarProjection(star, tuple(dict.fromkeys(names)), False, service)


class _Scope:
    """Reads the variables in scope (SPARQL 1.1 §18.2.1) in order, token by token."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.found: dict[str, None] = {}

    def of_query(self, at: int) -> tuple[str, ...]:
        """The variables of the WHERE group starting after `at`, and of a VALUES
        clause after it (Oxigraph and Jena make columns of those too)."""
        where = self._next_open(at, "{")
        if where is None:
            return ()
        self._trailing_values(self._group(where), len(self.tokens))
        return tuple(self.found)

    def _group(self, at: int) -> int:
        """The group opening at `at`: its variables in scope; where it ends."""
        tokens = self.tokens
        if at + 1 < len(tokens) and tokens[at + 1].keyword == "SELECT":
            return self._subselect(at + 1)
        at += 1
        while at < len(tokens):
            token = tokens[at]
            keyword = token.keyword
            if token.text == "}":
                return at + 1
            if token.text == "{":
                at = self._group(at)
            elif token.kind == "variable":
                self._add(token)
                at += 1
            elif keyword in ("FILTER", "MINUS"):
                # A FILTER (EXISTS too) binds nothing; MINUS only removes solutions.
                opened = self._next_open(at + 1, "({")
                at = at + 1 if opened is None else self._after(opened)
            elif keyword == "BIND":
                at = self._bind(at + 1)
            elif keyword == "VALUES":
                at = self._values(at + 1)
            else:
                at += 1
        return at

    def _subselect(self, at: int) -> int:
        """A `{ SELECT ... }` group with its SELECT at `at`: the variables it projects;
        where the group ends."""
        tokens = self.tokens
        at += 1
        if at < len(tokens) and tokens[at].keyword in ("DISTINCT", "REDUCED"):
            at += 1
        star = at < len(tokens) and tokens[at].text == "*"
        while at < len(tokens) and tokens[at].text != "{" and tokens[at].keyword != "WHERE":
            if tokens[at].kind == "variable":
                self._add(tokens[at])
                at += 1
            elif tokens[at].text == "(":
                end = self._after(at)
                self._alias(at, end)
                at = end
            else:
                at += 1
        body = self._next_open(at, "{")
        if body is None:
            return len(tokens)
        # The body's variables are in scope outside only through `SELECT *`.
        at = self._group(body) if star else self._after(body)
        end = self._closing(at)
        if star:
            self._trailing_values(at, end)
        return end + 1

    def _bind(self, at: int) -> int:
        """BIND (expression AS ?v) from its "(" at `at`: only ?v is in scope."""
        if at >= len(self.tokens) or self.tokens[at].text != "(":
            return at
        end = self._after(at)
        self._alias(at, end)
        return end

    def _alias(self, start: int, end: int) -> None:
        """The ?v of `( expression AS ?v )` between `start` and `end`."""
        if end - start >= 4 and self.tokens[end - 3].keyword == "AS":
            variable = self.tokens[end - 2]
            if variable.kind == "variable":
                self._add(variable)

    def _values(self, at: int) -> int:
        """VALUES ?v { ... } or VALUES (?a ?b) { ... } after the keyword at `at - 1`."""
        tokens = self.tokens
        while at < len(tokens) and tokens[at].text != "{":
            if tokens[at].kind == "variable":
                self._add(tokens[at])
            at += 1
        return self._after(at) if at < len(tokens) else at

    def _trailing_values(self, at: int, end: int) -> None:
        """A VALUES clause among the tokens from `at` to `end` after a WHERE group."""
        while at < end:
            if self.tokens[at].keyword == "VALUES":
                self._values(at + 1)
                return
            at = self._after(at) if self.tokens[at].kind == "open" else at + 1

    def _add(self, token: _Token) -> None:
        self.found.setdefault(token.text[1:], None)

    def _next_open(self, at: int, brackets: str) -> int | None:
        while at < len(self.tokens):
            if self.tokens[at].text in brackets:
                return at
            if self.tokens[at].text == "}":
                return None
            at += 1
        return None

    def _after(self, at: int) -> int:
        """Past the bracket opening at `at` and everything inside it."""
        depth = 0
        while at < len(self.tokens):
            kind = self.tokens[at].kind
            depth += kind == "open"
            depth -= kind == "close"
            at += 1
            if depth <= 0:
                break
        return at

    def _closing(self, at: int) -> int:
        """The "}" closing the group the tokens from `at` are in."""
        while at < len(self.tokens) and self.tokens[at].text != "}":
            at = self._after(at) if self.tokens[at].kind == "open" else at + 1
        return at
