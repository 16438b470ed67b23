"""Changes only PostgreSQL's diff produces: enum types (schema objects), table and schema
comments. They travel in the same change list as the generic table changes."""

from __future__ import annotations

from dataclasses import dataclass

from ...schema.model import EnumType


@dataclass(frozen=True)
class AddEnum:
    enum: EnumType


@dataclass(frozen=True)
class DropEnum:
    enum: EnumType


@dataclass(frozen=True)
class ModifyEnum:
    old: EnumType
    new: EnumType


@dataclass(frozen=True)
class SetTableComment:
    """A table-level change (inside ``ModifyTable.changes``)."""

    old: str | None
    new: str | None


@dataclass(frozen=True)
class SetSchemaComment:
    schema: str
    old: str | None
    new: str | None
