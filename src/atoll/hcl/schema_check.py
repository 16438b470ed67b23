"""Checks an evaluated schema document before anything is decoded or planned: two objects
with one name, and a table without columns, are errors of the file, reported at the block
that repeats the name, never statements that fail half way through an apply.

Which names collide is the engine's rule (``NameRules``): SQLite compares names without
regard to ASCII case and keeps tables, views and indexes in one namespace; PostgreSQL
compares them exactly, per schema; MySQL keeps index names per table. References to a
column or table that does not exist fail earlier, when the document is evaluated."""

from __future__ import annotations

from ..errors import SchemaError, SourcePos
from ..schema.name_rules import SQLITE_NAMES, NameRules
from ..gotext import go_quote
from .document import Block, Document, Ref
from .spec_values import final_name




def check_schema_document(doc: Document, rules: NameRules = SQLITE_NAMES) -> None:
    """Raise ``SchemaError`` at the first repeated name or empty table of ``doc``."""
    seen = _Namespace(rules)
    for tb in doc.children("table"):
        schema = _schema_of(tb)
        table = final_name(tb)
        seen.add(("relation", schema), tb, f"table {go_quote(table)}")
        columns = tb.children("column")
        if not columns and rules.tables_need_columns:
            raise SchemaError(f"{_at(tb)}table {go_quote(table)} has no columns")
        for cb in columns:
            seen.add(("column", schema, seen.key(table)), cb,
                     f"column {go_quote(final_name(cb))} of table {go_quote(table)}", column=True)
        for ib in tb.children("index"):
            space = (("relation", schema) if rules.indexes_share_relation_names
                     else ("index", schema, seen.key(table)))
            seen.add(space, ib, f"index {go_quote(final_name(ib))} of table {go_quote(table)}")
    for vb in doc.children("view") + doc.children("materialized"):
        schema = _schema_of(vb)
        view = final_name(vb)
        noun = "materialized view" if vb.type == "materialized" else "view"
        seen.add(("relation", schema), vb, f"{noun} {go_quote(view)}")
        for cb in vb.children("column"):
            seen.add(("view column", schema, seen.key(view)), cb,
                     f"column {go_quote(final_name(cb))} of view {go_quote(view)}", column=True)
    for gb in doc.children("trigger"):
        on = gb.get("on")
        table = on.name if isinstance(on, Ref) else ""
        space = ("trigger", seen.key(table)) if rules.triggers_per_table else ("trigger",)
        seen.add(space, gb, f"trigger {go_quote(final_name(gb))}")


class _Namespace:
    """Names met so far, by namespace, with the block and words of their first use."""

    def __init__(self, rules: NameRules):
        self.rules = rules
        self.first: dict[tuple, tuple[str, Block]] = {}

    def key(self, name: str, column: bool = False) -> str:
        fold = self.rules.fold_column_case if column else self.rules.fold_case
        return name.translate(_ASCII_LOWER) if fold else name

    def add(self, space: tuple, block: Block, label: str, column: bool = False) -> None:
        key = (space, self.key(final_name(block), column))
        if key not in self.first:
            self.first[key] = (label, block)
            return
        first_label, first = self.first[key]
        if first_label == label:
            msg = f"{label} is defined twice"
        else:
            msg = f"{label} has the same name as {first_label}"
        raise SchemaError(f"{_at(block)}{msg}{_first_at(first.pos, block.pos, first_label == label)}")


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _schema_of(b: Block) -> str:
    ref = b.get("schema")
    return ref.name if isinstance(ref, Ref) else ""


def _at(b: Block) -> str:
    return f"{b.pos}: " if b.pos else ""


def _first_at(first: SourcePos | None, here: SourcePos | None, again: bool) -> str:
    if first is None:
        return ""
    where = (f"line {first.line}" if here is not None and here.filename == first.filename
             else str(first))
    return f" (first at {where})" if again else f" (at {where})"


__all__ = ["NameRules", "SQLITE_NAMES", "check_schema_document"]
