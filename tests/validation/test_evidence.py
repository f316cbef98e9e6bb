"""A claim's evidence must be in its source's text file (issue 15, item 10).

tests/fixtures/evidence/ is a data folder with one article whose text file is there
(one claim quotes it, one claim's evidence is not in it) and one article whose text
file is missing. `kg validate` (the knowledge, every engine, both stores, and
--changed) and `kg validate FILE...` report the same two violations.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH

from kg.model.namespaces import MS, MSR, MSS

FIXTURE = Path(__file__).parents[1] / "fixtures" / "evidence"
ARTICLE = Path("articles") / "2024-05-evidence-example.ttl"
TEXT = Path("sources") / "2024-05-evidence-example.txt"
INVENTED = "René Rast was born in Minden, Germany, and has raced for BMW since 2022."
STORES = ("memory", "oxigraph")

# (focus, path, the words its message must hold)
EXPECTED = {
    (
        "msr:evidence-example-invented",
        "ms:evidence",
        (
            'The ms:evidence "René Rast was born in Minden, Germany, and has raced for BM…" '
            "is not in the text of msr:article-2024-05-evidence-example ("
        ),
        f"{TEXT.as_posix()}): copy the span exactly as the text file has it",
    ),
    (
        "msr:article-2024-05-evidence-no-text",
        "ms:textFile",
        'The text file "sources/2024-05-evidence-no-text.txt" (ms:textFile) is not there',
        "add the file, or correct the path",
    ),
}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    return folder


def _results(stdout: str) -> set[tuple[str, str, str, str]]:
    """(focus, path, message, source file) of each evidence result in a JSON report."""
    payload = json.loads(stdout)
    assert all(r["shape"] == "mss:EvidenceInTextCheck" for r in payload["results"]), payload
    return {(r["focus"], r["path"], r["message"], r["file"]) for r in payload["results"]}


def _assert_expected(stdout: str, article: Path) -> None:
    found = _results(stdout)
    assert len(found) == len(EXPECTED), found
    for focus, path, *words in EXPECTED:
        matching = [r for r in found if r[:2] == (focus, path)]
        assert len(matching) == 1, (focus, found)
        message, source_file = matching[0][2], matching[0][3]
        assert all(w in message for w in words), message
        assert Path(source_file).resolve() == article.resolve()
    payload = json.loads(stdout)
    assert (payload["violations"], payload["warnings"], payload["passes"]) == (2, 0, False)


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("engine", ["auto", "fast", "pyshacl"])
def test_knowledge_reports_invented_evidence_and_a_missing_text(
    run_kg, data: Path, store: str, engine: str
) -> None:  # type: ignore[no-untyped-def]
    result = run_kg(
        "--store", store, "--data", str(data), "validate", "--engine", engine, "--format", "json"
    )
    assert result.exit_code == 1, result.stderr
    _assert_expected(result.stdout, data / ARTICLE)


def test_files_report_invented_evidence_and_a_missing_text(run_kg, data: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_kg("validate", str(data / ARTICLE), str(data / "entities.ttl"), "--format", "json")
    assert result.exit_code == 1, result.stderr
    _assert_expected(result.stdout, data / ARTICLE)


@pytest.mark.parametrize("store", STORES)
def test_text_report_names_claim_source_and_text_file(run_kg, data: Path, store: str) -> None:  # type: ignore[no-untyped-def]
    result = run_kg("--store", store, "--data", str(data), "validate")
    assert result.exit_code == 1
    text = result.stdout
    claim = text.index("msr:evidence-example-invented [sourced statement]")
    assert "msr:article-2024-05-evidence-example (" in text[claim:]
    assert f'value "{INVENTED}"' in text[claim:]
    assert "msr:article-2024-05-evidence-no-text [news article]" in text
    assert "msr:evidence-example-quoted" not in text
    assert "msr:evidence-example-no-text" not in text
    assert text.rstrip().endswith("2 violations, 0 warnings - does not conform")


@pytest.mark.parametrize("store", STORES)
def test_turtle_report_holds_the_results(run_kg, data: Path, store: str) -> None:  # type: ignore[no-untyped-def]
    result = run_kg("--store", store, "--data", str(data), "validate", "--format", "turtle")
    assert result.exit_code == 1
    graph = Graph()
    graph.parse(data=result.stdout, format="turtle")
    report = graph.value(None, RDF.type, SH.ValidationReport, any=False)
    assert report is not None
    assert graph.value(report, SH.conforms) == Literal(False)
    results = set(graph.objects(report, SH.result))
    assert {
        (
            graph.value(r, SH.focusNode),
            graph.value(r, SH.resultPath),
            graph.value(r, SH.sourceShape),
            graph.value(r, SH.sourceConstraintComponent),
            graph.value(r, SH.resultSeverity),
        )
        for r in results
    } == {
        (
            MSR["evidence-example-invented"],
            MS.evidence,
            MSS.EvidenceInTextCheck,
            MSS.EvidenceInTextComponent,
            SH.Violation,
        ),
        (
            MSR["article-2024-05-evidence-no-text"],
            MS.textFile,
            MSS.EvidenceInTextCheck,
            MSS.TextFileComponent,
            SH.Violation,
        ),
    }


@pytest.mark.parametrize("store", STORES)
def test_fixing_the_text_or_the_claim_clears_the_violation(run_kg, data: Path, store: str) -> None:  # type: ignore[no-untyped-def]
    """Editing only a text file changes no RDF: the index is reused, the check is not."""
    args = ["--store", store, "--data", str(data), "validate", "--format", "json"]
    assert len(_results(run_kg(*args).stdout)) == 2
    (data / "sources" / "2024-05-evidence-no-text.txt").write_text(
        "Rast is German.\n", encoding="utf-8"
    )
    with (data / TEXT).open("a", encoding="utf-8") as text:
        text.write(INVENTED + "\n")
    result = run_kg(*args)
    assert (result.exit_code, _results(result.stdout)) == (0, set()), result.stdout
    article = data / ARTICLE
    article.write_text(
        article.read_text(encoding="utf-8").replace('"Rast is German."', '"Rast is Austrian."'),
        encoding="utf-8",
    )
    result = run_kg(*args)
    assert result.exit_code == 1
    assert {(r[0], r[1]) for r in _results(result.stdout)} == {
        ("msr:evidence-example-no-text", "ms:evidence")
    }


def test_changed_runs_the_check_afresh(run_kg, data: Path) -> None:  # type: ignore[no-untyped-def]
    """`--changed` caches per data file; a text file is not one, so its check is never cached."""
    args = ["--data", str(data), "validate", "--changed", "--format", "json"]
    first = run_kg(*args)
    assert first.exit_code == 1
    _assert_expected(first.stdout, data / ARTICLE)
    with (data / TEXT).open("a", encoding="utf-8") as text:
        text.write(INVENTED + "\n")
    fixed = run_kg(*args)
    assert "re-checked" in fixed.stderr  # the cache was used
    assert {(r[0], r[1]) for r in _results(fixed.stdout)} == {
        ("msr:article-2024-05-evidence-no-text", "ms:textFile")
    }
    (data / TEXT).write_text("Nothing to quote.\n", encoding="utf-8")
    broken = run_kg(*args)
    assert {(r[0], r[1]) for r in _results(broken.stdout)} == {
        ("msr:article-2024-05-evidence-no-text", "ms:textFile"),
        ("msr:evidence-example-invented", "ms:evidence"),
        ("msr:evidence-example-quoted", "ms:evidence"),
    }
    assert broken.stdout == run_kg("--data", str(data), "validate", "--format", "json").stdout


def test_evidence_is_compared_character_for_character(run_kg, data: Path) -> None:  # type: ignore[no-untyped-def]
    """The rule of the bundled data's own test: a line break is not a space."""
    (data / TEXT).write_text("René Rast is\nGerman.\n" + INVENTED + "\n", encoding="utf-8")
    result = run_kg("validate", str(data / ARTICLE), str(data / "entities.ttl"), "--format", "json")
    assert {(r[0], r[1]) for r in _results(result.stdout)} == {
        ("msr:evidence-example-quoted", "ms:evidence"),
        ("msr:article-2024-05-evidence-no-text", "ms:textFile"),
    }


