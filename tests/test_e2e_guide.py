"""The operations guide, command by command, with the real ``atoll`` executable on real SQLite
files: a private copy of examples/game per test (single databases; fleets are in
test_e2e_fleet.py)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from e2e_support import (
    DEV,
    DEVELOP,
    MASTER_DB,
    MASTER_DIR,
    PRODUCTION,
    SHARDING_DIR,
    SHARDS,
    STAGING,
    add_to_table,
    atoll,
    columns,
    execute,
    failed,
    game,
    indexes,
    migration_files,
    new_files,
    ok,
    query,
    remove_table,
    revisions,
    snapshot,
    tables,
    version_of,
)

MASTER_URL = f"sqlite://{MASTER_DB}"
MASTER_TABLES = {"atlas_schema_revisions", "items", "stages", "shards"}
SHARD_TABLES = {"atlas_schema_revisions", "users", "user_items", "user_stages"}

NEW_TABLE = '''
table "new_table" {
  schema = schema.main
  column "id" {
    null           = false
    type           = integer
    auto_increment = true
  }
  column "name" {
    null = false
    type = text
  }
  primary_key {
    columns = [column.id]
  }
}
'''


@pytest.fixture
def root(tmp_path):
    return game(tmp_path)


def apply_master(root, *extra):
    return atoll(root, "migrate", "apply", "--dir", MASTER_DIR, "--url", MASTER_URL, *extra)


def apply_shards(root):
    """The guide's loop: one `migrate apply` per sharding database."""
    for db in SHARDS:
        ok(atoll(root, "migrate", "apply", "--dir", SHARDING_DIR, "--url", f"sqlite://{db}"))


def status(root, dir_url=MASTER_DIR, url=MASTER_URL, *extra):
    return atoll(root, "migrate", "status", "--dir", dir_url, "--url", url, *extra)


def diff(root, name, kind="master"):
    return atoll(root, "migrate", "diff", name, "--dir", f"file://db/migrations/{kind}",
                 "--to", f"file://db/schema/{kind}.hcl", "--dev-url", DEV)


def diff_new_file(root, name, kind="master"):
    """Run `migrate diff NAME` and return the one file it wrote (and its SQL)."""
    before = migration_files(root, kind)
    ok(diff(root, name, kind))
    created = new_files(root, kind, before)
    assert [p.name.partition("_")[2] for p in created] == [f"{name}.sql"], created
    validate(root, kind)
    return created[0], created[0].read_text()


def validate(root, kind="master"):
    ok(atoll(root, "migrate", "validate", "--dir", f"file://db/migrations/{kind}",
             "--dev-url", DEV))


def latest(root, kind="master"):
    return version_of(migration_files(root, kind)[-1])


def assert_synced(root, kind="master"):
    before = migration_files(root, kind)
    r = ok(diff(root, "nothing", kind))
    assert "The migration directory is synced with the desired state" in r.out
    assert migration_files(root, kind) == before


def assert_status_ok(root, version, dir_url=MASTER_DIR, url=MASTER_URL, *extra):
    r = ok(status(root, dir_url, url, *extra))
    assert "Migration Status: OK" in r.out, r
    assert f"-- Current Version: {version}" in r.out, r
    assert "Pending Files:   0" in r.out, r
    return r


# --- basic commands ----------------------------------------------------------------------


def test_example_schema_files_and_migrations_agree(root):
    assert_synced(root, "master")
    assert_synced(root, "sharding")
    validate(root, "master")
    validate(root, "sharding")


def test_apply_then_status_master_and_every_shard(root):
    r = ok(apply_master(root))
    assert "Migrating to version" in r.out and "-- 2 migrations" in r.out
    apply_shards(root)
    db = root / MASTER_DB
    assert tables(db) == MASTER_TABLES
    assert query(db, "SELECT name FROM shards ORDER BY id") == [
        (f"sharding_db_{i}",) for i in range(1, 5)]
    assert_status_ok(root, latest(root, "master"))
    for shard in SHARDS:
        assert tables(root / shard) == SHARD_TABLES
        assert "last_login_at" in columns(root / shard, "users")
        assert_status_ok(root, latest(root, "sharding"), SHARDING_DIR, f"sqlite://{shard}")
    # Applying again does nothing.
    before = snapshot(db)
    assert ok(apply_master(root)).out == "No migration files to execute\n"
    assert snapshot(db) == before


