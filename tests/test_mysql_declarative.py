"""The declarative commands on the local MariaDB/MySQL server: ``schema inspect`` (HCL printed
as Atlas prints it, round trips through apply), ``schema apply|diff`` with a dev database,
``schema clean``, ``schema fmt`` and the refusals (dirty dev database, server-scope URLs).
Every test works on databases of its own, dropped afterwards."""

from __future__ import annotations

import pytest

from mysql_support import atoll, drop_db, failed, new_db, ok, q, tables, url

SCHEMA = """schema "{db}" {{
  charset = "utf8mb4"
  collate = "utf8mb4_general_ci"
}}
table "users" {{
  schema = schema.{db}
  column "id" {{
    type           = int
    unsigned       = true
    auto_increment = true
  }}
  column "name" {{
    type    = varchar(100)
    default = "a'b"
  }}
  column "code" {{
    type    = char(8)
    null    = true
    collate = "utf8mb4_bin"
  }}
  column "kind" {{
    type    = enum("a","b")
    default = "a"
  }}
  column "price" {{
    type    = decimal(10,2)
    default = 1.5
  }}
  column "created" {{
    type      = timestamp(6)
    default   = sql("CURRENT_TIMESTAMP(6)")
    on_update = sql("CURRENT_TIMESTAMP(6)")
  }}
  column "doc" {{
    type = json
    null = true
  }}
  column "twice" {{
    type = decimal(12,2)
    null = true
    as {{
      expr = "price * 2"
      type = STORED
    }}
  }}
  primary_key {{
    columns = [column.id]
  }}
  index "by_name" {{
    on {{
      column = column.name
      prefix = 10
      desc   = true
    }}
  }}
  index "by_code" {{
    unique  = true
    columns = [column.code, column.kind]
    comment = "codes"
  }}
  check "positive" {{
    expr = "price > 0"
  }}
  auto_increment = 100
  comment        = "people"
}}
table "posts" {{
  schema = schema.{db}
  column "id" {{
    type = int
  }}
  column "user_id" {{
    type     = int
    unsigned = true
    null     = true
  }}
  primary_key {{
    columns = [column.id]
  }}
  foreign_key "author" {{
    columns     = [column.user_id]
    ref_columns = [table.users.column.id]
    on_delete   = SET_NULL
  }}
}}
"""

INSPECTED = """table "posts" {{
  schema = schema.{db}
  column "id" {{
    null = false
    type = int
  }}
  column "user_id" {{
    null     = true
    type     = int
    unsigned = true
  }}
  primary_key {{
    columns = [column.id]
  }}
  foreign_key "author" {{
    columns     = [column.user_id]
    ref_columns = [table.users.column.id]
    on_update   = RESTRICT
    on_delete   = SET_NULL
  }}
  index "author" {{
    columns = [column.user_id]
  }}
}}
table "users" {{
  schema  = schema.{db}
  comment = "people"
  column "id" {{
    null           = false
    type           = int
    unsigned       = true
    auto_increment = true
  }}
  column "name" {{
    null    = false
    type    = varchar(100)
    default = "a'b"
  }}
  column "code" {{
    null    = true
    type    = char(8)
    collate = "utf8mb4_bin"
  }}
  column "kind" {{
    null    = false
    type    = enum("a","b")
    default = "a"
  }}
  column "price" {{
    null    = false
    type    = decimal(10,2)
    default = 1.50
  }}
  column "created" {{
    null      = false
    type      = timestamp(6)
    default   = sql("(current_timestamp(6))")
    on_update = sql("current_timestamp(6)")
  }}
  column "doc" {{
    null = true
    type = json
  }}
  column "twice" {{
    null = true
    type = decimal(12,2)
    as {{
      expr = "`price` * 2"
      type = STORED
    }}
  }}
  primary_key {{
    columns = [column.id]
  }}
  index "by_code" {{
    unique  = true
    columns = [column.code, column.kind]
    comment = "codes"
  }}
  index "by_name" {{
    on {{
      desc   = true
      column = column.name
      prefix = 10
    }}
  }}
  check "positive" {{
    expr = "`price` > 0"
  }}
}}
schema "{db}" {{
  charset = "utf8mb4"
  collate = "utf8mb4_general_ci"
}}
"""


@pytest.fixture
def dbs():
    names = [new_db(), new_db(), new_db()]  # target, dev, a second target
    try:
        yield names
    finally:
        for n in names:
            drop_db(n)


def _maria() -> bool:
    return "mariadb" in q("SELECT VERSION()")[0][0].lower()


