"""Values in words: lap times as 1:35.964, positions as "7th in GTP", counts with units.

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


def literal_text(term: Node | None) -> str:
    """A literal as a reader wants it: durations as clock times, the rest as written."""
    if term is None:
        return ""
    if isinstance(term, Literal) and term.datatype == XSD.duration:
        return clock_time(str(term)) or str(term)
    return str(term)
