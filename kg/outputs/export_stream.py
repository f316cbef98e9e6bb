"""`kg export --stream`: whole graphs written as Oxigraph serialises them, for big graphs.

The stable export (kg.outputs.export) sorts every line and names blank nodes after
their content, which needs every triple in Python; at a million triples that
takes minutes. A streamed export writes the selected named graphs one after
the other and never holds them all:

- Turtle and N-Triples: the union of the graphs, graph after graph (a triple
  found in two graphs is written twice, which RDF reads as once);
- N-Quads and TriG: each graph kept under its own name;
- the same statements as the stable export, not the same bytes;
- literals as Oxigraph writes them, but NEL, U+2028 and U+2029 escaped, as in
  the stable export, so that no tool that splits lines there cuts a literal.

A graph loaded from a file in this run (the index, `memory`) is written from
its file, parsed again by Oxigraph: several times faster than reading the
database back. For a Turtle export from the index, a Turtle or N-Triples file
that Oxigraph read when the index was built and that has no labelled blank
nodes is copied as it is, after an `@base` line with its own address (its
prefixes and relative IRIs mean what they meant in the file): no parsing at
all. Big selections are split over one worker process per core. A server's
graphs are read from the server. See docs/export-and-build.md.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from kg.model.errors import InputError, UsageError
from kg.model.fileio import replacing, shown
from kg.model.namespaces import PREFIXES

if TYPE_CHECKING:
    from kg.knowledge.project import Knowledge
    from kg.model.files import KnowledgeFile
    from kg.stores.base import Store

STREAM_FORMATS: tuple[str, ...] = ("turtle", "ntriples", "nquads", "trig")


def stream(knowledge: Knowledge, graphs: Sequence[str], format_name: str, output: IO[bytes]) -> int:
    """Write `graphs` of the knowledge to `output` in `format_name`; returns the statements.

    A graph loaded from a file in this run (the index and `memory`) is written
    from its file, parsed again by Oxigraph: faster than reading a database back,
    and the same statements. A server's graphs are read from the server.
    """
    if format_name not in STREAM_FORMATS:
        raise UsageError(
            f"--stream writes {', '.join(STREAM_FORMATS)}, not {format_name}; "
            "drop --stream for the stable export"
        )
    from kg.stores.sparql_store import SparqlStore

    if format_name in ("turtle", "trig"):
        output.write(_PREFIX_LINES)
    from_files = not isinstance(knowledge.store, SparqlStore)
    files = [knowledge.file_of(name) for name in graphs] if from_files else []
    if from_files and all(item is not None for item in files):
        chosen = [item for item in files if item is not None]
        copies = _copyable(knowledge.store, chosen) if format_name == "turtle" else {}
        return _write_files(
            chosen, format_name, output, [copies.get(item.graph) for item in chosen]
        )
    statements = 0
    for name in graphs:
        chunk, count = _chunk(_graph_triples(knowledge.store, name), name, format_name)
        output.write(chunk)
        statements += count
    return statements


# Every project prefix, declared once: finding the ones used would read everything twice.
_PREFIXES = sorted(PREFIXES.items())
_PREFIX_LINES = b"".join(f"@prefix {p}: <{iri}> .\n".encode() for p, iri in _PREFIXES)

# Below this much source, one process writes everything; above, one process per core.
PARALLEL_BYTES = 8 * 1024 * 1024


def _copyable(store: Store, files: Sequence[KnowledgeFile]) -> dict[str, int]:
    """Graph -> triple count, for the files a Turtle export may copy as they are: Turtle
    or N-Triples that Oxigraph's parser read when the index was built, unchanged since
    (same size and times as in the index's manifest)."""
    from kg.model.files import rdf_format
    from kg.stores.index import manifest_key
    from kg.stores.manifest import read_manifest
    from kg.stores.oxigraph_store import OxigraphStore

    if not isinstance(store, OxigraphStore):
        return {}
    manifest = read_manifest(store.manifest_path)
    if manifest is None:
        return {}
    copyable: dict[str, int] = {}
    for item in files:
        entry = manifest.entries.get(manifest_key(item))
        if entry is None or not entry.native or entry.graph != item.graph:
            continue
        if rdf_format(item.path) not in ("turtle", "nt"):
            continue
        try:
            stat = item.path.stat()
        except OSError:
            continue  # the parse below says what is wrong
        if (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns) == (
            entry.size,
            entry.mtime_ns,
            entry.ctime_ns,
        ):
            copyable[item.graph] = entry.triples
    return copyable


def _write_files(
    files: Sequence[KnowledgeFile],
    format_name: str,
    output: IO[bytes],
    copies: Sequence[int | None],
) -> int:
    """`copies`: per file, its triple count when it may be copied as it is, else None."""
    from kg.stores.parallel import map_in_processes, workers

    sizes = [item.path.stat().st_size for item in files]
    total = sum(sizes)
    count = workers()
    if count < 2 or total < PARALLEL_BYTES or len(files) < 2 or all(c is not None for c in copies):
        return _files_to(files, format_name, output, copies)
    # Contiguous runs of files keep the graphs in order; one run per worker. A file
    # copied as it is costs little next to one parsed, so only those count.
    weights = [
        0 if copied is not None else size for size, copied in zip(sizes, copies, strict=True)
    ]
    runs: list[list[int]] = [[] for _ in range(count)]
    share, so_far = max(sum(weights), 1) / count, 0
    for number, weight in enumerate(weights):
        runs[min(int(so_far // share), count - 1)].append(number)
        so_far += weight
    with tempfile.TemporaryDirectory(prefix="kg-export-") as folder:
        parts = [Path(folder) / f"part-{number}" for number in range(count)]
        counts = map_in_processes(
            _files_to_path,
            [[files[n] for n in run] for run in runs],
            [format_name] * count,
            parts,
            [[copies[n] for n in run] for run in runs],
            [number == 0 for number in range(count)],
        )
        for part in parts:
            with part.open("rb") as stream_in:
                shutil.copyfileobj(stream_in, output, 1 << 20)
    return sum(counts)


def _files_to_path(
    files: Sequence[KnowledgeFile],
    format_name: str,
    path: Path,
    copies: Sequence[int | None],
    first: bool,
) -> int:
    with path.open("wb") as output:
        # A later part follows what the part before it ended with, maybe a copied file.
        return _files_to(files, format_name, output, copies, declared=first)


def _files_to(
    files: Sequence[KnowledgeFile],
    format_name: str,
    output: IO[bytes],
    copies: Sequence[int | None],
    declared: bool = True,
) -> int:
    """`declared`: the project's prefixes are in force where this output starts."""
    statements = 0
    # A copied file may declare its own prefixes and base: the project's prefixes are
    # declared again before the next chunk that Oxigraph wrote with them.
    for item, copied in zip(files, copies, strict=True):
        data = _bytes_of(item) if copied is not None else None
        if copied is not None and data is not None and b"_:" not in data:
            # The file's own text: its blank nodes are all anonymous ([] and
            # lists), so they cannot meet another file's.
            output.write(b"\n@base <" + item.path.resolve().as_uri().encode() + b"> .\n")
            output.write(line_safe(data.removeprefix(b"\xef\xbb\xbf")))
            output.write(b"\n")
            statements += copied
            declared = False
            continue
        chunk, count = _chunk(_file_triples(item), item.graph, format_name)
        if format_name in ("turtle", "trig") and not declared:
            output.write(_PREFIX_LINES)
            declared = True
        output.write(chunk)
        statements += count
    return statements


def _bytes_of(item: KnowledgeFile) -> bytes | None:
    try:
        return item.path.read_bytes()
    except OSError:
        return None  # parsing it names the problem


def _file_triples(item: KnowledgeFile) -> list[Any]:
    """The triples of one file as pyoxigraph terms (quad formats: their union).

    Oxigraph's parser gives quads in the default graph for triple formats; the
    serialisers take those as they are.
    """
    import pyoxigraph

    from kg.model.files import parse_file, rdf_format
    from kg.stores.index import NATIVE_FORMATS, QUAD_FORMATS

    name = rdf_format(item.path)
    native = NATIVE_FORMATS.get(name)
    if native is not None:
        try:
            parsed = list(
                pyoxigraph.parse(
                    path=str(item.path),
                    format=getattr(pyoxigraph.RdfFormat, native),
                    base_iri=item.path.resolve().as_uri(),
                    rename_blank_nodes=True,
                )
            )
        except (SyntaxError, ValueError, OSError):
            pass  # rdflib below names the line, or accepts what Oxigraph refuses
        else:
            if name in QUAD_FORMATS:
                return [pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in parsed]
            return parsed
    from kg.stores.terms import to_oxigraph

    return [
        pyoxigraph.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))
        for s, p, o in parse_file(item.path)
    ]


def _graph_triples(store: Store, name: str) -> list[Any]:
    """One graph of a store (a server's, or one no file gave) as pyoxigraph triples."""
    import pyoxigraph

    from kg.stores.terms import to_oxigraph

    return [
        pyoxigraph.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))
        for s, p, o, _ in store.quads([name])
    ]


