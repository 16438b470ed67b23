"""Planning SQLite views and triggers around the table changes.

SQLite has no ``CREATE OR REPLACE VIEW`` and no ``ALTER VIEW``/``ALTER TRIGGER``: a changed
one is dropped and created again. The plan is laid out in three parts:

1. ``DROP TRIGGER`` (dropped and changed triggers), then ``DROP VIEW`` (dropped and changed
   views, dependents first);
2. the table changes, in Atlas's order;
3. ``CREATE VIEW`` (added and changed views, dependencies first), then ``CREATE TRIGGER``.

So a view that reads a rebuilt table is gone while the table is swapped (SQLite refuses the
``RENAME`` of the swap while a view or trigger names the missing table) and back after it; a
rebuilt table's triggers are created again after the swap."""

from __future__ import annotations

from collections.abc import Sequence

from ...gotext import go_quote as q
from ...schema.changes import (
    AddTrigger,
    AddView,
    DropTrigger,
    DropView,
    ModifyTrigger,
    ModifyView,
)
from ...schema.model import Trigger, View
from ...schema.objects_diff import dependency_order
from ..base import Statement
from .sqlbuilder import SQLBuilder

__all__ = ["split_object_changes", "create_view_sql", "create_trigger_sql",
           "view_statements", "trigger_statements"]

OBJECT_CHANGES = (AddView, DropView, ModifyView, AddTrigger, DropTrigger, ModifyTrigger)


def split_object_changes(changes: Sequence) -> tuple[list[Statement], list, list[Statement]]:
    """``(statements before, table changes, statements after)``."""
    rest = [c for c in changes if not isinstance(c, OBJECT_CHANGES)]
    drop_triggers = [c.trigger if isinstance(c, DropTrigger) else c.old
                     for c in changes if isinstance(c, (DropTrigger, ModifyTrigger))]
    drop_views = [c.view if isinstance(c, DropView) else c.old
                  for c in changes if isinstance(c, (DropView, ModifyView))]
    add_views = [c.view if isinstance(c, AddView) else c.new
                 for c in changes if isinstance(c, (AddView, ModifyView))]
    add_triggers = [c.trigger if isinstance(c, AddTrigger) else c.new
                    for c in changes if isinstance(c, (AddTrigger, ModifyTrigger))]
    before = [drop_trigger_statement(t) for t in drop_triggers]
    before += [drop_view_statement(v) for v in reversed(dependency_order(drop_views))]
    after = [create_view_statement(v) for v in dependency_order(add_views)]
    after += [create_trigger_statement(t) for t in add_triggers]
    return before, rest, after


def view_statements(views: Sequence[View]) -> list[Statement]:
    """CREATE VIEW for every view, dependencies first."""
    return [create_view_statement(v) for v in dependency_order(views)]


def trigger_statements(triggers: Sequence[Trigger]) -> list[Statement]:
    return [create_trigger_statement(t) for t in triggers]


def create_view_sql(view: View) -> str:
    b = SQLBuilder().p("CREATE VIEW").ident(view.name).p("AS")
    return b.string() + " " + view.definition.strip()


def create_trigger_sql(trigger: Trigger) -> str:
    b = SQLBuilder().p("CREATE TRIGGER").ident(trigger.name).p(trigger.timing, trigger.event)
    if trigger.update_of:
        b.p("OF")
        b.map_comma(trigger.update_of, b.ident)
    b.p("ON").ident(trigger.table)
    if trigger.when:
        b.p("WHEN", trigger.when.strip())
    return b.string() + " " + trigger.body.strip()


def create_view_statement(view: View) -> Statement:
    return Statement(create_view_sql(view), f"Create {q(view.name)} view")


def drop_view_statement(view: View) -> Statement:
    return Statement(SQLBuilder().p("DROP VIEW").ident(view.name).string(),
                     f"Drop {q(view.name)} view")


def create_trigger_statement(trigger: Trigger) -> Statement:
    return Statement(create_trigger_sql(trigger), f"Create {q(trigger.name)} trigger")


def drop_trigger_statement(trigger: Trigger) -> Statement:
    return Statement(SQLBuilder().p("DROP TRIGGER").ident(trigger.name).string(),
                     f"Drop {q(trigger.name)} trigger")
