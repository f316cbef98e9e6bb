"""Times in words: "28 Jan 2024", "July 2023", "around 2.30 a.m. on 28 Jan 2024",
"towards the end of 2023 (Sep–Dec 2023)", "between 28 Jan and 20 Mar 2024".

A vague time keeps the source's wording when it is in the reader's language and
adds what it was taken to mean; in another language the time is said in the
reader's words and the source's wording quoted.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from rdflib import Literal
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.answers.briefing.reading import Reads
from kg.model.namespaces import MS, MSV
from kg.model.timeutil import (
    MONTHS_FULL,
    MONTHS_SHORT,
    TimeInterval,
    TimeValueError,
    from_bounds,
    from_literal,
)

_WORDS = {
    "en": {
        "between": "between {a} and {b}",
        "after": "not before {a}",
        "before": "not after {b}",
        "unknown": "date unknown",
        "in source": 'in the source: "{w}"',
        "around": "around {t} on {d}",
        "on": "{t} on {d}",
        "between times": "between {a} and {b} on {d}",
    },
    "de": {
        "between": "zwischen {a} und {b}",
        "after": "nicht vor {a}",
        "before": "nicht nach {b}",
        "unknown": "Datum unbekannt",
        "in source": 'in der Quelle: "{w}"',
        "around": "gegen {t} am {d}",
        "on": "{t} am {d}",
        "between times": "zwischen {a} und {b} am {d}",
    },
}


def _words(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["en"])


def day_words(day: date, lang: str = "en") -> str:
    months = MONTHS_SHORT.get(lang, MONTHS_SHORT["en"])
    if lang == "de":
        return f"{day.day}. {months[day.month - 1]} {day.year}"
    return f"{day.day} {months[day.month - 1]} {day.year}"


def clock_words(moment: datetime, lang: str = "en") -> str:
    """2.30 a.m. in English, 2:30 Uhr in German (as race reports write them)."""
    if lang == "de":
        return f"{moment.hour}:{moment.minute:02d} Uhr"
    hour = moment.hour % 12 or 12
    half = "a.m." if moment.hour < 12 else "p.m."
    return f"{hour}.{moment.minute:02d} {half}"


def span_words(earliest: date | None, latest: date | None, lang: str = "en") -> str:
    """Days, whole months or years, and open bounds in words."""
    words = _words(lang)
    if earliest is None and latest is None:
        return words["unknown"]
    if earliest is None:
        return words["before"].format(b=day_words(latest, lang))  # type: ignore[arg-type]
    if latest is None:
        return words["after"].format(a=day_words(earliest, lang))
    if earliest == latest:
        return day_words(earliest, lang)
    whole_months = (
        earliest.day == 1 and latest.day == calendar.monthrange(latest.year, latest.month)[1]
    )
    if whole_months:
        months = MONTHS_SHORT.get(lang, MONTHS_SHORT["en"])
        full = MONTHS_FULL.get(lang, MONTHS_FULL["en"])
        if (earliest.month, latest.month) == (1, 12) and earliest.year == latest.year:
            return str(earliest.year)
        if (earliest.year, earliest.month) == (latest.year, latest.month):
            return f"{full[earliest.month - 1]} {earliest.year}"
        first, last = months[earliest.month - 1], months[latest.month - 1]
        if earliest.year == latest.year:
            return f"{first}–{last} {earliest.year}"
        return f"{first} {earliest.year}–{last} {latest.year}"
    return words["between"].format(a=day_words(earliest, lang), b=day_words(latest, lang))


def _moment(value: Node | None) -> datetime | None:
    if isinstance(value, Literal) and value.datatype == XSD.dateTime:
        try:
            return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def interval_of(ctx: Reads, node: Node) -> TimeInterval | None:
    """The publication time of a source, from ms:published or its bounds."""
    published = ctx.one(node, MS.published)
    try:
        if isinstance(published, Literal):
            return from_literal(published)
        before, after = ctx.one(node, MS.publishedNotBefore), ctx.one(node, MS.publishedNotAfter)
        if before is None and after is None:
            return None
        return from_bounds(
            before if isinstance(before, Literal) else None,
            after if isinstance(after, Literal) else None,
        )
    except TimeValueError:
        return None


def publication_words(ctx: Reads, source: Node) -> str:
    """ "July 2023", "between 28 Jan and 20 Mar 2024 (no date in the source)"."""
    interval = interval_of(ctx, source)
    if interval is None:
        return _words(ctx.lang)["unknown"]
    return interval_words(interval, ctx.lang)


def interval_words(interval: TimeInterval, lang: str) -> str:
    if interval.moment is not None:
        return f"{day_words(interval.moment.date(), lang)}, {interval.moment:%H:%M}"
    return span_words(interval.earliest, interval.latest, lang)


def time_words(ctx: Reads, value: Node | None) -> str:
    """Any time value in words: a literal, or an ms:TimeSpec with its wording."""
    if value is None:
        return ""
    if isinstance(value, Literal):
        try:
            return interval_words(from_literal(value), ctx.lang)
        except TimeValueError:
            return str(value)
    words = _words(ctx.lang)
    expressions = ctx.texts_by_language(value, MS.timeExpression)
    low, high = ctx.one(value, MS.notBefore), ctx.one(value, MS.notAfter)
    start, end = _moment(low), _moment(high)
    meant = ""
    if start is not None and end is not None and start.date() == end.date():
        middle = start + (end - start) / 2
        around = ctx.one(value, MS.timePrecision) == MSV.AroundTime
        day = day_words(start.date(), ctx.lang)
        if around and start != end:
            meant = words["around"].format(t=clock_words(middle, ctx.lang), d=day)
        elif start == end:
            meant = words["on"].format(t=clock_words(start, ctx.lang), d=day)
        else:
            meant = words["between times"].format(
                a=clock_words(start, ctx.lang), b=clock_words(end, ctx.lang), d=day
            )
    elif low is not None or high is not None:
        try:
            interval = from_bounds(
                low if isinstance(low, Literal) else None,
                high if isinstance(high, Literal) else None,
            )
            meant = span_words(interval.earliest, interval.latest, ctx.lang)
        except TimeValueError:
            meant = ""
    own = expressions.get(ctx.lang)
    if own and meant and ctx.lang == "en" and meant.startswith("around") and "around" in own:
        return meant
    if own and meant:
        return f"{own} ({meant})"
    if own:
        return own
    other = next(iter(expressions.values()), "")
    if other and meant:
        return f"{meant} ({words['in source'].format(w=other)})"
    if other:
        return words["in source"].format(w=other)
    return meant
