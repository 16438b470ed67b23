"""SQLite's diff rules (spec/sqlite-plan.md §2.3–§2.5).

* Column types compare by class only (``int`` ≡ ``bigint``, ``varchar(10)`` ≡ ``text``);
  user-defined types by their exact text.
* Defaults compare by text, then after unquoting both (``'a8m'`` ≡ ``"a8m"`` ≡ ``a8m``).
* Generated expressions compare after wrapping in parentheses; no storage means VIRTUAL.
* Index predicates: the desired predicate may be written without the parentheses SQLite keeps.
* Inspected foreign keys are named by their pragma id (``0``, ``1``); a current FK takes the name
  of a desired FK with the same columns and references before comparing.
* Indexes SQLite creates for inline UNIQUE constraints (``sqlite_autoindex_<t>_<N>``) are known
  under the name the planner creates them with: ``<t>_<col1>_<col2>…``.
"""

from __future__ import annotations

import dataclasses
import re

from ...errors import SchemaError
from ...schema.changes import AddTableOption, ChangeKind, DropTableOption, TableChange
from ...schema.diff import DiffRules, checks_diff, may_wrap, unquote
from ...schema.model import Column, ForeignKey, Index, Literal, Table, TypeClass

__all__ = ["SQLiteDiffRules", "RULES", "normalize_index_name"]

_AUTOINDEX_PREFIX = "sqlite_autoindex"
_CURRENT_TIME_LITERALS = ("CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP")


def normalize_index_name(index: Index, table_name: str) -> Index:
    """The index as the planner creates it: an index named ``sqlite_autoindex…`` (SQLite's name
    for an inline UNIQUE constraint, which cannot be created by hand) becomes
    ``<table>_<col1>_<col2>…``. Primary-key autoindexes and other names are unchanged."""
    if not index.name.startswith(_AUTOINDEX_PREFIX) or index.origin in ("p", "pk"):
        return index
    names = [table_name]
    for i, part in enumerate(index.parts):
        if part.column is None:
            raise SchemaError(f"unexpected index part {index.name} ({i})")
        names.append(part.column)
    return dataclasses.replace(index, name="_".join(names))


def _user_type_text(col: Column) -> str:
    return col.type.raw or col.type.name


def _default_text(col: Column) -> str | None:
    d = col.default
    if d is None:
        return None
    return d.value if isinstance(d, Literal) else d.expr


def _storage(s: str) -> str:
    return s.upper() or "VIRTUAL"


def _is_uint(s: str) -> bool:
    return all(ch.isdigit() for ch in s)


def _same_fk(fk1: ForeignKey, fk2: ForeignKey) -> bool:
    return (fk1.ref_table == fk2.ref_table
            and tuple(fk1.columns) == tuple(fk2.columns)
            and tuple(fk1.ref_columns) == tuple(fk2.ref_columns))


