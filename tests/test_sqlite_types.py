"""SQLite types: ParseType, FormatType and the HCL type registry (spec/schema-hcl.md §3)."""

from __future__ import annotations

import sqlite3

import pytest

from atoll.gotext import go_quote
from atoll.dialects.sqlite.types import (
    REGISTRY,
    format_type,
    hcl_type_text,
    parse_type,
    type_from_hcl,
)
from atoll.errors import HCLError, SchemaError
from atoll.hcl.document import RawSQL, TypeCall, Word
from atoll.schema.model import ColumnType, TypeClass

I, S, F, D, B, BIN, T, J, U, USER = (TypeClass.INTEGER, TypeClass.STRING, TypeClass.FLOAT,
                                     TypeClass.DECIMAL, TypeClass.BOOL, TypeClass.BINARY,
                                     TypeClass.TIME, TypeClass.JSON, TypeClass.UUID,
                                     TypeClass.USER)


def _key(t: ColumnType) -> tuple:
    return (t.cls, t.name, t.size, t.precision, t.scale)


# --- ParseType (declared text → model) -------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("", (BIN, "blob", 0, 0, 0)),
    ("INTEGER", (I, "integer", 0, 0, 0)),
    ("int(10)", (I, "int", 0, 0, 0)),
    ("varchar(100)", (S, "varchar", 100, 0, 0)),
    ("VARCHAR(255)", (S, "varchar", 255, 0, 0)),
    ("char(10)", (S, "char", 10, 0, 0)),
    ("numeric(10,2)", (D, "numeric", 0, 10, 2)),
    ("DECIMAL(10, 2)", (D, "decimal", 0, 10, 2)),
    ("decimal", (D, "decimal", 0, 0, 0)),
    ("double precision(10)", (F, "double precision", 0, 0, 0)),
    ("unsigned big int", (I, "unsigned big int", 0, 0, 0)),
    ("varying character(255)", (S, "varying character", 255, 0, 0)),
    ("native character", (S, "native character", 0, 0, 0)),
    ("  Text  ", (S, "text", 0, 0, 0)),
    ("blob(10)", (BIN, "blob", 0, 0, 0)),
    ("jsonb", (J, "jsonb", 0, 0, 0)),
    ("timestamp", (T, "timestamp", 0, 0, 0)),
    ("uuid", (U, "uuid", 0, 0, 0)),
    ("boolean", (B, "boolean", 0, 0, 0)),
    ("USER_DEFINED", (USER, "USER_DEFINED", 0, 0, 0)),
    ("int unsigned", (USER, "int unsigned", 0, 0, 0)),
    ("MONEY", (USER, "MONEY", 0, 0, 0)),
])
def test_parse_type(text, expected):
    t = parse_type(text)
    assert _key(t) == expected
    assert t.raw == text


def test_parse_type_errors():
    with pytest.raises(SchemaError, match=r'^parse size "99999999999999999999"$'):
        parse_type("varchar(99999999999999999999)")
    # Atlas reports the precision text for a bad scale.
    with pytest.raises(SchemaError, match=r'^parse scale "10"$'):
        parse_type("numeric(10,2x)")
    with pytest.raises(SchemaError, match=r'^parse precision "99999999999999999999"$'):
        parse_type("decimal(99999999999999999999)")
    # A non-numeric argument is joined to the name: a user-defined type, no error.
    assert parse_type("decimal(1x)").cls is TypeClass.USER


@pytest.mark.parametrize("text, sql", [
    ("varchar(255)", "varchar"), ("DECIMAL(10,2)", "decimal"), ("INTEGER", "integer"),
    ("USER_DEFINED", "USER_DEFINED"), ("", "blob"), ("Double Precision", "double precision"),
])
def test_format_type(text, sql):
    assert format_type(parse_type(text)) == sql


# --- inspected declared text → HCL ----------------------------------------------------------

@pytest.mark.parametrize("declared, hcl", [
    ("VARCHAR(255)", "varchar(255)"),
    ("DECIMAL(10, 2)", "decimal(10,2)"),
    ("numeric(10)", "numeric(10)"),
    ("numeric(0,2)", "numeric(0,2)"),
    ("INTEGER", "integer"),
    ("TEXT", "text"),
    ("double precision(10)", "double_precision"),
    ("unsigned big int", "unsigned_big_int"),
    ("timestamp", 'sql("timestamp")'),
    ("time", 'sql("time")'),
    ("char(10)", 'sql("char")'),
    ("MONEY", 'sql("MONEY")'),
    ("int unsigned", 'sql("int unsigned")'),
    ("", "blob"),
    ("real", "real"),
    ("float(10)", "float"),
    ("varchar(0)", "varchar"),
])
def test_hcl_type_text_of_declared(declared, hcl):
    assert hcl_type_text(parse_type(declared)) == hcl


