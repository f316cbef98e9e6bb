"""Which focus nodes a change of triples can affect (behind `kg validate --changed`).

A shape reads triples along patterns that start at its focus node: the steps of its
paths, the types sh:class looks up, the values sh:equals and its kin compare, the
triple patterns of its SPARQL constraints, and the labels and types a result shows.
Those patterns make a small graph rooted at the focus node (`_Reads`).

A changed triple (added or removed) can change the results of focus node F only if
it matches a pattern of some shape in a match rooted at F. The rest of that match
then joins one end of the triple back to F through other patterns, so walking back
from that end along those patterns, through the data, finds F. Only such walks are
made: the focus nodes found are those the shapes can really reach, never everything
a few hops from a changed file's nodes in every direction (from a class, or a value
of a vocabulary, one hop reaches all its instances: at a million triples that
re-checked more focus nodes than a full validation).

The walks go through the data as it is now. For a removed triple that is enough: of
the patterns joining it to F, take the removed triple nearest to F; every triple
between it and F is still there, so the walk back from it reaches F.

A shape whose reads cannot be bounded so (a path of any length, a shape nesting
itself, a SPARQL pattern not joined to $this, a variable predicate, SERVICE or
GRAPH) is listed in `Reads.unbounded`: all its focus nodes are checked again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, URIRef, Variable
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from kg.validation.fast import Shape, ShapesPlan, TripleIndex

# Simple paths from one end of a pattern back to the focus node; a SPARQL pattern
# graph with more is not worth walking (none of the project's shapes comes near).
MAX_PATHS = 256

Triple = tuple[Node, Node, Node]


class _Unbounded(Exception):
    """The shape's reads cannot be bounded by patterns (the reason says why)."""


@dataclass(frozen=True)
class _Pattern:
    """A triple pattern between two vertices; no predicate: both are one node (an
    empty step, as sh:zeroOrOnePath may take)."""

    subject: int
    predicate: URIRef | None
    object: int


# One step of a walk back: the pattern, and whether it is crossed from its subject.
_Step = tuple[_Pattern, bool]


@dataclass
class _Reads:
    """What one shape reads, as patterns from its focus node (vertex 0)."""

    patterns: list[_Pattern] = field(default_factory=list)
    constants: dict[int, Node] = field(default_factory=dict)
    vertices: int = 1
    _paths: dict[tuple[int, int], list[list[_Step]]] = field(default_factory=dict)

    def vertex(self, constant: Node | None = None) -> int:
        self.vertices += 1
        if constant is not None:
            self.constants[self.vertices - 1] = constant
        return self.vertices - 1

    def add(self, subject: int, predicate: URIRef | None, obj: int) -> None:
        self.patterns.append(_Pattern(subject, predicate, obj))

    def paths_home(self, number: int, start: int) -> list[list[_Step]]:
        """The simple paths from `start` (an end of pattern `number`) to the focus node
        that do not use that pattern."""
        key = (number, start)
        if key not in self._paths:
            found: list[list[_Step]] = []
            self._walk_home(start, number, [], {start}, found)
            self._paths[key] = found
        return self._paths[key]

    def _walk_home(
        self, at: int, avoid: int, steps: list[_Step], seen: set[int], found: list[list[_Step]]
    ) -> None:
        if at == 0:
            found.append(list(steps))
            if len(found) > MAX_PATHS:
                raise _Unbounded("too many ways through its SPARQL patterns")
            return
        for number, pattern in enumerate(self.patterns):
            if number == avoid or pattern.subject == pattern.object:
                continue
            for here, there, from_subject in (
                (pattern.subject, pattern.object, True),
                (pattern.object, pattern.subject, False),
            ):
                if here == at and there not in seen:
                    steps.append((pattern, from_subject))
                    self._walk_home(there, avoid, steps, seen | {there}, found)
                    steps.pop()

    def connected(self) -> bool:
        """Whether every pattern is joined to the focus node through patterns."""
        reached = {0}
        grown = True
        while grown:
            grown = False
            for pattern in self.patterns:
                ends = {pattern.subject, pattern.object}
                if ends & reached and not ends <= reached:
                    reached |= ends
                    grown = True
        return all(p.subject in reached and p.object in reached for p in self.patterns)


@dataclass(frozen=True)
class Reads:
    """What every shape of a plan reads: patterns by predicate, and the shapes whose
    reads are unbounded (with the reason, for the note)."""

    by_predicate: dict[Node, list[tuple[_Reads, int]]]
    unbounded: dict[Node, str]


