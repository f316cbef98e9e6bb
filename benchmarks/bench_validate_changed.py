"""`kg validate --changed` after a one-value edit, against a full validation (issue 20).

For each data folder (made by generate.py), a copy is validated as a user would, each
command a whole process on the on-disk index:

  full                   kg validate
  --changed (first)      validates fully and keeps the cache
  --changed (no edit)    nothing changed
  --changed (own)        one car number written as a number: the entry's own shape
  --changed (neighbour)  a decision's source published two years later: a status
                         report's SPARQL-based check (another node) fails

After each edit the --changed report is compared with a full validation's (they must
be byte for byte equal), and the number of focus nodes re-checked is read from the note.

    python benchmarks/bench_validate_changed.py --data /tmp/bench-100k /tmp/bench-1m
    python benchmarks/bench_validate_changed.py --data /tmp/bench-1m --source /tmp/before
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_fixed_cost import environment

ROOT = Path(__file__).resolve().parents[1]


def kg(folder: Path, env: dict[str, str], *args: str) -> tuple[float, str, str]:
    """Seconds, stdout and stderr of `kg --data folder ARGS` (exit 0 or 1 expected)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kg", "--data", str(folder), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=env.get("PYTHONPATH", str(ROOT)),
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"kg {' '.join(args)} failed: {done.stderr[-800:]}")
    return seconds, done.stdout, done.stderr


def edit(path: Path, pattern: str, replace: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed, count = re.subn(pattern, replace, text, count=1)
    if count != 1:
        raise SystemExit(f"{path}: nothing matches {pattern!r}")
    path.write_text(changed, encoding="utf-8")


def rechecked(notes: str) -> str:
    found = re.search(r"--changed: (.*)", notes)
    return found.group(1) if found else notes.strip()[-120:]


def measure(source: Path, env: dict[str, str], scratch: Path) -> None:
    data = scratch / source.name
    shutil.copytree(source, data)
    built, _, _ = kg(data, env, "query", "-e", "ASK {}")
    print(f"\n{source} (copied; index built in {built:.1f} s)")
    rows: list[tuple[str, float, str]] = []
    seconds, full_report, _ = kg(data, env, "validate", "--format", "json")
    results = full_report.count('"focus"')
    rows.append(("kg validate (full)", seconds, f"{results} results"))
    seconds, _, notes = kg(data, env, "validate", "--changed", "--format", "json")
    rows.append(("--changed (first run)", seconds, rechecked(notes)))
    seconds, _, notes = kg(data, env, "validate", "--changed", "--format", "json")
    rows.append(("--changed (no edit)", seconds, rechecked(notes)))
    race = sorted((data / "articles").glob("*-race-*.ttl"))[0]
    decision = sorted((data / "articles").glob("*-decision-*.ttl"))[0]
    edits = (
        ("--changed (own)", race, r'ms:carNumber "(\d+)" ;', r"ms:carNumber \1 ;"),
        (
            "--changed (neighbour)",
            decision,
            r'ms:published "(\d{4})-',
            lambda m: f'ms:published "{int(m.group(1)) + 2}-',
        ),
    )
    for name, path, pattern, replace in edits:
        edit(path, pattern, replace)  # type: ignore[arg-type]
        seconds, changed_report, notes = kg(data, env, "validate", "--changed", "--format", "json")
        _, full_report, _ = kg(data, env, "validate", "--format", "json")
        same = "equal to full" if changed_report == full_report else "DIFFERS from full"
        rows.append((name, seconds, f"{rechecked(notes)}; {same}"))
    for name, seconds, note in rows:
        print(f"  {name:<24} {seconds:7.2f} s   {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", required=True)
    parser.add_argument("--source", type=Path, help="run kg from this source tree")
    options = parser.parse_args()
    source = options.source.resolve() if options.source else None
    print(f"kg from {source or ROOT}")
    with tempfile.TemporaryDirectory() as where:
        scratch = Path(where)
        env = environment(source, scratch / "cache")
        for folder in options.data:
            measure(folder.resolve(), env, scratch)


if __name__ == "__main__":
    main()
