"""`kg import imsa` on the real IMSA files (sources/imsa/) and on broken ones."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from kg.importers.imsa import convert
from kg.importers.resolution import DriverName, Resolver, empty_resolver, load_rules
from kg.model.namespaces import MS, MSR
from kg.validation.checking import validate_files

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "sources" / "imsa"
FIXTURES = ROOT / "tests" / "fixtures" / "imsa"
DAYTONA = "2024/02-daytona-international-speedway"
DAYTONA_RACE = SOURCES / DAYTONA / "202401271340-race-results.csv"
BUNDLED = ROOT / "data" / "imsa" / DAYTONA / "202401271340-race-results.ttl"
RACE_2024 = "imsa-2024-02-daytona-international-speedway-race"


@pytest.fixture(scope="module")
def full_import(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Every results file of 2023-2024, the weather files and the Sebring laps, via the CLI."""
    from click.testing import CliRunner

    from kg.cli import cli

    out = tmp_path_factory.mktemp("imsa")
    result = CliRunner().invoke(cli, ["import", "imsa", str(SOURCES), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.stdout


def _graph(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def test_every_csv_becomes_one_rdf_file(full_import: tuple[Path, str]) -> None:
    out, stdout = full_import
    csv_files = sorted(p.relative_to(SOURCES).with_suffix(".ttl") for p in SOURCES.rglob("*.csv"))
    written = sorted(p.relative_to(out) for p in out.rglob("*.ttl"))
    assert written == csv_files
    assert len(written) == 65
    assert stdout.count("wrote ") == 65


def test_gtp_class_order_and_lineups_of_the_2024_rolex_24(full_import: tuple[Path, str]) -> None:
    graph = _graph(full_import[0] / DAYTONA / "202401271340-race-results.ttl")
    order = {}
    for result in graph.subjects(RDF.type, MS.Result):
        entry = graph.value(result, MS.entry)
        if graph.value(entry, MS.racingClass) == MSR["imsa-gtp"]:
            number = str(graph.value(entry, MS.carNumber))
            order[int(graph.value(result, MS.classPosition))] = number  # type: ignore[arg-type]
    assert [order[i] for i in sorted(order)] == [
        "7",
        "31",
        "40",
        "6",
        "5",
        "85",
        "25",
        "24",
        "10",
        "01",
    ]
    entry_24 = MSR[f"{RACE_2024}-entry-24"]
    assert set(graph.objects(entry_24, MS.driver)) == {
        MSR["dries-vanthoor"],
        MSR["philipp-eng"],
        MSR["jesse-krohn"],
        MSR["imsa-driver-701"],  # Augusto Farfus: not curated, a new entity
    }
    # Laurens Vanthoor (Porsche #6) is not Dries: never matched on the surname. IMSA
    # lists him as 2727 here and as 1241 in 2023: one driver, named by the lower id.
    entry_6 = MSR[f"{RACE_2024}-entry-6"]
    assert MSR["imsa-driver-1241"] in set(graph.objects(entry_6, MS.driver))
    assert {str(i) for i in graph.objects(MSR["imsa-driver-1241"], MS.imsaDriverId)} >= {"2727"}
    assert MSR["dries-vanthoor"] not in set(graph.objects(entry_6, MS.driver))
    result_1 = MSR[f"{RACE_2024}-result-1"]
    assert graph.value(result_1, MS.classPosition) == Literal("3", datatype=XSD.integer)
    assert graph.value(result_1, MS.lapsBehindClassWinner) == Literal("3", datatype=XSD.integer)
    assert graph.value(result_1, MS.totalTime) == Literal("PT23H58M27.56S", datatype=XSD.duration)
    # Beside each duration, its exact seconds: a decimal every store keeps as written.
    assert graph.value(result_1, MS.totalTimeSeconds) == Literal("86307.56", datatype=XSD.decimal)
    fastest_1 = MSR[f"{RACE_2024}-fastest-lap-1"]
    assert graph.value(fastest_1, MS.lapTime) == Literal("PT1M45.771S", datatype=XSD.duration)
    assert graph.value(fastest_1, MS.lapTimeSeconds) == Literal("105.771", datatype=XSD.decimal)


@pytest.mark.parametrize(
    ("race", "winners"),
    [
        (
            "2024/05-sebring-international-raceway/202403160940-race-results",
            {
                "imsa-gtp": "40",
                "imsa-class-lmp2": "18",
                "imsa-gtd-pro": "14",
                "imsa-class-gtd": "57",
            },
        ),
        (
            "2023/21-road-atlanta/202310141140-race-results",
            {
                "imsa-gtp": "60",
                "imsa-class-lmp3": "30",
                "imsa-gtd-pro": "79",
                "imsa-class-gtd": "78",
            },
        ),
        (
            "2024/12-watkins-glen-international/202406231110-race-results",
            {
                "imsa-gtp": "7",
                "imsa-class-lmp2": "88",
                "imsa-gtd-pro": "23",
                "imsa-class-gtd": "57",
            },
        ),
    ],
)
def test_class_winners(full_import: tuple[Path, str], race: str, winners: dict[str, str]) -> None:
    graph = _graph(full_import[0] / f"{race}.ttl")
    found = {}
    for result in graph.subjects(MS.classPosition, Literal("1", datatype=XSD.integer)):
        entry = graph.value(result, MS.entry)
        racing_class = str(graph.value(entry, MS.racingClass)).rsplit("/", 1)[1]
        found[racing_class] = str(graph.value(entry, MS.carNumber))
    for racing_class, number in winners.items():
        assert found[racing_class] == number


def test_a_drivers_laps_at_sebring(full_import: tuple[Path, str]) -> None:
    laps_csv = SOURCES / "2024/05-sebring-international-raceway/202403160940-race-laps.csv"
    with laps_csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = [[v.strip() for v in row] for row in csv.reader(handle)]
    expected = sum(1 for row in rows[1:] if row[0] == "25" and row[19] == "Maxime Martin")
    graph = _graph(
        full_import[0] / "2024/05-sebring-international-raceway/202403160940-race-laps.ttl"
    )
    entry = MSR["imsa-2024-05-sebring-international-raceway-race-entry-25"]
    martin = MSR["imsa-driver-360"]
    laps = [lap for lap in graph.subjects(MS.driver, martin) if graph.value(lap, MS.entry) == entry]
    assert len(laps) == expected == 91
    lap_100 = MSR["imsa-2024-05-sebring-international-raceway-race-lap-25-100"]
    assert graph.value(lap_100, MS.driver) == martin
    assert graph.value(lap_100, MS.lapTime) == Literal("PT1M51.985S", datatype=XSD.duration)
    assert graph.value(lap_100, MS.sectorTime2) == Literal("PT1M10.499S", datatype=XSD.duration)
    assert graph.value(lap_100, MS.elapsedTime) == Literal("PT3H34M26.629S", datatype=XSD.duration)
    seconds = {
        MS.lapTimeSeconds: "111.985",
        MS.sectorTime2Seconds: "70.499",
        MS.elapsedTimeSeconds: "12866.629",
    }
    for prop, value in seconds.items():
        assert graph.value(lap_100, prop) == Literal(value, datatype=XSD.decimal), prop
    for number in (1, 3):
        sector = graph.value(lap_100, MS[f"sectorTime{number}"])
        sector_seconds = graph.value(lap_100, MS[f"sectorTime{number}Seconds"])
        assert sector is not None and sector_seconds is not None
    assert graph.value(lap_100, MS.inPit) == Literal(False)


def test_weather_observations_belong_to_the_session(full_import: tuple[Path, str]) -> None:
    graph = _graph(full_import[0] / DAYTONA / "202401271340-race-weather.ttl")
    observation = MSR[f"{RACE_2024}-weather-1706380920"]
    # The race session of the 2024 Rolex 24 is curated: linked by the [sessions] rule.
    assert graph.value(observation, MS.session) == MSR["rolex-24-at-daytona-2024-race"]
    assert graph.value(observation, MS.observedAt) == Literal(
        "2024-01-27T18:42:00Z", datatype=XSD.dateTime
    )
    assert graph.value(observation, MS.airTemperature) == Literal("78.90008", datatype=XSD.decimal)
    assert graph.value(observation, MS.rain) is None  # -1: no reading


def test_the_bundled_seasons_are_what_the_importer_writes_today(run_kg, tmp_path: Path) -> None:
    """data/imsa/2023 and 2024 hold what the importer writes today: the same bytes as a
    fresh import of every race and qualifying file, all together, as docs/imsa-import.md
    says to run it (the curated knowledge of the articles beside them)."""
    wanted = sorted(
        p for p in SOURCES.rglob("*.csv") if p.stem.endswith(("race-results", "qualifying-results"))
    )
    result = run_kg("import", "imsa", *map(str, wanted), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stderr == "", "the bundled rules settle every name"
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.ttl"))
    bundled = ROOT / "data" / "imsa"
    assert written == sorted(p.relative_to(bundled) for p in bundled.glob("20*/*/*.ttl"))
    for relative in written:
        assert (bundled / relative).read_bytes() == (tmp_path / relative).read_bytes(), relative


@pytest.mark.parametrize(
    ("csv_name", "not_before", "because"),
    [
        (
            f"{DAYTONA}/202401271340-race-results.csv",
            "2024-01-28",
            "ran at least as long as the longest total time in the file (TOTAL_TIME "
            "24:00:17.685), so it ended on 2024-01-28 at the earliest (2024-01-28T13:40 "
            "local time).",
        ),
        (
            f"{DAYTONA}/202401271340-race-weather.csv",
            "2024-01-28",
            "the span of its weather observations (TIME_UTC_SECONDS, 23:57:28), so it ended "
            "on 2024-01-28",
        ),
        (
            "2024/05-sebring-international-raceway/202403160940-race-laps.csv",
            "2024-03-16",
            "the longest elapsed time in the file (ELAPSED 12:02:03.697)",
        ),
        (
            "2023/02-daytona-international-speedway/202301281340-race-results.csv",
            "2023-01-29",
            "(TOTAL_TIME 24:03:01.698), so it ended on 2023-01-29",
        ),
        (
            f"{DAYTONA}/202401251005-practice-1-results.csv",
            "2024-01-25",
            "does not say how long the session ran. It cannot predate the session it "
            "reports: the session started at the local time in its file name (2024-01-25T10:05).",
        ),
    ],
)
def test_a_file_cannot_be_published_before_its_session_ended(
    full_import: tuple[Path, str], csv_name: str, not_before: str, because: str
) -> None:
    graph = _graph(full_import[0] / Path(csv_name).with_suffix(".ttl"))
    doc = graph.value(predicate=RDF.type, object=MS.ResultsFile)
    assert graph.value(doc, MS.publishedNotBefore) == Literal(not_before, datatype=XSD.date)
    assert because in str(graph.value(doc, MS.publicationDateNote))


def test_a_session_that_runs_past_midnight_ends_the_next_day(run_kg, tmp_path: Path) -> None:
    # Practice 1's weather (1:28:25 of observations), as if the session started at 23:00.
    late = tmp_path / "in" / DAYTONA / "202401252300-practice-1-weather.csv"
    late.parent.mkdir(parents=True)
    shutil.copy(SOURCES / DAYTONA / "202401251005-practice-1-weather.csv", late)
    out = tmp_path / "out"
    result = run_kg("import", "imsa", str(late), "--out", str(out))
    assert result.exit_code == 0, result.output
    graph = _graph(out / DAYTONA / "202401252300-practice-1-weather.ttl")
    doc = graph.value(predicate=RDF.type, object=MS.ResultsFile)
    assert graph.value(doc, MS.publishedNotBefore) == Literal("2024-01-26", datatype=XSD.date)
    assert "(2024-01-26T00:28 local time)" in str(graph.value(doc, MS.publicationDateNote))


def test_provenance_of_an_imported_file() -> None:
    graph = _graph(BUNDLED)
    doc = MSR["imsa-2024-02-daytona-international-speedway-202401271340-race-results"]
    assert graph.value(doc, RDF.type) == MS.ResultsFile
    assert str(graph.value(doc, MS.sourceFileName)) == "202401271340-race-results.csv"
    import hashlib

    assert str(graph.value(doc, MS.sha256)) == hashlib.sha256(DAYTONA_RACE.read_bytes()).hexdigest()
    from kg import __version__

    assert str(graph.value(doc, MS.importerVersion)) == __version__


def test_imported_files_conform_to_the_shapes(run_kg, tmp_path: Path) -> None:
    """Results, practice, weather and laps output, with the registry they link to."""
    out = tmp_path / "out"
    result = run_kg(
        "import",
        "imsa",
        str(SOURCES / DAYTONA / "202401271340-race-weather.csv"),
        str(SOURCES / DAYTONA / "202401251005-practice-1-results.csv"),
        str(FIXTURES / "laps"),
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    registry = ROOT / "data" / "entities.ttl"
    # The engine kg validate uses (the fast one agrees with pyshacl: test_fastshacl.py).
    report = validate_files([registry, BUNDLED, *sorted(out.rglob("*.ttl"))], engine="auto")
    assert report.conforms, [(r.focus, r.message) for r in report.results]


def test_reimport_rewrites_nothing(run_kg, tmp_path: Path) -> None:
    out = tmp_path / "out"
    folder = SOURCES / DAYTONA
    first = run_kg("import", "imsa", str(folder), "--out", str(out))
    assert first.exit_code == 0, first.output
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*.ttl")}
    second = run_kg("import", "imsa", str(folder), "--out", str(out))
    assert second.exit_code == 0
    assert second.stdout.count("unchanged ") == len(before) == 10
    assert "wrote" not in second.stdout
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*.ttl")} == before


def test_a_corrected_file_replaces_its_output_and_nothing_else(run_kg, tmp_path: Path) -> None:
    tree = tmp_path / "in" / DAYTONA
    tree.mkdir(parents=True)
    for name in ("202401271340-race-results.csv", "202401271340-race-weather.csv"):
        shutil.copy(SOURCES / DAYTONA / name, tree / name)
    out = tmp_path / "out"
    assert run_kg("import", "imsa", str(tmp_path / "in"), "--out", str(out)).exit_code == 0
    weather = out / DAYTONA / "202401271340-race-weather.ttl"
    results = out / DAYTONA / "202401271340-race-results.ttl"
    weather_before, results_before = weather.read_bytes(), results.read_bytes()
    corrected = (tree / "202401271340-race-results.csv").read_text(encoding="utf-8-sig")
    (tree / "202401271340-race-results.csv").write_text(
        "\ufeff" + corrected.replace("\n1,7,Classified,791,", "\n1,7,Classified,792,", 1),
        encoding="utf-8",
    )
    again = run_kg("import", "imsa", str(tmp_path / "in"), "--out", str(out))
    assert again.exit_code == 0
    assert f"unchanged {weather}" in again.stdout or "unchanged" in again.stdout
    assert weather.read_bytes() == weather_before
    assert results.read_bytes() != results_before
    graph = _graph(results)
    assert graph.value(MSR[f"{RACE_2024}-result-7"], MS.lapsCompleted) == Literal(
        "792", datatype=XSD.integer
    )


BROKEN = {
    "truncated": "line 6: the last line has no line end: the file is truncated",
    "wrong-delimiter": "line 1: missing columns POSITION, NUMBER",
    "missing-column": "line 1: missing column LAPS;",
    "bad-encoding": "line 3, column 164: byte 0xf6 is not UTF-8",
    "bad-row": "line 3, column POSITION: 'x' is not a whole number",
    "empty": "the file is empty",
    "not-imsa": "not an IMSA results, weather or laps file",
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_file_gives_its_error_and_imports_nothing(
    run_kg, tmp_path: Path, case: str
) -> None:
    out = tmp_path / "out"
    folder = FIXTURES / "broken" / case
    result = run_kg("import", "imsa", str(folder), "--out", str(out))
    assert result.exit_code == 3
    assert result.stdout == ""
    (message, *_rest) = result.stderr.splitlines()
    assert message.startswith("kg: error: tests/fixtures/imsa/broken/" + case + "/")
    assert BROKEN[case] in message
    assert "nothing was imported" in result.stderr
    assert not out.exists()


def test_keep_going_imports_the_good_files_and_lists_the_bad(run_kg, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_kg(
        "import",
        "imsa",
        str(SOURCES / DAYTONA / "202401271340-race-weather.csv"),
        str(FIXTURES / "broken" / "bad-row"),
        "--out",
        str(out),
        "--keep-going",
    )
    assert result.exit_code == 3
    assert result.stdout.startswith("wrote ")
    assert "1 file(s) not imported: tests/fixtures/imsa/broken/bad-row/" in result.stderr
    assert [p.name for p in out.rglob("*.ttl")] == ["202401271340-race-weather.ttl"]


def test_a_missing_path_is_a_usage_error(run_kg, tmp_path: Path) -> None:
    result = run_kg("import", "imsa", str(tmp_path / "nope"), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr


# --- Entity resolution ------------------------------------------------------------------


def _resolver(names: dict[str, dict[str, frozenset[str]]]) -> Resolver:
    return Resolver(rules=load_rules(), names=names, driver_ids={})


def test_a_name_matching_two_curated_people_is_reported_not_guessed() -> None:
    person = str(MS.Person)
    resolver = _resolver(
        {person: {"dries vanthoor": frozenset({str(MSR["dries-a"]), str(MSR["dries-b"])})}}
    )
    (resolved,) = resolver.lineup([DriverName("Dries", "Vanthoor", "1786")], "x", "24")
    assert resolved.iri == str(MSR["imsa-driver-1786"]) and resolved.created
    (note,) = resolver.take_notes()
    assert note.kind == "ambiguous"
    assert "msr:dries-a, msr:dries-b" in note.line()


def test_names_are_folded_for_case_and_accents() -> None:
    resolver = _resolver({str(MS.Person): {"rene rast": frozenset({str(MSR["rene-rast"])})}})
    (resolved,) = resolver.lineup([DriverName("RENÉ", "Rast", "674")], "x", "25")
    assert resolved.iri == str(MSR["rene-rast"]) and not resolved.created


def test_a_surname_rule_applies_only_to_a_unique_surname_in_its_car() -> None:
    resolver = _resolver({})
    event = str(MSR["rolex-24-at-daytona-2024"])
    twins = [DriverName("Daniel", "Serra", "1"), DriverName("Other", "Serra", "2")]
    resolved = resolver.lineup(twins, event, "62")
    assert all(r.created for r in resolved)
    assert any(n.kind == "rule not applied" for n in resolver.take_notes())
    other_car = resolver.lineup([DriverName("Daniel", "Serra", "687")], event, "63")
    assert other_car[0].iri == str(MSR["imsa-driver-687"])


def _aliases(graph: Graph, entity: URIRef) -> set[Literal]:
    return set(graph.objects(entity, SKOS.altLabel))  # type: ignore[arg-type]


def test_a_linked_driver_gets_the_published_full_name_as_a_sourced_alias(
    full_import: tuple[Path, str],
) -> None:
    """Issue 16: the file says "James Calado", the curated graph only "Calado"."""
    graph = _graph(full_import[0] / DAYTONA / "202401271340-race-results.ttl")
    doc = MSR["imsa-2024-02-daytona-international-speedway-202401271340-race-results"]
    calado = MSR["calado"]  # linked by the surname rule for car #62
    full_name = Literal("James Calado", lang="en")
    assert _aliases(graph, calado) == {full_name}
    (statement,) = graph.subjects(RDF.object, full_name)
    assert graph.value(statement, RDF.type) == MS.Statement
    assert graph.value(statement, RDF.subject) == calado
    assert graph.value(statement, RDF.predicate) == SKOS.altLabel
    assert graph.value(statement, MS.statedIn) == doc
    # A curated label that folds to the published name needs no alias; a new
    # entity has the published name as its one label; a ruled team whose
    # curated aliases include its entrant name ("BMW M Team RLL") gets none.
    assert _aliases(graph, MSR["dries-vanthoor"]) == set()
    assert _aliases(graph, MSR["imsa-driver-701"]) == set()
    assert _aliases(graph, MSR["rll"]) == set()


def test_a_team_linked_by_rule_gets_its_entrant_name_unless_a_label_folds_to_it() -> None:
    rll = str(MSR["rll"])
    unlabelled = convert(DAYTONA_RACE, _resolver({}))
    aliases = {o for s, p, o in unlabelled.triples if s == URIRef(rll) and p == SKOS.altLabel}
    assert aliases == {Literal("BMW M Team RLL", lang="en")}
    named = {str(MS.Team): {"bmw m team rll": frozenset({rll})}}
    labelled = convert(DAYTONA_RACE, _resolver(named))
    assert not any(s == URIRef(rll) and p == SKOS.altLabel for s, p, _ in labelled.triples)


def test_convert_names_file_line_and_column_for_a_bad_value(tmp_path: Path) -> None:
    from kg.model.errors import InputError

    with pytest.raises(InputError, match=r"line 3, column POSITION"):
        convert(
            next((FIXTURES / "broken" / "bad-row").rglob("*.csv")),
            empty_resolver(),
        )


def test_laps_name_the_driver_from_the_sessions_results() -> None:
    laps = next((FIXTURES / "laps").rglob("*-laps.csv"))
    converted = convert(laps, empty_resolver())
    lap_1 = MSR["imsa-2024-05-sebring-international-raceway-race-lap-01-1"]
    drivers = [o for s, p, o in converted.triples if s == lap_1 and p == MS.driver]
    assert drivers == [URIRef(MSR["imsa-driver-602"])]  # Sebastien Bourdais


@pytest.mark.parametrize(
    ("csv_name", "title"),
    [
        (
            f"{DAYTONA}/202401271340-race-results.csv",
            "IMSA WeatherTech SportsCar Championship, Rolex 24 at Daytona 2024, race: "
            "official results (Al Kamel Systems)",
        ),
        (
            f"{DAYTONA}/202401251005-practice-1-results.csv",
            "IMSA WeatherTech SportsCar Championship, Rolex 24 at Daytona 2024, practice 1: "
            "official results (Al Kamel Systems)",
        ),
        (
            f"{DAYTONA}/202401271340-race-weather.csv",
            "IMSA WeatherTech SportsCar Championship, Rolex 24 at Daytona 2024, race: "
            "official weather observations (Al Kamel Systems)",
        ),
        (
            "2024/05-sebring-international-raceway/202403160940-race-laps.csv",
            "IMSA WeatherTech SportsCar Championship, 12 Hours of Sebring 2024, race: "
            "official lap chart (Al Kamel Systems)",
        ),
        (
            "2023/02-daytona-international-speedway/202301281340-race-results.csv",
            "IMSA WeatherTech SportsCar Championship, 2023 round 2 at Daytona International "
            "Speedway, race: official results (Al Kamel Systems)",
        ),
    ],
)
def test_an_imported_file_has_a_title_to_cite_it_by(
    full_import: tuple[Path, str], csv_name: str, title: str
) -> None:
    graph = _graph(full_import[0] / Path(csv_name).with_suffix(".ttl"))
    doc = graph.value(predicate=RDF.type, object=MS.ResultsFile)
    assert list(graph.objects(doc, DCTERMS.title)) == [Literal(title, lang="en")]


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [
        ("PT0S", "0"),
        ("PT35S", "35"),
        ("PT0.5S", "0.5"),
        ("PT1M35.964S", "95.964"),
        ("PT23H59M3.365S", "86343.365"),
        ("P1DT17.685S", "86417.685"),
        ("P1DT2H", "93600"),
    ],
)
def test_seconds_beside_a_duration_are_exact(duration: str, seconds: str) -> None:
    from kg.importers.imsa.reading import seconds_literal

    written = seconds_literal(Literal(duration, datatype=XSD.duration))
    assert written == Literal(seconds, datatype=XSD.decimal)
