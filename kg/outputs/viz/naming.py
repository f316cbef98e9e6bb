"""Names for the nodes that have no label: built from their type and key values.

An incident, a result or a position report is a claim with no name of its own;
drawn by its IRI it reads as "msr:daytona-2024-report-incident-24-electronics".
Named here it reads "Incident: technical failure, electronics (#24, Dries Vanthoor)":
its class, its controlled values (kind, component, status), then what it is
about, each thing it points to by its car number or its label.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg.model.namespaces import MS, MSV
from kg.outputs.viz.terms import Terms, readable

# What a claim is about comes first in its name: the car, then the people and things.
_ABOUT_FIRST: tuple[URIRef, ...] = (
    MS.entry,
    MS.speaker,
    MS.person,
    MS.decision,
    MS.programme,
)
# Of its controlled values, what kind of thing it is comes first, then what part.
_VALUES_FIRST: tuple[URIRef, ...] = (MS.incidentKind, MS.component)
# A thing with neither number nor label is named by whoever stands behind it.
_OWNERS: tuple[URIRef, ...] = (
    MS.entrant,
    MS.team,
    MS.carModel,
    MS.operator,
    MS.owner,
    MS.driver,
)


def made_label(
    terms: Terms, node: URIRef, type_label: str, links: Sequence[tuple[URIRef, URIRef]]
) -> str:
    """ "Incident: technical failure, electronics (#24, Dries Vanthoor)";
    "Entry: BMW M Hybrid V8, René Rast, #25" when there are no controlled values."""
    kind = type_label[:1].upper() + type_label[1:]
    values = _controlled_values(terms, node)
    rank = {p: i for i, p in enumerate(_ABOUT_FIRST)}
    ordered = sorted(links, key=lambda link: (rank.get(link[0], len(rank)), link))
    about: list[str] = []
    for _, target in ordered:
        handle = _handle(terms, target)
        if handle and handle not in about:
            about.append(handle)
    number = terms.data.value(node, MS.carNumber)
    if values:
        if number is not None:
            about.insert(0, f"#{number}")
        tail = f" ({', '.join(about[:2])})" if about else ""
        return f"{kind}: {', '.join(values)}{tail}"
    parts = about[:2] + ([f"#{number}"] if number is not None else [])
    return f"{kind}: {', '.join(parts)}" if parts else kind


def _controlled_values(terms: Terms, node: URIRef) -> list[str]:
    """The labels of the vocabulary concepts the node points to, once each, in a stable order."""
    found: list[str] = []
    rank: dict[Node, int] = {p: i for i, p in enumerate(_VALUES_FIRST)}
    pairs = sorted(
        (
            (p, o)
            for p, o in terms.data.predicate_objects(node)
            if isinstance(o, URIRef) and str(o).startswith(str(MSV)) and p != RDF.type
        ),
        key=lambda pair: (rank.get(pair[0], len(rank)), pair),
    )
    for _, concept in pairs:
        text = terms.label(concept)
        if text not in found:
            found.append(text)
    return found


def _handle(terms: Terms, target: Node, depth: int = 0) -> str:
    """How a name refers to another node: a car by its number, a labelled thing by its
    label, a claim by what it is about (one step), else by its type."""
    data = terms.data
    number = data.value(target, MS.carNumber)
    if number is not None:
        return f"#{number}"
    if terms.has_label(target):
        return terms.label(target)
    entry = data.value(target, MS.entry)
    if entry is not None and depth == 0:
        return _handle(terms, entry, depth + 1)
    if not isinstance(target, URIRef):
        return str(target)
    main = terms.most_specific(terms.types(target))
    kind = terms.class_label(main) if main is not None else ""
    for predicate in _OWNERS:
        # Of several (a car's drivers), the first by label: the same name from every
        # store, whatever order its triples come in.
        owners = sorted(
            terms.label(o) for o in data.objects(target, predicate) if terms.has_label(o)
        )
        if owners:
            return f"{owners[0]} {kind}".strip()
    return kind or readable(str(target))
