"""Time values as intervals, and honest comparisons (kg.model.timeutil)."""

from __future__ import annotations

from datetime import date

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from kg.model.errors import UsageError
from kg.model.namespaces import MS, MSV
from kg.model.timeutil import (
    TimeInterval,
    TimeValueError,
    compare,
    ended_before,
    format_interval,
    from_bounds,
    from_literal,
    from_spec_rows,
    known_by,
    parse_user_time,
)


def day(text: str) -> TimeInterval:
    return from_literal(Literal(text, datatype=XSD.date))


def month(text: str) -> TimeInterval:
    return from_literal(Literal(text, datatype=XSD.gYearMonth))


def year(text: str) -> TimeInterval:
    return from_literal(Literal(text, datatype=XSD.gYear))


def end_of(year_number: int) -> TimeInterval:
    """The convention for "gegen Ende YEAR": 1 September to 31 December."""
    return from_bounds(
        Literal(f"{year_number}-09-01", datatype=XSD.date),
        Literal(f"{year_number}-12-31", datatype=XSD.date),
        "part of year",
        [("de", f"gegen Ende {year_number}"), ("en", f"towards the end of {year_number}")],
    )


OPEN_FROM_2023 = from_bounds(Literal("2023-01-01", datatype=XSD.date), None)
OPEN_UNTIL_2023 = from_bounds(None, Literal("2023-12-31", datatype=XSD.date))
NOTHING_KNOWN = from_bounds(None, None)


def test_literals_become_intervals_with_their_precision() -> None:
    assert day("2023-07-15") == TimeInterval(date(2023, 7, 15), date(2023, 7, 15), "day")
    assert month("2023-07") == TimeInterval(date(2023, 7, 1), date(2023, 7, 31), "month")
    assert month("2024-02") == TimeInterval(date(2024, 2, 1), date(2024, 2, 29), "month")
    assert year("2023") == TimeInterval(date(2023, 1, 1), date(2023, 12, 31), "year")
    instant = from_literal(Literal("2024-01-28T02:30:00-05:00", datatype=XSD.dateTime))
    assert (instant.earliest, instant.latest, instant.precision) == (
        date(2024, 1, 28),
        date(2024, 1, 28),
        "time",
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # exact dates
        (day("2023-07-01"), day("2023-07-02"), "before"),
        (day("2023-07-02"), day("2023-07-01"), "after"),
        (day("2023-07-01"), day("2023-07-01"), "overlaps"),
        # a month is an interval, not its first day
        (day("2023-07-15"), month("2023-07"), "overlaps"),
        (month("2023-07"), day("2023-08-01"), "before"),
        (month("2023-07"), day("2023-07-31"), "overlaps"),
        (month("2023-06"), month("2023-07"), "before"),
        # years
        (year("2023"), month("2023-12"), "overlaps"),
        (year("2023"), day("2024-01-01"), "before"),
        (year("2024"), year("2023"), "after"),
        # "end of 2023" = 2023-09-01..2023-12-31
        (end_of(2023), month("2023-07"), "after"),
        (end_of(2023), month("2023-10"), "overlaps"),
        (end_of(2023), day("2024-02-15"), "before"),
        (end_of(2023), year("2023"), "overlaps"),
        (day("2023-08-31"), end_of(2023), "before"),
        # unknown: a missing bound leaves the order open
        (OPEN_FROM_2023, year("2024"), "unknown"),
        (OPEN_FROM_2023, year("2022"), "after"),
        (OPEN_UNTIL_2023, year("2024"), "before"),
        (OPEN_UNTIL_2023, month("2023-05"), "unknown"),
        (NOTHING_KNOWN, day("2023-07-01"), "unknown"),
        (day("2023-07-01"), NOTHING_KNOWN, "unknown"),
    ],
)
def test_compare(a: TimeInterval, b: TimeInterval, expected: str) -> None:
    assert compare(a, b) == expected


def test_instants_on_the_same_day_compare_by_time() -> None:
    early = from_literal(Literal("2024-01-28T02:30:00-05:00", datatype=XSD.dateTime))
    late = from_literal(Literal("2024-01-28T09:00:00-05:00", datatype=XSD.dateTime))
    assert compare(early, late) == "before"
    assert compare(late, early) == "after"
    assert compare(early, day("2024-01-28")) == "overlaps"


def test_ended_before() -> None:
    assert ended_before(end_of(2023), date(2024, 1, 1)) is True
    assert ended_before(end_of(2023), date(2023, 12, 31)) is False
    assert ended_before(end_of(2023), date(2023, 10, 1)) is False
    assert ended_before(month("2023-07"), date(2023, 8, 1)) is True
    assert ended_before(OPEN_FROM_2023, date(2024, 1, 1)) is None
    assert ended_before(OPEN_FROM_2023, date(2022, 6, 1)) is False
    assert ended_before(NOTHING_KNOWN, date(2024, 1, 1)) is None


