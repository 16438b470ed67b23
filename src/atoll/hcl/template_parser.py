"""Template parsing for the HCL parser: quoted strings and heredocs with interpolations
(``${…}``), directives (``%{if}``, ``%{for}``) and ``<<-`` flushing."""

from __future__ import annotations

from . import ast
from .ast import SourceRange
from .lexer import CHEREDOC, EOF, HLIT, IDENT, QLIT, TCONTROL, TINTERP, TSEQEND, decode_heredoc


class TemplateParsing:
    """The template half of the parser, mixed into it: it uses the parser's token cursor
    (``toks``, ``i``, ``peek``, ``next``), its errors and ``parse_expression``."""

    __slots__ = ()

    def parse_template(self, open_tok: tuple, close_kind: str, flush: bool) -> ast.Expr:
        toks = self.toks
        heredoc = close_kind == CHEREDOC
        # Flat list of parts: ["lit", text] | ["interp", expr, tok] | ["if", cond, tok] |
        # ["else", tok] | ["endif", tok] | ["for", k, v, coll, tok] | ["endfor", tok]; with the
        # strip markers recorded on the non-literal parts as (strip_before, strip_after).
        flat: list[list] = []
        strips: list[tuple[int, bool, bool]] = []
        self.push_nl(False)
        while True:
            t = toks[self.i]
            k = t[0]
            if k == close_kind:
                self.i += 1
                break
            if k == QLIT:
                flat.append(["lit", t[1]])
                self.i += 1
            elif k == HLIT:
                flat.append(["lit", decode_heredoc(t[1])])
                self.i += 1
            elif k == TINTERP:
                self.i += 1
                expr = self.parse_expression()
                close = self.peek()
                if close[0] != TSEQEND:
                    if close[0] == EOF:
                        raise self.error(
                            "Unclosed template interpolation sequence",
                            "There is no closing brace for this interpolation sequence before "
                            "the end of the file. This might be caused by incorrect nesting "
                            "inside the given expression.", t)
                    raise self.error(
                        "Extra characters after interpolation expression",
                        "Expected a closing brace to end the interpolation expression, but "
                        "found extra characters.\n\nThis can happen when you include "
                        "interpolation syntax for another language, such as shell scripting, "
                        "but forget to escape the interpolation start token. If this is an "
                        'embedded sequence for another language, escape it by starting with '
                        '"$${" instead of just "${".', close)
                self.i += 1
                strips.append((len(flat), t[1], close[1]))
                flat.append(["interp", expr, t])
            elif k == TCONTROL:
                self.i += 1
                kw = self.next()
                word = kw[1] if kw[0] == IDENT else None
                if word == "if":
                    cond = self.parse_expression()
                    part = ["if", cond, t]
                elif word == "else":
                    part = ["else", t]
                elif word == "endif":
                    part = ["endif", t]
                elif word == "endfor":
                    part = ["endfor", t]
                elif word == "for":
                    n1 = self.next()
                    if n1[0] != IDENT:
                        raise self.error("Invalid 'for' directive",
                                         "For directive requires variable name after 'for'.", n1)
                    kvar, vvar = None, n1[1]
                    if self.peek()[0] == ",":
                        self.i += 1
                        n2 = self.next()
                        if n2[0] != IDENT:
                            raise self.error("Invalid 'for' directive",
                                             "For directive requires value variable name after "
                                             "comma.", n2)
                        kvar, vvar = vvar, n2[1]
                    kin = self.next()
                    if kin[0] != IDENT or kin[1] != "in":
                        raise self.error("Invalid 'for' directive",
                                         "For directive requires 'in' keyword after names.", kin)
                    coll = self.parse_expression()
                    part = ["for", kvar, vvar, coll, t]
                elif word is None:
                    raise self.error(
                        "Invalid template directive",
                        'A template directive keyword ("if", "for", etc) is expected at the '
                        "beginning of a %{ sequence.", kw)
                else:
                    raise self.error("Invalid template control keyword",
                                     f'"{word}" is not a valid template control keyword.', kw)
                close = self.peek()
                if close[0] != TSEQEND:
                    what = word
                    raise self.error(f"Extra characters in {what} marker",
                                     "Expected a closing brace to end the sequence, but found "
                                     "extra characters.", close)
                self.i += 1
                strips.append((len(flat), t[1], close[1]))
                flat.append(part)
            elif k == EOF:
                raise self.error("Unterminated template string",
                                 "No closing marker was found for the string.", t)
            else:
                raise self.error("Invalid string literal",
                                 "This item is not valid in a string literal.", t)
        self.pop_nl()
        end_tok = toks[self.i - 1]
        # strip markers: "${~" trims the literal before, "~}" the literal after
        for idx, before, after in strips:
            if before and idx > 0 and flat[idx - 1][0] == "lit":
                flat[idx - 1][1] = flat[idx - 1][1].rstrip()
            if after and idx + 1 < len(flat) and flat[idx + 1][0] == "lit":
                flat[idx + 1][1] = flat[idx + 1][1].lstrip()
        if flush:
            _flush_heredoc(flat)
        pos = self.pos(open_tok)
        end = (end_tok[4], end_tok[5])
        parts, _ = self._template_tree(flat, 0, None)
        if len(parts) == 0:
            return ast.Literal("", pos, end)
        if len(parts) == 1:
            only = parts[0]
            if type(only) is str:
                return ast.Literal(only, pos, end)
            if not heredoc and not isinstance(only, (ast.TemplateIf, ast.TemplateFor)):
                return ast.TemplateWrap(only, pos, end)
        return ast.Template(parts, pos, end, heredoc)

    def _template_tree(self, flat: list, i: int, until: tuple | None) -> tuple[list, int]:
        """Build nested template parts from ``flat[i:]`` until one of the ``until`` directive
        names; returns (parts, index of the terminating directive or len(flat))."""
        parts: list = []
        n = len(flat)
        while i < n:
            part = flat[i]
            kind = part[0]
            if kind == "lit":
                if parts and type(parts[-1]) is str:
                    parts[-1] += part[1]
                elif part[1]:
                    parts.append(part[1])
                i += 1
            elif kind == "interp":
                parts.append(part[1])
                i += 1
            elif kind == "if":
                tok = part[2]
                then, j = self._template_tree(flat, i + 1, ("else", "endif"))
                if j >= n:
                    raise self.error("Unexpected end of template",
                                     f"The if directive at {self._rng(tok)} is missing its "
                                     f"corresponding endif directive.", tok)
                else_: list = []
                if flat[j][0] == "else":
                    else_, j = self._template_tree(flat, j + 1, ("endif",))
                    if j >= n:
                        raise self.error("Unexpected end of template",
                                         f"The if directive at {self._rng(tok)} is missing its "
                                         f"corresponding endif directive.", tok)
                end_tok = flat[j][-1]
                parts.append(ast.TemplateIf(part[1], then, else_, self.pos(tok),
                                            (end_tok[4], end_tok[5])))
                i = j + 1
            elif kind == "for":
                tok = part[4]
                body, j = self._template_tree(flat, i + 1, ("endfor",))
                if j >= n:
                    raise self.error("Unexpected end of template",
                                     f"The for directive at {self._rng(tok)} is missing its "
                                     f"corresponding endfor directive.", tok)
                end_tok = flat[j][-1]
                parts.append(ast.TemplateFor(part[1], part[2], part[3], body, self.pos(tok),
                                             (end_tok[4], end_tok[5])))
                i = j + 1
            else:  # else / endif / endfor
                if until is not None and kind in until:
                    return parts, i
                tok = part[-1]
                raise self.error(f"Unexpected {kind} directive",
                                 "The control directives within this template are unbalanced.",
                                 tok)
        return parts, i

    def _rng(self, t: tuple) -> str:
        return str(SourceRange(self.f, t[2], t[3], t[4], t[5]))


def _flush_heredoc(flat: list) -> None:
    """Apply ``<<-`` flushing: remove the smallest leading-whitespace width shared by every
    line-leading literal (blank lines do not count; a line starting with an interpolation
    counts as zero)."""
    min_spaces = None
    newline = True
    adjust: list[list] = []
    for part in flat:
        if newline:
            newline = False
            if part[0] == "lit":
                orig = part[1]
                trimmed = orig.lstrip()
                if not trimmed and orig.endswith("\n"):
                    spaces = None
                else:
                    spaces = len(orig) - len(trimmed)
                    adjust.append(part)
            else:
                spaces = 0
            if spaces is not None and (min_spaces is None or spaces < min_spaces):
                min_spaces = spaces
        if part[0] == "lit" and part[1].endswith("\n"):
            newline = True
    if not min_spaces:
        return
    for part in adjust:
        part[1] = part[1][min_spaces:]
