"""`SELECT DISTINCT` kept by kg where a server does not keep it (issue 19).

Virtuoso 7.2 can give one row twice under `SELECT DISTINCT`: where a sub-select yields
the same row twice and OPTIONALs follow it (race-position-reports with a driver who has
two entries at the event), every Virtuoso tried gave 46 rows of which 42 distinct. The
answer of a DISTINCT query therefore loses its repeated rows here, the first of each
kept, so the server's order stays. Where the query also takes a slice of its answer
(LIMIT or OFFSET), the server counted the repeated rows in the slice, so rows that
belong in it are missing: that answer is refused, never shown short.

May import: kg.model.errors, kg.stores.base, kg.stores.bound_text and the standard library.
"""

from __future__ import annotations

import re

from kg.model.errors import QueryError
from kg.stores.base import QueryResult
from kg.stores.bound_text import outer_select

_DISTINCT = re.compile(r"\s*DISTINCT\b", re.IGNORECASE)
_SLICE = re.compile(r"\b(?:LIMIT|OFFSET)\b", re.IGNORECASE)


def kept_distinct(sparql: str, result: QueryResult, server: str) -> QueryResult:
    """`result` without repeated rows when `sparql` is a SELECT DISTINCT; QueryError when
    the server repeated rows in a slice of the answer (its rows cannot be trusted)."""
    if result.kind != "select" or len(set(result.rows)) == len(result.rows):
        return result
    parts = outer_select(sparql)  # the query's own SELECT, not a sub-select's
    if parts is None or not _DISTINCT.match(parts[0]):
        return result
    if _SLICE.search(parts[1]):
        raise QueryError(
            f"{server} gave the same row more than once for a SELECT DISTINCT query with "
            "LIMIT or OFFSET, so rows that belong in its answer are missing (a fault of "
            "the server); run it without LIMIT and OFFSET, or on another store"
        )
    unique = tuple(dict.fromkeys(result.rows))
    return QueryResult(kind="select", variables=result.variables, rows=unique)
