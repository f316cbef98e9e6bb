"""Stable RDF/XML: one `rdf:Description` per subject, in IRI order.

rdflib's writer walks subjects in store order, which changes with
PYTHONHASHSEED; this one sorts. A literal is element text, written so that an
XML parser gives back every character: `&#13;` for a carriage return (XML
parsers turn a raw one into a newline), character references for DEL, the C1
controls and U+2028/U+2029 (XML 1.1 parsers would take some for line ends).

XML 1.0 cannot carry most control characters at all, not even as a
reference: of U+0000-U+001F only tab, newline and carriage return, and neither
U+FFFE nor U+FFFF. A literal holding one is refused (`NotInXml`) rather than
written as a file no XML parser reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import quoteattr

from rdflib import BNode, Literal
from rdflib.namespace import RDF
from rdflib.term import Node

from kg.model.errors import InputError
from kg.model.namespaces import new_graph
from kg.outputs.export_selection import Quad

_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_REFERENCED = re.compile("[&<>\r\x7f-\x9f\u2028\u2029]")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}

WHAT_XML_CANNOT_CARRY = (
    "XML 1.0 cannot carry it, not even as a character reference: of the control "
    "characters U+0000-U+001F it carries only tab, newline and carriage return, "
    "and neither U+FFFE nor U+FFFF"
)


class NotInXml(InputError):
    """A literal holds a character that XML 1.0 cannot carry."""

    def __init__(self, subject: Node, predicate: Node, char: str, graph: str) -> None:
        self.subject = subject
        self.predicate = predicate
        self.char = char
        self.graph = graph
        super().__init__(self.explain(f"graph <{graph}>"))

    def explain(self, where: str) -> str:
        """The message, naming where the literal was stated (a file, or the graph)."""
        return (
            f"{where}: the literal of {self.subject.n3()} {self.predicate.n3()} holds "
            f"U+{ord(self.char):04X}, which RDF/XML cannot hold ({WHAT_XML_CANNOT_CARRY}); "
            "nothing was written. Export with --format turtle, ntriples, nquads, trig or "
            "jsonld, which carry every character, or remove the character from the source"
        )


def _text(text: str) -> str:
    return _REFERENCED.sub(lambda m: _ENTITIES.get(m.group()) or f"&#{ord(m.group())};", text)


def rdfxml(quads: Sequence[Quad]) -> str:
    """The union of the quads' graphs as RDF/XML; NotInXml for a literal it cannot hold."""
    for s, p, o, name in quads:
        if isinstance(o, Literal):
            found = _NOT_IN_XML.search(str(o))
            if found is not None:
                raise NotInXml(s, p, found.group(), name)
    triples = sorted({(s, p, o) for s, p, o, _ in quads}, key=_subject_first)
    names = new_graph().namespace_manager
    qnames: dict[Node, str] = {}
    namespaces: dict[str, str] = {"rdf": str(RDF)}
    for predicate in sorted({p for _, p, _ in triples}, key=str):
        try:
            prefix, namespace, local = names.compute_qname_strict(str(predicate))
        except ValueError as error:
            raise InputError(
                f"the predicate <{predicate}> cannot be written in RDF/XML (no XML name "
                "can end it); export as Turtle or N-Triples instead"
            ) from error
        qnames[predicate] = f"{prefix}:{local}"
        namespaces[prefix] = str(namespace)
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    lines += [f"   xmlns:{prefix}={quoteattr(ns)}" for prefix, ns in sorted(namespaces.items())]
    lines[-1] += ">"
    current: Node | None = None
    for s, p, o in triples:
        if s != current:
            if current is not None:
                lines.append("  </rdf:Description>")
            lines.append(f"  <rdf:Description {_node_attribute(s, 'about')}>")
            current = s
        tag = qnames[p]
        if isinstance(o, Literal):
            attributes = ""
            if o.language:
                attributes += f" xml:lang={quoteattr(o.language)}"
            if o.datatype is not None:
                attributes += f" rdf:datatype={quoteattr(str(o.datatype))}"
            lines.append(f"    <{tag}{attributes}>{_text(str(o))}</{tag}>")
        else:
            lines.append(f"    <{tag} {_node_attribute(o, 'resource')}/>")
    if current is not None:
        lines.append("  </rdf:Description>")
    lines.append("</rdf:RDF>")
    return "\n".join(lines) + "\n"


def _node_attribute(node: Node, iri_attribute: str) -> str:
    if isinstance(node, BNode):
        return f"rdf:nodeID={quoteattr(str(node))}"
    return f"rdf:{iri_attribute}={quoteattr(str(node))}"


def _subject_first(triple: tuple[Node, Node, Node]) -> tuple[bool, str, str, str]:
    s, p, o = triple
    return (isinstance(s, BNode), str(s), str(p), o.n3())
