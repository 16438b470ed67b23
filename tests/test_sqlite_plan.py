"""SQLite planner: exact statements and comments (spec/sqlite-plan.md §3), and execution of the
planned statements on a real in-memory database."""

from __future__ import annotations

import sqlite3

import pytest

from atoll.dialects.base import Statement
from atoll.dialects.sqlite.diff_rules import RULES
from atoll.dialects.sqlite.plan import format_plan, plan_changes, plan_clean, schema_sql
from atoll.errors import SchemaError
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
    RenameColumn,
    RenameIndex,
    RenameTable,
)
from atoll.schema.diff import diff_schemas
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

# --- model shorthands ----------------------------------------------------------------------

_CLASSES = {
    "int": TypeClass.INTEGER, "integer": TypeClass.INTEGER, "bigint": TypeClass.INTEGER,
    "text": TypeClass.STRING, "varchar": TypeClass.STRING, "bool": TypeClass.BOOL,
    "boolean": TypeClass.BOOL, "real": TypeClass.FLOAT, "double precision": TypeClass.FLOAT,
    "decimal": TypeClass.DECIMAL, "numeric": TypeClass.DECIMAL, "json": TypeClass.JSON,
    "uuid": TypeClass.UUID, "datetime": TypeClass.TIME, "blob": TypeClass.BINARY,
}


def T(name: str, raw: str | None = None, **kw) -> ColumnType:
    cls = _CLASSES.get(name, TypeClass.USER)
    return ColumnType(cls=cls, name=name, raw=name if raw is None else raw, **kw)


def C(name: str, typ: str | ColumnType = "int", **kw) -> Column:
    return Column(name=name, type=T(typ) if isinstance(typ, str) else typ, **kw)


def PK(*cols: str) -> PrimaryKey:
    return PrimaryKey(parts=tuple(IndexPart(column=c) for c in cols), name="PRIMARY")


def IDX(name: str, *cols: str, **kw) -> Index:
    return Index(name=name, parts=tuple(IndexPart(column=c) for c in cols), **kw)


def sqls(stmts: list[Statement]) -> list[str]:
    return [s.sql for s in stmts]


FK_OFF = ("Disable the enforcement of foreign-keys constraints", "PRAGMA foreign_keys = off")
FK_ON = ("Enable back the enforcement of foreign-keys constraints", "PRAGMA foreign_keys = on")

# --- table-driven cases: (id, changes, [(comment, sql), ...]) ------------------------------

posts = Table(
    name="posts",
    columns=(C("id", "integer"), C("text", "text", null=True)),
    checks=(Check("(text <> '')"), Check("(id <> 0)", name="positive_id")),
    without_rowid=True, strict=True,
)
posts_autoinc = Table(
    name="posts",
    columns=(C("id", "integer", auto_increment=True), C("text", "text", null=True)),
    primary_key=PK("id"),
    checks=(Check("(text <> '')"), Check("(id <> 0)", name="positive_id")),
)
users_id = Table(name="users", columns=(C("id", "bigint"),))

# cli-migrate-diff-sql.txtar: a state replayed on the dev database and inspected.
records = Table(
    name="records",
    columns=(
        C("id", T("integer", raw="integer"), auto_increment=True),
        C("name", T("varchar", raw="varchar(255)", size=255), default=Literal("''")),
        C("price", "decimal", default=Literal("0")),
    ),
    primary_key=PK("id"),
    indexes=(
        IDX("sqlite_autoindex_records_1", "name", unique=True, origin="u"),
        IDX("records_price", "price", origin="c"),
    ),
)
categories = Table(
    name="categories",
    columns=(C("id", T("integer", raw="INTEGER")), C("category_name", T("varchar", raw="VARCHAR(255)"))),
    primary_key=PK("id"),
)
products = Table(
    name="products",
    columns=(
        C("id", T("integer", raw="INTEGER")),
        C("product_name", T("varchar", raw="VARCHAR(255)")),
        C("price", T("decimal", raw="DECIMAL(10,2)", precision=10, scale=2)),
        C("category_id", T("integer", raw="INTEGER"), null=True),
    ),
    primary_key=PK("id"),
    indexes=(IDX("sqlite_autoindex_products_1", "product_name", unique=True, origin="u"),),
    foreign_keys=(ForeignKey("0", ("category_id",), "categories", ("id",), "NO ACTION", "SET NULL"),),
)

