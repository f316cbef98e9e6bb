"""Time values read through the store: a literal as it is, a time node as an ms:TimeSpec."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Literal
from rdflib.term import Identifier

from kg.model.timeutil import TimeInterval, from_literal, from_spec_rows
from kg.stores.base import Store

# One row per property of a time node; the caller binds ?node (kept in the projection,
# as backends that bind by substitution require).
TIME_SPEC_QUERY = """
PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>
SELECT ?node ?property ?value WHERE {
  VALUES ?property { ms:notBefore ms:notAfter ms:timePrecision ms:timeExpression }
  ?node ?property ?value .
}
"""


def from_node(
    store: Store, node: Identifier, graphs: Sequence[str] | None = None, where: str = ""
) -> TimeInterval:
    """Any time value: a literal directly, an IRI or blank node as an ms:TimeSpec read
    through the store."""
    label = where or f"time value {node.n3()}"
    if isinstance(node, Literal):
        return from_literal(node, label)
    result = store.query(TIME_SPEC_QUERY, bindings={"node": node}, graphs=graphs)
    return from_spec_rows(result.dicts(), label)
