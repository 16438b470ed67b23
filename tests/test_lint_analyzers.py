"""Analyzers on hand-built change lists: exact texts, spans, registry and nolint filtering."""

from __future__ import annotations

import pytest

from atoll.migrate.lint import (
    REGISTRY,
    Change,
    LintConfig,
    LintFile,
    LintReport,
    Pass,
    Stmt,
    analyze_files,
    analyzers_for,
)
from atoll.dialects.sqlite.lint import SQLiteDataDepend, SQLiteRebuild
from atoll.migrate.lint.analyzers import (
    ConDrop,
    DataDepend,
    Destructive,
    Incompatible,
    Naming,
    Span,
)
from atoll.schema.changes import (
    AddColumn,
    AddIndex,
    AddTable,
    ChangeKind,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropTable,
    ModifyColumn,
    ModifyIndex,
    ModifyTable,
    RenameColumn,
    RenameTable,
)
from atoll.schema.model import (
    Column,
    ColumnType,
    ForeignKey,
    Generated,
    Index,
    IndexPart,
    Literal,
    Schema,
    Table,
    TypeClass,
)

INT = ColumnType(TypeClass.INTEGER, "int", "int")
TEXT = ColumnType(TypeClass.STRING, "text", "TEXT")


def col(name, null=True, typ=INT, **kw):
    return Column(name=name, type=typ, null=null, **kw)


def table(name, *cols, **kw):
    return Table(name=name, columns=tuple(cols), **kw)


def mod(t, *changes, new=None):
    return ModifyTable(t, new or t, tuple(changes))


def lfile(*changes, text=None):
    """A file whose i-th change sits at byte offset 100*i (text long enough for lines)."""
    text = text if text is not None else "\n" * 1000
    return LintFile("2.sql", "2", text, [Change(Stmt(100 * i), list(cs))
                                         for i, cs in enumerate(changes)])


def texts(reports):
    return [(r.text, [(d.pos, d.code, d.text) for d in r.diagnostics]) for r in reports]


USERS = table("users", col("id"), col("a"), col("b"), col("c"))


# -- destructive ------------------------------------------------------------------------------


def test_ds102_drop_table_message_and_fix():
    f = lfile([DropTable(USERS)])
    reports = Destructive().analyze(Pass(f))
    assert texts(reports) == [("destructive changes detected",
                               [(0, "DS102", 'Dropping table "users"')])]
    fix = reports[0].diagnostics[0].suggested_fixes[0].message
    assert fix == 'Add a pre-migration check to ensure table "users" is empty before dropping it'


def test_ds102_not_for_table_created_in_same_file():
    f = lfile([AddTable(USERS)], [DropTable(USERS)])
    assert Destructive().analyze(Pass(f)) == []


def test_ds103_single_and_plural():
    one = lfile([mod(USERS, DropColumn(col("a")))])
    r = Destructive().analyze(Pass(one))
    assert texts(r) == [("destructive changes detected",
                         [(0, "DS103", 'Dropping non-virtual column "a"')])]
    assert r[0].diagnostics[0].suggested_fixes[0].message == (
        'Add a pre-migration check to ensure column "a" is NULL before dropping it')
    three = lfile([mod(USERS, DropColumn(col("a")), DropColumn(col("b")), DropColumn(col("c")))])
    r = Destructive().analyze(Pass(three))
    assert texts(r)[0][1] == [(0, "DS103", 'Dropping non-virtual columns "a", "b" and "c"')]
    assert r[0].diagnostics[0].suggested_fixes[0].message == (
        'Add pre-migration checks to ensure columns "a", "b" and "c" are NULL before '
        "dropping them")
    two = lfile([mod(USERS, DropColumn(col("a")), DropColumn(col("b")))])
    assert texts(Destructive().analyze(Pass(two)))[0][1][0][2] == (
        'Dropping non-virtual columns "a" and "b"')


