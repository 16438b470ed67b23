"""A transaction in which a plan's ``PRAGMA foreign_keys`` lines still mean something.

The pragma is a no-op inside a transaction, so (like Atlas's SQLite driver) enforcement is
switched off before BEGIN, the foreign-key violations present before are recorded, and at commit
any new violation rolls the whole transaction back. Enforcement is restored either way."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ...errors import DatabaseError
from ..base import Connection


def _violations(conn: Connection) -> list[tuple]:
    return conn.query("PRAGMA foreign_key_check")


@contextmanager
def fk_safe_transaction(conn: Connection) -> Iterator[Connection]:
    fk_on = bool(conn.query("PRAGMA foreign_keys")[0][0])
    if fk_on:
        conn.execute("PRAGMA foreign_keys = off")
    try:
        conn.begin()
        before = set(_violations(conn)) if fk_on else set()
        try:
            yield conn
            if fk_on:
                new = [v for v in _violations(conn) if v not in before]
                if new:
                    found = ", ".join(
                        f"{{Table:{t} RowID:{r} Parent:{p} FKID:{k}}}" for t, r, p, k in new)
                    raise DatabaseError(f"sql/sqlite: foreign key mismatch: [{found}]")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    finally:
        if fk_on:
            conn.execute("PRAGMA foreign_keys = on")
