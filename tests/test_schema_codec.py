"""Schema HCL ⇄ model (spec/schema-hcl.md §2, §4), on hand-built evaluated documents."""

from __future__ import annotations

import pytest

from atoll.errors import HCLError, SchemaError
from atoll.hcl.document import Attribute, Block, Document, RawSQL, Ref, TypeCall, Word
from atoll.hcl.schema_codec import decode_schema, encode_schema, hcl_quote, valid_ident
from atoll.schema.model import (
    Check,
    Column,
    ColumnType,
    ForeignKey,
    Generated,
    Index,
    IndexPart,
    Literal,
    PrimaryKey,
    RawExpr,
    Schema,
    Table,
    TypeClass,
)


# --- building documents by hand --------------------------------------------------------------

def blk(type_: str, *labels: str, blocks=(), **attrs) -> Block:
    return Block(type_, list(labels), {k: Attribute(k, v) for k, v in attrs.items()},
                 list(blocks))


def doc(*blocks: Block) -> Document:
    return Document(list(blocks))


def col_ref(name: str) -> Ref:
    return Ref((("column", name),), local=True)


def ext_ref(table: str, column: str) -> Ref:
    return Ref((("table", table), ("column", column)))


def schema_ref(name: str = "main") -> Ref:
    return Ref((("schema", name),))


def column(name: str, type_=TypeCall("int"), **attrs) -> Block:
    return blk("column", name, type=type_, **attrs)


def table(label: str, *blocks: Block, schema="main", **attrs) -> Block:
    return blk("table", label, blocks=blocks, schema=schema_ref(schema), **attrs)


def main_schema(*tables: Block) -> Document:
    return doc(blk("schema", "main"), *tables)


# --- decoding --------------------------------------------------------------------------------

def sqlspec_document() -> Document:
    """sql/sqlite/sqlspec_test.go TestSQLSpec (§2.7)."""
    return doc(
        blk("schema", "schema"),
        table(
            "table",
            column("id", TypeCall("integer"), auto_increment=True),
            column("age", TypeCall("integer")),
            column("price", TypeCall("integer")),
            column("account_name", TypeCall("varchar", (32,))),
            blk("primary_key", columns=[ext_ref("table", "id")]),
            blk("index", "index", unique=True,
                columns=[ext_ref("table", "id"), ext_ref("table", "age")], where="age <> 0"),
            blk("foreign_key", "accounts", columns=[ext_ref("table", "account_name")],
                ref_columns=[ext_ref("accounts", "name")], on_delete=Word("SET_NULL")),
            blk("check", "positive price", expr="price > 0"),
            schema="schema", without_rowid=True, strict=False,
        ),
        table(
            "accounts",
            column("name", TypeCall("varchar", (32,))),
            blk("primary_key", columns=[ext_ref("accounts", "name")]),
            schema="schema", strict=True,
        ),
    )


def test_decode_sqlspec_document():
    s = decode_schema(sqlspec_document())
    assert s.name == "schema"
    t, accounts = s.tables
    assert t.name == "table" and accounts.name == "accounts"
    id_ = t.column("id")
    assert id_.auto_increment and not id_.null
    assert id_.type == ColumnType(TypeClass.INTEGER, "integer", raw="integer")
    assert t.column("account_name").type.size == 32
    assert t.primary_key == PrimaryKey(parts=(IndexPart(column="id"),))
    assert t.indexes == (Index(name="index", parts=(IndexPart(column="id"),
                                                    IndexPart(column="age")),
                               unique=True, where="age <> 0"),)
    assert t.foreign_keys == (ForeignKey(name="accounts", columns=("account_name",),
                                         ref_table="accounts", ref_columns=("name",),
                                         on_update="", on_delete="SET NULL"),)
    assert t.checks == (Check(expr="price > 0", name="positive price"),)
    assert t.without_rowid and not t.strict
    assert accounts.strict and not accounts.without_rowid


def test_decode_defaults():
    s = decode_schema(main_schema(table(
        "t",
        column("a", TypeCall("text"), default="hello"),
        column("b", default=0),
        column("c", TypeCall("real"), default=1.5),
        column("d", TypeCall("bool"), default=True),
        column("e", TypeCall("datetime"), default=RawSQL("CURRENT_TIMESTAMP")),
        column("f", default=2.0),
        column("g", default=None),
        column("h", TypeCall("text"), default="'quoted'"),
    )))
    got = {c.name: c.default for c in s.tables[0].columns}
    assert got == {"a": Literal("hello"), "b": Literal("0"), "c": Literal("1.5"),
                   "d": Literal("true"), "e": RawExpr("CURRENT_TIMESTAMP"), "f": Literal("2"),
                   "g": None, "h": Literal("'quoted'")}


