"""Inspecting SQLite views and triggers from ``sqlite_master``.

A view's query and a trigger's parts are cut out of the stored CREATE text (kept verbatim);
a view's columns come from ``pragma_table_xinfo``, as for a table; what a view or trigger
reads is found by the names its text mentions (``sqltext.referenced_names``)."""

from __future__ import annotations

from collections.abc import Sequence

from ...errors import DatabaseError, SchemaError
from ...gotext import go_quote
from ...schema.model import Column, Trigger, View
from ..base import Connection
from .sqltext import parse_trigger_sql, parse_view_sql, referenced_names
from .types import parse_type

__all__ = ["inspect_views", "inspect_triggers"]

OBJECTS_QUERY = ("SELECT `name`, `tbl_name`, `sql` FROM sqlite_master WHERE `type` = ? "
                 "AND `name` NOT LIKE 'sqlite_%' ORDER BY rowid")
VIEW_COLUMNS_QUERY = ("SELECT `name`, `type`, (not `notnull`) FROM pragma_table_xinfo(?) "
                      "ORDER BY `cid`")


def inspect_views(conn: Connection, table_names: Sequence[str]) -> list[View]:
    """Every view, in creation order (an order in which they can be created again)."""
    rows = conn.query(OBJECTS_QUERY, ("view",))
    names = [*table_names, *(r[0] for r in rows)]
    views = []
    for name, _, sql in rows:
        sql = (sql or "").strip()
        try:
            parts = parse_view_sql(sql)
        except SchemaError as exc:
            raise SchemaError(f"sqlite: view {go_quote(name)}: {exc}") from None
        views.append(View(
            name=name,
            definition=parts.definition,
            columns=tuple(_view_columns(conn, name)),
            depends_on=tuple(n for n in referenced_names(parts.definition, names) if n != name),
            create_sql=sql,
        ))
    return views


def _view_columns(conn: Connection, view: str) -> list[Column]:
    try:
        rows = conn.query(VIEW_COLUMNS_QUERY, (view,))
    except DatabaseError as exc:
        # The query no longer compiles (a table it reads is gone): name the view.
        raise SchemaError(f"sqlite: inspect view {go_quote(view)}: {exc}") from None
    out = []
    for name, typ, nullable in rows:
        try:
            ctype = parse_type(typ or "")
        except SchemaError as exc:
            raise SchemaError(f"sqlite: {exc}") from None
        out.append(Column(name=name, type=ctype, null=bool(nullable)))
    return out


def inspect_triggers(conn: Connection, view_names: Sequence[str]) -> list[Trigger]:
    """Every trigger, in creation order."""
    views = set(view_names)
    out = []
    for name, table, sql in conn.query(OBJECTS_QUERY, ("trigger",)):
        sql = (sql or "").strip()
        try:
            parts = parse_trigger_sql(sql)
        except SchemaError as exc:
            raise SchemaError(f"sqlite: trigger {go_quote(name)}: {exc}") from None
        out.append(Trigger(
            name=name,
            table=table,
            timing=parts.timing,
            event=parts.event,
            update_of=parts.update_of,
            when=parts.when,
            body=parts.body,
            on_view=table in views,
            create_sql=sql,
        ))
    return out
