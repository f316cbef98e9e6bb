"""The resident `kg serve` against its baselines, side by side, in one run (issue 20).

    python benchmarks/bench_resident.py --sizes 100k,1m          # generate or reuse the data
    python benchmarks/bench_resident.py --quick                  # 1k triples, a smoke run

For each size, every saved query (queries/*.rq) with its parameters bound to generated
entities as benchmarks/run.py binds them, written into one text (kg's inlined values,
else its VALUES block), and that same text run by:

- resident:  `kg serve` (in memory, the default) over HTTP: POST to /query, the whole
             JSON answer read (kg's front, a worker of kg's engine, the serialisation);
- on-disk:   `kg serve --on-disk` over HTTP, the same way;
- pyoxigraph: bare pyoxigraph in memory, in this process, holding the same quads as
             the engine (the index's staging: each file's graph and their merge as the
             default graph), every solution iterated;
- index:     kg's on-disk index (`OxigraphStore.query`, answers as rdflib terms);
- rdflib:    rdflib's engine over a `Dataset` of the same files (default graph: their
             union), stopped after --rdflib-limit seconds (its ratio is then a bound).

Medians of --repeat runs (quick queries run more often, as in run.py). Also: seconds
from starting `kg serve` (index already current) to its first answer, the seconds until
the knowledge is held in memory, the engines' peak memory (VmHWM of the memory
engine; the sum of the proportional set sizes of both engines, the memory one and
the snapshot's standby), the cost of an empty query over HTTP (the floor under
every resident time), and a file added while kg serve runs (seconds until the change
is answered and until the memory holds it again; the engines' peak memory then).

Prints a Markdown report; --out FILE writes the figures as JSON too.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, parse_size  # noqa: E402
from run import repeated, saved_queries  # noqa: E402

JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


class _Stopped(Exception):
    pass


def bound_texts() -> list[tuple[str, str]]:
    """(name, text) of every saved query with run.py's bindings written into its text."""
    from rdflib import URIRef

    from kg.stores.bound_text import inlined
    from kg.stores.values import inject_values

    texts = []
    for name, text, bindings in saved_queries():
        terms = {key: URIRef(value) for key, value in bindings.items()}
        texts.append(
            (name, (inlined(text, terms) or inject_values(text, terms)) if terms else text)
        )
    return texts


# --- kg serve over HTTP ---------------------------------------------------------------


class Server:
    """`kg serve` on a free port over `folder` with the index `index`, timed to its first
    answer (from the snapshot) and, unless --on-disk, to the memory taking over."""

    def __init__(self, folder: Path, index: Path, *options: str) -> None:
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg", "--data", str(folder), "--store", f"oxigraph:{index}",
             "serve", "--port", "0", "--timeout", "3600", "--refresh-every", "0", *options],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None and self.process.stderr is not None
        banner = self.process.stdout.readline()
        if not banner.startswith("SPARQL endpoint: "):
            raise SystemExit(f"kg serve did not start: {banner}{self.process.stderr.read()}")
        self.url = banner.split(": ", 1)[1].strip()
        while True:
            try:
                post(self.url, "ASK {}")
                break
            except OSError:
                time.sleep(0.01)
        self.ready = time.perf_counter() - started
        self.in_memory: float | None = None
        if "--on-disk" not in options:
            line = self.process.stderr.readline()
            if "held in memory now" not in line:
                raise SystemExit(f"kg serve did not fill its memory: {line}")
            self.in_memory = time.perf_counter() - started
        self.peak_pss_mib = 0.0

    def engines(self) -> list[int]:
        return _children(self.process.pid)

    def sample(self) -> None:
        self.peak_pss_mib = max(self.peak_pss_mib, sum(_pss_mib(p) for p in self.engines()))

    def memory(self) -> dict[str, float]:
        return {
            "engine_hwm_mib": max((_status_mib(p, "VmHWM") for p in self.engines()), default=0),
            "engines_pss_mib": self.peak_pss_mib,
            "front_hwm_mib": _status_mib(self.process.pid, "VmHWM"),
        }

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, errors = self.process.communicate()
            message = f"kg serve did not stop within 60 s of Ctrl-C: {errors[-2000:]}"
            raise SystemExit(message) from None


