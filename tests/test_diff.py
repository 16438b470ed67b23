"""The schema diff with SQLite's rules (spec/sqlite-plan.md §2)."""

from __future__ import annotations

import pytest

from atoll.dialects.sqlite.diff_rules import RULES, SQLiteDiffRules, normalize_index_name
from atoll.schema.changes import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddIndex,
    AddPrimaryKey,
    AddTable,
    AddTableOption,
    ChangeKind,
    DropCheck,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropPrimaryKey,
    DropTable,
    DropTableOption,
    ModifyCheck,
    ModifyColumn,
    ModifyForeignKey,
    ModifyIndex,
    ModifyPrimaryKey,
    ModifyTable,
)
from atoll.gotext import go_quote
from atoll.schema.diff import (
    DiffRules,
    diff_schemas,
    diff_tables,
    is_quoted,
    may_wrap,
    single_quote,
    unquote,
)
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

_CLASSES = {
    "int": TypeClass.INTEGER, "integer": TypeClass.INTEGER, "bigint": TypeClass.INTEGER, "int8": TypeClass.INTEGER,
    "text": TypeClass.STRING, "varchar": TypeClass.STRING, "json": TypeClass.JSON, "decimal": TypeClass.DECIMAL,
    "numeric": TypeClass.DECIMAL, "real": TypeClass.FLOAT, "blob": TypeClass.BINARY, "bool": TypeClass.BOOL,
}


def T(name: str, raw: str | None = None, **kw) -> ColumnType:
    return ColumnType(cls=_CLASSES.get(name, TypeClass.USER), name=name, raw=name if raw is None else raw, **kw)


def C(name: str, typ: str | ColumnType = "int", **kw) -> Column:
    return Column(name=name, type=T(typ) if isinstance(typ, str) else typ, **kw)


def IDX(name: str, *cols: str, **kw) -> Index:
    return Index(name=name, parts=tuple(IndexPart(column=c) for c in cols), **kw)


def PK(*cols: str) -> PrimaryKey:
    return PrimaryKey(parts=tuple(IndexPart(column=c) for c in cols))


def tdiff(current: Table, desired: Table, rules: DiffRules = RULES, **kw) -> list:
    return diff_tables(current, desired, rules, **kw)


# --- helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize("s,expected", [
    ("1", "(1)"), ("(1)", "(1)"), ("", "()"), ("()", "()"), ("(a) + (b)", "((a) + (b))"),
    ("(a, b)", "((a, b))"), ("((a))", "((a))"), ("(')')", "(')')"), ("(a", "((a)"),
    ("x > 0", "(x > 0)"), ("(c <> NULL)", "(c <> NULL)"), ("('it''s')", "('it''s')"),
])
def test_may_wrap(s, expected):
    assert may_wrap(s) == expected


def test_quoting_helpers():
    assert is_quoted("'a'", "'") and is_quoted("'a''b'", "'") and not is_quoted("'a'b'", "'")
    assert not is_quoted("a", "'", '"') and not is_quoted("'", "'")
    assert unquote("'a''b'") == "a'b"
    assert unquote('"a8m"') == "a8m"
    assert unquote('"a\\tb\\x41\\u00e9\\101"') == "a\tbA\u00e9A"
    assert unquote("plain") == "plain"
    with pytest.raises(ValueError):
        unquote('"bad \\q"')
    with pytest.raises(ValueError):
        unquote('"\\\'"')  # \' is not a valid escape in a Go double-quoted string
    assert single_quote("a8m") == "'a8m'"
    assert single_quote("'a8m'") == "'a8m'"
    assert single_quote('"a8m"') == "'a8m'"
    assert single_quote("it's") == "'it''s'"
    assert go_quote('a"b\\c\n\x01é') == '"a\\"b\\\\c\\n\\x01é"'


# --- Atlas's diff_test.go cases ------------------------------------------------------------


def test_no_changes():
    assert tdiff(Table("users"), Table("users")) == []


def test_table_options():
    assert tdiff(Table("t1"), Table("t1", without_rowid=True, strict=True)) == [
        AddTableOption("without_rowid"), AddTableOption("strict")]
    assert tdiff(Table("t1", without_rowid=True, strict=True), Table("t1")) == [
        DropTableOption("without_rowid"), DropTableOption("strict")]


