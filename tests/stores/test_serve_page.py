"""`kg serve`'s own query page (issue 19), in a real headless Chromium against a real
`kg serve --port 0`: the page loads nothing from the web (every request the browser
makes goes to the server's origin), runs queries that use kg's prefixes, shows the
rows as a table, lists the saved queries and says what went wrong in words.

Before: `/` was 404 (there was no page at all) and a query using `ms:` without
declaring it failed ("error at 1:20: expected OPTIONAL").
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import Browser, Page
from conftest import CORE_DATA, KgServe
from hostile import DEEP
from test_serve_limits import kg_serve

from kg.model.namespaces import shorten

SMALL_DATA = Path(__file__).parents[1] / "fixtures" / "stores" / "data"
# A seven-way cross join counted: minutes of work over the fixture's triples.
HEAVY = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + " }"
)
# Typed by a user who relies on kg's prefixes: no PREFIX line at all.
TYPED = """SELECT ?entry ?carNumber ?class
WHERE {
  ?entry a ms:Entry ;
      ms:event msr:rolex-24-at-daytona-2024 ;
      ms:carNumber ?carNumber .
  OPTIONAL { ?entry ms:racingClass ?class }
}
ORDER BY ?carNumber ?entry
LIMIT 40"""
CTRL = 2  # DevTools' modifier bit for Ctrl


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KgServe]:
    """`kg serve --port 0` over the core view of the bundled data (the Daytona race)."""
    serve = KgServe(list(CORE_DATA), tmp_path_factory.mktemp("serve-page") / "index")
    try:
        assert serve.url.startswith("http://127.0.0.1:"), serve.banner
        assert serve.process.stdout is not None
        # The third line of the banner: where to point a browser.
        page_line = serve.process.stdout.readline()
        assert page_line == f"Query page: {serve.url.removesuffix('query')}\n"
        yield serve
    finally:
        serve.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser(size=(1400, 900)) as running:
        yield running


def origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def post(url: str, query: str, accept: str = "application/sparql-results+json") -> Any:
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
    return json.loads(text) if "json" in accept else text


def refused(url: str, query: str) -> tuple[int, str]:
    body = urllib.parse.urlencode({"query": query}).encode()
    try:
        urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=30)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    raise AssertionError(f"the server answered {query!r}")


def as_shown(term: dict[str, str] | None) -> str:
    """What the page should show for a SPARQL JSON term (kg's Python shortening)."""
    if term is None:
        return ""
    if term["type"] == "uri":
        return shorten(term["value"])
    if term["type"] == "bnode":
        return "_:" + term["value"]
    return term["value"] + ("@" + term["xml:lang"] if "xml:lang" in term else "")


def expected_table(url: str, query: str) -> tuple[list[str], list[list[str]]]:
    answer = post(url, query)
    variables = answer["head"]["vars"]
    rows = [[as_shown(row.get(v)) for v in variables] for row in answer["results"]["bindings"]]
    return variables, rows


def shown_table(page: Page) -> tuple[list[str], list[list[str]]]:
    return page.evaluate(
        "[Array.from(document.querySelectorAll('#results thead th')).slice(1)"
        ".map(th => th.textContent),"
        " Array.from(document.querySelectorAll('#results tbody tr'))"
        ".map(tr => Array.from(tr.cells).slice(1).map(td => td.textContent))]"
    )


def open_page(browser: Browser, url: str) -> Page:
    page = browser.open_url(url)
    page.wait_for("document.body.dataset.ready === 'true'")
    return page


def put_query(page: Page, text: str) -> None:
    page.click("#query")
    page.evaluate("document.getElementById('query').select()")
    page.type_text(text)


def run_and_wait(page: Page, *, keys: bool = False) -> None:
    page.evaluate("document.getElementById('status').textContent = ''")
    if keys:
        page.click("#query")
        page.press("Enter", modifiers=CTRL)
    else:
        page.click("#run")
    page.wait_for(
        "!document.getElementById('run').disabled && "
        "(document.getElementById('status').textContent !== '' || "
        "!document.getElementById('error').hidden)"
    )


def only_own_requests(page: Page, url: str) -> list[str]:
    """The requests that went anywhere but the server (blob: downloads of the page count
    as the server's: they are made in the page from an answer it already has)."""
    own = origin(url)
    return [
        request
        for request in page.requests
        if not (request.startswith(own + "/") or request.startswith("blob:" + own + "/"))
    ]


# -- in the browser -------------------------------------------------------------------


def test_the_page_runs_a_query_with_kg_prefixes_and_loads_nothing_from_the_web(
    browser: Browser, served: KgServe, tmp_path: Path
) -> None:
    home = served.url.removesuffix("query")
    page = open_page(browser, home)
    text = page.evaluate("document.getElementById('query').value")
    assert text.startswith("PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>\n")
    assert "PREFIX msr: <https://w3id.org/motorsport-kg/id/>\n" in text
    assert "SELECT" in text and "ms:season msr:imsa-wtscc-2024" in text

    # The example as it opens: its PREFIX lines and all.
    run_and_wait(page)
    assert page.evaluate("document.getElementById('error').hidden"), page.evaluate(
        "document.getElementById('error').textContent"
    )
    assert shown_table(page) == [list(t) for t in expected_table(served.url, text)]

    # Typed without PREFIX lines, run with Ctrl+Enter: kg's prefixes are added.
    put_query(page, TYPED)
    run_and_wait(page, keys=True)
    variables, rows = expected_table(served.url, TYPED)
    assert len(rows) > 10 and all(row[0].startswith("msr:") for row in rows)
    assert shown_table(page) == [variables, rows]
    status = page.evaluate("document.getElementById('status').textContent")
    assert status.startswith(f"{len(rows)} rows in ") and status.endswith(" s")
    assert page.evaluate("document.querySelector('#results td.iri').title").startswith(
        "https://w3id.org/motorsport-kg/id/"
    )

    # The download is the answer as SPARQL CSV: every row, IRIs whole.
    page.send("Page.setDownloadBehavior", behavior="allow", downloadPath=str(tmp_path))
    page.click("#download-csv")
    saved = tmp_path / "query-results.csv"
    deadline = time.monotonic() + 10
    while not saved.is_file() and time.monotonic() < deadline:
        time.sleep(0.05)
    server_csv = post(served.url, "PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>\n"
                      "PREFIX msr: <https://w3id.org/motorsport-kg/id/>\n" + TYPED,
                      accept="text/csv")  # fmt: skip
    assert list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8")))) == list(
        csv.reader(io.StringIO(server_csv))
    )

    assert page.console_errors == []
    assert page.requests and only_own_requests(page, served.url) == []


