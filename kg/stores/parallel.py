"""Spreading CPU-bound work over the machine's cores, in forked worker processes.

Oxigraph's parser and serialiser hold the GIL while Python drives them, so
threads do not help there; forked processes share the already-imported code
and start in milliseconds. Exceptions raised in a worker (a kg.model.errors error
naming the file) are raised again in the caller.

Workers die with their parent, even when it is killed with `kill -9`: a worker that
outlived it would hold the index's lock (inherited with the fork) and its output
pipes, and wait for work forever (46 minutes before this was fixed).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

# Up to this many processes: beyond, the disk and the final merge dominate.
MAX_WORKERS = 4
# prctl(2): the signal a process gets when the thread that forked it ends.
PR_SET_PDEATHSIG = 1


def workers() -> int:
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def map_in_processes(function: Callable[..., T], *arguments: Iterable[object]) -> list[T]:
    """`list(map(function, *arguments))`, one forked process per core (in order)."""
    columns = [list(column) for column in arguments]
    jobs = len(columns[0]) if columns else 0
    count = min(workers(), jobs)
    if count < 2:
        return [function(*row) for row in zip(*columns, strict=True)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=count,
        mp_context=context,
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        return list(pool.map(function, *columns))


def die_with_parent(parent: int) -> None:
    """In a worker: be killed when the parent dies (Linux), and exit at once if it
    already has (it may die between the fork and this call)."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
