"""Converting files and writing them: `convert`, `import_files` and the import report."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg import __version__
from kg.importers.imsa.mapping import MAX_DRIVERS, laps, results, weather
from kg.importers.imsa.reading import (
    file_context,
    find_csv_files,
    is_whole_number,
    read_source,
    read_table,
    required_columns,
)
from kg.importers.imsa.triples import Builder, Triple
from kg.importers.resolution import DriverName, Note, Resolver
from kg.model.errors import InputError
from kg.model.fileio import write_atomically
from kg.model.namespaces import MSR, PREFIXES

# --- Results -------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedFile:
    """One CSV converted: where its RDF went and whether the bytes changed."""

    source: Path
    output: Path
    kind: str
    triples: int
    written: bool
    sha256: str


@dataclass(frozen=True)
class FailedFile:
    source: Path
    message: str


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[ImportedFile, ...]
    failed: tuple[FailedFile, ...]
    notes: tuple[Note, ...]

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class Converted:
    """A CSV turned into triples and Turtle text, not yet written."""

    source: Path
    output: Path
    kind: str
    triples: tuple[Triple, ...]
    turtle: str
    sha256: str
    notes: tuple[Note, ...]


# --- Converting and writing ----------------------------------------------------------------------


def convert(path: Path, resolver: Resolver) -> Converted:
    """Read one CSV and build its RDF; raises InputError and writes nothing on bad input."""
    context = file_context(path)
    data = read_source(path)
    required, kind = required_columns(context, data)
    table = read_table(path, required, data)
    document = MSR[f"{context.document_key}"]
    builder = Builder(document, context.document_key, resolver.label_rules())
    resolver.take_notes()
    if kind == "weather":
        weather(table, context, resolver, builder)
    elif kind == "laps":
        laps(table, context, resolver, builder)
    else:
        results(table, context, resolver, builder, race=kind == "race results")
    for iri, label in builder.named.items():
        # Later files of the run link to what this one labelled.
        resolver.minted.setdefault(iri, label)
    triples = tuple(sorted(builder.triples, key=_sort_key))
    header = (
        f"# Imported by kg import imsa {__version__} from {context.folder_key}/{path.name}\n"
        f"# (sha256 {hashlib.sha256(data).hexdigest()}). Generated: do not edit; re-import.\n"
    )
    return Converted(
        source=path,
        output=context.output_relative,
        kind=kind,
        triples=triples,
        turtle=header + to_turtle(triples),
        sha256=hashlib.sha256(data).hexdigest(),
        notes=tuple(resolver.take_notes()),
    )


def _sort_key(triple: Triple) -> tuple[str, int, str, str]:
    subject, predicate, obj = triple
    # rdf:type first in each subject's block, then predicates and objects in order.
    return (str(subject), 0 if predicate == RDF.type else 1, str(predicate), obj.n3())


def to_turtle(triples: Sequence[Triple]) -> str:
    """Sorted triples as Turtle, written by pyoxigraph (rdflib is ~20x slower here).

    pyoxigraph writes in the order given and groups a subject's triples, so
    sorted input gives the same bytes on every run.
    """
    import pyoxigraph as ox

    def term(node: Node) -> ox.NamedNode | ox.Literal:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        assert isinstance(node, Literal)
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))

    used = {"ms", "msr", "msv", "rdf", "skos", "xsd", "dcterms", "prov", "schema"}
    prefixes = {name: iri for name, iri in PREFIXES.items() if name in used}
    converted = [
        ox.Triple(term(s), term(p), term(o))  # type: ignore[arg-type]
        for s, p, o in triples
    ]
    output = ox.serialize(converted, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert isinstance(output, bytes)
    return output.decode("utf-8")


def documents_of(paths: Sequence[Path]) -> list[str]:
    """The document IRI each CSV of `paths` is imported as (its graph's ms:ResultsFile)."""
    found = []
    for path in find_csv_files(paths):
        try:
            found.append(str(MSR[file_context(path).document_key]))
        except InputError:
            continue  # reported when the file itself is converted
    return found


def _convert_all(
    files: Sequence[Path],
    resolver: Resolver,
    keep_going: bool,
    progress: Callable[[int, int, Path], None] | None,
) -> tuple[list[Converted], list[FailedFile]]:
    converted: list[Converted] = []
    failed: list[FailedFile] = []
    for number, path in enumerate(files, start=1):
        if progress is not None:
            progress(number, len(files), path)
        named = dict(resolver.minted)
        try:
            converted.append(convert(path, resolver))
        except InputError as error:
            # A file that is not written names nothing: the next file labels its entities.
            resolver.minted = named
            failed.append(FailedFile(path, error.message))
            if not keep_going:
                break
    return converted, failed


def published_drivers(path: Path) -> list[tuple[DriverName, str]]:
    """The drivers a results file names, with their IMSA ids (nothing for other files,
    or for a file that cannot be read: converting it reports why)."""
    import csv

    if not path.name.endswith("-results.csv"):
        return []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error):
        return []
    found = []
    for row in rows:
        for index in range(1, MAX_DRIVERS + 1):
            first = (row.get(f"DRIVER{index}_FIRSTNAME") or "").strip()
            last = (row.get(f"DRIVER{index}_SECONDNAME") or "").strip()
            imsa_id = (row.get(f"DRIVER{index}_IMSA_DriverId") or "").strip()
            country = (row.get(f"DRIVER{index}_COUNTRY") or "").strip()
            if (first or last) and is_whole_number(imsa_id):
                found.append((DriverName(first, last, imsa_id), country))
    return found


def import_files(
    paths: Sequence[Path],
    out_dir: Path,
    resolver: Resolver,
    keep_going: bool = False,
    progress: Callable[[int, int, Path], None] | None = None,
) -> ImportReport:
    """Convert every file first, then write: a bad file is never half-imported.

    Without `keep_going`, one bad file stops the import before anything is
    written; with it, the good files are written and the bad ones listed.
    """
    files = find_csv_files(paths)
    for path in files:
        resolver.learn_names(published_drivers(path))
    settled = resolver.settle_names()
    start = resolver.state()
    converted, failed = _convert_all(files, resolver, keep_going, progress)
    early = resolver.ids_created_too_early()
    if early:
        # A later file linked a driver's IMSA id to a known person (the article's
        # "Calado" by surname rule at Daytona) after an earlier file had created
        # imsa-driver-<id> for it: read them all again, knowing the id.
        resolver.restore(start)
        resolver.know_ids(early)
        converted, failed = _convert_all(files, resolver, keep_going, progress)
    if failed and not keep_going:
        return ImportReport((), tuple(failed), tuple(settled))
    imported = []
    notes: list[Note] = list(settled)
    for item in converted:
        target = out_dir / item.output
        written = write_atomically(target, item.turtle)
        imported.append(
            ImportedFile(item.source, target, item.kind, len(item.triples), written, item.sha256)
        )
        notes.extend(item.notes)
    return ImportReport(tuple(imported), tuple(failed), tuple(dict.fromkeys(notes)))