def test_status_before_apply_lists_pending(root):
    # A database file that does not exist yet is named, not created (status only reads).
    failed(status(root), r"database file does not exist: server/data/master\.db")
    assert not (root / MASTER_DB).exists()
    sqlite3.connect(root / MASTER_DB).close()
    r = ok(status(root))
    assert "Migration Status: PENDING" in r.out
    assert "Current Version: No migration applied yet" in r.out
    assert "Pending Files:   2" in r.out


# --- cases -------------------------------------------------------------------------------


def test_case_add_table_add_column_drop_table_master(root):
    ok(apply_master(root))
    db = root / MASTER_DB
    hcl = root / "db" / "schema" / "master.hcl"

    # Add a table.
    hcl.write_text(hcl.read_text() + NEW_TABLE)
    path, sql = diff_new_file(root, "add_new_table")
    assert sql == ('-- Create "new_table" table\n'
                   "CREATE TABLE `new_table` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, "
                   "`name` text NOT NULL);\n")
    assert_synced(root)
    assert "Pending Files:   1" in ok(status(root)).out
    ok(apply_master(root))
    assert "new_table" in tables(db)
    assert_status_ok(root, version_of(path))
    execute(db, "INSERT INTO new_table (name) VALUES ('kept')")

    # Add a column: ALTER TABLE … ADD COLUMN, rows kept.
    add_to_table(hcl, "new_table", '  column "description" {\n    null = true\n'
                                   "    type = text\n  }\n")
    path, sql = diff_new_file(root, "add_description_column")
    assert sql == ('-- Add column "description" to table: "new_table"\n'
                   "ALTER TABLE `new_table` ADD COLUMN `description` text NULL;\n")
    ok(apply_master(root))
    assert columns(db, "new_table") == ["id", "name", "description"]
    assert query(db, "SELECT name, description FROM new_table") == [("kept", None)]
    assert_status_ok(root, version_of(path))

    # Drop the table: DROP TABLE wrapped in PRAGMA foreign_keys lines; data is gone.
    remove_table(hcl, "new_table")
    path, sql = diff_new_file(root, "drop_new_table")
    assert sql.splitlines() == [
        "-- Disable the enforcement of foreign-keys constraints",
        "PRAGMA foreign_keys = off;",
        '-- Drop "new_table" table',
        "DROP TABLE `new_table`;",
        "-- Enable back the enforcement of foreign-keys constraints",
        "PRAGMA foreign_keys = on;",
    ]
    # The develop config's lint policy flags it (destructive changes are errors there).
    lint = atoll(root, "migrate", "lint", "--config", DEVELOP, "--env", "master", "--latest", "1")
    assert lint.code == 1 and "Traceback" not in lint.err, lint
    assert "destructive changes detected" in lint.out, lint
    assert 'Dropping table "new_table"' in lint.out, lint
    ok(apply_master(root))
    assert "new_table" not in tables(db)
    assert tables(db) == MASTER_TABLES
    assert_status_ok(root, version_of(path))
    assert_synced(root)
    assert "Drift" not in drift_status(root).out  # no false alarm after real changes


def test_case_add_index_and_unique_index_sharding(root):
    apply_shards(root)
    hcl = root / "db" / "schema" / "sharding.hcl"
    add_to_table(hcl, "users", '  column "email" {\n    null = true\n    type = text\n  }\n')
    _, sql = diff_new_file(root, "add_users_email", "sharding")
    assert "ALTER TABLE `users` ADD COLUMN `email` text NULL;" in sql

    add_to_table(hcl, "users", '  index "idx_users_email" {\n    columns = [column.email]\n  }\n')
    _, sql = diff_new_file(root, "add_users_email_index", "sharding")
    assert sql == ('-- Create index "idx_users_email" to table: "users"\n'
                   "CREATE INDEX `idx_users_email` ON `users` (`email`);\n")
    apply_shards(root)
    for shard in SHARDS:
        assert indexes(root / shard, "users") == {"idx_users_email": False}

    hcl.write_text(hcl.read_text().replace(
        '  index "idx_users_email" {\n    columns',
        '  index "idx_users_email" {\n    unique  = true\n    columns'))
    path, sql = diff_new_file(root, "unique_users_email", "sharding")
    assert "CREATE UNIQUE INDEX `idx_users_email` ON `users` (`email`);" in sql
    apply_shards(root)
    for shard in SHARDS:
        assert indexes(root / shard, "users") == {"idx_users_email": True}
        r = assert_status_ok(root, version_of(path), SHARDING_DIR, f"sqlite://{shard}",
                             "--dev-url", DEV)
        assert "Drift" not in r.out
    assert_synced(root, "sharding")


