"""What the server engines (PostgreSQL, MySQL/MariaDB) share while only their versioned
migrations are implemented: lazy driver import with an install hint, the splitter preset, the
clean check through the revisions hook, and a one-line refusal for the declarative side."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from ..errors import AtollError, URLError
from ..schema.changes import SchemaChange
from ..schema.model import Schema
from ..urls import DatabaseURL
from .base import Connection, Dialect, Statement


def unsupported(engine: str, what: str = "schema inspection") -> AtollError:
    return AtollError(f"{what} is not supported for {engine} yet; versioned migrations are")


class VersionedOnlyDialect(Dialect):
    """A subclass names its package (``package``), its connection class (in the package's
    ``connection`` module), the pip extra that brings the driver, and the splitter preset."""

    package: str
    connection_class: str
    extra: str
    splitter_preset: str

    def connect(self, url: DatabaseURL) -> Connection:
        try:
            module = importlib.import_module(f"{self.package}.connection")
        except ModuleNotFoundError as exc:
            raise URLError(f'{url.scheme} databases need the Python package "{exc.name}": '
                           f'pip install "atoll[{self.extra}]"') from None
        return getattr(module, self.connection_class)(url)

    def split(self, text: str) -> list[str]:
        from ..migrate import splitter

        return splitter.split_statements(text, getattr(splitter, self.splitter_preset))

    def is_clean(self, conn: Connection) -> bool:
        revisions = importlib.import_module(f"{self.package}.revisions")
        return all(t == revisions.TABLE for t in revisions.HOOK.user_tables(conn))

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