def test_decode_null_and_generated():
    s = decode_schema(main_schema(table(
        "users",
        column("a"),
        column("b", null=True, **{"as": "1"}),
        column("c", blocks=[blk("as", expr="2", type=Word("STORED"))]),
        column("d", blocks=[blk("as", expr="3", type="virtual")]),
        column("e", blocks=[blk("as", expr="4")]),
    )))
    cols = {c.name: c for c in s.tables[0].columns}
    assert not cols["a"].null and cols["b"].null
    assert cols["a"].generated is None
    assert cols["b"].generated == Generated("1", "VIRTUAL")
    assert cols["c"].generated == Generated("2", "STORED")
    assert cols["d"].generated == Generated("3", "VIRTUAL")
    assert cols["e"].generated == Generated("4", "VIRTUAL")


def test_decode_index_forms():
    s = decode_schema(main_schema(table(
        "users",
        column("rank"), column("first_name", TypeCall("text")),
        blk("index", "rank_idx", blocks=[blk("on", desc=True, column=ext_ref("users", "rank"))]),
        blk("index", "cols", columns=[ext_ref("users", "rank")]),
        blk("index", "on", blocks=[blk("on", column=col_ref("rank"))]),
        blk("index", "full_name", blocks=[blk("on", expr="first_name || ' ' || last_name")]),
    )))
    idx = {i.name: i for i in s.tables[0].indexes}
    assert idx["rank_idx"].parts == (IndexPart(column="rank", desc=True),)
    assert idx["cols"].parts == idx["on"].parts == (IndexPart(column="rank"),)
    assert idx["full_name"].parts == (IndexPart(expr="first_name || ' ' || last_name"),)
    assert idx["cols"].where is None and idx["cols"].origin is None


def test_decode_fk_actions_and_self_reference():
    s = decode_schema(main_schema(table(
        "nodes",
        column("id"), column("parent", null=True),
        blk("foreign_key", "up", columns=[col_ref("parent")], ref_columns=[col_ref("id")],
            on_update="NO_ACTION", on_delete=Word("CASCADE")),
        blk("foreign_key", "up2", columns=[col_ref("parent")],
            ref_columns=[ext_ref("nodes", "id")], on_delete=Word("SET_DEFAULT")),
    )))
    up, up2 = s.tables[0].foreign_keys
    assert (up.ref_table, up.ref_columns, up.on_update, up.on_delete) == (
        "nodes", ("id",), "NO ACTION", "CASCADE")
    assert (up2.ref_table, up2.on_update, up2.on_delete) == ("nodes", "", "SET DEFAULT")


def test_decode_forward_reference_and_order():
    s = decode_schema(main_schema(
        table("pets", column("owner"),
              blk("foreign_key", "owner", columns=[col_ref("owner")],
                  ref_columns=[ext_ref("users", "id")])),
        table("users", column("id")),
    ))
    assert [t.name for t in s.tables] == ["pets", "users"]
    assert s.tables[0].foreign_keys[0].ref_table == "users"


def test_decode_name_attributes():
    d = doc(blk("schema", "tenant", name="main"),
            table("users", column("id"), schema="tenant", **{"name": "people"}),
            blk("function", "ignored"))
    s = decode_schema(d)
    assert s.name == "main"
    assert [t.name for t in s.tables] == ["people"]


def test_decode_comments():
    d = doc(blk("schema", "main", comment="s"),
            table("t", column("c", comment="col"),
                  blk("index", "i", columns=[col_ref("c")], comment="idx"), comment="tbl"))
    s = decode_schema(d)
    assert s.comment == "s"
    assert s.tables[0].comment == "tbl"
    assert s.tables[0].columns[0].comment == "col"
    assert s.tables[0].indexes[0].comment == "idx"


