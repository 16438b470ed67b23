"""Atlas's SQL statement builder (``sql/internal/sqlx.Builder``) as the SQLite planner uses it:
phrases separated by one space, identifiers in backticks, ``, `` between list items, and an
optional newline+indent layout for CREATE TABLE bodies."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def quote_ident(name: str) -> str:
    """A SQLite identifier in backticks, a backtick inside it doubled (Atlas writes it as
    is, which breaks the statement)."""
    return "`" + name.replace("`", "``") + "`"


class SQLBuilder:
    """Atlas's statement builder: phrases separated by one space, identifiers in backticks,
    ``, `` between list items, optional newline+indent layout (``nl``)."""

    def __init__(self, indent: str = "", qualifier: str | None = None):
        self.buf = ""
        self.indent = indent
        self.qualifier = qualifier
        self.level = 0

    def _rewrite_last(self, ch: str) -> None:
        if self.buf:
            self.buf = self.buf[:-1] + ch

    def p(self, *phrases: str) -> "SQLBuilder":
        buf = self.buf
        for ph in phrases:
            if not ph:
                continue
            if buf and buf[-1] not in " (\n":
                buf += " "
            buf += ph if ph[-1] == " " else ph + " "
        self.buf = buf
        return self

    def ident(self, name: str) -> "SQLBuilder":
        if name:
            self.buf += "`" + name.replace("`", "``") + "` "
        return self

    def table(self, name: str) -> "SQLBuilder":
        if self.qualifier:
            self.ident(self.qualifier)
            self._rewrite_last(".")
        return self.ident(name)

    def raw(self, s: str) -> "SQLBuilder":
        self.buf += s
        return self

    def nl(self) -> "SQLBuilder":
        if self.indent:
            if self.buf.endswith(" "):
                self._rewrite_last("\n")
            else:
                self.buf += "\n"
            self.buf += self.indent * self.level
        return self

    def comma(self) -> "SQLBuilder":
        if not self.buf:
            return self
        if self.buf[-1] == " ":
            self._rewrite_last(",")
            self.buf += " "
        else:
            self.buf += ", "
        return self

    def map_comma(self, items: Sequence, f: Callable[[object], None]) -> "SQLBuilder":
        for i, item in enumerate(items):
            if i > 0:
                self.comma()
            f(item)
        return self

    def map_indent(self, items: Sequence, f: Callable[[object], None]) -> "SQLBuilder":
        def each(item: object) -> None:
            self.nl()
            f(item)

        return self.map_comma(items, each)

    def wrap(self, f: Callable[[], None]) -> "SQLBuilder":
        self.buf += "("
        f()
        if self.buf.endswith(" "):
            self._rewrite_last(")")
        else:
            self.buf += ")"
        return self

    def wrap_indent(self, f: Callable[[], None]) -> "SQLBuilder":
        def body() -> None:
            self.level += 1
            f()
            self.level -= 1
            self.nl()

        return self.wrap(body)

    def string(self) -> str:
        return self.buf.strip()
