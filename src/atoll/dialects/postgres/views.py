"""PostgreSQL views and materialized views: inspect, and the statements around table changes.

Atlas keeps views for its paid build; atoll inspects, diffs and plans them. A view is
compared by its query as PostgreSQL prints it back (``pg_get_viewdef``), so the desired side
is normalised on the dev database first, as every PostgreSQL plan is. What a view reads comes
from ``pg_depend`` (its rewrite rule's rows): the tables and views, in any schema (another
schema's object is named ``schema.name``), and which of their columns (``refobjsubid``).
A changed view, and every view that reads a dropped table or a column that is dropped or
retyped (PostgreSQL refuses to touch a column a view uses), is dropped before the table
changes and created again after them; so is a view that relies on a primary key that is
dropped or changed (a ``GROUP BY`` on the key depends on the constraint); views that read
those views come along. A view that does not read the changed column is left alone,
materialized ones too (no needless rebuild).
Over a realm the same holds across schemas, and the views are dropped before, and created
after, every other statement in an order that respects what each reads. Materialized views
are built ``WITH DATA`` when created."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ...errors import SchemaError
from ...gotext import go_quote
from ...schema.changes import (
    AddView,
    ChangeKind,
    DropColumn,
    DropPrimaryKey,
    DropTable,
    DropView,
    InSchema,
    ModifyColumn,
    ModifyPrimaryKey,
    ModifyTable,
    ModifyView,
)
from ...schema.model import Column, Realm, Schema, View
from ...schema.objects_diff import dependency_order
from ..base import Connection, Statement
from .types import parse_type

__all__ = ["inspect_views", "with_view_dependents", "with_realm_view_dependents",
           "split_view_changes", "view_change_statements", "view_statements",
           "drop_view_statement"]

VIEW_CHANGES = (AddView, DropView, ModifyView)

VIEWS_QUERY = """
SELECT c.oid, c.relname, c.relkind = 'm', pg_catalog.pg_get_viewdef(c.oid),
       pg_catalog.obj_description(c.oid, 'pg_class')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relkind IN ('v', 'm')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
                    AND d.deptype = 'e')
ORDER BY c.relname
"""

VIEW_COLUMNS_QUERY = """
SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
"""

# The tables and views each view's rewrite rule reads, in any schema, with the column read
# (NULL for a dependency on the whole relation, such as ``count(*)``).
VIEW_DEPENDS_QUERY = """
SELECT DISTINCT r.ev_class, n.nspname, d.relname, a.attname
FROM pg_catalog.pg_depend dep
JOIN pg_catalog.pg_rewrite r ON dep.classid = 'pg_catalog.pg_rewrite'::regclass
                            AND dep.objid = r.oid
JOIN pg_catalog.pg_class d ON dep.refclassid = 'pg_catalog.pg_class'::regclass
                          AND d.oid = dep.refobjid
JOIN pg_catalog.pg_namespace n ON n.oid = d.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON dep.refobjsubid > 0 AND a.attrelid = d.oid
                                   AND a.attnum = dep.refobjsubid
WHERE r.ev_class = ANY(%s) AND d.oid <> r.ev_class
  AND d.relkind IN ('r', 'p', 'v', 'm', 'f')
ORDER BY 1, 2, 3, 4
"""


# The tables whose primary key each view relies on (a GROUP BY on the key: the rewrite rule
# depends on the constraint, and PostgreSQL refuses to drop the key while the view stands).
VIEW_KEYS_QUERY = """
SELECT DISTINCT r.ev_class, n.nspname, d.relname
FROM pg_catalog.pg_depend dep
JOIN pg_catalog.pg_rewrite r ON dep.classid = 'pg_catalog.pg_rewrite'::regclass
                            AND dep.objid = r.oid
JOIN pg_catalog.pg_constraint k ON dep.refclassid = 'pg_catalog.pg_constraint'::regclass
                               AND k.oid = dep.refobjid AND k.contype = 'p'