def test_a_saved_query_loads_with_its_parameters_in_the_text(
    browser: Browser, served: KgServe
) -> None:
    page = open_page(browser, served.url.removesuffix("query"))
    names = page.evaluate(
        "Array.from(document.querySelectorAll('.saved-query')).map(b => b.dataset.name)"
    )
    bundled = sorted(path.stem for path in (Path(__file__).parents[2] / "queries").glob("*.rq"))
    assert names == bundled
    page.click('.saved-query[data-name="driver-lineups"]')
    text = page.evaluate("document.getElementById('query').value")
    assert "VALUES (?event) { (msr:rolex-24-at-daytona-2024) }" in text
    assert "?event (iri): the event" in page.evaluate(
        "document.getElementById('about').textContent"
    )
    run_and_wait(page)
    variables, rows = expected_table(served.url, text)
    assert len(rows) > 10
    assert shown_table(page) == [variables, rows]

    # The filter keeps the queries whose title, name or description hold every word typed.
    catalogue = json.loads(get(served.url.removesuffix("query") + "page/catalogue.json")[2])
    words = ["driver", "event"]
    expected = [
        query["name"]
        for query in catalogue["queries"]
        if all(
            w in f"{query['title']} {query['name']} {query['description']}".lower() for w in words
        )
    ]
    assert 0 < len(expected) < len(bundled)
    page.click("#filter")
    page.type_text(" ".join(words).upper())
    visible = page.evaluate(
        "Array.from(document.querySelectorAll('#saved-list li')).filter(li => !li.hidden)"
        ".map(li => li.querySelector('button').dataset.name)"
    )
    assert visible == expected
    assert page.console_errors == [] and only_own_requests(page, served.url) == []


def test_errors_are_said_in_words_with_the_place_of_a_syntax_error(
    browser: Browser, served: KgServe
) -> None:
    page = open_page(browser, served.url.removesuffix("query"))
    put_query(page, "SELECT ?x WHERE {\n  ?x a ms:Team ) }")
    run_and_wait(page)
    error = page.evaluate("document.getElementById('error').textContent")
    assert error.startswith("The query has a syntax error at line 2, column "), error
    # The editor's caret is put on the place the server names.
    assert page.evaluate("document.getElementById('query').selectionStart") > len("SELECT ?x")

    put_query(page, "SELECT * WHERE { ?s dbo:team ?o }")
    run_and_wait(page)
    error = page.evaluate("document.getElementById('error').textContent")
    assert error.startswith("The query was not run: the query uses the prefix dbo: (line 1")

    put_query(page, DEEP)
    run_and_wait(page)
    error = page.evaluate("document.getElementById('error').textContent")
    assert error.startswith("The query was not run: the query nests brackets"), error
    assert page.evaluate("document.querySelector('#results table')") is None
    assert only_own_requests(page, served.url) == []


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[str]:
    """`kg serve --timeout 1 --max-queries 1` over the small fixture; its query URL.
    One per test: a heavy query holds its slot until Oxigraph has stopped it too."""
    with kg_serve(SMALL_DATA, tmp_path / "index", "--timeout", "1", "--max-queries", "1") as url:
        yield url


