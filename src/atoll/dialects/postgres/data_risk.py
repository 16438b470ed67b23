"""What a PostgreSQL statement would lose or break, counted on the database right before it
runs: ``DROP TABLE``, and ``ALTER TABLE`` actions ``DROP COLUMN``, ``ADD COLUMN … NOT NULL``
without a default, ``ALTER COLUMN … SET NOT NULL``, ``ALTER COLUMN … TYPE`` to a shorter
length or a smaller integer, ``ADD … UNIQUE`` / ``PRIMARY KEY``; and ``CREATE UNIQUE INDEX``.

Names are written back as the statement wrote them (bare names fold to lower case, quoted ones
keep theirs), so the counts read the same objects the statement will. Each count runs inside
a savepoint when a transaction is open: a count that fails must not abort the migration's
transaction."""

from __future__ import annotations

from ...errors import DatabaseError
from ...migrate.data_risk import ROWS_LOST, VALUES_LOST, VIOLATIONS, Measure
from ..risk_probe import StatementProbe
from ..sql_tokens import Tok, paren_items, qualified_name, render, split_commas

_INT_RANGE = {"smallint": 32767, "int2": 32767, "integer": 2147483647, "int": 2147483647,
              "int4": 2147483647}


def _table(toks: list[Tok], i: int) -> tuple[str, int]:
    schema, name, j = qualified_name(toks, i)
    if name is None:
        return "", j
    return (f"{render([schema])}." if schema else "") + render([name]), j


