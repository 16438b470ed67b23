"""The declarative side on PostgreSQL (real server at 127.0.0.1:5432, user postgres, trust):
inspect → HCL, HCL → normalised desired state on a dev schema, diff and plan with Atlas's
statements, schema apply/diff/clean, migrate diff, and the clean-database check of a first
migrate apply. Each test gets a database of its own and drops it afterwards."""

from __future__ import annotations

import pytest

from atoll.dialects import dialect_for
from atoll.errors import SchemaError
from atoll.migrate import hash_dir
from atoll.schema.model import EnumType, Schema
from atoll.urls import parse_url
from postgres_support import atoll, db, failed, ok, sql, url  # noqa: F401 (db: fixture)

SCHEMA_SQL = """
CREATE TYPE app.status AS ENUM ('active', 'inactive');
CREATE TABLE app.users (
  id serial PRIMARY KEY,
  name varchar(255) NOT NULL DEFAULT 'anon',
  status app.status NOT NULL DEFAULT 'active',
  tags text[],
  price numeric(10,2),
  seen timestamptz(3) DEFAULT now(),
  gid bigint GENERATED ALWAYS AS IDENTITY (START WITH 10),
  nick text UNIQUE,
  CONSTRAINT price_positive CHECK (price > 0)
);
COMMENT ON TABLE app.users IS 'people';
CREATE INDEX users_lower_name ON app.users (lower(name) DESC) WHERE price > 1;
CREATE INDEX users_tags ON app.users USING GIN (tags);
CREATE TABLE app.posts (id int, user_id int REFERENCES app.users (id) ON DELETE CASCADE)
  PARTITION BY HASH (id);
"""

EXPECTED_HCL = """table "posts" {
  schema = schema.app
  column "id" {
    null = true
    type = integer
  }
  column "user_id" {
    null = true
    type = integer
  }
  foreign_key "posts_user_id_fkey" {
    columns     = [column.user_id]
    ref_columns = [table.users.column.id]
    on_update   = NO_ACTION
    on_delete   = CASCADE
  }
  partition {
    type    = HASH
    columns = [column.id]
  }
}
table "users" {
  schema  = schema.app
  comment = "people"
  column "id" {
    null = false
    type = serial
  }
  column "name" {
    null    = false
    type    = character_varying(255)
    default = "anon"
  }
  column "status" {
    null    = false
    type    = enum.status
    default = "active"
  }
  column "tags" {
    null = true
    type = sql("text[]")
  }
  column "price" {
    null = true
    type = numeric(10,2)
  }
  column "seen" {
    null    = true
    type    = timestamptz(3)
    default = sql("now()")
  }
  column "gid" {
    null = false
    type = bigint
    identity {
      generated = ALWAYS
      start     = 10
    }
  }
  column "nick" {
    null = true
    type = text
  }
  primary_key {
    columns = [column.id]
  }
  index "users_lower_name" {
    where = "(price > (1)::numeric)"
    on {
      desc = true
      expr = "lower((name)::text)"
    }
  }
  index "users_tags" {
    columns = [column.tags]
    type    = GIN
  }
  check "price_positive" {
    expr = "(price > (0)::numeric)"
  }
  unique "users_nick_key" {
    columns = [column.nick]
  }
}
enum "status" {
  schema = schema.app
  values = ["active", "inactive"]
}
schema "app" {
}
"""


