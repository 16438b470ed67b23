"""``migrate down``: revert applied migration files by planning, never from hand-written down
files. The plan goes from the live database to the schema the directory describes at the
target version (the files up to it replayed on the dev database), so it also works when the
last file failed half-way. Before anything runs, the plan's data loss is measured: a dropped
table that holds rows or a dropped column that holds values refuses the revert, with counts.
The plan and the removal of the reverted files' revision rows run in one transaction. A URL
naming a whole database (PostgreSQL without ``search_path``, a MySQL server) is reverted
over the schemas the directory knows, schemas the reverted files created dropped, all in that
one transaction; schemas the directory never made are left alone."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..dialects.base import Statement
from ..errors import DatabaseError, MigrationError
from ..schema.changes import DropColumn, DropSchema, DropTable, InSchema, ModifyTable
from ..schema.model import Schema
from .directory import MigrationDir
from .lock import APPLY_LOCK, acquire_lock
from .revisions import RevisionStore, revisions_hook

REVISIONS_TABLE = "atlas_schema_revisions"


@dataclass
class DataAtRisk:
    """A table or column the plan drops, and how much it holds on the live database."""

    table: str
    column: str | None
    rows: int

    def __str__(self) -> str:
        if self.column is None:
            return f'table "{self.table}" holds {self.rows} row{"s" * (self.rows != 1)}'
        return (f'column "{self.column}" of table "{self.table}" holds {self.rows} '
                f'value{"s" * (self.rows != 1)}')


@dataclass
class DownReport:
    """What ``migrate down`` planned and did on one database."""

    current: str = ""          # the version before ("" when nothing was applied)
    target: str = ""           # the version after ("" = before the first file)
    reverted: list[str] = field(default_factory=list)  # versions reverted, newest first
    checks: list[DataAtRisk] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    dry_run: bool = False
    executed: bool = False
    seconds: float = 0.0
    error: str = ""

    @property
    def refused(self) -> bool:
        return any(c.rows for c in self.checks)


def target_version(applied: list[str], amount: int | None, to_version: str | None) -> str:
    """The version to go down to: ``to_version``, or the one ``amount`` files (default 1)
    below the newest applied; "" means before the first file."""
    if to_version:
        if to_version not in applied:
            raise MigrationError(f'version "{to_version}" is not applied on this database '
                                 "(migrate down goes back to an applied version)")
        return to_version
    n = 1 if amount is None else amount
    if n < 1:
        raise MigrationError(f"cannot revert '{n}' migration files")
    return applied[-n - 1] if len(applied) > n else ""


def measure(conn, dialect, changes) -> list[DataAtRisk]:
    """Rows of the tables and values of the columns the changes drop; over a realm, also
    every table of a dropped schema (named ``schema.table``)."""
    count = getattr(dialect, "count_rows", None)
    if count is None:
        raise MigrationError(f"migrate down is not supported for {dialect.name} databases")

    def rows(table: str, column: str | None, schema: str | None) -> int:
        return count(conn, table, column, schema) if schema else count(conn, table, column)

    out = []
    for ch in changes:
        schema = None
        if isinstance(ch, InSchema):
            schema, ch = ch.schema, ch.change
        label = (lambda t: f"{schema}.{t}") if schema else (lambda t: t)
        if isinstance(ch, DropSchema):
            out += [DataAtRisk(f"{ch.schema.name}.{t.name}", None,
                               rows(t.name, None, ch.schema.name)) for t in ch.schema.tables]
        elif isinstance(ch, DropTable):
            out.append(DataAtRisk(label(ch.table.name), None, rows(ch.table.name, None, schema)))
        elif isinstance(ch, ModifyTable):
            for sub in ch.changes:
                if isinstance(sub, DropColumn):
                    out.append(DataAtRisk(label(ch.new.name), sub.column.name,
                                          rows(ch.old.name, sub.column.name, schema)))
    return out


def _plan(conn, dialect, d: MigrationDir, expected, target: str,
          revisions_schema: str | None, current_version: str = "") -> tuple[list, list[Statement]]:
    """The changes and statements from the live database to the directory at ``target``:
    one schema, or, for a URL naming a whole database (a MySQL server), the schemas the
    directory knows (at the applied version or at the target: schemas the reverted files
    created are dropped, each table qualified with its schema). Other schemas are none of
    this directory's business and stay out of the plan: on a shared MySQL server, they are
    the other applications' databases."""
    url = getattr(conn, "url", None)
    if url is not None and dialect.realm_scoped(url):
        from ..realm import guard_revisions, limit_realm

        desired = expected(d, target, realm=True)
        # The applied version's state; a version the directory lacks: all of its files.
        top = current_version if d.file(current_version) is not None else \
            (d.files[-1].version if d.files else "")
        known = {s.name for s in desired.schemas}
        known |= {s.name for s in expected(d, top, realm=True).schemas}
        live = limit_realm(dialect.inspect_realm(conn), sorted(known))
        current, desired = guard_revisions(live, desired, desired_urls=(),
                                           revisions_schema=revisions_schema or "")
        changes = dialect.diff_realm(current, desired)
        return changes, dialect.plan_realm(changes) if changes else []
    desired = expected(d, target)
    current = dialect.inspect(conn, exclude=[REVISIONS_TABLE])
    changes = dialect.diff(current, _without_revisions(desired))
    return changes, dialect.plan(changes) if changes else []