def test_case_data_migration_new_edit_hash_apply(root):
    ok(apply_master(root))
    before = migration_files(root, "master")
    ok(atoll(root, "migrate", "new", "insert_data", "--dir", MASTER_DIR))
    (path,) = new_files(root, "master", before)
    assert path.name.endswith("_insert_data.sql") and path.read_text() == ""
    validate(root)  # atlas.sum already lists the empty file
    path.write_text("INSERT INTO `items` (`id`, `name`, `rarity`, `price`) "
                    "VALUES (5, 'Ether', 2, 300);\n")
    # Edited but not re-hashed: refused, database untouched.
    db = root / MASTER_DB
    unchanged = snapshot(db)
    r = apply_master(root)
    failed(r, r"checksum mismatch")
    assert "migrate hash" in r.out
    assert snapshot(db) == unchanged
    ok(atoll(root, "migrate", "hash", "--dir", MASTER_DIR))
    r = ok(apply_master(root))
    assert f"-- migrating version {version_of(path)}" in r.out
    assert query(db, "SELECT name FROM items WHERE id = 5") == [("Ether",)]
    assert_status_ok(root, version_of(path))
    assert_synced(root)  # data files change no schema


def test_new_files_never_share_a_version(root):
    """Files created in the same second must not share a version: the second one would be
    recorded over the first and never run. Occupy the next seconds' versions, then create."""
    now = datetime.now(UTC)
    taken = [(now + timedelta(seconds=s)).strftime("%Y%m%d%H%M%S") for s in range(-1, 6)]
    mdir = root / "db" / "migrations" / "master"
    for i, v in enumerate(taken):
        (mdir / f"{v}_taken{i}.sql").write_text(f"INSERT INTO shards VALUES ({10 + i}, 's{i}', 0);\n")
    ok(atoll(root, "migrate", "hash", "--dir", MASTER_DIR))
    before = migration_files(root, "master")
    ok(atoll(root, "migrate", "new", "insert_more", "--dir", MASTER_DIR))
    (created,) = new_files(root, "master", before)
    assert version_of(created) not in taken
    created.write_text("INSERT INTO shards VALUES (99, 'late', 0);\n")
    ok(atoll(root, "migrate", "hash", "--dir", MASTER_DIR))
    versions = [version_of(n) for n in migration_files(root, "master")]
    assert len(versions) == len(set(versions))
    ok(apply_master(root))
    assert query(root / MASTER_DB, "SELECT count(*) FROM shards") == [(4 + len(taken) + 1,)]


# --- per environment ---------------------------------------------------------------------


def test_develop_config_env_by_env(root):
    r = ok(atoll(root, "migrate", "apply", "--config", DEVELOP, "--env", "master"))
    assert "-- 2 migrations" in r.out
    for i in range(1, 5):
        ok(atoll(root, "migrate", "apply", "--config", DEVELOP, "--env", f"sharding_{i}"))
        r = ok(atoll(root, "migrate", "status", "--config", DEVELOP, "--env", f"sharding_{i}"))
        assert "Migration Status: OK" in r.out
    assert tables(root / MASTER_DB) == MASTER_TABLES
    assert all(tables(root / s) == SHARD_TABLES for s in SHARDS)
    r = ok(atoll(root, "schema", "inspect", "--config", DEVELOP, "--env", "master",
                 "--format", "sql"))
    assert "CREATE TABLE `items`" in r.out
    r = ok(atoll(root, "schema", "inspect", "--config", DEVELOP, "--env", "sharding_2",
                 "--format", "hcl"))
    assert 'table "users" {' in r.out


