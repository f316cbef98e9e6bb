"""The benchmark scripts run: the generator at a tiny size, the runner in --quick mode.

No timings are asserted here; the performance targets live in benchmarks/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kg.model.namespaces import new_graph

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"


def test_generator_is_seeded_and_writes_one_file_per_source(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        done = subprocess.run(
            [sys.executable, str(BENCHMARKS / "generate.py"), "--size", "3000", "--out", str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    files = sorted(p.relative_to(first) for p in first.rglob("*.ttl"))
    assert files == sorted(p.relative_to(second) for p in second.rglob("*.ttl"))
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    assert Path("entities.ttl") in files
    assert len([f for f in files if f.parts[0] == "articles"]) >= 2
    graph = new_graph()
    for f in files:
        graph.parse(first / f, format="turtle")
    assert len(graph) >= 3000
    reported = int(done.stderr.split()[1])
    assert reported == len(graph)


def test_runner_quick_mode_writes_results(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run.py"),
            "--quick",
            "--data-dir",
            str(tmp_path / "data"),
            "--out-dir",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    cases = results["sizes"]["1k"]["cases"]
    for case in ("load", "refresh", "queries", "export", "validate"):
        assert case in cases
    for impl in ("kg", "pyoxigraph", "rdflib"):
        assert "seconds" in cases["load"][impl], cases["load"][impl]
    assert "seconds" in cases["validate"]["fast"]
    assert set(cases["queries"]["kg"]["queries"]) == {
        p.stem for p in (ROOT / "queries").glob("*.rq")
    }
    text = (out / "RESULTS.md").read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results\n")
    assert "kg --help < 0.2 s" in text
    assert any(line.split()[0] in ("PASS", "FAIL", "n/a") for line in done.stdout.splitlines())
    for case, impl in (("load", "pyoxigraph-disk"), ("export", "kg-stable"), ("viz", "kg")):
        assert "seconds" in cases[case][impl], cases[case][impl]
    # Two runs' results make one report.
    combined = tmp_path / "combined"
    again = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--combine", str(out), str(out),
         "--out-dir", str(combined)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    merged = json.loads((combined / "results.json").read_text(encoding="utf-8"))
    assert merged["sizes"]["1k"] == results["sizes"]["1k"]
    assert "--quick" in (combined / "RESULTS.md").read_text(encoding="utf-8")


def _bench(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_briefing_benchmark_times_every_case_against_its_baselines() -> None:
    done = _bench("bench_show.py", "--repeat", "1")
    lines = done.stdout.splitlines()
    assert lines[0].startswith("case") and "target 0.5 s" in lines[0]
    names = [line.split("  ")[0] for line in lines[1:]]
    assert "baseline: kg --help" in names
    assert "kg show 'Rolex 24 at Daytona 2024'" in names
    assert "kg timeline" in names
    # Every briefing gets a verdict against the target; the baselines do not.
    assert all(line.rstrip().endswith(("ok", "OVER")) for line in lines if "kg show" in line)


def test_layout_benchmark_prints_both_methods_or_why_one_is_skipped() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_layout.py"), "--sizes", "700,2000",
         "--all-pairs-limit", "0.001"],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[2:]]
    assert [(row[0], row[2]) for row in rows] == [
        ("700", "all-pairs"),
        ("700", "grid"),
        ("700", "layout()"),
        ("2000", "all-pairs"),
        ("2000", "grid"),
        ("2000", "layout()"),
    ]
    assert rows[0][3] != "skipped:" and rows[3][3:5] == ["skipped:", "about"]


def test_bundle_benchmark_times_every_saved_query_and_names_the_heaviest() -> None:
    done = _bench("bench_bundle.py", "--repeat", "1", "--skip-build")
    lines = done.stdout.splitlines()
    timed = [line for line in lines if line.startswith(("kg query", "kg show", "kg --help"))]
    queries = sorted(path.stem for path in (ROOT / "queries").glob("*.rq"))
    assert [line.split()[2] for line in timed if line.startswith("kg query")] == queries
    assert sum("<- heaviest query" in line for line in timed) == 1
    assert all(" ok (" in line or " OVER (" in line for line in timed)


def test_server_benchmark_pushes_and_runs_every_saved_query_on_both_servers(
    tmp_path: Path,
) -> None:
    from kg.answers.queries import registry

    done = _bench("bench_servers.py", "--size", "1k", "--repeat", "1",
                  "--data-dir", str(tmp_path / "1k"))  # fmt: skip
    lines = done.stdout.splitlines()
    assert any(line.startswith("kg push to oxigraph server: ") for line in lines)
    assert any(line.startswith("kg push to virtuoso: ") for line in lines)
    table = [line for line in lines if line.startswith("| ")]
    rows = {line.split(" | ")[0].removeprefix("| "): line for line in table}
    assert set(registry()) <= set(rows)
    # Every server gave the index's rows for every saved query, in time.
    assert [line for line in rows.values() if "WRONG" in line or "failed" in line] == []


def test_server_benchmark_times_the_push_alone_and_its_growth(tmp_path: Path) -> None:
    done = _bench("bench_servers.py", "--push-only", "--sizes", "1k,3000", "--servers",
                  "oxigraph", "--by", "update", "--repeat", "1",
                  "--data-dir", str(tmp_path))  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines[0] == "# kg push by update, median of 1 (a fresh server each)"
    rows = [line.split(" | ") for line in lines if line.startswith("| oxigraph | ")]
    assert [row[1] for row in rows] == ["1k", "3000"]
    assert all(float(row[4]) > 0 and float(row[5]) > 0 for row in rows)  # kg's and the server's CPU
    growth = [line for line in lines if line.startswith("oxigraph, ")]
    assert len(growth) == 1 and "time ~ triples^k with k = " in growth[0], lines
