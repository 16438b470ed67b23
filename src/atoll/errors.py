"""The exception family. Every message is fit for a terminal: the CLI prints it as
``Error: <message>`` and exits non-zero; a traceback is shown only with ``--debug``."""

from __future__ import annotations

from dataclasses import dataclass


class AtollError(Exception):
    """Base of every error atoll reports to a user."""

    exit_code = 1


@dataclass(frozen=True)
class SourcePos:
    """A place in a source file: 1-based line and column."""

    filename: str
    line: int
    column: int

    def __str__(self) -> str:
        # Atlas (HCL diagnostics) writes positions as file:line,col.
        return f"{self.filename}:{self.line},{self.column}"


class HCLError(AtollError):
    """Broken HCL syntax, or an HCL document that does not evaluate."""

    def __init__(self, message: str, pos: SourcePos | None = None):
        self.pos = pos
        self.bare_message = message
        super().__init__(f"{pos}: {message}" if pos else message)


class SchemaError(AtollError):
    """A schema that is not valid: unknown type, reference to a missing column, …"""


class URLError(AtollError):
    """A database URL that cannot be parsed or opened."""


class DatabaseError(AtollError):
    """An error raised by a database while atoll executed a statement."""


class DevNotCleanError(AtollError):
    """The dev database holds something already (``reason`` says what): atoll neither uses
    nor wipes it."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__("sql/migrate: taking database snapshot: sql/migrate: connected "
                         f"database is not clean: {reason}")


class RebuildProofError(DatabaseError):
    """A table rebuild would lose something (rows, child rows, triggers, views): the
    statement that showed it fails, so its transaction rolls back."""


class MigrationError(AtollError):
    """A problem with a migration directory, its atlas.sum or the revisions table."""


class ChecksumError(MigrationError):
    """atlas.sum does not match the directory's files."""


class LockError(AtollError):
    """Another process holds the migration lock."""


class ProjectError(AtollError):
    """A problem in atlas.hcl: unknown env, missing variable, bad for_each, …"""
