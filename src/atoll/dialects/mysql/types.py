"""MySQL column types: parsing ``COLUMN_TYPE`` text (and HCL type calls) into ``ColumnType``,
and formatting a type back as DDL, as Atlas's ``ParseType``/``FormatType`` do
(spec/mysql.md §4).

``bool``/``boolean`` and any integer of display width 1 are BOOL; other display widths are
dropped (``int(11)`` formats as ``int``); ``unsigned`` is a flag on the type and an attribute
in HCL."""

from __future__ import annotations

import re

from ...errors import SchemaError
from ...hcl.document import RawSQL, TypeCall
from ...schema.model import ColumnType, TypeClass

INTEGERS = ("tinyint", "smallint", "mediumint", "int", "bigint")
_STRINGS = ("char", "varchar", "tinytext", "text", "mediumtext", "longtext")
_BLOBS = ("tinyblob", "blob", "mediumblob", "longblob")
_TIMES = ("date", "datetime", "time", "timestamp", "year")
_SPATIAL = ("point", "multipoint", "linestring", "multilinestring", "polygon", "multipolygon",
            "geometry", "geomcollection", "geometrycollection")
HCL_TYPE_NAMES = frozenset(("bit", "bool", "boolean", "decimal", "numeric", "float", "double",
                            "real", "binary", "varbinary", "enum", "set", "json", "uuid",
                            "inet4", "inet6", "integer") + INTEGERS + _STRINGS + _BLOBS
                           + _TIMES + _SPATIAL)


def _tokens(raw: str) -> list[str]:
    return [t for t in re.split(r"[(), ]", raw) if t]


def parse_type(raw: str) -> ColumnType:
    """A type from information_schema's ``COLUMN_TYPE`` (or the same text from HCL)."""
    text = re.sub(r"\s*/\*.*?\*/\s*", " ", raw).strip()
    low = text.lower()
    parts = _tokens(low)
    if not parts:
        raise SchemaError(f'mysql: unexpected type "{raw}"')
    name = parts[0]
    if name == "integer":
        name = "int"
    unsigned = parts[-1] in ("unsigned", "zerofill") or "unsigned" in parts[1:]
    size = 0
    if len(parts) > 1 and parts[1].isdigit():
        size = int(parts[1])

    def ct(cls: TypeClass, **kw) -> ColumnType:
        return ColumnType(cls=cls, name=kw.pop("name", name), raw=text, **kw)

    if name == "bit":
        return ct(TypeClass.BIT, size=size)
    if name in ("bool", "boolean"):
        return ct(TypeClass.BOOL, name="bool")
    if name in INTEGERS:
        if size == 1:
            return ct(TypeClass.BOOL, name="bool")
        return ct(TypeClass.INTEGER, size=size, unsigned=unsigned)
    if name in ("decimal", "numeric"):
        nums = [int(p) for p in parts[1:3] if p.isdigit()]
        return ct(TypeClass.DECIMAL, precision=nums[0] if nums else 0,
                  scale=nums[1] if len(nums) > 1 else 0, unsigned=unsigned)
    if name in ("float", "double", "real"):
        return ct(TypeClass.FLOAT, precision=size, unsigned=unsigned)
    if name in ("binary", "varbinary"):
        return ct(TypeClass.BINARY, size=size if len(parts) > 1 else -1)
    if name in _BLOBS:
        return ct(TypeClass.BINARY)
    if name in ("char", "varchar"):
        return ct(TypeClass.STRING, size=size)
    if name in _STRINGS:
        return ct(TypeClass.STRING, size=size)
    if name in ("enum", "set"):
        m = re.match(rf"{name}\((.*)\)$", text, re.IGNORECASE | re.DOTALL)
        if not m or not m.group(1):
            raise SchemaError(f'unexpected enum type: "{raw}"')
        values = tuple(v.strip("'") for v in m.group(1).split("','"))
        return ct(TypeClass.ENUM, values=values)
    if name in _TIMES:
        return ct(TypeClass.TIME, precision=size if len(parts) > 1 else -1)
    if name == "json":
        return ct(TypeClass.JSON)
    if name in _SPATIAL:
        return ct(TypeClass.SPATIAL)
    if name == "uuid":
        return ct(TypeClass.UUID)
    if name in ("inet4", "inet6"):
        return ct(TypeClass.NETWORK)
    return ColumnType(cls=TypeClass.USER, name=text, raw=text)