# --- the round-trip table of §3.4 ---------------------------------------------------------

def _hcl(expr: str):
    """A type expression as the evaluator hands it over."""
    if expr.startswith('sql("'):
        return RawSQL(expr[5:-2])
    if "(" in expr:
        name, _, rest = expr.partition("(")
        return TypeCall(name, tuple(int(a) for a in rest[:-1].split(",")))
    return TypeCall(expr)


ROUND_TRIP = [
    # HCL written, model (class, name, size, precision, scale), SQL emitted, inspect prints
    ("int", (I, "int", 0, 0, 0), "int", "int"),
    ("integer", (I, "integer", 0, 0, 0), "integer", "integer"),
    ("int(10)", (I, "int", 0, 0, 0), "int", "int"),
    ("integer(10)", (I, "integer", 0, 0, 0), "integer", "integer"),
    ("bigint(10)", (I, "bigint", 0, 0, 0), "bigint", "bigint"),
    ("tinyint(10)", (I, "tinyint", 0, 0, 0), "tinyint", "tinyint"),
    ("smallint(10)", (I, "smallint", 0, 0, 0), "smallint", "smallint"),
    ("mediumint(10)", (I, "mediumint", 0, 0, 0), "mediumint", "mediumint"),
    ("int2(10)", (I, "int2", 0, 0, 0), "int2", "int2"),
    ("int8(10)", (I, "int8", 0, 0, 0), "int8", "int8"),
    ("uint64", (I, "uint64", 0, 0, 0), "uint64", "uint64"),
    ("unsigned_big_int", (I, "unsigned big int", 0, 0, 0), "unsigned big int",
     "unsigned_big_int"),
    ("unsigned_big_int(10)", (I, "unsigned big int", 0, 0, 0), "unsigned big int",
     "unsigned_big_int"),
    ("text", (S, "text", 0, 0, 0), "text", "text"),
    ("text(10)", (S, "text", 10, 0, 0), "text", "text"),
    ("varchar(255)", (S, "varchar", 255, 0, 0), "varchar", "varchar"),
    ("varchar", (S, "varchar", 0, 0, 0), "varchar", "varchar"),
    ("character(10)", (S, "character", 10, 0, 0), "character", "character"),
    ("nchar(10)", (S, "nchar", 10, 0, 0), "nchar", "nchar"),
    ("nvarchar(10)", (S, "nvarchar", 10, 0, 0), "nvarchar", "nvarchar"),
    ("clob(10)", (S, "clob", 10, 0, 0), "clob", "clob"),
    ("varying_character", (S, "varying character", 0, 0, 0), "varying character",
     "varying_character"),
    ("native_character", (S, "native character", 0, 0, 0), "native character",
     "native_character"),
    ("blob", (BIN, "blob", 0, 0, 0), "blob", "blob"),
    ("blob(10)", (BIN, "blob", 0, 0, 0), "blob", "blob"),
    ("real", (F, "real", 0, 0, 0), "real", "real"),
    ("double", (F, "double", 0, 0, 0), "double", "double"),
    ("double_precision", (F, "double precision", 0, 0, 0), "double precision",
     "double_precision"),
    ("float", (F, "float", 0, 0, 0), "float", "float"),
    ("float(10)", (F, "float", 0, 0, 0), "float", "float"),
    ("numeric(10)", (D, "numeric", 0, 10, 0), "numeric", "numeric"),
    ("decimal(10,2)", (D, "decimal", 0, 10, 2), "decimal", "decimal"),
    ("decimal(10,5)", (D, "decimal", 0, 10, 5), "decimal", "decimal"),
    ("bool", (B, "bool", 0, 0, 0), "bool", "bool"),
    ("boolean", (B, "boolean", 0, 0, 0), "boolean", "boolean"),
    ("date", (T, "date", 0, 0, 0), "date", "date"),
    ("datetime", (T, "datetime", 0, 0, 0), "datetime", "datetime"),
    ("json", (J, "json", 0, 0, 0), "json", "json"),
    ("jsonb", (J, "jsonb", 0, 0, 0), "jsonb", "jsonb"),
    ("uuid", (U, "uuid", 0, 0, 0), "uuid", "uuid"),
    ('sql("timestamp")', (T, "timestamp", 0, 0, 0), "timestamp", 'sql("timestamp")'),
    ('sql("time")', (T, "time", 0, 0, 0), "time", 'sql("time")'),
    ('sql("char")', (S, "char", 0, 0, 0), "char", 'sql("char")'),
    ('sql("char(10)")', (S, "char", 10, 0, 0), "char", 'sql("char")'),
    ('sql("USER_DEFINED")', (USER, "USER_DEFINED", 0, 0, 0), "USER_DEFINED",
     'sql("USER_DEFINED")'),
    ('sql("custom")', (USER, "custom", 0, 0, 0), "custom", 'sql("custom")'),
    ('sql("int")', (I, "int", 0, 0, 0), "int", "int"),
]