def test_a_text_file_that_is_not_utf8_is_named(run_kg, data: Path) -> None:  # type: ignore[no-untyped-def]
    (data / TEXT).write_bytes("René Rast is German.".encode("latin-1"))
    result = run_kg("--data", str(data), "validate", "--format", "json")
    assert result.exit_code == 1
    messages = {r[0]: r[2] for r in _results(result.stdout)}
    assert set(messages) == {
        "msr:article-2024-05-evidence-example",
        "msr:article-2024-05-evidence-no-text",
    }
    message = messages["msr:article-2024-05-evidence-example"]
    assert message.startswith("The text file ") and TEXT.as_posix() in message, message
    assert "(ms:textFile) cannot be read as UTF-8 text (" in message, message


def test_a_path_the_shapes_refuse_is_left_to_them(run_kg, data: Path) -> None:  # type: ignore[no-untyped-def]
    article = data / ARTICLE
    article.write_text(
        article.read_text(encoding="utf-8").replace(
            '"sources/2024-05-evidence-no-text.txt"', '"../outside.txt"'
        ),
        encoding="utf-8",
    )
    result = run_kg("--data", str(data), "validate", "--format", "json")
    payload = json.loads(result.stdout)
    found = {(r["focus"], r["shape"]) for r in payload["results"]}
    assert found == {
        ("msr:article-2024-05-evidence-no-text", "mss:SourceDocument-textFile"),
        ("msr:evidence-example-invented", "mss:EvidenceInTextCheck"),
    }


def test_bundled_knowledge_quotes_its_texts(run_kg) -> None:  # type: ignore[no-untyped-def]
    """The bundled claims are checked (there are spans and texts) and all are found."""
    from kg.knowledge.project import open_knowledge
    from kg.validation.evidence import check_evidence, facts_of_knowledge

    knowledge = open_knowledge()
    facts = facts_of_knowledge(knowledge, knowledge.defining_files())
    assert len(facts.text_files) >= 2 and len(facts.spans) >= 20
    assert check_evidence(facts)[0] == []
    result = run_kg("validate", "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["violations"] == 0
