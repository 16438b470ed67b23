"""Other tools' directories on the local servers: a goose directory (a PL/pgSQL function in a
StatementBegin/End block) on PostgreSQL, dbmate and golang-migrate directories on MariaDB,
each applied through the CLI with only its up parts. Each test makes its own database and
drops it; a server that is down fails the test."""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path

import psycopg
import pymysql
import pytest
from e2e_support import atoll, ok

GOOSE_PG = {
    "00001_accounts.sql": """\
        -- +goose Up
        CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL);

        -- +goose StatementBegin
        CREATE FUNCTION lower_email() RETURNS trigger AS $$
        BEGIN
            NEW.email := lower(NEW.email);
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql;
        -- +goose StatementEnd

        CREATE TRIGGER accounts_email BEFORE INSERT ON accounts
            FOR EACH ROW EXECUTE FUNCTION lower_email();

        -- +goose Down
        DROP TABLE accounts;
        DROP FUNCTION lower_email();
        """,
    "00002_seed.sql": """\
        -- +goose Up
        INSERT INTO accounts (id, email) VALUES (1, 'Ann@Example.COM');

        -- +goose Down
        DELETE FROM accounts;
        """,
}

DBMATE_MY = {
    "20240101000000_accounts.sql": """\
        -- migrate:up
        CREATE TABLE accounts (id int PRIMARY KEY, email varchar(100) NOT NULL);
        INSERT INTO accounts (id, email) VALUES (1, 'ann@example.com');

        -- migrate:down
        DROP TABLE accounts;
        """,
}

GOLANG_MY = {
    "1_accounts.up.sql": "CREATE TABLE accounts (id int PRIMARY KEY);\n",
    "1_accounts.down.sql": "DROP TABLE accounts;\n",
    "2_note.up.sql": "ALTER TABLE accounts ADD COLUMN note text;\n",
    "2_note.down.sql": "ALTER TABLE accounts DROP COLUMN note;\n",
}


def write_tree(root: Path, files: dict[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text))


def pg(db: str = "postgres") -> psycopg.Connection:
    try:
        return psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname=db,
                               autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {exc}")


def my(db: str | None = None) -> pymysql.Connection:
    try:
        return pymysql.connect(host="127.0.0.1", port=3306, user="root", password="",
                               database=db, autocommit=True, connect_timeout=5)
    except pymysql.MySQLError as exc:
        pytest.fail(f"MariaDB at 127.0.0.1:3306 is not reachable: {exc}")


@pytest.fixture
def pgdb():
    name = f"atoll_t_{uuid.uuid4().hex[:12]}"
    with pg() as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with pg() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def mydb():
    name = f"atoll_t_{uuid.uuid4().hex[:12]}"
    conn = my()
    try:
        conn.cursor().execute(f"CREATE DATABASE `{name}`")
        yield name
    finally:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


def test_goose_on_postgres(tmp_path, pgdb):
    write_tree(tmp_path / "migrations", GOOSE_PG)
    url = f"postgres://postgres@127.0.0.1:5432/{pgdb}?sslmode=disable"
    d = "file://migrations?format=goose"
    ok(atoll(tmp_path, "migrate", "hash", "--dir", d))
    out = ok(atoll(tmp_path, "migrate", "apply", "--dir", d, "--url", url)).out
    assert "2 migrations" in out and "DROP TABLE" not in out
    with pg(pgdb) as c:
        assert c.execute("SELECT email FROM accounts").fetchall() == [("ann@example.com",)]
        rows = c.execute("SELECT version FROM atlas_schema_revisions.atlas_schema_revisions "
                         "ORDER BY version").fetchall()
        assert rows == [("00001",), ("00002",)]
    assert "Already at latest version" in ok(atoll(tmp_path, "migrate", "status", "--dir", d,
                                                   "--url", url)).out


@pytest.mark.parametrize("fmt,files,versions", [
    ("dbmate", DBMATE_MY, ["20240101000000"]),
    ("golang-migrate", GOLANG_MY, ["1", "2"]),
])
def test_formats_on_mariadb(tmp_path, mydb, fmt, files, versions):
    write_tree(tmp_path / "migrations", files)
    url = f"mysql://root@127.0.0.1:3306/{mydb}"
    d = f"file://migrations?format={fmt}"
    ok(atoll(tmp_path, "migrate", "hash", "--dir", d))
    ok(atoll(tmp_path, "migrate", "apply", "--dir", d, "--url", url))
    conn = my(mydb)
    try:
        cur = conn.cursor()
        cur.execute("SHOW TABLES")
        assert "accounts" in {r[0] for r in cur.fetchall()}
        cur.execute("SELECT version FROM atlas_schema_revisions ORDER BY version")
        assert [r[0] for r in cur.fetchall()] == versions
    finally:
        conn.close()
    assert "Already at latest version" in ok(atoll(tmp_path, "migrate", "status", "--dir", d,
                                                   "--url", url)).out
