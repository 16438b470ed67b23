"""Number functions: ``min``, ``max``, ``sum``, ``abs``, ``ceil``, ``floor``, ``pow``,
``log``, ``parseint`` …."""

from __future__ import annotations

import math

from ..values import FunctionError, normalize_number
from .registry import _int, _list, _num, _register, _str


@_register("min", var="numbers")
def _min(*nums):
    if not nums:
        raise FunctionError("must pass at least one number", None)
    return min(_num(n, i) for i, n in enumerate(nums))


@_register("max", var="numbers")
def _max(*nums):
    if not nums:
        raise FunctionError("must pass at least one number", None)
    return max(_num(n, i) for i, n in enumerate(nums))


@_register("sum", "list")
def _sum(lst):
    lst = _list(lst, 0)
    if not lst:
        raise FunctionError("cannot sum an empty list", 0)
    total: int | float = 0
    for x in lst:
        total += _num(x, 0)
    return normalize_number(total)


@_register("abs", "num")
def _abs(n):
    return abs(_num(n, 0))


@_register("ceil", "num")
def _ceil(n):
    v = _num(n, 0)
    return v if type(v) is int else math.ceil(v)


@_register("floor", "num")
def _floor(n):
    v = _num(n, 0)
    return v if type(v) is int else math.floor(v)


@_register("signum", "num")
def _signum(n):
    v = _num(n, 0)
    return (v > 0) - (v < 0)


@_register("pow", "num", "power")
def _pow(a, b):
    try:
        return normalize_number(float(_num(a, 0)) ** _num(b, 1))
    except (OverflowError, ZeroDivisionError) as e:
        raise FunctionError(str(e), None) from None


@_register("log", "num", "base")
def _log(n, base):
    try:
        return normalize_number(math.log(_num(n, 0), _num(base, 1)))
    except (ValueError, ZeroDivisionError) as e:
        raise FunctionError(str(e), None) from None


@_register("parseint", "number", "base")
def _parseint(s, base):
    import json

    text = _str(s, 0)
    b = _int(base, 1)
    if not 2 <= b <= 62:
        raise FunctionError("base must be a whole number between 2 and 62 inclusive", 1)
    digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    t = text
    neg = t.startswith("-")
    if t[:1] in "+-":
        t = t[1:]
    if not t:
        raise FunctionError(f"cannot parse {json.dumps(text)} as a base {b} integer", 0)
    value = 0
    for ch in t:
        d = digits.find(ch) if b > 36 else digits.find(ch.lower())
        if d < 0 or d >= b:
            raise FunctionError(f"cannot parse {json.dumps(text)} as a base {b} integer", 0)
        value = value * b + d
    return -value if neg else value
