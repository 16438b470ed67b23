"""PostgreSQL's diff rules (spec/postgres.md §5) on top of the generic walk
(``atoll.schema.diff``), and the schema-level diff: enum types and the schema comment.

* Types compare by their canonical SQL text (aliases never differ); enums by name (and schema
  when both are known); arrays by element type; user-defined types (domains, extension types)
  are never reported as changed, as in Atlas.
* Defaults are equal when equal after stripping a trailing ``::type`` cast or after quoting.
* Identity: generation, start and increment after defaulting. Generated expressions cannot
  change (errors with Atlas's messages); a generated column can become a plain one.
* Indexes: method (BTREE when unset), NULLS [NOT] DISTINCT, predicate, INCLUDE columns,
  non-default storage parameters, per part NULLS FIRST/LAST and operator class.
* Partition keys cannot change; comments can.
"""

from __future__ import annotations

import re

from ...errors import SchemaError
from ...schema.changes import ChangeKind, SchemaChange, TableChange
from ...schema.diff import DiffRules, checks_diff, diff_schemas, may_wrap
from ...schema.model import (
    Column,
    Index,
    Literal,
    Partition,
    PrimaryKey,
    Schema,
    Table,
    TypeClass,
)
from .changes import AddEnum, DropEnum, ModifyEnum, SetSchemaComment, SetTableComment

_PUBLIC_COMMENT = "standard public schema"
_COMPARED_BY_TEXT = (TypeClass.BINARY, TypeClass.BIT, TypeClass.BOOL, TypeClass.DECIMAL,
                     TypeClass.FLOAT, TypeClass.INTERVAL, TypeClass.INTEGER, TypeClass.JSON,
                     TypeClass.OID, TypeClass.RANGE, TypeClass.SERIAL, TypeClass.SPATIAL,
                     TypeClass.STRING, TypeClass.PSEUDO, TypeClass.TIME,
                     TypeClass.TEXT_SEARCH, TypeClass.NETWORK, TypeClass.UUID,
                     TypeClass.CURRENCY, TypeClass.XML)


def _quote(s: str) -> str:
    if len(s) >= 2 and s[0] == "'" and s[-1] == "'":
        return s
    return "'" + s.replace("'", "''") + "'"


def _trim_cast(s: str) -> str:
    i = s.rfind("::")
    if i == -1 or not re.fullmatch(r"[A-Za-z ]*", s[i + 2:]):
        return s
    return s[:i]


def _default_text(c: Column) -> str | None:
    d = c.default
    if d is None:
        return None
    return d.value if isinstance(d, Literal) else d.expr


def format_partition(p: Partition) -> str:
    kind = p.kind.upper()
    if kind not in ("RANGE", "LIST", "HASH"):
        raise SchemaError(f'unknown partition type: "{kind}"')
    parts = [f'"{x.column}"' if x.column is not None else may_wrap(x.expr or "")
             for x in p.parts]
    return f"PARTITION BY {kind} ({', '.join(parts)})"


def _params(idx: Index) -> tuple:
    d = dict(idx.params)
    auto = d.get("autosummarize") in ("on", "true")
    ppr = d.get("pages_per_range", "0")
    if not auto and ppr in ("0", "128"):
        return ()
    return (auto, ppr)


