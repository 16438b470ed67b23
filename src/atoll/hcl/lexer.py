"""Tokenizer for HCL native syntax.

A token is a tuple ``(kind, value, line, col, end_line, end_col, start, end)``: ``start``/``end``
are offsets into the text, lines and columns are 1-based (columns count characters).

Kinds: ``IDENT``, ``NUMBER``, ``STRING`` (a quoted string with no interpolation; value is the
decoded text), ``OQUOTE``/``QLIT``/``CQUOTE`` (a quoted template: QLIT values are decoded),
``OHEREDOC`` (value ``(marker, flush)``)/``HLIT`` (raw line text)/``CHEREDOC``,
``TINTERP``/``TCONTROL`` (value: True when written with ``~``), ``TSEQEND`` (value: True for
``~}``), ``NL``, ``COMMENT`` (only with ``keep_comments``), ``EOF``, and punctuation whose kind is
its own text (``{``, ``==``, ``...``).

For parsing (the default) newlines, blank lines and line comments collapse into one ``NL``
token and block comments vanish, exactly as HCL's parser sees them. With ``keep_comments`` every
newline and comment is its own token (what ``fmt`` needs).
"""

from __future__ import annotations

import re

from ..errors import HCLError
from .ast import SourceRange

IDENT = "IDENT"
NUMBER = "NUMBER"
STRING = "STRING"
OQUOTE = "OQUOTE"
QLIT = "QLIT"
CQUOTE = "CQUOTE"
OHEREDOC = "OHEREDOC"
HLIT = "HLIT"
CHEREDOC = "CHEREDOC"
TINTERP = "TINTERP"
TCONTROL = "TCONTROL"
TSEQEND = "TSEQEND"
NL = "NL"
COMMENT = "COMMENT"
EOF = "EOF"

_LINE_COMMENT = r"(?:\#|//)[^\n]*(?:\n|\Z)"

# Group numbers matter: the scanner dispatches on ``m.lastindex``.
_G_NL, _G_COMMENT, _G_BCOMMENT, _G_IDENT, _G_NUMBER, _G_STRING, _G_OQUOTE, _G_HEREDOC, \
    _G_OP, _G_END = range(1, 11)

# Leading blanks are part of every match, so that they cost no extra scanner step. The plain
# string alternative is possessive: a string with a template inside fails it quickly instead of
# backtracking over every way to split its text (exponential in the text's length).
_NORMAL_TEMPLATE = r"""
[ \t]*(?:
 ({nl})
|({comment})
|(/\*.*?\*/)
|([^\W\d][\w-]*)
|([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
|("(?:[^"\\$%\n\r]++|\\[^\n\r]|\$\$\{{|%%\{{|\$(?!\{{)|%(?!\{{))*+")
|(")
|(<<-?[^\W\d][\w-]*\r?\n)
|(==|!=|<=|>=|&&|\|\||=>|\.\.\.|::|~\}}|[{{}}\[\]().,*/%+\-=<>!?:~])
|(\Z)
)"""

_compiled: dict[str, re.Pattern] = {}


