"""amacneil/dbmate files (``?format=dbmate``): every ``*.sql`` file, named
``VERSION_NAME.sql``, hashed whole; only the part between ``-- migrate:up`` and
``-- migrate:down`` runs. Options after the marker are allowed, as dbmate allows them;
``-- migrate:up transaction:false`` runs the file outside a transaction."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ...errors import MigrationError
from ..directory import MigrationFile, load_dir
from .lines import go_lines
from .plan import Plan, down_body, up_body

PRAGMA = "-- migrate:"


def marker(line: str) -> str | None:
    """``up`` or ``down`` for a dbmate section marker line, else ``None``."""
    if not line.startswith(PRAGMA):
        return None
    words = line[len(PRAGMA):].split()
    return words[0] if words and words[0] in ("up", "down") else None


def up_text(name: str, text: str) -> str:
    out: list[str] = []
    up = False
    for line in go_lines(text):
        word = marker(line)
        if word == "up":
            up = True
            continue
        if word == "down":
            break
        if up:
            out.append(line)
    if not up:
        raise MigrationError(f'sql/migrate: dbmate: {name}:1 missing "-- migrate:up" marker')
    return "\n".join(out)


@dataclass(frozen=True, eq=False)
class DBMateFile(MigrationFile):
    @cached_property
    def sql(self) -> str:
        return up_text(self.name, self.text)

    def txmode(self) -> str:
        """``-- migrate:up transaction:false`` runs the up part outside a transaction."""
        for line in go_lines(self.text):
            if marker(line) == "up":
                return "none" if "transaction:false" in line.split() else super().txmode()
        return super().txmode()


def read(path: str) -> list[MigrationFile]:
    return [DBMateFile(f.name, f.data) for f in load_dir(path).files]


def render(plan: Plan) -> list[tuple[str, str]]:
    return [(f"{plan.base()}.sql",
             f"-- migrate:up\n{up_body(plan)}\n-- migrate:down\n{down_body(plan)}")]