def post(url: str, text: str) -> bytes:
    accept = N_TRIPLES if _is_graph_query(text) else JSON_RESULTS
    body = urllib.parse.urlencode({"query": text}).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=3600) as response:
        data: bytes = response.read()
        return data


def _is_graph_query(text: str) -> bool:
    from kg.stores.values import code_only

    code = code_only(text).upper()
    return "CONSTRUCT" in code or "DESCRIBE" in code


def _rows(answer: bytes, text: str) -> int:
    if _is_graph_query(text):
        return answer.count(b"\n")
    parsed = json.loads(answer)
    return len(parsed["results"]["bindings"]) if "results" in parsed else int(parsed["boolean"])


def served_times(server: Server, texts: list[tuple[str, str]], repeat: int) -> dict[str, Any]:
    times: dict[str, float] = {}
    rows: dict[str, int] = {}
    for _ in range(20):  # every worker has answered once
        post(server.url, "ASK {}")
    for name, text in texts:
        post(server.url, text)  # warm, as for every engine here
        runs, answer = repeated(lambda t=text: post(server.url, t), repeat)
        times[name] = statistics.median(runs)
        rows[name] = _rows(answer, text)
        server.sample()
    empty, _ = repeated(lambda: post(server.url, "ASK {}"), 20)
    return {"queries": times, "rows": rows, "empty_query": statistics.median(empty)}


REFRESH_PROBE = "<urn:kg-bench:refresh> <urn:kg-bench:added> <urn:kg-bench:file> ."
REFRESH_FILE = "zz-refresh-probe.nt"
REFRESH_ASK = "ASK { <urn:kg-bench:refresh> <urn:kg-bench:added> <urn:kg-bench:file> }"


def one_file_refresh(folder: Path, index: Path, scratch: Path) -> dict[str, float]:
    """A file added to `folder` while `kg serve` (in memory) runs over a copy of the
    index, and taken away after: seconds until the change is answered (from the new
    snapshot) and until the memory holds it again, and the engines' peak PSS meanwhile
    (sampled every 50 ms: two copies in memory would show here)."""
    import shutil
    import threading

    probe = folder / REFRESH_FILE
    probe.unlink(missing_ok=True)  # left by a run that was stopped
    copy = scratch / "refresh-index"
    shutil.copytree(index, copy)
    server = Server(folder, copy, "--refresh-every", "0.5")
    peak = 0.0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, sum(_pss_mib(p) for p in server.engines()))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    try:
        watcher.start()
        time.sleep(0.5)
        started = time.perf_counter()
        probe.write_text(REFRESH_PROBE + "\n", encoding="utf-8")
        while b"true" not in post(server.url, REFRESH_ASK):
            time.sleep(0.02)
        answered = time.perf_counter() - started
        assert server.process.stderr is not None
        line = server.process.stderr.readline()
        if "refreshed" not in line:
            raise SystemExit(f"kg serve did not refresh: {line}")
        in_memory = time.perf_counter() - started
    finally:
        probe.unlink(missing_ok=True)
        done.set()
        watcher.join()
        server.stop()
    return {"answered": answered, "in_memory": in_memory, "engines_pss_mib": peak}


# --- in this process ------------------------------------------------------------------


def bare_pyoxigraph(files: list[Any], texts: list[tuple[str, str]], repeat: int) -> dict[str, Any]:
    """The engine's quads (the index's staging) in a bare in-memory pyoxigraph store."""
    import pyoxigraph

    from kg.stores.index import _stage

    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        staged = _stage(files, Path(scratch) / "staged", 2)
        store = pyoxigraph.Store()
        for part in staged.parts:
            store.load(path=str(part), format=pyoxigraph.RdfFormat.N_QUADS, lenient=True)
        loaded = time.perf_counter() - started
    times: dict[str, float] = {}
    rows: dict[str, int] = {}
    for name, text in texts:
        _count(store.query(text))
        runs, count = repeated(lambda t=text: _count(store.query(t)), repeat)
        times[name], rows[name] = statistics.median(runs), count
    return {"queries": times, "rows": rows, "load": loaded}


