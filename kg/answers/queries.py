"""The saved-query registry: .rq files with `# title:`, `# description:`, `# param:`
and `# column:` headers (docs/queries.md).

Parameters are SPARQL variables of the same name, bound as typed RDF terms
through the store's bindings (never pasted into the query text). Column titles
name each selected variable in words, in English and German, for the tables
people read; machine formats keep the variable names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from kg.model import paths
from kg.model.errors import InputError, UsageError
from kg.model.namespaces import NOT_IN_IRI, expand
from kg.stores.base import QueryResult

PARAM_TYPES = ("iri", "string", "integer", "decimal", "date", "lang", "boolean")

_HEADER = re.compile(r"^#\s*(title|description|param|column)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[a-z]+)\)\s*:\s*(?P<meaning>.*?)"
    r"(?:\s*\[default:\s*(?P<default>[^\]]*)\])?\s*$"
)
_COLUMN = re.compile(
    r"^\??(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<en>[^|]*?)\s*(?:\|\s*(?P<de>[^|]*?)\s*)?$"
)
# The languages a column title is written in, in the order of the `|`-separated parts.
TITLE_LANGUAGES = ("en", "de")


@dataclass(frozen=True)
class QueryParam:
    name: str
    type: str
    meaning: str
    default: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class ColumnTitle:
    """A selected variable's title in words: `# column: entry = Car | Auto`."""

    name: str
    en: str
    de: str | None = None

    def text(self, lang: str) -> str:
        """The title in `lang` (German when asked and given), else the English one."""
        if lang == "de" and self.de:
            return self.de
        return self.en


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    title: str
    description: str
    params: tuple[QueryParam, ...]
    text: str
    columns: tuple[ColumnTitle, ...] = ()

    def param(self, name: str) -> QueryParam | None:
        for param in self.params:
            if param.name == name:
                return param
        return None

    def column_titles(self, variables: Sequence[str], lang: str = "en") -> tuple[str, ...]:
        """The heading of each of `variables` for people: the declared title in `lang`,
        or, for a variable the file gives no title (a query without `# column:` lines),
        its name in words ("carNumber" reads "car number")."""
        declared = {column.name: column for column in self.columns}
        return tuple(
            declared[variable].text(lang) if variable in declared else heading(variable)
            for variable in variables
        )


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def heading(variable: str) -> str:
    """A variable's name in words: entryClass and entry_class both read "entry class".

    Words in capitals (IRI, GTP) keep them. The heading of a column that a query
    does not title with a `# column:` line (ad hoc files, `kg query -e`).
    """
    words = []
    for part in re.split(r"[_\-\s]+", variable):
        for word in _CAMEL_BOUNDARY.split(part):
            if word:
                words.append(word if len(word) > 1 and word.isupper() else word.lower())
    return " ".join(words) or variable


def selected_variables(text: str) -> tuple[str, ...] | None:
    """The variables a SELECT query projects, in order (`(... AS ?x)` gives x);
    None for SELECT *, other query forms, or text where no projection is found."""
    from kg.stores.values import code_only

    code = code_only(text)
    match = re.search(r"\bSELECT\b(?:\s+(?:DISTINCT|REDUCED)\b)?", code, re.IGNORECASE)
    if match is None:
        return None
    end = re.compile(r"\bWHERE\b|\{|\bFROM\b", re.IGNORECASE).search(code, match.end())
    projection = code[match.end() : end.start() if end else len(code)]
    if projection.strip() == "*":
        return None
    names: list[str] = []
    depth = 0
    group_start = 0
    for token in re.finditer(r"[?$][A-Za-z_][A-Za-z0-9_]*|\(|\)", projection):
        if token.group() == "(":
            if depth == 0:
                group_start = token.start()
            depth += 1
        elif token.group() == ")":
            depth -= 1
            if depth == 0:
                group = projection[group_start : token.end()]
                alias = re.search(r"\bAS\s+[?$]([A-Za-z_][A-Za-z0-9_]*)\s*\)$", group, re.I)
                if alias:
                    names.append(alias.group(1))
        elif depth == 0:
            names.append(token.group()[1:])
    return tuple(names) or None


