"""A private Virtuoso for the tests: its own database and virtuoso.ini in a temporary folder,
listening on 127.0.0.1 only (free ports), SPARQL update granted to the SPARQL user, stopped
at the end.

Virtuoso is Debian's `virtuoso-opensource` (7.2). Where it is not installed, `start` fails
under CI=true (CI must test it: .ci/run installs it) and skips elsewhere, saying how to
install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL = "apt-get update && apt-get install -y virtuoso-opensource"
BINARIES = ("virtuoso-t", "/usr/bin/virtuoso-t", "/usr/lib/virtuoso-opensource-7/bin/virtuoso-t")
ISQL = ("isql-vt", "/usr/bin/isql-vt", "/usr/lib/virtuoso-opensource-7/bin/isql")
VAD = "/usr/share/virtuoso-opensource-7/vad"
START_SECONDS = 90  # a fresh database installs its system packages first (about 12 s)
# Above the quads of the core view (about 13,000, read in one answer for an --as-of view),
# and small enough that a test can ask for more rows.
MAX_ROWS = 20_000
# MaxQueryCostEstimationTime = 0, as docs/stores.md says to set it: Virtuoso's default
# (400 s) refuses most saved queries on an estimate (475 s to 10^9 s for queries that
# run in milliseconds on the core view); tests/stores/test_virtuoso.py checks kg's
# message for that refusal with a fake server.

INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = ., {folder}, {vad}
VADInstallDir = {vad}/
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
MaxQueryMem = 256M
CaseMode = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}/vsp
ServerThreads = 4
MaxClientConnections = 4
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: its SPARQL endpoint (queries and updates) and Graph Store URL."""

    process: subprocess.Popen[bytes]
    folder: Path
    sql_port: int
    http_port: int

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def gsp_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud"

    @property
    def spec(self) -> str:
        """The store spec kg reads and pushes with: graphs go by the Graph Store Protocol
        (tests/stores/test_virtuoso_update.py pushes by SPARQL Update)."""
        return f"sparql:{self.query_url}?gsp={self.gsp_url}"

    @property
    def update_url(self) -> str:
        return self.query_url

    def log(self) -> str:
        path = self.folder / "virtuoso.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else "(no log)"

    def isql(self, statement: str) -> str:
        done = subprocess.run(
            [_found(ISQL), str(self.sql_port), "dba", "dba", f"exec={statement}"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0 and "Error" not in done.stdout, done.stdout + done.stderr
        return done.stdout

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _found(candidates: tuple[str, ...]) -> str:
    for candidate in candidates:
        path = shutil.which(candidate)
        if path:
            return path
    message = f"Virtuoso is not installed ({candidates[0]} not found); install it with: {INSTALL}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def start(folder: Path, max_rows: int = MAX_ROWS) -> Virtuoso:
    """Start a Virtuoso with its database in `folder`; wait until its SPARQL endpoint answers."""
    from kg.stores.serve import free_port

    binary = _found(BINARIES)
    _found(ISQL)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vsp").mkdir(exist_ok=True)
    sql_port, http_port = free_port("127.0.0.1"), free_port("127.0.0.1")
    while http_port == sql_port:
        http_port = free_port("127.0.0.1")
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(folder=folder, vad=VAD, sql_port=sql_port, http_port=http_port,
                              max_rows=max_rows))  # fmt: skip
    with (folder / "stdout.log").open("wb") as output:
        process = subprocess.Popen(
            [binary, "-f", "-c", str(ini)], cwd=folder, stdout=output, stderr=subprocess.STDOUT
        )
    server = Virtuoso(process, folder, sql_port, http_port)
    try:
        _wait_until_it_answers(server)
        server.isql('grant SPARQL_UPDATE to "SPARQL";')
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_it_answers(server: Virtuoso) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        assert server.process.poll() is None, f"virtuoso-t stopped:\n{server.log()}"
        try:
            with urllib.request.urlopen(server.query_url + "?query=ASK%7B%7D", timeout=5):
                return
        except (urllib.error.URLError, OSError):
            assert time.monotonic() < deadline, f"Virtuoso did not start:\n{server.log()}"
            time.sleep(0.2)