@pytest.mark.parametrize("document, message", [
    (doc(), "sqlite: expecting document to contain a single schema, got 0"),
    (doc(blk("schema", "a"), blk("schema", "b")),
     "sqlite: expecting document to contain a single schema, got 2"),
    (main_schema(table("t", column("c"), schema="other")),
     'schema "other" not found for table "t"'),
    (main_schema(blk("table", "t", blocks=[column("c")])),
     'cannot extract schema name for table "t": schemahcl: type "schema" was not found in '
     'nil reference'),
    (main_schema(table("t", column("c"), blk("index", "i"))),
     'cannot convert table "t": missing definition for index "i"'),
    (main_schema(table("t", column("c"), blk("index", "i", columns=[col_ref("c")],
                                              blocks=[blk("on", column=col_ref("c"))]))),
     'cannot convert table "t": multiple definitions for index "i", use "columns" or "on"'),
    (main_schema(table("t", column("c"), blk("index", "i", blocks=[
        blk("on", column=col_ref("c")), blk("on", desc=True)]))),
     'cannot convert table "t": "column" or "expr" are required for index "i" at position 1'),
    (main_schema(table("t", column("c"), blk("index", "i", blocks=[
        blk("on", column=col_ref("c"), expr="c + 1")]))),
     'cannot convert table "t": cannot use both "column" and "expr" in index "i" at '
     'position 0'),
    (main_schema(table("t", column("c"), blk("index", "i", columns=[col_ref("x")]))),
     'cannot convert table "t": column "x" was not found in table t'),
    (main_schema(table("t", column("c"), blk("primary_key", columns=[col_ref("x")]))),
     'cannot convert table "t": column "x" was not found in table t'),
    (main_schema(table("t", column("c", **{"as": "1"}, blocks=[blk("as", expr="2")]))),
     'cannot convert table "t": multiple as definitions for column "c"'),
    (main_schema(table("t", column("c"),
                       blk("foreign_key", "fk", columns=[col_ref("c")], ref_columns=[]))),
     'sqlspec: number of referencing and referenced columns do not match for foreign-key '
     '"fk"'),
    (main_schema(table("t", column("a"), column("b"),
                       blk("foreign_key", "fk", columns=[col_ref("a"), col_ref("b")],
                           ref_columns=[ext_ref("u", "id"), ext_ref("t", "a")])),
                 table("u", column("id"))),
     'sqlspec: more than 1 table was referenced for foreign-key "fk"'),
    (main_schema(table("t", column("c"),
                       blk("foreign_key", "fk", columns=[col_ref("c")],
                           ref_columns=[ext_ref("nope", "id")]))),
     'referenced table "nope" not found'),
    (main_schema(table("t", column("c"),
                       blk("foreign_key", "fk", columns=[col_ref("c")],
                           ref_columns=[ext_ref("u", "x")])),
                 table("u", column("id"))),
     'column "x" was not found in table u'),
    (main_schema(table("t", column("c", TypeCall("varchar", (1, 2))))),
     'too many arguments for type definition "varchar"'),
    (main_schema(table("t", column("c", TypeCall("nope"))),),
     'There is no type named "nope"'),
    (main_schema(table("t", column("c", TypeCall("int"), default=[1]))),
     'cannot convert table "t": unsupported type for default value: list'),
])
def test_decode_errors(document, message):
    with pytest.raises((SchemaError, HCLError)) as exc:
        decode_schema(document)
    assert message in str(exc.value)
    if "too many" not in message and "no type" not in message:
        assert str(exc.value) == message


# --- encoding --------------------------------------------------------------------------------

INT = ColumnType(TypeClass.INTEGER, "int", raw="int")


def test_encode_table_options():
    """TestMarshalSpec_TableOptions / Example D."""
    s = Schema(name="test", tables=(Table(name="users", columns=(Column("id", INT),),
                                          without_rowid=True, strict=True),))
    assert encode_schema(s) == """\
table "users" {
  schema = schema.test
  column "id" {
    null = false
    type = int
  }
  without_rowid = true
  strict        = true
}
schema "test" {
}
"""


def test_encode_autoincrement_and_index_predicate():
    """TestMarshalSpec_AutoIncrement / TestMarshalSpec_IndexPredicate."""
    s = Schema(name="test", tables=(Table(
        name="users", columns=(Column("id", INT, auto_increment=True),),
        indexes=(Index("index", (IndexPart(column="id"),), unique=True, where="id <> 0"),)),))
    assert encode_schema(s) == """\
table "users" {
  schema = schema.test
  column "id" {
    null           = false
    type           = int
    auto_increment = true
  }
  index "index" {
    unique  = true
    columns = [column.id]
    where   = "id <> 0"
  }
}
schema "test" {
}
"""


