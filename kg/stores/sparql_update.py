"""Replacing a graph on a SPARQL server by SPARQL Update, where `kg push` has no Graph
Store Protocol URL (issue 19).

Two things that `DROP GRAPH` followed by `INSERT DATA` gets wrong:

- A graph is sent in parts (INSERT DATA of PART_SIZE triples: Virtuoso 7.2 refuses a few
  thousand in one update, "The length of generated SQL text has exceeded 10000 lines of
  code"), and a server may keep what a request did before the operation that failed:
  Virtuoso runs the operations of one request one after the other and keeps those
  before a failed one, so `DROP; INSERT DATA` whose insert fails leaves the graph empty.
  The parts therefore go into a staging graph of kg's own (STAGING, one per graph, never
  in the manifest, so never read), and the last operation of the last request, `MOVE`,
  puts it in place: until then the graph is as it was, after it the graph is new.
- Virtuoso 7.2 refuses an `xsd:duration` literal anywhere in a request (SR553 in INSERT
  DATA, SQ074 in a template), but makes one from its text with `STRDT`, to the very value
  a Graph Store PUT stores: durations go in by `INSERT { ... } WHERE { VALUES ... BIND
  (STRDT(...)) }`, on every server (it is plain SPARQL 1.1).

May import: kg.stores.terms (IRIs written into updates), rdflib and the standard library.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from rdflib import URIRef

from kg.stores.terms import ntriples

# Triples per INSERT DATA: Virtuoso 7.2 refuses a few thousand in one update.
PART_SIZE = 1000
# The graph a graph's new content is staged in: STAGING + a digest of the graph's name.
STAGING = "urn:x-motorsport-kg:staging:"
_DURATION = "http://www.w3.org/2001/XMLSchema#duration"
_DURATION_TAIL = f'"^^<{_DURATION}> .\n'


def staging_graph(name: str) -> str:
    """The staging graph of the graph `name` (an IRI kg's own, one per graph)."""
    return STAGING + hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]


def replacing(name: str, lines: Sequence[str]) -> list[str]:
    """The update requests, in order, that make the graph `name` hold `lines` (N-Triples
    lines) and nothing else. Only the last operation of the last request changes the
    graph, so a failure before it leaves the graph as it was.

    The lines with blank nodes go into one operation of the first request: a blank node
    label names one node within one operation only."""
    target = ntriples(URIRef(name))
    staging = ntriples(URIRef(staging_graph(name)))
    if not lines:  # what a stopped push may have staged for it goes too
        return [f"DROP SILENT GRAPH {staging} ;\nDROP SILENT GRAPH {target}"]
    with_blank = [line for line in lines if _has_blank_node(line)]
    rest = [line for line in lines if not _has_blank_node(line)]
    parts = [rest[start : start + PART_SIZE] for start in range(0, len(rest), PART_SIZE)] or [[]]
    requests = []
    for number, part in enumerate(parts):
        operations = [f"DROP SILENT GRAPH {staging}"] if number == 0 else []
        operations += _inserts(staging, part, with_blank if number == 0 else [])
        if number == len(parts) - 1:
            operations.append(f"MOVE {staging} TO {target}")
        requests.append(" ;\n".join(operations))
    return requests


def dropping(names: Sequence[str]) -> str:
    """The update that drops the graphs `names` (each one silently: it may not exist)."""
    return " ;\n".join(f"DROP SILENT GRAPH {ntriples(URIRef(name))}" for name in names)


def _inserts(staging: str, lines: Sequence[str], with_blank: Sequence[str]) -> list[str]:
    """The operations that add `lines` (no blank nodes) and `with_blank` to `staging`."""
    plain = [line for line in lines if not line.endswith(_DURATION_TAIL)]
    durations = [line for line in lines if line.endswith(_DURATION_TAIL)]
    operations = []
    if plain:
        operations.append(f"INSERT DATA {{ GRAPH {staging} {{\n{''.join(plain)}}} }}")
    if durations:
        rows = "".join(f"  ({subject} {predicate} {text})\n" for subject, predicate, text in
                       (_split_duration(line) for line in durations))  # fmt: skip
        operations.append(
            f"INSERT {{ GRAPH {staging} {{ ?s ?p ?o }} }} WHERE {{\n"
            f"  VALUES (?s ?p ?text) {{\n{rows}  }}\n"
            f"  BIND (STRDT(?text, <{_DURATION}>) AS ?o)\n}}"
        )
    if with_blank:
        operations.append(_template(staging, with_blank))
    return operations


def _template(staging: str, lines: Sequence[str]) -> str:
    """An `INSERT { ... } WHERE { ... }` of `lines` (Virtuoso refuses blank nodes in INSERT
    DATA; a template takes them), each duration a variable that STRDT binds."""
    variables: dict[str, str] = {}
    template = []
    for line in lines:
        if line.endswith(_DURATION_TAIL):
            subject, predicate, text = _split_duration(line)
            variable = variables.setdefault(text, f"?duration{len(variables)}")
            template.append(f"{subject} {predicate} {variable} .\n")
        else:
            template.append(line)
    binds = "".join(
        f"  BIND (STRDT({text}, <{_DURATION}>) AS {variable})\n"
        for text, variable in variables.items()
    )
    return f"INSERT {{ GRAPH {staging} {{\n{''.join(template)}}} }} WHERE {{\n{binds}}}"


def _split_duration(line: str) -> tuple[str, str, str]:
    """A line whose object is an xsd:duration, as its subject, its predicate and the
    duration's text as a SPARQL string (N-Triples escapes are SPARQL escapes). A subject
    and a predicate hold no space: kg writes them (kg.stores.terms.ntriples refuses an
    IRI with a space; blank node labels are kg's own)."""
    subject, predicate, rest = line.split(" ", 2)
    return subject, predicate, rest[: -len(_DURATION_TAIL)] + '"'


def _has_blank_node(line: str) -> bool:
    return any(part.startswith("_:") for part in line.split(" "))
