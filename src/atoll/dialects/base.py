"""The driver interface every dialect implements. The migration engine, the fleet runner and
the CLI talk to these two classes only, never to a database module directly."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..errors import AtollError, DatabaseError
from ..schema.name_rules import SQLITE_NAMES, NameRules
from ..urls import DatabaseURL

if TYPE_CHECKING:  # the schema model is not loaded by commands that never inspect
    from ..schema.changes import SchemaChange
    from ..schema.model import Realm, Schema


@dataclass(frozen=True)
class Statement:
    """One planned statement. ``sql`` has no trailing ``;``. ``comment`` is the text of the
    ``-- <comment>`` line Atlas writes above it (``Create "users" table``), or ``""``."""

    sql: str
    comment: str = ""

    def failure(self, exc: BaseException) -> str:
        """``exc`` prefixed with what this statement does (``create "t" table: …``)."""
        return f"{self.comment[:1].lower()}{self.comment[1:]}: {exc}" if self.comment \
            else str(exc)


def run_statements(conn: Connection, statements: Sequence[Statement]) -> None:
    """Execute ``statements`` one by one (on a dev database: normalising a desired state);
    the first failure is an ``AtollError`` naming what the statement does."""
    for stmt in statements:
        try:
            conn.execute(stmt.sql)
        except DatabaseError as exc:
            raise AtollError(stmt.failure(exc)) from None


class Connection(ABC):
    """An open connection in autocommit mode; transactions are explicit."""

    url: DatabaseURL

    @abstractmethod
    def execute(self, sql: str, params: Sequence = ()) -> None:
        """Run one statement. Raises ``DatabaseError`` with the engine's own message."""

    @abstractmethod
    def query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """Run one query and return all rows."""

    @abstractmethod
    def begin(self) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @property
    @abstractmethod
    def in_transaction(self) -> bool: ...

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class RebuildProof(Protocol):
    """Checks, made while a file runs, that its table rebuilds lose nothing. The executor
    calls ``before(i)`` and ``after(i)`` around statement ``i`` of the file; either raises
    ``RebuildProofError`` (a ``DatabaseError``) on a mismatch, failing that statement."""

    def before(self, i: int) -> None: ...

    def after(self, i: int) -> None: ...


