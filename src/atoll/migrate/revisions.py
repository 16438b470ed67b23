"""The ``atlas_schema_revisions`` table (migrate.md §4): one row per migration version, holding
how far its file got (``applied`` of ``total`` statements), the running statement hashes of a
partially applied file, the last error, and who wrote it.

This module is engine-agnostic: the table's DDL, placeholders and value encodings live in a
small per-dialect hook, ``atoll.dialects.<engine>.revisions.HOOK``, found from the dialect;
a hook implements :class:`RevisionsHook`.
"""

from __future__ import annotations

import importlib
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..errors import MigrationError
from .report import GoTime, go_time_json

if TYPE_CHECKING:  # pragma: no cover
    from ..dialects.base import Connection

TABLE = "atlas_schema_revisions"
CLOUD_IDENTIFIER = ".atlas_cloud_identifier"

TYPE_UNKNOWN = 0
TYPE_BASELINE = 1
TYPE_EXECUTE = 2
TYPE_RESOLVED = 4

_TYPE_NAMES = {1: "baseline", 2: "applied", 4: "manually set", 6: "applied + manually set"}


def type_name(t: int) -> str:
    """The text Atlas shows for a revision type (``unknown (0011)`` for odd values)."""
    return _TYPE_NAMES.get(t) or f"unknown ({t:04b})"


@dataclass
class Revision:
    """One row of the revisions table. ``execution_time`` is in nanoseconds; ``hash`` is the
    file's atlas.sum hash without ``h1:``; ``partial_hashes`` are ``h1:``-prefixed running
    statement hashes of a partially applied file (``None`` when complete)."""

    version: str
    description: str = ""
    type: int = TYPE_EXECUTE
    applied: int = 0
    total: int = 0
    executed_at: GoTime | None = None
    execution_time: int = 0
    error: str = ""
    error_stmt: str = ""
    hash: str = ""
    partial_hashes: list[str] | None = None
    operator_version: str = ""

    @property
    def type_name(self) -> str:
        return type_name(self.type)

    @property
    def partial(self) -> bool:
        return self.applied != self.total

    def done(self) -> None:
        """Set ``execution_time`` from the last write (``executed_at``) until now."""
        if self.executed_at is not None:
            self.execution_time = GoTime.now().sub(self.executed_at)

    def to_json(self) -> dict:
        out: dict[str, Any] = {
            "Version": self.version, "Description": self.description, "Type": self.type_name,
            "Applied": self.applied, "Total": self.total,
            "ExecutedAt": go_time_json(self.executed_at), "ExecutionTime": self.execution_time,
        }
        if self.error:
            out["Error"] = self.error
        if self.error_stmt:
            out["ErrorStmt"] = self.error_stmt
        out["OperatorVersion"] = self.operator_version
        return out



@runtime_checkable
class RevisionsHook(Protocol):
    """What a dialect provides for the revisions table (its ``revisions.HOOK``). Optional
    extras the engine looks for: ``transactional_ddl`` (``False`` when DDL commits implicitly,
    so partial progress is recorded inside transactions too), ``db_lock(conn, name,
    timeout)`` (a database-level lock with ``release()``, used instead of a lock file) and
    ``table_current(conn, schema)`` (the table exists and needs no upgrade: ``migrate apply``
    may then find out without the lock that nothing is pending) and ``select_brief(conn,
    schema)`` (all rows with only what decides the pending files and the status: version,
    description, type, applied, total, error, error_stmt; a fleet's no-op apply and status
    read nothing else, and decoding the rest was most of their time)."""

    name: str  # the engine name used in error texts ("sqlite")

    @abstractmethod
    def revisions_schema(self, schema: str) -> str:
        """Validate ``--revisions-schema`` and return the schema to use."""

    @abstractmethod
    def table_exists(self, conn: Connection, schema: str) -> bool: ...

    @abstractmethod
    def ensure_table(self, conn: Connection, schema: str) -> None:
        """Create the table, or upgrade an older one."""

    @abstractmethod
    def select(self, conn: Connection, schema: str, version: str | None = None) -> list[Revision]:
        """The rows (one version, or all), ordered by version."""

    @abstractmethod
    def upsert(self, conn: Connection, schema: str, revision: Revision) -> None:
        """Insert, or update all but version/description/executed_at."""

    @abstractmethod
    def delete(self, conn: Connection, schema: str, version: str) -> None: ...

    @abstractmethod
    def user_tables(self, conn: Connection) -> list[str]:
        """The tables that make a database "not clean"."""

    @abstractmethod
    def not_clean_reason(self, tables: Sequence[str]) -> str | None:
        """Why a database holding ``tables`` (the revisions table included) is not clean, in
        the engine's wording (``found table "t"``); ``None`` when it is clean."""

    @abstractmethod
    def lock_path(self, conn: Connection, name: str) -> str | None:
        """The lock file for a file database, ``None`` otherwise."""

    def try_named_lock(self, conn: Connection, name: str) -> Any:
        """Atlas's ``Driver.Lock(name, 0)``: take the server lock ``name`` on ``conn`` at
        once (an object with ``release()``), or raise ``LockError`` (``acquiring database
        lock: …``) when another session holds it. ``None``: the engine has no such lock
        (SQLite, whose dev databases are files or memory of one process)."""
        return None

    @abstractmethod
    def begin(self, conn: Connection) -> Any:
        """Start a migration transaction; the returned state goes to commit/rollback."""

    @abstractmethod
    def commit(self, conn: Connection, state: Any) -> None: ...

    @abstractmethod
    def rollback(self, conn: Connection, state: Any) -> None: ...


