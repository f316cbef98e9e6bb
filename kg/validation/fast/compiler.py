"""Compiling a shapes graph into a plan: the shapes the fast engine evaluates, their
constraints read once, and the shapes it hands to pyshacl (with the reason)."""

from __future__ import annotations

import re

from rdflib import Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.validation.fast.shapes import (
    Constraint,
    Fallback,
    Shape,
    ShapesPlan,
    Unsupported,
    show_term,
    sort_key,
)
from kg.validation.fast.sparql import compile_sparql

# Parameters that describe a shape rather than constrain it.
_DESCRIPTIVE = {
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.path,
    SH.property,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.flags,  # read together with sh:pattern
    SH.prefixes,
    SH.declare,
    SH.select,
    # read together with sh:qualifiedValueShape
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
}

# Constraint parameters this engine evaluates itself.
_SUPPORTED = {
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH["class"],
    SH.nodeKind,
    SH["in"],
    SH.hasValue,
    SH.languageIn,
    SH.uniqueLang,
    SH.pattern,
    SH.minLength,
    SH.maxLength,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH["or"],
    SH["and"],
    SH["not"],
    SH.xone,
    SH.node,
    SH.sparql,
    SH.equals,
    SH.disjoint,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH.qualifiedValueShape,
}

_COMPONENT: dict[Node, URIRef] = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
    SH.equals: SH.EqualsConstraintComponent,
    SH.disjoint: SH.DisjointConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
    SH.qualifiedValueShape: SH.QualifiedMinCountConstraintComponent,
}


# Every way a shape can have targets. sh:target (SHACL-AF custom targets) is listed so
# that such a shape is compiled, found unsupported and handed to pyshacl, not skipped.
TARGET_PREDICATES = (
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
)


def compile_shapes(shapes: Graph) -> ShapesPlan:
    """Read every shape with a target; note the ones that must go to pyshacl."""
    compiled: list[Shape] = []
    fallbacks: list[Fallback] = []
    custom = custom_parameters(shapes)
    for node in sorted(shapes_with_targets(shapes), key=sort_key):
        try:
            compiled.append(_compile(shapes, node, {}, custom))
        except Unsupported as problem:
            fallbacks.append(Fallback(show_term(node), problem.reason, node))
    return ShapesPlan(shapes=tuple(compiled), fallbacks=tuple(fallbacks), shapes_graph=shapes)


def custom_parameters(shapes: Graph) -> dict[Node, Node]:
    """The parameters (sh:parameter/sh:path) of the constraint components the shapes
    graph declares, each with its component: the fast engine evaluates none of them,
    so a shape that uses one goes to pyshacl instead of being checked without it.
    Anything with an sh:parameter counts, whatever its type says (a component may be
    an instance of a subclass of sh:ConstraintComponent: W3C test validator-001)."""
    found: dict[Node, Node] = {}
    for component in sorted(set(shapes.subjects(SH.parameter, None)), key=sort_key):
        for parameter in shapes.objects(component, SH.parameter):
            for path in shapes.objects(parameter, SH.path):
                found.setdefault(path, component)
    return found


def shapes_with_targets(shapes: Graph) -> set[Node]:
    found: set[Node] = set()
    for predicate in TARGET_PREDICATES:
        found.update(shapes.subjects(predicate, None))
    # Implicit class targets: a shape that is also a class targets its instances.
    for shape_type in (SH.NodeShape, SH.PropertyShape):
        for node in shapes.subjects(RDF.type, shape_type):
            if (node, RDF.type, RDFS.Class) in shapes or (node, RDF.type, OWL.Class) in shapes:
                found.add(node)
    return found


