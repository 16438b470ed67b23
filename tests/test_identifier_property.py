"""Property: any identifier SQLite accepts (backticks, quotes, spaces, dots, dollar and
percent signs, backslashes, newlines, non-ASCII) survives every path: planned SQL applies,
inspect reads it back, the HCL printed for it evaluates to the same schema, and replanning
the database against that HCL gives nothing to do."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atoll.dialects.sqlite import DIALECT
from atoll.dialects.sqlite.connection import SQLiteConnection
from atoll.dialects.sqlite.types import parse_type
from atoll.hcl.schema_check import check_schema_document
from atoll.hcl.schema_codec import decode_schema, encode_schema
from atoll.hcl.schema_eval import evaluate_schema_files
from atoll.schema.model import (Column, ForeignKey, Index, IndexPart, PrimaryKey, Schema, Table,
                                Trigger, View)
from atoll.urls import parse_url

# Characters that break naive quoting in SQL or HCL, plus anything printable.
AWKWARD = "`\"'[] .$%{}\\\n\t-;é日本ß·"
identifiers = st.text(
    alphabet=st.one_of(st.sampled_from(AWKWARD),
                       st.characters(blacklist_categories=("Cs", "Cc"), min_codepoint=32)),
    min_size=1, max_size=10,
).filter(lambda s: not s.lower().startswith("sqlite_"))


def _fold(name: str) -> str:
    """SQLite compares identifiers ignoring the case of ASCII letters only."""
    return "".join(c.lower() if c.isascii() else c for c in name)


def _names(low: int, high: int):
    return st.lists(identifiers, min_size=low, max_size=high, unique_by=_fold)


def q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


@st.composite
def schemas(draw):
    # Tables, views and indexes share one namespace in SQLite; triggers have their own.
    relation_names = draw(_names(3, 5))
    parent_name, child_name, view_name = relation_names[:3]
    index_names = relation_names[3:]
    parent_cols = draw(_names(1, 4))
    child_cols = draw(_names(2, 4))
    pk_col = parent_cols[0]
    parent = Table(
        name=parent_name,
        columns=tuple(Column(name=c, type=parse_type("integer" if c == pk_col else "text"),
                             null=c != pk_col) for c in parent_cols),
        primary_key=PrimaryKey(parts=(IndexPart(column=pk_col),)),
        indexes=tuple(Index(name=n, parts=(IndexPart(column=parent_cols[-1]),))
                      for n in index_names[:1]),
    )
    child = Table(
        name=child_name,
        columns=tuple(Column(name=c, type=parse_type("integer"), null=True) for c in child_cols),
        indexes=tuple(Index(name=n, unique=True, parts=(IndexPart(column=child_cols[1]),))
                      for n in index_names[1:2]),
        foreign_keys=(ForeignKey(name=draw(identifiers), columns=(child_cols[0],),
                                 ref_table=parent_name, ref_columns=(pk_col,),
                                 on_update="NO ACTION", on_delete="CASCADE"),),
    )
    view_col = parent_cols[-1]
    view = View(
        name=view_name,
        definition=f"SELECT {q(view_col)} FROM {q(parent_name)}",
        columns=(Column(name=view_col, type=parse_type("integer" if view_col == pk_col
                                                      else "text"), null=True),),
        depends_on=(parent_name,),
    )
    trigger_name = draw(identifiers)
    trigger = Trigger(
        name=trigger_name, table=child_name, timing="AFTER", event="INSERT",
        body=f"BEGIN UPDATE {q(child_name)} SET {q(child_cols[1])} = NEW.{q(child_cols[0])}"
             f" WHERE rowid = NEW.rowid; END",
    )
    return Schema(name="main", tables=(parent, child), views=(view,), triggers=(trigger,))


def _apply(conn: SQLiteConnection, current: Schema, desired: Schema) -> list[str]:
    statements = [s.sql for s in DIALECT.plan(DIALECT.diff(current, desired))]
    for sql in statements:
        conn.execute(sql)
    return statements


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas())
def test_any_identifier_round_trips_through_sql_inspect_and_hcl(schema):
    conn = SQLiteConnection(parse_url("sqlite://identifiers?mode=memory"))
    try:
        _apply(conn, Schema(name="main"), schema)
        inspected = DIALECT.inspect(conn)
        assert sorted(t.name for t in inspected.tables) == sorted(t.name for t in schema.tables)
        assert [v.name for v in inspected.views] == [schema.views[0].name]
        assert [t.name for t in inspected.triggers] == [schema.triggers[0].name]

        text = encode_schema(inspected)
        doc = evaluate_schema_files([("schema.hcl", text)])
        check_schema_document(doc)
        decoded = decode_schema(doc)
        assert encode_schema(decoded) == text
        # Nothing to do: neither against what was inspected nor against the live database.
        assert DIALECT.diff(inspected, decoded) == []
        assert _apply(conn, DIALECT.inspect(conn), decoded) == []

        # A change SQLite can only make by rebuilding the table: rows, the view and the
        # trigger come through it.
        parent, child = schema.tables
        conn.execute(f"INSERT INTO {q(parent.name)} ({q(parent.columns[0].name)}) VALUES (1)")
        conn.execute(f"INSERT INTO {q(child.name)} ({q(child.columns[0].name)}) VALUES (1)")
        retyped = dataclasses.replace(child.columns[1], type=parse_type("text"))
        changed = dataclasses.replace(child, columns=(child.columns[0], retyped,
                                                      *child.columns[2:]))
        target = dataclasses.replace(decoded, tables=tuple(
            changed if t.name == child.name else t for t in decoded.tables))
        assert any("INSERT INTO" in sql for sql in _apply(conn, DIALECT.inspect(conn), target))
        after = DIALECT.inspect(conn)
        assert DIALECT.diff(after, target) == []
        assert [t.name for t in after.triggers] == [schema.triggers[0].name]
        assert [v.name for v in after.views] == [schema.views[0].name]
        assert conn.query(f"SELECT count(*) FROM {q(child.name)}") == [(1,)]
    finally:
        conn.close()
