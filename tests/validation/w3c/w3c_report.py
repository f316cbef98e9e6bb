"""Print, per engine, how many W3C SHACL test-suite entries it passed, refused
(handed to pyshacl, saying so, with the right outcome), got wrong where pyshacl is
known to be wrong (w3c_suite.KNOWN_PYSHACL_FAILURES) and got wrong.

    .venv/bin/python tests/validation/w3c/w3c_report.py [--verbose]

Exits 1 when any engine has a wrong answer, 0 otherwise.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter

from w3c_suite import ENGINES, KNOWN_PYSHACL_FAILURES, run_all


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv
    # The suite has ill-typed literals and misplaced constraints on purpose; rdflib
    # logs each literal with a traceback, pyshacl each constraint it skips (and sets
    # its own loggers' levels), so warnings are switched off for this run.
    logging.disable(logging.WARNING)
    verdicts = run_all()
    wrong = 0
    for engine in ENGINES:
        mine = [v for v in verdicts if v.engine == engine]
        counts = Counter(v.outcome for v in mine)
        wrong += counts["wrong"]
        print(
            f"W3C SHACL suite, engine {engine}: {counts['passed']} passed, "
            f"{counts['refused']} refused, {counts['known']} known pyshacl failures, "
            f"{counts['wrong']} wrong (of {len(mine)} entries)"
        )
        for verdict in mine:
            shown = verdict.outcome == "wrong" or (
                verbose and verdict.outcome in ("refused", "known")
            )
            if shown:
                first_line = verdict.detail.splitlines()[0] if verdict.detail else ""
                print(f"  {verdict.outcome}: {verdict.case.name}: {first_line}")
    if verbose:
        for name, reason in KNOWN_PYSHACL_FAILURES.items():
            print(f"known pyshacl failure {name}: {reason}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