def test_apply_inspect_and_round_trip(tmp_path, dbs):
    db, dev, other = dbs
    (tmp_path / "schema.hcl").write_text(SCHEMA.format(db=db))
    out = ok(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://schema.hcl",
                   "--dev-url", url(dev), "--auto-approve"))
    assert "-- Create \"users\" table\nCREATE TABLE `users` (\n  `id` int unsigned NOT NULL " \
           "AUTO_INCREMENT," in out, out
    assert tables(db) == ["posts", "users"] and tables(dev) == []
    assert q("SELECT AUTO_INCREMENT FROM information_schema.tables WHERE table_schema = %s "
             "AND table_name = 'users'", (db,)) == [(100,)]
    synced = ok(atoll(tmp_path, "schema", "diff", "--from", url(db), "--to", "file://schema.hcl",
                      "--dev-url", url(dev)))
    assert synced == "Schemas are synced, no changes to be made.\n"
    inspected = ok(atoll(tmp_path, "schema", "inspect", "-u", url(db)))
    if _maria():
        assert inspected == INSPECTED.format(db=db)
    # What inspect prints applies to another database and inspects back byte for byte.
    (tmp_path / "back.hcl").write_text(inspected.replace(db, other))
    ok(atoll(tmp_path, "schema", "apply", "-u", url(other), "--to", "file://back.hcl",
             "--dev-url", url(dev), "--auto-approve"))
    assert ok(atoll(tmp_path, "schema", "inspect", "-u", url(other))) == \
        inspected.replace(db, other)
    # The SQL form creates the same schema.
    sql = ok(atoll(tmp_path, "schema", "inspect", "-u", url(db), "--format", "{{ sql . }}"))
    assert sql.startswith('-- Create "users" table\nCREATE TABLE `users` (`id` int unsigned '
                          'NOT NULL AUTO_INCREMENT, ')
    assert "CONSTRAINT `author` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`)" in sql


def test_changes_are_planned_like_atlas(tmp_path, dbs):
    db, dev, _ = dbs
    q(f"CREATE TABLE `{db}`.t (id int NOT NULL, name varchar(10) NOT NULL, "
      f"UNIQUE KEY name (name))")
    (tmp_path / "s.hcl").write_text(f"""schema "{db}" {{}}
table "t" {{
  schema = schema.{db}
  column "id" {{
    type = bigint
  }}
  column "name" {{
    type = varchar(20)
  }}
  column "note" {{
    type = text
    null = true
    comment = "free \\"text\\""
  }}
  index "name" {{
    columns = [column.name]
  }}
  comment = "things"
}}
""")
    out = ok(atoll(tmp_path, "schema", "diff", "--from", url(db), "--to", "file://s.hcl",
                   "--dev-url", url(dev)))
    assert out == (
        '-- Modify "t" table\nALTER TABLE `t` DROP INDEX `name`;\n'
        '-- Modify "t" table\nALTER TABLE `t` COMMENT "things", MODIFY COLUMN `id` bigint '
        'NOT NULL, MODIFY COLUMN `name` varchar(20) NOT NULL, ADD COLUMN `note` text NULL '
        'COMMENT "free \\"text\\"", ADD INDEX `name` (`name`);\n')
    ok(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://s.hcl", "--dev-url",
             url(dev), "--auto-approve"))
    assert ok(atoll(tmp_path, "schema", "diff", "--from", url(db), "--to", "file://s.hcl",
                    "--dev-url", url(dev))).startswith("Schemas are synced")


def test_failing_statement_is_reported_in_one_line(tmp_path, dbs):
    db, dev, _ = dbs
    q(f"CREATE TABLE `{db}`.t (c int NOT NULL, UNIQUE KEY c (c))")
    q(f"INSERT INTO `{db}`.t VALUES (1)")
    (tmp_path / "s.hcl").write_text(f"""schema "{db}" {{}}
table "t" {{
  schema = schema.{db}
  column "c" {{
    type = varchar(1)
  }}
  column "d" {{
    type = int
  }}
  index "d" {{
    unique  = true
    columns = [column.d]
  }}
}}
""")
    q(f"INSERT INTO `{db}`.t VALUES (2)")
    line = failed(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://s.hcl",
                        "--dev-url", url(dev), "--auto-approve"))
    assert "Duplicate entry" in line, line


def test_clean_drops_tables_and_says_nothing_to_drop(tmp_path, dbs):
    db, _, _ = dbs
    q(f"CREATE TABLE `{db}`.a (id int PRIMARY KEY)")
    q(f"CREATE TABLE `{db}`.b (id int, a_id int, FOREIGN KEY (a_id) REFERENCES a (id))")
    out = ok(atoll(tmp_path, "schema", "clean", "-u", url(db), "--auto-approve"))
    assert out == ("-- Planned Changes:\n-- Drop \"b\" table\nDROP TABLE `b`;\n"
                   "-- Drop \"a\" table\nDROP TABLE `a`;\n")
    assert tables(db) == []
    assert ok(atoll(tmp_path, "schema", "clean", "-u", url(db), "--auto-approve")) == \
        "Nothing to drop\n"


