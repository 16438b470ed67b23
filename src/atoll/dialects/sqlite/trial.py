"""Trying migrations on a SQLite database without keeping anything (``--preflight``).

Two ways, both measured by ``bench/bench_preflight.py`` (numbers in docs/operations.md):

* ``copy`` (the default): SQLite's online backup API copies the database in one step into a
  private in-memory database, and the migrations run there. The real file is only read, under
  a shared lock held for the copy alone, so a live application keeps writing (in WAL mode it
  is never blocked at all) and a ``kill -9`` can leave nothing behind.
* ``transaction``: one write transaction on the real file, rolled back at the end. It copies
  nothing, but holds the database's write lock for the whole trial, so the application's
  writers wait as long as the migration itself takes, a second time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from ...errors import DatabaseError
from ..base import Connection, trial_transaction
from .connection import SQLiteConnection
from .revisions import fk_mismatch, violations

TRIAL_METHODS = ("copy", "transaction")


@contextmanager
def copy_trial(conn: Connection) -> Iterator[Connection]:
    """A private in-memory copy of the database, with the same foreign-key setting."""
    copy = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        try:
            conn.raw.backup(copy)  # one step: a consistent snapshot, the source only read
        except sqlite3.Error as exc:
            raise DatabaseError(f"copying the database for a trial: {exc}") from None
        if conn.query("PRAGMA foreign_keys")[0][0]:
            copy.execute("PRAGMA foreign_keys = on")
        yield SQLiteConnection.over(copy, conn.url)
    finally:
        copy.close()


@contextmanager
def transaction_trial(conn: Connection) -> Iterator[Connection]:
    """A rolled-back transaction on the real file. ``PRAGMA foreign_keys`` lines mean nothing
    inside a transaction, so enforcement is off for the trial (as for a real file) and the
    violations the migrations introduced are checked once at the end."""
    on = bool(conn.query("PRAGMA foreign_keys")[0][0])
    if on:
        conn.execute("PRAGMA foreign_keys = off")
    try:
        with trial_transaction(conn) as tx:
            before = violations(conn) if on else []
            yield tx
            new = [v for v in violations(conn) if v not in before] if on else []
            if new:
                raise fk_mismatch(new)
    finally:
        if on:
            conn.execute("PRAGMA foreign_keys = on")
