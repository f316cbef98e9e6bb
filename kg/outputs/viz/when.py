"""Days as a reader says them ("July 2023", "28 January 2024"), the same on every machine.

Not calendar.month_name: that follows the machine's locale, and pictures and
pages that go into git must not.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from kg.model.timeutil import MONTHS_FULL as MONTHS

if TYPE_CHECKING:
    from kg.model.timeutil import TimeInterval

_BETWEEN = {"en": ("between", "and"), "de": ("zwischen", "und")}
_AFTER = {"en": "after", "de": "nach"}


def day_in_words(day: date, lang: str = "en") -> str:
    """ "28 January 2024", "28. Januar 2024"."""
    month = MONTHS.get(lang, MONTHS["en"])[day.month - 1]
    return f"{day.day}. {month} {day.year}" if lang == "de" else f"{day.day} {month} {day.year}"


def in_words(interval: TimeInterval | None, lang: str = "en") -> str:
    """A publication date as said: "July 2023", "28 January 2024", "2023",
    "between 28 January 2024 and 20 March 2024", else the interval's own wording."""
    from kg.model.timeutil import format_interval

    if interval is None:
        return ""
    earliest, latest = interval.earliest, interval.latest
    months = MONTHS.get(lang, MONTHS["en"])
    if interval.moment is None and earliest is not None and latest is not None:
        if interval.precision == "day" or earliest == latest:
            return day_in_words(earliest, lang)
        if interval.precision == "month":
            return f"{months[earliest.month - 1]} {earliest.year}"
        if interval.precision == "year":
            return str(earliest.year)
        if interval.precision == "bounds":
            between, conjunction = _BETWEEN.get(lang, _BETWEEN["en"])
            return (
                f"{between} {day_in_words(earliest, lang)} {conjunction} "
                f"{day_in_words(latest, lang)}"
            )
    if interval.moment is None and earliest is not None and latest is None:
        return f"{_AFTER.get(lang, 'after')} {day_in_words(earliest, lang)}"
    return format_interval(interval, lang)
