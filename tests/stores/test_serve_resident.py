"""`kg serve` holds the knowledge in memory and keeps in step with the files (issue 20),
and stops a query Oxigraph cannot stop (issue 18, item 4). Real `kg serve` processes on
127.0.0.1, a free port each, bounded in time.

Before: kg serve served a snapshot taken at its start ("Restart it to serve newer
files"), and a query Oxigraph plans for minutes kept its slot and a CPU until it ended:
with --max-queries 1, every other query got 503 for those minutes.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

DATA = Path(__file__).parents[1] / "fixtures" / "stores" / "data"
TEAMS = "SELECT ?t WHERE { ?t a ms:Team } ORDER BY ?t"
SMALL = "ASK { ?s ?p ?o }"
# 250 patterns on one subject: Oxigraph plans such a query for minutes (100 patterns
# took 2 s, 200 over 20 s), and nothing stops it while it plans.
UNSTOPPABLE = "SELECT * WHERE { " + " ".join(f"?s ?p{i} ?o{i} ." for i in range(250)) + " } LIMIT 1"
TEAM_D = '\nmsr:team-d a ms:Team ;\n    skos:prefLabel "Team D"@en .\n'
ID = "https://w3id.org/motorsport-kg/id/"


class Serve:
    """`kg --data DATA serve --port 0 OPTIONS` as a user starts it; its stderr lines are
    collected as they come."""

    def __init__(self, data: Path, index: Path, *options: str, cwd: Path | None = None):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg", "--data", str(data), "serve", "--port", "0", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "KG_STORE": f"oxigraph:{index}"},
            cwd=cwd,
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self.banner = [self.process.stdout.readline() for _ in range(3)]
        assert self.banner[0].startswith("SPARQL endpoint: http://127.0.0.1:"), self.banner
        self.url = self.banner[0].split(": ", 1)[1].strip()
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def in_memory(self) -> str:
        """The line that says the knowledge is held in memory now (answers before it
        come from a snapshot of the index)."""
        line = self.lines.get(timeout=30)
        assert line.startswith("kg serve: the knowledge is held in memory now ("), line
        return line

    def said(self, within: float) -> list[str]:
        """The stderr lines written so far, waiting `within` seconds for more."""
        found = []
        deadline = time.monotonic() + within
        while True:
            try:
                found.append(self.lines.get(timeout=max(deadline - time.monotonic(), 0.01)))
            except queue.Empty:
                return found

    def stop(self) -> int:
        self.process.terminate()
        return self.process.wait(timeout=20)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    return folder


def ask(url: str, query: str, timeout: float = 20) -> tuple[int, str]:
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": "text/csv"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def teams(url: str) -> list[str]:
    status, body = ask(url, TEAMS)
    assert status == 200, body
    return [line.removeprefix(ID) for line in body.split()[1:]]


def wait_for(check, within: float) -> float:  # type: ignore[no-untyped-def]
    """Seconds until `check()` holds; fails after `within`."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < within, f"not within {within} s"
        time.sleep(0.1)
    return time.monotonic() - started


def test_an_edit_is_served_within_seconds_and_a_broken_edit_keeps_the_last_good(
    tmp_path: Path, data: Path
) -> None:
    serve = Serve(data, tmp_path / "index", "--refresh-every", "0.5")
    try:
        assert teams(serve.url) == ["team-a", "team-b", "team-c"]
        assert serve.in_memory().endswith("; until now it was read from disk\n")
        assert teams(serve.url) == ["team-a", "team-b", "team-c"]
        teams_file = data / "teams.ttl"
        good = teams_file.read_text(encoding="utf-8")
        teams_file.write_text(good + TEAM_D, encoding="utf-8")
        wait_for(lambda: "team-d" in teams(serve.url), within=10)
        refreshed = serve.said(0.5)
        assert len(refreshed) == 1, refreshed
        assert refreshed[0].startswith("kg serve: refreshed (1 file changed) in ")
        assert refreshed[0].endswith(" s; serving 6 named graphs\n")

        teams_file.write_text(good + TEAM_D + "msr:team-e a ms:Team ;\n", encoding="utf-8")
        # Several looks at the files: the error is said once, the last good answer stays.
        said = serve.said(3)
        assert teams(serve.url) == ["team-a", "team-b", "team-c", "team-d"]
        assert len(said) == 1, said
        assert said[0].startswith("kg serve: not refreshed: ")
        assert "teams.ttl" in said[0] and "line" in said[0]
        assert said[0].endswith("; still serving the files as they were\n")

        (data / "people.ttl").unlink()
        teams_file.write_text(good.replace("msr:team-a a ms:Team", "msr:team-a a ms:Car"))
        wait_for(lambda: teams(serve.url) == ["team-b", "team-c"], within=10)
        assert serve.said(0.5)[0].startswith("kg serve: refreshed (1 file changed, 1 file removed)")
    finally:
        assert serve.stop() == 0


