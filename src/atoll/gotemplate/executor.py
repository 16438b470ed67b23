"""Template execution: walking the tree over the data, field and method lookup, function
calls, and Go's execution errors (``executing "NAME" at <…>: …``)."""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .fmt import _Printer, sprint
from .functions import _BUILTINS, _FuncError, _truth
from .parser import (
    _Action,
    _Branch,
    _Chain,
    _Command,
    _Dot,
    _Field,
    _Identifier,
    _Keyword,
    _List,
    _Literal,
    _Nil,
    _Node,
    _Pipe,
    _TemplateCall,
    _Text,
    _Variable,
)
if TYPE_CHECKING:
    from . import Template

from .values import TemplateError, _FUNC_TYPES, _go_type, _is_dataclass, _quote, _sorted_items


class _Missing:
    """No value: the final argument of a command that is first in its pipeline."""

    __slots__ = ()


_MISSING = _Missing()


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_SNAKE1 = re.compile(r"(.)([A-Z][a-z]+)")
_SNAKE2 = re.compile(r"([a-z0-9])([A-Z])")
_PLAIN_TYPES = (type(None), bool, int, float, complex, str, bytes, bytearray, list, tuple, set,
                frozenset)


def _snake(name: str) -> str:
    return _SNAKE2.sub(r"\1_\2", _SNAKE1.sub(r"\1_\2", name)).lower()