PLAN_CASES = [
    ("create-table-checks-options", [AddTable(posts)], [
        ('Create "posts" table',
         "CREATE TABLE `posts` (`id` integer NOT NULL, `text` text NULL, CHECK (text <> ''), "
         "CONSTRAINT `positive_id` CHECK (id <> 0)) WITHOUT ROWID, STRICT"),
    ]),
    ("create-table-autoincrement", [AddTable(posts_autoinc)], [
        ('Create "posts" table',
         "CREATE TABLE `posts` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `text` text NULL, "
         "CHECK (text <> ''), CONSTRAINT `positive_id` CHECK (id <> 0))"),
    ]),
    ("create-table-options-only-strict", [AddTable(Table("t2", (C("id", "integer"),), PK("id"), strict=True))], [
        ('Create "t2" table', "CREATE TABLE `t2` (`id` integer NOT NULL, PRIMARY KEY (`id`)) STRICT"),
    ]),
    ("create-table-without-rowid", [AddTable(Table("t3", (C("id", "integer"),), PK("id"), without_rowid=True))], [
        ('Create "t3" table', "CREATE TABLE `t3` (`id` integer NOT NULL, PRIMARY KEY (`id`)) WITHOUT ROWID"),
    ]),
    ("create-table-generated", [AddTable(Table("users", (
        C("a"), C("b", generated=Generated("1", "VIRTUAL")), C("c", generated=Generated("2", "STORED")),
        C("d", generated=Generated("(a*10)")),
    )))], [
        ('Create "users" table',
         "CREATE TABLE `users` (`a` int NOT NULL, `b` int NOT NULL AS (1) VIRTUAL, "
         "`c` int NOT NULL AS (2) STORED, `d` int NOT NULL AS (a*10))"),
    ]),
    ("create-table-user-type", [AddTable(Table("t", (C("a", T("USER_DEFINED")), C("m", T("MONEY", raw="MONEY")))))], [
        ('Create "t" table', "CREATE TABLE `t` (`a` USER_DEFINED NOT NULL, `m` MONEY NOT NULL)"),
    ]),
    ("create-table-type-base-name", [AddTable(Table("t", (
        C("a", T("varchar", raw="varchar(255)", size=255)),
        C("b", T("decimal", raw="DECIMAL(10,2)", precision=10, scale=2)),
        C("c", T("double precision")),
        C("d", ColumnType(TypeClass.INTEGER, "INTEGER", "INTEGER")),
    )))], [
        ('Create "t" table',
         "CREATE TABLE `t` (`a` varchar NOT NULL, `b` decimal NOT NULL, `c` double precision NOT NULL, "
         "`d` integer NOT NULL)"),
    ]),
    ("create-table-defaults-per-type", [AddTable(Table("d", (
        C("i", "int", default=Literal("1")),
        C("h", "int", default=Literal("0x1")),
        C("b", "bool", default=Literal("true")),
        C("f", "real", default=Literal("1.5")),
        C("n", "decimal", default=Literal("0")),
        C("s", "text", default=Literal("hello")),
        C("z", "text", default=Literal("0")),
        C("q", "text", default=Literal("'A'")),
        C("dq", "text", default=Literal('"a8m"')),
        C("ap", "text", default=Literal("it's")),
        C("j", "json", default=Literal("{}")),
        C("u", T("USER_DEFINED"), default=Literal("x")),
        C("bad", "int", default=Literal("invalid check")),
        C("r", "text", default=RawExpr("hex(1)")),
        C("rw", "text", default=RawExpr("(hex(1))")),
        C("ts", "datetime", default=RawExpr("CURRENT_TIMESTAMP")),
        C("e", "text", null=True, default=Literal("")),
    )))], [
        ('Create "d" table',
         "CREATE TABLE `d` (`i` int NOT NULL DEFAULT 1, `h` int NOT NULL DEFAULT 0x1, "
         "`b` bool NOT NULL DEFAULT true, `f` real NOT NULL DEFAULT 1.5, `n` decimal NOT NULL DEFAULT 0, "
         "`s` text NOT NULL DEFAULT 'hello', `z` text NOT NULL DEFAULT '0', `q` text NOT NULL DEFAULT 'A', "
         "`dq` text NOT NULL DEFAULT 'a8m', `ap` text NOT NULL DEFAULT 'it''s', `j` json NOT NULL DEFAULT '{}', "
         "`u` USER_DEFINED NOT NULL DEFAULT 'x', `bad` int NOT NULL DEFAULT invalid check, "
         "`r` text NOT NULL DEFAULT (hex(1)), `rw` text NOT NULL DEFAULT (hex(1)), "
         "`ts` datetime NOT NULL DEFAULT (CURRENT_TIMESTAMP), `e` text NULL DEFAULT '')"),
    ]),
    ("create-table-fks-and-indexes", [AddTable(records), AddTable(categories), AddTable(products)], [
        ('Create "records" table',
         "CREATE TABLE `records` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `name` varchar NOT NULL "
         "DEFAULT '', `price` decimal NOT NULL DEFAULT 0)"),
        ('Create index "records_name" to table: "records"',
         "CREATE UNIQUE INDEX `records_name` ON `records` (`name`)"),
        ('Create index "records_price" to table: "records"',
         "CREATE INDEX `records_price` ON `records` (`price`)"),
        ('Create "categories" table',
         "CREATE TABLE `categories` (`id` integer NOT NULL, `category_name` varchar NOT NULL, PRIMARY KEY (`id`))"),
        ('Create "products" table',
         "CREATE TABLE `products` (`id` integer NOT NULL, `product_name` varchar NOT NULL, `price` decimal "
         "NOT NULL, `category_id` integer NULL, PRIMARY KEY (`id`), CONSTRAINT `0` FOREIGN KEY (`category_id`) "
         "REFERENCES `categories` (`id`) ON UPDATE NO ACTION ON DELETE SET NULL)"),
        ('Create index "products_product_name" to table: "products"',
         "CREATE UNIQUE INDEX `products_product_name` ON `products` (`product_name`)"),
    ]),
    ("create-table-fk-variants", [AddTable(Table("c", (C("a"), C("b")), foreign_keys=(
        ForeignKey("", ("a",), "p", ("id",)),
        ForeignKey("fk2", ("a", "b"), "p", ("x", "y"), on_delete="CASCADE"),
        ForeignKey("fk3", ("b",), "c", ("a",), on_update="SET DEFAULT", on_delete="RESTRICT"),
    )))], [
        ('Create "c" table',
         "CREATE TABLE `c` (`a` int NOT NULL, `b` int NOT NULL, FOREIGN KEY (`a`) REFERENCES `p` (`id`), "
         "CONSTRAINT `fk2` FOREIGN KEY (`a`, `b`) REFERENCES `p` (`x`, `y`) ON DELETE CASCADE, "
         "CONSTRAINT `fk3` FOREIGN KEY (`b`) REFERENCES `c` (`a`) ON UPDATE SET DEFAULT ON DELETE RESTRICT)"),
    ]),
    ("index-forms", [AddTable(Table("users", (C("rank"), C("score"), C("first_name", "text"), C("name", "text"),
                                               C("active", "boolean", null=True)), indexes=(
        Index("rank_score_idx", (IndexPart(column="rank"), IndexPart(column="score", desc=True))),
        Index("full_name", (IndexPart(expr="first_name || ' ' || last_name"),)),
        Index("lower_desc", (IndexPart(expr="lower(name)", desc=True), IndexPart(expr="(rank)"))),
        Index("users_name", (IndexPart(column="name"),), where="active AND name <> ''"),
        Index("u_comp", (IndexPart(column="rank"), IndexPart(column="name")), unique=True),
    )))], [
        ('Create "users" table',
         "CREATE TABLE `users` (`rank` int NOT NULL, `score` int NOT NULL, `first_name` text NOT NULL, "
         "`name` text NOT NULL, `active` boolean NULL)"),
        ('Create index "rank_score_idx" to table: "users"',
         "CREATE INDEX `rank_score_idx` ON `users` (`rank`, `score` DESC)"),
        ('Create index "full_name" to table: "users"',
         "CREATE INDEX `full_name` ON `users` ((first_name || ' ' || last_name))"),
        ('Create index "lower_desc" to table: "users"',
         "CREATE INDEX `lower_desc` ON `users` ((lower(name)) DESC, (rank))"),
        ('Create index "users_name" to table: "users"',
         "CREATE INDEX `users_name` ON `users` (`name`) WHERE active AND name <> ''"),
        ('Create index "u_comp" to table: "users"',
         "CREATE UNIQUE INDEX `u_comp` ON `users` (`rank`, `name`)"),
    ]),
    ("drop-table", [DropTable(Table("posts", (C("id", "integer"),), indexes=(IDX("idx", "id"),)))], [
        FK_OFF, ('Drop "posts" table', "DROP TABLE `posts`"), FK_ON,
    ]),
    ("drop-then-create-wrapped-once", [DropTable(Table("t1", (C("id"),))), AddTable(Table("t2", (C("id"),)))], [
        FK_OFF,
        ('Drop "t1" table', "DROP TABLE `t1`"),
        ('Create "t2" table', "CREATE TABLE `t2` (`id` int NOT NULL)"),
        FK_ON,
    ]),
    ("alter-add-column-and-index",
     [ModifyTable(users_id, users_id, (
         AddColumn(C("name", T("varchar(255)"))),
         AddIndex(Index("id_key", (IndexPart(column="id"),), comment="comment")),
     ))], [
         ('Add column "name" to table: "users"', "ALTER TABLE `users` ADD COLUMN `name` varchar(255) NOT NULL"),
         ('Create index "id_key" to table: "users"', "CREATE INDEX `id_key` ON `users` (`id`)"),
     ]),
    ("alter-add-column-constant-default",
     [ModifyTable(users_id, users_id, (AddColumn(C("name", "text", default=Literal("a8m"))),))], [
         ('Add column "name" to table: "users"', "ALTER TABLE `users` ADD COLUMN `name` text NOT NULL DEFAULT 'a8m'"),
     ]),
    ("alter-add-virtual-columns",
     [ModifyTable(users_id, users_id, (
         AddColumn(C("nid", "bigint", generated=Generated("1"))),
         AddColumn(C("d", "int", generated=Generated("4", "VIRTUAL"))),
         AddColumn(C("n", "int", null=True)),
     ))], [
         ('Add column "nid" to table: "users"', "ALTER TABLE `users` ADD COLUMN `nid` bigint NOT NULL AS (1)"),
         ('Add column "d" to table: "users"', "ALTER TABLE `users` ADD COLUMN `d` int NOT NULL AS (4) VIRTUAL"),
         ('Add column "n" to table: "users"', "ALTER TABLE `users` ADD COLUMN `n` int NULL"),
     ]),
    ("alter-indexes-and-renames",
     [ModifyTable(Table("t1", (C("a"),)), Table("t1", (C("b"),)), (
         RenameColumn(C("a"), C("b")),
         RenameIndex(IDX("a", "a"), IDX("b", "a")),
         DropIndex(IDX("old", "a", unique=True)),
         DropIndex(IDX("sqlite_autoindex_t1_1", "a", "b", unique=True, origin="u")),
         AddIndex(IDX("new", "b")),
     ))], [
         ('Rename a column from "a" to "b"', "ALTER TABLE `t1` RENAME COLUMN `a` TO `b`"),
         ('Create index "b" to table: "t1"', "CREATE INDEX `b` ON `t1` (`a`)"),
         ('Drop index "a" from table: "t1"', "DROP INDEX `a`"),
         ('Drop index "old" from table: "t1"', "DROP INDEX `old`"),
         ('Drop index "t1_a_b" from table: "t1"', "DROP INDEX `t1_a_b`"),
         ('Create index "new" to table: "t1"', "CREATE INDEX `new` ON `t1` (`b`)"),
     ]),
    ("rename-table", [RenameTable(Table("t1"), Table("t2"))], [
        ('Rename a table from "t1" to "t2"', "ALTER TABLE `t1` RENAME TO `t2`"),
    ]),
    ("modify-table-no-changes", [ModifyTable(users_id, users_id, ())], []),
]