def read_query_file(path: Path) -> SavedQuery:
    """Read one .rq file and its header comments."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot be read as UTF-8 text: {error}") from error
    title = ""
    description: list[str] = []
    params: list[QueryParam] = []
    columns: list[tuple[int, ColumnTitle]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line.strip())
        if not match:
            continue
        key, value = match.group(1).lower(), match.group(2)
        if key == "title":
            title = value
        elif key == "description":
            description.append(value)
        elif key == "column":
            columns.append((number, _column(path, number, value)))
        else:
            param = _PARAM.match(value)
            if param is None or param.group("type") not in PARAM_TYPES:
                raise InputError(
                    f"{path}: line {number}: a parameter is written "
                    "'# param: name (type): meaning [default: value]' with type one of "
                    + ", ".join(PARAM_TYPES)
                )
            params.append(
                QueryParam(
                    name=param.group("name"),
                    type=param.group("type"),
                    meaning=param.group("meaning"),
                    default=param.group("default"),
                )
            )
    if columns:
        _check_columns(path, text, columns)
    return SavedQuery(
        name=path.stem,
        path=path,
        title=title or path.stem,
        description=" ".join(description),
        params=tuple(params),
        text=text,
        columns=tuple(column for _, column in columns),
    )


def _column(path: Path, number: int, value: str) -> ColumnTitle:
    match = _COLUMN.match(value)
    if match is None or not match.group("en"):
        raise InputError(
            f"{path}: line {number}: a column title is written "
            "'# column: variable = English title | German title' (the German part optional)"
        )
    return ColumnTitle(match.group("name"), match.group("en"), match.group("de") or None)


def _check_columns(path: Path, text: str, columns: Sequence[tuple[int, ColumnTitle]]) -> None:
    """Every declared column is selected, once; every selected variable has a title."""
    selected = selected_variables(text)
    seen: dict[str, int] = {}
    for number, column in columns:
        if column.name in seen:
            raise InputError(
                f"{path}: line {number}: column {column.name!r} is already titled on line "
                f"{seen[column.name]}; keep one '# column:' line per variable"
            )
        seen[column.name] = number
        if selected is not None and column.name not in selected:
            raise InputError(
                f"{path}: line {number}: column {column.name!r} is not a selected variable "
                f"(the query selects {', '.join('?' + v for v in selected)}); "
                "fix the name or remove the line"
            )
    if selected is None:
        return
    missing = [variable for variable in selected if variable not in seen]
    if missing:
        select_line = next(
            (
                n
                for n, line in enumerate(text.splitlines(), 1)
                if re.match(r"\s*SELECT\b", line, re.I)
            ),
            columns[-1][0],
        )
        raise InputError(
            f"{path}: line {select_line}: the query selects "
            f"{', '.join('?' + v for v in missing)} without a title; add a line such as "
            f"'# column: {missing[0]} = Title | Titel' to its header"
        )


def registry(directory: Path | None = None) -> dict[str, SavedQuery]:
    """Every saved query by name, sorted by name."""
    folder = directory or paths.queries_dir()
    return {path.stem: read_query_file(path) for path in sorted(folder.glob("*.rq"))}


def find(name: str, directory: Path | None = None) -> SavedQuery:
    """A saved query by name, or a .rq file by path."""
    candidate = Path(name)
    if candidate.suffix == ".rq":
        if not candidate.is_file():
            raise InputError(f"{name}: no such query file")
        return read_query_file(candidate)
    saved = registry(directory)
    if name in saved:
        return saved[name]
    import difflib

    close = difflib.get_close_matches(name, list(saved), n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise UsageError(f"no saved query named {name!r}.{hint} 'kg queries' lists them all.")


EntityResolver = Callable[[str], URIRef]


def _checked_iri(iri: str, raw: str, where: str) -> URIRef:
    """The IRI, or a usage error naming the character no IRI may hold: the same answer
    on every store (the index refused `msr:a>b` with an rdflib repr, memory took it)."""
    bad = NOT_IN_IRI.search(iri)
    if bad is not None:
        raise UsageError(
            f"{where}: {raw!r} is not an IRI: it holds {bad.group()!r}, which no IRI may "
            "hold; give an IRI or a prefixed name such as msr:bmw"
        )
    return URIRef(iri)


def to_term(
    param: QueryParam, raw: str, resolve_entity: EntityResolver | None = None
) -> Identifier:
    """A parameter value as the typed RDF term the query expects."""
    where = f"parameter {param.name!r} ({param.type})"
    if param.type == "iri":
        stripped = raw.strip()
        if stripped.startswith("<") and stripped.endswith(">"):
            stripped = stripped[1:-1]
        if re.match(r"^[a-z][a-z0-9+.-]*://\S+$", stripped, re.IGNORECASE):
            return _checked_iri(stripped, raw, where)
        expanded = expand(stripped)
        if expanded is not None:
            return _checked_iri(expanded, raw, where)
        if resolve_entity is not None:
            return resolve_entity(raw)
        raise UsageError(f"{where}: {raw!r} is not an IRI or a prefixed name such as msr:bmw")
    if param.type == "integer":
        try:
            return Literal(int(raw), datatype=XSD.integer)
        except ValueError:
            raise UsageError(f"{where}: {raw!r} is not a whole number") from None
    if param.type == "decimal":
        # xsd:decimal's own form: no exponent, no NaN or infinity (float() takes
        # "nan", "inf" and "1e999", and the query then compared against nonsense).
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", raw.strip()):
            raise UsageError(f"{where}: {raw!r} is not a decimal number such as 2.5 or -0.75")
        return Literal(raw.strip(), datatype=XSD.decimal)
    if param.type == "date":
        try:
            date.fromisoformat(raw)
        except ValueError:
            raise UsageError(f"{where}: {raw!r} is not a date written YYYY-MM-DD") from None
        return Literal(raw, datatype=XSD.date)
    if param.type == "boolean":
        lowered = raw.lower()
        if lowered not in ("true", "false"):
            raise UsageError(f"{where}: {raw!r} is not true or false")
        return Literal(lowered == "true")
    if param.type == "lang":
        if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]+)*", raw):
            raise UsageError(f"{where}: {raw!r} is not a language tag such as en or de")
        return Literal(raw.lower())
    return Literal(raw)


def bind(
    query: SavedQuery,
    given: Sequence[tuple[str, str]],
    resolve_entity: EntityResolver | None = None,
) -> dict[str, Identifier]:
    """Check the given -p NAME VALUE pairs against the query's declared parameters."""
    values: dict[str, str] = {}
    for name, raw in given:
        if query.param(name) is None:
            known = ", ".join(p.name for p in query.params) or "none"
            raise UsageError(
                f"query {query.name!r} has no parameter {name!r} (its parameters: {known})"
            )
        values[name] = raw
    bound: dict[str, Identifier] = {}
    for param in query.params:
        raw_value = values.get(param.name, param.default)
        if raw_value is None:
            raise UsageError(
                f"query {query.name!r} needs the parameter {param.name!r}: "
                f"{param.meaning} (give it with -p {param.name} VALUE)"
            )
        bound[param.name] = to_term(param, raw_value, resolve_entity)
    return bound


