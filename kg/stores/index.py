"""Keeping the on-disk index in step with the files, cheaply and safely.

The manifest (manifest.json beside the database) records, for each source file,
its graph, size, mtime_ns, ctime_ns and sha256. A run compares the stat first
(ctime too: tools that restore mtime after an edit cannot restore it) and
hashes a file only when they differ or when the file was modified so close to
the last scan that a same-size edit in the same clock tick could hide (the
"racily clean" case that git also guards against). Only changed, added and
removed files touch the database; the rest is not parsed again.

Loading: changed files are parsed first and written out as N-Quads in a staging
folder beside the database (each triple twice: in the file's graph, and in the
default graph that holds the merge of all files, kg.stores.merged), so a syntax
error leaves the index as it was. A full build then bulk-loads the staged parts
side by side (one thread per core; Oxigraph's bulk loader writes its own sorted
files and releases the GIL); a refresh drops each changed file's graph (and its
triples no other file states from the merge) and bulk-loads it again. A full
build (or a refresh that added many files) then compacts the database, so that
the read-only commands after it do not pay for the bulk loads' overlapping files.

Safety: a marker file is written before the first change and removed after the
new manifest is in place; a run that finds the marker (a crash mid-refresh)
rebuilds the index from scratch, as does a run that finds the index damaged (its
manifest unreadable, its database missing or refusing to open), saying why. Damage
that only a read finds (a table's block with a bad checksum) is rebuilt the same way
when the read is a refresh; a query finds it later and has the index rebuilt through
`OxigraphStore.repair`, which the command set up (kg.stores.sync).

A read that ends without an error kg could catch (Oxigraph aborting on damaged
bytes, the system killing it for its memory) leaves its mark (kg.stores.read_marks):
the next run rebuilds the index rather than trust it.

Concurrency (kg.stores.index_lock): a command with nothing to refresh reads under
the shared lock; one with work takes the exclusive lock, plans again (another may
have done the work meanwhile), refreshes, and lets go before it reads. When only the
manifest's stats are due (a file touched, its content the same) and another command
reads, it reads beside it and leaves the stats to a later run.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.model.errors import InputError, StoreError
from kg.model.fileio import write_atomically
from kg.model.files import KnowledgeFile, parse_file, rdf_format, read_bytes
from kg.stores import read_marks
from kg.stores.bulk_load import bulk_load_parts
from kg.stores.index_lock import busy, lock_wait
from kg.stores.manifest import Entry, Manifest, manifest_text, manifest_version, read_manifest
from kg.stores.oxigraph_store import DAMAGE_MARK, DamagedIndex, OxigraphStore, is_corruption

# 4: the default graph holds the merge of the named graphs (kg.stores.merged).
# A file modified within this many nanoseconds before a scan is hashed again next time.
RACY_WINDOW_NS = 3_000_000_000
# Where changed files are staged as N-Quads while the index lock is held.
STAGING_FOLDER = "staging"
# Bulk loads run side by side, one thread per core (up to 4).
LOAD_THREADS = max(1, min(4, os.cpu_count() or 1))
# With this much source or more, a full build stages its parts in worker processes.
PARALLEL_BYTES = 8 * 1024 * 1024
# A bulk loader holds its whole part in memory: parts of about this many source
# bytes (some 100 thousand triples of Turtle) keep the peak low at any size.
PART_BYTES = 4 * 1024 * 1024
# A full build, or a refresh that adds more sorted tables than this, compacts the
# database before it is read. The bulk loads leave overlapping tables that every
# lookup must visit, and read-only commands never merge them: at a million triples
# 45 tables made the heavy saved queries 2 to 3 times slower than the compacted 12.
# A one-file refresh adds a few small tables that RocksDB merges on its own; the
# count is of tables added, since a compacted database of 10 million triples
# already holds more than this many.
COMPACT_ABOVE_NEW_FILES = 64


@dataclass(frozen=True)
class RefreshSummary:
    """What a refresh did: graphs reloaded and removed, or a full rebuild, or nothing."""

    rebuilt: bool
    reloaded: tuple[str, ...]
    removed: tuple[str, ...]
    triples_loaded: int
    # Why the index was rebuilt, when it was found damaged ("a refresh was interrupted").
    damage: str | None = None

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
    damage: str | None = None
    # The manifest the plan compared the files with (None: none could be read).
    manifest: Manifest | None = None

    @property
    def empty(self) -> bool:
        return self.bookkeeping and not self.rewrite_manifest

    @property
    def bookkeeping(self) -> bool:
        """Nothing to load or remove: at most the manifest's stats to write again."""
        return not (self.rebuild or self.reload or self.remove)


