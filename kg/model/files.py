"""Files are the source of truth: find them, parse them, load each as its own named graph."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rdflib import Dataset, Graph
from rdflib import Literal as RdfLiteral

from kg.model import paths
from kg.model.errors import InputError, UsageError
from kg.model.namespaces import GRAPH, new_graph

FileKind = Literal["ontology", "shapes", "data"]

# File suffix -> rdflib parser name. Quad formats carry their own graphs.
FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}
FORMAT_NAMES: dict[str, str] = {
    "turtle": "turtle",
    "ttl": "turtle",
    "trig": "trig",
    "ntriples": "nt",
    "nt": "nt",
    "nquads": "nquads",
    "nq": "nquads",
    "jsonld": "json-ld",
    "json-ld": "json-ld",
    "rdfxml": "xml",
    "xml": "xml",
}
QUAD_FORMATS = {"trig", "nquads"}
# A data folder loads every file with one of these suffixes, in any case (.TTL too):
# every suffix kg can read (FORMATS). Other files (README.md, notes) are left alone.
DATA_SUFFIXES = tuple(FORMATS)

SHAPES_FILE = "shapes.ttl"


@dataclass(frozen=True)
class KnowledgeFile:
    """One file of the knowledge and the named graph it is loaded into."""

    path: Path
    graph: str
    kind: FileKind
    # The path with links and ".." followed, found once when the file is discovered:
    # resolving walks every folder of the path, and the index names files by it. Empty
    # for a file made by hand (kg.stores.index resolves it then).
    resolved: str = field(default="", compare=False, repr=False)

    @property
    def display(self) -> str:
        return display_path(self.path)


def display_path(path: Path) -> str:
    """A path as a user recognises it: relative to the project or the working directory."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        # A loop of links does not resolve; its folder does.
        resolved = path.parent.resolve() / path.name
    for base in (paths.project_root().resolve(), Path.cwd().resolve()):
        if resolved.is_relative_to(base):
            return str(resolved.relative_to(base))
    return str(path)


def graph_iri_for(path: Path, data_root: Path | None = None) -> str:
    """The named graph of a file: its path below the project (or its data folder's parent)."""
    parent = None if data_root is None else _folder_prefix(data_root.resolve().parent)
    return _graph_iri(str(path.resolve()), _folder_prefix(paths.project_root().resolve()), parent)


def _folder_prefix(folder: Path) -> str:
    """A resolved folder as the start of the paths below it ("/" stays "/")."""
    text = str(folder)
    return text if text.endswith(os.sep) else text + os.sep


def _graph_iri(resolved: str, project: str, data_parent: str | None) -> str:
    """graph_iri_for from strings already resolved: thousands of files are named per
    run, and resolving a path costs a system call per folder on the way."""
    if resolved.startswith(project):
        relative = resolved[len(project) :]
    elif data_parent is not None and resolved.startswith(data_parent):
        relative = resolved[len(data_parent) :]
    else:
        relative = resolved.rsplit(os.sep, 1)[-1]
    # Percent-encoded: a file may be called "race 1.ttl", 'a"b.ttl' or "a>b.ttl", none
    # of which may stand in an IRI as it is.
    from urllib.parse import quote

    folder, _, name = relative.rpartition(os.sep)
    stem = name[: -len(_suffix(name))] if _suffix(name) else name  # Path.with_suffix("")
    if folder:
        stem = folder.replace(os.sep, "/") + "/" + stem
    return str(GRAPH) + quote(stem, safe="/-._~!$&'()*+,;=:@")


def rdf_format(path: Path, format_name: str | None = None) -> str:
    """The rdflib parser for a file, from `--format` or else the file's suffix."""
    if format_name is not None:
        parser = FORMAT_NAMES.get(format_name.lower())
        if parser is None:
            raise UsageError(
                f"unknown RDF format {format_name!r}: use one of "
                "turtle, trig, ntriples, nquads, jsonld, rdfxml"
            )
        return parser
    parser = FORMATS.get(path.suffix.lower())
    if parser is None:
        raise UsageError(
            f"{display_path(path)}: cannot tell the RDF format from the suffix {path.suffix!r}; "
            "name it with --input-format (turtle, trig, ntriples, nquads, jsonld, rdfxml)"
        )
    return parser


def parse_file(path: Path, format_name: str | None = None) -> Graph:
    """Parse one file into a graph (quad formats: the union of their graphs).

    Any problem becomes an InputError naming the file, the line where the parser
    gives one, and what it expected.
    """
    parser = rdf_format(path, format_name)
    if not is_readable_file(path):
        raise InputError(f"{display_path(path)}: not a file")
    return _parse_bytes(path, read_bytes(path), parser)