def _count(answer: Any) -> int:
    import pyoxigraph

    if isinstance(answer, pyoxigraph.QueryBoolean):
        return int(bool(answer))
    return len(list(answer))


def index_times(index: Path, texts: list[tuple[str, str]], repeat: int) -> dict[str, Any]:
    from kg.stores.oxigraph_store import OxigraphStore

    store = OxigraphStore(index)
    times: dict[str, float] = {}
    rows: dict[str, int] = {}
    for name, text in texts:
        store.query(text)
        runs, answer = repeated(lambda t=text: store.query(t), repeat)
        times[name] = statistics.median(runs)
        rows[name] = _result_rows(answer)
    store.close()
    return {"queries": times, "rows": rows}


def _result_rows(answer: Any) -> int:
    if answer.kind == "ask":
        return int(bool(answer.boolean))
    if answer.graph is not None:
        return len(answer.graph)
    return len(answer.rows)


def rdflib_times(files: list[Any], texts: list[tuple[str, str]], repeat: int,
                 limit: float) -> dict[str, Any]:  # fmt: skip
    from rdflib import Dataset, URIRef

    from kg.model.files import parse_file

    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    for item in files:
        graph = dataset.graph(URIRef(item.graph))
        for triple in parse_file(item.path):
            graph.add(triple)
    loaded = time.perf_counter() - started
    times: dict[str, float] = {}
    rows: dict[str, int] = {}
    stopped: list[str] = []
    for name, text in texts:
        runs: list[float] = []
        count = -1
        while len(runs) < repeat:
            try:
                seconds, count = _limited(lambda t=text: len(list(dataset.query(t))), limit)
            except _Stopped:
                seconds, count = limit, -1
                stopped.append(name)
            runs.append(seconds)
            if seconds > 1:
                break  # one slow run tells enough
        times[name], rows[name] = statistics.median(runs), count
    return {"queries": times, "rows": rows, "stopped": stopped, "load": loaded}


def _limited(function: Callable[[], int], limit: float) -> tuple[float, int]:
    def stop(signum: int, frame: Any) -> None:
        raise _Stopped

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, limit)
    started = time.perf_counter()
    try:
        value = function()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return time.perf_counter() - started, value


# --- /proc ----------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def _tree(pid: int) -> list[int]:
    if not pid:
        return []
    return [pid, *(p for child in _children(pid) for p in _tree(child))]


