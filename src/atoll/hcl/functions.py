"""The standard HCL functions Atlas offers (``schemahcl/stdlib.go`` ``stdFuncs``: the go-cty
stdlib plus Atlas's URL helpers and ``sql``).

Every function takes evaluated Python values (see :mod:`atoll.hcl.evaluate`) and raises
:class:`~atoll.hcl.evaluate.FunctionError` for bad input, which the evaluator reports in HCL
wording (``Invalid function argument; Invalid value for "str" parameter: string required.``).
``try`` and ``can`` are declared ``lazy``: their arguments arrive unevaluated, as callables.

Project-specific functions (``getenv``, ``file``, ``fileset``, ``glob``) depend on the config
file's directory and live with the project code; pass them to ``Scope(functions=...)``.
"""

from __future__ import annotations

import math
import os
import posixpath
from collections.abc import Callable
from decimal import Decimal

from ..errors import HCLError
from .document import RawSQL
from .evaluate import (
    FunctionError,
    SetValue,
    format_number,
    hcl_equal,
    normalize_number,
    to_bool,
    to_number,
    to_string,
    type_name,
)


def hcl_function(*params: str, var: str | None = None, lazy: bool = False) -> Callable:
    """Declare a function's parameter names (for HCL arity messages), an optional variadic
    parameter and whether its arguments are passed lazily (as zero-argument callables)."""

    def deco(fn: Callable) -> Callable:
        fn.hcl_params = params  # type: ignore[attr-defined]
        fn.hcl_varparam = var  # type: ignore[attr-defined]
        fn.hcl_lazy = lazy  # type: ignore[attr-defined]
        return fn

    return deco


STANDARD_FUNCTIONS: dict[str, Callable] = {}


def _register(name: str, *params: str, var: str | None = None, lazy: bool = False) -> Callable:
    def deco(fn: Callable) -> Callable:
        hcl_function(*params, var=var, lazy=lazy)(fn)
        STANDARD_FUNCTIONS[name] = fn
        return fn

    return deco


# --------------------------------------------------------------------------------------------
# Argument helpers


def _str(v: object, i: int) -> str:
    if v is None:
        raise FunctionError("argument must not be null", i)
    try:
        return to_string(v)
    except ValueError:
        raise FunctionError("string required", i) from None


def _num(v: object, i: int) -> int | float:
    if v is None:
        raise FunctionError("argument must not be null", i)
    try:
        return to_number(v)
    except ValueError as e:
        raise FunctionError(str(e), i) from None


def _int(v: object, i: int) -> int:
    n = _num(v, i)
    if type(n) is float:
        if not n.is_integer():
            raise FunctionError("a whole number is required", i)
        n = int(n)
    return n  # type: ignore[return-value]


def _bool(v: object, i: int) -> bool:
    if v is None:
        raise FunctionError("argument must not be null", i)
    try:
        return to_bool(v)
    except ValueError as e:
        raise FunctionError(str(e), i) from None


def _list(v: object, i: int) -> list:
    if v is None:
        raise FunctionError("argument must not be null", i)
    if not isinstance(v, list):
        raise FunctionError("list of any single type required", i)
    return v


def _map(v: object, i: int) -> dict:
    if v is None:
        raise FunctionError("argument must not be null", i)
    if not isinstance(v, dict):
        raise FunctionError("map of any single type required", i)
    return v


# --------------------------------------------------------------------------------------------
# Strings


@_register("lower", "str")
def _lower(s):
    return _str(s, 0).lower()


@_register("upper", "str")
def _upper(s):
    return _str(s, 0).upper()


@_register("title", "str")
def _title(s):
    s = _str(s, 0)
    out = []
    prev_sep = True
    for ch in s:
        out.append(ch.upper() if prev_sep else ch)
        prev_sep = not (ch.isalnum() or ch == "_")
    return "".join(out)


@_register("trimspace", "str")
def _trimspace(s):
    return _str(s, 0).strip()


@_register("trim", "str", "cutset")
def _trim(s, cutset):
    return _str(s, 0).strip(_str(cutset, 1))


@_register("trimprefix", "str", "prefix")
def _trimprefix(s, prefix):
    s, p = _str(s, 0), _str(prefix, 1)
    return s[len(p):] if p and s.startswith(p) else s


