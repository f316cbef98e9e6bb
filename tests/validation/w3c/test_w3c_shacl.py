"""The W3C SHACL test suite (core and SPARQL) on every engine: no wrong answer.

One test per manifest entry runs pyshacl, the fast engine and auto on it (see
w3c_suite for how a report is compared and what "refused" means). An engine may
pass an entry or refuse it (hand the shapes to pyshacl, saying so, with the right
outcome); it may never be wrong. pyshacl, the reference, may be wrong only on the
entries listed in KNOWN_PYSHACL_FAILURES, and must still be wrong there.
"""

from __future__ import annotations

import re

import pytest
from w3c_suite import ENGINES, KNOWN_PYSHACL_FAILURES, SUITE, Case, cases, run

CASES = cases()


def test_every_entry_of_the_suite_is_read() -> None:
    # Count the entries in the files themselves, so that a manifest the reader
    # skipped (a missed mf:include) shows up here.
    written = sum(
        len(re.findall(r"\bsht:Validate\b", path.read_text(encoding="utf-8")))
        for path in SUITE.rglob("*.ttl")
    )
    assert len(CASES) == written == 121
    assert len({case.name for case in CASES}) == len(CASES)
    assert sum(case.expects_failure for case in CASES) == 7


def test_known_pyshacl_failures_are_entries() -> None:
    assert set(KNOWN_PYSHACL_FAILURES) <= {case.name for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_w3c_entry(case: Case) -> None:
    for engine in ENGINES:
        verdict = run(case, engine)
        assert verdict.outcome != "wrong", f"{engine} on {case.name}: {verdict.detail}"
        if engine == "pyshacl":
            # The list of known failures is exact: a fixed pyshacl must leave it.
            assert (verdict.outcome == "known") == (case.name in KNOWN_PYSHACL_FAILURES)
        if verdict.outcome == "refused":
            assert "pyshacl" in verdict.detail


def test_fast_engine_refuses_queries_spec_forbids() -> None:
    # SHACL §5.3.1 makes MINUS, VALUES and SERVICE ill-formed: the fast engine must
    # not run them (it did, joining its own VALUES block), but hand them to pyshacl,
    # which fails as the suite expects.
    for name in ("unsupported-sparql-001", "unsupported-sparql-002", "unsupported-sparql-003"):
        case = next(c for c in CASES if c.name == f"sparql/pre-binding/{name}")
        verdict = run(case, "fast")
        assert verdict.outcome == "refused", verdict.detail
        assert "forbids" in verdict.detail
