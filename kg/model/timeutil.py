"""Time values as intervals, compared honestly.

Every time value in the graph (an `xsd:dateTime`, `xsd:date`, `xsd:gYearMonth`
or `xsd:gYear` literal, or an `ms:TimeSpec` node with `ms:notBefore` /
`ms:notAfter` bounds) becomes a `TimeInterval`: the earliest and the latest day
it can mean. A month is the interval of its days, "towards the end of 2023"
is 2023-09-01..2023-12-31, a missing bound is unknown (None), never guessed.

Comparisons answer only what the intervals allow: "before" or "after" when
they cannot overlap, "overlaps" when they certainly share a day (so their order
is not known), "unknown" when a missing bound leaves it open.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal as TypingLiteral

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from kg.model.errors import InputError, UsageError
from kg.model.namespaces import MS

Comparison = TypingLiteral["before", "after", "overlaps", "unknown"]

# Precision words per language, for formatting.
_PRECISION_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "time": "time",
        "day": "day",
        "month": "month",
        "year": "year",
        "bounds": "between",
        "unknown": "unknown",
    },
    "de": {
        "time": "Uhrzeit",
        "day": "Tag",
        "month": "Monat",
        "year": "Jahr",
        "bounds": "zwischen",
        "unknown": "unbekannt",
    },
}
_UNKNOWN_TIME = {"en": "unknown time", "de": "Zeit unbekannt"}
_NOT_BEFORE = {"en": "not before", "de": "nicht vor"}
_NOT_AFTER = {"en": "not after", "de": "nicht nach"}

_TZ = r"(?:Z|[+-]\d{2}:\d{2})?"
_YEAR = re.compile(r"^(-?\d{4,})" + _TZ + "$")
_YEAR_MONTH = re.compile(r"^(-?\d{4,})-(\d{2})" + _TZ + "$")
_DATE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})" + _TZ + "$")


class TimeValueError(InputError):
    """A time value in the data that cannot be read as a date, month, year or bounds."""


@dataclass(frozen=True)
class TimeInterval:
    """The days a time value can mean, with the precision it was given in.

    `earliest`/`latest` are inclusive; None means that bound is unknown.
    `precision` is "time", "day", "month", "year" for literals, or the
    precision named on an ms:TimeSpec ("part of year", ...), else "bounds".
    `expression` is the wording of a vague time ("gegen Ende 2023"), and
    `expressions` holds it per language as (lang, text) pairs.
    `moment` keeps the exact instant of an xsd:dateTime, for ordering within a day.
    """

    earliest: date | None
    latest: date | None
    precision: str
    expression: str | None = None
    expressions: tuple[tuple[str, str], ...] = ()
    moment: datetime | None = None

    @property
    def is_unknown(self) -> bool:
        return self.earliest is None and self.latest is None

    def sort_key(self) -> tuple[date, date, str]:
        """A deterministic chronological order: by earliest day, then latest, then instant."""
        low = self.earliest or self.latest or date.min
        high = self.latest or self.earliest or date.max
        instant = self.moment.isoformat() if self.moment is not None else ""
        return (low, high, instant)

    def wording_in(self, lang: str) -> str | None:
        """The expression written in `lang` itself, or None."""
        return dict(self.expressions).get(lang)

    def wording(self, lang: str = "en") -> str | None:
        """The expression in `lang`, else English, else any, else None."""
        by_lang = dict(self.expressions)
        for preference in (lang, "en", ""):
            if preference in by_lang:
                return by_lang[preference]
        if self.expressions:
            return sorted(self.expressions)[0][1]
        return self.expression


UNKNOWN = TimeInterval(None, None, "unknown")


def _year(text: str) -> int:
    year = int(text)
    if not 1 <= year <= 9999:
        raise ValueError(f"year {year} is out of range")
    return year


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} does not exist")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def from_literal(value: Literal, where: str = "a time value") -> TimeInterval:
    """An xsd:dateTime/date/gYearMonth/gYear literal as an interval of days.

    Raises TimeValueError naming `where` when the literal is of another type or
    its text is not a valid value of its type.
    """
    text = str(value).strip()
    datatype = value.datatype
    try:
        if datatype == XSD.dateTime or datatype == XSD.dateTimeStamp:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return TimeInterval(moment.date(), moment.date(), "time", moment=moment)
        if datatype == XSD.date:
            match = _DATE.match(text)
            if match is None:
                raise ValueError("not written YYYY-MM-DD")
            day = date(_year(match.group(1)), int(match.group(2)), int(match.group(3)))
            return TimeInterval(day, day, "day")
        if datatype == XSD.gYearMonth:
            match = _YEAR_MONTH.match(text)
            if match is None:
                raise ValueError("not written YYYY-MM")
            first, last = _month_bounds(_year(match.group(1)), int(match.group(2)))
            return TimeInterval(first, last, "month")
        if datatype == XSD.gYear:
            match = _YEAR.match(text)
            if match is None:
                raise ValueError("not written YYYY")
            year = _year(match.group(1))
            return TimeInterval(date(year, 1, 1), date(year, 12, 31), "year")
    except ValueError as error:
        raise TimeValueError(
            f"{where}: {text!r} is not a valid {_type_name(datatype)} ({error}); "
            "fix the literal in the data file"
        ) from None
    raise TimeValueError(
        f"{where}: {value.n3()} is not a time value; use an xsd:dateTime, xsd:date, "
        "xsd:gYearMonth or xsd:gYear literal, or an ms:TimeSpec node"
    )


def _type_name(datatype: URIRef | None) -> str:
    if datatype is None:
        return "plain literal"
    return "xsd:" + str(datatype).rsplit("#", 1)[-1]


def from_bounds(
    not_before: Literal | None,
    not_after: Literal | None,
    precision: str | None = None,
    expressions: Sequence[tuple[str, str]] = (),
    where: str = "a time value",
) -> TimeInterval:
    """An ms:TimeSpec's bounds as an interval: the earliest day of `not_before`
    to the latest day of `not_after` (each bound may itself be a month or a year)."""
    earliest = from_literal(not_before, where).earliest if not_before is not None else None
    latest = from_literal(not_after, where).latest if not_after is not None else None
    if earliest is not None and latest is not None and earliest > latest:
        raise TimeValueError(
            f"{where}: ms:notBefore {earliest} is after ms:notAfter {latest}; swap or fix them"
        )
    ordered = tuple(sorted((lang, text) for lang, text in expressions))
    first = ordered[0][1] if ordered else None
    english = dict(ordered).get("en", first)
    return TimeInterval(
        earliest,
        latest,
        precision or ("bounds" if earliest or latest else "unknown"),
        expression=english,
        expressions=ordered,
    )


def precision_name(concept: Identifier | None) -> str | None:
    """msv:PartOfYear -> "part of year" (the words of the concept's local name)."""
    if concept is None:
        return None
    local = re.split(r"[/#]", str(concept))[-1]
    return re.sub(r"(?<!^)(?=[A-Z])", " ", local).lower()


def from_spec_rows(
    rows: Sequence[Mapping[str, object]], where: str = "a time value"
) -> TimeInterval:
    """An ms:TimeSpec from (property, value) rows (kg.knowledge.timespec reads them)."""
    not_before: list[Literal] = []
    not_after: list[Literal] = []
    precision: Identifier | None = None
    expressions: list[tuple[str, str]] = []
    for row in rows:
        prop, value = row.get("property"), row.get("value")
        if prop == MS.notBefore and isinstance(value, Literal):
            not_before.append(value)
        elif prop == MS.notAfter and isinstance(value, Literal):
            not_after.append(value)
        elif prop == MS.timePrecision and isinstance(value, Identifier):
            # Several precisions would be a data error the shapes catch; pick one stably.
            precision = value if precision is None else min(precision, value, key=str)
        elif prop == MS.timeExpression and isinstance(value, Literal):
            expressions.append((value.language or "", str(value)))
    for name, found in (("ms:notBefore", not_before), ("ms:notAfter", not_after)):
        if len(found) > 1:
            raise TimeValueError(f"{where}: has {len(found)} values of {name}; keep one")
    return from_bounds(
        not_before[0] if not_before else None,
        not_after[0] if not_after else None,
        precision_name(precision),
        expressions,
        where,
    )


def compare(a: TimeInterval, b: TimeInterval) -> Comparison:
    """Where `a` lies relative to `b`: "before", "after", "overlaps" or "unknown".

    Two instants (xsd:dateTime) with time zones are compared exactly; otherwise
    days: `a` is before `b` when a's latest day is before b's earliest day.
    "overlaps" needs all four bounds and at least one shared day.
    """
    if a.moment is not None and b.moment is not None:
        aware = (a.moment.tzinfo is not None, b.moment.tzinfo is not None)
        if aware[0] == aware[1]:
            if a.moment < b.moment:
                return "before"
            if a.moment > b.moment:
                return "after"
            return "overlaps"
    if a.latest is not None and b.earliest is not None and a.latest < b.earliest:
        return "before"
    if a.earliest is not None and b.latest is not None and a.earliest > b.latest:
        return "after"
    if None in (a.earliest, a.latest, b.earliest, b.latest):
        return "unknown"
    return "overlaps"


def ended_before(interval: TimeInterval, day: date) -> bool | None:
    """Whether the interval was certainly over before `day` (None: its end is unknown)."""
    if interval.latest is None:
        if interval.earliest is not None and interval.earliest >= day:
            return False
        return None
    return interval.latest < day


def known_by(interval: TimeInterval, day: date) -> bool | None:
    """Whether something published in `interval` was certainly out by `day`.

    True when even the latest possible day is on or before `day`, False when the
    earliest possible day is after it, None when it may or may not have been.
    """
    if interval.latest is not None and interval.latest <= day:
        return True
    if interval.earliest is not None and interval.earliest > day:
        return False
    return None


_IN_THE_SOURCE = {"en": "in the source", "de": "in der Quelle"}
# Month names as a reader says them, the same on every machine (not calendar's,
# which follows the locale).
MONTHS_SHORT = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "de": [
        "Jan.",
        "Feb.",
        "März",
        "Apr.",
        "Mai",
        "Juni",
        "Juli",
        "Aug.",
        "Sep.",
        "Okt.",
        "Nov.",
        "Dez.",
    ],
}
MONTHS_FULL = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "de": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
}


