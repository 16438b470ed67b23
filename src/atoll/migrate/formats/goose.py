"""pressly/goose SQL files (``?format=goose``): every ``*.sql`` file, named
``VERSION_NAME.sql``, hashed whole; only the part between ``-- +goose Up`` and
``-- +goose Down`` runs, a statement ending with a ``;`` at the end of a line or wrapped in
``-- +goose StatementBegin`` / ``StatementEnd``.

Annotations are matched case-insensitively, as goose does (Atlas matches the exact words);
``-- +goose NO TRANSACTION`` runs the file outside a transaction (Atlas ignores it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ...errors import MigrationError
from ..directory import MigrationFile, load_dir
from .lines import go_lines, trim_right_space
from .plan import Plan, down_body, up_body

# The up part is handed to the splitter with this delimiter between statements (as Atlas
# does), so a StatementBegin/End block may hold semicolons.
DELIM = "-- ATLAS_DELIM_END"

_ANNOTATION = re.compile(r"-- \+goose\s+(up|down|statementbegin|statementend)\s*$", re.I)
_NONE, _UP, _BEGIN = 0, 1, 2


def annotation(line: str) -> str | None:
    m = _ANNOTATION.match(line)
    return m.group(1).lower() if m else None


_WORD = {"up": "Up", "down": "Down", "statementbegin": "StatementBegin",
         "statementend": "StatementEnd"}


def _unexpected(name: str, line: int, word: str) -> MigrationError:
    return MigrationError(f"sql/migrate: goose: {name}:{line} unexpected goosePragma "
                          f"'{_WORD[word]}'")


def up_text(name: str, text: str) -> str:
    """The up part of a goose file, as splitter input (a delimiter directive, then the
    statements separated by :data:`DELIM`)."""
    out = ["-- atlas:delimiter " + DELIM, ""]
    state, seen_up = _NONE, False
    for n, line in enumerate(go_lines(text), 1):
        word = annotation(line)
        if word == "up":
            if state != _NONE:
                raise _unexpected(name, n, word)
            state, seen_up = _UP, True
            continue
        if word == "down":
            if state != _UP:
                raise _unexpected(name, n, word)
            break
        if word == "statementbegin":
            if state != _UP:
                raise _unexpected(name, n, word)
            state = _BEGIN
            continue
        if word == "statementend":
            if state != _BEGIN:
                raise _unexpected(name, n, word)
            state = _UP
            out.append(DELIM)
            continue
        line = trim_right_space(line)
        out.append(line)
        if state == _UP and line.endswith(";") and not line.startswith("--"):
            out.append(DELIM)
    if not seen_up:
        raise MigrationError(f'sql/migrate: goose: {name}:1 missing "-- +goose Up" annotation')
    return "\n".join(out)


_NO_TRANSACTION = re.compile(r"^-- \+goose\s+no\s+transaction\s*$", re.I | re.M)


@dataclass(frozen=True, eq=False)
class GooseFile(MigrationFile):
    @cached_property
    def sql(self) -> str:
        return up_text(self.name, self.text)

    def txmode(self) -> str:
        """``-- +goose NO TRANSACTION`` runs the file outside a transaction, as goose does."""
        return "none" if _NO_TRANSACTION.search(self.text) else super().txmode()


def read(path: str) -> list[MigrationFile]:
    return [GooseFile(f.name, f.data) for f in load_dir(path).files]


def render(plan: Plan) -> list[tuple[str, str]]:
    return [(f"{plan.base()}.sql",
             f"-- +goose Up\n{up_body(plan)}\n-- +goose Down\n{down_body(plan)}")]
