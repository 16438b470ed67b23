"""SQLite's part of ``migrate lint`` (Atlas's ``sqlitecheck``): a table rebuild folded into one
table modification before the analyzers run, and ``data_depend`` in SQLite's wording."""

from __future__ import annotations

from dataclasses import replace

from ...gotext import go_quote
from ...migrate.lint.analyzers import Analyzer, Change, DataDepend, Diagnostic, Pass, Report, Stmt
from ...schema.changes import AddTable, DropTable, ModifyColumn, ModifyTable, RenameTable
from ...schema.model import Column, Schema, Table


def lint_analyzers(analyzers: list[Analyzer]) -> list[Analyzer]:
    """The generic analyzers with SQLite's rebuild folding first and its ``data_depend``."""
    return [SQLiteRebuild()] + [SQLiteDataDepend(a.options) if type(a) is DataDepend else a
                                for a in analyzers]


class SQLiteDataDepend(DataDepend):
    """MF103 names the type as SQLite formats it; a nullable→NOT NULL change is LT101, and
    only without a default."""

    def column_type(self, col: Column) -> str:
        return col.type.name or "blob"

    def nullable_to_not_null(self, mc: ModifyColumn, pos: int) -> Diagnostic | None:
        if mc.new.default is not None:
            return None
        return Diagnostic(pos, f"Modifying nullable column {go_quote(mc.new.name)} to "
                               "non-nullable without default value might fail in case it "
                               "contains NULL values", "LT101")


class SQLiteRebuild(Analyzer):
    """SQLite's table rebuild (``CREATE TABLE new_T``, ``INSERT``, ``DROP TABLE T``,
    ``ALTER TABLE new_T RENAME TO T``) becomes one ``ModifyTable`` of T at the position of the
    ``CREATE`` (sqlitecheck). Reports nothing; rewrites ``file.changes``."""

    name = ""

    def analyze(self, p: Pass) -> list[Report]:
        src = p.file.changes
        out: list[Change] = []
        i = 0
        while i < len(src):
            if i + 3 >= len(src):
                out.append(src[i])
                i += 1
                continue
            folded = self._fold(p, src, i)
            if folded is None:
                out.append(src[i])
                i += 1
                continue
            out.append(folded)
            i += 4
        p.file.set_changes(out)
        return []

    def _fold(self, p: Pass, src: list[Change], i: int) -> Change | None:
        c1, c2, c3 = src[i], src[i + 2], src[i + 3]
        if (len(c1.changes) != 1 or not _is_add_prefixed(c1.changes[0], "new_")
                or len(c2.changes) != 1 or not c3.changes):
            return None
        add: AddTable = c1.changes[0]
        prefixed = add.table.name
        name = prefixed[len("new_"):]
        # Atlas renames the created table in place before it checks the rest of the pattern.
        renamed = replace(add.table, name=name)
        c1.changes[0] = AddTable(renamed)
        p.file.set_changes(p.file.changes)
        if not _is_drop(c2.changes[0], name):
            return None
        drop: DropTable = c2.changes[0]
        ok = (len(c3.changes) == 1 and isinstance(c3.changes[0], RenameTable)
              and c3.changes[0].old.name == prefixed and c3.changes[0].new.name == name)
        ok = ok or (len(c3.changes) == 2 and _is_drop(c3.changes[0], prefixed)
                    and _is_add_named(c3.changes[1], name))
        if not ok:
            return None
        try:
            diff = table_diff(p.dialect, drop.table, renamed)
        except Exception:  # noqa: BLE001 - Atlas gives up silently when the table diff fails
            return None
        stmt = Stmt(pos=c1.stmt.pos, text=f"{c1.stmt.text}\n{c2.stmt.text}\n{c3.stmt.text}")
        return Change(stmt, [ModifyTable(drop.table, renamed, tuple(diff))])


def _is_add_prefixed(c, prefix: str) -> bool:
    return isinstance(c, AddTable) and c.table.name.startswith(prefix)


def _is_add_named(c, name: str) -> bool:
    return isinstance(c, AddTable) and c.table.name == name


def _is_drop(c, name: str) -> bool:
    return isinstance(c, DropTable) and c.table.name == name


def table_diff(dialect, old: Table, new: Table) -> list:
    """The table-level changes between two versions of one table."""
    if dialect is None:
        from .. import dialect_for

        dialect = dialect_for("sqlite://")
    changes = dialect.diff(Schema(tables=(old,)), Schema(tables=(new,)))
    out: list = []
    for c in changes:
        if isinstance(c, ModifyTable):
            out.extend(c.changes)
    return out
