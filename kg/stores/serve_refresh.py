"""kg serve keeps in step with the files: a look every few seconds, new engines when
they changed (kg.stores.serve).

Each look is the index's own freshness check (kg.stores.index.refresh: the files'
size and times against the manifest, under the index's lock), cheap when nothing
changed, and it brings the index in step too, for the other commands. The manifest
then gives each file's digest; when they differ from what the engines hold (a file
changed, added or gone, whoever refreshed the index), the parts holding those files
are staged again (kg.stores.serve_parts) and an engine over a new snapshot is
started; new queries go to it once it answers, and the old engines end when their
queries are answered. In memory mode a new memory engine is filled then, once the
old one has ended (never two copies of the knowledge in memory), and takes over,
the snapshot's engine staying as its standby. A query never sees half a change:
each engine holds one version.

The first look fills the memory (kg serve answers from a snapshot until then), and
after an engine was ended for running past the limit, the memory is filled again
from the staged parts.

A file that cannot be read (a syntax error halfway through an edit) is said once,
in one line, and the last good version is served until the files are good again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from kg.model.errors import KGError
from kg.model.files import KnowledgeFile
from kg.stores.serve import Served, digests
from kg.stores.serve_engine import Engine

# How often the events (an engine ended) are passed on and the engines looked after,
# between two looks at the files.
TICK = 0.2
# A look at the files takes at most this share of one core: with many files (0.13 s
# a look at a million triples, over a second at ten million) the looks are spaced out.
LOOK_SHARE = 0.05
# Seconds before a first fill that failed (a file with an error) is tried again, with
# --refresh-every 0.
RETRY = 2.0


def watch(
    served: Served,
    discover: Callable[[], Sequence[KnowledgeFile]],
    say: Callable[[str], None],
) -> None:
    """Serve until interrupted (KeyboardInterrupt), looking at the files every
    `refresh_every` seconds (less often when a look takes long, see LOOK_SHARE); a
    StoreError when an engine that should answer dies by itself."""
    every = served.options.refresh_every
    next_look = time.monotonic()  # at once: the first look fills the memory
    said: str | None = None
    while True:
        for line in served.take_events():
            say(line)
        served.tend()
        if served.need_disk:
            served.need_disk = False
            served.switch(served.start_disk(), served.standby, [])
        if served.refill and served.filled:
            say(_filled_again(served))
        if time.monotonic() < next_look or (served.filled and every <= 0):
            time.sleep(TICK)
            continue
        looked = time.monotonic()
        done: str | None = None
        try:
            done = refresh_once(served, discover)
        except KGError as error:
            if error.message != said:
                say(f"kg serve: not refreshed: {error.message}; still serving the files as "
                    "they were")  # fmt: skip
            said = error.message
        else:
            said = None
            if done is not None:
                say(done)
        # After a change the next look comes soon: an edit often comes with others.
        took = 0.0 if done is not None else time.monotonic() - looked
        next_look = time.monotonic() + max(every or RETRY, took / LOOK_SHARE)


def _filled_again(served: Served) -> str:
    started = time.monotonic()
    served.refill = False
    engine = served.start_memory()
    served.switch(engine, served.primary, [])
    return f"kg serve: the knowledge is held in memory again ({time.monotonic() - started:.1f} s)"


def refresh_once(served: Served, discover: Callable[[], Sequence[KnowledgeFile]]) -> str | None:
    """Bring the index and the engines in step with the files; what was done, or None."""
    from kg.stores.index import refresh

    started = time.monotonic()
    files = discover()
    store = served.store
    try:
        refresh(store, files)
        wanted = digests(store)
    finally:
        store.close()
    if not served.filled:
        return _first_fill(served, files, started)
    graphs = {item.graph for item in files}
    changed = [item for item in files if served.held.get(item.graph) != wanted.get(item.graph)]
    removed = set(served.held) - graphs
    if not changed and not removed:
        return None
    added = sum(1 for item in changed if item.graph not in served.held)
    old = [served.primary, served.standby]
    if served.options.on_disk:
        disk = served.start_disk()
        served.graphs = len(store.graph_names())
        store.close()
        served.held = {graph: digest for graph, digest in wanted.items() if graph in graphs}
        served.switch(disk, None, [engine for engine in old if engine is not None])
    else:
        served.parts.update(changed, removed)
        served.held, served.graphs = served.parts.held, served.parts.graphs
        # The new version answers at once, from its snapshot, and the old memory engine
        # ends before the new one fills: never two copies in memory (1.2 GB at a
        # million triples, where one holds 0.74).
        served.switch(served.start_disk(), None, [engine for engine in old if engine is not None])
        served.await_retired("memory")
        memory = served.start_memory()
        served.switch(memory, served.primary, [])
    parts = [
        _files(len(changed) - added, "changed"),
        _files(added, "added"),
        _files(len(removed), "removed"),
    ]
    return (
        f"kg serve: refreshed ({', '.join(part for part in parts if part)}) in "
        f"{time.monotonic() - started:.1f} s; serving {served.graphs} named graphs"
    )


def _first_fill(served: Served, files: Sequence[KnowledgeFile], started: float) -> str:
    """The memory filled for the first time; the snapshot's engine becomes the standby
    (a new snapshot, when the files changed since the first)."""
    memory = served.start_memory(files)
    standby = served.primary
    old: list[Engine] = []
    if served.parts.held != served.held:
        assert standby is not None
        old, standby = [standby], served.start_disk()
    served.held, served.graphs = served.parts.held, served.parts.graphs
    served.switch(memory, standby, old)
    served.filled = True
    return (
        f"kg serve: the knowledge is held in memory now ({served.graphs} named graphs, "
        f"{time.monotonic() - started:.1f} s); until now it was read from disk"
    )


def _files(count: int, what: str) -> str:
    if not count:
        return ""
    return f"1 file {what}" if count == 1 else f"{count} files {what}"