@_register("trimsuffix", "str", "suffix")
def _trimsuffix(s, suffix):
    s, p = _str(s, 0), _str(suffix, 1)
    return s[:-len(p)] if p and s.endswith(p) else s


@_register("chomp", "str")
def _chomp(s):
    s = _str(s, 0)
    while s.endswith("\r\n") or s.endswith("\n") or s.endswith("\r"):
        s = s[:-2] if s.endswith("\r\n") else s[:-1]
    return s


@_register("indent", "spaces", "str")
def _indent(spaces, s):
    pad = " " * _int(spaces, 0)
    return _str(s, 1).replace("\n", "\n" + pad)


@_register("startswith", "str", "prefix")
def _startswith(s, prefix):
    return _str(s, 0).startswith(_str(prefix, 1))


@_register("endswith", "str", "suffix")
def _endswith(s, suffix):
    return _str(s, 0).endswith(_str(suffix, 1))


@_register("strrev", "str")
def _strrev(s):
    return _str(s, 0)[::-1]


@_register("substr", "str", "offset", "length")
def _substr(s, offset, length):
    s = _str(s, 0)
    off = _int(offset, 1)
    n = _int(length, 2)
    size = len(s)
    if off < 0:
        off = size + off
        if off < 0:
            raise FunctionError("offset out of range", 1)
    if off > size:
        return ""
    if n < 0:
        return s[off:]
    return s[off:off + n]


@_register("split", "separator", "str")
def _split(sep, s):
    sep, s = _str(sep, 0), _str(s, 1)
    if sep == "":
        return list(s)
    return s.split(sep)


@_register("join", "separator", var="lists")
def _join(sep, *lists):
    sep = _str(sep, 0)
    if not lists:
        raise FunctionError("at least one list is required", None)
    items: list[str] = []
    for i, lst in enumerate(lists, 1):
        for v in _list(lst, i):
            if v is None:
                raise FunctionError("element is null: cannot concatenate null values", i)
            items.append(_str(v, i))
    return sep.join(items)


def _go_regex(pattern: str, i: int):
    import re
    # Go RE2 named groups are (?P<name>...), as in Python; (?i) etc. are compatible.
    try:
        return re.compile(pattern)
    except re.error as e:
        raise FunctionError(f"invalid regular expression pattern: {e}", i) from None