def test_no_query_sees_half_a_refresh(tmp_path: Path, data: Path) -> None:
    serve = Serve(data, tmp_path / "index", "--refresh-every", "0.2", "--max-queries", "4")
    answers: list[list[str]] = []
    failures: list[str] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            try:
                answers.append(teams(serve.url))
            except AssertionError as failure:
                failures.append(str(failure))

    askers = [threading.Thread(target=keep_asking) for _ in range(3)]
    try:
        serve.in_memory()
        for thread in askers:
            thread.start()
        teams_file = data / "teams.ttl"
        good = teams_file.read_text(encoding="utf-8")
        for round_ in range(4):
            teams_file.write_text(good + (TEAM_D if round_ % 2 == 0 else ""), encoding="utf-8")
            expected = "team-d" in teams_file.read_text(encoding="utf-8")
            wait_for(lambda e=expected: ("team-d" in teams(serve.url)) == e, within=10)
    finally:
        stop.set()
        for thread in askers:
            thread.join(timeout=20)
        serve.stop()
    assert failures == []
    seen = {tuple(answer) for answer in answers}
    assert seen == {("team-a", "team-b", "team-c"), ("team-a", "team-b", "team-c", "team-d")}


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
    return found


def _tree(pid: int) -> list[int]:
    tree = [pid]
    for child in _children(pid):
        tree += _tree(child)
    return tree


def _cpu_seconds(pid: int) -> float:
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_query_oxigraph_cannot_stop_is_stopped_and_its_slot_freed(tmp_path: Path) -> None:
    serve = Serve(DATA, tmp_path / "index", "--timeout", "1", "--max-queries", "1")
    try:
        serve.in_memory()
        replies: list[tuple[int, str]] = []
        started = time.monotonic()
        stuck = threading.Thread(target=lambda: replies.append(ask(serve.url, UNSTOPPABLE)))
        stuck.start()
        time.sleep(0.7)
        # The process working on it: the one of kg serve's processes busiest now.
        busy = max(_tree(serve.process.pid)[1:], key=_cpu_seconds)
        stuck.join(timeout=20)
        assert replies and replies[0][0] == 504, replies
        # The slot is free again within the limit and a second: a small query answers
        # (the snapshot's engine, until the memory is filled again).
        wait_for(lambda: ask(serve.url, SMALL) == (200, "true"), within=5)
        assert time.monotonic() - started < 5
        # The process that ran it is gone, and no CPU works on it any more.
        wait_for(lambda: not Path(f"/proc/{busy}").exists(), within=2)
        said = serve.said(3)
        assert said == [
            "kg serve: a query ran past the 1 s limit; the engine answering it (memory, "
            f"pid {busy}) was stopped\n",
            said[1],
        ]
        assert said[1].startswith("kg serve: the knowledge is held in memory again (")
        assert ask(serve.url, SMALL) == (200, "true")
        before = sum(_cpu_seconds(pid) for pid in _tree(serve.process.pid))
        time.sleep(1)
        after = sum(_cpu_seconds(pid) for pid in _tree(serve.process.pid))
        assert after - before < 0.3
    finally:
        serve.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_on_disk_a_query_oxigraph_cannot_stop_is_stopped_too(tmp_path: Path) -> None:
    serve = Serve(DATA, tmp_path / "index", "--on-disk", "--timeout", "1", "--max-queries", "1")
    try:
        engine = _children(serve.process.pid)
        assert ask(serve.url, UNSTOPPABLE)[0] == 504
        wait_for(lambda: ask(serve.url, SMALL) == (200, "true"), within=5)
        wait_for(lambda: not Path(f"/proc/{engine[0]}").exists(), within=2)
        assert serve.said(0.5) == [
            "kg serve: a query ran past the 1 s limit; the engine answering it (disk, "
            f"pid {engine[0]}) was stopped\n"
        ]
    finally:
        serve.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_on_disk_an_engine_that_aborts_has_the_index_rebuilt_next(tmp_path: Path) -> None:
    """The snapshot an on-disk engine reads shares the index's tables: damage that
    Oxigraph aborts on (SIGABRT) is in the index too. kg serve stops with an error, and
    the next command rebuilds the index, saying why (it read the same index before)."""
    index = tmp_path / "index"
    serve = Serve(DATA, index, "--on-disk")
    try:
        engine = _children(serve.process.pid)[0]
        assert ask(serve.url, SMALL) == (200, "true")
        os.kill(engine, signal.SIGABRT)
        assert serve.process.wait(timeout=20) == 3
    finally:
        if serve.process.poll() is None:
            serve.stop()
    assert any(
        f"kg serve's engine stopped (exit -{signal.SIGABRT:d})" in line for line in serve.said(1)
    ), serve.said(0)
    after = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "--data",
            str(DATA),
            "--store",
            f"oxigraph:{index}",
            "query",
            "-e",
            SMALL,
            "--format",
            "csv",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert after.returncode == 0, after.stderr
    assert after.stderr == (
        f"kg: note: the index at {index} may have been damaged (a read by process {engine} "
        "(kg serve's engine) ended without finishing, as damage in the database can make "
        "it end); rebuilt from the files\n"
    )


