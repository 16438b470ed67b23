"""MySQL types, diff rules and planner on schema values (no server): the statements Atlas's
MySQL planner writes (spec/mysql.md §4-§6)."""

from __future__ import annotations

import dataclasses

import pytest

from atoll.dialects.mysql.changes import ModifySchemaAttrs, SetTableAttr
from atoll.dialects.mysql.diff_rules import diff_schema
from atoll.dialects.mysql.plan import plan_changes
from atoll.dialects.mysql.server_info import ServerInfo
from atoll.dialects.mysql.types import format_type, hcl_type_text, parse_type
from atoll.errors import SchemaError
from atoll.schema.changes import AddTable, ModifyTable
from atoll.schema.model import (
    Check,
    Column,
    ForeignKey,
    Generated,
    Index,
    IndexPart,
    Literal,
    PrimaryKey,
    RawExpr,
    Schema,
    Table,
)

MARIA = ServerInfo(version="10.11.6-MariaDB-0+deb12u1", collation="utf8mb4_general_ci")
MYSQL8 = ServerInfo(version="8.0.36")


def col(name: str, typ: str, **kw) -> Column:
    return Column(name=name, type=parse_type(typ), **kw)


def sqls(changes, **kw) -> list[str]:
    return [s.sql for s in plan_changes(changes, **kw)]


@pytest.mark.parametrize("raw,ddl,hcl", [
    ("tinyint(1)", "bool", "bool"),
    ("boolean", "bool", "bool"),
    ("tinyint(4)", "tinyint", "tinyint"),
    ("int(10) unsigned", "int unsigned", "int"),
    ("bigint(20)", "bigint", "bigint"),
    ("bit(1)", "bit", "bit"),
    ("bit(64)", "bit(64)", "bit(64)"),
    ("decimal(10,0)", "decimal(10)", "decimal(10)"),
    ("decimal(10,2) unsigned", "decimal(10,2) unsigned", "decimal(10,2)"),
    ("float", "float", "float"),
    ("real", "double", "double"),
    ("char(1)", "char(1)", "char(1)"),
    ("varchar(255)", "varchar(255)", "varchar(255)"),
    ("binary(1)", "binary", "binary"),
    ("varbinary(30)", "varbinary(30)", "varbinary(30)"),
    ("enum('a','b')", "enum('a','b')", 'enum("a","b")'),
    ("set('x','y')", "set('x','y')", 'set("x","y")'),
    ("timestamp(6)", "timestamp(6)", "timestamp(6)"),
    ("datetime", "datetime", "datetime"),
    ("json", "json", "json"),
    ("geometry", "geometry", "geometry"),
])
def test_types_parse_format_and_print(raw, ddl, hcl):
    t = parse_type(raw)
    assert format_type(t) == ddl
    assert hcl_type_text(t) == hcl


def test_unknown_type_cannot_be_planned():
    with pytest.raises(SchemaError, match='unsupported type "custom"'):
        format_type(parse_type("custom"))


def test_create_table_like_atlas():
    t = Table(
        name="posts", charset="utf8mb4", collation="utf8mb4_bin", comment="posts comment",
        auto_increment=100,
        columns=(col("id", "bigint", auto_increment=True), col("text", "text", null=True),
                 col("uuid", "char(36)", null=True, charset="latin1", collation="latin1_bin"),
                 col("ch", "char", default=Literal('"unknown"'))),
        primary_key=PrimaryKey(parts=(IndexPart(column="id"),)),
        indexes=(Index(name="text_prefix", parts=(IndexPart(column="text", prefix=100,
                                                            desc=True),)),
                 Index(name="ft", parts=(IndexPart(column="text"),), method="FULLTEXT",
                       parser="ngram", comment="text index")),
        checks=(Check(expr="`id` > 0", name="id_nonzero"),))
    assert sqls([AddTable(t)]) == [
        "CREATE TABLE `posts` (`id` bigint NOT NULL AUTO_INCREMENT, `text` text NULL, "
        "`uuid` char(36) CHARSET latin1 NULL COLLATE latin1_bin, "
        "`ch` char NOT NULL DEFAULT \"unknown\", PRIMARY KEY (`id`), "
        "INDEX `text_prefix` (`text` (100) DESC), "
        "FULLTEXT INDEX `ft` (`text`) COMMENT \"text index\" WITH PARSER `ngram`, "
        "CONSTRAINT `id_nonzero` CHECK (`id` > 0)) CHARSET utf8mb4 COLLATE utf8mb4_bin "
        "COMMENT \"posts comment\" AUTO_INCREMENT 100"]


