"""PostgreSQL column types: parsing (catalog rows, ``CREATE TABLE`` text, HCL), the canonical
SQL text Atlas's ``FormatType`` gives (what the planner writes and the diff compares), and the
HCL text ``schema inspect`` prints (spec/postgres.md §4).

A type is a ``ColumnType`` whose ``cls`` says which of Atlas's type structs it stands for,
``name`` is the lower-cased base name (Atlas's ``T``), and ``raw`` is the canonical SQL text.
Enums carry ``schema``; arrays carry ``elem``.
"""

from __future__ import annotations

import re

from ...errors import SchemaError
from ...hcl.document import RawSQL, Ref, TypeCall
from ...schema.model import ColumnType, TypeClass

DEFAULT_TIME_PRECISION = 6

_INTEGERS = {"smallint", "integer", "bigint", "int", "int2", "int4", "int8", "int64", "xid",
             "xid8"}
_STRINGS = {"character", "char", "character varying", "varchar", "text", "bpchar", "name"}
_NETWORK = {"cidr", "inet", "macaddr", "macaddr8"}
_SPATIAL = {"circle", "line", "lseg", "box", "path", "polygon", "point", "geometry"}
_TIMES = {"time", "time without time zone", "timetz", "time with time zone", "timestamp",
          "timestamptz", "timestamp with time zone", "timestamp without time zone"}
_FLOATS = {"real", "double precision", "float", "float4", "float8"}
_SERIALS = {"smallserial": "smallserial", "serial": "serial", "bigserial": "bigserial",
            "serial2": "smallserial", "serial4": "serial", "serial8": "bigserial"}
_RANGES = {"int4range", "int4multirange", "int8range", "int8multirange", "numrange",
           "nummultirange", "tsrange", "tsmultirange", "tstzrange", "tstzmultirange",
           "daterange", "datemultirange"}
_OIDS = {"oid", "regclass", "regcollation", "regconfig", "regdictionary", "regnamespace",
         "regoper", "regoperator", "regproc", "regprocedure", "regrole", "regtype"}
_PSEUDO = {"any", "anyelement", "anyarray", "anynonarray", "anyenum", "internal", "record",
           "trigger", "event_trigger", "void", "unknown"}
_INTERVAL_FIELDS = ("year to month", "day to hour", "day to minute", "day to second",
                    "hour to minute", "hour to second", "minute to second", "year", "month",
                    "day", "hour", "minute", "second")
_INTERVAL_WITH_PRECISION = {"interval", "second", "day to second", "hour to second",
                            "minute to second"}

# Base names of Atlas's PostgreSQL HCL type specs (TypeRegistry), as written in HCL.
HCL_TYPE_NAMES = frozenset(
    {"bit", "bit_varying", "varchar", "character_varying", "char", "character", "bpchar",
     "int2", "int4", "int8", "int", "integer", "smallint", "bigint", "text", "boolean", "bool",
     "bytea", "date", "time", "timetz", "timestamptz", "timestamp", "double_precision", "real",
     "float", "float8", "float4", "numeric", "decimal", "xml", "json", "jsonb", "uuid",
     "money", "tsvector", "tsquery", "hstore", "name"}
    | _NETWORK | (_SPATIAL - {"geometry"}) | set(_SERIALS) | _RANGES | _OIDS | _PSEUDO
    | {"xid", "xid8"} | {"interval"} | {f.replace(" ", "_") for f in _INTERVAL_FIELDS})

_ARRAY = re.compile(r"(?is)(.+?)(( +ARRAY( *\[[ \d]*] *)*)+|( *\[[ \d]*] *)+)$")
_INTERVAL = re.compile(
    r"(?i)(?:INTERVAL\s*)?(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND|YEAR TO MONTH|DAY TO HOUR|"
    r"DAY TO MINUTE|DAY TO SECOND|HOUR TO MINUTE|HOUR TO SECOND|MINUTE TO SECOND)?\s*"
    r"(?:\(([0-6])\))?$")


def time_alias(t: str) -> str:
    t = t.lower()
    return {"timestamp with time zone": "timestamptz",
            "timestamp without time zone": "timestamp",
            "time without time zone": "time",
            "time with time zone": "timetz"}.get(t, t)


