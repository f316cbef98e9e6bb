"""What every step of a drawing shares: claim modes, which links are provenance,
which terms are vocabulary, and `Terms` (types, class hierarchy and labels read once)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Literal

from rdflib import Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from kg.model.namespaces import MS, PREFIXES, shorten

ClaimMode = Literal["collapse", "show"]
CLAIM_MODES: tuple[str, ...] = ("collapse", "show")

# Links that say where a fact comes from, not what it says.
PROVENANCE = frozenset({MS.statedIn, MS.attributedTo, MS.evidence})
LABEL_PREDICATES = frozenset({SKOS.prefLabel, SKOS.altLabel, RDFS.label, SKOS.hiddenLabel})
STATEMENT_PARTS = frozenset({RDF.subject, RDF.predicate, RDF.object})

# When a claim collapses into an edge, the entity named by the first of these
# predicates it has is the edge's tail ("Roos —role→ BMW", "report —about→ X").
TAIL_PREDICATES: tuple[URIRef, ...] = (
    MS.person,
    MS.speaker,
    MS.driver,
    MS.entry,
    MS.programme,
    MS.decision,
    MS.operator,
    MS.entrant,
    MS.owner,
)

# Namespaces whose terms are vocabulary (classes, properties, concepts), never drawn as entities.
_VOCABULARY = tuple(iri for prefix, iri in PREFIXES.items() if prefix != "msr")


class Terms:
    """Types, class hierarchy and labels, read once from the ontology and data graphs."""

    def __init__(self, schema: Graph, data: Graph, lang: str) -> None:
        self.schema = schema
        self.data = data
        self.lang = lang
        self._labels: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self._aliases: dict[str, set[str]] = defaultdict(set)
        for graph in (schema, data):
            for predicate in (SKOS.prefLabel, RDFS.label, SKOS.altLabel):
                for subject, label in graph.subject_objects(predicate):
                    if not isinstance(subject, URIRef) or not isinstance(label, RDFLiteral):
                        continue
                    key = str(subject)
                    if predicate == SKOS.altLabel:
                        self._aliases[key].add(str(label))
                    else:
                        slot = "pref" if predicate == SKOS.prefLabel else "rdfs"
                        self._labels[key][f"{slot}@{label.language or ''}"].append(str(label))
        self._parents: dict[URIRef, set[URIRef]] = defaultdict(set)
        for graph in (schema, data):
            for child, parent in graph.subject_objects(RDFS.subClassOf):
                if isinstance(child, URIRef) and isinstance(parent, URIRef):
                    self._parents[child].add(parent)
        self._ancestors: dict[URIRef, frozenset[URIRef]] = {}
        # Every node's types, read in one pass: a drawing asks some 190,000 times on
        # the bundled seasons (each value and claim), and two graph lookups each took
        # an eighth of `kg viz -o graph.html`.
        self._types: dict[Node, set[URIRef]] = defaultdict(set)
        for graph in (schema, data):
            for subject, cls in graph.subject_objects(RDF.type):
                if isinstance(cls, URIRef):
                    self._types[subject].add(cls)
        # Names made for nodes without a label (see kg.outputs.viz.naming).
        self._made: dict[str, str] = {}

    def name(self, iri: URIRef, label: str) -> None:
        """Record a made-up name for a node that has no label of its own."""
        self._made[str(iri)] = label

    def has_label(self, iri: Node) -> bool:
        return str(iri) in self._labels

    def label(self, iri: Node) -> str:
        """The label in the chosen language, else English, else any, else a readable name."""
        if isinstance(iri, RDFLiteral):
            return str(iri)
        key = str(iri)
        found = self._labels.get(key, {})
        for slot in ("pref", "rdfs"):
            for language in (self.lang, "en", ""):
                values = found.get(f"{slot}@{language}")
                if values:
                    return min(values)
        if found:
            return min(min(values) for values in found.values())
        return self._made.get(key) or readable(key)

    def class_label(self, cls: URIRef) -> str:
        """A class's label; a class the ontology does not label is named by its local name."""
        label = self.label(cls)
        return label.split(":", 1)[1] if label == shorten(str(cls)) and ":" in label else label

    def aliases(self, iri: URIRef, label: str) -> list[str]:
        names = set(self._aliases.get(str(iri), set()))
        for values in self._labels.get(str(iri), {}).values():
            names.update(values)
        names.discard(label)
        return sorted(names)

    def ancestors(self, cls: URIRef) -> frozenset[URIRef]:
        """The class and all its superclasses."""
        cached = self._ancestors.get(cls)
        if cached is not None:
            return cached
        seen: set[URIRef] = set()
        todo = [cls]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(self._parents.get(current, ()))
        result = frozenset(seen)
        self._ancestors[cls] = result
        return result

    def types(self, node: URIRef) -> list[URIRef]:
        return sorted(self._types.get(node, ()))

    def most_specific(self, types: Sequence[URIRef]) -> URIRef | None:
        """The type that no other of `types` is a subclass of (ties: the first IRI)."""
        if not types:
            return None
        candidates = [t for t in types if not any(t != o and t in self.ancestors(o) for o in types)]
        return sorted(candidates or types)[0]

    def closure(self, types: Iterable[URIRef]) -> frozenset[URIRef]:
        result: set[URIRef] = set()
        for cls in types:
            result |= self.ancestors(cls)
        return frozenset(result)


def readable(iri: str) -> str:
    """An IRI as a reader may know it: its prefixed name, else its last segment."""
    short = shorten(iri)
    if short.startswith("<"):
        return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri
    return short


def is_vocabulary(iri: str) -> bool:
    """Whether `iri` is in a vocabulary namespace (any known prefix but msr:): never drawn."""
    return iri.startswith(_VOCABULARY)
