"""Atlas's own format, as a formatter: ``VERSION_NAME.sql`` with ``-- Comment`` lines (first
letter upper-cased) and ``statement;`` lines (``migrate import`` and ``migrate new``)."""

from __future__ import annotations

from ..directory import MigrationFile, load_dir
from .plan import Change, Plan


def read(path: str) -> list[MigrationFile]:
    return load_dir(path).files


def _line(c: Change) -> str:
    head = f"-- {c.comment[:1].upper()}{c.comment[1:]}\n" if c.comment else ""
    return f"{head}{c.cmd};\n"


def render(plan: Plan) -> list[tuple[str, str]]:
    return [(f"{plan.base()}.sql", "".join(_line(c) for c in plan.changes))]
