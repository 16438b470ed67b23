"""What a SQLite statement would lose or break, counted on the database right before it runs.

The statement is parsed (a small tokenizer, no regular expressions over SQL): ``DROP TABLE``,
``ALTER TABLE … DROP COLUMN``, ``ALTER TABLE … ADD COLUMN … NOT NULL`` without a default,
``CREATE UNIQUE INDEX``, and the table rebuild Atlas plans (``CREATE TABLE new_t`` /
``INSERT INTO new_t (…) SELECT … FROM t`` / ``DROP TABLE t`` / ``ALTER TABLE new_t RENAME
TO t``): at its ``INSERT … SELECT`` both tables exist, so the columns it leaves behind, the
NOT NULL and UNIQUE constraints the new table adds and the declared lengths it narrows are
read from the catalog and counted on the old table's rows. The ``DROP TABLE t`` of a rebuild
loses nothing (its rows were copied)."""

from __future__ import annotations

from ...migrate.data_risk import ROWS_LOST, VALUES_LOST, VIOLATIONS, Measure
from ..risk_probe import StatementProbe
from ..sql_tokens import (
    Tok,
    paren_items,
    q,
    qualified_name,
    render,
    split_commas,
    until_keyword,
)


def _name(toks: list[Tok], i: int) -> tuple[str, int]:
    """``[schema.]name`` at ``i``: (name, index after it); SQLite's schema is ``main``."""
    _schema, name, j = qualified_name(toks, i)
    return (name.text if name is not None else ""), j

class SQLiteRiskProbe(StatementProbe):
    """One database's probe: remembers, within a file, which tables a rebuild copied."""

    SHAPES = ((("DROP", "TABLE"), "_drop_table"), (("ALTER", "TABLE"), "_alter"),
              (("CREATE", "UNIQUE", "INDEX"), "_unique_index"), (("INSERT", "INTO"), "_copy"))

    def __init__(self):
        self._copied: set[str] = set()

    def start_file(self) -> None:
        self._copied = set()

    # -- statements -----------------------------------------------------------------------

    def _drop_table(self, conn, toks: list[Tok]) -> list[Measure]:
        i = 2
        if toks[i].kw("IF") and toks[i + 1].kw("EXISTS"):
            i += 2
        table, _ = _name(toks, i)
        if table.lower() in self._copied or not _exists(conn, table):
            return []
        n = _count(conn, f"SELECT count(*) FROM {q(table)}")
        return [Measure(ROWS_LOST, n, table, f"drop table {q(table)}")]

    def _alter(self, conn, toks: list[Tok]) -> list[Measure]:
        table, i = _name(toks, 2)
        if i >= len(toks) or not _exists(conn, table):
            return []
        if toks[i].kw("DROP"):
            i += 1 + (1 if i + 1 < len(toks) and toks[i + 1].kw("COLUMN") else 0)
            column = toks[i].text
            n = _count(conn, f"SELECT count(*) FROM {q(table)} WHERE {q(column)} IS NOT NULL")
            return [Measure(VALUES_LOST, n, table, f"drop column {q(column)} of {q(table)}",
                            column)]
        if toks[i].kw("ADD"):
            i += 1 + (1 if i + 1 < len(toks) and toks[i + 1].kw("COLUMN") else 0)
            column = toks[i].text
            definition, _ = until_keyword(toks, i + 1)
            words = [t.text.upper() for t in definition if t.word and not t.quoted]
            not_null = any(a == "NOT" and b == "NULL" for a, b in zip(words, words[1:]))
            if not_null and "DEFAULT" not in words:
                n = _count(conn, f"SELECT count(*) FROM {q(table)}")
                return [Measure(VIOLATIONS, n, table, f"add column {q(column)} NOT NULL "
                                f"without default to {q(table)}", column)]
        return []

    def _unique_index(self, conn, toks: list[Tok]) -> list[Measure]:
        i = 3
        if toks[i].kw("IF"):
            i += 3
        index, i = _name(toks, i)
        if i >= len(toks) or not toks[i].kw("ON"):
            return []
        table, i = _name(toks, i + 1)
        if not _exists(conn, table):
            return []
        parts, i = paren_items(toks, i)
        exprs = [render([t for t in p if not t.kw("ASC", "DESC")]) for p in parts]
        where = ""
        if i < len(toks) and toks[i].kw("WHERE"):
            cond, _ = until_keyword(toks, i + 1)
            where = render(cond)
        n = _duplicates(conn, table, exprs, where)
        return [Measure(VIOLATIONS, n, table, f"unique index {q(index)} on {q(table)}")]

    def _copy(self, conn, toks: list[Tok]) -> list[Measure]:
        """``INSERT INTO new (cols) SELECT exprs FROM old``: the data step of a rebuild."""
        new, i = _name(toks, 2)
        if i >= len(toks) or toks[i].text != "(":
            return []
        cols, i = paren_items(toks, i)
        if i >= len(toks) or not toks[i].kw("SELECT"):
            return []
        select, j = until_keyword(toks, i + 1, "FROM")
        if j >= len(toks) or not toks[j].kw("FROM"):
            return []
        old, k = _name(toks, j + 1)
        if k < len(toks) and not (toks[k].text == ";" and not toks[k].word):
            return []  # a WHERE, a JOIN…: not a plain copy
        exprs = split_commas(select)
        if len(exprs) != len(cols) or not _exists(conn, old) or not _exists(conn, new):
            return []
        self._copied.add(old.lower())
        into = {c[0].text.lower(): render(e) for c, e in zip(cols, exprs) if c}
        used = {t.text.lower() for e in exprs for t in e if t.word}
        out = []
        for name, _type, _nn in _columns(conn, old):
            if name.lower() not in used:
                n = _count(conn, f"SELECT count(*) FROM {q(old)} WHERE {q(name)} IS NOT NULL")
                out.append(Measure(VALUES_LOST, n, old, f"rebuild of {q(old)} drops column "
                                   f"{q(name)}", name))
        old_types = {name.lower(): typ for name, typ, _ in _columns(conn, old)}
        for name, typ, notnull in _columns(conn, new):
            expr = into.get(name.lower())
            if expr is None:
                continue
            if notnull:
                n = _count(conn, f"SELECT count(*) FROM {q(old)} WHERE ({expr}) IS NULL")
                out.append(Measure(VIOLATIONS, n, old, f"column {q(name)} of {q(old)} "
                                   "becomes NOT NULL", name))
            limit, before = _length(typ), _length(old_types.get(name.lower(), ""))
            if limit is not None and (before is None or before > limit):
                n = _count(conn, f"SELECT count(*) FROM {q(old)} WHERE length({expr}) > "
                                 f"{limit}")
                out.append(Measure(VIOLATIONS, n, old, f"column {q(name)} of {q(old)} "
                                   f"narrows to {typ}", name))
        for index, unique_cols in _unique_indexes(conn, new):
            exprs_u = [into.get(c.lower()) for c in unique_cols]
            if all(exprs_u):
                n = _duplicates(conn, old, exprs_u, "")
                out.append(Measure(VIOLATIONS, n, old, f"rebuild of {q(old)} adds unique "
                                   f"{', '.join(unique_cols)}"))
        return out


