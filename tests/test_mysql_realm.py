"""MySQL's realm scope (a server URL without a database): diff and plan in process on realms
built here, HCL with several databases, the dev-server check, and one ``schema apply`` on the
local MariaDB that creates and drops only this test's databases (every other database on the
shared server is kept out with ``--exclude`` patterns, checked on a dry run first)."""

from __future__ import annotations

import uuid

import pytest

from atoll.dialects.mysql import MySQLDialect
from atoll.dialects.mysql.types import parse_type
from atoll.schema.model import Column, Realm, Schema, Table
from mysql_support import atoll, drop_db, failed, new_db, ok, q, url


def _int(name: str) -> Column:
    return Column(name=name, type=parse_type("int"))


def _plan(current: Realm, desired: Realm) -> list[str]:
    d = MySQLDialect()  # no server inspected: Atlas's default charset and collation
    return [s.sql for s in d.plan_realm(d.diff_realm(current, desired))]


def test_plan_creates_drops_and_qualifies():
    t = Table(name="t", columns=(_int("id"),))
    current = Realm((Schema(name="a", tables=(t,)), Schema(name="b")))
    desired = Realm((Schema(name="a", tables=(Table(name="t", columns=(_int("id"), _int("n"))),)),
                     Schema(name="c", charset="latin1", tables=(Table(name="x", columns=(
                         _int("id"),)),))))
    assert _plan(current, desired) == [
        "DROP DATABASE `b`",
        "CREATE DATABASE `c` CHARSET latin1",
        "ALTER TABLE `a`.`t` ADD COLUMN `n` int NOT NULL",
        "CREATE TABLE `c`.`x` (`id` int NOT NULL)",
    ]
    assert _plan(desired, desired) == []
    assert _plan(current, Realm()) == ["DROP DATABASE `a`", "DROP DATABASE `b`"]


def test_realm_sql_and_dev_check():
    d = MySQLDialect()
    realm = Realm((Schema(name="a", tables=(Table(name="t", columns=(_int("id"),)),)),))
    assert d.realm_sql(realm) == ("-- Add new schema named \"a\"\nCREATE DATABASE `a`;\n"
                                  "-- Create \"t\" table\n"
                                  "CREATE TABLE `a`.`t` (`id` int NOT NULL);\n")
    assert d.realm_dev_not_clean(Realm()) is None
    assert d.realm_dev_not_clean(realm) == 'found schema "a"'


def test_hcl_with_several_databases(tmp_path):
    from atoll.states import read_hcl_document

    (tmp_path / "r.hcl").write_text("""schema "a" {}
schema "b" {
  charset = "latin1"
}
table "t" {
  schema = schema.a
  column "id" {
    type = int
  }
}
table "b" "t" {
  schema = schema.b
  column "id" {
    type = bigint
  }
}
""")
    d = MySQLDialect()
    realm = d.decode_hcl_realm(read_hcl_document([str(tmp_path / "r.hcl")], {}, d))
    assert [s.name for s in realm.schemas] == ["a", "b"]
    assert realm.schema("b").charset == "latin1"
    assert realm.schema("b").tables[0].columns[0].type.raw == "bigint"
    assert d.encode_hcl_realm(realm).count("schema = schema.") == 2


@pytest.fixture
def mine():
    """A name prefix for this test's databases, patterns excluding every other database, a
    clean dev database, and cleanup."""
    prefix = f"atoll_r_{uuid.uuid4().hex[:8]}"
    exclude = [prefix[:i] + f"[^{prefix[i]}]*" for i in range(len(prefix))]
    exclude += [prefix[:i] for i in range(1, len(prefix))]
    dev = new_db()
    yield prefix, ",".join(exclude), dev
    for name in (f"{prefix}_a", f"{prefix}_b", dev):
        drop_db(name)


