"""Evolution with data, as a property: a random schema A with rows, a random schema B; plan
A → B, apply it (with the rebuild proof), and then

* every row of every table kept from A to B is still there with its kept columns;
* the database inspects equal to B (object by object);
* planning again gives nothing.

A and B draw columns (adds, drops, type and nullability changes, defaults), indexes, foreign
keys, checks, views and triggers from small pools, so changes between them are frequent. The
example count is bounded so the test stays quick in ``make test``."""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atoll.declarative import execute_plan
from atoll.dialects.sqlite import DIALECT
from atoll.hcl.schema_codec import encode_schema
from atoll.schema.model import Schema
from atoll.urls import parse_url

TABLES = ("t0", "t1", "t2")
COLUMNS = ("c1", "c2", "c3")
TYPES = ("integer", "text", "real")
DEFAULTS = {"integer": "7", "text": "'7'", "real": "7.5"}


@dataclass(frozen=True)
class ColumnDef:
    name: str
    type: str
    not_null: bool
    default: bool

    def sql(self) -> str:
        out = f"{self.name} {self.type}"
        if self.not_null:
            out += " NOT NULL"
        if self.default:
            out += f" DEFAULT {DEFAULTS[self.type]}"
        return out


@dataclass(frozen=True)
class TableDef:
    name: str
    columns: tuple[ColumnDef, ...]
    ref: str | None          # table referenced by the nullable "ref" column, if any
    on_delete: str
    check: str | None        # column checked ">= 0"
    index: str | None        # column indexed

    def ddl(self) -> list[str]:
        parts = ["id integer PRIMARY KEY", *(c.sql() for c in self.columns), "ref integer"]
        if self.ref is not None:
            action = f" ON DELETE {self.on_delete}" if self.on_delete else ""
            parts.append(f"CONSTRAINT fk_{self.name} FOREIGN KEY (ref) REFERENCES "
                         f"{self.ref} (id){action}")
        if self.check is not None:
            parts.append(f"CONSTRAINT ck_{self.name} CHECK ({self.check} >= 0)")
        out = [f"CREATE TABLE {self.name} ({', '.join(parts)})"]
        if self.index is not None:
            out.append(f"CREATE INDEX ix_{self.name} ON {self.name} ({self.index})")
        return out


@dataclass(frozen=True)
class SchemaDef:
    tables: tuple[TableDef, ...]
    views: tuple[tuple[str, str, str], ...]     # (name, table, column)
    triggers: tuple[tuple[str, str, str], ...]  # (name, table, table its body reads)

    def ddl(self) -> str:
        stmts = [s for t in self.tables for s in t.ddl()]
        stmts += [f"CREATE VIEW {n} AS SELECT id, {c} FROM {t}" for n, t, c in self.views]
        stmts += [f"CREATE TRIGGER {n} AFTER INSERT ON {t} BEGIN SELECT count(*) FROM {r}; END"
                  for n, t, r in self.triggers]
        return ";\n".join(stmts) + ";\n"


@st.composite
def schemas(draw) -> SchemaDef:
    names = [t for t in TABLES if draw(st.booleans())] or ["t0"]
    tables = []
    for i, name in enumerate(names):
        cols = []
        for c in COLUMNS:
            if draw(st.booleans()):
                typ = draw(st.sampled_from(TYPES))
                not_null = draw(st.booleans())
                # A NOT NULL column may be new to existing rows: it needs a default.
                cols.append(ColumnDef(c, typ, not_null, not_null or draw(st.booleans())))
        col_names = [c.name for c in cols]
        earlier = names[:i]
        ref = draw(st.sampled_from([None, *earlier])) if earlier else None
        tables.append(TableDef(
            name=name,
            columns=tuple(cols),
            ref=ref,
            on_delete=draw(st.sampled_from(["", "CASCADE", "SET NULL"])),
            check=draw(st.sampled_from([None, *col_names])),
            index=draw(st.sampled_from([None, *col_names])),
        ))
    views = []
    for n in ("v1", "v2"):
        t = draw(st.sampled_from(tables))
        if t.columns and draw(st.booleans()):
            views.append((n, t.name, draw(st.sampled_from(t.columns)).name))
    triggers = []
    for n in ("g1", "g2"):
        if draw(st.booleans()):
            triggers.append((n, draw(st.sampled_from(names)), draw(st.sampled_from(names))))
    return SchemaDef(tuple(tables), tuple(views), tuple(triggers))


