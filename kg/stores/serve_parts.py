"""The files as kg serve's engines load them: staged N-Quads in parts, kept between engines.

The index's own staging (kg.stores.index) writes each file's triples in its named
graph and again in the default graph that holds the merge (kg.stores.merged), with
literals as the index holds them. kg serve stages the files once, in parts of about
PART_BYTES of source, and keeps the parts (in a folder beside the index): a new
engine, after a change of the files or after one was stopped, loads them as they
are, and a change stages again only the parts that hold a changed file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.model.files import KnowledgeFile

# Source bytes a part holds, about: an engine loads one part while the next is staged.
PART_BYTES = 4 * 1024 * 1024


@dataclass
class _Part:
    files: list[KnowledgeFile]
    path: Path
    # Per graph: the file's sha256 (as the index's manifest has it) and its triples.
    digests: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


class Parts:
    """The staged parts, in order; what they hold, graph by graph."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.parts: list[_Part] = []
        self._made = 0

    @property
    def paths(self) -> list[Path]:
        return [part.path for part in self.parts]

    @property
    def held(self) -> dict[str, str]:
        return {graph: digest for part in self.parts for graph, digest in part.digests.items()}

    @property
    def graphs(self) -> int:
        """Named graphs with triples (an empty file gives none)."""
        return sum(1 for part in self.parts for count in part.counts.values() if count > 0)

    def stage_all(self, files: Sequence[KnowledgeFile], staged: Callable[[Path], None]) -> None:
        """Stage every file, part by part, calling `staged` with each part as it is done."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.parts = []
        for group in _groups(files):
            part = self._stage(group)
            self.parts.append(part)
            staged(part.path)

    def update(self, changed: Sequence[KnowledgeFile], removed: set[str]) -> None:
        """Stage again the parts that hold a changed or removed file (new files make a
        part of their own). A file that cannot be read raises before anything changes."""
        by_graph = {item.graph: item for item in changed}
        affected: list[tuple[int, list[KnowledgeFile]]] = []
        for number, part in enumerate(self.parts):
            graphs = {item.graph for item in part.files}
            if graphs & (set(by_graph) | removed):
                files = [by_graph.get(item.graph, item) for item in part.files]
                affected.append((number, [item for item in files if item.graph not in removed]))
        known = {item.graph for part in self.parts for item in part.files}
        added = [item for item in changed if item.graph not in known]
        staged = [(number, self._stage(files)) for number, files in affected]
        fresh = self._stage(added) if added else None
        for number, part in staged:
            self._forget(self.parts[number])
            self.parts[number] = part
        if fresh is not None:
            self.parts.append(fresh)
        self.parts = [part for part in self.parts if part.files]

    def _stage(self, files: list[KnowledgeFile]) -> _Part:
        from kg.stores.index import _stage, manifest_key

        self._made += 1
        path = self.folder / f"part-{self._made}.nq"
        part = _Part(files, path)
        if not files:
            path.write_bytes(b"")
            return part
        scratch = self.folder / f"staging-{self._made}"
        try:
            staged = _stage(files, scratch, 1)
            os.replace(staged.parts[0], path)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        for item in files:
            key = manifest_key(item)
            part.digests[item.graph] = staged.digests[key]
            part.counts[item.graph] = staged.counts[key][0]
        return part

    @staticmethod
    def _forget(part: _Part) -> None:
        # An engine loading it has opened it already: its data stays until closed.
        with contextlib.suppress(OSError):
            part.path.unlink()


def _groups(files: Sequence[KnowledgeFile]) -> list[list[KnowledgeFile]]:
    """The files in order, cut into groups of about PART_BYTES of source."""
    groups: list[list[KnowledgeFile]] = [[]]
    total = 0
    for item in files:
        # A file that cannot be read: staging names it and says why.
        with contextlib.suppress(OSError):
            total += Path(item.resolved or item.path).stat().st_size
        groups[-1].append(item)
        if total >= PART_BYTES:
            groups.append([])
            total = 0
    return [group for group in groups if group]