def test_staging_config_reads_the_data_dir_from_the_environment(root, tmp_path):
    data = tmp_path / "staging-data"
    data.mkdir()
    env = {"STAGING_DATA_DIR": str(data)}
    ok(atoll(root, "migrate", "apply", "--config", STAGING, "--env", "master", env=env))
    for i in range(1, 5):
        ok(atoll(root, "migrate", "apply", "--config", STAGING, "--env", f"sharding_{i}",
                 env=env))
    assert tables(data / "master.db") == MASTER_TABLES
    assert all(tables(data / f"sharding_db_{i}.db") == SHARD_TABLES for i in range(1, 5))
    assert not (root / MASTER_DB).exists()
    # Without the variable: one clear line, nothing created anywhere.
    failed(atoll(root, "migrate", "apply", "--config", STAGING, "--env", "master"),
           r"STAGING_DATA_DIR", r"not set")
    assert not (root / MASTER_DB).exists()


def test_production_dry_run_first_changes_nothing(root, tmp_path):
    data = tmp_path / "prod"
    data.mkdir()
    env = {"PRODUCTION_DATA_DIR": str(data)}
    ok(atoll(root, "migrate", "apply", "--config", PRODUCTION, "--env", "master", env=env))
    db = data / "master.db"
    first_backups = sorted(os.listdir(data / "backups"))  # one folder per run
    assert len(first_backups) == 1
    assert sorted(os.listdir(data / "backups" / first_backups[0])) == ["master.db", "run.json"]

    # A new migration, looked at first with --dry-run.
    hcl = root / "db" / "schema" / "master.hcl"
    hcl.write_text(hcl.read_text() + NEW_TABLE)
    path, _ = diff_new_file(root, "add_new_table")
    before = snapshot(db)
    r = ok(atoll(root, "migrate", "apply", "--config", PRODUCTION, "--env", "master",
                 "--dry-run", env=env))
    assert f"-- migrating version {version_of(path)}" in r.out
    assert "CREATE TABLE `new_table`" in r.out
    assert snapshot(db) == before
    assert sorted(os.listdir(data / "backups")) == first_backups  # no backup for a dry run

    r = ok(atoll(root, "migrate", "apply", "--config", PRODUCTION, "--env", "master", env=env))
    assert "new_table" in tables(db)
    backups = sorted(set(os.listdir(data / "backups")) - set(first_backups))
    prev = version_of(migration_files(root, "master")[-2])
    assert len(backups) == 1, backups
    record = json.loads((data / "backups" / backups[0] / "run.json").read_text())
    assert record["databases"][0]["restore_point"]["version"] == prev
    backup = data / "backups" / backups[0] / "master.db"
    assert "new_table" not in tables(backup) and tables(backup) == MASTER_TABLES
    assert snapshot(backup)[1] == before[1]  # the copy holds what the database held
    # Per-shard envs, as the guide names them.
    ok(atoll(root, "migrate", "apply", "--config", PRODUCTION, "--env", "sharding_3", env=env))
    assert tables(data / "sharding_db_3.db") == SHARD_TABLES


# --- irregular cases ---------------------------------------------------------------------


def out_of_band_table(db):
    execute(db, "CREATE TABLE direct_sql (id integer PRIMARY KEY, note text NOT NULL)",
            "INSERT INTO direct_sql (note) VALUES ('made by hand')")


def drift_status(root, drifted=False):
    """``migrate status --dev-url``: exit 0 when the schema is as the history says, exit 1
    (a CI gate) when it drifted."""
    r = status(root, MASTER_DIR, MASTER_URL, "--dev-url", DEV)
    assert r.code == (1 if drifted else 0) and "Traceback" not in r.err, str(r)
    return r


