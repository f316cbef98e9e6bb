"""A fast SHACL engine for the project's shapes, equivalent to pyshacl on them.

pyshacl evaluates every constraint focus node by focus node, and runs each
SPARQL-based constraint once per focus node through rdflib's SPARQL engine:
on 100 thousand triples that takes minutes. This engine instead

- loads the data (with the ontology, as pyshacl's ``ont_graph`` does) once
  into an in-memory index (subject -> predicate -> objects, and the inverse),
  and evaluates the SHACL-core constraints against it in one pass per shape;
- runs each SPARQL-based constraint (``sh:sparql`` with ``$this``) ONCE as a
  whole-graph query on pyoxigraph, with the focus nodes joined in through a
  ``VALUES ?this`` block, instead of once per focus node.

It produces the same results as pyshacl (focus node, path, value, severity,
message, source shape) on the shapes it supports. A shape that uses anything
it does not support (``sh:closed``, ``sh:qualifiedValueShape``, property-pair
constraints, ``$shapesGraph``...) is not guessed at: that shape alone is
validated by pyshacl, and the plan says so (``ShapesPlan.fallbacks``).

Incremental validation: ``validate_fast(..., focus=nodes)`` checks only the
given focus nodes; ``kg.validation_cache`` decides which nodes a change can
affect and merges the new results with the cached ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.model.namespaces import prefix_lines
from kg.stores.values import code_only
from kg.validation.shacl import ValidationReport, ValidationResult

if TYPE_CHECKING:
    from kg.model.files import KnowledgeFile

Triple = tuple[Node, Node, Node]

# Looked up once: an rdflib namespace attribute costs a Python call each time, and the
# checks below run a few hundred thousand times at 100 thousand triples.
_TYPE = RDF.type
_SUBCLASS_OF = RDFS.subClassOf
_FIRST = RDF.first
_XSD_STRING = XSD.string
_LANG_STRING = RDF.langString
_RDFS_LITERAL = RDFS.Literal
_RDFS_DATATYPE = RDFS.Datatype
_BLANK_KINDS = frozenset((SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI))
_LITERAL_KINDS = frozenset((SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral))
_IRI_KINDS = frozenset((SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI))

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


@dataclass(frozen=True)
class Fallback:
    """A shape the fast engine hands to pyshacl, and why."""

    shape: str
    reason: str


@dataclass(frozen=True)
class ShapesPlan:
    """What the fast engine will do with a shapes graph."""

    shapes: tuple[_Shape, ...] = field(repr=False)
    fallbacks: tuple[Fallback, ...]
    shapes_graph: Graph = field(repr=False, compare=False)

    @property
    def fully_supported(self) -> bool:
        return not self.fallbacks


# --- the data index ------------------------------------------------------------


class TripleIndex:
    """Subject -> predicate -> objects and object -> predicate -> subjects, as sets."""

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self.out: dict[Node, dict[Node, set[Node]]] = {}
        self.inc: dict[Node, dict[Node, set[Node]]] = {}
        self._types: dict[Node, frozenset[Node]] = {}
        # Every triple of the index as N-Triples, when it was read from Oxigraph (see
        # index_from_oxigraph): SPARQL-based checks load it without converting terms.
        self.ntriples: list[bytes] | None = None
        self.add_all(triples)

    def add_all(self, triples: Iterable[Triple]) -> None:
        out, inc = self.out, self.inc
        for s, p, o in triples:
            po = out.get(s)
            if po is None:
                po = out[s] = {}
            objects = po.get(p)
            if objects is None:
                objects = po[p] = set()
            objects.add(o)
            ps = inc.get(o)
            if ps is None:
                ps = inc[o] = {}
            subjects = ps.get(p)
            if subjects is None:
                subjects = ps[p] = set()
            subjects.add(s)
        self._types.clear()
        self.ntriples = None

    def __len__(self) -> int:
        return sum(len(objs) for po in self.out.values() for objs in po.values())

    def objects(self, subject: Node, predicate: Node) -> set[Node]:
        po = self.out.get(subject)
        if po is None:
            return set()
        return po.get(predicate, set())

    def subjects(self, predicate: Node, obj: Node) -> set[Node]:
        ps = self.inc.get(obj)
        if ps is None:
            return set()
        return ps.get(predicate, set())

    def triples(self) -> Iterator[Triple]:
        for s, po in self.out.items():
            for p, objects in po.items():
                for o in objects:
                    yield s, p, o

    def superclasses(self, cls: Node) -> frozenset[Node]:
        """`cls` and everything it is an rdfs:subClassOf*, cycles tolerated."""
        cached = self._types.get(cls)
        if cached is not None:
            return cached
        seen = {cls}
        stack = [cls]
        while stack:
            for parent in self.objects(stack.pop(), _SUBCLASS_OF):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        result = frozenset(seen)
        self._types[cls] = result
        return result

    def subclasses(self, cls: Node) -> set[Node]:
        seen = {cls}
        stack = [cls]
        while stack:
            for child in self.subjects(_SUBCLASS_OF, stack.pop()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return seen

    def instances(self, cls: Node) -> set[Node]:
        found: set[Node] = set()
        for sub in self.subclasses(cls):
            found |= self.subjects(_TYPE, sub)
        return found

    def is_instance(self, node: Node, cls: Node) -> bool:
        return any(cls in self.superclasses(t) for t in self.objects(node, _TYPE))


# --- compiled shapes -------------------------------------------------------------


@dataclass
class _Constraint:
    parameter: Node
    component: URIRef
    values: tuple[Node, ...]
    extra: dict[str, Any] = field(default_factory=dict)
    # The parameter's local name, compared as a plain string in the hot loop
    # (rdflib's SH.x attribute lookups are slow).
    kind: str = ""

    def __post_init__(self) -> None:
        self.kind = str(self.parameter)[len(str(SH)) :]


@dataclass
class _Shape:
    node: Node
    path: Node | None
    severity: Node
    messages: tuple[Node, ...]
    constraints: list[_Constraint]
    properties: list[_Shape]
    target_classes: tuple[Node, ...] = ()
    target_nodes: tuple[Node, ...] = ()
    target_subjects_of: tuple[Node, ...] = ()
    target_objects_of: tuple[Node, ...] = ()
    deactivated: bool = False

    @property
    def has_targets(self) -> bool:
        return bool(
            self.target_classes
            or self.target_nodes
            or self.target_subjects_of
            or self.target_objects_of
        )


class _Unsupported(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def compile_shapes(shapes: Graph) -> ShapesPlan:
    """Read every shape with a target; note the ones that must go to pyshacl."""
    compiled: list[_Shape] = []
    fallbacks: list[Fallback] = []
    for node in sorted(_shapes_with_targets(shapes), key=_sort_key):
        try:
            compiled.append(_compile(shapes, node, {}))
        except _Unsupported as problem:
            fallbacks.append(Fallback(_show_term(node), problem.reason))
    return ShapesPlan(shapes=tuple(compiled), fallbacks=tuple(fallbacks), shapes_graph=shapes)


def _shapes_with_targets(shapes: Graph) -> set[Node]:
    found: set[Node] = set()
    for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        found.update(shapes.subjects(predicate, None))
    # Implicit class targets: a shape that is also a class targets its instances.
    for shape_type in (SH.NodeShape, SH.PropertyShape):
        for node in shapes.subjects(RDF.type, shape_type):
            if (node, RDF.type, RDFS.Class) in shapes or (node, RDF.type, OWL.Class) in shapes:
                found.add(node)
    return found


def _sort_key(node: Node) -> tuple[int, str]:
    return (0 if isinstance(node, URIRef) else 1, str(node))


def _compile(shapes: Graph, node: Node, seen: dict[Node, _Shape]) -> _Shape:
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
    shape = _Shape(
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
    parameters = sorted(
        {p for p in shapes.predicates(node, None) if str(p).startswith(str(SH))}, key=str
    )
    for parameter in parameters:
        if parameter in _DESCRIPTIVE:
            continue
        if parameter not in _SUPPORTED:
            raise _Unsupported(f"{_show_term(parameter)} is not supported by the fast engine")
        values = tuple(shapes.objects(node, parameter))
        if parameter in (SH.minCount, SH.maxCount) and path is None:
            raise _Unsupported(f"{_show_term(parameter)} on a node shape")
        shape.constraints.append(_compile_constraint(shapes, node, parameter, values, seen))
    for prop in sorted(shapes.objects(node, SH.property), key=_sort_key):
        if shapes.value(prop, SH.path) is None:
            raise _Unsupported("a property shape without sh:path")
        shape.properties.append(_compile(shapes, prop, seen))
    return shape


def _compile_constraint(
    shapes: Graph, node: Node, parameter: Node, values: tuple[Node, ...], seen: dict[Node, _Shape]
) -> _Constraint:
    constraint = _Constraint(parameter, _COMPONENT[parameter], values)
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
            [_compile(shapes, member, seen) for member in shapes.items(v)] for v in values
        ]
    elif parameter in (SH["not"], SH.node):
        constraint.extra["shapes"] = [_compile(shapes, v, seen) for v in values]
    elif parameter == SH.qualifiedValueShape:
        disjoint = shapes.value(node, SH.qualifiedValueShapesDisjoint)
        if isinstance(disjoint, RDFLiteral) and bool(disjoint.toPython()):
            raise _Unsupported("sh:qualifiedValueShapesDisjoint true is not supported")
        minimum = shapes.value(node, SH.qualifiedMinCount)
        maximum = shapes.value(node, SH.qualifiedMaxCount)
        constraint.extra["shapes"] = [_compile(shapes, v, seen) for v in values]
        constraint.extra["min"] = int(minimum.toPython()) if minimum is not None else None  # type: ignore[attr-defined]
        constraint.extra["max"] = int(maximum.toPython()) if maximum is not None else None  # type: ignore[attr-defined]
    elif parameter in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
        if any(not isinstance(v, URIRef) for v in values):
            raise _Unsupported(f"{_show_term(parameter)} with a value that is not an IRI")
    elif parameter == SH.sparql:
        constraint.extra["queries"] = [_compile_sparql(shapes, node, v) for v in values]
    return constraint


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
    raise _Unsupported("a property path the fast engine cannot read")


# --- SPARQL-based constraints ----------------------------------------------------

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


def _compile_sparql(shapes: Graph, shape: Node, node: Node) -> _SparqlConstraint:
    select = shapes.value(node, SH.select)
    if select is None:
        raise _Unsupported("an sh:sparql constraint without sh:select (ASK is not supported)")
    text = str(select)
    if _UNSUPPORTED_SPARQL.search(text):
        raise _Unsupported("an sh:sparql query using $PATH, $currentShape or $shapesGraph")
    if not _THIS.search(text):
        raise _Unsupported("an sh:sparql query without $this")
    body_start = _WHERE.search(text)
    if body_start is None:
        raise _Unsupported("an sh:sparql query without WHERE")
    # A sub-query evaluated before the join sees every $this at once; that equals
    # pyshacl's pre-binding when the sub-query projects $this (and so keeps its
    # solutions apart per focus node), or does not mention $this at all.
    code = code_only(text)  # comments, strings and IRIs blanked out
    for inner in list(_PROJECTION.finditer(code))[1:]:
        inner_body = _WHERE.search(code, inner.end())
        if inner_body is None:
            raise _Unsupported("an sh:sparql sub-query without WHERE")
        if _THIS.search(text[inner.end() : inner_body.start()]):
            continue
        # $this anywhere in the sub-query's text, even in a comment: strict on purpose.
        if _THIS.search(text[inner_body.end() : _group_end(code, inner_body.end())]):
            raise _Unsupported("an sh:sparql sub-query that uses $this without projecting it")
    prefixes = prefix_lines(_declared_prefixes(shapes, node))
    projection = _PROJECTION.search(text)
    if projection is None:
        raise _Unsupported("an sh:sparql query that is not a SELECT")
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


def _group_end(code: str, start: int) -> int:
    """Where the group opened just before `start` closes, in a query whose comments,
    strings and IRIs are blanked out (kg.stores.values.code_only)."""
    depth = 1
    for position in range(start, len(code)):
        if code[position] == "{":
            depth += 1
        elif code[position] == "}":
            depth -= 1
            if depth == 0:
                return position
    return len(code)


def _declared_prefixes(shapes: Graph, node: Node) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for holder in shapes.objects(node, SH.prefixes):
        for declaration in shapes.objects(holder, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                found[str(prefix)] = str(namespace)
    return sorted(found.items())


def _with_focus(text: str, focus: list[Node], projects_this: bool) -> str:
    """The query with `VALUES ?this {...}` first in its WHERE group (and ?this projected)."""
    values = " ".join(_sparql_term(node) for node in focus)
    body = _WHERE.search(text)
    assert body is not None
    text = text[: body.end()] + f"\n  VALUES ?this {{ {values} }}\n" + text[body.end() :]
    if not projects_this:
        projection = _PROJECTION.search(text)
        assert projection is not None
        text = text[: projection.end()] + "?this " + text[projection.end() :]
    return text


def _sparql_term(node: Node) -> str:
    # Focus nodes come from the data (IRIs); blank nodes cannot cross into another
    # store, so shapes whose targets are blank nodes are checked by pyshacl instead.
    if isinstance(node, URIRef):
        return node.n3()
    raise _Unsupported("a blank-node focus node in a SPARQL-based constraint")


# --- evaluation ------------------------------------------------------------------


@dataclass
class _Hit:
    shape: _Shape
    focus: Node
    component: URIRef
    value: Node | None
    path: Node | None
    messages: list[Node]
    source_constraint: Node | None = None


class _Evaluator:
    def __init__(self, index: TripleIndex, shapes: Graph) -> None:
        self.index = index
        self.shapes = shapes
        self._sparql_store: Any = None
        self._paths: dict[Node, tuple[Any, ...]] = {}
        self.quiet = 0

    # value nodes ------------------------------------------------------------
    def values(self, focus: Node, path: Node) -> set[Node]:
        if isinstance(path, URIRef):
            return set(self.index.objects(focus, path))
        return self._path_values({focus}, path)

    def _path_values(self, nodes: set[Node], path: Node) -> set[Node]:
        index = self.index
        if isinstance(path, URIRef):
            result: set[Node] = set()
            for node in nodes:
                result |= index.objects(node, path)
            return result
        plan = self._paths.get(path)
        if plan is None:
            plan = self._paths[path] = self._path_plan(path)
        kind, inner = plan[0], plan[1]
        if kind == "sequence":
            current = nodes
            for member in inner:
                current = self._path_values(current, member)
            return current
        if kind == "inverse":
            result = set()
            for node in nodes:
                result |= self._inverse_values(node, inner)
            return result
        if kind == "alternative":
            result = set()
            for member in inner:
                result |= self._path_values(nodes, member)
            return result
        include_self, repeat = plan[2], plan[3]
        result = set(nodes) if include_self else set()
        frontier = nodes
        seen: set[Node] = set()
        while frontier:
            step = self._path_values(frontier, inner)
            result |= step
            if not repeat:
                break
            frontier = step - seen
            seen |= step
        return result

    def _path_plan(self, path: Node) -> tuple[Any, ...]:
        """A complex path read once from the shapes graph (reading it at every focus
        node was a fifth of the validation time)."""
        shapes = self.shapes
        if (path, _FIRST, None) in shapes:
            return ("sequence", tuple(shapes.items(path)))
        inverse = shapes.value(path, SH.inversePath)
        if inverse is not None:
            return ("inverse", inverse)
        alternatives = shapes.value(path, SH.alternativePath)
        if alternatives is not None:
            return ("alternative", tuple(shapes.items(alternatives)))
        for kind, include_self, repeat in (
            (SH.zeroOrMorePath, True, True),
            (SH.oneOrMorePath, False, True),
            (SH.zeroOrOnePath, True, False),
        ):
            inner = shapes.value(path, kind)
            if inner is not None:
                return ("repeat", inner, include_self, repeat)
        raise _Unsupported("a property path the fast engine cannot read")

    def _inverse_values(self, node: Node, inner: Node) -> set[Node]:
        if isinstance(inner, URIRef):
            return set(self.index.subjects(inner, node))
        # Inverse of a complex path: search from every subject (rare; small graphs).
        return {s for s in list(self.index.out) if node in self._path_values({s}, inner)}

    # focus nodes ------------------------------------------------------------
    def focus_nodes(self, shape: _Shape) -> set[Node]:
        found: set[Node] = set(shape.target_nodes)
        for cls in shape.target_classes:
            found |= self.index.instances(cls)
        for predicate in shape.target_subjects_of:
            for s, po in self.index.out.items():
                if predicate in po:
                    found.add(s)
        for predicate in shape.target_objects_of:
            for o, ps in self.index.inc.items():
                if predicate in ps:
                    found.add(o)
        return found

    # constraints ------------------------------------------------------------
    def check(self, shape: _Shape, focus_nodes: Iterable[Node]) -> list[_Hit]:
        hits: list[_Hit] = []
        if shape.deactivated:
            return hits
        focus_list = list(focus_nodes)
        for focus in focus_list:
            value_nodes = self.values(focus, shape.path) if shape.path is not None else {focus}
            for constraint in shape.constraints:
                if constraint.kind == "sparql":
                    continue
                if constraint.kind == "node":
                    hits.extend(self._node_hits(shape, constraint, focus, value_nodes))
                    continue
                for found in self._evaluate(shape, constraint, focus, value_nodes):
                    value, extra_messages = found[0], found[1]
                    component = found[2] if len(found) > 2 else constraint.component
                    hits.append(
                        _Hit(
                            shape,
                            focus,
                            component,
                            value,
                            shape.path,
                            [*shape.messages] or extra_messages,
                        )
                    )
            for prop in shape.properties:
                hits.extend(self.check(prop, [focus]))
        for constraint in shape.constraints:
            if constraint.kind == "sparql":
                hits.extend(self._sparql_hits(shape, constraint, focus_list))
        return hits

    def _node_hits(
        self, shape: _Shape, constraint: _Constraint, focus: Node, value_nodes: set[Node]
    ) -> list[_Hit]:
        # Like pyshacl: one result per failing value node, with the nested shape's
        # results alongside it (pyshacl links them with sh:detail).
        hits: list[_Hit] = []
        messages = _DefaultMessages(self, shape, constraint, focus)
        for value in sorted(value_nodes, key=_sort_key):
            for index, rule in enumerate(constraint.values):
                nested = self.check(constraint.extra["shapes"][index], [value])
                if nested:
                    own = [*shape.messages] or messages.for_value(value, rule)
                    hits.append(_Hit(shape, focus, constraint.component, value, shape.path, own))
                    hits.extend(nested)
        return hits

    def conforms(self, node: Node, shape: _Shape) -> bool:
        # Conformance needs no messages: skip building them (pyshacl's wording is costly).
        self.quiet += 1
        try:
            return not self.check(shape, [node])
        finally:
            self.quiet -= 1

    def _evaluate(
        self, shape: _Shape, constraint: _Constraint, focus: Node, value_nodes: set[Node]
    ) -> Iterator[tuple[Any, ...]]:
        """(value node or None, default messages[, component]) per violation."""
        kind = constraint.kind
        messages = _DefaultMessages(self, shape, constraint, focus)
        if kind == "minCount":
            for rule in constraint.values:
                if len(value_nodes) < int(rule.toPython()):  # type: ignore[attr-defined]
                    yield None, messages.count("Less than", rule)
        elif kind == "maxCount":
            for rule in constraint.values:
                if len(value_nodes) > int(rule.toPython()):  # type: ignore[attr-defined]
                    yield None, messages.count("More than", rule)
        elif kind == "uniqueLang":
            if not any(bool(v.toPython()) for v in constraint.values):  # type: ignore[attr-defined]
                return
            seen: set[str] = set()
            duplicates: set[str] = set()
            for value in value_nodes:
                if isinstance(value, RDFLiteral) and value.language:
                    lang = value.language.lower()
                    (duplicates if lang in seen else seen).add(lang)
            for _ in duplicates:
                yield None, [RDFLiteral("More than one String shares the same Language")]
        elif kind == "qualifiedValueShape":
            for index, rule in enumerate(constraint.values):
                minimum, maximum = constraint.extra["min"], constraint.extra["max"]
                if not value_nodes and (minimum is None or minimum < 1):
                    continue
                qualified = constraint.extra["shapes"][index]
                passing = sum(1 for v in value_nodes if self.conforms(v, qualified))
                for limit, too_many, component, _word in (
                    (maximum, True, SH.QualifiedMaxCountConstraintComponent, "MaxCount"),
                    (minimum, False, SH.QualifiedMinCountConstraintComponent, "MinCount"),
                ):
                    if limit is None or (passing <= limit if too_many else passing >= limit):
                        continue
                    yield None, messages.qualified(rule), component
        elif kind in ("equals", "disjoint"):
            for rule in constraint.values:
                others = self.index.objects(focus, rule)
                if kind == "disjoint":
                    offending = value_nodes & others
                else:
                    offending = (value_nodes - others) | (others - value_nodes)
                for value in sorted(offending, key=_sort_key):
                    yield value, messages.pair(value, rule)
        elif kind in ("lessThan", "lessThanOrEquals"):
            for rule in constraint.values:
                others = self.index.objects(focus, rule)
                for value in sorted(value_nodes, key=_sort_key):
                    for other in others:
                        if not _pair_ordered(value, other, kind == "lessThanOrEquals"):
                            yield value, messages.pair(value, rule)
        elif kind == "hasValue":
            for rule in constraint.values:
                if rule not in value_nodes:
                    yield (None if shape.path is not None else focus), messages.has_value()
        else:
            test = self._value_test(constraint)
            for value in sorted(value_nodes, key=_sort_key):
                for index, rule in enumerate(constraint.values):
                    if not test(value, rule, index):
                        yield value, messages.for_value(value, rule)

    def _value_test(self, constraint: _Constraint) -> Callable[[Node, Node, int], bool]:
        parameter = constraint.parameter
        kind = constraint.kind
        index = self.index
        if kind == "datatype":
            return lambda v, rule, _: _datatype_ok(v, rule)
        if kind == "class":
            return lambda v, rule, _: not isinstance(v, RDFLiteral) and index.is_instance(v, rule)
        if kind == "nodeKind":
            return lambda v, rule, _: _node_kind_ok(v, rule)
        if kind == "in":
            members = constraint.extra["members"]
            return lambda v, rule, i: v in members[i]
        if kind == "languageIn":
            languages = constraint.extra["languages"]
            return lambda v, rule, i: _language_ok(v, languages[i])
        if kind == "pattern":
            regexes = constraint.extra["regexes"]
            return lambda v, rule, i: (
                not isinstance(v, BNode) and bool(regexes[i].search(_string_of(v)))
            )
        if kind == "minLength":
            return lambda v, rule, _: (
                not isinstance(v, BNode)
                and len(_string_of(v))
                >= int(
                    rule.toPython()  # type: ignore[attr-defined]
                )
            )
        if kind == "maxLength":
            return lambda v, rule, _: (
                not isinstance(v, BNode)
                and len(_string_of(v))
                <= int(
                    rule.toPython()  # type: ignore[attr-defined]
                )
            )
        if kind in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            accept: Callable[[int], bool] = {
                SH.minInclusive: lambda c: c >= 0,
                SH.maxInclusive: lambda c: c <= 0,
                SH.minExclusive: lambda c: c > 0,
                SH.maxExclusive: lambda c: c < 0,
            }[cast(URIRef, parameter)]
            return lambda v, rule, _: _compare_ok(v, rule, accept)
        if kind in ("or", "and", "xone"):
            lists = constraint.extra["lists"]

            def logical(v: Node, rule: Node, i: int) -> bool:
                passed = sum(1 for member in lists[i] if self.conforms(v, member))
                if kind == "or":
                    return passed >= 1
                if kind == "and":
                    return passed == len(lists[i])
                return passed == 1

            return logical
        if kind == "not":
            negated = constraint.extra["shapes"]
            return lambda v, rule, i: not self.conforms(v, negated[i])
        if kind == "node":
            required = constraint.extra["shapes"]
            return lambda v, rule, i: self.conforms(v, required[i])
        raise _Unsupported(f"{_show_term(parameter)} is not supported by the fast engine")

    # SPARQL -----------------------------------------------------------------
    def _sparql_hits(
        self, shape: _Shape, constraint: _Constraint, focus_list: list[Node]
    ) -> list[_Hit]:
        hits: list[_Hit] = []
        if not focus_list:
            return hits
        store = self._oxigraph()
        for query in constraint.extra["queries"]:
            if query.deactivated:
                continue
            hits.extend(self._run_sparql(store, shape, query, focus_list))
        return hits

    def _run_sparql(
        self, store: Any, shape: _Shape, query: _SparqlConstraint, focus_list: list[Node]
    ) -> list[_Hit]:
        hits: list[_Hit] = []
        focus_set = set(focus_list)
        text = _with_focus(query.text, sorted(focus_list, key=_sort_key), query.projects_this)
        solutions = store.query(text)
        variables = [v.value for v in solutions.variables]
        per_focus: dict[Node, list[tuple[Any, ...]]] = {}
        failures: set[Node] = set()
        for solution in solutions:
            row = {name: _to_rdflib(solution[name]) for name in variables}
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
        for this in sorted(failures, key=_sort_key):
            hits.append(self._sparql_hit(shape, query, this, None, None, None, default_value))
        for this, rows in per_focus.items():
            for reported_this, path, value, extra in rows:
                bound = {"this": reported_this, "path": path, "value": value, **dict(extra)}
                hits.append(self._sparql_hit(shape, query, this, path, value, bound, default_value))
        return hits

    def _sparql_hit(
        self,
        shape: _Shape,
        query: _SparqlConstraint,
        focus: Node,
        path: Node | None,
        value: Node | None,
        bound: dict[str, Node | None] | None,
        default_value: str | None,
    ) -> _Hit:
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
        return _Hit(
            shape,
            focus,
            SH.SPARQLConstraintComponent,
            value,
            path if path is not None else shape.path,
            messages,
            source_constraint=query.node,
        )

    def _oxigraph(self) -> Any:
        if self._sparql_store is None:
            if self.index.ntriples is not None:
                self._sparql_store = _oxigraph_store_from(self.index.ntriples)
            else:
                self._sparql_store = _oxigraph_store(self.index.triples())
        return self._sparql_store


def _substitute(message: str, bound: Mapping[str, Node | None]) -> str:
    for name, value in bound.items():
        if value is not None:
            text = str(value)
            message = message.replace("{?" + name + "}", text).replace("{$" + name + "}", text)
    return message


def _datatype_ok(value: Node, rule: Node) -> bool:
    if not isinstance(value, RDFLiteral):
        return False
    if value.datatype == rule:
        if getattr(value, "ill_typed", None) is True:
            return False
        return _actual_datatype_ok(value, rule)
    if rule == _RDFS_LITERAL:
        return True
    if rule == _RDFS_DATATYPE and value.datatype:
        return True
    if value.datatype is None and value.language is None and rule == _XSD_STRING:
        return _actual_datatype_ok(value, rule)
    if rule == _LANG_STRING and value.language:
        return _actual_datatype_ok(value, rule)
    return False


def _python_types() -> dict[Node, Any]:
    from datetime import date, datetime, time
    from decimal import Decimal

    return {
        XSD.string: (str, bytes),
        RDF.langString: (str, bytes),
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: date,
        XSD.time: time,
        XSD.dateTime: datetime,
    }


# The Python type rdflib gives a well-formed literal of each datatype.
_PYTHON_TYPES = _python_types()


def _actual_datatype_ok(value: RDFLiteral, rule: Node) -> bool:
    expected = _PYTHON_TYPES.get(rule)
    return True if expected is None else isinstance(value.value, expected)


def _pair_ordered(value: Node, other: Node, or_equal: bool) -> bool:
    """pyshacl's sh:lessThan(OrEquals) test: strings with strings, else rdflib's ordering."""
    if isinstance(value, BNode) or isinstance(other, BNode):
        raise _Unsupported("sh:lessThan on a blank node")
    left: Any = value
    right: Any = other
    left_is_string = right_is_string = False
    if isinstance(value, URIRef) or (
        isinstance(value, RDFLiteral) and isinstance(value.value, str)
    ):
        left, left_is_string = (str(value) if isinstance(value, URIRef) else value.value), True
    if isinstance(other, URIRef) or (
        isinstance(other, RDFLiteral) and isinstance(other.value, str)
    ):
        right, right_is_string = (str(other) if isinstance(other, URIRef) else other.value), True
    if left_is_string != right_is_string:
        return False
    return bool(left <= right) if or_equal else bool(left < right)


def _node_kind_ok(value: Node, rule: Node) -> bool:
    if isinstance(value, BNode):
        return rule in _BLANK_KINDS
    if isinstance(value, RDFLiteral):
        return rule in _LITERAL_KINDS
    return rule in _IRI_KINDS


def _language_ok(value: Node, languages: set[str]) -> bool:
    if not isinstance(value, RDFLiteral) or not value.language:
        return False
    lang = value.language.lower()
    return "*" in languages or lang in languages or lang.split("-")[0] in languages


def _string_of(value: Node) -> str:
    if isinstance(value, RDFLiteral):
        if value.value is not None and value.datatype in (None, RDF.langString, XSD.string):
            return str(value.value)
        return str(value)
    return str(value)


def _compare_ok(value: Node, rule: Node, accept: Callable[[int], bool]) -> bool:
    if not isinstance(value, RDFLiteral) or not isinstance(rule, RDFLiteral):
        return False
    value_is_string = isinstance(value.value, str)
    rule_is_string = isinstance(rule.value, str)
    if value_is_string != rule_is_string:
        return False
    from pyshacl.rdfutil.compare import compare_literal

    try:
        comparison = int(compare_literal(value, rule))  # type: ignore[no-untyped-call]
    except (TypeError, NotImplementedError):
        return False
    return accept(comparison)


# --- messages: pyshacl's wording, so that both engines report the same ----------


class _DefaultMessages:
    def __init__(self, evaluator: _Evaluator, shape: _Shape, constraint: _Constraint, focus: Node):
        self.evaluator = evaluator
        self.shape = shape
        self.constraint = constraint
        self.focus = focus

    def _needed(self) -> bool:
        return not self.shape.messages and not self.evaluator.quiet

    def _shape_term(self, node: Node) -> str:
        return _stringify(self.evaluator.shapes, node)

    def _data_term(self, node: Node) -> str:
        return _stringify_data(self.evaluator, node)

    def count(self, words: str, rule: Node) -> list[Node]:
        if not self._needed():
            return []
        count = str(rule.toPython())  # type: ignore[attr-defined]
        focus = self._data_term(self.focus)
        if self.shape.path is not None:
            path = self._shape_term(self.shape.path)
            return [RDFLiteral(f"{words} {count} values on {focus}->{path}")]
        return [RDFLiteral(f"{words} {count} values on {focus}")]

    def qualified(self, rule: Node) -> list[Node]:
        if not self._needed():
            return []
        counts = ""
        if self.constraint.extra["min"] is not None:
            counts += f" MinCount {self.constraint.extra['min']}"
        if self.constraint.extra["max"] is not None:
            counts += f" MaxCount {self.constraint.extra['max']}"
        shapes = ",".join(self._shape_term(s) for s in self.constraint.values)
        plural = "s" if len(self.constraint.values) > 1 else ""
        listed = f"({shapes})" if plural else shapes
        return [RDFLiteral(f"Focus node does not conform to shape{plural}{counts}: {listed}")]

    def pair(self, value: Node, rule: Node) -> list[Node]:
        if not self._needed():
            return []
        sign = {
            SH.equals: "!=",
            SH.disjoint: "==",
            SH.lessThan: "<=",
            SH.lessThanOrEquals: "<",
        }[cast(URIRef, self.constraint.parameter)]
        rules = ", ".join(self._shape_term(r) for r in self.constraint.values)
        focus = self._data_term(self.focus)
        return [RDFLiteral(f"Value of {focus}->{rules} {sign} {self._data_term(value)}")]

    def has_value(self) -> list[Node]:
        if not self._needed():
            return []
        values = [self._shape_term(v) for v in self.constraint.values]
        if self.shape.path is not None:
            focus = self._data_term(self.focus)
            path = self._shape_term(self.shape.path)
            return [
                RDFLiteral(f"Node {focus}->{path} does not contain a value in the set: {values}")
            ]
        focus = self._data_term(self.focus)
        return [RDFLiteral(f"Node {focus} value is not a in the set of values: {values}")]

    def for_value(self, value: Node, rule: Node) -> list[Node]:
        if not self._needed():
            return []
        parameter = self.constraint.parameter
        rules = self.constraint.values
        shape_term = self._shape_term
        if parameter == SH.datatype:
            text = f"Value is not Literal with datatype {shape_term(rule)}"
        elif parameter == SH["class"]:
            text = (
                f"Value does not have class {shape_term(rules[0])}"
                if len(rules) < 2
                else f"Value class is not in classes ({', '.join(shape_term(c) for c in rules)})"
            )
        elif parameter == SH.nodeKind:
            text = f"Value is not of Node Kind {shape_term(rule)}"
        elif parameter == SH["in"]:
            members = [shape_term(m) for m in self.constraint.extra["members"][0]]
            text = f"Value {self._data_term(value)} not in list {members}"
        elif parameter == SH.languageIn:
            text = f"String language is not in {shape_term(rules[0])}"
        elif parameter == SH.pattern:
            if len(rules) < 2:
                text = f"Value does not match pattern '{rules[0]}'"
            else:
                text = "Value does not match every pattern in ('{}')".format(
                    "', '".join(str(r) for r in rules)
                )
        elif parameter in (SH.minLength, SH.maxLength):
            sign = ">=" if parameter == SH.minLength else "<="
            text = f"String length not {sign} {self._data_term(rules[0])}"
        elif parameter in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            sign = {
                SH.minInclusive: ">=",
                SH.maxInclusive: "<=",
                SH.minExclusive: ">",
                SH.maxExclusive: "<",
            }[cast(URIRef, parameter)]
            if len(rules) < 2:
                text = f"Value is not {sign} {shape_term(rules[0])}"
            else:
                text = f"Value is not {sign} in ({', '.join(shape_term(r) for r in rules)})"
        elif parameter in (SH["or"], SH["and"], SH.xone):
            word = {
                SH["or"]: "must conform to one or more shapes in",
                SH["and"]: "must conform to all shapes in",
                SH.xone: "must conform to exactly one shape in",
            }[cast(URIRef, parameter)]
            graph = self.evaluator.shapes
            if len(rules) < 2:
                listed = " , ".join(shape_term(item) for item in graph.items(rules[0]))
            else:
                listed = " and ".join(
                    "({})".format(" , ".join(shape_term(item) for item in graph.items(r)))
                    for r in rules
                )
            text = f"Node {self._data_term(value)} {word} {listed}"
        elif parameter == SH["not"]:
            if len(rules) == 1:
                text = f"Node {self._data_term(value)} must not conform to shape {shape_term(rule)}"
            else:
                listed = " , ".join(shape_term(n) for n in rules)
                text = f"Node {self._data_term(value)} must not conform to any shapes in {listed}"
        elif parameter == SH.node:
            if len(rules) < 2:
                text = f"Value does not conform to Shape {shape_term(rules[0])}."
            else:
                listed = "', '".join(shape_term(c) for c in rules)
                text = f"Value must conform to every Shape in ('{listed}')."
            text += " See details for more information."
        else:  # pragma: no cover - every supported parameter is listed above
            raise _Unsupported(f"no message for {_show_term(parameter)}")
        return [RDFLiteral(text)]


def _stringify(graph: Graph, node: Node) -> str:
    """pyshacl's rendering of a term (prefixed names, literals, blank nodes)."""
    from pyshacl.rdfutil.stringify import stringify_node

    return str(stringify_node(graph, node))


