"""Inspecting real SQLite databases (spec/sqlite-plan.md §1) and printing them as Atlas's
``schema inspect`` does (spec/schema-hcl.md §4)."""

from __future__ import annotations

import sqlite3

import pytest

from atoll.dialects.sqlite.connection import SQLiteConnection
from atoll.schema.exclude import exclude_schema, go_path_match
from atoll.dialects.sqlite.inspect import (
    expr_last_index,
    inspect_schema,
    scan_expr,
)
from atoll.errors import SchemaError
from atoll.hcl.schema_codec import encode_schema, schema_to_json
from atoll.schema.model import (
    Check,
    ForeignKey,
    Generated,
    IndexPart,
    Literal,
    RawExpr,
    TypeClass,
)
from atoll.urls import parse_url


@pytest.fixture
def inspect(tmp_path):
    """inspect(sql, exclude=()) → Schema of a fresh database file built from ``sql``."""
    counter = iter(range(1000))

    def run(sql: str, exclude=()):
        path = tmp_path / f"db{next(counter)}.db"
        db = sqlite3.connect(path)
        db.executescript(sql)
        db.close()
        conn = SQLiteConnection(parse_url(f"sqlite://{path}"))
        try:
            return inspect_schema(conn, exclude=exclude)
        finally:
            conn.close()

    return run


# --- pinned outputs --------------------------------------------------------------------------

def test_column_without_type(inspect):
    """column-default.txtar / Example A."""
    s = inspect("CREATE TABLE tbl (col)")
    col = s.tables[0].columns[0]
    assert col.type.cls is TypeClass.BINARY and col.type.name == "blob" and col.null
    assert encode_schema(s) == """\
table "tbl" {
  schema = schema.main
  column "col" {
    null = true
    type = blob
  }
}
schema "main" {
}
"""


def test_broken_table(inspect):
    """cli-migrate-apply.txtar / Example B."""
    assert encode_schema(inspect("CREATE TABLE `broken` (`id` integer);")) == """\
table "broken" {
  schema = schema.main
  column "id" {
    null = true
    type = integer
  }
}
schema "main" {
}
"""


def test_empty_database(inspect):
    assert encode_schema(inspect("")) == 'schema "main" {\n}\n'


CLI_INSPECT_SQL = ("CREATE TABLE `users` (`id` int NOT NULL, `a` int NOT NULL, `b` int NOT NULL, "
                   "`ab` int NOT NULL, `ac` uint64 NOT NULL)")

CLI_INSPECT_HCL = """\
table "users" {
  schema = schema.main
  column "id" {
    null = false
    type = int
  }
  column "a" {
    null = false
    type = int
  }
  column "b" {
    null = false
    type = int
  }
  column "ab" {
    null = false
    type = int
  }
  column "ac" {
    null = false
    type = uint64
  }
}
schema "main" {
}
"""


def test_cli_inspect(inspect):
    """cli-inspect.txtar / Example C, with its --exclude variants."""
    assert encode_schema(inspect(CLI_INSPECT_SQL)) == CLI_INSPECT_HCL
    assert encode_schema(inspect(CLI_INSPECT_SQL, ["users"])) == 'schema "main" {\n}\n'
    assert encode_schema(inspect(CLI_INSPECT_SQL, ["*.[ab]*"])) == """\
table "users" {
  schema = schema.main
  column "id" {
    null = false
    type = int
  }
}
schema "main" {
}
"""
    assert encode_schema(inspect(CLI_INSPECT_SQL, ["*.*"])) == """\
table "users" {
  schema = schema.main
}
schema "main" {
}
"""


def test_user_defined_type(inspect):
    """column-user-defined.txtar / Example E."""
    assert encode_schema(inspect("CREATE TABLE `t` (`c` USER_DEFINED NULL)")) == """\
table "t" {
  schema = schema.main
  column "c" {
    null = true
    type = sql("USER_DEFINED")
  }
}
schema "main" {
}
"""