def test_ds103_skips_virtual_and_temporary_columns():
    virt = col("v", generated=Generated("a+1", "VIRTUAL"))
    stored = col("s", generated=Generated("a+1", "STORED"))
    f = lfile([mod(USERS, AddColumn(col("tmp")))],
              [mod(USERS, DropColumn(col("tmp")), DropColumn(virt), DropColumn(stored))])
    assert texts(Destructive().analyze(Pass(f)))[0][1] == [
        (100, "DS103", 'Dropping non-virtual column "s"')]


def test_ds101_drop_schema():
    class DropSchema:  # no such change on SQLite; the analyzer handles it by shape
        def __init__(self, schema):
            self.schema = schema

    assert texts(Destructive().analyze(Pass(lfile([DropSchema(Schema("s"))]))))[0][1] == [
        (0, "DS101", 'Dropping schema "s"')]
    one = Schema("s", tables=(USERS,))
    assert texts(Destructive().analyze(Pass(lfile([DropSchema(one)]))))[0][1][0][2] == (
        'Dropping non-empty schema "s" with 1 table')
    two = Schema("s", tables=(USERS, table("pets")))
    assert texts(Destructive().analyze(Pass(lfile([DropSchema(two)]))))[0][1][0][2] == (
        'Dropping non-empty schema "s" with 2 tables')


# -- data_depend ------------------------------------------------------------------------------


def test_mf103_sqlite_type_text_and_table_span():
    f = lfile([mod(USERS, AddColumn(col("name", null=False, typ=TEXT)))])
    assert texts(SQLiteDataDepend().analyze(Pass(f))) == [(
        "data dependent changes detected",
        [(0, "MF103",
          ('Adding a non-nullable "text" column "name" will fail in case table "users" is not '
          "empty"))])]
    # a default, a nullable column, or a table created in the file: no report
    ok = lfile([mod(USERS, AddColumn(col("x", null=False, default=Literal("1"))),
                    AddColumn(col("y")))])
    assert DataDepend().analyze(Pass(ok)) == []
    created = lfile([AddTable(USERS)], [mod(USERS, AddColumn(col("z", null=False)))])
    assert DataDepend().analyze(Pass(created)) == []


def test_mf101_unique_index_on_existing_columns():
    idx = Index("u_ab", (IndexPart("a"), IndexPart("b")), unique=True)
    f = lfile([mod(USERS, AddIndex(idx))])
    assert texts(DataDepend().analyze(Pass(f)))[0][1] == [(
        0, "MF101", ('Adding a unique index "u_ab" on table "users" might fail in case columns '
                    '"a", "b" contain duplicate entries'))]
    one = lfile([mod(USERS, AddColumn(col("n"))),
                 ], [mod(USERS, AddIndex(Index("u", (IndexPart("a"), IndexPart("n")),
                                               unique=True)))])
    assert texts(DataDepend().analyze(Pass(one)))[0][1] == [(
        100, "MF101", ('Adding a unique index "u" on table "users" might fail in case column "a" '
                      "contains duplicate entries"))]


def test_mf101_not_when_replacing_a_dropped_unique_index_or_not_unique():
    idx = Index("u_a", (IndexPart("a"),), unique=True)
    f = lfile([mod(USERS, DropIndex(idx))], [mod(USERS, AddIndex(idx))])
    assert DataDepend().analyze(Pass(f)) == []
    plain = lfile([mod(USERS, AddIndex(Index("i", (IndexPart("a"),))))])
    assert DataDepend().analyze(Pass(plain)) == []


def test_mf102_index_made_unique():
    old = Index("i", (IndexPart("a"),))
    new = Index("i", (IndexPart("a"),), unique=True)
    f = lfile([mod(USERS, ModifyIndex(old, new, ChangeKind.UNIQUE))])
    assert texts(DataDepend().analyze(Pass(f)))[0][1] == [(
        0, "MF102", ('Modifying an index "i" on table "users" might fail in case of duplicate '
                    "entries"))]


