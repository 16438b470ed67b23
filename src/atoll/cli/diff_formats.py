"""``migrate diff`` into another tool's directory (``--dir-format``, ``?format=``): the file(s)
that tool runs, as Atlas's formatters write them, with the down part planned on the dev
database (the way back from the state the new file reaches to the directory's state)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from ..errors import AtollError


def write_formatted(inv, directory, name: str | None, statements: Sequence,
                    plan_back: Callable) -> list[str]:
    """Write ``statements`` (the up part) in ``directory``'s format and rehash it.
    ``plan_back(reached)`` plans from the reached schema back to the directory's state."""
    from ..migrate.formats import Plan, write_plan

    plan = Plan(name=name or "", changes=[_change(s) for s in statements],
                version=free_version(directory))
    if directory.format != "liquibase":  # its rollbacks are per changeset: none is written
        plan.down = [_change(s) for s in plan_back(_reached(inv, directory, statements))]
    return write_plan(inv.get("dir") or "file://migrations", plan, directory.format)


def _change(statement):
    """A planned statement as the formatters take it: Atlas's comment as the planner wrote
    it (the lower-case first letter its own format capitalises)."""
    from ..migrate.formats import Change

    c = statement.comment
    return Change(statement.sql, c[:1].lower() + c[1:])


def _reached(inv, directory, statements):
    """The schema the new file leads to: the directory and the new statements run on the
    dev database."""
    from ..migrate.executor import replay
    from ..states import dev_database

    with dev_database(inv.get("dev_url")) as (dialect, conn):
        replay(conn, dialect, directory, validate=False)
        for s in statements:
            try:
                conn.execute(s.sql)
            except AtollError as exc:
                raise AtollError(f"planning the down part: executing {s.sql!r} on the dev "
                                 f"database: {exc}") from None
        return dialect.inspect(conn)


def free_version(directory, now: datetime | None = None) -> str:
    """The UTC time as ``YYYYMMDDHHMMSS``, a second later while a file has that version."""
    from ..migrate.directory import version_at

    now = now or datetime.now(UTC)
    taken = {f.version for f in directory.files}
    while version_at(now) in taken:
        now += timedelta(seconds=1)
    return version_at(now)
