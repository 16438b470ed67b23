"""Evaluation of HCL expressions into plain Python values.

Values: ``str``, ``int``/``float`` (integral results are ints, as cty numbers print),
``bool``, ``None`` (null), ``list`` (tuples and lists), :class:`SetValue` (a ``list`` that is an
HCL set: de-duplicated and ordered), ``dict`` (objects and maps), and the classes of
:mod:`atoll.hcl.document`.

Extension protocol: an object placed in a scope may define

* ``hcl_getattr(name)`` / ``hcl_index(key)`` — traversal steps (raise ``KeyError`` when absent),
* ``hcl_items()`` — ``(key, value)`` pairs for ``for`` expressions and splats,
* ``hcl_finalize()`` — the value it stands for once evaluation is over (e.g. a block
  reference becomes a :class:`~atoll.hcl.document.Ref`); raise :class:`NotAValue` when it can't
  be used as a value.

Functions are plain callables; optional attributes declared with
:func:`atoll.hcl.functions.hcl_function` give HCL-style arity checks (``hcl_params``,
``hcl_varparam``) and lazy arguments (``hcl_lazy``: each argument arrives as a zero-argument
callable, as ``try``/``can`` need).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal

from ..errors import HCLError, SourcePos
from . import ast
from .ast import span
from .functions import STANDARD_FUNCTIONS
from .values import (
    FunctionError,
    NotAValue,
    SetValue,
    hcl_equal,
    iter_items,
    normalize_number,
    to_bool,
    to_number,
    to_string,
    type_name,
)

_MISSING = object()



class Lazy:
    """A value computed on first use (then cached). Used for ``local.*`` and ``data.*``.

    ``name`` is used in the cycle error: ``cyclic reference to "local.a"``."""

    __slots__ = ("fn", "name", "_state", "_value")

    def __init__(self, fn: Callable[[], object], name: str | None = None):
        self.fn = fn
        self.name = name
        self._state = 0  # 0 = not computed, 1 = computing, 2 = done
        self._value = None

    def get(self) -> object:
        if self._state == 2:
            return self._value
        if self._state == 1:
            raise HCLError(f'cyclic reference to "{self.name or "value"}"')
        self._state = 1
        try:
            value = self.fn()
        except BaseException:
            self._state = 0
            raise
        self._value = value
        self._state = 2
        return value

    @property
    def resolved(self) -> bool:
        return self._state == 2

    def __repr__(self) -> str:
        return f"Lazy({self.name or self.fn!r})"


class Scope:
    """Variables and functions visible to an expression. Lookups go up the ``parent`` chain;
    functions fall back to :data:`atoll.hcl.functions.STANDARD_FUNCTIONS`."""

    __slots__ = ("variables", "functions", "parent")

    def __init__(self, variables: dict[str, object] | None = None,
                 functions: dict[str, Callable] | None = None, parent: "Scope | None" = None):
        self.variables = variables if variables is not None else {}
        self.functions = functions
        self.parent = parent

    def child(self, **variables: object) -> "Scope":
        return Scope(variables, None, self)

    def lookup(self, name: str, default: object = _MISSING) -> object:
        """The value of variable ``name`` (a Lazy is resolved), or ``default``."""
        s: Scope | None = self
        while s is not None:
            v = s.variables.get(name, _MISSING)
            if v is not _MISSING:
                if type(v) is Lazy:
                    return v.get()
                return v
            s = s.parent
        return default

    def has(self, name: str) -> bool:
        s: Scope | None = self
        while s is not None:
            if name in s.variables:
                return True
            s = s.parent
        return False

    def function(self, name: str) -> Callable | None:
        s: Scope | None = self
        while s is not None:
            if s.functions is not None:
                f = s.functions.get(name)
                if f is not None:
                    return f
            s = s.parent
        return STANDARD_FUNCTIONS.get(name)


# --------------------------------------------------------------------------------------------
# Public entry points


def eval_expr(expr: ast.Expr, scope: Scope) -> object:
    """Evaluate ``expr`` in ``scope`` into a plain value (see the module docstring)."""
    value = _EVAL[expr.__class__](expr, scope)
    if value is None or type(value) in _PLAIN:
        return value
    try:
        return finalize(value)
    except NotAValue as e:
        raise HCLError(f"Invalid value; {e}", expr.range) from None


def eval_raw(expr: ast.Expr, scope: Scope) -> object:
    """Evaluate without :func:`finalize` (extension objects are returned as they are)."""
    return _EVAL[expr.__class__](expr, scope)


_PLAIN = frozenset((str, int, float, bool))


def finalize(value: object) -> object:
    """Resolve lazies and extension objects inside ``value`` (recursively)."""
    t = type(value)
    if value is None or t in _PLAIN:
        return value
    if t is list:
        return [finalize(v) for v in value]
    if t is SetValue:
        return SetValue(finalize(v) for v in value)
    if t is dict:
        return {k: finalize(v) for k, v in value.items()}
    if t is Lazy:
        return finalize(value.get())
    fin = getattr(value, "hcl_finalize", None)
    if fin is not None:
        return finalize(fin())
    return value

# --------------------------------------------------------------------------------------------
# Node evaluators


def _err(summary: str, detail: str, node: ast.Expr) -> HCLError:
    return HCLError(f"{summary}; {detail}", node.range)


def _ev_literal(node: ast.Literal, scope: Scope) -> object:
    return node.value


def _ev_variable(node: ast.Variable, scope: Scope) -> object:
    s: Scope | None = scope
    name = node.name
    while s is not None:
        v = s.variables.get(name, _MISSING)
        if v is not _MISSING:
            if type(v) is Lazy:
                return v.get()
            return v
        s = s.parent
    raise _err("Unknown variable", f'There is no variable named "{name}".', node)


def get_attr(obj: object, name: str, node: ast.Expr) -> object:
    """The ``.name`` traversal step."""
    t = type(obj)
    if t is dict:
        v = obj.get(name, _MISSING)  # type: ignore[union-attr]
        if v is _MISSING:
            raise _err("Unsupported attribute",
                       f'This object does not have an attribute named "{name}".', node)
        if type(v) is Lazy:
            return v.get()
        return v
    if obj is None:
        raise _err("Attempt to get attribute from null value",
                   "This value is null, so it does not have any attributes.", node)
    if t is Lazy:
        return get_attr(obj.get(), name, node)  # type: ignore[union-attr]
    ga = getattr(obj, "hcl_getattr", None)
    if ga is not None:
        try:
            v = ga(name)
        except KeyError:
            raise _err("Unsupported attribute",
                       f'This object does not have an attribute named "{name}".',
                       node) from None
        if type(v) is Lazy:
            return v.get()
        return v
    if isinstance(obj, dict):
        return get_attr(dict(obj), name, node)
    if isinstance(obj, list):
        raise _err("Unsupported attribute",
                   f"Can't access attributes on a list of objects. Did you mean to access "
                   f'attribute "{name}" for a specific element of the list, or across all '
                   f"elements of the list?", node)
    raise _err("Unsupported attribute",
               f"Can't access attributes on a primitive-typed value ({type_name(obj)}).", node)


def get_index(obj: object, key: object, node: ast.Expr) -> object:
    """The ``[key]`` traversal step."""
    if type(obj) is Lazy:
        obj = obj.get()  # type: ignore[union-attr]
    if obj is None:
        raise _err("Attempt to index null value",
                   "This value is null, so it does not have any indices.", node)
    if key is None:
        raise _err("Invalid index", "Can't use a null value as an indexing key.", node)
    if type(obj) is SetValue:
        raise _err("Invalid index",
                   "Elements of a set are identified only by their value and don't have any "
                   "separate index or key to select with, so it's only possible to perform "
                   "operations across all elements of the set.", node)
    if isinstance(obj, list):
        try:
            n = to_number(key)
        except ValueError:
            raise _err("Invalid index", "The given key does not identify an element in this "
                       "collection value: a number is required.", node) from None
        if type(n) is float or n < 0 or n >= len(obj):
            raise _err("Invalid index", "The given key does not identify an element in this "
                       "collection value.", node)
        v = obj[n]
    elif isinstance(obj, dict):
        try:
            k = to_string(key)
        except ValueError:
            raise _err("Invalid index", "The given key does not identify an element in this "
                       "collection value: string required.", node) from None
        v = obj.get(k, _MISSING)
        if v is _MISSING:
            raise _err("Invalid index", "The given key does not identify an element in this "
                       "collection value.", node)
    else:
        gi = getattr(obj, "hcl_index", None)
        if gi is None:
            raise _err("Invalid index",
                       f"This value does not have any indices ({type_name(obj)}).", node)
        try:
            v = gi(key)
        except KeyError:
            raise _err("Invalid index", "The given key does not identify an element in this "
                       "collection value.", node) from None
    if type(v) is Lazy:
        return v.get()
    return v


def _ev_getattr(node: ast.GetAttr, scope: Scope) -> object:
    obj = _EVAL[node.obj.__class__](node.obj, scope)
    return get_attr(obj, node.name, node)


def _ev_index(node: ast.Index, scope: Scope) -> object:
    obj = _EVAL[node.obj.__class__](node.obj, scope)
    key = _EVAL[node.key.__class__](node.key, scope)
    return get_index(obj, key, node)


_SPLAT_KEY = "\x00splat"


def _ev_splat_item(node: ast.SplatItem, scope: Scope) -> object:
    return scope.lookup(_SPLAT_KEY + str(id(node)))


def _ev_splat(node: ast.Splat, scope: Scope) -> object:
    src = _EVAL[node.source.__class__](node.source, scope)
    if type(src) is Lazy:
        src = src.get()
    if src is None:
        return []
    if isinstance(src, list):
        elems = list(src)
    else:
        elems = [src]  # a splat over a single value treats it as a one-element tuple
    key = _SPLAT_KEY + str(id(node.item))
    each = node.each
    ev = _EVAL[each.__class__]
    out = []
    for e in elems:
        out.append(ev(each, Scope({key: e}, None, scope)))
    return out


def _ev_tuple(node: ast.Tuple, scope: Scope) -> object:
    return [_EVAL[e.__class__](e, scope) for e in node.items]


def _ev_object(node: ast.Object, scope: Scope) -> object:
    out: dict = {}
    for k, v in node.items:
        key = _EVAL[k.__class__](k, scope)
        if key is None:
            raise _err("Null value as key", "Can't use a null value as a key.", k)
        try:
            key = to_string(key)
        except ValueError as e:
            raise _err("Incorrect key type", f"Can't use this value as a key: {e}.", k) from None
        out[key] = _EVAL[v.__class__](v, scope)
    return out


def _ev_parens(node: ast.Parens, scope: Scope) -> object:
    return _EVAL[node.expr.__class__](node.expr, scope)


def _render(parts: list, scope: Scope, out: list) -> None:
    for p in parts:
        if type(p) is str:
            out.append(p)
        elif type(p) is ast.TemplateIf:
            c = _condition(p.cond, scope)
            _render(p.then if c else p.else_, scope, out)
        elif type(p) is ast.TemplateFor:
            coll = _EVAL[p.collection.__class__](p.collection, scope)
            for k, v in _for_items(coll, p.collection):
                vars_ = {p.value_var: v}
                if p.key_var:
                    vars_[p.key_var] = k
                _render(p.body, Scope(vars_, None, scope), out)
        else:
            v = _EVAL[p.__class__](p, scope)
            t = type(v)
            if t is str:
                out.append(v)
                continue
            if t is Lazy:
                v = v.get()
            if v is not None and type(v) not in _PLAIN:
                try:
                    v = finalize(v)
                except NotAValue:
                    pass
            if v is None:
                raise _err("Invalid template interpolation value",
                           "The expression result is null. Cannot include a null value in a "
                           "string template.", p)
            try:
                out.append(to_string(v))
            except ValueError:
                raise _err("Invalid template interpolation value",
                           "Cannot include the given value in a string template: string "
                           "required.", p) from None


def _ev_template(node: ast.Template, scope: Scope) -> object:
    out: list[str] = []
    _render(node.parts, scope, out)
    return "".join(out)


def _ev_template_wrap(node: ast.TemplateWrap, scope: Scope) -> object:
    return _EVAL[node.expr.__class__](node.expr, scope)


def _ev_template_directive(node: ast.Expr, scope: Scope) -> object:
    out: list[str] = []
    _render([node], scope, out)
    return "".join(out)


def _condition(expr: ast.Expr, scope: Scope) -> bool:
    c = _EVAL[expr.__class__](expr, scope)
    if c is None:
        raise _err("Null condition",
                   "The condition value is null. Conditions must either be true or false.", expr)
    try:
        return to_bool(c)
    except ValueError:
        raise _err("Incorrect condition type", "The condition expression must be of type bool.",
                   expr) from None


def _ev_conditional(node: ast.Conditional, scope: Scope) -> object:
    if _condition(node.cond, scope):
        return _EVAL[node.then.__class__](node.then, scope)
    return _EVAL[node.else_.__class__](node.else_, scope)


def _operand(expr: ast.Expr, scope: Scope, conv: Callable, side: str) -> object:
    v = _EVAL[expr.__class__](expr, scope)
    if type(v) is Lazy:
        v = v.get()
    try:
        return conv(v)
    except ValueError as e:
        raise _err("Invalid operand", f"Unsuitable value for {side} operand: {e}.", expr) from None


def _ev_unary(node: ast.Unary, scope: Scope) -> object:
    if node.op == "!":
        return not _operand(node.operand, scope, to_bool, "right")
    return normalize_number(-_operand(node.operand, scope, to_number, "right"))  # type: ignore


def _ev_binary(node: ast.Binary, scope: Scope) -> object:
    op = node.op
    if op == "==" or op == "!=":
        a = finalize(_EVAL[node.left.__class__](node.left, scope))
        b = finalize(_EVAL[node.right.__class__](node.right, scope))
        eq = hcl_equal(a, b)
        return eq if op == "==" else not eq
    if op == "&&":
        if not _operand(node.left, scope, to_bool, "left"):
            return False
        return _operand(node.right, scope, to_bool, "right")
    if op == "||":
        if _operand(node.left, scope, to_bool, "left"):
            return True
        return _operand(node.right, scope, to_bool, "right")
    a = _operand(node.left, scope, to_number, "left")
    b = _operand(node.right, scope, to_number, "right")
    if op == "+" or op == "-" or op == "*":
        if type(a) is float or type(b) is float:
            # decimal arithmetic, so that 0.1 + 0.2 prints as 0.3 (cty uses big floats)
            try:
                da, db = Decimal(repr(a)), Decimal(repr(b))
                r = da + db if op == "+" else (da - db if op == "-" else da * db)
                return normalize_number(float(r))
            except ArithmeticError:
                pass
        if op == "+":
            return normalize_number(a + b)  # type: ignore[operator]
        if op == "-":
            return normalize_number(a - b)  # type: ignore[operator]
        return normalize_number(a * b)  # type: ignore[operator]
    if op == "/":
        if b == 0:
            raise _err("Operation failed", "Error during operation: can't divide by zero.", node)
        if type(a) is int and type(b) is int and a % b == 0:
            return a // b
        return normalize_number(a / b)  # type: ignore[operator]
    if op == "%":
        if b == 0:
            raise _err("Operation failed", "Error during operation: can't divide by zero.", node)
        if type(a) is int and type(b) is int:
            r = abs(a) % abs(b)
            return -r if a < 0 else r
        return normalize_number(math.fmod(a, b))  # type: ignore[arg-type]
    if op == "<":
        return a < b  # type: ignore[operator]
    if op == ">":
        return a > b  # type: ignore[operator]
    if op == "<=":
        return a <= b  # type: ignore[operator]
    if op == ">=":
        return a >= b  # type: ignore[operator]
    raise _err("Invalid operator", f"Unknown operator {op!r}.", node)  # pragma: no cover


def _for_items(coll: object, expr: ast.Expr) -> list[tuple[object, object]]:
    if type(coll) is Lazy:
        coll = coll.get()
    if coll is None:
        raise _err("Iteration over null value",
                   "A null value cannot be used as the collection in a 'for' expression.", expr)
    items = iter_items(coll)
    if items is None:
        raise _err("Iteration over non-iterable value",
                   f"A value of type {type_name(coll)} cannot be used as the collection in a "
                   f"'for' expression.", expr)
    return items


def _ev_for(node: ast.ForExpr, scope: Scope) -> object:
    coll = _EVAL[node.collection.__class__](node.collection, scope)
    items = _for_items(coll, node.collection)
    kv, vv = node.key_var, node.value_var
    cond = node.cond
    value = node.value
    ev_value = _EVAL[value.__class__]
    if not node.is_object:
        out: list = []
        for k, v in items:
            vars_ = {vv: v}
            if kv:
                vars_[kv] = k
            s = Scope(vars_, None, scope)
            if cond is not None and not _for_cond(cond, s):
                continue
            out.append(ev_value(value, s))
        return out
    obj: dict = {}
    key_expr = node.key
    assert key_expr is not None
    ev_key = _EVAL[key_expr.__class__]
    for k, v in items:
        vars_ = {vv: v}
        if kv:
            vars_[kv] = k
        s = Scope(vars_, None, scope)
        if cond is not None and not _for_cond(cond, s):
            continue
        key = ev_key(key_expr, s)
        if key is None:
            raise _err("Invalid object key",
                       "Key expression in 'for' expression must not produce a null value.",
                       key_expr)
        try:
            key = to_string(key)
        except ValueError as e:
            raise _err("Invalid object key",
                       f"The key expression produced an invalid result: {e}.", key_expr) from None
        val = ev_value(value, s)
        if node.group:
            obj.setdefault(key, []).append(val)
        else:
            if key in obj:
                raise _err("Duplicate object key",
                           f'Two different items produced the key "{key}" in this \'for\' '
                           f"expression. If duplicates are expected, use the ellipsis (...) after "
                           f"the value expression to enable grouping by key.", node)
            obj[key] = val
    return obj


def _for_cond(cond: ast.Expr, scope: Scope) -> bool:
    c = _EVAL[cond.__class__](cond, scope)
    if c is None:
        raise _err("Condition is null", "The value of the 'if' clause must not be null.", cond)
    try:
        return to_bool(c)
    except ValueError as e:
        raise _err("Invalid 'for' condition", f"The 'if' clause value is invalid: {e}.",
                   cond) from None


class _Thunk:
    """A lazily evaluated function argument (for functions declared ``lazy``)."""

    __slots__ = ("expr", "scope")

    def __init__(self, expr: ast.Expr, scope: Scope):
        self.expr = expr
        self.scope = scope

    def __call__(self) -> object:
        return eval_expr(self.expr, self.scope)


def call_function(name: str, fn: Callable, args: list, node: ast.Call | None,
                  arg_nodes: list | None = None) -> object:
    """Call ``fn`` with HCL arity checks and error wording."""
    params = getattr(fn, "hcl_params", None)
    if params is not None:
        var = getattr(fn, "hcl_varparam", None)
        n = len(params)
        if len(args) < n:
            qual = " at least" if var else ""
            raise _call_err(
                "Not enough function arguments",
                f'Function "{name}" expects{qual} {n} argument(s). Missing value for '
                f'"{params[len(args)]}".', node)
        if var is None and len(args) > n:
            raise _call_err("Too many function arguments",
                            f'Function "{name}" expects only {n} argument(s).', node)
    try:
        result = fn(*args)
    except FunctionError as e:
        msg = e.message.rstrip(".")
        if e.arg is not None:
            pnames = list(params or ())
            var = getattr(fn, "hcl_varparam", None)
            pname = pnames[e.arg] if e.arg < len(pnames) else (var or f"argument {e.arg + 1}")
            where = None
            if arg_nodes is not None and e.arg < len(arg_nodes):
                where = arg_nodes[e.arg]
            raise _call_err("Invalid function argument",
                            f'Invalid value for "{pname}" parameter: {msg}.',
                            where or node) from None
        raise _call_err("Error in function call", f'Call to function "{name}" failed: {msg}.',
                        node) from None
    return result


def _call_err(summary: str, detail: str, node: ast.Expr | None) -> HCLError:
    return HCLError(f"{summary}; {detail}", node.range if node is not None else None)


def _ev_call(node: ast.Call, scope: Scope) -> object:
    name = node.name
    fn = scope.function(name)
    if fn is None:
        raise HCLError(f'Call to unknown function; There is no function named "{name}".',
                       span(node.pos, node.name_end))
    arg_nodes = node.args
    if getattr(fn, "hcl_lazy", False):
        args: list = [_Thunk(a, scope) for a in arg_nodes]
        if node.expand:
            raise _err("Invalid expanding argument value",
                       f'Function "{name}" does not accept an expanded argument.', node)
    else:
        args = [_EVAL[a.__class__](a, scope) for a in arg_nodes]
        for i, a in enumerate(args):
            if a is not None and type(a) not in _PLAIN:
                try:
                    args[i] = finalize(a)
                except NotAValue:
                    pass
        if node.expand:
            last = args.pop()
            last_node = arg_nodes[-1]
            if last is None:
                raise _err("Invalid expanding argument value",
                           "The expanding argument (indicated by ...) must not be null.",
                           last_node)
            if not isinstance(last, list):
                raise _err("Invalid expanding argument value",
                           "The expanding argument (indicated by ...) must be of a tuple, list, "
                           "or set type.", last_node)
            args.extend(last)
            arg_nodes = arg_nodes[:-1] + [last_node] * len(last)
    return call_function(name, fn, args, node, arg_nodes)


_EVAL: dict[type, Callable] = {
    ast.Literal: _ev_literal,
    ast.Variable: _ev_variable,
    ast.GetAttr: _ev_getattr,
    ast.Index: _ev_index,
    ast.Splat: _ev_splat,
    ast.SplatItem: _ev_splat_item,
    ast.Tuple: _ev_tuple,
    ast.Object: _ev_object,
    ast.Parens: _ev_parens,
    ast.Template: _ev_template,
    ast.TemplateWrap: _ev_template_wrap,
    ast.TemplateIf: _ev_template_directive,
    ast.TemplateFor: _ev_template_directive,
    ast.Conditional: _ev_conditional,
    ast.Unary: _ev_unary,
    ast.Binary: _ev_binary,
    ast.ForExpr: _ev_for,
    ast.Call: _ev_call,
}


def source_range(node: ast.Expr) -> SourcePos:
    """The range of a node, for callers building their own diagnostics."""
    return node.range
