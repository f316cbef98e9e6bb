"""Values in words (issue 16): lap times as a stopwatch reads them, positions as words."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from kg.model.wording import clock_time, count, duration_seconds, literal_text, ordinal, position


@pytest.mark.parametrize(
    ("duration", "shown"),
    [
        ("PT1M35.964S", "1:35.964"),  # a lap: the briefings printed PT1M35.964S
        ("PT23H59M3.365S", "23:59:03.365"),  # a race
        ("PT24H0M17.685S", "24:00:17.685"),
        ("PT3M23.0S", "3:23.0"),  # the decimals the source wrote
        ("PT60S", "1:00"),
        ("PT0.5S", "0:00.5"),
        ("P1DT2H", "26:00:00"),
        ("-PT1M", "-1:00"),
    ],
)
def test_clock_time(duration: str, shown: str) -> None:
    assert clock_time(duration) == shown


@pytest.mark.parametrize("text", ["P1Y", "P2M", "1:35.964", "", "PT", "P"])
def test_not_a_duration_of_hours_minutes_seconds(text: str) -> None:
    assert clock_time(text) is None


def test_seconds_are_exact() -> None:
    assert duration_seconds("PT1M35.964S") == Decimal("95.964")


@pytest.mark.parametrize(
    ("number", "english"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (101, "101st"),
        (111, "111th"),
    ],
)
def test_ordinals(number: int, english: str) -> None:
    assert ordinal(number) == english
    assert ordinal(number, "de") == f"{number}."


def test_positions_and_counts() -> None:
    assert position(7, "GTP") == "7th in GTP"
    assert position(7, "GTP", "de") == "7. in der GTP"
    assert position(8, "overall") == "8th overall"
    assert position(8, "overall", "de") == "8. gesamt"
    assert position(3) == "3rd"
    assert count(1, "lap") == "1 lap"
    assert count(14, "lap") == "14 laps"
    assert count(4, "minute", "de") == "4 Minuten"
    assert count(1, "place", "de") == "1 Platz"


def test_literal_text() -> None:
    assert literal_text(Literal("PT1M35.964S", datatype=XSD.duration)) == "1:35.964"
    assert literal_text(Literal("203.0", datatype=XSD.decimal)) == "203.0"
    assert literal_text(None) == ""


def _typed(text: str, datatype: str) -> Literal:
    return Literal(text, datatype=XSD[datatype])


@pytest.mark.parametrize(
    ("written", "datatype", "shown"),
    [
        # Regression: query tables printed race starts as ISO date-times.
        ("2023-01-28T13:40:00", "dateTime", "2023-01-28 13:40"),
        # The zone as written, never shifted to another one.
        ("2024-01-28T02:00:00-05:00", "dateTime", "2024-01-28 02:00 -05:00"),
        ("2024-01-28T02:00:00+01:00", "dateTime", "2024-01-28 02:00 +01:00"),
        ("2024-01-27T10:00:00.000Z", "dateTime", "2024-01-27 10:00 UTC"),
        # Seconds only when they are not zero, with the decimals the source wrote.
        ("2024-01-27T13:40:05", "dateTime", "2024-01-27 13:40:05"),
        ("2024-01-27T13:40:05.250", "dateTime", "2024-01-27 13:40:05.250"),
        ("2024-01-27T13:40:00.5-05:00", "dateTime", "2024-01-27 13:40:00.5 -05:00"),
        ("2024-01-27T13:40:00.000", "dateTime", "2024-01-27 13:40"),
        # Not a date-time after all: as written.
        ("2024-01-27 13:40", "dateTime", "2024-01-27 13:40"),
        ("late January", "dateTime", "late January"),
        # Dates, months and years as written.
        ("2024-03-20", "date", "2024-03-20"),
        ("2024-01-27Z", "date", "2024-01-27Z"),
        ("2023-07", "gYearMonth", "2023-07"),
        ("2024", "gYear", "2024"),
    ],
)
def test_literal_text_reads_dates_and_times(written: str, datatype: str, shown: str) -> None:
    assert literal_text(_typed(written, datatype)) == shown
    assert literal_text(_typed(written, datatype), "de") == shown


@pytest.mark.parametrize(
    ("written", "lang", "shown"),
    [
        # Regression: season-results showed ms:runningAtFinish as true/false.
        ("true", "en", "yes"),
        ("false", "en", "no"),
        ("true", "de", "ja"),
        ("false", "de", "nein"),
        # "1" and "0" are the same truth values, written another way.
        ("1", "en", "yes"),
        ("1", "de", "ja"),
        ("0", "de", "nein"),
        (" true ", "en", "yes"),
        # Another language reads English; what is no truth value stays as written.
        ("true", "fr", "yes"),
        ("maybe", "en", "maybe"),
    ],
)
@pytest.mark.filterwarnings("ignore:Parsing weird boolean")  # rdflib, on "maybe"
def test_literal_text_reads_truth_values_as_words(written: str, lang: str, shown: str) -> None:
    assert literal_text(_typed(written, "boolean"), lang) == shown


def test_literal_text_in_german_keeps_the_rest() -> None:
    assert literal_text(_typed("PT1M35.964S", "duration"), "de") == "1:35.964"
    assert literal_text(Literal("true"), "de") == "true"  # a plain string, not a truth value