def is_readable_file(path: Path) -> bool:
    """Whether `path` is a file (following links); an InputError naming it when it does
    not exist or cannot be looked at (a folder on the way that may not be read, a loop
    of links): Path.exists() raises on those, which ended in a traceback."""
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError as error:
        raise InputError(f"{display_path(path)}: no such file") from error
    except OSError as error:
        raise InputError(f"{display_path(path)}: cannot be read: {error.strerror}") from error
    return stat.S_ISREG(mode)


def read_bytes(path: Path) -> bytes:
    """A knowledge file's bytes; an InputError naming it when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"{display_path(path)}: cannot be read: {error.strerror}") from error


def _parse_bytes(path: Path, data: bytes, parser: str) -> Graph:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{display_path(path)}: not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from error
    return parse_text(text, parser, source_name=display_path(path), base=path.resolve().as_uri())


# Graphs this process has parsed, by file, format and content (parse_unchanged).
_PARSED: OrderedDict[tuple[str, str, bytes], Graph] = OrderedDict()
_PARSED_FILES = 64


def parse_unchanged(path: Path) -> Graph:
    """parse_file, but a file whose bytes this process has already parsed is not parsed
    again: the graph is shared between callers, who must only read it.

    rdflib's Turtle parser takes about 1.4 s for the bundled data; a process that opens
    the knowledge more than once (a library user, `kg serve`, the test suite) pays it
    once per version of each file. The key is the content's SHA-256, not the time it
    was modified: a file rewritten within the same tick is never mistaken for the old one.
    """
    import hashlib

    parser = rdf_format(path)
    if not path.is_file():
        return parse_file(path)  # its error: no such file, not a file
    data = read_bytes(path)
    key = (str(path.resolve()), parser, hashlib.sha256(data).digest())
    graph = _PARSED.get(key)
    if graph is None:
        graph = _parse_bytes(path, data, parser)
        _PARSED[key] = graph
        while len(_PARSED) > _PARSED_FILES:
            _PARSED.popitem(last=False)
    else:
        _PARSED.move_to_end(key)
    return graph


def parse_text(text: str, parser: str, source_name: str, base: str | None = None) -> Graph:
    if parser in QUAD_FORMATS:
        dataset = Dataset()
        _parse_into(dataset, text, parser, source_name, base)
        graph = new_graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    graph = new_graph()
    _parse_into(graph, text, parser, source_name, base)
    _refuse_impossible_iris(graph, text, source_name)
    return graph


def _refuse_impossible_iris(graph: Graph, text: str, source_name: str) -> None:
    """An InputError naming the file and the term no RDF may hold where it stands: an
    IRI with a character no IRI may hold, a literal as subject or predicate. rdflib's
    parsers let them through; the stores refuse them later with a traceback
    (Oxigraph: "Invalid IRI code point", "'Literal' object is not ... 'NamedNode'")."""
    from rdflib import URIRef

    from kg.model.namespaces import NOT_IN_IRI

    iris: set[URIRef] = set()
    for triple in graph:
        subject, predicate, value = triple
        if not isinstance(predicate, URIRef) or isinstance(subject, RdfLiteral):
            where = "predicate" if not isinstance(predicate, URIRef) else "subject"
            shown = str(predicate if where == "predicate" else subject)[:60]
            raise InputError(
                f"{source_name}: {shown!r} stands as a {where}, where only an IRI may "
                "(check the punctuation before it: a missing ';' or '.')"
            )
        iris.add(predicate)
        for term in (subject, value):
            if isinstance(term, URIRef):
                iris.add(term)
        if isinstance(value, RdfLiteral) and value.datatype is not None:
            iris.add(value.datatype)
    for iri in iris:
        if (bad := NOT_IN_IRI.search(iri)) is not None:
            raise InputError(
                f"{source_name}: the IRI {str(iri)[:80]!r} holds {bad.group()!r}, which "
                "no IRI may hold; percent-encode it or write a prefixed name"
            )


def _parse_into(target: Graph, text: str, parser: str, source_name: str, base: str | None) -> None:
    if parser == "json-ld":
        _refuse_remote_context(text, source_name)
    try:
        target.parse(data=text, format=parser, publicID=base)
    except Exception as error:  # rdflib parsers raise many unrelated types
        raise InputError(f"{source_name}: {_describe_parse_error(error, parser)}") from error


def _refuse_remote_context(text: str, source_name: str) -> None:
    import json

    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{source_name}: line {error.lineno}, column {error.colno}: not valid JSON: {error.msg}"
        ) from error

    def contexts(node: object) -> list[object]:
        found: list[object] = []
        if isinstance(node, dict):
            if "@context" in node:
                found.append(node["@context"])
            for value in node.values():
                found.extend(contexts(value))
        elif isinstance(node, list):
            for item in node:
                found.extend(contexts(item))
        return found

    def remote(context: object) -> bool:
        if isinstance(context, str):
            return True
        if isinstance(context, list):
            return any(remote(item) for item in context)
        return False

    if any(remote(context) for context in contexts(document)):
        raise InputError(
            f"{source_name}: the JSON-LD names a remote @context, and nothing is fetched "
            "from the web; inline the context (kg export --format jsonld writes one inline)"
        )


def _describe_parse_error(error: Exception, parser: str) -> str:
    from rdflib.plugins.parsers.notation3 import BadSyntax

    if isinstance(error, BadSyntax):
        # BadSyntax keeps the line (0-based) and a window of the text around the problem.
        line = int(getattr(error, "lines", 0)) + 1
        why = getattr(error, "_why", "") or "bad syntax"
        return f"line {line}: {why} (the {parser} parser could not read what follows)"
    position = getattr(error, "lineno", None) or getattr(error, "line", None)
    if isinstance(position, int):
        return f"line {position}: {error}"
    message = str(error).strip() or type(error).__name__
    return f"not valid {parser}: {message}"


def discover(
    data_dirs: Sequence[Path] | None = None, include_ontology: bool = True
) -> list[KnowledgeFile]:
    """Every file of the knowledge, in a stable order: ontology first, then data.

    Each folder is resolved once, and the files below it are named from it: no
    system call per file but for links (every command pays for this walk).
    """
    found: list[KnowledgeFile] = []
    project = _folder_prefix(paths.project_root().resolve())
    if include_ontology:
        for path in sorted(paths.ontology_dir().glob("*.ttl")):
            kind: FileKind = "shapes" if path.name == SHAPES_FILE else "ontology"
            resolved = str(path.resolve())
            found.append(KnowledgeFile(path, _graph_iri(resolved, project, None), kind, resolved))
    for data_root in data_dirs if data_dirs is not None else paths.default_data():
        try:
            if is_readable_file(data_root):
                resolved = str(data_root.resolve())
                graph = _graph_iri(resolved, project, None)
                found.append(KnowledgeFile(data_root, graph, "data", resolved))
                continue
        except InputError as error:
            listed = data_dirs is None and os.environ.get(paths.DATA_ENV, "").strip()
            if listed and "no such file" in str(error):
                raise InputError(
                    f"{data_root}: no such data folder or file (listed in {paths.DATA_ENV})"
                ) from error
            if "no such file" in str(error):
                raise InputError(f"{data_root}: no such data folder or file") from error
            raise
        real_root = data_root.resolve()
        parent = _folder_prefix(real_root.parent)
        found += [
            KnowledgeFile(path, _graph_iri(resolved, project, parent), "data", resolved)
            for path, resolved in _data_files(data_root, str(real_root))
        ]
    _refuse_duplicate_graphs(found)
    return found


def _data_files(root: Path, real_root: str) -> list[tuple[Path, str]]:
    """The data files under a folder, in path order, each with its resolved path; a
    folder that cannot be read is an error naming it (rglob skipped it without a word:
    "0 entities checked ... conforms")."""

    if not root.is_dir():
        raise InputError(f"{display_path(root)}: neither a data folder nor a file")
    found: list[tuple[Path, str]] = []
    _walk(str(root), real_root, found)
    return found


def _walk(folder: str, real_folder: str, found: list[tuple[Path, str]]) -> None:
    """Add the data files below `folder` (resolved: `real_folder`) to `found`.

    As os.walk did: links to folders are not followed, links to files are. A folder
    reached this way is real, so a file in it that is no link resolves to the real
    folder plus its name: only links are stat-ed and resolved."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        where = Path(error.filename) if error.filename else Path(folder)
        raise InputError(f"{display_path(where)}: cannot be read: {error.strerror}") from error
    for entry in entries:
        wanted = _suffix(entry.name) in DATA_SUFFIXES
        if entry.is_symlink():
            # A link: followed to a file (whose resolved path is its own), never to a folder.
            if wanted and not _is_folder(entry):
                path = Path(entry.path)
                if is_readable_file(path):
                    found.append((path, str(path.resolve())))
        elif _is_folder(entry):
            _walk(entry.path, real_folder + os.sep + entry.name, found)
        elif wanted and entry.is_file():
            found.append((Path(entry.path), real_folder + os.sep + entry.name))


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False  # as os.walk: what cannot be looked at is no folder to descend


def _suffix(name: str) -> str:
    """Path(name).suffix.lower(), without making a Path."""
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def _refuse_duplicate_graphs(files: Sequence[KnowledgeFile]) -> None:
    seen: dict[str, KnowledgeFile] = {}
    for item in files:
        other = seen.get(item.graph)
        if other is not None:
            raise InputError(
                f"{item.display} and {other.display} would both load into the graph "
                f"<{item.graph}>; rename one of them"
            )
        seen[item.graph] = item


def graphs_of_kind(files: Sequence[KnowledgeFile], *kinds: FileKind) -> list[str]:
    return [item.graph for item in files if item.kind in kinds]


def file_for_graph(files: Sequence[KnowledgeFile], graph: str) -> KnowledgeFile | None:
    for item in files:
        if item.graph == graph:
            return item
    return None
