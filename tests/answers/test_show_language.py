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


def test_every_reconciliation_check_speaks_german_too(run_kg) -> None:  # type: ignore[no-untyped-def]
    """The check of the #25's "15 laps behind" used to read in English in a German
    briefing: its explanation has values in it, and only fixed texts were translated."""
    result = run_kg("show", "#25", "--lang", "de")
    assert result.exit_code == 0, result.stderr
    assert "Runden Rückstand: berichtet 15, offiziell 13" in result.stdout
    assert "13 Runden Rückstand auf den Klassensieger" in result.stdout
    for english in ("laps behind", "the article does not say", "of the same team", "laps down"):
        assert english not in result.stdout


@pytest.mark.parametrize(
    "english",
    [
        "finished 13 laps behind the class winner; the article does not say behind whom or "
        "when it counted; #24 BMW M Team RLL (GTP) of the same team finished 15 laps down, "
        "so the article's number may be about that car",
        "this car set the fastest lap of the class; the results do not say which driver set it",
        "no official race entry of this event fits (car number)",
        "several official entries fit (#7 A, #8 B) by car number; the article does not say which",
        "matches the position overall and in class",
    ],
)
def test_an_explanation_is_german_clause_by_clause(english: str) -> None:
    from kg.answers.reconcile_report import german_explanation

    german = german_explanation(english)
    assert german is not None and german != english
    assert not {"the", "of", "car", "fits", "laps"} & set(german.replace(";", " ").split())


def test_an_explanation_with_an_unknown_clause_stays_english_whole() -> None:
    from kg.answers.reconcile_report import german_explanation

    assert german_explanation("same value; something new") is None
