"""benchmarks/bench_resident.py runs: kg serve (in memory and --on-disk), bare
pyoxigraph, the index and rdflib on every saved query, at 1k triples. No timings are
asserted; the figures it prints are reported in docs/stores.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_resident_quick_mode_measures_every_engine(tmp_path: Path) -> None:
    out = tmp_path / "resident.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_resident.py"), "--quick",
         "--data-dir", str(tmp_path / "data"), "--out", str(out)],
        capture_output=True, text=True, check=False, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))["1k"]
    names = {path.stem for path in (ROOT / "queries").glob("*.rq")}
    for engine in ("resident", "on-disk", "pyoxigraph", "index", "rdflib"):
        assert set(result[engine]["queries"]) == names, engine
    # The engines read the same knowledge: every saved query has as many rows on each.
    for name in names:
        rows = {result[e]["rows"][name] for e in ("resident", "on-disk", "pyoxigraph", "index")}
        assert len(rows) == 1, (name, rows)
    assert 0 < result["resident"]["ready"] < 60
    assert result["resident"]["memory"]["engine_hwm_mib"] > 0
    assert done.stdout.startswith("# Resident kg serve, side by side\n")
