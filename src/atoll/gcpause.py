"""Pausing Python's cyclic garbage collector around work that builds large acyclic trees
(parsing, evaluating and decoding a 1000-table schema): each collection would walk the whole
tree, which made big parses superlinear (notes/deps.md §1).

When the pause ends, the objects created during it are moved straight to the oldest
generation (``gc.freeze()`` then ``gc.unfreeze()``: two list splices). Otherwise the first
young collection after the pause would walk every one of them (0.1 s for a 1000-table
schema) only to find that they are alive. Cyclic garbage made during the pause is still
collected, by the next full collection."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused(when: bool = True) -> Iterator[None]:
    paused = when and gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
