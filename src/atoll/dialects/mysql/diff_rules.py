"""MySQL's diff rules (spec/mysql.md §5) on top of the generic walk (``atoll.schema.diff``),
and the schema-level charset/collation diff.

* Types compare by their formatted DDL (``bool`` = ``tinyint(1)``, display widths ignored),
  integers by name and sign, enum/set by their values.
* Defaults compare by type: numbers numerically, strings after unquoting, times loosely
  (``CURRENT_TIMESTAMP`` = ``(current_timestamp())``), binary after hex-decoding.
* Charsets and collations are inherited: a column's differs only against the table's.
* AUTO_INCREMENT can only grow; engines compare case-insensitively; index types, FULLTEXT
  parsers and key-part prefixes count; ``RESTRICT``/unset referential actions = NO ACTION.
* An index MySQL made for a foreign key is not dropped by a schema file that leaves it out,
  unless the file gives the key another index (then the redundant one goes, as in Atlas).
"""

from __future__ import annotations

import dataclasses

from ...schema.changes import (
    AddCheck,
    ChangeKind,
    DropCheck,
    ModifyCheck,
    SchemaChange,
    TableChange,
)
from ...schema.diff import DiffRules, checks_diff, diff_schemas, may_wrap, unquote
from ...schema.model import Column, Index, Literal, PrimaryKey, Schema, Table, TypeClass
from .changes import ModifySchemaAttrs, SetTableAttr
from .types import format_type

_BY_TEXT = (TypeClass.BIT, TypeClass.BINARY, TypeClass.BOOL, TypeClass.DECIMAL,
            TypeClass.FLOAT, TypeClass.JSON, TypeClass.STRING, TypeClass.SPATIAL,
            TypeClass.TIME, TypeClass.UUID, TypeClass.NETWORK)


def _inherited(old: str | None, parent: str | None, new: str | None) -> tuple[str, str] | None:
    """Atlas's charset/collation change rule: (old, new) when it changes, else None."""
    if not old and not new:
        return None
    if not old:
        return "", new or ""
    if not new:
        if parent and old != parent:
            return old, parent
        return None
    return (old, new) if old != new else None


def _default_text(c: Column) -> str | None:
    d = c.default
    if d is None:
        return None
    return d.value if isinstance(d, Literal) else d.expr


def _unq(s: str) -> str | None:
    try:
        return unquote(s)
    except ValueError:
        return None


def _strings_equal(a: str, b: str) -> bool:
    x, y = _unq(a), _unq(b)
    return x is not None and x == y


def _int_value(s: str) -> int | None:
    s = s.strip("' ").lower()
    try:
        return int(s)
    except ValueError:
        try:
            return int(float(s))
        except ValueError:
            return None


def _bool_value(s: str) -> bool | None:
    return {"1": True, "'1'": True, "TRUE": True, "true": True,
            "0": False, "'0'": False, "FALSE": False, "false": False}.get(s)


def _bin_value(s: str) -> str:
    if len(s) > 2 and s[:2].lower() == "0x":
        try:
            return bytes.fromhex(s[2:]).decode("latin-1")
        except ValueError:
            return s
    return s


def default_changed(c1: Column, c2: Column) -> bool:
    d1, d2 = _default_text(c1), _default_text(c2)
    if (d1 is None) != (d2 is None):
        return True
    if d1 is None or d2 is None or d1 == d2:
        return False
    cls = c1.type.cls
    if cls is TypeClass.BINARY:
        return not _strings_equal(_bin_value(d1), _bin_value(d2))
    if cls is TypeClass.BOOL:
        a, b = _bool_value(d1), _bool_value(d2)
        return a is not None and b is not None and a != b
    if cls is TypeClass.INTEGER:
        if d1.strip("' ").lower() == d2.strip("' ").lower():
            return False
        a, b = _int_value(d1), _int_value(d2)
        return a is None or b is None or a != b
    if cls in (TypeClass.FLOAT, TypeClass.DECIMAL):
        x1, x2 = d1.strip("' ").lower(), d2.strip("' ").lower()
        if x1 == x2:
            return False
        try:
            return float(x1) != float(x2)
        except ValueError:
            return True
    if cls in (TypeClass.ENUM, TypeClass.STRING):
        return not _strings_equal(d1, d2)
    if cls is TypeClass.TIME:
        return not _strings_equal(d1.strip("' ()").lower(), d2.strip("' ()").lower())
    return d1.strip("'") != d2.strip("'")


