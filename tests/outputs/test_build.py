"""`kg build`: the site, its links, its exit codes, and re-runs that change nothing."""

from __future__ import annotations

import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner, Result

from kg.cli import cli

FIXTURES = Path(__file__).parents[1] / "fixtures" / "build"
VALID = FIXTURES / "valid"
INVALID = FIXTURES / "invalid"


def kg(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, prog_name="kg")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("site") / "dist"
    return out, kg("--data", str(VALID), "build", "--out", str(out))


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value is not None:
                self.ids.add(value)


def parse(page: Path) -> Links:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_conforming_build_exits_0_and_writes_the_site(site: tuple[Path, Result]) -> None:
    out, result = site
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # not a terminal: no progress display
    assert result.stdout.startswith(f"built {out}/index.html: ")
    assert result.stdout.rstrip().endswith("0 violations, 0 warnings - conforms")
    for name in (
        "index.html",
        "ontology.html",
        "graph.html",
        "style.css",
        "validation.txt",
        "validation.json",
        "export/motorsport-kg.ttl",
        "export/motorsport-kg.nt",
        "export/motorsport-kg.nq",
        "export/motorsport-kg.trig",
        "export/motorsport-kg.jsonld",
        "export/motorsport-kg.rdf",
        "export/ontology.ttl",
        "queries/pending-decisions.html",
    ):
        assert (out / name).is_file(), name
    assert json.loads((out / "validation.json").read_text())["conforms"] is True
    manifest = json.loads((out / ".kg-build.json").read_text())
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert sorted(manifest["files"]) == [f for f in files if f != ".kg-build.json"]


def test_index_shows_the_summary(site: tuple[Path, Result]) -> None:
    out, _ = site
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="banner passing"' in html and "failing" not in html
    # Counts per class, linked to the ontology reference.
    assert '<a href="ontology.html#ms-Manufacturer">manufacturer</a>' in html
    # The source, with its publication date and language.
    assert "An example article: René Rast is German." in html
    assert "<td>2023-07 (month)</td><td>en</td>" in html
    # Languages of the texts and the pending decisions section.
    assert 'id="languages"' in html and 'id="pending-decisions"' in html
    assert "No pending decision is recorded." in html


def test_every_link_in_the_site_resolves_to_a_file_of_the_site(
    site: tuple[Path, Result],
) -> None:
    out, _ = site
    to_visit = [out / "index.html"]
    seen: set[Path] = set()
    while to_visit:
        page = to_visit.pop()
        if page in seen:
            continue
        seen.add(page)
        parsed = parse(page)
        for link in parsed.links:
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, f"{page.name} links outside: {link}"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.is_file(), f"{page.relative_to(out)}: {link} does not exist"
            assert target.is_relative_to(out.resolve())
            if parts.fragment:
                assert parts.fragment in parse(target).ids, f"{link}: no such anchor"
            if target.suffix == ".html" and target.name != "graph.html":
                to_visit.append(target)
    assert out / "ontology.html" in seen
    assert out / "queries" / "pending-decisions.html" in seen


def test_ontology_reference_is_generated_from_the_ontology(site: tuple[Path, Result]) -> None:
    out, _ = site
    html = (out / "ontology.html").read_text(encoding="utf-8")
    parsed = parse(out / "ontology.html")
    for anchor in (
        "classes",
        "object-properties",
        "concept-schemes",
        "ms-Claim",
        "ms-statedIn",
        "msv-DecisionStatusScheme",
        "msv-UnderEvaluation",
    ):
        assert anchor in parsed.ids, anchor
    assert '<a href="#ms-Claim">claim</a>' in html  # table of contents
    assert '<td lang="de">Aussage</td>' in html  # German label
    assert "<th>domain</th>" in html and "<th>range</th>" in html
    assert '<code title="http://www.w3.org/ns/prov#Entity">prov:Entity</code>' in html


def test_a_second_build_changes_no_byte_and_removes_only_stale_build_files(
    site: tuple[Path, Result],
) -> None:
    out, _ = site
    # An earlier build wrote a page that is no longer produced; the user keeps notes here.
    manifest_path = out / ".kg-build.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"]["queries/retired-query.html"] = {"sha256": hashlib.sha256(b"old").hexdigest()}
    manifest_path.write_text(json.dumps(manifest))
    (out / "queries" / "retired-query.html").write_text("old")
    (out / "notes.txt").write_text("mine")
    before = snapshot(out)

    result = kg("--data", str(VALID), "build", "--out", str(out))
    assert result.exit_code == 0, result.output
    after = snapshot(out)
    assert not (out / "queries" / "retired-query.html").exists()
    assert (out / "notes.txt").read_text() == "mine"
    for name, (mtime, data) in after.items():
        if name == ".kg-build.json":
            continue
        assert before[name] == (mtime, data), f"{name} was rewritten"
    assert "(0 written, " in result.stdout and ", 1 removed)" in result.stdout


def test_a_failing_validation_writes_the_report_marks_the_site_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No --out: the README's first command writes dist/ in the current folder.
    monkeypatch.chdir(tmp_path)
    result = kg("--data", str(INVALID), "build")
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("built dist/index.html: ")
    assert result.stderr == "kg: the data does not conform: see dist/validation.txt\n"
    out = tmp_path / "dist"
    report = (out / "validation.txt").read_text()
    assert "P. Eng [person] msr:philipp-eng" in report
    assert "1 violation, 0 warnings - does not conform" in report
    assert json.loads((out / "validation.json").read_text())["conforms"] is False
    html = (out / "index.html").read_text()
    assert '<body class="failing">' in html
    assert '<div class="banner failing" id="validation-status" role="alert">' in html
    assert '<a href="validation.txt">validation.txt</a>' in html
    assert (out / "export" / "motorsport-kg.trig").is_file()


def test_out_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "dist"
    target.write_text("not a folder")
    result = kg("--data", str(VALID), "build", "--out", str(target))
    assert result.exit_code == 2
    assert "Directory" in result.stderr or "is a file" in result.stderr
    assert target.read_text() == "not a folder"


def test_stable_rows_sorts_ties_but_keeps_the_query_order() -> None:
    from rdflib import Literal

    from kg.outputs.site import stable_rows
    from kg.stores.base import QueryResult

    rows = (
        (Literal("b"), Literal("2")),
        (Literal("a"), Literal("9")),
        (Literal("a"), Literal("1")),
        (Literal("c"), Literal("0")),
    )
    result = QueryResult(kind="select", variables=("x", "y"), rows=rows)
    ordered = stable_rows("SELECT ?x ?y WHERE { ?s ?x ?y } ORDER BY STRLEN(?x)", result)
    # The key is an expression, not a column: the order is left as the store gave it.
    assert ordered.rows == rows
    for order in ("?x", "DESC(?x)"):
        by_x = stable_rows("SELECT ?x ?y WHERE { ?s ?x ?y } ORDER BY " + order, result)
        # Runs of equal ?x keep their place; inside a run, rows are sorted.
        assert [tuple(str(t) for t in row) for row in by_x.rows] == [
            ("b", "2"),
            ("a", "1"),
            ("a", "9"),
            ("c", "0"),
        ]
    unordered = stable_rows("SELECT ?x ?y WHERE { ?s ?x ?y }", result)
    assert [str(row[0]) + str(row[1]) for row in unordered.rows] == ["a1", "a9", "b2", "c0"]
