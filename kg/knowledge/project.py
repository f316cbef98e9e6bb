"""The knowledge as commands see it: a store loaded from the files, and which graph is what."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node

from kg.model.files import KnowledgeFile, discover, display_path, graphs_of_kind
from kg.stores.base import Store
from kg.stores.sync import open_store


@dataclass(frozen=True)
class Knowledge:
    """A loaded store plus the list of files behind its named graphs."""

    store: Store
    files: tuple[KnowledgeFile, ...]

    @property
    def data_graphs(self) -> list[str]:
        return graphs_of_kind(self.files, "data")

    @property
    def ontology_graphs(self) -> list[str]:
        return graphs_of_kind(self.files, "ontology")

    @property
    def shapes_graphs(self) -> list[str]:
        return graphs_of_kind(self.files, "shapes")

    def data(self, graphs: Sequence[str] | None = None) -> Graph:
        return self.store.union(self.data_graphs if graphs is None else graphs)

    def ontology(self) -> Graph:
        return self.store.union(self.ontology_graphs)

    def shapes(self) -> Graph:
        return self.store.union(self.shapes_graphs)

    def file_of(self, graph: str) -> KnowledgeFile | None:
        """The file behind a named graph (a dict look-up: a scan per graph made
        `kg export --stream` quadratic in the number of files)."""
        return self._by_graph.get(graph)

    @cached_property
    def _by_graph(self) -> dict[str, KnowledgeFile]:
        found: dict[str, KnowledgeFile] = {}
        for item in self.files:
            found.setdefault(item.graph, item)
        return found

    def defining_files(self) -> dict[Node, str]:
        """Each typed subject -> the file that types it (the first, in load order)."""
        order = {
            item.graph: (number, item)
            for number, item in enumerate(self.files)
            if item.kind == "data"
        }
        # One query over every graph (restricting it to many graphs is slow on Oxigraph);
        # graphs that are not data are dropped here.
        answer = self.store.query(
            "SELECT DISTINCT ?s ?g WHERE { GRAPH ?g { ?s a ?type } FILTER (isIRI(?s)) }"
        )
        first: dict[Node, int] = {}
        for subject, graph in answer.rows:
            if subject is None or str(graph) not in order:
                continue
            number = order[str(graph)][0]
            if number < first.get(subject, len(self.files)):
                first[subject] = number
        shown = {number: item.display for number, item in order.values()}
        return {subject: shown[number] for subject, number in first.items()}


def open_knowledge(
    store_spec: str | None = None,
    data_dirs: Sequence[Path] | None = None,
    include_ontology: bool = True,
) -> Knowledge:
    """Open the store and make it hold exactly the knowledge files."""
    from kg.model import paths
    from kg.stores.sync import sync

    files = tuple(discover(data_dirs, include_ontology=include_ontology))
    sources = [
        *([paths.ontology_dir()] if include_ontology else []),
        *(data_dirs or paths.default_data()),
    ]
    store = open_store(store_spec, sources)
    sync(store, files)
    return Knowledge(store=store, files=files)


__all__ = ["Knowledge", "display_path", "open_knowledge"]
