"""A small SQL tokenizer for reading what a statement does (data at risk): identifiers
(bare, or quoted with double quotes, backticks or brackets), string literals, punctuation;
comments dropped. Enough to recognise statement shapes, not a parser of any one dialect."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tok:
    text: str       # the identifier's name (unquoted), or the token text
    word: bool      # a bare word (keyword or identifier) or a quoted identifier
    quoted: bool = False

    def kw(self, *words: str) -> bool:
        return self.word and not self.quoted and self.text.upper() in words


def tokens(sql: str) -> list[Tok]:
    out: list[Tok] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c.isspace():
            i += 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j + 1
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c in "`\"[":
            close = "]" if c == "[" else c
            j, buf = i + 1, []
            while j < n:
                if sql[j] == close:
                    if close != "]" and j + 1 < n and sql[j + 1] == close:
                        buf.append(close)
                        j += 2
                        continue
                    break
                buf.append(sql[j])
                j += 1
            out.append(Tok("".join(buf), True, True))
            i = j + 1
        elif c == "'":
            j = i + 1
            while j < n and not (sql[j] == "'" and not sql.startswith("''", j)):
                j += 2 if sql.startswith("''", j) else 1
            out.append(Tok(sql[i:j + 1], False))
            i = j + 1
        elif c.isalnum() or c == "_" or c == "$":
            j = i
            while j < n and (sql[j].isalnum() or sql[j] in "_$"):
                j += 1
            out.append(Tok(sql[i:j], True))
            i = j
        else:
            out.append(Tok(c, False))
            i += 1
    return out


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