def _rebuild(name: str, create: str, insert: str | None, indexes: list[tuple[str, str]] = ()) -> list:
    out = [FK_OFF, (f'Create "new_{name}" table', create)]
    if insert is not None:
        out.append((f'Copy rows from old table "{name}" to new temporary table "new_{name}"', insert))
        out.append((f'Drop "{name}" table after copying rows', f"DROP TABLE `{name}`"))
    else:
        out.append((f'Drop "{name}" table without copying rows (no columns)', f"DROP TABLE `{name}`"))
    out.append((f'Rename temporary table "new_{name}" to "{name}"', f"ALTER TABLE `new_{name}` RENAME TO `{name}`"))
    return out + list(indexes) + [FK_ON]


_users_expr = Table("users", (C("id", "bigint"), C("name", "text", default=RawExpr("NOW()::TEXT"))))
_users_stored = Table("users", (C("id", "bigint"), C("name", "text"),
                                C("nid", "bigint", generated=Generated("1", "STORED"))))
_users_defaults = Table("users", (
    C("id", "bigint"), C("rank", "int", default=Literal("1")), C("nick", "text", default=Literal("a8m")),
    C("expr", "text", default=RawExpr("hex(1)")),
), checks=(Check("(id <> 0)"),))
_c2 = Table("users", (C("c2", "bigint"),))

