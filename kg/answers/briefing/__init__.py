"""Briefings: what `kg show` says about an entity, in sections an analyst expects,
each fact once, in words, with numbered citations and a reference list.

`briefing()` reads the entity's neighbourhood through the store (context.py),
composes the sections for its kind (kinds.py, races.py, facts.py) and numbers the
sources in the order the text cites them. render.py turns a Briefing into text,
Markdown or JSON (schema in model.py, documented in docs/briefings.md).

May import: kg.model, kg.stores, kg.knowledge and kg.answers (labels, decisions).
"""

from __future__ import annotations

from datetime import date

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.answers.briefing.checks import with_checks
from kg.answers.briefing.context import Context, neighbourhood
from kg.answers.briefing.kinds import Options, composer_for
from kg.answers.briefing.model import SCHEMA_VERSION, Briefing
from kg.knowledge.project import Knowledge

__all__ = ["Briefing", "briefing"]


def briefing(
    knowledge: Knowledge,
    entity: URIRef,
    lang: str = "en",
    as_of: date | None = None,
    today: date | None = None,
    show_all: bool = False,
    show_iris: bool = False,
) -> Briefing:
    """The briefing of `entity` as known on `as_of` (everything when None), with overdue
    decisions judged on `as_of`, else `today`, else the current date."""
    from kg.answers.decisions import list_decisions
    from kg.knowledge.asof import visible_graphs

    graphs = visible_graphs(knowledge, as_of)
    graph = neighbourhood(knowledge.store, entity, graphs)
    ctx = Context(graph, lang, show_iris)
    day = as_of or today or date.today()
    decisions = []
    if any(
        graph.triples((None, RDF.type, URIRef("https://w3id.org/motorsport-kg/ontology/Decision")))
    ):
        decisions = list_decisions(knowledge, as_of, lang, today=day)
    kind, compose = composer_for(ctx, entity)
    sections = with_checks(ctx, entity, compose(ctx, entity, Options(show_all, day, decisions)))
    types = sorted({ctx.label(t) for t in ctx.all(entity, RDF.type)})
    label = Context(graph, lang).label(entity)
    # Every other name it goes by; of the preferred labels (the source's "Calado" where
    # the full name leads), those in the reader's language or English.
    names = [
        *(
            n
            for n in graph.objects(entity, SKOS.prefLabel)
            if isinstance(n, Literal) and (n.language or "en") in {lang, "en"}
        ),
        *graph.objects(entity, SKOS.altLabel),
    ]
    aliases = sorted({str(a) for a in names if isinstance(a, Literal)} - {label})
    references = sorted(ctx.references.values(), key=lambda r: r.number)
    return Briefing(
        schema_version=SCHEMA_VERSION,
        iri=str(entity),
        label=label,
        kind=kind,
        lang=lang,
        summary=", ".join(types),
        also_known_as=tuple(aliases),
        sections=tuple(sections),
        references=tuple(references),
        as_of=as_of.isoformat() if as_of else None,
    )
