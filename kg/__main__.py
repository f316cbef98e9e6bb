"""`python -m kg` and the `kg` program: the command line, with Ctrl-C answered from the start.

A Ctrl-C while the command line's own modules are still being imported would end in
Python's traceback; here it is the same one line and exit 130 as at any later moment.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from kg.cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("kg: interrupted\n")
        sys.exit(130)  # kg.model.errors.EXIT_INTERRUPTED, not imported: it could be interrupted
    run()


if __name__ == "__main__":
    main()
