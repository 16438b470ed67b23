"""Recursive-descent parser for HCL native syntax (HashiCorp HCL v2 rules).

``parse(text, filename)`` returns an :class:`atoll.hcl.ast.Body`. Syntax errors raise
:class:`HCLError` with HCL's diagnostic wording and range, e.g.
``schema.hcl:3,17-4,1: Invalid block definition; A block definition must have block content
delimited by "{" and "}", starting on the same line as the block header.``
"""

from __future__ import annotations

from ..errors import HCLError, SourcePos
from ..gcpause import gc_paused
from . import ast
from .ast import SourceRange
from .lexer import (
    CHEREDOC,
    CQUOTE,
    EOF,
    IDENT,
    NL,
    NUMBER,
    OHEREDOC,
    OQUOTE,
    QLIT,
    STRING,
    TCONTROL,
    TINTERP,
    parse_number,
    tokenize,
)
from .fastparse import parse_prefix
from .template_parser import TemplateParsing

_new = object.__new__

# Binary operator precedence (higher binds tighter), as in HCL.
_PREC = {
    "||": 1,
    "&&": 2,
    "==": 3, "!=": 3,
    "<": 4, ">": 4, "<=": 4, ">=": 4,
    "+": 5, "-": 5,
    "*": 6, "/": 6, "%": 6,
}

_BIG_FILE = 200_000  # characters; pause the cyclic GC while parsing bigger inputs


def parse(text: str, filename: str = "") -> ast.Body:
    """Parse a whole file into a Body. Raises HCLError on the first syntax error."""
    if text.startswith("\ufeff"):
        text = text[1:]
    with gc_paused(len(text) > _BIG_FILE):
        # The plain lines most files are made of are read a line at a time; the general
        # tokenizer and parser take the rest from the first top-level item that is not plain.
        items, offset, line = parse_prefix(text, filename)
        if offset == len(text):
            return ast.Body(items)
        rest = _Parser(tokenize(text, filename, start=offset, line=line), filename)
        body = rest.parse_body(EOF, None)
        if items:
            body.items[:0] = items
        return body


def parse_general(text: str, filename: str = "") -> ast.Body:
    """:func:`parse` without the line-at-a-time reader (tests compare the two)."""
    return _Parser(tokenize(text, filename), filename).parse_body(EOF, None)


def parse_expression(text: str, filename: str = "") -> ast.Expr:
    """Parse a standalone expression (e.g. ``var.x + 1``)."""
    toks = tokenize(text, filename)
    p = _Parser(toks, filename)
    p.push_nl(False)
    expr = p.parse_expression()
    t = p.peek()
    if t[0] != EOF:
        raise p.error("Extra characters after expression",
                      "An expression was successfully parsed, but extra characters were found "
                      "after it.", t)
    return expr


