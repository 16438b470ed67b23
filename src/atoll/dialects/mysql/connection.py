"""Opening MySQL and MariaDB databases from Atlas-style URLs, on PyMySQL (imported here only).

``mysql://user:pass@host:3306/db`` (or ``mariadb://…``, ``maria://…``): the path names the
database the URL is bound to; without one the connection is bound to no database (Atlas's
"realm" mode). ``mysql+unix:///path/to/socket?database=db`` (and ``mariadb+unix``,
``maria+unix``) connect over a Unix socket; the database is the ``database`` parameter.
Recognised parameters: ``charset`` (default utf8mb4), ``tls``/``ssl-mode`` (``true``,
``skip-verify``, ``preferred``, ``false``), ``timeout`` (connect, seconds); the other
go-sql-driver parameters have no PyMySQL equivalent and are ignored.

The session runs with autocommit on; atoll sends BEGIN/COMMIT/ROLLBACK itself. Statements
without parameters are sent as they are (no ``%`` interpolation, one statement per call, as
go-sql-driver does without ``multiStatements``). Server errors read like go-sql-driver's:
``Error 1050 (42S01): Table 't1' already exists``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote

import pymysql
from pymysql.constants import SERVER_STATUS

from ...errors import DatabaseError, URLError
from ...urls import DatabaseURL
from ..base import Connection


def _seconds(text: str) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)?", text.strip())
    if not m:
        raise ValueError(text)
    v = float(m.group(1))
    return {"ms": v / 1000, "m": v * 60}.get(m.group(2) or "s", v)


def connect_kwargs(url: DatabaseURL) -> dict:
    if url.scheme not in ("mysql", "mariadb", "maria", "mysql+unix", "mariadb+unix",
                          "maria+unix"):
        raise URLError(f"not a MySQL URL: {url.masked!r}")
    socket = None
    if url.scheme.endswith("+unix"):
        # The path is the socket; the database comes from the "database" parameter.
        socket, db = unquote(url.path), url.param("database") or ""
        if not socket:
            raise URLError(f"invalid MySQL URL {url.masked!r}: missing socket path")
    else:
        db = unquote(url.path.lstrip("/"))
    if "/" in db:
        raise URLError(f"invalid MySQL URL {url.masked!r}: bad database name {db!r}")
    kw: dict = {
        "host": url.host or "localhost", "port": url.port or 3306, "unix_socket": socket,
        "user": unquote(url.user or ""), "password": unquote(url.password or ""),
        "database": db or None, "charset": url.param("charset") or "utf8mb4",
        "autocommit": True, "connect_timeout": 10,
    }
    if "," in kw["charset"]:  # go-sql-driver: a list of charsets to try
        kw["charset"] = kw["charset"].split(",")[0]
    timeout = url.param("timeout")
    if timeout:
        try:
            kw["connect_timeout"] = max(1, int(_seconds(timeout) + 0.999))
        except ValueError:
            raise URLError(f"invalid MySQL URL {url.masked!r}: bad timeout {timeout!r}") from None
    tls = (url.param("tls") or url.param("ssl-mode") or "").lower()
    if tls in ("true", "required", "verify_identity", "verify_ca", "skip-verify", "preferred"):
        import ssl

        ctx = ssl.create_default_context()
        if tls in ("skip-verify", "preferred"):
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        kw["ssl"] = ctx
    return kw


def mysql_message(exc: BaseException) -> str:
    """An error as go-sql-driver (which Atlas uses) writes it, on one line."""
    args = getattr(exc, "args", ())
    if len(args) >= 2 and isinstance(args[0], int):
        code, msg = args[0], " ".join(str(args[1]).split())
        if code == 0 and not msg:
            # PyMySQL's word for a connection that is already gone (go-sql-driver says
            # "invalid connection"; PostgreSQL's driver, "the connection is closed").
            return "the connection is closed"
        state = getattr(exc, "sqlstate", None)
        return f"Error {code} ({state}): {msg}" if state else f"Error {code}: {msg}"
    return " ".join(str(exc).split()) or type(exc).__name__


class MySQLConnection(Connection):
    def __init__(self, url: DatabaseURL):
        self.url = url
        kw = connect_kwargs(url)
        # The database the URL is bound to, or "" (Atlas's URL.Schema).
        self.bound_schema = kw["database"] or ""
        # The revisions schema last used on this connection (see revisions.user_tables).
        self.revisions_schema = ""
        try:
            self.raw = pymysql.connect(**kw)
        except pymysql.MySQLError as exc:
            raise DatabaseError(f"{url.scheme}: cannot connect to {url.masked}: "
                                f"{mysql_message(exc)}") from None
        except OSError as exc:
            raise DatabaseError(f"{url.scheme}: cannot connect to {url.masked}: {exc}") from None
        self._version: str | None = None

    @property
    def server_version(self) -> str:
        """``SELECT VERSION()``: ``8.0.36`` or ``10.11.6-MariaDB-…``."""
        if self._version is None:
            self._version = str(self.query("SELECT VERSION()")[0][0])
        return self._version

    @property
    def mariadb(self) -> bool:
        return "mariadb" in self.server_version.lower()

    def execute(self, sql: str, params: Sequence = ()) -> None:
        try:
            with self.raw.cursor() as cur:
                cur.execute(sql, tuple(params) if params else None)
        except pymysql.MySQLError as exc:
            raise DatabaseError(mysql_message(exc)) from exc

    def query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        try:
            with self.raw.cursor() as cur:
                cur.execute(sql, tuple(params) if params else None)
                return list(cur.fetchall())
        except pymysql.MySQLError as exc:
            raise DatabaseError(mysql_message(exc)) from exc

    def query_qmark(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """A query written for go-sql-driver, with ``?`` placeholders (``data "sql"``)."""
        if not params:
            return self.query(sql)
        out, quote = [], ""
        for ch in sql:
            if quote:
                if ch == quote:
                    quote = ""
            elif ch in "'\"`":
                quote = ch
            elif ch == "?":
                out.append("%s")
                continue
            out.append("%%" if ch == "%" else ch)
        return self.query("".join(out), params)

    def begin(self) -> None:
        self.execute("BEGIN")

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        # Always sent: after a DDL statement's implicit commit there is nothing to undo, and
        # the server accepts ROLLBACK outside a transaction.
        self.execute("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        return bool(self.raw.server_status & SERVER_STATUS.SERVER_STATUS_IN_TRANS)

    def close(self) -> None:
        if self.raw.open:
            self.raw.close()