def type_changed(c1: Column, c2: Column) -> bool:
    t1, t2 = c1.type, c2.type
    if t1.cls is not t2.cls:
        return True
    if t1.cls is TypeClass.ENUM:
        return t1.name.lower() != t2.name.lower() or tuple(t1.values) != tuple(t2.values)
    if t1.cls is TypeClass.INTEGER:
        return t1.name.lower() != t2.name.lower() or t1.unsigned != t2.unsigned
    if t1.cls in _BY_TEXT:
        return format_type(t1) != format_type(t2)
    return (t1.raw or t1.name) != (t2.raw or t2.name)


def _enforced(c) -> bool:
    return c.enforced if c.enforced is not None else True


def _storage(s: str) -> str:
    s = (s or "VIRTUAL").upper()
    return "STORED" if s == "PERSISTENT" else s


def _supported_fks(t: Table, idx: Index) -> list:
    cols = tuple(p.column for p in idx.parts)
    return [fk for fk in t.foreign_keys if fk.name == idx.name or tuple(fk.columns) == cols]


def _server_made(current: Table, desired: Table, idx: Index) -> bool:
    """An index of the current table that MySQL made for a foreign key and the desired table
    leaves out without giving that key another index (a schema file written by hand): it
    stays. When the desired table has its own index for the key (it was read back from a
    dev database, Atlas's normalized mode), a redundant one is dropped as in Atlas."""
    if desired.index(idx.name) is not None:
        return False
    fks = _supported_fks(current, idx)
    if not fks:
        return False
    for fk in fks:
        want = desired.foreign_key(fk.name)
        if want is not None and any(_supported_fks(desired, i) for i in desired.indexes
                                    if want in _supported_fks(desired, i)):
            return False
    return True


def _fill(obj, info, has_collation: bool, has_charset: bool):
    """A desired table or column with the charset's default collation (or the collation's
    charset) filled in when the current one has it and the desired one left it out."""
    if info is None:
        return obj
    if has_collation and obj.charset and not obj.collation:
        co = info.charset_collation.get(obj.charset)
        if co:
            obj = dataclasses.replace(obj, collation=co)
    if has_charset and obj.collation and not obj.charset:
        ch = info.collation_charset.get(obj.collation)
        if ch:
            obj = dataclasses.replace(obj, charset=ch)
    return obj