def _count(conn, sql: str) -> int:
    return int(conn.query(sql)[0][0] or 0)


def _exists(conn, table: str) -> bool:
    return bool(conn.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? "
                           "COLLATE NOCASE", (table,)))


def _columns(conn, table: str) -> list[tuple[str, str, bool]]:
    """(name, declared type, NOT NULL) of the stored columns (generated ones excluded)."""
    rows = conn.query(f"PRAGMA table_xinfo({q(table)})")
    return [(r[1], r[2] or "", bool(r[3])) for r in rows if r[6] in (0, 1)]


def _unique_indexes(conn, table: str) -> list[tuple[str, list[str]]]:
    out = []
    for row in conn.query(f"PRAGMA index_list({q(table)})"):
        name, unique, partial = row[1], row[2], row[4]
        if unique and not partial:
            cols = [r[2] for r in conn.query(f"PRAGMA index_info({q(name)})")]
            if cols and all(cols):
                out.append((name, cols))
    return out


def _duplicates(conn, table: str, exprs: list[str], where: str) -> int:
    """Rows beyond the first of each group of equal non-NULL keys."""
    conds = [f"({e}) IS NOT NULL" for e in exprs] + ([f"({where})"] if where else [])
    return _count(conn, f"SELECT coalesce(sum(c - 1), 0) FROM (SELECT count(*) AS c FROM "
                        f"{q(table)} WHERE {' AND '.join(conds)} GROUP BY {', '.join(exprs)} "
                        "HAVING count(*) > 1)")


def _length(typ: str) -> int | None:
    """``varchar(50)`` → 50; ``None`` without a length."""
    head, _, rest = typ.partition("(")
    if not rest:
        return None
    arg = rest.split(",")[0].split(")")[0].strip()
    return int(arg) if arg.isdigit() else None
