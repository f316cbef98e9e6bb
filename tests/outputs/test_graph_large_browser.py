"""A graph of 5,000 nodes stays responsive on the interactive page (real headless Chromium).

Not a performance target (those are in benchmarks/bench_graph_page.py): the bounds
are generous and only catch a page that hangs or redraws everything on each
frame. The graph is generated: 5,000 nodes of twelve classes, 7,500 edges.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Browser, Page
from generated_graph import generated_graph

from kg.outputs import viz

NODES = 5_000

# The longest gap between frames while `count` wheel events are handled, one a frame.
WORST_FRAME = """
new Promise(done => {
  const canvas = document.querySelector('#canvas');
  let last = performance.now(), worst = 0, left = %d;
  function step() {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
    if (left-- <= 0) { done(worst); return; }
    canvas.dispatchEvent(new WheelEvent('wheel', {deltaY: left %% 2 ? 240 : -200,
      clientX: 600, clientY: 400, bubbles: true, cancelable: true}));
    requestAnimationFrame(step);
  }
  requestAnimationFrame(step);
})
"""


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("large") / "graph.html"
    viz.write_html(generated_graph(NODES), out, title="Generated")
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser(size=(1400, 900), timeout=60.0) as running:
        yield running


@pytest.fixture
def page(browser: Browser, page_file: Path) -> Iterator[Page]:
    opened = browser.open(page_file)
    opened.wait_for("document.body.getAttribute('data-ready') === 'true'", timeout=60)
    yield opened
    assert opened.console_errors == []
    opened.close()


def test_opens_on_a_neighbourhood_and_stays_responsive(page: Page) -> None:
    assert (
        page.evaluate("JSON.parse(document.querySelector('#graph-data').textContent).nodes.length")
        == NODES
    )
    drawn = page.evaluate("document.querySelectorAll('.node').length")
    assert 10 <= drawn <= 60
    worst = page.evaluate(WORST_FRAME % 30)
    assert worst < 1000, f"a frame took {worst:.0f} ms while zooming"
    page.click("#search")
    page.type_text("number 4321")
    page.press("Enter")
    page.wait_for(
        "document.querySelector('#panel-label').textContent === 'Generated class b number 4321'"
    )


def test_showing_all_5000_nodes_does_not_hang(page: Page) -> None:
    took = page.evaluate(
        "new Promise(done => { const start = performance.now();"
        " document.querySelector('#show-all').click();"
        " requestAnimationFrame(() => requestAnimationFrame("
        " () => done(performance.now() - start))); })"
    )
    assert page.evaluate("document.querySelectorAll('.node').length") == NODES
    assert took < 20_000, f"showing every node took {took:.0f} ms"
    worst = page.evaluate(WORST_FRAME % 10)
    assert worst < 3000, f"a frame took {worst:.0f} ms while zooming all {NODES} nodes"
