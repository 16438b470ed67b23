"""The template lexer (items as Go's ``text/template/parse`` names them) and the literal
syntax it yields: quoted strings, runes and numbers."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from typing import Any

from .values import _quote, _rune_name


ERROR, BOOL, CHAR, CHARCONST, COMPLEX, ASSIGN, DECLARE, EOF, FIELD, IDENT, LDELIM, LPAREN, \
    NUMBER, PIPE, RAW, RDELIM, RPAREN, SPACE, STRING, TEXT, VAR = (
        "error", "bool", "char", "charconst", "complex", "=", ":=", "EOF", "field", "ident",
        "{{", "(", "number", "|", "raw", "}}", ")", "space", "string", "text", "variable")
# Keywords are their own item types; "." and "nil" are keywords too (Go prints them <.>, <nil>).
_KEYWORDS = frozenset({"block", "break", "continue", "define", "else", "end", "if", "range",
                       "nil", "template", "with"})
DOT = "."
_KEYWORD_TYPES = _KEYWORDS | {DOT}
_SPACE_CHARS = " \t\r\n"


class _Item:
    __slots__ = ("line", "pos", "typ", "val")

    def __init__(self, typ: str, val: str, pos: int, line: int):
        self.typ, self.val, self.pos, self.line = typ, val, pos, line

    def __str__(self) -> str:
        if self.typ == EOF:
            return "EOF"
        if self.typ == ERROR:
            return self.val
        if self.typ in _KEYWORD_TYPES:
            return f"<{self.val}>"
        if len(self.val.encode()) > 10:
            return _quote(self.val[:10]) + "..."
        return _quote(self.val)


def _is_alnum(c: str) -> bool:
    return c == "_" or c.isalpha() or c.isdecimal()


class _Lexer:
    def __init__(self, text: str):
        self.input = text
        self.pos = 0
        self.start = 0
        self.paren_depth = 0
        self.items: list[_Item] = []
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]

    def line_at(self, pos: int) -> int:
        return 1 + bisect_left(self.newlines, pos)

    def run(self) -> list[_Item]:
        state: Callable | None = self.lex_text
        while state is not None:
            state = state()
        return self.items

    # -- helpers ---------------------------------------------------------------------------

    def peek(self) -> str:
        return self.input[self.pos] if self.pos < len(self.input) else ""

    def emit(self, typ: str) -> Callable:
        self.items.append(_Item(typ, self.input[self.start:self.pos], self.start,
                                self.line_at(self.start)))
        self.start = self.pos
        return self.lex_inside

    def errorf(self, msg: str) -> None:
        self.items.append(_Item(ERROR, msg, self.start, self.line_at(self.start)))

    def at_right_delim(self) -> tuple[bool, bool]:
        s, p = self.input, self.pos
        if p + 1 < len(s) and s[p] in _SPACE_CHARS and s[p + 1] == "-" and s.startswith("}}", p + 2):
            return True, True
        if s.startswith("}}", p):
            return True, False
        return False, False

    def has_left_trim(self, p: int) -> bool:
        s = self.input
        return p + 1 < len(s) and s[p] == "-" and s[p + 1] in _SPACE_CHARS

    def left_trim_length(self, p: int) -> int:
        n = p
        while n < len(self.input) and self.input[n] in _SPACE_CHARS:
            n += 1
        return n - p

    def at_terminator(self) -> bool:
        r = self.peek()
        if r == "" or r in _SPACE_CHARS or r in ".,|:()":
            return True
        return self.input.startswith("}}", self.pos)

    # -- states ----------------------------------------------------------------------------

    def lex_text(self) -> Callable | None:
        x = self.input.find("{{", self.pos)
        if x >= 0:
            if x > self.pos:
                trim = 0
                if self.has_left_trim(x + 2):
                    chunk = self.input[self.start:x]
                    trim = len(chunk) - len(chunk.rstrip(_SPACE_CHARS))
                if x - trim > self.start:
                    self.pos = x - trim
                    self.emit(TEXT)
                self.pos = self.start = x
            return self.lex_left_delim
        self.pos = len(self.input)
        if self.pos > self.start:
            self.emit(TEXT)
        self.emit(EOF)
        return None

    def lex_left_delim(self) -> Callable | None:
        self.pos += 2
        trim = self.has_left_trim(self.pos)
        after = 2 if trim else 0
        if self.input.startswith("/*", self.pos + after):
            self.pos += after
            self.start = self.pos
            return self.lex_comment
        self.emit(LDELIM)
        self.pos += after
        self.start = self.pos
        self.paren_depth = 0
        return self.lex_inside

    def lex_comment(self) -> Callable | None:
        self.pos += 2
        x = self.input.find("*/", self.pos)
        if x < 0:
            return self.errorf("unclosed comment")
        self.pos = x + 2
        delim, trim = self.at_right_delim()
        if not delim:
            return self.errorf("comment ends before closing delimiter")
        if trim:
            self.pos += 2
        self.pos += 2
        if trim:
            self.pos += self.left_trim_length(self.pos)
        self.start = self.pos
        return self.lex_text

    def lex_right_delim(self) -> Callable | None:
        _, trim = self.at_right_delim()
        if trim:
            self.pos += 2
            self.start = self.pos
        self.pos += 2
        self.emit(RDELIM)
        if trim:
            self.pos += self.left_trim_length(self.pos)
            self.start = self.pos
        return self.lex_text

    def lex_inside(self) -> Callable | None:
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim
            return self.errorf("unclosed left paren")
        if self.pos >= len(self.input):
            return self.errorf("unclosed action")
        r = self.input[self.pos]
        self.pos += 1
        if r in _SPACE_CHARS:
            self.pos -= 1
            return self.lex_space
        if r == "=":
            return self.emit(ASSIGN)
        if r == ":":
            if self.peek() != "=":
                return self.errorf("expected :=")
            self.pos += 1
            return self.emit(DECLARE)
        if r == "|":
            return self.emit(PIPE)
        if r == '"':
            return self.lex_quote
        if r == "`":
            return self.lex_raw_quote
        if r == "$":
            return self.lex_variable
        if r == "'":
            return self.lex_char
        if r == "." and self.pos < len(self.input) and not "0" <= self.input[self.pos] <= "9":
            return self.lex_field
        if r in ".+-" or "0" <= r <= "9":
            self.pos -= 1
            return self.lex_number
        if _is_alnum(r):
            self.pos -= 1
            return self.lex_identifier
        if r == "(":
            self.paren_depth += 1
            return self.emit(LPAREN)
        if r == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.errorf("unexpected right paren")
            return self.emit(RPAREN)
        if r < "\x7f" and r.isprintable():
            return self.emit(CHAR)
        return self.errorf(f"unrecognized character in action: {_rune_name(r)}")

    def lex_space(self) -> Callable | None:
        n = 0
        while self.peek() != "" and self.peek() in _SPACE_CHARS:
            self.pos += 1
            n += 1
        # " -}}": the last space belongs to the trim marker.
        if self.peek() == "-" and self.input.startswith("}}", self.pos + 1):
            self.pos -= 1
            if n == 1:
                return self.lex_inside
        return self.emit(SPACE)

    def lex_identifier(self) -> Callable | None:
        while self.peek() != "" and _is_alnum(self.peek()):
            self.pos += 1
        word = self.input[self.start:self.pos]
        if not self.at_terminator():
            return self.errorf(f"bad character {_rune_name(self.peek())}")
        if word in _KEYWORDS:
            return self.emit(word)
        if word in ("true", "false"):
            return self.emit(BOOL)
        return self.emit(IDENT)

    def lex_field(self) -> Callable | None:
        return self.lex_field_or_variable(FIELD)

    def lex_variable(self) -> Callable | None:
        if self.at_terminator():
            return self.emit(VAR)
        return self.lex_field_or_variable(VAR)

    def lex_field_or_variable(self, typ: str) -> Callable | None:
        if self.at_terminator():
            return self.emit(VAR if typ == VAR else DOT)
        while self.peek() != "" and _is_alnum(self.peek()):
            self.pos += 1
        if not self.at_terminator():
            return self.errorf(f"bad character {_rune_name(self.peek())}")
        return self.emit(typ)

    def accept(self, valid: str) -> bool:
        if self.peek() != "" and self.peek() in valid:
            self.pos += 1
            return True
        return False

    def accept_run(self, valid: str) -> None:
        while self.accept(valid):
            pass

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if self.peek() != "" and _is_alnum(self.peek()):
            self.pos += 1
            return False
        return True

    def lex_number(self) -> Callable | None:
        if not self.scan_number():
            return self.errorf(f"bad number syntax: {_quote(self.input[self.start:self.pos])}")
        if self.peek() in ("+", "-"):
            if not self.scan_number() or self.input[self.pos - 1] != "i":
                return self.errorf(f"bad number syntax: {_quote(self.input[self.start:self.pos])}")
            return self.emit(COMPLEX)
        return self.emit(NUMBER)

    def lex_quoted(self, quote: str, typ: str, what: str) -> Callable | None:
        while True:
            r = self.peek()
            self.pos += 1
            if r == "\\":
                r = self.peek()
                self.pos += 1
                if r not in ("", "\n"):
                    continue
            if r in ("", "\n"):
                self.pos = min(self.pos, len(self.input))
                return self.errorf(f"unterminated {what}")
            if r == quote:
                return self.emit(typ)

    def lex_quote(self) -> Callable | None:
        return self.lex_quoted('"', STRING, "quoted string")

    def lex_char(self) -> Callable | None:
        return self.lex_quoted("'", CHARCONST, "character constant")

    def lex_raw_quote(self) -> Callable | None:
        x = self.input.find("`", self.pos)
        if x < 0:
            self.pos = len(self.input)
            return self.errorf("unterminated raw quoted string")
        self.pos = x + 1
        return self.emit(RAW)


_SIMPLE_ESC = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}
_HEX = "0123456789abcdefABCDEF"


class _SyntaxErr(Exception):
    pass


def _unquote(q: str) -> str:
    """strconv.Unquote for "…", `…` and '…' (a char literal gives its one character)."""
    if len(q) < 2 or q[0] != q[-1]:
        raise _SyntaxErr
    quote, body = q[0], q[1:-1]
    if quote == "`":
        if "`" in body:
            raise _SyntaxErr
        return body.replace("\r", "")
    if quote not in "\"'":
        raise _SyntaxErr
    out = bytearray()
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c == quote or c == "\n":
            raise _SyntaxErr
        if c != "\\":
            out += c.encode("utf-8", "surrogatepass")
            i += 1
            continue
        i += 1
        if i >= n:
            raise _SyntaxErr
        e = body[i]
        i += 1
        if e in _SIMPLE_ESC:
            out.append(_SIMPLE_ESC[e])
        elif e == quote:
            out += e.encode()
        elif e in "01234567":
            oct_digits = body[i - 1:i + 2]
            if len(oct_digits) < 3 or any(d not in "01234567" for d in oct_digits):
                raise _SyntaxErr
            v = int(oct_digits, 8)
            if v > 255:
                raise _SyntaxErr
            i += 2
            out += chr(v).encode() if quote == "'" else bytes([v])
        elif e in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[e]
            hexd = body[i:i + size]
            if len(hexd) < size or any(d not in _HEX for d in hexd):
                raise _SyntaxErr
            i += size
            v = int(hexd, 16)
            if e == "x":
                out += chr(v).encode() if quote == "'" else bytes([v])
            else:
                if v > 0x10FFFF or 0xD800 <= v < 0xE000:
                    raise _SyntaxErr
                out += chr(v).encode()
        else:
            raise _SyntaxErr
    s = out.decode("utf-8", "replace")
    if quote == "'" and len(s) != 1:
        raise _SyntaxErr
    return s


def _number_value(text: str, typ: str) -> Any:
    """The value of a number literal where no type is known (exec's idealConstant)."""
    if typ == CHARCONST:
        return ord(_unquote(text))
    t = text.replace("_", "")
    if typ == COMPLEX:
        return complex(t.replace("i", "j"))
    if t.endswith("i"):
        return complex(0, float(t[:-1]))
    body = t.lstrip("+-")
    neg = t.startswith("-")
    if body[:2] in ("0x", "0X"):
        if any(c in body for c in ".pP"):
            v: Any = float.fromhex(body)
        else:
            v = int(body, 16)
    elif body[:2] in ("0o", "0O", "0b", "0B"):
        v = int(body, 0)
    elif any(c in body for c in ".eE"):
        v = float(body)
    elif len(body) > 1 and body[0] == "0":
        v = int(body, 8) if all(c in "01234567" for c in body) else int(body, 10)
    else:
        v = int(body, 10)
    return -v if neg else v
