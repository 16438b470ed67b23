"""The views and triggers a SQLite table rebuild must take down and put back.

The swap at the end of a rebuild (``ALTER TABLE new_t RENAME TO t``) makes SQLite re-check
every view and trigger of the schema; one that names a table or view missing at that moment
fails the whole statement ("error in view v: no such table: main.t"). And ``DROP TABLE t``
silently drops ``t``'s own triggers. So every view reading a rebuilt table (and every view
reading those, and so on), every trigger on them or on the rebuilt table, and every trigger
whose body names one of them is dropped before and created again after the rebuild:
unchanged ones come back as ``ModifyView``/``ModifyTrigger`` with ``old == new``."""

from __future__ import annotations

from collections.abc import Sequence

from ...schema.changes import (
    AddTrigger,
    AddView,
    DropTrigger,
    DropView,
    ModifyTable,
    ModifyTrigger,
    ModifyView,
)
from ...schema.model import Schema
from ...schema.objects_diff import views_reading
from .plan import needs_rebuild
from .sqltext import referenced_names

__all__ = ["with_rebuild_dependents"]


def with_rebuild_dependents(changes: Sequence, current: Schema, desired: Schema) -> list:
    """``changes`` plus the re-creations the rebuilds among them need."""
    out = list(changes)
    rebuilt = {c.new.name for c in changes if isinstance(c, ModifyTable) and needs_rebuild(c)}
    if not rebuilt:
        return out
    touched_views = {c.view.name if isinstance(c, (AddView, DropView)) else c.old.name
                     for c in changes if isinstance(c, (AddView, DropView, ModifyView))}
    touched_triggers = {c.trigger.name if isinstance(c, (AddTrigger, DropTrigger)) else c.old.name
                        for c in changes
                        if isinstance(c, (AddTrigger, DropTrigger, ModifyTrigger))}
    # Names missing while a table is swapped: the rebuilt tables, the views dropped before.
    gone = rebuilt | {n for n in touched_views if current.view(n) is not None}
    for v in views_reading(current.views, gone):
        gone.add(v.name)
        keep = desired.view(v.name)
        if keep is not None and v.name not in touched_views:
            out.append(ModifyView(keep, keep))
    for t in current.triggers:
        if t.name in touched_triggers:
            continue
        text = t.body if t.when is None else f"{t.when} {t.body}"
        if t.table in gone or referenced_names(text, gone):
            keep = desired.trigger(t.name)
            if keep is not None:
                out.append(ModifyTrigger(keep, keep))
    return out
