"""Reading evaluated schema-HCL blocks: names, typed attributes and references, with the
messages Atlas gives when one has the wrong kind."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ..errors import SchemaError
from ..gotext import go_quote
from .document import Block, RawSQL, Ref

NUMBER_TYPES = (int, float, Decimal, Fraction)


def block_label(b: Block) -> str:
    return b.labels[-1] if b.labels else ""


def final_name(b: Block) -> str:
    """The block's label, or its ``name`` attribute when set (``name = var.tenant``)."""
    v = b.get("name")
    if isinstance(v, str):
        return v
    return block_label(b)


def where(kind: str, name: str) -> str:
    return f'{kind} "{name}"' if name else kind


def opt_str(b: Block, attr: str, kind: str) -> str | None:
    v = b.get(attr)
    if v is None:
        return None
    if not isinstance(v, str):
        raise SchemaError(f"{where(kind, block_label(b))}: attribute {go_quote(attr)} must be a "
                          f"string, got {kind_of(v)}")
    return v


def opt_bool(b: Block, attr: str, kind: str) -> bool:
    v = b.get(attr)
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v in ("true", "false"):
        return v == "true"
    raise SchemaError(f"{where(kind, block_label(b))}: attribute {go_quote(attr)} must be a bool, "
                      f"got {kind_of(v)}")


def kind_of(v: object) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, NUMBER_TYPES):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        return "list"
    if isinstance(v, dict):
        return "object"
    if isinstance(v, Ref):
        return f"reference {v.text}"
    if isinstance(v, RawSQL):
        return "sql expression"
    return type(v).__name__


def ref_values(ref: object, kind: str) -> list[str]:
    """The names of the ``kind`` elements of a reference (Atlas's ``Ref.ByType``)."""
    if not isinstance(ref, Ref):
        raise SchemaError(f"expected a reference to a {kind}, got {kind_of(ref)}")
    found = [name for k, name in ref.path if k == kind]
    if not found:
        raise SchemaError(f"schemahcl: missing {go_quote(kind)} in reference")
    if len(found) > 1:
        raise SchemaError(f"schemahcl: multiple {go_quote(kind)} found in reference")
    return found


def ref_name(ref: object, kind: str) -> str:
    return ref_values(ref, kind)[0]


def ref_list(b: Block, attr: str) -> list[Ref]:
    v = b.get(attr)
    if v is None:
        return []
    if isinstance(v, Ref):
        v = [v]
    if not isinstance(v, (list, tuple)):
        raise SchemaError(f"expect list of references for attribute {go_quote(attr)}, got "
                          f"{kind_of(v)}")
    for x in v:
        if not isinstance(x, Ref):
            raise SchemaError(f"expect list of references for attribute {go_quote(attr)}, "
                              f"got {kind_of(x)}")
    return list(v)
