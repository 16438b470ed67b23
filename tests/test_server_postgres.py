"""PostgreSQL as a target of versioned migrations, on a real server (127.0.0.1:5432, user
postgres, trust auth; the CI script starts it). Every test gets a fresh database of its own
(advisory locks and the "clean database" check are per database) and drops it afterwards.
Nothing is skipped: a server that is down fails these tests.

Also here: the fleet test (two PostgreSQL schemas and one MariaDB database in one env)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from atoll.dialects import dialect_for
from atoll.errors import AtollError
from atoll.migrate import apply, hash_dir, render_status, status
from atoll.urls import parse_url
from postgres_support import admin
from process_checks import error_line, ok_stdout

PG = "postgres://postgres@127.0.0.1:5432"
MARIA = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}
ATOLL = str(Path(sys.executable).with_name("atoll"))
LOCK = "atlas_migrate_execute"

# What Atlas's Ent schema gives on PostgreSQL (cmd/atlas/internal/migrate/ent/schema):
# (column, data_type, nullable, default)
ATLAS_COLUMNS = [
    ("version", "character varying", "NO", None),
    ("description", "character varying", "NO", None),
    ("type", "bigint", "NO", "2"),
    ("applied", "bigint", "NO", "0"),
    ("total", "bigint", "NO", "0"),
    ("executed_at", "timestamp with time zone", "NO", None),
    ("execution_time", "bigint", "NO", None),
    ("error", "text", "YES", None),
    ("error_stmt", "text", "YES", None),
    ("hash", "character varying", "NO", None),
    ("partial_hashes", "jsonb", "YES", None),
    ("operator_version", "character varying", "NO", None),
]

FILES = {
    "1_init.sql": (
        "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);\n"
        "CREATE UNIQUE INDEX users_name ON users (name);\n"
        "INSERT INTO users (id, name) VALUES (1, 'ann'), (2, 'bob');\n"),
    "2_posts.sql": (
        "CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users (id),\n"
        "  body text);\n"
        "CREATE FUNCTION shout(t text) RETURNS text AS $$ BEGIN RETURN upper(t) || '!'; END; "
        "$$ LANGUAGE plpgsql;\n"
        "INSERT INTO posts VALUES (1, 1, shout('hi; there'));\n"),
}
BAD = ("CREATE TABLE tags (id int);\n"
       "INSERT INTO tags VALUES (1);\n"
       "INSERT INTO nope VALUES (1);\n")


# -- helpers ---------------------------------------------------------------------------------

def q(db: str, sql: str, params=None) -> list[tuple]:
    with admin(db) as c:
        cur = c.execute(sql, params)
        return cur.fetchall() if cur.description else []


def url(db: str, schema: str | None = None) -> str:
    return f"{PG}/{db}?sslmode=disable" + (f"&search_path={schema}" if schema else "")


def make_dir(root: Path, files: dict[str, str], name: str = "migrations") -> Path:
    d = root / name
    d.mkdir(parents=True, exist_ok=True)
    for n, text in files.items():
        (d / n).write_text(text)
    hash_dir(d)
    return d


def atoll(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {"NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run([ATOLL, *args], check=False, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def ok(r: subprocess.CompletedProcess) -> str:
    return ok_stdout(r, forbid=("Traceback", "Error"))


failed = error_line


def revs(db: str, schema: str) -> list[tuple]:
    return q(db, f'SELECT version, description, type, applied, total, error, error_stmt, hash, '
                 f'partial_hashes, operator_version FROM "{schema}".atlas_schema_revisions '
                 f"ORDER BY version")


def tables(db: str, schema: str) -> set[str]:
    return {r[0] for r in q(db, "SELECT tablename FROM pg_tables WHERE schemaname = %s",
                            (schema,))}


def atlas_sum(d: Path) -> dict[str, str]:
    lines = (d / "atlas.sum").read_text().splitlines()[1:]
    return {n: h.removeprefix("h1:") for n, h in (ln.split(" ", 1) for ln in lines)}


def fnv1_32(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h = (h * 0x01000193) & 0xFFFFFFFF
        h ^= b
    return h


def int32(v: int) -> int:
    return v - (1 << 32) if v >= 1 << 31 else v


@pytest.fixture
def pgdb():
    name = f"atoll_t_{uuid.uuid4().hex[:12]}"
    with admin() as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- tests -----------------------------------------------------------------------------------

def test_apply_status_and_rerun_through_the_cli(tmp_path, pgdb):
    d = make_dir(tmp_path, FILES)
    u = url(pgdb, "app")
    assert ok(atoll(tmp_path, "migrate", "status", "--url", u)) == (
        "Migration Status: PENDING\n"
        "  -- Current Version: No migration applied yet\n"
        "  -- Next Version:    1\n"
        "  -- Executed Files:  0\n"
        "  -- Pending Files:   2\n")
    out = ok(atoll(tmp_path, "migrate", "apply", "--url", u))
    assert out.startswith("Migrating to version 2 (2 migrations in total):\n")
    assert "    -> INSERT INTO posts VALUES (1, 1, shout('hi; there'));\n" in out
    assert "  -- 2 migrations\n  -- 6 sql statements\n" in out
    # Everything landed in the bound schema, revisions table included.
    assert tables(pgdb, "app") == {"users", "posts", "atlas_schema_revisions"}
    assert q(pgdb, "SELECT indexdef FROM pg_indexes WHERE indexname = 'users_name'") == [
        ("CREATE UNIQUE INDEX users_name ON app.users USING btree (name)",)]
    assert q(pgdb, "SELECT body FROM app.posts") == [("HI; THERE!",)]
    sums = atlas_sum(d)
    rows = revs(pgdb, "app")
    assert [r[:7] for r in rows] == [("1", "init", 2, 3, 3, "", ""),
                                     ("2", "posts", 2, 3, 3, "", "")]
    assert [r[7] for r in rows] == [sums["1_init.sql"], sums["2_posts.sql"]]
    assert all(r[8] is None and r[9].startswith("atoll v") for r in rows)
    assert not q(pgdb, "SELECT 1 FROM pg_namespace WHERE nspname = 'atlas_schema_revisions'")

    assert ok(atoll(tmp_path, "migrate", "status", "--url", u)) == (
        "Migration Status: OK\n"
        "  -- Current Version: 2\n"
        "  -- Next Version:    Already at latest version\n"
        "  -- Executed Files:  2\n"
        "  -- Pending Files:   0\n")
    stamps = q(pgdb, "SELECT version, executed_at FROM app.atlas_schema_revisions")
    assert ok(atoll(tmp_path, "migrate", "apply", "--url", u)) == "No migration files to execute\n"
    assert q(pgdb, "SELECT version, executed_at FROM app.atlas_schema_revisions") == stamps
    assert q(pgdb, "SELECT count(*) FROM app.users") == [(2,)]


def test_revisions_table_is_atlas_own(tmp_path, pgdb):
    """Same columns, types, nullability, defaults and key as Atlas's table; in the separate
    ``atlas_schema_revisions`` schema when the URL names no schema (Atlas's default)."""
    make_dir(tmp_path, {"1_a.sql": "CREATE TABLE a (id int);\n"})
    ok(atoll(tmp_path, "migrate", "apply", "--url", url(pgdb)))
    ok(atoll(tmp_path, "migrate", "apply", "--url", url(pgdb, "s1")))
    for schema in ("atlas_schema_revisions", "s1"):
        cols = q(pgdb, "SELECT column_name, data_type, is_nullable, column_default "
                       "FROM information_schema.columns WHERE table_schema = %s "
                       "AND table_name = 'atlas_schema_revisions' ORDER BY ordinal_position",
                 (schema,))
        assert cols == ATLAS_COLUMNS
        assert q(pgdb, "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON "
                       "a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indisprimary "
                       "AND i.indrelid = %s::regclass",
                 (f"{schema}.atlas_schema_revisions",)) == [("version",)]
    assert revs(pgdb, "atlas_schema_revisions")[0][:5] == ("1", "a", 2, 1, 1)
    # --revisions-schema puts it elsewhere.
    q(pgdb, "CREATE SCHEMA s2")
    ok(atoll(tmp_path, "migrate", "apply", "--url", url(pgdb, "s2"), "--revisions-schema",
             "audit"))
    assert tables(pgdb, "audit") == {"atlas_schema_revisions"}
    assert "atlas_schema_revisions" not in tables(pgdb, "s2")
    assert ok(atoll(tmp_path, "migrate", "status", "--url", url(pgdb, "s2"),
                    "--revisions-schema", "audit")).startswith("Migration Status: OK\n")


def test_a_database_atlas_migrated_keeps_working(tmp_path, pgdb):
    """A revisions table made and filled the way Atlas does (Ent's DDL, lib/pq values)."""
    make_dir(tmp_path, FILES)
    sums = atlas_sum(tmp_path / "migrations")
    q(pgdb, 'CREATE SCHEMA app; CREATE TABLE app.users (id int PRIMARY KEY, name text NOT NULL); '
            "CREATE UNIQUE INDEX users_name ON app.users (name); "
            "INSERT INTO app.users VALUES (1, 'ann'), (2, 'bob'); "
            'CREATE TABLE "app"."atlas_schema_revisions" ("version" character varying NOT NULL, '
            '"description" character varying NOT NULL, "type" bigint NOT NULL DEFAULT 2, '
            '"applied" bigint NOT NULL DEFAULT 0, "total" bigint NOT NULL DEFAULT 0, '
            '"executed_at" timestamptz NOT NULL, "execution_time" bigint NOT NULL, '
            '"error" text NULL, "error_stmt" text NULL, "hash" character varying NOT NULL, '
            '"partial_hashes" jsonb NULL, "operator_version" character varying NOT NULL, '
            'PRIMARY KEY ("version"))')
    q(pgdb, "INSERT INTO app.atlas_schema_revisions VALUES ('.atlas_cloud_identifier', "
            "'0f6b1c1e-5b7e-4a43-9d2e-6f1f7a0a9a11', 2, 0, 0, now(), 0, '', '', '', 'null', "
            "'Atlas CLI v0.31.0'), ('1', 'init', 2, 3, 3, '2025-01-02 03:04:05.123456+02', "
            "1234567, '', '', %s, 'null', 'Atlas CLI v0.31.0')", (sums["1_init.sql"],))
    u = url(pgdb, "app")
    out = ok(atoll(tmp_path, "migrate", "status", "--url", u))
    assert "  -- Current Version: 1\n  -- Next Version:    2\n" in out
    out = ok(atoll(tmp_path, "migrate", "apply", "--url", u))
    assert out.startswith("Migrating to version 2 from 1 (1 migrations in total):\n")
    rows = q(pgdb, "SELECT version, executed_at::text, operator_version FROM "
                   "app.atlas_schema_revisions ORDER BY version")
    assert rows[0][0] == ".atlas_cloud_identifier"  # left alone
    assert rows[1] == ("1", "2025-01-02 01:04:05.123456+00", "Atlas CLI v0.31.0")
    assert rows[2][0] == "2" and rows[2][2].startswith("atoll v")
    # JSON status reads Atlas's time back with its own offset handling.
    js = json.loads(ok(atoll(tmp_path, "migrate", "status", "--url", u, "--format",
                             "{{ json . }}")))
    assert [r["Version"] for r in js["Applied"]] == ["1", "2"]
    assert js["Applied"][0]["ExecutedAt"].startswith("2025-01-02T01:04:05.123456")


def test_failing_file_is_rolled_back_whole(tmp_path, pgdb):
    make_dir(tmp_path, {**FILES, "3_tags.sql": BAD})
    u = url(pgdb, "app")
    r = atoll(tmp_path, "migrate", "apply", "--url", u)
    line = failed(r)
    assert line == ('Error: sql/migrate: executing statement "INSERT INTO nope VALUES (1);" from '
                    'version "3": pq: relation "nope" does not exist at column 13 (42P01)')
    assert "    -> INSERT INTO nope VALUES (1);\n    pq: relation" in r.stdout
    # Files 1 and 2 committed; everything of file 3 is gone (PostgreSQL DDL is transactional).
    assert tables(pgdb, "app") == {"users", "posts", "atlas_schema_revisions"}
    rows = {r[0]: r for r in revs(pgdb, "app")}
    assert rows["2"][3:5] == (3, 3)
    assert "3" not in rows or rows["3"][3] == 0  # nothing of it applied
    # Fix the file: the next run applies it from its first statement.
    make_dir(tmp_path, {"3_tags.sql": BAD.replace("nope", "tags")})
    out = ok(atoll(tmp_path, "migrate", "apply", "--url", u))
    assert "  -- 1 migration\n  -- 3 sql statements\n" in out
    assert q(pgdb, "SELECT count(*) FROM app.tags") == [(2,)]
    assert revs(pgdb, "app")[-1][3:7] == (3, 3, "", "")


def test_tx_mode_none_leaves_a_partial_row_that_resumes(tmp_path, pgdb):
    make_dir(tmp_path, {**FILES, "3_tags.sql": BAD})
    u = url(pgdb, "app")
    failed(atoll(tmp_path, "migrate", "apply", "--url", u, "--tx-mode", "none"))
    row = revs(pgdb, "app")[-1]
    assert row[3:7] == (2, 3, 'pq: relation "nope" does not exist at column 13 (42P01)',
                        "INSERT INTO nope VALUES (1);")
    assert len(row[8]) == 2 and all(h.startswith("h1:") for h in row[8])
    out = atoll(tmp_path, "migrate", "status", "--url", u).stdout
    assert out == ("Migration Status: PENDING\n"
                   "  -- Current Version: 3 (2 statements applied)\n"
                   "  -- Next Version:    3 (1 statements left)\n"
                   "  -- Executed Files:  3 (last one partially)\n"
                   "  -- Pending Files:   1\n"
                   "\n"
                   "Last migration attempt had errors:\n"
                   "  -- SQL:   INSERT INTO nope VALUES (1);\n"
                   '  -- ERROR: pq: relation "nope" does not exist at column 13 (42P01)\n')
    first_hash = atlas_sum(tmp_path / "migrations")["3_tags.sql"]
    make_dir(tmp_path, {"3_tags.sql": BAD.replace("nope", "tags")})
    out = ok(atoll(tmp_path, "migrate", "apply", "--url", u))
    assert "    -> INSERT INTO tags VALUES (1);\n  -- ok" in out and "CREATE TABLE" not in out
    assert q(pgdb, "SELECT count(*) FROM app.tags") == [(2,)]
    # The row is resumed as stored, and ends with the fixed file's hash (Atlas keeps the
    # first attempt's, which reads as an edit after apply).
    fixed_hash = atlas_sum(tmp_path / "migrations")["3_tags.sql"]
    assert revs(pgdb, "app")[-1][3:9] == (3, 3, "", "", fixed_hash, None)
    assert fixed_hash != first_hash


def test_baseline_and_set(tmp_path, pgdb):
    make_dir(tmp_path, FILES)
    u = url(pgdb, "app")
    q(pgdb, "CREATE SCHEMA app; CREATE TABLE app.legacy (id int); "
            "CREATE TABLE app.users (id int PRIMARY KEY, name text NOT NULL); "
            "INSERT INTO app.users VALUES (1, 'ann')")
    line = failed(atoll(tmp_path, "migrate", "apply", "--url", u))
    assert "connected database is not clean" in line and "baseline version or allow-dirty" in line
    out = ok(atoll(tmp_path, "migrate", "apply", "--url", u, "--baseline", "1"))
    assert out.startswith("Migrating to version 2 from 1 (1 migrations in total):\n")
    assert [r[:5] for r in revs(pgdb, "app")] == [("1", "init", 1, 0, 0),
                                                  ("2", "posts", 2, 3, 3)]
    # set back to 1: row 2 goes; status shows 2 pending; set 2 marks it as manually applied.
    ok(atoll(tmp_path, "migrate", "set", "1", "--url", u))
    assert [r[0] for r in revs(pgdb, "app")] == ["1"]
    assert "  -- Next Version:    2\n" in atoll(tmp_path, "migrate", "status", "--url", u).stdout
    ok(atoll(tmp_path, "migrate", "set", "2", "--url", u))
    assert [r[:5] for r in revs(pgdb, "app")][-1] == ("2", "posts", 4, 0, 0)
    assert ok(atoll(tmp_path, "migrate", "apply", "--url", u)) == "No migration files to execute\n"


def test_two_concurrent_applies_run_each_file_once(tmp_path, pgdb):
    make_dir(tmp_path, {
        "1_log.sql": "CREATE TABLE log (v int);\nSELECT pg_sleep(0.6);\nINSERT INTO log VALUES (1);\n",
        "2_more.sql": "INSERT INTO log VALUES (2);\n"})
    u = url(pgdb, "app")
    procs = [subprocess.Popen([ATOLL, "migrate", "apply", "--url", u], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=60) + (p.returncode,) for p in procs]
    assert [o[2] for o in outs] == [0, 0], outs
    assert sorted(o[0].startswith("Migrating to version 2 (2 migrations") for o in outs) == [
        False, True], outs
    assert any(o[0] == "No migration files to execute\n" for o in outs), outs
    assert q(pgdb, "SELECT v FROM app.log ORDER BY v") == [(1,), (2,)]


def test_lock_is_atlas_advisory_lock_and_per_schema(tmp_path, pgdb):
    """Atlas holds ``pg_advisory_lock(fnv32(name))`` exclusively: atoll waits for it. Two
    atoll runs exclude each other per schema only, so fleets on one database run in parallel."""
    assert fnv1_32(b"a") == 0x050C5D7E  # Go's hash/fnv New32 (FNV-1)
    make_dir(tmp_path, {"1_a.sql": "CREATE TABLE a (id int);\n"})
    key = fnv1_32(LOCK.encode())
    with admin(pgdb) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (key,))  # what Atlas takes
        t0 = time.monotonic()
        line = failed(atoll(tmp_path, "migrate", "apply", "--url", url(pgdb, "s1"),
                            "--lock-timeout", "300ms"))
        assert line == "Error: acquiring database lock: sql/schema: lock is held by other session"
        assert time.monotonic() - t0 >= 0.3
        holder.execute("SELECT pg_advisory_unlock(%s)", (key,))
        # An atoll run on s1 (its per-schema key) blocks s1 only.
        holder.execute("SELECT pg_advisory_lock(%s, %s)", (int32(key), int32(fnv1_32(b"s1"))))
        failed(atoll(tmp_path, "migrate", "apply", "--url", url(pgdb, "s1"), "--lock-timeout",
                     "0s"))
        ok(atoll(tmp_path, "migrate", "apply", "--url", url(pgdb, "s2"), "--lock-timeout", "0s"))
        # migrate set uses the same lock (without waiting).
        failed(atoll(tmp_path, "migrate", "set", "1", "--url", url(pgdb, "s1")))
    ok(atoll(tmp_path, "migrate", "apply", "--url", url(pgdb, "s1"), "--lock-timeout", "0s"))
    # The locks are released after a run (session locks of the run's connection are gone).
    assert q(pgdb, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                   "(SELECT oid FROM pg_database WHERE datname = current_database())") == [(0,)]


