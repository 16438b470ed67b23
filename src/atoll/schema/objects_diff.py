"""Views and triggers: current × desired → changes.

Views are compared by their query text (the columns are what the engine derives from it);
triggers by everything that defines them. A changed object is a ``ModifyView`` /
``ModifyTrigger``; engines that cannot alter one in place drop and create it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..errors import SchemaError
from ..gotext import go_quote
from .changes import AddTrigger, AddView, DropTrigger, DropView, ModifyTrigger, ModifyView
from .model import Schema, Trigger, View

__all__ = ["view_changes", "trigger_changes", "same_view", "same_trigger", "dependency_order",
           "views_reading"]


def _text(s: str | None) -> str | None:
    return None if s is None else s.replace("\r\n", "\n").strip()


def same_view(a: View, b: View) -> bool:
    return _text(a.definition) == _text(b.definition) and a.materialized == b.materialized


def same_trigger(a: Trigger, b: Trigger) -> bool:
    return (a.table == b.table and a.timing == b.timing and a.event == b.event
            and a.update_of == b.update_of and _text(a.when) == _text(b.when)
            and _text(a.body) == _text(b.body))


def _changes(current: tuple, desired: tuple, same, drop, modify, add) -> list:
    """Drops and modifications in current order, then additions in desired order."""
    wanted = {o.name: o for o in desired}
    out: list = []
    for o1 in current:
        o2 = wanted.get(o1.name)
        if o2 is None:
            out.append(drop(o1))
        elif not same(o1, o2):
            out.append(modify(o1, o2))
    have = {o.name for o in current}
    out.extend(add(o) for o in desired if o.name not in have)
    return out


def view_changes(current: Schema, desired: Schema) -> list:
    return _changes(current.views, desired.views, same_view, DropView, ModifyView, AddView)


def trigger_changes(current: Schema, desired: Schema) -> list:
    return _changes(current.triggers, desired.triggers, same_trigger, DropTrigger,
                    ModifyTrigger, AddTrigger)


def dependency_order(views: Sequence, key: Callable | None = None,
                     deps: Callable | None = None) -> list:
    """``views`` with each one after the views of the list it reads, otherwise in the given
    order (the order to create them in; reversed, to drop them). A cycle is an error.
    ``key(item)`` and ``deps(item)`` (default: the view's name and ``depends_on``) let the
    items be something else, such as ``(schema, view)`` pairs over several schemas."""
    key = key or (lambda v: v.name)
    deps = deps or (lambda v: v.depends_on)
    by_key = {key(v): v for v in views}
    out: list = []
    state: dict = {}  # 1 = visiting, 2 = done

    def label(k) -> str:
        return go_quote(".".join(k) if isinstance(k, tuple) else k)

    def visit(v, path: tuple) -> None:
        k = key(v)
        if state.get(k) == 2:
            return
        if state.get(k) == 1:
            cycle = " -> ".join(label(n) for n in (*path, k))
            raise SchemaError(f"views depend on each other in a cycle: {cycle}")
        state[k] = 1
        for dep in deps(v):
            d = by_key.get(dep)
            if d is not None and d is not v:
                visit(d, (*path, k))
        state[k] = 2
        out.append(v)

    for v in views:
        visit(v, ())
    return out


def views_reading(views: Sequence[View], gone: set[str]) -> list[View]:
    """The views of ``views`` that read a name of ``gone``, or read such a view, and so on
    (each once, in the order found)."""
    gone = set(gone)
    out: list[View] = []
    grew = True
    while grew:
        grew = False
        for v in views:
            if v.name in gone or not any(d in gone for d in v.depends_on):
                continue
            gone.add(v.name)
            out.append(v)
            grew = True
    return out