def in_language(result: QueryResult, lang: str) -> QueryResult:
    """A saved query's rows with one language of each text: where rows differ only in
    the language of their tagged texts (the English and the German repair of one
    incident), the row in the reader's language is kept, else the English one, else
    all of them. Untagged values, IRIs and numbers are never touched, and the rows
    keep their order: a query that asks for every language (a LANG() column) still
    gets them, because that column tells the rows apart."""
    if result.kind != "select" or not result.rows:
        return result

    def tagged(term: Identifier | None) -> bool:
        return isinstance(term, Literal) and bool(term.language)

    def rank(row: tuple[Identifier | None, ...]) -> int:
        score = 0
        for term in row:
            if isinstance(term, Literal) and term.language:
                tag = term.language.lower()
                primary = tag.split("-")[0]
                score += 0 if primary == lang.lower() else 1 if primary == "en" else 2
        return score

    groups: dict[tuple[object, ...], list[int]] = {}
    for number, row in enumerate(result.rows):
        key = tuple(("tagged", i) if tagged(t) else t for i, t in enumerate(row))
        groups.setdefault(key, []).append(number)
    kept: set[int] = set()
    for numbers in groups.values():
        best = min(rank(result.rows[n]) for n in numbers)
        kept.update(n for n in numbers if rank(result.rows[n]) == best)
    if len(kept) == len(result.rows):
        return result
    rows = tuple(row for number, row in enumerate(result.rows) if number in kept)
    return replace(result, rows=rows)
