"""The fast SHACL engine for the project's shapes, equivalent to pyshacl on them.

Owns compiling a shapes graph into a plan (kg.validation.fast.compiler), an index
of the data's triples (index, read from rdflib graphs or straight from Oxigraph),
evaluating the plan over that index (evaluator, with paths, constraints, sparql
and messages), and writing results and report graphs like pyshacl's (results,
engine).

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
given focus nodes; ``kg.validation.cache`` decides which nodes a change can
affect and merges the new results with the cached ones.

May import: kg.validation.shacl (the report types, and pyshacl for the shapes
handed over), kg.knowledge, kg.stores and kg.model.
"""

from kg.validation.fast.compiler import compile_shapes
from kg.validation.fast.engine import (
    ENGINES,
    note_fallbacks,
    validate_fast,
    validate_with_engine,
)
from kg.validation.fast.evaluator import Evaluator
from kg.validation.fast.index import (
    TripleIndex,
    build_index,
    count_data_entities,
    index_from_oxigraph,
)
from kg.validation.fast.shapes import Fallback, Shape, ShapesPlan
from kg.validation.fast.terms import Triple, triples_from_oxigraph

__all__ = [
    "ENGINES",
    "Evaluator",
    "Fallback",
    "Shape",
    "ShapesPlan",
    "Triple",
    "TripleIndex",
    "build_index",
    "compile_shapes",
    "count_data_entities",
    "index_from_oxigraph",
    "note_fallbacks",
    "triples_from_oxigraph",
    "validate_fast",
    "validate_with_engine",
]