def test_indented_create_and_qualifier():
    t = Table(name="t1", columns=(col("a", "int"), col("id", "int")),
              primary_key=PrimaryKey(parts=(IndexPart(column="id"),), method="HASH"),
              comment="Comment")
    assert sqls([AddTable(t)], indent="  ") == [
        "CREATE TABLE `t1` (\n  `a` int NOT NULL,\n  `id` int NOT NULL,\n"
        "  PRIMARY KEY USING HASH (`id`)\n) COMMENT \"Comment\""]
    assert sqls([AddTable(t)], qualifier="test")[0].startswith("CREATE TABLE `test`.`t1` (")


def test_defaults_are_quoted_as_atlas_does():
    t = Table(name="d", columns=(
        col("a", "int", default=RawExpr("(int(rand()))")),
        col("b", "bigint", default=Literal("1")),
        col("c", "timestamp(6)", default=RawExpr("CURRENT_TIMESTAMP(6)"),
            on_update="CURRENT_TIMESTAMP(6)"),
        col("d", "varchar(10)", default=Literal("'it''s'")),
        col("e", "varchar(10)", default=RawExpr("plain")),
        col("f", "varbinary(4)", default=Literal("0x61"))))
    assert sqls([AddTable(t)]) == [
        "CREATE TABLE `d` (`a` int NOT NULL DEFAULT (int(rand())), "
        "`b` bigint NOT NULL DEFAULT 1, `c` timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) "
        "ON UPDATE CURRENT_TIMESTAMP(6), `d` varchar(10) NOT NULL DEFAULT 'it''s', "
        "`e` varchar(10) NOT NULL DEFAULT \"plain\", `f` varbinary(4) NOT NULL DEFAULT 0x61)"]


def test_generated_columns_by_flavour():
    t = Table(name="g", columns=(col("a", "int"), col("b", "int",
                                                     generated=Generated("a * 2", "STORED"))))
    assert sqls([AddTable(t)], info=MYSQL8) == [
        "CREATE TABLE `g` (`a` int NOT NULL, `b` int AS (a * 2) STORED NOT NULL)"]
    assert sqls([AddTable(t)], info=MARIA) == [
        "CREATE TABLE `g` (`a` int NOT NULL, `b` int AS (a * 2) STORED)"]


def test_set_null_on_not_null_column_is_refused():
    users = Table(name="users", columns=(col("id", "int"),))
    posts = Table(name="posts", columns=(col("author_id", "int"),), foreign_keys=(
        ForeignKey("owner", ("author_id",), "users", ("id",), on_delete="SET NULL"),))
    with pytest.raises(SchemaError, match='foreign key constraint was "author_id" SET NULL, '
                                          'but column "author_id" is NOT NULL'):
        plan_changes([AddTable(users), AddTable(posts)])


def _schema(*tables: Table, **kw) -> Schema:
    return Schema(name="app", tables=tables, charset="utf8mb4", collation="utf8mb4_general_ci",
                  **kw)


def test_modify_in_one_alter_and_rebuilds_in_two():
    base = Table(name="users", charset="utf8mb4", collation="utf8mb4_general_ci",
                 columns=(col("id", "int"), col("name", "varchar(10)"), col("old", "int")),
                 indexes=(Index("name", (IndexPart(column="name"),), unique=True),
                          Index("old", (IndexPart(column="old"),))))
    new = dataclasses.replace(
        base, columns=(col("id", "int"), col("name", "varchar(20)"), col("age", "int")),
        indexes=(Index("name", (IndexPart(column="name"),)),), comment="people",
        auto_increment=1000)
    changes = diff_schema(_schema(base), _schema(new))
    assert [type(c) for c in changes] == [ModifyTable]
    assert sqls(changes) == [
        "ALTER TABLE `users` DROP INDEX `name`",
        "ALTER TABLE `users` AUTO_INCREMENT 1000, COMMENT \"people\", "
        "MODIFY COLUMN `name` varchar(20) NOT NULL, DROP COLUMN `old`, "
        "ADD COLUMN `age` int NOT NULL, ADD INDEX `name` (`name`)"]


