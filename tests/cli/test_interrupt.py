"""Ctrl-C: a real SIGINT sent to a real `kg` process in the middle of a query that would
run for hours stops it within seconds, with one line and exit 130, on every store.

Before, the index ignored it (pyoxigraph evaluates in Rust and never looks at Python's
signals: only SIGKILL stopped it) and the memory store exited 1 ("Aborted!"), the code
that means "does not conform"."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import CORE_DATA

# Every triple against every triple against every triple: about 1.5e11 rows on the core
# data, far beyond any test's patience on any store.
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
DATA_ARGS = [option for path in CORE_DATA for option in ("--data", str(path))]


def _kg(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kg", *DATA_ARGS, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={key: value for key, value in os.environ.items() if key != "KG_STORE"},
    )


def _interrupt_after(process: subprocess.Popen[str], seconds: float) -> tuple[int, str]:
    """SIGINT once the query runs; the exit code and stderr (killed if it ignores it)."""
    time.sleep(seconds)
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGINT)
    try:
        _, errors = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("kg ignored SIGINT for 10 s")
    return process.returncode, errors


def test_ctrl_c_stops_a_long_query_on_the_index(tmp_path: Path) -> None:
    index = f"oxigraph:{tmp_path / 'index'}"
    built = subprocess.run(
        [sys.executable, "-m", "kg", *DATA_ARGS, "--store", index, "query", "-e", "ASK {}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    returncode, errors = _interrupt_after(_kg("--store", index, "query", "-e", CROSS_JOIN), 3)
    assert (returncode, errors) == (130, "kg: interrupted\n")


def test_ctrl_c_stops_a_long_query_on_the_memory_store() -> None:
    # Long enough to be past reading the files and inside the query (or still reading:
    # either way the command is running and must stop).
    returncode, errors = _interrupt_after(_kg("--store", "memory", "query", "-e", CROSS_JOIN), 4)
    assert (returncode, errors) == (130, "kg: interrupted\n")


def test_ctrl_c_stops_a_wait_for_a_silent_sparql_server() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/query"
        process = _kg("--store", f"sparql:{url}", "query", "-e", CROSS_JOIN)
        returncode, errors = _interrupt_after(process, 2)
        assert (returncode, errors) == (130, "kg: interrupted\n")
    finally:
        for connection in accepted:
            connection.close()
        listener.close()


# Sends a real SIGINT to the process itself when the named module is first imported: a
# Ctrl-C at a chosen moment of a command's life, before its body runs.
SIGINT_ON_IMPORT = """
import os, runpy, signal, sys

class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == os.environ["KG_TEST_SIGINT_ON_IMPORT"]:
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, Interrupt())
sys.argv[0] = "kg"
runpy.run_module("kg", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize(
    "module",
    [
        "click",  # kg's own start, before the command line is read
        "kg.cli.query_cmd",  # the command being found (click said "Aborted!", exit 1)
        "pyoxigraph",  # the store being opened
        "rdflib",
    ],
)
def test_ctrl_c_before_the_command_runs_is_exit_130(module: str, tmp_path: Path) -> None:
    index = f"oxigraph:{tmp_path / 'index'}"
    args = [*DATA_ARGS, "--store", index, "query", "-e", "ASK {}"]
    finished = subprocess.run(
        [sys.executable, "-c", SIGINT_ON_IMPORT, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **{key: value for key, value in os.environ.items() if key != "KG_STORE"},
            "KG_TEST_SIGINT_ON_IMPORT": module,
        },
    )
    assert (finished.returncode, finished.stderr) == (130, "kg: interrupted\n")
    assert finished.stdout == ""


# Sends a real SIGINT to the process while Python tears itself down after the command has
# ended: the object's finaliser runs when the modules are freed, after Python has given
# SIGINT back to the system (before kg ignored it there, the process died by the signal:
# exit -2, no word, the finished command's exit code lost).
SIGINT_IN_TEARDOWN = """
import os, runpy, signal, sys, time, types

class Interrupt:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)  # a signal's default action would end the process here

holder = types.ModuleType("kg_test_teardown")
holder.interrupt = Interrupt()
sys.modules["kg_test_teardown"] = holder
sys.argv[0] = "kg"
runpy.run_module("kg", run_name="__main__", alter_sys=True)
"""


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("query", "-e", "ASK {}"), 0),
        (("query", "-e", "ASK {"), 3),  # the exit code of a command that failed stays too
    ],
)
def test_ctrl_c_after_the_command_ended_keeps_its_answer_and_exit_code(
    args: tuple[str, ...], code: int, tmp_path: Path
) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", SIGINT_IN_TEARDOWN, *DATA_ARGS, "--store", "memory", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={key: value for key, value in os.environ.items() if key != "KG_STORE"},
    )
    assert finished.returncode == code, finished.stderr
    assert "interrupted" not in finished.stderr
    if code == 0:
        assert finished.stdout.strip() == "true"


def test_ctrl_c_at_any_moment_of_a_first_build_is_exit_130_and_the_next_run_is_right(
    tmp_path: Path,
) -> None:
    """SIGINT at moments spread over a fresh index build (reading, staging, loading):
    each run either finished or stopped within a second with exit 130, and the run after
    it answers exactly as an uninterrupted one."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    reference = subprocess.run(
        [sys.executable, "-m", "kg", *DATA_ARGS, "--store", "memory", "query", "-e", count],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert reference.returncode == 0, reference.stderr
    for step, delay in enumerate((0.15, 0.4, 0.8, 1.2, 1.8)):
        index = f"oxigraph:{tmp_path / f'index-{step}'}"
        process = _kg("--store", index, "query", "-e", "ASK {}")
        time.sleep(delay)
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=30)
        waited = time.monotonic() - sent
        assert process.returncode in (0, 130), (delay, errors)
        if process.returncode == 130:
            assert errors == "kg: interrupted\n", (delay, errors)
            assert waited < 1.5, (delay, waited)
        again = _kg("--store", index, "query", "-e", count)
        answer, notes = again.communicate(timeout=120)
        assert (again.returncode, answer) == (0, reference.stdout), (delay, notes)


@pytest.mark.parametrize(
    "args",
    [
        # Answers of several MB, far more than a pipe holds: the reader surely leaves
        # before the end (a small answer can be in the pipe whole, and ends with 0).
        ("query", "-e", "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "--format", "csv"),
        ("export", "--format", "nquads"),
        ("export", "--format", "nquads", "--stream"),
    ],
)
def test_a_reader_that_stops_reading_ends_kg_quietly_with_141(args: tuple[str, ...]) -> None:
    """`kg ... | head -1`: before, kg exited 0 or 1 (click's choice; 1 means "does not
    conform") by the size of its writes; now nothing on stderr and 141 (128 +
    SIGPIPE), as a shell reports a program that SIGPIPE ended."""
    process = _kg("--store", "memory", *args)
    assert process.stdout is not None
    first = process.stdout.readline()
    process.stdout.close()  # the reader goes away, as `head -1` does
    errors = process.stderr.read() if process.stderr else ""
    process.wait(timeout=120)
    assert first
    assert (process.returncode, errors) == (141, ""), errors
