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
