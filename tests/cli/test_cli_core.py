"""The CLI shell: help, exit codes, and errors for unreadable input (pinned by name)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import COMMANDS, SUMMARIES, cli

FIXTURES = Path(__file__).parents[1] / "fixtures" / "cli"
README = Path(__file__).parents[2] / "README.md"


def test_every_command_has_help_and_a_summary(run_kg) -> None:
    result = run_kg("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in SUMMARIES, f"{name} has no one-line summary for 'kg --help'"
        assert name in result.stdout
        sub = run_kg(name, "--help")
        assert sub.exit_code == 0, sub.output
        assert "Usage: kg " + name in sub.stdout
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and (command.help or "").strip(), f"{name} lacks a docstring"


def test_every_command_is_documented_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"kg {name}" in text, f"README does not mention 'kg {name}'"


def test_readme_documents_every_exit_code() -> None:
    text = README.read_text(encoding="utf-8")
    for code in ("0", "1", "2", "3"):
        assert f"| {code} |" in text


def test_unknown_command_is_a_usage_error(run_kg) -> None:
    result = run_kg("frobnicate")
    assert result.exit_code == 2
    assert "No such command" in result.stderr


def test_python_dash_m_kg_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("kg ")


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys; from kg.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('rdflib', 'pyshacl', 'networkx', 'pyoxigraph', 'matplotlib')"
        " if m in sys.modules]\n"
        "print('HEAVY:' + ','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_malformed_turtle_names_file_and_line(run_kg) -> None:
    result = run_kg("validate", str(FIXTURES / "malformed.ttl"))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "malformed.ttl: line 6" in result.stderr
    assert "Traceback" not in result.output


def test_missing_file_is_unreadable_input(run_kg) -> None:
    result = run_kg("validate", str(FIXTURES / "no-such-file.ttl"))
    assert result.exit_code == 3
    assert "no-such-file.ttl: no such file" in result.stderr


def _as_a_user_who_cannot_read(path: Path) -> list[str]:
    """The command prefix that runs kg as someone who cannot read `path` (mode 000): the
    user running the tests, or, when that is root (who reads anything), nobody."""
    import os
    import shutil

    path.chmod(0)
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) drops root to test an unreadable file"
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "{file}"),
        ("--data", "{file}", "validate"),
        ("validate", "--shapes", "{file}", "{good}"),
    ],
    ids=["validate FILE", "--data FILE", "--shapes FILE"],
)
def test_an_unreadable_file_is_unreadable_input_not_a_usage_error(args: tuple[str, ...]) -> None:
    # Issue 18 item 11: click refused it as a usage error (exit 2: "is not readable").
    import os
    import shutil
    import tempfile

    # Not under tmp_path: pytest's own folder may be entered by its owner only.
    tmp_path = Path(tempfile.mkdtemp(prefix="kg-unreadable-"))
    tmp_path.chmod(0o755)
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    good = Path(__file__).resolve().parents[2] / "data" / "entities.ttl"
    prefix = _as_a_user_who_cannot_read(secret)
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o777)
    cache.chmod(0o777)
    argv = [a.format(file=secret, good=good) for a in args]
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "HOME": str(cache)}
    result = subprocess.run(
        [*prefix, sys.executable, "-m", "kg", "--store", "memory", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    secret.chmod(0o644)
    shutil.rmtree(tmp_path)
    assert result.returncode == 3, result.stderr
    assert f"{secret}: cannot be read: Permission denied" in result.stderr
    assert "Traceback" not in result.stderr


def test_not_utf8_is_unreadable_input(run_kg) -> None:
    result = run_kg("validate", str(FIXTURES / "latin1.ttl"))
    assert result.exit_code == 3
    assert "latin1.ttl: not UTF-8 text" in result.stderr


def test_unknown_suffix_asks_for_a_format(run_kg) -> None:
    result = run_kg("validate", str(FIXTURES / "unknown-suffix.txt"))
    assert result.exit_code == 2
    assert "name it with --input-format" in result.stderr


def test_unknown_input_format_is_a_usage_error(run_kg) -> None:
    result = run_kg("validate", "--input-format", "yaml", str(FIXTURES / "malformed.ttl"))
    assert result.exit_code == 2
    assert "unknown RDF format 'yaml'" in result.stderr


def test_jsonld_with_remote_context_is_refused_offline(run_kg) -> None:
    result = run_kg("validate", str(FIXTURES / "remote-context.jsonld"))
    assert result.exit_code == 3
    assert "remote @context" in result.stderr


@pytest.mark.parametrize("choice", ["--format", "--inference"])
def test_bad_choice_is_a_usage_error(run_kg, choice: str) -> None:
    result = run_kg("validate", choice, "nonsense")
    assert result.exit_code == 2
    assert "Invalid value" in result.stderr


def test_kg_data_names_the_data_when_no_data_option_is_given(run_kg, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """KG_DATA lists folders or files like PATH; --data wins over it; a path it lists
    that does not exist is an input error that says where the path came from."""
    import os

    from conftest import FULL_DATA

    articles = FULL_DATA / "articles"
    monkeypatch.setenv("KG_DATA", os.pathsep.join([str(FULL_DATA / "entities.ttl"), str(articles)]))
    shown = run_kg("--store", "memory", "show", "Andreas Roos")
    assert shown.exit_code == 0, shown.stderr
    monkeypatch.setenv("KG_DATA", "/no/such/folder")
    missing = run_kg("--store", "memory", "validate")
    assert missing.exit_code == 3
    assert "/no/such/folder: no such data folder or file (listed in KG_DATA)" in missing.stderr
    given = run_kg("--store", "memory", "--data", "/no/such/folder", "validate")
    assert given.exit_code == 3 and "(listed in KG_DATA)" not in given.stderr
