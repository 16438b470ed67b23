"""The table of standard functions and how a function declares its HCL parameters
(``hcl_function``), plus the argument checks with cty's messages."""

from __future__ import annotations

from collections.abc import Callable

from ..values import FunctionError, to_bool, to_number, to_string


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