REBUILD_CASES = [
    ("rebuild-add-column-expr-default",
     [ModifyTable(Table("users", (C("id", "bigint"),)), _users_expr, (AddColumn(_users_expr.columns[1]),))],
     _rebuild("users", "CREATE TABLE `new_users` (`id` bigint NOT NULL, `name` text NOT NULL DEFAULT (NOW()::TEXT))",
              "INSERT INTO `new_users` (`id`) SELECT `id` FROM `users`")),
    ("rebuild-add-column-current-timestamp-literal",
     [ModifyTable(users_id, Table("users", (C("id", "bigint"), C("ts", "datetime", default=Literal("CURRENT_TIMESTAMP")))),
                  (AddColumn(C("ts", "datetime", default=Literal("CURRENT_TIMESTAMP"))),))],
     _rebuild("users", "CREATE TABLE `new_users` (`id` bigint NOT NULL, `ts` datetime NOT NULL DEFAULT 'CURRENT_TIMESTAMP')",
              "INSERT INTO `new_users` (`id`) SELECT `id` FROM `users`")),
    ("rebuild-add-stored-and-rename",
     [ModifyTable(Table("users", (C("id", "bigint"), C("uname", "text"))), _users_stored, (
         AddColumn(_users_stored.columns[2]), RenameColumn(C("uname", "text"), _users_stored.columns[1]),
     ))],
     _rebuild("users", "CREATE TABLE `new_users` (`id` bigint NOT NULL, `name` text NOT NULL, `nid` bigint NOT NULL AS (1) STORED)",
              "INSERT INTO `new_users` (`id`, `name`) SELECT `id`, `uname` FROM `users`")),
    ("rebuild-null-to-not-null-with-defaults",
     [ModifyTable(users_id, _users_defaults, (
         ModifyColumn(C("rank", "int", null=True), _users_defaults.columns[1], ChangeKind.NULL | ChangeKind.DEFAULT),
         ModifyColumn(C("nick", "text", null=True), _users_defaults.columns[2], ChangeKind.NULL | ChangeKind.DEFAULT),
         DropColumn(C("name", "varchar")),
         AddCheck(Check("(id <> 0)")),
     ))],
     _rebuild("users",
              "CREATE TABLE `new_users` (`id` bigint NOT NULL, `rank` int NOT NULL DEFAULT 1, `nick` text NOT NULL "
              "DEFAULT 'a8m', `expr` text NOT NULL DEFAULT (hex(1)), CHECK (id <> 0))",
              "INSERT INTO `new_users` (`id`, `rank`, `nick`, `expr`) SELECT `id`, IFNULL(`rank`, 1) AS `rank`, "
              "IFNULL(`nick`, 'a8m') AS `nick`, `expr` FROM `users`")),
    ("rebuild-modify-type-only-no-ifnull",
     [ModifyTable(Table("t", (C("a", "int", default=Literal("1")),)), Table("t", (C("a", "text", default=Literal("1")),)),
                  (ModifyColumn(C("a", "int", default=Literal("1")), C("a", "text", default=Literal("1")), ChangeKind.TYPE),))],
     _rebuild("t", "CREATE TABLE `new_t` (`a` text NOT NULL DEFAULT '1')",
              "INSERT INTO `new_t` (`a`) SELECT `a` FROM `t`")),
    ("rebuild-nothing-to-insert",
     [ModifyTable(Table("users", (C("c1", "varchar"),)), _c2, (DropColumn(C("c1", "varchar")), AddColumn(_c2.columns[0])))],
     _rebuild("users", "CREATE TABLE `new_users` (`c2` bigint NOT NULL)", None)),
    ("rebuild-modify-index-recreates-all-indexes",
     [ModifyTable(Table("users", (C("rank"),), indexes=(Index("rank_idx", (IndexPart(column="rank", desc=True),)),)),
                  Table("users", (C("rank"),), indexes=(IDX("rank_idx", "rank"), IDX("other", "rank"))),
                  (ModifyIndex(Index("rank_idx", (IndexPart(column="rank", desc=True),)), IDX("rank_idx", "rank"), ChangeKind.PARTS),
                   AddIndex(IDX("other", "rank"))))],
     _rebuild("users", "CREATE TABLE `new_users` (`rank` int NOT NULL)", "INSERT INTO `new_users` (`rank`) SELECT `rank` FROM `users`",
              [('Create index "rank_idx" to table: "users"', "CREATE INDEX `rank_idx` ON `users` (`rank`)"),
               ('Create index "other" to table: "users"', "CREATE INDEX `other` ON `users` (`rank`)")])),
    ("rebuild-drop-table-options",
     [ModifyTable(Table("t1", (C("id", "integer"),), PK("id"), without_rowid=True, strict=True),
                  Table("t1", (C("id", "integer"),), PK("id")),
                  (DropTableOption("without_rowid"), DropTableOption("strict")))],
     _rebuild("t1", "CREATE TABLE `new_t1` (`id` integer NOT NULL, PRIMARY KEY (`id`))",
              "INSERT INTO `new_t1` (`id`) SELECT `id` FROM `t1`")),
    ("rebuild-add-table-option",
     [ModifyTable(Table("t1", (C("id", "integer"),), PK("id")),
                  Table("t1", (C("id", "integer"),), PK("id"), strict=True), (AddTableOption("strict"),))],
     _rebuild("t1", "CREATE TABLE `new_t1` (`id` integer NOT NULL, PRIMARY KEY (`id`)) STRICT",
              "INSERT INTO `new_t1` (`id`) SELECT `id` FROM `t1`")),
    ("rebuild-fk-and-check-changes",
     [ModifyTable(Table("c", (C("a"),), checks=(Check("(a > 0)", "ck"),), foreign_keys=(ForeignKey("0", ("a",), "p", ("id",)),)),
                  Table("c", (C("a"),), checks=(Check("a > 1", "ck"),), foreign_keys=(ForeignKey("fk", ("a",), "p", ("id",), on_delete="CASCADE"),)),
                  (ModifyCheck(Check("(a > 0)", "ck"), Check("a > 1", "ck")),
                   DropForeignKey(ForeignKey("0", ("a",), "p", ("id",))),
                   AddForeignKey(ForeignKey("fk", ("a",), "p", ("id",), on_delete="CASCADE"))))],
     _rebuild("c", "CREATE TABLE `new_c` (`a` int NOT NULL, CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `p` (`id`) "
              "ON DELETE CASCADE, CONSTRAINT `ck` CHECK (a > 1))", "INSERT INTO `new_c` (`a`) SELECT `a` FROM `c`")),
    ("rebuild-pk-changes",
     [ModifyTable(Table("t", (C("a"), C("b"))), Table("t", (C("a"), C("b")), PK("a", "b")), (AddPrimaryKey(PK("a", "b")),)),
      ModifyTable(Table("u", (C("a"),), PK("a")), Table("u", (C("a"),)), (DropPrimaryKey(PK("a")),)),
      ModifyTable(Table("v", (C("a"), C("b")), PK("a")), Table("v", (C("a"), C("b")), PK("b")),
                  (ModifyPrimaryKey(PK("a"), PK("b"), ChangeKind.PARTS),))],
     _rebuild("t", "CREATE TABLE `new_t` (`a` int NOT NULL, `b` int NOT NULL, PRIMARY KEY (`a`, `b`))",
              "INSERT INTO `new_t` (`a`, `b`) SELECT `a`, `b` FROM `t`")[:-1]
     + _rebuild("u", "CREATE TABLE `new_u` (`a` int NOT NULL)", "INSERT INTO `new_u` (`a`) SELECT `a` FROM `u`")[1:-1]
     + _rebuild("v", "CREATE TABLE `new_v` (`a` int NOT NULL, `b` int NOT NULL, PRIMARY KEY (`b`))",
                "INSERT INTO `new_v` (`a`, `b`) SELECT `a`, `b` FROM `v`")[1:]),
    ("rebuild-drop-check-and-generated-skipped-in-copy",
     [ModifyTable(Table("g", (C("a"), C("b", generated=Generated("1", "VIRTUAL"))), checks=(Check("(a > 0)"),)),
                  Table("g", (C("a"), C("b", generated=Generated("2", "VIRTUAL")))),
                  (DropCheck(Check("(a > 0)")),
                   ModifyColumn(C("b", generated=Generated("1", "VIRTUAL")), C("b", generated=Generated("2", "VIRTUAL")),
                                ChangeKind.GENERATED)))],
     _rebuild("g", "CREATE TABLE `new_g` (`a` int NOT NULL, `b` int NOT NULL AS (2) VIRTUAL)",
              "INSERT INTO `new_g` (`a`) SELECT `a` FROM `g`")),
    ("rebuild-add-column-linked-to-hcl-index",
     [ModifyTable(users_id, Table("users", (C("id", "bigint"), C("email", "text", null=True)), indexes=(IDX("users_email", "email"),)),
                  (AddColumn(C("email", "text", null=True)), AddIndex(IDX("users_email", "email"))))],
     _rebuild("users", "CREATE TABLE `new_users` (`id` bigint NOT NULL, `email` text NULL)",
              "INSERT INTO `new_users` (`id`) SELECT `id` FROM `users`",
              [('Create index "users_email" to table: "users"', "CREATE INDEX `users_email` ON `users` (`email`)")])),
    ("rebuild-mixed-with-alter-table-keeps-order",
     [ModifyTable(users_id, Table("users", (C("id", "bigint"), C("a", null=True))), (AddColumn(C("a", null=True)),)),
      DropTable(Table("gone", (C("x"),)))],
     [FK_OFF, ('Add column "a" to table: "users"', "ALTER TABLE `users` ADD COLUMN `a` int NULL"),
      ('Drop "gone" table', "DROP TABLE `gone`"), FK_ON]),
]