def _compile(shapes: Graph, node: Node, seen: dict[Node, Shape], custom: dict[Node, Node]) -> Shape:
    if node in seen:
        return seen[node]
    severity = shapes.value(node, SH.severity) or SH.Violation
    deactivated = shapes.value(node, SH.deactivated)
    path = shapes.value(node, SH.path)
    if path is not None:
        _check_path(shapes, path)
    target_classes = list(shapes.objects(node, SH.targetClass))
    if (node, RDF.type, RDFS.Class) in shapes or (node, RDF.type, OWL.Class) in shapes:
        target_classes.append(node)
    shape = Shape(
        node=node,
        path=path,
        severity=severity,
        messages=tuple(shapes.objects(node, SH.message)),
        constraints=[],
        properties=[],
        target_classes=tuple(target_classes),
        target_nodes=tuple(shapes.objects(node, SH.targetNode)),
        target_subjects_of=tuple(shapes.objects(node, SH.targetSubjectsOf)),
        target_objects_of=tuple(shapes.objects(node, SH.targetObjectsOf)),
        deactivated=isinstance(deactivated, RDFLiteral) and bool(deactivated.toPython()),
    )
    seen[node] = shape
    used = set(shapes.predicates(node, None))
    foreign = sorted(used & custom.keys(), key=str)
    if foreign:
        raise Unsupported(
            f"{show_term(foreign[0])} is a parameter of the constraint component "
            f"{show_term(custom[foreign[0]])}, which the fast engine does not evaluate"
        )
    parameters = sorted({p for p in used if str(p).startswith(str(SH))}, key=str)
    for parameter in parameters:
        if parameter in _DESCRIPTIVE:
            continue
        if parameter not in _SUPPORTED:
            raise Unsupported(f"{show_term(parameter)} is not supported by the fast engine")
        values = tuple(shapes.objects(node, parameter))
        if parameter in (SH.minCount, SH.maxCount, SH.uniqueLang) and path is None:
            raise Unsupported(f"{show_term(parameter)} on a node shape")
        shape.constraints.append(_compile_constraint(shapes, node, parameter, values, seen, custom))
    for prop in sorted(shapes.objects(node, SH.property), key=sort_key):
        if shapes.value(prop, SH.path) is None:
            raise Unsupported("a property shape without sh:path")
        shape.properties.append(_compile(shapes, prop, seen, custom))
    return shape


def _compile_constraint(
    shapes: Graph,
    node: Node,
    parameter: Node,
    values: tuple[Node, ...],
    seen: dict[Node, Shape],
    custom: dict[Node, Node],
) -> Constraint:
    constraint = Constraint(parameter, _COMPONENT[parameter], values)
    if parameter == SH["in"]:
        # pyshacl keeps the members in a set and lists them in the set's order in its
        # default message; the same order here keeps the two engines' messages equal.
        constraint.extra["members"] = [list(set(shapes.items(v))) for v in values]
    elif parameter == SH.languageIn:
        constraint.extra["languages"] = [
            {str(item).lower() for item in shapes.items(v)} for v in values
        ]
    elif parameter == SH.pattern:
        flags_value = shapes.value(node, SH.flags)
        flags = 0
        if flags_value is not None:
            for letter, flag in (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL)):
                if letter in str(flags_value):
                    flags |= flag
            if "x" in str(flags_value):
                flags |= re.VERBOSE
        constraint.extra["regexes"] = [re.compile(str(v), flags) for v in values]
    elif parameter in (SH["or"], SH["and"], SH.xone):
        constraint.extra["lists"] = [
            [_compile(shapes, member, seen, custom) for member in shapes.items(v)] for v in values
        ]
    elif parameter in (SH["not"], SH.node):
        constraint.extra["shapes"] = [_compile(shapes, v, seen, custom) for v in values]
    elif parameter == SH.qualifiedValueShape:
        disjoint = shapes.value(node, SH.qualifiedValueShapesDisjoint)
        if isinstance(disjoint, RDFLiteral) and bool(disjoint.toPython()):
            raise Unsupported("sh:qualifiedValueShapesDisjoint true is not supported")
        minimum = shapes.value(node, SH.qualifiedMinCount)
        maximum = shapes.value(node, SH.qualifiedMaxCount)
        constraint.extra["shapes"] = [_compile(shapes, v, seen, custom) for v in values]
        constraint.extra["min"] = int(minimum.toPython()) if minimum is not None else None  # type: ignore[attr-defined]
        constraint.extra["max"] = int(maximum.toPython()) if maximum is not None else None  # type: ignore[attr-defined]
    elif parameter in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
        if any(not isinstance(v, URIRef) for v in values):
            raise Unsupported(f"{show_term(parameter)} with a value that is not an IRI")
    elif parameter == SH.uniqueLang:
        # SHACL: "If $uniqueLang is true": the term true, not "1"^^xsd:boolean (W3C
        # test core/property/uniqueLang-002).
        constraint.extra["active"] = any(_is_true(v) for v in values)
    elif parameter == SH.sparql:
        constraint.extra["queries"] = [compile_sparql(shapes, node, v) for v in values]
    return constraint


def _is_true(value: Node) -> bool:
    return isinstance(value, RDFLiteral) and value.datatype == XSD.boolean and str(value) == "true"


def _check_path(shapes: Graph, path: Node) -> None:
    if isinstance(path, URIRef):
        return
    if (path, RDF.first, None) in shapes:
        for member in shapes.items(path):
            _check_path(shapes, member)
        return
    for kind in (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        inner = shapes.value(path, kind)
        if inner is not None:
            _check_path(shapes, inner)
            return
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        for member in shapes.items(alternatives):
            _check_path(shapes, member)
        return
    raise Unsupported("a property path the fast engine cannot read")
