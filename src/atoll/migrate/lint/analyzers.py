"""Lint analyzers: each looks at the changes one migration file makes, statement by statement,
and reports diagnostics (Atlas's ``sql/sqlcheck`` packages and ``sqlitecheck``).

Vocabulary:

* a :class:`Change` is what one statement did to the schema (``changes`` from the diff of the
  dev database before/after it) with the statement (position, text, leading comments);
* a :class:`LintFile` is one new migration file with its changes, and the *spans* of the
  resources it touches (added in the file, dropped in the file, or both);
* an :class:`Analyzer` turns a :class:`Pass` (the file, the dialect, its options) into
  :class:`Report` values. The runner filters them through ``atlas:nolint`` and decides whether
  they are errors (``LintConfig.is_error``).

Analyzers in report order (``analyzers_for``): ``destructive`` (DS101-DS103), ``data_depend``
(MF101-MF104), ``condrop`` (CD101), ``incompatible`` (BC101, BC102); ``naming`` (NM101-NM106)
only when a ``naming`` block is set. A dialect adds or replaces its own (SQLite: a table-rebuild
folding step first, its ``data_depend`` wording; see ``atoll.dialects.sqlite.lint``).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntFlag
from typing import Any

from ...errors import AtollError
from ...schema.changes import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddIndex,
    AddTable,
    ChangeKind,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropTable,
    InSchema,
    ModifyColumn,
    ModifyIndex,
    ModifyTable,
    RenameColumn,
    RenameIndex,
    RenameTable,
)
from ...gotext import go_quote
from ...schema.model import Column, Schema
from ..directives import stmt_directives
from .config import LintConfig

__all__ = [
    "REGISTRY",
    "Analyzer",
    "Change",
    "ConDrop",
    "DataDepend",
    "Destructive",
    "Diagnostic",
    "Incompatible",
    "LintFile",
    "Naming",
    "Pass",
    "Report",
    "Span",
    "Stmt",
    "SuggestedFix",
    "analyzers_for",
    "in_schemas",
]

# ---------------------------------------------------------------------------------------------
# findings


@dataclass(frozen=True)
class SuggestedFix:
    message: str

    def to_json(self) -> dict:
        return {"Message": self.message}


@dataclass(frozen=True)
class Diagnostic:
    """One finding at a statement position (byte offset in the file)."""

    pos: int
    text: str
    code: str
    suggested_fixes: tuple[SuggestedFix, ...] = ()

    def to_json(self) -> dict:
        out: dict[str, Any] = {"Pos": self.pos, "Text": self.text, "Code": self.code}
        if self.suggested_fixes:
            out["SuggestedFixes"] = [f.to_json() for f in self.suggested_fixes]
        return out


@dataclass(frozen=True)
class Report:
    """One analyzer's report for one file: a heading and its diagnostics."""

    text: str
    diagnostics: tuple[Diagnostic, ...] = ()
    desc: str = ""
    suggested_fixes: tuple[SuggestedFix, ...] = ()

    def to_json(self) -> dict:
        out: dict[str, Any] = {"Text": self.text}
        if self.desc:
            out["Desc"] = self.desc
        if self.diagnostics:
            out["Diagnostics"] = [d.to_json() for d in self.diagnostics]
        if self.suggested_fixes:
            out["SuggestedFixes"] = [f.to_json() for f in self.suggested_fixes]
        return out


# ---------------------------------------------------------------------------------------------
# what analyzers look at


@dataclass(frozen=True)
class Stmt:
    """A statement of a migration file: byte offset, text, leading comments."""

    pos: int
    text: str = ""
    comments: tuple[str, ...] = ()

    def directive(self, name: str) -> list[str]:
        """Arguments of the statement-level directive ``name`` (``atlas:nolint …``)."""
        return stmt_directives(self.comments, name)


@dataclass
class Change:
    """The schema changes one statement made (a batch has ``Stmt(pos=0)``). On a realm (a
    dev URL naming a whole database) the changes inside a schema are ``InSchema`` values."""

    stmt: Stmt
    changes: list = field(default_factory=list)

    def each(self) -> Iterable[tuple[str, object]]:
        """``(schema, change)`` for every change: the schema a realm change is in, "" for
        a change of the one connected schema."""
        return in_schemas(self.changes)


