"""Which store to use: the --store spec, KG_STORE, kg.toml, or the default on-disk index.

Specs:
  oxigraph            the on-disk index in the per-user cache, keyed by the data folders
  oxigraph:PATH       the on-disk index in PATH
  memory              parse the files into memory on every run
  sparql:QUERY_URL    a SPARQL 1.1 server; `?gsp=URL` and `&update=URL` name its Graph
                      Store Protocol and update endpoints when they differ from QUERY_URL
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from kg.model.errors import UsageError

StoreKind = Literal["memory", "oxigraph", "sparql"]
STORE_KINDS: tuple[str, ...] = ("oxigraph", "memory", "sparql")
DEFAULT_SPEC = "oxigraph"
CONFIG_FILES = ("kg.toml", ".kg.toml")
ENV_VAR = "KG_STORE"


@dataclass(frozen=True)
class StoreSpec:
    """A parsed store spec. `location` is a folder (oxigraph) or a query URL (sparql)."""

    kind: StoreKind
    location: str | None = None
    gsp_url: str | None = None
    update_url: str | None = None


def configured_spec(cwd: Path | None = None) -> tuple[str, str]:
    """The spec to use when --store is not given, and where it came from (for messages)."""
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return from_env, f"the {ENV_VAR} environment variable"
    folder = cwd or Path.cwd()
    for name in CONFIG_FILES:
        path = folder / name
        if path.is_file():
            spec = _read_config(path)
            if spec is not None:
                return spec, str(path)
    return DEFAULT_SPEC, "the default"


def _read_config(path: Path) -> str | None:
    import tomllib

    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot be read: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f'{path}: not valid TOML: {error}; write store = "oxigraph"') from error
    value = settings.get("store")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f'{path}: \'store\' must be a string such as "oxigraph" or "memory"')
    return value.strip()


def parse_spec(spec: str, origin: str = "--store") -> StoreSpec:
    """Read a spec such as `oxigraph:/tmp/index` or `sparql:http://host/query?gsp=...`."""
    kind, _, rest = spec.strip().partition(":")
    kind = kind.lower()
    if kind == "memory" and not rest:
        return StoreSpec("memory")
    if kind == "oxigraph":
        return StoreSpec("oxigraph", str(Path(rest).expanduser()) if rest else None)
    if kind == "sparql" and rest:
        return _sparql_spec(rest, origin)
    raise UsageError(
        f"unknown store {spec!r} (from {origin}): use oxigraph, oxigraph:PATH, memory "
        "or sparql:QUERY_URL (see 'kg --help')"
    )


def _sparql_spec(url: str, origin: str) -> StoreSpec:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"store sparql:{redact(url)} (from {origin}): the query URL must start with "
            "http:// or https:// and name a host, e.g. sparql:http://localhost:7878/query"
        )
    gsp: str | None = None
    update: str | None = None
    kept: list[tuple[str, str]] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "gsp":
            gsp = value
        elif key == "update":
            update = value
        else:
            kept.append((key, value))
    query_url = urlunsplit(parts._replace(query=urlencode(kept)))
    return StoreSpec("sparql", query_url, gsp_url=gsp, update_url=update)


def redact(url: str) -> str:
    """A URL fit for messages: any user:password@ part removed."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=host))


def cache_root() -> Path:
    """The per-user cache folder for indexes ($XDG_CACHE_HOME/motorsport-kg)."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base else Path.home() / ".cache"
    return root / "motorsport-kg"


def default_index_location(sources: Sequence[Path]) -> Path:
    """One index per set of source folders, so `--data elsewhere` never clobbers the default."""
    key = json.dumps(sorted(str(p.resolve()) for p in sources))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return cache_root() / digest
