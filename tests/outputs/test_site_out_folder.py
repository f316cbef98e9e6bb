"""`kg build --out DIR` changes only what kg wrote there (issue 18).

kg records a checksum of every file it writes in the site's manifest
(`.kg-build.json`). A later build replaces or removes a file only while it still
holds those bytes; a file someone changed or made is kept, and kg says so. A
non-empty folder kg did not build into is refused unless `--overwrite` is given.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli import cli

VALID = Path(__file__).parents[1] / "fixtures" / "build" / "valid"


def build(out: Path, *extra: str) -> Result:
    return CliRunner().invoke(
        cli,
        ["--data", str(VALID), "build", "--out", str(out), *extra],
        catch_exceptions=False,
        prog_name="kg",
    )


def listing(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site kg built, to copy: each test starts from its own copy."""
    out = tmp_path_factory.mktemp("built") / "site"
    result = build(out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def site(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "site", symlinks=True))


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_folder_with_files_kg_did_not_write_is_refused_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "index.html").write_text("my own page\n")
    (out / "notes.txt").write_text("mine\n")
    result = build(out)
    assert result.exit_code == 2, result.output
    assert "mine is not empty and kg did not build a site there" in result.stderr
    assert "--overwrite" in result.stderr
    assert "Traceback" not in result.stderr
    assert listing(out) == {"index.html": b"my own page\n", "notes.txt": b"mine\n"}
    # Refused before the knowledge is even read: data that does not exist is not reached.
    unread = CliRunner().invoke(
        cli, ["--data", str(tmp_path / "absent"), "build", "--out", str(out)], prog_name="kg"
    )
    assert unread.exit_code == 2 and "--overwrite" in unread.stderr


def test_overwrite_writes_the_site_into_it_and_leaves_the_other_files(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "index.html").write_text("my own page\n")
    (out / "notes.txt").write_text("mine\n")
    result = build(out, "--overwrite")
    assert result.exit_code == 0, result.output
    assert "my own page" not in (out / "index.html").read_text()
    assert (out / "notes.txt").read_text() == "mine\n"
    # Now kg built into it: a second build needs no flag, and writes nothing new.
    again = build(out)
    assert again.exit_code == 0, again.output
    assert "(0 written, " in again.stdout
    assert (out / "notes.txt").read_text() == "mine\n"


def test_an_empty_folder_needs_no_flag(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    result = build(out)
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file()


def test_the_manifest_records_a_checksum_of_every_file(site: Path) -> None:
    manifest = json.loads((site / ".kg-build.json").read_text())
    on_disk = {name: data for name, data in listing(site).items() if name != ".kg-build.json"}
    assert sorted(manifest["files"]) == sorted(on_disk)
    for name, data in on_disk.items():
        assert manifest["files"][name] == {"sha256": hashlib.sha256(data).hexdigest()}, name


def test_a_page_changed_since_kg_wrote_it_is_kept_and_named(site: Path) -> None:
    (site / "index.html").write_text("my edited front page\n")
    result = build(site)
    assert result.exit_code == 0, result.output
    assert (site / "index.html").read_text() == "my edited front page\n"
    assert "kg: note: kept index.html: changed since kg wrote it" in result.stderr
    assert "--overwrite" in result.stderr
    assert "1 kept" in result.stdout
    # Kept is not forgotten: the next build still keeps it, and --overwrite replaces it.
    assert build(site).exit_code == 0
    assert (site / "index.html").read_text() == "my edited front page\n"
    replaced = build(site, "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert "my edited front page" not in (site / "index.html").read_text()
    assert "kept" not in replaced.stderr


def test_a_stale_file_is_removed_only_while_it_holds_what_kg_wrote(site: Path) -> None:
    manifest_path = site / ".kg-build.json"
    manifest = json.loads(manifest_path.read_text())
    # Two pages an earlier build wrote and this one no longer produces: one as kg
    # left it, one the user has since edited; and a file of the user's that an old
    # manifest claims with a checksum it never had.
    for name, written, now in (
        ("queries/retired.html", b"old page\n", b"old page\n"),
        ("queries/edited.html", b"old page\n", b"my notes on the old page\n"),
        ("notes.txt", b"something else\n", b"mine\n"),
    ):
        manifest["files"][name] = {"sha256": hashlib.sha256(written).hexdigest()}
        (site / name).write_bytes(now)
    manifest_path.write_text(json.dumps(manifest))
    result = build(site, "--overwrite")  # not even --overwrite deletes what kg did not write
    assert result.exit_code == 0, result.output
    assert not (site / "queries" / "retired.html").exists()
    assert (site / "queries" / "edited.html").read_bytes() == b"my notes on the old page\n"
    assert (site / "notes.txt").read_bytes() == b"mine\n"
    assert "kept queries/edited.html: no longer part of the site" in result.stderr
    assert "1 removed" in result.stdout
    assert "notes.txt" not in json.loads(manifest_path.read_text())["files"]


def test_a_link_in_the_site_is_not_written_through(site: Path, tmp_path: Path) -> None:
    mine = tmp_path / "my-style.css"
    mine.write_text("body { color: red }\n")
    (site / "style.css").unlink()
    (site / "style.css").symlink_to(mine)
    result = build(site, "--overwrite")
    assert result.exit_code == 0, result.output
    assert mine.read_text() == "body { color: red }\n"
    assert (site / "style.css").is_symlink()
    assert "kept style.css: a symbolic link" in result.stderr


def test_a_manifest_without_checksums_is_refused_until_overwrite(site: Path) -> None:
    manifest_path = site / ".kg-build.json"
    names = sorted(json.loads(manifest_path.read_text())["files"])
    manifest_path.write_text(json.dumps({"generator": "kg build", "files": names}))
    (site / "index.html").write_text("edited, or not: an old manifest cannot tell\n")
    before = listing(site)
    refused = build(site)
    assert refused.exit_code == 2, refused.output
    assert "no checksums" in refused.stderr and "--overwrite" in refused.stderr
    assert listing(site) == before
    result = build(site, "--overwrite")
    assert result.exit_code == 0, result.output
    assert "edited, or not" not in (site / "index.html").read_text()
    assert isinstance(json.loads(manifest_path.read_text())["files"], dict)


def test_site_files_get_the_mode_the_umask_gives(tmp_path: Path, umask_022: None) -> None:
    out = tmp_path / "site"
    assert build(out).exit_code == 0
    modes = {name: stat.S_IMODE((out / name).stat().st_mode) for name in listing(out)}
    assert set(modes.values()) == {0o644}, modes


def test_a_rebuild_keeps_the_mode_the_user_gave_a_page(site: Path) -> None:
    (site / "index.html").chmod(0o640)
    (site / "validation.txt").write_text("stale")  # so that a rebuild writes it
    manifest_path = site / ".kg-build.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"]["validation.txt"] = {"sha256": hashlib.sha256(b"stale").hexdigest()}
    manifest_path.write_text(json.dumps(manifest))
    (site / "validation.txt").chmod(0o640)
    result = build(site)
    assert result.exit_code == 0, result.output
    assert "(1 written, " in result.stdout
    assert stat.S_IMODE((site / "validation.txt").stat().st_mode) == 0o640
    assert stat.S_IMODE((site / "index.html").stat().st_mode) == 0o640