def test_encode_decoded_sqlspec_document():
    text = encode_schema(decode_schema(sqlspec_document()))
    assert text == """\
table "table" {
  schema = schema.schema
  column "id" {
    null           = false
    type           = integer
    auto_increment = true
  }
  column "age" {
    null = false
    type = integer
  }
  column "price" {
    null = false
    type = integer
  }
  column "account_name" {
    null = false
    type = varchar(32)
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "accounts" {
    columns     = [column.account_name]
    ref_columns = [table.accounts.column.name]
    on_delete   = SET_NULL
  }
  index "index" {
    unique  = true
    columns = [column.id, column.age]
    where   = "age <> 0"
  }
  check "positive price" {
    expr = "price > 0"
  }
  without_rowid = true
}
table "accounts" {
  schema = schema.schema
  column "name" {
    null = false
    type = varchar(32)
  }
  primary_key {
    columns = [column.name]
  }
  strict = true
}
schema "schema" {
}
"""


def test_encode_comments_and_literals():
    text_t = ColumnType(TypeClass.STRING, "text", raw="text")
    s = Schema(comment="the schema", tables=(Table(
        name="t", comment="a table",
        columns=(
            Column("a", text_t, default=Literal("hello"), comment="col"),
            Column("b", text_t, default=Literal('${x} "q" \\ %{y}\n')),
            Column("c", INT, default=Literal("0"), auto_increment=True, comment="c"),
            Column("d", text_t, default=Literal("0")),
            Column("e", INT, default=Literal("true")),
            Column("f", INT, default=RawExpr('lower("${x}")')),
        ),
        indexes=(Index("i", (IndexPart(column="a"),), comment="ix", where='a <> "${x}"'),),
    ),))
    assert encode_schema(s) == """\
table "t" {
  schema  = schema.main
  comment = "a table"
  column "a" {
    null    = false
    type    = text
    default = "hello"
    comment = "col"
  }
  column "b" {
    null    = false
    type    = text
    default = "$${x} \\"q\\" \\\\ %%{y}\\n"
  }
  column "c" {
    null           = false
    type           = int
    default        = 0
    comment        = "c"
    auto_increment = true
  }
  column "d" {
    null    = false
    type    = text
    default = "0"
  }
  column "e" {
    null    = false
    type    = int
    default = true
  }
  column "f" {
    null    = false
    type    = int
    default = sql("lower(\\"${x}\\")")
  }
  index "i" {
    columns = [column.a]
    comment = "ix"
    where   = "a <> \\"${x}\\""
  }
}
schema "main" {
  comment = "the schema"
}
"""


def test_encode_names_needing_quotes():
    s = Schema(tables=(
        Table(name="my table", columns=(Column("first name", INT), Column("0", INT))),
        Table(name="t", columns=(Column("x", INT),), foreign_keys=(
            ForeignKey("", ("x",), "my table", ("first name",)),)),
    ))
    text = encode_schema(s)
    assert 'table "my table" {' in text
    assert '  column "first name" {' in text
    assert "  foreign_key {\n    columns     = [column.x]\n" in text
    assert 'ref_columns = [table["my table"].column["first name"]]' in text


def test_encode_unlabeled_check_and_pk_order():
    s = Schema(tables=(Table(
        name="t", columns=(Column("a", INT), Column("b", INT)),
        primary_key=PrimaryKey((IndexPart(column="b"), IndexPart(column="a"))),
        checks=(Check("(a > 0)"),)),))
    assert encode_schema(s) == """\
table "t" {
  schema = schema.main
  column "a" {
    null = false
    type = int
  }
  column "b" {
    null = false
    type = int
  }
  primary_key {
    columns = [column.b, column.a]
  }
  check {
    expr = "(a > 0)"
  }
}
schema "main" {
}
"""


def test_hcl_quote_and_idents():
    assert hcl_quote("a\tb\x01") == '"a\\tb\\u0001"'
    assert hcl_quote("$x %y ${") == '"$x %y $${"'
    assert valid_ident("id") and valid_ident("first-name") and valid_ident("_x")
    assert valid_ident("0") and valid_ident("é")
    assert not valid_ident("first name") and not valid_ident("a.b") and not valid_ident("")