class Dialect(ABC):
    """One database engine."""

    name: str
    # A module with take/state_hash/restoring/put_back (see dialects/sqlite/restore_point.py)
    # for engines whose databases atoll can copy aside and put back; None elsewhere.
    restore_points = None
    # How the engine compares the names of tables, columns, indexes and triggers, for the
    # check of schema files before planning (hcl/schema_check.py).
    hcl_name_rules: NameRules = SQLITE_NAMES

    @abstractmethod
    def connect(self, url: DatabaseURL) -> Connection:
        """Open a connection; raises ``URLError``/``DatabaseError`` with a one-line message."""

    def connect_read_only(self, url: DatabaseURL) -> Connection:
        """Open a database a command only reads (``migrate status``, ``schema inspect``…):
        it must exist and is not changed. Engines whose ``connect`` can create a database
        (SQLite) override this; on a server, connecting creates nothing."""
        return self.connect(url)

    @abstractmethod
    def inspect(self, conn: Connection, *, exclude: Sequence[str] = ()) -> Schema:
        """The connection's schema (``main`` for SQLite), without objects matching
        ``exclude`` globs (``users``, ``*.[ab]*``, ``users.c*``)."""

    @abstractmethod
    def diff(self, current: Schema, desired: Schema, *,
             skip: frozenset[str] = frozenset()) -> list[SchemaChange]:
        """The changes that turn ``current`` into ``desired``, by this engine's rules."""

    @abstractmethod
    def schema_sql(self, schema: Schema, *, indent: str = "") -> str:
        """The schema as the SQL that creates it (``schema inspect --format '{{ sql . }}'``)."""

    @abstractmethod
    def plan(self, changes: Sequence[SchemaChange], *, indent: str = "",
             qualifier: str | None = None) -> list[Statement]:
        """Statements that carry out ``changes``, in order, as Atlas's planner writes them.
        ``indent`` is the per-line indent of multi-line statements (``schema apply`` uses
        two spaces; ``migrate diff`` and ``schema diff`` use none: single-line). ``qualifier``
        (``migrate diff --qualifier``) names the schema table names are qualified with."""

    @abstractmethod
    def split(self, text: str) -> list[str]:
        """Split a migration file into statements the way Atlas's scanner does."""

    @abstractmethod
    def clean(self, conn: Connection) -> list[Statement]:
        """Statements that drop every object (``schema clean``)."""

    def transaction(self, conn: Connection):
        """A context manager running its block in one transaction: commit on success,
        rollback on any error. Engines override it where plans need more (SQLite: FKs)."""
        from contextlib import contextmanager

        @contextmanager
        def tx():
            conn.begin()
            try:
                yield conn
                conn.commit()
            except BaseException:
                conn.rollback()
                raise

        return tx()

    def rebuild_proof(self, conn: Connection, statements: Sequence[str]) -> RebuildProof | None:
        """The proof for a file that rebuilds tables (``None``: nothing to check). Engines
        that alter tables in place have nothing to prove."""
        return None

    # Why this engine cannot try migrations without keeping them (``--preflight``), or "".
    trial_unsupported: str = ""

    def trial(self, conn: Connection):
        """A context manager yielding a connection on which migrations run against the
        database's real data and nothing is kept: by default one transaction that is rolled
        back (the migration engine's own transactions become savepoints inside it)."""
        return trial_transaction(conn)

    def risk_probe(self):
        """A per-database probe that counts, right before a statement runs, the rows and
        values it would lose or break (``atoll.migrate.data_risk``); ``None``: not yet
        available for this engine."""
        return None

    def handled_by_transaction(self, statement: Statement) -> bool:
        """Whether :meth:`transaction` itself does what ``statement`` asks, so a plan run in
        one transaction skips it."""
        return False

    def lint_analyzers(self, analyzers: list, config=None) -> list:
        """The ``migrate lint`` analyzers for this engine, given the generic ones in report
        order and the ``lint`` block (a ``LintConfig``): an engine adds its own steps, or
        replaces an analyzer with its variant."""
        return analyzers

    def is_clean(self, conn: Connection) -> bool:
        return not self.inspect(conn).tables

    def schema_token(self, conn: Connection) -> object | None:
        """A value that changes whenever the connected schema changes, read cheaply, so that
        a replay can skip inspecting after statements that left the schema alone (INSERTs).
        ``None`` where the engine has none: callers then inspect every time."""
        return None

    # A replayed dev database saved across runs (migrate/replay_cache.py): engines that can
    # copy a whole database into bytes and back override these three.
    def dev_state_tag(self, conn: Connection) -> str | None:
        """What a saved state of ``conn`` depends on besides the files replayed (the engine's
        version, the dev URL); ``None`` when this connection's state cannot be saved."""
        return None

    def save_dev_state(self, conn: Connection) -> bytes:
        raise NotImplementedError

    def load_dev_state(self, conn: Connection, data: bytes) -> None:
        """Make ``conn``'s database the one ``data`` holds; raises ``DatabaseError``."""
        raise NotImplementedError


    # --- schema files ------------------------------------------------------------------------

    def decode_hcl(self, doc) -> Schema:
        """The schema an evaluated HCL document describes, by this engine's HCL rules."""
        from ..hcl.schema_codec import decode_schema

        return decode_schema(doc)

    def encode_hcl(self, schema: Schema) -> str:
        """The HCL ``schema inspect`` prints for ``schema``."""
        from ..hcl.schema_codec import encode_schema

        return encode_schema(schema)

    def normalize(self, desired: Schema, dev_url: str | None) -> Schema:
        """The desired schema as the engine would store it. Engines whose diff needs it
        (PostgreSQL) create it on the dev database and inspect it back, as Atlas does; the
        default (SQLite, whose Atlas driver does not normalise) returns it unchanged."""
        return desired

    def dev_not_clean(self, schema: Schema) -> str | None:
        """Why a dev database holding ``schema`` cannot be used, or None when it is clean."""
        if schema.tables:
            return f'found table "{schema.tables[0].name}"'
        return None

    # --- realm scope: a URL naming a whole database of schemas ------------------------------
    # By default every URL is bound to one schema (SQLite's "main"). Engines whose URLs can
    # name a whole database (PostgreSQL without ``search_path``) override these; the generic
    # realm flow (``atoll/realm.py``) calls them only when ``realm_scoped(url)`` says so.

    def realm_scoped(self, url: DatabaseURL) -> bool:
        return False

    def _no_realm(self) -> AtollError:
        return AtollError(f"{self.name}: database (realm) scope is not supported")

    def inspect_realm(self, conn: Connection, *, exclude: Sequence[str] = ()) -> Realm:
        """Every user schema of the connected database."""
        raise self._no_realm()

    def inspect_bound_realm(self, conn: Connection, *, exclude: Sequence[str] = ()) -> Realm:
        """The one schema a schema-bound connection names, as a realm (Atlas's
        ``SchemaConn``), inspected the way ``inspect_realm`` sees it so that it compares
        with a realm (PostgreSQL: types and expressions qualified with their schema)."""
        return Realm((self.inspect(conn, exclude=exclude),))

    def diff_realm(self, current: Realm, desired: Realm, *,
                   skip: frozenset[str] = frozenset()) -> list:
        """Realm changes (``AddSchema``, ``DropSchema``, ``InSchema``) from one to the other."""
        raise self._no_realm()

    def plan_realm(self, changes: Sequence, *, indent: str = "") -> list[Statement]:
        """Statements for realm changes, every object named with its schema."""
        raise self._no_realm()

    def realm_sql(self, realm: Realm, *, indent: str = "") -> str:
        """The realm as the SQL that creates it (``schema inspect --format '{{ sql . }}'``)."""
        raise self._no_realm()

    def decode_hcl_realm(self, doc) -> Realm:
        """A realm from an HCL document with any number of ``schema`` blocks."""
        raise self._no_realm()

    def encode_hcl_realm(self, realm: Realm) -> str:
        raise self._no_realm()

    def normalize_realm(self, desired: Realm, dev_url: str | None) -> Realm:
        return desired

    def realm_dev_not_clean(self, realm: Realm) -> str | None:
        """Why a realm dev database holding ``realm`` cannot be used, or None."""
        raise self._no_realm()

    def restore_realm_dev(self, conn: Connection, snapshot: Realm) -> None:
        """Put a realm dev database back to ``snapshot`` (what it held before use)."""
        raise self._no_realm()


