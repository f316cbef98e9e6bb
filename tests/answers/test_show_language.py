"""`kg show --lang de` cites each source by its German title (issue 16).

The card used to pick the English summary whatever the language asked for.
"""

from __future__ import annotations

import pytest

GERMAN = "BMW noch ohne Entscheidung über LMDh-Kundenteams"
ENGLISH = "BMW yet to decide on LMDh customer teams"


@pytest.mark.parametrize(
    ("lang", "shown", "hidden"), [("de", GERMAN, ENGLISH), ("en", ENGLISH, GERMAN)]
)
def test_a_card_cites_the_source_in_the_language_asked_for(  # type: ignore[no-untyped-def]
    run_kg, lang: str, shown: str, hidden: str
) -> None:
    result = run_kg("show", "msr:andreas-roos", "--lang", lang)
    assert result.exit_code == 0, result.stderr
    assert shown in result.stdout
    assert hidden not in result.stdout
