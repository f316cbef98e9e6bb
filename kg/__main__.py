"""`python -m kg` and the `kg` program: the command line, with Ctrl-C answered from the start.

A Ctrl-C while the command line's own modules are still being imported would end in
Python's traceback; here it is the same one line and exit 130 as at any later moment.

Once the command has ended (its answer written, its exit code chosen), Ctrl-C is
ignored: Python gives SIGINT back to the system while it tears itself down (freeing a
large graph, closing the index: a good part of a second), and a Ctrl-C then would kill
a finished command without a word, its exit code lost (the shell would say 130).

An interrupted command ends at once with 130, without Python's teardown. Python ends a
process by SIGINT after its teardown when it believes a Ctrl-C went unhandled, and
under load `python -m kg` was ended so (exit -2) after kg had written "kg:
interrupted" and chosen 130: 2 or 3 runs in 36 with a Ctrl-C 0.06 to 0.25 s after the
start, none in 40 since. Everything kg cleans up is cleaned by then (`finally` blocks,
context managers).
"""

from __future__ import annotations

import sys

INTERRUPTED = 130  # kg.model.errors.EXIT_INTERRUPTED, not imported: could be interrupted


def main() -> None:
    try:
        try:
            from kg.cli import main as run
        except KeyboardInterrupt:
            sys.stderr.write("kg: interrupted\n")
            sys.exit(INTERRUPTED)
        run()
    except SystemExit as exit:
        if exit.code == INTERRUPTED:
            _end_interrupted()
        raise
    finally:
        import signal

        # Ignored, not Python's handler: Python leaves an ignored signal ignored while
        # it tears down, where its own handler is taken away.
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _end_interrupted() -> None:
    import contextlib
    import os

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone, a closed stream
            stream.flush()
    os._exit(INTERRUPTED)


if __name__ == "__main__":
    main()
