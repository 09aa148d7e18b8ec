"""The few kinds of error oms raises, each carrying the exit code DESIGN.md names.

They are raised where a problem is found and turned into one line on stderr and an
exit code only in ``cli/app.py``. Messages say what is wrong and, where it helps,
what to do next; a location (``file:line: field``) leads the message when known.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    ATTENTION = 3
    NOT_AN_EXPORT = 65
    INPUT_MISSING = 66
    BUSY = 75
    CONFIG = 78


class OmsError(Exception):
    """Base of every error oms reports to the user; nothing stored was changed."""

    exit_code: ExitCode = ExitCode.FAILED

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class NotFound(OmsError):
    """A sku, location, order, run or file that does not exist."""


class InvalidInput(OmsError):
    """A value the user gave (or a file held) that oms cannot accept."""


class IllegalTransition(OmsError):
    """An operation the order's or stock's current state does not allow."""


class Conflict(OmsError):
    """The operation clashes with what is stored (a duplicate, too little stock)."""


class DatabaseBusy(OmsError):
    """Another process holds the database (or the sync lock) for longer than the timeout."""

    exit_code = ExitCode.BUSY


class ConfigError(OmsError):
    """The configuration (file, environment or flags) is invalid; lists every problem."""

    exit_code = ExitCode.CONFIG


class NotAnExport(OmsError):
    """The input is not a readable export in any format oms knows."""

    exit_code = ExitCode.NOT_AN_EXPORT


class InputMissing(OmsError):
    """An input file that does not exist or cannot be opened."""

    exit_code = ExitCode.INPUT_MISSING


class SchemaMismatch(OmsError):
    """The database was written by a newer oms, or needs an upgrade it cannot take here."""
