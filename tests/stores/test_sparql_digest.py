"""Digest authentication (issue 19): Virtuoso's authenticated endpoints take Digest, not
Basic. Before, kg sent only Basic and then said "set KG_SPARQL_USER and
KG_SPARQL_PASSWORD" although both were set.

An authenticating front on 127.0.0.1 checks each request's Digest answer by RFC 7616
(computed here, independently of kg) and passes good ones to a real `oxigraph serve`;
a real Virtuoso's /sparql-auth is checked in tests/stores/test_virtuoso_access.py.

The tests name their stores themselves: they run in the KG_STORE=memory pass only.
"""

from __future__ import annotations

import hashlib
import http.server
import re
import secrets
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from conftest import SparqlServer, core_data_args

USER, PASSWORD, REALM = "ann", "s3cret/pa#ss", "kg-test"
TEAMS = "SELECT ?t WHERE { ?t a ms:Team } ORDER BY ?t"


@dataclass
class Rules:
    """What the front asks for and what it saw."""

    challenge: str = 'Digest realm="{realm}", nonce="{nonce}", qop="auth", algorithm=MD5'
    nonces: list[str] = field(default_factory=list)
    stale_after: int | None = None  # answers with stale=true once this many passed
    seen: list[str] = field(default_factory=list)  # the Authorization scheme of each request
    accepted: int = 0


def _expected(fields: dict[str, str], method: str) -> str:
    algorithm = fields.get("algorithm", "MD5").upper()
    hashed = hashlib.sha256 if algorithm.startswith("SHA-256") else hashlib.md5

    def digest(*parts: str) -> str:
        return hashed(":".join(parts).encode()).hexdigest()

    secret = digest(USER, REALM, PASSWORD)
    if algorithm.endswith("-SESS"):
        secret = digest(secret, fields["nonce"], fields["cnonce"])
    request = digest(method, fields["uri"])
    return digest(secret, fields["nonce"], fields["nc"], fields["cnonce"], "auth", request)


def _fields(header: str) -> dict[str, str]:
    return {
        key: value.strip('"')
        for key, value in re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|[^,\s]+)', header)
    }


