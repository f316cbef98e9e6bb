"""What the commands share: settings, the error-to-exit-code mapping, reusable options."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import click

from kg.model.errors import EXIT_INTERRUPTED, EXIT_READER_GONE, KGError

if TYPE_CHECKING:
    from kg.knowledge.project import Knowledge

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Settings:
    """The global options, handed to every command."""

    store_spec: str | None = None
    data_dirs: tuple[Path, ...] | None = None

    def open(self) -> Knowledge:
        from kg.knowledge.project import open_knowledge

        return open_knowledge(self.store_spec, self.data_dirs)


pass_settings = click.make_pass_decorator(Settings, ensure=True)


def fail(message: str, exit_code: int) -> None:
    click.echo(f"kg: error: {message}", err=True)
    sys.exit(exit_code)


def interrupted() -> NoReturn:
    """Ctrl-C: one line and exit 130, at whatever moment it came."""
    click.echo("kg: interrupted", err=True)
    sys.exit(EXIT_INTERRUPTED)


@contextlib.contextmanager
def interrupt_exits() -> Iterator[None]:
    """Ctrl-C: exit 130 with one line. A reader that stopped reading (`kg ... | head`):
    exit 141 (128 + SIGPIPE, as a shell reports a program that SIGPIPE ended), without
    a word, since nobody reads any more (click exited 0 or 1 for it, "does not
    conform")."""
    try:
        yield
    except KeyboardInterrupt:
        interrupted()
    except BrokenPipeError:
        # Whatever is still buffered for stdout goes nowhere, not into a second error
        # when Python flushes it on the way out.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        sys.exit(EXIT_READER_GONE)


# A write to a pipe is cut into pieces of this size: one large write that the reader
# leaves halfway is cut short without an error, so `| head` would end with 0 after
# some writes and 141 after others.
PIECE = 65_536


def emit(data: str | bytes) -> None:
    """Write an answer to stdout in pieces, so that a reader that goes away is noticed
    (exit 141, interrupt_exits) whatever the answer's size."""
    sys.stdout.flush()
    raw = data.encode(sys.stdout.encoding or "utf-8") if isinstance(data, str) else data
    view = memoryview(raw)
    for start in range(0, len(view), PIECE):
        sys.stdout.buffer.write(view[start : start + PIECE])
    sys.stdout.buffer.flush()


def handle_errors(function: Callable[P, R]) -> Callable[P, R]:
    """Turn KGError into a one-line message on stderr and its documented exit code, and
    Ctrl-C into one line and exit 130 (click alone would say "Aborted!" and exit 1)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except KGError as error:
            fail(error.message, error.exit_code)
            raise AssertionError("unreachable") from error
        except KeyboardInterrupt:
            interrupted()

    return wrapper


def lang_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--lang",
        type=click.Choice(["en", "de"]),
        default="en",
        show_default=True,
        help="Language of the labels shown.",
    )(function)


def checked_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A date option's text, refused (exit 2) unless it is YYYY, YYYY-MM or YYYY-MM-DD.

    One grammar for every date option (kg.model.timeutil.parse_user_time).
    """
    if value is None:
        return None
    from kg.model.errors import UsageError
    from kg.model.timeutil import parse_user_time, user_time_problem

    try:
        parse_user_time(value)
    except UsageError:
        raise click.BadParameter(user_time_problem(value)) from None
    return value


def _parse_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    from kg.model.timeutil import parse_user_time

    text = checked_date(ctx, param, value)
    # A month or a year: as known at its end (everything published during it counts).
    return None if text is None else parse_user_time(text).latest


def as_of_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """--as-of DATE: see only what had been published by that day (exit 2 on a bad date)."""
    return click.option(
        "--as-of",
        "as_of",
        metavar="DATE",
        callback=_parse_as_of,
        help="Show the graph as known on that day: only sources published by then "
        "(YYYY-MM-DD; a month YYYY-MM or a year YYYY means its last day).",
    )(function)


def answer_format_option(
    *extra: str, extra_help: str = ""
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--format text|markdown|json (and `extra` choices) for the commands that answer
    in words: text for people, markdown for an article draft, json for programs."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "markdown", "json", *extra]),
        default="text",
        show_default=True,
        help="text for people, markdown for an article draft, json for programs "
        "(schema: docs/briefings.md)" + (f", {extra_help}" if extra_help else "") + ".",
    )


def inference_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--inference none|rdfs|owlrl, applied to a copy of the data (the files stay untouched)."""
    return click.option(
        "--inference",
        type=click.Choice(["none", "rdfs", "owlrl"]),
        default="none",
        show_default=True,
        help=help_text,
    )