def _stringify_data(evaluator: _Evaluator, node: Node) -> str:
    if isinstance(node, BNode):
        # pyshacl renders a blank node from its description in the data graph.
        graph = _namespaced_graph()
        _copy_description(evaluator.index, node, graph, set())
        return _stringify(graph, node)
    return _stringify(_data_prefix_graph(), node)


_PREFIX_GRAPH: list[Graph] = []


def _data_prefix_graph() -> Graph:
    if not _PREFIX_GRAPH:
        _PREFIX_GRAPH.append(_namespaced_graph())
    return _PREFIX_GRAPH[0]


def _namespaced_graph() -> Graph:
    # pyshacl's working copy of the data graph gets rdflib's default bindings plus
    # the data graph's own; the project's graphs bind the project's prefixes.
    from kg.model.namespaces import bind_all

    graph = Graph()
    bind_all(graph)
    return graph


def _copy_description(index: TripleIndex, node: Node, target: Graph, seen: set[Node]) -> None:
    if node in seen:
        return
    seen.add(node)
    for predicate, objects in index.out.get(node, {}).items():
        for obj in objects:
            target.add((node, predicate, obj))
            if isinstance(obj, BNode):
                _copy_description(index, obj, target, seen)


def _show_term(node: Node) -> str:
    from kg.validation.shacl import _show

    return _show(node) if not isinstance(node, BNode) else "(an anonymous shape)"


