"""PostgreSQL planner: changes → statements with Atlas's exact SQL, comments and ordering
(spec/postgres.md §6). Plans are written for a schema-scoped connection: identifiers are not
schema-qualified unless ``qualifier`` is given (``migrate diff --qualifier``).

Per table change: DROP INDEX statements, then one ALTER TABLE (constraint drops first;
CREATE SEQUENCE before it and DROP SEQUENCE after it for serial changes), then CREATE INDEX,
then comments and renames. A new table is CREATE TABLE, its indexes, then its comments.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...errors import SchemaError
from ...schema.changes import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddIndex,
    AddPrimaryKey,
    AddTable,
    AddView,
    ChangeKind,
    DropCheck,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropPrimaryKey,
    DropTable,
    ModifyCheck,
    ModifyColumn,
    ModifyForeignKey,
    ModifyIndex,
    ModifyPrimaryKey,
    ModifyTable,
    RenameColumn,
    RenameIndex,
    RenameTable,
    SchemaChange,
)
from ...schema.diff import may_wrap
from ...schema.model import (
    Check,
    Column,
    ColumnType,
    EnumType,
    ForeignKey,
    Index,
    Literal,
    PrimaryKey,
    Schema,
    Table,
    TypeClass,
)
from ...schema.change_order import order_tables
from ...schema.objects_diff import dependency_order
from ..base import Statement
from ..sqlite.sqlbuilder import SQLBuilder as _Builder
from .changes import AddEnum, DropEnum, ModifyEnum, SetSchemaComment, SetTableComment
from .diff_rules import format_partition
from .types import format_type, serial_int
from .views import drop_view_statement, split_view_changes

_UNQUOTED = (TypeClass.BOOL, TypeClass.DECIMAL, TypeClass.INTEGER, TypeClass.FLOAT)


class _PGBuilder(_Builder):
    """The shared statement builder with PostgreSQL's double-quoted identifiers."""

    def ident(self, name: str) -> "_PGBuilder":
        if name:
            self.buf += f'"{name}" '
        return self


def quote(s: str) -> str:
    if len(s) >= 2 and s[0] == "'" and s[-1] == "'":
        return s
    return "'" + s.replace("'", "''") + "'"