def test_drift_adopted_with_inspect_diff_and_set(root):
    ok(apply_master(root))
    db = root / MASTER_DB
    assert "Drift" not in drift_status(root).out
    out_of_band_table(db)
    r = drift_status(root, drifted=True)
    assert re.search(r"-- Drift: ", r.out), r
    assert 'Create "direct_sql" table' in r.out

    # 1. inspect, 2. update master.hcl from it.
    r = ok(atoll(root, "schema", "inspect", "--url", MASTER_URL, "--format", "hcl"))
    start = r.out.index('table "direct_sql" {')
    block = r.out[start:r.out.index("\n}\n", start) + 3]
    hcl = root / "db" / "schema" / "master.hcl"
    hcl.write_text(hcl.read_text() + "\n" + block)
    # 3. migrate diff sync_changes.
    path, sql = diff_new_file(root, "sync_changes")
    assert "CREATE TABLE `direct_sql`" in sql
    # The file is pending, and the database already has its effect.
    r = ok(status(root))
    assert "Pending Files:   1" in r.out
    # 4. the atoll way: migrate set, no sqlite3 shell.
    ok(atoll(root, "migrate", "set", version_of(path), "--dir", MASTER_DIR, "--url", MASTER_URL))
    r = assert_status_ok(root, version_of(path), MASTER_DIR, MASTER_URL, "--dev-url", DEV)
    assert "Drift" not in r.out
    assert query(db, "SELECT note FROM direct_sql") == [("made by hand",)]
    assert ok(apply_master(root)).out == "No migration files to execute\n"
    # A new database gets the table from the history.
    fresh = "sqlite://server/data/fresh.db"
    ok(atoll(root, "migrate", "apply", "--dir", MASTER_DIR, "--url", fresh))
    assert "direct_sql" in tables(root / "server/data/fresh.db")


def test_drift_reverted_with_schema_apply_to_the_migration_directory(root):
    ok(apply_master(root))
    db = root / MASTER_DB
    history = revisions(db)
    out_of_band_table(db)
    execute(db, "ALTER TABLE items ADD COLUMN junk text")
    r = drift_status(root, drifted=True)
    assert "-- Drift:" in r.out
    assert 'Create "direct_sql" table' in r.out and 'column "junk"' in r.out
    # No --exclude: the revisions table is never planned away.
    args = ("schema", "apply", "--url", MASTER_URL, "--to", MASTER_DIR, "--dev-url", DEV)
    dirty = snapshot(db)
    r = ok(atoll(root, *args, "--dry-run"))
    assert "DROP TABLE `direct_sql`;" in r.out
    assert snapshot(db) == dirty
    ok(atoll(root, *args, "--auto-approve"))
    assert tables(db) == MASTER_TABLES
    assert "junk" not in columns(db, "items")
    assert query(db, "SELECT count(*) FROM items") == [(4,)]  # rows survive the rebuild
    assert revisions(db) == history
    assert "Drift" not in drift_status(root).out
    assert "Schema is synced" in ok(atoll(root, *args, "--auto-approve")).out


def add_migration(root, name, sql, kind="master"):
    before = migration_files(root, kind)
    ok(atoll(root, "migrate", "new", name, "--dir", f"file://db/migrations/{kind}"))
    (path,) = new_files(root, kind, before)
    path.write_text(sql)
    ok(atoll(root, "migrate", "hash", "--dir", f"file://db/migrations/{kind}"))
    return path


BROKEN = ("CREATE TABLE `events` (`id` integer NOT NULL, PRIMARY KEY (`id`));\n"
          "INSERT INTO `items` (`id`, `name`, `rarity`) VALUES (99, 'Sword', 9);\n")


