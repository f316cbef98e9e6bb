"""Shared fixtures. Helpers here are small and used by several test modules."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

# The second store pass of CI runs only what KG_STORE can change (see store_passes.py).
from store_passes import (  # noqa: F401  (pytest finds hooks by name)
    pytest_addoption,
    pytest_collection_modifyitems,
    pytest_fixture_setup,
    pytest_runtest_makereport,
    pytest_runtest_protocol,
    pytest_sessionfinish,
)
from store_passes import pytest_configure as _store_passes_configure
from store_passes import pytest_unconfigure as _store_passes_unconfigure

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def run_kg() -> object:
    """Run `kg ARGS...` in-process as a user would, with stdout and stderr kept apart."""
    from kg.cli import cli

    def run(*args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False, prog_name="kg")

    return run


def kg_args(*args: str, data: Sequence[Path] = ()) -> list[str]:
    extra: list[str] = []
    for item in data:
        extra += ["--data", str(item)]
    return [*extra, *args]


# -- stores (docs/stores.md) -------------------------------------------------------------
#
# The suite's default store is KG_STORE (memory when unset); CI runs the whole suite
# on memory and again, on the embedded index, what the store can change (store_passes.py).
# Indexes go to a throwaway cache folder, never the user's ~/.cache.

_CACHE_KEY = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    import os
    import tempfile

    os.environ.setdefault("KG_STORE", "memory")
    cache = tempfile.mkdtemp(prefix="kg-test-cache-")
    config.stash[_CACHE_KEY] = cache
    os.environ["XDG_CACHE_HOME"] = cache
    _store_passes_configure(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    _store_passes_unconfigure(config)
    cache = config.stash.get(_CACHE_KEY, None)
    if cache:
        shutil.rmtree(cache, ignore_errors=True)


class SparqlServer:
    """A real `oxigraph serve` on 127.0.0.1: its query, Graph Store and update URLs."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.query_url = f"{self.base}/query"
        self.gsp_url = f"{self.base}/store"
        self.update_url = f"{self.base}/update"

    @property
    def spec(self) -> str:
        return f"sparql:{self.query_url}?gsp={self.gsp_url}"


@pytest.fixture
def oxigraph_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Start `oxigraph serve --location <tmp> --bind 127.0.0.1:<free port>`; stop it after."""
    import subprocess
    import time
    import urllib.error
    import urllib.request

    from kg.stores.serve import free_port, server_binary

    port = free_port("127.0.0.1")
    log = (tmp_path / "oxigraph.log").open("wb")
    process = subprocess.Popen(
        [
            server_binary(),
            "serve",
            "--location",
            str(tmp_path / "server-db"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = SparqlServer(port)
    deadline = time.monotonic() + 20
    while True:
        assert process.poll() is None, (tmp_path / "oxigraph.log").read_text()
        try:
            with urllib.request.urlopen(server.query_url + "?query=ASK%7B%7D", timeout=2):
                break
        except (urllib.error.URLError, OSError):
            assert time.monotonic() < deadline, "oxigraph serve did not start"
            time.sleep(0.05)
    try:
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


class KgServe:
    """`kg --data DATA serve --port 0` in a child process, as a user starts it.

    `banner` holds the two lines it prints first (the endpoint, the graphs); after
    `stop()` (Ctrl-C), `returncode` and `errors` (its stderr).
    """

    def __init__(self, data: Path, index: Path) -> None:
        import os
        import subprocess
        import sys

        env = {**os.environ, "KG_STORE": f"oxigraph:{index}"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg", "--data", str(data), "serve", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        self.banner = [self.process.stdout.readline(), self.process.stdout.readline()]
        self.url = self.banner[0].split(": ", 1)[-1].strip()
        self.returncode: int | None = None
        self.errors = ""

    def stop(self) -> None:
        import signal

        if self.returncode is None:
            self.process.send_signal(signal.SIGINT)
            _, self.errors = self.process.communicate(timeout=20)
            self.returncode = self.process.returncode