def reads_of(plan: ShapesPlan) -> Reads:
    """The patterns each top-level shape of `plan` reads from its focus node."""
    by_predicate: dict[Node, list[tuple[_Reads, int]]] = {}
    unbounded: dict[Node, str] = {}
    for shape in plan.shapes:
        try:
            reads = _shape_reads(shape, plan.shapes_graph)
        except _Unbounded as reason:
            unbounded[shape.node] = str(reason)
            continue
        for number, pattern in enumerate(reads.patterns):
            if pattern.predicate is not None:
                by_predicate.setdefault(pattern.predicate, []).append((reads, number))
    return Reads(by_predicate, unbounded)


def affected_nodes(index: TripleIndex, reads: Reads, changed: Iterable[Triple]) -> set[Node]:
    """The focus nodes whose results the `changed` triples (added or removed) can
    change, found by walking back from each through the data in `index` (the data
    after the change). The shapes of `reads.unbounded` are the caller's to add."""
    found: set[Node] = set()
    for subject, predicate, obj in changed:
        for shape, number in reads.by_predicate.get(predicate, ()):
            pattern = shape.patterns[number]
            if not (_fits(shape, pattern.subject, subject) and _fits(shape, pattern.object, obj)):
                continue
            for end, node in ((pattern.subject, subject), (pattern.object, obj)):
                for path in shape.paths_home(number, end):
                    found |= _walk_back(index, shape, path, {node})
    return found


def _fits(reads: _Reads, vertex: int, node: Node) -> bool:
    constant = reads.constants.get(vertex)
    return constant is None or constant == node


def _walk_back(index: TripleIndex, reads: _Reads, path: list[_Step], start: set[Node]) -> set[Node]:
    frontier = start
    for pattern, from_subject in path:
        step: set[Node] = set()
        if pattern.predicate is None:
            step = frontier
        elif from_subject:
            for node in frontier:
                step |= index.objects(node, pattern.predicate)
        else:
            for node in frontier:
                step |= index.subjects(pattern.predicate, node)
        there = pattern.object if from_subject else pattern.subject
        if there in reads.constants:
            step = step & {reads.constants[there]}
        frontier = step
        if not frontier:
            break
    return set(frontier)


# --- the patterns of a shape ---------------------------------------------------------


def _shape_reads(shape: Shape, shapes: Graph) -> _Reads:
    reads = _Reads()
    root = 0
    for _ in shape.target_classes:
        reads.add(root, RDF.type, reads.vertex())
    for predicate in shape.target_subjects_of:
        reads.add(root, _iri(predicate), reads.vertex())
    for predicate in shape.target_objects_of:
        reads.add(reads.vertex(), _iri(predicate), root)
    # What a result shows of its focus node: its labels, its types and their labels.
    reads.add(root, SKOS.prefLabel, reads.vertex())
    reads.add(root, RDFS.label, reads.vertex())
    kind = reads.vertex()
    reads.add(root, RDF.type, kind)
    reads.add(kind, SKOS.prefLabel, reads.vertex())
    reads.add(kind, RDFS.label, reads.vertex())
    _apply(reads, shape, root, shapes, ())
    # Every way back, worked out now: a shape with too many is found unbounded here.
    for number, pattern in enumerate(reads.patterns):
        reads.paths_home(number, pattern.subject)
        reads.paths_home(number, pattern.object)
    return reads


def _iri(node: Node) -> URIRef:
    if not isinstance(node, URIRef):
        raise _Unbounded("a predicate that is not an IRI")
    return node


def _apply(reads: _Reads, shape: Shape, at: int, shapes: Graph, stack: tuple[int, ...]) -> None:
    """Add what `shape` reads from the node at vertex `at`."""
    if id(shape) in stack:
        raise _Unbounded("a shape that nests itself")
    if shape.deactivated:
        return
    stack = (*stack, id(shape))
    value = _shacl_path(reads, at, shape.path, shapes) if shape.path is not None else at
    for constraint in shape.constraints:
        kind = constraint.kind
        if kind == "class":
            reads.add(value, RDF.type, reads.vertex())
        elif kind in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            for other in constraint.values:
                reads.add(at, _iri(other), reads.vertex())
        elif kind in ("node", "not", "qualifiedValueShape"):
            for nested in constraint.extra["shapes"]:
                _apply(reads, nested, value, shapes, stack)
        elif kind in ("or", "and", "xone"):
            for members in constraint.extra["lists"]:
                for member in members:
                    _apply(reads, member, value, shapes, stack)
        elif kind == "sparql":
            for query in constraint.extra["queries"]:
                if not query.deactivated:
                    _sparql_reads(reads, query.text, at)
    for prop in shape.properties:
        _apply(reads, prop, value, shapes, stack)


