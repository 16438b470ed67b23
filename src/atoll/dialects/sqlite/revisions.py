"""SQLite's side of the versioned-migration engine: the ``atlas_schema_revisions`` table as
Atlas (through Ent and go-sqlite3) creates and fills it, the "is this database clean" query,
the lock file location, and migration transactions that keep ``PRAGMA foreign_keys`` lines in
migration files meaningful (see ``atoll.migrate.revisions`` for the hook contract)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from ...errors import DatabaseError, MigrationError
from ...gotext import go_quote
from ...migrate.report import GoTime
from ...migrate.revisions import TABLE, Revision, RevisionsHook
from ..base import Connection

COLUMNS = ("version", "description", "type", "applied", "total", "executed_at",
           "execution_time", "error", "error_stmt", "hash", "partial_hashes", "operator_version")

DDL = ("CREATE TABLE IF NOT EXISTS `atlas_schema_revisions` (`version` text NOT NULL, "
       "`description` text NOT NULL, `type` integer NOT NULL DEFAULT (2), "
       "`applied` integer NOT NULL DEFAULT (0), `total` integer NOT NULL DEFAULT (0), "
       "`executed_at` datetime NOT NULL, `execution_time` integer NOT NULL, `error` text NULL, "
       "`error_stmt` text NULL, `hash` text NOT NULL, `partial_hashes` json NULL, "
       "`operator_version` text NOT NULL, PRIMARY KEY (`version`))")

# Columns added to a table made by an older release: (column, definition).
_UPGRADE = {
    "type": "integer NOT NULL DEFAULT (2)",
    "applied": "integer NOT NULL DEFAULT (0)",
    "total": "integer NOT NULL DEFAULT (0)",
    "execution_time": "integer NOT NULL DEFAULT (0)",
    "error": "text NULL",
    "error_stmt": "text NULL",
    "hash": "text NOT NULL DEFAULT ('')",
    "partial_hashes": "json NULL",
    "operator_version": "text NOT NULL DEFAULT ('')",
}

_Q = "`atlas_schema_revisions`"
_SELECT = "SELECT " + ", ".join(f"`{c}`" for c in COLUMNS) + f" FROM {_Q}"
BRIEF_COLUMNS = ("version", "description", "type", "applied", "total", "error", "error_stmt",
                 "hash", "operator_version")
_SELECT_BRIEF = ("SELECT " + ", ".join(f"`{c}`" for c in BRIEF_COLUMNS) + f" FROM {_Q} "
                 "ORDER BY `version`")
_UPSERT = (f"INSERT INTO {_Q} (" + ", ".join(f"`{c}`" for c in COLUMNS) + ") VALUES ("
           + ", ".join("?" for _ in COLUMNS) + ") ON CONFLICT (`version`) DO UPDATE SET "
           + ", ".join(f"`{c}` = excluded.`{c}`" for c in COLUMNS
                       if c not in ("version", "description", "executed_at")))


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bytes):
        return v.decode("utf-8", "surrogateescape")
    return str(v)


def _partial(v) -> list[str] | None:
    if v is None or v == b"null":  # b"null": what a row without partial hashes holds
        return None
    try:
        data = json.loads(_text(v))
    except ValueError:
        return None
    return [str(x) for x in data] if isinstance(data, list) else None


class SQLiteRevisions(RevisionsHook):
    name = "sqlite"

    def revisions_schema(self, schema: str) -> str:
        if schema not in ("", "main"):
            raise MigrationError("cannot store revisions-table in a separate schema "
                                 f"({go_quote(schema)}) with SQLite driver")
        return "main"

    def table_exists(self, conn: Connection, schema: str) -> bool:
        return bool(conn.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                               (TABLE,)))

    def ensure_table(self, conn: Connection, schema: str) -> None:
        if not self.table_exists(conn, schema):
            conn.execute(DDL)
            return
        have = {row[1] for row in conn.query(f"PRAGMA table_info({_Q})")}
        for column, definition in _UPGRADE.items():
            if column not in have:
                conn.execute(f"ALTER TABLE {_Q} ADD COLUMN `{column}` {definition}")

    def table_current(self, conn: Connection, schema: str) -> bool:
        have = {row[1] for row in conn.query(f"PRAGMA table_info({_Q})")}
        return bool(have) and all(column in have for column in _UPGRADE)

    def select(self, conn: Connection, schema: str, version: str | None = None) -> list[Revision]:
        if version is None:
            rows = conn.query(_SELECT + " ORDER BY `version`")
        else:
            rows = conn.query(_SELECT + " WHERE `version` = ?", (version,))
        return [self._decode(r) for r in rows]

    def select_brief(self, conn: Connection, schema: str) -> list[Revision]:
        return [Revision(version=_text(v), description=_text(d), type=int(t or 0),
                         applied=int(a or 0), total=int(n or 0), error=_text(e),
                         error_stmt=_text(s), hash=_text(h), operator_version=_text(o))
                for v, d, t, a, n, e, s, h, o in conn.query(_SELECT_BRIEF)]

    def _decode(self, row: tuple) -> Revision:
        (version, description, typ, applied, total, executed_at, execution_time, error,
         error_stmt, digest, partial, operator) = row
        # Text columns come back as str; _text is for the odd row (NULL, blob).
        return Revision(
            version=version if version.__class__ is str else _text(version),
            description=description if description.__class__ is str else _text(description),
            type=int(typ or 0), applied=int(applied or 0), total=int(total or 0),
            executed_at=GoTime.parse(executed_at), execution_time=int(execution_time or 0),
            error=error if error.__class__ is str else _text(error),
            error_stmt=error_stmt if error_stmt.__class__ is str else _text(error_stmt),
            hash=digest if digest.__class__ is str else _text(digest),
            partial_hashes=_partial(partial),
            operator_version=operator if operator.__class__ is str else _text(operator))

    def upsert(self, conn: Connection, schema: str, rev: Revision) -> None:
        executed_at = (rev.executed_at or GoTime.now()).sqlite_text()
        partial = json.dumps(rev.partial_hashes, separators=(",", ":")).encode()
        conn.execute(_UPSERT, (rev.version, rev.description, rev.type, rev.applied, rev.total,
                               executed_at, rev.execution_time, rev.error, rev.error_stmt,
                               rev.hash, partial, rev.operator_version))

    def delete(self, conn: Connection, schema: str, version: str) -> None:
        conn.execute(f"DELETE FROM {_Q} WHERE `version` = ?", (version,))

    def user_tables(self, conn: Connection) -> list[str]:
        rows = conn.query("SELECT name FROM sqlite_master WHERE type = 'table' "
                          "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'libsql_%'")
        return [r[0] for r in rows]

    def not_clean_reason(self, tables: Sequence[str]) -> str | None:
        if len(tables) > 1:
            return f"found multiple tables: {len(tables)}"
        if len(tables) == 1 and tables[0] != TABLE:
            return f"found table {go_quote(tables[0])}"
        return None

    def lock_path(self, conn: Connection, name: str) -> str | None:
        """``<database file>.<name>.lock`` next to the main database file (by its real
        path); ``None`` for in-memory and temporary databases."""
        try:
            rows = conn.query("PRAGMA database_list")
        except DatabaseError:
            return None
        for _, db, path in rows:
            if db == "main":
                return f"{os.path.realpath(path)}.{name}.lock" if path else None
        return None

    # -- transactions -----------------------------------------------------------------------

    def begin(self, conn: Connection):
        """Open a migration transaction. Like Atlas's driver: with foreign keys on, they are
        turned off before BEGIN (so ``PRAGMA foreign_keys`` lines of table rebuilds work) and
        the violations existing now are recorded for the check at commit."""
        on = bool(conn.query("PRAGMA foreign_keys")[0][0])
        if on:
            conn.execute("PRAGMA foreign_keys = off")
        try:
            conn.begin()
            before = violations(conn) if on else []
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            if on:
                conn.execute("PRAGMA foreign_keys = on")
            raise
        return on, before

    def commit(self, conn: Connection, state) -> None:
        on, before = state
        try:
            if on:
                try:
                    new = [v for v in violations(conn) if v not in before]
                except BaseException:
                    conn.rollback()
                    raise
                if new:
                    conn.rollback()
                    raise fk_mismatch(new)
            try:
                conn.commit()
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise
        finally:
            if on:
                conn.execute("PRAGMA foreign_keys = on")

    def rollback(self, conn: Connection, state) -> None:
        on, _ = state
        try:
            conn.rollback()
        finally:
            if on:
                conn.execute("PRAGMA foreign_keys = on")


def violations(conn: Connection) -> list[tuple]:
    """The foreign-key violations in the database now (``PRAGMA foreign_key_check`` rows)."""
    return [tuple(r) for r in conn.query("PRAGMA foreign_key_check")]


def fk_mismatch(new: list[tuple]) -> DatabaseError:
    """The error (Atlas's text) for violations a migration introduced."""
    found = " ".join(f"{{tbl:{t} ref:{p} row:{r if r is not None else 0} index:{k}}}"
                     for t, r, p, k in new)
    return DatabaseError(f"sql/sqlite: foreign key mismatch: [{found}]")


HOOK = SQLiteRevisions()
