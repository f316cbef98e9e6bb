"""Whole-process time of `kg show` and `kg timeline` on the bundled knowledge, once the
index exists (issue 16: a briefing of any entity in under 0.5 s).

Each command runs as a user runs it (a new process, the on-disk index of a private
store directory, built once before timing). Baselines measured in the same run and
interleaved with the commands, so that a busy machine slows all alike: `kg --help`
(the interpreter, click and kg's command table) and a bare `import rdflib`.

    python benchmarks/bench_show.py              # 7 runs per command
    python benchmarks/bench_show.py --repeat 15

Prints one line per command: median and worst seconds, the ratio to `kg --help`, and
whether the median is under the target.
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

TARGET_SECONDS = 0.5
ENTITIES = (
    # Car numbers repeat over two seasons: "#25" alone lists the candidates.
    "#24 Daytona 2024",
    "#25 Daytona 2024",
    "René Rast",
    "Dries Vanthoor",
    "Andreas Roos",
    "RLL",
    "BMW",
    "Rolex 24 at Daytona 2024",
    "BMW decision on an LMDh customer programme",
    "BMW LMDh factory programme",
    "msr:article-2024-01-daytona-bmw-rolex24-report",
)


def kg_command() -> list[str]:
    return [sys.executable, "-m", "kg"]


# Commands run as a user's interpreter runs them: with its bytecode cache (a shell that
# sets PYTHONDONTWRITEBYTECODE would recompile kg's modules on every start, about 0.1 s).
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def run_once(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, check=False, env=ENV)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.decode()[-400:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as where:
        store = ["--store", f"oxigraph:{Path(where) / 'index'}"]
        # Build the index once: every later command only reads it.
        run_once([*kg_command(), *store, "show", "BMW"])
        cases: dict[str, list[str]] = {
            "baseline: python -c 'import rdflib'": [sys.executable, "-c", "import rdflib"],
            "baseline: kg --help": [*kg_command(), "--help"],
        }
        for entity in ENTITIES:
            cases[f"kg show {entity!r}"] = [*kg_command(), *store, "show", entity]
        cases["kg show BMW --lang de"] = [*kg_command(), *store, "show", "BMW", "--lang", "de"]
        cases["kg show 'Rolex 24 at Daytona 2024' --all"] = [
            *kg_command(),
            *store,
            "show",
            "Rolex 24 at Daytona 2024",
            "--all",
        ]
        cases["kg timeline"] = [*kg_command(), *store, "timeline"]
        cases["kg timeline 'Rolex 24 at Daytona 2024'"] = [
            *kg_command(),
            *store,
            "timeline",
            "Rolex 24 at Daytona 2024",
        ]
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(options.repeat):
            # Interleaved: each round runs every case once.
            for name, args in cases.items():
                times[name].append(run_once(args))
    help_median = statistics.median(times["baseline: kg --help"])
    width = max(len(name) for name in cases)
    print(f"{'case'.ljust(width)}  median s  worst s  x kg --help  target {TARGET_SECONDS} s")
    for name, found in times.items():
        median = statistics.median(found)
        verdict = ""
        if name.startswith("kg show"):
            verdict = "ok" if median < TARGET_SECONDS else "OVER"
        print(
            f"{name.ljust(width)}  {median:8.3f}  {max(found):7.3f}  "
            f"{median / help_median:10.1f}  {verdict}"
        )


if __name__ == "__main__":
    main()
