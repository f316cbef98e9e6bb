"""Spreading CPU-bound work over the machine's cores, in forked worker processes.

Oxigraph's parser and serialiser hold the GIL while Python drives them, so
threads do not help there; forked processes share the already-imported code
and start in milliseconds. Exceptions raised in a worker (a kg.model.errors error
naming the file) are raised again in the caller.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

# Up to this many processes: beyond, the disk and the final merge dominate.
MAX_WORKERS = 4


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
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        return list(pool.map(function, *columns))