@pytest.mark.parametrize("written, model, sql, printed", ROUND_TRIP,
                         ids=[r[0] for r in ROUND_TRIP])
def test_round_trip(tmp_path, written, model, sql, printed):
    t = type_from_hcl(_hcl(written))
    assert _key(t) == model
    assert format_type(t) == sql
    # Through a real database: create the column as the planner writes it, read it back.
    db = sqlite3.connect(tmp_path / "t.db")
    db.execute(f"CREATE TABLE t (c {sql})")
    (declared,) = db.execute("SELECT type FROM pragma_table_xinfo('t')").fetchone()
    db.close()
    assert hcl_type_text(parse_type(declared)) == printed


@pytest.mark.parametrize("written", [r[0] for r in ROUND_TRIP if r[0] != 'sql("char(10)")'])
def test_hcl_model_hcl_model(written):
    """Atlas's TestTypes: HCL → model → HCL → model gives the same model."""
    t = type_from_hcl(_hcl(written))
    again = type_from_hcl(_hcl(hcl_type_text(t)))
    assert _key(again) == _key(t)


def test_unregistered_type_loses_its_size():
    # ``char`` is not registered: the fallback prints the bare name (spec §3.4).
    t = type_from_hcl(RawSQL("char(10)"))
    assert hcl_type_text(t) == 'sql("char")'
    assert type_from_hcl(RawSQL("char")).size == 0


def test_hcl_type_keeps_sizes():
    assert hcl_type_text(type_from_hcl(TypeCall("varchar", (255,)))) == "varchar(255)"
    assert hcl_type_text(type_from_hcl(TypeCall("decimal", (10, 2)))) == "decimal(10,2)"
    assert hcl_type_text(type_from_hcl(TypeCall("numeric", (10,)))) == "numeric(10)"
    assert hcl_type_text(type_from_hcl(TypeCall("text", (10,)))) == "text(10)"
    # A float argument is truncated like Atlas's int conversion.
    assert type_from_hcl(TypeCall("varchar", (10.7,))).size == 10


def test_type_raw_text_from_hcl():
    assert type_from_hcl(TypeCall("varchar", (255,))).raw == "varchar(255)"
    assert type_from_hcl(TypeCall("unsigned_big_int")).raw == "unsigned big int"
    assert type_from_hcl(RawSQL("USER_DEFINED")).raw == "USER_DEFINED"
    assert type_from_hcl(Word("int")).name == "int"


def test_type_errors():
    with pytest.raises(HCLError, match='too many arguments for type definition "varchar"'):
        type_from_hcl(TypeCall("varchar", (1, 2)))
    with pytest.raises(HCLError, match='too many arguments for type definition "decimal"'):
        type_from_hcl(TypeCall("decimal", (1, 2, 3)))
    with pytest.raises(HCLError, match='Type "bool" does not accept attributes'):
        type_from_hcl(TypeCall("bool", (1,)))
    with pytest.raises(HCLError, match='There is no type named "char"'):
        type_from_hcl(TypeCall("char"))
    with pytest.raises(HCLError, match='There is no function named "timestamp"'):
        type_from_hcl(TypeCall("timestamp", (3,)))
    with pytest.raises(SchemaError):
        type_from_hcl("int")


def test_registry_names():
    names = [s.name for s in REGISTRY]
    assert len(names) == len(set(names)) == 32
    for unregistered in ("char", "time", "timestamp"):
        assert unregistered not in names


@pytest.mark.parametrize("s, quoted", [
    ("CURRENT_TIMESTAMP", '"CURRENT_TIMESTAMP"'),
    ('a"b\\c', '"a\\"b\\\\c"'),
    ("line\nnext\ttab", '"line\\nnext\\ttab"'),
    ("${x}", '"${x}"'),
    ("é", '"é"'),
    ("\x00\x7f", '"\\x00\\x7f"'),
    ("\u200b", '"\\u200b"'),
])
def test_go_quote(s, quoted):
    assert go_quote(s) == quoted
