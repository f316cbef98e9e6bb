"""Bulk-loading staged N-Quads files into an Oxigraph store side by side.

May import: the standard library and pyoxigraph.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def bulk_load_parts(handle: Any, parts: Sequence[Path], threads: int) -> None:
    """Load the staged N-Quads parts, `threads` at a time (the bulk loader releases the
    GIL); the first error is raised once every thread has stopped."""
    import pyoxigraph

    waiting = list(parts)
    errors: list[Exception] = []
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not waiting or errors:
                    return
                path = waiting.pop()
            try:
                # Lenient: the parts were written by Oxigraph's own serializer a moment ago.
                handle.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.N_QUADS, lenient=True)
            except (OSError, RuntimeError, SyntaxError, ValueError) as error:  # raised below
                with lock:
                    errors.append(error)

    others = [threading.Thread(target=work) for _ in range(threads - 1)]
    for thread in others:
        thread.start()
    work()
    for thread in others:
        thread.join()
    if errors:
        raise errors[0]