def test_diff_rules_that_are_no_change():
    t1 = Table(name="t", charset="utf8mb4", collation="utf8mb4_general_ci", auto_increment=2000,
               columns=(col("a", "tinyint(1)"), col("b", "int(11)", default=Literal("1")),
                        col("c", "timestamp", default=RawExpr("current_timestamp()")),
                        col("d", "varchar(5)", default=Literal("'x'")), col("r", "int")),
               foreign_keys=(ForeignKey("fk", ("r",), "t", ("b",), on_delete="RESTRICT"),),
               indexes=(Index("fk", (IndexPart(column="r"),)),))
    t2 = dataclasses.replace(
        t1, auto_increment=1000,
        columns=(col("a", "bool"), col("b", "int", default=Literal("'1'")),
                 col("c", "timestamp", default=RawExpr("CURRENT_TIMESTAMP")),
                 col("d", "varchar(5)", default=Literal('"x"')), col("r", "int")),
        foreign_keys=(ForeignKey("fk", ("r",), "t", ("b",)),), indexes=())
    # Lower AUTO_INCREMENT, display widths, equal defaults, RESTRICT = NO ACTION, and the
    # index MySQL made for the foreign key: nothing to do.
    assert diff_schema(_schema(t1), _schema(t2)) == []


def test_schema_charset_change_and_server_default():
    cur = _schema()
    want = dataclasses.replace(cur, charset="latin1", collation="latin1_swedish_ci")
    changes = diff_schema(cur, want)
    assert changes == [ModifySchemaAttrs("app", (("CHARSET", "utf8mb4", "latin1"),
                                                 ("COLLATE", "utf8mb4_general_ci",
                                                  "latin1_swedish_ci")))]
    assert sqls(changes, info=MARIA) == [
        "ALTER DATABASE `app` CHARSET latin1 COLLATE latin1_swedish_ci"]
    # Adding the server's own default says nothing.
    assert sqls([ModifySchemaAttrs("app", (("CHARSET", "", "utf8mb4"),))], info=MARIA) == []


def test_engine_change_and_table_attr_clauses():
    t1 = Table(name="p", columns=(col("id", "int"),), engine="MyISAM")
    t2 = dataclasses.replace(t1, engine=None)
    changes = diff_schema(_schema(t1), _schema(t2))
    assert changes[0].changes == (SetTableAttr("ENGINE", "MyISAM", "InnoDB"),)
    assert sqls(changes) == ["ALTER TABLE `p` ENGINE InnoDB"]


@pytest.mark.parametrize("old,new,message", [
    (None, Generated("1", "VIRTUAL"),
     'changing column "a" to VIRTUAL generated column is not supported'),
    (Generated("1", "VIRTUAL"), None,
     'changing VIRTUAL generated column "a" to non-generated column is not supported'),
    (Generated("1", "STORED"), Generated("1", "VIRTUAL"),
     'changing the store type of generated column "a" from "STORED" to "VIRTUAL"'),
])
def test_generated_column_changes_that_need_drop_and_add(old, new, message):
    t1 = Table(name="t", columns=(col("a", "int", generated=old),))
    t2 = Table(name="t", columns=(col("a", "int", generated=new),))
    with pytest.raises(SchemaError, match=message):
        plan_changes(diff_schema(_schema(t1), _schema(t2)))


def test_foreign_key_cycles_are_detached():
    users = Table(name="users", columns=(col("id", "bigint"), col("workplace_id", "bigint",
                                                                  null=True)),
                  foreign_keys=(ForeignKey("workplace", ("workplace_id",), "workplaces",
                                           ("id",)),))
    workplaces = Table(name="workplaces", columns=(col("id", "bigint"),
                                                   col("owner_id", "bigint", null=True)),
                       foreign_keys=(ForeignKey("owner", ("owner_id",), "users", ("id",)),))
    assert sqls([AddTable(users), AddTable(workplaces)]) == [
        "CREATE TABLE `users` (`id` bigint NOT NULL, `workplace_id` bigint NULL)",
        "CREATE TABLE `workplaces` (`id` bigint NOT NULL, `owner_id` bigint NULL)",
        "ALTER TABLE `users` ADD CONSTRAINT `workplace` FOREIGN KEY (`workplace_id`) "
        "REFERENCES `workplaces` (`id`)",
        "ALTER TABLE `workplaces` ADD CONSTRAINT `owner` FOREIGN KEY (`owner_id`) "
        "REFERENCES `users` (`id`)"]


