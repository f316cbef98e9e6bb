"""The folder a site goes into: kg changes there only what it wrote itself.

The manifest (`.kg-build.json`) records, for every file a build wrote, the
SHA-256 of the bytes it wrote. A later build replaces or removes a file only
while it still holds those bytes; a file that someone changed, or made under a
name the site uses, is kept as it is and reported. A symbolic link in the site
is never written through, and nothing outside the folder is touched.

A folder that is not empty and has no manifest was not built by kg: it is
refused (before any work) unless the caller passes `overwrite`, which replaces
files the site needs; nothing is ever deleted that kg did not write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kg.model.errors import InputError, UsageError
from kg.model.fileio import write_atomically
from kg.model.files import display_path

MANIFEST = ".kg-build.json"


@dataclass(frozen=True)
class SiteFolder:
    """The output folder as a build found it: what kg wrote there, and its checksums."""

    out: Path
    recorded: Mapping[str, str]  # relative path -> SHA-256 of the bytes kg wrote
    overwrite: bool = False


@dataclass(frozen=True)
class Kept:
    """A file kg did not replace or remove, and why (`kg build` prints it on stderr)."""

    path: str  # relative to the site folder
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class SiteWrite:
    """What writing the site changed: files written, removed, and kept."""

    written: tuple[str, ...]
    removed: tuple[str, ...]
    kept: tuple[Kept, ...]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_out_folder(out: Path, overwrite: bool = False) -> SiteFolder:
    """Check `out` before a build starts: refuse what a build must not write into."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{display_path(out)} is a file; --out needs a folder")
    if not out.is_dir() or not any(out.iterdir()):
        return SiteFolder(out, {}, overwrite)
    where = display_path(out)
    manifest = out / MANIFEST
    if not manifest.is_file():
        if overwrite:
            return SiteFolder(out, {}, overwrite)
        raise UsageError(
            f"{where} is not empty and kg did not build a site there (no {MANIFEST}); "
            "give a new or empty folder, or add --overwrite to write the site into it "
            "(files with the site's names are replaced; nothing else is touched)"
        )
    recorded = _read_manifest(manifest)
    if recorded is None:
        if overwrite:
            return SiteFolder(out, {}, overwrite)
        raise UsageError(
            f"{display_path(manifest)} was written by an older kg that kept no checksums, "
            "so kg cannot tell which files were changed since; build once with --overwrite "
            "(it replaces the site's files and deletes none) or into a new folder"
        )
    return SiteFolder(out, recorded, overwrite)


def write_site(folder: SiteFolder, files: Mapping[str, bytes]) -> SiteWrite:
    """Write every file that is kg's to write, then remove what earlier builds left.

    The manifest is written even when writing fails half-way, so that it always
    names the files that hold what kg wrote."""
    out, root = folder.out, folder.out.resolve()
    manifest = dict(folder.recorded)
    written: list[str] = []
    kept: list[Kept] = []
    removed: list[str] = []
    try:
        for relative in sorted(files):
            data = files[relative]
            refusal = _not_ours(out / relative, root, folder.recorded.get(relative), data)
            if refusal is not None and not (folder.overwrite and refusal.overwritable):
                manifest.pop(relative, None)
                kept.append(Kept(relative, refusal.reason))
                continue
            if write_atomically(out / relative, data):
                written.append(relative)
            manifest[relative] = sha256(data)
        for relative in sorted(set(folder.recorded) - set(files)):
            manifest.pop(relative, None)
            note = _remove_stale(out, root, relative, folder.recorded[relative])
            if note is None:
                removed.append(relative)
            elif note:
                kept.append(Kept(relative, f"no longer part of the site, {note}"))
    except OSError as error:
        raise InputError(
            f"{display_path(out)}: the site cannot be written ({error.strerror or error}); "
            "check that the folder is writable"
        ) from error
    finally:
        _write_manifest(out, manifest)
    return SiteWrite(tuple(written), tuple(removed), tuple(kept))


@dataclass(frozen=True)
class _Refusal:
    reason: str
    overwritable: bool  # whether --overwrite may replace it


def _not_ours(path: Path, root: Path, recorded: str | None, data: bytes) -> _Refusal | None:
    """Why kg may not replace `path` with `data` (None when it may)."""
    if path.is_symlink():
        return _Refusal("a symbolic link; kg writes nothing through it", overwritable=False)
    if not path.resolve().is_relative_to(root):
        return _Refusal("its folder leads outside the site; kg writes nothing there", False)
    if not path.exists():
        return None
    if not path.is_file():
        return _Refusal("not a file; kg leaves it as it is", overwritable=False)
    current = path.read_bytes()
    if current == data or (recorded is not None and sha256(current) == recorded):
        return None
    if recorded is None:
        return _Refusal("not written by kg; kept as it is (--overwrite replaces it)", True)
    return _Refusal("changed since kg wrote it; kept as it is (--overwrite replaces it)", True)


def _remove_stale(out: Path, root: Path, relative: str, recorded: str) -> str | None:
    """Remove a file an earlier build wrote: None when removed, "" when already gone,
    else why it is kept."""
    path = out / relative
    if not path.exists() and not path.is_symlink():
        return ""
    if path.is_symlink() or not path.resolve().is_relative_to(root) or not path.is_file():
        return "not a file kg wrote; left as it is"
    if sha256(path.read_bytes()) != recorded:
        return "changed since kg wrote it; left as it is"
    path.unlink()
    parent = path.resolve().parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
    return None


def _write_manifest(out: Path, recorded: Mapping[str, str]) -> None:
    files = {relative: {"sha256": recorded[relative]} for relative in sorted(recorded)}
    text = json.dumps({"generator": "kg build", "files": files}, indent=2, sort_keys=True)
    try:
        write_atomically(out / MANIFEST, text + "\n")
    except OSError as error:
        raise InputError(
            f"{display_path(out / MANIFEST)}: the build manifest cannot be written "
            f"({error.strerror or error}); check that the folder is writable"
        ) from error


def _read_manifest(path: Path) -> dict[str, str] | None:
    """What the manifest records; None for an older one that lists files without checksums."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(
            f"{display_path(path)}: the build manifest cannot be read ({error}); "
            "delete it (and the old site) and build again"
        ) from error
    listed = payload.get("files") if isinstance(payload, dict) else None
    if not isinstance(listed, dict):
        return None
    return {
        relative: entry["sha256"]
        for relative, entry in listed.items()
        if isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
    }
