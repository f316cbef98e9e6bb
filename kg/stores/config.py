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
import re
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
        f"unknown store {mask_text(spec)!r} (from {origin}): use oxigraph, oxigraph:PATH, memory "
        "or sparql:QUERY_URL (see 'kg --help')"
    )


def _sparql_spec(url: str, origin: str) -> StoreSpec:
    checked_url(url, f"store sparql:{{url}} (from {origin})")
    parts = urlsplit(url)
    gsp: str | None = None
    update: str | None = None
    kept: list[tuple[str, str]] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "gsp":
            gsp = checked_url(value, f"the gsp URL {{url}} (in the store spec from {origin})")
        elif key == "update":
            update = checked_url(value, f"the update URL {{url}} (in the store spec from {origin})")
        else:
            kept.append((key, value))
    query_url = urlunsplit(parts._replace(query=urlencode(kept)))
    return StoreSpec("sparql", query_url, gsp_url=gsp, update_url=update)


def checked_url(url: str, what: str = "{url}") -> str:
    """`url` if it is an http(s) URL with a host, a port from 1 to 65535 and no ambiguous
    user:password; else a UsageError whose message (`what`, with {url} masked) shows
    no password."""
    shown = what.format(url=redact(url))
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"{shown}: the URL must start with http:// or https:// and name a host, "
            "e.g. sparql:http://localhost:7878/query"
        )
    if "@" in url.partition("://")[2] and "@" not in parts.netloc:
        # `http://ann:pa/ss@host/`: where the host starts cannot be known, and the
        # password would be taken for a host, a path or a query.
        raise UsageError(
            f"{shown}: an '@' after the host; if it ends a user:password, write '/', '?' "
            "and '#' in them as %2F, %3F and %23, or better, give them in KG_SPARQL_USER "
            "and KG_SPARQL_PASSWORD or a netrc file (docs/stores.md); in a path or query, "
            "write '@' as %40"
        )
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise UsageError(f"{shown}: the port must be a number from 1 to 65535")
    return url


def redact(url: str) -> str:
    """A URL fit for messages: any user:password@ part removed (also one that holds an
    unencoded '/', '?' or '#', which a URL parser takes for the start of the path)."""
    scheme, separator, rest = url.partition("://")
    if not separator or "@" not in rest:
        return url
    parts = urlsplit(url)
    if "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    return f"{scheme}://{rest.rpartition('@')[2]}"


def mask_text(text: str) -> str:
    """`text` with the user:password@ of any URL in it removed."""
    return _USERINFO_IN_TEXT.sub(r"\1", text)


_USERINFO_IN_TEXT = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)\S*@")


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