def in_schemas(changes: Iterable) -> Iterable[tuple[str, object]]:
    for c in changes:
        if isinstance(c, InSchema):
            yield c.schema, c.change
        else:
            yield "", c


class Span(IntFlag):
    """A resource's lifespan relative to one file."""

    UNKNOWN = 0
    ADDED = 1
    DROPPED = 2
    TEMPORARY = 3  # added and dropped in the same file


@dataclass
class _TableSpan:
    state: Span = Span.UNKNOWN
    columns: dict[str, Span] = field(default_factory=dict)
    indexes: dict[str, Span] = field(default_factory=dict)
    foreign_keys: dict[str, Span] = field(default_factory=dict)


def _table_name(change) -> str:
    return change.new.name if isinstance(change, ModifyTable) else change.table.name


@dataclass
class LintFile:
    """One new migration file and what its statements changed."""

    name: str
    version: str
    text: str
    changes: list[Change] = field(default_factory=list)
    start: Schema | None = None  # schema before the file
    end: Schema | None = None  # schema after the file
    is_checkpoint: bool = False
    _spans: dict[tuple[str, str], _TableSpan] | None = field(default=None, repr=False)

    def set_changes(self, changes: list[Change]) -> None:
        self.changes = changes
        self._spans = None

    # -- spans (Atlas computes them once, on first use) ----------------------------------------

    def _load_spans(self) -> dict[tuple[str, str], _TableSpan]:
        spans: dict[tuple[str, str], _TableSpan] = {}

        for sc in self.changes:
            for schema, c in sc.each():
                def table(name: str) -> _TableSpan:
                    return spans.setdefault((schema, name), _TableSpan())

                if isinstance(c, AddTable):
                    span = table(c.table.name)
                    span.state = Span.ADDED
                    for col in c.table.columns:
                        span.columns[col.name] = Span.ADDED
                    for idx in c.table.indexes:
                        span.indexes[idx.name] = Span.ADDED
                    for fk in c.table.foreign_keys:
                        span.foreign_keys[fk.name] = Span.ADDED
                elif isinstance(c, DropTable):
                    table(c.table.name).state |= Span.DROPPED
                elif isinstance(c, ModifyTable):
                    span = table(c.new.name)
                    for mc in c.changes:
                        if isinstance(mc, AddColumn):
                            span.columns[mc.column.name] = Span.ADDED
                        elif isinstance(mc, DropColumn):
                            span.columns[mc.column.name] = (
                                span.columns.get(mc.column.name, Span.UNKNOWN) | Span.DROPPED)
                        elif isinstance(mc, AddIndex):
                            span.indexes[mc.index.name] = Span.ADDED
                        elif isinstance(mc, DropIndex):
                            span.indexes[mc.index.name] = (
                                span.indexes.get(mc.index.name, Span.UNKNOWN) | Span.DROPPED)
                        elif isinstance(mc, AddForeignKey):
                            span.foreign_keys[mc.foreign_key.name] = Span.ADDED
                        elif isinstance(mc, DropForeignKey):
                            name = mc.foreign_key.name
                            span.foreign_keys[name] = (
                                span.foreign_keys.get(name, Span.UNKNOWN) | Span.DROPPED)
        return spans

    # ``schema``: the schema of a realm change (``Change.each``); "" for the connected one.
    def _span(self, table: str, schema: str) -> _TableSpan:
        if self._spans is None:
            self._spans = self._load_spans()
        return self._spans.setdefault((schema, table), _TableSpan())

    def table_span(self, table: str, schema: str = "") -> Span:
        return self._span(table, schema).state

    def column_span(self, table: str, column: str, schema: str = "") -> Span:
        return self._span(table, schema).columns.get(column, Span.UNKNOWN)

    def index_span(self, table: str, index: str, schema: str = "") -> Span:
        return self._span(table, schema).indexes.get(index, Span.UNKNOWN)

    def foreign_key_span(self, table: str, fk: str, schema: str = "") -> Span:
        return self._span(table, schema).foreign_keys.get(fk, Span.UNKNOWN)

    def schema_span(self, schema: str) -> Span:
        """Schemas are added or dropped only on a realm (never on SQLite: one schema,
        ``main``)."""
        state = Span.UNKNOWN
        for sc in self.changes:
            for c in sc.changes:
                if type(c).__name__ == "AddSchema" and _schema_name(c) == schema:
                    state = Span.ADDED
                elif type(c).__name__ == "DropSchema" and _schema_name(c) == schema:
                    state |= Span.DROPPED
        return state