def manifest_key(item: KnowledgeFile) -> str:
    """The file's entry name in the manifest (its resolved path, found at discovery)."""
    return item.resolved or _resolved(item.path)


@functools.lru_cache(maxsize=65536)
def _resolved(path: Path) -> str:
    # Resolving walks every folder of the path: thousands of files ask many times a run.
    return str(path.resolve())


def _stat(item: KnowledgeFile) -> os.stat_result:
    try:
        return os.stat(manifest_key(item))
    except OSError as error:
        raise InputError(f"{item.display}: cannot be read: {error.strerror}") from error


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _plan(store: OxigraphStore, files: Sequence[KnowledgeFile]) -> _Plan:
    # Stat before reading anything: an edit made after this point shows up next run.
    stats = {manifest_key(item): _stat(item) for item in files}
    manifest = read_manifest(store.manifest_path)
    cut = read_marks.cut_short(store.root)
    if manifest is None or store.marker_path.exists() or not store.store_dir.is_dir() or cut:
        return _Plan(True, tuple(files), (), True, {}, stats, _damage(store, manifest) or cut)
    reload: list[KnowledgeFile] = []
    hashes: dict[str, str] = {}
    rewrite = False
    for item in files:
        entry = manifest.entries.get(manifest_key(item))
        if entry is None or entry.graph != item.graph:
            reload.append(item)
            continue
        stat = stats[manifest_key(item)]
        same_stat = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns) == (
            entry.size,
            entry.mtime_ns,
            entry.ctime_ns,
        )
        racy = max(entry.mtime_ns, entry.ctime_ns) >= manifest.scanned_ns - RACY_WINDOW_NS
        if same_stat and not racy:
            continue
        digest = _sha256(read_bytes(item.path))
        hashes[manifest_key(item)] = digest
        if digest != entry.sha256:
            reload.append(item)
        elif not same_stat or stat.st_ctime_ns < time.time_ns() - RACY_WINDOW_NS:
            # Same content: remember the new stat (or that the file is no longer racy).
            rewrite = True
    wanted = {item.graph for item in files}
    remove = tuple(sorted({entry.graph for entry in manifest.entries.values()} - wanted))
    changed = rewrite or bool(reload or remove)
    return _Plan(False, tuple(reload), remove, changed, hashes, stats, manifest=manifest)


def _damage(store: OxigraphStore, manifest: Manifest | None) -> str | None:
    """What is wrong with an index that must be rebuilt, or None when nothing is (a
    first build, a build that failed before loading, an index of another kg version)."""
    tables = store.store_dir.is_dir() and any(store.store_dir.glob("*.sst"))
    if store.marker_path.exists():
        return _marked(store.marker_path)
    if manifest is not None:
        return None if store.store_dir.is_dir() else "its database folder is missing"
    if not store.manifest_path.exists():
        return f"{store.manifest_path.name} is missing" if tables else None
    if manifest_version(store.manifest_path) is None:
        return f"{store.manifest_path.name} cannot be read"
    return None


def _marked(marker: Path) -> str:
    """Why the marker is there: damage a read found, else a refresh cut short."""
    try:
        text = marker.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    if text.startswith(DAMAGE_MARK):
        return text[len(DAMAGE_MARK) :].strip()
    return "a refresh was interrupted"


# RDF formats Oxigraph parses natively (fast); others go through rdflib.
NATIVE_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "nquads": "N_QUADS", "trig": "TRIG"}
# Quad formats: their graphs are merged into the file's own named graph.
QUAD_FORMATS = {"nquads", "trig"}


@dataclass
class _Staged:
    """Files parsed and written out as N-Quads, each triple already in its file's graph.

    Every file is parsed before the index is touched, so a syntax error changes
    nothing. The N-Quads go to files in a staging folder beside the database
    (not memory: a million triples are a few hundred MiB of text), split into
    `parts` of similar size that can be bulk-loaded side by side.
    """

    folder: Path
    parts: list[Path]
    by_graph: dict[str, Path]
    digests: dict[str, str]
    triples: int
    # Per file: how many triples, whether Oxigraph's parser read it, and the literals
    # held under kg's own datatype.
    counts: dict[str, tuple[int, bool, tuple[str, ...]]]


