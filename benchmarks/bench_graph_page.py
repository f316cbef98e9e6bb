"""How fluid the interactive graph page is on large generated graphs, in headless Chromium.

For each size: the time to write the page (Python), the time until it is ready in
the browser, and the frames while zooming (30 wheel events, one a frame) on the
readable neighbourhood the page opens on; then the same after "Show all", which
draws every node as the page did before it opened on a neighbourhood: that is the
baseline, measured in the same run.

    python benchmarks/bench_graph_page.py                  # 1000, 5000, 20000 nodes
    python benchmarks/bench_graph_page.py --sizes 5000

Needs Chromium at /usr/bin/chromium (tests/browser.py drives it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

FRAMES = """
new Promise(done => {
  const canvas = document.querySelector('#canvas');
  let last = performance.now(), left = 30; const gaps = [];
  function step() {
    const now = performance.now(); gaps.push(now - last); last = now;
    if (left-- <= 0) { done(gaps.slice(1)); return; }
    canvas.dispatchEvent(new WheelEvent('wheel', {deltaY: left % 2 ? 240 : -200,
      clientX: 600, clientY: 400, bubbles: true, cancelable: true}));
    requestAnimationFrame(step);
  }
  requestAnimationFrame(step);
})
"""

SHOW_ALL = """
new Promise(done => { const start = performance.now();
  document.querySelector('#show-all').click();
  requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - start))); })
"""


def measure(size: int, folder: Path) -> dict[str, float]:
    from browser import Browser
    from generated_graph import generated_graph

    from kg.outputs import viz

    path = folder / f"graph-{size}.html"
    started = time.perf_counter()
    viz.write_html(generated_graph(size), path, title=f"{size} nodes")
    write_s = time.perf_counter() - started
    with Browser(size=(1400, 900), timeout=300.0) as browser:
        started = time.perf_counter()
        page = browser.open(path)
        page.wait_for("document.body.getAttribute('data-ready') === 'true'", timeout=300)
        open_s = time.perf_counter() - started
        drawn = page.evaluate("document.querySelectorAll('.node').length")
        opening = page.evaluate(FRAMES)
        show_all_ms = page.evaluate(SHOW_ALL)
        everything = page.evaluate(FRAMES)
        page.close()
    return {
        "write_s": write_s,
        "open_s": open_s,
        "drawn": drawn,
        "frame_median_ms": statistics.median(opening),
        "frame_worst_ms": max(opening),
        "show_all_ms": show_all_ms,
        "all_frame_median_ms": statistics.median(everything),
        "all_frame_worst_ms": max(everything),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000", help="node counts, comma-separated")
    options = parser.parse_args()
    sizes = [int(item) for item in options.sizes.split(",") if item.strip()]
    print(
        "nodes   write s  open s  drawn  frame med/worst ms (opening)"
        "  show all ms  frame med/worst ms (all drawn: baseline)"
    )
    with tempfile.TemporaryDirectory(prefix="kg-bench-graph-") as scratch:
        for size in sizes:
            found = measure(size, Path(scratch))
            print(
                f"{size:>6}  {found['write_s']:>7.2f}  {found['open_s']:>6.2f}"
                f"  {found['drawn']:>5.0f}"
                f"  {found['frame_median_ms']:>8.1f} / {found['frame_worst_ms']:<8.1f}"
                f"              {found['show_all_ms']:>9.0f}"
                f"  {found['all_frame_median_ms']:>8.1f} / {found['all_frame_worst_ms']:.1f}"
            )


if __name__ == "__main__":
    main()