def test_checks_add_drop_find_by_expr():
    ck = Check("(c1 > 1)", "t1_c1_check")
    assert tdiff(Table("t1"), Table("t1", checks=(ck,))) == [AddCheck(ck)]
    assert tdiff(Table("t1", checks=(ck,)), Table("t1")) == [DropCheck(ck)]
    # A check is found by its expression when either side is unnamed.
    cur = Table("t1", checks=(Check("(c1 > 1)", "t1_c1_check"), Check("(d1 > 1)")))
    des = Table("t1", checks=(Check("(c1 > 1)"), Check("(d1 > 1)", "add_name_to_check")))
    assert tdiff(cur, des) == []


def test_checks_normalized_mode():
    # Wrapping: "x > 0" ≡ "(x > 0)".
    assert tdiff(Table("t", checks=(Check("(x > 0)"),)), Table("t", checks=(Check("x > 0"),))) == []
    # Same name, other expression → modified.
    a, b = Check("(x > 0)", "ck"), Check("x > 1", "ck")
    assert tdiff(Table("t", checks=(a,)), Table("t", checks=(b,))) == [ModifyCheck(a, b)]
    # Both named, different names, same expression → drop + add.
    c = Check("(x > 0)", "other")
    assert tdiff(Table("t", checks=(a,)), Table("t", checks=(c,))) == [DropCheck(a), AddCheck(c)]
    # Order: drops/modifies in current order, then adds.
    d, e = Check("(y > 0)"), Check("(z > 0)")
    assert tdiff(Table("t", checks=(d, a)), Table("t", checks=(e, b))) == [DropCheck(d), ModifyCheck(a, b), AddCheck(e)]


def test_checks_non_normalized_mode():
    rules = SQLiteDiffRules(normalized=False)
    a, b = Check("(x > 0)", "ck"), Check("x > 1", "ck")
    # Matched by name: never reported as modified.
    assert tdiff(Table("t", checks=(a,)), Table("t", checks=(b,)), rules) == []
    # Different names, same expression: matched by expression.
    assert tdiff(Table("t", checks=(a,)), Table("t", checks=(Check("(x > 0)", "other"),)), rules) == []


def test_columns_order_and_kinds():
    cur = Table("t1", (C("c1", "json"), C("c2", "int8")))
    des = Table("t1", (C("c1", "json", null=True, default=RawExpr("{}")), C("c3", "int")))
    assert tdiff(cur, des) == [
        ModifyColumn(cur.columns[0], des.columns[0], ChangeKind.NULL | ChangeKind.DEFAULT),
        DropColumn(cur.columns[1]),
        AddColumn(des.columns[1]),
    ]


def test_modify_column_generated():
    cur = Table("t1", (C("c1"), C("c2", generated=Generated("1", "STORED")), C("c3", generated=Generated("1")),
                       C("c4", generated=Generated("1", "VIRTUAL"))))
    des = Table("t1", (C("c1", generated=Generated("1", "STORED")), C("c2"), C("c3", generated=Generated("2")),
                       C("c4", generated=Generated("1"))))
    assert tdiff(cur, des) == [
        ModifyColumn(cur.columns[0], des.columns[0], ChangeKind.GENERATED),
        ModifyColumn(cur.columns[1], des.columns[1], ChangeKind.GENERATED),
        ModifyColumn(cur.columns[2], des.columns[2], ChangeKind.GENERATED),
    ]


def test_generated_expression_wrapping_and_storage():
    g = lambda e, s="": Table("t", (C("a", generated=Generated(e, s)),))  # noqa: E731
    assert tdiff(g("(a*10)", "VIRTUAL"), g("a*10")) == []
    assert tdiff(g("(1)", "virtual"), g("1", "VIRTUAL")) == []
    assert tdiff(g("1", "VIRTUAL"), g("1", "STORED"))[0].kind == ChangeKind.GENERATED
    assert tdiff(g("(a)+(b)"), g("a+b"))[0].kind == ChangeKind.GENERATED


