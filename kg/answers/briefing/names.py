"""Names for nodes that have no label: an entry is "#25 BMW M Team RLL", an incident
"technical failure, electronics (#24)", a source its title.

Made from what the node is and its key properties, so that no briefing line shows an
IRI where the graph knows what the thing is.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF

from kg.answers.briefing.reading import Reads
from kg.answers.briefing.words import words
from kg.model.namespaces import MS


def car_name(ctx: Reads, entry: URIRef) -> str:
    """ "#25 BMW M Team RLL" (number and entrant as entered), or the team and car."""
    number = ctx.one(entry, MS.carNumber)
    entrant = ctx.text(entry, MS.entrantName) or ctx.label(ctx.one(entry, MS.entrant))
    model = ctx.one(entry, MS.carModel)
    parts = []
    if number is not None:
        parts.append(f"#{number}")
    if entrant:
        parts.append(entrant)
    if model is not None and (number is None or not entrant):
        parts.append(ctx.label(model))
    if not parts:
        maker = ctx.one(entry, MS.manufacturer)
        racing_class = ctx.one(entry, MS.racingClass)
        parts = [p for p in (ctx.label(maker), ctx.label(racing_class)) if p]
    return " ".join(parts)


def car_and_model(ctx: Reads, entry: URIRef) -> str:
    """ "#31 Whelen Engineering Racing Cadillac (Cadillac V-Series.R)"."""
    model = ctx.one(entry, MS.carModel)
    return car_name(ctx, entry) + (f" ({ctx.label(model)})" if model is not None else "")


def made_name(ctx: Reads, node: URIRef) -> str:
    if ctx.is_a(node, MS.Entry):
        event = ctx.one(node, MS.event)
        name = car_name(ctx, node)
        return f"{name} ({ctx.label(event)})" if event is not None else name
    if ctx.is_a(node, MS.Incident):
        kind = ctx.label(ctx.one(node, MS.incidentKind))
        component = ctx.one(node, MS.component)
        entry = ctx.one(node, MS.entry)
        what = f"{kind}, {ctx.label(component)}" if component is not None else kind
        return f"{what} ({car_name(ctx, entry)})" if isinstance(entry, URIRef) else what
    if ctx.is_a(node, MS.Role):
        return role_text(ctx, node)
    title = ctx.text(node, DCTERMS.title)
    if title:
        return title
    kinds = [t for t in ctx.all(node, RDF.type) if isinstance(t, URIRef)]
    entry = ctx.one(node, MS.entry)
    if kinds:
        kind = ctx.label(kinds[0]) if kinds[0] != node else ""
        if isinstance(entry, URIRef):
            return f"{kind} ({car_name(ctx, entry)})"
        about = ctx.one(node, RDF.subject) or ctx.one(node, MS.about)
        if isinstance(about, URIRef) and about != node:
            return f"{kind} ({ctx.label(about)})"
        return kind
    return ""


def term_words(term: URIRef) -> str:
    """An ontology term without a label in words: ms:racingClass -> "racing class";
    any other IRI as its prefixed name."""
    import re

    from kg.model.namespaces import shorten

    short = shorten(str(term))
    prefix, _, local = short.partition(":")
    if prefix in ("ms", "msv", "dcterms", "schema", "prov", "skos", "rdfs") and local:
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).lower()
    return short


def role_text(ctx: Reads, role: URIRef, with_person: bool = True) -> str:
    """ "motorsport director at BMW", with the person first where asked."""
    w = words(ctx.lang)
    kind = ctx.label(ctx.one(role, MS.roleKind))
    org = ctx.one(role, MS.organisation)
    text = w["of org"].format(role=kind, org=ctx.label(org)) if org is not None else kind
    person = ctx.one(role, MS.person)
    if with_person and person is not None:
        return f"{ctx.label(person)}, {text}"
    return text
