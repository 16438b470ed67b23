"""PostgreSQL's side of the versioned-migration engine (hook contract: ``atoll.migrate.revisions``).

The revisions table is the one Atlas creates through Ent on PostgreSQL, column for column::

    version character varying NOT NULL (PK), description character varying NOT NULL,
    type bigint NOT NULL DEFAULT 2, applied bigint NOT NULL DEFAULT 0,
    total bigint NOT NULL DEFAULT 0, executed_at timestamptz NOT NULL,
    execution_time bigint NOT NULL (ns), error text NULL, error_stmt text NULL,
    hash character varying NOT NULL, partial_hashes jsonb NULL,
    operator_version character varying NOT NULL

Where it lives (Atlas's ``revisionSchemaName``): ``--revisions-schema`` if given, else the
schema the URL is bound to (``?search_path=app`` → ``app``), else the separate schema
``atlas_schema_revisions``. The schema is created when missing (``migrate apply``/``set``).

Transactions: PostgreSQL DDL is transactional, so tx-mode ``file`` makes a file all-or-nothing
(its revision row included). After a failed statement the server ignores every command until
ROLLBACK; the revision write the engine makes at that point would fail and is skipped instead
(the rollback that follows discards it anyway, as it does in Atlas).

Lock: Atlas takes ``pg_try_advisory_lock(fnv32(name))`` (session level, polled, per database).
atoll takes that key *shared*, which keeps Atlas and atoll out of each other's way, plus an
exclusive two-part key (fnv32(name), fnv32(bound schema)) that keeps two atoll runs on the same
schema apart while runs on other schemas of the database (a fleet) go on in parallel."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta, timezone

from ...errors import DatabaseError, LockError
from ...migrate.report import GoTime
from ...migrate.revisions import TABLE, Revision
from ..base import Connection
from ..server import REVISION_COLUMNS, ServerRevisions

COLUMNS = REVISION_COLUMNS

_COLUMN_DDL = (
    '"version" character varying NOT NULL',
    '"description" character varying NOT NULL',
    '"type" bigint NOT NULL DEFAULT 2',
    '"applied" bigint NOT NULL DEFAULT 0',
    '"total" bigint NOT NULL DEFAULT 0',
    '"executed_at" timestamptz NOT NULL',
    '"execution_time" bigint NOT NULL',
    '"error" text NULL',
    '"error_stmt" text NULL',
    '"hash" character varying NOT NULL',
    '"partial_hashes" jsonb NULL',
    '"operator_version" character varying NOT NULL',
)

# Columns added to a table made by an older release: (column, definition).
_UPGRADE = {
    "type": "bigint NOT NULL DEFAULT 2",
    "applied": "bigint NOT NULL DEFAULT 0",
    "total": "bigint NOT NULL DEFAULT 0",
    "execution_time": "bigint NOT NULL DEFAULT 0",
    "error": "text NULL",
    "error_stmt": "text NULL",
    "hash": "character varying NOT NULL DEFAULT ''",
    "partial_hashes": "jsonb NULL",
    "operator_version": "character varying NOT NULL DEFAULT ''",
}

_SYSTEM_SCHEMAS = ("information_schema", "pg_catalog", "pg_toast")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ddl(schema: str) -> str:
    return (f"CREATE TABLE {ident(schema)}.{ident(TABLE)} (" + ", ".join(_COLUMN_DDL)
            + ', PRIMARY KEY ("version"))')


def fnv32(data: bytes) -> int:
    """Go's ``hash/fnv.New32`` (FNV-1, 32 bits)."""
    h = 0x811C9DC5
    for b in data:
        h = (h * 0x01000193) & 0xFFFFFFFF
        h ^= b
    return h


def _int32(v: int) -> int:
    return v - (1 << 32) if v >= 1 << 31 else v


