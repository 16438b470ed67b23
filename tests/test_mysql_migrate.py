"""Versioned migrations that need MySQL's declarative side, on the local MariaDB/MySQL server:
``migrate diff`` against a dev database, ``migrate validate --dev-url``, ``migrate lint``
(replayed on the dev database; NT101 for non-transactional DDL), drift in ``migrate status``,
Atlas's clean-database wording in server (realm) scope, and fleets over the databases of one
server (``for_each``) for ``schema apply`` and ``migrate status``."""

from __future__ import annotations

import json

import pytest

from mysql_support import atoll, drop_db, failed, new_db, ok, q, tables, url

SCHEMA = """schema "{db}" {{}}
table "users" {{
  schema = schema.{db}
  column "id" {{
    type           = bigint
    auto_increment = true
  }}
  column "name" {{
    type = varchar(50)
  }}
  primary_key {{
    columns = [column.id]
  }}
}}
"""


@pytest.fixture
def dbs():
    names = [new_db(), new_db(), new_db()]
    try:
        yield names
    finally:
        for n in names:
            drop_db(n)


def _files(tmp_path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "migrations").glob("*.sql"))


def test_migrate_diff_validate_apply_and_drift(tmp_path, dbs):
    db, dev, _ = dbs
    (tmp_path / "schema.hcl").write_text(SCHEMA.format(db=dev))
    ok(atoll(tmp_path, "migrate", "diff", "--dev-url", url(dev), "--to", "file://schema.hcl",
             "init"))
    [first] = _files(tmp_path)
    charset, collate = q("SELECT @@character_set_server, @@collation_server")[0]
    assert (tmp_path / "migrations" / first).read_text() == (
        '-- Create "users" table\nCREATE TABLE `users` (`id` bigint NOT NULL AUTO_INCREMENT, '
        f"`name` varchar(50) NOT NULL, PRIMARY KEY (`id`)) CHARSET {charset} COLLATE "
        f"{collate};\n")
    # The directory is in sync: a second diff writes nothing.
    assert ok(atoll(tmp_path, "migrate", "diff", "--dev-url", url(dev), "--to",
                    "file://schema.hcl")).startswith("The migration directory is synced")
    (tmp_path / "schema.hcl").write_text(SCHEMA.format(db=dev).replace(
        '  primary_key', '  column "age" {\n    type = int\n    null = true\n  }\n  primary_key'))
    ok(atoll(tmp_path, "migrate", "diff", "--dev-url", url(dev), "--to", "file://schema.hcl",
             "age"))
    second = _files(tmp_path)[1]
    assert (tmp_path / "migrations" / second).read_text() == (
        '-- Modify "users" table\nALTER TABLE `users` ADD COLUMN `age` int NULL;\n')
    assert ok(atoll(tmp_path, "migrate", "validate", "--dev-url", url(dev))) == ""
    assert tables(dev) == []
    ok(atoll(tmp_path, "migrate", "apply", "-u", url(db)))
    status = ok(atoll(tmp_path, "migrate", "status", "-u", url(db), "--dev-url", url(dev)))
    assert "Migration Status: OK" in status and "Drift" not in status
    q(f"ALTER TABLE `{db}`.users ADD COLUMN extra int")
    r = atoll(tmp_path, "migrate", "status", "-u", url(db), "--dev-url", url(dev))
    assert r.returncode == 1 and "-- Drift:           schema changed outside the migration " \
                                 "history\n     modify \"users\" table" in r.stdout, r.stdout


def test_validate_replays_on_the_dev_database(tmp_path, dbs):
    _, dev, _ = dbs
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "1_a.sql").write_text("CREATE TABLE a (id int);\n")
    (tmp_path / "migrations" / "2_b.sql").write_text("ALTER TABLE nope ADD COLUMN x int;\n")
    ok(atoll(tmp_path, "migrate", "hash"))
    line = failed(atoll(tmp_path, "migrate", "validate", "--dev-url", url(dev)))
    assert "from version \"2\"" in line and "nope" in line, line
    assert tables(dev) == []


