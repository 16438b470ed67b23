"""PostgreSQL views and materialized views: inspect, and the statements around table changes.

Atlas keeps views for its paid build; atoll inspects, diffs and plans them. A view is
compared by its query as PostgreSQL prints it back (``pg_get_viewdef``), so the desired side
is normalised on the dev database first, as every PostgreSQL plan is. A changed view, and
every view that reads a table whose column is dropped or retyped (PostgreSQL refuses to
touch a column a view uses), is dropped before the table changes and created again after
them; views that read those views come along. Materialized views are built ``WITH DATA``
when created."""

from __future__ import annotations

from collections.abc import Sequence

from ...errors import SchemaError
from ...gotext import go_quote
from ...schema.changes import (
    AddView,
    DropColumn,
    DropTable,
    DropView,
    ModifyColumn,
    ModifyTable,
    ModifyView,
)
from ...schema.model import Column, Schema, View
from ...schema.objects_diff import dependency_order, views_reading
from ..base import Connection, Statement
from .types import parse_type

__all__ = ["inspect_views", "with_view_dependents", "split_view_changes", "view_statements",
           "drop_view_statement"]

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

# The tables and views each view's rewrite rule reads, in the same schema.
VIEW_DEPENDS_QUERY = """
SELECT DISTINCT r.ev_class, d.relname
FROM pg_catalog.pg_depend dep
JOIN pg_catalog.pg_rewrite r ON dep.classid = 'pg_catalog.pg_rewrite'::regclass
                            AND dep.objid = r.oid
JOIN pg_catalog.pg_class d ON d.oid = dep.refobjid
JOIN pg_catalog.pg_namespace n ON n.oid = d.relnamespace
WHERE r.ev_class = ANY(%s) AND d.oid <> r.ev_class AND n.nspname = %s
  AND d.relkind IN ('r', 'p', 'v', 'm', 'f')
ORDER BY 1, 2
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
    for oid, dep in conn.query(VIEW_DEPENDS_QUERY, (oids, schema)):
        depends.setdefault(oid, []).append(dep)
    return tuple(
        View(name=name, definition=_definition(text), columns=tuple(columns.get(oid, ())),
             depends_on=tuple(depends.get(oid, ())), comment=comment, materialized=mat)
        for oid, name, mat, text, comment in rows)


def _definition(text: str | None) -> str:
    text = (text or "").strip()
    return text[:-1].rstrip() if text.endswith(";") else text


# --- planning ------------------------------------------------------------------------------


def with_view_dependents(changes: Sequence, current: Schema, desired: Schema) -> list:
    """``changes`` plus ``ModifyView(v, v)`` for every unchanged view that must be dropped and
    created again because a table (or view) it reads is dropped or loses/retypes a column."""
    out = list(changes)
    blocked: set[str] = set()
    for c in changes:
        if isinstance(c, DropTable):
            blocked.add(c.table.name)
        elif isinstance(c, ModifyTable) and any(
                isinstance(mc, (DropColumn, ModifyColumn)) for mc in c.changes):
            blocked.add(c.new.name)
    if not blocked or not current.views:
        return out
    touched = {c.view.name if isinstance(c, (AddView, DropView)) else c.old.name
               for c in changes if isinstance(c, (AddView, DropView, ModifyView))}
    gone = blocked | {n for n in touched if current.view(n) is not None}
    for v in views_reading(current.views, gone):
        keep = desired.view(v.name)
        if keep is not None and v.name not in touched:
            out.append(ModifyView(v, keep))
    return out


def split_view_changes(changes: Sequence, qualifier: str = "",
                       ) -> tuple[list[Statement], list, list[Statement]]:
    """``(DROP VIEW statements, the other changes, CREATE VIEW statements)``."""
    rest = [c for c in changes if not isinstance(c, (AddView, DropView, ModifyView))]
    drops = [c.view if isinstance(c, DropView) else c.old
             for c in changes if isinstance(c, (DropView, ModifyView))]
    adds = [c.view if isinstance(c, AddView) else c.new
            for c in changes if isinstance(c, (AddView, ModifyView))]
    before = [drop_view_statement(v, qualifier) for v in reversed(dependency_order(drops))]
    return before, rest, view_statements(adds, qualifier)


def view_statements(views: Sequence[View], qualifier: str = "") -> list[Statement]:
    """CREATE [MATERIALIZED] VIEW for every view, the views it reads first."""
    out = []
    for v in dependency_order(views):
        kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        out.append(Statement(f"CREATE {kind} {_name(v.name, qualifier)} AS "
                             f"{v.definition.strip()}",
                             f"Create {go_quote(v.name)} {_noun(v)}"))
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
