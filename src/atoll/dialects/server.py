"""What the server engines (PostgreSQL, MySQL/MariaDB) share while only their versioned
migrations are implemented: lazy driver import with an install hint, the splitter preset, the
clean check through the revisions hook, and a one-line refusal for the declarative side."""

from __future__ import annotations

import importlib
import json
from abc import abstractmethod
from collections.abc import Sequence

from ..errors import AtollError, URLError
from ..migrate.report import GoTime
from ..migrate.revisions import TABLE, Revision, RevisionsHook
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
    identifier_quote = '"'  # MySQL: "`"

    def count_rows(self, conn: Connection, table: str, column: str | None = None,
                   schema: str | None = None) -> int:
        """Rows of ``table`` in the connected schema, or in ``schema`` (with ``column``: rows
        where it holds a value), for the data loss check of ``migrate down``."""
        def q(name: str) -> str:
            mark = self.identifier_quote
            return mark + name.replace(mark, mark * 2) + mark

        where = f" WHERE {q(column)} IS NOT NULL" if column else ""
        name = f"{q(schema)}.{q(table)}" if schema else q(table)
        return int(conn.query(f"SELECT count(*) FROM {name}{where}")[0][0])

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


# --- the revisions table on a server ---------------------------------------------------------

REVISION_COLUMNS = ("version", "description", "type", "applied", "total", "executed_at",
                    "execution_time", "error", "error_stmt", "hash", "partial_hashes",
                    "operator_version")


def text_value(v) -> str:
    """A text column as the drivers hand it back (``None``, ``bytes`` or text)."""
    if v is None:
        return ""
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", "surrogateescape")
    return str(v)


def partial_hashes_value(v) -> list[str] | None:
    """The ``partial_hashes`` JSON column: a list of ``h1:`` hashes, or ``None``."""
    if isinstance(v, (str, bytes, bytearray)):
        try:
            v = json.loads(text_value(v))
        except ValueError:
            return None
    return [str(x) for x in v] if isinstance(v, list) else None


class ServerRevisions(RevisionsHook):
    """What the PostgreSQL and MySQL revisions hooks share: where the table lives (the
    ``--revisions-schema``, else the schema the URL is bound to, else a schema of its own),
    creating and upgrading it, and reading rows. A subclass supplies the engine's SQL: the
    abstract methods here, ``upgrade`` (columns an older table lacks), and the rest of
    :class:`~atoll.migrate.revisions.RevisionsHook`."""

    default_schema = "atlas_schema_revisions"
    upgrade: dict[str, str] = {}

    @staticmethod
    @abstractmethod
    def ident(name: str) -> str:
        """``name`` quoted as an identifier."""

    @staticmethod
    @abstractmethod
    def to_gotime(v) -> GoTime | None:
        """A timestamp as the driver returns it, as a ``GoTime``."""

    @abstractmethod
    def table_exists(self, conn: Connection, schema: str) -> bool: ...

    @abstractmethod
    def create_schema(self, conn: Connection, schema: str) -> None:
        """Create ``schema`` if it does not exist."""

    @abstractmethod
    def create_table(self, conn: Connection, schema: str) -> None:
        """Create the revisions table in ``schema``, in its current shape."""

    def not_clean_reason(self, tables: Sequence[str]) -> str | None:
        # SQLite's wording for now; Atlas's server drivers name the schema too
        # ('found table "t" in schema "public"', 'found schema "s"').
        from .sqlite.revisions import HOOK as sqlite_hook

        return sqlite_hook.not_clean_reason(tables)

    def revisions_schema(self, schema: str) -> str:
        # "" means "the default", resolved per connection (it depends on the URL).
        return schema or ""

    def _schema(self, conn: Connection, schema: str) -> str:
        s = schema or getattr(conn, "bound_schema", "") or self.default_schema
        conn.revisions_schema = s
        return s

    def _table(self, conn: Connection, schema: str) -> str:
        return f"{self.ident(self._schema(conn, schema))}.{self.ident(TABLE)}"

    def ensure_table(self, conn: Connection, schema: str) -> None:
        s = self._schema(conn, schema)
        self.create_schema(conn, s)
        if not self.table_exists(conn, s):
            self.create_table(conn, s)
            return
        have = {r[0] for r in conn.query(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s", (s, TABLE))}
        for column, definition in self.upgrade.items():
            if column not in have:
                conn.execute(f"ALTER TABLE {self.ident(s)}.{self.ident(TABLE)} "
                             f"ADD COLUMN {self.ident(column)} {definition}")

    def select(self, conn: Connection, schema: str, version: str | None = None) -> list[Revision]:
        sql = (f"SELECT {', '.join(self.ident(c) for c in REVISION_COLUMNS)} "
               f"FROM {self._table(conn, schema)}")
        if version is None:
            rows = conn.query(sql)
        else:
            rows = conn.query(f"{sql} WHERE {self.ident('version')} = %s", (version,))
        revs = [self._decode(r) for r in rows]
        # Byte-wise order, whatever the database's collation says.
        revs.sort(key=lambda r: r.version.encode("utf-8", "surrogateescape"))
        return revs

    def _decode(self, row: tuple) -> Revision:
        (version, description, typ, applied, total, executed_at, execution_time, error,
         error_stmt, digest, partial, operator) = row
        return Revision(
            version=text_value(version), description=text_value(description),
            type=int(typ or 0), applied=int(applied or 0), total=int(total or 0),
            executed_at=self.to_gotime(executed_at), execution_time=int(execution_time or 0),
            error=text_value(error), error_stmt=text_value(error_stmt),
            hash=text_value(digest), partial_hashes=partial_hashes_value(partial),
            operator_version=text_value(operator))

    def delete(self, conn: Connection, schema: str, version: str) -> None:
        conn.execute(f"DELETE FROM {self._table(conn, schema)} WHERE {self.ident('version')} = %s",
                     (version,))
