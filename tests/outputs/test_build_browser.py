"""The built index.html in a real headless Chromium: shown, no console errors, not blank."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import Browser
from click.testing import CliRunner

from kg.cli import cli

VALID = Path(__file__).parents[1] / "fixtures" / "build" / "valid"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = CliRunner().invoke(
        cli, ["--data", str(VALID), "build", "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return out


def test_index_opens_from_disk_shows_the_summary_and_logs_no_errors(
    built: Path, tmp_path: Path
) -> None:
    from PIL import Image

    with Browser(size=(1280, 1000)) as browser:
        page = browser.open(built / "index.html")
        page.wait_for("document.readyState === 'complete'")
        assert page.evaluate("document.title") == "motorsport-kg"
        summary = page.evaluate("document.querySelector('#summary').innerText")
        assert "Things per class" in summary and "Sources" in summary
        # The pending decisions lead the page, above the summary (issue 16).
        pending = page.evaluate("document.querySelector('#pending').innerText")
        assert "Pending decisions" in pending
        banner = page.evaluate("document.querySelector('#validation-status').innerText")
        assert banner.startswith("Validation: the data conforms")
        # The stylesheet loaded from disk: the banner is green, not unstyled.
        colour = page.evaluate(
            "getComputedStyle(document.querySelector('#validation-status')).backgroundColor"
        )
        assert colour == "rgb(227, 246, 232)"
        shot = tmp_path / "index.png"
        page.screenshot(shot)
        assert page.console_errors == []
        assert page.requests_blocked == []
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 1000)
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50, "the screenshot looks blank"