EXAMPLE_F_SQL = """
CREATE TABLE users (
  id integer PRIMARY KEY AUTOINCREMENT,
  name varchar(255) NOT NULL DEFAULT 'x',
  email text UNIQUE,
  created datetime DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_email_desc ON users (email DESC);
CREATE UNIQUE INDEX idx_lower ON users (lower(name)) WHERE name <> '';
CREATE TABLE posts (
  id int NOT NULL,
  uid int REFERENCES users(id) ON DELETE CASCADE,
  CONSTRAINT fk2 FOREIGN KEY (id) REFERENCES users (id),
  CHECK (id > 0)
);
"""

EXAMPLE_F_HCL = """\
table "users" {
  schema = schema.main
  column "id" {
    null           = true
    type           = integer
    auto_increment = true
  }
  column "name" {
    null    = false
    type    = varchar(255)
    default = "x"
  }
  column "email" {
    null = true
    type = text
  }
  column "created" {
    null    = true
    type    = datetime
    default = sql("CURRENT_TIMESTAMP")
  }
  primary_key {
    columns = [column.id]
  }
  index "sqlite_autoindex_users_1" {
    unique  = true
    columns = [column.email]
  }
  index "idx_email_desc" {
    on {
      desc   = true
      column = column.email
    }
  }
  index "idx_lower" {
    unique = true
    where  = "name <> ''"
    on {
      expr = "lower(name)"
    }
  }
}
table "posts" {
  schema = schema.main
  column "id" {
    null = false
    type = int
  }
  column "uid" {
    null = true
    type = int
  }
  foreign_key "fk2" {
    columns     = [column.id]
    ref_columns = [table.users.column.id]
    on_update   = NO_ACTION
    on_delete   = NO_ACTION
  }
  foreign_key "1" {
    columns     = [column.uid]
    ref_columns = [table.users.column.id]
    on_update   = NO_ACTION
    on_delete   = CASCADE
  }
  check {
    expr = "(id > 0)"
  }
}
schema "main" {
}
"""


def test_example_f(inspect):
    s = inspect(EXAMPLE_F_SQL)
    assert [t.name for t in s.tables] == ["users", "posts"]  # sqlite_sequence skipped
    users, posts = s.tables
    assert users.column("id").auto_increment
    assert users.column("name").default == Literal("'x'")
    assert users.column("created").default == RawExpr("CURRENT_TIMESTAMP")
    assert [(i.name, i.origin, i.unique) for i in users.indexes] == [
        ("sqlite_autoindex_users_1", "u", True), ("idx_email_desc", "c", False),
        ("idx_lower", "c", True)]
    assert users.index("idx_lower").parts == (IndexPart(expr="lower(name)"),)
    assert users.index("idx_lower").where == "name <> ''"
    assert users.index("idx_email_desc").parts == (IndexPart(column="email", desc=True),)
    assert posts.foreign_keys == (
        ForeignKey(name="fk2", columns=("id",), ref_table="users", ref_columns=("id",),
                   on_update="NO ACTION", on_delete="NO ACTION"),
        ForeignKey(name="1", columns=("uid",), ref_table="users", ref_columns=("id",),
                   on_update="NO ACTION", on_delete="CASCADE"),
    )
    assert posts.checks == (Check(expr="(id > 0)"),)
    assert encode_schema(s) == EXAMPLE_F_HCL


def test_json_format(inspect):
    """TestSchema_InspectLog: {{ json . }}."""
    s = inspect("create table t1 (id integer primary key);create table t2 (name text);")
    assert schema_to_json(s) == (
        '{"schemas":[{"name":"main","tables":[{"name":"t1","columns":[{"name":"id",'
        '"type":"INTEGER","null":true}],"primary_key":{"parts":[{"column":"id"}]}},'
        '{"name":"t2","columns":[{"name":"name","type":"TEXT","null":true}]}]}]}')


def test_json_indent_and_escaping(inspect):
    s = inspect("create table `a<b` (c text)")
    assert schema_to_json(s) == ('{"schemas":[{"name":"main","tables":[{"name":"a\\u003cb",'
                                 '"columns":[{"name":"c","type":"TEXT","null":true}]}]}]}')
    assert schema_to_json(inspect(""), "  ") == (
        '{\n  "schemas": [\n    {\n      "name": "main"\n    }\n  ]\n}')
    assert schema_to_json(inspect(""), "> ", "\t") == (
        '{\n> \t"schemas": [\n> \t\t{\n> \t\t\t"name": "main"\n> \t\t}\n> \t]\n> }')