def test_known_by() -> None:
    # published "2023-07": only certainly out by its last day
    assert known_by(month("2023-07"), date(2023, 6, 30)) is False
    assert known_by(month("2023-07"), date(2023, 7, 15)) is None
    assert known_by(month("2023-07"), date(2023, 7, 31)) is True
    bounded = from_bounds(
        Literal("2024-01-28", datatype=XSD.date), Literal("2024-03-20", datatype=XSD.date)
    )
    assert known_by(bounded, date(2024, 2, 15)) is None
    assert known_by(bounded, date(2024, 3, 20)) is True
    assert known_by(NOTHING_KNOWN, date(2024, 3, 20)) is None


def test_formatting() -> None:
    assert format_interval(month("2023-07")) == "2023-07 (month)"
    assert format_interval(month("2023-07"), "de") == "2023-07 (Monat)"
    assert format_interval(day("2023-07-15")) == "2023-07-15 (day)"
    assert format_interval(year("2023")) == "2023 (year)"
    assert format_interval(end_of(2023)) == "towards the end of 2023 (2023-09-01..2023-12-31)"
    assert format_interval(end_of(2023), "de") == "gegen Ende 2023 (2023-09-01..2023-12-31)"
    assert format_interval(OPEN_FROM_2023) == "not before 2023-01-01"
    assert format_interval(OPEN_UNTIL_2023, "de") == "nicht nach 2023-12-31"
    assert format_interval(NOTHING_KNOWN) == "unknown time"


def test_time_spec_rows() -> None:
    rows = [
        {"property": MS.notBefore, "value": Literal("2023-09-01", datatype=XSD.date)},
        {"property": MS.notAfter, "value": Literal("2023-12-31", datatype=XSD.date)},
        {"property": MS.timePrecision, "value": MSV.PartOfYear},
        {"property": MS.timeExpression, "value": Literal("gegen Ende 2023", lang="de")},
    ]
    interval = from_spec_rows(rows, "msr:x")
    assert (interval.earliest, interval.latest) == (date(2023, 9, 1), date(2023, 12, 31))
    assert interval.precision == "part of year"
    assert format_interval(interval, "de") == "gegen Ende 2023 (2023-09-01..2023-12-31)"


@pytest.mark.parametrize(
    ("literal", "message"),
    [
        (Literal("2023-13", datatype=XSD.gYearMonth), "'2023-13' is not a valid xsd:gYearMonth"),
        (Literal("2023-02-30", datatype=XSD.date), "'2023-02-30' is not a valid xsd:date"),
        (Literal("July 2023", datatype=XSD.gYear), "'July 2023' is not a valid xsd:gYear"),
        (Literal("2023-07"), "is not a time value"),
    ],
)
def test_bad_literals_name_the_place(literal: Literal, message: str) -> None:
    with pytest.raises(TimeValueError) as caught:
        from_literal(literal, "msr:claim ms:validAt")
    assert caught.value.message.startswith("msr:claim ms:validAt: ")
    assert message in caught.value.message


def test_bounds_in_the_wrong_order_are_refused() -> None:
    with pytest.raises(TimeValueError, match="ms:notBefore 2024-01-01 is after ms:notAfter"):
        from_bounds(
            Literal("2024-01-01", datatype=XSD.date),
            Literal("2023-01-01", datatype=XSD.date),
            where="msr:spec",
        )


def test_user_times() -> None:
    assert parse_user_time("2023") == year("2023")
    assert parse_user_time("2023-07") == month("2023-07")
    assert parse_user_time("2023-07-15") == day("2023-07-15")
    for bad in ("2023-13-40", "yesterday", "2023-13", "23"):
        with pytest.raises(UsageError, match="is not a date; write YYYY-MM-DD"):
            parse_user_time(bad, "--from")


def test_a_vague_time_in_another_language_is_said_in_the_readers_words() -> None:
    # Issue 16: English output printed "Expected: gegen Ende 2023" untranslated.
    german = TimeInterval(
        date(2023, 9, 1),
        date(2023, 12, 31),
        "part of year",
        expressions=(("de", "gegen Ende 2023"),),
    )
    assert format_interval(german, "en") == ('Sep–Dec 2023 (in the source: "gegen Ende 2023")')
    assert format_interval(german, "de") == "gegen Ende 2023 (2023-09-01..2023-12-31)"
    across = TimeInterval(
        date(2023, 11, 1), date(2024, 2, 29), "bounds", expressions=(("en", "over the winter"),)
    )
    assert format_interval(across, "de") == (
        'Nov. 2023–Feb. 2024 (in der Quelle: "over the winter")'
    )
    # Bounds that are no whole months keep the days.
    days = TimeInterval(
        date(2024, 3, 10), date(2024, 3, 20), "bounds", expressions=(("en", "mid-March"),)
    )
    assert format_interval(days, "de") == ('2024-03-10..2024-03-20 (in der Quelle: "mid-March")')
