"""The project's ``diff`` block as options of one diff: the change kinds ``skip {}`` leaves
out, and ``concurrent_index {}``, which marks index changes on existing tables to be planned
``CONCURRENTLY`` (PostgreSQL; the other engines' planners have no such form and ignore it)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from .changes import AddIndex, DropIndex, InSchema, ModifyTable


@dataclass(frozen=True)
class DiffOptions:
    skip: frozenset[str] = frozenset()
    concurrent_create: bool = False
    concurrent_drop: bool = False

    def annotate(self, changes: Sequence) -> list:
        """``changes`` with the new and dropped indexes of modified tables marked
        concurrent as configured (Atlas's ``AnnotateChanges``); new tables' indexes never
        are, since nothing can be locked out of a table that does not exist yet."""
        if not (self.concurrent_create or self.concurrent_drop):
            return list(changes)
        return [self._mark(c) for c in changes]

    def _mark(self, change):
        if isinstance(change, InSchema):
            return dataclasses.replace(change, change=self._mark(change.change))
        if not isinstance(change, ModifyTable):
            return change
        marked = tuple(
            dataclasses.replace(c, concurrently=True)
            if (isinstance(c, AddIndex) and self.concurrent_create)
            or (isinstance(c, DropIndex) and self.concurrent_drop) else c
            for c in change.changes)
        return dataclasses.replace(change, changes=marked)
