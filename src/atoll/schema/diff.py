"""Schema × Schema → changes.

One generic walk (the shape of Atlas's ``sqlx.Diff``) asks a :class:`DiffRules` object whatever
an engine decides for itself: when two columns differ, whether index predicates are equal, how
names are normalized before comparing, which index names the database generated. Each dialect
provides its rules (``atoll.dialects.sqlite.diff_rules``).

Order of the produced changes (spec/sqlite-plan.md §2.1, §2.2):

* schema level: for each *current* table, ``DropTable`` or ``ModifyTable``; then ``AddTable`` for
  each *desired* table missing from the current state, in desired order; then the view and
  trigger changes (``objects_diff``), which the planner puts in dependency order;
* table level: table attributes and checks (from the rules), columns (drop/modify in current
  order, then adds in desired order), primary key, indexes, foreign keys.

There is no rename detection: a renamed table or column is a drop plus an add.

The module also holds the small expression helpers every SQL dialect needs to compare or print
expressions the way Atlas does (:func:`may_wrap`, :func:`unquote`, :func:`single_quote`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from .changes import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddIndex,
    AddPrimaryKey,
    AddTable,
    AddTrigger,
    AddView,
    ChangeKind,
    DropCheck,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropPrimaryKey,
    DropTable,
    DropTrigger,
    DropView,
    ModifyCheck,
    ModifyColumn,
    ModifyForeignKey,
    ModifyIndex,
    ModifyPrimaryKey,
    ModifyTable,
    ModifyTrigger,
    ModifyView,
    RenameTable,
    SchemaChange,
    TableChange,
)
from .model import (
    Check,
    Column,
    ForeignKey,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
)
from .objects_diff import trigger_changes, view_changes

__all__ = [
    "SKIP_KINDS",
    "DiffRules",
    "diff_schemas",
    "diff_tables",
    "checks_diff",
    "may_wrap",
    "is_quoted",
    "unquote",
    "single_quote",
]

# Names accepted in ``diff { skip { <name> = true } }`` (Atlas's SkipChanges). The schema-level
# and constraint-rename kinds are accepted but never produced for SQLite.
_SKIP_TYPES: dict[str, type | None] = {
    "add_schema": None,
    "drop_schema": None,
    "modify_schema": None,
    "add_table": AddTable,
    "drop_table": DropTable,
    "modify_table": ModifyTable,
    "rename_table": RenameTable,
    "add_column": AddColumn,
    "drop_column": DropColumn,
    "modify_column": ModifyColumn,
    "add_index": AddIndex,
    "drop_index": DropIndex,
    "modify_index": ModifyIndex,
    "add_foreign_key": AddForeignKey,
    "drop_foreign_key": DropForeignKey,
    "modify_foreign_key": ModifyForeignKey,
    "rename_constraint": None,
    "add_view": AddView,
    "drop_view": DropView,
    "modify_view": ModifyView,
    "add_trigger": AddTrigger,
    "drop_trigger": DropTrigger,
    "modify_trigger": ModifyTrigger,
}
SKIP_KINDS: frozenset[str] = frozenset(_SKIP_TYPES)


# --- expression helpers ----------------------------------------------------------------------


def expr_last_index(expr: str) -> int:
    """Index of the last character of the first expression in ``expr`` (up to a top-level
    ``,`` or the end), or -1 when parentheses or quotes are unbalanced."""
    left = right = 0
    i, n = 0, len(expr)
    while i < n:
        ch = expr[i]
        if ch == "(":
            left += 1
        elif ch == ")":
            right += 1
        elif ch in "'\"`":
            j = i + 1
            while j < n:
                if expr[j] == "\\":
                    j += 2
                    continue
                if expr[j] == ch:
                    break
                j += 1
            else:
                return -1  # unterminated string or identifier
            i = j
        if left == right and (i == n - 1 or expr[i + 1] == ","):
            return i
        if right > left:
            return -1
        i += 1
    return -1


def may_wrap(s: str) -> str:
    """``s`` wrapped in parentheses unless it is already one parenthesised expression:
    ``1`` → ``(1)``, ``(1)`` → ``(1)``, ``(a) + (b)`` → ``((a) + (b))``."""
    if len(s) < 2 or s[0] != "(" or s[-1] != ")":
        return f"({s})"
    inner = s[1:-1]
    if expr_last_index(inner) != len(inner) - 1:
        return f"({s})"
    return s


def is_quoted(s: str, *quotes: str) -> bool:
    """Whether ``s`` is enclosed in one of ``quotes`` with only escaped (``\\x``) or doubled
    quotes inside."""
    last = len(s) - 1
    if last < 1:
        return False
    for q in quotes:
        if s[0] != q or s[last] != q:
            continue
        i, ok = 1, True
        # Atlas's scan stops one character early; keep that so results match.
        while i < last - 1:
            c = s[i]
            if c == "\\" or (c == q and s[i + 1] == q):
                i += 2
                continue
            if c == q:
                ok = False
                break
            i += 1
        if ok:
            return True
    return False


_GO_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
                      "v": "\v", "\\": "\\", '"': '"'}


def _go_unquote_double(s: str) -> str:
    """Go's ``strconv.Unquote`` for a double-quoted string; ``ValueError`` when invalid."""
    body = s[1:-1]
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c == '"' or c == "\n":
            raise ValueError("invalid syntax")
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= n:
            raise ValueError("invalid syntax")
        e = body[i + 1]
        if e in _GO_SIMPLE_ESCAPES:
            out.append(_GO_SIMPLE_ESCAPES[e])
            i += 2
        elif e in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[e]
            digits = body[i + 2:i + 2 + width]
            if len(digits) != width or any(d not in "0123456789abcdefABCDEF" for d in digits):
                raise ValueError("invalid syntax")
            v = int(digits, 16)
            if e != "x" and (v > 0x10FFFF or 0xD800 <= v <= 0xDFFF):
                raise ValueError("invalid syntax")
            out.append(chr(v))
            i += 2 + width
        elif e in "01234567":
            digits = body[i + 1:i + 4]
            if len(digits) != 3 or any(d not in "01234567" for d in digits):
                raise ValueError("invalid syntax")
            v = int(digits, 8)
            if v > 255:
                raise ValueError("invalid syntax")
            out.append(chr(v))
            i += 4
        else:
            raise ValueError("invalid syntax")
    return "".join(out)


