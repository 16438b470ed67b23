"""Views and triggers: current × desired → changes.

Views are compared by their query text (the columns are what the engine derives from it);
triggers by everything that defines them. A changed object is a ``ModifyView`` /
``ModifyTrigger``; engines that cannot alter one in place drop and create it."""

from __future__ import annotations

from .changes import AddTrigger, AddView, DropTrigger, DropView, ModifyTrigger, ModifyView
from .model import Schema, Trigger, View

__all__ = ["view_changes", "trigger_changes", "same_view", "same_trigger"]


def _text(s: str | None) -> str | None:
    return None if s is None else s.replace("\r\n", "\n").strip()


def same_view(a: View, b: View) -> bool:
    return _text(a.definition) == _text(b.definition)


def same_trigger(a: Trigger, b: Trigger) -> bool:
    return (a.table == b.table and a.timing == b.timing and a.event == b.event
            and a.update_of == b.update_of and _text(a.when) == _text(b.when)
            and _text(a.body) == _text(b.body))


def view_changes(current: Schema, desired: Schema) -> list:
    """Drops and modifications in current order, then additions in desired order."""
    out: list = []
    for v1 in current.views:
        v2 = desired.view(v1.name)
        if v2 is None:
            out.append(DropView(v1))
        elif not same_view(v1, v2):
            out.append(ModifyView(v1, v2))
    out.extend(AddView(v) for v in desired.views if current.view(v.name) is None)
    return out


def trigger_changes(current: Schema, desired: Schema) -> list:
    out: list = []
    for t1 in current.triggers:
        t2 = desired.trigger(t1.name)
        if t2 is None:
            out.append(DropTrigger(t1))
        elif not same_trigger(t1, t2):
            out.append(ModifyTrigger(t1, t2))
    out.extend(AddTrigger(t) for t in desired.triggers if current.trigger(t.name) is None)
    return out