def test_schema_apply_on_a_server_url(tmp_path, mine):
    prefix, exclude, dev = mine
    a, b = f"{prefix}_a", f"{prefix}_b"
    (tmp_path / "two.hcl").write_text(f"""schema "{a}" {{}}
schema "{b}" {{}}
table "t" {{
  schema = schema.{b}
  column "id" {{
    type = int
  }}
}}
""")
    args = ["schema", "apply", "-u", url(""), "--dev-url", url(dev), "--exclude", exclude]
    out = ok(atoll(tmp_path, *args, "--to", "file://two.hcl", "--dry-run"))
    sql = [line for line in out.splitlines() if line and not line.startswith("--")]
    assert sql[:4] == [f"CREATE DATABASE `{a}`;", f"CREATE DATABASE `{b}`;",
                       f"CREATE TABLE `{b}`.`t` (", "  `id` int NOT NULL"], out
    assert len(sql) == 5 and sql[4].startswith(")"), out
    ok(atoll(tmp_path, *args, "--to", "file://two.hcl", "--auto-approve"))
    assert q(f"SHOW TABLES FROM `{b}`") == [("t",)]
    assert ok(atoll(tmp_path, *args, "--to", "file://two.hcl", "--dry-run")) == \
        "Schema is synced, no changes to be made\n"
    (tmp_path / "one.hcl").write_text(f'schema "{a}" {{}}\n')
    out = ok(atoll(tmp_path, *args, "--to", "file://one.hcl", "--auto-approve"))
    assert f"DROP DATABASE `{b}`;" in out and out.count("DROP DATABASE") == 1, out
    assert q(f"SHOW DATABASES LIKE '{b}'") == [] and q(f"SHOW DATABASES LIKE '{a}'") != []


def test_a_server_with_databases_is_no_dev_server(tmp_path, mine):
    _, _, dev = mine
    (tmp_path / "s.hcl").write_text(f'schema "{dev}" {{}}\n')
    line = failed(atoll(tmp_path, "schema", "inspect", "-u", "file://s.hcl",
                        "--dev-url", url("")))
    assert line.startswith("Error: sql/migrate: taking database snapshot: sql/migrate: "
                           'connected database is not clean: found schema "'), line


def test_schema_list_limits_a_server_url_to_those_databases(tmp_path, mine):
    # Atlas's cli-project-schemas: `schemas = [...]` (or --schema) on a server-wide URL
    # compares and plans only those databases. Without the limit, every other database on
    # the server would be planned away (DROP DATABASE), this suite's own included.
    prefix, _, dev = mine
    a, b = f"{prefix}_a", f"{prefix}_b"
    (tmp_path / "a.hcl").write_text(f'schema "{a}" {{}}\ntable "t" {{\n  schema = schema.{a}\n'
                                    f'  column "id" {{\n    type = int\n  }}\n}}\n')
    (tmp_path / "atlas.hcl").write_text(f'env "local" {{\n  url = "{url("")}"\n'
                                        f'  src = "./a.hcl"\n  schemas = ["{a}"]\n}}\n')
    for args in (["--env", "local"], ["-u", url(""), "--to", "file://a.hcl", "-s", a]):
        out = ok(atoll(tmp_path, "schema", "apply", *args, "--dry-run"))
        assert "DROP" not in out and f"CREATE DATABASE `{a}`;" in out, out
    ok(atoll(tmp_path, "schema", "apply", "--env", "local", "--auto-approve"))
    assert q(f"SHOW TABLES FROM `{a}`") == [("t",)] and q(f"SHOW DATABASES LIKE '{dev}'") != []
    assert ok(atoll(tmp_path, "schema", "inspect", "-u", url(""), "-s", a)).startswith(
        f'table "t" {{\n  schema = schema.{a}\n')
    # Every schema of an HCL state must be among those requested.
    line = failed(atoll(tmp_path, "schema", "apply", "-u", url(""), "--to", "file://a.hcl",
                        "-s", b, "--dry-run"))
    assert line == (f'Error: schema "{a}" from paths ["a.hcl"] is not requested (all schemas '
                    f'in HCL must be requested)')
