"""SHACL-core constraints: which value nodes of a focus node violate each one, and
the per-value tests (datatype, node kind, language, length, range, order)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, cast

from rdflib import BNode, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.validation.fast.hits import Evaluation
from kg.validation.fast.messages import DefaultMessages
from kg.validation.fast.shapes import Constraint, Shape, Unsupported, show_term, sort_key

# Looked up once: an rdflib namespace attribute costs a Python call each time, and the
# checks below run a few hundred thousand times at 100 thousand triples.
_XSD_STRING = XSD.string
_LANG_STRING = RDF.langString
_RDFS_LITERAL = RDFS.Literal
_RDFS_DATATYPE = RDFS.Datatype
_BLANK_KINDS = frozenset((SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI))
_LITERAL_KINDS = frozenset((SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral))
_IRI_KINDS = frozenset((SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI))

Violation = tuple[Any, ...]


def evaluate(
    evaluator: Evaluation,
    shape: Shape,
    constraint: Constraint,
    focus: Node,
    value_nodes: set[Node],
) -> Iterator[Violation]:
    """(value node or None, default messages[, component]) per violation."""
    kind = constraint.kind
    messages = DefaultMessages(evaluator, shape, constraint, focus)
    if kind in ("minCount", "maxCount"):
        yield from _count_violations(constraint, value_nodes, messages)
    elif kind == "uniqueLang":
        yield from _unique_lang_violations(constraint, value_nodes)
    elif kind == "qualifiedValueShape":
        yield from _qualified_violations(evaluator, constraint, value_nodes, messages)
    elif kind in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
        yield from _pair_violations(evaluator, constraint, focus, value_nodes, messages)
    elif kind == "hasValue":
        yield from _has_value_violations(shape, constraint, focus, value_nodes, messages)
    else:
        yield from _value_violations(evaluator, constraint, value_nodes, messages)


def _count_violations(
    constraint: Constraint, value_nodes: set[Node], messages: DefaultMessages
) -> Iterator[Violation]:
    """sh:minCount and sh:maxCount."""
    if constraint.kind == "minCount":
        for rule in constraint.values:
            if len(value_nodes) < int(rule.toPython()):  # type: ignore[attr-defined]
                yield None, messages.count("Less than", rule)
    else:
        for rule in constraint.values:
            if len(value_nodes) > int(rule.toPython()):  # type: ignore[attr-defined]
                yield None, messages.count("More than", rule)


def _unique_lang_violations(constraint: Constraint, value_nodes: set[Node]) -> Iterator[Violation]:
    """sh:uniqueLang: one violation per language that more than one value shares."""
    if not constraint.extra["active"]:
        return
    seen: set[str] = set()
    duplicates: set[str] = set()
    for value in value_nodes:
        if isinstance(value, RDFLiteral) and value.language:
            lang = value.language.lower()
            (duplicates if lang in seen else seen).add(lang)
    for _ in duplicates:
        yield None, [RDFLiteral("More than one String shares the same Language")]


def _qualified_violations(
    evaluator: Evaluation,
    constraint: Constraint,
    value_nodes: set[Node],
    messages: DefaultMessages,
) -> Iterator[Violation]:
    """sh:qualifiedValueShape with sh:qualifiedMinCount and sh:qualifiedMaxCount."""
    for index, rule in enumerate(constraint.values):
        minimum, maximum = constraint.extra["min"], constraint.extra["max"]
        if not value_nodes and (minimum is None or minimum < 1):
            continue
        qualified = constraint.extra["shapes"][index]
        passing = sum(1 for v in value_nodes if evaluator.conforms(v, qualified))
        for limit, too_many, component, _word in (
            (maximum, True, SH.QualifiedMaxCountConstraintComponent, "MaxCount"),
            (minimum, False, SH.QualifiedMinCountConstraintComponent, "MinCount"),
        ):
            if limit is None or (passing <= limit if too_many else passing >= limit):
                continue
            yield None, messages.qualified(rule), component


def _pair_violations(
    evaluator: Evaluation,
    constraint: Constraint,
    focus: Node,
    value_nodes: set[Node],
    messages: DefaultMessages,
) -> Iterator[Violation]:
    """sh:equals, sh:disjoint, sh:lessThan and sh:lessThanOrEquals: the value nodes
    against the focus node's values of another property."""
    kind = constraint.kind
    for rule in constraint.values:
        others = evaluator.index.objects(focus, rule)
        if kind in ("lessThan", "lessThanOrEquals"):
            for value in sorted(value_nodes, key=sort_key):
                for other in others:
                    if not _pair_ordered(value, other, kind == "lessThanOrEquals"):
                        yield value, messages.pair(value, rule)
            continue
        if kind == "disjoint":
            offending = value_nodes & others
        else:
            offending = (value_nodes - others) | (others - value_nodes)
        for value in sorted(offending, key=sort_key):
            yield value, messages.pair(value, rule)


def _has_value_violations(
    shape: Shape,
    constraint: Constraint,
    focus: Node,
    value_nodes: set[Node],
    messages: DefaultMessages,
) -> Iterator[Violation]:
    """sh:hasValue: the focus node is the value on a node shape."""
    # No sh:value on either kind of shape: the W3C suite (core/node/hasValue-001,
    # following data-shapes issue 111) expects none, and pyshacl gives none.
    for rule in constraint.values:
        if rule not in value_nodes:
            yield None, messages.has_value()


def _value_violations(
    evaluator: Evaluation,
    constraint: Constraint,
    value_nodes: set[Node],
    messages: DefaultMessages,
) -> Iterator[Violation]:
    """Every constraint tested value by value (see _value_test)."""
    test = _value_test(evaluator, constraint)
    for value in sorted(value_nodes, key=sort_key):
        for index, rule in enumerate(constraint.values):
            if not test(value, rule, index):
                yield value, messages.for_value(value, rule)


def _value_test(evaluator: Evaluation, constraint: Constraint) -> Callable[[Node, Node, int], bool]:
    """The test a value node must pass, called with (value, rule, index of the rule)."""
    parameter = constraint.parameter
    kind = constraint.kind
    index = evaluator.index
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
            passed = sum(1 for member in lists[i] if evaluator.conforms(v, member))
            if kind == "or":
                return passed >= 1
            if kind == "and":
                return passed == len(lists[i])
            return passed == 1

        return logical
    if kind == "not":
        negated = constraint.extra["shapes"]
        return lambda v, rule, i: not evaluator.conforms(v, negated[i])
    if kind == "node":
        required = constraint.extra["shapes"]
        return lambda v, rule, i: evaluator.conforms(v, required[i])
    raise Unsupported(f"{show_term(parameter)} is not supported by the fast engine")


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
        raise Unsupported("sh:lessThan on a blank node")
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