def _shacl_path(reads: _Reads, start: int, path: Node, shapes: Graph, inverse: bool = False) -> int:
    """The vertex of the values `path` reaches from `start` (patterns added on the way)."""
    if isinstance(path, URIRef):
        end = reads.vertex()
        if inverse:
            reads.add(end, path, start)
        else:
            reads.add(start, path, end)
        return end
    if (path, RDF.first, None) in shapes:
        members = list(shapes.items(path))
        current = start
        for member in reversed(members) if inverse else members:
            current = _shacl_path(reads, current, member, shapes, inverse)
        return current
    inner = shapes.value(path, SH.inversePath)
    if inner is not None:
        return _shacl_path(reads, start, inner, shapes, not inverse)
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        end = reads.vertex()
        for member in shapes.items(alternatives):
            reads.add(_shacl_path(reads, start, member, shapes, inverse), None, end)
        return end
    inner = shapes.value(path, SH.zeroOrOnePath)
    if inner is not None:
        end = reads.vertex()
        reads.add(start, None, end)
        reads.add(_shacl_path(reads, start, inner, shapes, inverse), None, end)
        return end
    raise _Unbounded("a path of any length")


# --- the patterns of a SPARQL constraint ---------------------------------------------


@dataclass
class _Scope:
    """Variables of one SELECT: a sub-select shares only what it projects ($this is
    bound everywhere: kg.validation.fast.prebinding makes sure of it)."""

    reads: _Reads
    this: int
    parent: _Scope | None = None
    projected: frozenset[str] = frozenset()
    own: dict[str, int] = field(default_factory=dict)

    def vertex(self, name: str) -> int:
        if name == "this":
            return self.this
        if self.parent is not None and name in self.projected:
            return self.parent.vertex(name)
        if name not in self.own:
            self.own[name] = self.reads.vertex()
        return self.own[name]


def _sparql_reads(reads: _Reads, text: str, at: int) -> None:
    """Add the triple patterns of a SPARQL constraint, joined to `at` through $this."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(text).algebra
    except Exception as error:  # rdflib's parser raises many types; Oxigraph read it
        raise _Unbounded(f"a SPARQL query rdflib cannot read ({type(error).__name__})") from error
    before = len(reads.patterns)
    _collect(algebra, _Scope(reads, at), top=True)
    added = _Reads(reads.patterns[before:], reads.constants, reads.vertices)
    added.patterns.append(_Pattern(0, None, at))
    if not added.connected():
        raise _Unbounded("a SPARQL pattern not joined to $this")


def _collect(node: Any, scope: _Scope, top: bool = False) -> None:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        name = node.name
        if name in ("ServiceGraphPattern", "Graph"):
            raise _Unbounded(f"SPARQL {name}")
        if name == "BGP":
            for subject, predicate, obj in node.triples:
                _sparql_triple(scope, subject, predicate, obj)
            return
        if name == "Project" and not top:
            projected = frozenset(str(variable) for variable in node.PV)
            scope = _Scope(scope.reads, scope.this, scope, projected)
        for key, value in node.items():
            if key != "_vars":
                _collect(value, scope, top=top and name != "Project")
    elif isinstance(node, list | tuple):
        for item in node:
            _collect(item, scope)


def _sparql_term(scope: _Scope, term: Node) -> int:
    if isinstance(term, Variable | BNode):
        return scope.vertex(str(term) if isinstance(term, Variable) else f"_:{term}")
    # An IRI must be matched as written; a literal may match another form of its value
    # (Oxigraph reads "1"^^xsd:boolean as true), so it constrains nothing here.
    return scope.reads.vertex(constant=term if isinstance(term, URIRef) else None)


def _sparql_triple(scope: _Scope, subject: Node, predicate: Any, obj: Node) -> None:
    _sparql_path(scope, _sparql_term(scope, subject), predicate, _sparql_term(scope, obj))


def _sparql_path(scope: _Scope, start: int, path: Any, end: int) -> None:
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath

    reads = scope.reads
    if isinstance(path, URIRef):
        reads.add(start, path, end)
    elif isinstance(path, InvPath):
        _sparql_path(scope, end, path.arg, start)
    elif isinstance(path, SequencePath):
        current = start
        for member in path.args[:-1]:
            following = reads.vertex()
            _sparql_path(scope, current, member, following)
            current = following
        _sparql_path(scope, current, path.args[-1], end)
    elif isinstance(path, AlternativePath):
        for member in path.args:
            _sparql_path(scope, start, member, end)
    elif isinstance(path, MulPath) and path.mod == "?":
        reads.add(start, None, end)
        _sparql_path(scope, start, path.path, end)
    elif isinstance(path, Variable):
        raise _Unbounded("a SPARQL pattern with a variable predicate")
    else:
        raise _Unbounded("a SPARQL path of any length or a negated property set")


def describe(reads: Reads) -> Iterator[str]:
    """One line per shape checked on all its focus nodes, and why (for notes)."""
    from kg.validation.shacl import shown

    for node, reason in sorted(reads.unbounded.items(), key=lambda item: str(item[0])):
        yield f"{shown(node) if not isinstance(node, BNode) else '(a shape)'}: {reason}"
