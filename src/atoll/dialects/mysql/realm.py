"""MySQL's realm scope (spec/mysql.md §1.1, §6): a URL without a database names the server,
and every user database is a schema of the realm.

* Inspect: ``inspect.inspect_realm`` (every database but the system ones).
* Diff: databases matched by name; one only in the current realm is dropped, one only in the
  desired realm is created with its tables; the others are diffed as in schema scope.
* Plan: database statements first, in diff order (``CREATE DATABASE `s```, with a charset or
  collation only when not the server's; ``DROP DATABASE `s```; ``ALTER DATABASE``), then each
  database's table changes, sorted as in schema scope and named with their database.
* Dev server: clean only with no user database; put back by dropping the databases created.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ...errors import SchemaError
from ...schema.changes import AddSchema, DropSchema, InSchema
from ...schema.model import Realm, Schema
from ...schema.realm_diff import realm_changes
from ..base import Connection, Statement, run_statements
from .changes import ModifySchemaAttrs
from .diff_rules import diff_schema
from .plan import _Planner, sort_changes
from .server_info import DEFAULT, ServerInfo, server_info

# --- diff ------------------------------------------------------------------------------------


def _contents(schema: Schema, info, skip: frozenset[str] = frozenset()) -> list:
    """The table changes that fill a new, empty ``schema`` (its charset and collation go with
    ``CREATE DATABASE``)."""
    return [InSchema(schema.name, c)
            for c in diff_schema(Schema(name=schema.name), schema, skip=skip, info=info)
            if not isinstance(c, ModifySchemaAttrs)]


def diff_realm(current: Realm, desired: Realm, *, skip: frozenset[str] = frozenset(),
               info=None) -> list:
    return realm_changes(current, desired,
                         diff_schema=lambda s1, s2: diff_schema(s1, s2, skip=skip, info=info),
                         contents=lambda s: _contents(s, info, skip),
                         schema_level=(ModifySchemaAttrs,))


# --- plan ------------------------------------------------------------------------------------

def plan_realm(changes: Sequence, *, indent: str = "",
               info: ServerInfo = DEFAULT) -> list[Statement]:
    planner = _Planner(indent, info)
    by_schema: dict[str, list] = {}
    new = {c.schema.name: c.schema for c in changes if isinstance(c, AddSchema)}
    for c in changes:
        if isinstance(c, AddSchema):
            s = c.schema
            sql = planner.line("CREATE DATABASE")
            if c.if_not_exists:
                sql.p("IF NOT EXISTS")
            sql.ident(s.name)
            if s.charset and s.charset != info.charset:
                sql.p("CHARSET", s.charset)
            if s.collation and s.collation != info.collation:
                sql.p("COLLATE", s.collation)
            planner.emit(sql.string(), f'add new schema named "{s.name}"')
        elif isinstance(c, DropSchema):
            planner.emit(planner.line("DROP DATABASE").ident(c.schema.name).string(),
                         f'drop schema named "{c.schema.name}"')
        elif isinstance(c, ModifySchemaAttrs):
            planner.plan(c)
        elif isinstance(c, InSchema):
            by_schema.setdefault(c.schema, []).append(c.change)
        else:
            raise SchemaError(f"mysql: unsupported realm change {type(c).__name__}")
    for schema, changes_in in by_schema.items():
        # A new database's tables leave out the charset and collation they inherit from it.
        planner.qualifier, planner.schema = schema, new.get(schema)
        for change in sort_changes(changes_in):
            planner.plan(change)
    return planner.out


def realm_sql(realm: Realm, *, indent: str = "", info: ServerInfo = DEFAULT) -> str:
    from ...declarative import render_statements

    changes: list = []
    for s in realm.schemas:
        changes.append(AddSchema(s))
        changes += _contents(s, info)
    return render_statements(plan_realm(changes, indent=indent, info=info))


# --- dev server ------------------------------------------------------------------------------

def dev_not_clean(realm: Realm) -> str | None:
    if realm.schemas:
        return f'found schema "{realm.schemas[0].name}"'
    return None


def restore_dev(conn: Connection, snapshot: Realm) -> None:
    """Drop every database the dev server did not have before use."""
    from .inspect import SYSTEM_SCHEMAS

    marks = ", ".join(["%s"] * len(SYSTEM_SCHEMAS))
    for (name,) in conn.query(
            "SELECT `SCHEMA_NAME` FROM `INFORMATION_SCHEMA`.`SCHEMATA` WHERE `SCHEMA_NAME` "
            f"NOT IN ({marks})", SYSTEM_SCHEMAS):
        name = name.decode() if isinstance(name, bytes) else str(name)
        if snapshot.schema(name) is None:
            conn.execute("DROP DATABASE IF EXISTS `" + name.replace("`", "``") + "`")


def normalize_realm(dialect, desired: Realm, dev_url: str | None) -> Realm:
    """The desired realm as the server stores it (Atlas's ``NormalizeRealm``): on a dev server,
    every database created (``IF NOT EXISTS``) with its tables and inspected back; on a dev
    database (schema scope), each schema normalised there in turn."""
    from ...states import dev_database
    from ...urls import parse_url

    if dev_url and not dialect.realm_scoped(parse_url(dev_url)):
        return Realm(tuple(dialect.normalize(s, dev_url) for s in desired.schemas))
    with dev_database(dev_url) as (_, conn):
        info = server_info(conn)
        changes: list = []
        for s in desired.schemas:
            changes.append(AddSchema(s, if_not_exists=True))
            changes += _contents(s, info)
        run_statements(conn, plan_realm(changes, info=info))
        got = dialect.inspect_realm(conn)
    return Realm(tuple(s for s in got.schemas if desired.schema(s.name) is not None))


def decode_realm(doc) -> Realm:
    """One schema per ``schema`` block, each decoded with its own tables by the schema-scope
    decoder (tables name their schema with ``schema = schema.x``)."""
    from ...gotext import go_quote
    from ...hcl.document import Ref
    from .hcl_codec import decode

    sblocks = doc.children("schema")
    labels = {sb.labels[-1] if sb.labels else "": sb for sb in sblocks}
    tables: dict[int, list] = {id(sb): [] for sb in sblocks}
    for tb in doc.children("table"):
        sref = tb.get("schema")
        name = tb.labels[-1] if tb.labels else ""
        if not isinstance(sref, Ref):
            raise SchemaError(f"cannot extract schema name for table {go_quote(name)}")
        if sref.name not in labels:
            raise SchemaError(f"schema {go_quote(sref.name)} not found for table "
                              f"{go_quote(name)}")
        tables[id(labels[sref.name])].append(tb)
    return Realm(tuple(decode(dataclasses.replace(doc, blocks=[sb] + tables[id(sb)]))
                       for sb in sblocks))
