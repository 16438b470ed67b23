"""The template parse tree and the parser that builds it, with Go's parse-time errors
(``template: NAME:LINE: …``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .functions import _BUILTINS
from .lexer import (
    ASSIGN,
    BOOL,
    CHAR,
    CHARCONST,
    COMPLEX,
    DECLARE,
    DOT,
    EOF,
    ERROR,
    FIELD,
    IDENT,
    LDELIM,
    LPAREN,
    NUMBER,
    PIPE,
    RAW,
    RDELIM,
    RPAREN,
    SPACE,
    STRING,
    TEXT,
    VAR,
    _Item,
    _Lexer,
    _SyntaxErr,
    _number_value,
    _unquote,
)
from .values import TemplateError, _quote


class _Node:
    __slots__ = ("pos",)


class _Text(_Node):
    __slots__ = ("text",)

    def __init__(self, pos: int, text: str):
        self.pos, self.text = pos, text

    def __str__(self) -> str:
        return self.text


class _List(_Node):
    __slots__ = ("nodes",)

    def __init__(self, pos: int):
        self.pos, self.nodes = pos, []

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


class _Pipe(_Node):
    __slots__ = ("cmds", "decl", "is_assign", "line")

    def __init__(self, pos: int, line: int):
        self.pos, self.line, self.is_assign = pos, line, False
        self.decl: list[_Variable] = []
        self.cmds: list[_Command] = []

    def __str__(self) -> str:
        s = ""
        if self.decl:
            s = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return s + " | ".join(str(c) for c in self.cmds)


class _Command(_Node):
    __slots__ = ("args",)

    def __init__(self, pos: int):
        self.pos, self.args = pos, []

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, _Pipe) else str(a) for a in self.args)


class _Action(_Node):
    __slots__ = ("line", "pipe")

    def __init__(self, pos: int, line: int, pipe: _Pipe):
        self.pos, self.line, self.pipe = pos, line, pipe

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


class _Field(_Node):
    __slots__ = ("ident",)

    def __init__(self, pos: int, ident: list[str]):
        self.pos, self.ident = pos, ident

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


class _Variable(_Node):
    __slots__ = ("ident",)

    def __init__(self, pos: int, ident: list[str]):
        self.pos, self.ident = pos, ident

    def __str__(self) -> str:
        return ".".join(self.ident)


class _Chain(_Node):
    __slots__ = ("fields", "node")

    def __init__(self, pos: int, node: _Node):
        self.pos, self.node, self.fields = pos, node, []

    def __str__(self) -> str:
        head = f"({self.node})" if isinstance(self.node, _Pipe) else str(self.node)
        return head + "".join("." + f for f in self.fields)


class _Identifier(_Node):
    __slots__ = ("name",)

    def __init__(self, pos: int, name: str):
        self.pos, self.name = pos, name

    def __str__(self) -> str:
        return self.name


class _Dot(_Node):
    __slots__ = ()

    def __init__(self, pos: int):
        self.pos = pos

    def __str__(self) -> str:
        return "."


class _Nil(_Node):
    __slots__ = ()

    def __init__(self, pos: int):
        self.pos = pos

    def __str__(self) -> str:
        return "nil"


class _Literal(_Node):
    """bool, number and string literals: the text as written and the value."""

    __slots__ = ("text", "value")

    def __init__(self, pos: int, text: str, value: Any):
        self.pos, self.text, self.value = pos, text, value

    def __str__(self) -> str:
        return self.text


class _Branch(_Node):
    __slots__ = ("else_list", "kind", "line", "list", "pipe")

    def __init__(self, kind: str, pipe: _Pipe, lst: _List, else_list: _List | None):
        self.kind, self.pos, self.line = kind, pipe.pos, pipe.line
        self.pipe, self.list, self.else_list = pipe, lst, else_list

    def __str__(self) -> str:
        s = f"{{{{{self.kind} {self.pipe}}}}}{self.list}"
        if self.else_list is not None:
            s += f"{{{{else}}}}{self.else_list}"
        return s + "{{end}}"


class _Keyword(_Node):
    """{{break}}, {{continue}}, and the parser-only {{end}} and {{else}}."""

    __slots__ = ("line", "word")

    def __init__(self, word: str, pos: int, line: int = 0):
        self.word, self.pos, self.line = word, pos, line

    def __str__(self) -> str:
        return "{{" + self.word + "}}"


class _TemplateCall(_Node):
    __slots__ = ("line", "name", "pipe")

    def __init__(self, pos: int, line: int, name: str, pipe: _Pipe | None):
        self.pos, self.line, self.name, self.pipe = pos, line, name, pipe

    def __str__(self) -> str:
        if self.pipe is None:
            return "{{template " + _quote(self.name) + "}}"
        return "{{template " + _quote(self.name) + " " + str(self.pipe) + "}}"


def _is_empty_tree(n: _Node) -> bool:
    if isinstance(n, _List):
        return all(_is_empty_tree(x) for x in n.nodes)
    if isinstance(n, _Text):
        return n.text.strip(" \t\r\n\v\f") == ""
    return False


_OPERAND_START = frozenset({BOOL, CHARCONST, COMPLEX, DOT, FIELD, IDENT, NUMBER, "nil", RAW,
                            STRING, VAR, LPAREN})


class _Parser:
    def __init__(self, name: str, text: str, funcs: Mapping[str, Any]):
        self.name = name
        self.funcs = funcs
        self.items = _Lexer(text).run()
        self.i = 0
        self.hi = 0
        self.vars = ["$"]
        self.range_depth = 0
        self.action_line = 0
        self.trees: dict[str, _List] = {}

    # -- tokens ----------------------------------------------------------------------------

    def next(self) -> _Item:
        k = min(self.i, len(self.items) - 1)
        self.i += 1
        self.hi = max(self.hi, k)
        return self.items[k]

    def backup(self) -> None:
        self.i -= 1

    def peek(self) -> _Item:
        it = self.next()
        self.backup()
        return it

    def next_non_space(self) -> _Item:
        while True:
            it = self.next()
            if it.typ != SPACE:
                return it

    def peek_non_space(self) -> _Item:
        it = self.next_non_space()
        self.backup()
        return it

    def errorf(self, msg: str) -> None:
        line = self.items[self.hi].line
        raise TemplateError(f"template: {self.name}:{line}: {msg}")

    def unexpected(self, tok: _Item, context: str) -> None:
        if tok.typ == ERROR:
            extra = ""
            if self.action_line and self.action_line != tok.line:
                extra = f" in action started at {self.name}:{self.action_line}"
                if tok.val.endswith(" action"):
                    extra = extra[len(" in action"):]
            self.errorf(f"{tok}{extra}")
        self.errorf(f"unexpected {tok} in {context}")

    def expect(self, typ: str, context: str) -> _Item:
        tok = self.next_non_space()
        if tok.typ != typ:
            self.unexpected(tok, context)
        return tok

    # -- structure -------------------------------------------------------------------------

    def parse(self) -> dict[str, _List]:
        root = _List(self.peek().pos)
        while self.peek().typ != EOF:
            if self.peek().typ == LDELIM:
                save = self.i
                self.next()
                if self.next_non_space().typ == "define":
                    self.parse_definition()
                    continue
                self.i = save
            n = self.text_or_action()
            if isinstance(n, _Keyword) and n.word in ("end", "else"):
                self.errorf(f"unexpected {n}")
            root.nodes.append(n)
        self.add_tree(self.name, root)
        return self.trees

    def add_tree(self, name: str, root: _List) -> None:
        old = self.trees.get(name)
        if old is None or _is_empty_tree(old):
            self.trees[name] = root
        elif not _is_empty_tree(root):
            self.errorf(f"template: multiple definition of template {_quote(name)}")

    def sub_tree(self, name: str, context: str) -> None:
        """The body of a define or block, up to its {{end}}, as a template of its own."""
        saved = self.vars, self.range_depth
        self.vars, self.range_depth = ["$"], 0
        root, end = self.item_list()
        if not (isinstance(end, _Keyword) and end.word == "end"):
            self.errorf(f"unexpected {end} in {context}")
        self.add_tree(name, root)
        self.vars, self.range_depth = saved

    def parse_definition(self) -> None:
        context = "define clause"
        tok = self.next_non_space()
        if tok.typ not in (STRING, RAW):
            self.unexpected(tok, context)
        name = self.unquote(tok.val)
        self.expect(RDELIM, context)
        self.sub_tree(name, context)

    def item_list(self) -> tuple[_List, _Node]:
        lst = _List(self.peek_non_space().pos)
        while self.peek_non_space().typ != EOF:
            n = self.text_or_action()
            if isinstance(n, _Keyword) and n.word in ("end", "else"):
                return lst, n
            lst.nodes.append(n)
        self.errorf("unexpected EOF")
        raise AssertionError  # not reached

    def text_or_action(self) -> _Node:
        tok = self.next_non_space()
        if tok.typ == TEXT:
            return _Text(tok.pos, tok.val)
        if tok.typ == LDELIM:
            self.action_line = tok.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(tok, "input")
        raise AssertionError  # not reached

    def action(self) -> _Node:
        tok = self.next_non_space()
        typ = tok.typ
        if typ == "block":
            return self.block_control()
        if typ in ("break", "continue"):
            return self.loop_control(tok)
        if typ == "else":
            return self.else_control()
        if typ == "end":
            return _Keyword("end", self.expect(RDELIM, "end").pos)
        if typ in ("if", "range", "with"):
            return self.control(typ)
        if typ == "template":
            return self.template_control()
        self.backup()
        tok = self.peek()
        return _Action(tok.pos, tok.line, self.pipeline("command", RDELIM))

    def loop_control(self, tok: _Item) -> _Node:
        end = self.next_non_space()
        if end.typ != RDELIM:
            self.unexpected(end, "{{" + tok.typ + "}}")
        if self.range_depth == 0:
            self.errorf("{{" + tok.typ + "}} outside {{range}}")
        return _Keyword(tok.typ, tok.pos, tok.line)

    def else_control(self) -> _Node:
        peek = self.peek_non_space()
        if peek.typ in ("if", "with"):
            return _Keyword("else", peek.pos, peek.line)
        tok = self.expect(RDELIM, "else")
        return _Keyword("else", tok.pos, tok.line)

    def control(self, context: str) -> _Node:
        nvars = len(self.vars)
        try:
            pipe = self.pipeline(context, RDELIM)
            if context == "range":
                self.range_depth += 1
            lst, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list = None
            if isinstance(nxt, _Keyword) and nxt.word == "else":
                if context in ("if", "with") and self.peek().typ == context:
                    # {{else if …}} is {{else}}{{if …}}…{{end}}{{end}}, sharing the {{end}}.
                    self.next()
                    else_list = _List(nxt.pos)
                    else_list.nodes.append(self.control(context))
                else:
                    else_list, nxt = self.item_list()
                    if not (isinstance(nxt, _Keyword) and nxt.word == "end"):
                        self.errorf(f"expected end; found {nxt}")
            return _Branch(context, pipe, lst, else_list)
        finally:
            del self.vars[nvars:]

    def template_name(self, tok: _Item, context: str) -> str:
        if tok.typ not in (STRING, RAW):
            self.unexpected(tok, context)
        return self.unquote(tok.val)

    def template_control(self) -> _Node:
        context = "template clause"
        tok = self.next_non_space()
        name = self.template_name(tok, context)
        pipe = None
        if self.next_non_space().typ != RDELIM:
            self.backup()
            pipe = self.pipeline(context, RDELIM)
        return _TemplateCall(tok.pos, tok.line, name, pipe)

    def block_control(self) -> _Node:
        context = "block clause"
        tok = self.next_non_space()
        name = self.template_name(tok, context)
        pipe = self.pipeline(context, RDELIM)
        self.sub_tree(name, context)
        return _TemplateCall(tok.pos, tok.line, name, pipe)

    # -- pipelines -------------------------------------------------------------------------

    def pipeline(self, context: str, end: str) -> _Pipe:
        tok = self.peek_non_space()
        pipe = _Pipe(tok.pos, tok.line)
        while True:  # declarations
            v = self.peek_non_space()
            if v.typ != VAR:
                break
            vidx = self.i
            self.next()
            nxt = self.peek_non_space()
            if nxt.typ in (ASSIGN, DECLARE):
                pipe.is_assign = nxt.typ == ASSIGN
                self.next_non_space()
                pipe.decl.append(_Variable(v.pos, v.val.split(".")))
                self.vars.append(v.val)
                break
            if nxt.typ == CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(_Variable(v.pos, v.val.split(".")))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (VAR, RDELIM, RPAREN):
                        continue
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            self.i = vidx
            break
        while True:
            tok = self.next_non_space()
            if tok.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if tok.typ in _OPERAND_START:
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(tok, context)

    def check_pipeline(self, pipe: _Pipe, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, c in enumerate(pipe.cmds[1:]):
            first = c.args[0]
            if isinstance(first, (_Literal, _Dot, _Nil)):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def command(self) -> _Command:
        cmd = _Command(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            tok = self.next()
            if tok.typ == SPACE:
                continue
            if tok.typ in (RDELIM, RPAREN):
                self.backup()
            elif tok.typ != PIPE:
                self.unexpected(tok, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> _Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == FIELD:
            chain = _Chain(self.peek().pos, node)
            while self.peek().typ == FIELD:
                chain.fields.append(self.next().val[1:])
            if isinstance(node, _Field):
                return _Field(chain.pos, node.ident + chain.fields)
            if isinstance(node, _Variable):
                return _Variable(chain.pos, node.ident + chain.fields)
            if isinstance(node, (_Literal, _Nil, _Dot)):
                self.errorf(f"unexpected . after term {_quote(str(node))}")
            return chain
        return node

    def term(self) -> _Node | None:
        tok = self.next_non_space()
        typ = tok.typ
        if typ == IDENT:
            if tok.val not in self.funcs and tok.val not in _BUILTINS:
                self.errorf(f"function {_quote(tok.val)} not defined")
            return _Identifier(tok.pos, tok.val)
        if typ == DOT:
            return _Dot(tok.pos)
        if typ == "nil":
            return _Nil(tok.pos)
        if typ == VAR:
            if tok.val not in self.vars:
                self.errorf(f"undefined variable {_quote(tok.val)}")
            return _Variable(tok.pos, [tok.val])
        if typ == FIELD:
            return _Field(tok.pos, tok.val[1:].split("."))
        if typ == BOOL:
            return _Literal(tok.pos, tok.val, tok.val == "true")
        if typ in (CHARCONST, COMPLEX, NUMBER):
            try:
                value = _number_value(tok.val, typ)
            except (ValueError, OverflowError, _SyntaxErr):
                self.errorf(f"illegal number syntax: {_quote(tok.val)}")
            return _Literal(tok.pos, tok.val, value)
        if typ == LPAREN:
            return self.pipeline("parenthesized pipeline", RPAREN)
        if typ in (STRING, RAW):
            return _Literal(tok.pos, tok.val, self.unquote(tok.val))
        self.backup()
        return None

    def unquote(self, text: str) -> str:
        try:
            return _unquote(text)
        except _SyntaxErr:
            self.errorf("invalid syntax")
            raise AssertionError from None  # not reached