class MySQLDiffRules(DiffRules):
    normalized = True

    def __init__(self, current: Schema | None = None, info=None):
        self._schema = current
        self._info = info

    def normalize(self, current: Table, desired: Table) -> tuple[Table, Table]:
        keep = tuple(i for i in current.indexes if not _server_made(current, desired, i))
        if len(keep) != len(current.indexes):
            current = dataclasses.replace(current, indexes=keep)
        desired = _fill(desired, self._info, bool(current.collation), bool(current.charset))
        cols = tuple(_fill(c, self._info, True, True) for c in desired.columns)
        if cols != desired.columns:
            desired = dataclasses.replace(desired, columns=cols)
        return current, desired

    def table_attr_changes(self, current: Table, desired: Table) -> list[TableChange]:
        changes: list = []
        a1, a2 = current.auto_increment, desired.auto_increment
        if a2 is not None and a2 > 1 and a2 > (a1 or 0):
            changes.append(SetTableAttr("AUTO_INCREMENT", str(a1 or ""), str(a2)))
        if (current.comment or "") != (desired.comment or "") and \
                not _strings_equal(current.comment or "''", desired.comment or "''"):
            changes.append(SetTableAttr("COMMENT", current.comment or "", desired.comment or ""))
        parent = self._schema
        ch = _inherited(current.charset, parent.charset if parent else None, desired.charset)
        if ch:
            changes.append(SetTableAttr("CHARSET", *ch))
        co = _inherited(current.collation, parent.collation if parent else None,
                        desired.collation)
        if co:
            changes.append(SetTableAttr("COLLATE", *co))
        e1, e2 = current.engine, desired.engine
        if (e1 or "InnoDB").lower() != (e2 or "InnoDB").lower():
            changes.append(SetTableAttr("ENGINE", e1 or "InnoDB", e2 or "InnoDB"))
        checks: list = []
        for c in checks_diff(current, desired, normalized=True):
            if isinstance(c, DropCheck) and c.check.expr.startswith("json_valid") and \
                    desired.column(c.check.name) is not None:
                continue
            checks.append(c)
        # Named checks whose ENFORCED flag differs are modified too; drops and modifications
        # come in the current table's order, then the additions.
        for c1 in current.checks:
            c2 = next((c for c in desired.checks if c.name and c.name == c1.name), None)
            if c2 is not None and _enforced(c1) != _enforced(c2) and \
                    not any(getattr(x, "old", None) == c1 for x in checks):
                checks.append(ModifyCheck(c1, c2))
        order = {id(c): i for i, c in enumerate(current.checks)}
        olds = [c for c in checks if not isinstance(c, AddCheck)]
        olds.sort(key=lambda c: order.get(id(getattr(c, "old", None) or c.check), 0))
        changes += olds + [c for c in checks if isinstance(c, AddCheck)]
        return changes

    def column_change(self, table: Table, current: Column, desired: Column) -> ChangeKind:
        kind = ChangeKind.NONE
        if (current.comment or "") != (desired.comment or ""):
            kind |= ChangeKind.COMMENT
        if current.null != desired.null:
            kind |= ChangeKind.NULL
        if type_changed(current, desired):
            kind |= ChangeKind.TYPE
        if default_changed(current, desired):
            kind |= ChangeKind.DEFAULT
        g1, g2 = current.generated, desired.generated
        if (g1 is None) != (g2 is None) or (g1 is not None and g2 is not None and (
                may_wrap(g1.expr) != may_wrap(g2.expr)
                or _storage(g1.storage) != _storage(g2.storage))):
            kind |= ChangeKind.GENERATED
        if _column_attr_changed(current.charset, table.charset, desired.charset) or \
                _column_attr_changed(current.collation, table.collation, desired.collation):
            kind |= ChangeKind.ATTR
        if (current.on_update or "").lower() != (desired.on_update or "").lower() and \
                current.on_update is not None and desired.on_update is not None:
            kind |= ChangeKind.ATTR
        if current.auto_increment != desired.auto_increment:
            kind |= ChangeKind.ATTR
        return kind

    def index_attr_changed(self, current: Index, desired: Index) -> bool:
        if (current.method or "BTREE").upper() != (desired.method or "BTREE").upper():
            return True
        return (current.parser or None) != (desired.parser or None)

    def index_part_attr_changed(self, current: Index, desired: Index, i: int) -> bool:
        return current.parts[i].prefix != desired.parts[i].prefix

    def is_generated_index_name(self, table: Table, index: Index) -> bool:
        if self._info is not None and self._info.supports_index_expr:
            # MySQL names an unnamed functional index functional_index[_N].
            if index.name == "functional_index":
                return True
            rest = index.name[len("functional_index_"):] \
                if index.name.startswith("functional_index_") else ""
            if rest.isdigit() and int(rest) > 1:
                return True
        if not index.parts or index.parts[0].column is None:
            return False
        name = index.parts[0].column
        if index.name == name:
            return True
        rest = index.name[len(name) + 1:] if index.name.startswith(name + "_") else ""
        return rest.isdigit() and int(rest) > 1

    def primary_key_attr_changed(self, current: PrimaryKey, desired: PrimaryKey) -> bool:
        if (current.method or "BTREE").upper() != (desired.method or "BTREE").upper():
            return True
        return any(p1.prefix != p2.prefix for p1, p2 in zip(current.parts, desired.parts))

    def reference_changed(self, current: str, desired: str) -> bool:
        def norm(a: str) -> str:
            return "NO ACTION" if a in ("", "RESTRICT") else a

        return norm(current) != norm(desired)


def _column_attr_changed(old: str | None, table: str | None, new: str | None) -> bool:
    return bool((old and not new and table and old != table)
                or (not old and new and table and new != table)
                or (old and new and old != new))


def diff_schema(current: Schema, desired: Schema, *, skip: frozenset[str] = frozenset(),
                info=None) -> list[SchemaChange]:
    """Schema attributes (``ALTER DATABASE``) then the tables. ``info`` (the server) fills
    charset/collation defaults a desired schema left out."""
    changes: list = []
    attrs = []
    for key, old, new in (("CHARSET", current.charset, desired.charset),
                          ("COLLATE", current.collation, desired.collation)):
        ch = _inherited(old, None, new)
        if ch:
            attrs.append((key, *ch))
    if attrs and "modify_schema" not in skip:
        changes.append(ModifySchemaAttrs(current.name or desired.name, tuple(attrs)))
    rules = MySQLDiffRules(current, info)
    changes += diff_schemas(current, desired, rules, skip=skip)
    return changes