def test_failed_migration_leaves_no_half_state_then_resumes(root):
    ok(apply_master(root))
    db = root / MASTER_DB
    history = revisions(db)
    path = add_migration(root, "add_events", BROKEN)
    r = apply_master(root)
    line = failed(r, re.escape(f'from version "{version_of(path)}"'),
                  r"INSERT INTO `items`", r"CHECK constraint failed")
    assert "CHECK constraint failed: rarity_range" in r.out  # Atlas's report names it too
    # tx-mode file: none of the file's statements stay applied; its revision row records
    # the error and the failing statement (0 of 2 applied).
    assert line
    assert "events" not in tables(db)
    assert query(db, "SELECT count(*) FROM items") == [(4,)]
    assert revisions(db)[:-1] == history
    assert revisions(db)[-1] == (version_of(path), "add_events", 0, 2,
                                 "CHECK constraint failed: rarity_range",
                                 "INSERT INTO `items` (`id`, `name`, `rarity`) VALUES (99, 'Sword', 9);")
    r = ok(status(root))
    assert "Migration Status: PENDING" in r.out and f"Next Version:    {version_of(path)}" in r.out
    assert "Last migration attempt had errors:" in r.out
    assert "-- ERROR: CHECK constraint failed: rarity_range" in r.out

    # Fix the (never applied) file, re-hash, apply: the history resumes.
    path.write_text(BROKEN.replace("9);", "5);"))
    ok(atoll(root, "migrate", "hash", "--dir", MASTER_DIR))
    ok(apply_master(root))
    assert "events" in tables(db)
    assert query(db, "SELECT rarity FROM items WHERE id = 99") == [(5,)]
    assert revisions(db)[-1] == (version_of(path), "add_events", 2, 2, "", "")
    assert_status_ok(root, version_of(path))


def test_failed_migration_without_transaction_records_error_and_statement(root):
    ok(apply_master(root))
    db = root / MASTER_DB
    # The first statement is not repeatable: a resume must not run it again.
    sql = ("INSERT INTO `shards` (`id`, `name`, `active`) VALUES (5, 'sharding_db_5', true);\n"
           "INSERT INTO `items` (`id`, `name`, `rarity`) VALUES (99, 'Sword', 9);\n")
    path = add_migration(root, "add_shard", "-- atlas:txmode none\n\n" + sql)
    v = version_of(path)
    failed(apply_master(root), r"CHECK constraint failed")
    row = revisions(db)[-1]
    assert row[:4] == (v, "add_shard", 1, 2)
    assert row[4] == "CHECK constraint failed: rarity_range"
    assert row[5].startswith("INSERT INTO `items`")
    r = ok(status(root))
    assert "Last migration attempt had errors:" in r.out
    assert "-- ERROR: CHECK constraint failed: rarity_range" in r.out
    assert "(1 statements left)" in r.out

    path.write_text(path.read_text().replace("9);", "5);"))
    ok(atoll(root, "migrate", "hash", "--dir", MASTER_DIR))
    r = ok(apply_master(root))
    assert "INSERT INTO `shards`" not in r.out  # resumed at the failed statement
    assert query(db, "SELECT count(*) FROM shards WHERE id = 5") == [(1,)]
    assert revisions(db)[-1][:6] == (v, "add_shard", 2, 2, "", "")
    assert_status_ok(root, v)


def test_baseline_for_a_database_made_without_the_tool(root):
    """Guide, fix 1: a database that has the schema but no history starts after a
    baseline version; nothing before it runs."""
    ok(apply_master(root))
    db = root / MASTER_DB
    execute(db, "DROP TABLE atlas_schema_revisions")
    first = version_of(migration_files(root, "master")[0])
    # Without a baseline the database is refused; its tables are untouched (like Atlas,
    # atoll has created the empty revisions table by then).
    before = [query(db, f"SELECT * FROM {t}") for t in ("items", "stages", "shards")]
    failed(apply_master(root), r"not clean")
    assert [query(db, f"SELECT * FROM {t}") for t in ("items", "stages", "shards")] == before
    assert tables(db) == MASTER_TABLES
    execute(db, "DELETE FROM stages", "DELETE FROM items", "DELETE FROM shards")
    r = ok(apply_master(root, "--baseline", first))
    assert f"-- migrating version {first}" not in r.out
    assert query(db, "SELECT count(*) FROM items") == [(4,)]  # the seed file ran
    assert_status_ok(root, latest(root))
    assert [row[0] for row in revisions(db)] == [v for v in map(
        version_of, migration_files(root, "master"))]