class _Planner:
    def __init__(self, indent: str, qualifier: str | None, realm: bool = False):
        self.indent = indent
        self.qualifier = qualifier
        # Realm plans: ``qualifier`` is the schema of the change being planned, and enum
        # types and referenced tables of other schemas are named with their own schema.
        self.realm = realm
        self.out: list[Statement] = []

    # -- helpers ------------------------------------------------------------------------

    def b(self, *phrases: str, indent: str = "") -> _PGBuilder:
        return _PGBuilder(indent).p(*phrases)

    def prefix(self) -> str:
        return f'"{self.qualifier}".' if self.qualifier else ""

    def table(self, name: str) -> str:
        return f'{self.prefix()}"{name}"'

    def type_ident(self, name: str) -> str:
        return f'{self.prefix()}"{name}"'

    def enum_ident(self, t: ColumnType) -> str:
        if self.realm and t.schema:
            return f'"{t.schema}"."{t.name}"'
        return self.type_ident(t.name)

    def type_sql(self, t: ColumnType) -> str:
        if t.cls is TypeClass.ENUM:
            return self.enum_ident(t)
        if t.cls is TypeClass.ARRAY and t.elem is not None and t.elem.cls is TypeClass.ENUM:
            return self.enum_ident(t.elem) + "[]"
        return format_type(t)

    def emit(self, sql: str, comment: str) -> None:
        self.out.append(Statement(sql, comment))

    def default_sql(self, col: Column) -> str | None:
        d = col.default
        if d is None:
            return None
        if isinstance(d, Literal):
            return d.value if col.type.cls in _UNQUOTED else quote(d.value)
        if col.type.cls is TypeClass.SERIAL:
            return None
        return d.expr

    def column(self, b: _PGBuilder, col: Column) -> None:
        b.ident(col.name).p(self.type_sql(col.type))
        if not col.null:
            b.p("NOT")
        elif col.type.cls is TypeClass.SERIAL:
            raise SchemaError(f'NOT NULL constraint is required for {col.type.raw} column '
                              f'"{col.name}"')
        b.p("NULL")
        d = self.default_sql(col)
        if d is not None:
            b.p("DEFAULT", d)
        if col.collation:
            b.p("COLLATE").ident(col.collation)
        if col.identity is not None and col.generated is not None:
            raise SchemaError(f'both identity and generation expression specified for column '
                              f'"{col.name}"')
        if col.identity is not None:
            i = col.identity
            b.p("GENERATED", i.generation, "AS IDENTITY")
            opts = []
            if i.start != 1:
                opts.append(f"START WITH {i.start}")
            if i.increment != 1:
                opts.append(f"INCREMENT BY {i.increment}")
            if opts:
                b.p(f"({' '.join(opts)})")
        elif col.generated is not None:
            b.p("GENERATED ALWAYS AS", may_wrap(col.generated.expr), "STORED")

    def index_body(self, b: _PGBuilder, idx: Index | PrimaryKey, *, constraint: bool = False,
                   ) -> None:
        method = getattr(idx, "method", "")
        if method and method.upper() != "BTREE":
            b.p("USING", method.upper() if method.islower() else method)

        def part(p) -> None:
            if p.column is not None:
                b.ident(p.column)
            else:
                b.raw(may_wrap(p.expr or ""))
            if p.opclass:
                b.p(p.opclass)
            if p.desc:
                b.p("DESC")
            if p.desc and p.nulls_last:
                b.p("NULLS LAST")
            elif not p.desc and p.nulls_first:
                b.p("NULLS FIRST")

        b.wrap(lambda: b.map_comma(idx.parts, part))
        if idx.include:
            b.p("INCLUDE")
            b.wrap(lambda: b.map_comma(idx.include, b.ident))
        if isinstance(idx, Index):
            if not constraint and not idx.nulls_distinct:
                b.p("NULLS NOT DISTINCT")
            d = dict(idx.params)
            auto = d.get("autosummarize") in ("on", "true")
            ppr = d.get("pages_per_range", "0")
            if auto or ppr not in ("0", "128"):
                items = []
                if auto:
                    items.append("autosummarize = true")
                if ppr not in ("0", "128"):
                    items.append(f"pages_per_range = {ppr}")
                b.p("WITH")
                b.wrap(lambda: b.raw(", ".join(items)))
            if idx.where:
                b.p("WHERE").p(idx.where)

    def unique_constraint(self, b: _PGBuilder, idx: Index) -> None:
        b.p("CONSTRAINT").ident(idx.name).p("UNIQUE")
        if not idx.nulls_distinct:
            b.p("NULLS NOT DISTINCT")
        self.index_body(b, idx, constraint=True)

    def fk(self, b: _PGBuilder, fk: ForeignKey) -> None:
        if fk.name:
            b.p("CONSTRAINT").ident(fk.name)
        b.p("FOREIGN KEY")
        b.wrap(lambda: b.map_comma(fk.columns, b.ident))
        ref = f'"{fk.ref_schema}"."{fk.ref_table}"' if self.realm and fk.ref_schema \
            else self.table(fk.ref_table)
        b.p("REFERENCES").raw(ref + " ")
        b.wrap(lambda: b.map_comma(fk.ref_columns, b.ident))
        if fk.on_update:
            b.p("ON UPDATE", fk.on_update)
        if fk.on_delete:
            b.p("ON DELETE", fk.on_delete)

    @staticmethod
    def check(b: _PGBuilder, c: Check) -> None:
        if c.name:
            b.p("CONSTRAINT").ident(c.name)
        b.p("CHECK", may_wrap(c.expr))
        if c.no_inherit:
            b.p("NO INHERIT")

    # -- changes --------------------------------------------------------------------------

    def add_enum(self, e: EnumType) -> None:
        values = ", ".join(quote(v) for v in e.values)
        self.emit(f"CREATE TYPE {self.type_ident(e.name)} AS ENUM ({values})",
                  f'create enum type "{e.name}"')

    def modify_enum(self, old: EnumType, new: EnumType) -> None:
        have = {v: i for i, v in enumerate(old.values)}
        at = 0
        name = self.type_ident(old.name)
        for i, v in enumerate(new.values):
            j = have.get(v)
            if j is None:
                sql = f"ALTER TYPE {name} ADD VALUE {quote(v)}"
                if i == 0 and old.values:
                    sql += f" BEFORE {quote(old.values[0])}"
                elif i > 0 and at != len(old.values):
                    sql += f" AFTER {quote(new.values[i - 1])}"
                self.emit(sql, f'add value to enum type: "{old.name}"')
            elif j == at:
                at += 1
            else:
                raise SchemaError(f'reordering enum "{old.name}" value "{v}" is not supported')

    def add_table(self, t: Table) -> None:
        b = _PGBuilder(self.indent).p("CREATE TABLE").raw(self.table(t.name) + " ")

        def body() -> None:
            b.map_indent(t.columns, lambda c: self.column(b, c))
            if t.primary_key is not None:
                b.comma().nl().p("PRIMARY KEY")
                self.index_body(b, t.primary_key)
            for idx in t.indexes:
                if idx.origin == "u":
                    b.comma().nl()
                    self.unique_constraint(b, idx)
            if t.foreign_keys:
                b.comma()
                b.map_indent(t.foreign_keys, lambda fk: self.fk(b, fk))
            for c in t.checks:
                b.comma().nl()
                self.check(b, c)

        b.wrap_indent(body)
        if t.partition is not None:
            b.p(format_partition(t.partition))
        self.emit(b.string(), f'create "{t.name}" table')
        for idx in t.indexes:
            if idx.origin != "u":
                self.create_index(t, idx)
        self.comments(t)

    def comments(self, t: Table) -> None:
        if t.comment:
            self.table_comment(t, t.comment)
        for c in t.columns:
            if c.comment:
                self.column_comment(t, c, c.comment)
        for i in t.indexes:
            if i.comment:
                self.index_comment(t, i, i.comment)

    def table_comment(self, t: Table, text: str) -> None:
        self.emit(f"COMMENT ON TABLE {self.table(t.name)} IS {quote(text)}",
                  f'set comment to table: "{t.name}"')

    def column_comment(self, t: Table, c: Column, text: str) -> None:
        self.emit(f'COMMENT ON COLUMN {self.table(t.name)}."{c.name}" IS {quote(text)}',
                  f'set comment to column: "{c.name}" on table: "{t.name}"')

    def index_comment(self, t: Table, i: Index, text: str) -> None:
        self.emit(f'COMMENT ON INDEX {self.prefix()}"{i.name}" IS {quote(text)}',
                  f'set comment to index: "{i.name}" on table: "{t.name}"')

    def create_index(self, t: Table, idx: Index, concurrently: bool = False) -> None:
        b = self.b("CREATE")
        if idx.unique:
            b.p("UNIQUE")
        b.p("INDEX")
        if concurrently:
            b.p("CONCURRENTLY")
        if idx.name:
            b.ident(idx.name)
        b.p("ON").raw(self.table(t.name) + " ")
        self.index_body(b, idx)
        self.emit(b.string(), f'create index "{idx.name}" to table: "{t.name}"')

    def drop_index(self, t: Table, idx: Index, concurrently: bool = False) -> None:
        how = "CONCURRENTLY " if concurrently else ""
        self.emit(f'DROP INDEX {how}{self.prefix()}"{idx.name}"',
                  f'drop index "{idx.name}" from table: "{t.name}"')

    def drop_table(self, t: Table) -> None:
        self.emit(f"DROP TABLE {self.table(t.name)}", f'drop "{t.name}" table')

    def modify_table(self, m: ModifyTable) -> None:
        t = m.new
        dropped_cols = {c.column.name for c in m.changes if isinstance(c, DropColumn)}
        alter: list = []
        add_idx: list[AddIndex] = []
        drop_idx: list[DropIndex] = []
        after: list = []
        for ch in m.changes:
            if isinstance(ch, DropIndex) and any(p.column in dropped_cols
                                                 for p in ch.index.parts):
                continue
            if isinstance(ch, DropForeignKey) and any(c in dropped_cols
                                                      for c in ch.foreign_key.columns):
                continue
            if isinstance(ch, SetTableComment):
                after.append(("table_comment", ch.new or ""))
            elif isinstance(ch, AddIndex):
                if ch.index.comment:
                    after.append(("index_comment", ch.index, ch.index.comment))
                (alter if ch.index.origin == "u" else add_idx).append(ch)
            elif isinstance(ch, DropIndex):
                (alter if ch.index.origin == "u" else drop_idx).append(ch)
            elif isinstance(ch, ModifyPrimaryKey):
                alter += [DropPrimaryKey(ch.old), AddPrimaryKey(ch.new)]
            elif isinstance(ch, ModifyIndex):
                kind = ch.kind
                if kind & ChangeKind.COMMENT:
                    after.append(("index_comment", ch.new, ch.new.comment or ""))
                    kind &= ~ChangeKind.COMMENT
                    if not kind:
                        continue
                (alter if ch.old.origin == "u" else drop_idx).append(DropIndex(ch.old))
                (alter if ch.new.origin == "u" else add_idx).append(AddIndex(ch.new))
            elif isinstance(ch, RenameIndex):
                after.append(("sql", f'ALTER INDEX {self.prefix()}"{ch.old.name}" RENAME TO '
                                     f'"{ch.new.name}"',
                              f'rename an index from "{ch.old.name}" to "{ch.new.name}"'))
            elif isinstance(ch, ModifyForeignKey):
                alter += [DropForeignKey(ch.old), AddForeignKey(ch.new)]
            elif isinstance(ch, AddColumn):
                if ch.column.comment:
                    after.append(("column_comment", ch.column, ch.column.comment))
                alter.append(ch)
            elif isinstance(ch, ModifyColumn):
                kind = ch.kind
                if kind & ChangeKind.COMMENT:
                    after.append(("column_comment", ch.new, ch.new.comment or ""))
                    kind &= ~ChangeKind.COMMENT
                    if not kind:
                        continue
                alter.append(ModifyColumn(ch.old, ch.new, kind))
            elif isinstance(ch, RenameColumn):
                after.append(("sql", f'ALTER TABLE {self.table(t.name)} RENAME COLUMN '
                                     f'"{ch.old.name}" TO "{ch.new.name}"',
                              f'rename a column from "{ch.old.name}" to "{ch.new.name}"'))
            else:
                alter.append(ch)
        for drop in drop_idx:
            self.drop_index(t, drop.index, drop.concurrently)
        if alter:
            self.alter_table(t, alter)
        for add in add_idx:
            self.create_index(t, add.index, add.concurrently)
        for item in after:
            if item[0] == "table_comment":
                self.table_comment(t, item[1])
            elif item[0] == "column_comment":
                self.column_comment(t, item[1], item[2])
            elif item[0] == "index_comment":
                self.index_comment(t, item[1], item[2])
            else:
                self.emit(item[1], item[2])

    def alter_table(self, t: Table, changes: list) -> None:
        drops = (DropIndex, DropPrimaryKey, DropCheck, DropForeignKey)
        changes = sorted(changes, key=lambda c: 0 if isinstance(c, drops) else 1)
        before: list[Statement] = []
        after: list[Statement] = []
        b = self.b("ALTER TABLE").raw(self.table(t.name) + " ")

        def clause(ch) -> None:
            if isinstance(ch, AddColumn):
                b.p("ADD COLUMN")
                self.column(b, ch.column)
            elif isinstance(ch, DropColumn):
                b.p("DROP COLUMN").ident(ch.column.name)
            elif isinstance(ch, ModifyColumn):
                self.alter_column(b, t, ch, before, after)
            elif isinstance(ch, AddIndex):
                b.p("ADD")
                self.unique_constraint(b, ch.index)
            elif isinstance(ch, DropIndex):
                b.p("DROP CONSTRAINT").ident(ch.index.name)
            elif isinstance(ch, AddPrimaryKey):
                b.p("ADD PRIMARY KEY")
                self.index_body(b, ch.primary_key)
            elif isinstance(ch, DropPrimaryKey):
                b.p("DROP CONSTRAINT").ident(ch.primary_key.name or f"{t.name}_pkey")
            elif isinstance(ch, AddForeignKey):
                b.p("ADD")
                self.fk(b, ch.foreign_key)
            elif isinstance(ch, DropForeignKey):
                b.p("DROP CONSTRAINT").ident(ch.foreign_key.name)
            elif isinstance(ch, AddCheck):
                b.p("ADD")
                self.check(b, ch.check)
            elif isinstance(ch, DropCheck):
                b.p("DROP CONSTRAINT").ident(ch.check.name)
            elif isinstance(ch, ModifyCheck):
                if not ch.old.name:
                    raise SchemaError("cannot modify unnamed check constraint")
                b.p("DROP CONSTRAINT").ident(ch.old.name).comma().p("ADD")
                self.check(b, ch.new)
            else:
                raise SchemaError(f"unsupported change {type(ch).__name__} on table "
                                  f'"{t.name}"')

        b.map_comma(changes, clause)
        self.out.extend(before)
        self.emit(b.string(), f'modify "{t.name}" table')
        self.out.extend(after)

    def alter_column(self, b: _PGBuilder, t: Table, ch: ModifyColumn, before: list,
                     after: list) -> None:
        old, new, kind = ch.old, ch.new, ch.kind
        steps = []
        if kind & ChangeKind.TYPE:
            steps.append("type")
        if kind & ChangeKind.NULL:
            steps.append("null")
        if kind & ChangeKind.DEFAULT:
            steps.append("default")
        if kind & ChangeKind.ATTR:
            steps.append("identity")
        if kind & ChangeKind.GENERATED:
            steps.append("generated")
        for i, step in enumerate(steps):
            if i:
                b.comma()
            b.p("ALTER COLUMN").ident(new.name)
            if step == "type":
                self.alter_type(b, t, old, new, before, after)
            elif step == "null":
                if new.null:
                    if new.type.cls is TypeClass.SERIAL:
                        raise SchemaError(f'NOT NULL constraint is required for '
                                          f'{new.type.raw} column "{new.name}"')
                    b.p("DROP NOT NULL")
                else:
                    b.p("SET NOT NULL")
            elif step == "default":
                d = self.default_sql(new)
                if new.default is None:
                    b.p("DROP DEFAULT")
                elif d is not None:
                    b.p("SET DEFAULT", d)
            elif step == "identity":
                i2 = new.identity
                if i2 is None:
                    raise SchemaError(f"unexpected attribute change (expect IDENTITY) for "
                                      f'column "{new.name}"')
                b.p("SET GENERATED", i2.generation, "SET START WITH", str(i2.start),
                    "SET INCREMENT BY", str(i2.increment))
                i1 = old.identity
                if (i1 is None or i1.last < i2.start) and i2.last < i2.start:
                    b.p("RESTART")
            elif step == "generated":
                b.p("DROP EXPRESSION")

    def alter_type(self, b: _PGBuilder, t: Table, old: Column, new: Column, before: list,
                   after: list) -> None:
        from_serial = old.type.cls is TypeClass.SERIAL
        to_serial = new.type.cls is TypeClass.SERIAL
        seq = f'{self.prefix()}"{t.name}_{new.name}_seq"'
        create = Statement(f'CREATE SEQUENCE IF NOT EXISTS {seq} OWNED BY '
                           f'{self.prefix()}"{t.name}"."{new.name}"',
                           f'create sequence for serial column "{new.name}"')
        if from_serial and not to_serial:
            b.p("DROP DEFAULT")
            after.append(Statement(f"DROP SEQUENCE IF EXISTS "
                                   f'{self.prefix()}"{t.name}_{old.name}_seq"',
                                   f'drop sequence used by serial column "{old.name}"'))
            to_t = self.type_sql(new.type)
            if to_t != serial_int(old.type):
                b.comma().p("ALTER COLUMN").ident(new.name).p("TYPE", to_t)
        elif to_serial and not from_serial:
            before.append(create)
            b.p("SET DEFAULT", f"nextval('{seq}')")
            to_t = serial_int(new.type)
            if to_t != self.type_sql(old.type):
                b.comma().p("ALTER COLUMN").ident(new.name).p("TYPE", to_t)
        elif from_serial and to_serial:
            b.p("TYPE", serial_int(new.type))
        else:
            b.p("TYPE", self.type_sql(new.type))
        if new.collation:
            b.p("COLLATE").ident(new.collation)

    def plan(self, change: SchemaChange) -> None:
        if isinstance(change, AddEnum):
            self.add_enum(change.enum)
        elif isinstance(change, DropEnum):
            self.emit(f"DROP TYPE {self.type_ident(change.enum.name)}",
                      f'drop enum type "{change.enum.name}"')
        elif isinstance(change, ModifyEnum):
            self.modify_enum(change.old, change.new)
        elif isinstance(change, SetSchemaComment):
            self.emit(f'COMMENT ON SCHEMA "{change.schema}" IS {quote(change.new or "")}',
                      f'set comment to schema: "{change.schema}"')
        elif isinstance(change, AddTable):
            self.add_table(change.table)
        elif isinstance(change, DropTable):
            self.drop_table(change.table)
        elif isinstance(change, ModifyTable):
            self.modify_table(change)
        elif isinstance(change, RenameTable):
            self.emit(f"ALTER TABLE {self.table(change.old.name)} RENAME TO "
                      f"{self.table(change.new.name)}",
                      f'rename a table from "{change.old.name}" to "{change.new.name}"')
        else:
            raise SchemaError(f"unsupported change {type(change).__name__}")


def plan_changes(changes: Sequence[SchemaChange], *, indent: str = "",
                 qualifier: str | None = None) -> list[Statement]:
    before, changes, after = split_view_changes(changes, qualifier or "")
    planner = _Planner(indent, qualifier)
    planner.out.extend(before)
    for change in order_tables(changes):
        planner.plan(change)
    planner.out.extend(after)
    return planner.out


def plan_clean(schema: Schema) -> list[Statement]:
    """``schema clean`` on a schema URL: drop every view (dependents first), every table,
    then every enum."""
    planner = _Planner("", None)
    planner.out.extend(drop_view_statement(v) for v in reversed(dependency_order(schema.views)))
    for t in schema.tables:
        planner.emit(f'DROP TABLE "{t.name}" CASCADE', f'drop "{t.name}" table')
    for e in schema.enums:
        planner.emit(f'DROP TYPE "{e.name}"', f'drop enum type "{e.name}"')
    return planner.out


def schema_sql(schema: Schema, indent: str = "") -> str:
    from ...declarative import render_statements

    changes: list = [AddEnum(e) for e in schema.enums]
    changes += [AddTable(t) for t in schema.tables]
    changes += [AddView(v) for v in schema.views]
    return render_statements(plan_changes(changes, indent=indent))
