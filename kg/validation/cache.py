"""Incremental validation: re-check only what a change to some files can affect.

The previous results are cached per file (graph) together with each file's
sha256, and a compressed copy of each file's content is kept beside the cache
(by its sha256). On the next `kg validate --changed`:

- if the shapes or the ontology changed, or there is no cache: validate fully;
- otherwise the changed (added, edited, removed) files give the changed
  triples: the file as it was (the kept copy) against the file as it is;
- the affected focus nodes are those the shapes reach the changed triples from,
  found by walking back from each changed triple along the patterns the shapes
  read (kg.validation.affected); shapes whose reads cannot be bounded so are
  re-checked on all their focus nodes;
- the new results for the affected nodes replace the cached ones for those
  nodes; all other cached results are kept.

It validates fully (and says why) where the changed triples cannot be told
exactly: a changed file with blank nodes (they are named anew at every parse),
a changed rdfs:subClassOf (it changes which nodes every sh:class accepts), or a
changed file whose earlier copy is missing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph
from rdflib.namespace import RDFS
from rdflib.term import Node

from kg.model.errors import UsageError
from kg.model.files import read_bytes
from kg.validation.affected import Reads, Triple, affected_nodes, reads_of
from kg.validation.evidence import with_evidence
from kg.validation.fast import (
    Evaluator,
    ShapesPlan,
    TripleIndex,
    build_index,
    compile_shapes,
    count_data_entities,
    index_from_oxigraph,
    validate_fast,
)
from kg.validation.shacl import ValidationReport, ValidationResult

if TYPE_CHECKING:
    from kg.knowledge.project import Knowledge
    from kg.model.files import KnowledgeFile
    from kg.validation.evidence import EvidenceFacts

# 2: the files' earlier versions kept as copies (not the IRIs they mention).
CACHE_VERSION = 2


# --- the cache on disk -----------------------------------------------------------


def result_to_json(result: ValidationResult) -> dict[str, Any]:
    return {
        "focus": result.focus,
        "focus_label": result.focus_label,
        "focus_type": result.focus_type,
        "severity": result.severity,
        "message": result.message,
        "path": result.path,
        "value": result.value,
        "shape": result.shape,
        "source_file": result.source_file,
    }


def result_from_json(data: Mapping[str, Any]) -> ValidationResult:
    from dataclasses import fields

    values: dict[str, Any] = {f.name: data.get(f.name) for f in fields(ValidationResult)}
    return ValidationResult(**values)


def read_cache(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return None
    return data


def write_cache(
    path: Path,
    schema_digest: str,
    files: Mapping[str, tuple[str, str]],
    report: ValidationReport,
) -> None:
    """The cache: per data file (graph) its sha256 and resolved path, and the results."""
    from kg.model.fileio import write_atomically

    payload = {
        "version": CACHE_VERSION,
        "schema": schema_digest,
        "files": {
            name: {"sha256": digest, "path": where}
            for name, (digest, where) in sorted(files.items())
        },
        "entities_checked": report.entities_checked,
        "results": [result_to_json(r) for r in report.results],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(payload, indent=1, sort_keys=True) + "\n")


def focus_key(node: Node) -> str:
    from kg.validation.shacl import shown

    return shown(node) if not isinstance(node, BNode) else "(a blank node)"


def merge(
    cached: Sequence[ValidationResult], fresh: Sequence[ValidationResult], rechecked: set[str]
) -> tuple[ValidationResult, ...]:
    kept = [r for r in cached if r.focus not in rechecked]
    merged = set(kept) | set(fresh)
    return tuple(
        sorted(
            merged,
            key=lambda r: (
                r.source_file or "",
                r.focus,
                r.severity,
                r.path or "",
                r.message,
                r.value or "",
            ),
        )
    )


# --- `kg validate` and `kg validate --changed` ---------------------------------------


def cache_location(knowledge: Knowledge) -> Path:
    """One cache per set of source folders, beside the default index's folder."""
    from kg.stores.config import default_index_location

    folders = sorted({item.path.resolve().parent for item in knowledge.files})
    index = default_index_location(folders)
    return index.parent / f"{index.name}-validation.json"


