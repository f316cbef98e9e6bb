"""The index's manifest: which source file is in which graph, and how it was read.

A refresh compares the files with it (kg.stores.index); the index's store reads the
literals it lists (kg.stores.oxigraph_store); a streamed export copies the files it
says Oxigraph read (kg.outputs.export_stream).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MANIFEST_VERSION = 5


@dataclass(frozen=True)
class Entry:
    graph: str
    size: int
    mtime_ns: int
    ctime_ns: int
    sha256: str
    # How many triples the file gave, and whether Oxigraph's parser read it (not
    # rdflib): a Turtle export may then copy the file as it is (kg.outputs.export_stream).
    triples: int
    native: bool
    # The literals the file's graph holds under kg's own datatype, as N-Triples (the
    # form the file writes): how a query's plain answer is turned back into it.
    exact: tuple[str, ...] = ()


@dataclass(frozen=True)
class Manifest:
    scanned_ns: int
    entries: Mapping[str, Entry]


def read_manifest(path: Path) -> Manifest | None:
    """The manifest, or None when it is missing, unreadable or from another version."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("version") != MANIFEST_VERSION:
            return None
        entries = {
            name: Entry(
                graph=str(value["graph"]),
                size=int(value["size"]),
                mtime_ns=int(value["mtime_ns"]),
                ctime_ns=int(value["ctime_ns"]),
                sha256=str(value["sha256"]),
                triples=int(value["triples"]),
                native=bool(value["native"]),
                exact=tuple(str(term) for term in value["exact"]),
            )
            for name, value in document["files"].items()
        }
        return Manifest(scanned_ns=int(document["scanned_ns"]), entries=entries)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def manifest_version(path: Path) -> int | None:
    """The version a manifest file says it has, or None when it cannot be read as one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        version = document.get("version")
    except (OSError, ValueError, AttributeError):
        return None
    return version if isinstance(version, int) else None


def manifest_text(manifest: Manifest) -> str:
    document = {
        "version": MANIFEST_VERSION,
        "scanned_ns": manifest.scanned_ns,
        "files": {
            name: {
                "graph": entry.graph,
                "size": entry.size,
                "mtime_ns": entry.mtime_ns,
                "ctime_ns": entry.ctime_ns,
                "sha256": entry.sha256,
                "triples": entry.triples,
                "native": entry.native,
                "exact": list(entry.exact),
            }
            for name, entry in sorted(manifest.entries.items())
        },
    }
    return json.dumps(document, indent=1, sort_keys=True) + "\n"
