"""RDF terms across libraries: rdflib for callers, pyoxigraph inside, N-Triples on the wire.

Callers always see rdflib terms, whatever the backend, so results compare equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier, Node

from kg.model.errors import UsageError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# Characters that N-Triples forbids inside <...>; a term holding one cannot be sent safely.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")
_BNODE_LABEL = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def to_rdflib(term: Any) -> Identifier | None:
    """A pyoxigraph term as the equal rdflib term (None stays None)."""
    import pyoxigraph

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        if datatype.startswith(EXACT_DATATYPE):
            datatype = datatype[len(EXACT_DATATYPE) :]
        return Literal(term.value, datatype=URIRef(datatype))
    raise UsageError(f"RDF-star triple terms are not supported (found {term})")


def triple_to_rdflib(triple: Any) -> tuple[Node, Node, Node]:
    """A pyoxigraph triple or quad's subject, predicate and object as rdflib terms."""
    s, p, o = (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
    assert s is not None and p is not None and o is not None
    return s, p, o


def to_oxigraph(term: Node, *, held: bool = False) -> Any:
    """An rdflib term as a pyoxigraph term; an IRI that is not one becomes a UsageError.

    `held`: as a named graph holds it (a literal Oxigraph would rewrite gets kg's own
    datatype, see `exact`)."""
    if held:
        return exact(to_oxigraph(term))
    import pyoxigraph

    try:
        if isinstance(term, URIRef):
            return pyoxigraph.NamedNode(str(term))
        if isinstance(term, BNode):
            return pyoxigraph.BlankNode(_bnode_label(term))
        if isinstance(term, Literal):
            if term.language:
                return pyoxigraph.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(term.datatype))
            return pyoxigraph.Literal(str(term))
    except ValueError as error:
        raise UsageError(f"{term!r} is not a valid RDF term: {error}") from error
    raise UsageError(f"unsupported RDF term {term!r}")


def _bnode_label(node: BNode) -> str:
    label = str(node)
    if _BNODE_LABEL.match(label):
        return label
    # rdflib accepts any string as a blank node id; oxigraph wants a plain label.
    import hashlib

    return "h" + hashlib.sha256(label.encode("utf-8")).hexdigest()[:24]


def ntriples(term: Identifier) -> str:
    """A term written as N-Triples (the only way a value enters query text sent to a server).

    Everything is escaped or checked here, so no user text can change the query.
    """
    if isinstance(term, URIRef):
        iri = str(term)
        if not iri or _BAD_IRI.search(iri):
            raise UsageError(f"{iri!r} is not an IRI that can be sent in a query")
        return f"<{iri}>"
    if isinstance(term, Literal):
        text = (
            str(term)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
        if term.language:
            if not _LANGUAGE.match(term.language):
                raise UsageError(f"{term.language!r} is not a language tag")
            return f'"{text}"@{term.language}'
        if term.datatype is not None and str(term.datatype) != XSD_STRING:
            return f'"{text}"^^{ntriples(URIRef(term.datatype))}'
        return f'"{text}"'
    raise UsageError(
        f"{term!r} cannot be bound for a remote server: bind an IRI or a literal, not a blank node"
    )


# -- exact literals in Oxigraph ------------------------------------------------------
#
# Oxigraph keeps numbers, booleans, dates and durations as values and writes them
# back in its canonical form: "007"^^xsd:positiveInteger comes out as "7"^^xsd:integer,
# "1"^^xsd:boolean as "true", 203.0 as "203" (Oxigraph issue 526: no option). Those are
# other RDF terms. So a literal that Oxigraph would rewrite is held in a named graph
# under a datatype of kg's own, EXACT_DATATYPE + the real datatype, which Oxigraph
# keeps as it is; every term read back is turned into the literal the file wrote. The
# default graph (the merge every query over all graphs reads) holds the plain literal,
# so that queries still compare numbers and dates as values (kg.stores.merged).

EXACT_DATATYPE = "urn:x-motorsport-kg:exact:"
_XSD = "http://www.w3.org/2001/XMLSchema#"

# Lexical forms Oxigraph surely keeps as they are, by datatype: most values in real
# data, decided without asking Oxigraph.
_KEPT = {
    _XSD + "integer": re.compile(r"0|-?[1-9][0-9]{0,17}"),
    _XSD + "decimal": re.compile(
        r"(0|-?[1-9][0-9]{0,17})(\.[0-9]{0,17}[1-9])?|-0\.[0-9]{0,17}[1-9]"
    ),
    _XSD + "boolean": re.compile(r"true|false"),
    _XSD + "date": re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])Z?"),
    _XSD + "dateTime": re.compile(
        r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
        r"(\.[0-9]{0,8}[1-9])?Z?"
    ),
}
_REWRITTEN: dict[tuple[str, str], bool] = {}
_SCRATCH: list[Any] = []


def rewritten_by_oxigraph(lexical: str, datatype: str) -> bool:
    """Whether Oxigraph would hold the literal with another lexical form or datatype."""
    if not datatype.startswith(_XSD) or datatype == XSD_STRING:
        return False
    kept = _KEPT.get(datatype)
    if kept is not None and kept.fullmatch(lexical):
        return False
    key = (lexical, datatype)
    found = _REWRITTEN.get(key)
    if found is None:
        import pyoxigraph

        stored = _stored_form(pyoxigraph.Literal(lexical, datatype=pyoxigraph.NamedNode(datatype)))
        found = stored.value != lexical or stored.datatype.value != datatype
        if len(_REWRITTEN) < 100_000:
            _REWRITTEN[key] = found
    return found


