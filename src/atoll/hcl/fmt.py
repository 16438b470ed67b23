"""``atlas schema fmt``: canonical layout of HCL source, as hclwrite's ``Format`` does it.

Only whitespace between tokens changes: indentation is recomputed from bracket nesting (two
spaces per level), tokens are separated by single spaces following HCL's spacing rules, the
``=`` of consecutive single-line attributes and trailing line comments are aligned, and
comments, blank lines and heredoc bodies are kept as they are. Unlike hclwrite, broken input is
rejected with an :class:`HCLError` (the file is parsed first).
"""

from __future__ import annotations

from ..gcpause import gc_paused
from . import lexer as L
from .parser import parse

# Token categories used by the spacing rules.
_OPENERS = frozenset(("{", "[", "(", L.TCONTROL, L.TINTERP))
_CLOSERS = frozenset(("}", "]", ")", L.TSEQEND))
_TEMPLATE_LIT = frozenset((L.QLIT, L.HLIT))


class _Tok:
    __slots__ = ("kind", "text", "spaces")

    def __init__(self, kind: str, text: str, spaces: int):
        self.kind = kind
        self.text = text
        self.spaces = spaces


def _bracket_change(t: _Tok) -> int:
    k = t.kind
    if k in _OPENERS:
        return 1
    if k in _CLOSERS:
        return -1
    return 0


def _is_newline(t: _Tok) -> bool:
    return t.kind == L.NL or (t.kind == L.COMMENT and t.text.endswith("\n"))


_NIL = _Tok("NIL", "", 0)


def _space_after(subject: _Tok, before: _Tok, after: _Tok) -> bool:
    sk, ak = subject.kind, after.kind
    if ak == L.NL or ak == "NIL":
        return False
    if sk == L.IDENT and ak == "(":
        return False
    if (sk == L.IDENT and ak == "::") or (sk == "::" and ak == L.IDENT):
        return False
    if sk == "." or ak == ".":
        return False
    if ak == "," or ak == "...":
        return False
    if sk == ",":
        return True
    if (sk in _TEMPLATE_LIT or sk == L.OQUOTE or sk == L.OHEREDOC or ak in _TEMPLATE_LIT
            or ak == L.CQUOTE or ak == L.CHEREDOC):
        return False
    if sk == L.IDENT and subject.text == "in" and before.kind == L.IDENT:
        return True
    if ak == "[" and (sk == L.IDENT or sk == L.NUMBER or _bracket_change(subject) < 0):
        return False
    if sk == "!":
        return False
    if sk == "-":
        bk = before.kind
        if bk in ("NIL", "(", "{", "[", "=", ":", ",", "?", "+", "*", "/", "%", "-", "==", "!=",
                  ">", ">=", "<", "<=", "&&", "||", "!"):
            return False
        return True
    if sk == "{" or ak == "}":
        if sk == "{" and ak == "}":
            return False
        return True
    if (sk == L.TINTERP or sk == L.TCONTROL) and ak == "{":
        return True
    if sk == "}" and ak == L.TSEQEND:
        return True
    if sk == L.TSEQEND and (ak == L.TINTERP or ak == L.TCONTROL):
        return False
    if _bracket_change(subject) > 0:
        return False
    if _bracket_change(after) < 0:
        return False
    return True


def _columns(toks: list[_Tok]) -> int:
    return sum(t.spaces + len(t.text) for t in toks)


class _Line:
    __slots__ = ("lead", "assign", "comment")

    def __init__(self, lead: list[_Tok]):
        self.lead = lead
        self.assign: list[_Tok] | None = None
        self.comment: list[_Tok] | None = None


def format_hcl(text: str, filename: str = "") -> str:
    """Reformat HCL ``text`` (see the module docstring). Raises HCLError on invalid input."""
    with gc_paused(len(text) > 200_000):
        return _format(text, filename)


