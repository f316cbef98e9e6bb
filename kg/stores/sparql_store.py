"""Any SPARQL 1.1 server: queries by the SPARQL 1.1 Protocol, graphs by the Graph Store Protocol.

The server is the store: reading commands ask it and never write to it; `kg push`
puts the knowledge there, one named graph per file. Credentials come from
KG_SPARQL_USER / KG_SPARQL_PASSWORD, a user:password@ in the URL, or ~/.netrc, and
are sent only as an HTTP Authorization header: never printed, logged or stored.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from kg.model.errors import QueryError, StoreError, UsageError
from kg.model.namespaces import new_graph
from kg.stores.base import Quad, QueryResult, described_syntax_error, graph_of
from kg.stores.config import redact
from kg.stores.terms import ntriples
from kg.stores.values import inject_values

TIMEOUT_ENV = "KG_SPARQL_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
USER_ENV = "KG_SPARQL_USER"
PASSWORD_ENV = "KG_SPARQL_PASSWORD"

SPARQL_RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
_NO_GRAPH = "urn:x-motorsport-kg:no-graph"
# Above this many bytes of dataset parameters, send them in a form body, not the URL.
_LONG_URL = 4000

_QUAD_QUERY = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
_GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

# The RDF merge of the knowledge's graphs, written by `kg push` beside them: a server's
# union of several graphs may count a triple once per graph (Oxigraph 0.5 does), and the
# default graph of a query must be a set (kg.stores.merged).
MERGE_GRAPH = "urn:x-motorsport-kg:merge-of-the-knowledge-graphs"


@dataclass(frozen=True)
class _Reply:
    status: int
    content_type: str
    body: bytes


class SparqlStore:
    """A remote SPARQL 1.1 server. Implements kg.stores.base.Store."""

    def __init__(
        self,
        query_url: str,
        gsp_url: str | None = None,
        update_url: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self._user, self._password = _credentials(query_url)
        self.query_url = _strip_userinfo(query_url)
        self.gsp_url = _strip_userinfo(gsp_url) if gsp_url else None
        self.update_url = _strip_userinfo(update_url) if update_url else None
        self.timeout = timeout if timeout is not None else _timeout()
        self._graph_names: list[str] | None = None
        self._has_merge = False

    @property
    def description(self) -> str:
        return f"SPARQL endpoint {self.query_url}"

    # -- HTTP ------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
    ) -> _Reply:
        import urllib.error
        import urllib.request

        headers = {"User-Agent": "motorsport-kg"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        user, password = self._user, self._password
        if user is None:
            user, password = _netrc_credentials(url)
        if user is not None:
            token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        where = redact(url.split("?", 1)[0])
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return _Reply(
                    response.status, response.headers.get("Content-Type", ""), response.read()
                )
        except urllib.error.HTTPError as error:
            detail = _excerpt(error.read() if error.fp is not None else b"")
            if error.code in (401, 403):
                raise StoreError(
                    f"the SPARQL endpoint {where} refused access (HTTP {error.code}); "
                    f"set {USER_ENV} and {PASSWORD_ENV} or add the host to ~/.netrc"
                ) from None
            if error.code == 400 and method == "POST" and url == self.query_url:
                raise QueryError(
                    f"the SPARQL endpoint {where} rejected the query (HTTP 400): {detail}"
                ) from None
            raise StoreError(
                f"the SPARQL endpoint {where} answered HTTP {error.code} {error.reason}"
                + (f": {detail}" if detail else "")
            ) from None
        except TimeoutError:
            raise StoreError(
                f"the SPARQL endpoint {where} did not answer within {self.timeout:g} s; "
                f"check the server or raise {TIMEOUT_ENV}"
            ) from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise StoreError(
                    f"the SPARQL endpoint {where} did not answer within {self.timeout:g} s; "
                    f"check the server or raise {TIMEOUT_ENV}"
                ) from None
            text = getattr(reason, "strerror", None) or str(reason)
            raise StoreError(
                f"cannot reach the SPARQL endpoint {where}: {text}; "
                "check that the server runs and the URL given with --store"
            ) from None
        except (OSError, ValueError) as error:
            # http.client raises these for broken or garbled answers.
            raise StoreError(
                f"the SPARQL endpoint {where} failed: {type(error).__name__}: {error}"
            ) from None

    def _sparql(self, sparql: str, graphs: Sequence[str] | None, accept: str) -> _Reply:
        dataset: list[tuple[str, str]] = []
        names = self.graph_names() if graphs is None else sorted(set(graphs))
        # Name the graphs explicitly so the default graph is their union on every server,
        # whatever its own default-graph setting; over all graphs, their merge where
        # `kg push` wrote one (a set, whatever the server's union does).
        merged = graphs is None and self._has_merge
        if merged:
            dataset.append(("default-graph-uri", MERGE_GRAPH))
        for name in names or [_NO_GRAPH]:
            if not merged:
                dataset.append(("default-graph-uri", name))
            dataset.append(("named-graph-uri", name))
        encoded = urlencode(dataset)
        if len(encoded) > _LONG_URL:
            form = urlencode([("query", sparql), *dataset]).encode("utf-8")
            return self._request(
                "POST", self.query_url, form, "application/x-www-form-urlencoded", accept
            )
        url = _with_params(self.query_url, encoded)
        reply = self._request(
            "POST", url, sparql.encode("utf-8"), "application/sparql-query", accept
        )
        return reply

    def _select_all(self, sparql: str, graphs: Sequence[str] | None) -> QueryResult:
        reply = self._sparql(sparql, graphs, SPARQL_RESULTS_JSON)
        return _parse_json_results(reply, self.query_url)

    # -- Store protocol --------------------------------------------------------------

    def graph_names(self) -> list[str]:
        if self._graph_names is None:
            reply = self._request(
                "POST",
                self.query_url,
                _GRAPHS_QUERY.encode("utf-8"),
                "application/sparql-query",
                SPARQL_RESULTS_JSON,
            )
            result = _parse_json_results(reply, self.query_url)
            found = {str(row[0]) for row in result.rows if isinstance(row[0], URIRef)}
            self._has_merge = MERGE_GRAPH in found
            self._graph_names = sorted(found - {MERGE_GRAPH})
        return list(self._graph_names)

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Identifier] | None = None,
        graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        kind = _check_syntax(sparql)
        text = inject_values(sparql, bindings) if bindings else sparql
        if kind == "graph":
            reply = self._sparql(text, graphs, N_TRIPLES)
            return QueryResult(kind="graph", graph=_parse_ntriples(reply, self.query_url))
        return self._select_all(text, graphs)

    def quads(self, graphs: Sequence[str] | None = None) -> Iterator[Quad]:
        result = self._select_all(_QUAD_QUERY, graphs)
        for s, p, o, g in result.rows:
            if s is None or p is None or o is None or not isinstance(g, URIRef):
                continue
            yield s, p, o, g

    def graph(self, name: str) -> Graph:
        return graph_of(self.quads([name]), identifier=name)

    def union(self, graphs: Sequence[str] | None = None) -> Graph:
        return graph_of(self.quads(graphs))

    def replace_graph(self, name: str, graph: Graph) -> None:
        iri = ntriples(URIRef(name))  # refuses names that are not IRIs
        body = "".join(_line(s, p, o) for s, p, o in graph)  # type: ignore[arg-type]
        self._graph_names = None
        if self.gsp_url:
            url = _with_params(self.gsp_url, urlencode([("graph", name)]))
            self._request("PUT", url, body.encode("utf-8"), N_TRIPLES + "; charset=utf-8")
            return
        if self.update_url:
            update = f"DROP SILENT GRAPH {iri} ;\nINSERT DATA {{ GRAPH {iri} {{\n{body}}} }}"
            self._request(
                "POST", self.update_url, update.encode("utf-8"), "application/sparql-update"
            )
            return
        raise UsageError(
            f"{self.description} takes queries only: give its Graph Store Protocol URL "
            "with --gsp-url (or ?gsp=URL in the store spec) or its update URL with --update-url"
        )

    def remove_graph(self, name: str) -> None:
        iri = ntriples(URIRef(name))
        self._graph_names = None
        if self.gsp_url:
            url = _with_params(self.gsp_url, urlencode([("graph", name)]))
            try:
                self._request("DELETE", url)
            except StoreError as error:
                if "HTTP 404" not in error.message:
                    raise
            return
        if self.update_url:
            self._request(
                "POST",
                self.update_url,
                f"DROP SILENT GRAPH {iri}".encode(),
                "application/sparql-update",
            )
            return
        raise UsageError(
            f"{self.description} takes queries only: give --gsp-url or --update-url to change it"
        )

    def close(self) -> None:
        self._graph_names = None


def _line(s: Identifier, p: Identifier, o: Identifier) -> str:
    return f"{_wire(s)} {_wire(p)} {_wire(o)} .\n"


def _wire(term: Identifier) -> str:
    # Blank nodes keep their labels within one request, which is all a graph needs.
    if isinstance(term, BNode):
        return "_:b" + re.sub(r"[^A-Za-z0-9_]", "_", str(term))
    return ntriples(term)


def _check_syntax(sparql: str) -> str:
    """Parse locally first: the same syntax errors as the other backends, and the query form."""
    import pyoxigraph

    try:
        answer = pyoxigraph.Store().query(sparql)
    except SyntaxError as error:
        raise described_syntax_error(sparql, error) from error
    except OSError as error:
        raise QueryError(f"the query cannot run: {error}") from error
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return "ask"
    if isinstance(answer, pyoxigraph.QueryTriples):
        return "graph"
    return "select"


def _parse_json_results(reply: _Reply, url: str) -> QueryResult:
    where = redact(url)
    try:
        document = json.loads(reply.body.decode("utf-8"))
        if "boolean" in document:
            return QueryResult(kind="ask", boolean=bool(document["boolean"]))
        variables = tuple(str(v) for v in document["head"]["vars"])
        rows = tuple(
            tuple(_json_term(binding.get(variable)) for variable in variables)
            for binding in document["results"]["bindings"]
        )
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise StoreError(
            f"the SPARQL endpoint {where} answered with something that is not SPARQL JSON "
            f"results (Content-Type {reply.content_type or 'none'!r}: "
            f"{_excerpt(reply.body)!r}); check that --store names the query endpoint"
        ) from error
    return QueryResult(kind="select", variables=variables, rows=rows)


def _json_term(value: Any) -> Identifier | None:
    if value is None:
        return None
    kind = value["type"]
    text = value["value"]
    if not isinstance(text, str):
        raise TypeError("term value is not a string")
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):
        language = value.get("xml:lang")
        if language:
            return Literal(text, lang=language)
        datatype = value.get("datatype")
        if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
            return Literal(text, datatype=URIRef(datatype))
        return Literal(text)
    raise ValueError(f"unknown term type {kind!r}")


def _parse_ntriples(reply: _Reply, url: str) -> Graph:
    import pyoxigraph

    from kg.stores.terms import triple_to_rdflib

    graph = new_graph()
    try:
        for triple in pyoxigraph.parse(input=reply.body, format=pyoxigraph.RdfFormat.N_TRIPLES):
            graph.add(triple_to_rdflib(triple))
    except (SyntaxError, ValueError) as error:
        raise StoreError(
            f"the SPARQL endpoint {redact(url)} answered with something that is not N-Triples "
            f"(Content-Type {reply.content_type or 'none'!r}): {error}"
        ) from error
    return graph


def _excerpt(body: bytes, limit: int = 200) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def _with_params(url: str, encoded: str) -> str:
    if not encoded:
        return url
    parts = urlsplit(url)
    query = f"{parts.query}&{encoded}" if parts.query else encoded
    return urlunsplit(parts._replace(query=query))


def _strip_userinfo(url: str) -> str:
    return redact(url)


def _credentials(url: str) -> tuple[str | None, str | None]:
    user = os.environ.get(USER_ENV)
    if user:
        return user, os.environ.get(PASSWORD_ENV, "")
    parts = urlsplit(url)
    if parts.username:
        from urllib.parse import unquote

        return unquote(parts.username), unquote(parts.password or "")
    return None, None


def _netrc_credentials(url: str) -> tuple[str | None, str | None]:
    import netrc

    host = urlsplit(url).hostname
    if not host:
        return None, None
    try:
        found = netrc.netrc().authenticators(host)
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        return None, None
    if found is None:
        return None, None
    login, _, password = found
    return login, password


def _timeout() -> float:
    raw = os.environ.get(TIMEOUT_ENV, "")
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        raise UsageError(f"{TIMEOUT_ENV}={raw!r} is not a number of seconds") from None
