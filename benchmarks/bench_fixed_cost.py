"""kg's own cost around a query (issue 20): what every command pays besides the engine.

For each data folder (made by generate.py), once the index is built, three whole
processes are timed, interleaved so that a busy machine slows all alike:

  kg --help                              the interpreter, click and kg's command table
  engine                                 python opening the same index read-only with
                                         pyoxigraph and asking the same query (the
                                         engine's time on the same store, as a process)
  kg --data DIR query -e QUERY           the command a user runs

kg's own cost is the command's median less the engine's. Then one process reports
where the command's time goes (imports, discover, the freshness check, opening the
database, the query), measured inside it.

    python benchmarks/generate.py --size 1m --out /tmp/bench-1m
    python benchmarks/bench_fixed_cost.py --data /tmp/bench-100k /tmp/bench-1m --repeat 11
    # the code as it was: a tree from `git archive COMMIT | tar -x -C /tmp/before`
    python benchmarks/bench_fixed_cost.py --data /tmp/bench-1m --source /tmp/before

The indexes go to a private cache folder (--cache, default: a new temporary folder),
so a run never reuses or damages the user's own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 0.15
QUERIES = {
    "ask": "ASK {}",
    "empty select": "SELECT ?s WHERE { ?s a <urn:x-nothing:Nothing> }",
}

# Run inside the measured tree: where the index of a data folder is, and the phases.
LOCATE = """
import sys
from pathlib import Path
from kg.model import paths
from kg.stores.config import default_index_location
print(default_index_location([paths.ontology_dir(), Path(sys.argv[1])]) / "store")
"""
PHASES = """
import json, sys, time
start = time.perf_counter()
import kg.cli.query_cmd, kg.answers.labels, kg.answers.lookup, kg.answers.queries
import kg.knowledge.asof, kg.outputs.tables, kg.model.serialize
from pathlib import Path
from kg.model import paths
from kg.model.files import discover
from kg.stores import index
from kg.stores.sync import open_store
folder = [Path(sys.argv[1])]
times = {"imports": time.perf_counter() - start}
mark = time.perf_counter()
files = discover(folder)
times["discover"] = time.perf_counter() - mark
store = open_store(None, [paths.ontology_dir(), *folder])
mark = time.perf_counter()
store.try_lock_shared()
plan = index._plan(store, files)
times["freshness check"] = time.perf_counter() - mark
assert plan.empty, "the index is not fresh"
mark = time.perf_counter()
store.reader()
times["open database (engine)"] = time.perf_counter() - mark
mark = time.perf_counter()
store.query(sys.argv[2])
times["query (engine, and kg's conversion)"] = time.perf_counter() - mark
times["files"] = len(files)
print(json.dumps(times))
"""
ENGINE = """
import sys, pyoxigraph
store = pyoxigraph.Store.read_only(sys.argv[1])
answer = store.query(sys.argv[2])
bool(answer) if isinstance(answer, pyoxigraph.QueryBoolean) else sum(1 for _ in answer)
"""


def environment(source: Path | None, cache: Path) -> dict[str, str]:
    # As a user's interpreter runs: with its bytecode cache (see bench_show.py).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["XDG_CACHE_HOME"] = str(cache)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    return env


def run(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    # From the measured tree: `python -m kg` and `-c` find kg in the working folder first.
    where = env.get("PYTHONPATH", str(ROOT))
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False, env=env, cwd=where)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr[-600:]}")
    return seconds, done.stdout


def measure(folder: Path, repeat: int, env: dict[str, str]) -> None:
    kg = [sys.executable, "-m", "kg"]
    built, _ = run([*kg, "--data", str(folder), "query", "-e", "ASK {}"], env)
    _, where = run([sys.executable, "-c", LOCATE, str(folder)], env)
    store = where.strip()
    print(f"\n{folder}: index at {store} (first run, building it: {built:.1f} s)")
    for name, text in QUERIES.items():
        cases = {
            "kg --help": [*kg, "--help"],
            "engine": [sys.executable, "-c", ENGINE, store, text],
            "kg query": [*kg, "--data", str(folder), "query", "-e", text, "--format", "csv"],
        }
        times: dict[str, list[float]] = {case: [] for case in cases}
        for _ in range(repeat):
            for case, args in cases.items():
                times[case].append(run(args, env)[0])
        medians = {case: statistics.median(values) for case, values in times.items()}
        own = medians["kg query"] - medians["engine"]
        verdict = "ok" if own < TARGET_SECONDS else "OVER"
        print(f"  query {name!r} ({text}), medians of {repeat}:")
        for case, seconds in medians.items():
            print(f"    {case:<10} {seconds:.3f} s   (worst {max(times[case]):.3f} s)")
        print(f"    kg's own cost: {own:.3f} s, target < {TARGET_SECONDS} s: {verdict}")
    phases: list[dict[str, float]] = []
    for _ in range(repeat):
        inside = run([sys.executable, "-c", PHASES, str(folder), "ASK {}"], env)[1]
        phases.append(json.loads(inside))
    print(f"  inside one process (medians of {repeat}; {int(phases[0]['files'])} files):")
    for phase in phases[0]:
        if phase != "files":
            print(f"    {phase:<38} {statistics.median(p[phase] for p in phases):.4f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", required=True)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--source", type=Path, help="run kg from this source tree")
    parser.add_argument("--cache", type=Path, help="where the indexes go (kept)")
    options = parser.parse_args()
    source = options.source.resolve() if options.source else None
    print(f"kg from {source or ROOT}")
    with tempfile.TemporaryDirectory() as scratch:
        cache = options.cache or Path(scratch)
        env = environment(source, cache)
        for folder in options.data:
            measure(folder.resolve(), options.repeat, env)


if __name__ == "__main__":
    main()
