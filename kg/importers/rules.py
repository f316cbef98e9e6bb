"""The resolution rules of `kg import imsa`, read from TOML (kg/importers/imsa_rules.toml
or a file the user names): name -> IRI tables, manufacturers, surname-only links,
drivers IMSA lists under two ids. Errors name the file and the entry to fix."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.model.errors import InputError
from kg.model.namespaces import expand

RULES_FILE = Path(__file__).with_name("imsa_rules.toml")


@dataclass(frozen=True)
class Manufacturer:
    name: str
    iri: str | None
    imsa_ids: tuple[str, ...]
    prefixes: tuple[str, ...]


@dataclass(frozen=True)
class SurnameLink:
    person: str
    surname: str
    event: str
    car_number: str


@dataclass(frozen=True)
class Rules:
    """The readable resolution rules (see kg/importers/imsa_rules.toml)."""

    classes: Mapping[str, str]
    teams: Mapping[str, str]
    vehicles: Mapping[str, str]
    manufacturers: tuple[Manufacturer, ...]
    statuses: Mapping[str, str]
    licence_grades: Mapping[str, str]
    countries: Mapping[str, str]
    events: Mapping[str, str]
    sessions: Mapping[str, str]
    labels: Mapping[str, str]
    tyres: Mapping[str, str]
    surname_links: tuple[SurnameLink, ...]
    source: str
    # Groups of IMSA driver ids that are one person, where the files cannot tell
    # (the same name published with different countries).
    same_drivers: tuple[tuple[str, ...], ...] = ()


def _iri(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{where}: expected a prefixed name such as msr:bmw, found {value!r}")
    full = expand(value) if not value.startswith("http") else value
    if full is None:
        raise InputError(
            f"{where}: {value!r} is not a known prefixed name; write msr:... or msv:..."
        )
    return full


def _table(data: Mapping[str, Any], key: str, source: str, iris: bool = True) -> dict[str, str]:
    raw = data.get(key, {})
    if not isinstance(raw, dict):
        raise InputError(f'{source}: [{key}] must be a table of "name" = value lines')
    return {
        str(name): (_iri(value, f"{source}: [{key}] {name!r}") if iris else str(value))
        for name, value in raw.items()
    }


def load_rules(path: Path | None = None) -> Rules:
    """Read the rules file; errors name the file and the entry to fix."""
    rules_path = path or RULES_FILE
    source = str(rules_path)
    try:
        data = tomllib.loads(rules_path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"{source}: cannot be read: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{source}: not valid TOML: {error}") from error
    manufacturers = []
    for number, item in enumerate(data.get("manufacturers", []), start=1):
        where = f"{source}: [[manufacturers]] #{number}"
        if "name" not in item:
            raise InputError(f"{where}: has no name")
        manufacturers.append(
            Manufacturer(
                name=str(item["name"]),
                iri=_iri(item["iri"], where) if "iri" in item else None,
                imsa_ids=tuple(str(i) for i in item.get("imsa_ids", [])),
                prefixes=tuple(str(p) for p in item.get("prefixes", [item["name"]])),
            )
        )
    links = []
    for number, item in enumerate(data.get("surname_links", []), start=1):
        where = f"{source}: [[surname_links]] #{number}"
        missing = [k for k in ("person", "surname", "event", "car_number") if k not in item]
        if missing:
            raise InputError(f"{where}: lacks {', '.join(missing)}")
        links.append(
            SurnameLink(
                person=_iri(item["person"], where),
                surname=str(item["surname"]),
                event=_iri(item["event"], where),
                car_number=str(item["car_number"]),
            )
        )
    same = []
    for number, item in enumerate(data.get("same_drivers", []), start=1):
        ids = [str(i) for i in item.get("imsa_ids", [])] if isinstance(item, dict) else []
        if len(ids) < 2 or not all(i.isascii() and i.isdigit() for i in ids):
            raise InputError(
                f"{source}: [[same_drivers]] #{number}: give imsa_ids, two or more whole numbers"
            )
        same.append(tuple(ids))
    return Rules(
        classes=_table(data, "classes", source),
        teams=_table(data, "teams", source),
        vehicles=_table(data, "vehicles", source),
        manufacturers=tuple(manufacturers),
        statuses=_table(data, "statuses", source),
        licence_grades=_table(data, "licence_grades", source, iris=False),
        countries=_table(data, "countries", source),
        events=_table(data, "events", source),
        sessions=_table(data, "sessions", source),
        labels={
            _iri(key, f"{source}: [labels] {key!r}"): str(value)
            for key, value in data.get("labels", {}).items()
        },
        tyres=_table(data, "tyres", source, iris=False),
        surname_links=tuple(links),
        same_drivers=tuple(same),
        source=source,
    )
