"""The realm-level walk every engine's realm diff shares: schemas matched by name, a
schema only in the current realm dropped, one only in the desired realm added with its
contents, and the rest diffed by the engine's one-schema diff, wrapped in ``InSchema``."""

from __future__ import annotations

from collections.abc import Callable

from .changes import AddSchema, DropSchema, InSchema
from .model import Realm, Schema


def realm_changes(current: Realm, desired: Realm, *,
                  diff_schema: Callable[[Schema, Schema], list],
                  contents: Callable[[Schema], list],
                  schema_level: tuple[type, ...] = ()) -> list:
    """``diff_schema(s1, s2)`` diffs one schema; ``contents(s)`` gives the changes that fill a
    new schema; changes of a ``schema_level`` type (the schema's own attributes) are not
    wrapped in ``InSchema``."""
    changes: list = []
    for s1 in current.schemas:
        s2 = desired.schema(s1.name)
        if s2 is None:
            changes.append(DropSchema(s1))
            continue
        changes += [c if isinstance(c, schema_level) else InSchema(s1.name, c)
                    for c in diff_schema(s1, s2)]
    for s2 in desired.schemas:
        if current.schema(s2.name) is None:
            changes.append(AddSchema(s2))
            changes += contents(s2)
    return changes
