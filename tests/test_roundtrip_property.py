"""Property: for generated schemas, HCL → apply to an empty SQLite database → inspect → HCL
gives the same text, and diffing a schema against itself (or against what was inspected back)
gives no changes."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atoll.dialects.sqlite import DIALECT
from atoll.dialects.sqlite.connection import SQLiteConnection
from atoll.dialects.sqlite.types import parse_type
from atoll.hcl.schema_codec import decode_schema, encode_schema
from atoll.hcl.schema_eval import evaluate_schema_files
from atoll.schema.model import (Check, Column, ForeignKey, Index, IndexPart, Literal,
                                PrimaryKey, RawExpr, Schema, Table)
from atoll.urls import parse_url

# Types whose spelling survives the trip through SQL (sizes are not kept by SQLite DDL).
INT_TYPES = ["int", "integer", "bigint", "smallint", "tinyint"]
TEXT_TYPES = ["text", "varchar", "clob", "nvarchar"]
OTHER_TYPES = ["real", "double", "float", "blob", "bool", "boolean", "date", "datetime",
               "json", "uuid", "decimal", "numeric"]

names = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=8).filter(
    lambda s: not s.startswith("sqlite") and s not in ("main",))


@st.composite
def columns(draw):
    kind = draw(st.sampled_from(["int", "text", "other"]))
    type_name = draw(st.sampled_from({"int": INT_TYPES, "text": TEXT_TYPES,
                                      "other": OTHER_TYPES}[kind]))
    null = draw(st.booleans())
    default = None
    choice = draw(st.integers(0, 3))
    if choice == 1 and kind == "int":
        default = Literal(str(draw(st.integers(-1000, 1000))))
    elif choice == 1 and kind == "text":
        # A value that is itself a quoted literal ("'x'") is ambiguous in Atlas's HCL: the
        # string default "'x'" reads as the SQL literal 'x'. atoll writes what Atlas writes.
        text = draw(st.text(alphabet=string.ascii_letters + " '", max_size=6).filter(
            lambda t: not (len(t) >= 2 and t[0] == t[-1] == "'")))
        default = Literal("'" + text.replace("'", "''") + "'")
    elif choice == 2 and type_name in ("datetime", "date"):
        default = RawExpr("CURRENT_TIMESTAMP")
    return lambda name: Column(name=name, type=parse_type(type_name), null=null, default=default)


@st.composite
def tables(draw, name: str, earlier: list[Table]):
    col_names = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    cols = tuple(draw(columns())(n) for n in col_names)
    pk = None
    if draw(st.booleans()):
        key = draw(st.lists(st.sampled_from(col_names), min_size=1, max_size=2, unique=True))
        pk = PrimaryKey(parts=tuple(IndexPart(column=c) for c in key))
    indexes = []
    for i in range(draw(st.integers(0, 2))):
        key = draw(st.lists(st.sampled_from(col_names), min_size=1, max_size=2, unique=True))
        indexes.append(Index(
            name=f"{name}_idx{i}", unique=draw(st.booleans()),
            parts=tuple(IndexPart(column=c, desc=draw(st.booleans())) for c in key)))
    fks = []
    targets = [t for t in earlier if t.primary_key and len(t.primary_key.parts) == 1]
    if targets and draw(st.booleans()):
        ref = draw(st.sampled_from(targets))
        fks.append(ForeignKey(
            name=f"{name}_fk", columns=(col_names[0],), ref_table=ref.name,
            ref_columns=ref.primary_key.columns,
            on_update="NO ACTION", on_delete=draw(st.sampled_from(["NO ACTION", "CASCADE",
                                                                   "SET NULL"]))))
    checks = []
    if draw(st.booleans()):
        checks.append(Check(expr=f"length(`{col_names[0]}`) >= 0", name=f"{name}_chk"))
    return Table(name=name, columns=cols, primary_key=pk, indexes=tuple(indexes),
                 foreign_keys=tuple(fks), checks=tuple(checks),
                 strict=False, without_rowid=False)


@st.composite
def schemas(draw):
    table_names = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    built: list[Table] = []
    for n in table_names:
        built.append(draw(tables(f"t_{n}", built)))
    return Schema(name="main", tables=tuple(built))


def _apply_and_inspect(schema: Schema) -> Schema:
    conn = SQLiteConnection(parse_url("sqlite://roundtrip?mode=memory"))
    try:
        changes = DIALECT.diff(Schema(name="main"), schema)
        for stmt in DIALECT.plan(changes):
            conn.execute(stmt.sql)
        return DIALECT.inspect(conn)
    finally:
        conn.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas())
def test_hcl_apply_inspect_gives_the_same_hcl(schema):
    text = encode_schema(_apply_and_inspect(schema))
    desired = decode_schema(evaluate_schema_files([("schema.hcl", text)]))
    # The HCL printed by inspect, applied to a fresh database and inspected again, prints the
    # same text: the canonical form is a fixed point.
    assert encode_schema(_apply_and_inspect(desired)) == text
    assert DIALECT.diff(desired, desired) == []
    assert DIALECT.diff(_apply_and_inspect(desired), desired) == []


@settings(max_examples=60, deadline=None)
@given(schemas())
def test_schema_diffed_against_itself_has_no_changes(schema):
    assert DIALECT.diff(schema, schema) == []
    inspected = _apply_and_inspect(schema)
    assert DIALECT.diff(inspected, schema) == []