def test_a_query_past_the_time_limit_is_said_in_words(browser: Browser, strict: str) -> None:
    page = open_page(browser, strict.removesuffix("query"))
    put_query(page, HEAVY)
    run_and_wait(page)
    assert page.evaluate("document.getElementById('error').textContent") == (
        "The query took too long: the query ran longer than 1 s, the limit of this server, "
        "and was stopped; ask for less (LIMIT, fewer patterns)"
    )
    assert page.console_errors == [] or all("504" in e for e in page.console_errors)


def test_a_busy_server_is_said_in_words(browser: Browser, strict: str) -> None:
    page = open_page(browser, strict.removesuffix("query"))
    holder = threading.Thread(target=lambda: refused(strict, HEAVY), daemon=True)
    holder.start()
    time.sleep(0.3)
    put_query(page, "ASK { ?s ?p ?o }")
    run_and_wait(page)
    assert page.evaluate("document.getElementById('error').textContent") == (
        "The server is busy: 1 query is running, the most this server runs at once; "
        "try again shortly"
    )
    holder.join(timeout=20)


# -- over plain HTTP ---------------------------------------------------------------------


def get(url: str, accept: str = "*/*") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_page_and_its_files_carry_a_policy_of_their_own_origin_only(
    served: KgServe,
) -> None:
    home = served.url.removesuffix("query")
    status, headers, body = get(home, "text/html")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    policy = headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'self'; script-src 'self'; style-src 'self';")
    assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    html = body.decode()
    # Nothing inline that the policy would block, nothing from elsewhere.
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert re.search(r"\son[a-z]+\s*=", html) is None  # no inline event handlers
    for name, kind in [
        ("query.js", "text/javascript; charset=utf-8"),
        ("query.css", "text/css; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
        ("catalogue.json", "application/json"),
    ]:
        status, headers, asset = get(home + "page/" + name)
        assert (status, headers["Content-Type"]) == (200, kind), name
        assert headers["X-Content-Type-Options"] == "nosniff"
        if name != "catalogue.json":  # the catalogue holds namespace IRIs: data, not links
            assert b"http://" not in asset.replace(b"http://www.w3.org/2000/svg", b"")
            assert b"https://" not in asset, name
    assert b"https://" not in body and b"http://" not in body

    # The address kg serve prints opens the page in a browser; SPARQL clients are as before.
    status, _, body = get(served.url, "text/html,application/xhtml+xml,*/*;q=0.8")
    assert status == 200 and body.startswith(b"<!DOCTYPE html>")
    assert get(served.url, "application/sparql-results+json")[0] == 400
    # Answers and refusals are never sniffed into something else either.
    answered = get(served.url + "?query=ASK%7B%7D", "application/sparql-results+json")
    assert answered[0] == 200 and answered[1]["X-Content-Type-Options"] == "nosniff"
    assert get(home + "nothing")[1]["X-Content-Type-Options"] == "nosniff"
    assert get(served.url, "text/html;q=0")[0] == 400
    # Unknown paths stay 404, and the page takes no query.
    for path in ("page/", "page/other.js", "favicon.ico", "update", "page/query.js/x"):
        assert get(home + path)[0] == 404, path
    assert refused(home, "ASK {}")[0] == 404


def test_kg_prefixes_are_added_only_where_the_query_does_not_declare_them(
    served: KgServe,
) -> None:
    declared = "PREFIX ms: <https://w3id.org/motorsport-kg/ontology/>\n" \
        "PREFIX msr: <https://w3id.org/motorsport-kg/id/>\n"  # fmt: skip
    assert post(served.url, TYPED) == post(served.url, declared + TYPED)
    # A query's own PREFIX wins over kg's.
    own = post(served.url, "PREFIX ms: <http://example.org/>\nSELECT (ms:x AS ?x) {}")
    assert own["results"]["bindings"] == [{"x": {"type": "uri", "value": "http://example.org/x"}}]
    # A prefix that is neither declared nor kg's is named, with its place.
    status, reason = refused(served.url, "SELECT * WHERE {\n  ?s a ms:Team ; dbo:x ?o }")
    assert status == 400
    assert reason.startswith(
        "the query uses the prefix dbo: (line 2, column 18) without declaring it; add "
        "'PREFIX dbo: <namespace IRI>' at the top, or use a prefix this server knows: ms:, msv:,"
    )
    # A syntax error on line 1 is placed where the client wrote it, not where it is in
    # the text with kg's declarations in front of that line: at the column the same
    # line has when the client declares the prefix on a line of its own.
    broken = "SELECT * WHERE { ?s ?p ?o ) ms:x }"
    status, reason = refused(served.url, broken)
    reference = refused(served.url, declared + broken)
    assert status == reference[0] == 400
    assert reference[1].startswith("error at 3:")
    assert reason == reference[1].replace("error at 3:", "error at 1:", 1)