@pytest.mark.parametrize("changes,expected", [c[1:] for c in PLAN_CASES + REBUILD_CASES],
                         ids=[c[0] for c in PLAN_CASES + REBUILD_CASES])
def test_plan(changes, expected):
    got = plan_changes(changes)
    assert [(s.comment, s.sql) for s in got] == [tuple(e) for e in expected]


_fk = ForeignKey("fk", ("a",), "p", ("id",))


@pytest.mark.parametrize("change", [
    DropColumn(C("x")),
    ModifyColumn(C("a", null=True), C("a"), ChangeKind.NULL),
    AddPrimaryKey(PK("a")), DropPrimaryKey(PK("a")), ModifyPrimaryKey(PK("a"), PK("a"), ChangeKind.PARTS),
    AddForeignKey(_fk), DropForeignKey(_fk), ModifyForeignKey(_fk, _fk, ChangeKind.DELETE_ACTION),
    AddCheck(Check("a > 0")), DropCheck(Check("a > 0")), ModifyCheck(Check("a > 0", "c"), Check("a > 1", "c")),
    AddTableOption("strict"), DropTableOption("without_rowid"),
    ModifyIndex(IDX("i", "a"), IDX("i", "a", unique=True), ChangeKind.UNIQUE),
    AddColumn(C("b", generated=Generated("1", "stored"))),
], ids=lambda c: type(c).__name__)
def test_every_other_table_change_forces_rebuild(change):
    t = Table("t", (C("a"), C("b", null=True)), indexes=(IDX("i", "a"),))
    got = sqls(plan_changes([ModifyTable(t, t, (AddIndex(IDX("j", "a")), change))]))
    assert got == [
        "PRAGMA foreign_keys = off",
        "CREATE TABLE `new_t` (`a` int NOT NULL, `b` int NULL)",
        "INSERT INTO `new_t` (`a`, `b`) SELECT `a`, `b` FROM `t`"
        if not isinstance(change, AddColumn) else "INSERT INTO `new_t` (`a`) SELECT `a` FROM `t`",
        "DROP TABLE `t`",
        "ALTER TABLE `new_t` RENAME TO `t`",
        "CREATE INDEX `i` ON `t` (`a`)",
        "PRAGMA foreign_keys = on",
    ]


def test_add_column_linked_to_inspected_index_is_altered_in_place():
    # Indexes inspected from a database do not link their columns (Atlas), so the column is
    # added with ALTER TABLE and the index created after it.
    new = Table("users", (C("id", "bigint"), C("email", "text", null=True)),
                indexes=(IDX("users_email", "email", origin="c"),))
    got = plan_changes([ModifyTable(users_id, new, (AddColumn(new.columns[1]), AddIndex(new.indexes[0])))])
    assert sqls(got) == [
        "ALTER TABLE `users` ADD COLUMN `email` text NULL",
        "CREATE INDEX `users_email` ON `users` (`email`)",
    ]