def unquote(s: str) -> str:
    """Remove SQL/Go quoting: ``'a''b'`` → ``a'b``; ``"a\\"b"`` → ``a"b`` (Go rules, raising
    ``ValueError`` on a bad escape); anything else unchanged."""
    if is_quoted(s, '"'):
        return _go_unquote_double(s)
    if is_quoted(s, "'"):
        return s[1:-1].replace("''", "'")
    return s


def single_quote(s: str) -> str:
    """``s`` as a single-quoted SQL string: kept when already ``'…'``, re-quoted from
    ``"…"``, else wrapped with inner ``'`` doubled."""
    if is_quoted(s, "'"):
        return s
    if is_quoted(s, '"'):
        s = _go_unquote_double(s)
    return "'" + s.replace("'", "''") + "'"




# --- rules ---------------------------------------------------------------------------------


class DiffRules:
    """What a database engine decides during a diff. The defaults are engine-neutral; a dialect
    subclasses this and overrides what differs (see ``SQLiteDiffRules``).

    ``normalized`` selects Atlas's "normalized" diff mode, which the CLI always uses; it changes
    how CHECK constraints are matched (:func:`checks_diff`)."""

    normalized: bool = True

    def normalize(self, current: Table, desired: Table) -> tuple[Table, Table]:
        """Both tables (same name) before they are compared, e.g. with database-generated names
        replaced. The returned tables are the ones the ``ModifyTable`` change holds."""
        return current, desired

    def table_attr_changes(self, current: Table, desired: Table) -> list[TableChange]:
        """Changes of table attributes: options and CHECK constraints."""
        return checks_diff(current, desired, normalized=self.normalized)

    def column_change(self, table: Table, current: Column, desired: Column) -> ChangeKind:
        """What differs between two columns of the same name (``ChangeKind.NONE`` if nothing)."""
        kind = ChangeKind.NONE
        if current.null != desired.null:
            kind |= ChangeKind.NULL
        if current.type != desired.type:
            kind |= ChangeKind.TYPE
        if current.default != desired.default:
            kind |= ChangeKind.DEFAULT
        if current.generated != desired.generated:
            kind |= ChangeKind.GENERATED
        if current.comment != desired.comment:
            kind |= ChangeKind.COMMENT
        return kind

    def index_attr_changed(self, current: Index, desired: Index) -> bool:
        """Whether index attributes other than parts/unique/comment differ (the predicate)."""
        return current.where != desired.where

    def index_part_attr_changed(self, current: Index, desired: Index, i: int) -> bool:
        """Whether attributes of the ``i``-th key part differ (e.g. a collation)."""
        return False

    def is_generated_index_name(self, table: Table, index: Index) -> bool:
        """Whether the current index's name was made up by the database (an unnamed UNIQUE
        constraint); such an index is looked up with :meth:`find_generated_index`."""
        return False

    def find_generated_index(self, desired: Table, index: Index) -> Index | None:
        """The desired index that a database-named current index stands for, if any."""
        return None

    def primary_key_attr_changed(self, current: PrimaryKey, desired: PrimaryKey) -> bool:
        """Whether primary-key attributes other than its parts differ (PostgreSQL: INCLUDE)."""
        return False

    def reference_changed(self, current: str, desired: str) -> bool:
        """Whether two referential actions (``ON UPDATE``/``ON DELETE``) differ."""
        return current != desired


