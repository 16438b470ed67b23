"""The revisions table is the migration history, not part of the user's schema.

Declarative plans (``schema apply|diff|clean``, ``atoll.plan``, ``migrate diff``) leave it out
of both sides, so a schema file that does not mention it never plans ``DROP TABLE
atlas_schema_revisions`` and a drift repair keeps every revision row. A desired state read from
a file (HCL, SQL, a migration directory, a data source) that declares the table itself names it
explicitly: then it is the user's table and is planned like any other. ``schema inspect`` still
shows it, as Atlas does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .migrate.revisions import TABLE
from .schema.model import Schema

# The names SQLite gives its one schema; a revisions schema of "" means the engine's default.
_DEFAULT_SCHEMAS = ("", "main")


def holds_revisions(schema: Schema, revisions_schema: str = "") -> bool:
    """Does this schema hold the revisions table? With no configured revisions schema the
    table is wherever the engine keeps it by default (SQLite: ``main``; servers: the bound
    schema), so any schema of the inspected scope that has it holds it."""
    if schema.table(TABLE) is None:
        return False
    if revisions_schema in _DEFAULT_SCHEMAS:
        return True
    return schema.name == revisions_schema


def without_revisions(schema: Schema, revisions_schema: str = "") -> Schema:
    if not holds_revisions(schema, revisions_schema):
        return schema
    return replace(schema, tables=tuple(t for t in schema.tables if t.name != TABLE))


def names_revisions(urls: Sequence[str], desired: Schema) -> bool:
    """Did the user name the revisions table explicitly, by declaring it in a desired state
    read from files (not inspected from a database)?"""
    return bool(urls) and urls[0].startswith(("file://", "mem://")) and (
        desired.table(TABLE) is not None)


def guard_revisions(current: Schema, desired: Schema, *, desired_urls: Sequence[str],
                    revisions_schema: str = "") -> tuple[Schema, Schema]:
    """Both sides without the revisions table, unless the desired state names it."""
    if names_revisions(desired_urls, desired):
        return current, desired
    return (without_revisions(current, revisions_schema),
            without_revisions(desired, revisions_schema))