def _patterns() -> dict[str, re.Pattern]:
    # Compiled on first use so that importing atoll stays cheap.
    if not _compiled:
        flags = re.VERBOSE | re.DOTALL
        parse_nl = rf"(?:\r?\n|{_LINE_COMMENT})(?:[ \t]*(?:\r?\n|{_LINE_COMMENT}))*"
        _compiled["parse"] = re.compile(
            _NORMAL_TEMPLATE.format(nl=parse_nl, comment=r"(?!)"), flags)
        _compiled["raw"] = re.compile(
            _NORMAL_TEMPLATE.format(nl=r"\r?\n", comment=_LINE_COMMENT), flags)
        # Literal text inside a quoted template.
        _compiled["qlit"] = re.compile(
            r"(?:[^\"\\$%\n\r]++|\\[^\n\r]|\$\$\{|%%\{|\$(?!\{)|%(?!\{))++")
        # Literal text inside a heredoc, up to the end of the line (newline included).
        _compiled["hlit"] = re.compile(r"(?:[^$%\n]++|\$\$\{|%%\{|\$(?!\{)|%(?!\{))*+\n?")
        _compiled["escape"] = re.compile(
            r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)|\$\$\{|%%\{", re.DOTALL)
    return _compiled


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def decode_quoted(raw: str, filename: str = "", line: int = 0, col: int = 0) -> str:
    """Decode the escapes of a quoted-string literal (without its quotes)."""
    if "\\" not in raw and "{" not in raw:
        return raw

    def repl(m: re.Match) -> str:
        s = m.group(0)
        if s == "$${":
            return "${"
        if s == "%%{":
            return "%{"
        c = s[1]
        if c in _ESCAPES:
            return _ESCAPES[c]
        if c in "uU" and len(s) > 2:
            cp = int(s[2:], 16)
            if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
                raise HCLError("Invalid escape sequence; Cannot encode character "
                               f"U+{cp:04x} in UTF-8.",
                               SourceRange(filename, line, col + m.start(), line,
                                           col + m.end()))
            return chr(cp)
        if c == "u":
            detail = "The \\u escape sequence must be followed by four hexadecimal digits."
        elif c == "U":
            detail = "The \\U escape sequence must be followed by eight hexadecimal digits."
        else:
            detail = f'The symbol "{c}" is not a valid escape sequence selector.'
        raise HCLError(f"Invalid escape sequence; {detail}",
                       SourceRange(filename, line, col + m.start(), line, col + m.end()))

    return _patterns()["escape"].sub(repl, raw)


def parse_number(text: str) -> int | float:
    """The value of an HCL number literal: an int when it is integral (``1e3`` → 1000)."""
    if text.isdigit():
        return int(text)
    from decimal import Decimal, InvalidOperation
    try:
        d = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the lexer only yields valid numbers
        raise ValueError(text) from None
    if d == d.to_integral_value() and d.adjusted() < 400:
        return int(d)
    return float(text)


def decode_heredoc(raw: str) -> str:
    """Heredoc literals take no backslash escapes; only ``$${`` and ``%%{`` are unescaped."""
    if "{" not in raw:
        return raw
    return raw.replace("$${", "${").replace("%%{", "%{")


def _err(summary: str, detail: str, filename: str, line: int, col: int, eline: int,
         ecol: int) -> HCLError:
    return HCLError(f"{summary}; {detail}", SourceRange(filename, line, col, eline, ecol))


def tokenize(text: str, filename: str = "", keep_comments: bool = False, start: int = 0,
             line: int = 1) -> list[tuple]:
    """Split ``text`` into tokens (see the module docstring). Raises HCLError on text that
    cannot be tokenized: unterminated strings/heredocs/comments, invalid characters.

    ``start`` (the offset of a line start outside any string or comment) and ``line`` (its
    line number) tokenize only the rest of the text."""
    pats = _patterns()
    normal = pats["raw" if keep_comments else "parse"]
    qlit_re = pats["qlit"]
    hlit_re = pats["hlit"]
    if start == 0 and text.startswith("\ufeff"):
        text = text[1:]

    toks: list[tuple] = []
    append = toks.append
    n = len(text)
    pos = start
    ls = start  # offset where the current line starts

    # Mode stack. Each entry: ("N", brace_depth) for normal code inside a template
    # interpolation; ("Q",) inside a quoted template; ("H", marker, at_line_start) heredoc.
    # The bottom "normal" mode is implicit (stack empty).
    stack: list[list] = []
    depth = 0  # brace depth in the current normal mode

    match = normal.match
    while True:
        mode = stack[-1][0] if stack else "N"
        if mode == "N":
            if pos >= n:
                break
            m = match(text, pos)
            if m is None:
                while text[pos] in " \t":
                    pos += 1
                raise _invalid_char(text[pos], filename, line, pos - ls + 1)
            g = m.lastindex
            s = m.start(g)
            e = m.end()
            pos = e
            if g == _G_END:
                break
            col = s - ls + 1
            if g == _G_IDENT:
                append((IDENT, m.group(g), line, col, line, col + e - s, s, e))
            elif g == _G_OP:
                v = m.group(g)
                if v == "{":
                    depth += 1
                elif v == "}" or v == "~}":
                    if stack and depth == 0:
                        # closes the interpolation/directive we are inside of
                        append((TSEQEND, v == "~}", line, col, line, col + e - s, s, e))
                        stack.pop()
                        depth = 0
                        continue
                    if v == "~}":
                        raise _invalid_char("~", filename, line, col)
                    depth -= 1
                elif v == "~":
                    raise _invalid_char("~", filename, line, col)
                elif v == "/" and text.startswith("*", e):
                    raise _err("Unterminated comment",
                               "There is no closing \"*/\" for this block comment.",
                               filename, line, col, line, col + 2)
                append((v, v, line, col, line, col + e - s, s, e))
            elif g == _G_NL:
                append((NL, None, line, col, line + 1, 1, s, e))
                cnt = text.count("\n", s, e)
                if cnt:  # zero for a line comment at the end of the file
                    line += cnt
                    ls = text.rfind("\n", s, e) + 1
            elif g == _G_NUMBER:
                append((NUMBER, m.group(g), line, col, line, col + e - s, s, e))
            elif g == _G_STRING:
                raw = text[s + 1:e - 1]
                append((STRING, decode_quoted(raw, filename, line, col + 1), line, col, line,
                        col + e - s, s, e))
            elif g == _G_OQUOTE:
                append((OQUOTE, '"', line, col, line, col + 1, s, e))
                _save_depth(stack, depth)
                stack.append(["Q"])
            elif g == _G_HEREDOC:
                v = m.group(g)
                flush = v[2] == "-"
                marker = v[3 if flush else 2:].rstrip("\r\n")
                append((OHEREDOC, (marker, flush), line, col, line + 1, 1, s, e))
                line += 1
                ls = e
                _save_depth(stack, depth)
                stack.append(["H", marker, True])
            elif g == _G_COMMENT:
                if text[e - 1] == "\n":
                    append((COMMENT, text[s:e], line, col, line + 1, 1, s, e))
                    line += 1
                    ls = e
                else:
                    append((COMMENT, text[s:e], line, col, line, col + e - s, s, e))
            elif g == _G_BCOMMENT:
                cnt = text.count("\n", s, e)
                if cnt:
                    eline = line + cnt
                    nls = text.rfind("\n", s, e) + 1
                    ecol = e - nls + 1
                else:
                    eline, ecol, nls = line, col + e - s, ls
                if keep_comments:
                    append((COMMENT, text[s:e], line, col, eline, ecol, s, e))
                line, ls = eline, nls
            continue

        if mode == "Q":
            if pos >= n:
                col = pos - ls + 1
                raise _err("Unterminated template string",
                           "No closing marker was found for the string.",
                           filename, line, col, line, col)
            c = text[pos]
            col = pos - ls + 1
            if c == '"':
                append((CQUOTE, '"', line, col, line, col + 1, pos, pos + 1))
                pos += 1
                stack.pop()
                depth = _restore_depth(stack)
                continue
            if (c == "$" or c == "%") and text.startswith("{", pos + 1):
                strip = text.startswith("~", pos + 2)
                e = pos + (3 if strip else 2)
                append((TINTERP if c == "$" else TCONTROL, strip, line, col, line,
                        col + e - pos, pos, e))
                pos = e
                stack.append(["N", 0])
                depth = 0
                continue
            if c == "\n" or c == "\r":
                raise _err("Invalid multi-line string",
                           "Quoted strings may not be split over multiple lines. To produce a "
                           "multi-line string, either use the \\n escape to represent a newline "
                           "character or use the \"heredoc\" multi-line template syntax.",
                           filename, line, col, line + 1, 1)
            m = qlit_re.match(text, pos)
            if m is None:  # a lone backslash at the end of the line
                raise _err("Invalid escape sequence",
                           "Backslash must be followed by an escape sequence selector "
                           "character.", filename, line, col, line, col + 1)
            e = m.end()
            append((QLIT, decode_quoted(m.group(0), filename, line, col), line, col, line,
                    col + e - pos, pos, e))
            pos = e
            continue

        # Heredoc mode.
        top = stack[-1]
        if pos >= n:
            raise _err("Unterminated template string",
                       f"No closing marker was found for the string (expected a line "
                       f"containing only {top[1]}).", filename, line, pos - ls + 1, line,
                       pos - ls + 1)
        col = pos - ls + 1
        if top[2]:
            # At the start of a line: is it the closing marker?
            eol = text.find("\n", pos)
            if eol < 0:
                eol = n
            content = text[pos:eol]
            if content.strip() == top[1]:
                stripped_end = pos + len(content.rstrip("\r"))
                append((CHEREDOC, content.rstrip("\r"), line, col, line,
                        col + stripped_end - pos, pos, stripped_end))
                pos = stripped_end
                stack.pop()
                depth = _restore_depth(stack)
                continue
        c = text[pos]
        if (c == "$" or c == "%") and text.startswith("{", pos + 1):
            top[2] = False
            strip = text.startswith("~", pos + 2)
            e = pos + (3 if strip else 2)
            append((TINTERP if c == "$" else TCONTROL, strip, line, col, line, col + e - pos,
                    pos, e))
            pos = e
            stack.append(["N", 0])
            depth = 0
            continue
        m = hlit_re.match(text, pos)
        e = m.end()
        if e == pos:  # cannot happen: the pattern always advances unless at "${"
            raise _err("Invalid character", "Unexpected character in heredoc.", filename, line,
                       col, line, col + 1)
        raw = m.group(0)
        if raw.endswith("\n"):
            append((HLIT, raw, line, col, line + 1, 1, pos, e))
            line += 1
            ls = e
            top[2] = True
        else:
            append((HLIT, raw, line, col, line, col + e - pos, pos, e))
            top[2] = False
        pos = e

    if stack:
        top = stack[-1]
        col = pos - ls + 1
        if top[0] == "N":
            raise _err("Unclosed template interpolation sequence",
                       "There is no closing brace for this interpolation sequence before the "
                       "end of the file. This might be caused by incorrect nesting inside the "
                       "given expression.", filename, line, col, line, col)
    col = pos - ls + 1
    append((EOF, None, line, col, line, col, pos, pos))
    return toks


def _invalid_char(ch: str, filename: str, line: int, col: int) -> HCLError:
    if ch == "'":
        detail = 'Single quotes are not valid. Use double quotes (") to enclose strings.'
    elif ch == "\t":
        detail = "Tab characters may not be used. The recommended indentation style is two spaces per indent."
    else:
        detail = "This character is not used within the language."
    return _err("Invalid character", detail, filename, line, col, line, col + 1)


def _save_depth(stack: list, depth: int) -> None:
    # Remember the brace depth of the normal mode we are leaving for a template.
    if stack and stack[-1][0] == "N":
        stack[-1][1] = depth


def _restore_depth(stack: list) -> int:
    if stack and stack[-1][0] == "N":
        return stack[-1][1]
    return 0