# --- the walk ------------------------------------------------------------------------------


class _Skipper:
    def __init__(self, skip: Iterable[str]):
        if isinstance(skip, str):
            skip = (skip,)
        self.types = tuple(t for name in skip if (t := _SKIP_TYPES.get(name)) is not None)

    def add(self, changes: list, *cs) -> None:
        for c in cs:
            if not isinstance(c, self.types):
                changes.append(c)


def diff_schemas(current: Schema, desired: Schema, rules: DiffRules, *,
                 skip: Iterable[str] = frozenset()) -> list[SchemaChange]:
    """The changes that move ``current`` to ``desired`` (spec/sqlite-plan.md §2).

    ``skip`` holds change kinds to leave out, by their Atlas project-file names
    (``drop_table``, ``add_column``, ``modify_index``, … see :data:`SKIP_KINDS`); unknown names
    are ignored, as Atlas does."""
    sk = skip if isinstance(skip, _Skipper) else _Skipper(skip)
    changes: list[SchemaChange] = []
    wanted = _by_name(desired.tables)
    for t1 in current.tables:
        t2 = wanted.get(t1.name)
        if t2 is None:
            sk.add(changes, DropTable(t1))
            continue
        old, new, table_changes = _table_diff(t1, t2, rules, sk)
        if table_changes:
            sk.add(changes, ModifyTable(old, new, tuple(table_changes)))
    present = _by_name(current.tables)
    for t in desired.tables:
        if t.name not in present:
            sk.add(changes, AddTable(t))
    sk.add(changes, *view_changes(current, desired))
    sk.add(changes, *trigger_changes(current, desired))
    return changes


def diff_tables(current: Table, desired: Table, rules: DiffRules, *,
                skip: Iterable[str] = frozenset()) -> list[TableChange]:
    """The table-level changes between two versions of one table (names may differ)."""
    return _table_diff(current, desired, rules, _Skipper(skip))[2]


