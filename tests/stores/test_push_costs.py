"""What `kg push` costs as the knowledge grows (issue 19).

Was: at 100 thousand triples the push spent 1.2 s in Python's full garbage collections,
at 300 thousand 7.1 s: each walks every object the push holds (every file's graph and
their merge), and there are more of them the more it holds. The push now pauses the
cyclic collector while it works (those objects form no cycles) and restores it after.
Measured growth: benchmarks/README.md (`bench_servers.py --push-only`).

The server is a real `oxigraph serve` on 127.0.0.1; kg runs in this process, as the
collector it pauses is this process's.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from conftest import SparqlServer, core_data_args


@pytest.fixture
def full_collections() -> Iterator[list[int]]:
    """The generation of each garbage collection that starts while the test runs."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)


def _push(*args: str) -> tuple[int, str]:
    from kg.cli import cli

    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, prog_name="kg")
    return result.exit_code, result.stderr


def test_a_push_runs_no_full_garbage_collection(
    oxigraph_server: SparqlServer, full_collections: list[int]
) -> None:
    assert gc.isenabled()
    code, errors = _push(*core_data_args(), "push", "--store", oxigraph_server.spec)
    assert (code, errors) == (0, "")
    assert 2 not in full_collections, f"{full_collections.count(2)} full collections"
    assert gc.isenabled()  # and the collector runs again after the push


def test_a_failed_push_restores_the_collector(full_collections: list[int]) -> None:
    # Nothing listens there: the push fails (exit 3) after parsing every file.
    code, errors = _push(
        *core_data_args(), "push", "--store", "sparql:http://127.0.0.1:9/q?gsp=http://127.0.0.1:9/s"
    )
    assert code == 3, errors
    assert gc.isenabled()


def test_a_push_leaves_a_collector_turned_off_off(oxigraph_server: SparqlServer) -> None:
    gc.disable()
    try:
        assert _push(*core_data_args(), "push", "--store", oxigraph_server.spec)[0] == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
