"""The site of the bundled knowledge in a real headless Chromium at 1400 x 900.

Regression tests for issue 16: the home page opened with triple counts and the
pending decision sat 2,400 px down; five query pages ran off the page at 1400 px
(scrollWidth up to 2,682 px).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from browser import Browser, Page
from click.testing import CliRunner
from conftest import core_data_args

from kg.cli import cli

WIDTH, HEIGHT = 1400, 900


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    # What a page shows is checked here; that every store builds the same site is
    # tests/outputs/test_build.py's and test_equivalence.py's. The index builds fastest.
    index = tmp_path_factory.mktemp("site-index")
    result = CliRunner().invoke(
        cli,
        ["--store", f"oxigraph:{index}", *core_data_args(), "build", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser(size=(WIDTH, HEIGHT)) as running:
        yield running


def open_page(browser: Browser, path: Path, query: str = "") -> Page:
    page = browser.open(path)
    page.wait_for("document.readyState === 'complete'")
    if query:
        page.navigate(path.resolve().as_uri() + query)
        page.wait_for("document.readyState === 'complete'")
    return page


def test_the_pending_decision_is_above_the_fold(browser: Browser, site: Path) -> None:
    page = open_page(browser, site / "index.html")
    box = page.evaluate(
        "(() => { const r = document.querySelector('#pending tr.decision')"
        ".getBoundingClientRect(); return [r.top, r.bottom]; })()"
    )
    assert box[0] > 0 and box[1] <= HEIGHT, f"the pending decision is drawn at {box}"
    row = page.evaluate("document.querySelector('#pending tr.decision').innerText")
    assert "Will the BMW M Hybrid V8 also be run by teams other than the factory teams" in row
    assert "under evaluation since July 2023" in row
    assert "Sep–Dec 2023" in row  # the expected time in words
    assert "Andreas Roos, in BMW yet to decide on LMDh customer teams" in row
    assert "July 2023" in row
    assert "msr:" not in row and "https://" not in row
    # Then what changed, then the entities; the numbers, downloads and queries below.
    tops = page.evaluate(
        "['#pending', '#changes', '#entities', '#summary', '#exports', '#queries']"
        ".map(s => document.querySelector(s).getBoundingClientRect().top)"
    )
    assert tops == sorted(tops)
    assert tops[1] < HEIGHT, "what changed starts below the fold"
    newest = page.evaluate("document.querySelector('#changes li').innerText")
    assert "2024" in newest and "Rolex 24" in newest
    entities = page.evaluate("document.querySelector('#entities').innerText")
    assert "Andreas Roos" in entities and "BMW M Hybrid V8" in entities
    assert page.console_errors == [] and page.requests_blocked == []
    page.close()


@pytest.mark.parametrize(
    ("today", "overdue"),
    [("2023-10-01", False), ("2023-12-31", False), ("2024-01-01", True), ("", None)],
)
def test_overdue_is_flagged_against_the_readers_today(
    browser: Browser, site: Path, today: str, overdue: bool | None
) -> None:
    page = open_page(browser, site / "index.html", f"?today={today}" if today else "")
    if overdue is None:  # no ?today: the browser's own date
        overdue = date.today() > date(2023, 12, 31)
        today = date.today().isoformat()
    flag = "document.querySelector('#pending .overdue-flag')"
    assert page.evaluate(f"{flag}.hidden") is (not overdue)
    classes = page.evaluate("document.querySelector('#pending tr.decision').className")
    assert ("overdue" in classes.split()) is overdue
    if overdue:
        text = page.evaluate(f"{flag}.innerText")
        assert text == f"overdue: the expected time ended on 31 December 2023 (today is {today})"
    page.close()


def test_no_page_is_wider_than_the_window_at_1400_px(browser: Browser, site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 15
    too_wide = {}
    for path in pages:
        page = open_page(browser, path)
        width = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if width[0] > width[1]:
            too_wide[str(path.relative_to(site))] = width
        # No table sticks out of the main column either.
        wider = page.evaluate(
            "Array.from(document.querySelectorAll('main table'))"
            ".filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth)"
            ".length"
        )
        if wider:
            too_wide[str(path.relative_to(site)) + " (tables)"] = wider
        page.close()
    assert too_wide == {}


def test_query_tables_are_headed_in_words(browser: Browser, site: Path) -> None:
    page = open_page(browser, site / "queries" / "event-results.html")
    headings = page.evaluate(
        "Array.from(document.querySelectorAll('table.results th')).map(t => [t.innerText, t.title])"
    )
    page.close()
    assert ["Laps behind class winner", "?lapsBehindClassWinner"] in headings
    assert not [text for text, _ in headings if any(c.isupper() for c in text[1:])], headings


def test_every_listed_entity_has_its_briefing_page(browser: Browser, site: Path) -> None:
    # Issue 16: the site had no page per entity; the home page listed names only.
    page = open_page(browser, site / "index.html")
    links = page.evaluate(
        "Array.from(document.querySelectorAll('#entities a.entity'))"
        ".map(a => [a.innerText, a.getAttribute('href')])"
    )
    page.close()
    assert ["Andreas Roos", "entities/andreas-roos.html"] in links
    assert all((site / href).is_file() for _, href in links), links
    roos = open_page(browser, site / "entities" / "andreas-roos.html")
    shown = roos.evaluate(
        "({title: document.querySelector('h1').innerText,"
        " sections: Array.from(document.querySelectorAll('section.briefing h2'))"
        ".map(h => h.innerText),"
        " references: document.querySelectorAll('#references li').length,"
        " cites: Array.from(document.querySelectorAll('a.cite')).map(a => a.getAttribute('href')),"
        " text: document.body.innerText})"
    )
    assert shown["title"] == "Andreas Roos"
    assert shown["sections"][:2] == ["Roles", "Quotes"]
    assert shown["references"] == 2
    # Every citation jumps to a reference that is there.
    for href in set(shown["cites"]):
        assert roos.evaluate(f"document.querySelector('{href}') !== null"), href
    assert "msr:" not in shown["text"]
    roos.close()
    # The event's cars link to their own pages, which tell the race in time order.
    event = open_page(browser, site / "entities" / "rolex-24-at-daytona-2024.html")
    hrefs = event.evaluate(
        "Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))"
    )
    event.close()
    assert "rolex-24-at-daytona-2024-entry-24.html" in hrefs
    car = open_page(browser, site / "entities" / "rolex-24-at-daytona-2024-entry-24.html")
    shown = car.evaluate(
        "({title: document.querySelector('h1').innerText, text: document.body.innerText})"
    )
    car.close()
    assert shown["title"].startswith("#24"), shown["title"]
    assert "Around 2.30 a.m. on 28 Jan 2024: technical failure, electronics" in shown["text"]
