"""Files kg writes keep what the user gave them: mode, owner, symbolic links.

kg writes through a temporary file and a rename (kg.model.fileio), so that a
failure leaves the old file whole. The rename must not cost the user anything
`open(path, "w")` or shell redirection would have kept: a new file gets the mode
the umask gives, a replaced file keeps its mode and owner, a link is written
through to its target, and a pipe or device is written straight (issue 18).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kg.model.fileio import write_atomically

DATA = Path(__file__).parents[1] / "fixtures" / "export" / "data"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask() -> Iterator[object]:
    """Set the umask for one test (`umask(0o077)`), and put the old one back."""
    old = os.umask(0o022)
    os.umask(old)

    def set_umask(value: int) -> None:
        os.umask(value)

    yield set_umask
    os.umask(old)


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002, 0o027], ids=oct)
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path, umask, mask: int) -> None:  # type: ignore[no-untyped-def]
    umask(mask)
    target = tmp_path / "new.ttl"
    assert write_atomically(target, "content\n")
    assert mode(target) == 0o666 & ~mask
    # What open() gives a new file under the same umask.
    (tmp_path / "opened.ttl").write_text("content\n")
    assert mode(target) == mode(tmp_path / "opened.ttl")


@pytest.mark.parametrize("existing", [0o644, 0o640, 0o600, 0o664, 0o444], ids=oct)
@pytest.mark.parametrize("mask", [0o022, 0o077], ids=oct)
def test_a_replaced_file_keeps_its_mode(tmp_path: Path, umask, existing: int, mask: int) -> None:  # type: ignore[no-untyped-def]
    umask(mask)
    target = tmp_path / "knowledge.ttl"
    target.write_text("old\n")
    target.chmod(existing)
    assert write_atomically(target, "new\n")
    assert target.read_text() == "new\n"
    assert mode(target) == existing
    assert sorted(p.name for p in tmp_path.iterdir()) == ["knowledge.ttl"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to someone else")
def test_a_file_replaced_by_root_keeps_its_owner_and_group(tmp_path: Path) -> None:
    target = tmp_path / "knowledge.ttl"
    target.write_text("old\n")
    os.chown(target, 4321, 4322)
    assert write_atomically(target, "new\n")
    assert (target.stat().st_uid, target.stat().st_gid) == (4321, 4322)


def test_writing_a_link_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "knowledge.ttl"
    real.write_text("old\n")
    real.chmod(0o640)
    # A chain of two links, the first one relative.
    (tmp_path / "middle.ttl").symlink_to(real)
    link = tmp_path / "link.ttl"
    link.symlink_to("middle.ttl")
    from kg.model.fileio import write_target

    assert write_target(link) == real
    assert write_atomically(link, "new\n")
    assert link.is_symlink() and os.readlink(link) == "middle.ttl"
    assert (tmp_path / "middle.ttl").is_symlink()
    assert real.read_text() == "new\n" and mode(real) == 0o640
    assert not write_atomically(link, "new\n")  # same bytes: untouched
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["knowledge.ttl"]


def test_a_dangling_link_gets_its_file(tmp_path: Path, umask) -> None:  # type: ignore[no-untyped-def]
    umask(0o022)
    link = tmp_path / "link.ttl"
    link.symlink_to("not-yet.ttl")
    assert write_atomically(link, "new\n")
    assert link.is_symlink()
    assert (tmp_path / "not-yet.ttl").read_text() == "new\n"
    assert mode(tmp_path / "not-yet.ttl") == 0o644


def test_a_link_loop_is_an_error_and_leaves_the_links(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(OSError):
        write_atomically(tmp_path / "a", "new\n")
    assert os.readlink(tmp_path / "a") == "b" and os.readlink(tmp_path / "b") == "a"


@contextmanager
def fifo_reader(fifo: Path) -> Iterator[Callable[[], bytes]]:
    """The read end of a named pipe, opened first so that writing never waits; a
    non-blocking read, so that a writer who replaced the pipe makes the test fail, not hang."""
    descriptor = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)

    def drained() -> bytes:
        chunks: list[bytes] = []
        while True:
            try:
                chunk = os.read(descriptor, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)

    try:
        yield drained
    finally:
        os.close(descriptor)


def test_a_named_pipe_is_written_straight_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with fifo_reader(fifo) as drained:
        assert write_atomically(fifo, "through the pipe\n")
        assert drained() == b"through the pipe\n"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


# --- as a user runs it ----------------------------------------------------------------


def export(run_kg, *args: str):  # type: ignore[no-untyped-def]
    return run_kg("--data", str(DATA), "export", *args)


@pytest.mark.parametrize("stream", [False, True], ids=["stable", "stream"])
def test_kg_export_keeps_the_mode_of_the_file_it_replaces(
    run_kg,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    umask,  # type: ignore[no-untyped-def]
    stream: bool,
) -> None:
    umask(0o077)
    target = tmp_path / "knowledge.nq"
    target.write_text("old\n")
    target.chmod(0o644)
    extra = ["--stream"] if stream else []
    result = export(run_kg, "--format", "nquads", "-o", str(target), *extra)
    assert result.exit_code == 0, result.stderr
    assert target.read_text() != "old\n"
    assert mode(target) == 0o644
    umask(0o022)
    fresh = tmp_path / "fresh.nq"
    result = export(run_kg, "--format", "nquads", "-o", str(fresh), *extra)
    assert result.exit_code == 0, result.stderr
    assert mode(fresh) == 0o644


@pytest.mark.parametrize("stream", [False, True], ids=["stable", "stream"])
@pytest.mark.parametrize("dangling", [False, True], ids=["link", "dangling-link"])
def test_kg_export_onto_a_link_writes_its_target(
    run_kg,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    stream: bool,
    dangling: bool,
) -> None:
    (tmp_path / "shared").mkdir()
    real = tmp_path / "shared" / "knowledge.nq"
    if not dangling:
        real.write_text("old\n")
        real.chmod(0o640)
    link = tmp_path / "knowledge.nq"
    link.symlink_to(Path("shared") / "knowledge.nq")
    extra = ["--stream"] if stream else []
    result = export(run_kg, "--format", "nquads", "-o", str(link), *extra)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"wrote {link}: ")
    assert link.is_symlink() and os.readlink(link) == "shared/knowledge.nq"
    assert real.is_file() and "<" in real.read_text()
    if not dangling:
        assert mode(real) == 0o640
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == ["knowledge.nq"]


def test_kg_export_into_a_link_loop_exits_3_and_names_the_file(run_kg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.ttl").symlink_to("b.ttl")
    (tmp_path / "b.ttl").symlink_to("a.ttl")
    result = export(run_kg, "-o", str(tmp_path / "a.ttl"))
    assert result.exit_code == 3
    assert "a.ttl: cannot be written" in result.stderr
    assert "Traceback" not in result.stderr
    assert os.readlink(tmp_path / "a.ttl") == "b.ttl"


@pytest.mark.parametrize("stream", [False, True], ids=["stable", "stream"])
def test_kg_export_into_a_named_pipe_writes_through_it(  # type: ignore[no-untyped-def]
    run_kg, tmp_path: Path, stream: bool
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    extra = ["--stream"] if stream else []
    with fifo_reader(fifo) as drained:
        result = export(run_kg, "--format", "nquads", "-o", str(fifo), *extra)
        assert result.exit_code == 0, result.stderr
        assert b"<" in drained()
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]