def _chunk(triples: list[Any], graph: str, format_name: str) -> tuple[bytes, int]:
    """One graph's triples in `format_name`, and how many there were."""
    import pyoxigraph

    if format_name in ("ntriples", "nquads"):
        lines = _serialized(triples, pyoxigraph.RdfFormat.N_TRIPLES)
        if format_name == "nquads":
            # N-Triples lines end in " .\n" (newlines inside literals are escaped).
            lines = lines.replace(b" .\n", b" <" + graph.encode() + b"> .\n")
        return lines, len(triples)
    body = _without_prefixes(_serialized(triples, pyoxigraph.RdfFormat.TURTLE))
    if format_name == "trig":
        return b"\n<" + graph.encode() + b"> {\n" + body + b"}\n", len(triples)
    return b"\n" + body, len(triples)


def _serialized(triples: list[Any], rdf_format: Any) -> bytes:
    import pyoxigraph

    data = pyoxigraph.serialize(triples, format=rdf_format, prefixes=dict(_PREFIXES))
    assert data is not None  # no output given: the bytes are returned
    return line_safe(data)


# NEL, U+2028 and U+2029 in UTF-8. Oxigraph writes them as they are, as canonical
# N-Triples does; tools that split lines at them (Python's str.splitlines) would cut a
# literal. In these formats they can only stand in a string, an IRI or a comment,
# where the escape means the same.
_LINE_ENDS = (
    (b"\xc2\x85", b"\\u0085"),
    (b"\xe2\x80\xa8", b"\\u2028"),
    (b"\xe2\x80\xa9", b"\\u2029"),
)


def line_safe(data: bytes) -> bytes:
    """`data` (N-Triples, N-Quads, Turtle or TriG) with NEL, U+2028 and U+2029 escaped."""
    for raw, escaped in _LINE_ENDS:
        if raw in data:
            data = data.replace(raw, escaped)
    return data


def _without_prefixes(text: bytes) -> bytes:
    """Oxigraph's Turtle without the @prefix lines it writes first (they are written once)."""
    start = 0
    while text.startswith(b"@prefix ", start):
        end = text.find(b"\n", start)
        if end < 0:
            return b""
        start = end + 1
    return text[start:]


def stream_to_file(write: Callable[[IO[bytes]], int], path: Path) -> int:
    """Run `write` into a temporary file beside `path`, then rename: never half-written.

    Mode, owner and symbolic links are kept as kg.model.fileio says."""
    try:
        with replacing(path, buffering=1 << 20) as handle:
            return write(handle)
    except OSError as error:
        raise InputError(
            f"{shown(path)}: cannot be written ({error.strerror or error}); "
            "check that the folder exists and is writable"
        ) from error