def test_indexes():
    cur = Table("t1", (C("c1", "json"), C("c2", "int8"), C("c3")), indexes=(
        IDX("c1_index", "c1", unique=True),
        IDX("c2_unique", "c2", unique=True),
        IDX("c3_predicate", "c2"),
        IDX("c3_desc", "c2"),
        IDX("c4_predicate", "c2", where="(c4 <> NULL)"),
    ))
    des = Table("t1", cur.columns, indexes=(
        IDX("c1_index", "c1"),
        IDX("c3_unique", "c2", unique=True),
        IDX("c3_predicate", "c2", where="c3 <> NULL"),
        Index("c3_desc", (IndexPart(column="c2", desc=True),)),
        IDX("c4_predicate", "c2", where="c4 <> NULL"),
    ))
    assert tdiff(cur, des) == [
        ModifyIndex(cur.indexes[0], des.indexes[0], ChangeKind.UNIQUE),
        DropIndex(cur.indexes[1]),
        ModifyIndex(cur.indexes[2], des.indexes[2], ChangeKind.ATTR),
        ModifyIndex(cur.indexes[3], des.indexes[3], ChangeKind.PARTS),
        AddIndex(des.indexes[1]),
    ]


def test_index_predicate_wrapping_is_one_directional():
    cur = Table("t", (C("c"),), indexes=(IDX("i", "c", where="c <> NULL"),))
    des = Table("t", (C("c"),), indexes=(IDX("i", "c", where="(c <> NULL)"),))
    assert tdiff(cur, des) == [ModifyIndex(cur.indexes[0], des.indexes[0], ChangeKind.ATTR)]
    assert tdiff(des, cur) == []


def test_index_expression_parts_and_comment():
    x = lambda e, **kw: Table("t", (C("a"),), indexes=(Index("i", (IndexPart(expr=e),), **kw),))  # noqa: E731
    assert tdiff(x("(lower(a))"), x("lower(a)")) == []
    assert tdiff(x("lower(a)"), x("upper(a)"))[0].kind == ChangeKind.PARTS
    # Column part vs expression part.
    assert tdiff(Table("t", (C("a"),), indexes=(IDX("i", "a"),)), x("a"))[0].kind == ChangeKind.PARTS
    # Index comments are compared (Atlas's generic index diff).
    assert tdiff(x("a"), x("a", comment="c"))[0].kind == ChangeKind.COMMENT


def test_foreign_keys_name_normalization():
    cur = Table("t1", (C("t2_id"),), foreign_keys=(
        ForeignKey("fk1", ("t2_id",), "t2", ("ref_id",)),
        ForeignKey("1", ("t2_id",), "t2", ("id",)),
    ))
    des = Table("t1", (C("t2_id"),), foreign_keys=(
        ForeignKey("fk1", ("t2_id",), "t2", ("id",)),
        ForeignKey("constraint", ("t2_id",), "t2", ("id",)),
    ))
    # fk1 pairs by name and is modified; "1" equals "constraint" by structure.
    changes = tdiff(cur, des)
    assert changes == [ModifyForeignKey(cur.foreign_keys[0], des.foreign_keys[0], ChangeKind.REF_COLUMN)]


def test_foreign_keys_unnamed_inspected_matches_named_desired():
    cur = Table("pets", (C("owner_id"),), foreign_keys=(
        ForeignKey("0", ("owner_id",), "users", ("id",), "NO ACTION", "NO ACTION"),))
    des = Table("pets", (C("owner_id"),), foreign_keys=(ForeignKey("owner_id", ("owner_id",), "users", ("id",)),))
    assert tdiff(cur, des) == []
    # The ModifyTable carries the current table with the desired name.
    [mt] = diff_schemas(Schema(tables=(cur,)), Schema(tables=(
        Table("pets", (C("owner_id", null=True),), foreign_keys=des.foreign_keys),)), RULES)
    assert mt.old.foreign_keys[0].name == "owner_id"


