"""The bundled knowledge holds two full seasons of official results (issue 17).

Every race and qualifying result of the 2023 and 2024 IMSA seasons in sources/imsa/
is imported, by the project's own importer, into data/imsa/. These tests read the
CSV files themselves (the csv module, not kg) and check the bundle against them; and
build the whole bundle as a user does on a fresh clone, under a memory limit.

The rest of the suite reads only the articles and the race they report (KG_DATA, set
in conftest.py); everything here names the whole of data/ explicitly.
"""

from __future__ import annotations

import csv
import hashlib
import os
import resource
import subprocess
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path

import pyoxigraph
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
SOURCES = ROOT / "sources" / "imsa"
BUNDLED_KINDS = ("race-results", "qualifying-results")
MS = "https://w3id.org/motorsport-kg/ontology/"
MSR = "https://w3id.org/motorsport-kg/id/"


def _bundled_csv() -> list[Path]:
    return sorted(path for path in SOURCES.rglob("*.csv") if path.stem.endswith(BUNDLED_KINDS))


def _output_of(path: Path) -> Path:
    return DATA / "imsa" / path.relative_to(SOURCES).with_suffix(".ttl")


@cache
def _store() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    for path in sorted((DATA / "imsa").rglob("*.ttl")):
        store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    store.bulk_load(path=str(DATA / "entities.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    return store


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items() if key}
            for row in csv.DictReader(handle)
        ]


def _select(query: str) -> list[tuple[str, ...]]:
    prefixes = f"PREFIX ms: <{MS}>\nPREFIX msr: <{MSR}>\n"
    return [tuple(term.value for term in row) for row in _store().query(prefixes + query)]


def test_every_race_and_qualifying_result_is_bundled_from_its_csv() -> None:
    """44 files: each imported from the very bytes in sources/imsa (its sha256)."""
    files = _bundled_csv()
    assert len(files) == 44
    years = {path.relative_to(SOURCES).parts[0] for path in files}
    assert years == {"2023", "2024"}
    recorded = dict(
        _select(
            "SELECT ?name ?sha WHERE "
            "{ ?f a ms:ResultsFile ; ms:sourceFileName ?name ; ms:sha256 ?sha }"
        )
    )
    for path in files:
        assert _output_of(path).is_file(), path
        assert recorded[path.name] == hashlib.sha256(path.read_bytes()).hexdigest(), path


def test_practice_weather_and_laps_stay_importable_on_demand() -> None:
    others = [p for p in SOURCES.rglob("*.csv") if not p.stem.endswith(BUNDLED_KINDS)]
    assert others
    assert not [p for p in others if _output_of(p).exists()]


def _race_files() -> list[Path]:
    return [p for p in _bundled_csv() if p.stem.endswith("race-results")]


def _class_order(path: Path) -> dict[str, list[str]]:
    """Car numbers of each class in finishing order, from the CSV alone."""
    by_class: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in _rows(path):
        position = row.get("POSITION") or row.get("POS") or ""
        if position.isdigit():
            by_class[row["CLASS"]].append((int(position), row["NUMBER"]))
    return {name: [number for _, number in sorted(cars)] for name, cars in by_class.items()}


def _session_of(path: Path) -> str:
    (row,) = _select(
        f"""SELECT DISTINCT ?session WHERE {{
          ?file ms:sourceFileName "{path.name}" .
          ?entry a ms:Entry ; ms:statedIn ?file ; ms:session ?session .
        }}"""
    )
    return row[0]


def _places(session: str) -> list[tuple[str, ...]]:
    """(car number, class position, manufacturer or "") of every classified car."""
    return _select(
        f"""SELECT ?number ?position (COALESCE(?maker, "") AS ?m) WHERE {{
          ?entry ms:session <{session}> ; ms:carNumber ?number .
          OPTIONAL {{ ?entry ms:manufacturer ?maker }}
          ?result ms:entry ?entry ; ms:classPosition ?position .
        }}"""
    )


