"""The shape shared by the dialects' data-at-risk probes: a statement is recognised by its
leading keywords and handed to the method that counts on the database what it would lose or
break (``atoll.migrate.data_risk`` keeps the counts)."""

from __future__ import annotations

from ..errors import DatabaseError
from ..migrate.data_risk import Measure
from .sql_tokens import tokens


class StatementProbe:
    # (leading keywords, method name): the first match counts the statement
    SHAPES: tuple[tuple[tuple[str, ...], str], ...] = ()

    def start_file(self) -> None:
        """A new migration file begins (probes that follow a rebuild across statements reset
        here)."""

    def measure(self, conn, stmt: str) -> list[Measure]:
        toks = tokens(stmt)
        for words, method in self.SHAPES:
            if len(toks) > len(words) and all(t.kw(w) for t, w in zip(toks, words)):
                try:
                    return getattr(self, method)(conn, toks)
                except (DatabaseError, IndexError):  # a count failed, or a cut-off statement
                    return []  # the statement itself will say what is wrong
        return []