def test_lt101_and_mf104_nullable_to_not_null():
    change = ModifyColumn(col("a"), col("a", null=False), ChangeKind.NULL)
    f = lfile([mod(USERS, change)])
    assert texts(SQLiteDataDepend().analyze(Pass(f)))[0][1] == [(
        0, "LT101", ('Modifying nullable column "a" to non-nullable without default value might '
                    "fail in case it contains NULL values"))]
    assert texts(DataDepend().analyze(Pass(f)))[0][1] == [(
        0, "MF104", ('Modifying nullable column "a" to non-nullable might fail in case it '
                    "contains NULL values"))]
    with_default = ModifyColumn(col("a"), col("a", null=False, default=Literal("0")),
                                ChangeKind.NULL | ChangeKind.DEFAULT)
    assert SQLiteDataDepend().analyze(Pass(lfile([mod(USERS, with_default)]))) == []


# -- condrop ----------------------------------------------------------------------------------

FK = ForeignKey("fk_owner", ("a",), "owners", ("id",))


def test_cd101_dropped_foreign_key():
    f = lfile([mod(USERS, DropForeignKey(FK))])
    assert texts(ConDrop().analyze(Pass(f))) == [(
        "constraint deletion detected", [(0, "CD101", 'Dropping foreign-key constraint "fk_owner"')])]
    # not when its column goes too
    assert ConDrop().analyze(Pass(lfile([mod(USERS, DropForeignKey(FK),
                                             DropColumn(col("a")))]))) == []


# -- incompatible -----------------------------------------------------------------------------


def test_bc101_bc102_renames():
    f = lfile([RenameTable(USERS, table("people"))],
              [mod(USERS, RenameColumn(col("a"), col("alpha")))])
    assert texts(Incompatible().analyze(Pass(f))) == [(
        "backward incompatible changes detected",
        [(0, "BC101", 'Renaming table "users" to "people"'),
         (100, "BC102", 'Renaming column "a" to "alpha"')])]


def test_bc102_not_when_old_name_added_back_or_table_new():
    back = lfile([mod(USERS, RenameColumn(col("a"), col("alpha")))],
                 [mod(USERS, AddColumn(col("a")))])
    assert Incompatible().analyze(Pass(back)) == []
    new = lfile([AddTable(USERS)], [mod(USERS, RenameColumn(col("a"), col("alpha")))])
    assert Incompatible().analyze(Pass(new)) == []


# -- naming -----------------------------------------------------------------------------------


def test_naming_policy_global_and_per_kind():
    az = Naming({"match": "^[a-z_]+$", "message": "must be lowercase",
                 "index": {"match": "_idx$", "message": "must end with _idx"}})
    t = table("Users", col("ID"), indexes=(Index("by_id", (IndexPart("ID"),), origin="c"),))
    r = az.analyze(Pass(lfile([AddTable(t)])))
    assert texts(r) == [("naming violations detected", [
        (0, "NM102", 'Table named "Users" violates the naming policy: must be lowercase'),
        (0, "NM103", 'Column named "ID" violates the naming policy: must be lowercase'),
        (0, "NM104", 'Index named "by_id" violates the naming policy: must end with _idx'),
    ])]
    assert Naming({"match": "^[a-z_]+$"}).analyze(Pass(lfile([AddTable(USERS)]))) == []


def test_registry_and_defaults():
    assert set(REGISTRY) == {"destructive", "data_depend", "condrop", "incompatible", "naming"}
    names = [a.name for a in analyzers_for("sqlite")]
    assert names == ["", "destructive", "data_depend", "condrop", "incompatible"]
    assert isinstance(analyzers_for("sqlite")[0], SQLiteRebuild)
    assert isinstance(analyzers_for("sqlite")[2], SQLiteDataDepend)
    assert [a.name for a in analyzers_for("postgres")] == names[1:]
    assert type(analyzers_for("postgres")[1]) is DataDepend
    assert analyzers_for("sqlite", {"naming": {"match": "x"}})[-1].name == "naming"
    cfg = LintConfig()
    assert cfg.is_error("destructive", Destructive.default_error) is True
    assert cfg.is_error("data_depend", DataDepend.default_error) is False


