"""The toolkit on the whole bundled knowledge (issue 17): two seasons of official results
beside the articles, as a user runs it after a fresh clone.

Measured in one run, side by side, so that a busy machine slows all alike:

- a fresh `kg build` (a new on-disk index, validation, every saved query, exports,
  pictures, site): wall time and peak memory (the RSS high-water mark of the process
  and what it waited for), against the targets 2 minutes and 1 GiB; beside it, as a
  baseline, rdflib parsing the same files into one graph;
- once the index exists, the whole process of `kg query NAME` for every saved query
  (the heaviest is the target: under 0.3 s), `kg show` of the main entities (under
  0.5 s) and `kg --help` (under 0.2 s), interleaved, medians of --repeat runs.

    python benchmarks/bench_bundle.py                 # 5 runs per command
    python benchmarks/bench_bundle.py --repeat 9 --skip-build
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD_SECONDS, BUILD_MIB = 120.0, 1024.0
QUERY_SECONDS, SHOW_SECONDS, HELP_SECONDS = 0.3, 0.5, 0.2
ENTITIES = ("BMW", "RLL", "Dries Vanthoor", "#25 Daytona 2024", "Rolex 24 at Daytona 2024")
# As a user's interpreter runs: with its bytecode cache, with the bundled data.
ENV = {
    key: value
    for key, value in os.environ.items()
    if key not in ("PYTHONDONTWRITEBYTECODE", "KG_DATA", "KG_STORE")
}


def measured(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak MiB (ru_maxrss of the child and what it waited for)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or ENV, cwd=ROOT
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        error = process.stderr.read().decode()[-400:] if process.stderr else ""
        raise SystemExit(f"{' '.join(args)} exited {code}: {error}")
    return seconds, usage.ru_maxrss / 1024


RDFLIB_BASELINE = """
import sys
from pathlib import Path
from rdflib import Graph
graph = Graph()
for root in sys.argv[1:]:
    for path in sorted(Path(root).rglob('*.ttl')):
        graph.parse(path, format='turtle')
print(len(graph))
"""


def build_rows(where: Path) -> list[tuple[str, float, float, str]]:
    env = {**ENV, "XDG_CACHE_HOME": str(where / "cache")}
    kg = [sys.executable, "-m", "kg", "build", "--out", str(where / "site")]
    build_s, build_mib = measured(kg, env)
    sources = [str(ROOT / "ontology"), str(ROOT / "data")]
    rdflib_s, rdflib_mib = measured([sys.executable, "-c", RDFLIB_BASELINE, *sources])
    ok = build_s < BUILD_SECONDS and build_mib < BUILD_MIB
    return [
        ("kg build (fresh index, whole bundle)", build_s, build_mib, "ok" if ok else "OVER"),
        ("baseline: rdflib parses the same files", rdflib_s, rdflib_mib, ""),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-build", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        where = Path(scratch)
        rows = [] if options.skip_build else build_rows(where)
        store = ["--store", f"oxigraph:{where / 'index'}"]
        kg = [sys.executable, "-m", "kg"]
        measured([*kg, *store, "queries"])  # build the index once
        cases: dict[str, list[str]] = {"kg --help": [*kg, "--help"]}
        for path in sorted((ROOT / "queries").glob("*.rq")):
            # A parameter without a default gets the car the articles are most about.
            needed = [
                option
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith("# param:") and "[default:" not in line
                for option in ("-p", line.split()[2], "msr:rolex-24-at-daytona-2024-entry-25")
            ]
            cases[f"kg query {path.stem}"] = [*kg, *store, "query", path.stem, *needed]
        for entity in ENTITIES:
            cases[f"kg show {entity!r}"] = [*kg, *store, "show", entity]
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(options.repeat):
            for name, args in cases.items():
                times[name].append(measured(args)[0])
    for name, seconds, mib, verdict in rows:
        print(f"{name:45s} {seconds:8.1f} s {mib:8.0f} MiB  {verdict}")
    if rows:
        print(
            f"  targets: {BUILD_SECONDS:.0f} s, {BUILD_MIB:.0f} MiB; "
            f"kg build / rdflib parse: {rows[0][1] / rows[1][1]:.1f}x the time, "
            f"{rows[0][2] / rows[1][2]:.1f}x the memory"
        )
    medians = {name: statistics.median(found) for name, found in times.items()}
    queries = {n: s for n, s in medians.items() if n.startswith("kg query")}
    heaviest = max(queries, key=queries.__getitem__)
    help_s = medians["kg --help"]
    print(f"{'case':45s} median s  worst s  x kg --help  target")
    for name, found in times.items():
        target = (
            HELP_SECONDS
            if name == "kg --help"
            else SHOW_SECONDS
            if name.startswith("kg show")
            else QUERY_SECONDS
        )
        verdict = "ok" if medians[name] < target else "OVER"
        mark = "  <- heaviest query" if name == heaviest else ""
        print(
            f"{name:45s} {medians[name]:8.3f} {max(found):8.3f} {medians[name] / help_s:11.1f}"
            f"  {verdict} ({target} s){mark}"
        )


if __name__ == "__main__":
    main()
