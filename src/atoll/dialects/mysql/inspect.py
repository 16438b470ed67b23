"""Inspecting a MySQL/MariaDB database (schema scope: the database the URL names) into the
schema model, with Atlas's queries and rules (spec/mysql.md §2): tables, columns (types,
defaults by flavour, generated expressions, ON UPDATE, AUTO_INCREMENT), indexes (types,
prefixes, DESC, expressions, FULLTEXT parsers), foreign keys and checks; MariaDB's JSON columns
(``longtext`` + ``json_valid`` check) read back as ``json``."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from ...errors import AtollError, SchemaError
from ...gotext import go_quote
from ...schema.diff import is_quoted, may_wrap
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
    TypeClass,
)
from .server_info import ServerInfo, server_info
from .types import parse_type

_TABLES = (
    "SELECT t1.TABLE_NAME, t2.CHARACTER_SET_NAME, t1.TABLE_COLLATION, t1.AUTO_INCREMENT, "
    "t1.TABLE_COMMENT, t1.CREATE_OPTIONS, t1.ENGINE, t3.SUPPORT = 'DEFAULT' AS DEFAULT_ENGINE "
    "FROM INFORMATION_SCHEMA.TABLES AS t1 "
    "LEFT JOIN INFORMATION_SCHEMA.COLLATIONS AS t2 ON t1.TABLE_COLLATION = t2.COLLATION_NAME "
    "LEFT JOIN INFORMATION_SCHEMA.ENGINES AS t3 ON t1.ENGINE = t3.ENGINE "
    "WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME")
_COLUMNS = (
    "SELECT `TABLE_NAME`, `COLUMN_NAME`, `COLUMN_TYPE`, `COLUMN_COMMENT`, `IS_NULLABLE`, "
    "`COLUMN_KEY`, `COLUMN_DEFAULT`, `EXTRA`, `CHARACTER_SET_NAME`, `COLLATION_NAME`, "
    "`GENERATION_EXPRESSION` FROM `INFORMATION_SCHEMA`.`COLUMNS` WHERE `TABLE_SCHEMA` = %s "
    "ORDER BY `TABLE_NAME`, `ORDINAL_POSITION`")
_INDEXES = (
    "SELECT `TABLE_NAME`, `INDEX_NAME`, `COLUMN_NAME`, `NON_UNIQUE`, `SEQ_IN_INDEX`, "
    "`INDEX_TYPE`, UPPER(`COLLATION`) = 'D' AS `DESC`, `INDEX_COMMENT`, `SUB_PART`, {expr} "
    "FROM `INFORMATION_SCHEMA`.`STATISTICS` WHERE `TABLE_SCHEMA` = %s "
    "ORDER BY `TABLE_NAME`, `index_name`, `seq_in_index`")
_FKS = (
    "SELECT t1.CONSTRAINT_NAME, t1.TABLE_NAME, t1.COLUMN_NAME, t1.REFERENCED_TABLE_NAME, "
    "t1.REFERENCED_COLUMN_NAME, t1.REFERENCED_TABLE_SCHEMA, t2.UPDATE_RULE, t2.DELETE_RULE "
    "FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE AS t1 "
    "JOIN INFORMATION_SCHEMA.REFERENTIAL_CONSTRAINTS AS t2 "
    "ON t1.CONSTRAINT_NAME = t2.CONSTRAINT_NAME AND t1.CONSTRAINT_SCHEMA = t2.CONSTRAINT_SCHEMA "
    "WHERE t1.REFERENCED_COLUMN_NAME IS NOT NULL AND BINARY t1.TABLE_SCHEMA = %s "
    "ORDER BY BINARY t1.TABLE_NAME, BINARY t1.CONSTRAINT_NAME, t1.ORDINAL_POSITION")
_MY_CHECKS = (
    "SELECT t1.TABLE_NAME, t1.CONSTRAINT_NAME, t2.CHECK_CLAUSE, t1.ENFORCED "
    "FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS AS t1 "
    "JOIN INFORMATION_SCHEMA.CHECK_CONSTRAINTS AS t2 ON t1.CONSTRAINT_NAME = t2.CONSTRAINT_NAME "
    "AND t1.CONSTRAINT_SCHEMA = t2.CONSTRAINT_SCHEMA "
    "WHERE t1.CONSTRAINT_TYPE = 'CHECK' AND t1.TABLE_SCHEMA = %s "
    "ORDER BY t1.TABLE_NAME, t1.CONSTRAINT_NAME")
_MARIA_CHECKS = (
    "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, 'YES' AS ENFORCED "
    "FROM INFORMATION_SCHEMA.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = %s "
    "ORDER BY TABLE_NAME, CONSTRAINT_NAME")
_ON_UPDATE = re.compile(r"^(?:default_generated )?on update (current_timestamp(?:\(\d?\))?)$",
                        re.IGNORECASE)
_GENERATED = re.compile(r"^(stored|persistent|virtual) generated$", re.IGNORECASE)
_CURRENT_TS = re.compile(r"^current_timestamp(?:\(\d?\))?$", re.IGNORECASE)
_SHOW_AUTO_INC = re.compile(r"\s*AUTO_INCREMENT\s*=\s*(\d+)\s*")


def _s(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", "surrogateescape")
    return str(v)


class _Gone(AtollError):
    """The schema does not exist (any more)."""


def unescape(s: str) -> str:
    """MySQL's information_schema escapes ``'`` and ``\\`` in expressions."""
    return s.replace("\\'", "'").replace("\\\\", "\\")


def schema_name(conn) -> str:
    name = getattr(conn, "bound_schema", "")
    if not name:
        raise AtollError(
            f"{conn.url.scheme}: the URL {conn.url.masked!r} names no database (server scope); "
            f"schema commands need one, e.g. {conn.url.scheme}://user@host:3306/app")
    return name


SYSTEM_SCHEMAS = ("information_schema", "innodb", "mysql", "performance_schema", "sys")


def inspect_realm(conn, *, exclude: Sequence[str] = ()) -> list[Schema]:
    """Every user schema of the server, by name (``exclude``: ``schema`` or
    ``schema.table…`` globs)."""
    from ...schema.exclude import exclude_schema, go_path_match

    marks = ", ".join(["%s"] * len(SYSTEM_SCHEMAS))
    names = [_s(r[0]) for r in conn.query(
        "SELECT `SCHEMA_NAME` FROM `INFORMATION_SCHEMA`.`SCHEMATA` WHERE `SCHEMA_NAME` "
        f"NOT IN ({marks}) ORDER BY `SCHEMA_NAME`", SYSTEM_SCHEMAS)]
    out = []
    for name in names:
        if any("." not in p and go_path_match(p, name) for p in exclude):
            continue
        try:
            schema = inspect_schema(conn, name=name)
        except _Gone:  # dropped since it was listed
            continue
        rest = [p.split(".", 1)[1] for p in exclude
                if "." in p and go_path_match(p.split(".", 1)[0], name)]
        out.append(exclude_schema(schema, rest) if rest else schema)
    return out


def inspect_schema(conn, *, exclude: Sequence[str] = (), name: str | None = None) -> Schema:
    info = server_info(conn)
    name = name or schema_name(conn)
    rows = conn.query(
        "SELECT `SCHEMA_NAME`, `DEFAULT_CHARACTER_SET_NAME`, `DEFAULT_COLLATION_NAME` "
        "FROM `INFORMATION_SCHEMA`.`SCHEMATA` WHERE `SCHEMA_NAME` = %s", (name,))
    if not rows:
        raise _Gone(f'mysql: schema "{name}" was not found')
    tables = _tables(conn, info, name)
    schema = Schema(name=name, tables=tuple(tables.values()), charset=_s(rows[0][1]) or None,
                    collation=_s(rows[0][2]) or None)
    if exclude:
        from ...schema.exclude import exclude_schema

        schema = exclude_schema(schema, exclude)
    return schema


def _tables(conn, info: ServerInfo, schema: str) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    for name, charset, collation, auto_inc, comment, options, engine, default in \
            conn.query(_TABLES, (schema,)):
        name = _s(name)
        tables[name] = Table(
            name=name, charset=_s(charset) or None, collation=_s(collation) or None,
            comment=_s(comment) or None, create_options=_s(options) or None,
            engine=(_s(engine) if engine is not None and default is not None and not default
                    else None),
            auto_increment=int(auto_inc) if auto_inc is not None else None)
    if not tables:
        return tables
    cols: dict[str, list[Column]] = {t: [] for t in tables}
    needs_show: set[str] = set()
    for row in conn.query(_COLUMNS, (schema,)):
        t = _s(row[0])
        if t not in tables:
            continue
        col, auto = _column(info, row)
        if auto and tables[t].auto_increment is None:
            needs_show.add(t)
        cols[t].append(col)
    for t, cs in cols.items():
        tables[t] = dataclasses.replace(tables[t], columns=tuple(cs))
    fulltext = _indexes(conn, info, schema, tables)
    needs_show |= set(fulltext)
    _foreign_keys(conn, schema, tables)
    if info.supports_check:
        _checks(conn, info, schema, tables)
    for t in sorted(needs_show):
        _show_create(conn, schema, tables, t, fulltext.get(t, ()))
    return tables


def _column(info: ServerInfo, row) -> tuple[Column, bool]:
    (_, name, typ, comment, nullable, _key, default, extra, charset, collation, expr) = row
    raw = _s(typ)
    ctype = parse_type(raw)
    extra_s = _s(extra).strip()
    auto = on_update = False
    gen_type = ""
    default_generated = False
    low = extra_s.lower()
    if low in ("", "null"):
        pass
    elif low == "default_generated":
        default_generated = True
    elif low == "auto_increment":
        auto = True
    elif (m := _ON_UPDATE.match(extra_s)):
        on_update = m.group(1)
        default_generated = low.startswith("default_generated")
    elif (m := _GENERATED.match(extra_s)):
        gen_type = m.group(1)
    else:
        raise SchemaError(f"unknown extra column attribute {go_quote(extra_s)}")
    generated = None
    x = _s(expr)
    if x:
        generated = Generated(expr=x if info.maria else unescape(x), storage=gen_type.upper())
    dflt = None
    if default is not None and not (info.maria and _s(default) == "NULL"):
        d = _s(default)
        dflt = _maria_default(info, ctype, d) if info.maria else \
            _mysql_default(info, ctype, d, default_generated)
    col = Column(name=_s(name), type=ctype, null=_s(nullable) == "YES", default=dflt,
                 auto_increment=auto, generated=generated, comment=_s(comment) or None,
                 charset=_s(charset) or None, collation=_s(collation) or None,
                 on_update=on_update or None)
    return col, auto


def _mysql_default(info: ServerInfo, t, x: str, generated: bool):
    if info.supports_expr_default and generated:
        if t.cls is TypeClass.TIME and _CURRENT_TS.match(x):
            return RawExpr(x)
        return RawExpr(may_wrap(unescape(x)))
    if t.cls is TypeClass.BINARY and _is_hex(x):
        return Literal(x)
    if t.cls in (TypeClass.BIT, TypeClass.BOOL, TypeClass.INTEGER, TypeClass.DECIMAL,
                 TypeClass.FLOAT):
        return Literal(x)
    if t.cls is TypeClass.TIME and _CURRENT_TS.match(x):
        return RawExpr(x)
    return Literal(go_quote(x))


def _maria_default(info: ServerInfo, t, x: str):
    if info.at_least("10.2.7") and is_quoted(x, "'"):
        return Literal(x)
    if t.cls is TypeClass.BIT and x.startswith("b'") and x.endswith("'"):
        return Literal(x)
    if t.cls in (TypeClass.BOOL, TypeClass.DECIMAL, TypeClass.INTEGER, TypeClass.FLOAT):
        try:
            float(x)
            return Literal(x)
        except ValueError:
            pass
    if t.cls is TypeClass.TIME and x.lower() == "current_timestamp":
        return RawExpr(x)
    if not info.supports_expr_default:
        return Literal(go_quote(x))
    return RawExpr(may_wrap(x))


def _is_hex(x: str) -> bool:
    return len(x) > 2 and x[:2].lower() == "0x" and all(c in "0123456789abcdefABCDEF"
                                                        for c in x[2:])


def _indexes(conn, info: ServerInfo, schema: str, tables: dict[str, Table]) -> dict:
    expr = "`EXPRESSION`" if info.supports_index_expr else "NULL AS `EXPRESSION`"
    order: dict[str, dict[str, dict]] = {}
    for (t, name, column, non_unique, _seq, itype, desc, comment, sub_part, x) in \
            conn.query(_INDEXES.format(expr=expr), (schema,)):
        t, name = _s(t), _s(name)
        if t not in tables:
            continue
        entry = order.setdefault(t, {}).setdefault(name, {
            "unique": not int(non_unique or 0), "type": _s(itype).upper(),
            "comment": _s(comment), "parts": []})
        part = IndexPart(
            column=None if x is not None else _s(column),
            expr=unescape(_s(x)) if x is not None else None, desc=bool(desc),
            prefix=int(sub_part) if sub_part is not None and entry["type"] != "SPATIAL" else 0)
        if part.column is not None and tables[t].column(part.column) is None:
            raise SchemaError(f'mysql: column "{part.column}" was not found for index "{name}"')
        entry["parts"].append(part)
    fulltext: dict[str, list[str]] = {}
    for t, idxs in order.items():
        pk = None
        indexes = []
        for name, e in idxs.items():
            method = "" if e["type"] == "BTREE" else e["type"]
            if name == "PRIMARY":
                pk = PrimaryKey(parts=tuple(e["parts"]), name="PRI", method=method)
                continue
            indexes.append(Index(name=name, parts=tuple(e["parts"]), unique=e["unique"],
                                 comment=e["comment"] or None, method=method))
            if e["type"] == "FULLTEXT":
                fulltext.setdefault(t, []).append(name)
        tables[t] = dataclasses.replace(tables[t], primary_key=pk, indexes=tuple(indexes))
    return fulltext


def _foreign_keys(conn, schema: str, tables: dict[str, Table]) -> None:
    fks: dict[str, dict[str, dict]] = {}
    for (sym, t, col, ref_t, ref_c, ref_s, upd, dele) in conn.query(_FKS, (schema,)):
        t = _s(t)
        if t not in tables:
            continue
        e = fks.setdefault(t, {}).setdefault(_s(sym), {
            "cols": [], "ref_table": _s(ref_t), "ref_cols": [], "upd": _s(upd),
            "del": _s(dele), "ref_schema": _s(ref_s)})
        e["cols"].append(_s(col))
        e["ref_cols"].append(_s(ref_c))
    for t, by in fks.items():
        tables[t] = dataclasses.replace(tables[t], foreign_keys=tuple(
            ForeignKey(name=sym, columns=tuple(e["cols"]), ref_table=e["ref_table"],
                       ref_columns=tuple(e["ref_cols"]), on_update=e["upd"], on_delete=e["del"],
                       ref_schema=None if e["ref_schema"] == schema else e["ref_schema"])
            for sym, e in by.items()))


def _checks(conn, info: ServerInfo, schema: str, tables: dict[str, Table]) -> None:
    by: dict[str, list[Check]] = {}
    for t, name, clause, enforced in conn.query(
            _MARIA_CHECKS if info.maria else _MY_CHECKS, (schema,)):
        t = _s(t)
        if t not in tables:
            continue
        expr = _s(clause) if info.maria else unescape(_s(clause))
        # As Atlas: only NOT ENFORCED is recorded.
        by.setdefault(t, []).append(Check(expr=expr, name=_s(name),
                                          enforced=False if _s(enforced) == "NO" else None))
    for t, checks in by.items():
        table = tables[t]
        if info.maria:
            table, checks = _maria_json(table, checks)
        tables[t] = dataclasses.replace(table, checks=tuple(checks))


def _maria_json(table: Table, checks: list[Check]) -> tuple[Table, list[Check]]:
    """MariaDB stores ``json`` as ``longtext`` plus a ``json_valid`` check named after the
    column; read that back as a ``json`` column without the check."""
    kept = []
    cols = list(table.columns)
    for c in checks:
        i = next((k for k, col in enumerate(cols) if col.name == c.name), None)
        if i is not None and cols[i].type.raw.lower() == "longtext" and \
                c.expr == f"json_valid(`{c.name}`)":
            cols[i] = dataclasses.replace(cols[i], type=parse_type("json"), charset=None,
                                          collation=None)
            continue
        kept.append(c)
    return dataclasses.replace(table, columns=tuple(cols)), kept


def _show_create(conn, schema: str, tables: dict[str, Table], t: str,
                 fulltext: Sequence[str]) -> None:
    row = conn.query(f"SHOW CREATE TABLE `{schema}`.`{t}`")
    if not row:
        return
    text = _s(row[0][1])
    table = dataclasses.replace(tables[t], create_sql=text)
    if table.auto_increment is None and any(c.auto_increment for c in table.columns):
        m = _SHOW_AUTO_INC.search(text[text.rfind(")"):] if ")" in text else text)
        if m:
            table = dataclasses.replace(table, auto_increment=int(m.group(1)))
    if fulltext:
        indexes = []
        for idx in table.indexes:
            if idx.name in fulltext:
                m = re.search(rf"FULLTEXT KEY `{re.escape(idx.name)}` \([^\n]*?/\*!50100 WITH "
                              rf"PARSER `([^`]+)` \*/", text)
                if m:
                    idx = dataclasses.replace(idx, parser=m.group(1))
            indexes.append(idx)
        table = dataclasses.replace(table, indexes=tuple(indexes))
    tables[t] = table
