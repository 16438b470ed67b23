"""SQLite column types: declared text ⇄ ``ColumnType`` ⇄ Atlas schema-HCL type expressions.

Three conversions (spec/schema-hcl.md §3):

* ``parse_type(text)`` — the declared type text (from ``pragma_table_xinfo`` or produced by HCL)
  to a ``ColumnType``, as Atlas's SQLite ``ParseType`` does.
* ``format_type(t)`` — the type as written in generated SQL: the lower-cased base name only
  (``varchar(255)`` → ``varchar``); user-defined types keep their original text.
* ``type_from_hcl(value)`` / ``hcl_type_text(t)`` — the registry of HCL type names
  (``varchar(255)``, ``unsigned_big_int``, ``sql("timestamp")``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ...errors import HCLError, SchemaError
from ...gotext import go_quote
from ...hcl.document import RawSQL, TypeCall, Word
from ...schema.diff import is_quoted  # noqa: F401 (re-exported)
from ...schema.model import ColumnType, TypeClass

__all__ = [
    "TypeSpec",
    "REGISTRY",
    "parse_type",
    "format_type",
    "type_from_hcl",
    "hcl_type_text",
    "registry_spec",
    "is_literal_bool",
    "is_literal_number",
    "is_quoted",
    "is_blob",
]

# --- ParseType -----------------------------------------------------------------------------

_CLASSES: dict[str, TypeClass] = {}
for _names, _cls in (
    (("bool", "boolean"), TypeClass.BOOL),
    (("blob",), TypeClass.BINARY),
    (("int2", "int8", "int", "uint64", "integer", "tinyint", "smallint", "mediumint", "bigint",
      "unsigned big int"), TypeClass.INTEGER),
    (("real", "double", "double precision", "float"), TypeClass.FLOAT),
    (("numeric", "decimal"), TypeClass.DECIMAL),
    (("char", "character", "varchar", "varying character", "nchar", "native character",
      "nvarchar", "text", "clob"), TypeClass.STRING),
    (("json", "jsonb"), TypeClass.JSON),
    (("date", "datetime", "time", "timestamp"), TypeClass.TIME),
    (("uuid",), TypeClass.UUID),
):
    for _n in _names:
        _CLASSES[_n] = _cls

_SPLIT = re.compile(r"[() ,]")
_GO_INT = re.compile(r"[+-]?[0-9]+")


def _is_uint(s: str) -> bool:
    # Go's sqlx.IsUint: every rune is a decimal digit (unicode.IsDigit, i.e. category Nd).
    return all(unicodedata.category(ch) == "Nd" for ch in s)


def _column_parts(text: str) -> list[str]:
    parts = [p for p in _SPLIT.split(text.strip().lower()) if p]
    # Up to two leading words are joined back (``varying character``, ``unsigned big int``).
    for _ in range(2):
        if len(parts) > 1 and not _is_uint(parts[0]) and not _is_uint(parts[1]):
            parts[1] = parts[0] + " " + parts[1]
            parts = parts[1:]
    return parts


def _parse_int(s: str) -> int | None:
    """Go's strconv.ParseInt(s, 10, 64); None on error."""
    if not _GO_INT.fullmatch(s):
        return None
    v = int(s)
    return v if -(1 << 63) <= v < (1 << 63) else None


def parse_type(text: str) -> ColumnType:
    """The model type for a declared SQLite type text (Atlas's ``ParseType``).

    ``raw`` keeps ``text`` unchanged. Unknown names become user-defined types holding the
    original text. Raises ``SchemaError`` for unparsable sizes (``parse size "x"``).
    Results are cached (a schema repeats a handful of type texts; the values are
    immutable; errors are not cached)."""
    found = _PARSED.get(text)
    if found is None:
        found = _parse_type(text)
        if len(_PARSED) < 4096:
            _PARSED[text] = found
    return found


_PARSED: dict[str, ColumnType] = {}


