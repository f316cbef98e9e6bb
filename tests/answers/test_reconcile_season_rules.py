"""The rules of kg reconcile that check claims against whole seasons
(kg.answers.reconcile_season_rules), on a few made-up races: the verdicts the bundled
articles never reach (tests/bundled/test_full_bundle.py runs them on the bundle)."""

from __future__ import annotations

from rdflib import Literal, URIRef

from kg.answers import reconcile_season_rules as rules
from kg.answers.reconcile_base import CANNOT_SAY, CONTRADICTED, CORROBORATED
from kg.answers.reconcile_seasons import Claim, Race, Seasons
from kg.model.namespaces import MS, MSR, MSV

IMSA, WEC = str(MSR["imsa"]), str(MSR["wec"])
GTP, GTD = str(MSR["gtp"]), str(MSR["gtd"])


def _race(event: str, day: str, team: str, number: str, drivers: set[str], **kw: str) -> Race:
    return Race(
        entry=f"{event}-{number}",
        doc=f"{event}-results",
        event=event,
        start=f"{day}T12:00:00",
        racing_class=kw.get("racing_class", GTP),
        model=kw.get("model", "lmdh-car"),
        maker=kw.get("maker", "maker"),
        team=team,
        number=number,
        series=kw.get("series", IMSA),
        drivers=frozenset(drivers),
    )


RACES = [
    _race("r1-2023", "2023-01-28", "team-a", "1", {"ann", "bob"}),
    _race("r1-2023", "2023-01-28", "team-b", "2", {"cid"}, racing_class=GTD, model="gt3"),
    _race("r2-2023", "2023-07-09", "team-a", "1", {"ann", "bob"}),
    _race("r1-2024", "2024-01-27", "team-a", "1", {"ann", "dan"}),
    _race("r1-2024", "2024-01-27", "team-a", "3", {"bob"}),
    _race("r1-2024", "2024-01-27", "team-b", "2", {"cid"}, racing_class=GTD, model="gt3"),
    _race("r2-2024", "2024-03-16", "team-a", "1", {"ann", "dan"}),
]


def _seasons(**facts: list[object]) -> Seasons:
    table = {}
    for key, values in facts.items():
        subject, prop = key.split("__")
        table[(subject, str(MS[prop]))] = [
            v if isinstance(v, Literal) else URIRef(str(v)) for v in values
        ]
    return Seasons(RACES, table, {})


def _claim(subject: str, prop: URIRef, value: object, **when: str) -> Claim:
    term = value if isinstance(value, Literal) else URIRef(str(value))
    return Claim("claim", subject, str(prop), term, "article", **when)


def test_an_operation_with_another_car_is_contradicted_naming_the_car_raced() -> None:
    seasons = _seasons(claim__racingClass=[GTP], programme__carModel=["other-car"])
    claim = _claim("programme", MS.operator, "team-a", start="2023")
    verdict, official, why, evidence = rules.operation(claim, seasons)
    assert (verdict, official) == (CONTRADICTED, "ran lmdh-car instead")
    assert why == "team-a: ran lmdh-car instead in gtp in 2023, 2024"
    assert evidence is RACES[0]


def test_an_operation_in_a_series_or_a_year_the_results_lack_cannot_be_said() -> None:
    wec = _seasons(claim__series=[WEC], programme__carModel=["lmdh-car"])
    verdict, _, why, _ = rules.operation(_claim("programme", MS.operator, "team-a"), wec)
    assert (verdict, why) == (CANNOT_SAY, "the official results bundled cover imsa only")
    later = _seasons(claim__series=[IMSA], programme__carModel=["lmdh-car"])
    claim = _claim("programme", MS.operator, "team-a", at="2025-06")
    verdict, _, why, _ = rules.operation(claim, later)
    assert (verdict, why) == (CANNOT_SAY, "no official imsa results of 2025-2025")


def test_an_operation_counts_the_races_of_each_season_and_the_nearest_to_its_date() -> None:
    seasons = _seasons(claim__racingClass=[GTP], programme__carModel=["lmdh-car"])
    claim = _claim("programme", MS.operator, "team-a", at="2023-05")
    verdict, official, why, _ = rules.operation(claim, seasons)
    assert verdict == CORROBORATED
    assert official == "2023: 2 of 2 races (team-a #1; lmdh-car)"
    assert why.endswith("last race by 2023-05: r1-2023 (2023-01-28), next: r2-2023 (2023-07-09)")


def test_a_rookie_needs_an_earlier_season_of_the_class_to_be_corroborated() -> None:
    seasons = _seasons()
    dan = rules.rookie(_claim("dan", MS.rookieIn, GTP, at="2024"), seasons)
    assert dan[0] == CORROBORATED and dan[1].startswith("no gtp start in 2023; first: r1-2024")
    bob = rules.rookie(_claim("bob", MS.rookieIn, GTP, at="2024"), seasons)
    assert bob[:2] == (CONTRADICTED, "raced in gtp in 2023: r1-2023 (2023-01-28)")
    first_season = rules.rookie(_claim("ann", MS.rookieIn, GTP, at="2023"), seasons)
    assert first_season[0] == CANNOT_SAY


def test_teammates_in_one_team_but_two_cars_are_corroborated_as_such() -> None:
    seasons = _seasons()
    same_team = rules.teammate(_claim("ann", MS.teammateOf, "bob", at="2024"), seasons)
    assert same_team[:3] == (
        CORROBORATED,
        "same team in 1 of 2 official races of 2024 (team-a)",
        "in one team's official line-ups",
    )
    # Without a time of its own, the claim holds at the last race before its source.
    late = _claim("cid", MS.teammateOf, "ann", published="2024-02-01")
    assert rules.teammate(late, seasons)[0] == CONTRADICTED
    nobody = _claim("eve", MS.teammateOf, "ann", published="2024-02-01")
    assert rules.teammate(nobody, seasons)[0] == CANNOT_SAY


def test_a_country_is_compared_by_its_iso_code_and_never_guessed() -> None:
    swede = Seasons(RACES, {("ann", str(MS.countryCode)): [Literal("SWE")]}, {"fin": "Finland"})
    verdict, official, why, _ = rules.nationality(_claim("ann", MS.nationality, "fin"), swede)
    assert (verdict, official) == (CONTRADICTED, "SWE")
    assert why == "another country code (Finland is FIN in ISO 3166)"
    finn = Seasons(RACES, {("ann", str(MS.countryCode)): [Literal("FIN")]}, {"fin": "Finland"})
    assert rules.nationality(_claim("ann", MS.nationality, "fin"), finn)[0] == CORROBORATED
    unknown = Seasons(RACES, {("ann", str(MS.countryCode)): [Literal("FIN")]}, {"x": "Atlantis"})
    assert rules.nationality(_claim("ann", MS.nationality, "x"), unknown)[0] == CANNOT_SAY


def test_a_start_date_as_a_plain_date_and_a_maker_the_entries_contradict() -> None:
    seasons = _seasons()
    day = _claim("r2-2024", MS.startDate, Literal("2024-03-16"))
    assert rules.start_date(day, seasons)[:2] == (CORROBORATED, "race on 2024-03-16")
    assert rules.maker(_claim("gt3", MS.manufacturer, "other"), seasons)[0] == CONTRADICTED
    # A programme's maker is not something a race entry shows.
    assert rules.maker(_claim("programme", MS.manufacturer, "maker"), seasons) is None
    status = _claim("programme", MS.programmeStatus, MSV.ProgrammeUnderConsideration)
    assert rules.programme_status(status, seasons) is None
