"""MySQL's and MariaDB's side of the versioned-migration engine (hook contract:
``atoll.migrate.revisions``).

The revisions table is the one Atlas creates through Ent on MySQL, column for column::

    version varchar(255) NOT NULL (PK), description varchar(255) NOT NULL,
    type bigint unsigned NOT NULL DEFAULT 2, applied bigint NOT NULL DEFAULT 0,
    total bigint NOT NULL DEFAULT 0, executed_at timestamp NOT NULL (NULL on MariaDB and
    MySQL < 8.0.2, where NOT NULL would add ON UPDATE CURRENT_TIMESTAMP),
    execution_time bigint NOT NULL (ns), error longtext NULL, error_stmt longtext NULL,
    hash varchar(255) NOT NULL, partial_hashes json NULL, operator_version varchar(255) NOT NULL
    CHARSET utf8mb4 COLLATE utf8mb4_bin

``executed_at`` holds UTC wall-clock time, as go-sql-driver (``loc=UTC``) writes and reads it.

Where it lives (Atlas's ``revisionSchemaName``): ``--revisions-schema`` if given, else the
database the URL names (``mysql://…/app`` → ``app``), else the separate database
``atlas_schema_revisions`` (created when missing).

Transactions: MySQL and MariaDB commit implicitly before (and after) every DDL statement, so
tx-mode ``file`` cannot undo the DDL of a failing file. The rows say what Atlas's say: the
first DDL statement of a file commits the file's revision row together with everything before
it; from then on each statement is followed by a row write (``applied``, running
``partial_hashes``), and a failing one by the row with ``error`` and ``error_stmt``, which
stays (the ROLLBACK has nothing left to undo). A re-run resumes at the failed statement after
checking that the statements before it are unchanged, as after a failure in tx-mode ``none``;
a file of DML only stays all-or-nothing. Beyond Atlas: once a DDL statement has ended the
file's transaction, each later statement runs in a transaction of its own with the row write
that counts it, so a crash (``kill -9``) never leaves a committed DML statement uncounted.
Only a DDL statement that the server finishes after the client died is uncounted: the re-run
runs it again and fails on it (``Duplicate column``, ``Table … already exists``).

Lock: MySQL named locks are server-wide, and Atlas holds ``GET_LOCK('atlas_migrate_execute')``
for a whole run, which would make the databases of a parallel fleet on one server wait for each
other (and ``migrate set``, which does not wait, fail). atoll holds a per-database lock instead,
``GET_LOCK('atlas_migrate_execute.<database>', timeout)`` (names over 64 characters end in a
hash), and, once it has it, waits for Atlas's own lock to be free (taking and releasing it at
once), so it never starts while Atlas runs. An Atlas run started *during* an atoll run is not
held off: MySQL has no shared named locks to do that with."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

from ...errors import DatabaseError, LockError
from ...migrate.report import GoTime
from ...migrate.revisions import TABLE, Revision
from ..base import Connection
from ..server import REVISION_COLUMNS, ServerRevisions

COLUMNS = REVISION_COLUMNS


def ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for p in text.split("-")[0].split("."):
        digits = "".join(ch for ch in p if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def executed_at_null(server_version: str) -> bool:
    """Ent (and so Atlas) declares ``executed_at timestamp NULL`` on MariaDB and MySQL < 8.0.2."""
    return "mariadb" in server_version.lower() or _version_tuple(server_version) < (8, 0, 2)


def ddl(schema: str, server_version: str) -> str:
    executed = "timestamp NULL" if executed_at_null(server_version) else "timestamp NOT NULL"
    return (f"CREATE TABLE {ident(schema)}.{ident(TABLE)} (`version` varchar(255) NOT NULL, "
            "`description` varchar(255) NOT NULL, `type` bigint unsigned NOT NULL DEFAULT 2, "
            "`applied` bigint NOT NULL DEFAULT 0, `total` bigint NOT NULL DEFAULT 0, "
            f"`executed_at` {executed}, `execution_time` bigint NOT NULL, "
            "`error` longtext NULL, `error_stmt` longtext NULL, `hash` varchar(255) NOT NULL, "
            "`partial_hashes` json NULL, `operator_version` varchar(255) NOT NULL, "
            "PRIMARY KEY (`version`)) CHARSET utf8mb4 COLLATE utf8mb4_bin")


# Columns added to a table made by an older release: (column, definition).
_UPGRADE = {
    "type": "bigint unsigned NOT NULL DEFAULT 2",
    "applied": "bigint NOT NULL DEFAULT 0",
    "total": "bigint NOT NULL DEFAULT 0",
    "execution_time": "bigint NOT NULL DEFAULT 0",
    "error": "longtext NULL",
    "error_stmt": "longtext NULL",
    "hash": "varchar(255) NOT NULL DEFAULT ''",
    "partial_hashes": "json NULL",
    "operator_version": "varchar(255) NOT NULL DEFAULT ''",
}

_EPOCH = datetime(1970, 1, 1)


def to_gotime(v) -> GoTime | None:
    """A TIMESTAMP as go-sql-driver reads it with ``loc=UTC``: the wall clock is UTC."""
    if isinstance(v, datetime):
        delta = v.replace(tzinfo=None) - _EPOCH
        return GoTime((delta.days * 86400 + delta.seconds) * 1_000_000_000
                      + delta.microseconds * 1000, 0)
    return GoTime.parse(v)


def utc_text(t: GoTime) -> str:
    dt = _EPOCH + timedelta(microseconds=t.unix_ns // 1000)
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")


class MySQLRevisions(ServerRevisions):
    name = "mysql"
    # DDL commits implicitly: a file in a "transaction" can end up partially applied, so
    # the engine must keep running statement hashes (partial_hashes) inside transactions too.
    transactional_ddl = False
    upgrade = _UPGRADE
    ident = staticmethod(ident)
    to_gotime = staticmethod(to_gotime)

    def table_exists(self, conn: Connection, schema: str) -> bool:
        s = self._schema(conn, schema)
        return bool(conn.query(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s "
            "AND table_name = %s", (s, TABLE)))

    def create_schema(self, conn: Connection, schema: str) -> None:
        if not conn.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s",
                          (schema,)):
            conn.execute(f"CREATE DATABASE IF NOT EXISTS {ident(schema)}")

    def create_table(self, conn: Connection, schema: str) -> None:
        version = getattr(conn, "server_version", None) or \
            str(conn.query("SELECT VERSION()")[0][0])
        conn.execute(ddl(schema, version))

    def upsert(self, conn: Connection, schema: str, rev: Revision) -> None:
        table = self._table(conn, schema)
        keep = ("version", "description", "executed_at")
        sql = (f"INSERT INTO {table} (" + ", ".join(ident(c) for c in COLUMNS) + ") VALUES ("
               + ", ".join("%s" for _ in COLUMNS) + ") ON DUPLICATE KEY UPDATE "
               + ", ".join(f"{ident(c)} = VALUES({ident(c)})" for c in COLUMNS if c not in keep))
        partial = json.dumps(rev.partial_hashes, separators=(",", ":"))
        conn.execute(sql, (rev.version, rev.description, rev.type, rev.applied, rev.total,
                           utc_text(rev.executed_at or GoTime.now()), rev.execution_time,
                           rev.error, rev.error_stmt, rev.hash, partial, rev.operator_version))

    def user_tables(self, conn: Connection) -> list[str]:
        """Tables that make the database "not clean" (see ``clean.py``)."""
        from .clean import user_tables

        return user_tables(conn, self.default_schema)

    def not_clean_reason(self, tables) -> str | None:
        from .clean import not_clean_reason

        return not_clean_reason(tables)

    def lock_path(self, conn: Connection, name: str) -> str | None:
        return None

    def db_lock(self, conn: Connection, name: str, timeout: float) -> _NamedLock:
        timeout = max(0.0, float(timeout))
        deadline = time.monotonic() + timeout
        scoped = scoped_lock_name(name, getattr(conn, "bound_schema", ""))
        _get_lock(conn, scoped, timeout)
        try:
            # Atlas's own lock: wait until no Atlas run holds it (another atoll run holds it
            # only for this instant, hence the floor for set's zero timeout).
            _get_lock(conn, name, max(deadline - time.monotonic(), 1.0))
            conn.query("SELECT RELEASE_LOCK(%s)", (name,))
        except BaseException:
            _NamedLock(conn, scoped).release()
            raise
        return _NamedLock(conn, scoped)

    def try_named_lock(self, conn: Connection, name: str) -> "_NamedLock":
        """Atlas's named lock (``migrate lint``'s ``atlas_lint``), tried once."""
        _get_lock(conn, name, 0)
        return _NamedLock(conn, name)

    # -- transactions -----------------------------------------------------------------------

    def begin(self, conn: Connection):
        """Open a migration transaction; the state (never ``None``: the engine reads ``None``
        as "no transaction") is handed back to commit/rollback."""
        conn.begin()
        return True

    def commit(self, conn: Connection, state) -> None:
        try:
            conn.commit()
        except BaseException:
            try:
                conn.rollback()
            except DatabaseError:
                pass
            raise

    def rollback(self, conn: Connection, state) -> None:
        conn.rollback()


def scoped_lock_name(name: str, database: str) -> str:
    """``atlas_migrate_execute.<database>``; over MySQL's 64 characters, a hash of it."""
    scoped = f"{name}.{database}"
    if len(scoped) <= 64:
        return scoped
    import hashlib

    return f"{name}.{hashlib.sha256(database.encode()).hexdigest()[:64 - len(name) - 1]}"


def _get_lock(conn: Connection, name: str, timeout: float) -> None:
    got = conn.query("SELECT GET_LOCK(%s, %s)", (name, timeout))[0][0]
    if got is None:
        raise LockError(f"acquiring database lock: sql/mysql: unexpected internal error "
                        f"on Lock({json.dumps(name)})")
    if not int(got):
        raise LockError("acquiring database lock: sql/schema: lock is held by other session")


class _NamedLock:
    def __init__(self, conn: Connection, name: str):
        self.conn, self.name = conn, name

    def release(self) -> None:
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            conn.query("SELECT RELEASE_LOCK(%s)", (self.name,))
        except DatabaseError:
            pass  # named locks go away with the session anyway


HOOK = MySQLRevisions()
