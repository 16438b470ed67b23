"""Inspecting one PostgreSQL schema into a ``Schema`` (spec/postgres.md §2): tables, columns
and their types, defaults, identity and generated columns, comments, indexes (with methods,
INCLUDE, NULLS NOT DISTINCT, operator classes, predicates), primary keys, UNIQUE constraints,
foreign keys, checks, partition keys, and the schema's enum types.

The queries are the catalog queries Atlas runs, so both tools see the same objects: partitions,
views and extension-owned tables are not tables here."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence

from ...errors import AtollError
from ...schema.diff import expr_last_index, is_quoted
from ...schema.model import (
    Check,
    Column,
    EnumType,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexPart,
    Literal,
    Partition,
    PartitionPart,
    PrimaryKey,
    RawExpr,
    Schema,
    Table,
    TypeClass,
)
from ..base import Connection
from .types import (
    LITERAL_CLASSES,
    QUOTED_LITERAL_CLASSES,
    enum_type,
    inspected_type,
    serial_of,
)
from .views import inspect_views

SCHEMA_QUERY = """SELECT nspname, pg_catalog.obj_description(ns.oid)
FROM pg_catalog.pg_namespace ns
LEFT JOIN pg_depend AS dep ON dep.classid = 'pg_catalog.pg_namespace'::regclass::oid
  AND dep.objid = ns.oid AND dep.deptype = 'e'
WHERE nspname {cond} AND dep.objid IS NULL
ORDER BY nspname"""

TABLES_QUERY = """SELECT t1.table_name, pg_catalog.obj_description(t3.oid, 'pg_class'),
  t4.partattrs::text, t4.partstrat, pg_get_expr(t4.partexprs, t4.partrelid)
FROM INFORMATION_SCHEMA.TABLES AS t1
JOIN pg_catalog.pg_namespace AS t2 ON t2.nspname = t1.table_schema
JOIN pg_catalog.pg_class AS t3 ON t3.relnamespace = t2.oid AND t3.relname = t1.table_name
LEFT JOIN pg_catalog.pg_partitioned_table AS t4 ON t4.partrelid = t3.oid
LEFT JOIN pg_depend AS t5 ON t5.classid = 'pg_catalog.pg_class'::regclass::oid
  AND t5.objid = t3.oid AND t5.deptype = 'e'
WHERE t1.table_type = 'BASE TABLE' AND NOT COALESCE(t3.relispartition, false)
  AND t1.table_schema = %s AND t5.objid IS NULL
ORDER BY t1.table_schema, t1.table_name"""

COLUMNS_QUERY = """SELECT t1.table_name, t1.column_name, t1.data_type,
  pg_catalog.format_type(a.atttypid, a.atttypmod), t1.is_nullable, t1.column_default,
  t1.character_maximum_length, t1.numeric_precision, t1.datetime_precision, t1.numeric_scale,
  t1.interval_type, t1.collation_name, t1.is_identity, t1.identity_start,
  t1.identity_increment,
  (CASE WHEN t1.is_identity = 'YES' THEN (SELECT last_value FROM pg_sequences
    WHERE quote_ident(schemaname) || '.' || quote_ident(sequencename)
      = pg_get_serial_sequence(quote_ident(t1.table_schema) || '.'
        || quote_ident(t1.table_name), t1.column_name)) END),
  t1.identity_generation, t1.generation_expression,
  col_description(t3.oid, "ordinal_position"), t4.typtype