def _memory_engines(pid: int) -> int:
    """How many of kg serve's engines hold the knowledge in memory (their kind is on
    their command line)."""
    count = 0
    for child in _children(pid):
        try:
            words = (Path("/proc") / str(child) / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        count += b"kg.stores.engine" in words and b"memory" in words
    return count


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_refresh_never_holds_two_copies_in_memory(tmp_path: Path, data: Path) -> None:
    """The new version answers from its snapshot while the old memory engine ends; the
    new one is filled after (before, both held the knowledge: 1.2 GB at 1M triples)."""
    serve = Serve(data, tmp_path / "index", "--refresh-every", "0.3")
    counts: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            counts.append(_memory_engines(serve.process.pid))
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    try:
        serve.in_memory()
        watcher.start()
        teams_file = data / "teams.ttl"
        teams_file.write_text(teams_file.read_text(encoding="utf-8") + TEAM_D, encoding="utf-8")
        wait_for(lambda: "team-d" in teams(serve.url), within=10)
        refreshed = serve.said(5)
        assert refreshed and refreshed[0].startswith("kg serve: refreshed (1 file changed)")
        assert "team-d" in teams(serve.url)
    finally:
        done.set()
        if watcher.is_alive():
            watcher.join()
        assert serve.stop() == 0
    assert len(counts) > 50
    assert max(counts) == 1, counts
    # The memory is filled again: the refreshed line comes once it answers.
    assert counts[-1] == 1


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    for link in (Path("/proc") / str(pid) / "fd").iterdir():
        try:
            target = os.readlink(link)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[len("socket:[") : -1])
    return found


def _tcp_inodes() -> set[str]:
    found = set()
    for table in ("tcp", "tcp6"):
        lines = (Path("/proc/net") / table).read_text().splitlines()[1:]
        found |= {line.split()[9] for line in lines}
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_engine_listens_on_no_network_port_and_its_socket_is_private(
    tmp_path: Path,
) -> None:
    serve = Serve(DATA, tmp_path / "index")
    try:
        serve.in_memory()
        # The engine in memory, and the one over the snapshot, ready to take over.
        engines = _children(serve.process.pid)
        assert len(engines) == 2
        assert not {i for pid in engines for i in _socket_inodes(pid)} & _tcp_inodes()
        # Its log (stderr) lies beside their sockets, in a folder of this user's alone.
        folder = Path(os.readlink(f"/proc/{engines[0]}/fd/2")).parent
        assert len(list(folder.glob("*.sock"))) == 2
        assert folder.stat().st_mode & 0o777 == 0o700
        assert folder.stat().st_uid == os.getuid()
        # The front is the only one listening on TCP.
        assert _socket_inodes(serve.process.pid) & _tcp_inodes()
    finally:
        serve.stop()
    assert not folder.exists()


def test_on_disk_answers_the_same_and_refreshes_too(tmp_path: Path, data: Path) -> None:
    serve = Serve(data, tmp_path / "index", "--on-disk", "--refresh-every", "0.5")
    try:
        assert serve.banner[1].startswith("read-only, 6 named graphs; the default graph is")
        assert teams(serve.url) == ["team-a", "team-b", "team-c"]
        teams_file = data / "teams.ttl"
        teams_file.write_text(teams_file.read_text(encoding="utf-8") + TEAM_D, encoding="utf-8")
        wait_for(lambda: "team-d" in teams(serve.url), within=10)
        # The snapshot of the first version goes once its engine has ended.
        snapshots = tmp_path / "index"
        wait_for(lambda: len(list(snapshots.glob("serve-*/snapshot-*"))) == 1, within=5)
        said = serve.said(0.5)
        assert len(said) == 1 and said[0].startswith("kg serve: refreshed (1 file changed)")
    finally:
        serve.stop()
    assert not list((tmp_path / "index").glob("serve-*"))


def test_every_command_finds_a_running_kg_serve_through_kg_toml(tmp_path: Path, data: Path) -> None:
    serve = Serve(data, tmp_path / "index")
    project = tmp_path / "project"
    project.mkdir()
    (project / "kg.toml").write_text(f'store = "sparql:{serve.url}"\n', encoding="utf-8")
    env = {name: value for name, value in os.environ.items() if name != "KG_STORE"}

    def kg(*args: str, store: str | None = None) -> subprocess.CompletedProcess[str]:
        chosen = ["--store", store] if store else []
        return subprocess.run(
            [sys.executable, "-m", "kg", *chosen, "--data", str(data), *args],
            capture_output=True, text=True, cwd=project, env=env, timeout=120,
        )  # fmt: skip

    try:
        index = f"oxigraph:{tmp_path / 'other-index'}"
        commands = (["query", "-e", TEAMS], ["show", "René Rast"], ["export", "--format", "nquads"])
        for command in commands:
            served, indexed = kg(*command), kg(*command, store=index)
            assert served.returncode == 0, served.stderr
            assert served.stdout == indexed.stdout, command
    finally:
        serve.stop()
    # It was the server they read: with it gone, they say so.
    gone = kg("query", "-e", TEAMS)
    assert gone.returncode == 3
    assert f"cannot reach the SPARQL endpoint {serve.url}" in gone.stderr