def test_add_column_not_null_without_default_is_altered():
    got = plan_changes([ModifyTable(Table("tbl"), Table("tbl"), (
        AddColumn(C("col_2", "bigint", null=True)), AddColumn(C("col_3", "text"))))])
    assert format_plan(got) == (
        '-- Add column "col_2" to table: "tbl"\n'
        "ALTER TABLE `tbl` ADD COLUMN `col_2` bigint NULL;\n"
        '-- Add column "col_3" to table: "tbl"\n'
        "ALTER TABLE `tbl` ADD COLUMN `col_3` text NOT NULL;\n"
    )


# --- indentation -------------------------------------------------------------------------


INDENT_CASES = [
    (Table("t1", (C("a"),)), "CREATE TABLE `t1` (\n  `a` int NOT NULL\n)"),
    (Table("t1", (C("a"), C("b"))), "CREATE TABLE `t1` (\n  `a` int NOT NULL,\n  `b` int NOT NULL\n)"),
    (Table("t1", (C("a"), C("b"), C("id")), PK("id")),
     "CREATE TABLE `t1` (\n  `a` int NOT NULL,\n  `b` int NOT NULL,\n  `id` int NOT NULL,\n  PRIMARY KEY (`id`)\n)"),
    (Table("t1", (C("a"), C("b")), foreign_keys=(
        ForeignKey("fk1", ("a",), "t2", ("a",)), ForeignKey("fk2", ("a",), "t2", ("a",)))),
     "CREATE TABLE `t1` (\n  `a` int NOT NULL,\n  `b` int NOT NULL,\n"
     "  CONSTRAINT `fk1` FOREIGN KEY (`a`) REFERENCES `t2` (`a`),\n"
     "  CONSTRAINT `fk2` FOREIGN KEY (`a`) REFERENCES `t2` (`a`)\n)"),
    (Table("t1", (C("a"), C("b"), C("id")), PK("id"),
           foreign_keys=(ForeignKey("fk1", ("a",), "t2", ("a",)), ForeignKey("fk2", ("a",), "t2", ("a",))),
           checks=(Check("a > 0", "ck1"), Check("a > 0", "ck2"))),
     "CREATE TABLE `t1` (\n  `a` int NOT NULL,\n  `b` int NOT NULL,\n  `id` int NOT NULL,\n  PRIMARY KEY (`id`),\n"
     "  CONSTRAINT `fk1` FOREIGN KEY (`a`) REFERENCES `t2` (`a`),\n"
     "  CONSTRAINT `fk2` FOREIGN KEY (`a`) REFERENCES `t2` (`a`),\n"
     "  CONSTRAINT `ck1` CHECK (a > 0),\n  CONSTRAINT `ck2` CHECK (a > 0)\n)"),
    (Table("t1", (C("id", "integer", auto_increment=True),), PK("id"), without_rowid=True, strict=True),
     "CREATE TABLE `t1` (\n  `id` integer NOT NULL PRIMARY KEY AUTOINCREMENT\n) WITHOUT ROWID, STRICT"),
]


@pytest.mark.parametrize("table,expected", INDENT_CASES)
def test_indented_create_table(table, expected):
    got = plan_changes([AddTable(table)], indent="  ")
    assert sqls(got) == [expected]
    # Single-line form: the same elements joined by ", ".
    flat = plan_changes([AddTable(table)])[0].sql
    assert "\n" not in flat
    assert flat == expected.replace("(\n  ", "(").replace(",\n  ", ", ").replace("\n)", ")")


def test_indent_applies_to_rebuild_only_on_create_table():
    old = Table("users", (C("id", "bigint"),))
    new = Table("users", (C("id", "bigint"), C("e", "text", default=RawExpr("lower('X')"))),
                indexes=(IDX("i", "id"),))
    got = sqls(plan_changes([ModifyTable(old, new, (AddColumn(new.columns[1]),))], indent="\t"))
    assert got == [
        "PRAGMA foreign_keys = off",
        "CREATE TABLE `new_users` (\n\t`id` bigint NOT NULL,\n\t`e` text NOT NULL DEFAULT (lower('X'))\n)",
        "INSERT INTO `new_users` (`id`) SELECT `id` FROM `users`",
        "DROP TABLE `users`",
        "ALTER TABLE `new_users` RENAME TO `users`",
        "CREATE INDEX `i` ON `users` (`id`)",
        "PRAGMA foreign_keys = on",
    ]


def test_qualifier():
    t = Table("t", (C("a"),), indexes=(IDX("i", "a"),))
    assert sqls(plan_changes([AddTable(t)], qualifier="other")) == [
        "CREATE TABLE `other`.`t` (`a` int NOT NULL)", "CREATE INDEX `i` ON `t` (`a`)"]
    assert sqls(plan_changes([RenameTable(Table("t1"), Table("t2"))], qualifier="o")) == [
        "ALTER TABLE `o`.`t1` RENAME TO `o`.`t2`"]
    assert sqls(plan_changes([DropTable(t)], qualifier="o"))[1] == "DROP TABLE `t`"


# --- errors -------------------------------------------------------------------------------


def test_error_autoincrement_and_generated():
    t = Table("t", (C("a", auto_increment=True, generated=Generated("1")), C("b", auto_increment=True,
                                                                         generated=Generated("2"))))
    with pytest.raises(SchemaError) as e:
        plan_changes([AddTable(t)])
    assert str(e.value) == ('create table "t": both autoincrement and generation expression specified '
                            'for column "a", both autoincrement and generation expression specified for column "b"')
    with pytest.raises(SchemaError, match=r'^calculate reverse for drop table "t": create table "t"'):
        plan_changes([DropTable(t)])


def test_error_unsupported_change_and_bad_index_part():
    with pytest.raises(SchemaError, match="unsupported change"):
        plan_changes([object()])
    t = Table("t", (C("a"),), indexes=(Index("sqlite_autoindex_t_1", (IndexPart(expr="a+1"),)),))
    with pytest.raises(SchemaError, match=r"unexpected index part sqlite_autoindex_t_1 \(0\)"):
        plan_changes([AddTable(t)])