def _values(vs) -> str:
    out = []
    for v in vs:
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
            out.append(v)
        else:
            out.append(f"'{v}'")
    return ",".join(out)


def format_type(t: ColumnType) -> str:
    """The DDL text of a type (Atlas's ``FormatType``)."""
    n, cls = t.name.lower(), t.cls
    uns = " unsigned" if t.unsigned else ""
    if cls is TypeClass.BIT:
        return f"{n}({t.size})" if t.size > 1 else n
    if cls is TypeClass.BOOL:
        return "bool"
    if cls is TypeClass.BINARY:
        if (n == "varbinary" and t.size >= 0) or (n == "binary" and t.size not in (-1, 1)):
            return f"{n}({max(t.size, 0)})"
        return n
    if cls is TypeClass.DECIMAL:
        p, s = t.precision, t.scale
        if p < s:
            raise SchemaError(f"decimal type must have precision >= scale: {p} < {s}")
        if p == 0 and s == 0:
            p = 10
        return (f"decimal({p})" if s == 0 else f"decimal({p},{s})") + uns
    if cls is TypeClass.FLOAT:
        if (n == "float" and t.precision > 24) or n == "real":
            n = "double"
        return n + uns
    if cls is TypeClass.INTEGER:
        return n + uns
    if cls is TypeClass.ENUM:
        return f"{n}({_values(t.values)})"
    if cls is TypeClass.STRING:
        if n == "char":
            return f"char({t.size})" if t.size > 0 else "char"
        if n == "varchar":
            return f"varchar({t.size})"
        return n
    if cls is TypeClass.TIME:
        return f"{n}({t.precision})" if t.precision > 0 else n
    if cls in (TypeClass.JSON, TypeClass.SPATIAL, TypeClass.UUID, TypeClass.NETWORK):
        return n
    raise SchemaError(f'unsupported type "{t.raw or t.name}"')


def hcl_type_text(t: ColumnType) -> str:
    """The ``type = …`` value ``schema inspect`` prints (``unsigned`` is its own attribute)."""
    if t.cls is TypeClass.USER:
        return f"sql({_go_quote(t.raw)})"
    if t.cls is TypeClass.ENUM:
        return f"{t.name.lower()}(" + ",".join(_go_quote(v) for v in t.values) + ")"
    text = format_type(t)
    return text[:-len(" unsigned")] if t.unsigned else text


def _go_quote(s: str) -> str:
    from ...gotext import go_quote

    return go_quote(s)


def type_from_hcl(value: object, unsigned: bool) -> ColumnType:
    """The type an HCL ``type`` attribute (plus ``unsigned``) describes."""
    if isinstance(value, RawSQL):
        t = parse_type(value.text)
    elif isinstance(value, TypeCall):
        name = value.name.lower()
        if name not in HCL_TYPE_NAMES:
            raise SchemaError(f'unknown type "{value.name}"')
        if name in ("enum", "set"):
            vals = tuple(str(a) for a in value.args)
            return ColumnType(cls=TypeClass.ENUM, name=name, raw=f"{name}({_values(vals)})",
                              values=vals)
        args = ",".join(str(int(a)) if isinstance(a, (int, float)) else str(a)
                        for a in value.args)
        t = parse_type(f"{name}({args})" if value.args else name)
        if name in ("binary", "varbinary") and not value.args:
            t = ColumnType(cls=t.cls, name=t.name, raw=t.raw, size=-1)
    elif isinstance(value, str):
        t = parse_type(value)
    else:
        raise SchemaError(f"mysql: unsupported column type {value!r}")
    if unsigned and t.cls in (TypeClass.INTEGER, TypeClass.DECIMAL, TypeClass.FLOAT):
        from dataclasses import replace

        t = replace(t, unsigned=True)
    return t


NUMERIC_DEFAULT = (TypeClass.BIT, TypeClass.BOOL, TypeClass.INTEGER, TypeClass.DECIMAL,
                   TypeClass.FLOAT)


def supports_charset(t: ColumnType) -> bool:
    return t.cls in (TypeClass.STRING, TypeClass.ENUM)