def test_inspect_prints_atlas_hcl_and_it_applies_back_without_changes(tmp_path, db):
    sql(db, SCHEMA_SQL)
    out = ok(atoll(tmp_path, "schema", "inspect", "-u", url(db, "app")))
    assert out == EXPECTED_HCL
    # The printed HCL is the desired state of the schema it came from: nothing to do.
    (tmp_path / "schema.hcl").write_text(out)
    diff = ok(atoll(tmp_path, "schema", "diff", "--from", url(db, "app"), "--to",
                    "file://schema.hcl", "--dev-url", url(db, "dev")))
    assert diff == "Schemas are synced, no changes to be made.\n"
    # ... and it recreates the same schema elsewhere.
    sql(db, "CREATE SCHEMA other")
    (tmp_path / "other.hcl").write_text(out.replace("schema.app", "schema.other")
                                        .replace('schema "app"', 'schema "other"'))
    ok(atoll(tmp_path, "schema", "apply", "-u", url(db, "other"), "--to", "file://other.hcl",
             "--dev-url", url(db, "dev"), "--auto-approve"))
    again = ok(atoll(tmp_path, "schema", "inspect", "-u", url(db, "other")))
    assert again == out.replace("schema.app", "schema.other").replace('schema "app"',
                                                                        'schema "other"')
    # The dev schema is left empty.
    assert sql(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'dev'") == [(0,)]


def test_plan_has_atlas_statements_and_order(tmp_path, db):
    sql(db, "CREATE TYPE app.e AS ENUM ('a'); CREATE TABLE app.t (id int PRIMARY KEY, "
            "c app.e NOT NULL, old int, CONSTRAINT ck CHECK (id > 0));"
            "CREATE INDEX t_old ON app.t (old)")
    (tmp_path / "s.hcl").write_text("""
schema "app" {}
enum "e" {
  schema = schema.app
  values = ["z", "a", "b"]
}
table "t" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "c" {
    type = enum.e
  }
  column "n" {
    type = varchar(10)
    null = true
    comment = "it's new"
  }
  primary_key {
    columns = [column.id]
  }
  check "ck" {
    expr = "id > 1"
  }
  index "t_n" {
    columns = [column.n]
    unique = true
  }
}
table "u" {
  schema = schema.app
  column "t_id" {
    type = bigint
  }
  foreign_key "u_t" {
    columns = [column.t_id]
    ref_columns = [table.t.column.id]
  }
}
""")
    out = ok(atoll(tmp_path, "schema", "diff", "--from", url(db, "app"), "--to",
                   "file://s.hcl", "--dev-url", url(db, "dev")))
    assert out == (
        "-- Add value to enum type: \"e\"\n"
        "ALTER TYPE \"e\" ADD VALUE 'z' BEFORE 'a';\n"
        "-- Add value to enum type: \"e\"\n"
        "ALTER TYPE \"e\" ADD VALUE 'b';\n"
        "-- Modify \"t\" table\n"
        "ALTER TABLE \"t\" DROP CONSTRAINT \"ck\", ADD CONSTRAINT \"ck\" CHECK (id > 1), "
        "ALTER COLUMN \"id\" TYPE bigint, DROP COLUMN \"old\", "
        "ADD COLUMN \"n\" character varying(10) NULL;\n"
        "-- Create index \"t_n\" to table: \"t\"\n"
        "CREATE UNIQUE INDEX \"t_n\" ON \"t\" (\"n\");\n"
        "-- Set comment to column: \"n\" on table: \"t\"\n"
        "COMMENT ON COLUMN \"t\".\"n\" IS 'it''s new';\n"
        "-- Create \"u\" table\n"
        "CREATE TABLE \"u\" (\"t_id\" bigint NOT NULL, CONSTRAINT \"u_t\" FOREIGN KEY (\"t_id\") "
        "REFERENCES \"t\" (\"id\") ON UPDATE NO ACTION ON DELETE NO ACTION);\n")
    ok(atoll(tmp_path, "schema", "apply", "-u", url(db, "app"), "--to", "file://s.hcl",
             "--dev-url", url(db, "dev"), "--auto-approve"))
    assert sql(db, "SELECT enum_range(NULL::app.e)::text") == [("{z,a,b}",)]


def test_migrate_diff_writes_atlas_files(tmp_path, db):
    (tmp_path / "migrations").mkdir()
    (tmp_path / "s.hcl").write_text("""
schema "app" {}
table "users" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "created" {
    type = timestamp(4)
    default = sql("CURRENT_TIMESTAMP(4)")
  }
  primary_key {
    columns = [column.id]
  }
}
""")
    ok(atoll(tmp_path, "migrate", "diff", "init", "--dir", "file://migrations", "--to",
             "file://s.hcl", "--dev-url", url(db, "dev")))
    files = sorted(p.name for p in (tmp_path / "migrations").glob("*.sql"))
    assert len(files) == 1 and files[0].endswith("_init.sql")
    assert (tmp_path / "migrations" / files[0]).read_text() == (
        '-- Create "users" table\n'
        'CREATE TABLE "users" ("id" bigint NOT NULL, "created" timestamp(4) NOT NULL '
        'DEFAULT CURRENT_TIMESTAMP(4), PRIMARY KEY ("id"));\n')
    out = ok(atoll(tmp_path, "migrate", "diff", "--dir", "file://migrations", "--to",
                   "file://s.hcl", "--dev-url", url(db, "dev")))
    assert "no changes to be made" in out
    ok(atoll(tmp_path, "migrate", "validate", "--dir", "file://migrations", "--dev-url",
             url(db, "dev")))


def test_tables_referencing_each_other_get_their_keys_after_both_exist(tmp_path, db):
    (tmp_path / "s.hcl").write_text("""
schema "app" {}
table "users" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "workplace_id" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "workplace" {
    columns = [column.workplace_id]
    ref_columns = [table.workplaces.column.id]
  }
}
table "workplaces" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "owner_id" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "owner" {
    columns = [column.owner_id]
    ref_columns = [table.users.column.id]
  }
}
""")
    args = ("--to", "file://s.hcl", "--dev-url", url(db, "dev"))
    out = ok(atoll(tmp_path, "schema", "diff", "--from", url(db, "app"), *args))
    assert [line for line in out.splitlines() if not line.startswith("--")] == [
        'CREATE TABLE "users" ("id" integer NOT NULL, "workplace_id" integer NULL, '
        'PRIMARY KEY ("id"));',
        'CREATE TABLE "workplaces" ("id" integer NOT NULL, "owner_id" integer NULL, '
        'PRIMARY KEY ("id"));',
        'ALTER TABLE "users" ADD CONSTRAINT "workplace" FOREIGN KEY ("workplace_id") '
        'REFERENCES "workplaces" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION;',
        'ALTER TABLE "workplaces" ADD CONSTRAINT "owner" FOREIGN KEY ("owner_id") '
        'REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION;']
    ok(atoll(tmp_path, "schema", "apply", "-u", url(db, "app"), *args, "--auto-approve"))
    assert "no changes" in ok(atoll(tmp_path, "schema", "diff", "--from", url(db, "app"), *args))


def test_migrate_diff_on_the_public_dev_schema_ignores_its_comment(tmp_path, db):
    # The HCL names its schema "main"; the dev URL is bound to "public", whose comment
    # ("standard public schema") is the dev database's, not part of the desired state.
    (tmp_path / "migrations").mkdir()
    (tmp_path / "s.hcl").write_text(
        'schema "main" {}\n'
        'table "t" {\n  schema = schema.main\n  column "id" {\n    type = int\n  }\n}\n')
    args = ("--dir", "file://migrations", "--to", "file://s.hcl", "--dev-url", url(db, "public"))
    ok(atoll(tmp_path, "migrate", "diff", "init", *args))
    (written,) = (tmp_path / "migrations").glob("*_init.sql")
    assert written.read_text() == (
        '-- Create "t" table\nCREATE TABLE "t" ("id" integer NOT NULL);\n')
    assert "no changes to be made" in ok(atoll(tmp_path, "migrate", "diff", *args))


def test_docker_dev_url_names_the_alternative(tmp_path, db):
    (tmp_path / "s.hcl").write_text('schema "app" {}\n')
    line = failed(atoll(tmp_path, "schema", "diff", "--from", url(db, "app"), "--to",
                        "file://s.hcl", "--dev-url", "docker://postgres/15/dev"))
    assert "docker://" in line and "search_path=dev" in line


def test_unsupported_blocks_and_plan_errors_are_atlas_messages(tmp_path, db):
    (tmp_path / "seq.hcl").write_text('schema "app" {}\nsequence "s" {\n  schema = schema.app\n}\n')
    line = failed(atoll(tmp_path, "schema", "apply", "-u", url(db, "app"), "--to",
                        "file://seq.hcl", "--dev-url", url(db, "dev"), "--auto-approve"))
    assert line == ("Error: postgres: sequences are not supported by this version. "
                    "Use: https://atlasgo.io/getting-started")
    dialect = dialect_for(url(db, "app"))
    with pytest.raises(SchemaError, match='reordering enum "e" value "b" is not supported'):
        dialect.plan(dialect.diff(Schema("app", enums=(EnumType("e", ("a", "b")),)),
                                  Schema("app", enums=(EnumType("e", ("b", "a")),))))
    sql(db, "CREATE TABLE app.p (a int) PARTITION BY LIST (a)")
    (tmp_path / "p.hcl").write_text("""
schema "app" {}
table "p" {
  schema = schema.app
  column "a" {
    type = int
    null = true
  }
  partition {
    type = RANGE
    columns = [column.a]
  }
}
""")
    line = failed(atoll(tmp_path, "schema", "apply", "-u", url(db, "app"), "--to",
                        "file://p.hcl", "--dev-url", url(db, "dev"), "--auto-approve"))
    assert line == ('Error: partition key of table "p" cannot be changed from PARTITION BY '
                    'LIST ("a") to PARTITION BY RANGE ("a") (drop and add is required)')


def test_schema_clean_empties_the_schema_and_keeps_it(tmp_path, db):
    sql(db, SCHEMA_SQL)
    ok(atoll(tmp_path, "schema", "clean", "-u", url(db, "app"), "--auto-approve"))
    assert sql(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'app'") == [(0,)]
    assert sql(db, "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = "
                   "t.typnamespace WHERE n.nspname = 'app' AND t.typtype = 'e'") == [(0,)]
    assert sql(db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'app'") == [(1,)]


@pytest.mark.parametrize("obj,found", [
    ("CREATE TYPE app.mood AS ENUM ('ok')", 'enum "mood"'),
    ("CREATE FUNCTION app.f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql", 'function "f"'),
    ("CREATE SEQUENCE app.counter", 'sequence "counter"'),
    ("CREATE VIEW app.v AS SELECT 1 AS one", 'view "v"'),
])
def test_first_apply_refuses_a_schema_holding_any_object(tmp_path, db, obj, found):
    sql(db, obj)
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1_init.sql").write_text("CREATE TABLE t (id int);\n")
    hash_dir(d)
    line = failed(atoll(tmp_path, "migrate", "apply", "--dir", "file://migrations", "--url",
                        url(db, "app")))
    assert line == (f"Error: sql/migrate: connected database is not clean: found {found}. "
                    f"baseline version or allow-dirty is required")
    ok(atoll(tmp_path, "migrate", "apply", "--dir", "file://migrations", "--url",
             url(db, "app"), "--allow-dirty"))
    # Serial and identity sequences belong to their tables: a migrated schema stays clean.
    dialect = dialect_for(url(db, "dev"))
    sql(db, "CREATE TABLE dev.t (id serial, g int GENERATED ALWAYS AS IDENTITY)")
    with dialect.connect(parse_url(url(db, "dev"))) as conn:
        from atoll.dialects.postgres.objects import user_objects

        assert user_objects(conn) == []


@pytest.mark.parametrize("create_key", ["add", "create"])
def test_diff_concurrent_index_plans_index_changes_on_existing_tables_concurrently(
        tmp_path, db, create_key):
    # Atlas's docs name the CREATE switch both "add" and "create"; both work.
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "1_init.sql").write_text(
        "CREATE TABLE t (a int, b int);\nCREATE INDEX t_b ON t (b);\n")
    ok(atoll(tmp_path, "migrate", "hash", "--dir", "file://migrations"))
    (tmp_path / "s.hcl").write_text("""
schema "public" {}
table "t" {
  schema = schema.public
  column "a" {
    type = int
    null = true
  }
  column "b" {
    type = int
    null = true
  }
  index "t_a" {
    columns = [column.a]
  }
}
table "u" {
  schema = schema.public
  column "x" {
    type = int
  }
  index "u_x" {
    columns = [column.x]
  }
}
""")
    (tmp_path / "atlas.hcl").write_text(f"""
env "dev" {{
  dev = "{url(db, 'public')}"
  src = "file://s.hcl"
  migration {{
    dir = "file://migrations"
  }}
  diff {{
    concurrent_index {{
      {create_key} = true
      drop = true
    }}
  }}
}}
""")
    ok(atoll(tmp_path, "migrate", "diff", "next", "--env", "dev"))
    (written,) = (tmp_path / "migrations").glob("*_next.sql")
    assert [line for line in written.read_text().splitlines() if not line.startswith("--")] == [
        'DROP INDEX CONCURRENTLY "t_b";',
        'CREATE INDEX CONCURRENTLY "t_a" ON "t" ("a");',
        'CREATE TABLE "u" ("x" integer NOT NULL);',
        'CREATE INDEX "u_x" ON "u" ("x");']
