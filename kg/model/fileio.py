"""Writing files so that nothing is ever lost or half-written, and nothing else changes.

Every file kg writes goes through a temporary file beside it and a rename, so a
failure leaves the old file as it was. The rename costs the user nothing that
`open(path, "w")` or shell redirection would have kept:

- a new file gets the mode the umask gives (0666 & ~umask) and the folder's
  default ACL, because the kernel creates the temporary file with mode 0666;
- a replaced file keeps its permission bits, and its owner and group where the
  system lets kg set them (root; a group the user belongs to);
- a symbolic link is written through: its target is replaced and the link
  stays, and a dangling link gets its file;
- a named pipe or a device (`-o /dev/stdout`) cannot be replaced, so it is
  written straight, without the temporary file.

The temporary file is never more open than the file it becomes: its mode is set
before a byte is written. A second hard link to a replaced file keeps the old
content (a rename makes a new file), as with every editor that saves atomically.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

_MOST_LINKS = 40  # what Linux follows before ELOOP


def write_atomically(path: Path, content: bytes | str) -> bool:
    """Write `content` to `path` (see the module docstring for what is kept).

    A failure leaves the old file as it was. Returns False (and touches nothing)
    when the file already holds exactly these bytes, so re-runs rewrite nothing.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    if not _is_special(path):
        target = write_target(path)
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    with replacing(path) as handle:
        handle.write(data)
    return True


@contextmanager
def replacing(path: Path, buffering: int = -1) -> Iterator[BinaryIO]:
    """A handle whose bytes replace `path` when the block ends without an error.

    On an error the temporary file is removed and `path` is left as it was.
    """
    if _is_special(path):
        with path.open("wb", buffering=buffering) as straight:
            yield straight
        return
    target = write_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = _temporary_beside(target)
    try:
        with os.fdopen(descriptor, "wb", buffering=buffering) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_target(path: Path) -> Path:
    """The file that writing `path` changes: `path` with its symbolic links followed.

    Only the last part is followed, link by link (a relative link is read from the
    link's own folder), so the target of a dangling link is where its file will go.
    """
    target = path
    for _ in range(_MOST_LINKS):
        if not target.is_symlink():
            return target
        link = Path(os.readlink(target))
        target = link if link.is_absolute() else target.parent / link
    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))


def shown(path: Path) -> str:
    """`path` as a message names it: its folder as the user knows it, and its own name
    (not the target of a link, which may be a loop or not exist)."""
    from kg.model.files import display_path

    return str(Path(display_path(path.parent)) / path.name)


def _is_special(path: Path) -> bool:
    """A pipe, device or socket: something a rename would destroy, not replace."""
    try:
        found = path.stat()
    except OSError:  # absent, a dangling link or a loop: no such thing to keep
        return False
    return not (stat.S_ISREG(found.st_mode) or stat.S_ISDIR(found.st_mode))


def _temporary_beside(target: Path) -> tuple[int, Path]:
    """A new file in `target`'s folder with the rights `target` has or would get."""
    try:
        existing: os.stat_result | None = target.stat()
    except FileNotFoundError:
        existing = None
    # The kernel applies the umask (or the folder's default ACL) as open() would; an
    # existing file's bits are set exactly below, never wider than the kernel gave.
    requested = 0o666 if existing is None else stat.S_IMODE(existing.st_mode) & 0o777
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        temporary = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            descriptor = os.open(temporary, flags, requested)
        except FileExistsError:
            continue
        try:
            if existing is not None:
                _keep_rights(descriptor, existing)
        except BaseException:
            os.close(descriptor)
            temporary.unlink(missing_ok=True)
            raise
        return descriptor, temporary
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target.parent))


def _keep_rights(descriptor: int, existing: os.stat_result) -> None:
    """Give the new file the owner, group and permission bits of the one it replaces."""
    created = os.fstat(descriptor)
    if (created.st_uid, created.st_gid) != (existing.st_uid, existing.st_gid):
        # Root may keep the owner; anyone may keep a group they belong to; else as created.
        for owner in (existing.st_uid, -1):
            try:
                os.fchown(descriptor, owner, existing.st_gid)
                break
            except OSError:
                continue
    # On a file system without modes the kernel's umask-narrowed bits stand: never wider.
    with contextlib.suppress(OSError):
        os.fchmod(descriptor, stat.S_IMODE(existing.st_mode) & 0o777)
