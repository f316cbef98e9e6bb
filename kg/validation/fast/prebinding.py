"""Whether joining the focus nodes in by one ``VALUES ?this`` block gives what SHACL's
pre-binding of ``$this`` gives, read from the query's text.

SHACL (§5.3.1, and the appendix on pre-binding) evaluates a SPARQL-based constraint
once per focus node with ``$this`` replaced by that node everywhere in the query.
The fast engine runs the query once with ``VALUES ?this { ... }`` at the head of
the outer WHERE group. The two agree where ``$this`` is bound by the time it is
read, and where a pattern mentioning it joins on it:

- anywhere directly in the outer WHERE group (triple patterns, FILTER, BIND: the
  VALUES block comes first, so each of them sees ``$this``);
- in triple patterns of an OPTIONAL directly in it (a left join on ``$this``);
- in triple patterns of a FILTER [NOT] EXISTS directly in it (EXISTS sees the
  solution's ``$this``);
- in triple patterns of nested groups and UNION branches, also inside a sub-select
  (a join on ``$this``);
- in a sub-select that projects ``$this`` and has no LIMIT or OFFSET (its
  solutions stay apart per focus node), placed where such a pattern may be.

Anything else (``$this`` in an expression inside a nested group, an OPTIONAL or a
sub-select, where it is unbound before the join: W3C tests pre-binding-002, -003,
-005, -007) is refused, and the shape goes to pyshacl. So are the queries SHACL
forbids (MINUS, VALUES, SERVICE, ``AS $this``, a sub-select that does not project
``$this`` or uses ``SELECT *``), which pyshacl then rejects as SHACL requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.stores.values import code_only
from kg.validation.fast.shapes import Unsupported

_TOKEN = re.compile(
    r"(?P<var>[?$][A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<pname>[A-Za-z_][A-Za-z0-9_.-]*:[A-Za-z0-9_.:%-]*|:[A-Za-z0-9_.:%-]+)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<punct>[{}()*])"
)
_FORBIDDEN = re.compile(r"\b(MINUS|VALUES|SERVICE)\b", re.IGNORECASE)
_REBOUND = re.compile(r"\bAS\s+[?$](this|shapesGraph|currentShape)\b", re.IGNORECASE)
_THIS = ("?this", "$this")
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}


@dataclass
class _Frame:
    """A `{ ... }` block: its kind, its open parentheses, and for a sub-select's
    group what was seen of its projection and modifiers."""

    kind: str  # body (a select's WHERE group), select (a sub-select's group),
    # optional, exists or group (plain, UNION branch, GRAPH)
    outer: bool = False
    parens: int = 0
    body_seen: bool = False
    projects_this: bool = False
    words: list[str] = field(default_factory=list)


def check_prebinding(text: str) -> None:
    """Raise Unsupported unless the VALUES join equals pre-binding for `text`."""
    forbidden = _FORBIDDEN.search(text)
    if forbidden:
        raise Unsupported(
            f"an sh:sparql query with {forbidden.group(1).upper()}, which SHACL §5.3.1 forbids"
        )
    if _REBOUND.search(text):
        raise Unsupported("an sh:sparql query that binds $this with AS, which SHACL forbids")
    _Scanner(code_only(text)).scan()


class _Scanner:
    def __init__(self, code: str) -> None:
        self.tokens = [m.group() for m in _TOKEN.finditer(code)]
        self.frames: list[_Frame] = []
        # The outer query's projection and modifiers: a frame that no brace closes.
        self.top = _Frame("select", outer=True)

    def scan(self) -> None:
        for index, token in enumerate(self.tokens):
            following = self.tokens[index + 1] if index + 1 < len(self.tokens) else ""
            previous = self.tokens[index - 1] if index else ""
            if token == "{":
                self._open(previous, following)
            elif token == "}":
                self._close()
            elif token in ("(", ")"):
                self._current().parens += 1 if token == "(" else -1
            elif token in _THIS:
                self._this()
            elif token == "*" and previous.upper() in ("SELECT", "DISTINCT", "REDUCED"):
                if self._current() is not self.top:
                    raise Unsupported(
                        "an sh:sparql sub-query with SELECT *, which does not project $this"
                    )
                self.top.projects_this = True
            elif token.upper() in ("LIMIT", "OFFSET") and self._current().kind == "select":
                raise Unsupported(
                    f"an sh:sparql query with {token.upper()}: one run for every focus node "
                    "would limit all of them together"
                )
            else:
                self._current().words.append(token.upper())
        self._check_outer()

    def _current(self) -> _Frame:
        return self.frames[-1] if self.frames else self.top

    def _open(self, previous: str, following: str) -> None:
        current = self._current()
        if following.upper() == "SELECT":
            self._pattern("a sub-select")
            self.frames.append(_Frame("select"))
        elif current.kind == "select" and not current.body_seen:
            current.body_seen = True
            self.frames.append(_Frame("body", outer=current.outer))
        elif previous.upper() == "OPTIONAL":
            self.frames.append(_Frame("optional"))
        elif previous.upper() == "EXISTS":
            self.frames.append(_Frame("exists"))
        else:
            self.frames.append(_Frame("group"))

    def _close(self) -> None:
        if not self.frames:
            raise Unsupported("an sh:sparql query whose braces do not balance")
        frame = self.frames.pop()
        if frame.kind == "select" and not frame.projects_this:
            raise Unsupported(
                "an sh:sparql sub-query that does not project $this (SHACL §5.3.1: a "
                "sub-query must project every pre-bound variable)"
            )

    def _this(self) -> None:
        current = self._current()
        if current.kind == "select":
            # The projection or the modifiers (GROUP BY, HAVING, ORDER BY) of a select.
            if not current.body_seen and current.parens == 0:
                current.projects_this = True
            return
        self._pattern("$this")

    def _pattern(self, what: str) -> None:
        """`what` (a $this or a sub-select projecting it) where the innermost frame
        is: accept it where the join on $this equals pre-binding, else refuse."""
        bodies = [i for i, f in enumerate(self.frames) if f.kind == "body"]
        if not bodies:
            raise Unsupported(f"an sh:sparql query with {what} outside its WHERE group")
        body = bodies[-1]
        chain = [f.kind for f in self.frames[body + 1 :]]
        in_expression = self._current().parens > 0
        if self.frames[body].outer:
            if not chain:
                return
            if not in_expression and (
                chain == ["optional"]
                or (chain[0] == "exists" and all(k == "group" for k in chain[1:]))
                or all(k == "group" for k in chain)
            ):
                return
        elif not in_expression and all(k == "group" for k in chain):
            return
        place = "an expression" if in_expression else "a pattern"
        where = "a sub-select" if not self.frames[body].outer else " > ".join(chain)
        raise Unsupported(
            f"an sh:sparql query with {what} in {place} inside {where}: joining the focus "
            "nodes in by VALUES could differ from SHACL's pre-binding of $this"
        )

    def _check_outer(self) -> None:
        if self.frames:
            raise Unsupported("an sh:sparql query whose braces do not balance")
        words = self.top.words
        grouped = "GROUP" in words or any(w in _AGGREGATES for w in words)
        if grouped and not self.top.projects_this:
            raise Unsupported(
                "an sh:sparql query that groups or aggregates without projecting $this"
            )
