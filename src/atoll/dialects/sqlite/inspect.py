"""Inspecting a SQLite database into a ``Schema`` the way Atlas's SQLite driver does
(spec/sqlite-plan.md §1; ``sql/sqlite/inspect.go``); views and triggers are read by
``inspect_objects``.

Per table, in this order: columns (``pragma_table_xinfo``), AUTOINCREMENT (a regular expression
on the stored CREATE TABLE text), indexes (``pragma_index_list`` + ``pragma_index_xinfo``; the
text of expression parts and partial predicates is cut out of the CREATE INDEX text), foreign
keys (``pragma_foreign_key_list``; constraint names recovered from the CREATE TABLE text) and
CHECK constraints (scanned from the CREATE TABLE text). ``--exclude`` globs are applied last,
with Atlas's rules (``schema.ExcludeSchema``: patterns are relative to the schema ``main``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from ...errors import DatabaseError, SchemaError
from ...schema.diff import expr_last_index  # noqa: F401 (re-exported)
from ...schema.exclude import exclude_schema
from ...schema.model import (
    Check,
    Column,
    ForeignKey,
    Generated,
    Index,
    IndexPart,
    Literal,
    PrimaryKey,
    RawExpr,
    Schema,
    Table,
)
from ...gcpause import gc_paused
from ...gotext import go_quote
from ..base import Connection
from .inspect_objects import inspect_triggers, inspect_views
from .types import (
    is_blob,
    is_literal_bool,
    is_literal_number,
    is_quoted,
    parse_type,
)

__all__ = [
    "inspect_schema",
    "default_expr",
    "scan_expr",
    "expr_last_index",
]

TABLES_QUERY = """
SELECT
	sqlite_master.name, sqlite_master.sql, wr, strict
FROM
	sqlite_master
	JOIN pragma_table_list(sqlite_master.name)
WHERE
	sqlite_master.type = 'table'
	AND sqlite_master.name NOT LIKE 'sqlite_%'
	AND sqlite_master.name NOT LIKE 'libsql_%'
	AND pragma_table_list.schema = 'main'
ORDER BY sqlite_master.rowid
"""
# Before SQLite 3.37 there is no pragma_table_list: read the options from the CREATE text.
TABLES_QUERY_OLD = """
SELECT
	sqlite_master.name, sqlite_master.sql
FROM
	sqlite_master
WHERE
	sqlite_master.type = 'table'
	AND sqlite_master.name NOT LIKE 'sqlite_%'
	AND sqlite_master.name NOT LIKE 'libsql_%'
