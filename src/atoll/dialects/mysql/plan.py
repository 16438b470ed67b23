"""Planning MySQL changes into Atlas's exact statements (spec/mysql.md §6): ALTER DATABASE,
CREATE/DROP TABLE and one ALTER TABLE per modified table (two when a foreign key or an index is
rebuilt: MySQL cannot drop and re-add a name in one ALTER). Statements are unqualified
(schema scope); MariaDB's generated columns carry no NULL/NOT NULL."""

from __future__ import annotations

from collections.abc import Sequence

from ...errors import SchemaError
from ...gotext import go_quote
from ...schema.changes import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddIndex,
    AddPrimaryKey,
    AddTable,
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
from ...schema.change_order import order_tables
from ...schema.diff import is_quoted, may_wrap
from ...schema.model import Column, ForeignKey, Index, IndexPart, Literal, RawExpr, Schema, Table
from ...schema.model import TypeClass
from ..base import Statement
from ..sqlite.sqlbuilder import SQLBuilder
from .changes import ModifySchemaAttrs, SetTableAttr
from .server_info import DEFAULT, ServerInfo
from .types import NUMERIC_DEFAULT, format_type, supports_charset


def quote(s: str) -> str:
    """Atlas's MySQL ``quote``: kept when already quoted, else Go's ``strconv.Quote``."""
    if is_quoted(s, '"') or is_quoted(s, "'"):
        return s
    return go_quote(s)


def _is_hex(v: str) -> bool:
    return len(v) > 2 and v[:2].lower() == "0x" and all(c in "0123456789abcdefABCDEF"
                                                        for c in v[2:])


def _storage(s: str) -> str:
    s = (s or "VIRTUAL").upper()
    return "STORED" if s == "PERSISTENT" else s


def _check_generated(old: Column, new: Column) -> None:
    g1, g2 = old.generated, new.generated
    if g1 is None and g2 is not None and _storage(g2.storage) == "VIRTUAL":
        raise SchemaError(f'changing column "{old.name}" to VIRTUAL generated column is not '
                          f'supported (drop and add is required)')
    if g1 is not None and g2 is None and _storage(g1.storage) == "VIRTUAL":
        raise SchemaError(f'changing VIRTUAL generated column "{old.name}" to non-generated '
                          f'column is not supported (drop and add is required)')
    if g1 is not None and g2 is not None and _storage(g1.storage) != _storage(g2.storage):
        raise SchemaError(f'changing the store type of generated column "{old.name}" from '
                          f'"{_storage(g1.storage)}" to "{_storage(g2.storage)}" is not '
                          f'supported')


