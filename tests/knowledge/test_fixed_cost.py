"""What every command pays before it answers must not grow with Python work per file
(issue 20: 0.3 s at a million triples, 1.6 s at ten million, for a query that finds
nothing). Finding the files resolved each path five times (each resolve a system call
per folder on the way, and a stat), and the freshness check stat-ed and resolved each
file again. Now a folder is resolved once and its files named from it; the freshness
check stats each file once. The calls are counted on the real functions."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kg.model.files import discover

FILES = 120


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    for number in range(FILES):
        sub = folder / f"part-{number % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"team-{number}.ttl").write_text(
            "@prefix msr: <https://w3id.org/motorsport-kg/id/> .\n"
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            f'msr:team-{number} skos:prefLabel "Team {number}"@en .\n',
            encoding="utf-8",
        )
    return folder


def _counting(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    calls: Counter[str] = Counter()
    resolve, stat = Path.resolve, os.stat

    def counted_resolve(self: Path, strict: bool = False) -> Path:
        calls["resolve"] += 1
        return resolve(self, strict)

    def counted_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        calls["stat"] += 1
        return stat(path, *args, **kwargs)

    monkeypatch.setattr(Path, "resolve", counted_resolve)
    monkeypatch.setattr(os, "stat", counted_stat)
    return calls


def test_finding_the_files_resolves_each_folder_once_not_each_file(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = discover([data], include_ontology=False)
    calls = _counting(monkeypatch)
    found = discover([data], include_ontology=False)
    assert [(f.path, f.graph) for f in found] == [(f.path, f.graph) for f in before]
    assert len(found) == FILES
    # A handful for the folders, none per file (there were 480 resolves and 842 stats).
    assert calls["resolve"] <= 5, calls
    assert calls["stat"] <= 10, calls
    assert all(item.resolved == str(Path(item.path).resolve()) for item in found)


def test_the_freshness_check_stats_each_file_once(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.knowledge.project import open_knowledge
    from kg.stores.index import refresh

    knowledge = open_knowledge(f"oxigraph:{tmp_path / 'index'}", [data], include_ontology=False)
    calls = _counting(monkeypatch)
    summary = refresh(knowledge.store, knowledge.files)  # type: ignore[arg-type]
    assert not summary.changed
    assert calls["stat"] <= FILES + 5, calls
    assert calls["resolve"] == 0, calls
    knowledge.store.close()
