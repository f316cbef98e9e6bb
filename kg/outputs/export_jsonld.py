"""Stable JSON-LD, compacted with the shipped context by the project itself.

rdflib's compacting serializer loses values: of several values of one
property it drops the first when that one is falsy in Python (`0`, `false`,
`""`), so `ex:s ex:p 0 , 1` came back as one triple; and it writes numbers as
JSON numbers, which read back in another lexical form (`"1.50"^^xsd:decimal`
as `1.5`, `"1.5"^^xsd:double` as `"1.5E0"`). This writer keeps every triple
and every literal as it is:

- a node object per subject, nodes in the order of their `id`, keys sorted,
  arrays sorted (for stable bytes);
- a property under the context's term for it where the term fits the value (a
  language map for tagged strings, an `@type: @id` term for IRIs), else under
  its name in the vocabulary (`carNumber`) or its compact IRI (`skos:prefLabel`)
  with the value written out (`{"id": ...}`, `{"@value": ..., "@language": ...}`);
- plain strings as JSON strings, integers in canonical form (`-7`, at most 15
  digits) and booleans as JSON numbers and booleans, every other literal as
  `{"@value": lexical form, "type": datatype}`.

Lists are written as their `rdf:first`/`rdf:rest` nodes, not as `@list`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Literal
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kg.model.errors import InputError

_CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,14}")
# JSON strings may hold these raw; escaped, no tool that splits lines cuts a string.
_LINE_ENDS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


@dataclass
class _Context:
    """What the writer needs to know of the context: how each IRI may be shortened."""

    vocab: str | None = None
    id_key: str = "@id"
    type_key: str = "@type"
    bare_strings: bool = True
    prefixes: list[tuple[str, str]] = field(default_factory=list)  # namespace, prefix
    terms: set[str] = field(default_factory=set)
    language_maps: dict[str, str] = field(default_factory=dict)  # predicate -> term
    iri_terms: dict[str, str] = field(default_factory=dict)
    plain_terms: dict[str, str] = field(default_factory=dict)

    def expand(self, value: str) -> str:
        prefix, colon, rest = value.partition(":")
        for namespace, name in self.prefixes:
            if colon and name == prefix:
                return namespace + rest
        return value

    def reference(self, node: Node) -> str:
        """An IRI or blank node where JSON-LD reads a document-relative IRI (`id`)."""
        if isinstance(node, BNode):
            return f"_:{node}"
        iri = str(node)
        for namespace, prefix in self.prefixes:
            if iri.startswith(namespace) and not iri[len(namespace) :].startswith("//"):
                return f"{prefix}:{iri[len(namespace) :]}"
        scheme = iri.partition(":")[0]
        if scheme in self.terms:
            raise InputError(
                f"the IRI <{iri}> cannot be written in JSON-LD with the shipped context, "
                f"which defines {scheme!r} as a term; export as Turtle or N-Triples instead"
            )
        return iri

    def vocab_name(self, node: Node) -> str:
        """An IRI where JSON-LD reads it relative to the vocabulary (keys, types)."""
        iri = str(node)
        if self.vocab and iri.startswith(self.vocab) and not isinstance(node, BNode):
            name = iri[len(self.vocab) :]
            if name and ":" not in name and not name.startswith("@") and name not in self.terms:
                return name
        return self.reference(node)


def _read(context: dict[str, Any]) -> _Context:
    read = _Context(terms={name for name in context if not name.startswith("@")})
    vocab = context.get("@vocab")
    read.vocab = vocab if isinstance(vocab, str) else None
    read.bare_strings = "@language" not in context
    for name, definition in sorted(context.items()):
        if definition == "@id":
            read.id_key = name
        elif definition == "@type":
            read.type_key = name
        elif isinstance(definition, str) and not name.startswith("@"):
            read.prefixes.append((definition, name))
    # Longest namespace first, so that the most specific prefix is used.
    read.prefixes.sort(key=lambda item: (-len(item[0]), item[1]))
    for name, definition in sorted(context.items()):
        if not isinstance(definition, dict) or not isinstance(definition.get("@id"), str):
            continue
        iri = read.expand(definition["@id"])
        kind = (definition.get("@container"), definition.get("@type"))
        chosen = {
            ("@language", None): read.language_maps,
            (None, "@id"): read.iri_terms,
            (None, None): read.plain_terms,
        }.get(kind)
        if chosen is not None and "@language" not in definition:
            chosen.setdefault(iri, name)
    return read


def _value(context: _Context, node: Node) -> Any:
    """A value written out, for a key that says nothing of its values."""
    if not isinstance(node, Literal):
        return {context.id_key: context.reference(node)}
    lexical = str(node)
    if node.language:
        return {"@value": lexical, "@language": node.language}
    datatype = node.datatype
    if datatype is None or datatype == XSD.string:
        return lexical if context.bare_strings else {"@value": lexical}
    if datatype == XSD.integer and _CANONICAL_INTEGER.fullmatch(lexical):
        return int(lexical)
    if datatype == XSD.boolean and lexical in ("true", "false"):
        return lexical == "true"
    return {"@value": lexical, context.type_key: context.vocab_name(datatype)}


def _entry(context: _Context, predicate: Node, node: Node) -> tuple[str, str | None, Any]:
    """Where a value goes in its node object: key, language (for a language map), value."""
    iri = str(predicate)
    if isinstance(node, Literal):
        if node.language and iri in context.language_maps:
            return context.language_maps[iri], node.language, str(node)
    else:
        if predicate == RDF.type:
            return context.type_key, None, context.vocab_name(node)
        if iri in context.iri_terms:
            return context.iri_terms[iri], None, context.reference(node)
    key = context.plain_terms.get(iri) or context.vocab_name(predicate)
    return key, None, _value(context, node)


def document(triples: Sequence[tuple[Node, Node, Node]], context: dict[str, Any]) -> str:
    """The triples as a JSON-LD document with `context` inline, in stable bytes."""
    read = _read(context)
    nodes: dict[str, dict[str, Any]] = {}
    for s, p, o in triples:
        subject = read.reference(s)
        node = nodes.setdefault(subject, {read.id_key: subject})
        key, language, value = _entry(read, p, o)
        if language is None:
            node.setdefault(key, []).append(value)
        else:
            node.setdefault(key, {}).setdefault(language, []).append(value)
    graph = [
        {key: _tidy(value) if key != read.id_key else value for key, value in node.items()}
        for _, node in sorted(nodes.items())
    ]
    text = json.dumps(
        {"@context": context, "@graph": graph}, indent=2, ensure_ascii=False, sort_keys=True
    )
    for char, escape in _LINE_ENDS.items():
        text = text.replace(char, escape)
    return text + "\n"


def _tidy(values: Any) -> Any:
    """One value alone, several sorted; a language map's values likewise."""
    if isinstance(values, dict):
        return {language: _tidy(items) for language, items in values.items()}
    if len(values) == 1:
        return values[0]
    return sorted(values, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
