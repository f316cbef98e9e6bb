"""Incremental validation: re-check only what a change to some files can affect.

The previous results are cached per file (graph) together with each file's
sha256 and the IRIs it mentions. On the next `kg validate --changed`:

- if the shapes or the ontology changed, or there is no cache: validate fully;
- otherwise the changed (added, edited, removed) files give a set of seed
  nodes: every subject and object they mention, before and after the change;
- the affected focus nodes are the seeds plus every node within `radius` hops
  of them, following triples in both directions in the current data. The
  radius is 1 + the longest property path in the shapes (sh:class and
  sh:datatype read one more hop: the value's type). A constraint on focus node
  F reads only triples within that many hops of F, so a triple that changed
  further away cannot change F's results;
- shapes whose constraints reach arbitrarily far (sh:sparql queries,
  sh:zeroOrMorePath/sh:oneOrMorePath) are re-checked on all their focus nodes;
- the new results for the affected nodes replace the cached ones for those
  nodes; all other cached results are kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.model.errors import UsageError
from kg.validation.fast import (
    Evaluator,
    Shape,
    ShapesPlan,
    TripleIndex,
    build_index,
    compile_shapes,
    count_data_entities,
    validate_fast,
)
from kg.validation.shacl import ValidationReport, ValidationResult

if TYPE_CHECKING:
    from kg.knowledge.project import Knowledge
    from kg.model.files import KnowledgeFile

CACHE_VERSION = 1


@dataclass(frozen=True)
class ChangeSummary:
    """What `--changed` found: which files changed and how many focus nodes were re-checked."""

    full: bool
    changed_files: tuple[str, ...]
    rechecked: int


def affected_nodes(
    index: TripleIndex,
    before: Iterable[tuple[Node, Node, Node]],
    after: Iterable[tuple[Node, Node, Node]],
    radius: int = 2,
) -> set[Node]:
    """Nodes within `radius` hops (either direction) of anything the changed triples mention."""
    seeds: set[Node] = set()
    for s, _p, o in [*before, *after]:
        seeds.add(s)
        if not isinstance(o, Literal):
            seeds.add(o)
    return neighbourhood(index, seeds, radius)


def neighbourhood(index: TripleIndex, seeds: set[Node], radius: int) -> set[Node]:
    found = set(seeds)
    frontier = set(seeds)
    for _ in range(radius):
        step: set[Node] = set()
        for node in frontier:
            for objects in index.out.get(node, {}).values():
                step.update(o for o in objects if not isinstance(o, Literal))
            for subjects in index.inc.get(node, {}).values():
                step.update(subjects)
        frontier = step - found
        found |= frontier
        if not frontier:
            break
    return found


def path_radius(plan: ShapesPlan) -> int | None:
    """1 + the longest path any shape follows; None when some path is unbounded."""
    graph = plan.shapes_graph

    def length(path: Node | None) -> int | None:
        if path is None or isinstance(path, URIRef):
            return 1 if path is not None else 0
        if (path, SH.zeroOrMorePath, None) in graph or (path, SH.oneOrMorePath, None) in graph:
            return None
        items = list(graph.items(path))
        if items:
            parts = [length(i) for i in items]
            return None if None in parts else sum(p or 0 for p in parts)
        for kind in (SH.inversePath, SH.zeroOrOnePath):
            inner = graph.value(path, kind)
            if inner is not None:
                return length(inner)
        alternatives = graph.value(path, SH.alternativePath)
        if alternatives is not None:
            parts = [length(i) for i in graph.items(alternatives)]
            return None if None in parts else max(p or 0 for p in parts)
        return None

    longest = 0

    def visit(shape: Shape, depth: int, seen: set[int]) -> bool:
        nonlocal longest
        if id(shape) in seen:
            return True
        seen = seen | {id(shape)}
        own = length(shape.path)
        if own is None:
            return False
        depth += own
        longest = max(longest, depth)
        nested: list[Shape] = list(shape.properties)
        for constraint in shape.constraints:
            for key in ("shapes",):
                nested.extend(constraint.extra.get(key, []))
            for members in constraint.extra.get("lists", []):
                nested.extend(members)
        return all(visit(n, depth, seen) for n in nested)

    for shape in plan.shapes:
        if not visit(shape, 0, set()):
            return None
    return longest + 1


def unbounded_shapes(plan: ShapesPlan) -> set[Node]:
    """Top-level shapes with SPARQL constraints anywhere inside: re-checked on every change."""

    def has_sparql(shape: Shape, seen: set[int]) -> bool:
        if id(shape) in seen:
            return False
        seen.add(id(shape))
        for constraint in shape.constraints:
            if constraint.kind == "sparql":
                return True
            nested = list(constraint.extra.get("shapes", []))
            for members in constraint.extra.get("lists", []):
                nested.extend(members)
            if any(has_sparql(n, seen) for n in nested):
                return True
        return any(has_sparql(p, seen) for p in shape.properties)

    return {s.node for s in plan.shapes if has_sparql(s, set())}


# --- the cache on disk -----------------------------------------------------------


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mentioned(triples: Iterable[tuple[Node, Node, Node]]) -> list[str]:
    found: set[str] = set()
    for s, _p, o in triples:
        for node in (s, o):
            if isinstance(node, URIRef):
                found.add(str(node))
    return sorted(found)


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
    files: Mapping[str, tuple[str, list[str]]],
    report: ValidationReport,
) -> None:
    from kg.model.fileio import write_atomically

    payload = {
        "version": CACHE_VERSION,
        "schema": schema_digest,
        "files": {
            name: {"sha256": digest, "mentions": mentions}
            for name, (digest, mentions) in sorted(files.items())
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
        parts.append(f"{path.resolve()} {file_digest(path)}")
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
    from kg.validation.evidence import facts_of_knowledge, with_evidence

    shapes = shapes_graph(shapes_files, knowledge)
    plan = compile_shapes(shapes)
    if not plan.fully_supported:
        raise UsageError(
            "--changed needs the fast engine to support every shape "
            f"({plan.fallbacks[0].shape}: {plan.fallbacks[0].reason}); drop --changed"
        )
    files = [item for item in knowledge.files if item.kind == "data"]
    digests = {item.graph: file_digest(item.path) for item in files}
    schema = _schema_digest(knowledge, shapes_files)
    location = cache_location(knowledge)
    data = knowledge.data()
    run = _ChangedRun(
        shapes=shapes,
        plan=plan,
        index=build_index(data, knowledge.ontology()),
        source_files=knowledge.defining_files(),
        entities=count_data_entities(data),  # the data's, as a full validation counts them
    )
    radius = path_radius(plan)
    cache = read_cache(location)
    reason = _why_full(cache, schema, radius)
    mentions: dict[str, list[str]] = {}
    if reason is None:
        assert cache is not None and radius is not None
        changed = _changed_files(cache["files"], digests)
        for name in changed:
            if name in digests:
                mentions[name] = _mentioned(knowledge.store.graph(name))
        focus = _focus(run, _seeds(cache["files"], changed, mentions), radius, bool(changed))
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
    facts = facts_of_knowledge(knowledge, run.source_files, data, knowledge.ontology())
    report = with_evidence(report, facts)
    mentions = _every_mention(knowledge, files, digests, cache, mentions)
    write_cache(
        location, schema, {name: (digests[name], mentions[name]) for name in digests}, report
    )
    return report


@dataclass(frozen=True)
class _ChangedRun:
    """What a `--changed` run reads once and each of its steps uses."""

    shapes: Graph
    plan: ShapesPlan
    index: TripleIndex
    source_files: dict[Node, str]
    entities: int

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


def _changed_files(old: Mapping[str, Any], digests: Mapping[str, str]) -> list[str]:
    """The files added, edited or removed since the cached run, sorted."""
    return sorted(
        name for name in set(old) | set(digests)
        if name not in old or name not in digests or old[name]["sha256"] != digests[name]
    )  # fmt: skip


def _seeds(
    old: Mapping[str, Any], changed: Sequence[str], mentions: Mapping[str, list[str]]
) -> set[Node]:
    """Every IRI the changed files mention, before the change (cached) and after it."""
    seeds: set[Node] = set()
    for name in changed:
        seeds.update(URIRef(iri) for iri in old.get(name, {}).get("mentions", []))
        if name in mentions:
            seeds.update(URIRef(iri) for iri in mentions[name])
    return seeds


def _focus(run: _ChangedRun, seeds: set[Node], radius: int, any_changed: bool) -> set[Node]:
    """The focus nodes to re-check: those within `radius` of the seeds, and every focus
    node of the shapes that reach arbitrarily far."""
    focus = neighbourhood(run.index, seeds, radius) if any_changed else set()
    evaluator = Evaluator(run.index, run.shapes)
    for shape in run.plan.shapes:
        if shape.node in unbounded_shapes(run.plan):
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


def _every_mention(
    knowledge: Knowledge,
    files: Sequence[KnowledgeFile],
    digests: Mapping[str, str],
    cache: Mapping[str, Any] | None,
    mentions: Mapping[str, list[str]],
) -> dict[str, list[str]]:
    """The IRIs each data file mentions, for the next run: those read on the way, the
    cached ones of an unchanged file, or read from the store."""
    found = dict(mentions)
    for item in files:
        if item.graph not in found:
            previous = (cache or {}).get("files", {}).get(item.graph)
            if previous is not None and previous["sha256"] == digests[item.graph]:
                found[item.graph] = list(previous["mentions"])
            else:
                found[item.graph] = _mentioned(knowledge.store.graph(item.graph))
    return found


def _why_full(cache: Mapping[str, Any] | None, schema: str, radius: int | None) -> str | None:
    if cache is None:
        return "no earlier validation to start from"
    if cache.get("schema") != schema:
        return "the ontology, the shapes or the engine changed"
    if radius is None:
        return "a shape follows paths of any length"
    return None


def _no_report_graph() -> Graph:
    raise UsageError("the SHACL report graph needs a full validation: drop --changed")