def test_error_duplicate_column_changes_in_rebuild():
    new = Table("t", (C("a"),))
    with pytest.raises(SchemaError, match=r'duplicate changes for column: "a": \*schema.AddColumn, \*schema.ModifyColumn'):
        plan_changes([ModifyTable(new, new, (AddColumn(C("a")), ModifyColumn(C("a"), C("a"), ChangeKind.NULL),
                                             DropCheck(Check("x"))))])


def test_comment_names_are_go_quoted():
    got = plan_changes([AddTable(Table('we"ird\\t', (C("a"),)))])
    assert got[0].comment == 'Create "we\\"ird\\\\t" table'


# --- clean and inspect SQL text ----------------------------------------------------------


def test_plan_clean():
    assert plan_clean(Schema()) == []
    got = plan_clean(Schema(tables=(Table("users", (C("id"),)), Table("atlas_schema_revisions", (C("version", "text"),)))))
    assert format_plan(got) == (
        "-- Disable the enforcement of foreign-keys constraints\nPRAGMA foreign_keys = off;\n"
        '-- Drop "users" table\nDROP TABLE `users`;\n'
        '-- Drop "atlas_schema_revisions" table\nDROP TABLE `atlas_schema_revisions`;\n'
        "-- Enable back the enforcement of foreign-keys constraints\nPRAGMA foreign_keys = on;\n"
    )


def test_schema_sql():
    users = Table("users", (C("id"), C("name", "text")))
    assert schema_sql(Schema(tables=(users,))) == (
        '-- Create "users" table\nCREATE TABLE `users` (`id` int NOT NULL, `name` text NOT NULL);\n')
    assert schema_sql(Schema(tables=(Table("t1", (C("c", null=True),)),))) == (
        '-- Create "t1" table\nCREATE TABLE `t1` (`c` int NULL);\n')
    assert schema_sql(Schema(tables=(Table("t1", (C("id", null=True),)),)), "  ") == (
        '-- Create "t1" table\nCREATE TABLE `t1` (\n  `id` int NULL\n);\n')
    assert schema_sql(Schema(tables=(Table("users", (C("id"),)),)), "\t") == (
        '-- Create "users" table\nCREATE TABLE `users` (\n\t`id` int NOT NULL\n);\n')
    assert schema_sql(Schema()) == ""
    assert schema_sql(Schema(tables=(records, categories, products))) == (
        '-- Create "records" table\n'
        "CREATE TABLE `records` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `name` varchar NOT NULL DEFAULT '', "
        "`price` decimal NOT NULL DEFAULT 0);\n"
        '-- Create index "records_name" to table: "records"\n'
        "CREATE UNIQUE INDEX `records_name` ON `records` (`name`);\n"
        '-- Create index "records_price" to table: "records"\n'
        "CREATE INDEX `records_price` ON `records` (`price`);\n"
        '-- Create "categories" table\n'
        "CREATE TABLE `categories` (`id` integer NOT NULL, `category_name` varchar NOT NULL, PRIMARY KEY (`id`));\n"
        '-- Create "products" table\n'
        "CREATE TABLE `products` (`id` integer NOT NULL, `product_name` varchar NOT NULL, `price` decimal NOT NULL, "
        "`category_id` integer NULL, PRIMARY KEY (`id`), CONSTRAINT `0` FOREIGN KEY (`category_id`) REFERENCES "
        "`categories` (`id`) ON UPDATE NO ACTION ON DELETE SET NULL);\n"
        '-- Create index "products_product_name" to table: "products"\n'
        "CREATE UNIQUE INDEX `products_product_name` ON `products` (`product_name`);\n"
    )


# --- execution on a real database ----------------------------------------------------------


def _db() -> sqlite3.Connection:
    return sqlite3.connect(":memory:", isolation_level=None)


def _run(conn: sqlite3.Connection, stmts: list[Statement]) -> None:
    for st in stmts:
        conn.execute(st.sql)


def _master(conn: sqlite3.Connection) -> dict[str, str]:
    return {name: sql for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}


EXEC_SCHEMA = Schema(tables=(
    records, categories, products,
    Table("users", (
        C("id", "integer", auto_increment=True), C("rank"), C("score"),
        C("first_name", "text"), C("last_name", "text", default=Literal("x")),
        C("active", "boolean", null=True, default=Literal("true")),
        C("meta", "json", null=True, default=Literal("{}")),
        C("created", "datetime", default=RawExpr("CURRENT_TIMESTAMP")),
        C("g1", generated=Generated("rank*2", "VIRTUAL")),
        C("g2", generated=Generated("(score+1)", "STORED")),
        C("kind", T("USER_DEFINED"), null=True),
    ), PK("id"), indexes=(
        Index("rank_score_idx", (IndexPart(column="rank"), IndexPart(column="score", desc=True))),
        Index("full_name", (IndexPart(expr="first_name || ' ' || last_name"),)),
        Index("users_active", (IndexPart(column="first_name"),), where="active AND first_name <> ''"),
    ), checks=(Check("rank >= 0", "rank_positive"), Check("(score < 100)"))),
    Table("t1", (C("id", "integer"),), PK("id"), without_rowid=True, strict=True),
))


@pytest.mark.parametrize("indent", ["", "  "])
def test_execute_create_plan(indent):
    conn = _db()
    stmts = plan_changes([AddTable(t) for t in EXEC_SCHEMA.tables], indent=indent)
    _run(conn, stmts)
    master = _master(conn)
    assert set(master) >= {"records", "records_name", "records_price", "categories", "products",
                           "products_product_name", "users", "rank_score_idx", "full_name", "users_active", "t1"}
    conn.execute("INSERT INTO users (rank, score, first_name) VALUES (2, 3, 'a')")
    assert conn.execute("SELECT g1, g2, last_name, active, meta FROM users").fetchone() == (4, 4, "x", 1, "{}")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO users (rank, score, first_name) VALUES (-1, 3, 'a')")
    # The clean plan drops everything, with FK enforcement on.
    conn.execute("PRAGMA foreign_keys = on")
    _run(conn, plan_clean(EXEC_SCHEMA))
    assert _master(conn) == {}
    assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)