def test_rebuild_from_zero(root):
    script = root / "scripts" / "migrate.sh"
    env = {"ATOLL": atoll_path()}
    for target in ("all",):
        r = _run_script(root, script, target, env)
        assert r.returncode == 0, r.stderr
    execute(root / SHARDS[0], "INSERT INTO users (id, name) VALUES (1, 'alice')")
    for p in (root / "server" / "data").glob("*.db"):
        p.unlink()
    r = _run_script(root, script, "all", env)
    assert r.returncode == 0, r.stderr
    assert tables(root / MASTER_DB) == MASTER_TABLES
    assert query(root / MASTER_DB, "SELECT count(*) FROM items") == [(4,)]  # seed data
    for shard in SHARDS:
        assert tables(root / shard) == SHARD_TABLES
        assert query(root / shard, "SELECT count(*) FROM users") == [(0,)]
    assert_status_ok(root, latest(root))
    # master | sharding work alone too.
    for target in ("master", "sharding"):
        r = _run_script(root, script, target, env)
        assert r.returncode == 0, r.stderr
    assert _run_script(root, script, "bogus", env).returncode == 2


def atoll_path():
    from e2e_support import ATOLL

    return ATOLL[0] if len(ATOLL) == 1 else "atoll"


def _run_script(root, script, target, env):
    import subprocess

    from e2e_support import clean_env

    return subprocess.run([str(script), target], cwd=root, env=clean_env(**env),
                          capture_output=True, text=True, timeout=60, check=False)


# --- bad input: one line, exit 1, nothing changed -----------------------------------------


@pytest.fixture
def applied(root):
    ok(apply_master(root))
    return root


def unchanged(root, fn):
    """Run ``fn`` and check it left the database and the migration directory alone."""
    db = root / MASTER_DB
    before_db, before_dir = snapshot(db), migration_files(root, "master")
    sum_before = (root / "db" / "migrations" / "master" / "atlas.sum").read_bytes()
    result = fn()
    assert snapshot(db) == before_db
    assert migration_files(root, "master") == before_dir
    assert (root / "db" / "migrations" / "master" / "atlas.sum").read_bytes() == sum_before
    return result


def test_broken_hcl_names_file_line_and_column(applied):
    root = applied
    hcl = root / "db" / "schema" / "master.hcl"
    text = hcl.read_text()
    hcl.write_text(text + 'table "oops" {\n  schema = schema.main\n  column "id" {\n'
                          "    type = integer\n")
    line = unchanged(root, lambda: failed(diff(root, "oops"), r"master\.hcl:\d+,\d+"))
    assert "Unclosed" in line or "brace" in line
    assert "    type = text\n" in text
    hcl.write_text(text.replace("    type = text\n", "    type = = text\n", 1))
    unchanged(root, lambda: failed(diff(root, "oops"), r"master\.hcl:\d+,\d+"))
    hcl.write_text(text)
    # The same through schema apply and schema inspect's neighbour, schema diff.
    hcl.write_text(text + "table {\n")
    unchanged(root, lambda: failed(atoll(
        root, "schema", "apply", "--url", MASTER_URL, "--to", "file://db/schema/master.hcl",
        "--dev-url", DEV, "--auto-approve"), r"master\.hcl:\d+,\d+"))


@pytest.mark.parametrize("block, pattern", [
    (('table "x" {\n  schema = schema.main\n  column "id" {\n    type = integer\n  }\n'
      '  primary_key {\n    columns = [column.nope]\n  }\n}\n'), r'master\.hcl:\d+,\d+.*"nope"'),
    (('table "x" {\n  schema = schema.main\n  column "id" {\n    type = integer\n  }\n'
      '  foreign_key "f" {\n    columns     = [column.id]\n'
      '    ref_columns = [table.nope.column.id]\n  }\n}\n'), r'master\.hcl:\d+,\d+.*"nope"'),
    (('table "x" {\n  schema = schema.main\n  column "id" {\n    type = integer\n  }\n'
      '  index "i" {\n    columns = [table.items.column.nope]\n  }\n}\n'),
     r'master\.hcl:\d+,\d+.*"nope"'),
    ('table "x" {\n  schema = schema.main\n  column "id" {\n    type = integr\n  }\n}\n',
     r"integr"),
])
def test_unknown_references_in_schema(applied, block, pattern):
    root = applied
    hcl = root / "db" / "schema" / "master.hcl"
    hcl.write_text(hcl.read_text() + block)
    unchanged(root, lambda: failed(diff(root, "x"), pattern))
    unchanged(root, lambda: failed(atoll(
        root, "schema", "apply", "--url", MASTER_URL, "--to", "file://db/schema/master.hcl",
        "--auto-approve"), pattern))