def _schema_name(change) -> str:
    s = getattr(change, "schema", None)
    return getattr(s, "name", s) or "main"


@dataclass
class Pass:
    """What an analyzer gets: the file, the dialect (for table diffs) and its own options."""

    file: LintFile
    dialect: Any = None
    options: dict = field(default_factory=dict)


class Analyzer(ABC):
    """Base of every analyzer. ``name`` is what ``atlas:nolint NAME`` and the ``lint`` block
    use; ``default_error`` whether findings fail the run when ``error`` is not configured."""

    name: str = ""
    codes: tuple[str, ...] = ()
    default_error: bool = False

    def __init__(self, options: dict | None = None):
        self.options = dict(options or {})

    @abstractmethod
    def analyze(self, p: Pass) -> list[Report]:
        """The reports for one file's pass (an empty list when nothing is found)."""


def _names(quoted: Sequence[str]) -> str:
    """``"a"`` / ``"a" and "b"`` / ``"a", "b" and "c"``."""
    if len(quoted) == 1:
        return quoted[0]
    return f"{', '.join(quoted[:-1])} and {quoted[-1]}"


# ---------------------------------------------------------------------------------------------
# destructive: DS101, DS102, DS103


class Destructive(Analyzer):
    name = "destructive"
    codes = ("DS101", "DS102", "DS103")
    default_error = True
    heading = "destructive changes detected"

    def analyze(self, p: Pass) -> list[Report]:
        f = p.file
        diags: list[Diagnostic] = []
        for sc in f.changes:
            for schema, c in sc.each():
                kind = type(c).__name__
                if kind == "DropSchema":
                    name = _schema_name(c)
                    if f.schema_span(name) != Span.TEMPORARY:
                        n = len(getattr(getattr(c, "schema", None), "tables", ()) or ())
                        if n == 0:
                            text = f"Dropping schema {go_quote(name)}"
                        elif n == 1:
                            text = f"Dropping non-empty schema {go_quote(name)} with 1 table"
                        else:
                            text = f"Dropping non-empty schema {go_quote(name)} with {n} tables"
                        diags.append(Diagnostic(sc.stmt.pos, text, "DS101"))
                elif isinstance(c, DropTable):
                    t = c.table.name
                    if (f.schema_span(schema or "main") != Span.DROPPED
                            and f.table_span(t, schema) != Span.TEMPORARY):
                        diags.append(Diagnostic(
                            sc.stmt.pos, f"Dropping table {go_quote(t)}", "DS102",
                            (SuggestedFix("Add a pre-migration check to ensure table "
                                          f"{go_quote(t)} is empty before dropping it"),)))
                elif isinstance(c, ModifyTable):
                    names = []
                    for mc in c.changes:
                        if not isinstance(mc, DropColumn):
                            continue
                        if f.column_span(c.new.name, mc.column.name, schema) == Span.TEMPORARY:
                            continue
                        g = mc.column.generated
                        if g is None or g.storage.upper() != "VIRTUAL":
                            names.append(go_quote(mc.column.name))
                    if len(names) == 1:
                        diags.append(Diagnostic(
                            sc.stmt.pos, f"Dropping non-virtual column {names[0]}", "DS103",
                            (SuggestedFix("Add a pre-migration check to ensure column "
                                          f"{names[0]} is NULL before dropping it"),)))
                    elif names:
                        diags.append(Diagnostic(
                            sc.stmt.pos, f"Dropping non-virtual columns {_names(names)}", "DS103",
                            (SuggestedFix("Add pre-migration checks to ensure columns "
                                          f"{_names(names)} are NULL before dropping them"),)))
        return [Report(self.heading, tuple(diags))] if diags else []


