"""SQLite planner: changes → statements, with Atlas's exact SQL and comment texts
(spec/sqlite-plan.md §3).

* ``AddTable`` → ``CREATE TABLE`` then one ``CREATE INDEX`` per index;
* ``DropTable`` → ``DROP TABLE``;
* ``ModifyTable`` → plain statements when every change can be done in place (add/drop/rename
  index, rename column, and ``ADD COLUMN`` where SQLite allows it), otherwise the table is
  rebuilt: ``CREATE TABLE new_<t>``, ``INSERT … SELECT``, ``DROP TABLE <t>``,
  ``ALTER TABLE new_<t> RENAME TO <t>``, then every index re-created;
* ``RenameTable`` → ``ALTER TABLE … RENAME TO …``;
* views and triggers: dropped before and created after the table changes (``plan_objects``).

A plan with a dropped or rebuilt table is wrapped, once, in ``PRAGMA foreign_keys = off`` /
``on``. Identifiers are backquoted without escaping. With an ``indent`` the CREATE TABLE body is
laid out one element per line; every other statement is single-line.

Also here: :func:`plan_clean` (``schema clean``) and :func:`schema_sql` (the text of
``schema inspect --format '{{ sql . }}'``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from ...errors import SchemaError
from ...schema.changes import (
    AddColumn,
    AddIndex,
    AddTable,
    AddTrigger,
    AddView,
    ChangeKind,
    DropColumn,
    DropIndex,
    DropTable,
    DropView,
    ModifyColumn,
    ModifyTable,
    RenameColumn,
    RenameIndex,
    RenameTable,
    SchemaChange,
)
from ...gotext import go_quote as q
from ...schema.diff import may_wrap, single_quote
from ...schema.model import (
    Column,
    ForeignKey,
    Index,
    IndexPart,
    Literal,
    Schema,
    Table,
    TypeClass,
)
from ..base import Statement
from .diff_rules import normalize_index_name
from .plan_objects import split_object_changes
from .sqlbuilder import SQLBuilder, quote_ident

__all__ = ["plan_changes", "plan_clean", "schema_sql", "format_plan", "needs_rebuild"]

FK_OFF = Statement("PRAGMA foreign_keys = off", "Disable the enforcement of foreign-keys constraints")
FK_ON = Statement("PRAGMA foreign_keys = on", "Enable back the enforcement of foreign-keys constraints")

_UNQUOTED_DEFAULT_CLASSES = (TypeClass.BOOL, TypeClass.DECIMAL, TypeClass.INTEGER, TypeClass.FLOAT)
_NON_CONSTANT_LITERALS = ("CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP")


# --- public API ----------------------------------------------------------------------------


def plan_changes(changes: Sequence[SchemaChange], *, indent: str = "",
                 qualifier: str | None = None) -> list[Statement]:
    """The statements that carry out ``changes``, in order. ``indent`` lays out CREATE TABLE
    bodies one element per line (``schema apply`` uses two spaces). ``qualifier`` (``migrate
    diff --qualifier``) prefixes the table of CREATE TABLE and RENAME TABLE statements.

    Raises ``SchemaError`` for a change that cannot be planned."""
    before, table_changes, after = split_object_changes(changes)
    planner = _Planner(indent, qualifier)
    planner.stmts.extend(before)
    for change in table_changes:
        planner.plan(change)
    planner.stmts.extend(after)
    out = planner.stmts
    if planner.skip_fks:
        out = [FK_OFF, *out, FK_ON]
    return out


def plan_clean(schema: Schema) -> list[Statement]:
    """``schema clean``: drop every view (dependents first), then every table, in inspection
    order (no statements when empty). Triggers go with their tables and views."""
    return plan_changes([*(DropView(v) for v in schema.views),
                         *(DropTable(t) for t in schema.tables)])


def schema_sql(schema: Schema, indent: str = "") -> str:
    """``schema inspect --format '{{ sql . }}'`` (or ``'{{ sql . "  " }}'`` with an indent):
    every table, view and trigger as the plan that creates it, formatted like a migration
    file."""
    return format_plan(plan_changes([*(AddTable(t) for t in schema.tables),
                                     *(AddView(v) for v in schema.views),
                                     *(AddTrigger(t) for t in schema.triggers)], indent=indent))


def format_plan(statements: Iterable[Statement]) -> str:
    """Atlas's migration-file text: ``-- <Comment>`` line (when there is one), then the statement
    and ``;``; no blank lines; empty for no statements."""
    out: list[str] = []
    for st in statements:
        if st.comment:
            out.append(f"-- {st.comment[:1].upper()}{st.comment[1:]}\n")
        out.append(f"{st.sql};\n")
    return "".join(out)


# --- SQL fragments -------------------------------------------------------------------------


def _type_sql(col: Column) -> str:
    """FormatType: the lower-cased base type name; user-defined types verbatim."""
    t = col.type
    if t.cls is TypeClass.USER:
        return t.raw or t.name
    return t.name.lower()


def _default_sql(col: Column) -> str:
    d = col.default
    if isinstance(d, Literal):
        if col.type.cls in _UNQUOTED_DEFAULT_CLASSES:
            return d.value
        try:
            return single_quote(d.value)
        except ValueError as e:
            raise SchemaError(str(e)) from None
    return may_wrap(d.expr)


def _column(b: SQLBuilder, col: Column) -> None:
    b.ident(col.name)
    if col.default is not None:
        b.p(_type_sql(col), "NULL" if col.null else "NOT NULL", "DEFAULT", _default_sql(col))
    else:
        b.p(_type_sql(col), "NULL" if col.null else "NOT NULL")
    if col.auto_increment and col.generated is not None:
        raise SchemaError(f"both autoincrement and generation expression specified for column {q(col.name)}")
    if col.auto_increment:
        b.p("PRIMARY KEY AUTOINCREMENT")
    elif col.generated is not None:
        b.p("AS", may_wrap(col.generated.expr), col.generated.storage)


def _index_parts(b: SQLBuilder, parts: Sequence[IndexPart]) -> None:
    def part(p: IndexPart) -> None:
        if p.column is not None:
            b.ident(p.column)
        elif p.expr is not None:
            b.raw(may_wrap(p.expr))
        if p.desc:
            b.p("DESC")

    b.wrap(lambda: b.map_comma(parts, part))


def _foreign_key(b: SQLBuilder, fk: ForeignKey) -> None:
    if fk.name:
        b.p("CONSTRAINT").ident(fk.name)
    b.p("FOREIGN KEY")
    b.wrap(lambda: b.map_comma(fk.columns, b.ident))
    b.p("REFERENCES").ident(fk.ref_table)
    b.wrap(lambda: b.map_comma(fk.ref_columns, b.ident))
    if fk.on_update:
        b.p("ON UPDATE", fk.on_update)
    if fk.on_delete:
        b.p("ON DELETE", fk.on_delete)


def _check_expr(expr: str) -> str:
    t = expr.strip()
    if not (t.startswith("(") and t.endswith(")")):
        return f"({t})"
    return expr


def _autoinc_pk(table: Table) -> bool:
    pk = table.primary_key
    if pk is None or len(pk.parts) != 1 or pk.parts[0].column is None:
        return False
    col = table.column(pk.parts[0].column)
    return col is not None and col.auto_increment


_GO_TYPE = {AddColumn: "*schema.AddColumn", ModifyColumn: "*schema.ModifyColumn",
            RenameColumn: "*schema.RenameColumn"}


# --- the planner ---------------------------------------------------------------------------


class _Planner:
    def __init__(self, indent: str, qualifier: str | None):
        self.indent = indent
        self.qualifier = qualifier
        self.stmts: list[Statement] = []
        self.skip_fks = False

    def build(self, *phrases: str) -> SQLBuilder:
        return SQLBuilder(self.indent, self.qualifier).p(*phrases)

    def plan(self, change: SchemaChange) -> None:
        if isinstance(change, AddTable):
            self.add_table(change.table)
        elif isinstance(change, DropTable):
            self.drop_table(change.table)
        elif isinstance(change, ModifyTable):
            self.modify_table(change)
        elif isinstance(change, RenameTable):
            b = self.build("ALTER TABLE").table(change.old.name).p("RENAME TO").table(change.new.name)
            self.stmts.append(Statement(
                b.string(), f"Rename a table from {q(change.old.name)} to {q(change.new.name)}"))
        else:
            raise SchemaError(f"unsupported change {type(change).__name__}")

    # -- tables ---------------------------------------------------------------------------

    def create_table_sql(self, table: Table) -> str:
        errors: list[str] = []
        b = self.build("CREATE TABLE").table(table.name)

        def column(col: Column) -> None:
            try:
                _column(b, col)
            except SchemaError as e:
                errors.append(str(e))

        def body() -> None:
            b.map_indent(table.columns, column)
            if table.primary_key is not None and not _autoinc_pk(table):
                b.comma().nl().p("PRIMARY KEY")
                _index_parts(b, table.primary_key.parts)
            if table.foreign_keys:
                b.comma()
                b.map_indent(table.foreign_keys, lambda fk: _foreign_key(b, fk))
            for ck in table.checks:
                b.comma().nl()
                if ck.name:
                    b.p("CONSTRAINT").ident(ck.name)
                b.p("CHECK", _check_expr(ck.expr))

        b.wrap_indent(body)
        if errors:
            raise SchemaError(f"create table {q(table.name)}: {', '.join(errors)}")
        options = [o for o, on in (("WITHOUT ROWID", table.without_rowid),
                                   ("STRICT", table.strict)) if on]
        b.map_comma(options, lambda o: b.p(o))
        return b.string()

    def add_table(self, table: Table, *, with_indexes: bool = True) -> None:
        self.stmts.append(Statement(self.create_table_sql(table), f"Create {q(table.name)} table"))
        if with_indexes:
            self.add_indexes(table.name, table.indexes)

    def drop_table(self, table: Table) -> None:
        # Atlas computes the reverse (the CREATE statements) first; its errors surface here.
        try:
            self.create_table_sql(table)
            for idx in table.indexes:
                normalize_index_name(idx, table.name)
        except SchemaError as e:
            raise SchemaError(f"calculate reverse for drop table {q(table.name)}: {e}") from None
        self.skip_fks = True
        sql = self.build("DROP TABLE").ident(table.name).string()
        self.stmts.append(Statement(sql, f"Drop {q(table.name)} table"))

    # -- indexes --------------------------------------------------------------------------

    def create_index_sql(self, table: str, idx: Index) -> str:
        b = self.build("CREATE")
        if idx.unique:
            b.p("UNIQUE")
        b.p("INDEX")
        b.ident(idx.name)
        b.p("ON").ident(table)
        _index_parts(b, idx.parts)
        if idx.where is not None and idx.where != "":
            b.p("WHERE").p(idx.where)
        return b.string()

    def add_indexes(self, table: str, indexes: Iterable[Index]) -> None:
        for idx in indexes:
            idx = normalize_index_name(idx, table)
            self.stmts.append(Statement(self.create_index_sql(table, idx),
                                        f"Create index {q(idx.name)} to table: {q(table)}"))

    def drop_index(self, table: str, idx: Index) -> None:
        idx = normalize_index_name(idx, table)
        self.stmts.append(Statement(self.build("DROP INDEX").ident(idx.name).string(),
                                    f"Drop index {q(idx.name)} from table: {q(table)}"))

    # -- modify ---------------------------------------------------------------------------

    def modify_table(self, modify: ModifyTable) -> None:
        if _alterable(modify):
            self.alter_table(modify)
        else:
            self.rebuild_table(modify)

    def alter_table(self, modify: ModifyTable) -> None:
        name = modify.new.name
        for change in modify.changes:
            if isinstance(change, AddIndex):
                self.add_indexes(name, [change.index])
            elif isinstance(change, DropIndex):
                self.drop_index(name, change.index)
            elif isinstance(change, RenameIndex):
                self.add_indexes(name, [change.new])
                self.drop_index(name, change.old)
            elif isinstance(change, AddColumn):
                b = self.build("ALTER TABLE").ident(name).p("ADD COLUMN")
                _column(b, change.column)
                self.stmts.append(Statement(
                    b.string(), f"Add column {q(change.column.name)} to table: {q(name)}"))
            elif isinstance(change, RenameColumn):
                b = self.build("ALTER TABLE").ident(name).p("RENAME COLUMN")
                b.ident(change.old.name).p("TO").ident(change.new.name)
                self.stmts.append(Statement(
                    b.string(), f"Rename a column from {q(change.old.name)} to {q(change.new.name)}"))
            else:  # pragma: no cover - _alterable admits only the kinds above
                raise SchemaError(f"unexpected change in alter table: {type(change).__name__}")

    def rebuild_table(self, modify: ModifyTable) -> None:
        """https://www.sqlite.org/lang_altertable.html#otheralter: copy into ``new_<t>``."""
        self.skip_fks = True
        table = modify.new
        tmp = dataclasses.replace(table, name="new_" + table.name, indexes=())
        self.add_table(tmp, with_indexes=False)
        copied = self.copy_rows(table, tmp, modify.changes)
        how = "after copying rows" if copied else "without copying rows (no columns)"
        self.stmts.append(Statement(self.build("DROP TABLE").ident(table.name).string(),
                                    f"Drop {q(table.name)} table {how}"))
        sql = self.build("ALTER TABLE").ident(tmp.name).p("RENAME TO").ident(table.name).string()
        self.stmts.append(Statement(sql, f"Rename temporary table {q(tmp.name)} to {q(table.name)}"))
        self.add_indexes(table.name, table.indexes)

    def copy_rows(self, table: Table, tmp: Table, changes: Sequence) -> bool:
        to_cols: list[str] = []
        from_cols: list[str] = []
        for col in tmp.columns:
            if col.generated is not None:
                continue  # computed by the database
            found = None
            for c in changes:
                if isinstance(c, AddColumn):
                    target = c.column.name
                elif isinstance(c, (ModifyColumn, RenameColumn)):
                    target = c.new.name
                elif isinstance(c, DropColumn):
                    if c.column.name == col.name:
                        raise SchemaError(f"unexpected drop column: {q(col.name)}")
                    continue
                else:
                    continue
                if target != col.name:
                    continue
                if found is not None:
                    raise SchemaError(f"duplicate changes for column: {q(col.name)}: "
                                      f"{_GO_TYPE[type(found)]}, {_GO_TYPE[type(c)]}")
                found = c
            if isinstance(found, AddColumn):
                continue  # new columns get their DEFAULT (or NULL)
            if isinstance(found, RenameColumn):
                to_cols.append(quote_ident(found.new.name))
                from_cols.append(quote_ident(found.old.name))
            elif isinstance(found, ModifyColumn):
                name = quote_ident(col.name)
                to_cols.append(name)
                if (not col.null and col.default is not None
                        and found.kind & (ChangeKind.NULL | ChangeKind.DEFAULT)):
                    from_cols.append(f"IFNULL({name}, {_default_sql(col)}) AS {name}")
                else:
                    from_cols.append(name)
            else:
                to_cols.append(quote_ident(col.name))
                from_cols.append(quote_ident(col.name))
        if not to_cols:
            return False
        self.stmts.append(Statement(
            f"INSERT INTO {quote_ident(tmp.name)} ({', '.join(to_cols)}) "
            f"SELECT {', '.join(from_cols)} FROM {quote_ident(table.name)}",
            f"Copy rows from old table {q(table.name)} to new temporary table {q(tmp.name)}"))
        return True