def _arity_error(fn: Callable, n: int, nargs: int) -> str | None:
    """Why fn cannot take n positional arguments, in Go's words, or None if it can."""
    import inspect

    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    try:
        sig.bind(*([None] * n))
        return None
    except TypeError:
        pass
    params = list(sig.parameters.values())
    positional = [p for p in params
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return f"want at least {len(required)} got {nargs}"
    return f"want {len(required) if n < len(required) else len(positional)} got {n}"


class _Exec:
    def __init__(self, tmpl: Template, funcs: Mapping[str, Callable], name: str):
        self.tmpl = tmpl
        self.funcs = funcs
        self.name = name
        self.vars: list[list[Any]] = []
        self.node: _Node | None = None
        self.out: list[str] = []
        self._arity: dict[tuple[Any, int, int], str | None] = {}

    def arity_error(self, fn: Callable, n: int, nargs: int) -> str | None:
        try:
            key = (fn, n, nargs)
            if key not in self._arity:
                self._arity[key] = _arity_error(fn, n, nargs)
            return self._arity[key]
        except TypeError:  # an unhashable callable
            return _arity_error(fn, n, nargs)

    # -- errors ----------------------------------------------------------------------------

    def errorf(self, msg: str) -> None:
        if self.node is None:
            raise TemplateError(f"template: {self.name}: {msg}")
        location, context = self.tmpl._error_context(self.node)
        raise TemplateError(
            f"template: {location}: executing {_quote(self.name)} at <{context}>: {msg}")

    # -- variables -------------------------------------------------------------------------

    def set_var(self, name: str, value: Any) -> None:
        for v in reversed(self.vars):
            if v[0] == name:
                v[1] = value
                return
        self.errorf(f"undefined variable: {name}")

    def var_value(self, name: str) -> Any:
        for v in reversed(self.vars):
            if v[0] == name:
                return v[1]
        self.errorf(f"undefined variable: {name}")

    # -- walking ---------------------------------------------------------------------------

    def walk(self, dot: Any, node: _Node) -> None:
        self.node = node
        if isinstance(node, _Text):
            self.out.append(node.text)
        elif isinstance(node, _Action):
            val = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.print_value(node, val)
        elif isinstance(node, _List):
            for n in node.nodes:
                self.walk(dot, n)
        elif isinstance(node, _Branch):
            if node.kind == "range":
                self.walk_range(dot, node)
            else:
                self.walk_if_or_with(dot, node)
        elif isinstance(node, _TemplateCall):
            self.walk_template(dot, node)
        elif isinstance(node, _Keyword) and node.word == "break":
            raise _Break
        elif isinstance(node, _Keyword) and node.word == "continue":
            raise _Continue
        else:
            self.errorf(f"unknown node: {node}")

    def walk_if_or_with(self, dot: Any, node: _Branch) -> None:
        mark = len(self.vars)
        try:
            val = self.eval_pipeline(dot, node.pipe)
            if _truth(val):
                self.walk(val if node.kind == "with" else dot, node.list)
            elif node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[mark:]

    def walk_range(self, dot: Any, r: _Branch) -> None:
        self.node = r
        mark0 = len(self.vars)
        try:
            val = self.eval_pipeline(dot, r.pipe)
            mark = len(self.vars)
            decl = r.pipe.decl

            def one(index: Any, elem: Any) -> None:
                if decl:
                    if r.pipe.is_assign:
                        self.set_var(decl[0].ident[0], index if len(decl) > 1 else elem)
                    else:
                        self.vars[-1][1] = elem
                if len(decl) > 1:
                    if r.pipe.is_assign:
                        self.set_var(decl[1].ident[0], elem)
                    else:
                        self.vars[-2][1] = index
                try:
                    self.walk(elem, r.list)
                except _Continue:
                    pass
                finally:
                    del self.vars[mark:]

            try:
                if val is None:
                    pass
                elif isinstance(val, (list, tuple)):
                    if val:
                        for i, e in enumerate(val):
                            one(i, e)
                        return
                elif isinstance(val, Mapping):
                    if val:
                        for k, v in _sorted_items(val):
                            one(k, v)
                        return
                elif isinstance(val, int) and not isinstance(val, bool):
                    if len(decl) > 1:
                        self.errorf(f"can't use {sprint(val)} to iterate over more than one "
                                    "variable")
                    if val > 0:
                        for i in range(val):
                            one(None, i)
                        return
                elif isinstance(val, (str, bytes, bytearray, bool, float, complex)) \
                        or _is_dataclass(val) or not hasattr(val, "__iter__"):
                    self.errorf(f"range can't iterate over {sprint(val)}")
                else:
                    items = list(val)
                    if isinstance(val, (set, frozenset)):
                        items = [k for k, _ in _sorted_items(dict.fromkeys(items))]
                    if items:
                        for i, e in enumerate(items):
                            one(i, e)
                        return
            except _Break:
                return
            if r.else_list is not None:
                self.walk(dot, r.else_list)
        finally:
            del self.vars[mark0:]

    def walk_template(self, dot: Any, t: _TemplateCall) -> None:
        self.node = t
        root = self.tmpl._trees.get(t.name)
        if root is None:
            self.errorf(f"template {_quote(t.name)} not defined")
        dot = self.eval_pipeline(dot, t.pipe) if t.pipe is not None else None
        saved = self.name, self.vars
        self.name, self.vars = t.name, [["$", dot]]
        try:
            self.walk(dot, root)
        finally:
            self.name, self.vars = saved

    def print_value(self, node: _Node, v: Any) -> None:
        self.node = node
        if isinstance(v, _FUNC_TYPES):
            self.errorf(f"can't print {node} of type {_go_type(v)}")
        p = _Printer()
        p.print_arg(v, "v")
        self.out.append(p.text())

    # -- evaluation ------------------------------------------------------------------------

    def eval_pipeline(self, dot: Any, pipe: _Pipe) -> Any:
        self.node = pipe
        value: Any = _MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
        for v in pipe.decl:
            if pipe.is_assign:
                self.set_var(v.ident[0], value)
            else:
                self.vars.append([v.ident[0], value])
        return value

    def not_a_function(self, args: list[_Node] | None, final: Any) -> None:
        if (args is not None and len(args) > 1) or final is not _MISSING:
            self.errorf(f"can't give argument to non-function {args[0] if args else ''}")

    def eval_command(self, dot: Any, cmd: _Command, final: Any) -> Any:
        first = cmd.args[0]
        if isinstance(first, _Field):
            return self.eval_field_node(dot, first, cmd.args, final)
        if isinstance(first, _Chain):
            return self.eval_chain_node(dot, first, cmd.args, final)
        if isinstance(first, _Identifier):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, _Pipe):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, _Variable):
            return self.eval_variable_node(dot, first, cmd.args, final)
        self.node = first
        self.not_a_function(cmd.args, final)
        if isinstance(first, _Dot):
            return dot
        if isinstance(first, _Nil):
            self.errorf("nil is not a command")
        if isinstance(first, _Literal):
            return first.value
        self.errorf(f"can't evaluate command {_quote(str(first))}")

    def eval_arg(self, dot: Any, n: _Node) -> Any:
        self.node = n
        if isinstance(n, _Dot):
            return dot
        if isinstance(n, _Nil):
            return None
        if isinstance(n, _Field):
            return self.eval_field_node(dot, n, [n], _MISSING)
        if isinstance(n, _Variable):
            return self.eval_variable_node(dot, n, None, _MISSING)
        if isinstance(n, _Pipe):
            return self.eval_pipeline(dot, n)
        if isinstance(n, _Identifier):
            return self.eval_function(dot, n, n, None, _MISSING)
        if isinstance(n, _Chain):
            return self.eval_chain_node(dot, n, None, _MISSING)
        if isinstance(n, _Literal):
            return n.value
        self.errorf(f"can't handle {n} for arg")

    def eval_field_node(self, dot: Any, field: _Field, args: list[_Node], final: Any) -> Any:
        self.node = field
        return self.eval_field_chain(dot, dot, field, field.ident, args, final)

    def eval_chain_node(self, dot: Any, chain: _Chain, args: list[_Node] | None,
                        final: Any) -> Any:
        self.node = chain
        if isinstance(chain.node, _Nil):
            self.errorf(f"indirection through explicit nil in {chain}")
        pipe = self.eval_arg(dot, chain.node)
        return self.eval_field_chain(dot, pipe, chain, chain.fields, args, final)

    def eval_variable_node(self, dot: Any, var: _Variable, args: list[_Node] | None,
                           final: Any) -> Any:
        self.node = var
        value = self.var_value(var.ident[0])
        if len(var.ident) == 1:
            self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, var, var.ident[1:], args, final)

    def eval_field_chain(self, dot: Any, receiver: Any, node: _Node, ident: list[str],
                         args: list[_Node] | None, final: Any) -> Any:
        for name in ident[:-1]:
            receiver = self.eval_field(dot, name, node, None, _MISSING, receiver)
        return self.eval_field(dot, ident[-1], node, args, final, receiver)

    def eval_field(self, dot: Any, name: str, node: _Node, args: list[_Node] | None,
                   final: Any, receiver: Any) -> Any:
        if receiver is None:
            self.errorf(f"nil pointer evaluating interface {{}}.{name}")
        has_args = (args is not None and len(args) > 1) or final is not _MISSING
        if isinstance(receiver, Mapping):
            for key in (name, _snake(name)):
                try:
                    if key in receiver:
                        if has_args:
                            self.errorf(f"{name} is not a method but has arguments")
                        return receiver[key]
                except TypeError:
                    break
        elif not isinstance(receiver, _PLAIN_TYPES) and not name.startswith("_"):
            for attr in dict.fromkeys((name, _snake(name))):
                try:
                    value = getattr(receiver, attr)
                except AttributeError:
                    continue
                except Exception as exc:  # noqa: BLE001 - a property that fails
                    self.errorf(f"error calling {name}: {_err_text(exc)}")
                if isinstance(value, (types.MethodType, types.BuiltinMethodType)):
                    return self.eval_call(dot, value, False, node, name, args, final)
                if has_args:
                    self.errorf(f"{name} has arguments but cannot be invoked as function")
                return value
        self.errorf(f"can't evaluate field {name} in type {_go_type(receiver)}")

    def eval_function(self, dot: Any, node: _Identifier, cmd: _Node,
                      args: list[_Node] | None, final: Any) -> Any:
        self.node = node
        name = node.name
        fn = self.funcs.get(name)
        if fn is not None:
            return self.eval_call(dot, fn, False, cmd, name, args, final)
        if name in _BUILTINS:
            return self.eval_call(dot, _BUILTINS[name][0], True, cmd, name, args, final)
        self.errorf(f"{_quote(name)} is not a defined function")

    def eval_call(self, dot: Any, fn: Callable | None, builtin: bool, node: _Node, name: str,
                  args: list[_Node] | None, final: Any) -> Any:
        argnodes = args[1:] if args else []
        num_in = len(argnodes) + (final is not _MISSING)
        if builtin:
            _, fixed, variadic = _BUILTINS[name]
            if variadic and num_in < fixed:
                self.errorf(f"wrong number of args for {name}: want at least {fixed} "
                            f"got {len(argnodes)}")
            if not variadic and num_in != fixed:
                self.errorf(f"wrong number of args for {name}: want {fixed} got {num_in}")
            if name in ("and", "or"):
                v: Any = None
                for a in argnodes:
                    v = self.eval_arg(dot, a)
                    if _truth(v) == (name == "or"):
                        return v
                if final is not _MISSING:
                    v = final
                return v
        else:
            assert fn is not None
            why = self.arity_error(fn, num_in, len(argnodes))
            if why:
                self.errorf(f"wrong number of args for {name}: {why}")
        argv = [self.eval_arg(dot, a) for a in argnodes]
        if final is not _MISSING:
            argv.append(final)
        if builtin and name == "printf" and not isinstance(argv[0], str):
            self.errorf(f"wrong type for value; expected string; got {_go_type(argv[0])}")
        try:
            if builtin and name == "call":
                callee = str(argnodes[0]) if argnodes else sprint(final)
                return self.call(callee, argv[0], argv[1:])
            assert fn is not None
            return fn(*argv)
        except _FuncError as exc:
            self.node = node
            self.errorf(f"error calling {name}: {exc}")
        except RecursionError:
            raise
        except Exception as exc:  # noqa: BLE001 - a user function's failure is the user's error
            self.node = node
            self.errorf(f"error calling {name}: {_err_text(exc)}")

    def call(self, callee: str, fn: Any, args: list[Any]) -> Any:
        if fn is None:
            raise _FuncError("call of nil")
        if not callable(fn) or isinstance(fn, type):
            raise _FuncError(f"non-function {callee} of type {_go_type(fn)}")
        why = self.arity_error(fn, len(args), len(args))
        if why:
            raise _FuncError(f"wrong number of args for {callee}: {why}")
        try:
            return fn(*args)
        except _FuncError:
            raise
        except Exception as exc:
            raise _FuncError(_err_text(exc)) from exc


def _err_text(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
