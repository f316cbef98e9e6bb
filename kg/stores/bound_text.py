"""Bound values for Oxigraph's planner: written into a query's text, or selected too.

Oxigraph plans a query from its text alone: a value handed over as a substitution is
not planned with, so a saved query bound to one entity could read the whole graph.
These rewrites put each bound value where the planner sees it, only where the answer
stays exactly the one the in-memory store gives with rdflib's initBindings.

May import: kg.model, kg.stores.base, kg.stores.terms, kg.stores.values.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

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
    initBindings), written out; it is done only for one SELECT (no sub-query) that
    does not select the bound variables (other variables and expressions of them), no
    VALUES, and bound variables that are neither the target of an AS nor used after
    the WHERE group (GROUP BY, HAVING, ORDER BY).
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
    for start, end, name in places:
        pieces += [sparql[last:start], values[name]]
        last = end
    return "".join(pieces) + sparql[last:]


@functools.lru_cache(maxsize=256)
def _places(sparql: str, names: frozenset[str]) -> tuple[tuple[int, int, str], ...] | None:
    """Where the variables `names` are written in `sparql` (start, end, name), or None
    when a value cannot be written in their place (see inlined). Cached: the same
    saved queries run again and again with other values."""
    from kg.stores.values import code_only

    # Comments, strings and IRIs blanked out: a "?name" inside them is not the variable.
    code = code_only(sparql)
    if len(re.findall(r"\bSELECT\b", code, re.IGNORECASE)) != 1:
        return None
    if re.search(r"\bVALUES\b", code, re.IGNORECASE):
        return None
    # The projection may hold expressions, (COALESCE(...) AS ?x): only the bound
    # variables must not be in it (`SELECT *` holds them all).
    select = re.search(r"\bSELECT\b", code, re.IGNORECASE)
    assert select is not None
    body = re.compile(r"\bWHERE\b|\{", re.IGNORECASE).search(code, select.end())
    if body is None or code[select.end() : body.start()].strip().endswith("*"):
        return None
    where, modifiers = body.start(), code.rfind("}")
    pattern = "|".join(re.escape(name) for name in sorted(names))
    if re.search(rf"\bAS\s+[?$](?:{pattern})\b", code, re.IGNORECASE):
        return None
    if re.search(rf"[?$](?:{pattern})\b", code[modifiers:]):
        return None
    places: list[tuple[int, int, str]] = []
    for token in re.finditer(r"[?$](\w+)", code):
        name = token.group(1)
        if name not in names:
            continue
        if token.start() < where:
            return None  # selected: the answer needs it as a column
        places.append((token.start(), token.end(), name))
    return tuple(places)


def without_last_columns(result: QueryResult, count: int) -> QueryResult:
    """The answer without the `count` variables selected only to substitute them."""
    if count == 0 or result.kind != "select":
        return result
    return QueryResult(
        kind="select",
        variables=result.variables[:-count],
        rows=tuple(row[:-count] for row in result.rows),
    )
