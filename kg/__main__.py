"""`python -m kg` and the `kg` program: the command line, with Ctrl-C answered from the start.

A Ctrl-C while the command line's own modules are still being imported would end in
Python's traceback; here it is the same one line and exit 130 as at any later moment.

Once the command has ended (its answer written, its exit code chosen), Ctrl-C is
ignored: Python gives SIGINT back to the system while it tears itself down (freeing a
large graph, closing the index: a good part of a second), and a Ctrl-C then would kill
a finished command without a word, its exit code lost (the shell would say 130).
"""

from __future__ import annotations

import signal
import sys


def main() -> None:
    try:
        try:
            from kg.cli import main as run
        except KeyboardInterrupt:
            sys.stderr.write("kg: interrupted\n")
            sys.exit(130)  # kg.model.errors.EXIT_INTERRUPTED, not imported: could be interrupted
        run()
    finally:
        # Ignored, not Python's handler: Python leaves an ignored signal ignored while
        # it tears down, where its own handler is taken away.
        signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":
    main()
