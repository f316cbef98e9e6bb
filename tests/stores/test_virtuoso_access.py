"""Reaching a real Virtuoso 7.2 (tests/stores/virtuoso.py) as a deployment would:
knowledge in more files than Virtuoso's answers can echo within 100 headers, and the
authenticated endpoint that takes only Digest.

- Virtuoso echoes every graph of a query's dataset as a header of its answer
  (`X-SPARQL-default-graph`, `X-SPARQL-named-graph`), and kg names every file's graph:
  with more than about 100 files every query failed with "got more than 100 headers"
  (measured: benchmarks/bench_servers.py at 100k triples, 125 files).
- /sparql-auth answers Basic with a bare 401 and takes Digest (tests/stores/
  test_sparql_digest.py has the protocol cases against a checking front).

The tests name their stores themselves: they run in the KG_STORE=memory pass only.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result
from conftest import core_data_args
from virtuoso import Virtuoso, start

TEAMS = "SELECT ?t ?name WHERE { ?t a ms:Team ; skos:prefLabel ?name } ORDER BY ?t ?name"
EXTRA_FILES = 160


def kg(store: str, data: list[str], *args: str, **environment: str | None) -> Result:
    from kg.cli import cli

    # No netrc file anywhere: the credentials are only what the test gives.
    home = tempfile.mkdtemp(prefix="kg-virtuoso-home-")
    settings = {"KG_SPARQL_TIMEOUT": "60", "KG_STORE": None, "KG_NETRC": None, "HOME": home}
    return CliRunner(env={**settings, **environment}).invoke(
        cli, ["--store", store, *data, *args], catch_exceptions=False, prog_name="kg"
    )


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Virtuoso, list[str]]]:
    """A private Virtuoso holding the core view and EXTRA_FILES more files, one team each."""
    folder = tmp_path_factory.mktemp("many-files")
    for number in range(EXTRA_FILES):
        (folder / f"team-{number:03d}.ttl").write_text(
            "@prefix ms: <https://w3id.org/motorsport-kg/ontology/> .\n"
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            f"<https://w3id.org/motorsport-kg/id/test-team-{number:03d}> a ms:Team ;\n"
            f'    skos:prefLabel "Test Team {number:03d}"@en .\n',
            encoding="utf-8",
        )
    data = [*core_data_args(), "--data", str(folder)]
    server = start(tmp_path_factory.mktemp("virtuoso"))
    try:
        pushed = kg("memory", data, "push", "--store", server.spec)
        assert pushed.exit_code == 0, pushed.stderr + server.log()
        yield server, data
    finally:
        server.stop()


def test_knowledge_in_more_files_than_100_headers_answers(
    many: tuple[Virtuoso, list[str]],
) -> None:
    server, data = many
    expected = kg("memory", data, "query", "-e", TEAMS, "--format", "csv")
    found = kg(server.spec, data, "query", "-e", TEAMS, "--format", "csv")
    assert (found.exit_code, found.stdout) == (0, expected.stdout), found.stderr
    assert "Test Team 159" in found.stdout


def test_virtuosos_authenticated_endpoint_takes_digest(
    many: tuple[Virtuoso, list[str]],
) -> None:
    server, data = many
    auth = f"sparql:http://127.0.0.1:{server.http_port}/sparql-auth"
    plain = kg(server.spec, data, "query", "-e", TEAMS, "--format", "csv")
    assert plain.exit_code == 0, plain.stderr
    found = kg(auth, data, "query", "-e", TEAMS, "--format", "csv",
               KG_SPARQL_USER="dba", KG_SPARQL_PASSWORD="dba")  # fmt: skip
    assert (found.exit_code, found.stdout) == (0, plain.stdout), found.stderr
    refused = kg(auth, data, "query", "-e", TEAMS,
                 KG_SPARQL_USER="dba", KG_SPARQL_PASSWORD="not-it")  # fmt: skip
    assert refused.exit_code == 3
    assert (
        f"kg: error: the SPARQL endpoint http://127.0.0.1:{server.http_port}/sparql-auth "
        "refused access (HTTP 401) to user 'dba' with Digest (MD5); check the user and "
        "password"
    ) in refused.stderr
    assert "not-it" not in refused.stdout + refused.stderr


def test_no_credentials_for_virtuosos_authenticated_endpoint_says_so(
    many: tuple[Virtuoso, list[str]],
) -> None:
    server, data = many
    auth = f"sparql:http://127.0.0.1:{server.http_port}/sparql-auth"
    refused = kg(auth, data, "query", "-e", TEAMS)
    assert refused.exit_code == 3
    assert "refused access (HTTP 401); kg sent no credentials" in refused.stderr
