"""Go ``text/template`` for ``--format``/``log`` templates, with Go's semantics and messages:
the API here; ``lexer``, ``parser``, ``executor``, ``functions`` (builtins), ``fmt`` (printing).

``parse(text, funcs)`` returns a :class:`Template`; ``Template.execute(data)`` renders it.
Data is plain Python: a field ``.Name`` reads a dict key (``Name``, then ``name``), an object
attribute (``Name``, then the snake_case ``name``), or calls a method (with the action's
arguments).  ``None`` is Go's nil.  Printing follows Go's ``fmt`` (``[a b]``, ``map[k:v]``,
``<nil>``, ``1e+06``); ``print``/``printf``/``println`` are also available as :func:`sprint`,
:func:`sprintf` and :func:`sprintln`.

Supported: text and actions with ``{{-``/``-}}`` trim markers, comments, pipelines, fields,
chains ``(x).F``, variables (``:=``, ``=``, ``$``), ``if``/``else if``/``else``, ``range``
(lists, dicts in key order, ints) with ``else``/``break``/``continue``, ``with``/``else with``,
``define``/``template``/``block``, every literal kind, and the builtins ``and or not len
index slice print printf println eq ne lt le gt ge html js urlquery call``.  Not supported:
custom delimiters, ``Option("missingkey=…")``, channels and iterator functions.  Strings are
measured, indexed and sliced as UTF-8 bytes, as in Go.  Dicts act as Go structs: a missing key
is an error (``can't evaluate field X in type …``), not ``<no value>``; ``None`` always prints
as ``<nil>``.  A class may name its Go type for messages and ``%T`` with ``__gotype__``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Mapping
from typing import Any

from .executor import _Exec
from .fmt import sprint, sprintf, sprintln
from .parser import _List, _Node, _Parser
from .values import TemplateError, _quote

__all__ = ["Template", "TemplateError", "parse", "sprint", "sprintf", "sprintln"]


class Template:
    """A parsed template: the main one (``name``) and those it defines."""

    def __init__(self, name: str, text: str, trees: dict[str, _List],
                 funcs: Mapping[str, Callable]):
        self.name = name
        self._text = text
        self._trees = trees
        self._funcs = dict(funcs)
        self._newlines = [i for i, c in enumerate(text) if c == "\n"]

    @property
    def templates(self) -> list[str]:
        """The names of the templates this one defines, itself included."""
        return sorted(self._trees)

    def _error_context(self, node: _Node) -> tuple[str, str]:
        pos = node.pos
        k = bisect_left(self._newlines, pos)
        line_start = self._newlines[k - 1] + 1 if k else 0
        col = len(self._text[line_start:pos].encode())
        context = str(node)
        if len(context.encode()) > 20:
            context = context[:20] + "..."
        return f"{self.name}:{k + 1}:{col}", context

    def execute(self, data: Any = None, funcs: Mapping[str, Callable] | None = None, *,
                name: str | None = None) -> str:
        """Render the template (or the defined template ``name``) with ``data`` as dot.
        ``funcs`` add to or replace the functions given to :func:`parse`."""
        all_funcs = {**self._funcs, **(funcs or {})}
        name = self.name if name is None else name
        root = self._trees.get(name)
        if root is None:
            raise TemplateError(
                f"template: no template {_quote(name)} associated with template "
                f"{_quote(self.name)}")
        state = _Exec(self, all_funcs, name)
        state.vars.append(["$", data])
        try:
            state.walk(data, root)
        except RecursionError:
            raise TemplateError(
                f"template: {name}: exceeded maximum template depth") from None
        return "".join(state.out)


def parse(text: str, funcs: Mapping[str, Callable] | None = None, *,
          name: str = "format") -> Template:
    """Parse a Go template.  Functions the template calls must be builtins or in ``funcs``
    (Go checks this at parse time); errors read ``template: format:LINE: …``."""
    funcs = dict(funcs or {})
    trees = _Parser(name, text, funcs).parse()
    return Template(name, text, trees, funcs)
