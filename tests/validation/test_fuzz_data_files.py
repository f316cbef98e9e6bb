"""Fuzzing the data files: a few hundred mutants of a small, valid Turtle file (flipped
and inserted bytes, lost or doubled lines, cut short, odd terms, other encodings) go
through `kg validate FILE` and through `kg --data DIR query` in-process. None may end
in a traceback or hang: kg reads the file, or refuses it with its own error naming the
file, with exit codes 0 to 3 only (issue 18: "a fuzz test in the suite").

The seed is fixed, so a failure names a mutant that the same run reproduces.
"""

from __future__ import annotations

import random
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import pytest
from click.testing import CliRunner

from kg.cli import cli

SEED = 20231107
MUTANTS = 150
SECONDS_PER_MUTANT = 20  # a hang, not a measure of speed

SAMPLE = """@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .
@prefix msr: <https://w3id.org/motorsport-kg/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

msr:fuzz-article a ms:NewsArticle ;
    dcterms:title "A made-up report"@en ;
    dcterms:language "en"^^xsd:language ;
    ms:published "2024-01-29"^^xsd:date .

msr:fuzz-team a ms:Team ;
    skos:prefLabel "Fuzz Racing"@en, "Fuzz-Rennstall"@de ;
    skos:altLabel "FR"@en .

msr:fuzz-entry a ms:Entry ;
    ms:carNumber "25" ;
    ms:entrant msr:fuzz-team ;
    ms:statedIn msr:fuzz-article ;
    ms:evidence "the #25 of Fuzz Racing"@en .

msr:fuzz-result a ms:Result ;
    ms:entry msr:fuzz-entry ;
    ms:classPosition 3 ;
    ms:lapsCompleted 778 ;
    ms:statedIn msr:fuzz-article ;
    ms:evidence "third in class"@en .
"""

# Terms that have broken parsers and stores: IRI breakers, huge and odd numbers,
# escapes, control characters, other scripts, a very long literal.
ODD_TERMS = (
    "<a b>", "<urn:x>", '"\\u0000"', '"\\uD800"', "99999999999999999999999999", "-0",
    "1e999", '"x"^^xsd:integer', '"x"@', '"x"@-', "_:b", "[]", "()", "msr:", ":x", "a",
    '"""', "'", "\x00", "\x1b[31m", "\U0001f3ce", "é", '"' + "x" * 20000 + '"', "^^", "@@",
)  # fmt: skip


class _Hang(Exception):
    pass


@contextmanager
def _bounded(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise _Hang

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _mutant(rng: random.Random, data: bytes) -> bytes:
    """One mutation of `data`, chosen by the seeded generator."""
    kind = rng.randrange(8)
    lines = data.splitlines(keepends=True)
    if kind == 0 and data:  # flip a byte
        at = rng.randrange(len(data))
        return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]
    if kind == 1:  # insert an odd byte
        at = rng.randrange(len(data) + 1)
        return data[:at] + rng.choice([b"\x00", b'"', b"<", b">", b"\r", b"\xff", b"."]) + data[at:]
    if kind == 2 and lines:  # lose a line
        del lines[rng.randrange(len(lines))]
        return b"".join(lines)
    if kind == 3 and lines:  # double a line
        at = rng.randrange(len(lines))
        lines.insert(at, lines[at])
        return b"".join(lines)
    if kind == 4:  # cut short
        return data[: rng.randrange(len(data) + 1)]
    if kind == 5:  # an odd term in place of a word
        words = data.split(b" ")
        at = rng.randrange(len(words))
        words[at] = rng.choice(ODD_TERMS).encode("utf-8")
        return b" ".join(words)
    if kind == 6:  # another encoding
        return data.decode("utf-8").encode(rng.choice(["utf-16", "latin-1", "utf-8-sig"]))
    return data.replace(b"\n", b"\r\n")


def _mutants() -> list[bytes]:
    rng = random.Random(SEED)
    return [_mutant(rng, SAMPLE.encode("utf-8")) for _ in range(MUTANTS)]


@pytest.mark.parametrize("command", ["validate FILE", "--data DIR query"])
def test_no_mutant_of_a_data_file_ends_in_a_traceback(tmp_path: Path, command: str) -> None:
    runner = CliRunner()
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    outcomes: dict[int, int] = {}
    for number, data in enumerate(_mutants()):
        folder = tmp_path / f"m{number}"
        folder.mkdir()
        path = folder / "fuzz.ttl"
        path.write_bytes(data)
        args = (
            ["--store", "memory", "validate", str(path)]
            if command == "validate FILE"
            else ["--store", "memory", "--data", str(folder), "query", "-e", query]
        )
        with _bounded(SECONDS_PER_MUTANT):
            result = runner.invoke(cli, args, catch_exceptions=True)
        context = f"mutant {number} (seed {SEED}): {data[:120]!r}"
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{context}: {result.exception!r}"
        )
        assert result.exit_code in (0, 1, 2, 3), f"{context}: exit {result.exit_code}"
        if result.exit_code in (2, 3):
            assert "fuzz.ttl" in result.stderr or "fuzz" in result.stderr, (
                f"{context}: the error does not name the file: {result.stderr!r}"
            )
        outcomes[result.exit_code] = outcomes.get(result.exit_code, 0) + 1
    # The mutants must reach both sides: files kg reads, and files it refuses.
    assert outcomes.get(3, 0) > 20 and outcomes.get(0, 0) + outcomes.get(1, 0) > 20, outcomes