def test_foreign_keys_changes():
    fk = ForeignKey("fk", ("a",), "p", ("id",))
    base = Table("c", (C("a"), C("b")), foreign_keys=(fk,))
    other = lambda **kw: Table("c", base.columns, foreign_keys=(ForeignKey(**{  # noqa: E731
        "name": "fk", "columns": ("a",), "ref_table": "p", "ref_columns": ("id",), **kw}),))
    assert tdiff(base, other(on_delete="CASCADE"))[0].kind == ChangeKind.DELETE_ACTION
    assert tdiff(base, other(on_update="SET NULL"))[0].kind == ChangeKind.UPDATE_ACTION
    # Empty action ≡ NO ACTION.
    assert tdiff(base, other(on_update="NO ACTION", on_delete="NO ACTION")) == []
    # A named FK renamed with the same definition is not detected (structural match).
    assert tdiff(base, Table("c", base.columns, foreign_keys=(ForeignKey("renamed", ("a",), "p", ("id",)),))) == []
    # A changed definition under another name: drop + add.
    new = ForeignKey("fk2", ("b",), "p", ("id",))
    assert tdiff(base, Table("c", base.columns, foreign_keys=(new,))) == [DropForeignKey(fk), AddForeignKey(new)]
    # Same name (not numeric), other ref table.
    ch = tdiff(base, other(ref_table="q"))
    assert ch[0].kind == ChangeKind.REF_TABLE | ChangeKind.REF_COLUMN
    assert tdiff(base, other(columns=("b",)))[0].kind == ChangeKind.COLUMN


def test_numeric_fk_names_do_not_pair_by_name():
    cur = Table("c", (C("a"), C("b")), foreign_keys=(ForeignKey("0", ("a",), "p", ("id",)),))
    des = Table("c", (C("a"), C("b")), foreign_keys=(ForeignKey("0", ("b",), "p", ("id",)),))
    # Paired by name "0" anyway through the exact-name lookup of the FK diff (a modify).
    assert tdiff(cur, des)[0].kind == ChangeKind.COLUMN


# --- columns -------------------------------------------------------------------------------


@pytest.mark.parametrize("t1,t2,changed", [
    ("int", "bigint", False),
    ("integer", "int8", False),
    (T("varchar", raw="varchar(10)", size=10), "text", False),
    (T("decimal", raw="decimal(10,2)", precision=10, scale=2), "numeric", False),
    ("int", "text", True),
    ("blob", "text", True),
    ("USER_DEFINED", "USER_DEFINED", False),
    ("USER_DEFINED", "USER_TYPE", True),
    ("USER_DEFINED", "int", True),
    ("int", "USER_DEFINED", True),
])
def test_type_class_equality(t1, t2, changed):
    kind = tdiff(Table("t", (C("a", t1),)), Table("t", (C("a", t2),)))
    assert (kind == [ModifyColumn(C("a", t1), C("a", t2), ChangeKind.TYPE)]) if changed else (kind == [])


@pytest.mark.parametrize("d1,d2,changed", [
    (None, None, False),
    (Literal("'a8m'"), Literal('"a8m"'), False),
    (Literal("'a8m'"), Literal("a8m"), False),  # inspected vs HCL string default
    (Literal("'it''s'"), Literal("it's"), False),
    (Literal("0"), Literal("'0'"), False),
    (RawExpr("(1)"), Literal("1"), True),
    (RawExpr("CURRENT_TIMESTAMP"), RawExpr("CURRENT_TIMESTAMP"), False),
    (Literal("1"), RawExpr("1"), False),
    (Literal("1"), None, True),
    (None, Literal("''"), True),
    (Literal("'a'"), Literal("'b'"), True),
    (Literal('"\\q"'), Literal('"\\q"'), False),  # identical text
    (Literal('"\\q"'), Literal("q"), True),  # unquote error counts as changed
])
def test_default_equivalence(d1, d2, changed):
    got = tdiff(Table("t", (C("a", "text", default=d1),)), Table("t", (C("a", "text", default=d2),)))
    assert got == ([ModifyColumn(C("a", "text", default=d1), C("a", "text", default=d2), ChangeKind.DEFAULT)]
                   if changed else [])


def test_column_null_comment_collation():
    assert tdiff(Table("t", (C("a"),)), Table("t", (C("a", comment="c", collation="NOCASE"),))) == []
    assert tdiff(Table("t", (C("a"),)), Table("t", (C("a", null=True),)))[0].kind == ChangeKind.NULL


