"""A transaction in which a plan's ``PRAGMA foreign_keys`` lines still mean something.

The pragma is a no-op inside a transaction, so (like Atlas's SQLite driver) enforcement is
switched off before BEGIN, the foreign-key violations present before are recorded, and at commit
any new violation rolls the whole transaction back. Enforcement is restored either way. The
steps live in the revisions hook, which the migration engine drives directly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..base import Connection
from .revisions import HOOK


@contextmanager
def fk_safe_transaction(conn: Connection) -> Iterator[Connection]:
    state = HOOK.begin(conn)
    try:
        yield conn
    except BaseException:
        HOOK.rollback(conn, state)
        raise
    HOOK.commit(conn, state)