def rows_for(table: TableDef, draw_values: list[int]) -> list[tuple]:
    out = []
    for rid, v in enumerate(draw_values, start=1):
        row = [rid]
        for c in table.columns:
            row.append(str(v) if c.type == "text" else v)
        out.append(tuple(row))
    return out


def norm(v: object) -> object:
    """A value compared across type changes: 5, 5.0 and '5' are the same number."""
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return v
    return int(f) if f.is_integer() else f


def inspect(url: str) -> Schema:
    conn = DIALECT.connect(parse_url(url))
    try:
        return DIALECT.inspect(conn)
    finally:
        conn.close()


def by_name(s: Schema) -> Schema:
    """Object order depends on creation order (a rebuilt table moves to the end, an added
    column comes last): compare sorted by name, as Atlas's diff does."""
    tables = tuple(sorted((dataclasses.replace(
        t, columns=tuple(sorted(t.columns, key=lambda c: c.name)),
        indexes=tuple(sorted(t.indexes, key=lambda i: i.name))) for t in s.tables),
        key=lambda t: t.name))
    return dataclasses.replace(s, tables=tables,
                               views=tuple(sorted(s.views, key=lambda v: v.name)),
                               triggers=tuple(sorted(s.triggers, key=lambda t: t.name)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=schemas(), b=schemas(), values=st.lists(st.integers(0, 99), min_size=1, max_size=4))
def test_evolution_keeps_every_row_and_ends_in_b(tmp_path_factory, a, b, values):
    root = tmp_path_factory.mktemp("evo")
    db = root / "a.db"
    conn = sqlite3.connect(db)
    conn.executescript(a.ddl())
    for t in a.tables:
        cols = ["id", *(c.name for c in t.columns)]
        conn.executemany(f"INSERT INTO {t.name} ({', '.join(cols)}) VALUES "
                         f"({', '.join('?' for _ in cols)})", rows_for(t, values))
    conn.commit()
    conn.close()
    dev = root / "b.db"
    conn = sqlite3.connect(dev)
    conn.executescript(b.ddl())
    conn.close()

    kept = {}
    b_tables = {t.name: t for t in b.tables}
    for t in a.tables:
        if t.name in b_tables:
            cols = ["id", *(c.name for c in t.columns
                            if any(c.name == d.name for d in b_tables[t.name].columns))]
            kept[t.name] = (cols, {tuple(map(norm, r)) for r in sqlite3.connect(db).execute(
                f"SELECT {', '.join(cols)} FROM {t.name}")})

    desired = inspect(f"sqlite://{dev}")
    statements = DIALECT.plan(DIALECT.diff(inspect(f"sqlite://{db}"), desired))
    conn = DIALECT.connect(parse_url(f"sqlite://{db}"))
    try:
        result = execute_plan(DIALECT, conn, statements)
    finally:
        conn.close()
    assert result.error is None, (result.error, a.ddl(), b.ddl())

    after = sqlite3.connect(db)
    for name, (cols, rows) in kept.items():
        got = {tuple(map(norm, r)) for r in after.execute(f"SELECT {', '.join(cols)} FROM {name}")}
        assert got == rows, (name, a.ddl(), b.ddl())
    after.close()
    final = inspect(f"sqlite://{db}")
    assert encode_schema(by_name(final)) == encode_schema(by_name(desired)), (a.ddl(), b.ddl())
    assert DIALECT.diff(final, desired) == [], (a.ddl(), b.ddl())
