"""Knowledge fixes from a fact-by-fact audit of the two bundled articles (issue 16).

Each test asks the bundled knowledge through `kg query -e`, as a user would, for a
fact the audit found missing or only kept in evidence or a file comment.
"""

from __future__ import annotations

import csv
import io

REPORT = "msr:article-2024-01-daytona-bmw-rolex24-report"
INTERVIEW = "msr:article-2023-07-motorsport-total-bmw-lmdh-customers"


def _rows(run_kg, sparql: str) -> list[dict[str, str]]:
    result = run_kg("query", "-e", sparql, "--format", "csv", "--iris")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_around_2_30_am_has_the_around_time_precision_and_its_assumption(run_kg) -> None:
    rows = _rows(
        run_kg,
        """SELECT ?precision ?assumption ?notBefore ?notAfter WHERE {
             msr:daytona-2024-report-time-electronics-defect ms:timePrecision ?precision ;
                 ms:notBefore ?notBefore ; ms:notAfter ?notAfter ;
                 ms:assumption ?assumption .
           } ORDER BY ?assumption""",
    )
    assert {row["precision"] for row in rows} == {"msv:AroundTime"}
    assert {row["notBefore"] for row in rows} == {"2024-01-28T02:00:00-05:00"}
    assert {row["notAfter"] for row in rows} == {"2024-01-28T03:00:00-05:00"}
    assumptions = " ".join(row["assumption"] for row in rows)
    # The day (the race night) and the zone (Eastern time) are ours, in both languages.
    assert "28 January 2024" in assumptions and "-05:00" in assumptions
    assert "28. Januar 2024" in assumptions
    languages = _rows(
        run_kg,
        """SELECT (lang(?a) AS ?language) WHERE {
             msr:daytona-2024-report-time-electronics-defect ms:assumption ?a
           } ORDER BY ?language""",
    )
    assert [row["language"] for row in languages] == ["de", "en"]


def test_the_team_is_characterised_as_bavarian_american(run_kg) -> None:
    rows = _rows(
        run_kg,
        f"""SELECT ?claim ?words ?evidence WHERE {{
              ?claim ms:about msr:rll ; ms:characterisation ?words ;
                  ms:statedIn {REPORT} ; ms:evidence ?evidence .
              FILTER(lang(?words) = "en")
            }}""",
    )
    assert [row["words"] for row in rows] == ["Bavarian-American"]
    assert "Bavarian-American BMW RLL team" in rows[0]["evidence"]


def test_roos_spoke_with_some_frustration(run_kg) -> None:
    rows = _rows(
        run_kg,
        """SELECT ?manner WHERE {
             msr:daytona-2024-report-quote-roos ms:manner ?manner .
           } ORDER BY ?manner""",
    )
    assert sorted(row["manner"] for row in rows) == [
        "mit einiger Frustration",
        "with some frustration",
    ]
    evidence = _rows(
        run_kg,
        "SELECT ?e WHERE { msr:daytona-2024-report-quote-roos ms:evidence ?e }",
    )
    assert any("with some frustration" in row["e"] for row in evidence)


def test_krohn_gets_on_very_well_with_eng(run_kg) -> None:
    rows = _rows(
        run_kg,
        """SELECT ?rapport WHERE {
             ?statement rdf:subject msr:jesse-krohn ; rdf:predicate ms:teammateOf ;
                 rdf:object msr:philipp-eng ; ms:rapport ?rapport .
           } ORDER BY ?rapport""",
    )
    assert sorted(row["rapport"] for row in rows) == ["gets on very well", "versteht sich sehr gut"]


def test_15_laps_behind_is_a_number_with_a_scope_note(run_kg) -> None:
    rows = _rows(
        run_kg,
        """SELECT ?laps ?note WHERE {
             msr:daytona-2024-report-position-25-15-laps-behind ms:lapsBehind ?laps ;
                 skos:scopeNote ?note .
             FILTER(lang(?note) = "en")
           }""",
    )
    assert [row["laps"] for row in rows] == ["15"]
    assert "does not say" in rows[0]["note"]


def test_every_source_has_a_title(run_kg) -> None:
    rows = _rows(
        run_kg,
        """SELECT ?doc ?title WHERE {
             { ?doc a ms:NewsArticle } UNION { ?doc a ms:ResultsFile }
             UNION { ?doc a ms:ReconciliationReport }
             OPTIONAL { ?doc dcterms:title ?title }
           } ORDER BY ?doc ?title""",
    )
    titles: dict[str, list[str]] = {}
    for row in rows:
        titles.setdefault(row["doc"], []).append(row["title"])
    # Two articles, one race's results and the checks of its cars.
    assert len(titles) == 4, titles
    untitled = sorted(doc for doc, values in titles.items() if not any(values))
    assert not untitled
    results = "msr:imsa-2024-02-daytona-international-speedway-202401271340-race-results"
    assert titles[results] == [
        "IMSA WeatherTech SportsCar Championship, Rolex 24 at Daytona 2024, race: "
        "official results (Al Kamel Systems)"
    ]


def test_article_titles_without_a_headline_are_marked_as_ours(run_kg) -> None:
    rows = _rows(
        run_kg,
        f"""SELECT ?doc ?ours WHERE {{
              VALUES ?doc {{ {REPORT} {INTERVIEW} }}
              ?doc ms:editorialTitle ?ours .
            }} ORDER BY ?doc""",
    )
    assert [(row["doc"], row["ours"]) for row in rows] == [
        (INTERVIEW, "true"),
        (REPORT, "true"),
    ]


def test_the_german_article_names_no_publisher(run_kg) -> None:
    # The text says to whom Roos spoke, not who published the article.
    rows = _rows(
        run_kg,
        f"SELECT ?p WHERE {{ {INTERVIEW} schema:publisher ?p }}",
    )
    assert rows == []


def test_the_unreferenced_wec_hypercar_class_is_gone(run_kg) -> None:
    rows = _rows(run_kg, "SELECT ?p ?o WHERE { msr:wec-hypercar ?p ?o }")
    assert rows == []