# --- conformance scripts: the tables their plans create, inspected back ---------------------

def test_autoincrement(inspect):
    s = inspect("CREATE TABLE `users` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT)")
    t = s.tables[0]
    assert t.column("id").auto_increment and not t.column("id").null
    assert t.primary_key.columns == ("id",)
    assert encode_schema(s) == """\
table "users" {
  schema = schema.main
  column "id" {
    null           = false
    type           = integer
    auto_increment = true
  }
  primary_key {
    columns = [column.id]
  }
}
schema "main" {
}
"""


def test_autoincrement_needs_integer_pk(inspect):
    s = inspect("CREATE TABLE t (a INTEGER, b INTEGER PRIMARY KEY AUTOINCREMENT, c text)")
    assert [c.auto_increment for c in s.tables[0].columns] == [False, True, False]
    s = inspect("CREATE TABLE t (id integer primary key, x text)")
    assert not s.tables[0].column("id").auto_increment


def test_generated_columns(inspect):
    s = inspect("CREATE TABLE `users` (`a` int NOT NULL, `b` int NOT NULL AS (1) VIRTUAL, "
                "`c` int NOT NULL AS (2) STORED, d text GENERATED ALWAYS AS (printf('%08x', a)))")
    t = s.tables[0]
    assert t.column("b").generated == Generated("(1)", "VIRTUAL")
    assert t.column("c").generated == Generated("(2)", "STORED")
    assert t.column("d").generated == Generated("(printf('%08x', a))", "VIRTUAL")
    assert encode_schema(s) == """\
table "users" {
  schema = schema.main
  column "a" {
    null = false
    type = int
  }
  column "b" {
    null = false
    type = int
    as {
      expr = "(1)"
      type = VIRTUAL
    }
  }
  column "c" {
    null = false
    type = int
    as {
      expr = "(2)"
      type = STORED
    }
  }
  column "d" {
    null = true
    type = text
    as {
      expr = "(printf('%08x', a))"
      type = VIRTUAL
    }
  }
}
schema "main" {
}
"""


def test_index_desc(inspect):
    s = inspect("CREATE TABLE `users` (`rank` int NOT NULL, `score` int NOT NULL);"
                "CREATE INDEX `rank_score_idx` ON `users` (`rank`, `score` DESC);"
                "CREATE INDEX `rank_idx` ON `users` (`rank`);")
    t = s.tables[0]
    assert t.index("rank_score_idx").parts == (IndexPart(column="rank"),
                                               IndexPart(column="score", desc=True))
    assert encode_schema(s).split("  index ", 1)[1] == """\
"rank_score_idx" {
    on {
      column = column.rank
    }
    on {
      desc   = true
      column = column.score
    }
  }
  index "rank_idx" {
    columns = [column.rank]
  }
}
schema "main" {
}
"""


def test_index_expressions(inspect):
    s = inspect("CREATE TABLE `users` (`first_name` text NOT NULL, `last_name` text NOT NULL);"
                "CREATE INDEX `full_name` ON `users` ((first_name || ' ' || last_name));"
                "CREATE INDEX `x` ON `users` ((lower(first_name) || '''s first name'), "
                "last_name DESC, upper(last_name) desc) WHERE first_name <> 'WHERE';"
                "CREATE INDEX c3_x ON users (json_extract(first_name, '$.x') desc, "
                "json_extract(first_name, '$.y') desc)")
    t = s.tables[0]
    assert t.index("full_name").parts == (IndexPart(expr="(first_name || ' ' || last_name)"),)
    assert t.index("x").parts == (
        IndexPart(expr="(lower(first_name) || '''s first name')"),
        IndexPart(column="last_name", desc=True),
        IndexPart(expr="upper(last_name)", desc=True))
    assert t.index("x").where == "first_name <> 'WHERE'"
    assert t.index("c3_x").parts == (IndexPart(expr="json_extract(first_name, '$.x')", desc=True),
                                     IndexPart(expr="json_extract(first_name, '$.y')", desc=True))
    text = encode_schema(s)
    assert """  index "full_name" {
    on {
      expr = "(first_name || ' ' || last_name)"
    }
  }
  index "x" {
    where = "first_name <> 'WHERE'"
    on {
      expr = "(lower(first_name) || '''s first name')"
    }
    on {
      desc   = true
      column = column.last_name
    }
    on {
      desc = true
      expr = "upper(last_name)"
    }
  }
""" in text
    assert 'expr = "json_extract(first_name, \'$.x\')"' in text


