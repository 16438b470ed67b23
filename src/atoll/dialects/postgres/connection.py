"""Opening PostgreSQL databases from Atlas-style URLs, on psycopg 3 (imported here only).

``postgres://user:pass@host:5432/db?sslmode=disable&search_path=app`` is what Atlas (lib/pq)
takes. libpq knows most of these parameters itself; the others (``search_path`` first of all)
are server settings that lib/pq sends at start-up, so they become ``-c name=value`` options.

The connection runs in autocommit mode; atoll sends BEGIN/COMMIT/ROLLBACK itself. Statements
without parameters go through the simple-query protocol (psycopg does that when no parameters
are given), as lib/pq's ``Exec`` does: no ``%`` interpolation, and a statement text may hold
several commands. Server errors read like lib/pq's: ``pq: <message>[ at column N] (<SQLSTATE>)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote

import psycopg
from psycopg.pq import TransactionStatus

from ...errors import DatabaseError, URLError
from ...urls import DatabaseURL
from ..base import Connection

# Connection parameters libpq itself understands (the rest are server settings).
_LIBPQ = {
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "channel_binding",
    "connect_timeout", "client_encoding", "options", "application_name",
    "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval",
    "keepalives_count", "tcp_user_timeout", "replication", "gssencmode", "sslmode",
    "requiressl", "sslcompression", "sslcert", "sslkey", "sslpassword", "sslcertmode",
    "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer", "require_auth",
    "ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname", "gsslib",
    "gssdelegation", "service", "target_session_attrs", "load_balance_hosts", "sslnegotiation",
}


def _option_value(v: str) -> str:
    """Escape a value for libpq's ``options`` (backslash escapes spaces and itself)."""
    return v.replace("\\", "\\\\").replace(" ", "\\ ")


def connect_kwargs(url: DatabaseURL) -> dict[str, str]:
    """The libpq parameters for an Atlas PostgreSQL URL."""
    if url.scheme not in ("postgres", "postgresql"):
        raise URLError(f"not a PostgreSQL URL: {url.masked!r}")
    kw: dict[str, str] = {"host": url.host or "localhost"}
    if url.port:
        kw["port"] = str(url.port)
    if url.user:
        kw["user"] = unquote(url.user)
    if url.password is not None:
        kw["password"] = unquote(url.password)
    db = unquote(url.path.lstrip("/"))
    if "/" in db:
        raise URLError(f"invalid PostgreSQL URL {url.masked!r}: bad database name {db!r}")
    if db:
        kw["dbname"] = db
    options = []
    for k, v in url.query:
        if k in _LIBPQ:
            if k == "options":
                options.insert(0, v)
            else:
                kw[k] = v
        elif k:
            options.append(f"-c {k}={_option_value(v)}")
    if options:
        kw["options"] = " ".join(options)
    kw.setdefault("connect_timeout", "10")
    return kw


def _one_line(text: str) -> str:
    return " ".join(ln.strip() for ln in str(text).splitlines() if ln.strip())


def _pos_to_line(pos: int, lines: list[str]) -> tuple[int, int]:
    read = line = col = 0
    for text in lines:
        line += 1
        n = len(text) + 1
        if read + n >= pos:
            col = max(pos - read, 1)
            break
        read += n
    return line, col


def pq_message(exc: BaseException, stmt: str = "") -> str:
    """An error as lib/pq (v1.12, which Atlas uses) writes it, on one line."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    if not primary:
        return _one_line(str(exc)) or type(exc).__name__
    msg = _one_line(primary)
    position = getattr(diag, "statement_position", None)
    if stmt and position:
        try:
            pos = int(position)
        except (TypeError, ValueError):
            pos = 0
        if pos > 0:
            lines = stmt.split("\n")
            line, col = _pos_to_line(pos, lines)
            msg += f" at column {col}" if len(lines) == 1 else f" at position {line}:{col}"
    code = getattr(exc, "sqlstate", None)
    return f"pq: {msg} ({code})" if code else f"pq: {msg}"


MIN_SERVER_VERSION = 100000


class PostgresConnection(Connection):
    def __init__(self, url: DatabaseURL):
        self.url = url
        # The schema the URL is bound to (Atlas: the ``search_path`` parameter), or "".
        self.bound_schema = url.param("search_path") or ""
        # The revisions schema last used on this connection (see revisions.user_tables).
        self.revisions_schema = ""
        kw = connect_kwargs(url)
        try:
            self.raw = psycopg.connect(autocommit=True, **kw)
        except psycopg.Error as exc:
            raise DatabaseError(f"postgres: cannot connect to {url.masked}: "
                                f"{_one_line(str(exc))}") from None
        self.raw.add_notice_handler(lambda diag: None)
        # Atlas reads server_version_num on open and refuses servers older than 10; libpq
        # hands the number over with the connection, so this costs no query.
        self.server_version = self.raw.info.server_version
        if self.server_version < MIN_SERVER_VERSION:
            self.raw.close()
            raise DatabaseError(f"postgres: unsupported postgres version: {self.server_version}")

    def execute(self, sql: str, params: Sequence = ()) -> None:
        try:
            self.raw.execute(sql, params or None)
        except psycopg.Error as exc:
            raise DatabaseError(pq_message(exc, sql)) from exc

    def query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        try:
            cur = self.raw.execute(sql, params or None)
            return cur.fetchall() if cur.description is not None else []
        except psycopg.Error as exc:
            raise DatabaseError(pq_message(exc, sql)) from exc

    def begin(self) -> None:
        self.execute("BEGIN")

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.execute("ROLLBACK")

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    @property
    def tx_failed(self) -> bool:
        """The open transaction hit an error: the server ignores everything until ROLLBACK."""
        return self.raw.info.transaction_status == TransactionStatus.INERROR

    def close(self) -> None:
        try:
            self.raw.close()
        except psycopg.Error:
            pass
