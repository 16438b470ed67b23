"""Path functions with Go's ``path/filepath`` semantics, ``try``/``can``, and Atlas's
``sql`` and ``print``."""

from __future__ import annotations

import os
import posixpath

from ...errors import HCLError
from ..document import RawSQL
from ..values import FunctionError, to_string
from .registry import _register, _str
from .strings import _json_encode


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
