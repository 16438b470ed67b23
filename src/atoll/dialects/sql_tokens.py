"""The one small SQL tokenizer: words (keywords or bare names), quoted names (double quotes,
backticks or brackets), string literals, numbers and punctuation, each with its place in the
text; comments and whitespace dropped. Enough to recognise statement shapes (data at risk,
lint) and to cut parts out of stored SQL verbatim (SQLite views and triggers), not a parser
of any one dialect."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Tok:
    text: str       # the identifier's name (unquoted), or the token text
    word: bool      # a bare word (keyword or identifier) or a quoted identifier
    quoted: bool = False

    def kw(self, *words: str) -> bool:
        return self.word and not self.quoted and self.text.upper() in words


@dataclass(frozen=True)
class Token:
    kind: str  # "word" (keyword or bare name), "name" (quoted name), "string", "punct"
    text: str
    start: int
    end: int

    @property
    def value(self) -> str:
        """A name without its quotes; a word upper-cased."""
        if self.kind == "name":
            q = self.text[0]
            if q == "[":
                return self.text[1:-1]
            return self.text[1:-1].replace(q * 2, q)
        if self.kind == "word":
            return self.text.upper()
        return self.text

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


_WORD = re.compile(r"[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*")
_NUMBER = re.compile(r"(?:0[xX][0-9A-Fa-f]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)")


def lex(sql: str) -> list[Token]:
    """The tokens of ``sql`` without whitespace and comments. An unterminated quote or comment
    ends the text (SQLite would have refused such a statement already)."""
    out: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c.isspace():
            i += 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j == -1 else j + 1
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = n if j == -1 else j + 2
        elif c in "'\"`[":
            close = "]" if c == "[" else c
            j = i + 1
            while j < n:
                if sql[j] == close:
                    if close != "]" and j + 1 < n and sql[j + 1] == close:
                        j += 2
                        continue
                    break
                j += 1
            end = min(j + 1, n)
            out.append(Token("string" if c == "'" else "name", sql[i:end], i, end))
            i = end
        elif (m := _WORD.match(sql, i)) is not None:
            out.append(Token("word", m.group(), i, m.end()))
            i = m.end()
        elif (m := _NUMBER.match(sql, i)) is not None and m.end() > i:
            out.append(Token("punct", m.group(), i, m.end()))
            i = m.end()
        else:
            out.append(Token("punct", c, i, i + 1))
            i += 1
    return out


def tokens(sql: str) -> list[Tok]:
    """``lex`` with names unquoted: the form the statement readers (data at risk, lint)
    match on."""
    return [Tok(t.value, True, True) if t.kind == "name" else Tok(t.text, t.kind == "word")
            for t in lex(sql)]


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def render(toks: list[Tok]) -> str:
    """Tokens back to SQL (identifiers quoted), for use inside a counting query."""
    parts = []
    for t in toks:
        parts.append(q(t.text) if t.quoted else t.text)
    return " ".join(parts)


def qualified_name(toks: list[Tok], i: int) -> tuple[Tok | None, Tok | None, int]:
    """``[schema.]name`` at ``i``: (schema token or None, name token, index after it)."""
    if i + 2 < len(toks) and toks[i + 1].text == "." and not toks[i + 1].word:
        return toks[i], toks[i + 2], i + 3
    return None, (toks[i] if i < len(toks) else None), i + 1


def paren_items(toks: list[Tok], i: int) -> tuple[list[list[Tok]], int]:
    """The comma-separated items of the parenthesised list starting at ``toks[i] == "("``."""
    depth, items, cur = 0, [], []
    j = i
    while j < len(toks):
        t = toks[j]
        if t.text == "(" and not t.word:
            depth += 1
            if depth == 1:
                j += 1
                continue
        elif t.text == ")" and not t.word:
            depth -= 1
            if depth == 0:
                items.append(cur)
                return items, j + 1
        elif t.text == "," and not t.word and depth == 1:
            items.append(cur)
            cur = []
            j += 1
            continue
        cur.append(t)
        j += 1
    return items, j


def until_keyword(toks: list[Tok], i: int, *stop: str) -> tuple[list[Tok], int]:
    """Tokens from ``i`` up to the first depth-0 keyword in ``stop`` (or the end)."""
    depth, out = 0, []
    while i < len(toks):
        t = toks[i]
        if not t.word and t.text == "(":
            depth += 1
        elif not t.word and t.text == ")":
            depth -= 1
        elif depth == 0 and (t.kw(*stop) or (not t.word and t.text == ";")):
            break
        out.append(t)
        i += 1
    return out, i


def split_commas(toks: list[Tok]) -> list[list[Tok]]:
    items, cur, depth = [], [], 0
    for t in toks:
        if not t.word and t.text == "(":
            depth += 1
        elif not t.word and t.text == ")":
            depth -= 1
        elif not t.word and t.text == "," and depth == 0:
            items.append(cur)
            cur = []
            continue
        cur.append(t)
    items.append(cur)
    return items
