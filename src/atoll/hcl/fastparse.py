"""A line-at-a-time parser for the plain shape of HCL that schema files are made of.

:func:`parse_prefix` reads top-level items whose every line is one of

* ``name = VALUE`` where VALUE is a quoted string without templates, a number (``-`` allowed),
  ``true``/``false``/``null``, an identifier or a dotted traversal (``table.t.column.id``), a
  call ``f(ITEM, ...)`` or a tuple ``[ITEM, ...]`` whose items are strings, numbers or
  traversals;
* a block header ``type "label" label {`` (or an empty block ``type "label" {}``), and ``}``;
* a blank or comment-only line (``#``, ``//``), and any of the above ending in a line comment,

with one regular expression match per line, and builds exactly the syntax tree that the general
tokenizer and parser (:mod:`atoll.hcl.parser`) build for the same text. At the first top-level
item it is not sure about (anything else: heredocs, templates, operators, objects, block
comments, a multi-line tuple, a redefined attribute, a syntax error, ...) it stops and returns
where that item starts; the general parser takes the rest of the file from there, so every
diagnostic is the general parser's own. A 1000-table schema file parses about four times
faster this way than through the token list.
"""

from __future__ import annotations

import re

from ..errors import HCLError, SourcePos
from . import ast
from .lexer import decode_quoted, parse_number

# Identifiers are ASCII here: a line with any other identifier is not plain (the general
# parser reads Unicode identifiers), which keeps every character test a table lookup.
_IDENT = r"[A-Za-z_][A-Za-z0-9_-]*+"
# The body of a quoted string without template sequences (the lexer's STRING token).
_STR = r"(?:[^\"\\$%\n\r]++|\\[^\n\r]|\$\$\{|%%\{|\$(?!\{)|%(?!\{))*+"
_NUM = r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
# What may end a line: blanks, a line comment, then a newline or the end of the text.
_TAIL = r"[ \t]*+(?:(?:#|//)[^\n]*+)?(?:\r?\n|\Z)"

# Group numbers matter: the loop dispatches on m.lastindex.
_LINE = re.compile(
    # 1 an attribute's name or a block's type
    rf"[ \t]*+(?:({_IDENT})[ \t]*+(?:"
    # the attribute's value: 2 identifier or traversal, 3 the argument text when it is called
    # (a function call), 4 tuple item text, 5 string body, 6 number
    rf"=[ \t]*+(?:({_IDENT}(?:\.{_IDENT})*+)(?:\(((?:\"{_STR}\"|[^()\"\n])*+)\))?"
    rf"|\[((?:\"{_STR}\"|[^\[\]\"\n])*+)\]"
    rf"|\"({_STR})\""
    rf"|(-?{_NUM}))"
    # the block's labels: 7 one label that needs no decoding, or 8 the text of any labels
    # (none: the last group is 1); 9 the "}" of an empty block
    rf"|(?:\"([^\"\\\n\r{{]*+)\"|((?:\"{_STR}\"|{_IDENT})(?:[ \t]*+(?:\"{_STR}\"|{_IDENT}))*+)?)"
    rf"[ \t]*+\{{[ \t]*+(\}})?"
    rf"){_TAIL}"
    # 10 a closing brace
    rf"|(\}}){_TAIL}"
    # a blank or comment-only line (no group)
    rf"|{_TAIL})")

# One item of a call's arguments or a tuple: 1 string body, 2 number, 3 traversal, 4 comma.
_ITEM = re.compile(rf"[ \t]*(?:\"({_STR})\"|(-?{_NUM})|({_IDENT}(?:\.{_IDENT})*))"
                   r"[ \t]*(?:(,)|\Z)")
_LABEL = re.compile(rf"[ \t]*(?:\"({_STR})\"|({_IDENT}))")
_BLANK = re.compile(r"[ \t]*\Z")

_KEYWORDS = {"true": True, "false": False, "null": None}
_new = object.__new__


class _Unsure(Exception):
    """The current item is not in the plain shape: the general parser takes over."""


