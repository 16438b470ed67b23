"""The change types a diff produces and a dialect's planner turns into statements.

Top level: ``AddTable``, ``DropTable``, ``ModifyTable`` (whose ``changes`` hold the table-level
changes below, in Atlas's order: attributes, checks, columns, primary key, indexes, foreign keys),
then the view and trigger changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Flag, auto

from .model import Check, Column, ForeignKey, Index, PrimaryKey, Schema, Table, Trigger, View


class ChangeKind(Flag):
    """What differs in a modified column, index, foreign key or check."""

    NONE = 0
    NULL = auto()
    TYPE = auto()
    DEFAULT = auto()
    GENERATED = auto()
    COMMENT = auto()
    UNIQUE = auto()
    PARTS = auto()
    ATTR = auto()  # index predicate, etc.
    COLUMN = auto()
    REF_TABLE = auto()
    REF_COLUMN = auto()
    UPDATE_ACTION = auto()
    DELETE_ACTION = auto()


# --- table level ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AddColumn:
    column: Column


@dataclass(frozen=True)
class DropColumn:
    column: Column


@dataclass(frozen=True)
class ModifyColumn:
    old: Column
    new: Column
    kind: ChangeKind


@dataclass(frozen=True)
class RenameColumn:
    old: Column
    new: Column


@dataclass(frozen=True)
class AddIndex:
    index: Index
    concurrently: bool = False


@dataclass(frozen=True)
class DropIndex:
    index: Index
    concurrently: bool = False


@dataclass(frozen=True)
class ModifyIndex:
    old: Index
    new: Index
    kind: ChangeKind


@dataclass(frozen=True)
class RenameIndex:
    old: Index
    new: Index


@dataclass(frozen=True)
class AddPrimaryKey:
    primary_key: PrimaryKey


@dataclass(frozen=True)
class DropPrimaryKey:
    primary_key: PrimaryKey


@dataclass(frozen=True)
class ModifyPrimaryKey:
    old: PrimaryKey
    new: PrimaryKey
    kind: ChangeKind


@dataclass(frozen=True)
class AddForeignKey:
    foreign_key: ForeignKey


@dataclass(frozen=True)
class DropForeignKey:
    foreign_key: ForeignKey


@dataclass(frozen=True)
class ModifyForeignKey:
    old: ForeignKey
    new: ForeignKey
    kind: ChangeKind


@dataclass(frozen=True)
class AddCheck:
    check: Check


@dataclass(frozen=True)
class DropCheck:
    check: Check


@dataclass(frozen=True)
class ModifyCheck:
    old: Check
    new: Check


@dataclass(frozen=True)
class AddTableOption:
    """A table option became present: ``"without_rowid"`` or ``"strict"``."""

    option: str


@dataclass(frozen=True)
class DropTableOption:
    option: str


TableChange = (
    AddColumn | DropColumn | ModifyColumn | RenameColumn
    | AddIndex | DropIndex | ModifyIndex | RenameIndex
    | AddPrimaryKey | DropPrimaryKey | ModifyPrimaryKey
    | AddForeignKey | DropForeignKey | ModifyForeignKey
    | AddCheck | DropCheck | ModifyCheck
    | AddTableOption | DropTableOption
)


# --- schema level --------------------------------------------------------------------------


@dataclass(frozen=True)
class AddTable:
    table: Table


@dataclass(frozen=True)
class DropTable:
    table: Table


@dataclass(frozen=True)
class ModifyTable:
    """``old`` is the current table, ``new`` the desired one; ``changes`` what differs."""

    old: Table
    new: Table
    changes: tuple[TableChange, ...]


@dataclass(frozen=True)
class RenameTable:
    old: Table
    new: Table


@dataclass(frozen=True)
class AddView:
    view: View


@dataclass(frozen=True)
class DropView:
    view: View


@dataclass(frozen=True)
class ModifyView:
    """A view whose query changed, or (``old == new``) one that must be re-created because a
    table it reads is rebuilt. Engines without ``CREATE OR REPLACE VIEW`` drop and create."""

    old: View
    new: View


@dataclass(frozen=True)
class AddTrigger:
    trigger: Trigger


@dataclass(frozen=True)
class DropTrigger:
    trigger: Trigger


@dataclass(frozen=True)
class ModifyTrigger:
    """A changed trigger, or (``old == new``) one re-created around a table rebuild."""

    old: Trigger
    new: Trigger


SchemaChange = (AddTable | DropTable | ModifyTable | RenameTable
                | AddView | DropView | ModifyView | AddTrigger | DropTrigger | ModifyTrigger)


# --- realm level (several schemas) ---------------------------------------------------------


@dataclass(frozen=True)
class AddSchema:
    """A new schema; its objects follow as ``InSchema`` changes. ``if_not_exists``: the
    schema may exist already (dev-database normalisation)."""

    schema: Schema
    if_not_exists: bool = False


@dataclass(frozen=True)
class DropSchema:
    schema: Schema


@dataclass(frozen=True)
class InSchema:
    """A schema-level change (``AddTable``, an engine's own changes …) inside schema
    ``schema`` of a realm: realm planners qualify what it names with that schema."""

    schema: str
    change: object


RealmChange = AddSchema | DropSchema | InSchema
