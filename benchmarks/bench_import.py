"""Time and peak memory of `kg import imsa` over all of sources/imsa/, against plain rdflib.

    .venv/bin/python benchmarks/bench_import.py [--runs 3] [PATH]

Two variants build exactly the same triples from the same files (the
importer's mapping and entity resolution, with the bundled rules):

- ours:   sorted triples serialised to Turtle by pyoxigraph (what the importer does);
- rdflib: the triples added to an rdflib Graph and serialised with rdflib's Turtle writer.

Each run is a fresh process, so that peak memory (maximum resident set size,
from wait4) is that run's own. Prints per-variant medians and ours/rdflib
ratios. Not part of the test suite.
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


def child(variant: str, source: Path) -> None:
    from kg.importers.imsa import convert, find_csv_files
    from kg.importers.resolution import empty_resolver

    files = find_csv_files([source])
    resolver = empty_resolver()
    started = time.perf_counter()
    triples = 0
    with tempfile.TemporaryDirectory() as folder:
        for number, path in enumerate(files):
            if variant == "ours":
                converted = convert(path, resolver)
                text = converted.turtle
            else:
                from kg.model.namespaces import new_graph

                converted = _triples_only(path, resolver)
                graph = new_graph()
                for triple in converted:
                    graph.add(triple)
                text = graph.serialize(format="turtle")
            triples += len(converted.triples) if variant == "ours" else len(converted)
            Path(folder, f"{number}.ttl").write_text(text, encoding="utf-8")
    print(json.dumps({"seconds": time.perf_counter() - started, "triples": triples}))


def _triples_only(path: Path, resolver: object) -> tuple[object, ...]:
    """The importer's mapping without its Turtle writer: the same triples."""
    from kg.importers.imsa import importing as imsa

    original = imsa.to_turtle
    imsa.to_turtle = lambda triples: ""  # type: ignore[assignment]
    try:
        return imsa.convert(path, resolver).triples  # type: ignore[arg-type]
    finally:
        imsa.to_turtle = original


def run_once(variant: str, source: Path) -> tuple[float, float, int]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", variant, str(source)],
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{variant} run failed with exit code {process.returncode}")
    result = json.loads(output)
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    return float(result["seconds"]), peak_mb, int(result["triples"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=ROOT / "sources" / "imsa")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=["ours", "rdflib"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.path)
        return
    medians: dict[str, tuple[float, float]] = {}
    for variant in ("ours", "rdflib"):
        times, peaks, triples = [], [], 0
        for _ in range(args.runs):
            seconds, peak, triples = run_once(variant, args.path)
            times.append(seconds)
            peaks.append(peak)
        medians[variant] = (statistics.median(times), statistics.median(peaks))
        print(
            f"{variant:<7} {triples} triples: median {medians[variant][0]:.2f} s, "
            f"peak {medians[variant][1]:.0f} MB over {args.runs} runs "
            f"(times {', '.join(f'{t:.2f}' for t in times)})"
        )
    ours, baseline = medians["ours"], medians["rdflib"]
    print(
        f"ours/rdflib: time {ours[0] / baseline[0]:.2f}x, peak memory {ours[1] / baseline[1]:.2f}x"
    )


if __name__ == "__main__":
    main()
