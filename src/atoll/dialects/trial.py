"""Trying migrations on a database's real data without keeping anything (``--preflight``).

A trial transaction is one outer transaction that is always rolled back. The migration engine
inside it still opens and commits its own per-file transactions; here they become savepoints
(SQL standard, so PostgreSQL and SQLite both have them), which keeps the engine's code path
exactly the one a real run takes, rollbacks of failing files included."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from .base import Connection


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