def _ct(cls: TypeClass, name: str, *, size: int = 0, precision: int = 0, scale: int = 0,
        interval: str = "", schema: str | None = None, elem: ColumnType | None = None,
        raw: str | None = None) -> ColumnType:
    t = ColumnType(cls=cls, name=name, raw="", size=size, precision=precision, scale=scale,
                   schema=schema, elem=elem)
    text = raw if raw is not None else format_type(t, interval)
    return ColumnType(cls=cls, name=name, raw=text, size=size, precision=precision,
                      scale=scale, schema=schema, elem=elem)


def format_type(t: ColumnType, interval: str = "") -> str:
    """Atlas's ``FormatType``: the canonical SQL text of a type (aliases resolved)."""
    c, f = t.cls, t.name.lower()
    if c is TypeClass.INTEGER:
        return {"int2": "smallint", "int": "integer", "int4": "integer",
                "int8": "bigint"}.get(f, f)
    if c is TypeClass.BIT:
        if (f == "bit" and t.size > 1) or (f == "bit varying" and t.size > 0):
            return f"{f}({t.size})"
        return f
    if c is TypeClass.BOOL:
        return "boolean" if f == "bool" else f
    if c is TypeClass.STRING:
        if f in ("char", "character"):
            return f"character({t.size or 1})"
        if f in ("varchar", "character varying"):
            return f"character varying({t.size})" if t.size else "character varying"
        return f
    if c is TypeClass.TIME:
        f = time_alias(f)
        if f.startswith("time") and t.precision != DEFAULT_TIME_PRECISION:
            f += f"({t.precision})"
        return f
    if c is TypeClass.INTERVAL:
        if t.raw:
            return t.raw
        f = "interval" + (f" {interval.lower()}" if interval else "")
        if t.precision != DEFAULT_TIME_PRECISION:
            f += f"({t.precision})"
        return f
    if c is TypeClass.FLOAT:
        if f == "float4":
            return "real"
        if f == "float8":
            return "double precision"
        if f == "float":
            if 0 < t.precision <= 24:
                return "real"
            if t.precision == 0 or 24 < t.precision <= 53:
                return "double precision"
            raise SchemaError(f"postgres: precision for type float must be between 1 and 53: "
                              f"{t.precision}")
        return f
    if c is TypeClass.DECIMAL:
        f = "numeric"
        if t.precision == 0 and t.scale == 0:
            return f
        if t.scale < 0:
            raise SchemaError(f"postgres: decimal type must have scale >= 0: {t.scale}")
        if t.precision == 0:
            raise SchemaError(f"postgres: decimal type must have precision between 1 and "
                              f"1000: {t.precision}")
        return f"{f}({t.precision})" if t.scale == 0 else f"{f}({t.precision},{t.scale})"
    if c is TypeClass.SERIAL:
        return _SERIALS.get(f, f)
    if c is TypeClass.ARRAY:
        return t.raw.lower() if t.raw else f + "[]"
    if c in (TypeClass.ENUM, TypeClass.USER):
        return t.raw or t.name
    return f


# --- parsing ---------------------------------------------------------------------------------


def _parts(s: str) -> list[str]:
    return [p for p in re.split(r"[() ,]", s) if p]


