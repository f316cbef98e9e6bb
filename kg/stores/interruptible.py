"""Long calls into native code that Ctrl-C can still stop.

pyoxigraph evaluates a query in Rust with Python's lock released and never looks at
Python's signals, so a KeyboardInterrupt waits for the query to end (minutes, for a
cross join). Run there, the call goes to a worker thread while the main thread waits in
short steps: SIGINT interrupts the wait, the KeyboardInterrupt rises in the main thread
as usual, and the process exits (the worker is a daemon thread and dies with it).

May import: the standard library only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
_STEP = 0.1


def interruptible(call: Callable[[], T]) -> T:
    """`call()`, run so that Ctrl-C stops the wait for it within a fraction of a second."""
    if threading.current_thread() is not threading.main_thread():
        return call()  # only the main thread receives signals: nothing to gain
    outcome: list[T] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            outcome.append(call())
        except BaseException as error:  # noqa: BLE001  (handed to the caller, re-raised there)
            # Without the worker's frames: their locals (a pyoxigraph answer being read)
            # must be freed in this thread, and pyoxigraph objects refuse to be dropped in
            # another ("... is unsendable, but is being dropped on another thread").
            failure.append(error.with_traceback(None))

    worker = threading.Thread(target=work, name="kg-query", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(_STEP)
    if failure:
        raise failure[0]
    return outcome[0]