def _stage(files: Sequence[KnowledgeFile], folder: Path, parts: int | None) -> _Staged:
    """Parse `files` into N-Quads under `folder`; any parse error is raised here.

    With `parts`, the files are spread over that many parts of similar size (for
    a bulk load), staged side by side in worker processes when there is much to
    do; without, each file gets a part of its own (to replace its graph).
    """
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    groups = [[item] for item in files] if parts is None else _balanced(files, parts)
    paths = [folder / f"part-{number}.nq" for number in range(len(groups))]
    staged = _Staged(folder, paths, {}, {}, 0, {})
    big = sum(_stat(item).st_size for item in files) >= PARALLEL_BYTES
    try:
        if parts is not None and big:
            from kg.stores.parallel import map_in_processes

            done = map_in_processes(_stage_part, groups, paths)
        else:
            done = [_stage_part(group, path) for group, path in zip(groups, paths, strict=True)]
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    for group, path, (digests, counts) in zip(groups, paths, done, strict=True):
        staged.digests.update(digests)
        staged.counts.update(counts)
        staged.triples += sum(count for count, _, _ in counts.values())
        for item in group:
            staged.by_graph[item.graph] = path
    return staged


def _balanced(files: Sequence[KnowledgeFile], parts: int) -> list[list[KnowledgeFile]]:
    """Largest first, each to the smallest group so far: groups of similar size."""
    groups: list[list[KnowledgeFile]] = [[] for _ in range(max(1, min(parts, len(files))))]
    sizes = [0] * len(groups)
    for item in sorted(files, key=lambda f: (-_stat(f).st_size, manifest_key(f))):
        smallest = sizes.index(min(sizes))
        groups[smallest].append(item)
        sizes[smallest] += _stat(item).st_size
    return groups


def _stage_part(
    group: Sequence[KnowledgeFile], path: Path
) -> tuple[dict[str, str], dict[str, tuple[int, bool, tuple[str, ...]]]]:
    """Write one part: the files' N-Quads; returns their sha256 digests and, per file,
    the triple count, whether Oxigraph's parser read it and its exact literals."""
    digests: dict[str, str] = {}
    counts: dict[str, tuple[int, bool, tuple[str, ...]]] = {}
    with path.open("wb") as stream:
        for item in group:
            data = read_bytes(item.path)
            digests[manifest_key(item)] = _sha256(data)
            nquads, native, triples, exact = _to_nquads(item, data)
            counts[manifest_key(item)] = (triples, native, exact)
            stream.write(nquads)
    return digests, counts


def _to_nquads(item: KnowledgeFile, data: bytes) -> tuple[bytes, bool, int, tuple[str, ...]]:
    """One file's triples as N-Quads in the file's graph and again in the default graph
    (the merge), blank nodes made unique; whether Oxigraph's parser read them (rdflib
    reads what it refuses); how many triples the file has; and the literals its graph
    holds under kg's own datatype (kg.stores.terms.exact), as N-Triples."""
    import pyoxigraph

    name = rdf_format(item.path)
    native = NATIVE_FORMATS.get(name)
    if native is not None:
        try:
            parsed = pyoxigraph.parse(
                input=data,
                format=getattr(pyoxigraph.RdfFormat, native),
                base_iri=item.path.resolve().as_uri(),
                rename_blank_nodes=True,
            )
            triples = [
                pyoxigraph.Triple(q.subject, q.predicate, q.object) if name in QUAD_FORMATS else q
                for q in parsed
            ]
            return _staged_file(triples, item.graph, True)
        except MemoryError as error:
            # Oxigraph's parser holds at most 16 MiB of one term (its "buffer maximal
            # size"); the index could not hold the value either.
            raise InputError(
                f"{item.display}: a value is larger than the on-disk index can hold "
                f"({error}); split it, or read this file with --store memory"
            ) from error
        except (SyntaxError, ValueError, OSError):
            # rdflib names the line and what it expected; it may also accept what
            # Oxigraph refuses (the in-memory store reads with rdflib too).
            pass
    return _nquads_with_rdflib(item)


def _nquads_with_rdflib(item: KnowledgeFile) -> tuple[bytes, bool, int, tuple[str, ...]]:
    import pyoxigraph

    from kg.stores.terms import to_oxigraph

    graph = parse_file(item.path)
    triples = [
        pyoxigraph.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph
    ]
    return _staged_file(triples, item.graph, False)


