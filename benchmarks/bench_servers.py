"""kg on SPARQL servers (issue 19): `kg push` and every saved query on OpenLink Virtuoso
7.2 and on Oxigraph's server, side by side in one run, with the on-disk index as the
baseline, at the size asked (1M triples by default).

- push: the whole `kg --data DIR push --store SPEC` process (parse every file, send each
  graph by the Graph Store Protocol), wall time;
- queries: every saved query with its parameters bound to generated entities (as
  benchmarks/run.py binds them), through kg's own store classes as every command uses
  them (`SparqlStore.query` over HTTP, `OxigraphStore.query` on the index), one warm-up
  then the median of --repeat runs, with the rows each returned: a server that answers
  with other rows than the index is flagged, not timed as if it were right.

The servers are private: their own folders, 127.0.0.1, free ports, stopped at the end.
Virtuoso gets the buffers its documentation gives for a machine with 4 GB free
(NumberOfBuffers 340000, MaxDirtyBuffers 250000), a 2 GB query memory and a row limit
above any answer here; everything else as in the tests (tests/stores/virtuoso.py).

    python benchmarks/bench_servers.py                       # 1m, 3 runs per query
    python benchmarks/bench_servers.py --size 10k --repeat 1 # a quick look
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests" / "stores")]

ENV = {key: value for key, value in os.environ.items() if key not in ("KG_STORE", "KG_DATA")}
VIRTUOSO_TUNING = {
    "NumberOfBuffers = 10000": "NumberOfBuffers = 340000",
    "MaxDirtyBuffers = 6000": "MaxDirtyBuffers = 250000",
    "MaxQueryMem = 256M": "MaxQueryMem = 2G",
    "MaxQueryExecutionTime = 120": "MaxQueryExecutionTime = 600",
}


def generated(size: str, data_dir: Path | None) -> Path:
    folder = data_dir or HERE / "data" / size
    if not (folder / "entities.ttl").exists():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--size", size, "--out", str(folder)],
            check=True,
        )
    return folder


@contextmanager
def oxigraph_server(scratch: Path) -> Iterator[str]:
    from kg.stores.serve import free_port, server_binary

    port = free_port("127.0.0.1")
    log = (scratch / "oxigraph.log").open("wb")
    process = subprocess.Popen(
        [server_binary(), "serve", "--location", str(scratch / "oxigraph-db"),
         "--bind", f"127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/query?query=ASK%7B%7D")
        yield f"sparql:{base}/query?gsp={base}/store"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@contextmanager
def virtuoso_server(scratch: Path, rows: int) -> Iterator[str]:
    import virtuoso

    for default, tuned in VIRTUOSO_TUNING.items():
        assert default in virtuoso.INI, default
        virtuoso.INI = virtuoso.INI.replace(default, tuned)
    server = virtuoso.start(scratch / "virtuoso", max_rows=rows)
    try:
        yield server.spec
    finally:
        server.stop()


def _wait_for(url: str) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def push_seconds(folder: Path, spec: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kg", "--data", str(folder), "push", "--store", spec],
        check=True, env={**ENV, "KG_SPARQL_TIMEOUT": "3600"}, cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def query_runs(
    run: Callable[[str, dict[str, Any]], int], queries: list[Any], repeat: int
) -> dict[str, tuple[float | None, int | str]]:
    """Per saved query: the median seconds and the rows (or the error, untimed)."""
    found: dict[str, tuple[float | None, int | str]] = {}
    for name, text, bindings in queries:
        try:
            rows = run(text, bindings)  # warm-up
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                run(text, bindings)
                times.append(time.perf_counter() - started)
            found[name] = (statistics.median(times), rows)
        except Exception as error:  # noqa: BLE001  (reported in the table, not raised)
            found[name] = (None, " ".join(str(error).split())[:160])
    return found


def store_runner(store: Any) -> Callable[[str, dict[str, Any]], int]:
    from rdflib import URIRef

    def run(text: str, bindings: dict[str, Any]) -> int:
        terms = {name: URIRef(value) for name, value in bindings.items()}
        return len(store.query(text, terms).rows)

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1m", help="1k 10k 100k 1m ... (default 1m)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)

    from run import saved_queries

    from kg.model.files import discover
    from kg.stores.index import refresh
    from kg.stores.oxigraph_store import OxigraphStore
    from kg.stores.sync import open_spec

    folder = generated(args.size, args.data_dir)
    queries = saved_queries()
    results: dict[str, dict[str, tuple[float | None, int | str]]] = {}
    pushes: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="kg-bench-servers-") as scratch_name:
        scratch = Path(scratch_name)
        index = OxigraphStore(scratch / "index")
        refresh(index, discover([folder]))
        results["index"] = query_runs(store_runner(index), queries, args.repeat)
        index.close()
        servers = {
            "oxigraph server": lambda: oxigraph_server(scratch),
            "virtuoso": lambda: virtuoso_server(scratch, 10_000_000),
        }
        for label, starting in servers.items():
            with starting() as spec:
                pushes[label] = push_seconds(folder, spec)
                store = open_spec(spec, [folder])
                try:
                    results[label] = query_runs(store_runner(store), queries, args.repeat)
                finally:
                    store.close()
    print(report(args.size, pushes, results))
    return 0


def report(
    size: str,
    pushes: dict[str, float],
    results: dict[str, dict[str, tuple[float | None, int | str]]],
) -> str:
    labels = list(results)
    lines = [f"# kg on SPARQL servers, {size} triples", ""]
    lines += [f"kg push to {label}: {seconds:.1f} s" for label, seconds in pushes.items()]
    lines += ["", "| query | " + " | ".join(f"{label} (s)" for label in labels)
              + " | virtuoso / oxigraph server |", "|---" * (len(labels) + 2) + "|"]  # fmt: skip
    for name in results["index"]:
        baseline_rows = results["index"][name][1]
        cells = []
        for label in labels:
            seconds, rows = results[label][name]
            if seconds is None:
                cells.append(f"failed: {rows}")
            elif rows != baseline_rows:
                cells.append(f"{seconds:.3f} WRONG ({rows} rows, index {baseline_rows})")
            else:
                cells.append(f"{seconds:.3f}")
        ratio = ""
        virtuoso, server = results["virtuoso"][name][0], results["oxigraph server"][name][0]
        if virtuoso is not None and server:
            ratio = f"{virtuoso / server:.1f}x"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {ratio} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