def migrate_down(conn, dialect, d: MigrationDir, expected: Callable[[MigrationDir, str], Schema],
                 *, amount: int | None = None, to_version: str | None = None,
                 dry_run: bool = False, revisions_schema: str | None = None,
                 lock_timeout: float = 10.0) -> DownReport:
    """Revert the database behind ``conn`` to the target version. ``expected(d, version)``
    is the schema the directory describes at ``version`` (replayed on the dev database);
    ``expected(d, version, realm=True)`` the realm, for a URL naming a whole database."""
    start = time.perf_counter()
    hook = revisions_hook(dialect)
    report = DownReport(dry_run=dry_run)
    held = acquire_lock(conn, dialect, APPLY_LOCK, lock_timeout, hook)
    try:
        store = RevisionStore(conn, dialect, revisions_schema, hook)
        applied = [r.version for r in store.read_all()]
        report.current = applied[-1] if applied else ""
        if not applied:
            report.target = ""
            return report
        report.target = target_version(applied, amount, to_version)
        report.reverted = [v for v in reversed(applied) if v > report.target] \
            if report.target else list(reversed(applied))
        if not report.reverted:
            return report
        if report.target and d.file(report.target) is None:
            raise MigrationError(f'migration file of version "{report.target}" not found in '
                                 f"{d.path}: the directory cannot describe the target state")
        changes, report.statements = _plan(conn, dialect, d, expected, report.target,
                                           revisions_schema, report.current)
        report.checks = measure(conn, dialect, changes)
        if dry_run or report.refused:
            return report
        with dialect.transaction(conn):
            for stmt in report.statements:
                # The SQLite transaction switches foreign keys off itself (see execute_plan).
                if stmt.sql.strip().upper().startswith("PRAGMA FOREIGN_KEYS"):
                    continue
                try:
                    conn.execute(stmt.sql)
                except DatabaseError as exc:
                    report.error = f"executing statement {stmt.sql!r}: {exc}"
                    raise
            for version in report.reverted:
                store.delete(version)
        report.executed = True
        return report
    except DatabaseError as exc:  # the transaction rolled back: nothing changed
        report.error = report.error or str(exc)
        return report
    finally:
        held.release()
        report.seconds = time.perf_counter() - start


def _without_revisions(schema: Schema) -> Schema:
    from dataclasses import replace

    return replace(schema, tables=tuple(t for t in schema.tables if t.name != REVISIONS_TABLE))
