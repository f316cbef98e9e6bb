"""What every writer shares: the default title, and writing a file only when its bytes change."""

from __future__ import annotations

from pathlib import Path

from kg.model.errors import InputError
from kg.model.fileio import write_atomically

DEFAULT_TITLE = "motorsport-kg"


def write_file(path: Path, content: bytes | str) -> bool:
    """Write `content` to `path`; False (and nothing written) if it holds those bytes already."""
    try:
        return write_atomically(path, content)
    except OSError as error:
        raise InputError(
            f"{path}: cannot be written: {error.strerror or error}; choose another output path"
        ) from error