class _Planner:
    def __init__(self, indent: str, info: ServerInfo, schema: Schema | None = None,
                 qualifier: str | None = None):
        self.indent = indent
        self.qualifier = qualifier
        self.info = info
        self.schema = schema
        self.out: list[Statement] = []

    def emit(self, sql: str, comment: str) -> None:
        self.out.append(Statement(sql, comment))

    def builder(self, *phrases: str) -> SQLBuilder:
        return SQLBuilder(self.indent, self.qualifier).p(*phrases)

    def line(self, *phrases: str) -> SQLBuilder:
        return SQLBuilder("", self.qualifier).p(*phrases)

    # --- pieces ------------------------------------------------------------------------------

    def _charset(self, t: Table) -> str:
        return t.charset or (self.schema.charset if self.schema else None) or self.info.charset

    def _collation(self, t: Table) -> str:
        return (t.collation or (self.schema.collation if self.schema else None)
                or self.info.collation)

    def column(self, b: SQLBuilder, t: Table, c: Column) -> None:
        try:
            typ = format_type(c.type)
        except SchemaError as exc:
            raise SchemaError(f'format type for column "{c.name}": {exc}') from None
        b.ident(c.name).p(typ)
        if c.charset:
            if not supports_charset(c.type):
                raise SchemaError(f'column "{c.name}" of type {typ} does not support the '
                                  f'CHARSET attribute')
            if self._charset(t) != c.charset:
                b.p("CHARSET", c.charset)
        if c.generated is not None:
            b.p("AS", may_wrap(c.generated.expr), c.generated.storage.upper())
        if c.generated is None or not self.info.maria:
            b.p("NULL" if c.null else "NOT NULL")
        self.default(b, c)
        if c.auto_increment:
            b.p("AUTO_INCREMENT")
        if c.on_update:
            b.p("ON UPDATE", c.on_update)
        if c.comment:
            b.p("COMMENT", quote(c.comment))
        if c.collation:
            if not supports_charset(c.type):
                raise SchemaError(f'column "{c.name}" of type {typ} does not support the '
                                  f'COLLATE attribute')
            if self._collation(t) != c.collation:
                b.p("COLLATE", c.collation)

    def default(self, b: SQLBuilder, c: Column) -> None:
        d = c.default
        numeric = c.type.cls in NUMERIC_DEFAULT
        if isinstance(d, Literal):
            v = d.value
            if not numeric and not _is_hex(v):
                v = quote(v)
            b.p("DEFAULT", v)
        elif isinstance(d, RawExpr):
            v = d.expr
            if not (_is_hex(v) or numeric or (v.startswith("(") and v.endswith(")"))):
                if c.type.cls is not TypeClass.TIME or \
                        not v.lower().startswith("current_timestamp"):
                    v = quote(v)
            b.p("DEFAULT", v)

    def parts(self, b: SQLBuilder, method: str, parts: Sequence[IndexPart]) -> None:
        if (method or "").upper() == "HASH":
            b.p("USING", "HASH")

        def part(p: IndexPart) -> None:
            if p.column is not None:
                b.ident(p.column)
            else:
                b.raw(may_wrap(p.expr or ""))
            if p.prefix:
                b.raw(f"({p.prefix})")
            if p.desc:
                b.p("DESC")

        b.wrap(lambda: b.map_comma(parts, part))

    def index(self, b: SQLBuilder, idx: Index) -> None:
        kind = (idx.method or "").upper()
        parser = None
        if idx.unique:
            b.p("UNIQUE")
        elif kind == "FULLTEXT":
            b.p(kind)
            parser = idx.parser
        elif kind == "SPATIAL":
            b.p(kind)
        b.p("INDEX").ident(idx.name)
        self.parts(b, kind, idx.parts)
        if idx.comment:
            b.p("COMMENT", quote(idx.comment))
        if parser:
            b.p("WITH PARSER").ident(parser)

    def fk(self, b: SQLBuilder, t: Table, fk: ForeignKey) -> None:
        if fk.name:
            b.p("CONSTRAINT").ident(fk.name)
        b.p("FOREIGN KEY")
        b.wrap(lambda: b.map_comma(fk.columns, lambda c: b.ident(c)))
        b.p("REFERENCES").table(fk.ref_table)
        b.wrap(lambda: b.map_comma(fk.ref_columns, lambda c: b.ident(c)))
        if fk.on_update:
            b.p("ON UPDATE", fk.on_update)
        if fk.on_delete:
            b.p("ON DELETE", fk.on_delete)
        if "SET NULL" in (fk.on_update, fk.on_delete):
            for name in fk.columns:
                col = t.column(name)
                if col is not None and not col.null:
                    raise SchemaError(f'foreign key constraint was "{name}" SET NULL, but '
                                      f'column "{name}" is NOT NULL')

    def check(self, b: SQLBuilder, c) -> None:
        if c.name:
            b.p("CONSTRAINT").ident(c.name)
        b.p("CHECK", may_wrap(c.expr))
        # Atlas's quirk: the attribute's presence prints ENFORCED, whatever its value.
        if self.info.supports_enforce_check and c.enforced is not None:
            b.p("ENFORCED")

    # --- statements --------------------------------------------------------------------------

    def create_table(self, t: Table) -> str:
        if not t.columns:
            raise SchemaError(f'table "{t.name}" has no columns')
        b = self.builder("CREATE TABLE").table(t.name)
        errs: list[str] = []

        def body() -> None:
            def col(c):
                try:
                    self.column(b, t, c)
                except SchemaError as exc:
                    errs.append(str(exc))

            b.map_indent(t.columns, col)
            if t.primary_key is not None:
                b.comma().nl().p("PRIMARY KEY")
                self.parts(b, t.primary_key.method, t.primary_key.parts)
            if t.indexes:
                b.comma()
            b.map_indent(t.indexes, lambda i: self.index(b, i))
            if t.foreign_keys:
                b.comma()

                def fk(f):
                    try:
                        self.fk(b, t, f)
                    except SchemaError as exc:
                        errs.append(str(exc))

                b.map_indent(t.foreign_keys, fk)
            for c in t.checks:
                b.comma().nl()
                self.check(b, c)

        b.wrap_indent(body)
        if errs:
            raise SchemaError(f'create table "{t.name}": {", ".join(errs)}')
        self.table_options(b, t)
        return b.string()

    def table_options(self, b: SQLBuilder, t: Table) -> None:
        if t.charset:
            b.p("CHARSET", t.charset)
        if t.collation:
            b.p("COLLATE", t.collation)
        if t.comment:
            b.p("COMMENT", quote(t.comment))
        if t.create_options:
            b.p(t.create_options)
        if t.engine:
            b.p("ENGINE", t.engine)
        if t.auto_increment is not None and t.auto_increment > 1:
            b.p("AUTO_INCREMENT", str(t.auto_increment))

    def modify_schema(self, c: ModifySchemaAttrs) -> None:
        b = SQLBuilder().p("ALTER DATABASE").ident(c.schema)
        n = 0
        for key, old, new in c.attrs:
            default = self.info.charset if key == "CHARSET" else self.info.collation
            if not old and new == default:
                continue
            b.p(key, new)
            n += 1
        if n:
            self.emit(b.string(), f'modify "{c.schema}" schema')

    def modify_table(self, m: ModifyTable) -> None:
        t = m.new
        if not t.columns:
            raise SchemaError(f'table "{t.name}" has no columns; drop the table instead')
        dropped = {c.column.name for c in m.changes if isinstance(c, DropColumn)}
        first: list = []
        second: list = []
        for c in m.changes:
            if isinstance(c, DropIndex) and all(p.column is not None and p.column in dropped
                                                for p in c.index.parts):
                continue
            if isinstance(c, ModifyForeignKey):
                first.append(DropForeignKey(c.old))
                if c.old.ref_table != c.new.ref_table or c.old.ref_columns != c.new.ref_columns:
                    first.append(DropIndex(Index(name=c.old.name, parts=())))
                second.append(AddForeignKey(c.new))
            elif isinstance(c, ModifyIndex):
                first.append(DropIndex(c.old))
                second.append(AddIndex(c.new))
            else:
                second.append(c)
        for group in (first, second):
            if group:
                try:
                    sql = self.alter(t, group)
                except SchemaError as exc:
                    raise SchemaError(f'alter table "{t.name}": {exc}') from None
                self.emit(sql, f'modify "{t.name}" table')

    def alter(self, t: Table, changes: Sequence) -> str:
        b = self.line("ALTER TABLE").table(t.name)

        def one(c) -> None:
            if isinstance(c, AddColumn):
                b.p("ADD COLUMN")
                self.column(b, t, c.column)
            elif isinstance(c, ModifyColumn):
                _check_generated(c.old, c.new)
                if c.old.name != c.new.name:
                    b.p("CHANGE COLUMN").ident(c.old.name)
                else:
                    b.p("MODIFY COLUMN")
                self.column(b, t, c.new)
            elif isinstance(c, RenameColumn):
                if self.info.supports_rename_column:
                    b.p("RENAME COLUMN").ident(c.old.name).p("TO").ident(c.new.name)
                else:
                    b.p("CHANGE COLUMN").ident(c.old.name)
                    self.column(b, t, c.new)
            elif isinstance(c, DropColumn):
                b.p("DROP COLUMN").ident(c.column.name)
            elif isinstance(c, AddIndex):
                b.p("ADD")
                self.index(b, c.index)
            elif isinstance(c, RenameIndex):
                b.p("RENAME INDEX").ident(c.old.name).p("TO").ident(c.new.name)
            elif isinstance(c, DropIndex):
                b.p("DROP INDEX").ident(c.index.name)
            elif isinstance(c, AddPrimaryKey):
                b.p("ADD PRIMARY KEY")
                self.parts(b, c.primary_key.method, c.primary_key.parts)
            elif isinstance(c, DropPrimaryKey):
                b.p("DROP PRIMARY KEY")
            elif isinstance(c, ModifyPrimaryKey):
                b.p("DROP PRIMARY KEY, ADD PRIMARY KEY")
                self.parts(b, c.new.method, c.new.parts)
            elif isinstance(c, AddForeignKey):
                b.p("ADD")
                self.fk(b, t, c.foreign_key)
            elif isinstance(c, DropForeignKey):
                b.p("DROP FOREIGN KEY").ident(c.foreign_key.name)
            elif isinstance(c, SetTableAttr):
                value = quote(c.new) if c.name == "COMMENT" else c.new
                b.p(c.name, value)
            elif isinstance(c, AddCheck):
                b.p("ADD")
                self.check(b, c.check)
            elif isinstance(c, DropCheck):
                b.p("DROP CONSTRAINT").ident(c.check.name)
            elif isinstance(c, ModifyCheck):
                if not c.old.name:
                    raise SchemaError("cannot modify unnamed check constraint")
                if c.old.name != c.new.name:
                    raise SchemaError(f'mismatch check constraint names: "{c.old.name}" != '
                                      f'"{c.new.name}"')
                enforce = self.info.supports_enforce_check
                if enforce and c.old.enforced is not None and c.new.enforced is None:
                    b.p("ALTER CHECK").ident(c.old.name).p("ENFORCED")
                elif enforce and c.old.enforced is None and c.new.enforced is not None:
                    b.p("ALTER CHECK").ident(c.old.name).p("NOT ENFORCED")
                elif c.old.expr != c.new.expr:
                    b.p("DROP CHECK").ident(c.old.name).comma().p("ADD")
                    self.check(b, c.new)
                else:
                    raise SchemaError("unknown check constraint change")
            else:
                raise SchemaError(f"unsupported change {type(c).__name__}")

        b.map_comma(changes, one)
        return b.string()

    def plan(self, change: SchemaChange) -> None:
        if isinstance(change, ModifySchemaAttrs):
            self.modify_schema(change)
        elif isinstance(change, AddTable):
            self.emit(self.create_table(change.table), f'create "{change.table.name}" table')
        elif isinstance(change, DropTable):
            self.emit(self.line("DROP TABLE").table(change.table.name).string(),
                      f'drop "{change.table.name}" table')
        elif isinstance(change, ModifyTable):
            self.modify_table(change)
        elif isinstance(change, RenameTable):
            self.emit(self.line("RENAME TABLE").table(change.old.name).p("TO")
                      .table(change.new.name).string(),
                      f'rename a table from "{change.old.name}" to "{change.new.name}"')
        else:
            raise SchemaError(f"unsupported change {type(change).__name__}")


def sort_changes(changes: Sequence[SchemaChange]) -> list[SchemaChange]:
    """Schema changes first, then the tables in dependency order (``order_tables``)."""
    top = [c for c in changes if isinstance(c, ModifySchemaAttrs)]
    return top + order_tables([c for c in changes if not isinstance(c, ModifySchemaAttrs)])


def plan_changes(changes: Sequence[SchemaChange], *, indent: str = "",
                 info: ServerInfo = DEFAULT, qualifier: str | None = None) -> list[Statement]:
    planner = _Planner(indent, info, qualifier=qualifier)
    for change in sort_changes(changes):
        planner.plan(change)
    return planner.out


def plan_clean(schema: Schema, info: ServerInfo = DEFAULT) -> list[Statement]:
    """``schema clean`` on a database URL: drop every table (referencing tables first)."""
    return plan_changes([DropTable(t) for t in schema.tables], info=info)


def schema_sql(schema: Schema, indent: str = "", info: ServerInfo = DEFAULT) -> str:
    from ...declarative import render_statements

    planner = _Planner(indent, info, schema)
    for change in sort_changes([AddTable(t) for t in schema.tables]):
        planner.plan(change)
    return render_statements(planner.out)
