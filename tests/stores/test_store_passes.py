"""CI's second store pass runs every test that KG_STORE can change, and only those
(tests/store_passes.py): a sample suite run as .ci/run runs it, in a child pytest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]

SAMPLE = """
import os, subprocess, sys
from pathlib import Path
import pytest
from kg.knowledge.project import open_knowledge
from kg.stores.sync import open_spec

DATA = Path({data!r})

@pytest.fixture(scope="module")
def shared():
    return open_knowledge(os.environ["KG_STORE"], [DATA])

def test_pure():
    assert 1 + 1 == 2

def test_opens_the_configured_store():
    open_knowledge(None, [DATA])

def test_names_the_store_kg_store_names():
    open_knowledge(os.environ["KG_STORE"], [DATA])

def test_a_store_of_its_own(tmp_path):
    open_spec(f"oxigraph:{{tmp_path}}")

def test_first_user_of_a_module_fixture(shared):
    pass

def test_second_user_of_a_module_fixture(shared):
    pass

def test_runs_kg_as_a_user_does():
    subprocess.run([sys.executable, "-c", "pass"], check=True)

def test_runs_kg_on_a_store_it_names():
    env = {{**os.environ, "KG_STORE": "memory:elsewhere"}}
    subprocess.run([sys.executable, "-c", "pass"], check=True, env=env)

def test_runs_another_program():
    subprocess.run(["true"], check=True)

@pytest.mark.skipif(os.environ["KG_STORE"] == "memory", reason="the index only")
def test_skipped_on_memory():
    pass
"""


def _pytest(folder: Path, store: str, *options: str) -> subprocess.CompletedProcess[str]:
    # Not a worker of the xdist run this test may be in: a pytest of its own.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    env["KG_STORE"] = store
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", *options],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def _sample_suite(tmp_path: Path) -> Path:
    folder = tmp_path / "suite"
    folder.mkdir()
    data = tmp_path / "data"
    data.mkdir()
    (data / "one.ttl").write_text(
        "@prefix ex: <https://example.org/> .\nex:a ex:b ex:c .\n", encoding="utf-8"
    )
    (folder / "conftest.py").write_text(
        f"import sys\nsys.path.insert(0, {str(TESTS)!r})\nfrom store_passes import *  # noqa\n",
        encoding="utf-8",
    )
    (folder / "test_sample.py").write_text(SAMPLE.format(data=str(data)), encoding="utf-8")
    return folder


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one process", "xdist"])
def test_the_memory_pass_records_what_opened_the_configured_store(
    tmp_path: Path, workers: tuple[str, ...]
) -> None:
    folder = _sample_suite(tmp_path)
    trace = tmp_path / "trace.json"
    first = _pytest(folder, "memory", f"--store-trace={trace}", *workers)
    assert first.returncode == 0, first.stdout + first.stderr
    dependent = set()
    for part in tmp_path.glob("trace.json*"):  # each xdist worker writes its own part
        record = json.loads(part.read_text(encoding="utf-8"))
        dependent |= {name.split("::")[1] for name in record["dependent"]}
    assert dependent == {
        "test_opens_the_configured_store",
        "test_names_the_store_kg_store_names",
        "test_first_user_of_a_module_fixture",
        "test_second_user_of_a_module_fixture",
        "test_runs_kg_as_a_user_does",
    }

    second = _pytest(folder, "oxigraph", f"--store-rerun={trace}")
    assert second.returncode == 0, second.stdout + second.stderr
    ran = {
        line.split("::")[1].split()[0]
        for line in second.stdout.splitlines()
        if line.startswith(("PASSED", "SKIPPED", "FAILED"))
    }
    # The skipped test was not seen to pass on memory: it runs on the index.
    assert ran == dependent | {"test_skipped_on_memory"}
    assert "4 deselected" in second.stdout


def test_the_index_pass_refuses_a_missing_trace(tmp_path: Path) -> None:
    folder = _sample_suite(tmp_path)
    missing = tmp_path / "none.json"
    done = _pytest(folder, "oxigraph", f"--store-rerun={missing}")
    assert done.returncode == 4  # pytest's usage error: nothing ran
    assert "--store-trace" in done.stderr