# ---------------------------------------------------------------------------------------------
# data_depend: MF101, MF102, MF103, MF104


class DataDepend(Analyzer):
    """Data-dependent changes, with Atlas's generic handlers; an engine may subclass it to
    name column types its way and to word the nullable→NOT NULL check (``nullable_to_not_null``)."""

    name = "data_depend"
    codes = ("MF101", "MF102", "MF103", "MF104", "LT101")
    heading = "data dependent changes detected"

    def analyze(self, p: Pass) -> list[Report]:
        f = p.file
        diags: list[Diagnostic] = []
        dropped = [mc for sc in f.changes for _, c in sc.each() if isinstance(c, ModifyTable)
                   for mc in c.changes if isinstance(mc, DropIndex)]
        for sc in f.changes:
            for schema, c in sc.each():
                if not isinstance(c, ModifyTable):
                    continue
                t = c.new.name
                for mc in c.changes:
                    if isinstance(mc, AddIndex):
                        d = self._add_index(f, t, mc, dropped, sc.stmt.pos, schema)
                        if d:
                            diags.append(d)
                    elif isinstance(mc, ModifyIndex):
                        if (ChangeKind.UNIQUE in mc.kind and mc.new.unique
                                and not f.index_span(t, mc.new.name, schema) & Span.ADDED):
                            diags.append(Diagnostic(
                                sc.stmt.pos,
                                f"Modifying an index {go_quote(mc.new.name)} on table "
                                f"{go_quote(t)} might fail in case of duplicate entries", "MF102"))
                    elif isinstance(mc, AddColumn):
                        col = mc.column
                        if not col.null and col.default is None and not (
                                f.table_span(t, schema) & Span.ADDED):
                            diags.append(Diagnostic(
                                sc.stmt.pos,
                                f"Adding a non-nullable {go_quote(self.column_type(col))} column "
                                f"{go_quote(col.name)} will fail in case table {go_quote(t)} "
                                "is not empty", "MF103"))
                    elif isinstance(mc, ModifyColumn):
                        if (f.table_span(t, schema) & Span.ADDED
                                or not (mc.old.null and not mc.new.null)):
                            continue
                        d = self.nullable_to_not_null(mc, sc.stmt.pos)
                        if d:
                            diags.append(d)
        return [Report(self.heading, tuple(diags))] if diags else []

    def column_type(self, col: Column) -> str:
        """The column type as MF103 names it."""
        return col.type.raw or col.type.name

    def nullable_to_not_null(self, mc: ModifyColumn, pos: int) -> Diagnostic | None:
        """A nullable column made NOT NULL on a table the file did not create."""
        return Diagnostic(pos, f"Modifying nullable column {go_quote(mc.new.name)} to "
                               "non-nullable might fail in case it contains NULL values", "MF104")

    @staticmethod
    def _add_index(f: LintFile, t: str, mc: AddIndex, dropped: list[DropIndex],
                   pos: int, schema: str = "") -> Diagnostic | None:
        idx = mc.index
        if not idx.unique:
            return None

        def replaces(drop: DropIndex) -> bool:
            if not drop.index.unique or len(drop.index.parts) > len(idx.parts):
                return False
            for p1 in idx.parts:
                if p1.column is not None:
                    if not f.column_span(t, p1.column, schema) & Span.ADDED and not any(
                            p2.column == p1.column for p2 in drop.index.parts):
                        return False
                elif p1.expr is not None and not any(
                        p2.expr is not None and p2.expr == p1.expr for p2 in drop.index.parts):
                    return False
            return True

        if any(replaces(d) for d in dropped):
            return None
        names = [go_quote(p.column) for p in idx.parts
                 if p.column is not None and not f.column_span(t, p.column, schema) & Span.ADDED]
        if not names:
            return None
        s = (f"column {names[0]} contains" if len(names) == 1
             else f"columns {', '.join(names)} contain")
        return Diagnostic(pos, f"Adding a unique index {go_quote(idx.name)} on table "
                               f"{go_quote(t)} might fail in case {s} duplicate entries", "MF101")


# ---------------------------------------------------------------------------------------------
# condrop: CD101