# --- moving terms between rdflib and pyoxigraph ----------------------------------


def _to_oxigraph(node: Node) -> Any:
    import pyoxigraph as ox

    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    assert isinstance(node, RDFLiteral)
    if node.language:
        return ox.Literal(str(node), language=node.language)
    if node.datatype is not None:
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
    return ox.Literal(str(node))


def _to_rdflib(term: Any) -> Node | None:
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return RDFLiteral(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return RDFLiteral(term.value)
        return RDFLiteral(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unexpected term {term!r}")


def _oxigraph_store(triples: Iterable[Triple]) -> Any:
    import pyoxigraph as ox

    store = ox.Store()
    store.extend(
        ox.Quad(_to_oxigraph(s), _to_oxigraph(p), _to_oxigraph(o), ox.DefaultGraph())
        for s, p, o in triples
    )
    return store


def _oxigraph_store_from(chunks: Sequence[bytes]) -> Any:
    import pyoxigraph as ox

    store = ox.Store()
    for chunk in chunks:
        store.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES)
    return store


def _ntriples(triples: Iterable[Any]) -> bytes:
    import pyoxigraph as ox

    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None  # no output given: the bytes are returned
    return data


def triples_from_oxigraph(
    quads: Iterable[Any], cache: dict[Any, Any] | None = None
) -> Iterator[Triple]:
    """Pyoxigraph quads or triples as rdflib triples. Each distinct term is converted
    once (`cache`, shared between calls, maps pyoxigraph terms to rdflib ones): making
    an rdflib literal parses its value, and most values recur."""
    import pyoxigraph as ox

    known: dict[Any, Any] = {} if cache is None else cache
    blank = ox.BlankNode

    def term(value: Any) -> Any:
        found = known.get(value)
        if found is None:
            found = known[value] = (
                BNode(value.value) if isinstance(value, blank) else _to_rdflib(value)
            )
        return found

    for quad in quads:
        yield term(quad.subject), term(quad.predicate), term(quad.object)


# --- the entry points ------------------------------------------------------------


def build_index(data: Graph | Dataset | Iterable[Triple], ontology: Graph | None) -> TripleIndex:
    """The data and the ontology as one index (pyshacl mixes the ontology in the same way)."""
    index = TripleIndex()
    if isinstance(data, Dataset):
        index.add_all((s, p, o) for s, p, o, _ in data.quads((None, None, None, None)))
    else:
        index.add_all(data)
    if ontology is not None:
        index.add_all(ontology)
    return index


def validate_fast(
    data: Graph | Dataset | TripleIndex,
    shapes: Graph,
    ontology: Graph | None = None,
    source_files: Mapping[Node, str] | None = None,
    focus: set[Node] | None = None,
    plan: ShapesPlan | None = None,
    entities_checked: int | None = None,
) -> ValidationReport:
    """Validate with the fast engine; shapes it does not support go to pyshacl.

    `focus`, when given, limits the check to those focus nodes (incremental
    validation); the report then covers only them.
    """
    plan = plan if plan is not None else compile_shapes(shapes)
    index = data if isinstance(data, TripleIndex) else build_index(data, ontology)
    evaluator = _Evaluator(index, shapes)
    hits: list[_Hit] = []
    runnable: list[_Shape] = []
    fallback_nodes = {f.shape for f in plan.fallbacks}
    for shape in plan.shapes:
        targets = evaluator.focus_nodes(shape)
        if focus is not None:
            targets &= focus
        try:
            if any(c.parameter == SH.sparql for c in _all_constraints(shape)):
                for node in targets:
                    _sparql_term(node)
            hits.extend(evaluator.check(shape, sorted(targets, key=_sort_key)))
            runnable.append(shape)
        except _Unsupported:
            fallback_nodes.add(_show_term(shape.node))
    results = [_result_from_hit(hit, evaluator, source_files or {}) for hit in hits]
    # Like pyshacl with allow_warnings: only violations make the data non-conforming.
    conforms = not any(hit.shape.severity == SH.Violation for hit in hits)
    extra = None
    if fallback_nodes:
        extra = _pyshacl_for(plan, fallback_nodes, index, source_files, focus)
        results.extend(extra.results)
        conforms = conforms and extra.conforms

    def report_graph() -> Graph:
        graph = _report_graph(hits, evaluator)
        if extra is not None:
            for triple in extra.report_graph:
                graph.add(triple)
        _finish_report_graph(graph, conforms)
        return graph

    return ValidationReport(
        conforms=conforms,
        results=tuple(sorted(set(results), key=_result_key)),
        entities_checked=(
            entities_checked if entities_checked is not None else _count_data_entities(data)
        ),
        graph_maker=report_graph,
    )


def _count_data_entities(data: Graph | Dataset | TripleIndex) -> int:
    if isinstance(data, TripleIndex):
        return len({s for s, po in data.out.items() if isinstance(s, URIRef) and RDF.type in po})
    return len({s for s in data.subjects(RDF.type, None) if isinstance(s, URIRef)})


def _all_constraints(shape: _Shape) -> Iterator[_Constraint]:
    yield from shape.constraints
    for prop in shape.properties:
        yield from _all_constraints(prop)


def _result_key(r: ValidationResult) -> tuple[str, ...]:
    return (
        r.source_file or "",
        r.focus,
        r.severity,
        r.path or "",
        r.message,
        r.value or "",
    )


def _result_from_hit(
    hit: _Hit, evaluator: _Evaluator, source_files: Mapping[Node, str]
) -> ValidationResult:
    from kg.validation.shacl import SEVERITY_NAMES, _show

    label_context = _IndexLabels(evaluator.index)
    messages = sorted(str(m) for m in hit.messages)
    path = hit.path
    return ValidationResult(
        focus=_show(hit.focus),
        focus_label=label_context.label(hit.focus),
        focus_type=label_context.type_label(hit.focus),
        severity=SEVERITY_NAMES.get(hit.shape.severity, "violation"),
        message=messages[0] if messages else "does not meet the shape",
        path=_show(path) if isinstance(path, URIRef) else None,
        value=_show(hit.value) if hit.value is not None else None,
        shape=_show(hit.shape.node)
        if isinstance(hit.shape.node, URIRef)
        else "(an anonymous shape)",
        source_file=source_files.get(hit.focus),
    )


class _IndexLabels:
    """kg.validation's labelling rules, read from the index instead of rdflib graphs."""

    def __init__(self, index: TripleIndex) -> None:
        self.index = index

    def label(self, node: Node) -> str:
        from rdflib.namespace import SKOS

        from kg.validation.shacl import _label_rank, _show

        for predicate in (SKOS.prefLabel, RDFS.label):
            labels = sorted(self.index.objects(node, predicate), key=_label_rank)
            if labels:
                return str(labels[0])
        return _show(node)

    def type_label(self, node: Node) -> str:
        types = sorted(self.index.objects(node, RDF.type), key=str)
        if not types:
            return "untyped"
        return ", ".join(self.label(t) for t in types)


def _report_graph(hits: list[_Hit], evaluator: _Evaluator) -> Graph:
    from kg.model.namespaces import new_graph

    graph = new_graph()
    shapes = evaluator.shapes
    for hit in hits:
        result = BNode()
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.sourceConstraintComponent, hit.component))
        graph.add((result, SH.sourceShape, hit.shape.node))
        graph.add((result, SH.resultSeverity, hit.shape.severity))
        graph.add((result, SH.focusNode, hit.focus))
        if hit.value is not None:
            graph.add((result, SH.value, hit.value))
        if hit.path is not None:
            graph.add((result, SH.resultPath, hit.path))
            _copy_shape_term(shapes, hit.path, graph)
        if hit.source_constraint is not None:
            graph.add((result, SH.sourceConstraint, hit.source_constraint))
        if isinstance(hit.shape.node, BNode):
            _copy_shape_term(shapes, hit.shape.node, graph)
        for message in hit.messages:
            graph.add((result, SH.resultMessage, message))
    return graph