def _table_diff(current: Table, desired: Table, rules: DiffRules,
                sk: _Skipper) -> tuple[Table, Table, list[TableChange]]:
    if current.name != desired.name:
        current = dataclasses.replace(current, name=desired.name)
    current, desired = rules.normalize(current, desired)
    changes: list[TableChange] = list(rules.table_attr_changes(current, desired))
    changes += _column_diff(current, desired, rules, sk)
    changes += _pk_diff(current.primary_key, desired.primary_key, rules)
    changes += _index_diff(current, desired, rules, sk)
    for fk1 in current.foreign_keys:
        fk2 = desired.foreign_key(fk1.name)
        if fk2 is None:
            sk.add(changes, DropForeignKey(fk1))
            continue
        kind = _fk_change(fk1, fk2, rules)
        if kind:
            sk.add(changes, ModifyForeignKey(fk1, fk2, kind))
    for fk in desired.foreign_keys:
        if current.foreign_key(fk.name) is None:
            sk.add(changes, AddForeignKey(fk))
    return current, desired, changes


def _by_name(items: Iterable) -> dict:
    """Items by name, the first of each name winning (as ``Schema.table()`` finds it)."""
    out: dict = {}
    for item in items:
        out.setdefault(item.name, item)
    return out


def _column_diff(current: Table, desired: Table, rules: DiffRules, sk: _Skipper) -> list:
    changes: list = []
    wanted = _by_name(desired.columns)
    for c1 in current.columns:
        c2 = wanted.get(c1.name)
        if c2 is None:
            sk.add(changes, DropColumn(c1))
            continue
        kind = rules.column_change(current, c1, c2)
        if kind:
            sk.add(changes, ModifyColumn(c1, c2, kind))
    present = _by_name(current.columns)
    for c in desired.columns:
        if c.name not in present:
            sk.add(changes, AddColumn(c))
    return changes


def _pk_diff(pk1: PrimaryKey | None, pk2: PrimaryKey | None, rules: DiffRules) -> list:
    if pk1 is None and pk2 is not None:
        return [AddPrimaryKey(pk2)]
    if pk1 is not None and pk2 is None:
        return [DropPrimaryKey(pk1)]
    if pk1 is not None and pk2 is not None:
        kind = _parts_change(pk1.parts, pk2.parts, None, None, rules)
        if rules.primary_key_attr_changed(pk1, pk2):
            kind |= ChangeKind.ATTR
        if kind:
            return [ModifyPrimaryKey(pk1, pk2, kind)]
    return []


def _index_diff(current: Table, desired: Table, rules: DiffRules, sk: _Skipper) -> list:
    changes: list = []
    matched: set[int] = set()  # ids of desired indexes accounted for
    for idx1 in current.indexes:
        idx2 = desired.index(idx1.name)
        if idx2 is not None:
            kind = index_change(idx1, idx2, rules)
            if kind:
                sk.add(changes, ModifyIndex(idx1, idx2, kind))
            matched.add(id(idx2))
            continue
        if rules.is_generated_index_name(current, idx1):
            idx2 = _similar_unnamed_index(desired, idx1, rules)
            if idx2 is not None:
                matched.add(id(idx2))
                continue
        sk.add(changes, DropIndex(idx1))
    for idx in desired.indexes:
        if id(idx) in matched:
            continue
        if current.index(idx.name) is None:
            sk.add(changes, AddIndex(idx))
    return changes


def index_change(idx1: Index, idx2: Index, rules: DiffRules) -> ChangeKind:
    """What differs between two indexes: unique flag, attributes (predicate), parts, comment."""
    kind = ChangeKind.NONE
    if idx1.unique != idx2.unique:
        kind |= ChangeKind.UNIQUE
    if rules.index_attr_changed(idx1, idx2):
        kind |= ChangeKind.ATTR
    kind |= _parts_change(idx1.parts, idx2.parts, idx1, idx2, rules)
    if idx1.comment != idx2.comment:
        kind |= ChangeKind.COMMENT
    return kind