def _schema_digest(knowledge: Knowledge, shapes_files: Sequence[Path]) -> str:
    """What a cached report depends on besides the data: ontology, shapes and engine."""
    parts = [f"engine fast, cache {CACHE_VERSION}"]
    schema = [item.path for item in knowledge.files if item.kind in ("ontology", "shapes")]
    for path in sorted([*schema, *shapes_files]):
        parts.append(f"{path.resolve()} {_sha256(path.read_bytes())}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def validate_changed(
    knowledge: Knowledge,
    shapes_files: Sequence[Path],
    on_note: Callable[[str], None],
) -> ValidationReport:
    """`kg validate --changed`: re-check what the changed data files can affect.

    Falls back to a full validation (and says why) when there is no usable cache.
    Ends by writing the cache (atomically, once the report is complete), so the
    next run starts from this one.
    """
    from kg.validation.checking import shapes_graph

    shapes = shapes_graph(shapes_files, knowledge)
    plan = compile_shapes(shapes)
    if not plan.fully_supported:
        raise UsageError(
            "--changed needs the fast engine to support every shape "
            f"({plan.fallbacks[0].shape}: {plan.fallbacks[0].reason}); drop --changed"
        )
    files = [item for item in knowledge.files if item.kind == "data"]
    location = cache_location(knowledge)
    kept = _Kept(location.parent / f"{location.stem}-files")
    # Each file read once: its digest, and a copy kept for the next run's comparison.
    digests = {item.graph: kept.keep(read_bytes(item.path)) for item in files}
    schema = _schema_digest(knowledge, shapes_files)
    run = _changed_run(knowledge, shapes, plan)
    cache = read_cache(location)
    reason = _why_full(cache, schema)
    changed: list[str] = []
    triples: set[Triple] = set()
    if reason is None:
        assert cache is not None
        changed = _changed_files(cache["files"], digests)
        triples, reason = _changed_triples(cache["files"], changed, files, kept)
    if reason is None:
        assert cache is not None
        focus = _focus(run, reads_of(plan), triples) if changed else set()
        report = _merged_report(run, cache["results"], focus)
        on_note(
            f"--changed: {len(changed)} of {len(files)} data files changed; "
            f"re-checked {len(focus)} focus nodes"
        )
    else:
        on_note(f"--changed: full validation ({reason})")
        report = run.validate()
    # The evidence check reads text files, which no cached digest covers: it always
    # runs afresh, replacing the cached run's evidence results (it is cheap).
    report = with_evidence(report, run.evidence(knowledge))
    where = {item.graph: _where(item) for item in files}
    write_cache(location, schema, {g: (digests[g], where[g]) for g in digests}, report)
    kept.prune(set(digests.values()))
    return report


@dataclass(frozen=True)
class _ChangedRun:
    """What a `--changed` run reads once and each of its steps uses."""

    shapes: Graph
    plan: ShapesPlan
    index: TripleIndex
    source_files: dict[Node, str]
    entities: int
    # The data and ontology as rdflib graphs, when the store is not the index (the
    # evidence check reads them then; on the index it asks the store).
    graphs: tuple[Graph, Graph] | None

    def validate(self, focus: set[Node] | None = None) -> ValidationReport:
        """The fast engine on `focus` (None: on every focus node)."""
        return validate_fast(
            self.index,
            self.shapes,
            plan=self.plan,
            focus=focus,
            source_files=self.source_files,
            entities_checked=self.entities,
        )

    def evidence(self, knowledge: Knowledge) -> EvidenceFacts:
        from kg.validation.evidence import facts_of_knowledge

        if self.graphs is None:
            return facts_of_knowledge(knowledge, self.source_files)
        return facts_of_knowledge(knowledge, self.source_files, *self.graphs)


def _changed_run(knowledge: Knowledge, shapes: Graph, plan: ShapesPlan) -> _ChangedRun:
    """The index of the data, read straight from the on-disk index when the store is
    one (copying a big graph into rdflib first took longer than validating it)."""
    from kg.stores.oxigraph_store import OxigraphStore

    ontology = knowledge.ontology()
    if isinstance(knowledge.store, OxigraphStore):
        data_files = [item for item in knowledge.files if item.kind == "data"]
        index, entities, defined_in = index_from_oxigraph(
            knowledge.store.reader(), data_files, ontology
        )
        return _ChangedRun(shapes, plan, index, defined_in, entities, None)
    data = knowledge.data()
    index = build_index(data, ontology)
    defined = knowledge.defining_files()
    # The data's entities, as a full validation counts them.
    return _ChangedRun(shapes, plan, index, defined, count_data_entities(data), (data, ontology))


