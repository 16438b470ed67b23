"""Splitting migration files into statements, by the rules of Atlas's scanner
(``sql/migrate/lex.go``), so that the same file yields the same statements here and in Atlas.

The rules in short (migrate.md §3.3): an optional ``-- atlas:delimiter D`` first line sets the
delimiter; quotes and parentheses are skipped as units; the delimiter (checked before
comments) ends a statement and is kept when it is ``;``; comments in front of a statement are
cut off and collected (a blank line detaches them); ``DELIMITER X`` at the start of a statement
switches the delimiter; ``BEGIN`` … ``END;`` groups (trigger bodies) are one statement; a text
without a final delimiter is the last statement. Engines differ by a few switches
(:class:`ScannerOptions`); :data:`SQLITE` is what Atlas's SQLite driver uses.

Positions: :attr:`Stmt.pos` is the character offset of the statement's first character in the
text after the delimiter line (Atlas counts bytes; the two agree for ASCII, and line numbers
derived from either agree always). Error positions ``L:C`` count the column in bytes, like
Atlas, on the original text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import MigrationError
from ..gotext import go_quote, go_quote_rune
from .directives import directive, stmt_directives, trim_space

# Fast path: a statement made only of plain text, '…' strings and flat (…) groups, ending with
# ";", is split by one regex match. Anything the scanner below treats specially (comments,
# other quotes, escapes, $, #, nested groups, a BEGIN word, no final ";") makes the match
# fail, and the statement is scanned character by character as before.
_PLAIN_STMT = re.compile(r"""(?:[^;'"`()\[\-/#$\\Bb]++|'[^']*+'"""
                         r"""|\((?:[^()'";\-/\[$#\\]++|'[^']*+')*+\)"""
                         r"""|[Bb](?![Ee][Gg][Ii][Nn][\t\n\f\r ]))*+;""")


class ScanError(MigrationError):
    """A file that cannot be split: ``L:C: unclosed quote '\\''`` and the like."""


@dataclass(frozen=True)
class ScannerOptions:
    """Atlas's ``migrate.ScannerOptions``."""

    match_begin: bool = False            # BEGIN … END blocks
    match_begin_atomic: bool = False     # BEGIN ATOMIC … END (SQL standard, PostgreSQL)
    match_begin_try_catch: bool = False  # BEGIN TRY … END CATCH (T-SQL)
    match_dollar_quote: bool = False     # $tag$ … $tag$ (PostgreSQL)
    backslash_escapes: bool = False      # '\'' inside quotes (MySQL)
    escaped_string_ext: bool = False     # E'…' (PostgreSQL); inert in Atlas's scanner too
    hash_comments: bool = False          # # comments (MySQL)
    go_command: bool = False             # GO lines as separators (T-SQL)
    begin_end_terminator: bool = False   # END terminates a BEGIN block without ';' (T-SQL)
    omit_delimiter: bool = False         # drop the ';' from statement texts


SQLITE = ScannerOptions(match_begin=True)
POSTGRES = ScannerOptions(match_begin=True, match_begin_atomic=True, match_dollar_quote=True,
                          escaped_string_ext=True)
MYSQL = ScannerOptions(match_begin=True, backslash_escapes=True, hash_comments=True)
GENERIC = ScannerOptions(match_begin_atomic=True, match_dollar_quote=True)  # Atlas's Stmts()


@dataclass
class Stmt:
    """A statement: its text (trimmed; a ``;`` delimiter kept, a custom one removed), its
    start offset and the comments right in front of it (each with its own newline)."""

    pos: int
    text: str
    comments: list[str] = field(default_factory=list)

    def directive(self, name: str) -> list[str]:
        """Arguments of the statement-level directive ``name`` (e.g. ``nolint``)."""
        return stmt_directives(self.comments, name)


class _EOF(Exception):
    pass


_WS = "\t\n\f\r "  # Go RE2's \s
_GO_SPACES = re.compile("[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
                        "\u3000]*")
_DOLLAR = re.compile(r"\$(?:[A-Za-z\u00c8-\u00ff_][0-9A-Za-z_\u00c8-\u00ff]*)*\$")
_BEGIN = re.compile(r"[\t\n\f\r ]*[Bb][Ee][Gg][Ii][Nn][\t\n\f\r ]+")
_BEGIN_ATOMIC = re.compile(r"(?i:[\t\n\f\r ]*BEGIN[\t\n\f\r ]+ATOMIC[\t\n\f\r ]+)")
_BEGIN_TRY = re.compile(r"(?i:[\t\n\f\r ]*BEGIN[\t\n\f\r ]+TRY[\t\n\f\r ]+)")
_END = re.compile(r"(?i:[\t\n\f\r ]*END[\t\n\f\r ]*)")
_END_CATCH = re.compile(r"(?i:[\t\n\f\r ]*END[\t\n\f\r ]*CATCH[\t\n\f\r ]*)")
_GO_CMD = re.compile(r"(?i:GO)(?:[\t\n\f\r ]+|\Z)")


def _unescape_delim(d: str) -> str:
    return re.sub(r"\\([nrt])", lambda m: {"n": "\n", "r": "\r", "t": "\t"}[m.group(1)], d)


class _Scanner:
    """One scanning pass over ``text`` starting at ``start``. Block bodies (BEGIN … END) are
    scanned by nested instances over the same text."""

    def __init__(self, text: str, opts: ScannerOptions, start: int = 0, endterm: bool = False):
        self.text = text
        self.opts = opts
        self.src = start        # where this scanner's source begins (error positions)
        self.input0 = start     # where its input begins (after a delimiter line)
        self.base = start       # start of the current input (the statement being scanned)
        self.cur = start        # cursor: everything before it is consumed
        self.delim = ";"
        self.comments: list[str] = []
        self.endterm = endterm
        self._pattern: re.Pattern | None = None
        self._pattern_delim = ""

    # -- helpers -----------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self.cur - self.input0

    def error(self, at: int, msg: str) -> ScanError:
        """An error at absolute index ``at`` (the position after the offending character)."""
        src = self.text[self.src:at]
        nl = src.rfind("\n")
        line = 1 + src.count("\n")
        col_text = src if nl == -1 else src[nl + 1:]
        col = len(col_text.encode("utf-8", "surrogateescape"))
        return ScanError(f"{line}:{col}: {msg}")

    def set_delim(self, d: str) -> None:
        if d == "":
            raise ScanError("empty delimiter")
        self.delim = _unescape_delim(d)
        self._pattern = None

    def skip_spaces(self) -> None:
        self.base = _GO_SPACES.match(self.text, self.base).end()
        self.cur = self.base

    def pattern(self) -> re.Pattern:
        if self._pattern is None or self._pattern_delim != self.delim:
            o = self.opts
            parts = [r"[()'\"`]", "--", r"/\*", re.escape(self.delim)]
            if o.hash_comments:
                parts.append("#")
            if o.match_dollar_quote:
                parts.append(r"\$")
            if o.go_command:
                parts.append(r"\n|[Gg][Oo]")
            if o.match_begin or o.match_begin_atomic or o.match_begin_try_catch:
                parts.append(r"[Bb][Ee][Gg][Ii][Nn][\t\n\f\r ]")
            if self.endterm:
                parts.append(r"[Dd\t\n\f\r ]")
            self._pattern = re.compile("|".join(parts))
            self._pattern_delim = self.delim
        return self._pattern

    # -- scanning ----------------------------------------------------------------------------

    def init(self) -> None:
        nl = self.text.find("\n", self.src)
        first = self.text[self.src:] if nl == -1 else self.text[self.src:nl]
        d = directive(first, "delimiter", "-- ")
        if d is not None:
            self.set_delim(d)
            if nl == -1:
                raise self.error(self.src, f"no input found after delimiter {go_quote(d)}")
            self.input0 = self.base = self.cur = nl + 1

    def scan(self) -> list[Stmt]:
        self.init()
        out = []
        while True:
            try:
                out.append(self.stmt())
            except _EOF:
                return out

    def emit(self, raw: str) -> Stmt:
        stmt = Stmt(pos=self.total - len(raw), text=raw, comments=self.comments)
        self.base = self.cur
        self.comments = []
        if self.opts.omit_delimiter or self.delim != ";":
            stmt.text = stmt.text.removesuffix(self.delim)
        stmt.text = trim_space(stmt.text)
        return stmt

    def comment(self, left: str, right: str) -> None:
        """A comment marker was consumed (cursor after it)."""
        text = self.text
        k = text.find(right, self.cur)
        if k == -1:
            return  # not a comment: scanning goes on after the marker
        end = k + len(right)
        if self.cur - self.base != len(left):
            self.cur = end  # a comment inside a statement stays in its text
            return
        self.comments.append(text[self.base:end])
        self.base = self.cur = end
        if text.startswith("\n\n", end) or (right == "\n" and text.startswith("\n", end)):
            self.comments = []
        self.skip_spaces()

    def stmt(self) -> Stmt:
        text, opts, n = self.text, self.opts, len(self.text)
        depth = opening = 0
        fast = (self.delim == ";" and not (opts.go_command or opts.backslash_escapes
                                           or self.endterm))
        self.skip_spaces()
        while True:
            if self.cur == self.base:
                if fast and text[self.base:self.base + 9].lower() != "delimiter":
                    m = _PLAIN_STMT.match(text, self.base)
                    if m is not None:
                        self.cur = m.end()
                        return self.emit(text[self.base:self.cur])
                j = self.cur  # the first character is always examined
            else:
                m = self.pattern().search(text, self.cur)
                j = m.start() if m else n
            if j >= n:
                self.cur = n
                if depth > 0:
                    raise self.error(opening, "unclosed '('")
                if n > self.base:
                    return self.emit(text[self.base:])
                raise _EOF
            r = text[j]
            self.cur = j + 1
            at_start = j == self.base
            if r == "(":
                if depth == 0:
                    opening = j + 1
                depth += 1
            elif r == ")":
                if depth == 0:
                    raise self.error(j + 1, "unexpected ')'")
                depth -= 1
            elif r in "'\"`":
                self.skip_quote(r)
            elif (at_start and n - j > 9 and text[j:j + 9].isascii()
                  and text[j:j + 9].lower() == "delimiter"):
                self.cur = j + 9
                if self.delim_cmd():
                    self.skip_spaces()
            elif opts.go_command and r == "\n" and _GO_CMD.match(text, j + 1):
                self.cur = j + 2  # the 'G'
                return self.go_command(text[self.base:j + 1])
            elif (opts.go_command and (at_start or text[j - 1] == "\n")
                  and _GO_CMD.match(text, j)):
                return self.go_command(text[self.base:j])
            elif depth == 0 and text.startswith(self.delim, j):
                self.cur = j + len(self.delim)
                return self.emit(text[self.base:self.cur])
            elif opts.match_dollar_quote and r == "$" and _DOLLAR.match(text, j):
                self.skip_dollar_quote(j)
            elif r == "#" and opts.hash_comments:
                self.comment("#", "\n")
            elif r == "-" and text.startswith("-", j + 1):
                self.cur = j + 2
                self.comment("--", "\n")
            elif r == "/" and text.startswith("*", j + 1):
                self.cur = j + 2
                self.comment("/*", "*/")
            elif self.endterm and self.ends_with_end(j + 1):
                return self.emit(text[self.base:self.cur])
            elif (self.delim == ";" and opts.match_begin_atomic
                  and _BEGIN_ATOMIC.match(text, j)):
                if self.skip_block(j, _BEGIN_ATOMIC, "atomic"):
                    return self.emit(text[self.base:self.cur])
            elif (self.delim == ";" and opts.match_begin_try_catch
                  and _BEGIN_TRY.match(text, j)):
                if self.skip_block(j, _BEGIN_TRY, "try"):
                    return self.emit(text[self.base:self.cur])
            elif (self.delim == ";" and opts.match_begin and _BEGIN.match(text, j)  # noqa: SIM102
                  and (at_start or text[j - 1] in _WS)):
                # Nested on purpose: a failed block attempt ends this character's cases.
                if self.skip_block(j, _BEGIN, "begin"):
                    return self.emit(text[self.base:self.cur])

    def ends_with_end(self, end: int) -> bool:
        k = end
        while k > self.base and self.text[k - 1] in _WS:
            k -= 1
        return k - 3 >= self.base and self.text[k - 3:k].upper() == "END"

    def skip_quote(self, quote: str) -> None:
        text, start = self.text, self.cur
        if not self.opts.backslash_escapes:
            k = text.find(quote, start)
        else:
            k = start
            while True:
                k1 = text.find(quote, k)
                k2 = text.find("\\", k, k1 if k1 != -1 else len(text))
                if k2 == -1:
                    k = k1
                    break
                k = k2 + 2
                if k > len(text):
                    k = -1
                    break
        if k == -1:
            self.cur = len(text)
            raise self.error(start, f"unclosed quote {go_quote_rune(quote)}")
        self.cur = k + 1

    def skip_dollar_quote(self, j: int) -> None:
        tag = _DOLLAR.match(self.text, j).group(0)
        k = self.text.find(tag, j + len(tag))
        # Atlas accepts an unclosed dollar-quoted string at the end of the input.
        self.cur = len(self.text) if k == -1 else k + len(tag)

    def delim_cmd(self) -> bool:
        """MySQL's ``DELIMITER X`` at the start of a statement; cursor after the word."""
        text = self.text
        if not text.startswith(" ", self.cur):
            return False
        nl = text.find("\n", self.cur)
        self.cur = len(text) if nl == -1 else nl + 1
        d = trim_space(text[self.base + 9:self.cur])
        if len(d) >= 2 and d.startswith("'") and d.endswith("'"):
            d = d[1:-1].replace("''", "'")
        self.set_delim(d)
        self.emit(text[self.base:self.cur])
        return True

    def go_command(self, raw: str) -> Stmt:
        """``GO [count]`` ended the statement; the cursor is after the ``G``."""
        text = self.text
        self.cur += 1  # the 'O'
        if text.startswith(" ", self.cur):
            c = self.cur
            nl = text.find("\n", c)
            self.cur = len(text) if nl == -1 else nl + 1
            count = trim_space(text[c:self.cur])
            if not re.fullmatch(r"[+-]?[0-9]+", count):
                raise ScanError(f"sql/migrate: invalid GO command, expect digits got "
                                f"{go_quote(text[c:self.cur])}: strconv.Atoi: parsing "
                                f"{go_quote(count)}: invalid syntax")
        return self.emit(raw)

    def skip_block(self, j: int, opener: re.Pattern, kind: str) -> bool:
        """Try to read a BEGIN … END group starting at ``j``; on success the cursor is after
        it. On failure the cursor stays after the opening words, as Atlas's does."""
        m = opener.match(self.text, j)
        self.cur = j + len(m.group(0))
        body = _Scanner(self.text, self.opts, self.cur,
                        endterm=kind == "begin" and self.opts.begin_end_terminator)
        backup = 0
        try:
            body.init()
            while True:
                stmt = body.stmt()
                if kind == "atomic":
                    if _END.match(stmt.text):
                        break
                elif kind == "try":
                    end = _END_CATCH.match(stmt.text)
                    if end:
                        if not trim_space(end.group(0)).endswith(";"):
                            backup = len(stmt.text) - len(end.group(0))
                        break
                else:
                    e = _END.match(stmt.text)
                    if e:
                        rest = stmt.text[len(e.group(0)):]
                        if rest == "" or rest == self.delim:
                            break
                    elif self.opts.begin_end_terminator and re.search(
                            r"(?i:[\t\n\f\r ]*END[\t\n\f\r ]*)\Z", stmt.text):
                        break
        except (_EOF, ScanError):
            return False
        self.cur += body.total - backup
        return True


def scan_statements(text: str, options: ScannerOptions = SQLITE) -> list[Stmt]:
    """The statements of a migration file, with positions and comment groups. Raises
    :class:`ScanError` with Atlas's ``L:C: message`` text."""
    return _Scanner(text, options).scan()


def split_statements(text: str, options: ScannerOptions = SQLITE) -> list[str]:
    """The statement texts of a migration file, exactly as Atlas executes them."""
    return [s.text for s in scan_statements(text, options)]
