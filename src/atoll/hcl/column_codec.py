"""Schema HCL ⇄ one column (type, nullability, default, generated expression, comment), as
Atlas's SQLite codec reads and writes it (spec/schema-hcl.md §2.3)."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

from ..dialects.sqlite.types import (
    hcl_type_text,
    is_literal_number,
    is_quoted,
    type_from_hcl,
)
from ..errors import SchemaError
from ..gotext import go_quote
from ..schema.model import Column, Generated, Literal, RawExpr, TypeClass
from .document import Block, RawSQL, Ref, Word
from .spec_values import NUMBER_TYPES, kind_of, block_label, opt_bool, opt_str
from .spec_writer import Attr, Blk, hcl_quote


_PLAIN_ATTRS = frozenset({"null", "type", "default"})


def decode_column(b: Block) -> Column:
    attrs = b.attrs
    if not b.blocks and attrs.keys() <= _PLAIN_ATTRS:
        # The usual column (null, type, default): the checks below in short, same results.
        t = attrs.get("type")
        n = attrs.get("null")
        null = False if n is None else n.value
        if t is not None and type(null) is bool:
            d = attrs.get("default")
            default = None if d is None else _decode_default(d.value)
            return Column(b.labels[-1] if b.labels else "", type_from_hcl(t.value), null,
                          default)
    name = block_label(b)
    default = _decode_default(b.get("default"))
    if "type" not in b.attrs or b.get("type") is None:
        raise SchemaError(f"missing type for column {go_quote(name)}")
    ctype = type_from_hcl(b.get("type"))
    comment = opt_str(b, "comment", "column")
    auto_increment = opt_bool(b, "auto_increment", "column")
    generated = None
    as_attr = b.get("as")
    as_blocks = b.children("as")
    if as_attr is not None and as_blocks:
        raise SchemaError(f"multiple as definitions for column {go_quote(name)}")
    if as_attr is not None:
        if not isinstance(as_attr, str):
            raise SchemaError(f"column {go_quote(name)}: attribute \"as\" must be a string, got "
                              f"{kind_of(as_attr)}")
        generated = Generated(expr=as_attr, storage=_stored_or_virtual(""))
    elif as_blocks:
        ab = as_blocks[0]
        expr = opt_str(ab, "expr", "as") or ""
        typ = ab.get("type")
        if isinstance(typ, Word):
            typ = typ.name
        elif isinstance(typ, Ref):
            typ = typ.name
        elif typ is None:
            typ = ""
        elif not isinstance(typ, str):
            raise SchemaError(f"column {go_quote(name)}: as.type must be STORED or VIRTUAL, got "
                              f"{kind_of(typ)}")
        generated = Generated(expr=expr, storage=_stored_or_virtual(typ))
    return Column(
        name=name,
        type=ctype,
        null=opt_bool(b, "null", "column"),
        default=default,
        auto_increment=auto_increment,
        generated=generated,
        comment=comment,
    )


def _stored_or_virtual(s: str) -> str:
    s = s.upper()
    return s or "VIRTUAL"


def _decode_default(v: object) -> Literal | RawExpr | None:
    """An HCL ``default`` value (Atlas's ``specutil.Default``)."""
    if v is None:
        return None
    if isinstance(v, RawSQL):
        return RawExpr(v.text)
    if isinstance(v, bool):
        return Literal("true" if v else "false")
    if isinstance(v, str):
        return Literal(v)
    if isinstance(v, NUMBER_TYPES):
        return Literal(_number_text(v))
    raise SchemaError(f"unsupported type for default value: {kind_of(v)}")


def _number_text(v: int | float | Decimal | Fraction) -> str:
    """An HCL number as Atlas stores it in a literal default: integers in full, other numbers
    as big.Float's String() (``%.10g``)."""
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):
        raise SchemaError("unsupported number for default value")
    if v == int(v):
        return str(int(v))
    return format(float(v), ".10g")


def _sql(s: str) -> str:
    return f"sql({go_quote(s)})"


def _float_text(f: float) -> str:
    """big.Float.Text('f', -1) of a float64 value."""
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    s = format(Decimal(repr(f)), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _default_value(col: Column) -> str:
    """The HCL text of an inspected default (Atlas's ``specutil.ColumnDefault``)."""
    d = col.default
    if isinstance(d, RawExpr):
        return _sql(d.expr)
    assert isinstance(d, Literal)
    v = d.value
    textlike = col.type.cls is TypeClass.STRING
    if v.startswith(("0x", "0X", "0b", "0B", "b'", "B'", "x'", "X'")):
        return _sql(v)
    if is_quoted(v, "'", '"'):
        return hcl_quote(_unquote(v))
    if v.lower() in ("true", "false"):
        return v.lower()
    if not textlike and is_literal_number(v):
        if "." in v:
            return _float_text(float(v))
        if re.fullmatch(r"[+-]?[0-9]+", v):
            n = int(v)
            if n < -(1 << 63) or (n >= (1 << 63) and v[0] in "+-"):
                raise SchemaError(f"strconv.ParseUint: parsing {go_quote(v)}: invalid syntax")
            if n >= (1 << 64):
                raise SchemaError(f"strconv.ParseUint: parsing {go_quote(v)}: value out of range")
            return str(n)
        raise SchemaError(f"strconv.ParseInt: parsing {go_quote(v)}: invalid syntax")
    return hcl_quote(v)


_GO_SIMPLE = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
              "\\": "\\", '"': '"'}


def _unquote(s: str) -> str:
    """Atlas's ``sqlx.Unquote``: ``'it''s'`` → ``it's``; ``"..."`` with Go's escapes."""
    if s[0] == "'":
        return s[1:-1].replace("''", "'")
    body = s[1:-1]
    out = bytearray()
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c == '"' or c == "\n":
            raise SchemaError("invalid syntax")
        if c != "\\":
            out += c.encode("utf-8", "surrogatepass")
            i += 1
            continue
        if i + 1 >= n:
            raise SchemaError("invalid syntax")
        e = body[i + 1]
        if e in _GO_SIMPLE:
            out += _GO_SIMPLE[e].encode()
            i += 2
        elif e == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", body[i + 2:i + 4]):
            out.append(int(body[i + 2:i + 4], 16))
            i += 4
        elif e in "01234567" and re.fullmatch(r"[0-7]{3}", body[i + 1:i + 4]) \
                and int(body[i + 1:i + 4], 8) < 256:
            out.append(int(body[i + 1:i + 4], 8))
            i += 4
        elif e in "uU":
            width = 4 if e == "u" else 8
            h = body[i + 2:i + 2 + width]
            if not re.fullmatch(r"[0-9a-fA-F]{%d}" % width, h):
                raise SchemaError("invalid syntax")
            cp = int(h, 16)
            if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
                raise SchemaError("invalid syntax")
            out += chr(cp).encode()
            i += 2 + width
        else:
            raise SchemaError("invalid syntax")
    return out.decode("utf-8", "replace")


def column_block(col: Column) -> Blk:
    body: list[Attr | Blk] = [
        Attr("null", "true" if col.null else "false"),
        Attr("type", hcl_type_text(col.type)),
    ]
    if col.default is not None:
        body.append(Attr("default", _default_value(col)))
    if col.comment is not None:
        body.append(Attr("comment", hcl_quote(col.comment)))
    if col.auto_increment:
        body.append(Attr("auto_increment", "true"))
    if col.generated is not None:
        body.append(Blk("as", (), [
            Attr("expr", hcl_quote(col.generated.expr)),
            Attr("type", _stored_or_virtual(col.generated.storage)),
        ]))
    return Blk("column", [col.name], body)
