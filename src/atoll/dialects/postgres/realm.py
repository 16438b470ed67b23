"""PostgreSQL's realm scope (spec/postgres.md §1.2, §1.4, §2.1, §6): a URL without
``search_path`` names the whole database.

* Inspect: every user schema (not system, temporary or extension-owned ones), with the session
  search path cleared meanwhile, so types of any schema come back qualified (``public.status``)
  and resolve to that schema's enums; the search path is restored afterwards.
* Diff: schemas matched by name; a schema only in the current realm is dropped, one only in the
  desired realm is added with everything in it; schemas in both are diffed as in schema scope.
* Plan: schema statements first, in diff order (``CREATE SCHEMA "s"``, ``CREATE SCHEMA IF NOT
  EXISTS "public"``, ``DROP SCHEMA "s" CASCADE``), then every object change, each named with
  its schema (``CREATE TABLE "public"."users"``).
* Dev database: clean when it has no schema or only an empty ``public``; put back after use.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ...errors import AtollError
from ...schema.changes import (
    AddSchema,
    AddTable,
    AddView,
    DropSchema,
    DropTable,
    DropView,
    InSchema,
    ModifyView,
)
from ...schema.model import Realm, Schema
from ...schema.realm_diff import realm_changes
from ..base import Connection, Statement, run_statements
from .changes import AddEnum, DropEnum, ModifyEnum, SetSchemaComment
from .diff_rules import diff_schema
from .inspect import SCHEMA_QUERY, inspect_one, schema_enums, server_version
from .objects import _QUERY as OBJECTS_QUERY
from .plan import _Planner
from .types import enum_type
from .views import view_change_statements, with_realm_view_dependents

_USER_SCHEMAS = ("NOT IN ('information_schema', 'pg_catalog', 'pg_toast', 'crdb_internal', "
                 "'pg_extension') AND nspname NOT LIKE 'pg_%temp_%'")


def inspect_realm(conn: Connection, only: str | None = None) -> Realm:
    """Every user schema, or ``only`` that one (a schema-bound URL read as a realm's state:
    its types, defaults and index predicates then come back qualified, as the realm they
    are compared with has them, not as the URL's search path would print them)."""
    saved = conn.query("SELECT current_setting('search_path'), "
                       "set_config('search_path', '', false)")[0][0]
    try:
        rows = conn.query(SCHEMA_QUERY.format(cond=_USER_SCHEMAS))
        version = server_version(conn)
        enums = {name: schema_enums(conn, name) for name, _ in rows}
        types = {f"{s}.{e.name}": enum_type(e.name, s) for s, es in enums.items() for e in es}
        if only is not None:
            rows = [r for r in rows if r[0] == only]
            if not rows:
                raise AtollError(f'postgres: schema "{only}" was not found')
        return Realm(tuple(inspect_one(conn, name, comment, version, enums[name], types)
                           for name, comment in rows))
    finally:
        if saved:
            conn.query("SELECT set_config('search_path', %s, false)", (saved,))


# --- diff ------------------------------------------------------------------------------------

def _contents(schema: Schema, skip: frozenset[str] = frozenset()) -> list:
    """The changes that create everything ``schema`` holds, in an existing empty schema."""
    return [c if isinstance(c, SetSchemaComment) else InSchema(schema.name, c)
            for c in diff_schema(Schema(name=schema.name), schema, skip=skip)]


def diff_realm(current: Realm, desired: Realm, *, skip: frozenset[str] = frozenset()) -> list:
    changes = realm_changes(current, desired,
                            diff_schema=lambda s1, s2: diff_schema(s1, s2, skip=skip),
                            contents=lambda s: _contents(s, skip),
                            schema_level=(SetSchemaComment,))
    return with_realm_view_dependents(changes, current, desired)


# --- plan ------------------------------------------------------------------------------------

def plan_realm(changes: Sequence, *, indent: str = "") -> list[Statement]:
    planner = _Planner(indent, None, realm=True)
    # Views, as in schema scope but across schemas: dropped before every other statement
    # (a DROP SCHEMA … CASCADE would take them), created after, each after what it reads.
    drops, creates = view_change_statements(
        [(c.schema, c.change) for c in changes
         if isinstance(c, InSchema) and isinstance(c.change, (AddView, DropView, ModifyView))])
    planner.out.extend(drops)
    rest: list[InSchema] = []
    for c in changes:
        if isinstance(c, AddSchema):
            name = c.schema.name
            ine = " IF NOT EXISTS" if c.if_not_exists or name == "public" else ""
            planner.emit(f'CREATE SCHEMA{ine} "{name}"', f'add new schema named "{name}"')
        elif isinstance(c, DropSchema):
            name = c.schema.name
            planner.emit(f'DROP SCHEMA "{name}" CASCADE', f'drop schema named "{name}"')
        elif isinstance(c, SetSchemaComment):
            planner.plan(c)
        elif not isinstance(c.change, (AddView, DropView, ModifyView)):
            rest.append(c)
    for c in sort_realm(rest):
        planner.qualifier = c.schema
        planner.plan(c.change)
    return planner.out + creates


def sort_realm(changes: Sequence[InSchema]) -> list[InSchema]:
    """Enum types first and dropped enums last (tables use them, in any schema); new tables
    after the new tables they reference, dropped tables before the dropped tables they
    reference, across schemas (Atlas's dependency sort)."""
    first = [c for c in changes if isinstance(c.change, (AddEnum, ModifyEnum))]
    last = [c for c in changes if isinstance(c.change, DropEnum)]
    middle = [c for c in changes if c not in first and c not in last]

    def key(c: InSchema) -> tuple[str, str]:
        return c.schema, c.change.table.name

    def refs(c: InSchema) -> list[tuple[str, str]]:
        return [(fk.ref_schema or c.schema, fk.ref_table) for fk in c.change.table.foreign_keys
                if (fk.ref_schema or c.schema, fk.ref_table) != key(c)]

    adds = {key(c): c for c in middle if isinstance(c.change, AddTable)}
    placed: list[InSchema] = []
    done: set = set()

    def visit(c: InSchema, path: frozenset) -> None:
        k = key(c)
        if k in done or k in path:
            return
        for r in refs(c):
            if r in adds:
                visit(adds[r], path | {k})
        done.add(k)
        placed.append(c)

    for c in middle:
        if isinstance(c.change, AddTable):
            visit(c, frozenset())
    it = iter(placed)
    out = [next(it) if isinstance(c.change, AddTable) else c for c in middle]
    drops = [c for c in out if isinstance(c.change, DropTable)]
    dropped = {key(c) for c in drops}
    ordered = iter(sorted(drops, key=lambda c: -sum(1 for r in refs(c) if r in dropped)))
    out = [next(ordered) if isinstance(c.change, DropTable) else c for c in out]
    return first + out + last


# --- dev database ----------------------------------------------------------------------------

def dev_not_clean(realm: Realm) -> str | None:
    for s in realm.schemas:
        if s.name != "public":
            return f'found schema "{s.name}"'
        if s.tables:
            return f'found table "{s.tables[0].name}" in schema "public"'
    return None


_DROP_KIND = {"view": "VIEW", "materialized view": "MATERIALIZED VIEW",
              "sequence": "SEQUENCE", "function": "FUNCTION", "procedure": "PROCEDURE",
              "enum": "TYPE", "domain": "DOMAIN", "type": "TYPE"}


def restore_dev(conn: Connection, snapshot: Realm) -> None:
    """Drop every schema the dev database did not have, and everything in those it had
    (only an empty ``public``, when clean), whose comment is put back; a schema it had that
    is gone (a replayed ``DROP SCHEMA public``) is created again."""
    now = inspect_realm(conn)
    for s in snapshot.schemas:
        if now.schema(s.name) is None:
            conn.execute(f'CREATE SCHEMA "{s.name}"')
            now = dataclasses.replace(now, schemas=now.schemas + (Schema(name=s.name),))
    for s in now.schemas:
        before = snapshot.schema(s.name)
        if before is None:
            conn.execute(f'DROP SCHEMA IF EXISTS "{s.name}" CASCADE')
            continue
        for t in s.tables:
            conn.execute(f'DROP TABLE IF EXISTS "{s.name}"."{t.name}" CASCADE')
        for kind, _, name in conn.query(OBJECTS_QUERY.format(scope="nspname = %s"),
                                        (s.name,)):
            conn.execute(f'DROP {_DROP_KIND[kind]} IF EXISTS "{s.name}"."{name}" CASCADE')
        if s.comment != before.comment:
            comment = "NULL" if before.comment is None else \
                "'" + before.comment.replace("'", "''") + "'"
            conn.execute(f'COMMENT ON SCHEMA "{s.name}" IS {comment}')


def normalize_realm(desired: Realm, conn: Connection) -> Realm:
    """The desired realm created on a clean realm dev database and inspected back (Atlas's
    ``NormalizeRealm``): only the desired schemas are kept; an existing ``public`` stays as
    it is (with its standard comment)."""
    changes: list = []
    for s in desired.schemas:
        changes.append(AddSchema(s, if_not_exists=True))
        changes += _contents(s)
    run_statements(conn, plan_realm(changes))
    got = inspect_realm(conn)
    return Realm(tuple(s for s in got.schemas if desired.schema(s.name) is not None))


def realm_sql(realm: Realm, *, indent: str = "") -> str:
    from ...declarative import render_statements

    changes: list = []
    for s in realm.schemas:
        changes.append(AddSchema(dataclasses.replace(s, comment=None)))
        changes += [c for c in _contents(s) if not isinstance(c, SetSchemaComment)]
    return render_statements(plan_realm(changes, indent=indent))
