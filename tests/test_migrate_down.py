"""`migrate down`: planned from the live database to the directory's state at the target
version (replayed on the dev database), refused when it would delete data, revision rows
removed, rows kept through SQLite rebuilds; over a fleet, every database in parallel."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from atoll.migrate import hash_dir

ATOLL = str(Path(sys.executable).with_name("atoll"))
DEV = "sqlite://down?mode=memory"


def run(*args, cwd):
    return subprocess.run([ATOLL, *args], cwd=cwd, capture_output=True, text=True)


def q(db, sql):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def versions(db):
    return [v for (v,) in q(db, "SELECT version FROM atlas_schema_revisions ORDER BY version")]


@pytest.fixture
def project(tmp_path):
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1_users.sql").write_text("CREATE TABLE users (id int NOT NULL, name text);\n")
    (d / "2_posts.sql").write_text(
        "CREATE TABLE posts (id int NOT NULL, user_id int REFERENCES users (id));\n")
    (d / "3_email.sql").write_text("ALTER TABLE users ADD COLUMN email text;\n"
                                   "CREATE INDEX users_name ON users (name);\n")
    hash_dir(d)
    return tmp_path


def applied(project, name="app.db"):
    db = project / name
    r = run("migrate", "apply", "--url", f"sqlite://{db}", cwd=project)
    assert r.returncode == 0, r.stderr
    return db


def test_down_one_file_keeps_every_row(project):
    db = applied(project)
    q(db, "INSERT INTO users (id, name) VALUES (1, 'a'), (2, 'b')")
    r = run("migrate", "down", "--url", f"sqlite://{db}", "--dev-url", DEV, cwd=project)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Migrating down from version 3 to version 2 (1 migration in "
                               "total):\n\n  -- checks before migrating down\n"
                               '    -> column "email" of table "users" holds 0 values\n'
                               "  -- ok\n\n  -- migrating down\n")
    assert "    -> DROP TABLE `users`;\n" in r.stdout  # the rebuild that drops the column
    assert r.stdout.endswith("  -- 1 migration\n  -- 6 sql statements\n")
    assert q(db, "SELECT name FROM sqlite_master WHERE name = 'users_name'") == []
    assert versions(db) == ["1", "2"]
    assert q(db, "SELECT id, name FROM users ORDER BY id") == [(1, "a"), (2, "b")]
    assert [c[1] for c in q(db, "PRAGMA table_info(users)")] == ["id", "name"]
    # The database is where the directory says version 2 is: status pending 1, apply redoes it.
    assert "Pending Files:   1" in run("migrate", "status", "--url", f"sqlite://{db}",
                                       cwd=project).stdout
    assert run("migrate", "apply", "--url", f"sqlite://{db}", cwd=project).returncode == 0
    assert versions(db) == ["1", "2", "3"]


def test_dry_run_changes_nothing(project):
    db = applied(project)
    before = q(db, "SELECT sql FROM sqlite_master ORDER BY name")
    r = run("migrate", "down", "2", "--url", f"sqlite://{db}", "--dev-url", DEV, "--dry-run",
            cwd=project)
    assert r.returncode == 0, r.stderr
    assert "from version 3 to version 1 (2 migrations in total)" in r.stdout
    assert "  -- planned statements\n" in r.stdout and "    -> DROP TABLE `posts`;\n" in r.stdout
    assert "-- ok (" not in r.stdout
    assert q(db, "SELECT sql FROM sqlite_master ORDER BY name") == before
    assert versions(db) == ["1", "2", "3"]


def test_refuses_to_delete_data_with_counts(project):
    db = applied(project)
    q(db, "INSERT INTO users (id, name, email) VALUES (1, 'a', 'a@x'), (2, 'b', NULL), "
          "(3, 'c', 'c@x')")
    q(db, "INSERT INTO posts (id, user_id) VALUES (1, 1)")
    r = run("migrate", "down", "--to-version", "1", "--url", f"sqlite://{db}", "--dev-url", DEV,
            cwd=project)
    assert r.returncode == 1
    assert r.stderr == ('Error: migrate down would delete data: column "email" of table '
                        '"users" holds 2 values; table "posts" holds 1 row; nothing was '
                        'changed\n')
    assert versions(db) == ["1", "2", "3"]
    assert q(db, "SELECT count(*) FROM posts") == [(1,)]
    # Once the data is gone (or moved), the same command goes through.
    q(db, "DELETE FROM posts")
    q(db, "UPDATE users SET email = NULL")
    r = run("migrate", "down", "--to-version", "1", "--url", f"sqlite://{db}", "--dev-url", DEV,
            cwd=project)
    assert r.returncode == 0, r.stderr
    assert versions(db) == ["1"]
    assert {n for (n,) in q(db, "SELECT name FROM sqlite_master WHERE type='table'")} == {
        "users", "atlas_schema_revisions"}
    assert q(db, "SELECT id FROM users ORDER BY id") == [(1,), (2,), (3,)]


def test_down_to_before_the_first_file_and_nothing_left(project):
    db = applied(project)
    r = run("migrate", "down", "3", "--url", f"sqlite://{db}", "--dev-url", DEV, cwd=project)
    assert r.returncode == 0, r.stderr
    assert "to before the first migration (3 migrations in total)" in r.stdout
    assert versions(db) == []
    r = run("migrate", "down", "--url", f"sqlite://{db}", "--dev-url", DEV, cwd=project)
    assert (r.returncode, r.stdout) == (0, "No migration applied yet, nothing to revert\n")


def test_plans_from_the_live_state_after_a_failed_file(project):
    # The last file failed half-way under --tx-mode none: down plans from what is there.
    (project / "migrations" / "4_bad.sql").write_text(
        "CREATE TABLE tags (id int);\nINSERT INTO nowhere VALUES (1);\n")
    hash_dir(project / "migrations")
    db = project / "app.db"
    r = run("migrate", "apply", "--url", f"sqlite://{db}", "--tx-mode", "none", cwd=project)
    assert r.returncode == 1
    r = run("migrate", "down", "--url", f"sqlite://{db}", "--dev-url", DEV, cwd=project)
    assert r.returncode == 0, r.stderr
    assert "DROP TABLE `tags`" in r.stdout
    assert versions(db) == ["1", "2", "3"]


@pytest.mark.parametrize("args,message", [
    (("--to-version", "9"), 'version "9" is not applied on this database'),
    (("0",), "cannot revert '0' migration files"),
    (("x",), 'invalid amount argument "x"'),
    (("1", "--to-version", "1"), "either an amount or --to-version"),
])
def test_bad_arguments(project, args, message):
    db = applied(project)
    r = run("migrate", "down", *args, "--url", f"sqlite://{db}", "--dev-url", DEV, cwd=project)
    assert r.returncode == 1 and message in r.stderr and len(r.stderr.splitlines()) == 1
    assert versions(db) == ["1", "2", "3"]


def test_needs_a_dev_database(project):
    db = applied(project)
    r = run("migrate", "down", "--url", f"sqlite://{db}", cwd=project)
    assert r.returncode == 1 and '"dev-url" not set' in r.stderr


def test_fleet_goes_down_in_parallel_only_above_the_target(project):
    shards = [applied(project, f"shard_{i}.db") for i in range(1, 4)]
    # shard_3 is already at version 2; shard_2 holds data the revert would drop.
    r = run("migrate", "down", "--url", f"sqlite://{shards[2]}", "--dev-url", DEV, cwd=project)
    assert r.returncode == 0, r.stderr
    (project / "atlas.hcl").write_text(f'''
env "shards" {{
  for_each = toset(["shard_1", "shard_2", "shard_3"])
  url      = "sqlite://{project}/${{each.value}}.db"
  dev      = "{DEV}"
  migration {{
    dir = "file://migrations"
  }}
}}
''')
    r = run("migrate", "down", "--to-version", "2", "--env", "shards", "--format", "json",
            "--continue-on-error", cwd=project)
    assert r.returncode == 0, r.stderr
    rows = {row["Name"]: row for row in json.loads(r.stdout)}
    assert all(versions(db) == ["1", "2"] for db in shards)
    assert [(rows[n]["VersionBefore"], rows[n]["Files"]) for n in sorted(rows)] == [
        ("3", 1), ("3", 1), ("2", 0)]  # shard_3 was at the target: it did not move
    q(shards[1], "INSERT INTO posts (id) VALUES (1)")
    r = run("migrate", "down", "--to-version", "1", "--env", "shards", "--continue-on-error",
            cwd=project)
    assert r.returncode == 1
    assert 'table "posts" holds 1 row' in r.stdout
    assert versions(shards[0]) == ["1"] and versions(shards[2]) == ["1"]
    assert versions(shards[1]) == ["1", "2"]