ORDER BY sqlite_master.rowid
"""
COLUMNS_QUERY = ("SELECT `name`, `type`, (not `notnull`) AS `nullable`, `dflt_value`, "
                 "`pk`, `hidden` FROM pragma_table_xinfo(?) ORDER BY `cid`")
# Index rows of one table; their CREATE statements and creation order (rowid) come from one
# read of sqlite_master per inspection (joining the two per table made inspection quadratic).
INDEXES_QUERY = "SELECT `name`, `unique`, `origin`, `partial` FROM pragma_index_list(?)"
INDEX_SQL_QUERY = "SELECT `name`, rowid, `sql` FROM sqlite_master WHERE `type` = 'index'"
INDEX_COLUMNS_QUERY = "SELECT name, desc FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno"
FKS_QUERY = ("SELECT `id`, `from`, `to`, `table`, `on_update`, `on_delete` "
             "FROM pragma_foreign_key_list(?) ORDER BY id, seq")

_F = re.IGNORECASE | re.ASCII
RE_AUTOINC = re.compile(
    r"(?:[(,]\s*)[\"`]?(\w+)[\"`]?\s+INTEGER\s+[^,]*PRIMARY\s+KEY\s+[^,]*AUTOINCREMENT", _F)
RE_IDX_PARTS = re.compile(r"ON\s+[\"`]*(?:\w+)[\"`]*\s*\((.+?)\)(\s*WHERE\s+.+)?\Z", _F)
RE_IDX_DESC = re.compile(r"\s+DESC\s*\Z", _F)
RE_FK_COLUMN = re.compile(
    r"(?:[(,]\s*)[\"`]*(\w+)[\"`]*[^,]*\s+CONSTRAINT\s+[\"`]*(\w+)[\"`]*\s+REFERENCES\s+"
    r"[\"`]*(\w+)[\"`]*\s*\(([,\"` \w]+)\)", _F)
# What every RE_FK_COLUMN match contains: when it is absent, that slow pattern (it tries each
# split of each column definition) need not run.
RE_FK_COLUMN_HINT = re.compile(r"CONSTRAINT\s+[\"`]*\w+[\"`]*\s+REFERENCES\s", _F)
RE_FK_TABLE = re.compile(
    r"CONSTRAINT\s+[\"`]*(\w+)[\"`]*\s+FOREIGN\s+KEY\s*\(([,\"` \w]+)\)\s+REFERENCES\s+"
    r"[\"`]*(\w+)[\"`]*\s*\(([,\"` \w]+)\)", _F)
RE_CHECK = re.compile(r"(?:CONSTRAINT\s+[\"`]?(\w+)[\"`]?\s+)?CHECK\s*\(", _F)
RE_WITHOUT_ROWID = re.compile(r"\)\s*(?:[^)]*\bWITHOUT\s+ROWID\b)[^)]*\Z", _F)
RE_STRICT = re.compile(r"\)\s*(?:[^)]*\bSTRICT\b)[^)]*\Z", _F)


def inspect_schema(conn: Connection, *, exclude: Sequence[str] = ()) -> Schema:
    """The ``main`` schema of a SQLite connection, as Atlas's ``InspectSchema`` reports it,
    without the objects matching ``exclude`` (Atlas globs, relative to the schema).

    The cyclic GC is paused meanwhile: the model is a large acyclic tree, and a collection
    triggered halfway would walk every object alive (for ``schema apply`` the desired schema
    too: 0.1 s at 1000 tables)."""
    with gc_paused():
        index_sql = {name: (rowid, sql) for name, rowid, sql in conn.query(INDEX_SQL_QUERY)}
        tables = [_inspect_table(conn, name, sql, wr, strict, index_sql)
                  for name, sql, wr, strict in _tables(conn)]
        views = inspect_views(conn, [t.name for t in tables])
        triggers = inspect_triggers(conn, [v.name for v in views])
    schema = Schema(name="main", tables=tuple(tables), views=tuple(views),
                    triggers=tuple(triggers))
    return exclude_schema(schema, exclude)


def _tables(conn: Connection) -> list[tuple[str, str, bool, bool]]:
    try:
        rows = conn.query(TABLES_QUERY)
    except DatabaseError as exc:
        if "pragma_table_list" not in str(exc):
            raise
        rows = [(name, sql, bool(sql and RE_WITHOUT_ROWID.search(sql.strip())),
                 bool(sql and RE_STRICT.search(sql.strip())))
                for name, sql in conn.query(TABLES_QUERY_OLD)]
    return [(name, (sql or "").strip(), bool(wr), bool(strict)) for name, sql, wr, strict in rows]


def _inspect_table(conn: Connection, name: str, create: str, wr: bool, strict: bool,
                   index_sql: dict[str, tuple[int, str | None]]) -> Table:
    columns, pk_columns = _columns(conn, name, create)
    columns = _autoinc(name, create, columns, pk_columns)
    primary_key = (PrimaryKey(parts=tuple(IndexPart(column=c) for c in pk_columns))
                   if pk_columns else None)
    indexes = _indexes(conn, name, columns, index_sql)
    fks = _fill_fk_names(create, _foreign_keys(conn, name, columns))
    return Table(
        name=name,
        columns=tuple(columns),
        primary_key=primary_key,
        indexes=tuple(indexes),
        foreign_keys=tuple(fks),
        checks=tuple(_checks(create)),
        without_rowid=wr,
        strict=strict,
        create_sql=create,
    )


# --- columns ---------------------------------------------------------------------------------


def _columns(conn: Connection, table: str, create: str) -> tuple[list[Column], list[str]]:
    columns: list[Column] = []
    pk: list[tuple[int, str]] = []
    for name, typ, nullable, dflt, primary, hidden in conn.query(COLUMNS_QUERY, (table,)):
        typ = typ or ""
        try:
            ctype = parse_type(typ)
        except SchemaError as exc:
            raise SchemaError(f"sqlite: {exc}") from None
        col = Column(
            name=name,
            type=ctype,
            null=bool(nullable),
            default=default_expr(dflt) if dflt is not None else None,
        )
        # hidden: 2 = VIRTUAL, 3 = STORED generated column (1 = hidden column of a virtual
        # table, inspected as a plain column).
        if hidden is not None and hidden >= 2:
            col = dataclasses.replace(col, generated=_generated(table, create, name, hidden))
        columns.append(col)
        if primary:
            pk.append((primary, name))
    # Key order is the ``pk`` field's (1-based position in the key). Atlas uses column order
    # and so loses the order of a composite key like PRIMARY KEY (b, a); we keep it.
    return columns, [name for _, name in sorted(pk)]


def default_expr(x: str) -> Literal | RawExpr:
    """An inspected ``dflt_value``: literals (bools, numbers, quoted strings, blobs) keep their
    SQL text; anything else (``CURRENT_TIMESTAMP``, ``(1+1)``) is a raw expression."""
    if is_literal_bool(x) or is_literal_number(x) or is_quoted(x, '"', "'") or is_blob(x):
        return Literal(x)
    return RawExpr(x)


def _generated(table: str, create: str, column: str, hidden: int) -> Generated:
    pattern = re.compile(
        r"(?:[(,]\s*)[\"`]*(" + re.escape(column) + r")[\"`]*[^,]*"
        r"(?i:GENERATED\s+ALWAYS)*\s*(?i:AS)\s*\(")
    m = pattern.search(create)
    if m is None:
        raise SchemaError(f"sqlite: generation expression for column {go_quote(column)} was "
                          f"not found in create statement")
    expr = scan_expr(create[m.end() - 1:])
    if expr == "":
        raise SchemaError(f"sqlite: unexpected empty generation expression for column "
                          f"{go_quote(column)}")
    return Generated(expr=expr, storage="STORED" if hidden == 3 else "VIRTUAL")


def scan_expr(expr: str) -> str:
    """The parenthesised expression at the start of ``expr`` (``"(a+1), c int"`` → ``(a+1)``);
    quoted strings are skipped; ``""`` when the parentheses never balance."""
    opened = closed = 0
    i = 0
    n = len(expr)
    while i < n:
        c = expr[i]
        if c == "(":
            opened += 1
        elif c == ")":
            closed += 1
        elif c in ("'", '"'):
            j = expr.find(c, i + 1)
            if j != -1:
                i = j
        if opened == closed:
            return expr[:i + 1]
        i += 1
    return ""


def _autoinc(table: str, create: str, columns: list[Column], pk: list[str]) -> list[Column]:
    if len(pk) != 1:
        return columns
    m = RE_AUTOINC.search(create)
    if m is None:
        return columns
    name = m.group(1)
    if not any(c.name == name for c in columns):
        raise SchemaError(f"sqlite: column {go_quote(name)} was not found for AUTOINCREMENT")
    if pk[0] != name:
        raise SchemaError(f"sqlite: unexpected primary key: PRIMARY({', '.join(pk)})")
    return [dataclasses.replace(c, auto_increment=True) if c.name == name else c
            for c in columns]


# --- indexes ---------------------------------------------------------------------------------


def _indexes(conn: Connection, table: str, columns: list[Column],
             index_sql: dict[str, tuple[int, str | None]]) -> list[Index]:
    names = {c.name for c in columns}
    out: list[Index] = []
    rows = [(name, unique, origin, partial, index_sql[name][1])
            for name, unique, origin, partial in conn.query(INDEXES_QUERY, (table,))
            if name in index_sql]
    rows.sort(key=lambda r: index_sql[r[0]][0])
    for name, unique, origin, partial, stmt in rows:
        if origin == "pk":
            continue
        stmt = stmt or ""
        where = None
        if partial:
            i = stmt.find("WHERE")
            if i == -1:
                raise SchemaError(f"sqlite: scan {go_quote(table)} indexes: missing partial "
                                  f"WHERE clause in: {stmt}")
            where = stmt[i + 5:].strip()
        parts = _index_parts(conn, table, name, stmt, names)
        out.append(Index(name=name, parts=tuple(parts), unique=bool(unique), where=where,
                         origin=origin))
    return out


def _index_parts(conn: Connection, table: str, index: str, stmt: str,
                 columns: set[str]) -> list[IndexPart]:
    parts: list[IndexPart] = []
    has_expr = False
    for name, desc in conn.query(INDEX_COLUMNS_QUERY, (index,)):
        if name is not None and name in columns:
            parts.append(IndexPart(column=name, desc=bool(desc)))
        elif name is None or name == "":
            # An expression: its text is recovered from the CREATE INDEX statement below.
            has_expr = True
            parts.append(IndexPart(expr="<unsupported>", desc=bool(desc)))
        else:
            raise SchemaError(f"sqlite: column {go_quote(name)} was not found for index "
                              f"{go_quote(index)}")
    if not has_expr:
        return parts
    m = RE_IDX_PARTS.search(stmt)
    if m is None:
        return parts
    x = m.group(1)
    out = list(parts)
    for k, p in enumerate(parts):
        j = expr_last_index(x)
        if j == -1:
            break  # unable to parse the key parts: keep what was found so far
        if p.expr is not None:
            kx = x[:j + 1].strip()
            if p.desc:
                kx = RE_IDX_DESC.sub("", kx)
            out[k] = dataclasses.replace(p, expr=kx)
        x = x[j + 1:].lstrip(", ")
    return out


# --- foreign keys ----------------------------------------------------------------------------


def _foreign_keys(conn: Connection, table: str, columns: list[Column]) -> list[ForeignKey]:
    names = {c.name for c in columns}
    order: list[int] = []
    acc: dict[int, dict] = {}
    rows = conn.query(FKS_QUERY, (table,))
    for fid, column, ref_column, ref_table, on_update, on_delete in rows:
        fk = acc.get(fid)
        if fk is None:
            fk = acc[fid] = {"ref_table": ref_table, "columns": [], "ref_columns": [],
                             "on_update": on_update or "", "on_delete": on_delete or ""}
            order.append(fid)
        if column not in names:
            raise SchemaError(f"sqlite: scan {go_quote(table)} foreign-keys: column "
                              f"{go_quote(column)} was not found for fk {go_quote(str(fid))}")
        if column not in fk["columns"]:
            fk["columns"].append(column)
        if ref_column is None:
            # ``REFERENCES t`` without columns: the referenced table's primary key.
            fk["implicit"] = True
            continue
        if ref_table == table and ref_column not in names:
            raise SchemaError(f"sqlite: scan {go_quote(table)} foreign-keys: referenced column "
                              f"{go_quote(ref_column)} was not found for fk "
                              f"{go_quote(str(fid))}")
        if ref_column not in fk["ref_columns"]:
            fk["ref_columns"].append(ref_column)
    out = []
    for fid in order:
        fk = acc[fid]
        ref_columns = fk["ref_columns"]
        if fk.get("implicit"):
            ref_columns = _pk_columns(conn, fk["ref_table"])
        out.append(ForeignKey(
            name=str(fid),
            columns=tuple(fk["columns"]),
            ref_table=fk["ref_table"],
            ref_columns=tuple(ref_columns),
            on_update=fk["on_update"],
            on_delete=fk["on_delete"],
        ))
    return out


def _pk_columns(conn: Connection, table: str) -> list[str]:
    rows = conn.query("SELECT `name`, `pk` FROM pragma_table_info(?) WHERE `pk` > 0 "
                      "ORDER BY `pk`", (table,))
    return [r[0] for r in rows]


def _split_columns(s: str) -> list[str]:
    return [c.strip().strip('`"') for c in s.split(",")]


def _fill_fk_names(create: str, fks: list[ForeignKey]) -> list[ForeignKey]:
    fks = list(fks)

    def rename(cols: list[str], ref_table: str, ref_cols: list[str], symbol: str) -> None:
        for i, fk in enumerate(fks):
            if (list(fk.columns) == cols and fk.ref_table == ref_table
                    and list(fk.ref_columns) == ref_cols):
                fks[i] = dataclasses.replace(fk, name=symbol)
                return

    for m in RE_FK_TABLE.finditer(create):
        rename(_split_columns(m.group(2)), m.group(3), _split_columns(m.group(4)), m.group(1))
    if RE_FK_COLUMN_HINT.search(create):
        for m in RE_FK_COLUMN.finditer(create):
            rename(_split_columns(m.group(1)), m.group(3), _split_columns(m.group(4)),
                   m.group(2))
    return fks


# --- checks ----------------------------------------------------------------------------------


def _checks(create: str) -> list[Check]:
    out: list[Check] = []
    s = create
    while s:
        m = RE_CHECK.search(s)
        if m is None:
            break
        expr = scan_expr(s[m.end() - 1:])
        out.append(Check(expr=expr, name=m.group(1) or ""))
        s = s[m.end() + len(expr) - 1:]
    return out


# --- exclusion -------------------------------------------------------------------------------