def _from_desc(typ: str, fmtype: str = "", *, size: int = 0, precision: int = 0,
               scale: int = 0, time_precision: int | None = None, interval: str = "",
               typtype: str = "") -> ColumnType:
    """Atlas's ``columnType``: a type from its parsed description."""
    t = typ.lower()
    if typtype in ("d", "e"):
        return _ct(TypeClass.USER, fmtype, raw=fmtype)
    if t in _INTEGERS:
        return _ct(TypeClass.INTEGER, t)
    if t in ("bit", "bit varying"):
        return _ct(TypeClass.BIT, t, size=size)
    if t in ("bool", "boolean"):
        return _ct(TypeClass.BOOL, t)
    if t == "bytea":
        return _ct(TypeClass.BINARY, t)
    if t in _STRINGS:
        if t == "character" and size == 0 and fmtype == "bpchar":
            t = "bpchar"
        return _ct(TypeClass.STRING, t, size=size)
    if t in _NETWORK:
        return _ct(TypeClass.NETWORK, t)
    if t in _SPATIAL:
        return _ct(TypeClass.SPATIAL, t)
    if t == "date":
        return _ct(TypeClass.TIME, t)
    if t in _TIMES:
        p = DEFAULT_TIME_PRECISION if time_precision is None else time_precision
        return _ct(TypeClass.TIME, t, precision=p)
    if t == "interval":
        p = DEFAULT_TIME_PRECISION if time_precision is None else time_precision
        field = ""
        if interval:
            m = _INTERVAL.match(interval)
            if not m or not m.group(1):
                return _ct(TypeClass.USER, interval, raw=interval)
            field = m.group(1)
        return _ct(TypeClass.INTERVAL, "interval", precision=p, interval=field)
    if t in _FLOATS:
        return _ct(TypeClass.FLOAT, t, precision=precision)
    if t in ("json", "jsonb"):
        return _ct(TypeClass.JSON, t)
    if t == "money":
        return _ct(TypeClass.CURRENCY, t)
    if t in ("decimal", "numeric"):
        return _ct(TypeClass.DECIMAL, t, precision=precision, scale=scale)
    if t in _SERIALS:
        return _ct(TypeClass.SERIAL, t, precision=precision)
    if t == "uuid":
        return _ct(TypeClass.UUID, t)
    if t == "xml":
        return _ct(TypeClass.XML, t)
    if t == "array":
        m = _ARRAY.match(fmtype)
        elem = parse_type(m.group(1).strip()) if m else None
        return _ct(TypeClass.ARRAY, elem.raw if elem else fmtype, elem=elem, raw=fmtype)
    if t in ("tsvector", "tsquery"):
        return _ct(TypeClass.TEXT_SEARCH, t)
    if t in _RANGES:
        return _ct(TypeClass.RANGE, t)
    if t in _OIDS:
        return _ct(TypeClass.OID, t)
    if t in _PSEUDO:
        return _ct(TypeClass.PSEUDO, t)
    ft = fmtype or typ
    return _ct(TypeClass.USER, ft, raw=ft)


def _int(s: str, what: str) -> int:
    try:
        return int(s)
    except ValueError:
        raise SchemaError(f"postgres: parse {what} {s!r}") from None


def parse_type(text: str) -> ColumnType:
    """Atlas's ``ParseType``: a type written in ``CREATE TABLE`` form (``varchar(255)``,
    ``int[]``, ``timestamp(4) with time zone``, ``interval day to second(3)``)."""
    text = text.strip()
    if not text:
        raise SchemaError("postgres: unexpected empty column type")
    m = _ARRAY.match(text)
    if m:
        return _from_desc("array", m.group(1).strip() + "[]")
    parts = _parts(text)
    if not parts:
        return _ct(TypeClass.USER, text, raw=text)
    head = parts[0].lower()
    lower = " ".join(parts).lower()
    size = precision = scale = 0
    time_precision = None
    interval = ""
    typ = head
    if head in ("varchar", "character", "char"):
        rest = parts[1:]
        if lower.startswith("character varying"):
            typ, rest = "character varying", parts[2:]
        elif head == "varchar":
            typ = "varchar"
        if rest:
            size = _int(rest[0], "size")
    elif head in ("decimal", "numeric", "float"):
        if len(parts) > 1:
            precision = _int(parts[1], "precision")
        if len(parts) > 2:
            scale = _int(parts[2], "scale")
    elif head == "bit":
        rest = parts[1:]
        if not rest:
            size = 1
        else:
            if rest[0].lower() == "varying":
                typ, rest = "bit varying", rest[1:]
            if rest:
                size = _int(rest[0], "size")
    elif head in ("double", "float8"):
        typ = "double precision" if head == "double" else head
        precision = 53
    elif head in ("real", "float4"):
        precision = 24
    elif head in ("time", "timetz", "timestamp", "timestamptz"):
        time_precision = DEFAULT_TIME_PRECISION
        rest = parts[1:]
        if rest and re.search(r"\d", rest[0]):
            time_precision = _int(rest[0], "time precision")
            rest = rest[1:]
        typ = time_alias(" ".join([parts[0], *rest]))
    elif head == "interval":
        m2 = _INTERVAL.match(text)
        if m2:
            interval = m2.group(1) or ""
            if m2.group(2):
                time_precision = int(m2.group(2))
    else:
        typ = text
    t = _from_desc(typ, size=size, precision=precision, scale=scale,
                   time_precision=time_precision, interval=interval)
    return t