def _staged_file(
    triples: Sequence[Any], graph: str, native: bool
) -> tuple[bytes, bool, int, tuple[str, ...]]:
    """N-Quads of `triples` in `graph` and in the merge (see _in_graph_and_merge).

    A literal Oxigraph would rewrite goes into the file's graph under kg's own
    datatype, and into the merge as it is (kg.stores.merged)."""
    import pyoxigraph

    from kg.stores.terms import exact, rewritten_by_oxigraph

    literal = pyoxigraph.Literal
    changed = [
        i
        for i, triple in enumerate(triples)
        if type(o := triple.object) is literal
        and not o.language
        and rewritten_by_oxigraph(o.value, o.datatype.value)
    ]
    plain = _ntriples(triples)
    if not changed:
        return _in_graph_and_merge(plain, plain, graph), native, len(triples), ()
    in_graph = list(triples)
    for i in changed:
        t = triples[i]
        in_graph[i] = pyoxigraph.Triple(t.subject, t.predicate, exact(t.object))
    literals = tuple(sorted({str(triples[i].object) for i in changed}))
    return _in_graph_and_merge(_ntriples(in_graph), plain, graph), native, len(triples), literals


def _ntriples(triples: Sequence[Any]) -> bytes:
    import pyoxigraph

    buffer = io.BytesIO()
    pyoxigraph.serialize(triples, buffer, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return buffer.getvalue()


def _in_graph_and_merge(in_graph: bytes, merge: bytes, graph: str) -> bytes:
    """N-Triples as N-Quads of `graph`, followed by the merge's lines in the default graph.

    N-Triples lines end in " .\\n" (newlines inside literals are escaped): the graph
    goes in front of the dot. One file holds both, so that the bulk loader gives a
    blank node the same new name in the file's graph and in the merge.
    """
    return in_graph.replace(b" .\n", b" <" + graph.encode() + b"> .\n") + merge


def refresh(store: OxigraphStore, files: Sequence[KnowledgeFile]) -> RefreshSummary:
    """Make the index hold exactly `files`, touching only what changed since the last run,
    and leave it open for reading (a damaged index is rebuilt; `damage` says why)."""
    wait = lock_wait()
    deadline = time.monotonic() + wait
    # Only the manifest's stats are due (a file touched, its content the same) and
    # another command reads: read beside it, and leave the stats to a later run.
    settle = False
    while True:
        # Nothing to do (the usual case): read under the shared lock, beside other readers.
        if store.try_lock_shared():
            plan = _plan(store, files)
            if (plan.empty or (settle and plan.bookkeeping)) and _opens(store) is None:
                assert plan.manifest is not None
                store.use_manifest(plan.manifest)
                return RefreshSummary(False, (), (), 0)
            store.unlock()
            settle = plan.bookkeeping
        # Work to do: one process at a time; the others find it done when they get here.
        if store.try_lock_exclusive():
            try:
                summary = _refresh_exclusively(store, files)
            finally:
                store.unlock()
            if summary is not None:
                store.reader()
                return summary
        if time.monotonic() >= deadline:
            raise busy(store.root, wait)
        time.sleep(0.02)


def _opens(store: OxigraphStore) -> str | None:
    """None when the database opens for reading, else what RocksDB said."""
    try:
        store.reader()
    except DamagedIndex as error:
        return error.cause
    return None


def _refresh_exclusively(
    store: OxigraphStore, files: Sequence[KnowledgeFile]
) -> RefreshSummary | None:
    """Under the exclusive lock: the refresh, or None when there is nothing to do."""
    plan = _plan(store, files)
    if not plan.rebuild:
        cause = _opens(store)
        if cause is not None:
            damage = f"the database cannot be opened: {cause}"
            plan = _Plan(True, tuple(files), (), True, {}, plan.stats, damage)
    if plan.empty:
        return None
    return _apply(store, files, plan)


def rebuild(
    store: OxigraphStore, files: Sequence[KnowledgeFile], damage: str | None = None
) -> RefreshSummary:
    """Load every file again from scratch (what `kg push` does to an index, and what a
    command does when a read finds the index damaged: `damage` says how)."""
    stats = {manifest_key(item): _stat(item) for item in files}
    store.lock_exclusive()
    try:
        return _apply(store, files, _Plan(True, tuple(files), (), True, {}, stats, damage))
    finally:
        store.unlock()


def _apply(store: OxigraphStore, files: Sequence[KnowledgeFile], plan: _Plan) -> RefreshSummary:
    scanned_ns = time.time_ns()
    store.lock_exclusive()  # the caller's: no other process stages, writes or reads
    store.root.mkdir(parents=True, exist_ok=True)
    staging = store.root / STAGING_FOLDER
    staged = _stage(plan.reload, staging, _parts(plan) if plan.rebuild else None)
    damaged: _Plan | None = None
    try:
        write_atomically(store.marker_path, f"pid {os.getpid()}\n")
        if plan.rebuild:
            # Afresh: whatever damage the old database had goes with it.
            store.discard_database()
        try:
            _load(store, plan, staged)
        except (OSError, RuntimeError, SyntaxError, ValueError) as error:
            if not (is_corruption(error) and not plan.rebuild):
                raise StoreError(
                    f"refreshing the index at {store.root} failed: {error}; "
                    "run again (the next run rebuilds it)"
                ) from error
            # The refresh read a damaged table (dropping a changed file's triples):
            # the index is a cache of the files, so it is built again from them.
            damage = str(error).splitlines()[0]
            damaged = _Plan(True, tuple(files), (), True, {}, plan.stats, damage)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if damaged is not None:
        return _apply(store, files, damaged)
    entries = _entries(files, plan, staged, read_manifest(store.manifest_path))
    write_atomically(store.manifest_path, manifest_text(Manifest(scanned_ns, entries)))
    store.marker_path.unlink()
    if plan.rebuild:
        read_marks.clear(store.root)  # reads of the old database, cut short or not
    store.forget_views()
    return RefreshSummary(
        rebuilt=plan.rebuild,
        reloaded=tuple(item.graph for item in plan.reload),
        removed=plan.remove,
        triples_loaded=staged.triples,
        damage=plan.damage,
    )


def _load(store: OxigraphStore, plan: _Plan, staged: _Staged) -> None:
    """Write the staged files into the database (all of them, or the changed graphs)."""
    import pyoxigraph

    handle = store.writer()
    tables_before = _table_files(store)
    if plan.rebuild:
        bulk_load_parts(handle, staged.parts, LOAD_THREADS)
    else:
        for name in plan.remove:
            _drop(handle, pyoxigraph.NamedNode(name))
        for item in plan.reload:
            _replace(handle, staged, pyoxigraph.NamedNode(item.graph))
    handle.flush()
    if plan.rebuild or _table_files(store) - tables_before > COMPACT_ABOVE_NEW_FILES:
        _compact(handle)


def _entries(
    files: Sequence[KnowledgeFile], plan: _Plan, staged: _Staged, old: Manifest | None
) -> dict[str, Entry]:
    """The new manifest's entries: every file is either staged now or unchanged since
    the old manifest."""
    stats = plan.stats
    entries: dict[str, Entry] = {}
    for item in files:
        key = manifest_key(item)
        stat = stats[key]
        before = old.entries.get(key) if old is not None else None
        digest = staged.digests.get(key) or plan.hashes.get(key)
        if digest is None and before is not None:
            digest = before.sha256
        if digest is None:
            digest = _sha256(read_bytes(item.path))
        triples, native, exact = staged.counts.get(key) or (
            (before.triples, before.native, before.exact) if before is not None else (0, False, ())
        )
        entries[key] = Entry(
            item.graph,
            stat.st_size,
            stat.st_mtime_ns,
            stat.st_ctime_ns,
            digest,
            triples,
            native,
            exact,
        )
    return entries


def _parts(plan: _Plan) -> int:
    total = sum(stat.st_size for stat in plan.stats.values())
    return max(LOAD_THREADS, -(-total // PART_BYTES))


def _table_files(store: OxigraphStore) -> int:
    """How many sorted tables (RocksDB .sst files) the database holds now."""
    return sum(1 for _ in store.store_dir.glob("*.sst"))


def _compact(handle: Any) -> None:
    """Merge the database's tables (read-only commands never merge the bulk loads')."""
    handle.optimize()


def _drop(handle: Any, name: Any) -> None:
    from kg.stores.merged import drop_graph

    drop_graph(handle, name)


def _replace(handle: Any, staged: _Staged, name: Any) -> None:
    import pyoxigraph

    _drop(handle, name)
    # The bulk loader: a transaction costs several times more, and the marker already
    # guards against a crash between the two steps.
    handle.bulk_load(
        path=str(staged.by_graph[name.value]), format=pyoxigraph.RdfFormat.N_QUADS, lenient=True
    )