def test_realm_url_and_clean_check(tmp_path, pgdb):
    """No search_path: statements act on the search path's default (public), the revisions
    table goes to ``atlas_schema_revisions``, and every schema counts for the clean check."""
    make_dir(tmp_path, FILES)
    q(pgdb, "CREATE SCHEMA other; CREATE TABLE other.t (id int)")
    line = failed(atoll(tmp_path, "migrate", "apply", "--url", url(pgdb)))
    assert "connected database is not clean" in line
    ok(atoll(tmp_path, "migrate", "apply", "--url", url(pgdb), "--allow-dirty"))
    assert tables(pgdb, "public") == {"users", "posts"}
    assert [r[0] for r in revs(pgdb, "atlas_schema_revisions")] == ["1", "2"]


def test_library_api_and_declarative_side(tmp_path, pgdb):
    d = make_dir(tmp_path, FILES)
    u = parse_url(url(pgdb, "lib"))
    dialect = dialect_for(u)
    assert dialect.name == "postgres" and dialect_for(url(pgdb)) is dialect
    with dialect.connect(u) as conn:
        rep = apply(conn, dialect, d, amount=1)
        assert rep.error is None and [f.file.version for f in rep.applied] == ["1"]
        st = status(conn, dialect, d)
        assert render_status(st).startswith("Migration Status: PENDING\n  -- Current Version: 1\n")
        schema = dialect.inspect(conn)
        assert schema.name == "lib"
        assert [t.name for t in schema.tables] == ["atlas_schema_revisions", "users"]
        # Dollar-quoted bodies stay whole.
        assert len(dialect.split(FILES["2_posts.sql"])) == 3
    out = ok(atoll(tmp_path, "schema", "inspect", "--url", url(pgdb, "lib"),
                   "--exclude", "atlas_schema_revisions"))
    assert out.startswith('table "users" {\n  schema = schema.lib\n')
    assert 'index "users_name" {\n    unique  = true\n    columns = [column.name]\n  }' in out


