"""kg show as a briefing (issue 16): golden briefings of the main entities of both
articles, in English and German, as text, Markdown and JSON, and the facts each must
show.

The card used to be a dump of every triple: 264 lines for the #25 with "car number: 25"
about eight times, each quote twice, a source summary under every fact, IRIs for
times and unlabelled nodes, and a driver's card without what happened to their car.

Goldens: tests/golden/briefings/; regenerate on purpose with KG_REGENERATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

GOLDEN = Path(__file__).parents[1] / "golden" / "briefings"
TODAY = "2026-12-01"  # the day overdue decisions are judged on, for stable goldens
Run = Callable[..., Result]

# The main entities of both articles: people, cars, teams, manufacturers, the event,
# the decision, a programme.
ENTITIES = {
    "car-24": "#24",
    "car-25": "#25",
    "dries-vanthoor": "Dries Vanthoor",
    "philipp-eng": "Philipp Eng",
    "rene-rast": "René Rast",
    "jesse-krohn": "Jesse Krohn",
    "andreas-roos": "Andreas Roos",
    "rll": "RLL",
    "paul-miller-racing": "Paul Miller Racing",
    "bmw": "BMW",
    "rolex-24-2024": "Rolex 24 at Daytona 2024",
    "decision": "BMW decision on an LMDh customer programme",
    "factory-programme": "BMW LMDh factory programme",
}
FORMATS = {"text": "txt", "markdown": "md", "json": "json"}
# What a label may never be replaced by.
IRI = re.compile(r"\b(msr|ms|msv|mss|dcterms|skos|rdf|rdfs|xsd|schema|prov):[A-Za-z]|https?://")


@pytest.fixture(scope="module")
def store_spec(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"oxigraph:{tmp_path_factory.mktemp('briefings-index')}"


@pytest.fixture
def show(run_kg: Run, store_spec: str) -> Callable[..., str]:
    def run(name: str, *args: str) -> str:
        result = run_kg("--store", store_spec, "show", name, "--today", TODAY, *args)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
        return result.stdout

    return run


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("KG_REGENERATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed"


def body(text: str) -> str:
    """A text briefing without its reference list."""
    return text.split("\nReferences\n", 1)[0].split("\nQuellen\n", 1)[0]


def section(text: str, title: str) -> str:
    """The lines of one section of a text briefing."""
    parts = re.split(r"\n\n", body(text))
    for part in parts:
        if part.startswith(title + "\n"):
            return part
    raise AssertionError(f"no section {title!r} in:\n{text}")


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("output", list(FORMATS))
@pytest.mark.parametrize("slug", list(ENTITIES))
def test_golden_briefing(show: Callable[..., str], slug: str, output: str, lang: str) -> None:
    text = show(ENTITIES[slug], "--format", output, "--lang", lang)
    golden(f"{slug}.{lang}.{FORMATS[output]}", text)
    if output == "json":
        briefing = json.loads(text)
        readable = [line["text"] for s in briefing["sections"] for line in _lines(s["lines"])]
        readable += [briefing["label"], *(r["title"] for r in briefing["references"])]
        cited = {
            n for s in briefing["sections"] for line in _lines(s["lines"]) for n in line["cites"]
        }
        assert cited == {r["number"] for r in briefing["references"]}, "cited = listed"
        assert [r["number"] for r in briefing["references"]] == list(
            range(1, len(briefing["references"]) + 1)
        )
        assert all(not IRI.search(t) for t in readable), readable
    else:
        # Never an IRI where a label exists; the references name files, not IRIs.
        assert not IRI.search(text), IRI.search(text)
        # Each quote once.
        quotes = re.findall(r': "([^"]{30,})"', body(text))
        assert len(quotes) == len(set(quotes)), quotes


def _lines(lines: list[dict[str, object]]) -> list[dict[str, object]]:
    found = []
    for line in lines:
        found.append(line)
        found += _lines(line["details"])  # type: ignore[arg-type]
    return found


def test_a_car_entry_is_its_crew_result_and_race_in_time_order(show: Callable[..., str]) -> None:
    text = show("#24")
    assert text.splitlines()[0] == "#24 BMW M Team RLL (Rolex 24 at Daytona 2024)"
    # Issue 16: "car number: 25" about eight times in a 264-line card.
    assert len(text.splitlines()) < 45
    crew = section(text, "Car and crew")
    assert "Drivers: Augusto Farfus, Dries Vanthoor, Jesse Krohn, Philipp Eng" in crew
    result = section(text, "Result")
    assert "Official results: 8th in GTP, 8th overall; 776 laps completed" in result
    assert "total time 23:59:20.969" in result
    assert "Reported: 8th (the source does not say whether in class or overall)" in result
    during = section(text, "During the race").splitlines()[1:]
    failure = next(i for i, line in enumerate(during) if "electronics" in line)
    tow = next(i for i, line in enumerate(during) if "tow cable" in line)
    second_repair = next(i for i, line in enumerate(during) if "cost 4 minutes" in line)
    assert failure < tow < second_repair, "incidents in the order they happened"
    assert during[failure].startswith("  - Around 2.30 a.m. on 28 Jan 2024: technical failure")
    assert "cost 14 laps" in during[failure]
    assert "Fastest lap 1:36.139 on lap 763 (214.5 km/h)" in section(text, "During the race")


def test_a_drivers_races_hold_what_happened_to_the_car(show: Callable[..., str]) -> None:
    # Issue 16: the incidents sat on the entry, and the driver's card did not show them.
    races = section(show("Dries Vanthoor"), "Races")
    assert "Rolex 24 at Daytona 2024: #24 BMW M Team RLL, BMW M Hybrid V8, GTP: 8th in GTP" in races
    assert "technical failure, electronics (driven by Dries Vanthoor)" in races
    assert "Lost a place at the finish to the sister car #25" in races


def test_a_person_has_roles_quotes_and_facts_once(show: Callable[..., str]) -> None:
    text = show("Andreas Roos")
    roles = section(text, "Roles").splitlines()[1:]
    # Two sources report the same role: one line, both times, both citations.
    assert roles == ["  - July 2023, January 2024: motorsport director at BMW [1][2]"]
    quotes = section(text, "Quotes")
    assert quotes.count("Andreas Roos") == len(quotes.splitlines()) - 1
    assert '"360-Grad-Bewertung" (translation: "360-degree evaluation")' in quotes
    said = section(text, "What the sources say")
    assert "BMW decision on an LMDh customer programme: under evaluation" in said
    eng = show("Philipp Eng")
    assert "Teammate of Jesse Krohn" in section(eng, "Profile")
    assert "Based in Salzburg" in section(eng, "Profile")


def test_an_event_gives_date_podiums_and_the_cars_the_sources_talk_about(
    show: Callable[..., str],
) -> None:
    text = show("Rolex 24 at Daytona 2024")
    # Issue 16: 917 lines of 64 entries, no results, no winners, no date.
    assert len(text.splitlines()) < 90
    when = section(text, "Date and place")
    assert "Rolex 24 at Daytona 2024, race started 27 Jan 2024, 13:40" in when
    assert "Edition 62" in when
    podiums = section(text, "Results by class (official)")
    assert podiums.splitlines()[1].startswith("  - GTP [")
    assert "1st #7 Porsche Penske Motorsports (Porsche 963)" in podiums
    assert "3rd #1 Paul Miller Racing (BMW M4 GT3): Bryan Sellers" in podiums
    assert "official entries in 4 classes; --all lists every result" in podiums
    talked = section(text, "Entries the sources talk about")
    assert "#25 BMW M Team RLL, BMW M Hybrid V8, GTP: 7th in GTP, 7th overall" in talked
    assert "Several times leading the GTD Pro class" in talked
    every = show("Rolex 24 at Daytona 2024", "--all")
    assert "All official results" in every
    assert len(section(every, "All official results").splitlines()) > 50


def test_a_manufacturer_leads_with_its_decisions(show: Callable[..., str]) -> None:
    text = show("BMW")
    sections = [part.splitlines()[0] for part in body(text).split("\n\n")[1:]]
    assert sections[:3] == ["Decisions", "Programmes", "Cars"]
    decisions = section(text, "Decisions")
    assert "BMW decision on an LMDh customer programme: under evaluation" in decisions
    assert 'decision expected Sep–Dec 2023 (in the source: "gegen Ende 2023")' in decisions
    assert "overdue" in decisions and "(expected by 31 Dec 2023)" in decisions
    programmes = section(text, "Programmes")
    assert "W Racing Team runs BMW LMDh factory programme in the FIA World Endurance" in programmes


def test_german_words_on_every_line(show: Callable[..., str]) -> None:
    text = show("#24", "--lang", "de")
    assert text.splitlines()[:2] == ["#24 BMW M Team RLL (24 Stunden von Daytona 2024)", "Nennung"]
    assert "Offizielle Ergebnisse: 8. in der GTP, 8. gesamt; 776 Runden absolviert" in text
    assert "Gegen 2:30 Uhr am 28. Jan. 2024" in text
    assert "\nQuellen\n" in text
    for english in ("Official results", "laps completed", "References", "driven by", "total time"):
        assert english not in text


def test_references_are_numbered_with_title_date_language_and_file(
    show: Callable[..., str],
) -> None:
    text = show("#25")
    references = text.split("\nReferences\n", 1)[1].splitlines()
    assert references[0].startswith("  [1] ")
    article = next(line for line in references if "race report" in line)
    assert "Published between 28 Jan 2024 and 20 Mar 2024. English." in article
    assert "Verbatim text: sources/2024-01-daytona-bmw-rolex24-report.txt." in article
    # Every number cited in the body is in the list, and every listed source is cited.
    cited = set(re.findall(r"\[(\d+)\]", body(text)))
    listed = {re.match(r"  \[(\d+)\]", line).group(1) for line in references}  # type: ignore[union-attr]
    assert cited == listed


def test_iris_on_request(show: Callable[..., str]) -> None:
    text = show("#24", "--iris")
    assert text.splitlines()[0].endswith(
        "(msr:imsa-2024-02-daytona-international-speedway-race-entry-24)"
    )
    assert "msr:rll" in text
