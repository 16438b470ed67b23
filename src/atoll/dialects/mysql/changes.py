"""Changes only MySQL's diff produces: a database's default charset/collation (schema level)
and table attributes (AUTO_INCREMENT, comment, charset, collation, engine), which travel in
``ModifyTable.changes`` next to the generic table changes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModifySchemaAttrs:
    """``ALTER DATABASE``: ``attrs`` holds (``CHARSET``|``COLLATE``, old, new) triples."""

    schema: str
    attrs: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class SetTableAttr:
    """A table option: ``name`` is ``AUTO_INCREMENT``, ``COMMENT``, ``CHARSET``, ``COLLATE``
    or ``ENGINE``; ``old`` and ``new`` its values ("" when absent)."""

    name: str
    old: str
    new: str