def _copy_shape_term(shapes: Graph, node: Node, graph: Graph) -> None:
    if not isinstance(node, BNode):
        return
    for p, o in shapes.predicate_objects(node):
        if (node, p, o) not in graph:
            graph.add((node, p, o))
            _copy_shape_term(shapes, o, graph)


def _finish_report_graph(graph: Graph, conforms: bool) -> None:
    for old in list(graph.subjects(RDF.type, SH.ValidationReport)):
        graph.remove((old, None, None))
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, RDFLiteral(conforms)))
    for result in list(graph.subjects(RDF.type, SH.ValidationResult)):
        graph.add((report, SH.result, result))


def _pyshacl_for(
    plan: ShapesPlan,
    shape_names: set[str],
    index: TripleIndex,
    source_files: Mapping[Node, str] | None,
    focus: set[Node] | None,
) -> ValidationReport:
    """Validate only the named shapes with pyshacl, by leaving the others untargeted."""
    from kg.model.namespaces import new_graph
    from kg.validation.shacl import validate

    shapes = new_graph()
    keep = {s for s in _shapes_with_targets(plan.shapes_graph) if _show_term(s) in shape_names}
    target_predicates = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    for s, p, o in plan.shapes_graph:
        if s not in keep and (
            p in target_predicates or (p == RDF.type and o in (RDFS.Class, OWL.Class))
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
        conforms=not kept,
        results=kept,
        entities_checked=report.entities_checked,
        graph_maker=lambda: report.report_graph,
    )


