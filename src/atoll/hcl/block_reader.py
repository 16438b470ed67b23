"""Reading the attributes of evaluated schema blocks, for the server dialects' HCL codecs
(PostgreSQL, MySQL): names, bare words, typed attributes, reference lists and column
references, each failing with the message Atlas gives."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import SchemaError
from ..gotext import go_quote
from ..schema.model import Column
from .document import Block, Ref, TypeCall, Word


def label(b: Block) -> str:
    """The block's ``name`` attribute when set, else its last label."""
    v = b.get("name")
    if isinstance(v, str):
        return v
    return b.labels[-1] if b.labels else ""


def word(v: object) -> str | None:
    """An enum-like value written bare (``ALWAYS``, ``table.users``) or quoted."""
    if v is None:
        return None
    if isinstance(v, Word):
        return v.name
    if isinstance(v, TypeCall) and not v.args:
        return v.name
    if isinstance(v, Ref):
        return v.name
    if isinstance(v, str):
        return v
    raise SchemaError(f"unexpected value {v!r}")


def string(b: Block, attr: str) -> str | None:
    v = b.get(attr)
    if v is None:
        return None
    if not isinstance(v, str):
        raise SchemaError(f'attribute "{attr}" of {b.type} "{label(b)}" must be a string')
    return v


def boolean(b: Block, attr: str, default: bool = False) -> bool:
    v = b.get(attr)
    if v is None:
        return default
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v in ("true", "false"):
        return v == "true"
    raise SchemaError(f'attribute "{attr}" of {b.type} "{label(b)}" must be a bool')


def integer(b: Block, attr: str, default: int | None = None) -> int | None:
    v = b.get(attr)
    if v is None or isinstance(v, bool):
        return default
    try:
        return int(v)
    except (TypeError, ValueError):
        raise SchemaError(f'attribute "{attr}" of {b.type} must be a number') from None


def refs(b: Block, attr: str) -> list[Ref]:
    v = b.get(attr)
    if v is None:
        return []
    if isinstance(v, Ref):
        v = [v]
    if not isinstance(v, (list, tuple)) or not all(isinstance(x, Ref) for x in v):
        raise SchemaError(f'expect list of references for attribute "{attr}"')
    return list(v)


def column_of(table: str, columns: Sequence[Column], ref: Ref) -> str:
    """The column a reference names, which must be one of ``columns``."""
    names = [n for k, n in ref.path if k == "column"]
    if not names:
        raise SchemaError('schemahcl: missing "column" in reference')
    if not any(c.name == names[0] for c in columns):
        raise SchemaError(f"column {go_quote(names[0])} was not found in table {table}")
    return names[0]
