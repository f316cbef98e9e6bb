"""Errors a user can act on. Each carries the exit code the CLI maps it to."""

from __future__ import annotations

EXIT_OK = 0
EXIT_NOT_CONFORMING = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
# Interrupted (Ctrl-C, SIGINT): 128 + the signal's number, as shells report it.
EXIT_INTERRUPTED = 130
# The reader of the output went away (`kg ... | head`): 128 + SIGPIPE's number.
EXIT_READER_GONE = 141


class KGError(Exception):
    """Base class: the message names the file, line or entity and what to do next."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(KGError):
    """The command was called wrongly: unknown name, bad option value, missing parameter."""

    exit_code = EXIT_USAGE


class InputError(KGError):
    """An input file cannot be read or parsed."""

    exit_code = EXIT_INPUT


class QueryError(KGError):
    """A SPARQL query cannot be parsed or fails when run."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class StoreError(KGError):
    """A store (the on-disk index or a remote SPARQL server) failed."""

    exit_code = EXIT_INPUT