# --- primary keys --------------------------------------------------------------------------


def test_primary_key_changes():
    cols = (C("a"), C("b"))
    assert tdiff(Table("t", cols), Table("t", cols, PK("a"))) == [AddPrimaryKey(PK("a"))]
    assert tdiff(Table("t", cols, PK("a")), Table("t", cols)) == [DropPrimaryKey(PK("a"))]
    assert tdiff(Table("t", cols, PK("a")), Table("t", cols, PK("a", "b"))) == [
        ModifyPrimaryKey(PK("a"), PK("a", "b"), ChangeKind.PARTS)]
    # The name is not compared ("PRIMARY" when inspected).
    assert tdiff(Table("t", cols, PrimaryKey((IndexPart(column="a"),), "PRIMARY")), Table("t", cols, PK("a"))) == []


# --- sqlite_autoindex ----------------------------------------------------------------------


def test_generated_index_names():
    t = Table("records")
    assert RULES.is_generated_index_name(t, IDX("sqlite_autoindex_records_1"))
    assert RULES.is_generated_index_name(t, IDX("sqlite_autoindex_records_12"))
    assert not RULES.is_generated_index_name(t, IDX("sqlite_autoindex_records_0"))
    assert not RULES.is_generated_index_name(t, IDX("sqlite_autoindex_other_1"))
    assert not RULES.is_generated_index_name(t, IDX("sqlite_autoindex_records_x"))
    assert normalize_index_name(IDX("sqlite_autoindex_records_1", "a", "b"), "records").name == "records_a_b"
    assert normalize_index_name(IDX("sqlite_autoindex_records_1", "a", origin="pk"), "records").name == \
        "sqlite_autoindex_records_1"
    assert normalize_index_name(IDX("other", "a"), "records").name == "other"


def _records(*indexes: Index) -> Table:
    return Table("records", (C("id", "integer"), C("name", "varchar")), indexes=indexes)


def test_autoindex_matches_created_index():
    auto = IDX("sqlite_autoindex_records_1", "name", unique=True, origin="u")
    named = IDX("records_name", "name", unique=True, origin="c")
    # Desired (SQL replayed) has the autoindex, current (migration dir) the created index.
    assert tdiff(_records(named), _records(auto)) == []
    # Both autoindexes (same SQL on both sides).
    assert tdiff(_records(auto), _records(auto)) == []
    # Current autoindex vs desired named index (HCL).
    assert tdiff(_records(auto), _records(IDX("records_name", "name", unique=True))) == []


def test_autoindex_mismatch_drops_and_adds():
    auto = IDX("sqlite_autoindex_records_1", "name", unique=True, origin="u")
    other = IDX("records_name", "name")  # not unique
    assert tdiff(_records(auto), _records(other)) == [DropIndex(auto), AddIndex(other)]
    # The ModifyTable carries the desired index under its normalized name.
    [mt] = diff_schemas(Schema(tables=(_records(),)), Schema(tables=(_records(auto),)), RULES)
    assert mt.changes == (AddIndex(IDX("records_name", "name", unique=True, origin="u")),)
    assert mt.new.indexes[0].name == "records_name"


def test_autoindex_matches_unnamed_desired_index():
    auto = IDX("sqlite_autoindex_records_1", "name", unique=True, origin="u")
    unnamed = IDX("", "name", unique=True)
    assert tdiff(_records(auto), _records(unnamed)) == []


# --- schema level --------------------------------------------------------------------------


def test_schema_diff_order():
    cur = Schema(tables=(Table("users"), Table("pets")))
    des = Schema(tables=(Table("users", (C("t2_id"),)), Table("groups")))
    assert diff_schemas(cur, des, RULES) == [
        ModifyTable(Table("users"), des.tables[0], (AddColumn(des.tables[0].columns[0]),)),
        DropTable(cur.tables[1]),
        AddTable(des.tables[1]),
    ]


def test_no_rename_detection():
    cur = Schema(tables=(Table("t1", (C("a"),)),))
    des = Schema(tables=(Table("t2", (C("b"),)),))
    assert diff_schemas(cur, des, RULES) == [DropTable(cur.tables[0]), AddTable(des.tables[0])]
    assert tdiff(cur.tables[0], Table("t1", (C("b"),))) == [DropColumn(C("a")), AddColumn(C("b"))]