JOIN pg_catalog.pg_class d ON d.oid = k.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = d.relnamespace
WHERE r.ev_class = ANY(%s)
ORDER BY 1, 2, 3
"""


def inspect_views(conn: Connection, schema: str) -> tuple[View, ...]:
    rows = conn.query(VIEWS_QUERY, (schema,))
    if not rows:
        return ()
    oids = [r[0] for r in rows]
    columns: dict[int, list[Column]] = {}
    for oid, name, type_text in conn.query(VIEW_COLUMNS_QUERY, (oids,)):
        try:
            ctype = parse_type(type_text)
        except SchemaError:
            ctype = parse_type("text")
        columns.setdefault(oid, []).append(Column(name=name, type=ctype, null=True))
    depends: dict[int, list[str]] = {}
    reads: dict[int, list[tuple[str, str]]] = {}
    for oid, dep_schema, dep, column in conn.query(VIEW_DEPENDS_QUERY, (oids,)):
        dep = dep if dep_schema == schema else f"{dep_schema}.{dep}"
        if dep not in depends.setdefault(oid, []):
            depends[oid].append(dep)
        if column is not None:
            reads.setdefault(oid, []).append((dep, column))
    keys: dict[int, list[str]] = {}
    for oid, dep_schema, dep in conn.query(VIEW_KEYS_QUERY, (oids,)):
        keys.setdefault(oid, []).append(dep if dep_schema == schema else f"{dep_schema}.{dep}")
    return tuple(
        View(name=name, definition=_definition(text), columns=tuple(columns.get(oid, ())),
             depends_on=tuple(depends.get(oid, ())), column_reads=tuple(reads.get(oid, ())),
             key_reads=tuple(keys.get(oid, ())), comment=comment, materialized=mat)
        for oid, name, mat, text, comment in rows)


def _definition(text: str | None) -> str:
    text = (text or "").strip()
    return text[:-1].rstrip() if text.endswith(";") else text


# --- planning ------------------------------------------------------------------------------


def dep_key(schema: str, dep: str, known: Iterable[tuple[str, str]] = ()) -> tuple[str, str]:
    """The ``(schema, name)`` a view of ``schema`` means by ``dep`` (of its ``depends_on``):
    a name of its own schema, or ``other.name``."""
    if "." not in dep or (schema, dep) in known:
        return schema, dep
    other, _, name = dep.partition(".")
    return other, name


def _dependents(changes: Sequence[tuple[str, object]],
                current: Sequence[tuple[str, View]]) -> list[tuple[str, View]]:
    """The current views (with their schema) that the ``(schema, change)`` pairs force down:
    those reading a dropped table, a dropped or retyped column (of any schema), a primary key
    that is dropped or changed (``key_reads``), or a view that goes down itself; each once,
    readers after what they read."""
    tables: set[tuple[str, str]] = set()           # dropped: every reader goes
    columns: set[tuple[tuple[str, str], str]] = set()  # dropped or retyped columns
    changed: set[tuple[str, str]] = set()          # tables with such a column
    keys: set[tuple[str, str]] = set()             # tables whose primary key goes or changes
    views: set[tuple[str, str]] = set()            # views dropped or changed
    for schema, c in changes:
        if isinstance(c, DropTable):
            tables.add((schema, c.table.name))
        elif isinstance(c, ModifyTable):
            for mc in c.changes:
                if isinstance(mc, (DropPrimaryKey, ModifyPrimaryKey)):
                    keys.add((schema, c.old.name))
                    changed.add((schema, c.old.name))
                    continue
                if isinstance(mc, DropColumn):
                    col = mc.column.name
                elif isinstance(mc, ModifyColumn) and mc.kind & ChangeKind.TYPE:
                    col = mc.old.name
                else:
                    continue
                columns.add(((schema, c.old.name), col))
                changed.add((schema, c.old.name))
        elif isinstance(c, (DropView, ModifyView)):
            views.add((schema, c.view.name if isinstance(c, DropView) else c.old.name))
    known = {(s, v.name) for s, v in current}
    gone = set(views)
    out: list[tuple[str, View]] = []
    grew = True
    while grew:
        grew = False
        for s, v in current:
            if (s, v.name) in gone:
                continue
            deps = {dep_key(s, d, known) for d in v.depends_on}
            if v.column_reads is None:  # unknown columns: any changed column may be read
                hit = bool(deps & (changed | tables | gone))
            else:
                read = {(dep_key(s, d, known), col) for d, col in v.column_reads}
                hit = bool(read & columns or deps & (tables | gone)
                           or {dep_key(s, d, known) for d in v.key_reads} & keys)
            if hit:
                gone.add((s, v.name))
                out.append((s, v))
                grew = True
    return out


def with_view_dependents(changes: Sequence, current: Schema, desired: Schema) -> list:
    """``changes`` plus ``ModifyView(v, v)`` for every unchanged view that must be dropped and
    created again because a table (or view) it reads is dropped or loses/retypes a column it
    reads."""
    touched = {c.view.name if isinstance(c, (AddView, DropView)) else c.old.name
               for c in changes if isinstance(c, VIEW_CHANGES)}
    out = list(changes)
    for _, v in _dependents([("", c) for c in changes], [("", v) for v in current.views]):
        keep = desired.view(v.name)
        if keep is not None and v.name not in touched:
            out.append(ModifyView(v, keep))
    return out


def with_realm_view_dependents(changes: Sequence, current: Realm, desired: Realm) -> list:
    """``with_view_dependents`` over a realm's changes (``InSchema`` values): a view of one
    schema reading a table of another comes down with it too."""
    pairs = [(c.schema, c.change) for c in changes if isinstance(c, InSchema)]
    touched = {(s, c.view.name if isinstance(c, (AddView, DropView)) else c.old.name)
               for s, c in pairs if isinstance(c, VIEW_CHANGES)}
    out = list(changes)
    for s, v in _dependents(pairs, [(x.name, v) for x in current.schemas for v in x.views]):
        target = desired.schema(s)
        keep = target.view(v.name) if target is not None else None
        if keep is not None and (s, v.name) not in touched:
            out.append(InSchema(s, ModifyView(v, keep)))
    return out


def split_view_changes(changes: Sequence, qualifier: str = "",
                       ) -> tuple[list[Statement], list, list[Statement]]:
    """``(DROP VIEW statements, the other changes, CREATE VIEW statements)``."""
    rest = [c for c in changes if not isinstance(c, VIEW_CHANGES)]
    before, after = view_change_statements(
        [(qualifier, c) for c in changes if isinstance(c, VIEW_CHANGES)])
    return before, rest, after


def view_change_statements(changes: Sequence[tuple[str, object]],
                           ) -> tuple[list[Statement], list[Statement]]:
    """The DROP and the CREATE statements of ``(qualifier, view change)`` pairs: a view is
    dropped before what it reads and created after it, across schemas."""
    drops = [(s, c.view if isinstance(c, DropView) else c.old)
             for s, c in changes if isinstance(c, (DropView, ModifyView))]
    adds = [(s, c.view if isinstance(c, AddView) else c.new)
            for s, c in changes if isinstance(c, (AddView, ModifyView))]
    before = [drop_view_statement(v, s) for s, v in reversed(_ordered(drops))]
    return before, [st for s, v in _ordered(adds) for st in _create(v, s)]


def _ordered(views: list[tuple[str, View]]) -> list[tuple[str, View]]:
    known = {(s, v.name) for s, v in views}
    return dependency_order(views, key=lambda p: (p[0], p[1].name),
                            deps=lambda p: [dep_key(p[0], d, known) for d in p[1].depends_on])


def view_statements(views: Sequence[View], qualifier: str = "") -> list[Statement]:
    """CREATE [MATERIALIZED] VIEW for every view, the views it reads first."""
    ordered = _ordered([(qualifier, v) for v in views])
    return [st for _, v in ordered for st in _create(v, qualifier)]


def _create(v: View, qualifier: str) -> list[Statement]:
    kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
    out = [Statement(f"CREATE {kind} {_name(v.name, qualifier)} AS {v.definition.strip()}",
                     f"Create {go_quote(v.name)} {_noun(v)}")]
    if v.comment:
        out.append(Statement(
            f"COMMENT ON {kind} {_name(v.name, qualifier)} IS "
            f"'{v.comment.replace(chr(39), chr(39) * 2)}'",
            f"Comment on {go_quote(v.name)} {_noun(v)}"))
    return out


def drop_view_statement(view: View, qualifier: str = "") -> Statement:
    kind = "MATERIALIZED VIEW" if view.materialized else "VIEW"
    return Statement(f"DROP {kind} {_name(view.name, qualifier)}",
                     f"Drop {go_quote(view.name)} {_noun(view)}")


def _noun(v: View) -> str:
    return "materialized view" if v.materialized else "view"


def _name(name: str, qualifier: str) -> str:
    quoted = '"' + name.replace('"', '""') + '"'
    return f'"{qualifier}".{quoted}' if qualifier else quoted
