"""The declarative workflow as library calls: plan the change from one schema to another,
apply a plan, render it the way Atlas prints it. The ``schema`` commands are thin shells
around these functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .dialects.base import Connection, Dialect, Statement
from .errors import AtollError, DatabaseError
from .schema.diff_options import DiffOptions
from .schema.model import Schema


def plan(dialect: Dialect, current: Schema, desired: Schema, *, indent: str = "",
         options: DiffOptions = DiffOptions()) -> list[Statement]:
    changes = options.annotate(dialect.diff(current, desired, skip=options.skip))
    return dialect.plan(changes, indent=indent) if changes else []


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def render_statements(statements: Sequence[Statement]) -> str:
    """Statements as a migration file holds them: ``-- Comment`` line, then ``stmt;``."""
    out = []
    for stmt in statements:
        if stmt.comment:
            out.append(f"-- {upper_first(stmt.comment)}\n")
        out.append(f"{stmt.sql};\n")
    return "".join(out)


def render_planned(statements: Sequence[Statement]) -> str:
    return "-- Planned Changes:\n" + render_statements(statements)


@dataclass
class ApplyResult:
    applied: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    error: tuple[str, str] | None = None  # (statement, message)

    def as_json_changes(self) -> dict:
        out: dict = {}
        if self.applied:
            out["Applied"] = self.applied
        if self.pending:
            out["Pending"] = self.pending
        if self.error:
            out["Error"] = {"Stmt": self.error[0], "Text": self.error[1]}
        return out


def execute_plan(dialect: Dialect, conn: Connection, statements: Sequence[Statement], *,
                 tx_mode: str = "file") -> ApplyResult:
    """Run a plan and report what ran. ``tx_mode="file"``: all or nothing in one transaction
    (on failure nothing stays applied, though ``applied`` lists what ran before the failing
    statement, as Atlas reports it); ``"none"``: one statement at a time, the error message
    prefixed with the failing statement's comment. Never raises for a database error: the
    caller reads ``result.error``."""
    if tx_mode not in ("file", "none", "all"):
        raise AtollError(f'unknown tx-mode "{tx_mode}"')
    result = ApplyResult()
    if tx_mode == "none":
        for i, stmt in enumerate(statements):
            try:
                conn.execute(stmt.sql)
            except DatabaseError as exc:
                result.pending = [s.sql for s in statements[i:]]
                result.error = (stmt.sql, stmt.failure(exc))
                return result
            result.applied.append(stmt.sql)
        return result
    try:
        with dialect.transaction(conn):
            # Table rebuilds are proven before the commit (rows, child rows, triggers, views).
            proof = dialect.rebuild_proof(conn, [s.sql for s in statements])
            for i, stmt in enumerate(statements):
                skip = dialect.handled_by_transaction(stmt)
                try:
                    if proof is not None:
                        proof.before(i)
                    if not skip:
                        conn.execute(stmt.sql)
                    if proof is not None:
                        proof.after(i)
                except DatabaseError as exc:
                    result.error = (stmt.sql, str(exc))
                    raise
                result.applied.append(stmt.sql)
    except DatabaseError as exc:
        if result.error is None:
            result.error = ("", str(exc))
    if result.error:
        result.pending = [s.sql for s in statements[len(result.applied):]]
    return result