def test_spans():
    f = lfile([AddTable(USERS)], [DropTable(USERS)],
              [mod(table("t"), AddColumn(col("x")))], [mod(table("t"), DropColumn(col("x")))],
              [mod(table("t"), DropColumn(col("y")))])
    assert f.table_span("users") == Span.TEMPORARY
    assert f.column_span("users", "id") == Span.ADDED
    assert f.table_span("t") == Span.UNKNOWN
    assert f.column_span("t", "x") == Span.TEMPORARY
    assert f.column_span("t", "y") == Span.DROPPED


# -- nolint filtering (analyze_files) ---------------------------------------------------------

_FILE = ("ALTER TABLE users ADD COLUMN name text NOT NULL;\n"   # pos 0, line 1
         "{c1}DROP TABLE pets;\n")                             # pos 49 + len(c1)


def _nolint_file(c1="", file_comment="", head=""):
    text = head + _FILE.format(c1=c1)
    p0 = len(head)
    p1 = p0 + 49 + len(c1)
    pets = table("pets", col("id"))
    f = LintFile("2.sql", "2", text, [
        Change(Stmt(p0, "ALTER …", ()),
               [mod(USERS, AddColumn(col("name", null=False, typ=TEXT)))]),
        Change(Stmt(p1, "DROP …", (c1,) if c1 else ()), [DropTable(pets)]),
    ])
    report = LintReport()
    analyze_files(report, [f], analyzers_for("sqlite"), LintConfig())
    return report


def _codes(report):
    return [d.code for f in report.files for r in f.reports for d in r.diagnostics]


@pytest.mark.parametrize("comment, left", [
    ("", ["DS102", "MF103"]),
    ("-- atlas:nolint\n", ["MF103"]),
    ("-- atlas:nolint DS102\n", ["MF103"]),
    ("-- atlas:nolint destructive\n", ["MF103"]),
    ("-- atlas:nolint DS103\n", ["DS102", "MF103"]),
    ("-- atlas:nolint data_depend\n", ["DS102", "MF103"]),
    ("/*atlas:nolint DS102*/", ["MF103"]),
    ("/* atlas:nolint DS102 */", ["DS102", "MF103"]),
])
def test_statement_nolint(comment, left):
    report = _nolint_file(c1=comment)
    assert _codes(report) == left
    assert report.failed is ("DS102" in left)


def test_file_nolint_bare_skips_file_and_with_names_applies_to_all():
    bare = _nolint_file(head="-- atlas:nolint\n\n")
    assert bare.files == [] and bare.steps == []
    named = _nolint_file(head="-- atlas:nolint destructive\n\n")
    assert _codes(named) == ["MF103"] and not named.failed
    both = _nolint_file(head="-- atlas:nolint DS102 data_depend\n\n")
    assert _codes(both) == [] and not both.failed
    # without the blank line the comment belongs to the first statement only
    attached = _nolint_file(head="-- atlas:nolint\n")
    assert _codes(attached) == ["DS102", "MF103"]


def test_error_config_turns_warnings_into_errors_and_back():
    f = lfile([mod(USERS, AddColumn(col("name", null=False, typ=TEXT)))], [DropTable(USERS)])
    r = LintReport()
    analyze_files(r, [f], analyzers_for("sqlite"),
                  LintConfig.from_dict({"destructive": {"error": False},
                                        "data_depend": {"error": True}}))
    assert r.files[0].error == "data dependent changes detected"
    r2 = LintReport()
    analyze_files(r2, [lfile([DropTable(USERS)])], analyzers_for("sqlite"),
                  LintConfig.from_dict({"destructive": {"error": "false"}}))
    assert r2.files[0].error == "" and not r2.failed and r2.version_statuses == (
        "1 version with warnings")


def test_crashing_analyzer_is_reported_not_raised():
    class Boom(Destructive):
        def analyze(self, p):
            raise RuntimeError("boom")

    r = LintReport()
    analyze_files(r, [lfile([DropTable(USERS)])], [Boom()])
    assert r.files[0].error == "skip crashed analyzer  (destructive): boom"
