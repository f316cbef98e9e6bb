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

`--push-only --sizes 100k,300k` times `kg push` alone at each size (the median of
--repeat pushes, each to a fresh server): its wall time, the CPU seconds of kg and of
the server, and how each grows from one size to the next, as the exponent k in
time ~ triples^k (1 is in line with the data). `--servers oxigraph` or `virtuoso`
takes one of them; `--by update` pushes by SPARQL Update instead of the Graph Store
Protocol (issue 19: why the push to Oxigraph's server grew faster than the data).
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Server:
    """A running server: the spec kg pushes to (by the Graph Store Protocol, and by
    SPARQL Update) and the process whose CPU time is counted."""

    spec: str
    update_spec: str
    pid: int


@contextmanager
def oxigraph_server(scratch: Path) -> Iterator[str]:
    with oxigraph_process(scratch) as server:
        yield server.spec


@contextmanager
def oxigraph_process(scratch: Path) -> Iterator[Server]:
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
        yield Server(f"sparql:{base}/query?gsp={base}/store",
                     f"sparql:{base}/query?update={base}/update", process.pid)  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@contextmanager
def virtuoso_server(scratch: Path, rows: int) -> Iterator[str]:
    with virtuoso_process(scratch, rows) as server:
        yield server.spec


@contextmanager
def virtuoso_process(scratch: Path, rows: int) -> Iterator[Server]:
    import virtuoso

    for default, tuned in VIRTUOSO_TUNING.items():
        if default in virtuoso.INI:  # once per process
            virtuoso.INI = virtuoso.INI.replace(default, tuned)
    server = virtuoso.start(scratch, max_rows=rows)
    try:
        yield Server(server.spec, f"sparql:{server.query_url}?update={server.update_url}",
                     server.process.pid)  # fmt: skip
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
    return push_costs(folder, spec).wall


@dataclass(frozen=True)
class PushCosts:
    wall: float  # seconds, the whole `kg push` process
    client: float  # CPU seconds of that process
    server: float  # CPU seconds of the server meanwhile (0 when not counted)
    triples: int = 0  # what kg push says it pushed (the ontology's too)


def push_costs(folder: Path, spec: str, server_pid: int | None = None) -> PushCosts:
    """One whole `kg --data FOLDER push --store SPEC` process, with its CPU time and the
    server's (`server_pid`) while it ran."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = cpu_seconds(server_pid) if server_pid else 0.0
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kg", "--data", str(folder), "push", "--store", spec],
        check=True, env={**ENV, "KG_SPARQL_TIMEOUT": "3600"}, cwd=ROOT,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    server = cpu_seconds(server_pid) - server if server_pid else 0.0
    pushed = re.search(r"\((\d+) triples\)", done.stdout)  # "pushed N files (T triples) ..."
    return PushCosts(wall, client, server, int(pushed[1]) if pushed else 0)


def cpu_seconds(pid: int) -> float:
    """The CPU seconds (user and system) that process `pid` has used, its threads' too."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    parser.add_argument(
        "--data-dir", type=Path, default=None,
        help="the generated data (made there if missing); with --push-only, the folder "
        "holding one folder per size",
    )  # fmt: skip
    parser.add_argument("--push-only", action="store_true", help="time kg push alone")
    parser.add_argument("--sizes", default=None, help="with --push-only: e.g. 100k,300k")
    parser.add_argument("--servers", default="oxigraph,virtuoso")
    parser.add_argument("--by", choices=("gsp", "update"), default="gsp")
    args = parser.parse_args(argv)
    if args.push_only:
        sizes = (args.sizes or args.size).split(",")
        print(push_report(sizes, args.servers.split(","), args.by, args.repeat, args.data_dir))
        return 0

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
            "virtuoso": lambda: virtuoso_server(scratch / "virtuoso", 10_000_000),
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


def push_report(
    sizes: list[str], servers: list[str], by: str, repeat: int, data_dir: Path | None
) -> str:
    """`kg push` alone at each size, to each server (a fresh one for every push)."""
    starting = {
        "oxigraph": oxigraph_process,
        "virtuoso": lambda scratch: virtuoso_process(scratch, 10_000_000),
    }
    lines = [f"# kg push by {by}, median of {repeat} (a fresh server each)", "",
             "| server | size | triples | wall s | kg CPU s | server CPU s | load |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    found: dict[str, list[tuple[int, PushCosts]]] = {}
    for size in sizes:
        folder = generated(size, data_dir / size if data_dir else None)
        for name in servers:
            runs = []
            for _ in range(repeat):
                with (
                    tempfile.TemporaryDirectory(prefix="kg-bench-push-") as scratch,
                    starting[name](Path(scratch)) as server,
                ):
                    spec = server.update_spec if by == "update" else server.spec
                    runs.append(push_costs(folder, spec, server.pid))
            costs = PushCosts(*(statistics.median(getattr(run, part) for run in runs)
                                for part in ("wall", "client", "server")))  # fmt: skip
            triples = runs[0].triples
            found.setdefault(name, []).append((triples, costs))
            lines.append(f"| {name} | {size} | {triples} | {costs.wall:.1f} | "
                         f"{costs.client:.1f} | {costs.server:.1f} | "
                         f"{os.getloadavg()[0]:.1f} |")  # fmt: skip
    lines.append("")
    for name, points in found.items():
        for (small, low), (large, high) in itertools.pairwise(points):
            grows = {part: _exponent(small, large, getattr(low, part), getattr(high, part))
                     for part in ("wall", "client", "server")}  # fmt: skip
            lines.append(f"{name}, {small} -> {large} triples: time ~ triples^k with k = "
                         + ", ".join(f"{grows[part]} ({part})" for part in grows))  # fmt: skip
    return "\n".join(lines)


def _exponent(small: int, large: int, low: float, high: float) -> str:
    import math

    if low <= 0 or high <= 0:
        return "-"
    return f"{math.log(high / low) / math.log(large / small):.2f}"


if __name__ == "__main__":
    sys.exit(main())