class ConDrop(Analyzer):
    name = "condrop"
    codes = ("CD101",)
    heading = "constraint deletion detected"

    def analyze(self, p: Pass) -> list[Report]:
        f = p.file
        diags: list[Diagnostic] = []
        for sc in f.changes:
            for schema, c in sc.each():
                if not isinstance(c, ModifyTable):
                    continue
                dropped_cols = {mc.column.name for mc in c.changes if isinstance(mc, DropColumn)}
                for mc in c.changes:
                    if not isinstance(mc, DropForeignKey):
                        continue
                    fk = mc.foreign_key
                    if f.foreign_key_span(c.new.name, fk.name, schema) & Span.ADDED:
                        continue
                    if not any(col in dropped_cols for col in fk.columns):
                        diags.append(Diagnostic(
                            sc.stmt.pos, f"Dropping foreign-key constraint {go_quote(fk.name)}",
                            "CD101"))
        return [Report(self.heading, tuple(diags))] if diags else []


# ---------------------------------------------------------------------------------------------
# incompatible: BC101, BC102


class Incompatible(Analyzer):
    """Backward-incompatible renames. The SQLite diff reports no renames (as in Atlas's
    community build, whose SQLite statement parser does not fix them up): a renamed column
    shows as a drop + add there; this analyzer fires on rename changes when they exist."""

    name = "incompatible"
    codes = ("BC101", "BC102")
    heading = "backward incompatible changes detected"

    def analyze(self, p: Pass) -> list[Report]:
        f = p.file
        diags: list[Diagnostic] = []
        for i, sc in enumerate(f.changes):
            for schema, c in sc.each():
                if isinstance(c, RenameTable):
                    if (not f.schema_span(schema or "main") & Span.ADDED
                            and not f.table_span(c.old.name, schema) & Span.ADDED):
                        diags.append(Diagnostic(
                            sc.stmt.pos,
                            f"Renaming table {go_quote(c.old.name)} to {go_quote(c.new.name)}",
                            "BC101"))
                elif isinstance(c, ModifyTable):
                    if f.table_span(c.new.name, schema) & Span.ADDED:
                        continue
                    for mc in c.changes:
                        renamed = (isinstance(mc, RenameColumn)
                                   or (isinstance(mc, ModifyColumn)
                                       and mc.old.name != mc.new.name))
                        if renamed and not _added_back(f.changes[i:], mc.old.name, schema):
                            diags.append(Diagnostic(
                                sc.stmt.pos, f"Renaming column {go_quote(mc.old.name)} to "
                                             f"{go_quote(mc.new.name)}", "BC102"))
        return [Report(self.heading, tuple(diags))] if diags else []


def _added_back(changes: Iterable[Change], name: str, schema: str = "") -> bool:
    for sc in changes:
        for s, c in sc.each():
            if s == schema and isinstance(c, ModifyTable) and any(
                    isinstance(mc, AddColumn) and mc.column.name == name for mc in c.changes):
                return True
    return False


# ---------------------------------------------------------------------------------------------
# naming: NM101-NM106 (off unless a ``naming`` block is configured)

_NAMING_KINDS = (  # (option block, code, label)
    ("schema", "NM101", "Schema"),
    ("table", "NM102", "Table"),
    ("column", "NM103", "Column"),
    ("index", "NM104", "Index"),
    ("foreign_key", "NM105", "Foreign-key constraint"),
    ("check", "NM106", "Check constraint"),
)