def test_desired_table_order_kept_for_adds():
    des = Schema(tables=(Table("pets"), Table("users"), Table("a")))
    assert [c.table.name for c in diff_schemas(Schema(), des, RULES)] == ["pets", "users", "a"]
    assert [c.table.name for c in diff_schemas(des, Schema(), RULES)] == ["pets", "users", "a"]


def test_skip_changes():
    cur = Schema(tables=(Table("gone"), Table("t", (C("a"), C("b")), indexes=(IDX("i", "a"),))))
    des = Schema(tables=(Table("t", (C("a", null=True), C("c")), indexes=(IDX("j", "a"),)), Table("new")))
    full = diff_schemas(cur, des, RULES)
    assert [type(c) for c in full] == [DropTable, ModifyTable, AddTable]
    assert [type(c) for c in full[1].changes] == [ModifyColumn, DropColumn, AddColumn, DropIndex, AddIndex]

    got = diff_schemas(cur, des, RULES, skip={"drop_table", "drop_column", "drop_index", "unknown_kind"})
    assert [type(c) for c in got] == [ModifyTable, AddTable]
    assert [type(c) for c in got[0].changes] == [ModifyColumn, AddColumn, AddIndex]

    got = diff_schemas(cur, des, RULES, skip=frozenset({"modify_table", "add_table"}))
    assert [type(c) for c in got] == [DropTable]
    # All table changes skipped → no ModifyTable at all.
    got = diff_schemas(cur, des, RULES, skip={"modify_column", "drop_column", "add_column", "drop_index", "add_index"})
    assert [type(c) for c in got] == [DropTable, AddTable]


def test_skip_does_not_filter_checks_or_options():
    cur = Schema(tables=(Table("t", checks=(Check("(a > 0)"),)),))
    des = Schema(tables=(Table("t", strict=True),))
    got = diff_schemas(cur, des, RULES, skip=set(["add_column", "drop_column"]))
    assert got[0].changes == (AddTableOption("strict"), DropCheck(Check("(a > 0)")))


# --- identity ------------------------------------------------------------------------------


RICH = Schema(tables=(
    Table("records", (
        C("id", T("integer", raw="INTEGER"), null=True, auto_increment=True),
        C("name", T("varchar", raw="varchar(255)", size=255), default=Literal("''")),
        C("price", "decimal", default=Literal("0")),
        C("g", generated=Generated("(id*2)", "STORED")),
        C("u", T("MONEY"), null=True, default=RawExpr("(hex(1))")),
    ), PrimaryKey((IndexPart(column="id"),), "PRIMARY"), indexes=(
        IDX("sqlite_autoindex_records_1", "name", unique=True, origin="u"),
        Index("records_expr", (IndexPart(expr="lower(name)", desc=True),), where="price > 0", origin="c"),
        IDX("", "price"),
    ), checks=(Check("(price >= 0)"), Check("( x<5 )", "named")), without_rowid=True, strict=True),
    Table("products", (C("id", "integer"), C("rid", "integer", null=True)), PrimaryKey((IndexPart(column="id"),)),
          foreign_keys=(ForeignKey("0", ("rid",), "records", ("id",), "NO ACTION", "SET NULL"),
                        ForeignKey("1", ("rid",), "records", ("id",), "CASCADE", "CASCADE"),
                        ForeignKey("named", ("id",), "products", ("rid",)))),
))


@pytest.mark.parametrize("normalized", [True, False])
def test_schema_against_itself_has_no_changes(normalized):
    assert diff_schemas(RICH, RICH, SQLiteDiffRules(normalized=normalized)) == []
    for t in RICH.tables:
        assert tdiff(t, t) == []


def test_generic_rules_are_usable():
    rules = DiffRules()
    assert diff_schemas(RICH, RICH, rules) == []
    cur = Table("t", (C("a", "int"),))
    assert tdiff(cur, Table("t", (C("a", "bigint"),)), rules)[0].kind == ChangeKind.TYPE