def _parse_type(text: str) -> ColumnType:
    if text == "":
        return ColumnType(cls=TypeClass.BINARY, name="blob", raw="")
    parts = _column_parts(text)
    if not parts:
        return ColumnType(cls=TypeClass.USER, name=text, raw=text)
    base = parts[0]
    cls = _CLASSES.get(base)
    if cls is None:
        return ColumnType(cls=TypeClass.USER, name=text, raw=text)
    if cls is TypeClass.DECIMAL:
        precision = scale = 0
        if len(parts) > 1:
            p = _parse_int(parts[1])
            if p is None:
                raise SchemaError(f"parse precision {go_quote(parts[1])}")
            precision = p
        if len(parts) > 2:
            s = _parse_int(parts[2])
            if s is None:
                # Atlas reports the precision text here (sic).
                raise SchemaError(f"parse scale {go_quote(parts[1])}")
            scale = s
        return ColumnType(cls=cls, name=base, raw=text, precision=precision, scale=scale)
    if cls is TypeClass.STRING:
        size = 0
        if len(parts) > 1:
            v = _parse_int(parts[1])
            if v is None:
                raise SchemaError(f"parse size {go_quote(parts[1])}")
            size = v
        return ColumnType(cls=cls, name=base, raw=text, size=size)
    return ColumnType(cls=cls, name=base, raw=text)


def format_type(t: ColumnType) -> str:
    """The type as Atlas writes it in SQL: the lower-cased base name, sizes dropped; a
    user-defined type verbatim."""
    if t.cls is TypeClass.USER:
        return t.name
    return t.name.lower()


# --- the HCL registry ----------------------------------------------------------------------


@dataclass(frozen=True)
class TypeSpec:
    """One registered HCL type: ``name`` is the HCL identifier, ``t`` the database type text,
    ``attrs`` the optional arguments in order (``size``, or ``precision`` and ``scale``)."""

    name: str
    t: str
    attrs: tuple[str, ...] = ()


_SIZE = ("size",)
_PS = ("precision", "scale")

REGISTRY: tuple[TypeSpec, ...] = (
    TypeSpec("real", "real", _PS),
    TypeSpec("blob", "blob", _SIZE),
    TypeSpec("text", "text", _SIZE),
    TypeSpec("integer", "integer", _SIZE),
    TypeSpec("int", "int", _SIZE),
    TypeSpec("tinyint", "tinyint", _SIZE),
    TypeSpec("smallint", "smallint", _SIZE),
    TypeSpec("mediumint", "mediumint", _SIZE),
    TypeSpec("bigint", "bigint", _SIZE),
    TypeSpec("unsigned_big_int", "unsigned big int", _SIZE),
    TypeSpec("int2", "int2", _SIZE),
    TypeSpec("int8", "int8", _SIZE),
    TypeSpec("uint64", "uint64", _SIZE),
    TypeSpec("double", "double", _SIZE),
    TypeSpec("double_precision", "double precision", _SIZE),
    TypeSpec("float", "float", _SIZE),
    TypeSpec("character", "character", _SIZE),
    TypeSpec("varchar", "varchar", _SIZE),
    TypeSpec("varying_character", "varying character", _SIZE),
    TypeSpec("nchar", "nchar", _SIZE),
    TypeSpec("native_character", "native character", _SIZE),
    TypeSpec("nvarchar", "nvarchar", _SIZE),
    TypeSpec("clob", "clob", _SIZE),
    TypeSpec("numeric", "numeric", _PS),
    TypeSpec("decimal", "decimal", _PS),
    TypeSpec("bool", "bool"),
    TypeSpec("boolean", "boolean"),
    TypeSpec("date", "date"),
    TypeSpec("datetime", "datetime"),
    TypeSpec("json", "json"),
    TypeSpec("uuid", "uuid"),
    TypeSpec("jsonb", "jsonb"),
)

_BY_NAME = {s.name: s for s in REGISTRY}
_BY_T = {s.t: s for s in REGISTRY}


def registry_spec(name: str) -> TypeSpec | None:
    """The registered type with this HCL name (``unsigned_big_int``), or None."""
    return _BY_NAME.get(name)


def _arg_text(v: object) -> list[str]:
    """An HCL type argument as Atlas prints it before parsing (``valueArgs``, int kinds)."""
    if isinstance(v, bool):
        return ["true" if v else "false"]
    if isinstance(v, (int, float, Decimal, Fraction)):
        return [str(int(v))]  # truncated toward zero, like big.Float.Int64
    if isinstance(v, str):
        return [go_quote(v)]
    if isinstance(v, (list, tuple)):
        return [a for x in v for a in _arg_text(x)]
    return []


def type_from_hcl(value: object) -> ColumnType:
    """The model type for an evaluated HCL ``type = ...`` value: ``TypeCall`` (registered
    names, with optional arguments), ``RawSQL`` (``sql("...")``), or a bare ``Word``.
    A schema repeats a handful of types thousands of times: valid ones are cached (the
    values are immutable; errors are not cached, so they keep their own position)."""
    # A TypeCall is keyed by its name and arguments as a plain tuple (what its equality
    # compares), which hashes and compares in C.
    key = (value.name, value.args) if type(value) is TypeCall else value
    try:
        return _TYPE_CACHE[key]
    except (KeyError, TypeError):
        pass
    result = _type_from_hcl(value)
    if len(_TYPE_CACHE) < 4096:
        try:
            _TYPE_CACHE[key] = result
        except TypeError:  # unhashable arguments
            pass
    return result


