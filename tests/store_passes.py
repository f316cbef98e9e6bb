"""The second store pass: run again on the on-disk index only what KG_STORE can change.

CI runs the whole suite with KG_STORE=memory, then on KG_STORE=oxigraph. Most tests
never open the configured store (a shape fixture, a date parser, a page in Chromium
drawn from a fixture), so running them twice proves nothing and cost half of CI's time.
Which tests do is not kept by hand (a hand-kept list once left out viz, build, import
and reconcile): the memory pass records it.

    pytest --store-trace FILE            record the node ids of the tests that opened
                                         the configured store, directly, through a
                                         fixture, or in a `kg` child process
    pytest --store-rerun FILE            run only the tests FILE names, and every test
                                         the trace did not see run (new ones, skipped ones)

A test counts as store-dependent when, while it or one of its fixtures ran:
- `kg.stores.sync.open_spec` (what `open_store`, `open_knowledge` and every command
  use) was asked for no spec or for the spec KG_STORE holds (the CLI's --store option
  reads KG_STORE itself, so it arrives as that text), or `configured_spec` was called;
- a child process of this Python was started with KG_STORE inherited unchanged
  (`kg` run as a user would, `kg serve`, a benchmark script).
Counting a test too often costs a rerun; missing one would leave the index untested,
so every doubt counts as dependent: skipped tests, and any test the trace lacks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Generator, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

_TRACE_KEY = pytest.StashKey["_Trace"]()
_WATCH_KEY = pytest.StashKey[ExitStack]()


class _Trace:
    """What the memory pass saw: store-dependent tests, fixtures, and every test run."""

    def __init__(self, path: Path, worker: str | None) -> None:
        self.path = path
        self.worker = worker
        self.consulted = False
        self.dependent_fixtures: set[str] = set()
        self.dependent: set[str] = set()
        self.ran: set[str] = set()

    def write(self) -> None:
        """FILE, or FILE.gwN from each worker of pytest-xdist (read back together)."""
        worker = self.worker
        path = self.path.with_name(f"{self.path.name}.{worker}") if worker else self.path
        record = {"dependent": sorted(self.dependent), "passed": sorted(self.ran - self.dependent)}
        temporary = path.with_name(path.name + ".part")
        temporary.write_text(json.dumps(record, indent=0), encoding="utf-8")
        temporary.replace(path)


def _read_trace(path: Path) -> tuple[set[str], set[str]]:
    """The store-dependent tests and the others seen to pass, from FILE and its
    workers' FILE.gwN."""
    dependent: set[str] = set()
    passed: set[str] = set()
    parts = [path, *sorted(path.parent.glob(f"{path.name}.gw*"))]
    for part in parts:
        if part is path and not path.exists() and len(parts) > 1:
            continue  # a run with workers only
        try:
            record = json.loads(part.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise pytest.UsageError(
                f"--store-rerun {part}: cannot be read ({error}); run the memory pass with "
                "--store-trace FILE first"
            ) from error
        dependent.update(record["dependent"])
        passed.update(record["passed"])
    return dependent, passed


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kg stores")
    group.addoption(
        "--store-trace",
        metavar="FILE",
        help="record which tests opened the configured store (KG_STORE) in FILE",
    )
    group.addoption(
        "--store-rerun",
        metavar="FILE",
        help="run only the store-dependent tests a --store-trace FILE names, and any "
        "test it did not see pass",
    )


def _configured_store() -> str:
    return os.environ.get("KG_STORE", "").strip()


def _starts_kg(args: Any, env: Any) -> bool:
    """A child process that may open the configured store: this Python (kg -m, a
    benchmark script) or a `kg` script, with KG_STORE inherited unchanged."""
    words = [str(args)] if isinstance(args, (str, bytes, os.PathLike)) else [str(a) for a in args]
    if not words:
        return False
    program = Path(words[0]).name
    runs_python = words[0] == sys.executable or program.startswith("python")
    if not (runs_python or program == "kg"):
        return False
    store = (env if env is not None else os.environ).get("KG_STORE", "").strip()
    return store == _configured_store()


@contextmanager
def _watching(trace: _Trace) -> Iterator[None]:
    """Note in `trace.consulted` whenever the configured store is asked for."""
    from kg.stores import config, sync

    original_open, original_configured = sync.open_spec, config.configured_spec
    original_init = subprocess.Popen.__init__

    def open_spec(spec: str | None, *args: Any, **kwargs: Any) -> Any:
        if spec is None or not spec.strip() or spec.strip() == _configured_store():
            trace.consulted = True
        return original_open(spec, *args, **kwargs)

    def configured_spec(*args: Any, **kwargs: Any) -> Any:
        trace.consulted = True
        return original_configured(*args, **kwargs)

    def popen_init(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        if _starts_kg(args, kwargs.get("env")):
            trace.consulted = True
        original_init(self, args, *rest, **kwargs)

    sync.open_spec = open_spec  # type: ignore[assignment]
    config.configured_spec = configured_spec  # type: ignore[assignment]
    subprocess.Popen.__init__ = popen_init  # type: ignore[method-assign]
    try:
        yield
    finally:
        sync.open_spec = original_open
        config.configured_spec = original_configured
        subprocess.Popen.__init__ = original_init  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    trace = config.getoption("--store-trace")
    if trace:
        # A worker of pytest-xdist (not a pytest it started: PYTEST_XDIST_WORKER is inherited).
        worker = getattr(config, "workerinput", {}).get("workerid")
        config.stash[_TRACE_KEY] = _Trace(Path(trace), worker)
        config.stash[_WATCH_KEY] = watch = ExitStack()
        watch.enter_context(_watching(config.stash[_TRACE_KEY]))


def pytest_unconfigure(config: pytest.Config) -> None:
    watch = config.stash.get(_WATCH_KEY, None)
    if watch is not None:
        watch.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Generator[None, None, None]:
    trace = request.config.stash.get(_TRACE_KEY, None)
    if trace is None:
        yield
        return
    before, trace.consulted = trace.consulted, False
    yield
    if trace.consulted:
        # Every test that uses this fixture reads what it opened, even when a wider
        # scope opened it only once, for the first of them.
        trace.dependent_fixtures.add(fixturedef.argname)
    trace.consulted = trace.consulted or before


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    trace = item.config.stash.get(_TRACE_KEY, None)
    if trace is None:
        yield
        return
    trace.consulted = False
    yield
    fixtures = set(getattr(item, "fixturenames", ()))
    if trace.consulted or fixtures & trace.dependent_fixtures:
        trace.dependent.add(item.nodeid)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Only a test that passed counts as seen: a skipped one may run on the index alone."""
    outcome = yield
    trace = item.config.stash.get(_TRACE_KEY, None)
    report = outcome.get_result()
    if trace is not None and report.when == "call" and report.passed:
        trace.ran.add(item.nodeid)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    trace = session.config.stash.get(_TRACE_KEY, None)
    if trace is not None:
        trace.write()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rerun = config.getoption("--store-rerun")
    if not rerun:
        return
    dependent, passed = _read_trace(Path(rerun))
    independent = passed - dependent
    kept = [item for item in items if item.nodeid not in independent]
    config.hook.pytest_deselected(items=[item for item in items if item.nodeid in independent])
    items[:] = kept
