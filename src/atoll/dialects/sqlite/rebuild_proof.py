"""Proof that a SQLite table rebuild lost nothing, checked inside the file's transaction.

A rebuild is found in the statements themselves (``CREATE TABLE a`` … ``DROP TABLE t`` …
``ALTER TABLE a RENAME TO t``), so files written by Atlas, by atoll or by hand are checked
alike and a file needs no special statement. Measured just before the rebuild's first
statement and again just after its swap:

* the table's row count;
* the row counts of the tables whose foreign keys reference it: a change means an
  ``ON DELETE CASCADE`` (or ``SET NULL``…) fired when the old table was dropped (Atlas issue
  3317: ``PRAGMA foreign_keys = off`` is a no-op inside a transaction);
* the ``PRAGMA foreign_key_check`` violations of the table and of those children: none new.

At the end of the file: every trigger the table had and every view of the database is there
again, unless the file itself drops it for good; views reading a rebuilt table still compile.

Any mismatch raises :class:`RebuildProofError`, which fails the statement where it was seen,
so the executor rolls the file back and reports the table and the numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ...errors import DatabaseError, RebuildProofError
from ...gotext import go_quote as q
from ..base import Connection
from ..sql_tokens import Token, lex
from .sqltext import referenced_names

__all__ = ["find_rebuilds", "Rebuild", "SQLiteRebuildProof", "rebuild_proof"]


@dataclass(frozen=True)
class Rebuild:
    table: str
    start: int  # index of the CREATE TABLE of the temporary table
    swap: int   # index of the ALTER TABLE … RENAME TO <table>


@dataclass
class _Objects:
    """What a file creates and drops by name (case-folded)."""

    dropped: dict[str, set[str]] = field(default_factory=lambda: {"view": set(), "trigger": set(),
                                                                  "table": set()})
    created: dict[str, set[str]] = field(default_factory=lambda: {"view": set(), "trigger": set(),
                                                                  "table": set()})

    def gone_for_good(self, kind: str, name: str) -> bool:
        n = name.casefold()
        return n in self.dropped[kind] and n not in self.created[kind]


def _name_at(toks: list[Token], i: int) -> str | None:
    """The (last part of a possibly qualified) name starting at ``toks[i]``."""
    if i >= len(toks) or toks[i].kind not in ("word", "name", "string"):
        return None
    if i + 2 < len(toks) and toks[i + 1].text == ".":
        return _name_at(toks, i + 2)
    t = toks[i]
    return t.text if t.kind == "word" else t.value if t.kind == "name" else t.text[1:-1]


def _words(toks: list[Token], *words: str) -> bool:
    return len(toks) >= len(words) and all(t.is_word(w) for t, w in zip(toks, words))


_HEAD = 512


@lru_cache(maxsize=256)
def _scan(statements: tuple[str, ...]) -> tuple[list[Rebuild], _Objects]:
    """Cached: a fleet runs the same file on every database."""
    objects = _Objects()
    created_at: dict[str, int] = {}
    dropped_tables: set[str] = set()
    rebuilds: list[Rebuild] = []
    for i, stmt in enumerate(statements):
        # The kind and names are in the first few tokens: never tokenize a long body.
        toks = lex(stmt[:_HEAD])[:12]
        if not toks or not (toks[0].is_word("CREATE") or toks[0].is_word("DROP")
                            or toks[0].is_word("ALTER")):
            continue
        if toks[0].is_word("CREATE"):
            k = 2 if len(toks) > 1 and toks[1].is_word("TEMP", "TEMPORARY", "UNIQUE") else 1
            if k < len(toks) and toks[k].is_word("TABLE", "VIEW", "TRIGGER"):
                kind = toks[k].text.lower()
                k += 1
                if _words(toks[k:], "IF", "NOT", "EXISTS"):
                    k += 3
                name = _name_at(toks, k)
                if name is not None:
                    objects.created[kind].add(name.casefold())
                    if kind == "table":
                        created_at[name.casefold()] = i
        elif toks[0].is_word("DROP") and len(toks) > 1 and toks[1].is_word("TABLE", "VIEW",
                                                                             "TRIGGER"):
            kind = toks[1].text.lower()
            k = 4 if _words(toks[2:], "IF", "EXISTS") else 2
            name = _name_at(toks, k)
            if name is not None:
                objects.dropped[kind].add(name.casefold())
                objects.created[kind].discard(name.casefold())
                if kind == "table":
                    dropped_tables.add(name.casefold())
        elif _words(toks, "ALTER", "TABLE"):
            old = _name_at(toks, 2)
            j = 3
            while j < len(toks) and toks[j].text == ".":
                j += 2
            if old is None or not _words(toks[j:], "RENAME", "TO"):
                continue
            new = _name_at(toks, j + 2)
            if new is None:
                continue
            start = created_at.get(old.casefold())
            if start is not None and new.casefold() in dropped_tables:
                rebuilds.append(Rebuild(new, start, i))
                objects.created["table"].add(new.casefold())
    return rebuilds, objects


def find_rebuilds(statements: Sequence[str]) -> list[Rebuild]:
    """The table rebuilds among ``statements`` (in swap order)."""
    return list(_scan(tuple(statements))[0])


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class _Measure:
    rows: int
    children: dict[str, int]
    violations: dict[str, int | None]
    triggers: set[str]


class SQLiteRebuildProof:
    """Driven by the executor: ``before(i)``/``after(i)`` around statement ``i``."""

    def __init__(self, conn: Connection, statements: Sequence[str], rebuilds: list[Rebuild],
                 objects: _Objects):
        self.conn = conn
        self.statements = statements
        self.rebuilds = rebuilds
        self.objects = objects
        self.last = len(statements) - 1
        self.started = False
        self.views_before: set[str] = set()
        self.measured: dict[int, _Measure] = {}  # by rebuild index
        self.trigger_owners: dict[str, str] = {}  # trigger → rebuilt table it was on

    # -- the executor's calls ---------------------------------------------------------------

    def before(self, i: int) -> None:
        if not self.started:
            self.started = True
            self.views_before = {r[0] for r in self.conn.query(
                "SELECT name FROM sqlite_master WHERE type = 'view'")}
        for n, rb in enumerate(self.rebuilds):
            if rb.start == i and self._exists(rb.table):
                self.measured[n] = m = self._measure(rb.table)
                for trig in m.triggers:
                    self.trigger_owners[trig] = rb.table

    def after(self, i: int) -> None:
        for n, rb in enumerate(self.rebuilds):
            if rb.swap == i and n in self.measured:
                self._compare(rb.table, self.measured[n], self._measure(rb.table))
        if i == self.last and self.started:
            self._finish()

    # -- measuring --------------------------------------------------------------------------

    def _exists(self, table: str) -> bool:
        return bool(self.conn.query(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE",
            (table,)))

    def _count(self, table: str) -> int:
        return int(self.conn.query(f"SELECT count(*) FROM {_quote(table)}")[0][0])

    def _violations(self, table: str) -> int | None:
        try:
            return len(self.conn.query(f"PRAGMA foreign_key_check({_quote(table)})"))
        except DatabaseError:
            return None  # e.g. a foreign key naming a missing table: nothing to compare

    def _measure(self, table: str) -> _Measure:
        children = [r[0] for r in self.conn.query(
            "SELECT DISTINCT m.name FROM sqlite_master AS m, pragma_foreign_key_list(m.name) "
            "AS f WHERE m.type = 'table' AND f.\"table\" = ? COLLATE NOCASE "
            "AND m.name <> ? COLLATE NOCASE ORDER BY m.name", (table, table))]
        triggers = {r[0] for r in self.conn.query(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
            "COLLATE NOCASE", (table,))}
        return _Measure(
            rows=self._count(table),
            children={c: self._count(c) for c in children},
            violations={t: self._violations(t) for t in (table, *children)},
            triggers=triggers,
        )

    def _compare(self, table: str, before: _Measure, after: _Measure) -> None:
        what = f"rebuild of table {q(table)}"
        if before.rows != after.rows:
            raise RebuildProofError(f"{what} changed its row count: {before.rows} before, "
                                    f"{after.rows} after")
        for child, n in before.children.items():
            m = after.children.get(child)
            if m is not None and m != n:
                raise RebuildProofError(
                    f"{what} changed the rows of {q(child)}, whose foreign key references it: "
                    f"{n} before, {m} after (an ON DELETE action fired when the old table was "
                    "dropped)")
        for t, n in before.violations.items():
            m = after.violations.get(t)
            if n is not None and m is not None and m > n:
                raise RebuildProofError(f"{what} left foreign-key violations in {q(t)}: "
                                        f"{n} before, {m} after")

    def _finish(self) -> None:
        now = self.conn.query("SELECT type, name FROM sqlite_master "
                              "WHERE type IN ('view', 'trigger')")
        views = {name.casefold() for kind, name in now if kind == "view"}
        triggers = {name.casefold() for kind, name in now if kind == "trigger"}
        lost = sorted(t for t, owner in self.trigger_owners.items()
                      if t.casefold() not in triggers
                      and not self.objects.gone_for_good("trigger", t)
                      and not self.objects.gone_for_good("table", owner))
        if lost:
            owner = self.trigger_owners[lost[0]]
            names = ", ".join(q(t) for t in lost)
            raise RebuildProofError(f"rebuild of table {q(owner)} lost trigger(s) {names}: "
                                    "dropped with the old table and not created again")
        lost = sorted(v for v in self.views_before
                      if v.casefold() not in views and not self.objects.gone_for_good("view", v))
        if lost:
            raise RebuildProofError(f"view(s) {', '.join(q(v) for v in lost)} dropped around a "
                                    "table rebuild and not created again")
        rebuilt = [rb.table for rb in self.rebuilds]
        for name, sql in self.conn.query("SELECT name, sql FROM sqlite_master "
                                         "WHERE type = 'view'"):
            if not referenced_names(sql or "", rebuilt):
                continue
            try:
                self.conn.query("SELECT count(*) FROM pragma_table_xinfo(?)", (name,))
            except DatabaseError as exc:
                raise RebuildProofError(f"view {q(name)} no longer works after the rebuild of "
                                        f"{', '.join(q(t) for t in rebuilt)}: {exc}") from None


def rebuild_proof(conn: Connection, statements: Sequence[str]) -> SQLiteRebuildProof | None:
    """The proof for a file's statements, or ``None`` when they rebuild no table."""
    rebuilds, objects = _scan(tuple(statements))
    if not rebuilds:
        return None
    return SQLiteRebuildProof(conn, statements, rebuilds, objects)
