"""The interactive graph of the bundled knowledge is readable, in a real headless Chromium.

Regression tests for issue 16: the page opened as a hairball of all 575 nodes,
labels overlapped, and incidents and other unnamed claims were labelled with
their IRIs. Boxes are measured from the drawn page (getBoundingClientRect).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Browser, Page
from click.testing import CliRunner
from conftest import core_data_args

from kg.cli import cli

IRI_LIKE = re.compile(r"^(msr?|msv|https?):|^<|imsa-2024|daytona-2024-report")

# Every visible node or edge label's box on screen, inside the canvas.
LABEL_BOXES = """
(() => {
  const canvas = document.querySelector('#canvas').getBoundingClientRect();
  return Array.from(document.querySelectorAll('.node text, .edge-label'))
    .filter(t => getComputedStyle(t).display !== 'none')
    .map(t => { const r = t.getBoundingClientRect();
                return {text: t.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom}; })
    .filter(r => r.r > canvas.left && r.l < canvas.right && r.b > canvas.top
                 && r.t < canvas.bottom && r.r > r.l);
})()
"""


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("viz-real") / "graph.html"
    result = CliRunner().invoke(
        cli, [*core_data_args(), "viz", "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser(size=(1400, 900)) as running:
        yield running


@pytest.fixture
def page(browser: Browser, page_file: Path) -> Iterator[Page]:
    opened = browser.open(page_file)
    opened.wait_for("document.body.getAttribute('data-ready') === 'true'")
    yield opened
    assert opened.console_errors == []
    assert opened.requests_blocked == []
    opened.close()


def overlapping(page: Page) -> list[tuple[str, str]]:
    """Pairs of visible labels whose drawn boxes overlap (by more than half a pixel)."""
    boxes = page.evaluate(LABEL_BOXES)
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (
                min(a["r"], b["r"]) - max(a["l"], b["l"]) > 0.5
                and min(a["b"], b["b"]) - max(a["t"], b["t"]) > 0.5
            ):
                pairs.append((a["text"], b["text"]))
    return pairs


def visible_labels(page: Page) -> list[str]:
    return [box["text"] for box in page.evaluate(LABEL_BOXES)]


def settle(page: Page) -> None:
    """Wait for the labels of the current view to be placed (one animation frame)."""
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def test_opens_on_a_readable_neighbourhood_not_the_whole_graph(page: Page) -> None:
    drawn = page.evaluate("document.querySelectorAll('.node').length")
    total = page.evaluate(
        "JSON.parse(document.querySelector('#graph-data').textContent).nodes.length"
    )
    assert total > 500
    assert 10 <= drawn <= 60
    counts = page.evaluate("document.querySelector('#counts').textContent")
    assert counts.startswith(f"showing {drawn} of {total} nodes")
    assert page.evaluate("document.querySelector('#show-all').hidden") is False
    # Most of what is drawn is named on screen, not hidden away.
    assert len(visible_labels(page)) >= drawn // 2


def test_no_two_visible_labels_overlap_at_opening_and_after_zooming(page: Page) -> None:
    settle(page)
    assert overlapping(page) == []
    for delta in (-600, 900, 1500):
        page.wheel(700, 450, delta)
        settle(page)
        assert overlapping(page) == [], f"after a wheel of {delta}"
    page.click("#show-all")
    settle(page)
    assert page.evaluate("document.querySelectorAll('.node').length") > 500
    assert overlapping(page) == []
    assert visible_labels(page), "no label at all is shown"


def test_selected_node_with_its_edge_labels_does_not_overlap(page: Page) -> None:
    focus = page.evaluate("JSON.parse(document.querySelector('#graph-data').textContent).focus")
    page.click(f'.node[data-id="{focus}"] circle')
    page.wait_for("!document.querySelector('#panel').hidden")
    settle(page)
    assert overlapping(page) == []
    label = page.evaluate("document.querySelector('#panel-label').textContent")
    assert label in visible_labels(page)


def test_no_label_is_an_iri_and_incidents_are_named_by_type_and_values(page: Page) -> None:
    nodes = page.evaluate(
        "JSON.parse(document.querySelector('#graph-data').textContent).nodes"
        ".map(n => [n.type, n.label])"
    )
    named_by_iri = [label for _, label in nodes if IRI_LIKE.search(label)]
    assert named_by_iri == []
    incidents = sorted(label for kind, label in nodes if kind == "incident")
    assert "Incident: technical failure, electronics, steering wheel (#24, Dries Vanthoor)" in (
        incidents
    )
    assert all(label.startswith("Incident: ") and "(#2" in label for label in incidents)


def test_search_opens_on_a_node_not_shown_and_double_click_expands(page: Page) -> None:
    page.click("#search")
    page.type_text("gearbox cooler")
    page.press("Enter")
    page.wait_for("!document.querySelector('#panel').hidden")
    assert page.evaluate("document.querySelector('#panel-label').textContent") == (
        "Incident: leak, gearbox cooler (#25)"
    )
    settle(page)
    assert "Incident: leak, gearbox cooler (#25)" in visible_labels(page)
    assert overlapping(page) == []
    # A node with links not shown yet is drawn with a thicker rim; double-click adds them.
    # One whose centre is not under the panel, the legend or another node.
    entry = page.evaluate(
        "(() => Array.from(document.querySelectorAll('.node.more')).find(n => {"
        " const r = n.querySelector('circle').getBoundingClientRect();"
        " const under = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);"
        " return under && under.closest && under.closest('.node') === n; }).dataset.id)()"
    )
    before = page.evaluate("document.querySelectorAll('.node').length")
    x, y = page.centre_of(f'.node[data-id="{entry}"] circle')
    for count in (1, 2):
        page.mouse("mousePressed", x, y, button="left", buttons=1, clickCount=count)
        page.mouse("mouseReleased", x, y, button="left", buttons=0, clickCount=count)
    settle(page)
    after = page.evaluate("document.querySelectorAll('.node').length")
    assert after > before
    assert overlapping(page) == []
    assert json.loads(json.dumps(page.console_errors)) == []