_TYPE_CACHE: dict[object, ColumnType] = {}


def _type_from_hcl(value: object) -> ColumnType:
    if isinstance(value, Word):
        value = TypeCall(value.name)
    if isinstance(value, RawSQL):
        return parse_type(value.text)
    if not isinstance(value, TypeCall):
        raise SchemaError(f"invalid column type {value!r}: expected a type such as int, "
                          f'varchar(255) or sql("...")')
    spec = _BY_NAME.get(value.name)
    pos = value.pos
    if spec is None:
        if value.args:
            raise HCLError(f'Call to unknown function; There is no function named '
                           f'"{value.name}".', pos)
        raise HCLError(f'Unknown column.type; There is no type named "{value.name}".', pos)
    if value.args and not spec.attrs:
        raise HCLError(f'Call to unknown function; Type "{spec.name}" does not accept '
                       f"attributes", pos)
    if len(value.args) > len(spec.attrs):
        raise HCLError(f'Error in function call; Call to function "{spec.name}" failed: too '
                       f'many arguments for type definition "{spec.name}".', pos)
    args = [a for v in value.args for a in _arg_text(v)]
    text = spec.t + (f"({','.join(args)})" if args else "")
    return parse_type(text)


def _type_fields(t: ColumnType) -> dict[str, int]:
    """The fields the Go type struct of each class has (``Convert`` reads them by name)."""
    if t.cls is TypeClass.STRING:
        return {"size": t.size}
    if t.cls is TypeClass.DECIMAL:
        return {"precision": t.precision, "scale": t.scale}
    if t.cls is TypeClass.FLOAT:
        return {"precision": t.precision}
    if t.cls is TypeClass.BINARY and t.size:
        return {"size": t.size}
    return {}


def hcl_type_text(t: ColumnType) -> str:
    """The HCL expression for a model type, as ``atlas schema inspect`` prints it:
    ``int``, ``varchar(255)``, ``decimal(10,2)``, ``unsigned_big_int``, ``sql("timestamp")``."""
    spec = _BY_T.get(t.name)
    if spec is None:
        return f"sql({go_quote(format_type(t))})"
    fields = _type_fields(t)
    args: list[int] = []
    # Trailing zero arguments are left out; a zero before a non-zero one is kept.
    for attr in reversed(spec.attrs):
        v = fields.get(attr)
        if v is None or (v == 0 and not args):
            continue
        args.insert(0, v)
    if not args:
        return spec.name
    return f"{spec.name}({','.join(str(a) for a in args)})"


# --- SQL literal forms (Atlas's sqlx helpers) -------------------------------------------

_GO_BOOLS = {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"}
_GO_FLOAT = re.compile(
    r"[+-]?(?:(?:[0-9](?:_?[0-9])*)?\.?(?:[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9]+)?"
    r"|inf|infinity|nan)", re.IGNORECASE)
_HEX = re.compile(r"[0-9a-fA-F]+")


def is_literal_bool(s: str) -> bool:
    return s in _GO_BOOLS


def _parse_go_float(s: str) -> bool:
    """Whether Go's strconv.ParseFloat(s, 64) accepts s (decimal forms; hex floats aside).
    Underscores are only accepted by Go with a base prefix, so they are rejected here."""
    if "_" in s or not s:
        return False
    if not _GO_FLOAT.fullmatch(s):
        return False
    body = s.lstrip("+-").lower()
    if body in ("inf", "infinity", "nan"):
        return not (body == "nan" and s[0] in "+-")
    mant = body.split("e")[0]
    return any(ch.isdigit() for ch in mant)


def _parse_go_uint_hex(s: str) -> bool:
    return bool(_HEX.fullmatch(s)) and int(s, 16) < (1 << 64)


def is_literal_number(s: str) -> bool:
    if s.startswith(("0x", "0X")):
        return _parse_go_uint_hex(s[2:])
    return _parse_go_float(s)


def is_blob(s: str) -> bool:
    if s.startswith(("x'", "X'")) and s.endswith("'") and len(s) >= 3:
        return _parse_go_uint_hex(s[2:-1])
    return False



# --- Go's strconv.Quote ------------------------------------------------------------------