def test_missing_dev_url(applied):
    root = applied
    hcl = root / "db" / "schema" / "master.hcl"
    hcl.write_text(hcl.read_text() + NEW_TABLE)
    unchanged(root, lambda: failed(atoll(
        root, "migrate", "diff", "x", "--dir", MASTER_DIR, "--to", "file://db/schema/master.hcl"),
        r'"dev-url"'))
    unchanged(root, lambda: failed(atoll(
        root, "schema", "apply", "--url", MASTER_URL, "--to", MASTER_DIR, "--auto-approve"),
        r"dev-url"))
    unchanged(root, lambda: failed(atoll(root, "migrate", "lint", "--dir", MASTER_DIR,
                                         "--latest", "1"), r"dev-url"))


@pytest.mark.parametrize("url, pattern", [
    ("sqlite:///nonexistent-atoll-dir/sub/x.db", r"nonexistent-atoll-dir"),
    ("sqlite://server/data", r"server/data"),  # a directory
    ("sqlite://server/data/not-a-db.db", r"not a database"),
])
def test_database_that_cannot_be_opened(root, url, pattern):
    (root / "server" / "data" / "not-a-db.db").write_text("this is no database\n" * 10)
    content = (root / "server" / "data" / "not-a-db.db").read_bytes()
    for args in (("migrate", "apply", "--dir", MASTER_DIR, "--url", url),
                 ("migrate", "status", "--dir", MASTER_DIR, "--url", url),
                 ("schema", "inspect", "--url", url)):
        failed(atoll(root, *args), pattern)
    assert (root / "server" / "data" / "not-a-db.db").read_bytes() == content
    assert not os.path.exists("/nonexistent-atoll-dir")


def test_sql_failing_on_the_dev_database(applied):
    root = applied
    mdir = root / "db" / "migrations" / "master"
    bad = mdir / "20990101000000_bad.sql"
    bad.write_text("CREATE TABLE `items` (`id` integer);\n")
    ok(atoll(root, "migrate", "hash", "--dir", MASTER_DIR))
    hcl = root / "db" / "schema" / "master.hcl"
    hcl.write_text(hcl.read_text() + NEW_TABLE)
    unchanged(root, lambda: failed(diff(root, "x"), r"table `items` already exists",
                                   r"20990101000000"))
    failed(atoll(root, "migrate", "validate", "--dir", MASTER_DIR, "--dev-url", DEV),
           r"table `items` already exists")
    schema_sql = root / "schema.sql"
    schema_sql.write_text("CREATE TABLE t (id int);\nCREATE TABLE t (id int);\n")
    unchanged(root, lambda: failed(atoll(
        root, "schema", "apply", "--url", MASTER_URL, "--to", "file://schema.sql",
        "--dev-url", DEV, "--auto-approve"), r"schema\.sql", r"already exists"))


def test_tampered_migration_file(applied):
    root = applied
    applied_file = root / "db" / "migrations" / "master" / migration_files(root, "master")[0]
    applied_file.write_text(applied_file.read_text() + "-- edited after generation\n")
    for args in (("migrate", "apply", "--dir", MASTER_DIR, "--url", MASTER_URL),
                 ("migrate", "status", "--dir", MASTER_DIR, "--url", MASTER_URL),
                 ("migrate", "validate", "--dir", MASTER_DIR),
                 ("migrate", "diff", "x", "--dir", MASTER_DIR, "--to",
                  "file://db/schema/master.hcl", "--dev-url", DEV),
                 ("migrate", "apply", "--config", DEVELOP, "--env", "master")):
        r = unchanged(root, lambda args=args: atoll(root, *args))
        failed(r, r"checksum mismatch")
        assert "migrate hash" in r.out, r
        assert f"{applied_file.name} was edited" in r.out, r
    (root / "db" / "migrations" / "master" / "atlas.sum").unlink()
    before = snapshot(root / MASTER_DB)
    failed(apply_master(root), r"checksum file not found")
    assert snapshot(root / MASTER_DB) == before