def _month_span(earliest: date | None, latest: date | None, lang: str) -> str | None:
    """Whole months in words ("Sep–Dec 2023", "Nov 2023–Feb 2024"), else None."""
    if earliest is None or latest is None or earliest.day != 1:
        return None
    if latest.day != calendar.monthrange(latest.year, latest.month)[1] or latest < earliest:
        return None
    names = MONTHS_SHORT.get(lang, MONTHS_SHORT["en"])
    first, last = names[earliest.month - 1], names[latest.month - 1]
    if earliest.year != latest.year:
        return f"{first} {earliest.year}–{last} {latest.year}"
    if earliest.month == latest.month:
        return f"{first} {earliest.year}"
    return f"{first}–{last} {earliest.year}"


def format_interval(interval: TimeInterval, lang: str = "en") -> str:
    """ "2023-07 (month)", "towards the end of 2023 (2023-09-01..2023-12-31)"."""
    words = _PRECISION_WORDS.get(lang, _PRECISION_WORDS["en"])
    earliest, latest = interval.earliest, interval.latest
    if interval.moment is not None:
        return interval.moment.isoformat()
    if interval.precision in ("day", "month", "year") and earliest and latest:
        shown = {
            "day": earliest.isoformat(),
            "month": earliest.isoformat()[:7],
            "year": earliest.isoformat()[:4],
        }[interval.precision]
        return f"{shown} ({words[interval.precision]})"
    if earliest is not None and latest is not None:
        span = earliest.isoformat() if earliest == latest else f"{earliest}..{latest}"
    elif earliest is not None:
        span = f"{_NOT_BEFORE.get(lang, 'not before')} {earliest}"
    elif latest is not None:
        span = f"{_NOT_AFTER.get(lang, 'not after')} {latest}"
    else:
        span = ""
    wording = interval.wording(lang)
    if wording and span and interval.expressions and interval.wording_in(lang) is None:
        # The source's words are in another language: say the time in the reader's
        # words, and quote the source's.
        months = _month_span(earliest, latest, lang)
        said = _IN_THE_SOURCE.get(lang, _IN_THE_SOURCE["en"])
        return f'{months or span} ({said}: "{wording}")'
    if wording and span:
        return f"{wording} ({span})"
    if wording:
        return f"{wording} ({_UNKNOWN_TIME.get(lang, 'unknown time')})"
    return span or _UNKNOWN_TIME.get(lang, "unknown time")


USER_DATE_FORMS = "write YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2023-08-01)"
_USER_TIME = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def user_time_problem(text: str) -> str:
    """Why `text` is not a date a user may type, in words for an error message."""
    return f"{text!r} is not a date; {USER_DATE_FORMS}"


def parse_user_time(text: str, option: str = "--from") -> TimeInterval:
    """A date typed by a user: YYYY, YYYY-MM or YYYY-MM-DD, as an interval with that
    precision (UsageError if bad). Every date option of every command reads dates so.

    Checked here, not by building an rdflib literal: rdflib logs a traceback for an
    impossible date such as 2024-02-30 before we could say what is wrong.
    """
    match = _USER_TIME.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError("not a date")
        year = _year(match.group(1))
        if match.group(3) is not None:
            day = date(year, int(match.group(2)), int(match.group(3)))
            return TimeInterval(day, day, "day")
        if match.group(2) is not None:
            first, last = _month_bounds(year, int(match.group(2)))
            return TimeInterval(first, last, "month")
        return TimeInterval(date(year, 1, 1), date(year, 12, 31), "year")
    except ValueError:
        raise UsageError(f"{option} {user_time_problem(text)}") from None
