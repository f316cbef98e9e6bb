"""`kg build`: load, infer, validate, query, export and draw, into a static site.

Everything is computed in memory first and written at the end, each file
through a temporary file and a rename that is skipped when the bytes are the
same: a failing step leaves the previous site as it was, and a re-run with
nothing changed rewrites nothing. Nothing in the output depends on the clock.

The site records what it wrote, with checksums, in a manifest
(`.kg-build.json`): files an earlier build wrote and this one no longer produces
are removed, and a file is replaced or removed only while it holds the bytes kg
wrote. Files someone else made or changed are kept and reported; a non-empty
folder kg did not build into is refused unless `overwrite` (kg.outputs.site.out_folder).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.outputs.site import downloads
from kg.outputs.site.index import index as index_page
from kg.outputs.site.layout import STYLE
from kg.outputs.site.out_folder import MANIFEST, Kept, open_out_folder, write_site
from kg.outputs.site.queries import run_queries

if TYPE_CHECKING:
    from kg.knowledge.project import Knowledge

__all__ = ["MANIFEST", "STEPS", "BuildResult", "build"]

STEPS = (
    "validating",
    "running the saved queries",
    "exporting",
    "drawing the pictures",
    "writing the ontology reference",
    "writing the entity pages",
    "writing the site",
)

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: files relative to `out`, and what changed on disk."""

    out: Path
    passes: bool  # no shape violated (warnings may remain); what the exit code follows
    validation_summary: str
    files: tuple[str, ...]
    written: tuple[str, ...]
    removed: tuple[str, ...]
    failed_queries: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what the site leaves out, and why (kg build: stderr)
    kept: tuple[Kept, ...] = ()  # files kg did not replace or remove, and why (stderr)

    @property
    def unchanged(self) -> int:
        not_written = {kept.path for kept in self.kept} & set(self.files)
        return len(self.files) - len(self.written) - len(not_written)

    @property
    def exit_code(self) -> int:
        from kg.model.errors import EXIT_INPUT, EXIT_NOT_CONFORMING, EXIT_OK

        if self.failed_queries:
            return EXIT_INPUT
        return EXIT_OK if self.passes else EXIT_NOT_CONFORMING


def build(
    knowledge: Knowledge,
    out: Path,
    inference: str = "none",
    lang: str = "en",
    progress: Progress | None = None,
    overwrite: bool = False,
) -> BuildResult:
    """Build the site into `out`. Validation failing does not stop the build:
    the report is written and the site is marked as failing.

    `overwrite`: write into a non-empty folder kg did not build into, and replace
    files someone changed since kg wrote them (nothing kg did not write is removed)."""
    from kg.validation.checking import validate_knowledge
    from kg.validation.report import as_json, as_text, summary_line

    folder = open_out_folder(out, overwrite)  # before minutes of work, not after

    def step(index: int) -> None:
        if progress is not None:
            progress(index + 1, len(STEPS), STEPS[index])

    files: dict[str, bytes] = {}
    step(0)
    # The engine `kg validate` uses by default, so that validation.txt is what it prints
    # (pyshacl here took 60 of the 90 s of a build of the bundled knowledge).
    report = validate_knowledge(knowledge, inference=inference, engine="auto")
    files["validation.txt"] = as_text(report).encode("utf-8")
    files["validation.json"] = as_json(report).encode("utf-8")

    step(1)
    query_pages = run_queries(knowledge, lang, files)

    step(2)
    exports = downloads.exports(knowledge, inference, files)

    step(3)
    pictures = downloads.pictures(knowledge, lang, files)

    step(4)
    downloads.ontology_page(knowledge, files)

    step(5)
    pages = _entity_pages(knowledge, lang, files)

    step(6)
    files["style.css"] = STYLE.encode("utf-8")
    files["index.html"] = index_page(
        knowledge, report, summary_line(report), query_pages, exports, pictures, lang, pages
    ).encode("utf-8")
    changed = write_site(folder, files)
    return BuildResult(
        out=out,
        passes=report.passes,
        validation_summary=summary_line(report),
        files=tuple(sorted(files)),
        written=changed.written,
        removed=changed.removed,
        kept=changed.kept,
        failed_queries=tuple(p.note for p in query_pages if p.note.startswith("FAILED")),
        notes=tuple(f"{p.title}: {p.detail}" for p in pictures if not p.path),
    )


def _entity_pages(knowledge: Knowledge, lang: str, files: dict[str, bytes]) -> dict[str, str]:
    """A briefing page for every entity the home page lists."""
    from kg.outputs.site.downloads import curated_graphs
    from kg.outputs.site.entities import entity_pages
    from kg.outputs.site.home import curated_entities

    graphs = curated_graphs(knowledge)
    listed = curated_entities(knowledge, graphs)
    iris = {iri for members in listed.values() for iri in members}
    return entity_pages(knowledge, iris, lang, files, cars_in=graphs)