def _pss_mib(pid: int) -> float:
    try:
        for line in (Path("/proc") / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _status_mib(pid: int, key: str) -> float:
    try:
        for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# --- one size -------------------------------------------------------------------------


def measure(
    label: str, data_dir: Path, repeat: int, limit: float, log: Callable[[str], None]
) -> dict[str, Any]:
    from kg.model.files import discover
    from kg.stores.index import refresh
    from kg.stores.oxigraph_store import OxigraphStore

    folder = data_dir / label
    if not (folder / "entities.ttl").is_file():
        log(f"generating {label} into {folder}")
        generate(parse_size(label), folder)
    files = discover([folder], include_ontology=True)
    texts = bound_texts()
    result: dict[str, Any] = {"triples": None}
    with tempfile.TemporaryDirectory(prefix="bench-resident-") as scratch:
        index = Path(scratch) / "index"
        log(f"{label}: building the index")
        started = time.perf_counter()
        store = OxigraphStore(index)
        refresh(store, files)
        store.close()
        result["index_build"] = time.perf_counter() - started
        for mode, options in (("resident", ()), ("on-disk", ("--on-disk",))):
            log(f"{label}: kg serve {' '.join(options) or '(in memory)'}")
            server = Server(folder, index, *options)
            try:
                result[mode] = served_times(server, texts, repeat)
                result[mode]["ready"] = server.ready
                result[mode]["in_memory"] = server.in_memory
                result[mode]["memory"] = server.memory()
            finally:
                server.stop()
        log(f"{label}: kg serve, one file added")
        result["refresh"] = one_file_refresh(folder, index, Path(scratch))
        log(f"{label}: bare pyoxigraph")
        result["pyoxigraph"] = bare_pyoxigraph(files, texts, repeat)
        log(f"{label}: the on-disk index")
        result["index"] = index_times(index, texts, repeat)
    log(f"{label}: rdflib (up to {limit:g} s a query)")
    result["rdflib"] = rdflib_times(files, texts, repeat, limit)
    return result


def report(results: dict[str, dict[str, Any]]) -> str:
    lines = ["# Resident kg serve, side by side", ""]
    for label, result in results.items():
        resident, bare, rdflib = result["resident"], result["pyoxigraph"], result["rdflib"]
        memory = resident["memory"]
        lines += [
            f"## {label}", "",
            f"- ready: first answer {resident['ready']:.2f} s after starting `kg serve` "
            f"(index current; from the snapshot), held in memory after "
            f"{resident['in_memory']:.2f} s; `--on-disk` {result['on-disk']['ready']:.2f} s",
            f"- memory: the memory engine {memory['engine_hwm_mib']:.0f} MiB at its peak "
            f"(VmHWM), both engines {memory['engines_pss_mib']:.0f} MiB (PSS); `--on-disk` "
            f"{result['on-disk']['memory']['engines_pss_mib']:.0f} MiB; the front "
            f"{memory['front_hwm_mib']:.0f} MiB",
            f"- one file added: answered after {result['refresh']['answered']:.2f} s (from the "
            f"new snapshot), in memory again after {result['refresh']['in_memory']:.2f} s; "
            f"the engines' peak meanwhile {result['refresh']['engines_pss_mib']:.0f} MiB (PSS)",
            f"- an empty query over HTTP: {resident['empty_query'] * 1000:.2f} ms",
            f"- bare pyoxigraph load {bare['load']:.1f} s, rdflib load {rdflib['load']:.1f} s, "
            f"index build {result['index_build']:.1f} s", "",
            "| saved query | rows | resident | on-disk | pyoxigraph | index | rdflib "
            "| rdflib / resident | resident / pyoxigraph |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]  # fmt: skip
        for name in resident["queries"]:
            times = [result[m]["queries"][name]
                     for m in ("resident", "on-disk", "pyoxigraph", "index", "rdflib")]  # fmt: skip
            counts = {
                result[m]["rows"][name] for m in ("resident", "on-disk", "pyoxigraph", "index")
            }
            bound = ">= " if name in rdflib["stopped"] else ""
            rows = "/".join(str(c) for c in sorted(counts))
            if rdflib["rows"][name] >= 0 and {rdflib["rows"][name]} != counts:
                rows += f" (rdflib {rdflib['rows'][name]})"
            lines.append(
                f"| {name} | {rows} | "
                + " | ".join(f"{t:.4f}" for t in times[:4])
                + f" | {bound}{times[4]:.4f} | {bound}{times[4] / times[0]:.0f}x "
                f"| {times[0] / times[2]:.1f}x |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1m")
    parser.add_argument("--quick", action="store_true", help="1k triples, one run each")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rdflib-limit", type=float, default=60.0, metavar="SECONDS")
    parser.add_argument("--data-dir", type=Path, default=HERE / "data")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    sizes = ["1k"] if args.quick else [s.strip() for s in args.sizes.split(",") if s.strip()]
    repeat = 1 if args.quick else args.repeat

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    results = {
        label: measure(label, args.data_dir, repeat, args.rdflib_limit, log) for label in sizes
    }
    print(report(results))
    if args.out:
        args.out.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