def _show_focus(node: Node) -> str:
    from kg.validation.shacl import _show

    return _show(node)


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
        return validate(data, shapes, ontology, inference, source_files)
    note_fallbacks(plan, on_note)
    return validate_fast(data, shapes, ontology, source_files, plan=plan)


def note_fallbacks(plan: ShapesPlan, on_note: Callable[[str], None] | None) -> None:
    """Say which shapes the fast engine hands to pyshacl."""
    for fallback in plan.fallbacks:
        if on_note is not None:
            on_note(f"shape {fallback.shape} is checked by pyshacl: {fallback.reason}")


def index_from_oxigraph(
    handle: Any, files: Sequence[KnowledgeFile], ontology: Graph
) -> tuple[TripleIndex, int, dict[Node, str]]:
    """The graphs of the data `files` in an Oxigraph store and the ontology as one
    index, read straight from the store (no rdflib graph in between); the number of
    typed entities in the data (the ontology's classes are not counted); and each
    typed IRI's first file in the order given (what Knowledge.defining_files answers
    with a query, read here on the way).

    Read from the store, not parsed again from the files: the store keeps literals in
    the canonical form the memory store also keeps (kg.stores.terms.canonical).
    """
    import pyoxigraph as ox

    index = TripleIndex()
    chunks: list[bytes] = []
    cache: dict[Any, Any] = {}
    typed_in: dict[Node, str] = {}
    rdf_type = ox.NamedNode(str(_TYPE))
    for item in files:
        quads = list(handle.quads_for_pattern(None, None, None, ox.NamedNode(item.graph)))
        index.add_all(triples_from_oxigraph(quads, cache))
        shown = item.display
        for quad in quads:
            if quad.predicate == rdf_type and isinstance(quad.subject, ox.NamedNode):
                typed_in.setdefault(cache[quad.subject], shown)
        # Kept as N-Triples for the SPARQL-based checks: reading the store again costs
        # as much as this read, converting the terms back from rdflib twice that.
        chunks.append(_ntriples(quad.triple for quad in quads))
    entities = _count_data_entities(index)
    index.add_all(ontology)
    chunks.append(
        _ntriples(
            ox.Triple(_to_oxigraph(s), _to_oxigraph(p), _to_oxigraph(o)) for s, p, o in ontology
        )
    )
    index.ntriples = chunks
    return index, entities, typed_in
