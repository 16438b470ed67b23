"""``migrate down`` on the servers: PostgreSQL (the revert and the removal of the revision
rows in one transaction) and MariaDB (statement by statement, as its DDL commits at once).
The plan comes from the live database and the directory replayed on a dev schema/database;
data in a dropped table or column refuses the revert. Own database per test."""

from __future__ import annotations

from pathlib import Path

import pytest

import mysql_support as my
from postgres_support import atoll, db, drop_db, failed, new_db, ok, sql, url  # noqa: F401

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


def refused(tmp: Path, target: tuple, statements: list[str], risk: str) -> str:
    """The dry run shows ``statements`` and is refused (exit 1); the revert itself is refused
    with ``risk``. Returns the dry run's output."""
    dry = atoll(tmp, "migrate", "down", *target, "--dry-run")
    assert dry.returncode == 1 and "refused: the revert would delete data" in dry.stdout
    for st in statements:
        assert f"-> {st};" in dry.stdout
    r = atoll(tmp, "migrate", "down", *target)
    assert r.returncode == 1
    assert r.stderr == f"Error: migrate down would delete data: {risk}; nothing was changed\n"
    return dry.stdout


def test_down_on_postgres(tmp_path, db):
    directory(tmp_path, atoll)
    target = ("-u", url(db, "app"), "--dir", "file://migrations", "--dev-url", url(db, "dev"))
    ok(atoll(tmp_path, "migrate", "apply", *target[:4]))
    sql(db, "INSERT INTO app.users VALUES (1, 'a', 'a@example.com')")

    refused(tmp_path, target, ['DROP TABLE "posts"', 'ALTER TABLE "users" DROP COLUMN "email"'],
            'column "email" of table "users" holds 1 value')

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


REALM_FILES = {
    "1_users.sql": "CREATE TABLE public.users (id bigint PRIMARY KEY, name text);\n",
    "2_shop.sql": ("CREATE SCHEMA shop;\n"
                   "CREATE TABLE shop.orders (id bigint PRIMARY KEY,"
                   " user_id bigint REFERENCES public.users (id));\n"
                   "ALTER TABLE public.users ADD COLUMN email text;\n"),
}


@pytest.fixture
def realm(tmp_path):
    """A whole database (no search_path) with REALM_FILES applied, and an empty database as
    its dev database: ``(database, dev, target flags)``; both dropped afterwards."""
    name, dev = new_db("atoll_dn"), new_db("atoll_dv")
    try:
        (tmp_path / "migrations").mkdir()
        for file, text in REALM_FILES.items():
            (tmp_path / "migrations" / file).write_text(text)
        ok(atoll(tmp_path, "migrate", "hash"))
        target = ("-u", url(name), "--dir", "file://migrations", "--dev-url", url(dev))
        ok(atoll(tmp_path, "migrate", "apply", *target[:4]))
        yield name, dev, target
    finally:
        drop_db(name)
        drop_db(dev)


def test_down_on_a_whole_postgres_database(tmp_path, realm):
    """A URL without search_path is reverted as a whole: the schema the reverted file created
    is dropped, the column it added to ``public`` too, in one transaction, with the data
    checks over every schema."""
    name, dev, target = realm
    sql(name, "INSERT INTO public.users VALUES (1, 'a', NULL); "
              "INSERT INTO shop.orders VALUES (1, 1)")

    dry = refused(tmp_path, target, ['DROP SCHEMA "shop" CASCADE',
                                     'ALTER TABLE "public"."users" DROP COLUMN "email"'],
                  'table "shop.orders" holds 1 row')
    assert 'column "email" of table "public.users" holds 0 values' in dry

    sql(name, "DELETE FROM shop.orders")
    ok(atoll(tmp_path, "migrate", "down", *target))
    assert sql(name, "SELECT version FROM atlas_schema_revisions.atlas_schema_revisions"
                     " ORDER BY 1") == [("1",)]
    assert sql(name, "SELECT count(*) FROM pg_namespace WHERE nspname = 'shop'") == [(0,)]
    assert sql(name, "SELECT column_name FROM information_schema.columns WHERE "
                     "table_schema = 'public' AND table_name = 'users' ORDER BY 1") == [
        ("id",), ("name",)]
    assert sql(name, "SELECT count(*) FROM public.users") == [(1,)]
    assert sql(dev, "SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' AND "
                    "nspname <> 'information_schema'") == [("public",)]
    # A schema-bound dev URL cannot describe the whole database.
    assert "dev URL must name a whole database" in failed(atoll(
        tmp_path, "migrate", "down", *target[:4], "--dev-url", url(dev, "public")))
    # And up again.
    ok(atoll(tmp_path, "migrate", "apply", *target[:4]))
    assert sql(name, "SELECT count(*) FROM shop.orders") == [(0,)]


def test_a_failing_realm_revert_changes_nothing(tmp_path, realm):
    name, _, target = realm
    # A function (not part of the model) reads the column the revert drops: PostgreSQL
    # refuses the DROP COLUMN after the DROP SCHEMA ran; the one transaction takes both back.
    sql(name, "CREATE FUNCTION public.first_email() RETURNS text LANGUAGE sql "
              "BEGIN ATOMIC SELECT email FROM public.users LIMIT 1; END")
    r = atoll(tmp_path, "migrate", "down", *target, "--to-version", "1")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert sql(name, "SELECT count(*) FROM pg_namespace WHERE nspname = 'shop'") == [(1,)]
    assert len(sql(name, "SELECT version FROM "
                         "atlas_schema_revisions.atlas_schema_revisions")) == 2
