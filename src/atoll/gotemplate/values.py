"""Go values as templates see them: the error type, ``strconv.Quote``, Go type names
for messages and ``%T``, and map keys in Go's printing order."""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any

from ..errors import AtollError


class TemplateError(AtollError):
    """A template that does not parse (``template: NAME:LINE: …``) or does not execute
    (``template: NAME:LINE:COL: executing "NAME" at <…>: …``)."""


_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\v": "\\v"}


def _quote(s: str, quote: str = '"', ascii_only: bool = False) -> str:
    """strconv.Quote (QuoteToASCII with ascii_only, QuoteRune with quote="'")."""
    out = [quote]
    for ch in s:
        c = ord(ch)
        if ch == quote or ch == "\\":
            out.append("\\" + ch)
        elif (c < 0x80 or not ascii_only) and ch.isprintable() and not 0xD800 <= c < 0xE000:
            out.append(ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif c < 0x20 or c == 0x7F:
            out.append(f"\\x{c:02x}")
        elif 0xD800 <= c < 0xE000:
            out.append("\\ufffd")
        elif c < 0x10000:
            out.append(f"\\u{c:04x}")
        else:
            out.append(f"\\U{c:08x}")
    out.append(quote)
    return "".join(out)


def _can_backquote(s: str) -> bool:
    return all(ch == "\t" or (ch != "`" and ch != "\ufeff" and ch.isprintable()) for ch in s)


def _rune_name(ch: str) -> str:
    """fmt's %#U: U+0021 '!'."""
    c = ord(ch)
    return f"U+{c:04X} '{ch}'" if ch.isprintable() else f"U+{c:04X}"


def _is_dataclass(v: Any) -> bool:
    return hasattr(type(v), "__dataclass_fields__") and not isinstance(v, type)


def _has_str(v: Any) -> bool:
    """A Go Stringer/error: an exception, or a class with its own __str__."""
    return isinstance(v, BaseException) or type(v).__str__ is not object.__str__


_FUNC_TYPES = (types.FunctionType, types.MethodType, types.BuiltinFunctionType)


def _go_type(v: Any) -> str:
    """The Go type a Python value stands for, as fmt's %T and the error messages spell it."""
    if v is None:
        return "<nil>"
    name = getattr(type(v), "__gotype__", None)
    if isinstance(name, str):
        return name
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, complex):
        return "complex128"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (bytes, bytearray)):
        return "[]uint8"
    if isinstance(v, (list, tuple, set, frozenset)):
        return "[]interface {}"
    if isinstance(v, Mapping):
        if all(isinstance(k, str) for k in v):
            return "map[string]interface {}"
        return "map[interface {}]interface {}"
    if isinstance(v, _FUNC_TYPES):
        return "func"
    return type(v).__name__


def _sort_key(k: Any) -> tuple:
    if k is None:
        return (0, 0)
    if isinstance(k, bool):
        return (1, k)
    if isinstance(k, (int, float)):
        return (2, k)
    if isinstance(k, str):
        return (3, k)
    return (4, str(k))


def _sorted_items(m: Mapping) -> list[tuple[Any, Any]]:
    """Map entries in fmtsort's order (numbers by value, strings lexically)."""
    try:
        keys = sorted(m, key=_sort_key)
    except TypeError:
        keys = sorted(m, key=lambda k: (_sort_key(k)[0], str(k)))
    return [(k, m[k]) for k in keys]
