"""Keeping the on-disk index in step with the files, cheaply and safely.

The manifest (manifest.json beside the database) records, for each source file,
its graph, size, mtime_ns, ctime_ns and sha256. A run compares the stat first
(ctime too: tools that restore mtime after an edit cannot restore it) and
hashes a file only when they differ or when the file was modified so close to
the last scan that a same-size edit in the same clock tick could hide (the
"racily clean" case that git also guards against). Only changed, added and
removed files touch the database; the rest is not parsed again.

Safety: changed files are parsed into memory before anything is written, so a
syntax error leaves the index as it was. A marker file is written before the
first change and removed after the new manifest is in place; a run that finds
the marker (a crash mid-refresh) rebuilds the index from scratch.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import InputError, StoreError
from kg.fileio import write_atomically
from kg.knowledge import KnowledgeFile, parse_file, rdf_format
from kg.stores.oxigraph_store import OxigraphStore

MANIFEST_VERSION = 2
# A file modified within this many nanoseconds before a scan is hashed again next time.
RACY_WINDOW_NS = 3_000_000_000


@dataclass(frozen=True)
class Entry:
    graph: str
    size: int
    mtime_ns: int
    ctime_ns: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    scanned_ns: int
    entries: Mapping[str, Entry]


@dataclass(frozen=True)
class RefreshSummary:
    """What a refresh did: graphs reloaded and removed, or a full rebuild, or nothing."""

    rebuilt: bool
    reloaded: tuple[str, ...]
    removed: tuple[str, ...]
    triples_loaded: int

    @property
    def changed(self) -> bool:
        return self.rebuilt or bool(self.reloaded) or bool(self.removed)


@dataclass(frozen=True)
class _Plan:
    rebuild: bool
    reload: tuple[KnowledgeFile, ...]
    remove: tuple[str, ...]
    rewrite_manifest: bool
    # Hashes computed while planning, by path, so a file is not hashed twice.
    hashes: Mapping[str, str]
    stats: Mapping[str, os.stat_result]

    @property
    def empty(self) -> bool:
        return not (self.rebuild or self.reload or self.remove or self.rewrite_manifest)


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
            )
            for name, value in document["files"].items()
        }
        return Manifest(scanned_ns=int(document["scanned_ns"]), entries=entries)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _manifest_text(manifest: Manifest) -> str:
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
            }
            for name, entry in sorted(manifest.entries.items())
        },
    }
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def _key(item: KnowledgeFile) -> str:
    return str(item.path.resolve())


def _stat(item: KnowledgeFile) -> os.stat_result:
    try:
        return item.path.stat()
    except OSError as error:
        raise InputError(f"{item.display}: cannot be read: {error.strerror}") from error


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(item: KnowledgeFile) -> bytes:
    try:
        return item.path.read_bytes()
    except OSError as error:
        raise InputError(f"{item.display}: cannot be read: {error.strerror}") from error


def _plan(store: OxigraphStore, files: Sequence[KnowledgeFile]) -> _Plan:
    # Stat before reading anything: an edit made after this point shows up next run.
    stats = {_key(item): _stat(item) for item in files}
    manifest = read_manifest(store.manifest_path)
    if manifest is None or store.marker_path.exists() or not store.store_dir.is_dir():
        return _Plan(True, tuple(files), (), True, {}, stats)
    reload: list[KnowledgeFile] = []
    hashes: dict[str, str] = {}
    rewrite = False
    for item in files:
        entry = manifest.entries.get(_key(item))
        if entry is None or entry.graph != item.graph:
            reload.append(item)
            continue
        stat = stats[_key(item)]
        same_stat = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns) == (
            entry.size,
            entry.mtime_ns,
            entry.ctime_ns,
        )
        racy = max(entry.mtime_ns, entry.ctime_ns) >= manifest.scanned_ns - RACY_WINDOW_NS
        if same_stat and not racy:
            continue
        digest = _sha256(_read(item))
        hashes[_key(item)] = digest
        if digest != entry.sha256:
            reload.append(item)
        elif not same_stat or stat.st_ctime_ns < time.time_ns() - RACY_WINDOW_NS:
            # Same content: remember the new stat (or that the file is no longer racy).
            rewrite = True
    wanted = {item.graph for item in files}
    remove = tuple(sorted({entry.graph for entry in manifest.entries.values()} - wanted))
    return _Plan(False, tuple(reload), remove, rewrite or bool(reload or remove), hashes, stats)


# RDF formats Oxigraph parses natively (fast); others go through rdflib.
_NATIVE = {"turtle": "TURTLE", "nt": "N_TRIPLES", "nquads": "N_QUADS", "trig": "TRIG"}


def _stage(files: Sequence[KnowledgeFile]) -> tuple[Any, dict[str, str], int]:
    """Parse files into an in-memory Oxigraph store, each into its own graph.

    Returns the staging store, the sha256 of each file as parsed, and the triple count.
    Any parse error is raised here, before the index is touched.
    """
    import pyoxigraph

    staging = pyoxigraph.Store()
    digests: dict[str, str] = {}
    for item in files:
        data = _read(item)
        digests[_key(item)] = _sha256(data)
        target = pyoxigraph.NamedNode(item.graph)
        native = _NATIVE.get(rdf_format(item.path))
        if native is not None:
            try:
                parsed = pyoxigraph.parse(
                    input=data,
                    format=getattr(pyoxigraph.RdfFormat, native),
                    base_iri=item.path.resolve().as_uri(),
                )
                staging.extend(
                    pyoxigraph.Quad(q.subject, q.predicate, q.object, target) for q in parsed
                )
                continue
            except (SyntaxError, ValueError, OSError):
                # rdflib names the line and what it expected; it may also accept what
                # Oxigraph refuses (the in-memory store reads with rdflib too).
                staging.remove_graph(target)
        _stage_with_rdflib(staging, item, target)
    count = len(staging)
    return staging, digests, count


def _stage_with_rdflib(staging: Any, item: KnowledgeFile, target: Any) -> None:
    import pyoxigraph

    from kg.stores.terms import to_oxigraph

    graph = parse_file(item.path)
    staging.extend(
        pyoxigraph.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), target) for s, p, o in graph
    )


def refresh(store: OxigraphStore, files: Sequence[KnowledgeFile]) -> RefreshSummary:
    """Make the index hold exactly `files`, touching only what changed since the last run."""
    plan = _plan(store, files)
    if plan.empty:
        return RefreshSummary(False, (), (), 0)
    store.writer()
    # Another process may have refreshed while this one waited for the lock.
    plan = _plan(store, files)
    if plan.empty:
        return RefreshSummary(False, (), (), 0)
    return _apply(store, files, plan)


def rebuild(store: OxigraphStore, files: Sequence[KnowledgeFile]) -> RefreshSummary:
    """Load every file again from scratch (what `kg push` does to an index)."""
    store.writer()
    stats = {_key(item): _stat(item) for item in files}
    return _apply(store, files, _Plan(True, tuple(files), (), True, {}, stats))


def _apply(store: OxigraphStore, files: Sequence[KnowledgeFile], plan: _Plan) -> RefreshSummary:
    import pyoxigraph

    scanned_ns = time.time_ns()
    stats = plan.stats
    staging, digests, triples = _stage(plan.reload)
    handle = store.writer()
    store.root.mkdir(parents=True, exist_ok=True)
    write_atomically(store.marker_path, f"pid {os.getpid()}\n")
    try:
        if plan.rebuild:
            handle.clear()
        for name in plan.remove:
            _drop(handle, pyoxigraph.NamedNode(name))
        for item in plan.reload:
            _replace(handle, staging, pyoxigraph.NamedNode(item.graph))
        handle.flush()
    except (OSError, RuntimeError) as error:
        raise StoreError(
            f"refreshing the index at {store.root} failed: {error}; "
            "run again (the next run rebuilds it)"
        ) from error
    old = read_manifest(store.manifest_path)
    entries: dict[str, Entry] = {}
    for item in files:
        key = _key(item)
        stat = stats[key]
        digest = digests.get(key) or plan.hashes.get(key)
        if digest is None and old is not None and key in old.entries:
            digest = old.entries[key].sha256
        if digest is None:
            digest = _sha256(_read(item))
        entries[key] = Entry(item.graph, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, digest)
    write_atomically(store.manifest_path, _manifest_text(Manifest(scanned_ns, entries)))
    store.marker_path.unlink()
    return RefreshSummary(
        rebuilt=plan.rebuild,
        reloaded=tuple(item.graph for item in plan.reload),
        removed=plan.remove,
        triples_loaded=triples,
    )


def _drop(handle: Any, name: Any) -> None:
    with contextlib.suppress(ValueError):  # the graph was not there
        handle.remove_graph(name)


def _replace(handle: Any, staging: Any, name: Any) -> None:
    _drop(handle, name)
    handle.extend(staging.quads_for_pattern(None, None, None, name))
