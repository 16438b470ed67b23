"""Opening SQLite databases from Atlas-style URLs, on the stdlib ``sqlite3`` module.

Every connection runs with ``isolation_level=None`` so the module never opens transactions on
its own (see notes/deps.md §4): atoll issues BEGIN/COMMIT/ROLLBACK itself, one statement per
``execute()``."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from urllib.parse import unquote

from ...errors import DatabaseError, URLError
from ...urls import DatabaseURL
from ..base import Connection


def dsn_of(url: DatabaseURL) -> str:
    """The DSN Atlas hands to go-sqlite3: the URL without ``sqlite://``; a ``mode=memory``
    URL gets a ``file:`` prefix (``sqlite://dev?mode=memory`` → ``file:dev?mode=memory``)."""
    dsn = url.text.partition("://")[2]
    if url.param("mode") == "memory" and not dsn.startswith("file:"):
        dsn = "file:" + dsn
    return dsn


def is_memory(url: DatabaseURL) -> bool:
    """An in-memory database (``mode=memory``, ``:memory:``): nothing on disk to protect."""
    return url.param("mode") == "memory" or url.path.removeprefix("file:").startswith(
        ":memory:")


def database_file(url: DatabaseURL) -> str:
    """The file a SQLite URL names, as the file system spells it."""
    return unquote(url.path.removeprefix("file:"))


def _sqlite_uri(url: DatabaseURL, read_only: bool = False) -> tuple[str, bool]:
    """What Python's sqlite3 takes: a ``file:`` URI with only the parameters SQLite knows
    (go-sqlite3's own ``_fk``, ``_busy_timeout``… are handled by us). ``read_only`` opens a
    file database with ``mode=ro``: SQLite then neither creates nor changes it."""
    known = {"mode", "cache", "vfs", "immutable", "nolock", "psow"}
    path = url.path
    if path.startswith("file:"):
        path = path[len("file:"):]
    if not path:
        raise URLError(f"invalid SQLite URL {url.text!r}: missing file name")
    params = [(k, v) for k, v in url.query if k in known]
    if read_only and not is_memory(url):
        params = [(k, v) for k, v in params if k != "mode"] + [("mode", "ro")]
    query = "&".join(f"{k}={v}" for k, v in params)
    if url.param("mode") == "memory":
        # A named in-memory database is private to this connection unless shared-cache is
        # asked for; each atoll dev connection wants its own clean database.
        return f"file:{path}?{query}", True
    return f"file:{path}" + (f"?{query}" if query else ""), True


class SQLiteConnection(Connection):
    def __init__(self, url: DatabaseURL, *, timeout: float = 5.0, read_only: bool = False):
        self.url = url
        uri, as_uri = _sqlite_uri(url, read_only)
        try:
            self.raw = sqlite3.connect(uri, uri=as_uri, isolation_level=None, timeout=timeout,
                                       check_same_thread=False)
            fk = url.param("_fk") or url.param("_foreign_keys")
            if fk in ("1", "true", "on"):
                self.raw.execute("PRAGMA foreign_keys = on")
        except sqlite3.Error as exc:
            raise URLError(f"cannot open SQLite database {url.text!r}: {exc}") from None

    @classmethod
    def over(cls, raw: sqlite3.Connection, url: DatabaseURL) -> "SQLiteConnection":
        """A connection object over an already open ``sqlite3`` connection (autocommit)."""
        self = cls.__new__(cls)
        self.url, self.raw = url, raw
        return self

    def execute(self, sql: str, params: Sequence = ()) -> None:
        try:
            self.raw.execute(sql, params)
        except sqlite3.Error as exc:
            raise DatabaseError(str(exc)) from exc

    def query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        try:
            return self.raw.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise DatabaseError(str(exc)) from exc

    def begin(self, immediate: bool = True) -> None:
        self.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        if self.raw.in_transaction:
            self.execute("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    def close(self) -> None:
        self.raw.close()