def test_connection_errors_are_one_line(tmp_path):
    make_dir(tmp_path, FILES)
    line = failed(atoll(tmp_path, "migrate", "status", "--url",
                        "postgres://postgres:secret@127.0.0.1:5432/atoll_no_such_db?sslmode=disable"))
    assert re.search(r'database "atoll_no_such_db" does not exist', line), line
    assert "secret" not in line
    line = failed(atoll(tmp_path, "migrate", "apply", "--url",
                        "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"))
    assert "cannot connect" in line


def test_fleet_of_postgres_schemas_and_a_mariadb_database(tmp_path, pgdb):
    import pymysql

    maria = f"atoll_f_{uuid.uuid4().hex[:12]}"
    try:
        conn = pymysql.connect(autocommit=True, **MARIA)
    except pymysql.MySQLError as exc:
        pytest.fail(f"MariaDB at 127.0.0.1:3306 is not reachable: {exc}")
    try:
        conn.cursor().execute(f"CREATE DATABASE `{maria}`")
        make_dir(tmp_path, {
            "1_t.sql": "CREATE TABLE t (id int PRIMARY KEY, name varchar(20));\n"
                       "INSERT INTO t VALUES (1, 'x');\n",
            "2_u.sql": "CREATE TABLE u (id int);\n"})
        urls = [url(pgdb, "tenant_a"), url(pgdb, "tenant_b"),
                f"mariadb://root:@127.0.0.1:3306/{maria}"]
        (tmp_path / "atlas.hcl").write_text(
            "locals {\n  urls = [" + ", ".join(json.dumps(u) for u in urls) + "]\n}\n"
            'env "fleet" {\n  for_each = toset(local.urls)\n  url = each.value\n'
            '  migration {\n    dir = "file://migrations"\n  }\n}\n')
        r = atoll(tmp_path, "migrate", "apply", "--env", "fleet", "--format", "{{ json . }}")
        out = ok(r)
        results = json.loads(out)
        assert sorted(x["State"] for x in results) == ["ok", "ok", "ok"], out
        assert all(x["VersionAfter"] == "2" and x["Files"] == 2 for x in results), out
        for schema in ("tenant_a", "tenant_b"):
            assert tables(pgdb, schema) == {"t", "u", "atlas_schema_revisions"}
        cur = conn.cursor()
        cur.execute(f"SELECT version, applied, total FROM `{maria}`.atlas_schema_revisions "
                    f"ORDER BY version")
        assert cur.fetchall() == (("1", 2, 2), ("2", 1, 1))
        # Plain output: one table row per database; a second run changes nothing.
        out = ok(atoll(tmp_path, "migrate", "apply", "--env", "fleet"))
        assert out.startswith("DATABASE ") and out.rstrip().endswith("3 database(s): 3 ok")
        out = ok(atoll(tmp_path, "migrate", "status", "--env", "fleet", "--format",
                       "{{ json . }}"))
        assert [x["State"] for x in json.loads(out)] == ["ok"] * 3
    finally:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS `{maria}`")
        conn.close()
