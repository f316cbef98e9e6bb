"""A saved query as text to edit and run elsewhere (the query page of `kg serve`).

`kg query NAME -p NAME VALUE` binds a parameter from outside the text, by a VALUES
block at the start of the WHERE group (kg.stores.values). A query copied into an
editor has no such outside: its parameters are written into the text at that same
place, as a VALUES line that holds each default, with a comment that says what each
parameter means, for the user to change. Run as it stands, the text answers as
`kg query NAME` does with the defaults (before `kg query` picks one language of the
texts). A parameter without a default is UNDEF (left open: every value) until the
user writes one in.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from kg.answers.queries import QueryParam, SavedQuery, to_term
from kg.model.errors import QueryError, UsageError
from kg.model.namespaces import PREFIXES
from kg.stores.query_prefixes import undeclared_prefixes
from kg.stores.terms import ntriples
from kg.stores.values import where_group_start

# A local name that needs no escaping in a prefixed name (else the IRI is written whole).
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[\w\-.]*[\w\-])?")


def editable_text(saved: SavedQuery) -> str:
    """The saved query with its parameters written into the text (unchanged without any)."""
    if not saved.params:
        return saved.text
    names = " ".join("?" + param.name for param in saved.params)
    values = " ".join(_value(param) for param in saved.params)
    comment = [
        "# Parameters: change the values in the VALUES line below; UNDEF leaves one open",
        *(f"# {_explained(param)}" for param in saved.params),
    ]
    # An IRI left open is most often one of kg's entities (msr:...): declared for it.
    wanted = {"msr"} if any(p.type == "iri" and p.default is None for p in saved.params) else set()
    try:
        start = where_group_start(saved.text)
    except QueryError:
        return saved.text
    if start is None:
        # CONSTRUCT WHERE { triples } takes no VALUES inside: bound after it, as kg does.
        block = "\n".join(["", *comment, f"VALUES ({names}) {{ ({values}) }}", ""])
        return _declared(saved.text.rstrip("\n") + "\n" + block, wanted)
    block = "".join(f"\n  {line}" for line in [*comment, f"VALUES ({names}) {{ ({values}) }}"])
    return _declared(saved.text[: start + 1] + block + saved.text[start + 1 :], wanted)


def _value(param: QueryParam) -> str:
    if param.default is None:
        return "UNDEF"
    try:
        term = to_term(param, param.default)
    except UsageError:
        return "UNDEF"  # a default that only the index can resolve (a name): left open
    return _written(term)


def _explained(param: QueryParam) -> str:
    if param.default is None:
        default = "required by kg query; write a value in place of UNDEF"
    else:
        default = f"default {param.default}"
    return f"?{param.name} ({param.type}): {param.meaning} ({default})"


def _written(term: Identifier) -> str:
    """The term in SPARQL, an IRI as a prefixed name of kg's where one reads cleanly."""
    if isinstance(term, URIRef):
        iri = str(term)
        for label, namespace in PREFIXES.items():
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and _PLAIN_LOCAL.fullmatch(local):
                return f"{label}:{local}"
    if isinstance(term, Literal | URIRef):
        return ntriples(term)
    raise UsageError(f"{term!r} cannot be written into a query")


def _declared(text: str, wanted: set[str]) -> str:
    """`text` with PREFIX lines for kg's prefixes it uses (or `wanted`) and does not
    declare, after the header comments (a value msr:bmw in a query that names no msr:)."""
    missing = {prefix.label for prefix in undeclared_prefixes(text) if prefix.known}
    missing |= {label for label in wanted if label in PREFIXES and not _declares(text, label)}
    if not missing:
        return text
    lines = text.split("\n")
    first_code = next(
        (n for n, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")),
        len(lines),
    )
    declarations = [
        f"PREFIX {label}: <{namespace}>"
        for label, namespace in PREFIXES.items()
        if label in missing
    ]
    return "\n".join(lines[:first_code] + declarations + lines[first_code:])


def _declares(text: str, label: str) -> bool:
    return re.search(rf"(?im)^\s*PREFIX\s+{re.escape(label)}:", text) is not None
