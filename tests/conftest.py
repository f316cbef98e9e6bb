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
ROOT = Path(__file__).resolve().parent.parent

# -- the knowledge the tests read (docs/testing.md) --------------------------------------
#
# The bundled data/ holds two seasons of official results (about 160k triples): a
# command on the in-memory store takes seconds on it. Most tests check behaviour on
# the articles and the race they report, so KG_DATA points commands that are given no
# --data at those files of data/ (the same files, so the same graph names and goldens).
# Each results file names every entity it mentions, so the one race reads alone.
# Tests of the whole bundle pass `--data` FULL_DATA (tests/bundled/test_full_bundle.py).
FULL_DATA = ROOT / "data"
CORE_DATA = (
    FULL_DATA / "entities.ttl",
    FULL_DATA / "articles",
    FULL_DATA / "sources",  # the articles' verbatim texts (ms:textFile)
    FULL_DATA / "imsa" / "reconciliation.ttl",
    FULL_DATA
    / "imsa"
    / "2024"
    / "02-daytona-international-speedway"
    / "202401271340-race-results.ttl",
)


def core_data_args() -> list[str]:
    """`--data` options naming the files of the core view (for `kg --data ... --data X`)."""
    return [option for path in CORE_DATA for option in ("--data", str(path))]


def copy_core_data(folder: Path) -> Path:
    """A data folder holding the core view's files in their data/ layout (to edit)."""
    import shutil

    for path in CORE_DATA:
        target = folder / path.relative_to(FULL_DATA)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            shutil.copytree(path, target)
        else:
            shutil.copy2(path, target)
    return folder


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


def _ctrl_c_reaches_children() -> None:
    """Tests send SIGINT to `kg` as Ctrl-C at a terminal would. A shell that starts the
    suite in the background (`bash .ci/run &`) makes it ignore SIGINT, and every child
    inherits that; a Python handler is not inherited, so the children get the default."""
    import signal

    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_configure(config: pytest.Config) -> None:
    import os
    import tempfile

    os.environ.setdefault("KG_STORE", "memory")
    _ctrl_c_reaches_children()
    os.environ["KG_DATA"] = os.pathsep.join(str(path) for path in CORE_DATA)
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

    def __init__(self, data: Path | Sequence[Path], index: Path) -> None:
        import os
        import subprocess
        import sys

        env = {**os.environ, "KG_STORE": f"oxigraph:{index}"}
        folders = [data] if isinstance(data, Path) else list(data)
        options = [option for folder in folders for option in ("--data", str(folder))]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg", *options, "serve", "--port", "0"],
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
