"""A fleet of PostgreSQL schemas, one per tenant, from one ``for_each`` env with
``urlqueryset(var.url, "search_path", each.value)``: versioned and declarative commands run
on every schema with one report; schema files take the tenant's name from the env; a drift
repair from the migration directory works on schema-bound URLs. Own database per test."""

from __future__ import annotations

from pathlib import Path

from postgres_support import atoll, db, drop_db, failed, new_db, ok, sql, url  # noqa: F401

TENANTS = ("t1", "t2", "t3")

TENANT_HCL = """variable "tenant" {
  type = string
}
schema "tenant" {
  name = var.tenant
}
table "users" {
  schema = schema.tenant
  column "id" {
    type = bigint
  }
  column "name" {
    type = text
    null = true
  }
  column "phone" {
    type = text
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
"""


def project(tmp: Path, db: str) -> None:
    sql(db, "; ".join(f"CREATE SCHEMA {t}" for t in TENANTS))
    (tmp / "migrations").mkdir()
    (tmp / "migrations" / "1_init.sql").write_text(
        "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n")
    (tmp / "atlas.hcl").write_text(f"""
variable "url" {{
  type    = string
  default = "postgres://postgres@127.0.0.1:5432/{db}?sslmode=disable"
}}
locals {{
  tenants = {list(TENANTS)!r}
}}
env "tenants" {{
  for_each = toset(local.tenants)
  url      = urlqueryset(var.url, "search_path", each.value)
  dev      = urlqueryset(var.url, "search_path", "dev")
  tenant   = each.value
  migration {{
    dir = "file://migrations"
  }}
}}
""".replace("'", '"'))
    (tmp / "tenant.hcl").write_text(TENANT_HCL)
    ok(atoll(tmp, "migrate", "hash", "--dir", "file://migrations"))


def columns(db: str) -> dict[str, list[str]]:
    rows = sql(db, "SELECT table_schema, column_name FROM information_schema.columns "
                   "WHERE table_name = 'users' ORDER BY 1, ordinal_position")
    out: dict[str, list[str]] = {}
    for schema, column in rows:
        out.setdefault(schema, []).append(column)
    return out


def test_versioned_and_declarative_commands_over_a_schema_per_tenant(tmp_path, db):
    project(tmp_path, db)
    out = ok(atoll(tmp_path, "migrate", "apply", "--env", "tenants"))
    assert "3 database(s): 3 ok" in out
    assert sql(db, "SELECT count(*) FROM t2.atlas_schema_revisions") == [(1,)]
    assert "3 database(s): 3 ok" in ok(atoll(tmp_path, "migrate", "status", "--env", "tenants"))

    # Each tenant's schema file is the same file with the tenant's own name.
    out = ok(atoll(tmp_path, "schema", "apply", "--env", "tenants", "--to", "file://tenant.hcl",
                   "--auto-approve"))
    assert "3 database(s): 3 ok" in out
    assert columns(db) == {t: ["id", "name", "phone"] for t in TENANTS}

    # The fleet's drift check sees the column no migration added...
    r = atoll(tmp_path, "migrate", "status", "--env", "tenants")
    assert r.returncode == 1 and "drifted" in r.stdout
    # ...and a repair from the migration directory removes it on every tenant, keeping the
    # revision rows.
    ok(atoll(tmp_path, "schema", "apply", "--env", "tenants", "--to", "file://migrations",
             "--auto-approve"))
    assert columns(db) == {t: ["id", "name"] for t in TENANTS}
    assert sql(db, "SELECT count(*) FROM t3.atlas_schema_revisions") == [(1,)]
    assert "3 database(s): 3 ok" in ok(atoll(tmp_path, "migrate", "status", "--env", "tenants"))


def test_a_schema_file_naming_another_schema_is_refused_on_every_tenant(tmp_path, db):
    project(tmp_path, db)
    (tmp_path / "fixed.hcl").write_text(TENANT_HCL.replace("name = var.tenant", 'name = "t"'))
    r = atoll(tmp_path, "schema", "apply", "--env", "tenants", "--to", "file://fixed.hcl",
              "--auto-approve")
    assert r.returncode == 1
    for t in TENANTS:
        assert f'mismatched HCL and database schemas: "{t}" <> "t"' in r.stdout
    assert columns(db) == {}
    one = url(db, "t1")
    failed(atoll(tmp_path, "schema", "apply", "-u", one, "--to", "file://fixed.hcl",
                 "--auto-approve"))


def test_drift_repair_from_the_directory_on_one_schema_bound_url(tmp_path, db):
    project(tmp_path, db)
    ok(atoll(tmp_path, "migrate", "apply", "-u", url(db, "t1"), "--dir", "file://migrations"))
    sql(db, "ALTER TABLE t1.users ADD COLUMN extra int")
    out = ok(atoll(tmp_path, "schema", "apply", "-u", url(db, "t1"), "--to", "file://migrations",
                   "--dev-url", url(db, "dev"), "--auto-approve"))
    assert 'ALTER TABLE "users" DROP COLUMN "extra"' in out
    assert columns(db) == {"t1": ["id", "name"]}


REALM_HCL = """schema "public" {
  comment = "standard public schema"
}
schema "audit" {
}
table "users" {
  schema = schema.public
  column "id" {
    type = bigint
  }
  primary_key {
    columns = [column.id]
  }
}
table "events" {
  schema = schema.audit
  column "user_id" {
    type = bigint
  }
  foreign_key "events_user" {
    columns     = [column.user_id]
    ref_columns = [table.users.column.id]
  }
}
"""


def test_a_fleet_of_whole_databases_takes_realm_schema_files(tmp_path, db):
    """Env URLs without search_path name whole databases: a fleet inspects and applies every
    schema of each, with schema-qualified statements."""
    second = new_db()
    try:
        dbs = [db, second]
        (tmp_path / "realm.hcl").write_text(REALM_HCL)
        (tmp_path / "atlas.hcl").write_text(f"""
locals {{
  dbs = {list(dbs)!r}
}}
env "all" {{
  for_each = toset(local.dbs)
  url      = "postgres://postgres@127.0.0.1:5432/${{each.value}}?sslmode=disable"
}}
""".replace("'", '"'))
        plan = ok(atoll(tmp_path, "schema", "apply", "--env", "all", "--to", "file://realm.hcl",
                        "--dry-run"))
        assert plan.count('CREATE SCHEMA "audit";') == 2
        assert 'CREATE TABLE "audit"."events"' in plan
        out = ok(atoll(tmp_path, "schema", "apply", "--env", "all", "--to", "file://realm.hcl",
                       "--auto-approve"))
        assert "2 database(s): 2 ok" in out
        for name in dbs:
            assert sql(name, "SELECT count(*) FROM information_schema.tables WHERE "
                             "table_schema = 'audit' AND table_name = 'events'") == [(1,)]
        again = ok(atoll(tmp_path, "schema", "apply", "--env", "all", "--to", "file://realm.hcl",
                         "--auto-approve"))
        assert "2 database(s): 2 ok" in again and "CREATE" not in again
        inspected = ok(atoll(tmp_path, "schema", "inspect", "--env", "all"))
        assert inspected.count('schema "audit" {') == 2
        assert inspected.count('table "events" {') == 2
    finally:
        drop_db(second)