def _linked(col: Column, table: Table) -> bool:
    """Whether a new column takes part in an index or foreign key of the table. As in Atlas,
    only indexes that come from HCL (no ``origin``) link their columns; indexes inspected from
    a database do not."""
    for idx in table.indexes:
        if idx.origin is None and any(p.column == col.name for p in idx.parts):
            return True
    if table.primary_key is not None and any(p.column == col.name for p in table.primary_key.parts):
        return True
    return any(col.name in fk.columns for fk in table.foreign_keys)


def needs_rebuild(modify: ModifyTable) -> bool:
    """Whether the planner rebuilds the table (copy into ``new_<t>`` and swap)."""
    return not _alterable(modify)


def _alterable(modify: ModifyTable) -> bool:
    """Whether every change can be done in place (no rebuild)."""
    for change in modify.changes:
        if isinstance(change, (RenameColumn, RenameIndex, DropIndex, AddIndex)):
            continue
        if not isinstance(change, AddColumn):
            return False
        col = change.column
        if _linked(col, modify.new):
            return False
        # ADD COLUMN accepts only a constant default.
        if isinstance(col.default, Literal):
            if col.default.value in _NON_CONSTANT_LITERALS:
                return False
        elif col.default is not None:
            return False
        # Only VIRTUAL generated columns can be added.
        if col.generated is not None and col.generated.storage.upper() == "STORED":
            return False
    return True