def _go_replacement(repl: str) -> Callable:
    """Expand a Go regexp replacement template (``$1``, ``${1}``, ``$name``, ``$$``)."""

    def expand(m) -> str:
        out = []
        i = 0
        n = len(repl)
        while i < n:
            c = repl[i]
            if c != "$" or i + 1 >= n:
                out.append(c)
                i += 1
                continue
            nxt = repl[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
                continue
            if nxt == "{":
                j = repl.find("}", i + 2)
                if j < 0:
                    out.append(c)
                    i += 1
                    continue
                name = repl[i + 2:j]
                i = j + 1
            else:
                j = i + 1
                while j < n and (repl[j].isalnum() or repl[j] == "_"):
                    j += 1
                if j == i + 1:
                    out.append(c)
                    i += 1
                    continue
                name = repl[i + 1:j]
                i = j
            try:
                g = m.group(int(name)) if name.isdigit() else m.group(name)
            except IndexError:
                g = ""
            out.append(g or "")
        return "".join(out)

    return expand


@_register("replace", "str", "substr", "replace")
def _replace(s, substr, repl):
    s, sub, rep = _str(s, 0), _str(substr, 1), _str(repl, 2)
    if len(sub) > 1 and sub.startswith("/") and sub.endswith("/"):
        rx = _go_regex(sub[1:-1], 1)
        return rx.sub(_go_replacement(rep), s)
    return s.replace(sub, rep)


@_register("regexreplace", "str", "pattern", "replace")
def _regexreplace(s, pattern, repl):
    rx = _go_regex(_str(pattern, 1), 1)
    return rx.sub(_go_replacement(_str(repl, 2)), _str(s, 0))


@_register("regex", "pattern", "string")
def _regex(pattern, s):
    rx = _go_regex(_str(pattern, 0), 0)
    m = rx.search(_str(s, 1))
    if m is None:
        raise FunctionError("pattern did not match any part of the given string", None)
    if rx.groupindex:
        return {k: m.group(k) for k in rx.groupindex}
    if rx.groups:
        return list(m.groups())
    return m.group(0)


@_register("regexall", "pattern", "string")
def _regexall(pattern, s):
    rx = _go_regex(_str(pattern, 0), 0)
    out = []
    for m in rx.finditer(_str(s, 1)):
        if rx.groupindex:
            out.append({k: m.group(k) for k in rx.groupindex})
        elif rx.groups:
            out.append(list(m.groups()))
        else:
            out.append(m.group(0))
    return out


_QUOTE_META = set("\\.+*?()|[]{}^$")


@_register("regexpescape", "str")
def _regexpescape(s):
    return "".join("\\" + c if c in _QUOTE_META else c for c in _str(s, 0))


# -- format ----------------------------------------------------------------------------------


def _json_encode(v: object) -> str:
    import json

    def conv(x):
        if x is None or type(x) in (str, bool, int):
            return x
        if type(x) is float:
            return normalize_number(x)
        if isinstance(x, list):
            return [conv(e) for e in x]
        if isinstance(x, dict):
            return {str(k): conv(e) for k, e in x.items()}
        if isinstance(x, RawSQL):
            raise FunctionError("value cannot be encoded as JSON", 0)
        raise FunctionError(f"value of type {type_name(x)} cannot be encoded as JSON", 0)

    text = json.dumps(conv(v), separators=(",", ":"), sort_keys=True, ensure_ascii=False,
                      allow_nan=False)
    # Go's encoding/json escapes HTML-sensitive characters.
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _format_value(verb: str, flags: str, width: str, prec: str, v: object, argi: int) -> str:
    import json

    if verb == "v":
        if "#" in flags:
            body = _json_encode(v)
        elif v is None:
            body = "null"
        elif isinstance(v, (list, dict)):
            body = _json_encode(v)
        else:
            body = to_string(v)
        return _pad(body, flags, width)
    if v is None:
        raise FunctionError(f"unsupported value for \"%{verb}\" at {argi + 1}: null value "
                            f"cannot be formatted", None)
    if verb == "t":
        try:
            b = to_bool(v)
        except ValueError as e:
            raise FunctionError(f'unsupported value for "%t" at {argi + 1}: {e}', None) from None
        return _pad("true" if b else "false", flags, width)
    if verb in ("s", "q"):
        try:
            s = to_string(v)
        except ValueError as e:
            raise FunctionError(f'unsupported value for "%{verb}" at {argi + 1}: {e}',
                                None) from None
        if prec:
            s = s[:int(prec)]
        if verb == "q":
            s = json.dumps(s, ensure_ascii=False)
        return _pad(s, flags, width)
    try:
        n = to_number(v)
    except ValueError as e:
        raise FunctionError(f'unsupported value for "%{verb}" at {argi + 1}: {e}',
                            None) from None
    if verb in ("d", "b", "o", "x", "X"):
        if type(n) is float:
            if not n.is_integer():
                if verb in ("x", "X"):
                    return _pad(float.hex(n), flags, width)
                raise FunctionError(f'unsupported value for "%{verb}" at {argi + 1}: an '
                                    f"integer is required", None)
            n = int(n)
        if verb == "b":
            body = format(abs(n), "b")
            body = ("-" if n < 0 else ("+" if "+" in flags else "")) + body
            return _pad(body, flags, width)
        pyflags = "".join(f for f in flags if f in "-+ 0#")
        return ("%" + pyflags + width + verb) % n
    if verb in ("e", "E", "f", "F", "g", "G"):
        pyflags = "".join(f for f in flags if f in "-+ 0#")
        p = "." + prec if prec else ""
        return ("%" + pyflags + width + p + verb) % float(n)
    raise FunctionError(f'unsupported format verb "%{verb}"', None)


def _pad(s: str, flags: str, width: str) -> str:
    if not width:
        return s
    w = int(width)
    if "-" in flags:
        return s.ljust(w)
    if "0" in flags:
        return s.rjust(w, "0")
    return s.rjust(w)


def format_string(fmt: str, args: tuple | list) -> str:
    """cty's ``format``: printf-like verbs ``%v %#v %t %d %b %o %x %X %e %E %f %g %G %s %q %%``
    with flags, width, precision and ``%[n]`` argument indexes."""
    out: list[str] = []
    i = 0
    n = len(fmt)
    argi = 0
    used = 0
    while i < n:
        c = fmt[i]
        if c != "%":
            j = fmt.find("%", i)
            if j < 0:
                j = n
            out.append(fmt[i:j])
            i = j
            continue
        i += 1
        if i < n and fmt[i] == "%":
            out.append("%")
            i += 1
            continue
        flags = ""
        while i < n and fmt[i] in "+-# 0":
            flags += fmt[i]
            i += 1
        if i < n and fmt[i] == "[":
            j = fmt.find("]", i)
            if j < 0:
                raise FunctionError("unterminated argument index", 0)
            argi = int(fmt[i + 1:j]) - 1
            i = j + 1
        width = ""
        while i < n and fmt[i].isdigit():
            width += fmt[i]
            i += 1
        prec = ""
        if i < n and fmt[i] == ".":
            i += 1
            while i < n and fmt[i].isdigit():
                prec += fmt[i]
                i += 1
            prec = prec or "0"
        if i >= n:
            raise FunctionError("unterminated format verb", 0)
        verb = fmt[i]
        i += 1
        if argi >= len(args):
            raise FunctionError(f'not enough arguments for "%{verb}" at {i - 1}: need index '
                                f"{argi + 1} but have only {len(args)} arguments", None)
        out.append(_format_value(verb, flags, width, prec, args[argi], argi))
        argi += 1
        used = max(used, argi)
    if used < len(args):
        raise FunctionError(f"too many arguments; only {used} used by format string", None)
    return "".join(out)


@_register("format", "format", var="args")
def _format(fmt, *args):
    return format_string(_str(fmt, 0), args)


@_register("formatlist", "format", var="args")
def _formatlist(fmt, *args):
    fmt = _str(fmt, 0)
    n = None
    for i, a in enumerate(args, 1):
        if isinstance(a, list):
            if n is None:
                n = len(a)
            elif n != len(a):
                raise FunctionError(f"argument {i} has length {len(a)}, which is inconsistent "
                                    f"with argument 1 of length {n}", i)
    if n is None:
        n = 1
    out = []
    for k in range(n):
        row = [a[k] if isinstance(a, list) else a for a in args]
        out.append(format_string(fmt, row))
    return out


# --------------------------------------------------------------------------------------------
# Collections


@_register("length", "value")
def _length(v):
    if v is None:
        raise FunctionError("argument must not be null", 0)
    if isinstance(v, (list, dict, str)):
        return len(v)
    raise FunctionError("collection must be a list, a map or a tuple", 0)


@_register("empty", "collection")
def _empty(v):
    if isinstance(v, (list, dict)):
        return len(v) == 0
    raise FunctionError("collection must be a list, a map or a tuple", 0)


@_register("concat", var="seqs")
def _concat(*lists):
    out: list = []
    for i, lst in enumerate(lists):
        out.extend(_list(lst, i))
    return out


@_register("contains", "list", "value")
def _contains(lst, value):
    if isinstance(lst, dict):
        lst = list(lst.values())
    return any(hcl_equal(x, value) for x in _list(lst, 0))


@_register("distinct", "list")
def _distinct(lst):
    out: list = []
    for x in _list(lst, 0):
        if not any(hcl_equal(x, y) for y in out):
            out.append(x)
    return out


@_register("flatten", "list")
def _flatten(lst):
    out: list = []

    def walk(xs):
        for x in xs:
            if isinstance(x, list):
                walk(x)
            else:
                out.append(x)

    walk(_list(lst, 0))
    return out


@_register("keys", "inputMap")
def _keys(m):
    return sorted(_map(m, 0))


@_register("values", "mapping")
def _values(m):
    m = _map(m, 0)
    return [m[k] for k in sorted(m)]


@_register("lookup", "inputMap", "key", var="default")
def _lookup(m, key, *default):
    m = _map(m, 0)
    k = _str(key, 1)
    if len(default) > 1:
        raise FunctionError("lookup() takes no more than three arguments", None)
    if k in m:
        return m[k]
    if default:
        return default[0]
    raise FunctionError(f'lookup failed to find key "{k}"', None)


@_register("merge", var="maps")
def _merge(*maps):
    out: dict = {}
    for i, m in enumerate(maps):
        if m is None:
            continue
        out.update(_map(m, i))
    return out


@_register("element", "list", "index")
def _element(lst, index):
    lst = _list(lst, 0)
    i = _int(index, 1)
    if not lst:
        raise FunctionError("cannot use element function with an empty list", None)
    if i < 0:
        raise FunctionError("cannot use element function with a negative index", None)
    return lst[i % len(lst)]


@_register("index", "list", "value")
def _index(lst, value):
    for i, x in enumerate(_list(lst, 0)):
        if hcl_equal(x, value):
            return i
    raise FunctionError("item not found", None)


@_register("range", var="params")
def _range(*args):
    if not 1 <= len(args) <= 3:
        raise FunctionError("must have one, two, or three arguments", None)
    nums = [_num(a, i) for i, a in enumerate(args)]
    if len(nums) == 1:
        start, end, step = 0, nums[0], 1
    elif len(nums) == 2:
        start, end = nums
        step = 1 if end >= start else -1
    else:
        start, end, step = nums
    if step == 0:
        raise FunctionError("step must not be zero", 2)
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise FunctionError("step must be " + ("positive" if start < end else "negative") +
                            " for this range", 2 if len(nums) == 3 else None)
    out = []
    v = start
    while (v < end) if step > 0 else (v > end):
        out.append(normalize_number(v))
        if len(out) > 1024:
            raise FunctionError("more than 1024 values were generated; either decrease the "
                                "difference between start and end or use a smaller step", None)
        v += step
    return out


@_register("reverse", "list")
def _reverse(lst):
    return list(reversed(_list(lst, 0)))


@_register("slice", "list", "start_index", "end_index")
def _slice(lst, start, end):
    lst = _list(lst, 0)
    s, e = _int(start, 1), _int(end, 2)
    if s < 0:
        raise FunctionError("must be greater than or equal to 0", 1)
    if e > len(lst):
        raise FunctionError("must be less than or equal to the length of the list", 2)
    if s > e:
        raise FunctionError("must be less than or equal to end_index", 1)
    return lst[s:e]


@_register("sort", "list")
def _sort(lst):
    items = []
    for x in _list(lst, 0):
        if x is None:
            raise FunctionError("given list element is null; a null list element cannot be "
                                "sorted", 0)
        items.append(_str(x, 0))
    return sorted(items)


def make_set(values: list, arg: int = 0) -> SetValue:
    """Build an HCL set: unique elements, ordered as cty orders set elements."""
    vals = [v for v in values]
    kinds = {type_name(v) for v in vals}
    if kinds <= {"number"}:
        key = lambda v: v
    elif kinds <= {"string"}:
        key = lambda v: v.encode()
    elif kinds <= {"bool"}:
        key = lambda v: v
    elif kinds <= {"string", "number", "bool"}:
        vals = [to_string(v) for v in vals]
        key = lambda v: v.encode()
    else:
        out: list = []
        for v in vals:
            if not any(hcl_equal(v, o) for o in out):
                out.append(v)
        return SetValue(out)
    uniq: list = []
    for v in sorted(vals, key=key):
        if not uniq or not hcl_equal(uniq[-1], v):
            uniq.append(v)
    return SetValue(uniq)


@_register("toset", "v")
def _toset(v):
    if v is None:
        return None
    return make_set(_list(v, 0))


@_register("tolist", "v")
def _tolist(v):
    if v is None:
        return None
    if isinstance(v, dict):
        raise FunctionError("cannot convert object to list of any single type", 0)
    return list(_list(v, 0))


@_register("tomap", "v")
def _tomap(v):
    if v is None:
        return None
    return dict(_map(v, 0))


@_register("tostring", "v")
def _tostring(v):
    if v is None:
        return None
    if isinstance(v, (list, dict)):
        raise FunctionError(f"cannot convert {type_name(v)} to string", 0)
    return _str(v, 0)


@_register("tonumber", "v")
def _tonumber(v):
    if v is None:
        return None
    return _num(v, 0)


@_register("tobool", "v")
def _tobool(v):
    if v is None:
        return None
    return _bool(v, 0)


@_register("coalesce", var="vals")
def _coalesce(*vals):
    for v in vals:
        if v is None or v == "":
            continue
        return v
    raise FunctionError("no non-null, non-empty-string arguments", None)


@_register("coalescelist", var="vals")
def _coalescelist(*vals):
    for i, v in enumerate(vals):
        if v is None:
            continue
        if len(_list(v, i)) > 0:
            return v
    raise FunctionError("no non-null arguments", None)


@_register("compact", "list")
def _compact(lst):
    return [x for x in _list(lst, 0) if x is not None and x != ""]


@_register("alltrue", "list")
def _alltrue(lst):
    return all(x is True for x in _list(lst, 0))


@_register("anytrue", "list")
def _anytrue(lst):
    return any(x is True for x in _list(lst, 0))


@_register("chunklist", "list", "size")
def _chunklist(lst, size):
    lst = _list(lst, 0)
    n = _int(size, 1)
    if n < 0:
        raise FunctionError("the size argument must be positive", 1)
    if n == 0:
        return [list(lst)]
    return [lst[i:i + n] for i in range(0, len(lst), n)]


@_register("zipmap", "keys", "values")
def _zipmap(keys, values):
    ks, vs = _list(keys, 0), _list(values, 1)
    if len(ks) != len(vs):
        raise FunctionError(f"number of keys ({len(ks)}) does not match number of values "
                            f"({len(vs)})", None)
    return {_str(k, 0): v for k, v in zip(ks, vs)}


@_register("setunion", "first_set", var="other_sets")
def _setunion(*sets):
    out: list = []
    for i, s in enumerate(sets):
        out.extend(_list(s, i))
    return make_set(out)


@_register("setintersection", "first_set", var="other_sets")
def _setintersection(first, *others):
    base = list(_list(first, 0))
    for i, s in enumerate(others, 1):
        other = _list(s, i)
        base = [x for x in base if any(hcl_equal(x, y) for y in other)]
    return make_set(base)


@_register("setsubtract", "a", "b")
def _setsubtract(a, b):
    other = _list(b, 1)
    return make_set([x for x in _list(a, 0) if not any(hcl_equal(x, y) for y in other)])


@_register("setproduct", var="sets")
def _setproduct(*sets):
    import itertools
    lists = [_list(s, i) for i, s in enumerate(sets)]
    return [list(p) for p in itertools.product(*lists)]


# --------------------------------------------------------------------------------------------
# Numbers


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


# --------------------------------------------------------------------------------------------
# Encoding


@_register("jsonencode", "val")
def _jsonencode(v):
    return _json_encode(v)


def _from_json(x):
    if type(x) is float:
        return normalize_number(x)
    if isinstance(x, list):
        return [_from_json(e) for e in x]
    if isinstance(x, dict):
        return {k: _from_json(e) for k, e in x.items()}
    return x


@_register("jsondecode", "str")
def _jsondecode(s):
    import json

    text = _str(s, 0)
    try:
        value = json.loads(text, parse_float=lambda t: normalize_number(float(Decimal(t))))
    except ValueError as e:
        raise FunctionError(f"{e}", 0) from None
    return _from_json(value)


@_register("csvdecode", "str")
def _csvdecode(s):
    import csv
    import io
    rows = list(csv.reader(io.StringIO(_str(s, 0))))
    if not rows:
        raise FunctionError("missing header line", 0)
    header, data = rows[0], rows[1:]
    out = []
    for i, row in enumerate(data, 2):
        if len(row) != len(header):
            raise FunctionError(f"record on line {i}: wrong number of fields", 0)
        out.append(dict(zip(header, row)))
    return out


# --------------------------------------------------------------------------------------------
# URLs (Atlas-specific), following Go's net/url


@_register("urlescape", "string")
def _urlescape(s):
    from urllib.parse import quote_plus
    return quote_plus(_str(s, 0), safe="")


@_register("urlqueryescape", "string")
def _urlqueryescape(s):
    return _urlescape(s)


def _split_url(u: str, i: int):
    from urllib.parse import urlsplit
    try:
        return urlsplit(u)
    except ValueError as e:
        raise FunctionError(str(e), i) from None


def _go_url_string(original: str, parts, path: str, query: str) -> str:
    """Go's ``url.URL.String``: unlike ``urlunsplit`` it keeps ``//`` for an empty host
    (``sqlite:///data/x.db``); only a URL parsed without ``//`` (``sqlite:/x.db``) omits it."""
    out = f"{parts.scheme}:" if parts.scheme else ""
    had_authority = original[len(out):].startswith("//")
    if parts.scheme or parts.netloc:
        omit_host = not had_authority and not parts.netloc
        if not omit_host and (parts.netloc or path):
            out += "//"
        out += parts.netloc
    if path and not path.startswith("/") and parts.netloc:
        out += "/"
    out += path
    if query:
        out += "?" + query
    if parts.fragment:
        out += "#" + parts.fragment
    return out


@_register("urlsetpath", "url", "path")
def _urlsetpath(u, path):
    parts = _split_url(_str(u, 0), 0)
    return _go_url_string(_str(u, 0), parts, _str(path, 1), parts.query)


@_register("urlqueryset", "url", "key", "value")
def _urlqueryset(u, key, value):
    from urllib.parse import parse_qsl, quote_plus
    parts = _split_url(_str(u, 0), 0)
    k, v = _str(key, 1), _str(value, 2)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    groups: dict[str, list[str]] = {}
    for pk, pv in pairs:
        groups.setdefault(pk, []).append(pv)
    groups[k] = [v]
    query = "&".join(f"{quote_plus(gk, safe='')}={quote_plus(gv, safe='')}"
                     for gk in sorted(groups) for gv in groups[gk])
    return _go_url_string(_str(u, 0), parts, parts.path, query)


@_register("urluserinfo", "url", "user", var="pass")
def _urluserinfo(u, user, *password):
    from urllib.parse import quote, urlunsplit
    parts = _split_url(_str(u, 0), 0)
    host = parts.netloc.rsplit("@", 1)[-1]
    info = quote(_str(user, 1), safe="!$&'()*+,;=-._~")
    if password and password[0] is not None:
        info += ":" + quote(_str(password[0], 2), safe="!$&'()*+,;=-._~")
    return urlunsplit((parts.scheme, f"{info}@{host}", parts.path, parts.query, parts.fragment))


# --------------------------------------------------------------------------------------------
# Paths (Go path/filepath semantics)


def _go_clean(p: str) -> str:
    if p == "":
        return "."
    return posixpath.normpath(p) if not p.startswith("//") else "/" + posixpath.normpath(p).lstrip("/")


@_register("abspath", "path")
def _abspath(p):
    return os.path.abspath(_str(p, 0))


@_register("basename", "path")
def _basename(p):
    p = _str(p, 0)
    if p == "":
        return "."
    p = p.rstrip("/")
    if p == "":
        return "/"
    return p.rsplit("/", 1)[-1]


@_register("dirname", "path")
def _dirname(p):
    p = _str(p, 0)
    i = p.rfind("/")
    return _go_clean(p[:i + 1])


# --------------------------------------------------------------------------------------------
# Control and Atlas-specific


@_register("try", var="expressions", lazy=True)
def _try(*thunks):
    if not thunks:
        raise FunctionError("at least one argument is required", None)
    errors = []
    for t in thunks:
        try:
            return t()
        except HCLError as e:
            errors.append(str(e))
    raise FunctionError("no expression succeeded:\n" +
                        "\n".join(f"- {e}" for e in errors) +
                        "\n\nAt least one expression must produce a successful result", None)


@_register("can", "expression", lazy=True)
def _can(thunk):
    try:
        thunk()
    except HCLError:
        return False
    return True


@_register("sql", "def")
def _sql(x):
    text = _str(x, 0)
    if not text:
        raise FunctionError("empty expression", None)
    return RawSQL(text)


@_register("print", "v")
def _print(v):
    import sys
    if v is None or isinstance(v, (list, dict)):
        sys.stdout.write(_json_encode(v) + "\n")
    else:
        sys.stdout.write(to_string(v) + "\n")
    return v


__all__ = [
    "STANDARD_FUNCTIONS",
    "FunctionError",
    "format_number",
    "format_string",
    "hcl_function",
    "make_set",
]