def test_refusals(tmp_path, dbs):
    db, dev, clean_dev = dbs
    q(f"CREATE TABLE `{dev}`.leftover (id int)")
    (tmp_path / "s.hcl").write_text(f'schema "{db}" {{}}\n')
    line = failed(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://s.hcl",
                        "--dev-url", url(dev), "--auto-approve"))
    assert line == ("Error: sql/migrate: taking database snapshot: sql/migrate: connected "
                    f'database is not clean: found table "leftover" in schema "{dev}"')
    assert tables(dev) == ["leftover"]  # not ours to wipe
    # A server URL is a realm: every other database would be dropped (only shown here).
    out = ok(atoll(tmp_path, "schema", "apply", "-u", url(""), "--to", "file://s.hcl",
                   "--dev-url", url(clean_dev), "--dry-run"))
    assert f"DROP DATABASE `{dev}`;" in out and f"DROP DATABASE `{db}`" not in out, out
    line = failed(atoll(tmp_path, "schema", "inspect", "-u", "docker://mysql/8/dev"))
    assert "mysql://root@localhost:3306/dev" in line
    (tmp_path / "two.hcl").write_text('schema "a" {}\nschema "b" {}\n')
    line = failed(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://two.hcl",
                        "--dev-url", url(dev), "--auto-approve"))
    assert "expecting document to contain a single schema, got 2" in line


def test_socket_and_maria_urls(tmp_path, dbs):
    db, _, _ = dbs
    q(f"CREATE TABLE `{db}`.t (id int)")
    sock = q("SELECT @@socket")[0][0]
    for u in (f"maria://root@127.0.0.1:3306/{db}", f"mariadb+unix://root@{sock}?database={db}"):
        out = ok(atoll(tmp_path, "schema", "inspect", "-u", u))
        assert out.startswith(f'table "t" {{\n  schema = schema.{db}\n'), (u, out)


def test_fmt_formats_mysql_schema_files(tmp_path):
    (tmp_path / "s.hcl").write_text('schema "app" {\n charset = "utf8mb4"\n  collate="x"\n}\n')
    assert ok(atoll(tmp_path, "schema", "fmt", "s.hcl")) == "s.hcl\n"
    assert (tmp_path / "s.hcl").read_text() == \
        'schema "app" {\n  charset = "utf8mb4"\n  collate = "x"\n}\n'


def test_without_dev_database_hcl_is_read_as_mysql(tmp_path, dbs):
    """No dev database: the HCL is read by MySQL's rules, and a charset given without its
    collation means the charset's default collation (the server's table), as in Atlas."""
    db, _, _ = dbs
    q(f"CREATE TABLE `{db}`.t (id int, name varchar(10) CHARSET latin1) CHARSET latin1")
    (tmp_path / "s.hcl").write_text(f"""schema "{db}" {{}}
table "t" {{
  schema  = schema.{db}
  charset = "latin1"
  column "id" {{
    type = int
    null = true
  }}
  column "name" {{
    type    = varchar(10)
    null    = true
    charset = "latin1"
  }}
}}
""")
    assert ok(atoll(tmp_path, "schema", "diff", "--from", url(db), "--to", "file://s.hcl")) == \
        "Schemas are synced, no changes to be made.\n"
    (tmp_path / "s.hcl").write_text((tmp_path / "s.hcl").read_text().replace(
        '    charset = "latin1"\n  }', '    charset = "latin1"\n    collate = "latin1_bin"\n  }'))
    assert ok(atoll(tmp_path, "schema", "diff", "--from", url(db), "--to", "file://s.hcl")) == (
        '-- Modify "t" table\nALTER TABLE `t` MODIFY COLUMN `name` varchar(10) NULL '
        'COLLATE latin1_bin;\n')


def test_inspect_of_a_server_url_lists_every_database(tmp_path, dbs):
    db, other, _ = dbs
    q(f"CREATE TABLE `{db}`.`only_{db}` (id int)")
    q(f"CREATE TABLE `{db}`.shared (id int)")
    q(f"CREATE TABLE `{other}`.shared (id int)")
    out = ok(atoll(tmp_path, "schema", "inspect", "-u", url(""), "--exclude", f"{db}.shared"))
    assert f'table "only_{db}" {{\n  schema = schema.{db}\n' in out, out
    assert f'table "{other}" "shared" {{\n  schema = schema.{other}\n' in out or \
        f'table "shared" {{\n  schema = schema.{other}\n' in out, out
    assert f'table "{db}" "shared"' not in out
    assert f'schema "{db}" {{\n  charset = ' in out
    assert "information_schema" not in out and 'schema "mysql"' not in out
    out = ok(atoll(tmp_path, "schema", "inspect", "-u", url(""), "--exclude", f"{db}"))
    assert f'schema "{db}"' not in out
    out = ok(atoll(tmp_path, "schema", "inspect", "-u", url(""), "--format", "{{ sql . }}"))
    assert f"CREATE DATABASE `{db}`" in out and f"CREATE TABLE `{db}`.`only_{db}`" in out, out