FROM "information_schema"."columns" AS t1
JOIN pg_catalog.pg_namespace AS t2 ON t2.nspname = t1.table_schema
JOIN pg_catalog.pg_class AS t3 ON t3.relnamespace = t2.oid AND t3.relname = t1.table_name
JOIN pg_catalog.pg_attribute AS a ON a.attrelid = t3.oid AND a.attname = t1.column_name
LEFT JOIN pg_catalog.pg_type AS t4 ON t4.oid = a.atttypid
WHERE t1.table_schema = %s AND t1.table_name = ANY(%s)
ORDER BY t1.table_name, t1.ordinal_position"""

ENUMS_QUERY = """SELECT t.typname, e.enumlabel
FROM pg_enum e JOIN pg_type t ON e.enumtypid = t.oid
JOIN pg_namespace n ON t.typnamespace = n.oid
WHERE n.nspname = %s
ORDER BY n.nspname, e.enumtypid, e.enumsortorder"""

INDEXES_QUERY = """SELECT t.relname, i.relname, am.amname, a.attname,
  {included}, idx.indisprimary, idx.indisunique, con.nametypes::text,
  pg_get_expr(idx.indpred, idx.indrelid), pg_get_indexdef(idx.indexrelid, idx.ord, false),
  pg_index_column_has_property(idx.indexrelid, idx.ord, 'desc'),
  pg_index_column_has_property(idx.indexrelid, idx.ord, 'nulls_first'),
  pg_index_column_has_property(idx.indexrelid, idx.ord, 'nulls_last'),
  obj_description(i.oid, 'pg_class'), i.reloptions::text, op.opcname,
  op.opcnamespace::regnamespace::text, op.opcdefault, a2.attoptions::text,
  {nulls_not_distinct}
FROM (SELECT *, generate_series(1, array_length(i.indkey, 1)) AS ord,
        unnest(i.indkey) AS key FROM pg_index i) idx
JOIN pg_class i ON i.oid = idx.indexrelid
JOIN pg_class t ON t.oid = idx.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
LEFT JOIN (SELECT conindid, jsonb_object_agg(conname, contype) AS nametypes
           FROM pg_constraint GROUP BY conindid) con ON con.conindid = idx.indexrelid
LEFT JOIN pg_attribute a ON (a.attrelid, a.attnum) = (idx.indrelid, idx.key)
JOIN pg_am am ON am.oid = i.relam
LEFT JOIN pg_opclass op ON op.oid = idx.indclass[idx.ord-1]
LEFT JOIN pg_attribute a2 ON (a2.attrelid, a2.attnum) = (idx.indexrelid, idx.ord)
WHERE n.nspname = %s AND t.relname = ANY(%s)
ORDER BY t.relname, i.relname, idx.ord"""

FKS_QUERY = """SELECT fk.constraint_name, fk.table_name, a1.attname, fk.referenced_table_name,
  a2.attname, fk.referenced_schema_name, fk.confupdtype, fk.confdeltype
FROM (SELECT con.conname AS constraint_name, con.conrelid, con.confrelid,
        t1.relname AS table_name, t2.relname AS referenced_table_name,
        ns2.nspname AS referenced_schema_name,
        generate_series(1, array_length(con.conkey, 1)) AS ord,
        unnest(con.conkey) AS conkey, unnest(con.confkey) AS confkey,
        con.confupdtype, con.confdeltype
      FROM pg_constraint con
      JOIN pg_class t1 ON t1.oid = con.conrelid
      JOIN pg_class t2 ON t2.oid = con.confrelid
      JOIN pg_namespace ns1 ON t1.relnamespace = ns1.oid
      JOIN pg_namespace ns2 ON t2.relnamespace = ns2.oid
      WHERE ns1.nspname = %s AND t1.relname = ANY(%s) AND con.contype = 'f') AS fk
JOIN pg_attribute a1 ON a1.attnum = fk.conkey AND a1.attrelid = fk.conrelid
JOIN pg_attribute a2 ON a2.attnum = fk.confkey AND a2.attrelid = fk.confrelid
ORDER BY fk.conrelid, fk.constraint_name, fk.ord"""

CHECKS_QUERY = """SELECT rel.relname, t1.conname, pg_get_expr(t1.conbin, t1.conrelid),
  t1.connoinherit