# --- trials (``--preflight``) -----------------------------------------------------------------
# A trial transaction is one outer transaction that is always rolled back. The migration engine
# inside it still opens and commits its own per-file transactions; here they become savepoints
# (SQL standard: PostgreSQL and SQLite both have them), which keeps the engine's code path
# exactly the one a real run takes, rollbacks of failing files included.

class SavepointConnection(Connection):
    """A connection inside a trial transaction: ``begin``/``commit``/``rollback`` map to
    ``SAVEPOINT``/``RELEASE``/``ROLLBACK TO``; everything else goes to the real connection."""

    def __init__(self, inner: Connection):
        self.inner = inner
        self.url = inner.url
        self._depth = 0

    def __getattr__(self, name: str):  # driver extras: raw, bound_schema, tx_failed, …
        return getattr(self.inner, name)

    def execute(self, sql: str, params: Sequence = ()) -> None:
        self.inner.execute(sql, params)

    def query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self.inner.query(sql, params)

    def _name(self) -> str:
        return f"atoll_trial_{self._depth}"

    def begin(self, *_args, **_kw) -> None:
        self._depth += 1
        self.inner.execute(f"SAVEPOINT {self._name()}")

    def commit(self) -> None:
        if self._depth:
            self.inner.execute(f"RELEASE SAVEPOINT {self._name()}")
            self._depth -= 1

    def rollback(self) -> None:
        if self._depth:
            self.inner.execute(f"ROLLBACK TO SAVEPOINT {self._name()}")
            self.inner.execute(f"RELEASE SAVEPOINT {self._name()}")
            self._depth -= 1

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def close(self) -> None:
        pass  # the real connection belongs to whoever opened the trial


@contextmanager
def trial_transaction(conn: Connection) -> Iterator[Connection]:
    """Run the block inside one transaction that is rolled back whatever happens."""
    conn.begin()
    try:
        yield SavepointConnection(conn)
    finally:
        if getattr(conn, "tx_failed", False) or conn.in_transaction:
            conn.rollback()
