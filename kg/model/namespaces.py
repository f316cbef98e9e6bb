"""The project's namespaces, bound once. Every graph the project writes uses these prefixes."""

from __future__ import annotations

import re
from collections.abc import Iterable

import rdflib
from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, XSD

# A literal is the term its file writes: rdflib would otherwise rewrite
# "007"^^xsd:positiveInteger as "7", "1"^^xsd:boolean as "true" (merging it with
# `true`) and "2024-01-27Z"^^xsd:date without its time zone, all different RDF terms
# (RDF 1.1 Concepts §3.3). Values still compare as values. Every module that parses
# or builds graphs imports this one, so it is set before any literal is made.
rdflib.NORMALIZE_LITERALS = False

BASE = "https://w3id.org/motorsport-kg/"
MS = Namespace(BASE + "ontology/")
MSV = Namespace(BASE + "vocab/")
MSR = Namespace(BASE + "id/")
MSS = Namespace(BASE + "shapes/")
GRAPH = Namespace(BASE + "graph/")

SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
OA = Namespace("http://www.w3.org/ns/oa#")
IBIS = Namespace("https://privatealpha.com/ontology/ibis/1#")

PREFIXES: dict[str, str] = {
    "ms": str(MS),
    "msv": str(MSV),
    "msr": str(MSR),
    "mss": str(MSS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "time": str(TIME),
    "sem": str(SEM),
    "oa": str(OA),
    "sh": str(SH),
    "foaf": str(FOAF),
    "ibis": str(IBIS),
}


def new_graph(identifier: str | None = None) -> Graph:
    """A graph with exactly the project's prefixes bound (no rdflib defaults, no ns1:)."""
    graph = Graph(bind_namespaces="none", identifier=identifier)
    bind_all(graph)
    return graph


def bind_all(graph: Graph) -> None:
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)


def prefix_lines(pairs: Iterable[tuple[str, str]]) -> str:
    """SPARQL PREFIX declarations for (prefix, namespace) pairs from the project or shapes.

    Namespaces are IRIs the project or a shapes graph declares, never user input.
    """
    return "".join("PREFIX " + prefix + ": <" + iri + ">\n" for prefix, iri in pairs)


def sparql_prologue() -> str:
    """PREFIX lines for every project prefix, for queries typed by users with `-e`."""
    return prefix_lines(PREFIXES.items())


def shorten(iri: str) -> str:
    """`https://w3id.org/motorsport-kg/id/bmw` -> `msr:bmw`; unknown namespaces stay whole."""
    best = ""
    best_prefix = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, best_prefix = ns, prefix
    if best:
        local = iri[len(best) :]
        if local and "/" not in local and "#" not in local:
            return f"{best_prefix}:{local}"
    return f"<{iri}>"


def expand(name: str) -> str | None:
    """`msr:bmw` -> full IRI; None when the prefix is unknown."""
    if ":" not in name:
        return None
    prefix, _, local = name.partition(":")
    ns = PREFIXES.get(prefix)
    if ns is None or local.startswith("//"):
        return None
    return ns + local


# What an IRI may not hold (RFC 3987 and N-Triples): spaces and controls, <>"{}|^`\.
NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