def test_partial_index(inspect):
    s = inspect("CREATE TABLE users (id int, name text, active bool);"
                "CREATE INDEX `users_name` ON `users` (`name`) WHERE active AND name <> ''")
    idx = s.tables[0].indexes[0]
    assert idx.where == "active AND name <> ''"
    assert """  index "users_name" {
    columns = [column.name]
    where   = "active AND name <> ''"
  }""" in encode_schema(s)


def test_table_options(inspect):
    s = inspect("CREATE TABLE `t1` (`id` integer NOT NULL, PRIMARY KEY (`id`)) "
                "WITHOUT ROWID, STRICT;"
                "CREATE TABLE `t2` (`id` integer NOT NULL, PRIMARY KEY (`id`)) STRICT;"
                "CREATE TABLE `t3` (`id` integer NOT NULL, PRIMARY KEY (`id`)) WITHOUT ROWID;"
                "CREATE TABLE `t4` (`id` integer NOT NULL, PRIMARY KEY (`id`));")
    assert [(t.name, t.without_rowid, t.strict) for t in s.tables] == [
        ("t1", True, True), ("t2", False, True), ("t3", True, False), ("t4", False, False)]
    # The PK index of a WITHOUT ROWID table is not listed.
    assert s.tables[0].indexes == ()
    assert encode_schema(s).startswith("""\
table "t1" {
  schema = schema.main
  column "id" {
    null = false
    type = integer
  }
  primary_key {
    columns = [column.id]
  }
  without_rowid = true
  strict        = true
}
table "t2" {
  schema = schema.main
  column "id" {
    null = false
    type = integer
  }
  primary_key {
    columns = [column.id]
  }
  strict = true
}
""")


# --- inspect details -------------------------------------------------------------------------

def test_defaults(inspect):
    s = inspect("""CREATE TABLE d (
        a text DEFAULT 'it''s', b text DEFAULT "x", c int DEFAULT 0, d text DEFAULT 0,
        e real DEFAULT 1.5, f bool DEFAULT true, g bool DEFAULT 1,
        h datetime DEFAULT CURRENT_TIMESTAMP,
        i int DEFAULT (1+1), j text DEFAULT NULL, k blob DEFAULT x'AB', l int DEFAULT 0x10,
        m int DEFAULT -5, o text DEFAULT (hex(1)), p int DEFAULT FALSE)""")
    t = s.tables[0]
    assert t.column("a").default == Literal("'it''s'")
    assert t.column("c").default == Literal("0")
    assert t.column("h").default == RawExpr("CURRENT_TIMESTAMP")
    assert t.column("i").default == RawExpr("1+1")
    assert t.column("o").default == RawExpr("hex(1)")
    assert t.column("k").default == Literal("x'AB'")
    got = {c.name: line.strip() for c in t.columns
           for line in encode_schema(s).split(f'column "{c.name}" {{', 1)[1].split("}", 1)[0]
           .splitlines() if "default" in line}
    assert got == {
        "a": 'default = "it\'s"', "b": 'default = "x"', "c": "default = 0",
        "d": 'default = "0"', "e": "default = 1.5", "f": "default = true", "g": "default = 1",
        "h": 'default = sql("CURRENT_TIMESTAMP")', "i": 'default = sql("1+1")',
        "j": 'default = sql("NULL")', "k": 'default = sql("x\'AB\'")',
        "l": 'default = sql("0x10")', "m": "default = -5",
        "o": 'default = sql("hex(1)")', "p": "default = false",
    }


def test_float_defaults(inspect):
    s = inspect("CREATE TABLE d (a real DEFAULT 0.10, b real DEFAULT 1.5e3, c real DEFAULT 5.)")
    text = encode_schema(s)
    assert "default = 0.1\n" in text and "default = 1500\n" in text
    assert "default = 5\n" in text