FROM pg_constraint t1
JOIN pg_attribute t2 ON t2.attrelid = t1.conrelid AND t2.attnum = ANY (t1.conkey)
JOIN pg_class rel ON rel.oid = t1.conrelid
JOIN pg_namespace nsp ON nsp.oid = t1.connamespace
WHERE t1.contype = 'c' AND nsp.nspname = %s AND rel.relname = ANY(%s)
ORDER BY t1.conname, array_position(t1.conkey, t2.attnum)"""

_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL",
            "d": "SET DEFAULT"}
_PARTITIONS = {"r": "RANGE", "l": "LIST", "h": "HASH"}
_NEXTVAL = re.compile(r"(?i) *nextval\('(?:\"?[\w$]+\"?\.)?\"?([\w$]+_[\w$]+_seq)\"?'"
                      r"(?:::regclass)*\) *$")
_BOOL = re.compile(r"(?i)^(true|false)$")
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")


def server_version(conn: Connection) -> int:
    known = getattr(conn, "server_version", None)
    if isinstance(known, int):
        return known
    return int(conn.query("SELECT current_setting('server_version_num')")[0][0])


def inspect_schema(conn: Connection, name: str = "", *,
                   exclude: Sequence[str] = ()) -> Schema:
    """The schema ``name`` (default: the URL's ``search_path`` schema, else
    ``current_schema()``) as the model holds it."""
    name = name or getattr(conn, "bound_schema", "") or ""
    if name:
        rows = conn.query(SCHEMA_QUERY.format(cond="= %s"), (name,))
    else:
        rows = conn.query(SCHEMA_QUERY.format(cond="= CURRENT_SCHEMA()"))
    if not rows:
        if not name:
            raise AtollError("postgres: current_schema() defined in search_path was not found")
        raise AtollError(f'postgres: schema "{name}" was not found')
    name, comment = rows[0]
    enums = schema_enums(conn, name)
    schema = inspect_one(conn, name, comment, server_version(conn), enums,
                         {e.name: enum_type(e.name, None) for e in enums})
    if exclude:
        from ...schema.exclude import exclude_schema

        schema = exclude_schema(schema, exclude)
    return schema


def schema_enums(conn: Connection, name: str) -> list[EnumType]:
    return [EnumType(n, tuple(v)) for n, v in _group(conn.query(ENUMS_QUERY, (name,)))]


def inspect_one(conn: Connection, name: str, comment: str | None, version: int,
                enums: list[EnumType], enum_types: dict) -> Schema:
    """One schema's tables, given its enums and the enum types its columns may name
    (``format_type`` text → type: bare names in schema scope, ``schema.name`` in realm
    scope, where the search path is cleared while inspecting)."""
    tables: dict[str, Table] = {}
    for tname, tcomment, partattrs, partstrat, partexprs in conn.query(TABLES_QUERY, (name,)):
        tables[tname] = Table(name=tname, comment=tcomment,
                              partition=_partition_stub(partstrat, partattrs, partexprs))
    if tables:
        names = list(tables)
        _columns(conn, name, names, tables, enum_types)
        _indexes(conn, name, names, tables, version)
        _foreign_keys(conn, name, names, tables)
        _checks(conn, name, names, tables)
        for t in tables.values():
            if t.partition is not None:
                tables[t.name] = dataclasses.replace(t, partition=_partition(t))
    return Schema(name=name, tables=tuple(tables.values()), comment=comment,
                  enums=tuple(enums), views=inspect_views(conn, name))


def _group(rows) -> list[tuple[str, list[str]]]:
    out: dict[str, list[str]] = {}
    for key, value in rows:
        out.setdefault(key, []).append(value)
    return list(out.items())


def _columns(conn, schema: str, names, tables: dict[str, Table], enums: dict) -> None:
    cols: dict[str, list[Column]] = {}
    for (table, name, data_type, fmtype, nullable, default, maxlen, precision, time_precision,
         scale, interval, collation, is_identity, id_start, id_inc, id_last, id_gen, gen_expr,
         comment, typtype) in conn.query(COLUMNS_QUERY, (schema, names)):
        ctype = inspected_type(data_type, fmtype, size=maxlen, precision=precision, scale=scale,
                               time_precision=time_precision, interval=interval,
                               typtype=typtype)
        if ctype.cls is TypeClass.USER and typtype == "e" and ctype.raw in enums:
            ctype = enums[ctype.raw]
        elif ctype.cls is TypeClass.ARRAY and ctype.elem is not None \
                and ctype.elem.raw in enums:
            ctype = dataclasses.replace(ctype, elem=enums[ctype.elem.raw])
        col = Column(name=name, type=ctype, null=nullable == "YES", comment=comment,
                     collation=collation or None)
        if default is not None:
            col = _with_default(col, default)
        if is_identity == "YES":
            col = dataclasses.replace(col, identity=Identity(
                generation=id_gen or "BY DEFAULT", start=int(id_start or 1),
                increment=int(id_inc or 1), last=int(id_last or 0)))
        if gen_expr:
            col = dataclasses.replace(col, generated=Generated(expr=gen_expr, storage="STORED"))
        cols.setdefault(table, []).append(col)
    for table, columns in cols.items():
        tables[table] = dataclasses.replace(tables[table], columns=tuple(columns))


def _with_default(col: Column, text: str) -> Column:
    m = _NEXTVAL.match(text)
    if m:
        serial = serial_of(col.type) if col.type.cls is TypeClass.INTEGER else None
        if serial is None:
            return col
        return dataclasses.replace(col, type=serial)
    return dataclasses.replace(col, default=default_expr(col.type.cls, text))


def default_expr(cls: TypeClass, s: str):
    """Atlas's ``defaultExpr``: a literal for plain literals and convertible casts, else raw."""
    if _BOOL.match(s) or _NUMBER.match(s) or is_quoted(s, "'"):
        return Literal(s)
    i = s.rfind("::")
    if i != -1 and is_quoted(s[:i], "'"):
        quoted, inner = s[:i], s[1:i - 1]
        if cls in QUOTED_LITERAL_CLASSES:
            return Literal(quoted)
        if cls is TypeClass.BOOL and _BOOL.match(inner):
            return Literal(inner)
        if cls in LITERAL_CLASSES and cls is not TypeClass.BOOL and _NUMBER.match(inner):
            return Literal(inner)
    return RawExpr(s)