def _stored_form(literal: Any) -> Any:
    """The literal as an Oxigraph store gives it back (a scratch store asked once)."""
    import pyoxigraph

    if not _SCRATCH:
        _SCRATCH.append(pyoxigraph.Store())
    scratch = _SCRATCH[0]
    node = pyoxigraph.NamedNode("urn:x-motorsport-kg:canonical")
    scratch.add(pyoxigraph.Quad(node, node, literal, node))
    stored = next(iter(scratch.quads_for_pattern(node, node, None, node))).object
    scratch.remove(pyoxigraph.Quad(node, node, stored, node))
    return stored


def exact(term: Any) -> Any:
    """A pyoxigraph term as a named graph holds it: a literal Oxigraph would rewrite
    gets kg's own datatype, anything else stays as it is."""
    import pyoxigraph

    if not isinstance(term, pyoxigraph.Literal) or term.language:
        return term
    datatype = term.datatype.value
    if not rewritten_by_oxigraph(term.value, datatype):
        return term
    return pyoxigraph.Literal(term.value, datatype=pyoxigraph.NamedNode(EXACT_DATATYPE + datatype))


def held(term: Node) -> Node:
    """An rdflib term as a named graph on a server holds it (see `exact`)."""
    if not isinstance(term, Literal) or term.datatype is None:
        return term
    datatype = str(term.datatype)
    if not rewritten_by_oxigraph(str(term), datatype):
        return term
    return Literal(str(term), datatype=URIRef(EXACT_DATATYPE + datatype))


def plain(term: Any) -> Any:
    """A pyoxigraph term with kg's own datatype undone (the literal the file wrote)."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.Literal) and term.datatype.value.startswith(EXACT_DATATYPE):
        datatype = term.datatype.value[len(EXACT_DATATYPE) :]
        return pyoxigraph.Literal(term.value, datatype=pyoxigraph.NamedNode(datatype))
    return term


def is_exact(term: Any) -> bool:
    """Whether a pyoxigraph term carries kg's own datatype (see `exact`)."""
    import pyoxigraph

    return isinstance(term, pyoxigraph.Literal) and term.datatype.value.startswith(EXACT_DATATYPE)


def may_be_rewritten(literal: Any) -> bool:
    """Whether Oxigraph could hold a pyoxigraph literal of this datatype another way."""
    datatype = literal.datatype.value
    return not literal.language and datatype.startswith(_XSD) and datatype != XSD_STRING


def stored_form(term: Any) -> Any:
    """A plain pyoxigraph literal as Oxigraph's default graph holds it (the value)."""
    import pyoxigraph

    if not isinstance(term, pyoxigraph.Literal) or term.language:
        return term
    if not rewritten_by_oxigraph(term.value, term.datatype.value):
        return term
    return _stored_form(term)


def canonical(term: Node) -> Node:
    """An rdflib literal as an Oxigraph store holds its value ("203.0"^^xsd:decimal ->
    "203"); any other term as it is."""
    if not isinstance(term, Literal) or term.datatype is None:
        return term
    if not rewritten_by_oxigraph(str(term), str(term.datatype)):
        return term
    converted = to_rdflib(_stored_form(to_oxigraph(term)))
    assert converted is not None
    return converted


class ExactAnswers(Mapping[Any, Literal]):
    """The literal the files write for each value a store holds for one of `literals`
    (kg.stores.oxigraph_store.OxigraphStore.exact_answers), worked out for a value when
    an answer holds it: most answers hold none (an ASK, IRIs, strings), and working out
    every value made every command pay in proportion to the data (some 15 ms at a
    million triples, ten times that at ten million)."""

    def __init__(self, handle: Any, literals: Callable[[], set[str]]) -> None:
        import pyoxigraph

        self._handle = handle
        self._read_literals = literals
        self._literal_type = pyoxigraph.Literal
        self._ways: dict[Any, set[Any]] | None = None
        self._answers: dict[Any, Literal | None] = {}

    def get(self, value: Any, default: Any = None) -> Any:
        if type(value) is not self._literal_type:
            return default
        written_as = self._written_ways().get(value)
        if written_as is None:
            return default
        if value not in self._answers:
            self._answers[value] = self._answer(value, written_as)
        found = self._answers[value]
        return default if found is None else found

    def __getitem__(self, value: Any) -> Literal:
        found = self.get(value)
        if found is None:
            raise KeyError(value)
        assert isinstance(found, Literal)
        return found

    def __iter__(self) -> Iterator[Any]:
        return iter(self.every())

    def __len__(self) -> int:
        return len(self.every())

    def every(self) -> dict[Any, Literal]:
        answers = {value: self.get(value) for value in self._written_ways()}
        return {value: answer for value, answer in answers.items() if answer is not None}

    def _written_ways(self) -> dict[Any, set[Any]]:
        """Each value as the merge holds it -> the literals the files write for it."""
        if self._ways is None:
            import pyoxigraph

            self._ways = {}
            for text in self._read_literals():
                line = f"<urn:x> <urn:x> {text} ."
                parsed = pyoxigraph.parse(input=line, format=pyoxigraph.RdfFormat.N_TRIPLES)
                written = next(iter(parsed)).object
                self._ways.setdefault(stored_form(written), set()).add(written)
        return self._ways

    def _answer(self, value: Any, written_as: set[Any]) -> Literal | None:
        """The one literal the files write for `value`, or None when they also write it
        otherwise (in two ways, or as Oxigraph holds it)."""
        import pyoxigraph

        also_plain = any(
            not is_exact(quad.object) and not isinstance(quad.graph_name, pyoxigraph.DefaultGraph)
            for quad in self._handle.quads_for_pattern(None, None, value, None)
        )
        if len(written_as) != 1 or also_plain:
            return None
        literal = to_rdflib(next(iter(written_as)))
        assert isinstance(literal, Literal)
        return literal
