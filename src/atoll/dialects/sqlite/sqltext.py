"""Reading SQLite's stored ``CREATE VIEW`` / ``CREATE TRIGGER`` texts (``sqlite_master.sql``)
and finding the tables and views a piece of SQL names.

The shared tokenizer (``dialects/sql_tokens.py``) is enough: SQLite keeps the statement as
written (only ``CREATE … VIEW`` and ``IF NOT EXISTS`` are normalised away), so the parts are
cut out of the original text by token positions and kept verbatim."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ...errors import SchemaError
from ...gotext import go_quote
from ..sql_tokens import Token, lex

__all__ = ["parse_view_sql", "parse_trigger_sql", "referenced_names", "ViewParts",
           "TriggerParts"]


def _is_name(t: Token) -> bool:
    return t.kind in ("word", "name") or (t.kind == "string")


class _Cursor:
    def __init__(self, sql: str, what: str):
        self.sql = sql
        self.toks = lex(sql)
        self.i = 0
        self.what = what

    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def fail(self, expected: str) -> SchemaError:
        t = self.peek()
        got = go_quote(t.text) if t is not None else "end of statement"
        return SchemaError(f"sqlite: parse {self.what}: expected {expected}, got {got}")

    def word(self, *words: str) -> Token | None:
        t = self.peek()
        if t is not None and t.is_word(*words):
            self.i += 1
            return t
        return None

    def expect(self, *words: str) -> Token:
        t = self.word(*words)
        if t is None:
            raise self.fail(" or ".join(words))
        return t

    def punct(self, ch: str) -> bool:
        t = self.peek()
        if t is not None and t.kind == "punct" and t.text == ch:
            self.i += 1
            return True
        return False

    def name(self) -> str:
        """``name`` or ``schema.name``: the last part, unquoted."""
        t = self.peek()
        if t is None or not _is_name(t):
            raise self.fail("a name")
        self.i += 1
        if self.punct("."):
            return self.name()
        if t.kind == "word":
            return t.text
        if t.kind == "string":
            return t.text[1:-1].replace("''", "'")
        return t.value

    def skip_parens(self) -> None:
        """Past a balanced ``( … )`` starting at the current token."""
        depth = 0
        while (t := self.peek()) is not None:
            self.i += 1
            if t.kind == "punct" and t.text == "(":
                depth += 1
            elif t.kind == "punct" and t.text == ")":
                depth -= 1
                if depth == 0:
                    return
        raise self.fail('")"')

    def rest(self) -> str:
        t = self.peek()
        return "" if t is None else self.sql[t.start:].strip()

    def header(self, kind: str) -> str:
        self.expect("CREATE")
        self.word("TEMP", "TEMPORARY")
        self.expect(kind)
        if self.word("IF"):
            self.expect("NOT")
            self.expect("EXISTS")
        return self.name()


@dataclass(frozen=True)
class ViewParts:
    name: str
    definition: str
    column_list: bool


def parse_view_sql(sql: str) -> ViewParts:
    """``CREATE VIEW name [(columns)] AS query`` → its parts (the query verbatim)."""
    cur = _Cursor(sql, "view")
    name = cur.header("VIEW")
    column_list = False
    t = cur.peek()
    if t is not None and t.kind == "punct" and t.text == "(":
        cur.skip_parens()
        column_list = True
    cur.expect("AS")
    return ViewParts(name, _strip_semicolon(cur.rest()), column_list)


@dataclass(frozen=True)
class TriggerParts:
    name: str
    table: str
    timing: str
    event: str
    update_of: tuple[str, ...]
    when: str | None
    body: str


def parse_trigger_sql(sql: str) -> TriggerParts:
    """``CREATE TRIGGER name [BEFORE|AFTER|INSTEAD OF] event [OF cols] ON table
    [FOR EACH ROW] [WHEN expr] BEGIN … END`` → its parts (texts verbatim)."""
    cur = _Cursor(sql, "trigger")
    name = cur.header("TRIGGER")
    timing = "BEFORE"  # SQLite's default
    if (t := cur.word("BEFORE", "AFTER")) is not None:
        timing = t.value
    elif cur.word("INSTEAD"):
        cur.expect("OF")
        timing = "INSTEAD OF"
    event = cur.expect("INSERT", "UPDATE", "DELETE").value
    update_of: list[str] = []
    if event == "UPDATE" and cur.word("OF"):
        update_of.append(cur.name())
        while cur.punct(","):
            update_of.append(cur.name())
    cur.expect("ON")
    table = cur.name()
    if cur.word("FOR"):
        cur.expect("EACH")
        cur.expect("ROW")
    when = None
    if cur.word("WHEN") is not None:
        start = cur.peek()
        depth = 0
        while (t := cur.peek()) is not None:
            if t.kind == "punct":
                depth += {"(": 1, ")": -1}.get(t.text, 0)
            elif depth == 0 and t.is_word("BEGIN"):
                break
            cur.i += 1
        if start is None or cur.peek() is None:
            raise cur.fail("BEGIN")
        when = sql[start.start:cur.peek().start].strip()  # type: ignore[union-attr]
    if cur.peek() is None or not cur.peek().is_word("BEGIN"):  # type: ignore[union-attr]
        raise cur.fail("BEGIN")
    return TriggerParts(name, table, timing, event, tuple(update_of), when,
                        _strip_semicolon(cur.rest()))


def _strip_semicolon(s: str) -> str:
    s = s.strip()
    return s[:-1].rstrip() if s.endswith(";") else s


def referenced_names(sql: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """The ``candidates`` (table and view names) that ``sql`` mentions as a name, matched
    case-insensitively as SQLite resolves names, in first-mention order. A column that happens
    to share a table's name counts too: the answer errs on the side of a dependency."""
    by_fold = {}
    for c in candidates:
        by_fold.setdefault(c.casefold(), c)
    found: dict[str, None] = {}
    for t in lex(sql):
        if t.kind not in ("word", "name"):
            continue
        hit = by_fold.get(t.value.casefold() if t.kind == "name" else t.text.casefold())
        if hit is not None:
            found.setdefault(hit, None)
    return tuple(found)
