"""The saved-query registry: .rq files with `# title:`, `# description:`, `# param:` headers.

Parameters are SPARQL variables of the same name, bound as typed RDF terms
through the store's bindings (never pasted into the query text).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from kg.model import paths
from kg.model.errors import InputError, UsageError
from kg.model.namespaces import expand

PARAM_TYPES = ("iri", "string", "integer", "decimal", "date", "lang", "boolean")

_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[a-z]+)\)\s*:\s*(?P<meaning>.*?)"
    r"(?:\s*\[default:\s*(?P<default>[^\]]*)\])?\s*$"
)


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
class SavedQuery:
    name: str
    path: Path
    title: str
    description: str
    params: tuple[QueryParam, ...]
    text: str

    def param(self, name: str) -> QueryParam | None:
        for param in self.params:
            if param.name == name:
                return param
        return None


def read_query_file(path: Path) -> SavedQuery:
    """Read one .rq file and its header comments."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot be read as UTF-8 text: {error}") from error
    title = ""
    description: list[str] = []
    params: list[QueryParam] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line.strip())
        if not match:
            continue
        key, value = match.group(1).lower(), match.group(2)
        if key == "title":
            title = value
        elif key == "description":
            description.append(value)
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
    return SavedQuery(
        name=path.stem,
        path=path,
        title=title or path.stem,
        description=" ".join(description),
        params=tuple(params),
        text=text,
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
            return URIRef(stripped)
        expanded = expand(stripped)
        if expanded is not None:
            return URIRef(expanded)
        if resolve_entity is not None:
            return resolve_entity(raw)
        raise UsageError(f"{where}: {raw!r} is not an IRI or a prefixed name such as msr:bmw")
    if param.type == "integer":
        try:
            return Literal(int(raw), datatype=XSD.integer)
        except ValueError:
            raise UsageError(f"{where}: {raw!r} is not a whole number") from None
    if param.type == "decimal":
        try:
            float(raw)
        except ValueError:
            raise UsageError(f"{where}: {raw!r} is not a number") from None
        return Literal(raw, datatype=XSD.decimal)
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