def _format(text: str, filename: str) -> str:
    parse(text, filename)
    if text.startswith("\ufeff"):
        bom, text = "\ufeff", text[1:]
    else:
        bom = ""
    raw = L.tokenize(text, filename, keep_comments=True)
    toks: list[_Tok] = []
    prev_end = 0
    for t in raw:
        if t[0] == L.EOF:
            break
        toks.append(_Tok(t[0], text[t[6]:t[7]], t[6] - prev_end))
        prev_end = t[7]
    trailing = len(text) - prev_end

    # Split into lines (a line ends with a newline token or a line comment).
    lines: list[_Line] = []
    start = 0
    for i, t in enumerate(toks):
        if _is_newline(t):
            lines.append(_Line(toks[start:i + 1]))
            start = i + 1
    if start < len(toks):
        lines.append(_Line(toks[start:]))

    for line in lines:
        lead = line.lead
        if not lead:
            continue
        if len(lead) > 1 and lead[-1].kind == L.COMMENT:
            line.comment = lead[-1:]
            lead = line.lead = lead[:-1]
        for i, t in enumerate(lead):
            if i > 0 and t.kind == "=":
                if sum(_bracket_change(x) for x in lead[i:]) == 0:
                    line.assign = lead[i:]
                    line.lead = lead[:i]
                break

    _format_indent(lines)
    _format_spaces(lines)
    _format_cells(lines)

    out = [bom]
    for t in toks:
        if t.spaces:
            out.append(" " * t.spaces)
        out.append(t.text)
    if trailing:
        out.append(" " * trailing)
    return "".join(out)


def _format_indent(lines: list[_Line]) -> None:
    indents: list[int] = []
    for line in lines:
        lead = line.lead
        if not lead:
            continue
        if lead[0].kind == L.NL:
            lead[0].spaces = 0
            continue
        net = 0
        for t in lead:
            net += _bracket_change(t)
            if t.kind == L.OHEREDOC:
                break
        for t in line.assign or ():
            net += _bracket_change(t)
        if net > 0:
            lead[0].spaces = 2 * len(indents)
            indents.append(net)
        elif net < 0:
            closed = -net
            while closed > 0 and indents:
                top = indents[-1]
                if closed > top:
                    closed -= top
                    indents.pop()
                elif closed < top:
                    indents[-1] = top - closed
                    closed = 0
                else:
                    indents.pop()
                    closed = 0
            lead[0].spaces = 2 * len(indents)
        else:
            lead[0].spaces = 2 * len(indents)


def _format_spaces(lines: list[_Line]) -> None:
    for line in lines:
        for cell, first_one in ((line.lead, False), (line.assign, True)):
            if not cell:
                continue
            n = len(cell)
            for i, t in enumerate(cell):
                if first_one and i == 0:
                    t.spaces = 1
                if i + 1 >= n:
                    continue
                before = cell[i - 1] if i > 0 else _NIL
                after = cell[i + 1]
                after.spaces = 1 if _space_after(t, before, after) else 0


def _format_cells(lines: list[_Line]) -> None:
    def close_assign(chain: list[_Line], width: int) -> None:
        for ln in chain:
            ln.assign[0].spaces = width - _columns(ln.lead) + 1  # type: ignore[index]

    chain: list[_Line] = []
    width = 0
    for line in lines:
        if line.assign is None:
            if chain:
                close_assign(chain, width)
                chain, width = [], 0
        else:
            chain.append(line)
            width = max(width, _columns(line.lead))
    if chain:
        close_assign(chain, width)

    def close_comment(chain: list[_Line], width: int) -> None:
        for ln in chain:
            cols = _columns(ln.lead) + _columns(ln.assign or [])
            ln.comment[0].spaces = width - cols + 1  # type: ignore[index]

    chain, width = [], 0
    for line in lines:
        if line.comment is None:
            if chain:
                close_comment(chain, width)
                chain, width = [], 0
        else:
            chain.append(line)
            width = max(width, _columns(line.lead) + _columns(line.assign or []))
    if chain:
        close_comment(chain, width)
