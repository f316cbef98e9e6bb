"""How a SPARQL request goes on the wire, and whether its answer is whole.

The SPARQL 1.1 Protocol offers three ways to send a query: GET with `query=` in the
URL, a form-encoded POST (`application/x-www-form-urlencoded`), and a direct POST of
the query text (`application/sparql-query`). Servers do not all implement the third:
Virtuoso 7.2 never answers it. So kg sends a query by GET while the whole URL is
short, and as a form above that (by its size); KG_SPARQL_METHOD chooses one way for
every query (`get`, `form` or `direct`; `auto`, the default, is the rule above).
An update goes as a form (`update=`), or as a direct POST with `direct`.

A server may also cut an answer at its own limit: Virtuoso returns at most
ResultSetMaxRows rows (10,000 by default) and says so only in an `X-SPARQL-MaxRows`
header; with `X-SQL-State: S1TAT` it returns what an "anytime" query found before
its time ran out. kg never passes on such an answer as if it were whole
(`check_whole`).

May import: kg.model, kg.stores.http_client and the standard library.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

from kg.model.errors import StoreError, UsageError
from kg.stores.http_client import Reply

METHOD_ENV = "KG_SPARQL_METHOD"
METHODS = ("auto", "get", "form", "direct")
Method = Literal["auto", "get", "form", "direct"]
# Above this many bytes of URL, `auto` sends a form: servers and proxies commonly
# refuse URLs of 4 to 8 KB, and a query's text grows with its bound values.
LONG_URL = 2000
FORM = "application/x-www-form-urlencoded"
MAX_ROWS_HEADER = "X-SPARQL-MaxRows"
PARTIAL_STATE = "S1TAT"  # Virtuoso's SQL state for an anytime query's partial answer

Dataset = list[tuple[str, str]]


@dataclass(frozen=True)
class Request:
    """One HTTP request for a query or an update."""

    method: str
    url: str
    body: bytes | None
    content_type: str | None


def configured_method() -> Method:
    """The way KG_SPARQL_METHOD names (auto when unset); anything else is a usage error."""
    raw = os.environ.get(METHOD_ENV, "").strip().lower() or "auto"
    if raw not in METHODS:
        shown = os.environ.get(METHOD_ENV, "")
        raise UsageError(
            f"{METHOD_ENV}={shown!r} is not a way to send SPARQL queries: use "
            "auto (GET, or a form for long ones), get, form or direct"
        )
    return raw  # type: ignore[return-value]


def query_request(url: str, sparql: str, dataset: Dataset, method: Method) -> Request:
    """The request that asks `url` the query `sparql` over `dataset` (the protocol's
    default-graph-uri and named-graph-uri parameters), sent the way `method` says."""
    if method == "direct":
        encoded = urlencode(dataset)
        if len(encoded) <= LONG_URL:
            target = with_params(url, encoded)
            return Request("POST", target, sparql.encode("utf-8"), "application/sparql-query")
        method = "form"  # too many graphs for any URL: only a form body holds them
    fields = urlencode([("query", sparql), *dataset])
    if method == "get" or (method == "auto" and len(url) + 1 + len(fields) <= LONG_URL):
        return Request("GET", with_params(url, fields), None, None)
    return Request("POST", url, fields.encode("utf-8"), FORM)


def update_request(url: str, update: str, method: Method) -> Request:
    """The request that sends the SPARQL update `update` to `url` (GET cannot update)."""
    if method == "direct":
        return Request("POST", url, update.encode("utf-8"), "application/sparql-update")
    return Request("POST", url, urlencode([("update", update)]).encode("utf-8"), FORM)


def check_whole(reply: Reply, where: str) -> None:
    """Refuse an answer that the server says it cut short (a StoreError, exit 3)."""
    limit = reply.header(MAX_ROWS_HEADER)
    if limit is not None:
        shown = limit.strip()[:20] or "?"
        raise StoreError(
            f"{where} cut the answer at its limit of {shown} rows ({MAX_ROWS_HEADER}: "
            f"{shown}); kg does not show a partial answer: raise the server's limit "
            f"(Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini, "
            "then restart it) above the number of rows the query returns"
        )
    state = reply.header("X-SQL-State")
    if state is not None and state.strip().upper() == PARTIAL_STATE:
        raise StoreError(
            f"{where} answered with what it found before its time limit ran out, "
            "a partial answer; raise the server's limit (Virtuoso: MaxQueryExecutionTime "
            "in the [SPARQL] section of virtuoso.ini) or ask a narrower question"
        )


# Virtuoso refuses a query whose cost it estimates above MaxQueryCostEstimationTime
# (400 s by default), before running it; its estimates for kg's saved queries run from
# minutes to decades, for queries that take milliseconds.
_ESTIMATE = re.compile(
    r"estimated execution time (?P<estimate>[0-9]+) \(sec\) exceeds the limit of "
    r"(?P<limit>[0-9]+) \(sec\)"
)


def refused_on_estimate(where: str, detail: str) -> StoreError | None:
    """The error for a query a server refused on an estimate of its cost, or None."""
    found = _ESTIMATE.search(detail)
    if found is None:
        return None
    return StoreError(
        f"{where} refused the query on an estimate of its cost ({found['estimate']} s, above "
        f"its limit of {found['limit']} s) without running it; Virtuoso's estimates are far "
        "above what the query takes: set MaxQueryCostEstimationTime = 0 (no estimate) in "
        "the [SPARQL] section of virtuoso.ini and restart it (docs/stores.md)"
    )


def with_params(url: str, encoded: str) -> str:
    """`url` with the encoded parameters `encoded` added to its own."""
    if not encoded:
        return url
    parts = urlsplit(url)
    query = f"{parts.query}&{encoded}" if parts.query else encoded
    return urlunsplit(parts._replace(query=query))