def test_lint_warns_about_non_transactional_ddl(tmp_path, dbs):
    _, dev, _ = dbs
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "1_a.sql").write_text("CREATE TABLE a (id int, b int);\n")
    (tmp_path / "migrations" / "2_b.sql").write_text(
        "ALTER TABLE a DROP COLUMN b;\nINSERT INTO a (id) VALUES (1);\n")
    ok(atoll(tmp_path, "migrate", "hash"))
    r = atoll(tmp_path, "migrate", "lint", "--dev-url", url(dev), "--latest", "1",
              "--format", "{{ json . }}")
    assert r.returncode == 1, r.stdout + r.stderr  # DS103 is an error by default
    [f] = json.loads(r.stdout)["Files"]
    codes = [(rep["Text"], [d["Code"] for d in rep["Diagnostics"]]) for rep in f["Reports"]]
    assert codes == [("destructive changes detected", ["DS103"]),
                     ("non-transactional DDL detected", ["NT101"])], codes
    nt = f["Reports"][1]["Diagnostics"][0]
    assert nt["Pos"] == 0 and nt["Text"].startswith("Statement 1 of 2 is DDL and commits "
                                                    "implicitly")
    # A file with a single DDL statement has nothing to roll back.
    (tmp_path / "migrations" / "3_c.sql").write_text("CREATE TABLE c (id int);\n")
    ok(atoll(tmp_path, "migrate", "hash"))
    out = ok(atoll(tmp_path, "migrate", "lint", "--dev-url", url(dev), "--latest", "1"))
    assert "no diagnostics found" in out, out
    assert tables(dev) == []


def test_server_scope_not_clean_creates_nothing(tmp_path, dbs):
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "1_a.sql").write_text("CREATE TABLE a (id int);\n")
    ok(atoll(tmp_path, "migrate", "hash"))
    had = q("SHOW DATABASES LIKE 'atlas_schema_revisions'")
    line = failed(atoll(tmp_path, "migrate", "apply", "-u", url("")))
    assert line.startswith("Error: sql/migrate: connected database is not clean: found "
                           "multiple schemas: "), line
    assert line.endswith(". baseline version or allow-dirty is required")
    if not had:
        assert q("SHOW DATABASES LIKE 'atlas_schema_revisions'") == []
    # Schema scope names the table and its database.
    db = dbs[0]
    q(f"CREATE TABLE `{db}`.t (id int)")
    line = failed(atoll(tmp_path, "migrate", "apply", "-u", url(db)))
    assert line == (f'Error: sql/migrate: connected database is not clean: found table "t" in '
                    f'schema "{db}". baseline version or allow-dirty is required')
    assert tables(db) == ["t"]


def test_fleet_of_databases_schema_apply_and_drift(tmp_path, dbs):
    a, dev, b = dbs
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE users (id bigint NOT NULL, name varchar(50) NOT NULL, PRIMARY KEY (id));\n")
    (tmp_path / "atlas.hcl").write_text(
        f'locals {{\n  dbs = ["{a}", "{b}"]\n}}\n'
        'env "shards" {\n  for_each = toset(local.dbs)\n'
        '  url = "mysql://root@127.0.0.1:3306/${each.value}"\n'
        f'  dev = "{url(dev)}"\n'
        '  schema {\n    src = "file://schema.sql"\n  }\n'
        '  migration {\n    dir = "file://migrations"\n  }\n}\n')
    out = ok(atoll(tmp_path, "schema", "apply", "--env", "shards", "--auto-approve"))
    assert "2 database(s): 2 ok" in out, out
    assert tables(a) == tables(b) == ["users"] and tables(dev) == []
    # The same desired state again: nothing to do anywhere.
    out = ok(atoll(tmp_path, "schema", "apply", "--env", "shards", "--dry-run"))
    assert out.count("Schema is synced, no changes to be made") == 2, out
    # Versioned: one file, applied to both; a change made by hand shows as drift on one.
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "1_t.sql").write_text("CREATE TABLE t (id int);\n")
    ok(atoll(tmp_path, "migrate", "hash"))
    ok(atoll(tmp_path, "migrate", "apply", "--env", "shards", "--allow-dirty"))
    q(f"ALTER TABLE `{b}`.t ADD COLUMN x int")
    r = atoll(tmp_path, "migrate", "status", "--env", "shards")
    # "users" came from schema apply, outside the history: drift on both; "t" changed on b.
    rows = {line.split()[0]: line for line in r.stdout.splitlines()[1:3]}
    assert r.returncode == 1 and "2 database(s): 2 drifted" in r.stdout, r.stdout
    assert rows[b].endswith('drifted  drift: modify "t" table, create "users" table'), r.stdout
    assert rows[a].endswith('drifted  drift: create "users" table'), r.stdout