def _indexes(conn, schema: str, names, tables: dict[str, Table], version: int) -> None:
    included = ("(a.attname <> '' AND idx.indnatts > idx.indnkeyatts "
                "AND idx.ord > idx.indnkeyatts)") if version >= 110000 else "false"
    nnd = "idx.indnullsnotdistinct" if version >= 150000 else "false"
    query = INDEXES_QUERY.format(included=included, nulls_not_distinct=nnd)
    built: dict[tuple[str, str], dict] = {}
    order: list[tuple[str, str]] = []
    for (table, name, method, column, is_included, primary, unique, constraints, pred, expr,
         desc, nulls_first, nulls_last, comment, options, opcname, opcschema, opcdefault,
         opcparams, nulls_not_distinct) in conn.query(query, (schema, names)):
        key = (table, name)
        entry = built.get(key)
        if entry is None:
            kinds = json.loads(constraints) if constraints else {}
            entry = built[key] = {
                "primary": primary, "unique": unique, "method": method, "comment": comment,
                "where": pred, "params": _storage_params(options), "parts": [],
                "include": [], "origin": "u" if "u" in kinds.values() else None,
                "nnd": bool(nulls_not_distinct)}
            order.append(key)
        if is_included:
            entry["include"].append(column)
            continue
        part = IndexPart(column=column, desc=bool(desc)) if column else \
            IndexPart(expr=expr, desc=bool(desc))
        if nulls_first or nulls_last:
            part = dataclasses.replace(part, nulls_first=bool(nulls_first),
                                       nulls_last=bool(nulls_last))
        if opcname and not (opcdefault and not opcparams):
            op = opcname
            if opcschema not in ("", schema, "pg_catalog", "public", None):
                op = f"{opcschema}.{opcname}"
            if opcparams:
                op += "(" + ", ".join(_pg_array(opcparams)) + ")"
            part = dataclasses.replace(part, opclass=op)
        entry["parts"].append(part)
    for table, name in order:
        e = built[(table, name)]
        t = tables[table]
        if e["primary"]:
            t = dataclasses.replace(t, primary_key=PrimaryKey(
                parts=tuple(e["parts"]), name=name, include=tuple(e["include"])))
        else:
            idx = Index(name=name, parts=tuple(e["parts"]), unique=e["unique"],
                        where=e["where"], comment=e["comment"], origin=e["origin"],
                        method=e["method"], include=tuple(e["include"]),
                        nulls_distinct=not e["nnd"], params=e["params"])
            t = dataclasses.replace(t, indexes=t.indexes + (idx,))
        tables[table] = t


