"""HCL values and cty's conversion rules over them: the set type, the errors functions
raise, type names for messages, and string/number/bool conversions and equality."""

from __future__ import annotations

import math
from decimal import Decimal


class NotAValue(Exception):
    """Raised by ``hcl_finalize`` when an object cannot be used as a value."""


class FunctionError(Exception):
    """Raised by a function implementation. ``arg`` is the index of the offending argument
    (reported as ``Invalid value for "<param>" parameter``), or None for a general failure
    (``Call to function "f" failed``)."""

    def __init__(self, message: str, arg: int | None = None):
        super().__init__(message)
        self.message = message
        self.arg = arg


class SetValue(list):
    """An HCL set: a list whose elements are unique and ordered (strings lexically, numbers
    numerically). ``for_each`` over a set binds ``each.key`` to the element."""

    __slots__ = ()



def type_name(v: object) -> str:
    """cty's friendly type name of a value, for messages."""
    if v is None:
        return "null"
    t = type(v)
    if t is bool:
        return "bool"
    if t is int or t is float:
        return "number"
    if t is str:
        return "string"
    if t is SetValue:
        return "set"
    if isinstance(v, list):
        return "tuple"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def normalize_number(x: int | float) -> int | float:
    """Integral floats become ints (cty numbers have no int/float distinction)."""
    if type(x) is float and x.is_integer() and abs(x) < 1e300:
        return int(x)
    return x


def format_number(x: int | float) -> str:
    if type(x) is int:
        return str(x)
    if x.is_integer() and math.isfinite(x):
        return str(int(x))
    if not math.isfinite(x):
        return "+Inf" if x > 0 else ("-Inf" if x < 0 else "NaN")
    text = repr(x)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def to_string(v: object) -> str:
    t = type(v)
    if t is str:
        return v  # type: ignore[return-value]
    if t is bool:
        return "true" if v else "false"
    if t is int or t is float:
        return format_number(v)  # type: ignore[arg-type]
    if v is None:
        raise ValueError("a string is required, but the value is null")
    raise ValueError("string required")


def to_number(v: object) -> int | float:
    t = type(v)
    if t is int or t is float:
        return v  # type: ignore[return-value]
    if t is str:
        n = parse_numeric_string(v)  # type: ignore[arg-type]
        if n is not None:
            return n
        raise ValueError(f'cannot convert "{v}" to number; given string must be a decimal '
                         f'representation of a number')
    if v is None:
        raise ValueError("a number is required, but the value is null")
    raise ValueError("a number is required")


_NUMERIC_CHARS = frozenset("0123456789.eE+-")


def parse_numeric_string(s: str) -> int | float | None:
    """The number a string spells (``"1"``, ``"-2.5"``, ``"1e3"``), or None."""
    if not s or not _NUMERIC_CHARS.issuperset(s) or not any(c.isdigit() for c in s):
        return None
    try:
        d = Decimal(s)
    except ArithmeticError:
        return None
    if not d.is_finite():
        return None
    if d == d.to_integral_value() and d.adjusted() < 400:
        return int(d)
    return float(d)


def to_bool(v: object) -> bool:
    if type(v) is bool:
        return v  # type: ignore[return-value]
    if type(v) is str:
        if v == "true":
            return True
        if v == "false":
            return False
        raise ValueError(f'cannot convert "{v}" to bool; only the strings "true" or "false" '
                         f"are allowed")
    if v is None:
        raise ValueError("a bool is required, but the value is null")
    raise ValueError("a bool is required")


def hcl_equal(a: object, b: object) -> bool:
    """cty equality: values of different types are never equal (``1 != "1"``, ``1 != true``)."""
    if a is None or b is None:
        return a is None and b is None
    ta, tb = type(a), type(b)
    if ta is bool or tb is bool:
        return ta is tb and a == b
    if ta in (int, float):
        return tb in (int, float) and a == b
    if ta is str:
        return tb is str and a == b
    if isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b):
            return False
        return all(hcl_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        if not isinstance(b, dict) or a.keys() != b.keys():
            return False
        return all(hcl_equal(a[k], b[k]) for k in a)
    return a == b


def iter_items(v: object) -> list[tuple[object, object]] | None:
    """(key, value) pairs of a collection in HCL iteration order, or None when ``v`` is not
    iterable. Objects iterate in key order; sets give each element as key and value."""
    if type(v) is SetValue:
        return [(x, x) for x in v]
    if isinstance(v, list):
        return list(enumerate(v))
    if isinstance(v, dict):
        return [(k, v[k]) for k in sorted(v)]
    items = getattr(v, "hcl_items", None)
    if items is not None:
        return list(items())
    return None