def test_execute_rebuild_preserves_rows_and_fills_defaults():
    conn = _db()
    old = Table("users", (C("id", "integer"), C("rank", null=True), C("nick", "text", null=True), C("gone", "text", null=True)),
                PK("id"), indexes=(Index("rank_idx", (IndexPart(column="rank", desc=True),)),))
    _run(conn, plan_changes([AddTable(old)]))
    conn.execute("INSERT INTO users (id, rank, nick, gone) VALUES (1, NULL, NULL, 'x'), (2, 5, 'bob', 'y')")
    new = Table("users", (C("id", "integer"), C("rank", default=Literal("1")), C("nick", "text", default=Literal("a8m")),
                          C("added", "text", null=True), C("g", generated=Generated("rank+1", "STORED"))),
                PK("id"), indexes=(IDX("rank_idx", "rank"),), checks=(Check("rank > 0"),))
    changes = diff_schemas(Schema(tables=(old,)), Schema(tables=(new,)), RULES)
    stmts = plan_changes(changes)
    assert sqls(stmts)[2] == ("INSERT INTO `new_users` (`id`, `rank`, `nick`) SELECT `id`, IFNULL(`rank`, 1) AS `rank`, "
                              "IFNULL(`nick`, 'a8m') AS `nick` FROM `users`")
    conn.execute("PRAGMA foreign_keys = on")
    _run(conn, stmts)
    assert conn.execute("SELECT id, rank, nick, added, g FROM users ORDER BY id").fetchall() == [
        (1, 1, "a8m", None, 2), (2, 5, "bob", None, 6)]
    master = _master(conn)
    assert set(master) == {"users", "rank_idx"}
    assert master["rank_idx"] == "CREATE INDEX `rank_idx` ON `users` (`rank`)"
    assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)


def test_execute_rebuild_with_foreign_keys_enforced():
    conn = _db()
    parent = Table("p", (C("id", "integer"),), PK("id"))
    child = Table("c", (C("id", "integer"), C("pid", "integer", null=True)), PK("id"),
                  foreign_keys=(ForeignKey("fk", ("pid",), "p", ("id",), on_delete="CASCADE"),))
    _run(conn, plan_changes([AddTable(parent), AddTable(child)]))
    conn.execute("PRAGMA foreign_keys = on")
    conn.execute("INSERT INTO p VALUES (1)")
    conn.execute("INSERT INTO c VALUES (10, 1)")
    # Rebuild the parent: without the PRAGMA wrap, DROP TABLE p would cascade to c.
    new_parent = Table("p", (C("id", "integer"), C("name", "text", default=RawExpr("'n' || 1"))), PK("id"))
    _run(conn, plan_changes(diff_schemas(Schema(tables=(parent, child)), Schema(tables=(new_parent, child)), RULES)))
    assert conn.execute("SELECT * FROM p").fetchall() == [(1, "n1")]
    assert conn.execute("SELECT * FROM c").fetchall() == [(10, 1)]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_execute_alter_in_place():
    conn = _db()
    t = Table("t1", (C("a"),), indexes=(IDX("a", "a"),))
    _run(conn, plan_changes([AddTable(t)]))
    conn.execute("INSERT INTO t1 VALUES (1)")
    _run(conn, plan_changes([ModifyTable(t, t, (
        RenameColumn(C("a"), C("b")),
        RenameIndex(IDX("a", "b"), IDX("b_idx", "b")),
        AddColumn(C("c", "text", default=Literal("z"))),
        AddColumn(C("d", generated=Generated("b*10", "VIRTUAL"))),
        AddIndex(IDX("c_idx", "c")),
    ))]))
    assert conn.execute("SELECT b, c, d FROM t1").fetchall() == [(1, "z", 10)]
    assert set(_master(conn)) == {"t1", "b_idx", "c_idx"}


def test_execute_diff_plan_roundtrip_reaches_desired_state():
    """Apply current, then the plan to desired; the table texts SQLite stores then equal what a
    direct creation of the desired state gives, modulo SQLite's rename rewrite of the head."""
    conn = _db()
    current = Schema(tables=(
        Table("users", (C("id", "integer"), C("name", "text", null=True)), PK("id"), indexes=(IDX("users_name", "name"),)),
        Table("pets", (C("id", "integer"), C("owner", "integer", null=True)), PK("id")),
        Table("gone", (C("x"),)),
    ))
    desired = Schema(tables=(
        Table("users", (C("id", "integer"), C("name", "text", default=Literal("anon")), C("age", null=True)), PK("id"),
              indexes=(Index("users_name", (IndexPart(column="name"),), unique=True),)),
        Table("pets", (C("id", "integer"), C("owner", "integer", null=True)), PK("id"),
              foreign_keys=(ForeignKey("owner_fk", ("owner",), "users", ("id",)),)),
        Table("toys", (C("id", "integer"),), PK("id")),
    ))
    _run(conn, plan_changes([AddTable(t) for t in current.tables]))
    conn.execute("INSERT INTO users VALUES (1, NULL), (2, 'b')")
    conn.execute("INSERT INTO pets VALUES (1, 2)")
    _run(conn, plan_changes(diff_schemas(current, desired, RULES)))
    assert conn.execute("SELECT id, name, age FROM users ORDER BY id").fetchall() == [(1, "anon", None), (2, "b", None)]
    assert conn.execute("SELECT * FROM pets").fetchall() == [(1, 2)]
    master = _master(conn)
    assert set(master) == {"users", "users_name", "pets", "toys"}
    assert master["users_name"] == "CREATE UNIQUE INDEX `users_name` ON `users` (`name`)"
    assert master["users"] == ('CREATE TABLE "users" (`id` integer NOT NULL, `name` text NOT NULL DEFAULT \'anon\', '
                               "`age` int NULL, PRIMARY KEY (`id`))")
    assert conn.execute("PRAGMA foreign_key_list(pets)").fetchone()[2:5] == ("users", "owner", "id")
