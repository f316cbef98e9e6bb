"""kg serve's side of an engine (kg.stores.engine): start it, fill it, end it.

An engine is a child process in a session of its own (a Ctrl-C in the terminal
reaches only kg serve, which then ends it); its stdin is a pipe from kg serve, so
it ends when kg serve ends, however that happens. Each engine holds one version of
the knowledge, in memory or as a snapshot of the index, and answers on a Unix
socket of its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from kg.model.errors import StoreError

# Seconds a command other than a load may take.
COMMAND_TIMEOUT = 60.0


class EngineFailed(StoreError):
    """An engine could not carry out a command."""


class Engine:
    """A running engine process; `log` receives its stderr (tracebacks, if any).
    `kind`: "memory" or "disk", for messages and for kg serve's choices."""

    def __init__(self, log: Path, kind: str) -> None:
        self.kind = kind
        self.socket: Path | None = None
        self.snapshot: Path | None = None
        self._log_path = log
        with log.open("ab") as stream:
            self.process = subprocess.Popen(
                # The kind on its command line: which is which in `ps`.
                [sys.executable, "-m", "kg.stores.engine", kind],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stream,
                start_new_session=True,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._commands: IO[bytes] = self.process.stdin
        self._replies: IO[bytes] = self.process.stdout
        self.killed = False

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def send(self, command: dict[str, Any]) -> None:
        """Send a command without waiting; its reply is taken by `reply` later."""
        try:
            self._commands.write((json.dumps(command) + "\n").encode("utf-8"))
            self._commands.flush()
        except OSError as error:
            raise self.died() from error

    def reply(self, timeout: float | None = COMMAND_TIMEOUT) -> dict[str, Any]:
        """The next reply; an EngineFailed when the engine refused, a StoreError when
        it died or did not answer in time."""
        if timeout is not None:
            ready, _, _ = select.select([self._replies], [], [], timeout)
            if not ready:
                raise StoreError(
                    f"kg serve's engine did not answer within {timeout:g} s; see {self._log_path}"
                )
        line = self._replies.readline()
        if not line:
            raise self.died()
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise EngineFailed(f"kg serve's engine failed: {answer['error']}")
        return answer

    def load(self, paths: Sequence[Path]) -> None:
        """Send staged N-Quads files to load, one command each, without waiting (the
        engine loads while the caller stages the next); `reply` once for each."""
        for path in paths:
            self.send({"load": str(path)})

    def open(self, snapshot: Path) -> None:
        self.snapshot = snapshot
        self.send({"open": str(snapshot)})
        self.reply()

    def serve(self, socket_path: Path, timeout: float, base: str, marker: str | None) -> None:
        """Answer on `socket_path` from now on (after the loads sent before)."""
        settings = {"socket": str(socket_path), "timeout": timeout, "base": base,
                    "marker": marker}  # fmt: skip
        self.send({"serve": settings})
        self.reply(timeout=None)
        self.socket = socket_path

    def end(self) -> None:
        """No more queries: it answers those it has, then exits (at most `timeout`
        and a second later, kg.stores.engine)."""
        with contextlib.suppress(OSError):
            self._commands.close()

    def kill(self) -> None:
        """End it now, and every query it was answering."""
        self.killed = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def wait(self, timeout: float) -> bool:
        """Whether it has ended within `timeout` seconds."""
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self) -> None:
        """End it and wait (a kill after a few seconds)."""
        self.end()
        if not self.wait(5):
            self.kill()
            self.process.wait()
        with contextlib.suppress(OSError):
            self._replies.close()

    def log_tail(self) -> str:
        try:
            text = self._log_path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return ""
        return " ".join(text.split())[-300:]

    def died(self) -> StoreError:
        """The error to raise now that the engine has stopped."""
        deadline = time.monotonic() + 5
        while self.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        tail = self.log_tail()
        return StoreError(
            f"kg serve's engine stopped (exit {self.process.returncode})"
            + (f": {tail}" if tail else "")
        )