class SQLiteDiffRules(DiffRules):
    """The SQLite rules. ``normalized=False`` selects Atlas's library (non-CLI) CHECK matching."""

    def __init__(self, *, normalized: bool = True):
        self.normalized = normalized

    # -- normalization --------------------------------------------------------------------

    def normalize(self, current: Table, desired: Table) -> tuple[Table, Table]:
        # Foreign keys: SQLite reports no constraint names, so a current FK takes the name of
        # the first unused desired FK with the same name (unless numeric) or the same
        # definition. (Atlas's loop does not stop at the first match, which pairs one current
        # FK with every identical desired FK; we stop, so that a schema diffed against itself
        # stays without changes. The result differs only for duplicate FK definitions.)
        used = [False] * len(desired.foreign_keys)
        fks = []
        for fk1 in current.foreign_keys:
            name = fk1.name
            for i, fk2 in enumerate(desired.foreign_keys):
                if used[i]:
                    continue
                if (fk2.name == name and not _is_uint(name)) or _same_fk(fk1, fk2):
                    name = fk2.name
                    used[i] = True
                    break
            fks.append(fk1 if name == fk1.name else dataclasses.replace(fk1, name=name))
        if fks != list(current.foreign_keys):
            current = dataclasses.replace(current, foreign_keys=tuple(fks))
        # Desired indexes of inline UNIQUE constraints get the name the planner gives them.
        indexes = tuple(normalize_index_name(idx, desired.name) for idx in desired.indexes)
        if indexes != desired.indexes:
            desired = dataclasses.replace(desired, indexes=indexes)
        return current, desired

    # -- table attributes -----------------------------------------------------------------

    def table_attr_changes(self, current: Table, desired: Table) -> list[TableChange]:
        changes: list[TableChange] = []
        for option in ("without_rowid", "strict"):
            had, has = getattr(current, option), getattr(desired, option)
            if had and not has:
                changes.append(DropTableOption(option))
            elif has and not had:
                changes.append(AddTableOption(option))
        return changes + checks_diff(current, desired, normalized=self.normalized)

    # -- columns --------------------------------------------------------------------------

    def column_change(self, table: Table, current: Column, desired: Column) -> ChangeKind:
        # Comments and collations are ignored: SQLite has no comments, and Atlas ignores them.
        kind = ChangeKind.NONE
        if current.null != desired.null:
            kind |= ChangeKind.NULL
        if self.type_changed(current, desired):
            kind |= ChangeKind.TYPE
        if self.default_changed(current, desired):
            kind |= ChangeKind.DEFAULT
        if self.generated_changed(current, desired):
            kind |= ChangeKind.GENERATED
        return kind

    @staticmethod
    def type_changed(current: Column, desired: Column) -> bool:
        """Types differ when their class ("type affinity") differs; user-defined types when
        their text differs."""
        if current.type.cls is TypeClass.USER:
            return (desired.type.cls is not TypeClass.USER
                    or _user_type_text(current) != _user_type_text(desired))
        return current.type.cls is not desired.type.cls

    @staticmethod
    def default_changed(current: Column, desired: Column) -> bool:
        d1, d2 = _default_text(current), _default_text(desired)
        if (d1 is None) != (d2 is None):
            return True
        if d1 == d2:
            return False
        try:
            return unquote(d1) != unquote(d2)
        except ValueError:
            return True

    @staticmethod
    def generated_changed(current: Column, desired: Column) -> bool:
        g1, g2 = current.generated, desired.generated
        if (g1 is None) != (g2 is None):
            return True
        if g1 is None or g2 is None:
            return False
        return may_wrap(g1.expr) != may_wrap(g2.expr) or _storage(g1.storage) != _storage(g2.storage)

    # -- indexes and foreign keys ---------------------------------------------------------

    def index_attr_changed(self, current: Index, desired: Index) -> bool:
        p1, p2 = current.where, desired.where
        if (p1 is None) != (p2 is None):
            return True
        p1, p2 = p1 or "", p2 or ""
        return p1 != p2 and p1 != may_wrap(p2)

    _generated_name = re.compile(r"[+-]?[0-9]+")

    def is_generated_index_name(self, table: Table, index: Index) -> bool:
        prefix = f"sqlite_autoindex_{table.name}_"
        if not index.name.startswith(prefix):
            return False
        rest = index.name[len(prefix):]
        return self._generated_name.fullmatch(rest) is not None and int(rest) > 0

    def find_generated_index(self, desired: Table, index: Index) -> Index | None:
        # The desired state knows the index under its normalized name (see ``normalize``), so
        # look it up as ``<table>_<cols>`` of the current index's parts (spec §2.4). Atlas's code
        # normalizes a part-less copy (looking up ``<table>``), which never matches and makes
        # an unchanged inline UNIQUE a DROP INDEX + CREATE INDEX (ariga/atlas#1597).
        try:
            name = normalize_index_name(index, desired.name).name
        except SchemaError:
            return None
        return desired.index(name)

    def reference_changed(self, current: str, desired: str) -> bool:
        # SQLite's default action is NO ACTION.
        return (current or "NO ACTION") != (desired or "NO ACTION")


RULES = SQLiteDiffRules()
"""The rules the CLI uses (normalized mode)."""
