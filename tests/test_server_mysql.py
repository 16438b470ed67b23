"""MySQL/MariaDB as a target of versioned migrations, on a real server (MariaDB at
127.0.0.1:3306, root without password; the CI script starts it). Every test gets a fresh
database of its own and drops it afterwards. Nothing is skipped: a server that is down fails
these tests. (The fleet test mixing PostgreSQL and MariaDB is in test_server_postgres.py.)"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pymysql
import pytest

from atoll.dialects import dialect_for
from atoll.errors import AtollError
from atoll.migrate import apply, hash_dir, render_status, status
from atoll.urls import parse_url
from process_checks import error_line, ok_stdout

SERVER = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}
ATOLL = str(Path(sys.executable).with_name("atoll"))
LOCK = "atlas_migrate_execute"

FILES = {
    "1_init.sql": (
        "CREATE TABLE users (id int PRIMARY KEY, name varchar(50) NOT NULL);\n"
        "CREATE UNIQUE INDEX users_name ON users (name);\n"
        "INSERT INTO users (id, name) VALUES (1, 'ann'), (2, 'bob');\n"),
    "2_posts.sql": (
        "CREATE TABLE posts (id int PRIMARY KEY, user_id int, body text,\n"
        "  FOREIGN KEY (user_id) REFERENCES users (id));\n"
        "# a MySQL comment; with a semicolon\n"
        "INSERT INTO posts VALUES (1, 1, 'it\\'s; here');\n"),
}
BAD = ("CREATE TABLE tags (id int);\n"
       "INSERT INTO tags VALUES (1);\n"
       "INSERT INTO nope VALUES (1);\n")


# -- helpers ---------------------------------------------------------------------------------

def server(db: str | None = None) -> pymysql.Connection:
    try:
        return pymysql.connect(autocommit=True, database=db, connect_timeout=5, **SERVER)
    except pymysql.MySQLError as exc:  # never skip: CI starts the server
        pytest.fail(f"MariaDB/MySQL at 127.0.0.1:3306 is not reachable: {exc}")


def q(sql: str, params=None, db: str | None = None) -> list[tuple]:
    conn = server(db)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return [tuple(r) for r in cur.fetchall()]
    finally:
        conn.close()


def url(db: str, scheme: str = "mysql") -> str:
    return f"{scheme}://root:@127.0.0.1:3306/{db}"


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


def revs(db: str) -> list[tuple]:
    return q(f"SELECT version, description, type, applied, total, error, error_stmt, hash, "
             f"partial_hashes, operator_version FROM `{db}`.atlas_schema_revisions "
             f"ORDER BY version")


def tables(db: str) -> set[str]:
    return {r[0] for r in q("SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = %s", (db,))}


def atlas_sum(d: Path) -> dict[str, str]:
    lines = (d / "atlas.sum").read_text().splitlines()[1:]
    return {n: h.removeprefix("h1:") for n, h in (ln.split(" ", 1) for ln in lines)}


@pytest.fixture
def mydb():
    name = f"atoll_t_{uuid.uuid4().hex[:12]}"
    q(f"CREATE DATABASE `{name}`")
    try:
        yield name
    finally:
        q(f"DROP DATABASE IF EXISTS `{name}`")


@contextlib.contextmanager
def atlas_lock_guard(exclusive: bool):
    """MySQL named locks are server-wide: while one test plays Atlas (holding Atlas's lock),
    commands that wait for it only briefly (``migrate set``, ``--lock-timeout 0s``) in tests
    on other xdist workers would fail. This file lock keeps the two apart."""
    path = Path(tempfile.gettempdir()) / "atoll-test-mysql-atlas-lock"
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def is_mariadb() -> bool:
    return "mariadb" in q("SELECT VERSION()")[0][0].lower()


# -- tests -----------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["mysql", "mariadb"])
def test_apply_status_and_rerun_through_the_cli(tmp_path, mydb, scheme):
    d = make_dir(tmp_path, FILES)
    u = url(mydb, scheme)
    assert ok(atoll(tmp_path, "migrate", "status", "--url", u)) == (
        "Migration Status: PENDING\n"
        "  -- Current Version: No migration applied yet\n"
        "  -- Next Version:    1\n"
        "  -- Executed Files:  0\n"
        "  -- Pending Files:   2\n")
    out = ok(atoll(tmp_path, "migrate", "apply", "--url", u))
    assert out.startswith("Migrating to version 2 (2 migrations in total):\n")
    assert "    -> INSERT INTO posts VALUES (1, 1, 'it\\'s; here');\n" in out
    assert "  -- 2 migrations\n  -- 5 sql statements\n" in out
    assert tables(mydb) == {"users", "posts", "atlas_schema_revisions"}
    assert q("SELECT non_unique, column_name FROM information_schema.statistics WHERE "
             "table_schema = %s AND index_name = 'users_name'", (mydb,)) == [(0, "name")]
    assert q(f"SELECT body FROM `{mydb}`.posts") == [("it's; here",)]
    sums = atlas_sum(d)
    rows = revs(mydb)
    assert [r[:7] for r in rows] == [("1", "init", 2, 3, 3, "", ""),
                                     ("2", "posts", 2, 2, 2, "", "")]
    assert [r[7] for r in rows] == [sums["1_init.sql"], sums["2_posts.sql"]]
    assert all(r[8] == "null" and r[9].startswith("atoll v") for r in rows)
    assert ok(atoll(tmp_path, "migrate", "status", "--url", u)) == (
        "Migration Status: OK\n"
        "  -- Current Version: 2\n"
        "  -- Next Version:    Already at latest version\n"
        "  -- Executed Files:  2\n"
        "  -- Pending Files:   0\n")
    stamps = q(f"SELECT version, executed_at FROM `{mydb}`.atlas_schema_revisions")
    assert ok(atoll(tmp_path, "migrate", "apply", "--url", u)) == "No migration files to execute\n"
    assert q(f"SELECT version, executed_at FROM `{mydb}`.atlas_schema_revisions") == stamps
    assert q(f"SELECT count(*) FROM `{mydb}`.users") == [(2,)]


def test_revisions_table_is_atlas_own(tmp_path, mydb):
    """Ent's table on MySQL: same columns, types, nullability, defaults, key and collation."""
    make_dir(tmp_path, {"1_a.sql": "CREATE TABLE a (id int);\n"})
    ok(atoll(tmp_path, "migrate", "apply", "--url", url(mydb)))
    maria = is_mariadb()
    cols = q("SELECT column_name, column_type, is_nullable FROM information_schema.columns "
             "WHERE table_schema = %s AND table_name = 'atlas_schema_revisions' "
             "ORDER BY ordinal_position", (mydb,))
    cols = [(n, re.sub(r"bigint\(20\)", "bigint", t), nullable) for n, t, nullable in cols]
    assert cols == [
        ("version", "varchar(255)", "NO"),
        ("description", "varchar(255)", "NO"),
        ("type", "bigint unsigned", "NO"),
        ("applied", "bigint", "NO"),
        ("total", "bigint", "NO"),
        ("executed_at", "timestamp", "YES" if maria else "NO"),
        ("execution_time", "bigint", "NO"),
        ("error", "longtext", "YES"),
        ("error_stmt", "longtext", "YES"),
        ("hash", "varchar(255)", "NO"),
        ("partial_hashes", "longtext" if maria else "json", "YES"),
        ("operator_version", "varchar(255)", "NO"),
    ]
    defaults = dict(q("SELECT column_name, column_default FROM information_schema.columns "
                      "WHERE table_schema = %s AND table_name = 'atlas_schema_revisions' "
                      "AND column_name IN ('type', 'applied', 'total')", (mydb,)))
    assert defaults == {"type": "2", "applied": "0", "total": "0"}
    assert q("SELECT table_collation FROM information_schema.tables WHERE table_schema = %s "
             "AND table_name = 'atlas_schema_revisions'", (mydb,)) == [("utf8mb4_bin",)]
    assert q("SELECT column_name FROM information_schema.key_column_usage WHERE "
             "table_schema = %s AND table_name = 'atlas_schema_revisions' AND "
             "constraint_name = 'PRIMARY'", (mydb,)) == [("version",)]
    # --revisions-schema: another database (created when missing).
    target, other = mydb + "_t", mydb + "_rev"
    try:
        q(f"CREATE DATABASE `{target}`")
        ok(atoll(tmp_path, "migrate", "apply", "--url", url(target), "--revisions-schema",
                 other))
        assert tables(target) == {"a"} and tables(other) == {"atlas_schema_revisions"}
        assert [r[:5] for r in revs(other)] == [("1", "a", 2, 1, 1)]
    finally:
        q(f"DROP DATABASE IF EXISTS `{target}`")
        q(f"DROP DATABASE IF EXISTS `{other}`")


def test_a_database_atlas_migrated_keeps_working(tmp_path, mydb):
    """A revisions table made and filled the way Atlas does (Ent's DDL, go-sql-driver values:
    UTC wall clock, JSON ``null``)."""
    make_dir(tmp_path, FILES)
    sums = atlas_sum(tmp_path / "migrations")
    for stmt in FILES["1_init.sql"].split(";\n")[:-1]:
        q(stmt, db=mydb)
    q(f"CREATE TABLE `{mydb}`.`atlas_schema_revisions` (`version` varchar(255) NOT NULL, "
      "`description` varchar(255) NOT NULL, `type` bigint unsigned NOT NULL DEFAULT 2, "
      "`applied` bigint NOT NULL DEFAULT 0, `total` bigint NOT NULL DEFAULT 0, "
      "`executed_at` timestamp NULL, `execution_time` bigint NOT NULL, `error` longtext NULL, "
      "`error_stmt` longtext NULL, `hash` varchar(255) NOT NULL, `partial_hashes` json NULL, "
      "`operator_version` varchar(255) NOT NULL, PRIMARY KEY (`version`)) "
      "CHARSET utf8mb4 COLLATE utf8mb4_bin")
    q(f"INSERT INTO `{mydb}`.atlas_schema_revisions VALUES ('.atlas_cloud_identifier', "
      "'0f6b1c1e-5b7e-4a43-9d2e-6f1f7a0a9a11', 2, 0, 0, '2025-01-01 00:00:00', 0, '', '', '', "
      "'null', 'Atlas CLI v0.31.0'), ('1', 'init', 2, 3, 3, '2025-01-02 03:04:05', 1234567, "
      "'', '', %s, 'null', 'Atlas CLI v0.31.0')", (sums["1_init.sql"],))
    u = url(mydb)
    assert "  -- Current Version: 1\n  -- Next Version:    2\n" in ok(
        atoll(tmp_path, "migrate", "status", "--url", u))
    js = json.loads(ok(atoll(tmp_path, "migrate", "status", "--url", u, "--format",
                             "{{ json . }}")))
    assert js["Applied"][0]["ExecutedAt"] == "2025-01-02T03:04:05Z"  # read as UTC, like Atlas
    out = ok(atoll(tmp_path, "migrate", "apply", "--url", u))
    assert out.startswith("Migrating to version 2 from 1 (1 migrations in total):\n")
    rows = q(f"SELECT version, executed_at, operator_version FROM "
             f"`{mydb}`.atlas_schema_revisions ORDER BY version")
    assert [r[0] for r in rows] == [".atlas_cloud_identifier", "1", "2"]
    assert str(rows[1][1]) == "2025-01-02 03:04:05" and rows[2][2].startswith("atoll v")
    # Our own timestamps are UTC wall clock too (within the test's run time).
    now = q("SELECT UTC_TIMESTAMP()")[0][0]
    assert abs((now - rows[2][1]).total_seconds()) < 60


def test_failing_ddl_file_records_the_error_and_resumes(tmp_path, mydb):
    """MySQL DDL commits implicitly: in tx-mode file the failing file's DDL stays, and its row
    says how far it got, the error and the statement; after a fix, apply resumes there."""
    make_dir(tmp_path, {**FILES, "3_tags.sql": BAD})
    u = url(mydb)
    r = atoll(tmp_path, "migrate", "apply", "--url", u)
    assert failed(r) == (f'Error: sql/migrate: executing statement "INSERT INTO nope VALUES '
                         f'(1);" from version "3": Error 1146 (42S02): Table \'{mydb}.nope\' '
                         f"doesn't exist")
    row = revs(mydb)[-1]
    error = f"Error 1146 (42S02): Table '{mydb}.nope' doesn't exist"
    assert row[:7] == ("3", "tags", 2, 2, 3, error, "INSERT INTO nope VALUES (1);")
    # The running statement hashes of the two applied statements: without them the resume
    # below is refused as "history changed" (the engine must not drop them in transactions
    # on an engine whose DDL commits implicitly; the hook says so: transactional_ddl=False).
    assert row[8] is not None and len(json.loads(row[8])) == 2, row
    assert q(f"SELECT count(*) FROM `{mydb}`.tags") == [(1,)]
    out = atoll(tmp_path, "migrate", "status", "--url", u).stdout
    assert out == ("Migration Status: PENDING\n"
                   "  -- Current Version: 3 (2 statements applied)\n"
                   "  -- Next Version:    3 (1 statements left)\n"
                   "  -- Executed Files:  3 (last one partially)\n"
                   "  -- Pending Files:   1\n"
                   "\n"
                   "Last migration attempt had errors:\n"
                   "  -- SQL:   INSERT INTO nope VALUES (1);\n"
                   f"  -- ERROR: Error 1146 (42S02): Table '{mydb}.nope' doesn't exist\n")
    # A re-run without a fix fails at the same statement, running nothing twice.
    failed(atoll(tmp_path, "migrate", "apply", "--url", u))
    assert q(f"SELECT count(*) FROM `{mydb}`.tags") == [(1,)]
    # Edited statements before the failed one are refused.
    make_dir(tmp_path, {"3_tags.sql": BAD.replace("VALUES (1);\nINSERT INTO nope",
                                                  "VALUES (5);\nINSERT INTO nope")})
    assert "history changed: statement 2" in failed(atoll(tmp_path, "migrate", "apply",
                                                           "--url", u))
    make_dir(tmp_path, {"3_tags.sql": BAD.replace("nope", "tags")})
    out = ok(atoll(tmp_path, "migrate", "apply", "--url", u))
    assert "    -> INSERT INTO tags VALUES (1);\n  -- ok" in out and "CREATE TABLE" not in out
    assert q(f"SELECT count(*) FROM `{mydb}`.tags") == [(2,)]
    assert revs(mydb)[-1][3:7] == (3, 3, "", "")


def test_failing_dml_only_file_is_rolled_back(tmp_path, mydb):
    make_dir(tmp_path, {**FILES, "3_more.sql": "INSERT INTO users VALUES (3, 'cy');\n"
                                               "INSERT INTO users VALUES (4, 'ann');\n"})
    u = url(mydb)
    line = failed(atoll(tmp_path, "migrate", "apply", "--url", u))
    assert "Error 1062 (23000): Duplicate entry 'ann' for key 'users_name'" in line
    assert q(f"SELECT id FROM `{mydb}`.users ORDER BY id") == [(1,), (2,)]
    rows = {r[0]: r for r in revs(mydb)}
    assert "3" not in rows or rows["3"][3] == 0
    make_dir(tmp_path, {"3_more.sql": "INSERT INTO users VALUES (3, 'cy');\n"
                                      "INSERT INTO users VALUES (4, 'dee');\n"})
    ok(atoll(tmp_path, "migrate", "apply", "--url", u))
    assert q(f"SELECT id FROM `{mydb}`.users ORDER BY id") == [(1,), (2,), (3,), (4,)]


def test_baseline_and_set(tmp_path, mydb):
    make_dir(tmp_path, FILES)
    u = url(mydb, "mariadb")
    for stmt in FILES["1_init.sql"].split(";\n")[:-1]:
        q(stmt, db=mydb)
    line = failed(atoll(tmp_path, "migrate", "apply", "--url", u))
    assert "connected database is not clean" in line and "baseline version or allow-dirty" in line
    out = ok(atoll(tmp_path, "migrate", "apply", "--url", u, "--baseline", "1"))
    assert out.startswith("Migrating to version 2 from 1 (1 migrations in total):\n")
    assert [r[:5] for r in revs(mydb)] == [("1", "init", 1, 0, 0), ("2", "posts", 2, 2, 2)]
    with atlas_lock_guard(exclusive=False):
        ok(atoll(tmp_path, "migrate", "set", "1", "--url", u))
    assert [r[0] for r in revs(mydb)] == ["1"]
    assert "  -- Next Version:    2\n" in atoll(tmp_path, "migrate", "status", "--url", u).stdout
    with atlas_lock_guard(exclusive=False):
        ok(atoll(tmp_path, "migrate", "set", "2", "--url", u))
    assert [r[:5] for r in revs(mydb)][-1] == ("2", "posts", 4, 0, 0)
    assert ok(atoll(tmp_path, "migrate", "apply", "--url", u)) == "No migration files to execute\n"


def test_two_concurrent_applies_run_each_file_once(tmp_path, mydb):
    make_dir(tmp_path, {
        "1_log.sql": "CREATE TABLE log (v int);\nDO SLEEP(0.6);\nINSERT INTO log VALUES (1);\n",
        "2_more.sql": "INSERT INTO log VALUES (2);\n"})
    u = url(mydb)
    procs = [subprocess.Popen([ATOLL, "migrate", "apply", "--url", u, "--lock-timeout", "30s"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=60) + (p.returncode,) for p in procs]
    assert [o[2] for o in outs] == [0, 0], outs
    assert sorted(o[0].startswith("Migrating to version 2 (2 migrations") for o in outs) == [
        False, True], outs
    assert any(o[0] == "No migration files to execute\n" for o in outs), outs
    assert q(f"SELECT v FROM `{mydb}`.log ORDER BY v") == [(1,), (2,)]


def test_lock_waits_for_atlas_and_is_per_database(tmp_path, mydb):
    """Atlas holds ``GET_LOCK('atlas_migrate_execute', …)``: atoll waits for it, then fails.
    atoll runs lock ``atlas_migrate_execute.<database>``: other databases go on meanwhile."""
    make_dir(tmp_path, {"1_a.sql": "CREATE TABLE a (id int);\n"})
    other = mydb + "_b"
    q(f"CREATE DATABASE `{other}`")
    holder = server()
    try:
        with atlas_lock_guard(exclusive=True), holder.cursor() as cur:
            cur.execute("SELECT GET_LOCK(%s, 30)", (LOCK,))  # others' tests may hold it a bit
            assert cur.fetchone() == (1,)
            t0 = time.monotonic()
            line = failed(atoll(tmp_path, "migrate", "apply", "--url", url(mydb),
                                "--lock-timeout", "300ms"))
            assert line == ("Error: acquiring database lock: sql/schema: lock is held by other "
                            "session")
            assert time.monotonic() - t0 >= 0.3
            failed(atoll(tmp_path, "migrate", "set", "1", "--url", url(mydb)))
            assert "atlas_schema_revisions" not in tables(mydb) or not revs(mydb)
            cur.execute("SELECT RELEASE_LOCK(%s)", (LOCK,))
            # An atoll run on mydb (its per-database lock) holds off mydb only.
            cur.execute("SELECT GET_LOCK(%s, 30)", (f"{LOCK}.{mydb}",))
            failed(atoll(tmp_path, "migrate", "apply", "--url", url(mydb), "--lock-timeout",
                         "0s"))
            ok(atoll(tmp_path, "migrate", "apply", "--url", url(other), "--lock-timeout", "0s"))
            cur.execute("SELECT RELEASE_LOCK(%s)", (f"{LOCK}.{mydb}",))
    finally:
        holder.close()
        q(f"DROP DATABASE IF EXISTS `{other}`")
    ok(atoll(tmp_path, "migrate", "apply", "--url", url(mydb)))
    assert [r[0] for r in revs(mydb)] == ["1"]


def test_fleet_of_databases_on_one_server(tmp_path, mydb):
    """A for_each env over three databases of one server: apply and set run in parallel
    without tripping over each other's lock. Each first file records, with the server's
    clock, when it started and ended; runs in parallel overlap."""
    dbs = [mydb] + [f"{mydb}_{i}" for i in (2, 3)]
    for db in dbs[1:]:
        q(f"CREATE DATABASE `{db}`")
    try:
        make_dir(tmp_path, {
            "1_t.sql": "CREATE TABLE t (at decimal(20,6));\n"
                       "INSERT INTO t SELECT UNIX_TIMESTAMP(NOW(6));\n"
                       "DO SLEEP(0.5);\n"
                       "INSERT INTO t SELECT UNIX_TIMESTAMP(NOW(6));\n",
            "2_u.sql": "CREATE TABLE u (id int);\n"})
        (tmp_path / "atlas.hcl").write_text(
            "locals {\n  urls = [" + ", ".join(f'"{url(db)}"' for db in dbs) + "]\n}\n"
            'env "shards" {\n  for_each = toset(local.urls)\n  url = each.value\n'
            '  migration {\n    dir = "file://migrations"\n  }\n}\n')
        with atlas_lock_guard(exclusive=False):
            res = json.loads(ok(atoll(tmp_path, "migrate", "apply", "--env", "shards",
                                      "--lock-timeout", "0s", "--format", "{{ json . }}")))
            assert [(x["State"], x["VersionAfter"]) for x in res] == [("ok", "2")] * 3, res
            spans = [tuple(r[0] for r in q("SELECT at FROM t ORDER BY at", db=db)) for db in dbs]
            assert all(len(s) == 2 for s in spans), spans
            # Some two databases migrated at the same time: one started before the other ended.
            assert any(a[0] < b[1] and b[0] < a[1]
                       for i, a in enumerate(spans) for b in spans[i + 1:]), spans
            out = ok(atoll(tmp_path, "migrate", "set", "1", "--env", "shards"))
        assert out.rstrip().endswith("3 database(s): 3 ok"), out
        assert all([r[0] for r in revs(db)] == ["1"] for db in dbs)
    finally:
        for db in dbs[1:]:
            q(f"DROP DATABASE IF EXISTS `{db}`")


def test_library_api_and_declarative_side(tmp_path, mydb):
    d = make_dir(tmp_path, FILES)
    u = parse_url(url(mydb, "mariadb"))
    dialect = dialect_for(u)
    assert dialect.name == "mysql" and dialect_for(url(mydb)) is dialect
    with dialect.connect(u) as conn:
        rep = apply(conn, dialect, d, amount=1)
        assert rep.error is None and [f.file.version for f in rep.applied] == ["1"]
        assert render_status(status(conn, dialect, d)).startswith(
            "Migration Status: PENDING\n  -- Current Version: 1\n")
        # The declarative side: the applied table, inspected, and its clean-up plan.
        assert [t.name for t in dialect.inspect(conn).tables] == ["atlas_schema_revisions",
                                                                  "users"]
        assert [s.sql for s in dialect.clean(conn)][-1] == "DROP TABLE `users`"
        # Hash comments and backslash escapes as MySQL reads them.
        assert len(dialect.split(FILES["2_posts.sql"])) == 2
    out = ok(atoll(tmp_path, "schema", "inspect", "--url", url(mydb), "--exclude",
                   "atlas_schema_revisions"))
    assert out.startswith('table "users" {\n  schema = schema.' + mydb), out


def test_connection_errors_are_one_line(tmp_path):
    make_dir(tmp_path, FILES)
    line = failed(atoll(tmp_path, "migrate", "status", "--url",
                        "mysql://root:secret@127.0.0.1:3306/atoll_no_such_db"))
    assert "secret" not in line
    assert re.search(r"Error 10(44|45|49) \(\w+\): ", line), line
    line = failed(atoll(tmp_path, "migrate", "apply", "--url",
                        "mysql://root@127.0.0.1:1/x?timeout=2s"))
    assert "cannot connect" in line
