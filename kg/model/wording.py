"""Values in words: lap times as 1:35.964, positions as "7th in GTP", counts with units,
race starts as 2024-01-27 13:40, truth values as yes or no.

Pure functions on rdflib terms and Python values, shared by the briefings, the
timeline, the query tables and the site, so that a value reads the same
everywhere. English and German; any other language falls back to English.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from rdflib import Literal
from rdflib.namespace import XSD
from rdflib.term import Node

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def duration_seconds(text: str) -> Decimal | None:
    """The seconds of an xsd:duration without years or months ("PT1M35.964S" is 95.964)."""
    match = _DURATION.match(text.strip())
    if match is None or text.strip() in ("P", "PT", "-P"):
        return None
    days = int(match["days"] or 0)
    hours = int(match["hours"] or 0)
    minutes = int(match["minutes"] or 0)
    try:
        seconds = Decimal(match["seconds"] or "0")
    except InvalidOperation:
        return None
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    return -total if match["sign"] else total


def clock_time(text: str) -> str | None:
    """A duration as a stopwatch reads it: 1:35.964, 23:59:03.365; None if not one.

    The decimals are the ones the source wrote (203.0 stays 3:23.0): timing data
    gives them to the thousandth and a briefing must not invent or drop digits.
    """
    seconds = duration_seconds(text)
    if seconds is None:
        return None
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    whole = int(seconds)
    fraction = str(seconds - whole)[1:] if seconds != whole else ""
    if "." in text and not fraction:
        # "PT3M23.0S": keep the written decimals.
        fraction = "." + text.rsplit(".", 1)[1].rstrip("S").rstrip("s")
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}{fraction}"
    return f"{sign}{minutes}:{secs:02d}{fraction}"


def ordinal(number: int, lang: str = "en") -> str:
    """7th, 21st, 12th in English; 7. in German."""
    if lang == "de":
        return f"{number}."
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def position(number: int, scope: str | None = None, lang: str = "en") -> str:
    """ "7th in GTP", "7th overall", "7. in der GTP", "3rd" when the scope is unknown."""
    place = ordinal(number, lang)
    if scope is None:
        return place
    if scope == "overall":
        return f"{place} {'gesamt' if lang == 'de' else 'overall'}"
    return f"{place} {'in der' if lang == 'de' else 'in'} {scope}"


_UNITS = {
    "en": {
        "lap": ("lap", "laps"),
        "minute": ("minute", "minutes"),
        "place": ("place", "places"),
        "start": ("start", "starts"),
        "race": ("race", "races"),
        "win": ("win", "wins"),
        "podium": ("podium", "podiums"),
        "class pole": ("class pole", "class poles"),
        "official result": ("official result", "official results"),
        "retirement": ("retirement", "retirements"),
    },
    "de": {
        "lap": ("Runde", "Runden"),
        "minute": ("Minute", "Minuten"),
        "place": ("Platz", "Plätze"),
        "start": ("Start", "Starts"),
        "race": ("Rennen", "Rennen"),
        "win": ("Sieg", "Siege"),
        "podium": ("Podestplatz", "Podestplätze"),
        "class pole": ("Klassen-Pole", "Klassen-Poles"),
        "official result": ("offizielles Ergebnis", "offizielle Ergebnisse"),
        "retirement": ("Ausfall", "Ausfälle"),
    },
}


def count(number: int, unit: str, lang: str = "en") -> str:
    """ "14 laps", "1 place", "4 Minuten"."""
    units = _UNITS.get(lang, _UNITS["en"])
    singular, plural = units.get(unit, (unit, unit + "s"))
    return f"{number} {singular if number == 1 else plural}"


# The lexical form of xsd:dateTime (XSD 1.1 §3.3.8); a year may have more digits or a sign.
_DATE_TIME = re.compile(
    r"^(?P<date>-?\d{4,}-\d{2}-\d{2})T(?P<clock>\d{2}:\d{2}):(?P<seconds>\d{2})"
    r"(?P<fraction>\.\d+)?(?P<zone>Z|[+-]\d{2}:\d{2})?$"
)


def date_time_text(text: str) -> str | None:
    """A date-time as people write it: 2024-01-27 13:40, 2024-01-28 02:00 -05:00,
    2024-01-27 10:00 UTC; None if `text` is not one.

    The time is the one the source wrote, in the zone it wrote: a race starts at
    13:40 local time, and shifting it to another zone would tell a reader a time
    that no timetable shows. Seconds show only when they are not zero, with the
    decimals written.
    """
    match = _DATE_TIME.match(text.strip())
    if match is None:
        return None
    shown = f"{match['date']} {match['clock']}"
    fraction = match["fraction"] or ""
    if match["seconds"] != "00" or any(digit != "0" for digit in fraction[1:]):
        shown += f":{match['seconds']}{fraction}"
    zone = match["zone"]
    if zone:
        shown += " UTC" if zone == "Z" else f" {zone}"
    return shown


_YES_NO = {"en": ("yes", "no"), "de": ("ja", "nein")}


def truth_text(text: str, lang: str = "en") -> str | None:
    """An xsd:boolean as a word: yes or no, ja or nein ("1" and "0" too); None if not one."""
    yes, no = _YES_NO.get(lang, _YES_NO["en"])
    written = text.strip()
    if written in ("true", "1"):
        return yes
    if written in ("false", "0"):
        return no
    return None


def literal_text(term: Node | None, lang: str = "en") -> str:
    """A literal as a reader wants it: durations as clock times, date-times without the
    "T", truth values as words in `lang`; the rest (dates, months, years) as written.

    Programs get the literal as written instead (CSV, TSV, JSON, exports).
    """
    if term is None:
        return ""
    if not isinstance(term, Literal):
        return str(term)
    written = str(term)
    shown: str | None = None
    if term.datatype == XSD.duration:
        shown = clock_time(written)
    elif term.datatype in (XSD.dateTime, XSD.dateTimeStamp):
        shown = date_time_text(written)
    elif term.datatype == XSD.boolean:
        shown = truth_text(written, lang)
    return shown or written
