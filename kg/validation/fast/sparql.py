"""SPARQL-based constraints: compiled once, then run once per shape as one
whole-graph query with the focus nodes joined in (``VALUES ?this``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from kg.model.namespaces import prefix_lines
from kg.validation.fast.hits import Hit
from kg.validation.fast.prebinding import check_prebinding
from kg.validation.fast.shapes import Shape, Unsupported, sort_key
from kg.validation.fast.terms import to_rdflib

_THIS = re.compile(r"[?$]this\b")
_UNSUPPORTED_SPARQL = re.compile(r"[?$](currentShape|shapesGraph)\b|[?$]PATH\b")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_PROJECTION = re.compile(r"\bSELECT\s+((?:DISTINCT|REDUCED)\s+)?", re.IGNORECASE)


@dataclass(frozen=True)
class _SparqlConstraint:
    node: Node
    text: str
    messages: tuple[Node, ...]
    deactivated: bool
    projects_this: bool


def compile_sparql(shapes: Graph, shape: Node, node: Node) -> _SparqlConstraint:
    select = shapes.value(node, SH.select)
    if select is None:
        raise Unsupported("an sh:sparql constraint without sh:select (ASK is not supported)")
    text = str(select)
    if _UNSUPPORTED_SPARQL.search(text):
        raise Unsupported("an sh:sparql query using $PATH, $currentShape or $shapesGraph")
    if not _THIS.search(text):
        raise Unsupported("an sh:sparql query without $this")
    body_start = _WHERE.search(text)
    if body_start is None:
        raise Unsupported("an sh:sparql query without WHERE")
    check_prebinding(text)
    prefixes = prefix_lines(_declared_prefixes(shapes, node))
    _check_syntax(prefixes + text)
    projection = _PROJECTION.search(text)
    if projection is None:
        raise Unsupported("an sh:sparql query that is not a SELECT")
    clause = text[projection.end() : body_start.start()]
    projects_this = clause.strip() == "*" or _THIS.search(clause) is not None
    deactivated = shapes.value(node, SH.deactivated)
    return _SparqlConstraint(
        node=node,
        text=prefixes + text,
        messages=tuple(shapes.objects(node, SH.message)),
        deactivated=isinstance(deactivated, RDFLiteral) and bool(deactivated.toPython()),
        projects_this=projects_this,
    )


def _check_syntax(text: str) -> None:
    """Refuse a query Oxigraph cannot parse: pyshacl then decides what it means."""
    import pyoxigraph as ox

    try:
        ox.Store().query(text)
    except SyntaxError as problem:
        first_line = str(problem).splitlines()[0] if str(problem) else "a syntax error"
        raise Unsupported(f"an sh:sparql query that Oxigraph cannot parse ({first_line})") from None


def _declared_prefixes(shapes: Graph, node: Node) -> list[tuple[str, str]]:
    """The prefixes sh:prefixes declares, following owl:imports from each holder of
    declarations (SHACL §5.2.1; W3C test sparql/node/prefixes-001)."""
    found: dict[str, str] = {}
    holders = list(shapes.objects(node, SH.prefixes))
    seen: set[Node] = set()
    while holders:
        holder = holders.pop()
        if holder in seen:
            continue
        seen.add(holder)
        holders.extend(shapes.objects(holder, OWL.imports))
        for declaration in shapes.objects(holder, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                found.setdefault(str(prefix), str(namespace))
    return sorted(found.items())


def _with_focus(text: str, focus: list[Node], projects_this: bool) -> str:
    """The query with `VALUES ?this {...}` first in its WHERE group (and ?this projected)."""
    values = " ".join(sparql_term(node) for node in focus)
    body = _WHERE.search(text)
    assert body is not None
    text = text[: body.end()] + f"\n  VALUES ?this {{ {values} }}\n" + text[body.end() :]
    if not projects_this:
        projection = _PROJECTION.search(text)
        assert projection is not None
        text = text[: projection.end()] + "?this " + text[projection.end() :]
    return text


def sparql_term(node: Node) -> str:
    # Focus nodes come from the data (IRIs); blank nodes cannot cross into another
    # store, so shapes whose targets are blank nodes are checked by pyshacl instead.
    if isinstance(node, URIRef):
        return node.n3()
    raise Unsupported("a blank-node focus node in a SPARQL-based constraint")


def run_sparql(
    store: Any, shape: Shape, query: _SparqlConstraint, focus_list: list[Node]
) -> list[Hit]:
    """One query for all of `focus_list`; its solutions grouped per focus node, as
    pyshacl reports them when it runs the query once per focus node."""
    hits: list[Hit] = []
    focus_set = set(focus_list)
    text = _with_focus(query.text, sorted(focus_list, key=sort_key), query.projects_this)
    solutions = store.query(text)
    variables = [v.value for v in solutions.variables]
    per_focus: dict[Node, list[tuple[Any, ...]]] = {}
    failures: set[Node] = set()
    for solution in solutions:
        row = {name: to_rdflib(solution[name]) for name in variables}
        this = row.pop("this", None)
        if this is None or this not in focus_set:
            continue
        if row.pop("failure", None) is not None:
            failures.add(this)
            continue
        path = row.pop("path", None)
        value = row.pop("value", None)
        reported_this = this if query.projects_this else None
        if path is None and value is None and reported_this is None:
            continue
        key = (reported_this, path, value, tuple(sorted(row.items(), key=str)))
        bucket = per_focus.setdefault(this, [])
        if key not in bucket:
            bucket.append(key)
    default_value = None if shape.path is not None else "focus"
    for this in sorted(failures, key=sort_key):
        hits.append(_sparql_hit(shape, query, this, None, None, None, default_value))
    for this, rows in per_focus.items():
        for reported_this, path, value, extra in rows:
            bound = {"this": reported_this, "path": path, "value": value, **dict(extra)}
            hits.append(_sparql_hit(shape, query, this, path, value, bound, default_value))
    return hits


def _sparql_hit(
    shape: Shape,
    query: _SparqlConstraint,
    focus: Node,
    path: Node | None,
    value: Node | None,
    bound: dict[str, Node | None] | None,
    default_value: str | None,
) -> Hit:
    if value is None and default_value == "focus":
        value = focus
    if bound is not None:
        bound["value"] = value
    messages: list[Node] = []
    for message in [*shape.messages, *query.messages]:
        if message in messages:
            continue
        if isinstance(message, RDFLiteral) and bound is not None:
            message = RDFLiteral(_substitute(str(message), bound))
        messages.append(message)
    return Hit(
        shape,
        focus,
        SH.SPARQLConstraintComponent,
        value,
        path if path is not None else shape.path,
        messages,
        source_constraint=query.node,
    )


def _substitute(message: str, bound: Mapping[str, Node | None]) -> str:
    for name, value in bound.items():
        if value is not None:
            text = str(value)
            message = message.replace("{?" + name + "}", text).replace("{$" + name + "}", text)
    return message
