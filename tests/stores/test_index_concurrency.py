"""The on-disk index shared by many `kg` commands at once, and killed in mid-build.

Real `kg` processes race on a real index in a temporary folder; nothing is mocked.
Issue 18, items 1 and 3: after an edit, 12 to 17 of 20 parallel queries failed with
"index cannot be opened (IO error ... unlink() ... LOG.old.N)" and 999 LOG.old files
piled up; a build killed with `kill -9` left its staging workers alive for 46 minutes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FULL_DATA, ROOT, copy_core_data

THING_QUERY = "SELECT ?thing WHERE { ?thing a <urn:x-test:Thing> } ORDER BY ?thing"
READERS = 20
# Bounds a hang, not a speed: 21 commands share two cores with other test runs.
COMMAND_TIMEOUT = 120


def _environment() -> dict[str, str]:
    # The store is named on the command line: KG_STORE plays no part here.
    environment = {key: value for key, value in os.environ.items() if key != "KG_STORE"}
    environment["PYTHONPATH"] = str(ROOT)
    return environment


def _kg(
    index: Path, data: Path, *args: str, output: int = subprocess.PIPE, wait: str | None = None
) -> subprocess.Popen[str]:
    """`kg --store oxigraph:INDEX --data DATA ARGS...`; `wait`: KG_INDEX_LOCK_WAIT."""
    environment = _environment()
    if wait is not None:
        environment["KG_INDEX_LOCK_WAIT"] = wait
    return subprocess.Popen(
        [sys.executable, "-m", "kg", "--store", f"oxigraph:{index}", "--data", str(data), *args],
        stdout=output,
        stderr=output,
        text=True,
        env=environment,
        cwd=ROOT,
    )


THINGS = "@prefix x: <urn:x-test:> .\n"


def _append_a_thing(data: Path) -> list[str]:
    with (data / "things.ttl").open("a", encoding="utf-8") as stream:
        stream.write("x:thing-02 a x:Thing .\n")
    return ["<urn:x-test:thing-01>", "<urn:x-test:thing-02>"]


def _add_a_file(data: Path) -> list[str]:
    (data / "more-things.ttl").write_text(THINGS + "x:thing-03 a x:Thing .\n", encoding="utf-8")
    return ["<urn:x-test:thing-01>", "<urn:x-test:thing-03>"]


def _remove_a_file(data: Path) -> list[str]:
    (data / "things.ttl").unlink()
    return []


EDITS = {"a line appended": _append_a_thing, "a file added": _add_a_file}
EDITS["a file removed"] = _remove_a_file


def _log_files(index: Path) -> list[str]:
    return sorted(path.name for path in (index / "store").glob("LOG.old*"))


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_parallel_commands_after_an_edit_all_answer_the_edit(tmp_path: Path, edit: str) -> None:
    """An edit, then 21 commands at once (the first to lock the index refreshes it, the
    others wait for it or find it done): every command answers with the edited files'
    rows, none fails, the RocksDB logs stay few. Three edits, three races."""
    data = copy_core_data(tmp_path / "data")
    (data / "things.ttl").write_text(THINGS + "x:thing-01 a x:Thing .\n", encoding="utf-8")
    index = tmp_path / "index"
    first = _kg(index, data, "query", "-e", THING_QUERY, "--format", "csv")
    assert first.communicate(timeout=COMMAND_TIMEOUT)[0] == "thing\n<urn:x-test:thing-01>\n"
    # Old logs as earlier races left them: RocksDB deletes the oldest beyond 1000.
    for number in range(990):
        (index / "store" / f"LOG.old.{1_700_000_000_000_000 + number}").touch()
    expected = ["thing", *EDITS[edit](data)]
    commands = [
        _kg(index, data, "query", "-e", THING_QUERY, "--format", "csv") for _ in range(READERS + 1)
    ]
    answers = [command.communicate(timeout=COMMAND_TIMEOUT) for command in commands]
    failures = [
        (command.returncode, err)
        for command, (_, err) in zip(commands, answers, strict=True)
        if command.returncode != 0
    ]
    assert failures == [], f"{len(failures)} of {len(commands)} failed, first: {failures[0]}"
    for out, err in answers:
        assert (out.splitlines(), err) == (expected, "")
    assert len(_log_files(index)) <= 5, _log_files(index)


def _children(pid: int) -> list[int]:
    """Living child processes of `pid`, read from /proc (zombies are dead)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text(encoding="utf-8")
        except OSError:
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == pid and state != "Z":
            found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_staging_workers_die_with_a_killed_build(tmp_path: Path) -> None:
    """`kill -9` of a build while its workers stage the files: the workers go too."""
    workers: list[int] = []
    try:
        for _ in range(3):
            index = tmp_path / f"index-{len(workers)}"
            # No pipes: a surviving worker would hold them open.
            build = _kg(index, FULL_DATA, "query", "-e", "ASK {}", output=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            found: list[int] = []
            while not found and build.poll() is None and time.monotonic() < deadline:
                found = _children(build.pid)
                time.sleep(0.02)
            assert found, "the build never started its staging workers"
            time.sleep(0.2)  # the other workers, forked right after the first
            found = sorted(set(found) | set(_children(build.pid)))
            workers += found
            os.kill(build.pid, signal.SIGKILL)
            build.wait(timeout=COMMAND_TIMEOUT)
            deadline = time.monotonic() + 5
            while any(_alive(pid) for pid in found) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not [pid for pid in found if _alive(pid)], "workers outlived their build"
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_command_waits_while_the_index_is_written_then_answers(tmp_path: Path) -> None:
    """No command opens the database while another process holds the exclusive lock
    (a refresh writing); it waits, then answers."""
    from kg.stores.index_lock import EXCLUSIVE, IndexLock

    data = copy_core_data(tmp_path / "data")
    (data / "things.ttl").write_text(THINGS + "x:thing-01 a x:Thing .\n", encoding="utf-8")
    index = tmp_path / "index"
    assert _kg(index, data, "query", "-e", THING_QUERY).wait(timeout=COMMAND_TIMEOUT) == 0
    writing = IndexLock(index)
    writing.acquire(EXCLUSIVE, 0)
    try:
        waiting = _kg(index, data, "query", "-e", THING_QUERY, "--format", "csv")
        time.sleep(2)
        assert waiting.poll() is None, waiting.communicate()
    finally:
        writing.close()
    out, err = waiting.communicate(timeout=COMMAND_TIMEOUT)
    assert (waiting.returncode, out, err) == (0, "thing\n<urn:x-test:thing-01>\n", "")


def test_a_refresh_that_waits_too_long_says_so(tmp_path: Path) -> None:
    from kg.stores.index_lock import SHARED, IndexLock

    data = copy_core_data(tmp_path / "data")
    index = tmp_path / "index"
    assert _kg(index, data, "query", "-e", THING_QUERY).wait(timeout=COMMAND_TIMEOUT) == 0
    _append_a_thing(data)
    reading = IndexLock(index)
    reading.acquire(SHARED, 0)
    try:
        command = _kg(index, data, "query", "-e", THING_QUERY, wait="1")
        err = command.communicate(timeout=COMMAND_TIMEOUT)[1]
    finally:
        reading.close()
    assert command.returncode == 3
    assert f"kg: error: the index at {index} stayed busy for 1 s" in err
    assert "KG_INDEX_LOCK_WAIT" in err