def test_default_exponent_without_fraction_fails(inspect):
    s = inspect("CREATE TABLE d (a int DEFAULT 1e3)")
    assert s.tables[0].column("a").default == Literal("1e3")
    with pytest.raises(SchemaError, match=r'strconv.ParseInt: parsing "1e3": invalid syntax'):
        encode_schema(s)


def test_checks(inspect):
    s = inspect("""CREATE TABLE t (
        c1 int CHECK ( c1<5 ), c2 int,
        CONSTRAINT "positive" CHECK (c1 > 10), CHECK ((c1 + c2) % 2 = 0),
        CONSTRAINT ck3 CHECK (c2 <> ')'))""")
    assert s.tables[0].checks == (
        Check("( c1<5 )"), Check("(c1 > 10)", "positive"), Check("((c1 + c2) % 2 = 0)"),
        Check("(c2 <> ')')", "ck3"))
    assert """  check {
    expr = "( c1<5 )"
  }
  check "positive" {
    expr = "(c1 > 10)"
  }""" in encode_schema(s)


def test_fk_names(inspect):
    s = inspect("""
        CREATE TABLE users (id int PRIMARY KEY, oid int, CONSTRAINT u UNIQUE (id, oid));
        CREATE TABLE t (
          c1 int, c2 int CONSTRAINT c2_fk REFERENCES users (id) ON UPDATE CASCADE,
          c3 int REFERENCES users(oid) ON DELETE SET NULL,
          parent int REFERENCES t (c1),
          CONSTRAINT `c1_c2_fk` FOREIGN KEY (`c1`, `c2`) REFERENCES `users` (`id`, `oid`)
        );""")
    t = s.table("t")
    by_name = {fk.name: fk for fk in t.foreign_keys}
    assert set(by_name) == {"c1_c2_fk", "1", "2", "c2_fk"}
    assert by_name["c1_c2_fk"].columns == ("c1", "c2")
    assert by_name["c2_fk"].on_update == "CASCADE"
    assert by_name["2"].on_delete == "SET NULL"
    assert by_name["1"].ref_table == "t"
    text = encode_schema(s)
    # Self references are qualified with the table name too.
    assert 'ref_columns = [table.t.column.c1]' in text
    assert 'on_delete   = SET_NULL' in text
    assert 'ref_columns = [table.users.column.id, table.users.column.oid]' in text


def test_fk_without_columns_references_primary_key(inspect):
    s = inspect("CREATE TABLE p (a int, b int, PRIMARY KEY (b, a));"
                "CREATE TABLE c (x int, y int, FOREIGN KEY (x, y) REFERENCES p)")
    assert s.table("c").foreign_keys[0].ref_columns == ("b", "a")


def test_composite_pk_keeps_key_order(inspect):
    # Atlas reports the parts in column order (a, c); the key's own order is what matters.
    s = inspect("CREATE TABLE t (a int, b int, c int, PRIMARY KEY (c, a))")
    assert s.tables[0].primary_key.columns == ("c", "a")
    assert not s.tables[0].column("a").auto_increment


def test_table_order_and_skipped_tables(inspect):
    s = inspect("CREATE TABLE b (x int); CREATE TABLE a (id integer primary key autoincrement);"
                "CREATE TABLE atlas_schema_revisions (v text); ANALYZE;"
                "CREATE VIEW v AS SELECT 1; CREATE TEMP TABLE tmp (x int);")
    assert [t.name for t in s.tables] == ["b", "a", "atlas_schema_revisions"]


def test_rebuilt_table_moves_to_end(inspect):
    s = inspect("CREATE TABLE t (a int); CREATE TABLE u (b int);"
                "CREATE TABLE new_t (a int, c int); INSERT INTO new_t (a) SELECT a FROM t;"
                "DROP TABLE t; ALTER TABLE new_t RENAME TO t;")
    assert [t.name for t in s.tables] == ["u", "t"]


