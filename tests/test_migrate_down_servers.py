"""``migrate down`` on the servers: PostgreSQL (the revert and the removal of the revision
rows in one transaction) and MariaDB (statement by statement, as its DDL commits at once).
The plan comes from the live database and the directory replayed on a dev schema/database;
data in a dropped table or column refuses the revert. Own database per test."""

from __future__ import annotations

from pathlib import Path

import mysql_support as my
from postgres_support import atoll, db, ok, sql, url  # noqa: F401

FILES = {
    "1_users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n",
    "2_posts.sql": ("CREATE TABLE posts (id bigint PRIMARY KEY);\n"
                    "ALTER TABLE users ADD COLUMN email text;\n"),
}


def directory(tmp: Path, run) -> None:
    (tmp / "migrations").mkdir()
    for name, text in FILES.items():
        (tmp / "migrations" / name).write_text(text)
    assert run(tmp, "migrate", "hash", "--dir", "file://migrations").returncode == 0


def test_down_on_postgres(tmp_path, db):
    directory(tmp_path, atoll)
    target = ("-u", url(db, "app"), "--dir", "file://migrations", "--dev-url", url(db, "dev"))
    ok(atoll(tmp_path, "migrate", "apply", *target[:4]))
    sql(db, "INSERT INTO app.users VALUES (1, 'a', 'a@example.com')")

    dry = atoll(tmp_path, "migrate", "down", *target, "--dry-run")  # shows the plan, exit 1
    assert dry.returncode == 1 and "refused: the revert would delete data" in dry.stdout
    assert '-> DROP TABLE "posts";' in dry.stdout
    assert '-> ALTER TABLE "users" DROP COLUMN "email";' in dry.stdout
    refused = atoll(tmp_path, "migrate", "down", *target)
    assert refused.returncode == 1
    assert refused.stderr == ('Error: migrate down would delete data: column "email" of table '
                              '"users" holds 1 value; nothing was changed\n')

    sql(db, "UPDATE app.users SET email = NULL")
    ok(atoll(tmp_path, "migrate", "down", *target))
    assert sql(db, "SELECT version FROM app.atlas_schema_revisions") == [("1",)]
    assert sql(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'app'"
                   " ORDER BY 1") == [("atlas_schema_revisions",), ("users",)]
    assert sql(db, "SELECT count(*) FROM app.users") == [(1,)]
    # And up again: the reverted file applies as new.
    ok(atoll(tmp_path, "migrate", "apply", *target[:4]))
    assert len(sql(db, "SELECT version FROM app.atlas_schema_revisions")) == 2


def test_a_failing_revert_changes_nothing_on_postgres(tmp_path, db):
    directory(tmp_path, atoll)
    target = ("-u", url(db, "app"), "--dir", "file://migrations", "--dev-url", url(db, "dev"))
    ok(atoll(tmp_path, "migrate", "apply", *target[:4]))
    # A view in another schema (not the one migrated) reads the column the revert drops:
    # PostgreSQL refuses the DROP COLUMN after the DROP TABLE already ran; the transaction
    # takes both back.
    sql(db, "CREATE VIEW public.emails AS SELECT email FROM app.users")
    r = atoll(tmp_path, "migrate", "down", *target)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert sql(db, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'app'"
                   " AND table_name = 'posts'") == [(1,)]
    assert len(sql(db, "SELECT version FROM app.atlas_schema_revisions")) == 2


def test_down_on_mariadb(tmp_path):
    name, dev = my.new_db(), my.new_db()
    try:
        directory(tmp_path, my.atoll)
        target = ("-u", my.url(name), "--dir", "file://migrations", "--dev-url", my.url(dev))
        my.ok(my.atoll(tmp_path, "migrate", "apply", *target[:4]))
        my.q(f"INSERT INTO `{name}`.posts VALUES (7)")
        refused = my.atoll(tmp_path, "migrate", "down", *target)
        assert refused.returncode == 1 and 'table "posts" holds 1 row' in refused.stderr
        my.q(f"DELETE FROM `{name}`.posts")
        my.ok(my.atoll(tmp_path, "migrate", "down", *target))
        assert my.q(f"SELECT version FROM `{name}`.atlas_schema_revisions") == [("1",)]
        assert my.q(f"SHOW TABLES FROM `{name}`") == [("atlas_schema_revisions",), ("users",)]
        cols = my.q(f"SELECT column_name FROM information_schema.columns WHERE table_schema = "
                    f"'{name}' AND table_name = 'users' ORDER BY ordinal_position")
        assert cols == [("id",), ("name",)]
    finally:
        my.drop_db(name)
        my.drop_db(dev)
