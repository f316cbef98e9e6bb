"""The saved queries on the on-disk index at several sizes, and how they grow (issue 20).

Each saved query runs through kg's store (`OxigraphStore.query`, as `kg query NAME`
does, the parameters bound to entities the generator makes: run.py's
SYNTHETIC_BINDINGS), repeated; the median, the rows, and the growth exponent between
consecutive sizes (log of the time ratio over log of the size ratio), flagged when
above 1.1. The answer's rows are printed too: a query whose answer stays the same size
should not grow at all.

    python benchmarks/bench_saved_queries.py --data /tmp/bench-100k /tmp/bench-1m
    python benchmarks/bench_saved_queries.py --data /tmp/bench-100k /tmp/bench-1m \\
        --queries pending-decisions race-position-reports --repeat 15

The indexes are built (once) in a private cache folder (--cache; default a new
temporary folder), so the user's own are never touched.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import SYNTHETIC_BINDINGS  # noqa: E402

FLAG_ABOVE = 1.1


def triples_in(folder: Path) -> int:
    """The size the generator wrote (its stderr line is not kept: count the index)."""
    from kg.knowledge.project import open_knowledge

    knowledge = open_knowledge(None, [folder])
    answer = knowledge.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(answer.rows[0][0].toPython())  # type: ignore[union-attr]


def measure(folder: Path, names: list[str], repeat: int) -> dict[str, tuple[float, int]]:
    from rdflib import URIRef

    from kg.answers.queries import registry
    from kg.knowledge.project import open_knowledge

    knowledge = open_knowledge(None, [folder])
    found: dict[str, tuple[float, int]] = {}
    for name in names:
        query = registry()[name]
        bindings = {
            p.name: URIRef(SYNTHETIC_BINDINGS[p.name])
            for p in query.params
            if p.name in SYNTHETIC_BINDINGS
        }
        times = []
        rows = 0
        for _ in range(repeat):
            start = time.perf_counter()
            rows = len(knowledge.store.query(query.text, bindings=bindings).rows)
            times.append(time.perf_counter() - start)
        found[name] = (statistics.median(times), rows)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", required=True)
    parser.add_argument("--queries", nargs="*", help="saved query names (default: all)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cache", type=Path, help="where the indexes go (kept)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["XDG_CACHE_HOME"] = str(options.cache or scratch)
        from kg.answers.queries import registry

        names = options.queries or sorted(registry())
        sizes = [triples_in(folder) for folder in options.data]
        results = [measure(folder, names, options.repeat) for folder in options.data]
    header = "".join(f"{size:>20,}" for size in sizes)
    print(f"{'query (median s, rows)':<28}{header}   exponents")
    for name in names:
        cells = "".join(f"{r[name][0]:>12.4f} {r[name][1]:>7}" for r in results)
        exponents = []
        pairs = zip(itertools.pairwise(sizes), itertools.pairwise(results), strict=True)
        for (small, big), (a, b) in pairs:
            exponent = math.log(max(b[name][0], 1e-6) / max(a[name][0], 1e-6)) / math.log(
                big / small
            )
            flag = " FLAG" if exponent > FLAG_ABOVE else ""
            exponents.append(f"{exponent:.2f}{flag}")
        print(f"{name:<28}{cells}   {', '.join(exponents)}")


if __name__ == "__main__":
    main()
