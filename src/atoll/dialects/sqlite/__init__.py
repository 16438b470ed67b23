"""SQLite: the embedded default engine. Each job lives in its own module; this class only
wires them together behind the ``Dialect`` interface (imports stay lazy for CLI start-up)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from ...urls import DatabaseURL
from ..base import Connection, Dialect, Statement

if TYPE_CHECKING:
    from ...schema.changes import SchemaChange
    from ...schema.model import Schema


class SQLiteDialect(Dialect):
    name = "sqlite"

    def connect(self, url: DatabaseURL) -> Connection:
        from .connection import SQLiteConnection

        return SQLiteConnection(url)

    def connect_read_only(self, url: DatabaseURL) -> Connection:
        """A file database must exist (SQLite would create it) and is opened ``mode=ro``;
        in-memory databases open as usual."""
        import os

        from ...errors import AtollError
        from .connection import SQLiteConnection, database_file, is_memory

        if is_memory(url):
            return SQLiteConnection(url)
        path = database_file(url)
        if not os.path.isfile(path):
            raise AtollError(f"database file does not exist: {path} ({url.masked})")
        return SQLiteConnection(url, read_only=True)

    def inspect(self, conn: Connection, *, exclude: Sequence[str] = ()) -> Schema:
        from .inspect import inspect_schema

        return inspect_schema(conn, exclude=exclude)

    def diff(self, current: Schema, desired: Schema, *,
             skip: frozenset[str] = frozenset()) -> list[SchemaChange]:
        from ...schema.diff import diff_schemas
        from .diff_rules import SQLiteDiffRules
        from .rebuild_deps import with_rebuild_dependents

        changes = diff_schemas(current, desired, SQLiteDiffRules(), skip=skip)
        return with_rebuild_dependents(changes, current, desired)

    def schema_sql(self, schema: Schema, *, indent: str = "") -> str:
        from .plan import schema_sql

        return schema_sql(schema, indent=indent)

    def plan(self, changes: Sequence[SchemaChange], *, indent: str = "",
             qualifier: str | None = None) -> list[Statement]:
        from .plan import plan_changes

        return plan_changes(changes, indent=indent, qualifier=qualifier)

    def split(self, text: str) -> list[str]:
        return list(_split_cached(text))

    def transaction(self, conn: Connection):
        from .transaction import fk_safe_transaction

        return fk_safe_transaction(conn)

    def rebuild_proof(self, conn: Connection, statements: Sequence[str]):
        from .rebuild_proof import rebuild_proof

        return rebuild_proof(conn, statements)

    def trial(self, conn: Connection, method: str = "copy"):
        """Run migrations without keeping anything: on a private copy (default) or in a
        rolled-back transaction on the real file; see ``trial.py`` for the trade-off."""
        from .trial import copy_trial, transaction_trial

        return copy_trial(conn) if method == "copy" else transaction_trial(conn)

    def risk_probe(self):
        from .data_risk import SQLiteRiskProbe

        return SQLiteRiskProbe()

    def handled_by_transaction(self, statement: Statement) -> bool:
        # PRAGMA foreign_keys is a no-op inside a transaction; the transaction switches
        # enforcement off and checks violations at commit instead.
        return statement.sql.strip().upper().startswith("PRAGMA FOREIGN_KEYS")

    def lint_analyzers(self, analyzers: list, config=None) -> list:
        from .lint import lint_analyzers

        return lint_analyzers(analyzers)

    def backup(self, conn: Connection, dest: str) -> None:
        """A consistent copy of the database file at ``dest`` (SQLite's online backup API)."""
        import sqlite3

        target = sqlite3.connect(dest)
        try:
            conn.raw.backup(target)
        finally:
            target.close()

    def count_rows(self, conn: Connection, table: str, column: str | None = None) -> int:
        """Rows of ``table`` (with ``column``: rows where it holds a value), for the data
        loss check of ``migrate down``."""
        from .sqlbuilder import quote_ident as q

        where = f" WHERE {q(column)} IS NOT NULL" if column else ""
        return conn.query(f"SELECT count(*) FROM {q(table)}{where}")[0][0]

    @property
    def restore_points(self):
        from . import restore_point

        return restore_point

    def clean(self, conn: Connection) -> list[Statement]:
        from .plan import plan_clean

        return plan_clean(self.inspect(conn))

    def dev_state_tag(self, conn: Connection) -> str | None:
        # Only a private in-memory database: its whole state is the serialized image.
        import sqlite3

        from .connection import is_memory

        url = getattr(conn, "url", None)
        if url is None or not is_memory(url) or url.param("cache") == "shared":
            return None
        return f"sqlite {sqlite3.sqlite_version} {url.text}"

    def save_dev_state(self, conn: Connection) -> bytes:
        import sqlite3

        from ...errors import DatabaseError

        try:
            if not conn.raw.execute("PRAGMA page_count").fetchone()[0]:
                return b""  # never written: SQLite has no image to give
            return conn.raw.serialize()
        except sqlite3.Error as exc:
            raise DatabaseError(str(exc)) from exc

    def load_dev_state(self, conn: Connection, data: bytes) -> None:
        # Copied in with the online backup API from a scratch database holding the image:
        # the dev database stays an ordinary in-memory one (deserializing into it directly
        # made it a memdb file under the connection's feet, and one lint run crashed there).
        import sqlite3

        from ...errors import DatabaseError

        scratch = sqlite3.connect(":memory:")
        try:
            if data:
                scratch.deserialize(data)
            scratch.backup(conn.raw)
            conn.raw.execute("PRAGMA schema_version").fetchone()
        except sqlite3.Error as exc:
            raise DatabaseError(str(exc)) from exc
        finally:
            scratch.close()

    def schema_token(self, conn: Connection) -> object | None:
        # SQLite bumps schema_version on every change to sqlite_schema (also inside a
        # transaction, for the connection that made it).
        return conn.query("PRAGMA schema_version")[0][0]


@lru_cache(maxsize=512)
def _split_cached(text: str) -> tuple[str, ...]:
    # A fleet applies the same files to every database: split each text once per process.
    from ...migrate.splitter import split_statements

    return tuple(split_statements(text))


DIALECT = SQLiteDialect()
