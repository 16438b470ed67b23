"""MySQL/MariaDB commit DDL as it runs, so a migration file can stop half way: its revision row
keeps how far it got (``applied``, running ``partial_hashes``), the error and the statement,
as Atlas records them, and the next ``migrate apply`` resumes there. Failing mid-file, editing
an applied statement, ``kill -9`` mid-file, and a fleet with one failing database, on the real
server (helpers and the per-test database from test_server_mysql)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from test_server_mysql import ATOLL, atlas_sum, atoll, failed, make_dir, mydb, ok, q, revs, url

assert mydb  # the fixture, used by name

INIT = {"1_init.sql": "CREATE TABLE users (id int PRIMARY KEY, name varchar(50));\n"}
SHOP = ("CREATE TABLE items (id int PRIMARY KEY);\n"
        "ALTER TABLE items ADD COLUMN price int;\n"
        "ALTER TABLE items ADD INDEX items_sku (sku);\n"
        "CREATE TABLE tags (id int);\n")
FIXED = SHOP.replace("ALTER TABLE items ADD INDEX items_sku (sku);\n",
                     "ALTER TABLE items ADD COLUMN sku varchar(20);\n"
                     "ALTER TABLE items ADD INDEX items_sku (sku);\n")
FAILING = "ALTER TABLE items ADD INDEX items_sku (sku);"
KEY_ERROR = "Error 1072 (42000): Key column 'sku' doesn't exist in table"


def running_hashes(stmts: list[str]) -> list[str]:
    """Atlas's partial hashes, computed here independently: SHA-256 over the statement texts
    fed one after another, base64, ``h1:``."""
    h, out = hashlib.sha256(), []
    for s in stmts:
        h.update(s.encode())
        out.append("h1:" + base64.b64encode(h.copy().digest()).decode())
    return out


def row(db: str, version: str) -> tuple:
    return next(r for r in revs(db) if r[0] == version)


def columns(db: str, table: str) -> list[str]:
    return [r[0] for r in q("SELECT column_name FROM information_schema.columns WHERE "
                            "table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                            (db, table))]


def half_applied(tmp_path: Path, db: str) -> Path:
    d = make_dir(tmp_path, {**INIT, "2_shop.sql": SHOP})
    assert failed(atoll(tmp_path, "migrate", "apply", "--url", url(db))) == (
        f'Error: sql/migrate: executing statement "{FAILING}" from version "2": {KEY_ERROR}')
    return d


def test_third_of_four_statements_fails_then_the_fixed_file_resumes(tmp_path, mydb):
    d = half_applied(tmp_path, mydb)
    stmts = SHOP.splitlines()
    assert row(mydb, "2")[:8] == ("2", "shop", 2, 2, 4, KEY_ERROR, FAILING,
                                  atlas_sum(d)["2_shop.sql"])
    assert json.loads(row(mydb, "2")[8]) == running_hashes(stmts[:2])
    first_hash = atlas_sum(d)["2_shop.sql"]
    assert columns(mydb, "items") == ["id", "price"]  # the DDL before the failure stayed
    u = url(mydb)
    assert ok(atoll(tmp_path, "migrate", "status", "--url", u)) == (
        "Migration Status: PENDING\n"
        "  -- Current Version: 2 (2 statements applied)\n"
        "  -- Next Version:    2 (2 statements left)\n"
        "  -- Executed Files:  2 (last one partially)\n"
        "  -- Pending Files:   1\n"
        "\n"
        "Last migration attempt had errors:\n"
        f"  -- SQL:   {FAILING}\n"
        f"  -- ERROR: {KEY_ERROR}\n")
    js = json.loads(ok(atoll(tmp_path, "migrate", "status", "--url", u, "--format", "json")))
    assert (js["Count"], js["Total"], js["SQL"], js["Error"]) == (2, 4, FAILING, KEY_ERROR)
    # The fix splits the failing statement in two; the file is re-hashed.
    (d / "2_shop.sql").write_text(FIXED)
    ok(atoll(tmp_path, "migrate", "hash"))
    out = ok(atoll(tmp_path, "migrate", "apply", "--url", u))
    assert out.startswith("Migrating to version 2 from 2 (1 migrations in total):\n")
    ran = [ln.removeprefix("    -> ") for ln in out.splitlines() if ln.startswith("    -> ")]
    assert ran == FIXED.splitlines()[2:]  # statements 3, 4 and 5 of the fixed file
    assert columns(mydb, "items") == ["id", "price", "sku"]
    # Complete, counted as the fixed file, with the fixed file's hash (Atlas keeps the first
    # attempt's, which would read as an edit after apply to migrate status).
    assert row(mydb, "2")[3:9] == (5, 5, "", "", atlas_sum(d)["2_shop.sql"], "null")
    assert atlas_sum(d)["2_shop.sql"] != first_hash
    assert ok(atoll(tmp_path, "migrate", "status", "--url", u)).startswith(
        "Migration Status: OK\n")
    assert ok(atoll(tmp_path, "migrate", "apply", "--url", u)) == "No migration files to execute\n"


def test_editing_an_applied_statement_is_refused(tmp_path, mydb):
    d = half_applied(tmp_path, mydb)
    before = row(mydb, "2")
    (d / "2_shop.sql").write_text(FIXED.replace("price int", "price bigint"))
    ok(atoll(tmp_path, "migrate", "hash"))
    assert failed(atoll(tmp_path, "migrate", "apply", "--url", url(mydb))) == (
        'Error: sql/migrate: history changed: statement 2 from file "2_shop.sql" changed')
    assert row(mydb, "2")[:9] == before[:9]  # still the failed attempt's row
    assert columns(mydb, "items") == ["id", "price"]
    # Deleting the half-applied file is refused too (Atlas's words).
    (d / "2_shop.sql").unlink()
    ok(atoll(tmp_path, "migrate", "hash"))
    assert failed(atoll(tmp_path, "migrate", "apply", "--url", url(mydb))) == (
        'Error: sql/migrate: missing migration: revision "2_shop.sql" is partially applied '
        "but migration file was not found")


def wait_for_statement(db: str, prefix: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if q("SELECT 1 FROM information_schema.processlist WHERE db = %s AND info LIKE %s",
             (db, prefix + "%")):
            return
        time.sleep(0.05)
    raise AssertionError(f"{prefix!r} never ran on {db}")


def test_kill_9_mid_file_then_the_rerun_continues(tmp_path, mydb):
    """Killed while statement 3 runs (a DML statement after a DDL one, which would commit on
    its own): the row counts what was committed, statement 3 went with the dead session's
    transaction, and the re-run runs statements 3 and 4 once."""
    slow = "INSERT INTO t SELECT 2 FROM DUAL WHERE SLEEP(2) = 0;"
    text = (f"CREATE TABLE t (v int);\nINSERT INTO t VALUES (1);\n{slow}\n"
            "INSERT INTO t VALUES (3);\n")
    make_dir(tmp_path, {"1_t.sql": text})
    u = url(mydb)
    proc = subprocess.Popen([ATOLL, "migrate", "apply", "--url", u], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_statement(mydb, "INSERT INTO t SELECT")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    r = row(mydb, "1")
    assert r[3:7] == (2, 4, "", "")
    assert json.loads(r[8]) == running_hashes(text.splitlines()[:2])
    out = ok(atoll(tmp_path, "migrate", "status", "--url", u))
    # Atlas's wording when the only file is the partial one.
    assert "  -- Current Version: No migration applied yet (2 statements applied)\n" in out
    assert "  -- Executed Files:  1 (last one partially)\n" in out
    # The dead session holds the database's lock until the server drops it.
    out = ok(atoll(tmp_path, "migrate", "apply", "--url", u, "--lock-timeout", "60s"))
    ran = [ln.removeprefix("    -> ") for ln in out.splitlines() if ln.startswith("    -> ")]
    assert ran == [slow, "INSERT INTO t VALUES (3);"]
    assert q(f"SELECT v FROM `{mydb}`.t ORDER BY v") == [(1,), (2,), (3,)]
    assert row(mydb, "1")[3:9] == (4, 4, "", "", r[7], "null")


def test_fleet_with_one_database_failing_mid_file(tmp_path, mydb):
    """Three databases; one holds data the new unique index rejects. The reports name the
    database, the statement and the error; after the data is fixed the same command resumes
    that database at the failed statement."""
    dbs = [mydb] + [f"{mydb}_{i}" for i in (2, 3)]
    for db in dbs[1:]:
        q(f"CREATE DATABASE `{db}`")
    try:
        make_dir(tmp_path, {"1_a.sql": "CREATE TABLE a (id int PRIMARY KEY, v int);\n",
                            "2_b.sql": "CREATE TABLE b (id int);\n"
                                       "ALTER TABLE a ADD COLUMN c int;\n"
                                       "ALTER TABLE a ADD UNIQUE INDEX a_v (v);\n"
                                       "CREATE TABLE d (id int);\n"})
        (tmp_path / "atlas.hcl").write_text(
            "locals {\n  urls = [" + ", ".join(f'"{url(db)}"' for db in dbs) + "]\n}\n"
            'env "shards" {\n  for_each = toset(local.urls)\n  url = each.value\n'
            '  migration {\n    dir = "file://migrations"\n  }\n}\n')
        for db in dbs:
            ok(atoll(tmp_path, "migrate", "apply", "--url", url(db), "1"))
        q(f"INSERT INTO `{dbs[1]}`.a VALUES (1, 7), (2, 7)")
        r = atoll(tmp_path, "migrate", "apply", "--env", "shards", "--continue-on-error",
                  "--format", "json")
        assert r.returncode == 1, r.stderr
        res = {x["URL"].rsplit("/", 1)[1]: x for x in json.loads(r.stdout)}
        bad = res[dbs[1]]
        error = "Error 1062 (23000): Duplicate entry '7' for key 'a_v'"
        assert (bad["State"], bad["VersionAfter"] or bad["VersionBefore"]) == ("failed", "1")
        assert bad["Error"] == ('sql/migrate: executing statement "ALTER TABLE a ADD UNIQUE '
                                f'INDEX a_v (v);" from version "2": {error}')
        assert [res[db]["State"] for db in (dbs[0], dbs[2])] == ["ok", "ok"]
        assert row(dbs[1], "2")[3:7] == (2, 4, error, "ALTER TABLE a ADD UNIQUE INDEX a_v (v);")
        st = {x["URL"].rsplit("/", 1)[1]: x for x in json.loads(ok(atoll(
            tmp_path, "migrate", "status", "--env", "shards", "--format", "json")))}
        assert st[dbs[1]]["State"] == "errored"
        assert st[dbs[1]]["Error"] == (
            '2 of 4 statements of version 2 applied; failed at "ALTER TABLE a ADD UNIQUE '
            f'INDEX a_v (v);": {error}')
        assert [st[db]["State"] for db in (dbs[0], dbs[2])] == ["ok", "ok"]
        q(f"UPDATE `{dbs[1]}`.a SET v = 8 WHERE id = 2")
        res = {x["URL"].rsplit("/", 1)[1]: x for x in json.loads(ok(atoll(
            tmp_path, "migrate", "apply", "--env", "shards", "--format", "json")))}
        assert [(res[db]["State"], res[db]["Statements"]) for db in dbs] == [
            ("ok", 0), ("ok", 2), ("ok", 0)]
        assert all(row(db, "2")[3:7] == (4, 4, "", "") for db in dbs)
        assert "3 database(s): 3 ok" in ok(atoll(tmp_path, "migrate", "status", "--env",
                                                 "shards"))
    finally:
        for db in dbs[1:]:
            q(f"DROP DATABASE IF EXISTS `{db}`")
