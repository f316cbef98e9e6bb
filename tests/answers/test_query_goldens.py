"""Every saved query's exact answer on the bundled knowledge, in both label languages.

Goldens live in tests/golden/queries/; regenerate them on purpose with
KG_REGENERATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.answers.queries import registry

GOLDEN = Path(__file__).parents[1] / "golden" / "queries"

# Parameters without a default get a value that exercises the query fully.
REQUIRED = {"entity-facts": ["-p", "entity", "msr:bmw-lmdh-customer-programme-decision"]}

CASES = [(name, lang) for name in registry() for lang in ("en", "de")]


def test_every_saved_query_has_a_golden_case() -> None:
    for name, query in registry().items():
        required = [p.name for p in query.params if p.required]
        assert not required or name in REQUIRED, f"{name} needs a value for {required} here"


@pytest.mark.parametrize(("name", "lang"), CASES, ids=[f"{n}-{lang}" for n, lang in CASES])
def test_saved_query_answer(run_kg, name: str, lang: str) -> None:
    result = run_kg("query", name, *REQUIRED.get(name, []), "--format", "csv", "--lang", lang)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) > 1, f"{name} answers nothing on the bundled knowledge"
    golden = GOLDEN / f"{name}.{lang}.csv"
    if os.environ.get("KG_REGENERATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")