def _pg_array(text: str) -> list[str]:
    return [x.strip('"') for x in text.strip("{}").split(",") if x]


def _storage_params(options: str | None) -> tuple[tuple[str, str], ...]:
    if not options:
        return ()
    out = []
    for kv in _pg_array(options):
        k, _, v = kv.partition("=")
        if k in ("autosummarize", "pages_per_range"):
            out.append((k, v))
    return tuple(out)


def _foreign_keys(conn, schema: str, names, tables: dict[str, Table]) -> None:
    fks: dict[tuple[str, str], dict] = {}
    for (name, table, column, ref_table, ref_column, ref_schema, upd,
         dele) in conn.query(FKS_QUERY, (schema, names)):
        e = fks.setdefault((table, name), {"cols": [], "refs": [], "ref_table": ref_table,
                                           "ref_schema": ref_schema, "upd": upd, "del": dele})
        e["cols"].append(column)
        e["refs"].append(ref_column)
    for (table, name), e in fks.items():
        fk = ForeignKey(name=name, columns=tuple(e["cols"]), ref_table=e["ref_table"],
                        ref_columns=tuple(e["refs"]), on_update=_ACTIONS.get(e["upd"], ""),
                        on_delete=_ACTIONS.get(e["del"], ""),
                        ref_schema=None if e["ref_schema"] == schema else e["ref_schema"])
        t = tables[table]
        tables[table] = dataclasses.replace(t, foreign_keys=t.foreign_keys + (fk,))


def _checks(conn, schema: str, names, tables: dict[str, Table]) -> None:
    seen: set[tuple[str, str]] = set()
    for table, name, expr, no_inherit in conn.query(CHECKS_QUERY, (schema, names)):
        if (table, name) in seen:
            continue
        seen.add((table, name))
        t = tables[table]
        tables[table] = dataclasses.replace(t, checks=t.checks + (
            Check(expr=expr, name=name, no_inherit=bool(no_inherit)),))


def _partition_stub(strategy, attrs, exprs) -> Partition | None:
    if not strategy:
        return None
    # Resolved by _partition once the columns are known.
    return Partition(kind=strategy, parts=(PartitionPart(column=attrs or "", expr=exprs),))


def _partition(t: Table) -> Partition:
    stub = t.partition
    assert stub is not None
    kind = _PARTITIONS.get(stub.kind.lower())
    if kind is None:
        raise AtollError(f"postgres: unexpected partition strategy {stub.kind!r}")
    attrs, exprs = stub.parts[0].column or "", stub.parts[0].expr or ""
    parts = []
    for item in attrs.strip().split():
        idx = int(item)
        if idx == 0:
            j = expr_last_index(exprs)
            if j == -1:
                raise AtollError(f"postgres: no expression found in partition key: {exprs!r}")
            parts.append(PartitionPart(expr=exprs[:j + 1]))
            exprs = exprs[j + 1:].removeprefix(", ")
        else:
            parts.append(PartitionPart(column=t.columns[idx - 1].name))
    return Partition(kind=kind, parts=tuple(parts))