class Naming(Analyzer):
    """Names of resources created (or renamed) in the file must match a pattern::

        naming {
          match   = "^[a-z_]+$"          # global policy
          message = "must be lowercase"
          index { match = "^[a-z]+_idx$"  message = "…" }   # per kind: table, column, …
        }

    Diagnostic: ``Table named "Users" violates the naming policy: must be lowercase``."""

    name = "naming"
    codes = tuple(code for _, code, _ in _NAMING_KINDS)
    heading = "naming violations detected"

    def __init__(self, options: dict | None = None):
        super().__init__(options)
        self.policies: dict[str, tuple[re.Pattern, str]] = {}
        default = self._policy(self.options, "naming")
        for kind, _, _ in _NAMING_KINDS:
            sub = self.options.get(kind)
            if isinstance(sub, list) and sub:
                sub = sub[-1]
            policy = self._policy(sub, f"naming.{kind}") if isinstance(sub, dict) else None
            if policy is None:
                policy = default
            if policy is not None:
                self.policies[kind] = policy

    @staticmethod
    def _policy(opts: dict, where: str) -> tuple[re.Pattern, str] | None:
        match = opts.get("match")
        if not match:
            return None
        try:
            pattern = re.compile(str(match))
        except re.error as exc:
            raise AtollError(f"lint: {where}: invalid match pattern {str(match)!r}: {exc}") from None
        return pattern, str(opts.get("message") or "")

    def _check(self, kind: str, name: str, pos: int, out: list[Diagnostic]) -> None:
        policy = self.policies.get(kind)
        if policy is None or not name or policy[0].search(name):
            return
        code, label = next((c, lbl) for k, c, lbl in _NAMING_KINDS if k == kind)
        text = f"{label} named {go_quote(name)} violates the naming policy"
        if policy[1]:
            text += f": {policy[1]}"
        out.append(Diagnostic(pos, text, code))

    def analyze(self, p: Pass) -> list[Report]:
        diags: list[Diagnostic] = []
        for sc in p.file.changes:
            pos = sc.stmt.pos
            for _, c in sc.each():
                if type(c).__name__ == "AddSchema":
                    self._check("schema", _schema_name(c), pos, diags)
                elif isinstance(c, AddTable):
                    t = c.table
                    self._check("table", t.name, pos, diags)
                    for col in t.columns:
                        self._check("column", col.name, pos, diags)
                    for idx in t.indexes:
                        if idx.origin in (None, "c"):
                            self._check("index", idx.name, pos, diags)
                    for fk in t.foreign_keys:
                        if not fk.name.isdigit():
                            self._check("foreign_key", fk.name, pos, diags)
                    for ck in t.checks:
                        self._check("check", ck.name, pos, diags)
                elif isinstance(c, RenameTable):
                    self._check("table", c.new.name, pos, diags)
                elif isinstance(c, ModifyTable):
                    for mc in c.changes:
                        if isinstance(mc, AddColumn):
                            self._check("column", mc.column.name, pos, diags)
                        elif isinstance(mc, RenameColumn):
                            self._check("column", mc.new.name, pos, diags)
                        elif isinstance(mc, AddIndex) and mc.index.origin in (None, "c"):
                            self._check("index", mc.index.name, pos, diags)
                        elif isinstance(mc, RenameIndex):
                            self._check("index", mc.new.name, pos, diags)
                        elif isinstance(mc, AddForeignKey) and not mc.foreign_key.name.isdigit():
                            self._check("foreign_key", mc.foreign_key.name, pos, diags)
                        elif isinstance(mc, AddCheck):
                            self._check("check", mc.check.name, pos, diags)
        return [Report(self.heading, tuple(diags))] if diags else []


# ---------------------------------------------------------------------------------------------
# registry

REGISTRY: dict[str, Callable[..., Analyzer]] = {
    "destructive": Destructive,
    "data_depend": DataDepend,
    "condrop": ConDrop,
    "incompatible": Incompatible,
    "naming": Naming,
}

# Analyzers every build runs (the rest run only when their block is configured).
DEFAULT_ON = ("destructive", "data_depend", "condrop", "incompatible")


def analyzers_for(dialect, config: LintConfig | dict | None = None) -> list[Analyzer]:
    """The analyzers for a dialect (or its name), in report order, configured from the
    ``lint`` block; the dialect adds or replaces its own (``Dialect.lint_analyzers``)."""
    config = LintConfig.from_dict(config) if not isinstance(config, LintConfig) else config
    if isinstance(dialect, str):
        from ...dialects import dialect_for

        dialect = dialect_for(f"{dialect}://")
    out: list[Analyzer] = [REGISTRY[name](dict(config.options(name))) for name in DEFAULT_ON]
    if config.has("naming"):
        out.append(Naming(dict(config.options("naming"))))
    return dialect.lint_analyzers(out, config)