def parse_prefix(text: str, filename: str) -> tuple[list, int, int]:
    """Parse the leading top-level items of ``text`` that are in the plain shape.

    Returns ``(items, offset, line)``: the items, and the offset and line number of the start
    of the line where the general parser must go on (``offset == len(text)`` when the whole
    text was parsed). ``text`` must not start with a byte-order mark."""
    lines = _LINE.finditer
    item_match = _ITEM.match
    n = len(text)
    Literal, Variable, GetAttr = ast.Literal, ast.Variable, ast.GetAttr
    Attribute, Block, Body = ast.Attribute, ast.Block, ast.Body
    keywords = _KEYWORDS

    def mkpos(line: int, col: int) -> SourcePos:
        p = _new(SourcePos)
        d = p.__dict__
        d["filename"] = filename
        d["line"] = line
        d["column"] = col
        return p

    def string(body: str, line: int, col: int) -> str:
        if "\\" in body or "{" in body:
            try:
                return decode_quoted(body, filename, line, col + 1)
            except HCLError:
                raise _Unsure from None
        return body

    def value(s: str | None, num: str | None, trav: str | None, line: int, col: int,
              e: int) -> ast.Expr:
        # One string, number or traversal starting at column ``col``, ending at column ``e``.
        if s is not None:
            return Literal(string(s, line, col), mkpos(line, col), (line, e))
        if num is not None:
            if num[0] == "-":
                return Literal(-parse_number(num[1:]), mkpos(line, col), (line, e))
            return Literal(parse_number(num), mkpos(line, col), (line, e))
        if "." not in trav:  # type: ignore[operator]
            if trav in keywords:
                return Literal(keywords[trav], mkpos(line, col), (line, e))
            return Variable(trav, mkpos(line, col), (line, e))
        parts = trav.split(".")  # type: ignore[union-attr]
        head = parts[0]
        if head in keywords:
            raise _Unsure
        pos = mkpos(line, col)
        c = col + len(head)
        expr: ast.Expr = Variable(head, pos, (line, c))
        for name in parts[1:]:
            c += 1 + len(name)
            expr = GetAttr(expr, name, pos, (line, c))
        return expr

    def items(start: int, end: int, line: int, ls: int) -> list:
        # The comma-separated items of text[start:end] (a call's arguments, a tuple's items).
        out: list = []
        p = start
        while not _BLANK.match(text, p, end):
            m = item_match(text, p, end)
            if m is None:
                raise _Unsure
            s, num, trav, comma = m.groups()
            i = m.start(1 if s is not None else 2 if num is not None else 3)
            k = m.end(1 if s is not None else 2 if num is not None else 3)
            if s is not None:
                i -= 1
                k += 1
            out.append(value(s, num, trav, line, i - ls + 1, k - ls + 1))
            p = m.end()
            if comma is None:
                break
        return out

    top: list = []
    cur = top  # the items of the body being read
    stack: list[tuple] = []  # (parent items, parent seen, type, labels, pos) per open block
    seen: set[str] = set()
    pos = 0
    line = 1
    item_pos, item_line = 0, 1  # where the current top-level item starts
    try:
        for m in lines(text):
            start, e = m.span()
            if start != pos or e == pos:
                break  # a line that is not plain (finditer skipped it), or the end
            g = m.lastindex
            if g is None:  # blank or comment line
                if not stack:
                    item_pos, item_line = e, line + 1
            elif 1 < g <= 6:
                name = m[1]
                if not stack or name in seen:
                    break  # top-level attributes (and redefinitions) go the general way
                seen.add(name)
                p = _new(SourcePos)
                d = p.__dict__
                d["filename"] = filename
                d["line"] = line
                d["column"] = m.start(1) - pos + 1
                if g == 2:
                    v = m[2]
                    i, k = m.span(2)
                    i -= pos - 1
                    k -= pos - 1
                    if "." in v:
                        expr = value(None, None, v, line, i, k)
                    else:
                        vp = _new(SourcePos)
                        d = vp.__dict__
                        d["filename"] = filename
                        d["line"] = line
                        d["column"] = i
                        if v in keywords:
                            expr = Literal(keywords[v], vp, (line, k))
                        else:
                            expr = Variable(v, vp, (line, k))
                elif g == 3:
                    v = m[2]
                    if "." in v:
                        raise _Unsure
                    k = m.end(3)
                    expr = ast.Call(v, items(m.start(3), k, line, pos), False,
                                    mkpos(line, m.start(2) - pos + 1), (line, k - pos + 2),
                                    (line, m.end(2) - pos + 1))
                elif g == 4:
                    i = m.start(4) - 1
                    k = m.end(4)
                    expr = ast.Tuple(items(i + 1, k, line, pos), mkpos(line, i - pos + 1),
                                     (line, k - pos + 2))
                elif g == 5:
                    expr = value(m[5], None, None, line, m.start(5) - pos, m.end(5) - pos + 2)
                else:
                    expr = value(None, m[6], None, line, m.start(6) - pos + 1,
                                 m.end(6) - pos + 1)
                cur.append(Attribute(name, expr, p, expr.end))
            elif g != 10:
                if not stack:
                    item_pos, item_line = pos, line
                lbl = m[7]
                if lbl is not None:
                    lbls = [lbl]
                else:
                    lbls = []
                    p = m.start(8)
                    end = m.end(8)
                    while p < end:
                        lm = _LABEL.match(text, p)
                        lbls.append(string(lm[1], line, lm.start(1) - pos)  # type: ignore
                                    if lm[1] is not None else lm[2])  # type: ignore[index]
                        p = lm.end()  # type: ignore[union-attr]
                bpos = mkpos(line, m.start(1) - pos + 1)
                if g == 9:
                    cur.append(Block(m[1], lbls, Body([]), bpos, (line, m.start(9) - pos + 2)))
                    if not stack:
                        item_pos, item_line = e, line + 1
                else:
                    stack.append((cur, seen, m[1], lbls, bpos))
                    cur = []
                    seen = set()
            else:
                if not stack:
                    break
                body = Body(cur)
                cur, seen, btype, lbls, bpos = stack.pop()
                cur.append(Block(btype, lbls, body, bpos, (line, m.start(10) - pos + 2)))
                if not stack:
                    item_pos, item_line = e, line + 1
            pos = e
            line += 1
        if pos == n and not stack:
            return top, n, line
    except _Unsure:
        pass
    if item_pos > n:
        item_pos = n
    return top, item_pos, item_line
