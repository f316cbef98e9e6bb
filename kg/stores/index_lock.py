"""The on-disk index's lock: one refresher at a time, and nobody reads while it writes.

A file `lock` in the index folder, locked with flock(2): a command that reads the
database holds it shared for as long as its read-only handle is open; a refresh (or
any write) holds it exclusive. Oxigraph calls a read-only open undefined while
another process writes, and a RocksDB open that fails on RocksDB's own lock still
rotates the database's LOG file (hundreds of LOG.old files, then races to delete
them): so no process opens the database for writing without the exclusive lock.

The kernel drops the lock when its holder dies, even by `kill -9`; forked children
share it, so they must not outlive their parent (kg.stores.parallel). Where the lock
file cannot be made (an index on a read-only disk, which nobody can refresh either)
reading goes on without it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from pathlib import Path

from kg.model.errors import StoreError

LOCK_FILE = "lock"
UNLOCKED, SHARED, EXCLUSIVE = 0, fcntl.LOCK_SH, fcntl.LOCK_EX

# Seconds to wait for another process that holds the index's lock.
LOCK_WAIT_ENV = "KG_INDEX_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 30.0
POLL_SECONDS = 0.02


def lock_wait() -> float:
    """How long to wait for the lock: KG_INDEX_LOCK_WAIT seconds, else 30."""
    raw = os.environ.get(LOCK_WAIT_ENV, "")
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_LOCK_WAIT
    except ValueError:
        return DEFAULT_LOCK_WAIT


class IndexLock:
    """This process's hold on one index's lock file (none, shared or exclusive)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / LOCK_FILE
        self.mode = UNLOCKED
        self._fd: int | None = None

    def try_acquire(self, mode: int) -> bool:
        """Take the lock in `mode` if nobody else stands in the way; never waits.

        A failed attempt leaves the lock released (Linux drops the old mode first)."""
        if mode == self.mode:
            return True
        fd = self._descriptor()
        if fd is None:
            if mode == EXCLUSIVE:
                raise StoreError(
                    f"the index at {self.root} cannot be locked for writing "
                    f"({self.path} cannot be created); give a writable folder with "
                    "--store oxigraph:PATH"
                )
            self.mode = mode
            return True
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            self.mode = UNLOCKED
            return False
        self.mode = mode
        return True

    def acquire(self, mode: int, wait: float) -> None:
        """Take the lock in `mode`, waiting up to `wait` seconds for other commands."""
        self.release()
        deadline = time.monotonic() + wait
        while not self.try_acquire(mode):
            if time.monotonic() >= deadline:
                raise busy(self.root, wait)
            time.sleep(POLL_SECONDS)

    def release(self) -> None:
        if self.mode != UNLOCKED and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self.mode = UNLOCKED

    def close(self) -> None:
        self.release()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _descriptor(self) -> int | None:
        if self._fd is None:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
            except OSError as error:
                if error.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                    raise StoreError(
                        f"the index at {self.root} cannot be locked ({error.strerror}: {self.path})"
                    ) from error
                return None
        return self._fd


def busy(root: Path, wait: float) -> StoreError:
    return StoreError(
        f"the index at {root} stayed busy for {wait:g} s: another kg command is refreshing "
        "it or reading it; wait for that command to finish and run again, set "
        f"{LOCK_WAIT_ENV} to wait longer, or give another index with --store oxigraph:PATH"
    )