class _Parser(TemplateParsing):
    __slots__ = ("toks", "i", "f", "nl", "nl_stack")

    def __init__(self, toks: list[tuple], filename: str):
        self.toks = toks
        self.i = 0
        self.f = filename
        self.nl = True  # are newlines significant right now?
        self.nl_stack: list[bool] = []

    # -- helpers -------------------------------------------------------------------------

    def pos(self, t: tuple) -> SourcePos:
        p = _new(SourcePos)
        d = p.__dict__
        d["filename"] = self.f
        d["line"] = t[2]
        d["column"] = t[3]
        return p

    def push_nl(self, include: bool) -> None:
        self.nl_stack.append(self.nl)
        self.nl = include

    def pop_nl(self) -> None:
        self.nl = self.nl_stack.pop()

    def peek(self) -> tuple:
        toks = self.toks
        t = toks[self.i]
        if t[0] == NL and not self.nl:
            i = self.i + 1
            while toks[i][0] == NL:
                i += 1
            self.i = i
            t = toks[i]
        return t

    def next(self) -> tuple:
        t = self.peek()
        if t[0] != EOF:
            self.i += 1
        return t

    def error(self, summary: str, detail: str, t: tuple, end: tuple | None = None) -> HCLError:
        if end is None:
            rng = SourceRange(self.f, t[2], t[3], t[4], t[5])
        else:
            rng = SourceRange(self.f, t[2], t[3], end[4], end[5])
        return HCLError(f"{summary}; {detail}", rng)

    def error_at(self, summary: str, detail: str, pos: SourcePos,
                 end: tuple[int, int] | None) -> HCLError:
        return HCLError(f"{summary}; {detail}", ast.span(pos, end))

    # -- structure -----------------------------------------------------------------------

    def parse_body(self, end_kind: str, open_tok: tuple | None) -> ast.Body:
        toks = self.toks
        items: list = []
        seen: dict[str, ast.Attribute] = {}
        while True:
            t = toks[self.i]
            k = t[0]
            if k == NL:
                self.i += 1
                continue
            if k == end_kind:
                if k != EOF:
                    self.i += 1
                return ast.Body(items)
            if k == IDENT:
                nxt = toks[self.i + 1][0]
                if nxt == "=":
                    item = self.parse_attribute(single_line=False)
                    prev = seen.get(item.name)
                    if prev is not None:
                        prev_rng = SourceRange(self.f, prev.pos.line, prev.pos.column,
                                               prev.pos.line, prev.pos.column + len(prev.name))
                        raise HCLError(
                            f'Attribute redefined; The argument "{item.name}" was already set '
                            f"at {prev_rng}. Each argument may be set only once.",
                            SourceRange(self.f, item.pos.line, item.pos.column, item.pos.line,
                                        item.pos.column + len(item.name)))
                    seen[item.name] = item
                    items.append(item)
                elif nxt in (STRING, OQUOTE, "{", IDENT):
                    items.append(self.parse_block())
                else:
                    raise self.error(
                        "Argument or block definition required",
                        "An argument or block definition is required here. To set an argument, "
                        'use the equals sign "=" to introduce the argument value.', t)
                continue
            if k == EOF:
                if end_kind == "}":
                    raise self.error(
                        "Unclosed configuration block",
                        "There is no closing brace for this block before the end of the file. "
                        "This may be caused by incorrect brace nesting elsewhere in this file.",
                        open_tok)
                raise self.error("Unclosed configuration body",
                                 "Found end of file before the end of this configuration body.",
                                 t)
            if k == STRING or k == OQUOTE:
                raise self.error("Invalid argument name", "Argument names must not be quoted.", t)
            raise self.error("Argument or block definition required",
                             "An argument or block definition is required here.", t)

    def parse_attribute(self, single_line: bool) -> ast.Attribute:
        toks = self.toks
        name_tok = toks[self.i]
        self.i += 2  # name and "="
        expr = self.parse_expression()
        last = toks[self.i - 1]
        if not single_line:
            t = toks[self.i]
            k = t[0]
            if k == NL:
                self.i += 1
            elif k != EOF:
                if k == ",":
                    raise self.error(
                        "Unexpected comma after argument",
                        "Argument definitions must be separated by newlines, not commas. An "
                        "argument definition must end with a newline.", t)
                raise self.error("Missing newline after argument",
                                 "An argument definition must end with a newline.", t)
        return ast.Attribute(name_tok[1], expr, self.pos(name_tok), (last[4], last[5]))

    def parse_block(self) -> ast.Block:
        toks = self.toks
        type_tok = toks[self.i]
        self.i += 1
        labels: list[str] = []
        while True:
            t = toks[self.i]
            k = t[0]
            if k == "{":
                break
            if k == STRING:
                labels.append(t[1])
                self.i += 1
            elif k == IDENT:
                labels.append(t[1])
                self.i += 1
            elif k == OQUOTE:
                j = self.i + 1
                while toks[j][0] == QLIT:
                    j += 1
                bad = toks[j]
                if bad[0] in (TINTERP, TCONTROL):
                    which = "$" if bad[0] == TINTERP else "%"
                    raise self.error(
                        "Invalid string literal",
                        f'Template sequences are not allowed in this string. To include a '
                        f'literal "{which}", double it (as "{which}{which}") to escape it.', bad)
                labels.append("".join(x[1] for x in toks[self.i + 1:j]))
                self.i = j + 1
            elif k == "=":
                raise self.error(
                    "Invalid block definition",
                    'The equals sign "=" indicates an argument definition, and must not be '
                    "used when defining a block.", t)
            elif k == NL:
                raise self.error(
                    "Invalid block definition",
                    'A block definition must have block content delimited by "{" and "}", '
                    "starting on the same line as the block header.", t)
            else:
                raise self.error(
                    "Invalid block definition",
                    'Either a quoted string block label or an opening brace ("{") is expected '
                    "here.", t)
        open_tok = toks[self.i]
        self.i += 1
        k = toks[self.i][0]
        if k == NL or k == EOF or k == "}":
            body = self.parse_body("}", open_tok)
        else:
            body = self.parse_single_attr_body(open_tok)
        close = toks[self.i - 1]
        t = toks[self.i]
        if t[0] == NL:
            self.i += 1
        elif t[0] != EOF:
            raise self.error("Missing newline after block definition",
                             "A block definition must end with a newline.", t)
        return ast.Block(type_tok[1], labels, body, self.pos(type_tok), (close[4], close[5]))

    def parse_single_attr_body(self, open_tok: tuple) -> ast.Body:
        toks = self.toks
        t = toks[self.i]
        if t[0] != IDENT:
            raise self.error("Argument or block definition required",
                             "An argument or block definition is required here.", t)
        nxt = toks[self.i + 1]
        if nxt[0] in (STRING, OQUOTE, "{", IDENT):
            raise self.error(
                "Argument definition required",
                f"A single-line block definition can contain only a single argument. If you "
                f'meant to define argument "{t[1]}", use an equals sign to assign it a value. '
                f"To define a nested block, place it on a line of its own within its parent "
                f"block.", t, nxt)
        if nxt[0] != "=":
            raise self.error(
                "Argument or block definition required",
                "An argument or block definition is required here. To set an argument, use the "
                'equals sign "=" to introduce the argument value.', t)
        attr = self.parse_attribute(single_line=True)
        t = toks[self.i]
        k = t[0]
        if k == "}":
            self.i += 1
            return ast.Body([attr])
        if k == ",":
            raise self.error(
                "Invalid single-argument block definition",
                "Single-line block syntax can include only one argument definition. To define "
                "multiple arguments, use the multi-line block syntax with one argument "
                "definition per line.", t)
        if k == NL:
            raise self.error(
                "Invalid single-argument block definition",
                "An argument definition on the same line as its containing block creates a "
                "single-line block definition, which must also be closed on the same line. "
                "Place the block's closing brace immediately after the argument definition.", t)
        if k == EOF:
            raise self.error(
                "Unclosed configuration block",
                "There is no closing brace for this block before the end of the file. This may "
                "be caused by incorrect brace nesting elsewhere in this file.", open_tok)
        raise self.error(
            "Invalid single-argument block definition",
            "A single-line block definition must end with a closing brace immediately after its "
            "single argument definition.", t)

    # -- expressions ---------------------------------------------------------------------

    def parse_expression(self) -> ast.Expr:
        cond = self.parse_binary(1)
        t = self.peek()
        if t[0] != "?":
            return cond
        self.i += 1
        then = self.parse_expression()
        colon = self.peek()
        if colon[0] != ":":
            raise self.error(
                "Missing false expression in conditional",
                "The conditional operator (...?...:...) requires a false expression, delimited "
                "by a colon.", colon)
        self.i += 1
        else_ = self.parse_expression()
        return ast.Conditional(cond, then, else_, cond.pos, else_.end)

    def parse_binary(self, min_prec: int) -> ast.Expr:
        left = self.parse_unary()
        prec_of = _PREC.get
        while True:
            t = self.peek()
            p = prec_of(t[0])
            if p is None or p < min_prec:
                return left
            self.i += 1
            right = self.parse_binary(p + 1)
            left = ast.Binary(t[0], left, right, left.pos, right.end)

    def parse_unary(self) -> ast.Expr:
        t = self.peek()
        k = t[0]
        if k == "-" or k == "!":
            self.i += 1
            operand = self.parse_unary()
            if k == "-" and type(operand) is ast.Literal and type(operand.value) in (int, float):
                return ast.Literal(-operand.value, self.pos(t), operand.end)
            return ast.Unary(k, operand, self.pos(t), operand.end)
        expr = self.parse_primary()
        # traversals
        k = self.peek()[0]
        if k == "." or k == "[":
            return self.parse_traversals(expr, False)
        return expr

    def parse_traversals(self, expr: ast.Expr, in_splat: bool) -> ast.Expr:
        toks = self.toks
        while True:
            t = self.peek()
            k = t[0]
            if k == ".":
                nt = toks[self.i + 1]
                nk = nt[0]
                if nk == IDENT:
                    self.i += 2
                    expr = ast.GetAttr(expr, nt[1], expr.pos, (nt[4], nt[5]))
                elif nk == NUMBER:
                    self.i += 2
                    parts = nt[1].split(".")
                    if not all(x.isdigit() for x in parts):
                        raise self.error("Invalid attribute name",
                                         "An attribute name is required after a dot.", nt)
                    for part in parts:
                        key = ast.Literal(int(part), self.pos(nt), (nt[4], nt[5]))
                        expr = ast.Index(expr, key, expr.pos, (nt[4], nt[5]))
                elif nk == "*":
                    if in_splat:
                        return expr  # the enclosing splat's chain ends here
                    self.i += 2
                    item = ast.SplatItem(self.pos(t), (nt[4], nt[5]))
                    each: ast.Expr = item
                    while True:
                        d = self.peek()
                        if d[0] == "." and toks[self.i + 1][0] == IDENT:
                            a = toks[self.i + 1]
                            self.i += 2
                            each = ast.GetAttr(each, a[1], each.pos, (a[4], a[5]))
                        else:
                            break
                    expr = ast.Splat(expr, each, item, expr.pos, each.end)
                else:
                    raise self.error("Invalid attribute name",
                                     "An attribute name is required after a dot.", nt)
            elif k == "[":
                open_tok = t
                self.i += 1
                self.push_nl(False)
                s = self.peek()
                if s[0] == "*":
                    self.i += 1
                    close = self.peek()
                    if close[0] != "]":
                        raise self.error(
                            "Missing close bracket on splat index",
                            'The star for a full splat operator must be immediately followed by '
                            'a closing bracket ("]").', close)
                    self.i += 1
                    self.pop_nl()
                    # everything that follows applies to each element (a nested full splat
                    # inside this chain applies to each element of the current one)
                    item = ast.SplatItem(self.pos(open_tok), (close[4], close[5]))
                    each = self.parse_traversals(item, True)
                    expr = ast.Splat(expr, each, item, expr.pos, each.end)
                    continue
                key = self.parse_expression()
                close = self.peek()
                if close[0] != "]":
                    raise self.error("Missing close bracket on index",
                                     'The index operator must end with a closing bracket ("]").',
                                     close)
                self.i += 1
                self.pop_nl()
                expr = ast.Index(expr, key, expr.pos, (close[4], close[5]))
            else:
                return expr

    def parse_primary(self) -> ast.Expr:
        t = self.peek()
        k = t[0]
        if k == IDENT:
            self.i += 1
            name = t[1]
            nk = self.peek()[0]
            if nk == "(" or nk == "::":
                return self.parse_call(t)
            if name == "true":
                return ast.Literal(True, self.pos(t), (t[4], t[5]))
            if name == "false":
                return ast.Literal(False, self.pos(t), (t[4], t[5]))
            if name == "null":
                return ast.Literal(None, self.pos(t), (t[4], t[5]))
            return ast.Variable(name, self.pos(t), (t[4], t[5]))
        if k == STRING:
            self.i += 1
            return ast.Literal(t[1], self.pos(t), (t[4], t[5]))
        if k == NUMBER:
            self.i += 1
            try:
                value = parse_number(t[1])
            except ValueError:
                raise self.error("Invalid number literal",
                                 "Failed to recognize the value of this number literal.",
                                 t) from None
            return ast.Literal(value, self.pos(t), (t[4], t[5]))
        if k == OQUOTE:
            self.i += 1
            return self.parse_template(t, CQUOTE, False)
        if k == OHEREDOC:
            self.i += 1
            return self.parse_template(t, CHEREDOC, t[1][1])
        if k == "(":
            self.i += 1
            self.push_nl(False)
            inner = self.parse_expression()
            close = self.peek()
            if close[0] != ")":
                raise self.error("Unbalanced parentheses",
                                 "Expected a closing parenthesis to terminate the expression.",
                                 close)
            self.i += 1
            self.pop_nl()
            return ast.Parens(inner, self.pos(t), (close[4], close[5]))
        if k == "[":
            return self.parse_tuple()
        if k == "{":
            return self.parse_object()
        if k == EOF:
            raise self.error("Missing expression",
                             "Expected the start of an expression, but found the end of the "
                             "file.", t)
        raise self.error("Invalid expression",
                         "Expected the start of an expression, but found an invalid expression "
                         "token.", t)

    def parse_call(self, name_tok: tuple) -> ast.Expr:
        name = name_tok[1]
        last = name_tok
        while self.peek()[0] == "::":
            self.i += 1
            nt = self.peek()
            if nt[0] != IDENT:
                raise self.error("Missing function name",
                                 "Function scope resolution symbol :: must be followed by a "
                                 "function name in this scope.", nt)
            self.i += 1
            name += "::" + nt[1]
            last = nt
        open_tok = self.peek()
        if open_tok[0] != "(":
            raise self.error("Missing open parenthesis",
                             "Function selector must be followed by an open parenthesis to "
                             "begin the function call.", open_tok)
        self.i += 1
        self.push_nl(False)
        args: list[ast.Expr] = []
        expand = False
        while True:
            t = self.peek()
            if t[0] == ")":
                break
            if t[0] == EOF:
                raise self.error(
                    "Unterminated function call",
                    "There is no closing parenthesis for this function call before the end of "
                    "the file. This may be caused by incorrect parenthesis nesting elsewhere in "
                    "this file.", name_tok, open_tok)
            args.append(self.parse_expression())
            t = self.peek()
            if t[0] == "...":
                self.i += 1
                expand = True
                t = self.peek()
                if t[0] != ")":
                    raise self.error(
                        "Missing closing parenthesis",
                        "An expanded function argument (with ...) must be immediately followed "
                        "by closing parentheses.", t)
                break
            if t[0] == ",":
                self.i += 1
                continue
            if t[0] == ")":
                break
            if t[0] == EOF:
                raise self.error(
                    "Unterminated function call",
                    "There is no closing parenthesis for this function call before the end of "
                    "the file. This may be caused by incorrect parenthesis nesting elsewhere in "
                    "this file.", name_tok, open_tok)
            raise self.error("Missing argument separator",
                             "A comma is required to separate each function argument from the "
                             "next.", t)
        close = self.peek()
        self.i += 1
        self.pop_nl()
        return ast.Call(name, args, expand, self.pos(name_tok), (close[4], close[5]),
                        (last[4], last[5]))

    def _is_for(self) -> bool:
        t = self.peek()
        if t[0] != IDENT or t[1] != "for":
            return False
        j = self.i + 1
        while self.toks[j][0] == NL:
            j += 1
        return self.toks[j][0] == IDENT

    def parse_tuple(self) -> ast.Expr:
        open_tok = self.peek()
        self.i += 1
        self.push_nl(False)
        if self._is_for():
            expr = self.parse_for(open_tok, False)
            self.pop_nl()
            return expr
        items: list[ast.Expr] = []
        while True:
            t = self.peek()
            k = t[0]
            if k == "]":
                break
            if k == EOF:
                raise self.error(
                    "Unterminated tuple constructor expression",
                    "There is no corresponding closing bracket before the end of the file. This "
                    "may be caused by incorrect bracket nesting elsewhere in this file.",
                    open_tok)
            items.append(self.parse_expression())
            t = self.peek()
            k = t[0]
            if k == ",":
                self.i += 1
                continue
            if k == "]":
                break
            if k == EOF:
                raise self.error(
                    "Unterminated tuple constructor expression",
                    "There is no corresponding closing bracket before the end of the file. This "
                    "may be caused by incorrect bracket nesting elsewhere in this file.",
                    open_tok)
            raise self.error("Missing item separator",
                             "Expected a comma to mark the beginning of the next item.", t)
        close = self.peek()
        self.i += 1
        self.pop_nl()
        return ast.Tuple(items, self.pos(open_tok), (close[4], close[5]))

    def parse_object(self) -> ast.Expr:
        toks = self.toks
        open_tok = self.peek()
        self.i += 1
        self.push_nl(False)
        if self._is_for():
            expr = self.parse_for(open_tok, True)
            self.pop_nl()
            return expr
        self.pop_nl()
        self.push_nl(True)
        items: list[tuple[ast.Expr, ast.Expr]] = []
        unterminated = (
            "Unterminated object constructor expression",
            "There is no corresponding closing brace before the end of the file. This may be "
            "caused by incorrect brace nesting elsewhere in this file.")
        while True:
            t = toks[self.i]
            k = t[0]
            if k == NL:
                self.i += 1
                continue
            if k == "}":
                break
            if k == EOF:
                raise self.error(*unterminated, open_tok)
            nk = toks[self.i + 1][0]
            if k == IDENT and (nk == "=" or nk == ":"):
                key: ast.Expr = ast.Literal(t[1], self.pos(t), (t[4], t[5]))
                self.i += 1
            else:
                self.push_nl(False)
                key = self.parse_expression()
                self.pop_nl()
                if type(key) is ast.Variable:
                    key = ast.Literal(key.name, key.pos, key.end)
            sep = toks[self.i]
            if sep[0] != "=" and sep[0] != ":":
                if sep[0] == NL or sep[0] == "}" or sep[0] == ",":
                    raise self.error("Missing attribute value",
                                     'Expected an attribute value, introduced by an equals sign '
                                     '("=").', sep)
                if sep[0] == EOF:
                    raise self.error(*unterminated, open_tok)
                raise self.error(
                    "Missing key/value separator",
                    'Expected an equals sign ("=") to mark the beginning of the attribute value. '
                    "If you intended to given an attribute name containing periods or spaces, "
                    "write the name in quotes to create a string literal.", sep)
            self.i += 1
            value = self.parse_expression()
            items.append((key, value))
            t = toks[self.i]
            k = t[0]
            if k == "," or k == NL:
                self.i += 1
                continue
            if k == "}":
                break
            if k == EOF:
                raise self.error(*unterminated, open_tok)
            raise self.error("Missing attribute separator",
                             "Expected a newline or comma to mark the beginning of the next "
                             "attribute.", t)
        close = toks[self.i]
        self.i += 1
        self.pop_nl()
        return ast.Object(items, self.pos(open_tok), (close[4], close[5]))

    def parse_for(self, open_tok: tuple, is_object: bool) -> ast.Expr:
        closer = "}" if is_object else "]"
        self.i += 1  # "for"
        t = self.next()
        if t[0] != IDENT:
            raise self.error("Invalid 'for' expression",
                             "For expression requires variable name after 'for'.", t)
        key_var = None
        value_var = t[1]
        if self.peek()[0] == ",":
            self.i += 1
            t = self.next()
            if t[0] != IDENT:
                raise self.error("Invalid 'for' expression",
                                 "For expression requires value variable name after comma.", t)
            key_var, value_var = value_var, t[1]
        t = self.next()
        if t[0] != IDENT or t[1] != "in":
            raise self.error("Invalid 'for' expression",
                             "For expression requires the 'in' keyword after its name "
                             "declarations.", t)
        coll = self.parse_expression()
        t = self.next()
        if t[0] != ":":
            raise self.error("Invalid 'for' expression",
                             "For expression requires a colon after the collection expression.",
                             t)
        first = self.parse_expression()
        key_expr = None
        value = first
        group = False
        if self.peek()[0] == "=>":
            self.i += 1
            key_expr = first
            value = self.parse_expression()
            if self.peek()[0] == "...":
                self.i += 1
                group = True
        elif self.peek()[0] == "...":
            raise self.error("Invalid 'for' expression",
                             "Grouping ellipsis (...) cannot be used when building a tuple.",
                             self.peek())
        cond = None
        t = self.peek()
        if t[0] == IDENT and t[1] == "if":
            self.i += 1
            cond = self.parse_expression()
        close = self.peek()
        if close[0] != closer:
            raise self.error("Invalid 'for' expression",
                             "Extra characters after the end of the 'for' expression.", close)
        self.i += 1
        pos = self.pos(open_tok)
        end = (close[4], close[5])
        if is_object and key_expr is None:
            raise self.error_at("Invalid 'for' expression",
                                "Key expression is required when building an object.",
                                value.pos, value.end)
        if not is_object and key_expr is not None:
            raise self.error_at("Invalid 'for' expression",
                                "Key expression is not valid when building a tuple.",
                                key_expr.pos, key_expr.end)
        return ast.ForExpr(key_var, value_var, coll, key_expr, value, cond, group, is_object,
                           pos, end)
