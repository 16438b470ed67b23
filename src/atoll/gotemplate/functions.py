"""The builtin template functions (``and or not len index slice eq lt html js printf`` …),
by name, with their arity."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .fmt import sprint, sprintf, sprintln
from .values import _FUNC_TYPES, _go_type, _is_dataclass


class _FuncError(Exception):
    """An error a builtin returns; execution reports it as ``error calling NAME: …``."""


def _truth(v: Any) -> bool:
    if v is None:
        return False
    if isinstance(v, (bool, int, float, complex)):
        return v != 0
    if isinstance(v, (str, bytes, bytearray, list, tuple, Mapping, set, frozenset)):
        return len(v) > 0
    if _is_dataclass(v) or isinstance(v, _FUNC_TYPES):
        return True
    if hasattr(type(v), "__len__"):
        try:
            return len(v) > 0
        except TypeError:
            return True
    return True


def _not(v: Any) -> bool:
    return not _truth(v)


def _len(v: Any) -> int:
    if v is None:
        raise _FuncError("len of nil pointer")
    if isinstance(v, str):
        return len(v.encode())
    if isinstance(v, (bytes, bytearray, list, tuple, Mapping, set, frozenset)):
        return len(v)
    if not isinstance(v, (bool, int, float, complex)) and hasattr(type(v), "__len__"):
        return len(v)
    raise _FuncError(f"len of type {_go_type(v)}")


def _index_arg(index: Any, cap: int) -> int:
    if index is None:
        raise _FuncError("cannot index slice/array with nil")
    if isinstance(index, bool) or not isinstance(index, int):
        raise _FuncError(f"cannot index slice/array with type {_go_type(index)}")
    if index < 0 or index > cap:
        raise _FuncError(f"index out of range: {index}")
    return index


def _index(item: Any, *indexes: Any) -> Any:
    if item is None:
        raise _FuncError("index of untyped nil")
    for index in indexes:
        if item is None:
            raise _FuncError("index of nil pointer")
        if isinstance(item, (str, bytes, bytearray, list, tuple)):
            seq = item.encode() if isinstance(item, str) else item
            x = _index_arg(index, len(seq))
            if x == len(seq):
                raise _FuncError(f"index out of range: {x}")
            item = seq[x]
        elif isinstance(item, Mapping):
            try:
                item = item.get(index)
            except TypeError:
                raise _FuncError(f"value has type {_go_type(index)}; should be string") from None
        else:
            raise _FuncError(f"can't index item of type {_go_type(item)}")
    return item


def _slice(item: Any, *indexes: Any) -> Any:
    if item is None:
        raise _FuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise _FuncError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise _FuncError("cannot 3-index slice a string")
        seq: Any = item.encode()
    elif isinstance(item, (list, tuple, bytes, bytearray)):
        seq = item
    else:
        raise _FuncError(f"can't slice item of type {_go_type(item)}")
    idx = [0, len(seq), len(seq)]
    for i, index in enumerate(indexes):
        idx[i] = _index_arg(index, len(seq))
    if idx[0] > idx[1]:
        raise _FuncError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise _FuncError(f"invalid slice index: {idx[1]} > {idx[2]}")
    out = seq[idx[0]:idx[1]]
    return out.decode("utf-8", "replace") if isinstance(item, str) else out


def _basic_kind(v: Any) -> str | None:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, complex):
        return "complex"
    if isinstance(v, str):
        return "string"
    return None


def _incompatible(a: Any, b: Any) -> _FuncError:
    return _FuncError(f"incompatible types for comparison: {_go_type(a)} and {_go_type(b)}")


def _eq(arg1: Any, *args: Any) -> bool:
    if not args:
        raise _FuncError("missing argument for comparison")
    k1 = _basic_kind(arg1)
    for arg in args:
        k2 = _basic_kind(arg)
        if k1 != k2:
            if arg1 is not None and arg is not None:
                raise _incompatible(arg1, arg)
            truth = False
        else:
            truth = bool(arg1 == arg)
        if truth:
            return True
    return False


def _ne(a: Any, b: Any) -> bool:
    return not _eq(a, b)


def _lt(a: Any, b: Any) -> bool:
    k1 = _basic_kind(a)
    k2 = _basic_kind(b)
    if k1 is None or k2 is None:
        raise _FuncError("invalid type for comparison")
    if k1 != k2:
        raise _incompatible(a, b)
    if k1 in ("bool", "complex"):
        raise _FuncError("invalid type for comparison")
    return a < b


def _le(a: Any, b: Any) -> bool:
    return _lt(a, b) or _eq(a, b)


def _gt(a: Any, b: Any) -> bool:
    return not _le(a, b)


def _ge(a: Any, b: Any) -> bool:
    return not _lt(a, b)


def _eval_args(args: tuple) -> str:
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return sprint(*args)


_HTML_ESC = {"\0": "\ufffd", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _html(*args: Any) -> str:
    return "".join(_HTML_ESC.get(c, c) for c in _eval_args(args))


_JS_ESC = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026",
           "=": "\\u003D"}


def _js(*args: Any) -> str:
    out = []
    for c in _eval_args(args):
        if c in _JS_ESC:
            out.append(_JS_ESC[c])
        elif c < " ":
            out.append(f"\\u00{ord(c):02X}")
        elif c >= "\x80" and not c.isprintable():
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return "".join(out)


def _urlquery(*args: Any) -> str:
    from urllib.parse import quote_plus

    return quote_plus(_eval_args(args), safe="")


def _printf(fmt: str, *args: Any) -> str:
    return sprintf(fmt, *args)


# name -> (implementation, number of fixed arguments, variadic)
_BUILTINS: dict[str, tuple[Callable | None, int, bool]] = {
    "and": (None, 1, True),
    "or": (None, 1, True),
    "not": (_not, 1, False),
    "len": (_len, 1, False),
    "index": (_index, 1, True),
    "slice": (_slice, 1, True),
    "print": (sprint, 0, True),
    "printf": (_printf, 1, True),
    "println": (sprintln, 0, True),
    "eq": (_eq, 1, True),
    "ne": (_ne, 2, False),
    "lt": (_lt, 2, False),
    "le": (_le, 2, False),
    "gt": (_gt, 2, False),
    "ge": (_ge, 2, False),
    "html": (_html, 0, True),
    "js": (_js, 0, True),
    "urlquery": (_urlquery, 0, True),
    "call": (None, 1, True),
}