class PostgresDiffRules(DiffRules):
    normalized = True

    def table_attr_changes(self, current: Table, desired: Table) -> list[TableChange]:
        changes: list = []
        if (current.comment or "") != (desired.comment or ""):
            changes.append(SetTableComment(current.comment, desired.comment))
        p1, p2 = current.partition, desired.partition
        if p1 is not None and p2 is None:
            raise SchemaError(f'partition key cannot be dropped from "{current.name}" '
                              f'(drop and add is required)')
        if p1 is None and p2 is not None:
            raise SchemaError(f'partition key cannot be added to "{desired.name}" '
                              f'(drop and add is required)')
        if p1 is not None and p2 is not None:
            s1, s2 = format_partition(p1), format_partition(p2)
            if s1 != s2:
                raise SchemaError(f'partition key of table "{desired.name}" cannot be changed '
                                  f'from {s1} to {s2} (drop and add is required)')
        checks = checks_diff(current, desired, normalized=True)
        # A check whose NO INHERIT flag differs is modified too.
        for c1 in current.checks:
            c2 = next((c for c in desired.checks if c.name and c.name == c1.name), None)
            if c2 is not None and c1.no_inherit != c2.no_inherit and \
                    not any(getattr(x, "old", None) == c1 for x in checks):
                from ...schema.changes import ModifyCheck

                checks.append(ModifyCheck(c1, c2))
        return changes + checks

    def column_change(self, table: Table, current: Column, desired: Column) -> ChangeKind:
        kind = ChangeKind.NONE
        if (current.comment or "") != (desired.comment or ""):
            kind |= ChangeKind.COMMENT
        if current.null != desired.null:
            kind |= ChangeKind.NULL
        if type_changed(current, desired):
            kind |= ChangeKind.TYPE
        d1, d2 = _default_text(current), _default_text(desired)
        if (d1 is None) != (d2 is None):
            kind |= ChangeKind.DEFAULT
        elif d1 is not None and d2 is not None and _trim_cast(d1) != _trim_cast(d2) \
                and _quote(d1) != _quote(d2):
            kind |= ChangeKind.DEFAULT
        i1, i2 = current.identity, desired.identity
        if (i1 is None) != (i2 is None) or (i1 is not None and i2 is not None and (
                i1.generation, i1.start, i1.increment) != (i2.generation, i2.start,
                                                           i2.increment)):
            kind |= ChangeKind.ATTR
        g1, g2 = current.generated, desired.generated
        if g1 is not None and g2 is not None and may_wrap(g1.expr) != may_wrap(g2.expr):
            raise SchemaError(f'changing the generation expression for a column '
                              f'"{current.name}" is not supported')
        if g1 is None and g2 is not None:
            raise SchemaError(f'changing column "{current.name}" to generated column is not '
                              f'supported (drop and add is required)')
        if g1 is not None and g2 is None:
            kind |= ChangeKind.GENERATED
        return kind

    def index_attr_changed(self, current: Index, desired: Index) -> bool:
        if (current.method or "BTREE").upper() != (desired.method or "BTREE").upper():
            return True
        if current.nulls_distinct != desired.nulls_distinct:
            return True
        p1, p2 = current.where, desired.where
        if (p1 is None) != (p2 is None) or (p1 != p2 and p1 != may_wrap(p2 or "")):
            return True
        if tuple(current.include) != tuple(desired.include):
            return True
        return _params(current) != _params(desired)

    def index_part_attr_changed(self, current: Index, desired: Index, i: int) -> bool:
        p1, p2 = current.parts[i], desired.parts[i]

        def nulls(p):
            if p.nulls_first or p.nulls_last:
                return p.nulls_first, p.nulls_last
            return p.desc, not p.desc

        if nulls(p1) != nulls(p2):
            return True
        # Inspected parts carry an operator class only when it is not the default one.
        return (p1.opclass or "") != (p2.opclass or "")

    def is_generated_index_name(self, table: Table, index: Index) -> bool:
        if any(p.column is None for p in index.parts):
            return False
        prefix = f"{table.name}_{'_'.join(p.column or '' for p in index.parts)}_key"
        if index.name == prefix:
            return True
        rest = index.name[len(prefix):] if index.name.startswith(prefix) else ""
        return rest.isdigit() and int(rest) > 0

    def primary_key_attr_changed(self, current: PrimaryKey, desired: PrimaryKey) -> bool:
        return tuple(current.include) != tuple(desired.include)

    def reference_changed(self, current: str, desired: str) -> bool:
        return (current or "NO ACTION") != (desired or "NO ACTION")


def type_changed(c1: Column, c2: Column) -> bool:
    t1, t2 = c1.type, c2.type
    if t1.cls is not t2.cls:
        return True
    if t1.cls in _COMPARED_BY_TEXT:
        return t1.raw != t2.raw
    if t1.cls is TypeClass.ENUM:
        return t1.name != t2.name or (t1.schema is not None and t2.schema is not None
                                      and t1.schema != t2.schema)
    if t1.cls is TypeClass.ARRAY:
        if t1.elem is not None and t2.elem is not None:
            return t1.elem.raw != t2.elem.raw
        return False
    # User-defined types (domains, extension types): Atlas never reports a change.
    return False


RULES = PostgresDiffRules()


def diff_schema(current: Schema, desired: Schema, *,
                skip: frozenset[str] = frozenset()) -> list[SchemaChange]:
    """Schema-level changes (comment, enums) around the table changes: new enums come first
    (tables use them), dropped enums last (after the tables that used them)."""
    changes: list = []
    c1, c2 = current.comment, desired.comment
    if c1 == _PUBLIC_COMMENT and current.name in ("", "public", desired.name):
        c1 = None
    if c2 == _PUBLIC_COMMENT and desired.name in ("", "public", current.name):
        c2 = None
    if (c1 or "") != (c2 or ""):
        changes.append(SetSchemaComment(desired.name or current.name, c1, c2))
    have = {e.name: e for e in current.enums}
    want = {e.name: e for e in desired.enums}
    for e in desired.enums:
        if e.name not in have:
            changes.append(AddEnum(e))
        elif have[e.name].values != e.values:
            changes.append(ModifyEnum(have[e.name], e))
    changes += diff_schemas(current, desired, RULES, skip=skip)
    changes += [DropEnum(e) for e in current.enums if e.name not in want]
    return changes
