"""The interactive page in a real headless Chromium, opened from disk with the network off.

One browser for the module; the page is written by `kg viz` from the fixture
data, then searched, clicked, hovered, zoomed, panned and dragged as a
person would, through real input events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Browser, Page
from click.testing import CliRunner
from conftest import FIXTURES

DATA = FIXTURES / "viz" / "data"
MSR = "https://w3id.org/motorsport-kg/id/"


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.cli import cli

    out = tmp_path_factory.mktemp("viz-page") / "graph.html"
    result = CliRunner().invoke(
        cli,
        ["--store", "memory", "--data", str(DATA), "viz", "-o", str(out), "--title", "Fixture"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as running:
        yield running


@pytest.fixture
def page(browser: Browser, page_file: Path) -> Iterator[Page]:
    opened = browser.open(page_file)
    opened.wait_for("document.body.getAttribute('data-ready') === 'true'")
    yield opened
    assert opened.console_errors == []
    assert opened.requests_blocked == []
    opened.close()


def node(iri: str) -> str:
    return f'.node[data-id="{iri}"] circle'


def text(page: Page, selector: str) -> str:
    return str(page.evaluate(f"document.querySelector({json.dumps(selector)}).textContent"))


def fact_rows(page: Page) -> list[list[str]]:
    rows = page.evaluate(
        "Array.from(document.querySelectorAll('#facts tr.fact'))"
        ".map(r => Array.from(r.cells).map(c => c.innerText))"
    )
    return [list(row) for row in rows]


def test_nodes_edges_and_legend_are_drawn(page: Page) -> None:
    assert page.evaluate("document.title") == "Fixture"
    ids = page.evaluate("Array.from(document.querySelectorAll('.node')).map(n => n.dataset.id)")
    assert len(ids) == 11 and MSR + "rene-rast" in ids
    assert page.evaluate("document.querySelectorAll('path.edge').length") == 9
    labels = page.evaluate(
        "Array.from(document.querySelectorAll('.node text')).map(t => t.textContent)"
    )
    assert "René Rast" in labels and "Andreas Roos" in labels
    legend = page.evaluate(
        "Array.from(document.querySelectorAll('#legend li')).map(l => l.textContent)"
    )
    assert "person (2)" in legend and "team (1)" in legend
    assert text(page, "#counts") == "11 nodes, 9 edges"
    # Every node is inside the visible canvas after the initial fit.
    inside = page.evaluate(
        "Array.from(document.querySelectorAll('.node circle')).every(c => {"
        " const r = c.getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth"
        " && r.top >= 0 && r.bottom <= innerHeight; })"
    )
    assert inside is True


def test_search_centres_highlights_and_shows_sourced_facts(page: Page, tmp_path: Path) -> None:
    page.click("#search")
    page.type_text("rene rast")
    assert page.evaluate("document.querySelector('#results').hidden") is False
    assert text(page, "#results li") == "René Rastperson"
    page.press("Enter")
    page.wait_for("!document.querySelector('#panel').hidden")
    assert text(page, "#panel-label") == "René Rast"
    assert text(page, "#panel-type") == "person"
    assert text(page, "#panel-iri") == "msr:rene-rast"
    classes = page.evaluate(
        f"document.querySelector('.node[data-id=\"{MSR}rene-rast\"]').getAttribute('class')"
    )
    assert "highlight" in classes and "selected" in classes
    rows = fact_rows(page)
    assert ["nationality", "Germany", "Roos: Kundenentscheidung Ende 2023 (2023-07, de)"] in rows
    assert any(
        row[0] == "entry (driven by)" and "BMW at the Rolex 24 (2024-02-01, en)" in row[2]
        for row in rows
    )
    # The match is centred in the part of the canvas the panel leaves free.
    x, _ = page.centre_of(node(MSR + "rene-rast"))
    free_width = page.evaluate("innerWidth - document.querySelector('#panel').offsetWidth")
    assert abs(x - free_width / 2) < 3
    shot = page.screenshot(tmp_path / "search.png")
    assert_not_blank(tmp_path / "search.png", shot)


def test_search_ignores_accents_case_and_finds_aliases(page: Page) -> None:
    page.click("#search")
    page.type_text("rll")
    page.press("Enter")
    page.wait_for("!document.querySelector('#panel').hidden")
    assert text(page, "#panel-label") == "Rahal Letterman Lanigan Racing"
    page.evaluate("document.querySelector('#search').value = ''")
    page.click("#search")
    page.type_text("RENÉ")
    assert page.evaluate("document.querySelectorAll('#results li').length") == 2  # Rast, his entry


def test_click_shows_facts_of_a_node_and_hover_shows_label_and_type(page: Page) -> None:
    x, y = page.centre_of(node(MSR + "andreas-roos"))
    page.mouse("mouseMoved", x, y)
    page.wait_for("!document.querySelector('#tooltip').hidden")
    assert text(page, "#tooltip") == "Andreas Roosperson"
    page.click(node(MSR + "andreas-roos"))
    page.wait_for("!document.querySelector('#panel').hidden")
    assert text(page, "#panel-label") == "Andreas Roos"
    rows = fact_rows(page)
    sources = sorted(row[2] for row in rows if row[0] == "role (held by person)")
    assert sources == [
        "BMW at the Rolex 24 (2024-02-01, en)",
        "Roos: Kundenentscheidung Ende 2023 (2023-07, de)",
    ]
    # Its two role edges (parallel) are drawn apart and emphasised.
    near = page.evaluate(
        "Array.from(document.querySelectorAll('path.edge.near')).map(p => p.getAttribute('d'))"
    )
    assert len(near) == 2 and near[0] != near[1]
    page.click("#close")
    assert page.evaluate("document.querySelector('#panel').hidden") is True


def test_drag_zoom_and_pan(page: Page) -> None:
    rast = node(MSR + "rene-rast")
    start = page.centre_of(rast)
    page.drag(start, (start[0] + 60, start[1] + 40))
    end = page.centre_of(rast)
    assert abs(end[0] - start[0] - 60) < 2 and abs(end[1] - start[1] - 40) < 2
    # A drag is not a click: no panel opened.
    assert page.evaluate("document.querySelector('#panel').hidden") is True

    transform = "document.querySelector('#viewport').getAttribute('transform')"
    before = page.evaluate(transform)
    page.wheel(400, 400, -300)
    zoomed = page.wait_for(f"{transform} !== {json.dumps(before)} && {transform}")

    def scale(value: str) -> float:
        return float(value.split("scale(")[1].rstrip(")"))

    assert scale(zoomed) > scale(before)
    empty = page.evaluate(
        "(() => { for (let y = 80; y < innerHeight; y += 20) for (let x = 300; x < innerWidth;"
        " x += 20) if (document.elementFromPoint(x, y) === document.querySelector('#canvas'))"
        " return [x, y]; return null; })()"
    )
    page.drag((empty[0], empty[1]), (empty[0] - 100, empty[1] - 50))
    panned = page.evaluate(transform)
    assert panned != zoomed and scale(panned) == scale(zoomed)
    assert page.evaluate("document.querySelector('#panel').hidden") is True


def test_legend_dims_a_class(page: Page) -> None:
    page.click('#legend li[data-group="person"]')
    dimmed = page.evaluate(
        "Array.from(document.querySelectorAll('.node.dim')).map(n => n.dataset.id)"
    )
    assert sorted(dimmed) == [MSR + "andreas-roos", MSR + "rene-rast"]


def assert_not_blank(path: Path, data: bytes) -> None:
    from PIL import Image

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as image:
        assert image.size == (1280, 800)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 100
    most_common = max(colours)[0]
    assert most_common < 1280 * 800 * 0.95
