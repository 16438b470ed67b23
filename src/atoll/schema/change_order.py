"""The order tables are created and dropped in: new tables after the new tables they
reference, dropped tables before the dropped tables they reference, and foreign keys between
new tables that reference each other in a cycle added after both exist (Atlas's
``DetachCycles`` followed by its dependency sort)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from .changes import AddForeignKey, AddTable, DropTable, ModifyTable, SchemaChange


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for n in graph.get(todo.pop(), ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def detach_cycles(changes: Sequence[SchemaChange]) -> list[SchemaChange]:
    """New tables that reference each other in a cycle are created without those foreign
    keys; each table's cut keys come back at the end as one ``ModifyTable`` adding them."""
    adds = {c.table.name: c for c in changes if isinstance(c, AddTable)}
    graph = {n: {fk.ref_table for fk in c.table.foreign_keys
                 if fk.ref_table in adds and fk.ref_table != n} for n, c in adds.items()}
    reach = {n: _reaches(graph, n) for n in graph}
    cyclic = {n for n in graph if n in reach[n]}
    if not cyclic:
        return list(changes)
    out: list[SchemaChange] = []
    later: list[SchemaChange] = []
    for c in changes:
        if isinstance(c, AddTable) and c.table.name in cyclic:
            t = c.table
            cut = tuple(fk for fk in t.foreign_keys
                        if fk.ref_table in reach[t.name] and t.name in reach.get(fk.ref_table, ()))
            kept = tuple(fk for fk in t.foreign_keys if fk not in cut)
            out.append(AddTable(dataclasses.replace(t, foreign_keys=kept)))
            later.append(ModifyTable(t, t, tuple(AddForeignKey(fk) for fk in cut)))
        else:
            out.append(c)
    return out + later


def order_tables(changes: Sequence[SchemaChange]) -> list[SchemaChange]:
    """Cycles detached, then a stable topological order of the new tables (each after the
    new tables it references) and of the dropped ones (referencing tables first); every other
    change keeps its place."""
    rest = detach_cycles(changes)
    adds = {c.table.name: c for c in rest if isinstance(c, AddTable)}
    placed: list[AddTable] = []
    done: set[str] = set()

    def visit(c: AddTable, path: frozenset[str]) -> None:
        name = c.table.name
        if name in done or name in path:
            return
        for fk in c.table.foreign_keys:
            dep = adds.get(fk.ref_table)
            if dep is not None and fk.ref_table != name:
                visit(dep, path | {name})
        done.add(name)
        placed.append(c)

    for c in adds.values():
        visit(c, frozenset())
    it = iter(placed)
    out = [next(it) if isinstance(c, AddTable) else c for c in rest]
    dropped = {c.table.name for c in out if isinstance(c, DropTable)}

    def refs(c: DropTable) -> int:
        return sum(1 for fk in c.table.foreign_keys
                   if fk.ref_table in dropped and fk.ref_table != c.table.name)

    drops = iter(sorted((c for c in out if isinstance(c, DropTable)), key=lambda c: -refs(c)))
    return [next(drops) if isinstance(c, DropTable) else c for c in out]
