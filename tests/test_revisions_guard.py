"""The revisions table is never planned away: `schema apply|diff|clean`, `atoll.plan` and a
fleet's `schema apply` leave it out unless a schema file declares it (real SQLite files)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import atoll
from atoll.migrate import hash_dir

ATOLL = str(Path(sys.executable).with_name("atoll"))
DEV = "sqlite://guard?mode=memory"
USERS_HCL = ('schema "main" {}\ntable "users" {\n  schema = schema.main\n'
             '  column "id" {\n    type = int\n  }\n}\n')


def run(*args, cwd):
    return subprocess.run([ATOLL, *args], cwd=cwd, capture_output=True, text=True)


def migrated(tmp_path, name="app.db"):
    """A database with two applied migration files; returns its URL."""
    d = tmp_path / "migrations"
    if not d.exists():
        d.mkdir()
        (d / "1_users.sql").write_text("CREATE TABLE users (id int NOT NULL);\n")
        (d / "2_posts.sql").write_text("CREATE TABLE posts (id int NOT NULL);\n")
        hash_dir(d)
    url = f"sqlite://{tmp_path / name}"
    out = run("migrate", "apply", "--url", url, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    return url


def revisions(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute(
            "SELECT version FROM atlas_schema_revisions ORDER BY version")]


def tables(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return sorted(r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"))


def test_schema_apply_with_a_file_keeps_the_revisions_table(tmp_path):
    url = migrated(tmp_path)
    (tmp_path / "schema.hcl").write_text(USERS_HCL)
    out = run("schema", "apply", "--url", url, "--to", "file://schema.hcl", "--auto-approve",
              cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "atlas_schema_revisions" not in out.stdout
    assert 'Drop "posts" table' in out.stdout
    assert tables(tmp_path / "app.db") == ["atlas_schema_revisions", "users"]
    assert revisions(tmp_path / "app.db") == ["1", "2"]


def test_drift_repair_from_the_migration_directory_keeps_every_revision(tmp_path):
    url = migrated(tmp_path)
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE hack (id int)")
        conn.execute("DROP TABLE posts")
    out = run("schema", "apply", "--url", url, "--to", "file://migrations", "--dev-url", DEV,
              "--auto-approve", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "atlas_schema_revisions" not in out.stdout
    assert tables(db) == ["atlas_schema_revisions", "posts", "users"]
    assert revisions(db) == ["1", "2"]
    status = run("migrate", "status", "--url", url, "--dev-url", DEV, cwd=tmp_path)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "Already at latest version" in status.stdout and "Drift" not in status.stdout
    again = run("schema", "apply", "--url", url, "--to", "file://migrations", "--dev-url", DEV,
                "--auto-approve", cwd=tmp_path)
    assert again.stdout == "Schema is synced, no changes to be made\n"


def test_schema_diff_and_python_plan_leave_it_out(tmp_path):
    url = migrated(tmp_path)
    (tmp_path / "schema.hcl").write_text(USERS_HCL)
    out = run("schema", "diff", "--from", url, "--to", "file://schema.hcl", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("DROP TABLE") == 1 and "`posts`" in out.stdout
    assert "atlas_schema_revisions" not in out.stdout
    comments = [s.comment for s in atoll.plan(url, f"file://{tmp_path / 'schema.hcl'}")]
    assert 'Drop "posts" table' in comments
    assert not any("atlas_schema_revisions" in c for c in comments)
    # Two databases, one migrated and one not: no revisions table is created either.
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    out = run("schema", "diff", "--from", f"sqlite://{empty}", "--to", url, cwd=tmp_path)
    assert "atlas_schema_revisions" not in out.stdout and "CREATE TABLE `users`" in out.stdout


def test_a_schema_file_that_declares_the_table_manages_it(tmp_path):
    (tmp_path / "schema.hcl").write_text(
        'schema "main" {}\ntable "atlas_schema_revisions" {\n  schema = schema.main\n'
        '  column "version" {\n    type = text\n  }\n}\n')
    db = tmp_path / "plain.db"
    sqlite3.connect(db).close()
    out = run("schema", "apply", "--url", f"sqlite://{db}", "--to", "file://schema.hcl",
              "--auto-approve", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert 'Create "atlas_schema_revisions" table' in out.stdout


def test_schema_clean_keeps_the_history_unless_asked(tmp_path):
    url = migrated(tmp_path)
    db = tmp_path / "app.db"
    out = run("schema", "clean", "--url", url, "--auto-approve", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "atlas_schema_revisions" not in out.stdout
    assert tables(db) == ["atlas_schema_revisions"] and revisions(db) == ["1", "2"]
    assert run("schema", "clean", "--url", url, cwd=tmp_path).stdout == "Nothing to drop\n"
    out = run("schema", "clean", "--url", url, "--auto-approve", "--with-revisions",
              cwd=tmp_path)
    assert 'Drop "atlas_schema_revisions" table' in out.stdout and tables(db) == []


def test_fleet_schema_apply_keeps_every_shards_history(tmp_path):
    for name in ("a.db", "b.db"):
        migrated(tmp_path, name)
    (tmp_path / "schema.hcl").write_text(USERS_HCL)
    (tmp_path / "atlas.hcl").write_text(
        'env "fleet" {\n  for_each = toset(["a", "b"])\n'
        '  url = "sqlite://${each.value}.db"\n  src = "file://schema.hcl"\n}\n')
    out = run("schema", "apply", "--env", "fleet", "--auto-approve", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    for name in ("a.db", "b.db"):
        assert tables(tmp_path / name) == ["atlas_schema_revisions", "users"]
        assert revisions(tmp_path / name) == ["1", "2"]
