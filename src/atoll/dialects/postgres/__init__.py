"""PostgreSQL as a target of versioned migrations (``migrate apply|status|set|validate`` with
``--url postgres://…``), writing the ``atlas_schema_revisions`` table Atlas writes, so a
database can move between Atlas and atoll in either direction.

Needs ``pip install "atoll[postgres]"`` (psycopg 3), imported only when a PostgreSQL URL is
opened. The declarative side (inspect, diff, plan, clean) is not implemented for PostgreSQL
yet: those methods raise a one-line ``AtollError``."""

from __future__ import annotations

from collections.abc import Sequence

from ...errors import AtollError, URLError
from ...schema.changes import SchemaChange
from ...schema.model import Schema
from ...urls import DatabaseURL
from ..base import Connection, Dialect, Statement


def unsupported(engine: str, what: str = "schema inspection") -> AtollError:
    return AtollError(f"{what} is not supported for {engine} yet; versioned migrations are")


class PostgresDialect(Dialect):
    name = "postgres"

    def connect(self, url: DatabaseURL) -> Connection:
        try:
            from .connection import PostgresConnection
        except ModuleNotFoundError as exc:
            raise URLError(f'{url.scheme} databases need the Python package "{exc.name}": '
                           f'pip install "atoll[postgres]"') from None
        return PostgresConnection(url)

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
        from ...migrate.splitter import POSTGRES, split_statements

        return split_statements(text, POSTGRES)

    def is_clean(self, conn: Connection) -> bool:
        from .revisions import HOOK, TABLE

        return all(t == TABLE for t in HOOK.user_tables(conn))


DIALECT = PostgresDialect()
