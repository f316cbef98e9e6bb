"""How the stable export spells RDF terms in N-Triples, N-Quads, Turtle and TriG.

Every literal is written exactly as the store holds it (its lexical form,
language tag and datatype), and nothing in it can be misread:

- quotes, backslashes and every control character are escaped (`\\n`, `\\t`,
  `\\u0007`, as canonical N-Triples writes them), so the files hold no raw
  control character (git would call a file with a NUL binary);
- so are NEL, U+2028 and U+2029, which canonical N-Triples would write as they
  are: tools that split lines at them (Python's `str.splitlines`, some editors)
  would cut a literal in two;
- in Turtle and TriG a literal with a newline is a `\"\"\"long string\"\"\"` whose
  lines are written as they are, never indented: the indentation of TriG is
  put where rdflib's serializer starts a line, not into the text afterwards.

rdflib's own serializers wrote form feeds and line separators raw, a string
ending in a backslash and a quote as an unreadable long string, and doubles in
a lexical form of their own (`1e+00` for `"1.0"^^xsd:double`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Node

_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
# Control characters, DEL, and what some tools take for the end of a line.
_SHORT = re.compile('["\\\\\x00-\x1f\x7f\x85\u2028\u2029]')
# In a long string newlines stay; a quote is escaped where it would close the
# string (before another quote, or last).
_LONG = re.compile('\\\\|"(?="|\\Z)|[\x00-\x09\x0b-\x1f\x7f\x85\u2028\u2029]')

# The lexical forms Turtle can write without quotes, and read back as they are.
_BARE = {
    str(XSD.integer): re.compile(r"[+-]?[0-9]+"),
    str(XSD.decimal): re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    str(XSD.double): re.compile(r"[+-]?([0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    str(XSD.boolean): re.compile(r"true|false"),
}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ECHAR.get(char) or f"\\u{ord(char):04X}"


def quoted(text: str) -> str:
    """A string on one line, `"..."`, as N-Triples and Turtle read it."""
    return '"' + _SHORT.sub(_escape, text) + '"'


def long_quoted(text: str) -> str:
    """A Turtle long string, `\"\"\"...\"\"\"`, whose newlines are written as they are."""
    return '"""' + _LONG.sub(_escape, text) + '"""'


def nt_term(node: Node) -> str:
    """A term in N-Triples and N-Quads."""
    if isinstance(node, Literal):
        return quoted(str(node)) + _literal_suffix(node, lambda datatype: f"<{datatype}>")
    if isinstance(node, BNode):
        return f"_:{node}"
    return f"<{node}>"


def nt_line(s: Node, p: Node, o: Node, graph: str | None = None) -> str:
    """One statement of N-Triples, or of N-Quads with its graph."""
    where = f" <{graph}>" if graph is not None else ""
    return f"{nt_term(s)} {nt_term(p)} {nt_term(o)}{where} .\n"


def turtle_literal(literal: Literal, datatype_name: Callable[[URIRef], str]) -> str:
    """A literal in Turtle: bare when its lexical form reads back as it is (`0`,
    `1.5`, `true`), else quoted, long when it holds a newline."""
    lexical = str(literal)
    datatype = literal.datatype
    if literal.language is None and datatype is not None:
        bare = _BARE.get(str(datatype))
        if bare is not None and bare.fullmatch(lexical):
            return lexical
    text = long_quoted(lexical) if "\n" in lexical else quoted(lexical)
    return text + _literal_suffix(literal, datatype_name)


def _literal_suffix(literal: Literal, datatype_name: Callable[[URIRef], str]) -> str:
    if literal.language:
        return f"@{literal.language}"
    if literal.datatype is not None and literal.datatype != XSD.string:
        return "^^" + datatype_name(literal.datatype)
    return ""


class _StableTurtle(TurtleSerializer):
    """rdflib's Turtle layout with subjects in IRI order (rdflib orders them by how
    often they are cited, so one new reference would move a whole block in the
    diff), literals spelt as above, and every line it starts indented by `margin`."""

    def __init__(self, graph: Graph, margin: str) -> None:
        super().__init__(graph)
        self.margin = margin

    def orderSubjects(self) -> list[Any]:
        return sorted(self._subjects, key=lambda s: (isinstance(s, BNode), str(s)))

    def indent(self, modifier: int = 0) -> str:
        return self.margin + super().indent(modifier)

    def startDocument(self) -> None:
        margin, self.margin = self.margin, ""
        super().startDocument()
        self.margin = margin

    def label(self, node: Node, position: int) -> str:
        if isinstance(node, Literal):
            return turtle_literal(node, self._datatype_name)
        return str(super().label(node, position))

    def _datatype_name(self, datatype: URIRef) -> str:
        return self.get_pname(datatype, False) or f"<{datatype}>"


def stable_turtle(graph: Graph, margin: str = "") -> str:
    """The graph in stable Turtle, every line rdflib starts indented by `margin`."""
    stream = io.BytesIO()
    _StableTurtle(graph, margin).serialize(stream, encoding="utf-8")
    return stream.getvalue().decode("utf-8")


def split_prefixes(text: str) -> tuple[list[str], str]:
    """Turtle's leading `@prefix` lines, and the statements after them without the
    blank lines around (a literal cannot start a line before the first statement)."""
    prefixes: list[str] = []
    while text.startswith("@prefix "):
        line, _, text = text.partition("\n")
        prefixes.append(line)
    return prefixes, text.strip("\n")
