"""Collection functions: lists, maps and sets (``length``, ``concat``, ``lookup``,
``merge``, ``toset``, ``setproduct`` …) and the type conversions ``tolist``/``tomap``/…."""

from __future__ import annotations

import itertools

from ..values import FunctionError, SetValue, hcl_equal, normalize_number, to_string, type_name
from .registry import _bool, _int, _list, _map, _num, _register, _str


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
