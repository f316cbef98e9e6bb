"""The entry points: validating with the fast engine (pyshacl for the shapes it
hands over) or with the engine the user chose."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from rdflib import Dataset, Graph
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from kg.validation.fast.compiler import TARGET_PREDICATES, compile_shapes
from kg.validation.fast.evaluator import Evaluator
from kg.validation.fast.hits import Hit
from kg.validation.fast.index import TripleIndex, build_index, count_data_entities
from kg.validation.fast.results import (
    finish_report_graph,
    graph_of_hits,
    result_from_hit,
    result_key,
)
from kg.validation.fast.shapes import (
    Constraint,
    Fallback,
    Shape,
    ShapesPlan,
    Unsupported,
    show_term,
    sort_key,
)
from kg.validation.fast.sparql import sparql_term
from kg.validation.shacl import ValidationReport


def validate_fast(
    data: Graph | Dataset | TripleIndex,
    shapes: Graph,
    ontology: Graph | None = None,
    source_files: Mapping[Node, str] | None = None,
    focus: set[Node] | None = None,
    plan: ShapesPlan | None = None,
    entities_checked: int | None = None,
    on_note: Callable[[str], None] | None = None,
) -> ValidationReport:
    """Validate with the fast engine; shapes it does not support go to pyshacl.

    `focus`, when given, limits the check to those focus nodes (incremental
    validation); the report then covers only them. The shapes of the plan's
    fallbacks are noted by the caller (note_fallbacks); a shape found unsupported
    only while checking the data (a blank-node focus node of a SPARQL-based
    constraint, say) is noted here, through `on_note`.
    """
    plan = plan if plan is not None else compile_shapes(shapes)
    index = data if isinstance(data, TripleIndex) else build_index(data, ontology)
    evaluator = Evaluator(index, shapes)
    hits: list[Hit] = []
    # The shapes themselves, not their names: anonymous shapes all share one name.
    fallback_nodes = {f.node for f in plan.fallbacks if f.node is not None}
    for shape in plan.shapes:
        if focus is None:
            targets = evaluator.focus_nodes(shape)
        else:
            targets = evaluator.targets_among(shape, focus)
        try:
            if any(c.parameter == SH.sparql for c in _all_constraints(shape)):
                for node in targets:
                    sparql_term(node)
            hits.extend(evaluator.check(shape, sorted(targets, key=sort_key)))
        except Unsupported as problem:
            fallback_nodes.add(shape.node)
            note_fallbacks([Fallback(show_term(shape.node), problem.reason, shape.node)], on_note)
    # Every result, nested ones too, as kg.validation.shacl lists pyshacl's.
    results = [
        result_from_hit(hit, evaluator, source_files or {})
        for top in hits
        for hit in top.with_details()
    ]
    extra = None
    if fallback_nodes:
        extra = _pyshacl_for(plan, fallback_nodes, index, source_files, focus)
        results.extend(extra.results)
    final = tuple(sorted(set(results), key=result_key))

    def report_graph() -> Graph:
        graph = graph_of_hits(hits, evaluator)
        if extra is not None:
            for triple in extra.report_graph:
                graph.add(triple)
        finish_report_graph(graph, conforms=not final)
        return graph

    return ValidationReport(
        results=final,
        entities_checked=(
            entities_checked if entities_checked is not None else count_data_entities(data)
        ),
        graph_maker=report_graph,
    )


def _all_constraints(shape: Shape) -> Iterator[Constraint]:
    yield from shape.constraints
    for prop in shape.properties:
        yield from _all_constraints(prop)


def _pyshacl_for(
    plan: ShapesPlan,
    keep: set[Node],
    index: TripleIndex,
    source_files: Mapping[Node, str] | None,
    focus: set[Node] | None,
) -> ValidationReport:
    """Validate only the shapes `keep` with pyshacl, by leaving the others untargeted."""
    from kg.model.namespaces import new_graph
    from kg.validation.shacl import validate

    shapes = new_graph()
    for s, p, o in plan.shapes_graph:
        if s not in keep and (
            p in TARGET_PREDICATES or (p == RDF.type and o in (RDFS.Class, OWL.Class))
        ):
            continue
        shapes.add((s, p, o))
    data = new_graph()
    for triple in index.triples():
        data.add(triple)
    report = validate(data, shapes, source_files=source_files)
    if focus is None:
        return report
    kept = tuple(r for r in report.results if r.focus in {_show_focus(n) for n in focus})
    return ValidationReport(
        results=kept,
        entities_checked=report.entities_checked,
        graph_maker=lambda: report.report_graph,
    )


def _show_focus(node: Node) -> str:
    from kg.validation.shacl import shown

    return shown(node)


ENGINES: tuple[str, ...] = ("auto", "fast", "pyshacl")


def validate_with_engine(
    engine: str,
    data: Graph | Dataset,
    shapes: Graph,
    ontology: Graph | None = None,
    inference: str = "none",
    source_files: Mapping[Node, str] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> ValidationReport:
    """Validate with `engine`: auto (fast when it supports every shape), fast, or pyshacl.

    The fast engine works on the data as given: with --inference rdfs/owlrl
    "auto" uses pyshacl, and "fast" is refused (exit 2).
    """
    from kg.model.errors import UsageError
    from kg.validation.shacl import validate

    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if engine == "pyshacl":
        return validate(data, shapes, ontology, inference, source_files)
    if inference != "none":
        if engine == "fast":
            raise UsageError(
                f"--engine fast validates the data as given, without inference; "
                f"use --engine pyshacl with --inference {inference}"
            )
        return validate(data, shapes, ontology, inference, source_files)
    plan = compile_shapes(shapes)
    if engine == "auto" and not plan.fully_supported:
        note_auto_choice(plan, on_note)
        return validate(data, shapes, ontology, inference, source_files)
    note_fallbacks(plan.fallbacks, on_note)
    return validate_fast(data, shapes, ontology, source_files, plan=plan, on_note=on_note)


def note_fallbacks(
    fallbacks: ShapesPlan | Iterable[Fallback], on_note: Callable[[str], None] | None
) -> None:
    """Say which shapes the fast engine hands to pyshacl."""
    if on_note is None:
        return
    for fallback in fallbacks.fallbacks if isinstance(fallbacks, ShapesPlan) else fallbacks:
        on_note(f"shape {fallback.shape} is checked by pyshacl: {fallback.reason}")


def note_auto_choice(plan: ShapesPlan, on_note: Callable[[str], None] | None) -> None:
    """Say why --engine auto leaves every shape to pyshacl."""
    if on_note is None or plan.fully_supported:
        return
    first = plan.fallbacks[0]
    more = len(plan.fallbacks) - 1
    others = f" (and {more} more shape{'s' if more > 1 else ''})" if more else ""
    on_note(
        f"pyshacl checks every shape: the fast engine cannot check shape {first.shape}"
        f"{others}: {first.reason}"
    )