def _parts_change(from_parts: tuple[IndexPart, ...], to_parts: tuple[IndexPart, ...],
                  idx1: Index | None, idx2: Index | None, rules: DiffRules) -> ChangeKind:
    if len(from_parts) != len(to_parts):
        return ChangeKind.PARTS
    for i, (p1, p2) in enumerate(zip(from_parts, to_parts)):
        if p1.desc != p2.desc or (idx1 is not None and idx2 is not None
                                  and rules.index_part_attr_changed(idx1, idx2, i)):
            return ChangeKind.PARTS
        if p1.column is not None and p2.column is not None:
            if p1.column != p2.column:
                return ChangeKind.PARTS
        elif p1.expr is not None and p2.expr is not None:
            if p1.expr != p2.expr and p1.expr != may_wrap(p2.expr):
                return ChangeKind.PARTS
        else:
            return ChangeKind.PARTS
    return ChangeKind.NONE


def _similar_unnamed_index(desired: Table, idx1: Index, rules: DiffRules) -> Index | None:
    def match(a: Index, b: Index) -> bool:
        return a.unique == b.unique and not _parts_change(a.parts, b.parts, a, b, rules)

    idx2 = rules.find_generated_index(desired, idx1)
    if idx2 is not None and match(idx1, idx2):
        return idx2
    for idx2 in desired.indexes:
        if idx2.name == "" and match(idx1, idx2):
            return idx2
    return None


def _fk_change(fk1: ForeignKey, fk2: ForeignKey, rules: DiffRules) -> ChangeKind:
    kind = ChangeKind.NONE
    if fk1.ref_table != fk2.ref_table:
        kind |= ChangeKind.REF_TABLE | ChangeKind.REF_COLUMN
    elif tuple(fk1.ref_columns) != tuple(fk2.ref_columns):
        kind |= ChangeKind.REF_COLUMN
    if tuple(fk1.columns) != tuple(fk2.columns):
        kind |= ChangeKind.COLUMN
    if rules.reference_changed(fk1.on_update, fk2.on_update):
        kind |= ChangeKind.UPDATE_ACTION
    if rules.reference_changed(fk1.on_delete, fk2.on_delete):
        kind |= ChangeKind.DELETE_ACTION
    return kind


def _same_check_expr(c1: Check, c2: Check) -> bool:
    return c1.expr == c2.expr or may_wrap(c1.expr) == may_wrap(c2.expr)


def checks_diff(current: Table, desired: Table, *, normalized: bool = True) -> list[TableChange]:
    """CHECK constraint changes (spec/sqlite-plan.md §2.5).

    Normalized mode: two checks correspond when both are named and the names are equal, or
    (either unnamed) when their expressions are equal, also after wrapping in parentheses; a
    pair matched by name with different expressions is a ``ModifyCheck``. Otherwise (Atlas's
    library default) a check matches by name first, then by expression, and a match is never
    reported as modified."""
    changes: list[TableChange] = []
    from_c, to_c = current.checks, desired.checks
    if normalized:
        def corresponds(a: Check, b: Check) -> bool:
            if a.name and b.name:
                return a.name == b.name
            return _same_check_expr(a, b)

        for c1 in from_c:
            c2 = next((c for c in to_c if corresponds(c1, c)), None)
            if c2 is None:
                changes.append(DropCheck(c1))
            elif not _same_check_expr(c1, c2):
                changes.append(ModifyCheck(c1, c2))
        for c2 in to_c:
            if not any(corresponds(c2, c1) for c1 in from_c):
                changes.append(AddCheck(c2))
        return changes

    def similar(checks: tuple[Check, ...], c: Check) -> Check | None:
        by_name = next((x for x in checks if x.name and x.name == c.name), None)
        if by_name is not None:
            return by_name
        return next((x for x in checks if _same_check_expr(x, c)), None)

    for c1 in from_c:
        if similar(to_c, c1) is None:
            changes.append(DropCheck(c1))
    for c2 in to_c:
        if similar(from_c, c2) is None:
            changes.append(AddCheck(c2))
    return changes
