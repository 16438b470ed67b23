"""Pausing Python's cyclic garbage collector around work that builds large acyclic trees
(parsing, evaluating and decoding a 1000-table schema): each collection would walk the whole
tree, which made big parses superlinear (notes/deps.md §1)."""

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
            gc.enable()
