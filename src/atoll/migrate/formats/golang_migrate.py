"""golang-migrate files (``?format=golang-migrate``): ``VERSION_NAME.up.sql`` runs and is
hashed; ``VERSION_NAME.down.sql`` is neither (Atlas's reader lists only ``*.up.sql``)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..directory import MigrationFile, read_file
from .plan import Plan, down_body, up_body


@dataclass(frozen=True, eq=False)
class GolangMigrateFile(MigrationFile):
    @property
    def description(self) -> str:
        return super().description.removesuffix(".up")


def read(path: str) -> list[MigrationFile]:
    names = sorted((n for n in os.listdir(path) if n.endswith(".up.sql")
                    and not os.path.isdir(os.path.join(path, n))), key=os.fsencode)
    return [GolangMigrateFile(f.name, f.data) for f in (read_file(path, n) for n in names)]


def render(plan: Plan) -> list[tuple[str, str]]:
    base = plan.base()
    return [(f"{base}.up.sql", up_body(plan)), (f"{base}.down.sql", down_body(plan))]