def _front(rules: Rules, upstream: str) -> type[http.server.BaseHTTPRequestHandler]:
    class Front(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _refuse(self, stale: bool = False) -> None:
            nonce = secrets.token_hex(8)
            rules.nonces.append(nonce)
            challenge = rules.challenge.format(realm=REALM, nonce=nonce)
            self.send_response(401)
            self.send_header("WWW-Authenticate", challenge + (", stale=true" if stale else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _handle(self) -> None:
            header = self.headers.get("Authorization", "")
            rules.seen.append(header.split(" ", 1)[0])
            fields = _fields(header) if header.startswith("Digest ") else {}
            good = (
                fields.get("username") == USER
                and fields.get("nonce") in rules.nonces
                and fields.get("uri") == self.path
                and fields.get("response") == _expected(fields, self.command)
            )
            if not good:
                return self._refuse()
            if rules.stale_after is not None and rules.accepted >= rules.stale_after:
                rules.stale_after = None
                rules.nonces.clear()
                return self._refuse(stale=True)
            rules.accepted += 1
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {key: value for key, value in self.headers.items() if key.lower() in
                       ("content-type", "accept")}  # fmt: skip
            request = urllib.request.Request(
                upstream + self.path, body, headers, method=self.command
            )
            with urllib.request.urlopen(request, timeout=30) as answer:
                data = answer.read()
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.headers.get("Content-Type", ""))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

    return Front


@pytest.fixture
def front(oxigraph_server: SparqlServer) -> Iterator[tuple[str, Rules]]:
    """The core view pushed to a real oxigraph server, behind a Digest-checking front."""
    from click.testing import CliRunner

    from kg.cli import cli

    pushed = CliRunner().invoke(cli, ["--store", "memory", *core_data_args(), "push",
                                      "--store", oxigraph_server.spec])  # fmt: skip
    assert pushed.exit_code == 0, pushed.stderr
    rules = Rules()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _front(rules, oxigraph_server.base))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", rules
    finally:
        server.shutdown()
        server.server_close()


def _kg(base: str, *args: str, user: str | None = USER, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return _kg_at(f"sparql:{base}/query?gsp={base}/store", *args, user=user, password=password)


def _kg_at(store: str, *args: str, user: str | None = USER, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from kg.cli import cli

    # No netrc file anywhere: the credentials are only what the test gives.
    home = tempfile.mkdtemp(prefix="kg-digest-home-")
    environment = {"KG_SPARQL_TIMEOUT": "30", "KG_STORE": None, "KG_NETRC": None, "HOME": home}
    if user is not None:
        environment |= {"KG_SPARQL_USER": user, "KG_SPARQL_PASSWORD": password}
    return CliRunner(env=environment).invoke(
        cli, ["--store", store, *core_data_args(), *args], catch_exceptions=False, prog_name="kg"
    )


def _expected_teams(oxigraph_server: SparqlServer) -> str:
    direct = _kg(oxigraph_server.base, "query", "-e", TEAMS, "--format", "csv", user=None)
    assert direct.exit_code == 0, direct.stderr
    return direct.stdout


def test_a_server_that_asks_for_digest_gets_it(
    front: tuple[str, Rules], oxigraph_server: SparqlServer
) -> None:
    base, rules = front
    result = _kg(base, "query", "-e", TEAMS, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == _expected_teams(oxigraph_server)
    # Basic once, then Digest for this and every later request: one refusal in all.
    assert rules.seen[0] == "Basic"
    assert rules.seen[1:] == ["Digest"] * (len(rules.seen) - 1)
    assert len(rules.nonces) == 1
    assert PASSWORD not in result.stdout + result.stderr


def test_sha_256_is_chosen_over_md5_and_sess_works(
    front: tuple[str, Rules], oxigraph_server: SparqlServer
) -> None:
    base, rules = front
    rules.challenge = (
        'Digest realm="{realm}", nonce="{nonce}", qop="auth", algorithm=MD5, '
        'Digest realm="{realm}", nonce="{nonce}", qop="auth,auth-int", algorithm=SHA-256-sess'
    )
    result = _kg(base, "query", "-e", TEAMS, "--format", "csv")
    assert (result.exit_code, result.stdout) == (0, _expected_teams(oxigraph_server))


def test_a_stale_nonce_is_answered_again(
    front: tuple[str, Rules], oxigraph_server: SparqlServer
) -> None:
    base, rules = front
    rules.stale_after = 1
    result = _kg(base, "query", "-e", TEAMS, "--format", "csv")
    assert (result.exit_code, result.stdout) == (0, _expected_teams(oxigraph_server))
    assert len(rules.nonces) == 1  # the stale one was dropped, a fresh one answered


def test_a_wrong_password_says_what_was_sent_and_never_shows_it(front: tuple[str, Rules]) -> None:
    base, _ = front
    result = _kg(base, "query", "-e", TEAMS, password="wrong/pa#ss")
    assert result.exit_code == 3
    assert result.stderr == (
        f"kg: error: the SPARQL endpoint {base}/query refused access (HTTP 401) to user "
        "'ann' with Digest (MD5); check the user and password (KG_SPARQL_USER and "
        "KG_SPARQL_PASSWORD, or the host's line in ~/.netrc) and what that user may do on "
        "the server\n"
    )
    assert "wrong/pa#ss" not in result.stdout + result.stderr


def test_no_credentials_says_so(front: tuple[str, Rules]) -> None:
    base, _ = front
    result = _kg(base, "query", "-e", TEAMS, user=None)
    assert result.exit_code == 3
    assert result.stderr == (
        f"kg: error: the SPARQL endpoint {base}/query refused access (HTTP 401); kg sent no "
        "credentials: set KG_SPARQL_USER and KG_SPARQL_PASSWORD or add the host to ~/.netrc\n"
    )


@pytest.mark.parametrize(
    ("challenge", "named"),
    [
        ('Bearer realm="{realm}"', "Bearer"),
        ('Digest realm="{realm}", nonce="{nonce}", qop="auth-int"', None),
    ],
)
def test_a_scheme_kg_does_not_speak_is_named(
    front: tuple[str, Rules], challenge: str, named: str | None
) -> None:
    base, rules = front
    rules.challenge = challenge
    result = _kg(base, "query", "-e", TEAMS)
    assert result.exit_code == 3
    if named is not None:
        assert result.stderr == (
            f"kg: error: the SPARQL endpoint {base}/query refused access (HTTP 401) and asks "
            f"for {named}, which kg does not speak (it sends Basic or Digest); use an endpoint "
            "that takes a user and password\n"
        )
    else:  # Digest with auth-int only: kg tried Basic, and says so
        assert "refused access (HTTP 401) to user 'ann' with Basic" in result.stderr


def test_a_push_through_digest_works(
    front: tuple[str, Rules], oxigraph_server: SparqlServer
) -> None:
    base, rules = front
    pushed = _kg(base, "push", "--prune")
    assert pushed.exit_code == 0, pushed.stderr
    assert rules.accepted > 1
    assert _kg(base, "query", "-e", TEAMS, "--format", "csv").stdout == _expected_teams(
        oxigraph_server
    )
