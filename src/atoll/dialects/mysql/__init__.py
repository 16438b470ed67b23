"""MySQL and MariaDB as targets of versioned migrations (``migrate apply|status|set|validate``
with ``--url mysql://…`` or ``mariadb://…``), writing the ``atlas_schema_revisions`` table Atlas
writes, so a database can move between Atlas and atoll in either direction.

Needs ``pip install "atoll[mysql]"`` (PyMySQL), imported only when a MySQL URL is opened.

MySQL DDL is not transactional: every DDL statement commits implicitly, so tx-mode ``file``
cannot roll back the DDL of a failing file. The revision row then records the statements that
ran, the error and the failing statement, and a re-run resumes at that statement (Atlas behaves
the same); see ``revisions.py``.

The declarative side (inspect, diff, plan, clean) is not implemented for MySQL yet: those
methods raise a one-line ``AtollError``."""

from __future__ import annotations

from collections.abc import Sequence

from ...errors import AtollError, URLError
from ...schema.changes import SchemaChange
from ...schema.model import Schema
from ...urls import DatabaseURL
from ..base import Connection, Dialect, Statement


def unsupported(engine: str, what: str = "schema inspection") -> AtollError:
    return AtollError(f"{what} is not supported for {engine} yet; versioned migrations are")


class MySQLDialect(Dialect):
    name = "mysql"

    def connect(self, url: DatabaseURL) -> Connection:
        try:
            from .connection import MySQLConnection
        except ModuleNotFoundError as exc:
            raise URLError(f'{url.scheme} databases need the Python package "{exc.name}": '
                           f'pip install "atoll[mysql]"') from None
        return MySQLConnection(url)

    def inspect(self, conn: Connection, *, exclude: Sequence[str] = ()) -> Schema:
        raise unsupported(self.name)

    def diff(self, current: Schema, desired: Schema, *,
             skip: frozenset[str] = frozenset()) -> list[SchemaChange]:
        raise unsupported(self.name, "schema diffing")

    def schema_sql(self, schema: Schema, *, indent: str = "") -> str:
        raise unsupported(self.name)

    def plan(self, changes: Sequence[SchemaChange], *, indent: str = "") -> list[Statement]:
        raise unsupported(self.name, "schema planning")

    def clean(self, conn: Connection) -> list[Statement]:
        raise unsupported(self.name, "schema cleaning")

    def split(self, text: str) -> list[str]:
        from ...migrate.splitter import MYSQL, split_statements

        return split_statements(text, MYSQL)

    def is_clean(self, conn: Connection) -> bool:
        from .revisions import HOOK, TABLE

        return all(t == TABLE for t in HOOK.user_tables(conn))


DIALECT = MySQLDialect()
