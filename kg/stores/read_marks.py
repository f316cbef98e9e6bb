"""Marks of reads in progress on the index: a file per process while it reads.

Damage inside the database does not always reach kg as an error it can catch:
Oxigraph may decode damaged bytes and abort ("memory allocation of 1073741824 bytes
failed"), or the system stops the process for its memory. Each read on the index
therefore leaves a mark naming its process while it runs, and removes it when it ends,
however it ends within Python (an answer, an error, Ctrl-C). A mark whose process is
gone says that a read ended abnormally; the next command does not trust the index
then, and (a cache of the files) rebuilds it, saying why.

A mark is `reading-PID` in the index folder, holding `PID START`: START is when the
process started (Linux /proc), so that a new process that got the same number does
not pass for the reader. Where marks cannot be written (a read-only index), reads go unmarked.

May import: the standard library only.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

# A mark is a file beside the database, named by this and the process number.
MARK_PREFIX = "reading-"
# How the reason for a rebuild starts when a read was cut short (kg.stores.sync words
# the note accordingly: the index may have been damaged).
CUT_SHORT = "a read by process "

_lock = threading.Lock()
_depth: dict[Path, int] = {}


def _started(pid: int) -> str:
    """When process `pid` started (clock ticks since boot), or "" where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    # The command name, in parentheses, may hold spaces: fields count from its end.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


def _alive(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: alive
    except OSError:
        return False
    return not started or _started(pid) in ("", started)


@contextlib.contextmanager
def reading(root: Path) -> Iterator[None]:
    """Marks the index at `root` as being read by this process while the block runs
    (threads of one process share the mark)."""
    mark = root / f"{MARK_PREFIX}{os.getpid()}"
    counted = False
    try:
        # Within the try: a Ctrl-C at any point here still takes a written mark away.
        with _lock:
            depth = _depth.get(mark, 0)
            _depth[mark] = depth + 1
            counted = True
            if depth == 0:
                with contextlib.suppress(OSError):
                    mark.write_text(f"{os.getpid()} {_started(os.getpid())}\n", encoding="ascii")
        yield
    finally:
        with _lock:
            if counted:
                _depth[mark] -= 1
            if not _depth.get(mark):
                _depth.pop(mark, None)
                with contextlib.suppress(OSError):
                    mark.unlink()


def cut_short(root: Path) -> str | None:
    """Why the index at `root` is not to be trusted: a read whose process is gone
    without removing its mark; None when every mark belongs to a live process."""
    try:
        names = [entry.name for entry in os.scandir(root) if entry.name.startswith(MARK_PREFIX)]
    except OSError:
        return None
    for name in sorted(names):
        pid = name[len(MARK_PREFIX) :]
        if not pid.isdigit():
            continue
        try:
            words = (root / name).read_text(encoding="ascii", errors="replace").split()
        except OSError:
            continue  # removed meanwhile: that read ended
        started = words[1] if len(words) > 1 else ""
        if not _alive(int(pid), started):
            return ended(pid)
    return None


def ended(pid: int | str, who: str = "") -> str:
    """The reason for a rebuild when the read of process `pid` (`who`, if said) ended
    without finishing."""
    return (
        f"{CUT_SHORT}{pid}{who} ended without finishing, as damage in the database can make it end"
    )


def clear(root: Path) -> None:
    """Removes every mark but a read of this process's own that is running (after a
    rebuild, under the exclusive lock: no other process reads then)."""
    with _lock, contextlib.suppress(OSError):
        for entry in os.scandir(root):
            if entry.name.startswith(MARK_PREFIX) and Path(entry.path) not in _depth:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