def _changed_files(old: Mapping[str, Any], digests: Mapping[str, str]) -> list[str]:
    """The files added, edited or removed since the cached run, sorted."""
    return sorted(
        name for name in set(old) | set(digests)
        if name not in old or name not in digests or old[name]["sha256"] != digests[name]
    )  # fmt: skip


def _changed_triples(
    old: Mapping[str, Any],
    changed: Sequence[str],
    files: Sequence[KnowledgeFile],
    kept: _Kept,
) -> tuple[set[Triple], str | None]:
    """The triples added or removed by the changed files (each file as it was against
    as it is), or the reason they cannot be told exactly."""
    now = {item.graph: item for item in files}
    triples: set[Triple] = set()
    for name in changed:
        before: Graph | None = None
        if name in old:
            earlier = kept.read(old[name]["sha256"])
            if earlier is None:
                return set(), "the earlier copy of a changed file is missing"
            before = _parsed(earlier, Path(old[name]["path"]))
        after = _parsed(read_bytes(now[name].path), now[name].path) if name in now else None
        was = set(before) if before is not None else set()
        is_now = set(after) if after is not None else set()
        difference = was ^ is_now
        if any(isinstance(term, BNode) for triple in was | is_now for term in triple):
            return set(), "a changed file holds blank nodes, which no two readings name alike"
        if any(predicate == RDFS.subClassOf for _, predicate, _ in difference):
            return set(), "a changed file states rdfs:subClassOf, which every sh:class reads"
        triples |= difference
    return triples, None


def _parsed(data: bytes, path: Path) -> Graph:
    from kg.model.files import display_path, parse_text, rdf_format

    text = data.decode("utf-8", errors="replace")
    return parse_text(text, rdf_format(path), display_path(path), base=path.as_uri())


def _focus(run: _ChangedRun, reads: Reads, triples: set[Triple]) -> set[Node]:
    """The focus nodes to re-check: those the shapes reach the changed triples from,
    and every focus node of the shapes whose reads have no bound."""
    focus = affected_nodes(run.index, reads, triples)
    evaluator = Evaluator(run.index, run.shapes)
    for shape in run.plan.shapes:
        if shape.node in reads.unbounded:
            focus |= evaluator.focus_nodes(shape)
    if any(isinstance(node, BNode) for node in focus):
        # Results name every blank node alike: re-check them all or none.
        focus |= {node for node in run.index.out if isinstance(node, BNode)}
    return focus


def _merged_report(
    run: _ChangedRun, cached_results: Iterable[Mapping[str, Any]], focus: set[Node]
) -> ValidationReport:
    """The fresh results for `focus` in place of the cached ones for those nodes."""
    fresh = run.validate(focus)
    cached = [result_from_json(item) for item in cached_results]
    results = merge(cached, fresh.results, {focus_key(node) for node in focus})
    return ValidationReport(
        results=results,
        entities_checked=run.entities,
        graph_maker=_no_report_graph,
    )


def _why_full(cache: Mapping[str, Any] | None, schema: str) -> str | None:
    if cache is None:
        return "no earlier validation to start from"
    if cache.get("schema") != schema:
        return "the ontology, the shapes or the engine changed"
    return None


def _no_report_graph() -> Graph:
    raise UsageError("the SHACL report graph needs a full validation: drop --changed")


# --- the files as they were ----------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _where(item: KnowledgeFile) -> str:
    """Where a file is, resolved (its base IRI and its format, when it is read again)."""
    return item.resolved or str(item.path.resolve())


@dataclass(frozen=True)
class _Kept:
    """Compressed copies of the data files by sha256, beside the cache: what a changed
    file said before, to compare with what it says now (a tenth of the data's size)."""

    folder: Path

    def keep(self, data: bytes) -> str:
        """The digest of `data`, with a copy kept under it (written once)."""
        import zlib

        from kg.model.fileio import write_atomically

        digest = _sha256(data)
        copy = self.folder / digest
        if not copy.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(copy, zlib.compress(data, 1))
        return digest

    def read(self, digest: str) -> bytes | None:
        import zlib

        try:
            return zlib.decompress((self.folder / digest).read_bytes())
        except (OSError, zlib.error):
            return None

    def prune(self, wanted: set[str]) -> None:
        """Delete the copies of versions no file has any more."""
        if self.folder.is_dir():
            for copy in self.folder.iterdir():
                if copy.name not in wanted:
                    copy.unlink(missing_ok=True)
