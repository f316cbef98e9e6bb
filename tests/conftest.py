"""Shared fixtures. Helpers here are small and used by several test modules."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def run_kg() -> object:
    """Run `kg ARGS...` in-process as a user would, with stdout and stderr kept apart."""
    from kg.cli import cli

    def run(*args: str, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False, prog_name="kg")

    return run


def kg_args(*args: str, data: Sequence[Path] = ()) -> list[str]:
    extra: list[str] = []
    for item in data:
        extra += ["--data", str(item)]
    return [*extra, *args]