@pytest.mark.parametrize("path", _race_files(), ids=lambda p: "/".join(p.parts[-3:-1]))
def test_class_positions_of_every_car_equal_the_csv(path: Path) -> None:
    """Every car's class position, so every class winner and every BMW place too."""
    expected = {
        number: place
        for cars in _class_order(path).values()
        for place, number in enumerate(cars, start=1)
    }
    places = _places(_session_of(path))
    assert {number: int(position) for number, position, _ in places} == expected
    bmw = [number for number, _, maker in places if maker == f"{MSR}bmw"]
    assert bmw, "BMW raced at every round of both seasons"


def _limit_memory() -> None:
    two_gib = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (two_gib, two_gib))


def test_a_fresh_build_of_the_whole_bundle_fits_in_two_gib(tmp_path: Path) -> None:
    """`kg build` as on a fresh clone (a new on-disk index), address space capped at
    2 GiB: every season, validated, queried, exported, drawn (or left out, saying so)."""
    env = {key: value for key, value in os.environ.items() if key not in ("KG_DATA", "KG_STORE")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    done = subprocess.run(
        [sys.executable, "-m", "kg", "build", "--out", str(tmp_path / "site")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=_limit_memory,
        check=False,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "0 violations" in done.stdout, done.stdout
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "BMW decision on an LMDh customer programme" in home
    exports = {path.name for path in (tmp_path / "site").rglob("*.ttl")}
    assert exports, "the build writes the Turtle export"
    turtle = max((tmp_path / "site").rglob("*.ttl"), key=lambda path: path.stat().st_size)
    text = turtle.read_text(encoding="utf-8")
    # Both seasons are in what the build publishes.
    assert "imsa-2023-07-sebring-international-raceway" in text
    assert "imsa-2024-19-road-atlanta" in text


# --- the season queries against the CSV files ----------------------------------------


@pytest.fixture(scope="module")
def full_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("full-index") / "index"


@pytest.fixture(scope="module")
def kg_full(full_index: Path):  # type: ignore[no-untyped-def]
    """`kg --store oxigraph:INDEX --data data/ ...` in-process: the whole bundle."""
    from click.testing import CliRunner

    from kg.cli import cli

    index = full_index

    def run(*args: str) -> list[dict[str, str]]:
        options = ["--store", f"oxigraph:{index}", "--data", str(DATA)]
        result = CliRunner().invoke(cli, [*options, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return list(csv.DictReader(result.stdout.splitlines()))

    return run


def _class_rows(path: Path, racing_class: str) -> list[dict[str, str]]:
    rows = [r for r in _rows(path) if r["CLASS"] == racing_class]
    position = "POSITION" if rows and "POSITION" in rows[0] else "POS"
    return sorted((r for r in rows if r[position].isdigit()), key=lambda r: int(r[position]))


def _seconds(clock: str) -> float:
    """ "23:58:24.723" or "1:35.605" as seconds."""
    seconds = 0.0
    for part in clock.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def _overall(row: dict[str, str]) -> int:
    return int(row["POSITION"]) if row["POSITION"].isdigit() else 10**6


def _season_counts(year: str, racing_class: str) -> dict[str, dict[str, int]]:
    """Starts, wins, podiums and poles per make (the VEHICLE's first word), from the CSV."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for folder in sorted((SOURCES / year).iterdir()):
        races = sorted(folder.glob("*-race-results.csv"))
        if not races:
            continue
        winner = _seconds(min(_rows(races[0]), key=_overall)["TOTAL_TIME"])
        for place, row in enumerate(_class_rows(races[0], racing_class), start=1):
            make = counts[row["VEHICLE"].split()[0]]
            make["starts"] += 1
            make["wins"] += place == 1
            make["podiums"] += place <= 3
            # Not running at the finish: its last crossing came before the winner's.
            make["retirements"] += bool(row["TOTAL_TIME"]) and _seconds(row["TOTAL_TIME"]) < winner
        for qualifying in folder.glob("*-qualifying-results.csv"):
            pole = _class_rows(qualifying, racing_class)[:1]
            raced = {r["NUMBER"] for r in _class_rows(races[0], racing_class)}
            if pole and pole[0]["NUMBER"] in raced:
                counts[pole[0]["VEHICLE"].split()[0]]["poles"] += 1
    return {make: dict(numbers) for make, numbers in counts.items()}


@pytest.mark.parametrize(
    ("year", "csv_class", "iri"),
    [
        ("2024", "GTP", "msr:imsa-gtp"),
        ("2023", "GTP", "msr:imsa-gtp"),
        ("2023", "GTDPRO", "msr:imsa-gtd-pro"),
    ],
)
def test_season_summary_equals_the_csv(kg_full, year: str, csv_class: str, iri: str) -> None:  # type: ignore[no-untyped-def]
    rows = kg_full(
        "query",
        "season-summary",
        "-p",
        "season",
        f"msr:imsa-wtscc-{year}",
        "-p",
        "racingClass",
        iri,
        "--format",
        "csv",
    )
    expected = _season_counts(year, csv_class)
    found = {
        row["manufacturer"]: {
            key: int(row[key])
            for key in ("starts", "wins", "podiums", "poles", "retirements")
            if int(row[key])
        }
        for row in rows
    }
    assert {make: {k: v for k, v in n.items() if v} for make, n in expected.items()} == {
        make.split()[0]: numbers for make, numbers in found.items()
    }


def test_bmw_season_results_equal_the_csv(kg_full) -> None:  # type: ignore[no-untyped-def]
    rows = kg_full(
        "query", "season-results", "-p", "season", "msr:imsa-wtscc-2023", "--format", "csv"
    )
    found = {(row["event"], row["carNumber"]): int(row["classPosition"]) for row in rows}
    expected: dict[tuple[str, str], int] = {}
    for race in sorted((SOURCES / "2023").rglob("*-race-results.csv")):
        for cars in _class_order(race).values():
            for place, number in enumerate(cars, start=1):
                row = next(r for r in _rows(race) if r["NUMBER"] == number)
                if row["VEHICLE"].startswith("BMW"):
                    expected[race.parent.name, number] = place
    assert len(found) == len(expected) == len(rows)
    # Rounds are named differently (event labels, folder names): compare each car's
    # places over the season, and the rounds in order.
    assert sorted((n, p) for (_, n), p in found.items()) == sorted(
        (n, p) for (_, n), p in expected.items()
    )
    assert len({event for event, _ in found}) == len({folder for folder, _ in expected})


# --- one identity per real thing --------------------------------------------------------


def _fold(text: str) -> str:
    from kg.answers.lookup import fold

    return fold(text)


@pytest.mark.parametrize("kind", ["Person", "Team", "CarModel", "Manufacturer", "RacingClass"])
def test_no_two_entities_of_a_kind_share_a_name(kind: str) -> None:
    """Name variants (case, accents, a second IMSA id, a file without ids) are one
    entity with aliases, never two entities with one name."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for entity, name in _select(
        f"PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        f"SELECT ?e ?n WHERE {{ ?e a ms:{kind} ; skos:prefLabel ?n }}"
    ):
        by_name[_fold(name)].add(entity)
    assert {n: e for n, e in by_name.items() if len(e) > 1} == {}


@pytest.mark.parametrize(
    ("person", "ids"),
    [
        ("imsa-driver-631", {"631", "2699"}),  # Scott Dixon: two ids, one country
        ("imsa-driver-2306", {"2306", "2766"}),  # Antonio Fuoco: ITA then MCO, by rule
        ("jesse-krohn", {"1108", "2414"}),  # curated, both ids
    ],
)
def test_a_driver_with_two_imsa_ids_is_one_entity_with_both(person: str, ids: set[str]) -> None:
    found = {row[0] for row in _select(f"SELECT ?id WHERE {{ msr:{person} ms:imsaDriverId ?id }}")}
    assert found == ids
    for imsa_id in ids - {person.rsplit("-", 1)[-1]}:
        assert not _select(
            f"ASK {{ msr:imsa-driver-{imsa_id} ?p ?o }}".replace("ASK", "SELECT ?p WHERE")
        )


def test_a_file_without_driver_ids_names_the_drivers_others_identify() -> None:
    """Some exports leave the IMSA ids out; their drivers are the ones other files
    identify by id (one entity each), not new entities made from the name."""
    left = _select(
        "SELECT ?e WHERE { ?e a ms:Person . "
        'FILTER STRSTARTS(STR(?e), "https://w3id.org/motorsport-kg/id/imsa-driver-name-") }'
    )
    names = {
        row[0]
        for row in _select(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            "SELECT ?n WHERE { ?e a ms:Person ; ms:imsaDriverId ?id ; skos:prefLabel ?n }"
        )
    }
    unnamed = {
        row[0]
        for e in left
        for row in _select(
            f"PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            f"SELECT ?n WHERE {{ <{e[0]}> skos:prefLabel ?n }}"
        )
    }
    # Only drivers that no file gives an id keep an entity made from their name.
    assert {_fold(n) for n in unnamed}.isdisjoint({_fold(n) for n in names})


QUERY_NAMES = sorted(path.stem for path in (ROOT / "queries").glob("*.rq"))


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_saved_query_answers_on_the_whole_bundle(kg_full, name: str) -> None:  # type: ignore[no-untyped-def]
    from kg.answers.queries import read_query_file

    saved = read_query_file(ROOT / "queries" / f"{name}.rq")
    params = [
        option
        for param in saved.params
        if param.default is None
        for option in ("-p", param.name, "msr:rolex-24-at-daytona-2024-entry-24")
    ]
    rows = kg_full("query", name, *params, "--format", "csv")
    assert rows, f"{name} gives no rows on the bundled knowledge"


@pytest.mark.parametrize("year", ["2023", "2024"])
def test_class_podiums_equal_the_csv(kg_full, year: str) -> None:  # type: ignore[no-untyped-def]
    from collections import Counter

    rows = kg_full(
        "query", "class-podiums", "-p", "season", f"msr:imsa-wtscc-{year}", "--format", "csv"
    )
    found = Counter(
        (row["raceStart"][:10], row["carNumber"], int(row["classPosition"])) for row in rows
    )
    expected: Counter[tuple[str, str, int]] = Counter()
    for race in sorted((SOURCES / year).rglob("*-race-results.csv")):
        # The race's day is in its file name (local start time), as the importer reads it.
        day = f"{race.name[:4]}-{race.name[4:6]}-{race.name[6:8]}"
        for cars in _class_order(race).values():
            for place, number in enumerate(cars[:3], start=1):
                expected[day, number, place] += 1
    assert found == expected


@pytest.fixture(scope="module")
def show_full(full_index: Path):  # type: ignore[no-untyped-def]
    """`kg show ENTITY --format json` on the whole bundle (the index kg_full built)."""
    import json

    from click.testing import CliRunner

    from kg.cli import cli

    def run(entity: str, *extra: str) -> dict[str, object]:
        options = ["--store", f"oxigraph:{full_index}", "--data", str(DATA)]
        result = CliRunner().invoke(
            cli, [*options, "show", entity, "--format", "json", *extra], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


def _section(briefing: dict[str, object], key: str) -> list[dict[str, object]]:
    sections = [s for s in briefing["sections"] if s["key"] == key]  # type: ignore[index, union-attr]
    return sections[0]["lines"] if sections else []  # type: ignore[index, no-any-return]


@pytest.mark.parametrize("year", ["2023", "2024"])
def test_the_makers_briefing_counts_its_seasons_as_the_saved_query_does(  # type: ignore[no-untyped-def]
    kg_full, show_full, year: str
) -> None:
    rows = kg_full(
        "query", "season-summary", "-p", "season", f"msr:imsa-wtscc-{year}", "--format", "csv"
    )
    (bmw,) = [row for row in rows if row["manufacturer"] == "BMW"]
    lines = [str(line["text"]) for line in _section(show_full("BMW"), "seasons")]
    (gtp,) = [line for line in lines if line.startswith(f"{year}, GTP, BMW M Hybrid V8:")]
    wins = "1 win" if bmw["wins"] == "1" else f"{bmw['wins']} wins"
    podiums = "1 podium" if bmw["podiums"] == "1" else f"{bmw['podiums']} podiums"
    assert f": {bmw['starts']} starts in {bmw['rounds']} races; {wins}, {podiums}," in gtp
    assert f"average {float(bmw['averageFinish']):.1f} in class" in gtp


def test_a_car_models_briefing_counts_every_teams_entries_of_it(show_full) -> None:  # type: ignore[no-untyped-def]
    # Only RLL raced the M Hybrid V8 in IMSA: the car's seasons are BMW's GTP seasons.
    car = show_full("msr:bmw-m-hybrid-v8")
    assert car["kind"] == "carmodel"
    maker = [str(line["text"]) for line in _section(show_full("BMW"), "seasons")]
    lines = [str(line["text"]) for line in _section(car, "seasons")]
    assert lines == [line for line in maker if ", GTP, BMW M Hybrid V8:" in line]
    assert len(lines) == 2
    programmes = [str(line["text"]) for line in _section(car, "programmes")]
    assert [p.split(" (")[0] for p in programmes] == [
        "BMW LMDh customer programme",
        "BMW LMDh factory programme",
    ]


def test_a_makers_briefing_summarises_and_lists_what_the_articles_discuss(show_full) -> None:  # type: ignore[no-untyped-def]
    briefing = show_full("BMW")
    assert _section(briefing, "seasons")
    listed = [str(line["text"]) for line in _section(briefing, "results")]
    # The three BMW cars the Daytona report discusses, not 178 official rows.
    assert len(listed) == 3 and all("Rolex 24 at Daytona 2024" in line for line in listed)
    everything = show_full("BMW", "--all")
    assert len(_section(everything, "results")) > 80


def test_an_event_briefing_takes_podiums_from_the_race_and_the_pole_from_qualifying(  # type: ignore[no-untyped-def]
    show_full,
) -> None:
    race = SOURCES / "2023" / "07-sebring-international-raceway" / "202303181010-race-results.csv"
    qualifying = next(race.parent.glob("*-qualifying-results.csv"))
    briefing = show_full("msr:imsa-2023-07-sebring-international-raceway")
    podiums = {str(line["text"]): line["details"] for line in _section(briefing, "podiums")}
    gtp = [str(d["text"]) for d in podiums["GTP"]]  # type: ignore[union-attr]
    order = _class_order(race)["GTP"]
    assert [line.split()[1] for line in gtp[:3]] == [f"#{n}" for n in order[:3]]
    pole = _class_rows(qualifying, "GTP")[0]["NUMBER"]
    assert gtp[3].startswith("Pole in class (qualifying): #" + pole + " ")
    # The makers of the class head to head: each one's best class place, from the CSV
    # (a GTP car's maker is the first word of its VEHICLE).
    best: dict[str, int] = {}
    for place, row in enumerate(_class_rows(race, "GTP"), start=1):
        maker = row["VEHICLE"].split()[0]
        best.setdefault(maker, place)
    from kg.model.wording import ordinal

    ranked = sorted(best.items(), key=lambda item: (item[1], item[0]))
    assert gtp[4] == "Makers, best place in class: " + ", ".join(
        f"{maker} {ordinal(place)}" for maker, place in ranked
    )


def test_a_car_number_over_two_seasons_names_its_race_or_lists_the_events(
    full_index: Path,
    show_full,  # type: ignore[no-untyped-def]
) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    options = ["--store", f"oxigraph:{full_index}", "--data", str(DATA)]
    alone = CliRunner().invoke(cli, [*options, "show", "#25"], catch_exceptions=False)
    assert alone.exit_code == 2
    # One candidate per event (its race, not also its qualifying), told apart by event.
    assert "msr:imsa-2023-07-sebring-international-raceway-race-entry-25 " in alone.stderr
    assert "sebring-international-raceway-qualifying-entry-25 " not in alone.stderr
    assert show_full("#25 Daytona 2024")["iri"].endswith(
        "imsa-2024-02-daytona-international-speedway-race-entry-25"
    )  # type: ignore[union-attr]
    qualifying = show_full("#25 Sebring 2024 qualifying")["iri"]
    assert str(qualifying).endswith(
        "imsa-2024-05-sebring-international-raceway-qualifying-entry-25"
    )


def test_running_at_the_finish_is_derived_from_the_total_times() -> None:
    """Sebring 2023: the race was won in 12:00:53.382; the #6 Porsche stopped after 315
    laps in 11:40:32 (the late crash), the #24 BMW after 172; the #25 BMW finished."""
    session = _session_of(
        SOURCES / "2023" / "07-sebring-international-raceway" / "202303181010-race-results.csv"
    )
    running = dict(
        _select(
            f"""SELECT ?number ?running WHERE {{
              ?entry ms:session <{session}> ; ms:carNumber ?number .
              ?result ms:entry ?entry ; ms:runningAtFinish ?running .
            }}"""
        )
    )
    assert (running["6"], running["24"], running["25"], running["31"]) == (
        "false",
        "false",
        "true",
        "true",
    )


# --- reconciliation across the seasons (kg reconcile on the whole bundle) ------------


@pytest.fixture(scope="module")
def reconcile_full(full_index: Path):  # type: ignore[no-untyped-def]
    """The lines `kg reconcile` prints for the whole bundle, one check per key."""
    from click.testing import CliRunner

    from kg.cli import cli

    options = ["--store", f"oxigraph:{full_index}", "--data", str(DATA)]
    result = CliRunner().invoke(cli, [*options, "reconcile"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [line for line in result.stdout.splitlines() if not line.startswith(" ")]


def _race_rows(year: str) -> list[tuple[Path, dict[str, str]]]:
    return [
        (path, row)
        for path in _race_files()
        if path.parent.parent.name == year
        for row in _rows(path)
    ]


def _drivers(row: dict[str, str]) -> set[str]:
    return {
        f"{row[f'DRIVER{n}_FIRSTNAME']} {row[f'DRIVER{n}_SECONDNAME']}"
        for n in range(1, 9)
        if row.get(f"DRIVER{n}_SECONDNAME")
    }


def test_the_rll_operation_is_checked_race_by_race_against_the_csv(reconcile_full) -> None:  # type: ignore[no-untyped-def]
    # "RLL runs the M Hybrid V8 in IMSA GTP from 2023" (the 2024 report): counted from
    # the CSV files, every GTP race of both seasons and the ones the RLL BMWs started.
    counts = []
    for year in ("2023", "2024"):
        rows = _race_rows(year)
        gtp_races = {path for path, row in rows if row["CLASS"] == "GTP"}
        rll = {
            path
            for path, row in rows
            if row["CLASS"] == "GTP" and "RLL" in row["TEAM"] and "M Hybrid V8" in row["VEHICLE"]
        }
        counts.append(f"{year}: {len(rll)} of {len(gtp_races)} races")
    (line,) = [
        line for line in reconcile_full if "ms:operator" in line and "GTP, from 2023" in line
    ]
    assert line.startswith("CORROBORATED  BMW LMDh factory programme: ms:operator reported ")
    for count in counts:
        assert f"{count} (Rahal Letterman Lanigan Racing #24, #25; BMW M Hybrid V8)" in line
    assert "the bundled results begin with 2023, so they cannot show an earlier start" in line


def test_a_series_the_results_do_not_cover_cannot_be_said(reconcile_full) -> None:  # type: ignore[no-untyped-def]
    (line,) = [line for line in reconcile_full if "FIA World Endurance Championship" in line]
    assert line.startswith("CANNOT SAY    BMW LMDh factory programme: ms:operator reported ")
    assert "W Racing Team runs the BMW M Hybrid V8" in line
    assert "the official results bundled cover IMSA WeatherTech SportsCar Championship only" in line


def test_krohn_the_gtp_rookie_finn_and_teammate_of_eng_as_the_csv_says(reconcile_full) -> None:  # type: ignore[no-untyped-def]
    rows_2023 = _race_rows("2023")
    assert not [r for _, r in rows_2023 if r["CLASS"] == "GTP" and "Jesse Krohn" in _drivers(r)]
    krohn_2024 = [r for _, r in _race_rows("2024") if "Jesse Krohn" in _drivers(r)]
    with_eng = [r for r in krohn_2024 if "Philipp Eng" in _drivers(r)]
    countries = {
        r[f"DRIVER{n}_COUNTRY"]
        for r in krohn_2024
        for n in range(1, 9)
        if r.get(f"DRIVER{n}_SECONDNAME") == "Krohn"
    }
    lines = {
        line.split(": ms:", 1)[1].split(" ", 1)[0]: line
        for line in reconcile_full
        if " Jesse Krohn: ms:" in line
    }
    assert lines["rookieIn"].startswith("CORROBORATED")
    assert (
        "no GTP start in 2023; first: Rolex 24 at Daytona 2024 (2024-01-27, #24"
        in lines["rookieIn"]
    )
    assert lines["teammateOf"].startswith("CORROBORATED")
    assert (
        f"same car in {len(with_eng)} of {len(krohn_2024)} official races of 2024"
        in lines["teammateOf"]
    )
    assert countries == {"FIN"}
    assert lines["nationality"].startswith("CORROBORATED")
    assert "reported Finland, official FIN" in lines["nationality"]
    # The M8 GTE raced before 2023: the bundle cannot say.
    assert lines["previouslyRaced"].startswith("CANNOT SAY")


def test_the_next_event_and_its_date_are_the_calendars(reconcile_full) -> None:  # type: ignore[no-untyped-def]
    races_2024 = sorted(
        path.name[:8] for path in _race_files() if path.parent.parent.name == "2024"
    )
    after_daytona = races_2024[races_2024.index("20240127") + 1]
    day = f"{after_daytona[:4]}-{after_daytona[4:6]}-{after_daytona[6:]}"
    (next_line,) = [line for line in reconcile_full if "ms:nextEvent" in line]
    assert next_line.startswith("CORROBORATED  Rolex 24 at Daytona 2024: ms:nextEvent")
    assert f"official 12 Hours of Sebring 2024 ({day})" in next_line
    (date_line,) = [line for line in reconcile_full if "ms:startDate" in line]
    assert date_line.startswith("CORROBORATED  12 Hours of Sebring 2024: ms:startDate")
    assert f"official race on {day} (within 2024-03-10 to 2024-03-20)" in date_line


def test_the_bundled_reconciliation_is_what_kg_reconcile_writes_today(
    full_index: Path, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    target = tmp_path / "reconciliation.ttl"
    options = ["--store", f"oxigraph:{full_index}", "--data", str(DATA)]
    result = CliRunner().invoke(
        cli, [*options, "reconcile", "--write", "--out", str(target)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == (DATA / "imsa" / "reconciliation.ttl").read_bytes()
    seasons = tmp_path / "reconciliation-seasons.ttl"
    assert seasons.read_bytes() == (DATA / "imsa" / "reconciliation-seasons.ttl").read_bytes()
    # Its checks look across both seasons: it is known once the last results file is.
    assert 'ms:publishedNotBefore "2024-10-12"^^xsd:date' in seasons.read_text(encoding="utf-8")


WRONG_SEASONS = ROOT / "tests" / "fixtures" / "imsa" / "made-up-wrong-season-claims.ttl"


def test_claims_the_seasons_refute_are_contradicted_with_both_values(full_index: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    options = ["--store", f"oxigraph:{full_index}-wrong", "--data", str(DATA)]
    result = CliRunner().invoke(
        cli, [*options, "--data", str(WRONG_SEASONS), "reconcile"], catch_exceptions=False
    )
    assert result.exit_code == 1, result.output  # something is contradicted
    contradicted = [line for line in result.stdout.splitlines() if line.startswith("CONTRA")]
    expected = [
        "12 Hours of Sebring 2024: ms:startDate reported in April (2024-04-01 to 2024-04-30), "
        "official race on 2024-03-16 (outside 2024-04-01 to 2024-04-30)",
        "BMW LMDh factory programme: ms:operator reported W Racing Team runs the BMW M Hybrid "
        "V8 in IMSA WeatherTech SportsCar Championship, GTP, from 2023, official no official "
        "race entry (W Racing Team: no official race entry in GTP in 2023, 2024)",
        "Connor De Phillippi: ms:rookieIn reported GTP, official raced in GTP in 2023: IMSA "
        "2023 round 02: Daytona International Speedway (2023-01-28) (a GTP start before 2024)",
        "Jesse Krohn: ms:teammateOf reported Calado, official Jesse Krohn: Rahal Letterman "
        "Lanigan Racing #24; Calado: Risi Competizione #62 (neither in one car nor in one team "
        "in 9 official races of 2024)",
        "Rolex 24 at Daytona 2024: ms:nextEvent reported IMSA 2024 round 06: Long Beach Street "
        "Circuit, official 12 Hours of Sebring 2024 (2024-03-16) (the next race of the series "
        "with official results)",
    ]
    assert [line.split(None, 1)[1] for line in contradicted] == expected
