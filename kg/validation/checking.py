"""Validation of the loaded knowledge or of given files, with the bundled shapes.

Both also run kg's evidence check (kg.validation.evidence), which SHACL cannot
express: quoted spans must be in their source's text file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg.knowledge.project import Knowledge
from kg.model.files import discover, display_path, parse_file
from kg.model.namespaces import new_graph
from kg.validation.evidence import facts_of_files, facts_of_knowledge, with_evidence
from kg.validation.shacl import ValidationReport


def shapes_graph(shapes_files: Sequence[Path], knowledge: Knowledge | None) -> Graph:
    """The shapes given with --shapes, else the knowledge's (or the bundled) ones."""
    if shapes_files:
        return _union(parse_file(path) for path in shapes_files)
    if knowledge is not None:
        return knowledge.shapes()
    return _union(parse_file(item.path) for item in discover([], True) if item.kind == "shapes")


def _union(graphs: object) -> Graph:
    result = new_graph()
    for graph in graphs:  # type: ignore[attr-defined]
        for triple in graph:
            result.add(triple)
    return result


def validate_knowledge(
    knowledge: Knowledge,
    shapes_files: Sequence[Path] = (),
    inference: str = "none",
    engine: str = "pyshacl",
    on_note: Callable[[str], None] | None = None,
) -> ValidationReport:
    from kg.stores.oxigraph_store import OxigraphStore
    from kg.validation.fast import (
        compile_shapes,
        index_from_oxigraph,
        note_fallbacks,
        validate_fast,
        validate_with_engine,
    )

    shapes = shapes_graph(shapes_files, knowledge)
    if isinstance(knowledge.store, OxigraphStore) and engine != "pyshacl" and inference == "none":
        plan = compile_shapes(shapes)
        if engine == "fast" or plan.fully_supported:
            # The fast engine reads the index directly: copying a big graph into rdflib
            # first would take longer than validating it.
            data_files = [item for item in knowledge.files if item.kind == "data"]
            index, entities, defined_in = index_from_oxigraph(
                knowledge.store.reader(), data_files, knowledge.ontology()
            )
            note_fallbacks(plan, on_note)
            report = validate_fast(
                index,
                shapes,
                source_files=defined_in,
                plan=plan,
                entities_checked=entities,
                on_note=on_note,
            )
            return with_evidence(report, facts_of_knowledge(knowledge, defined_in))
    data = knowledge.data()
    ontology = knowledge.ontology()
    source_files = knowledge.defining_files()
    report = validate_with_engine(
        engine,
        data,
        shapes,
        ontology=ontology,
        inference=inference,
        source_files=source_files,
        on_note=on_note,
    )
    return with_evidence(report, facts_of_knowledge(knowledge, source_files, data, ontology))


def validate_files(
    files: Sequence[Path],
    input_format: str | None = None,
    shapes_files: Sequence[Path] = (),
    inference: str = "none",
    engine: str = "pyshacl",
    on_note: Callable[[str], None] | None = None,
) -> ValidationReport:
    """Validate user files against the bundled ontology and shapes (or `shapes_files`).

    The evidence check (kg.validation.evidence) looks for text files from each file's
    folder upwards.
    """
    data = new_graph()
    defined_in: dict[Node, str] = {}
    parsed: list[tuple[Path, Graph]] = []
    for path in files:
        graph = parse_file(path, input_format)
        parsed.append((path, graph))
        for subject in graph.subjects(RDF.type, None):
            if isinstance(subject, URIRef):
                defined_in.setdefault(subject, display_path(path))
        for triple in graph:
            data.add(triple)
    ontology_files = [item for item in discover([], True) if item.kind == "ontology"]
    ontology = _union(parse_file(item.path) for item in ontology_files)
    from kg.validation.fast import validate_with_engine

    report = validate_with_engine(
        engine,
        data,
        shapes_graph(shapes_files, None),
        ontology=ontology,
        inference=inference,
        source_files=defined_in,
        on_note=on_note,
    )
    return with_evidence(report, facts_of_files(parsed, data, ontology, defined_in))
