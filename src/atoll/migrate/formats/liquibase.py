"""Liquibase formatted SQL (``?format=liquibase``): every ``*.sql`` file, read as Atlas reads
its own files (``--changeset`` and ``--rollback`` lines are comments, so only the changesets'
statements run)."""

from __future__ import annotations

from ..directory import MigrationFile, load_dir
from .plan import Plan


def read(path: str) -> list[MigrationFile]:
    return load_dir(path).files


def render(plan: Plan) -> list[tuple[str, str]]:
    """One changeset per statement, ``atlas:VERSION-N``; each change's reverse as
    ``--rollback:`` lines (a down part planned as a whole has no place here)."""
    now = plan.stamp()
    out = ["--liquibase formatted sql"]
    for i, c in enumerate(plan.changes, 1):
        out.append(f"\n--changeset atlas:{now}-{i}\n")
        out.append(f"--comment: {c.comment}" if c.comment else "")
        out.append(f"\n{c.cmd};\n")
        out.extend(f"--rollback: {s};\n" for s in c.reverse)
    return [(f"{plan.base()}.sql", "".join(out))]