def to_gotime(v) -> GoTime | None:
    if isinstance(v, datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=UTC)
        delta = v - _EPOCH
        ns = (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000
        off = v.utcoffset()
        return GoTime(ns, int(off.total_seconds()) if off else 0)
    return GoTime.parse(v)


def to_datetime(t: GoTime) -> datetime:
    utc = _EPOCH + timedelta(microseconds=t.unix_ns // 1000)
    return utc.astimezone(timezone(timedelta(seconds=t.offset)))


class PostgresRevisions(ServerRevisions):
    name = "postgres"
    transactional_ddl = True  # a file in a transaction commits whole or not at all
    upgrade = _UPGRADE
    ident = staticmethod(ident)
    to_gotime = staticmethod(to_gotime)

    def table_exists(self, conn: Connection, schema: str) -> bool:
        s = self._schema(conn, schema)
        return bool(conn.query(
            "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s "
            "AND c.relkind IN ('r', 'p')", (s, TABLE)))

    def create_schema(self, conn: Connection, schema: str) -> None:
        if not conn.query("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s",
                          (schema,)):
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {ident(schema)}")

    def create_table(self, conn: Connection, schema: str) -> None:
        conn.execute(ddl(schema))

    def upsert(self, conn: Connection, schema: str, rev: Revision) -> None:
        if getattr(conn, "tx_failed", False):
            return  # an aborted transaction: only ROLLBACK can follow (see module docstring)
        table = self._table(conn, schema)
        keep = ("version", "description", "executed_at")
        sql = (f"INSERT INTO {table} (" + ", ".join(ident(c) for c in COLUMNS) + ") VALUES ("
               + ", ".join("%s::jsonb" if c == "partial_hashes" else "%s" for c in COLUMNS)
               + ') ON CONFLICT ("version") DO UPDATE SET '
               + ", ".join(f"{ident(c)} = EXCLUDED.{ident(c)}" for c in COLUMNS if c not in keep))
        partial = json.dumps(rev.partial_hashes, separators=(",", ":"))
        conn.execute(sql, (rev.version, rev.description, rev.type, rev.applied, rev.total,
                           to_datetime(rev.executed_at or GoTime.now()), rev.execution_time,
                           rev.error, rev.error_stmt, rev.hash, partial, rev.operator_version))

    def user_tables(self, conn: Connection) -> list[str]:
        """Tables that make the database "not clean": those of the bound schema, or of every
        user schema when the URL is not bound to one (then named ``schema.table``). The
        revisions table is listed as plain ``atlas_schema_revisions`` when it is in scope."""
        bound = getattr(conn, "bound_schema", "")
        rev_schema = getattr(conn, "revisions_schema", "") or bound or self.default_schema
        sql = ("SELECT n.nspname, c.relname FROM pg_catalog.pg_class c "
               "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
               "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition ")
        if bound:
            rows = conn.query(sql + "AND n.nspname = %s ORDER BY 1, 2", (bound,))
        else:
            rows = conn.query(sql + "AND n.nspname <> ALL(%s) "
                              "AND n.nspname !~ '^pg_(toast_)?temp_' ORDER BY 1, 2",
                              (list(_SYSTEM_SCHEMAS),))
        out = []
        for s, t in rows:
            if t == TABLE and s == rev_schema:
                out.append(TABLE)
            else:
                out.append(t if bound else f"{s}.{t}")
        return out

    def user_objects(self, conn: Connection) -> list[str]:
        """Views, functions, sequences and types that also make a schema "not clean"."""
        from .objects import user_objects

        return user_objects(conn)

    def lock_path(self, conn: Connection, name: str) -> str | None:
        return None

    def db_lock(self, conn: Connection, name: str, timeout: float) -> _AdvisoryLock:
        atlas_key = fnv32(name.encode())
        scope = (_int32(atlas_key), _int32(fnv32(getattr(conn, "bound_schema", "").encode())))
        deadline = time.monotonic() + max(0.0, timeout)
        inter = 0.025
        while True:
            got = conn.query("SELECT pg_try_advisory_lock_shared(%s)", (atlas_key,))[0][0]
            if got:
                if conn.query("SELECT pg_try_advisory_lock(%s, %s)", scope)[0][0]:
                    return _AdvisoryLock(conn, atlas_key, scope)
                conn.query("SELECT pg_advisory_unlock_shared(%s)", (atlas_key,))
            left = deadline - time.monotonic()
            if left <= 0:
                raise LockError("acquiring database lock: sql/schema: lock is held by other "
                                "session")
            d = min(inter, 1.0)
            time.sleep(min(left, d + random.uniform(0, d)))
            inter *= 2

    def try_named_lock(self, conn: Connection, name: str) -> "_AdvisoryLock":
        """Atlas's exclusive key (``migrate lint``'s ``atlas_lint``), tried once."""
        key = fnv32(name.encode())
        if not conn.query("SELECT pg_try_advisory_lock(%s)", (key,))[0][0]:
            raise LockError("acquiring database lock: sql/schema: lock is held by other "
                            "session")
        return _AdvisoryLock(conn, key, None)

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
            if conn.in_transaction:
                conn.rollback()
            raise

    def rollback(self, conn: Connection, state) -> None:
        conn.rollback()


class _AdvisoryLock:
    def __init__(self, conn: Connection, key: int, scope: tuple[int, int] | None):
        self.conn, self.key, self.scope = conn, key, scope

    def release(self) -> None:
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            if getattr(conn, "tx_failed", False):
                conn.rollback()
            if self.scope is None:  # an exclusive one-key lock (try_named_lock)
                conn.query("SELECT pg_advisory_unlock(%s)", (self.key,))
                return
            conn.query("SELECT pg_advisory_unlock(%s, %s)", self.scope)
            conn.query("SELECT pg_advisory_unlock_shared(%s)", (self.key,))
        except DatabaseError:
            pass  # session locks go away with the connection anyway


HOOK = PostgresRevisions()