def revisions_hook(dialect) -> RevisionsHook:
    """The dialect's revisions hook (its ``revisions`` module's ``HOOK``)."""
    candidates = []
    module = type(dialect).__module__
    if module.startswith("atoll.dialects."):
        candidates.append(module.rsplit(".", 1)[0] + ".revisions"
                          if module.count(".") > 2 else module + ".revisions")
    candidates.append(f"atoll.dialects.{dialect.name}.revisions")
    for name in candidates:
        try:
            return importlib.import_module(name).HOOK
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    raise MigrationError(f"versioned migrations are not supported by the {dialect.name} dialect")


class RevisionStore:
    """Reads and writes revisions through a dialect hook, on one connection (inside whatever
    transaction that connection has open)."""

    def __init__(self, conn, dialect, schema: str | None = None,
                 hook: RevisionsHook | None = None):
        self.conn = conn
        self.hook = hook or revisions_hook(dialect)
        self.schema = self.hook.revisions_schema(schema or "")

    def exists(self) -> bool:
        return self.hook.table_exists(self.conn, self.schema)

    def migrate(self) -> None:
        """Create or upgrade the table (``migrate apply`` and ``migrate set`` do this first)."""
        self.hook.ensure_table(self.conn, self.schema)

    def read_all(self, brief: bool = False) -> list[Revision]:
        """Every row, ordered by version. ``brief``: the hook may leave out what neither the
        pending files nor the status need (times, hashes, operator)."""
        if not self.exists():  # a dry run on a fresh database creates no table
            return []
        select_brief = getattr(self.hook, "select_brief", None) if brief else None
        rows = (select_brief(self.conn, self.schema) if select_brief is not None
                else self.hook.select(self.conn, self.schema))
        return [r for r in rows if r.version != CLOUD_IDENTIFIER]

    def read(self, version: str) -> Revision | None:
        if version == CLOUD_IDENTIFIER:
            raise MigrationError("cannot read revision-table identifier as revision")
        if not self.exists():
            return None
        rows = self.hook.select(self.conn, self.schema, version)
        return rows[0] if rows else None

    def current(self) -> Revision | None:
        revs = self.read_all()
        return revs[-1] if revs else None

    def write(self, rev: Revision) -> None:
        if rev.version == CLOUD_IDENTIFIER:
            raise MigrationError("writing the revision-table identifier is not allowed")
        self.hook.upsert(self.conn, self.schema, rev)

    def delete(self, version: str) -> None:
        if version == CLOUD_IDENTIFIER:
            raise MigrationError("deleting the revision-table identifier is not allowed")
        self.hook.delete(self.conn, self.schema, version)


class DryRunStore(RevisionStore):
    """Reads for real, writes nothing (``--dry-run``)."""

    def __init__(self, inner: RevisionStore):
        self.conn, self.hook, self.schema = inner.conn, inner.hook, inner.schema

    def write(self, rev: Revision) -> None:
        pass

    def delete(self, version: str) -> None:
        pass