class PostgresRiskProbe(StatementProbe):
    SHAPES = ((("DROP", "TABLE"), "_drop_tables"), (("ALTER", "TABLE"), "_alter"),
              (("CREATE", "UNIQUE", "INDEX"), "_unique_index"))

    def _drop_tables(self, conn, toks: list[Tok]) -> list[Measure]:
        i = 2
        if toks[i].kw("IF"):
            i += 2
        out = []
        for part in split_commas([t for t in toks[i:] if not t.kw("CASCADE", "RESTRICT")
                                  and not (t.text == ";" and not t.word)]):
            table, _ = _table(part, 0)
            if table and _exists(conn, table):
                n = _count(conn, f"SELECT count(*) FROM {table}")
                out.append(Measure(ROWS_LOST, n, table, f"drop table {table}"))
        return out

    def _alter(self, conn, toks: list[Tok]) -> list[Measure]:
        i = 2
        if toks[i].kw("IF"):
            i += 2
        if toks[i].kw("ONLY"):
            i += 1
        table, i = _table(toks, i)
        if not table or not _exists(conn, table):
            return []
        body = [t for t in toks[i:] if not (t.text == ";" and not t.word)]
        out = []
        for action in split_commas(body):
            out += self._action(conn, table, action)
        return out

    def _action(self, conn, table: str, a: list[Tok]) -> list[Measure]:
        words = [t for t in a if not t.kw("COLUMN")]
        if len(words) < 2:
            return []
        if words[0].kw("DROP") and not words[1].kw("CONSTRAINT"):
            col = words[3] if words[1].kw("IF") else words[1]
            c = render([col])
            n = _count(conn, f"SELECT count(*) FROM {table} WHERE {c} IS NOT NULL")
            return [Measure(VALUES_LOST, n, table, f"drop column {c} of {table}", col.text)]
        if words[0].kw("ADD"):
            return self._add(conn, table, words[1:])
        if words[0].kw("ALTER") and len(words) >= 4:
            col, rest = words[1], words[2:]
            c = render([col])
            if rest[0].kw("SET") and rest[1].kw("NOT"):
                n = _count(conn, f"SELECT count(*) FROM {table} WHERE {c} IS NULL")
                return [Measure(VIOLATIONS, n, table, f"column {c} of {table} becomes NOT NULL",
                                col.text)]
            if rest[0].kw("TYPE") or (rest[0].kw("SET") and rest[1].kw("DATA")):
                return self._narrow(conn, table, col, rest[1:] if rest[0].kw("TYPE")
                                    else rest[3:])
        return []

    def _add(self, conn, table: str, rest: list[Tok]) -> list[Measure]:
        if rest[0].kw("CONSTRAINT"):
            rest = rest[2:]
        if rest and rest[0].kw("UNIQUE", "PRIMARY"):
            j = next((k for k, t in enumerate(rest) if t.text == "(" and not t.word), None)
            if j is None:
                return []
            cols, _ = paren_items(rest, j)
            exprs = [render(c) for c in cols]
            n = _duplicates(conn, table, exprs, "")
            return [Measure(VIOLATIONS, n, table, f"unique {', '.join(exprs)} on {table}")]
        if rest and rest[0].kw("IF"):
            rest = rest[3:]
        if not rest:
            return []
        upper = [t.text.upper() for t in rest if t.word and not t.quoted]
        not_null = any(a == "NOT" and b == "NULL" for a, b in zip(upper, upper[1:]))
        if not_null and "DEFAULT" not in upper:
            n = _count(conn, f"SELECT count(*) FROM {table}")
            c = render([rest[0]])
            return [Measure(VIOLATIONS, n, table, f"add column {c} NOT NULL without default "
                            f"to {table}", rest[0].text)]
        return []

    def _narrow(self, conn, table: str, col: Tok, typ: list[Tok]) -> list[Measure]:
        if not typ:
            return []
        c, name = render([col]), typ[0].text.lower()
        text = name
        if len(typ) >= 3 and typ[1].text == "(" and typ[2].text.isdigit():
            limit = int(typ[2].text)
            text = f"{name}({limit})"
            sql = f"SELECT count(*) FROM {table} WHERE length({c}::text) > {limit}"
        elif name in _INT_RANGE:
            top = _INT_RANGE[name]
            sql = (f"SELECT count(*) FROM {table} WHERE {c}::numeric > {top} OR "
                   f"{c}::numeric < {-top - 1}")
        else:
            return []
        return [Measure(VIOLATIONS, _count(conn, sql), table,
                        f"column {c} of {table} narrows to {text}",
                        col.text)]

    def _unique_index(self, conn, toks: list[Tok]) -> list[Measure]:
        i = next((k for k, t in enumerate(toks) if t.kw("ON")), None)
        if i is None:
            return []
        if toks[i + 1].kw("ONLY"):
            i += 1
        table, j = _table(toks, i + 1)
        if not table or not _exists(conn, table):
            return []
        while j < len(toks) and not (toks[j].text == "(" and not toks[j].word):
            j += 1
        parts, j = paren_items(toks, j)
        exprs = [render([t for t in p if not t.kw("ASC", "DESC", "NULLS", "FIRST", "LAST")])
                 for p in parts]
        where = ""
        k = next((k for k in range(j, len(toks)) if toks[k].kw("WHERE")), None)
        if k is not None:
            where = render([t for t in toks[k + 1:] if not (t.text == ";" and not t.word)])
        n = _duplicates(conn, table, exprs, where)
        return [Measure(VIOLATIONS, n, table, f"unique index on {table}")]


def _count(conn, sql: str) -> int:
    """A count that cannot abort an open transaction (it runs in a savepoint)."""
    in_tx = conn.raw.info.transaction_status != 0  # psycopg's TransactionStatus.IDLE
    if in_tx:
        conn.execute("SAVEPOINT atoll_data_risk")
    try:
        rows = conn.query(sql)
    except DatabaseError:
        if in_tx:
            conn.execute("ROLLBACK TO SAVEPOINT atoll_data_risk")
            conn.execute("RELEASE SAVEPOINT atoll_data_risk")
        raise
    if in_tx:
        conn.execute("RELEASE SAVEPOINT atoll_data_risk")
    return int(rows[0][0] or 0)


def _exists(conn, table: str) -> bool:
    return bool(conn.query("SELECT to_regclass(%s) IS NOT NULL", (table,))[0][0])


def _duplicates(conn, table: str, exprs: list[str], where: str) -> int:
    conds = [f"({e}) IS NOT NULL" for e in exprs] + ([f"({where})"] if where else [])
    return _count(conn, f"SELECT coalesce(sum(c - 1), 0) FROM (SELECT count(*) AS c FROM "
                        f"{table} WHERE {' AND '.join(conds)} GROUP BY {', '.join(exprs)} "
                        "HAVING count(*) > 1) AS d")
