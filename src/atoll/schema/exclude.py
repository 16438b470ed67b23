"""``--exclude`` globs: ``users`` drops a table, ``users.c*`` or ``*.[ab]*`` drops the matching
columns, indexes, foreign keys and checks of the matching tables (Atlas's schema-scoped form; a
three-part ``main.users.c*`` pattern names the schema first)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fnmatch import fnmatchcase

from .model import Schema, Table


def _parts(pattern: str, schema_name: str) -> list[str] | None:
    parts = pattern.split(".")
    if len(parts) == 3:
        if not fnmatchcase(schema_name, parts[0]):
            return None
        parts = parts[1:]
    return parts if len(parts) in (1, 2) else None


def exclude(schema: Schema, patterns: Sequence[str]) -> Schema:
    tables: list[Table] = []
    for table in schema.tables:
        keep = True
        inner: list[str] = []
        for pattern in patterns:
            parts = _parts(pattern, schema.name)
            if parts is None or not fnmatchcase(table.name, parts[0]):
                continue
            if len(parts) == 1:
                keep = False
                break
            inner.append(parts[1])
        if not keep:
            continue
        if inner:
            def hit(name: str) -> bool:
                return any(fnmatchcase(name, p) for p in inner)

            table = replace(
                table,
                columns=tuple(c for c in table.columns if not hit(c.name)),
                indexes=tuple(i for i in table.indexes if not hit(i.name)),
                foreign_keys=tuple(f for f in table.foreign_keys if not hit(f.name)),
                checks=tuple(c for c in table.checks if not (c.name and hit(c.name))),
            )
        tables.append(table)
    return replace(schema, tables=tuple(tables))