def inspected_type(data_type: str, fmtype: str, *, size: int | None, precision: int | None,
                   scale: int | None, time_precision: int | None, interval: str | None,
                   typtype: str | None) -> ColumnType:
    """The type of an inspected column (``information_schema.columns`` + ``format_type``)."""
    return _from_desc(data_type or "", fmtype or "", size=size or 0, precision=precision or 0,
                      scale=scale or 0, time_precision=time_precision,
                      interval=interval or "", typtype=typtype or "")


def enum_type(name: str, schema: str | None) -> ColumnType:
    return ColumnType(cls=TypeClass.ENUM, name=name, raw=name, schema=schema)


def serial_of(t: ColumnType) -> ColumnType | None:
    """The serial type standing for an integer column with a ``nextval`` default."""
    name = {"smallint": "smallserial", "integer": "serial", "bigint": "bigserial"}.get(t.raw)
    return _ct(TypeClass.SERIAL, name) if name else None


def serial_int(t: ColumnType) -> str:
    return {"smallserial": "smallint", "serial": "integer", "bigserial": "bigint"}[t.raw]


# --- HCL -------------------------------------------------------------------------------------


def hcl_type_text(t: ColumnType, *, qualify_enum: str | None = None) -> str:
    """The HCL text of a type: ``integer``, ``character_varying(255)``, ``enum.status``,
    ``sql("integer[]")``."""
    from ...gotext import go_quote

    if t.cls is TypeClass.ENUM:
        return f"enum.{qualify_enum}.{t.name}" if qualify_enum else f"enum.{t.name}"
    f = t.raw
    if t.cls is TypeClass.INTERVAL:
        f = f[len("interval "):] if f.startswith("interval ") else f
    base, _, args = f.partition("(")
    word = base.strip().replace(" ", "_")
    if t.cls not in (TypeClass.ARRAY, TypeClass.USER) and word in HCL_TYPE_NAMES:
        return word + (f"({args}" if args else "")
    if t.cls is TypeClass.USER and f in HCL_TYPE_NAMES:
        return f
    return f"sql({go_quote(f)})"


def _hcl_arg(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v)


def type_from_hcl(value: object, enums: dict[str, ColumnType]) -> ColumnType:
    """The type an HCL ``type`` attribute describes. ``enums`` maps enum names (and
    ``schema.name``) of the document to their types."""
    if isinstance(value, Ref):
        kinds = [k for k, _ in value.path]
        if kinds and kinds[0] == "enum":
            name = value.path[0][1]
            hit = enums.get(name) or enums.get(name.split(".", 1)[-1])
            if hit is None:
                raise SchemaError(f'enum "{name}" was not found in realm')
            return hit
        raise SchemaError(f"postgres: unsupported type reference {value.text}")
    if isinstance(value, RawSQL):
        t = parse_type(value.text)
        if t.cls is TypeClass.ARRAY and t.elem is not None and t.elem.cls is TypeClass.USER:
            hit = enums.get(t.elem.raw)
            if hit is not None:
                return ColumnType(cls=TypeClass.ARRAY, name=hit.name, raw=t.raw, elem=hit)
        if t.cls is TypeClass.USER and t.raw in enums:
            return enums[t.raw]
        return t
    if isinstance(value, TypeCall):
        name = value.name.lower()
        if name in {f.replace(" ", "_") for f in _INTERVAL_FIELDS}:
            name = "interval " + name.replace("_", " ")
        else:
            name = name.replace("_", " ")
        if name not in {n.replace("_", " ") for n in HCL_TYPE_NAMES} and \
                not name.startswith("interval "):
            raise SchemaError(f'unknown type "{value.name}"')
        args = ",".join(_hcl_arg(a) for a in value.args)
        if name.startswith("interval "):
            return parse_type(f"{name}({args})" if args else name)
        return parse_type(f"{name}({args})" if args else name)
    if isinstance(value, str):
        return parse_type(value)
    raise SchemaError(f"postgres: unsupported column type {value!r}")


LITERAL_CLASSES = (TypeClass.BOOL, TypeClass.DECIMAL, TypeClass.INTEGER, TypeClass.FLOAT,
                   TypeClass.SERIAL)
# Types whose ``'x'::type`` default is kept as the quoted literal (Atlas's canConvert).
QUOTED_LITERAL_CLASSES = (TypeClass.ENUM, TypeClass.ARRAY, TypeClass.BINARY, TypeClass.JSON,
                          TypeClass.NETWORK, TypeClass.SPATIAL, TypeClass.STRING,
                          TypeClass.TIME, TypeClass.UUID, TypeClass.XML)