def test_quoted_names(inspect):
    s = inspect('CREATE TABLE "my table" ("first name" text, "id" int PRIMARY KEY);'
                'CREATE INDEX "idx x" ON "my table" ("first name")')
    text = encode_schema(s)
    assert 'table "my table" {' in text
    assert 'columns = [column["first name"]]' in text
    assert 'columns = [column.id]' in text


def test_index_and_fk_order_table(inspect):
    s = inspect("CREATE TABLE r (id integer primary key, name varchar UNIQUE NOT NULL, price "
                "decimal); CREATE INDEX r_price ON r (price); CREATE INDEX a_first ON r (id)")
    assert [i.name for i in s.tables[0].indexes] == ["sqlite_autoindex_r_1", "r_price", "a_first"]


# --- exclude -----------------------------------------------------------------------------

SQL_EXCL = """
CREATE TABLE users (id int PRIMARY KEY, name text, age int, CONSTRAINT named CHECK (age > 0),
  CHECK (id > 0));
CREATE INDEX name_idx ON users (name);
CREATE INDEX age_idx ON users (age);
CREATE TABLE pets (id int, owner int REFERENCES users (id), kind text);
"""


def test_exclude_selectors(inspect):
    s = inspect(SQL_EXCL, ["*.*_idx[type=index]"])
    assert [i.name for i in s.table("users").indexes] == []
    assert [c.name for c in s.table("users").columns] == ["id", "name", "age"]
    s = inspect(SQL_EXCL, ["users.named[type=check]"])
    assert s.table("users").checks == (Check("(id > 0)"),)
    s = inspect(SQL_EXCL, ["users.name[type=column]"])
    # As in Atlas, indexes on an excluded column stay (SQLite inspection does not link them).
    assert [c.name for c in s.table("users").columns] == ["id", "age"]
    assert [i.name for i in s.table("users").indexes] == ["name_idx", "age_idx"]
    s = inspect(SQL_EXCL, ["pets.owner"])
    assert s.table("pets").foreign_keys == ()
    s = inspect(SQL_EXCL, ["pets.owner[type=column]"])
    assert len(s.table("pets").foreign_keys) == 1
    s = inspect(SQL_EXCL, ["pets.0[type=fk]"])
    assert s.table("pets").foreign_keys == ()
    s = inspect(SQL_EXCL, ["u*", "p?ts.kind"])
    assert [t.name for t in s.tables] == ["pets"]
    assert [c.name for c in s.tables[0].columns] == ["id", "owner"]
    s = inspect(SQL_EXCL, ["users[type=column]"])
    assert [t.name for t in s.tables] == ["users", "pets"]


def test_exclude_referenced_table_cannot_be_printed(inspect):
    s = inspect(SQL_EXCL, ["users"])
    with pytest.raises(SchemaError, match=r'missing reference for column '
                                          r'"\$table.users.\$column.id" in "main"."pets"."0"'):
        encode_schema(s)


def test_exclude_pattern_errors(inspect):
    s = inspect(SQL_EXCL)
    with pytest.raises(SchemaError, match=r'too many parts in pattern: "main.a.b.c"'):
        exclude_schema(s, ["a.b.c"])
    with pytest.raises(SchemaError, match="syntax error in pattern"):
        exclude_schema(s, ["[a"])


@pytest.mark.parametrize("pattern, name, ok", [
    ("*", "users", True), ("*", "", True), ("[ab]*", "ab", True), ("[ab]*", "id", False),
    ("u?ers", "users", True), ("[^u]*", "users", False), ("[^u]*", "pets", True),
    ("[a-c]", "b", True), ("\\*", "*", True), ("\\*", "a", False), ("*", "a/b", False),
    ("users", "Users", False),
])
def test_go_path_match(pattern, name, ok):
    assert go_path_match(pattern, name) is ok


# --- helpers ---------------------------------------------------------------------------------

def test_scan_expr():
    assert scan_expr("(a+1), c int") == "(a+1)"
    assert scan_expr("(a = ')'), x") == "(a = ')')"
    assert scan_expr("((x) ") == ""


def test_expr_last_index():
    assert expr_last_index("c1, c2*2") == 1
    assert expr_last_index("json_extract(c3, '$.x') desc, y") == 27
    assert expr_last_index("'unterminated") == -1
