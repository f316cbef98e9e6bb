"""Any SPARQL 1.1 server: queries by the SPARQL 1.1 Protocol, graphs by the Graph Store Protocol.

The server is the store: reading commands ask it and never write to it; `kg push`
puts the knowledge there, one named graph per file, and lists each graph it wrote in
a manifest graph (PUBLISHED_GRAPH). The knowledge on a server is exactly the graphs
that manifest lists: every query names them as its dataset, so another graph on the
same server (someone else's, or the server's own system graphs) is never read. The
HTTP itself (one deadline per request, credentials kept to their origin and out of
every message) is kg.stores.http_client's; how a request goes on the wire (GET, form
or direct POST) and whether an answer is whole, kg.stores.sparql_protocol's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from kg.model.errors import QueryError, StoreError, UsageError
from kg.stores.base import Quad, QueryResult, described_syntax_error, graph_of
from kg.stores.bound_text import for_a_server
from kg.stores.config import checked_url
from kg.stores.distinct import kept_distinct
from kg.stores.durations import (
    DURATION,
    DURATIONS_GRAPH,
    PROBE_GRAPH,
    Row,
    ServerDurations,
    has_ambiguous,
    is_duration,
    pairs_graph,
)
from kg.stores.http_client import TIMEOUT_ENV, HttpClient, Reply
from kg.stores.projection import star_ordered
from kg.stores.push_journal import PUSH_GRAPH, refuse_a_half_done_push
from kg.stores.remote_views import MergedViews
from kg.stores.sparql_protocol import (
    Dataset,
    Request,
    check_whole,
    configured_method,
    query_request,
    refused_on_estimate,
    update_request,
    with_params,
)
from kg.stores.sparql_results import (
    Restore,
    fixed_quad_object,
    is_virtuoso,
    not_results,
    parse_json_results,
    parse_ntriples,
)
from kg.stores.sparql_update import dropping, replacing, staging_graph
from kg.stores.terms import EXACT_DATATYPE, held, ntriples
from kg.stores.values import inject_rows

DEFAULT_TIMEOUT = 60.0

SPARQL_RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
N_TRIPLES_UTF8 = N_TRIPLES + "; charset=utf-8"
_NO_GRAPH = "urn:x-motorsport-kg:no-graph"
_XSD = "http://www.w3.org/2001/XMLSchema#"

_QUAD_QUERY = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
_QUAD_OBJECTS = "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
_DISTINCT_QUAD_OBJECTS = "SELECT DISTINCT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"

# The RDF merge of the knowledge's graphs, written by `kg push` beside them: a server's
# union of several graphs may count a triple once per graph (Oxigraph 0.5 does), and the
# default graph of a query must be a set (kg.stores.merged).
MERGE_GRAPH = "urn:x-motorsport-kg:merge-of-the-knowledge-graphs"
# The literals the merge holds as values but the files write another way, written by
# `kg push` beside it, so that answers show them as written (kg.stores.terms.exact).
WRITTEN_GRAPH = "urn:x-motorsport-kg:literals-as-written"
WRITTEN = URIRef("urn:x-motorsport-kg:written")
# An empty named graph that `kg serve` adds to its snapshot of the index: that server's
# own default graph is already the merge (kg.stores.merged), so kg's client sends no
# dataset for a query over all graphs. Being empty, it matches no `GRAPH ?g { ... }`
# pattern; only `GRAPH ?g {}`, which lists graph names, shows it.
DEFAULT_IS_MERGE_GRAPH = "urn:x-motorsport-kg:default-graph-is-the-merge"
# The graphs kg wrote to a server (each file's, the merge, the literals as written),
# one `<PUBLISHED_GRAPH> <PUBLISHED> <graph>` triple each: the knowledge on the server.
PUBLISHED_GRAPH = "urn:x-motorsport-kg:published-graphs"
PUBLISHED = "urn:x-motorsport-kg:published"
# PUSH_GRAPH: written by `kg push` before its first graph and dropped after its last;
# while it stands, the server holds some graphs new and some old (kg.stores.push_journal).
# PROBE_GRAPH and DURATIONS_GRAPH: whether the server keeps durations exactly, and if
# not, each duration as written (kg.stores.durations).
HIDDEN_GRAPHS = {
    MERGE_GRAPH, WRITTEN_GRAPH, DEFAULT_IS_MERGE_GRAPH, PUBLISHED_GRAPH, PUSH_GRAPH,
    PROBE_GRAPH, DURATIONS_GRAPH,
}  # fmt: skip

# Fixed texts: the IRIs are kg's own constants (PUBLISHED, DEFAULT_IS_MERGE_GRAPH).
_PUBLISHED_QUERY = "SELECT DISTINCT ?g WHERE { ?manifest <urn:x-motorsport-kg:published> ?g }"
# The manifest and the duration probe (kg.stores.durations), in one request.
_MANIFEST_QUERY = (
    "SELECT DISTINCT ?g ?probe WHERE { { ?manifest <urn:x-motorsport-kg:published> ?g } "
    "UNION { ?test <urn:x-motorsport-kg:probe-duration> ?probe } }"
)
_MANIFEST = [("default-graph-uri", PUBLISHED_GRAPH), ("default-graph-uri", PROBE_GRAPH)]
# `kg serve`'s snapshot holds kg's own graphs only: there, every named graph is kg's.
_SERVED_QUERY = (
    "SELECT ?g WHERE { VALUES ?g { <urn:x-motorsport-kg:default-graph-is-the-merge> } "
    "GRAPH ?g { } }"
)
_ALL_GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
# The literals the files' graphs hold under kg's own datatype (kg.stores.terms.exact).
_EXACT_QUERY = (
    "SELECT DISTINCT ?o WHERE { GRAPH ?g { ?s ?p ?o } "
    f'FILTER(isLiteral(?o) && STRSTARTS(STR(DATATYPE(?o)), "{EXACT_DATATYPE}")) }}'
)


class SparqlStore:
    """A remote SPARQL 1.1 server. Implements kg.stores.base.Store."""

    def __init__(
        self,
        query_url: str,
        gsp_url: str | None = None,
        update_url: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.timeout = timeout if timeout is not None else _timeout()
        self._method = configured_method()
        self._http = HttpClient(self.timeout)
        self.query_url = self._http.add_url(checked_url(query_url, "the query URL {url}"))
        self.gsp_url = (
            self._http.add_url(checked_url(gsp_url, "--gsp-url {url}")) if gsp_url else None
        )
        self.update_url = (
            self._http.add_url(checked_url(update_url, "--update-url {url}"))
            if update_url
            else None
        )
        self._graph_names: list[str] | None = None
        self._has_merge = False
        self._has_written = False
        self._default_is_merge = False
        self._written: dict[Literal, Literal] | None = None
        self._views = MergedViews()
        self._durations = ServerDurations(self)
        # The graphs whose content this store object has replaced, in order, and the one
        # whose replacing request got no answer (kg push says which graphs a failed push
        # left new: kg.stores.push_journal.stopped).
        self.replaced: list[str] = []
        self.unsure: str | None = None
        self._answered = True  # whether the last request got an answer

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
        is_query: bool = False,
    ) -> Reply:
        headers = {"User-Agent": "motorsport-kg"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        self._answered = False
        reply = self._http.request(method, url, body, headers)
        self._answered = True
        if reply.status < 300:
            return reply
        where = self._http.where(url)
        detail = self._http.excerpt(reply.body)
        if reply.status in (401, 403):
            raise StoreError(self._http.refusal(url, reply.status, reply))
        if reply.status == 400 and is_query:
            raise QueryError(f"{where} rejected the query (HTTP 400): {detail}")
        estimated = refused_on_estimate(where, detail) if is_query else None
        if estimated is not None:
            raise estimated
        reason = self._http.excerpt(reply.reason.encode(), 60)
        raise StoreError(
            f"{where} answered HTTP {reply.status} {reason}" + (f": {detail}" if detail else "")
        )

    def _sparql(self, sparql: str, graphs: Sequence[str] | None, accept: str) -> Reply:
        dataset: list[tuple[str, str]] = []
        names = self.graph_names() if graphs is None else sorted(set(graphs))
        # Name the graphs explicitly so the default graph is their union on every server,
        # whatever its own default-graph setting; over all graphs, their merge where
        # `kg push` wrote one (a set, whatever the server's union does), or no dataset
        # at all where the server's own default graph is the merge (`kg serve`: naming
        # only the named graphs would leave the default graph empty).
        merged = graphs is None and self._has_merge
        if merged:
            dataset.append(("default-graph-uri", MERGE_GRAPH))
        for name in [] if graphs is None and self._default_is_merge else names or [_NO_GRAPH]:
            if not merged:
                dataset.append(("default-graph-uri", name))
            dataset.append(("named-graph-uri", name))
        return self._ask(sparql, dataset, accept)

    def _ask(self, sparql: str, dataset: Dataset, accept: str) -> Reply:
        """Send a query over `dataset`, the way KG_SPARQL_METHOD says; refuse a cut answer."""
        request = query_request(self.query_url, sparql, dataset, self._method)
        reply = self._send(request, accept, is_query=True)
        check_whole(reply, self._http.where(self.query_url))
        return reply

    def _send(self, request: Request, accept: str | None = None, is_query: bool = False) -> Reply:
        return self._request(
            request.method, request.url, request.body, request.content_type, accept, is_query
        )

    def _select_all(
        self, sparql: str, graphs: Sequence[str] | None, restore: Restore | None = None
    ) -> QueryResult:
        reply = self._sparql(sparql, graphs, SPARQL_RESULTS_JSON)
        result = parse_json_results(reply, self.query_url, self._http.excerpt, restore)
        return kept_distinct(sparql, result, self.description)  # Virtuoso may repeat rows

    def _over_the_files(self, text: str, kind: str, restore: Restore) -> list[Row]:
        """The answer to `text` over the files' graphs (kg.stores.durations), as rows."""
        names = self.graph_names()
        if kind == "graph":
            reply = self._sparql(text, names, N_TRIPLES)
            return list(parse_ntriples(reply, self.query_url, self._http.scrub, restore))
        return list(self._select_all(text, names, restore).rows)

    def _put(self, name: str, lines: Sequence[str]) -> None:
        """Replace the graph `name` by `lines` (N-Triples), unpublished. The graph changes
        with the last request alone: the Graph Store PUT, or the update that moves the
        parts staged by the others in place (kg.stores.sparql_update). When that request
        gets no answer, the server may have made the change or not: `unsure` names it."""
        if self.gsp_url:
            url = with_params(self.gsp_url, urlencode([("graph", name)]))
            body = "".join(lines).encode("utf-8")
            requests = [Request("PUT", url, body, N_TRIPLES_UTF8)]
        else:
            assert self.update_url is not None
            requests = [
                update_request(self.update_url, update, self._method)
                for update in replacing(name, lines)
            ]
        for request in requests[:-1]:
            self._send(request)
        try:
            self._send(requests[-1])
        except StoreError:
            if not self._answered:
                self.unsure = name
            raise

    # -- Store protocol --------------------------------------------------------------

    def graph_names(self) -> list[str]:
        if self._graph_names is None:
            refuse_a_half_done_push(self)
            found = self._manifest()
            if not found and self._names(_SERVED_QUERY, []):
                found = self._names(_ALL_GRAPHS_QUERY, []) | {DEFAULT_IS_MERGE_GRAPH}
            self._has_merge = MERGE_GRAPH in found
            self._has_written = WRITTEN_GRAPH in found
            self._default_is_merge = DEFAULT_IS_MERGE_GRAPH in found and not self._has_merge
            self._durations.paired = DURATIONS_GRAPH in found
            self._graph_names = sorted(found - HIDDEN_GRAPHS)
        return list(self._graph_names)

    pushing = False  # kg push sets it while it writes: the journal stands then

    def _manifest(self) -> set[str]:
        """The graphs the manifest lists; notes what the duration probe says."""
        reply = self._ask(_MANIFEST_QUERY, _MANIFEST, SPARQL_RESULTS_JSON)
        result = parse_json_results(reply, self.query_url, self._http.excerpt)
        names = set()
        for row in result.rows:
            if isinstance(row[0], URIRef):
                names.add(str(row[0]))
            self._durations.noted(row[1] if len(row) > 1 else None)
        return names

    def _names(self, sparql: str, dataset: Dataset) -> set[str]:
        reply = self._ask(sparql, dataset, SPARQL_RESULTS_JSON)
        result = parse_json_results(reply, self.query_url, self._http.excerpt)
        return {str(row[0]) for row in result.rows if isinstance(row[0], URIRef)}

    @star_ordered
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Identifier] | None = None,
        graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        kind = _check_syntax(sparql)
        text = for_a_server(sparql, bindings) if bindings else sparql
        if graphs is not None and not self._is_everything(graphs):
            # A server's union of the graphs named as default graphs need not be a set
            # (Oxigraph 0.5 counts a triple once per graph: issue 1919): their merge
            # is made here, as the index makes its views.
            try:
                return self._views.query(text, graphs, self._fetched)
            except SyntaxError as error:
                raise described_syntax_error(sparql, error) from error
            except (OSError, RuntimeError) as error:
                raise QueryError(
                    f"the query failed while running on a view of {self.description}: {error}"
                ) from error
        graphs = None
        self.graph_names()
        restore = self._durations.restore(strict=False)
        if kind == "graph":
            reply = self._sparql(text, graphs, N_TRIPLES)
            graph = parse_ntriples(reply, self.query_url, self._http.scrub, restore)
            if restore is not None and has_ambiguous(graph):
                told = self._durations.told_apart(text, kind, list(graph))
                graph = graph_of((*triple, None) for triple in told)
            rewritable = any(_rewritable(term) for term in graph.objects())
            written = self._written_literals() if rewritable else {}
            if written:
                for s, p, o in list(graph):
                    if o in written:
                        graph.remove((s, p, o))
                        graph.add((s, p, written[o]))  # type: ignore[index]
            return QueryResult(kind="graph", graph=graph)
        result = self._select_all(text, graphs, restore)
        if restore is not None and has_ambiguous(result.rows):
            rows = tuple(self._durations.told_apart(text, kind, result.rows))
            result = QueryResult(kind="select", variables=result.variables, rows=rows)
        if result.kind != "select" or not any(_rewritable(t) for row in result.rows for t in row):
            return result
        written = self._written_literals()
        if not written:
            return result
        rows = tuple(
            tuple(written.get(term, term) if isinstance(term, Literal) else term for term in row)
            for row in result.rows
        )
        return QueryResult(kind="select", variables=result.variables, rows=rows)

    def _written_literals(self) -> dict[Literal, Literal]:
        """The merge's value of each literal `kg push` recorded (or, on `kg serve`, that
        the files' graphs hold under kg's datatype), mapped to its written form."""
        if self._written is None:
            self.graph_names()
            self._written = {}
            if self._has_written:
                from kg.stores.terms import canonical

                # The request names WRITTEN_GRAPH as its only graph.
                found = self._select_all(_QUAD_OBJECTS, [WRITTEN_GRAPH])
                for (term,) in found.rows:
                    if isinstance(term, Literal):
                        value = canonical(term)
                        assert isinstance(value, Literal)
                        self._written[value] = term
            elif self._default_is_merge:
                self._written = self._served_written()
        return self._written

    def _served_written(self) -> dict[Literal, Literal]:
        """What `_written_literals` reads from `kg push`'s graph, found in a served index:
        each literal held under kg's datatype whose value the files write in no other way
        (as kg.stores.sync._written decides it). One scan of the named graphs, then one
        look-up of those values written plainly, once per process."""
        from kg.stores.terms import canonical

        ways: dict[Literal, set[Literal]] = {}
        for (term,) in self._select_all(_EXACT_QUERY, None).rows:
            if isinstance(term, Literal):
                value = canonical(term)
                assert isinstance(value, Literal)
                ways.setdefault(value, set()).add(term)
        if not ways:
            return {}
        also_plain = self._select_all(inject_rows(_DISTINCT_QUAD_OBJECTS, "o", ways), None)
        plain = {term for (term,) in also_plain.rows}
        return {
            value: next(iter(terms))
            for value, terms in ways.items()
            if len(terms) == 1 and value not in plain
        }

    def _is_everything(self, graphs: Sequence[str]) -> bool:
        """Whether `graphs` are all the knowledge's graphs of a server whose query over
        all graphs reads their merge: that query answers as their view would."""
        names = self.graph_names()
        return (self._has_merge or self._default_is_merge) and set(graphs) == set(names)

    def _fetched(self, names: Sequence[str]) -> list[tuple[Any, Any, Any, Any]]:
        """The quads of the named graphs, read in one request, as pyoxigraph terms
        (its own parser: kg's datatype arrives as `kg push` wrote it, no rdflib term
        is made)."""
        import pyoxigraph

        reply = self._sparql(_QUAD_QUERY, names, SPARQL_RESULTS_JSON)
        restore = self._durations.restore()
        if is_virtuoso(reply):
            # Virtuoso's own forms (booleans as 1 or 0, blank nodes as nodeID://...,
            # which pyoxigraph refuses) are turned back through the rdflib terms.
            from kg.stores.terms import to_oxigraph

            result = parse_json_results(reply, self.query_url, self._http.excerpt, restore)
            return [
                (to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), to_oxigraph(g))
                for s, p, o, g in result.rows
                if s is not None and p is not None and o is not None and g is not None
            ]
        try:
            solutions = pyoxigraph.parse_query_results(
                reply.body, format=pyoxigraph.QueryResultsFormat.JSON
            )
            if not isinstance(solutions, pyoxigraph.QuerySolutions):
                raise ValueError("a boolean, not solutions")
            return [
                (row["s"], row["p"], fixed_quad_object(row["o"], restore), row["g"])
                for row in solutions
            ]
        except (SyntaxError, ValueError, TypeError, KeyError) as error:
            raise not_results(reply, self.query_url, self._http.excerpt) from error

    def quads(self, graphs: Sequence[str] | None = None) -> Iterator[Quad]:
        self.graph_names()
        result = self._select_all(_QUAD_QUERY, graphs, self._durations.restore())
        for s, p, o, g in result.rows:
            if s is None or p is None or o is None or not isinstance(g, URIRef):
                continue
            yield s, p, o, g

    def graph(self, name: str) -> Graph:
        return graph_of(self.quads([name]), identifier=name)

    def union(self, graphs: Sequence[str] | None = None) -> Graph:
        return graph_of(self.quads(graphs))

    def replace_graph(self, name: str, graph: Graph) -> None:
        ntriples(URIRef(name))  # refuses names that are not IRIs
        self._writable()
        exact_durations = name != PUSH_GRAPH and not self._durations.probe()
        self._forget()
        if name == MERGE_GRAPH:
            lines = [_line(s, p, o) for s, p, o in graph]  # type: ignore[arg-type]
        else:
            # A file's graph keeps each literal as written: what a server would hold as
            # a value in another form gets kg's own datatype (kg.stores.terms.exact),
            # and so does every duration where the server keeps durations approximately.
            lines = [
                _line(s, p, _as_held(o, exact_durations))  # type: ignore[arg-type]
                for s, p, o in graph
            ]
        if name == MERGE_GRAPH and exact_durations:
            # Beside the merge: each of its durations, as the server holds it and as written.
            pairs = pairs_graph(graph)
            self._replace(DURATIONS_GRAPH, [_line(s, p, o) for s, p, o in pairs])  # type: ignore[arg-type]
        self._replace(name, lines)

    def _replace(self, name: str, lines: Sequence[str]) -> None:
        """List `name` in the manifest, then replace its content: the content changes last,
        in one request (a Graph Store PUT, or an update's MOVE), so a push that fails
        leaves each graph either as it was or new; `replaced` says which are new."""
        if name not in (PUBLISHED_GRAPH, PUSH_GRAPH):
            self._publish(name)
        self._put(name, lines)
        self.replaced.append(name)

    def _update(self, update: str) -> None:
        assert self.update_url is not None
        self._send(update_request(self.update_url, update, self._method))

    def _writable(self) -> None:
        if not (self.gsp_url or self.update_url):
            raise UsageError(
                f"{self.description} takes queries only: give its Graph Store Protocol URL "
                "with --gsp-url (or ?gsp=URL in the store spec) or its update URL with "
                "--update-url"
            )

    def _publish(self, name: str, published: bool = True) -> None:
        """Add `name` to the manifest of the graphs kg wrote (or take it out)."""
        entry = f"<{PUBLISHED_GRAPH}> <{PUBLISHED}> {ntriples(URIRef(name))} .\n"
        if self.update_url:
            verb = "INSERT" if published else "DELETE"
            self._update(f"{verb} DATA {{ GRAPH <{PUBLISHED_GRAPH}> {{ {entry} }} }}")
            return
        assert self.gsp_url is not None
        url = with_params(self.gsp_url, urlencode([("graph", PUBLISHED_GRAPH)]))
        if published:  # the Graph Store Protocol's POST adds to a graph
            self._request("POST", url, entry.encode("utf-8"), N_TRIPLES_UTF8)
            return
        kept = self._names(_PUBLISHED_QUERY, [("default-graph-uri", PUBLISHED_GRAPH)])
        body = "".join(
            f"<{PUBLISHED_GRAPH}> <{PUBLISHED}> {ntriples(URIRef(graph))} .\n"
            for graph in sorted(kept - {name})
        )
        self._request("PUT", url, body.encode("utf-8"), N_TRIPLES_UTF8)

    def remove_graph(self, name: str) -> None:
        ntriples(URIRef(name))  # refuses names that are not IRIs
        self._forget()
        self._writable()
        if self.gsp_url:
            url = with_params(self.gsp_url, urlencode([("graph", name)]))
            try:
                self._request("DELETE", url)
            except StoreError as error:
                if "HTTP 404" not in error.message:
                    raise
        else:  # with what a push that stopped may have staged for it
            self._update(dropping([staging_graph(name), name]))
        if name != PUSH_GRAPH:
            self._publish(name, published=False)

    def drop_staged(self, names: Sequence[str]) -> None:
        """Drop what a push by Update that stopped may have staged for the graphs `names`
        (kg.stores.sparql_update): a graph pushed again drops its own staging graph first,
        but one that no push writes any more would keep it forever. Without an update URL
        nothing was staged here."""
        if self.update_url and names:
            self._update(dropping([staging_graph(name) for name in names]))

    def close(self) -> None:
        self._forget()

    def _forget(self) -> None:
        """Drop what was read from the server: its graphs have changed."""
        self._graph_names = None
        self._written = None
        self._durations.forget()
        self._views.clear()


def _rewritable(term: object) -> bool:
    """Whether an answer's term may be a value that a file writes in another form."""
    if not isinstance(term, Literal) or term.datatype is None:
        return False
    datatype = str(term.datatype)
    return datatype.startswith(_XSD) and datatype != _XSD + "string"


def _as_held(term: Node, exact_durations: bool) -> Node:
    """A term as a file's graph on the server holds it (kg.stores.terms.held); with
    `exact_durations`, a duration too (kg.stores.durations)."""
    if exact_durations and is_duration(term):
        return Literal(str(term), datatype=URIRef(EXACT_DATATYPE + DURATION))
    return held(term)


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


def _timeout() -> float:
    import math

    raw = os.environ.get(TIMEOUT_ENV, "")
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise UsageError(f"{TIMEOUT_ENV}={raw!r} is not a positive number of seconds")
    return seconds