def test_inspected_defaults_print_as_hcl_reads_them():
    from atoll.dialects.mysql.hcl_codec import default_hcl

    def hcl(typ: str, d) -> str:
        return default_hcl(col("c", typ, default=d))

    assert hcl("bit(3)", Literal("b'101'")) == 'sql("b\'101\'")'
    assert hcl("varchar(5)", Literal("'it''s \\\\ \\'q\\''")) == '"it\'s \\\\ \'q\'"'
    assert hcl("decimal(10,2)", Literal("1.50")) == "1.50"
    assert hcl("varchar(5)", Literal('"x"')) == '"x"'
    assert hcl("timestamp", RawExpr("(current_timestamp())")) == 'sql("(current_timestamp())")'


def test_check_enforcement_on_mysql8():
    """MySQL ≥ 8.0.16 (spec/mysql.md §6.5, §6.7): the attribute's presence prints ENFORCED;
    enforcement changes are ALTER CHECK; MariaDB knows neither."""
    from atoll.dialects.mysql.hcl_codec import encode

    base = Table(name="users", columns=(col("id", "int"),),
                 checks=(Check("id > 0", "check1", enforced=False), Check("id < 9", "check2"),
                         Check("id >= 1", "check3")))
    new = dataclasses.replace(base, checks=(Check("id > 0", "check1"),
                                            Check("id < 9", "check2", enforced=False),
                                            Check("id >= 0", "check3")))
    changes = diff_schema(_schema(base), _schema(new))
    assert sqls(changes, info=MYSQL8) == [
        "ALTER TABLE `users` ALTER CHECK `check1` ENFORCED, ALTER CHECK `check2` NOT "
        "ENFORCED, DROP CHECK `check3`, ADD CONSTRAINT `check3` CHECK (id >= 0)"]
    assert sqls([AddTable(new)], info=MYSQL8)[0].endswith(
        "CONSTRAINT `check2` CHECK (id < 9) ENFORCED, CONSTRAINT `check3` CHECK (id >= 0))")
    assert "ENFORCED" not in sqls([AddTable(new)], info=MARIA)[0]
    assert 'check "check2" {\n    expr     = "id < 9"\n    enforced = true\n  }' in \
        encode(_schema(new))


def test_names_the_server_made_up():
    from atoll.dialects.mysql.diff_rules import MySQLDiffRules

    t = Table(name="t", columns=(col("a", "int"),))
    rules = MySQLDiffRules(info=MYSQL8)

    def generated(name: str, parts) -> bool:
        return rules.is_generated_index_name(t, Index(name, parts))

    assert generated("a", (IndexPart(column="a"),)) and generated("a_2", (IndexPart(column="a"),))
    assert not generated("a_1", (IndexPart(column="a"),))
    assert generated("functional_index", (IndexPart(expr="(a + 1)"),))
    assert generated("functional_index_2", (IndexPart(expr="(a + 1)"),))
    assert not MySQLDiffRules(info=MARIA).is_generated_index_name(
        t, Index("functional_index", (IndexPart(expr="(a + 1)"),)))


def test_redundant_foreign_key_index_is_dropped_when_the_key_keeps_one():
    """cli-migrate-diff-mode-normalized: the desired table (read back from the dev database)
    keeps its own index for the key, so the redundant unique index goes."""
    fk = ForeignKey("tbl_ibfk_1", ("ref_id",), "ref", ("id",))
    cur = Table(name="tbl", columns=(col("ref_id", "bigint"),), foreign_keys=(fk,),
                indexes=(Index("ref_id", (IndexPart(column="ref_id"),)),
                         Index("u_ref_id", (IndexPart(column="ref_id"),), unique=True)))
    want = dataclasses.replace(cur, indexes=cur.indexes[:1])
    assert sqls(diff_schema(_schema(cur), _schema(want))) == [
        "ALTER TABLE `tbl` DROP INDEX `u_ref_id`"]
