"""Fleets end to end: one `atoll migrate …` over the master and every shard (develop config),
over the shards a master database lists (staging, `data "sql"`), and through production's
staged deployment — with broken databases, fail-fast, --continue-on-error, re-runs, JSON
reports, backups and drift. The real executable on real SQLite files."""

from __future__ import annotations

import json
import os
import re

import pytest
from e2e_support import (
    DEV,
    DEVELOP,
    MASTER_DB,
    PRODUCTION,
    SHARDS,
    STAGING,
    atoll,
    execute,
    failed,
    fleet_rows,
    game,
    migration_files,
    ok,
    query,
    revisions,
    snapshot,
    summary,
    tables,
    version_of,
)

ALL = ["master", "sharding_1", "sharding_2", "sharding_3", "sharding_4"]
SHARD_TABLES = {"atlas_schema_revisions", "users", "user_items", "user_stages"}


@pytest.fixture
def root(tmp_path):
    return game(tmp_path)


def latest(root, kind):
    return version_of(migration_files(root, kind)[-1])


def apply_all(root, *extra, env=None):
    return atoll(root, "migrate", "apply", "--config", DEVELOP, "--env", "all", *extra, env=env)


def status_all(root, *extra):
    return atoll(root, "migrate", "status", "--config", DEVELOP, "--env", "all", *extra)


def fleet_failed(r):
    """A fleet with a failed database: exit 1, the table on stdout, no traceback, no
    one-line error (the table is the report)."""
    assert r.code == 1, str(r)
    assert "Traceback" not in r.err + r.out and "internal error" not in r.err, str(r)
    return fleet_rows(r.out)


def not_a_database(path):
    path.write_text("this file is not a database\n" * 20)
    return path.read_bytes()


def indexes_of(db):
    return query(db, "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")


def add_shard_migration(root, name, sql):
    mdir = root / "db" / "migrations" / "sharding"
    before = migration_files(root, "sharding")
    ok(atoll(root, "migrate", "new", name, "--dir", "file://db/migrations/sharding"))
    (path,) = [mdir / n for n in migration_files(root, "sharding") if n not in before]
    path.write_text(sql)
    ok(atoll(root, "migrate", "hash", "--dir", "file://db/migrations/sharding"))
    return version_of(path)


# --- the whole fleet ---------------------------------------------------------------------


def test_apply_all_then_fleet_status(root):
    r = ok(apply_all(root))
    rows = fleet_rows(r.out)
    assert list(rows) == ALL
    m, s = latest(root, "master"), latest(root, "sharding")
    assert rows["master"]["VERSION"] == f"- → {m}"
    assert rows["master"]["FILES"] == "2" and rows["master"]["STMTS"] == "8"
    for name in ALL[1:]:
        assert rows[name]["STATE"] == "ok" and rows[name]["VERSION"] == f"- → {s}"
        assert rows[name]["URL"].endswith(f"sharding_db_{name[-1]}.db?_fk=1")
    assert summary(r.out) == "5 database(s): 5 ok"
    # Progress goes to stderr, one line per database.
    assert sorted(re.findall(r"^\[\d/5\] (\S+) ok$", r.err, re.MULTILINE)) == sorted(ALL)
    for shard in SHARDS:
        assert tables(root / shard) == SHARD_TABLES

    r = ok(status_all(root))
    rows = fleet_rows(r.out)
    assert [rows[n]["STATE"] for n in ALL] == ["ok"] * 5
    assert rows["master"]["VERSION"] == m and rows["sharding_4"]["VERSION"] == s
    assert all(rows[n]["PENDING"] == "0" for n in ALL)

    # Nothing left: a second run applies nothing and changes nothing.
    before = [snapshot(root / p)[1] for p in [MASTER_DB, *SHARDS]]
    rows = fleet_rows(ok(apply_all(root)).out)
    assert all(rows[n]["FILES"] == "0" and rows[n]["STATE"] == "ok" for n in ALL)
    assert [snapshot(root / p)[1] for p in [MASTER_DB, *SHARDS]] == before


def test_sharding_env_and_new_migration_reaches_every_shard(root):
    ok(apply_all(root))
    v = add_shard_migration(root, "add_coins",
                            "ALTER TABLE `users` ADD COLUMN `coins` integer NOT NULL DEFAULT 0;\n")
    rows = fleet_rows(ok(status_all(root)).out)
    assert rows["master"]["STATE"] == "ok"
    assert all(rows[n]["STATE"] == "behind" and rows[n]["PENDING"] == "1" for n in ALL[1:])
    r = ok(atoll(root, "migrate", "apply", "--config", DEVELOP, "--env", "sharding",
                 "--parallel", "2"))
    rows = fleet_rows(r.out)
    assert list(rows) == [f"sharding[{i}]" for i in range(1, 5)]
    assert all(row["FILES"] == "1" and row["VERSION"].endswith(v) for row in rows.values())
    for shard in SHARDS:
        assert revisions(root / shard)[-1][0] == v


def test_fail_fast_then_rerun_finishes_what_is_left(root):
    garbage = not_a_database(root / SHARDS[1])  # sharding_2
    r = apply_all(root, "--parallel", "1")
    rows = fleet_failed(r)
    assert [rows[n]["STATE"] for n in ALL] == ["ok", "ok", "failed", "skipped", "skipped"]
    assert "not a database" in rows["sharding_2"]["ERROR"]
    assert "not started" in rows["sharding_3"]["ERROR"]
    assert summary(r.out) == "5 database(s): 1 failed, 2 ok, 2 skipped"
    assert tables(root / MASTER_DB) and tables(root / SHARDS[0]) == SHARD_TABLES
    assert (root / SHARDS[1]).read_bytes() == garbage
    assert not (root / SHARDS[2]).exists() and not (root / SHARDS[3]).exists()

    # Fleet status shows where everyone stands; it creates no file for a never-migrated
    # shard but says that its database file does not exist.
    rows = fleet_failed(status_all(root))
    assert rows["sharding_2"]["STATE"] == "failed"
    assert rows["sharding_3"]["STATE"] == "failed"
    assert "database file does not exist" in rows["sharding_3"]["NOTE"]
    assert not (root / SHARDS[2]).exists()
    assert rows["sharding_1"]["STATE"] == "ok"

    # Repair, re-run: exactly the three left are migrated.
    (root / SHARDS[1]).unlink()
    rows = fleet_rows(ok(apply_all(root)).out)
    assert [rows[n]["FILES"] for n in ALL] == ["0", "0", "2", "2", "2"]
    assert all(row["STATE"] == "ok" for row in rows.values())
    assert all(tables(root / s) == SHARD_TABLES for s in SHARDS)


def test_broken_migration_directory_stops_the_fleet_before_it_starts(root):
    f = root / "db" / "migrations" / "sharding" / migration_files(root, "sharding")[-1]
    f.write_text(f.read_text() + "-- edited\n")
    for extra in ((), ("--continue-on-error",)):
        r = apply_all(root, *extra)
        failed(r, r"checksum mismatch")
        assert f"{f.name} was edited" in r.out and "migrate hash" in r.out
        assert not (root / MASTER_DB).exists() or not tables(root / MASTER_DB)
        assert not any((root / s).exists() for s in SHARDS)


def test_continue_on_error_migrates_all_others(root):
    garbage = not_a_database(root / SHARDS[2])  # sharding_3
    r = apply_all(root, "--continue-on-error", "--parallel", "2")
    rows = fleet_failed(r)
    assert [rows[n]["STATE"] for n in ALL] == ["ok", "ok", "ok", "failed", "ok"]
    assert summary(r.out) == "5 database(s): 1 failed, 4 ok"
    assert (root / SHARDS[2]).read_bytes() == garbage
    (root / SHARDS[2]).unlink()
    rows = fleet_rows(ok(apply_all(root)).out)
    assert [rows[n]["FILES"] for n in ALL] == ["0", "0", "0", "2", "0"]


def test_conflicting_table_on_one_shard(root):
    ok(apply_all(root))
    v = add_shard_migration(
        root, "add_user_events",
        "CREATE TABLE `user_events` (`id` integer NOT NULL, PRIMARY KEY (`id`));\n"
        "CREATE INDEX `idx_user_events` ON `user_events` (`id`);\n")
    # Someone made a table of that name by hand on shard 2.
    execute(root / SHARDS[1], "CREATE TABLE user_events (x text)", "INSERT INTO user_events VALUES ('keep')")
    before_indexes = indexes_of(root / SHARDS[1])
    r = atoll(root, "migrate", "apply", "--config", DEVELOP, "--env", "all",
              "--continue-on-error", "--format", "json")
    assert r.code == 1 and "Traceback" not in r.err
    report = {d["Name"]: d for d in json.loads(r.out)}
    assert report["sharding_2"]["State"] == "failed"
    assert "user_events" in report["sharding_2"]["Error"]
    assert "already exists" in report["sharding_2"]["Error"]
    assert report["sharding_2"]["VersionAfter"] != v
    for n in ("sharding_1", "sharding_3", "sharding_4"):
        assert report[n]["State"] == "ok" and report[n]["VersionAfter"] == v
        assert report[n]["Files"] == 1 and report[n]["Statements"] == 2
    assert report["master"]["Files"] == 0
    # The failed file was rolled back whole on that shard; its revision row tells why.
    assert query(root / SHARDS[1], "SELECT * FROM user_events") == [("keep",)]
    assert indexes_of(root / SHARDS[1]) == before_indexes
    row = revisions(root / SHARDS[1])[-1]
    assert row[0] == v and row[2] == 0 and "already exists" in row[4]
    assert row[5].startswith("CREATE TABLE `user_events`")
    assert "[" not in r.err  # --format json: no progress lines mixed in

    # Repair by hand, re-run: only shard 2 has work left.
    execute(root / SHARDS[1], "DROP TABLE user_events")
    r = ok(apply_all(root, "--format", "json"))
    report = {d["Name"]: d for d in json.loads(r.out)}
    assert {n for n, d in report.items() if d["Files"]} == {"sharding_2"}
    assert all(d["State"] == "ok" and d["Error"] == "" for d in report.values())
    rows = fleet_rows(ok(status_all(root)).out)
    assert {rows[n]["VERSION"] for n in ALL[1:]} == {v}


def test_json_fleet_reports(root):
    r = ok(apply_all(root, "--format", "json"))
    report = json.loads(r.out)
    assert [d["Name"] for d in report] == ALL
    assert set(report[0]) >= {"Name", "URL", "State", "VersionBefore", "VersionAfter", "Files",
                              "Statements", "Error"}
    assert report[0]["VersionBefore"] == "" and report[0]["VersionAfter"] == latest(root, "master")
    r = ok(status_all(root, "--format", "json"))
    status = json.loads(r.out)
    assert [d["State"] for d in status] == ["ok"] * 5


def test_fleet_set(root):
    ok(apply_all(root))
    v = add_shard_migration(root, "manual_fix", "CREATE TABLE `manual` (`id` integer);\n")
    for shard in SHARDS:  # done by hand everywhere, out of band
        execute(root / shard, "CREATE TABLE `manual` (`id` integer)")
    r = ok(atoll(root, "migrate", "set", v, "--config", DEVELOP, "--env", "sharding"))
    assert all(row["STATE"] == "ok" for row in fleet_rows(r.out).values())
    rows = fleet_rows(ok(status_all(root)).out)
    assert all(rows[n]["VERSION"] == v and rows[n]["STATE"] == "ok" for n in ALL[1:])


# --- drift ---------------------------------------------------------------------------------


def test_fleet_drift_and_behind_peers(root):
    ok(apply_all(root))
    execute(root / SHARDS[2], "CREATE TABLE cheat (id integer)")  # sharding_3
    execute(root / SHARDS[0], "ALTER TABLE users ADD COLUMN nickname text")  # sharding_1
    # The env's dev database does the drift check; drift exits 1 (a CI gate).
    rows = fleet_failed(status_all(root))
    assert rows["sharding_3"]["STATE"] == "drifted"
    assert "drift" in rows["sharding_3"]["NOTE"].lower()
    assert '"cheat"' in rows["sharding_3"]["NOTE"]
    assert '"nickname"' in rows["sharding_1"]["NOTE"]
    assert rows["sharding_1"]["STATE"] == "drifted"
    assert [rows[n]["STATE"] for n in ("master", "sharding_2", "sharding_4")] == ["ok"] * 3
    # An explicit --dev-url works too.
    rows = fleet_failed(status_all(root, "--dev-url", DEV))
    assert rows["sharding_3"]["STATE"] == "drifted"

    # A shard behind its peers says so.
    execute(root / SHARDS[2], "DROP TABLE cheat")
    v = add_shard_migration(root, "add_coins",
                            "ALTER TABLE `users` ADD COLUMN `coins` integer NOT NULL DEFAULT 0;\n")
    ok(atoll(root, "migrate", "apply", "--config", DEVELOP, "--env", "sharding_3"))
    rows = fleet_failed(status_all(root))  # sharding_1 still drifted
    assert rows["sharding_3"]["VERSION"] == v and rows["sharding_3"]["STATE"] == "ok"
    assert rows["sharding_2"]["STATE"] == "behind"
    assert f"behind its peers (they are at {v})" in rows["sharding_2"]["NOTE"]


def test_fleet_status_names_a_shard_migrated_with_an_earlier_text_of_a_file(root):
    ok(atoll(root, "migrate", "apply", "--config", DEVELOP, "--env", "sharding_1"))
    shard_dir = root / "db" / "migrations" / "sharding"
    first = sorted(p for p in shard_dir.glob("*.sql"))[0]
    first.write_text(first.read_text() + "-- edited after sharding_1 ran it\n")
    ok(atoll(root, "migrate", "hash", "--dir", "file://db/migrations/sharding"))
    ok(apply_all(root))
    rows = fleet_failed(status_all(root))
    assert rows["sharding_1"]["STATE"] == "drifted"
    assert rows["sharding_1"]["NOTE"].startswith(f"{first.name} was changed after it was applied")
    assert [rows[n]["STATE"] for n in ("sharding_2", "sharding_3", "sharding_4")] == ["ok"] * 3


def test_fleet_status_json_has_pending_files_and_drift_fields(root):
    ok(apply_all(root))
    execute(root / SHARDS[2], "CREATE TABLE cheat (id integer)")  # sharding_3
    v = add_shard_migration(root, "add_gems",
                            "ALTER TABLE `users` ADD COLUMN `gems` integer NOT NULL DEFAULT 0;\n")
    r = status_all(root, "--format", "json")
    assert "Traceback" not in r.err
    rows = {row["Name"]: row for row in json.loads(r.out)}
    assert rows["master"]["Pending"] == [] and rows["master"]["PendingCount"] == 0
    name = next(n for n in os.listdir(root / "db/migrations/sharding") if n.startswith(v))
    assert rows["sharding_1"]["Pending"] == [name] and rows["sharding_1"]["PendingCount"] == 1
    assert rows["sharding_3"]["State"] == "drifted"
    assert rows["sharding_3"]["Drift"] == ['Create "cheat" table']
    assert rows["sharding_3"]["Error"] == ""  # drift is not an error of the status command
    assert rows["sharding_1"]["Drift"] == []


# --- staging: the shards come from the master database --------------------------------------


def test_staging_shards_listed_by_the_master_database(root, tmp_path):
    data = tmp_path / "staging"
    data.mkdir()
    env = {"STAGING_DATA_DIR": str(data)}
    ok(atoll(root, "migrate", "apply", "--config", STAGING, "--env", "master", env=env))
    r = ok(atoll(root, "migrate", "apply", "--config", STAGING, "--env", "sharding", env=env))
    rows = fleet_rows(r.out)
    assert list(rows) == [f"sharding_db_{i}" for i in range(1, 5)]
    assert all(row["STATE"] == "ok" for row in rows.values())
    assert all(row["URL"].startswith(f"sqlite://{data}/") for row in rows.values())
    # A new shard is one row in the master database, no config change; an inactive one is left out.
    execute(data / "master.db", "INSERT INTO shards (id, name, active) VALUES (5, 'sharding_db_5', 1)",
            "UPDATE shards SET active = 0 WHERE name = 'sharding_db_2'")
    r = ok(atoll(root, "migrate", "apply", "--config", STAGING, "--env", "sharding", env=env))
    rows = fleet_rows(r.out)
    assert list(rows) == ["sharding_db_1", "sharding_db_3", "sharding_db_4", "sharding_db_5"]
    assert rows["sharding_db_5"]["FILES"] == "2" and rows["sharding_db_1"]["FILES"] == "0"
    assert tables(data / "sharding_db_5.db") == SHARD_TABLES
    rows = fleet_rows(ok(atoll(root, "migrate", "status", "--config", STAGING, "--env",
                               "sharding", env=env)).out)
    assert all(row["STATE"] == "ok" for row in rows.values())


def test_staging_without_master_database(root, tmp_path):
    data = tmp_path / "empty"
    data.mkdir()
    r = atoll(root, "migrate", "apply", "--config", STAGING, "--env", "sharding",
              env={"STAGING_DATA_DIR": str(data)})
    failed(r, r"shards")
    assert sorted(os.listdir(data)) in ([], ["master.db"])
    assert not list(data.glob("sharding_db_*"))


# --- production: staged deployment, backups -------------------------------------------------


@pytest.fixture
def prod(root, tmp_path):
    data = tmp_path / "prod"
    data.mkdir()
    env = {"PRODUCTION_DATA_DIR": str(data)}
    ok(atoll(root, "migrate", "apply", "--config", PRODUCTION, "--env", "master", env=env))
    return root, data, env


def prod_apply(root, env, *extra):
    return atoll(root, "migrate", "apply", "--config", PRODUCTION, "--env", "sharding", *extra,
                 env=env)


def test_production_canary_failure_stops_the_rest(prod):
    root, data, env = prod
    garbage = not_a_database(data / "sharding_db_1.db")
    rows = fleet_failed(prod_apply(root, env, "--continue-on-error"))
    # on_error = FAIL in the canary group: even --continue-on-error does not go past it.
    assert rows["sharding_db_1"]["STATE"] == "failed"
    assert [rows[f"sharding_db_{i}"]["STATE"] for i in (2, 3, 4)] == ["skipped"] * 3
    assert "earlier group failed" in rows["sharding_db_2"]["ERROR"]
    assert not any((data / f"sharding_db_{i}.db").exists() for i in (2, 3, 4))
    assert (data / "sharding_db_1.db").read_bytes() == garbage

    (data / "sharding_db_1.db").unlink()
    rows = fleet_rows(ok(prod_apply(root, env)).out)
    assert all(row["STATE"] == "ok" and row["FILES"] == "2" for row in rows.values())


def test_production_rest_group_failure(prod):
    root, data, env = prod
    not_a_database(data / "sharding_db_3.db")
    rows = fleet_failed(prod_apply(root, env, "--parallel", "1"))
    assert rows["sharding_db_1"]["STATE"] == "ok"  # the canary went through
    assert rows["sharding_db_2"]["STATE"] == "ok"
    assert rows["sharding_db_3"]["STATE"] == "failed"
    assert rows["sharding_db_4"]["STATE"] == "skipped"


def test_production_dry_run_then_backups(prod):
    root, data, env = prod
    ok(prod_apply(root, env))
    v = add_shard_migration(root, "add_coins",
                            "ALTER TABLE `users` ADD COLUMN `coins` integer NOT NULL DEFAULT 0;\n")
    backups = data / "backups"
    existing = set(os.listdir(backups))  # one folder per run: master's, then the shards'
    assert len(existing) == 2
    assert sorted(n for run in existing for n in os.listdir(backups / run)) == [
        "master.db", "run.json", "run.json", *(f"sharding_db_{i}.db" for i in range(1, 5))]
    before = {i: snapshot(data / f"sharding_db_{i}.db") for i in range(1, 5)}

    r = ok(prod_apply(root, env, "--dry-run"))
    assert "ADD COLUMN `coins`" in r.out  # the SQL is shown, once for the four
    assert r.out.count("ADD COLUMN `coins`") == 1
    rows = fleet_rows(r.out)
    assert all(row["STATE"] == "dry-run" and row["FILES"] == "1" for row in rows.values())
    assert {i: snapshot(data / f"sharding_db_{i}.db") for i in range(1, 5)} == before
    assert set(os.listdir(backups)) == existing

    r = ok(prod_apply(root, env))
    prev = version_of(migration_files(root, "sharding")[-2])
    (new,) = set(os.listdir(backups)) - existing
    # The report names each database's restore point (table and JSON).
    for i in range(1, 5):
        assert (f"restore point: sharding_db_{i}: {backups / new / f'sharding_db_{i}.db'}"
                in r.out.splitlines())
    record = json.loads((backups / new / "run.json").read_text())
    assert [e["restore_point"]["version"] for e in record["databases"]] == [prev] * 4
    for i in range(1, 5):
        backup = backups / new / f"sharding_db_{i}.db"
        assert snapshot(backup)[1] == before[i][1]  # the state before the migration
        assert revisions(data / f"sharding_db_{i}.db")[-1][0] == v
    # Nothing pending: no new restore point (the run still has its record).
    rows = json.loads(ok(prod_apply(root, env, "--format", "json")).out)
    assert all("RestorePoint" not in row for row in rows)
    newest = max(os.listdir(backups))
    assert os.listdir(backups / newest) == ["run.json"]


def test_backup_dir_flag_single_and_fleet(root, tmp_path):
    bdir = tmp_path / "bk"

    def points():
        return sorted(n for run in os.listdir(bdir) for n in os.listdir(bdir / run)
                      if n != "run.json")

    ok(atoll(root, "migrate", "apply", "--config", DEVELOP, "--env", "master",
             "--backup-dir", str(bdir)))
    assert points() == ["master.db"]
    rows = json.loads(ok(apply_all(root, "--backup-dir", str(bdir), "--format", "json")).out)
    assert points() == ["master.db", *(f"sharding_{i}.db" for i in range(1, 5))]
    assert "RestorePoint" not in rows[0]  # master had nothing pending
    assert [os.path.basename(row["RestorePoint"]) for row in rows[1:]] == [
        f"sharding_{i}.db" for i in range(1, 5)]
    assert all(os.path.exists(row["RestorePoint"]) for row in rows[1:])
    # A restore point that cannot be written stops that database before anything is applied.
    blocker = tmp_path / "file"
    blocker.write_text("x")
    v = add_shard_migration(root, "noop", "CREATE TABLE `t` (`id` integer);\n")
    failed(apply_all(root, "--backup-dir", str(blocker / "sub"), "--continue-on-error"),
           "backup dir")
    assert all(revisions(root / s)[-1][0] != v for s in SHARDS)
    assert all("t" not in tables(root / s) for s in SHARDS)
    rows = fleet_rows(ok(apply_all(root, "--backup-dir", str(bdir))).out)
    assert all(rows[n]["FILES"] == "1" for n in ALL[1:])


def test_fleet_parallel_must_be_positive(root):
    failed(apply_all(root, "--parallel", "0"), r"--parallel")
    assert not (root / MASTER_DB).exists()



def test_terminal_output(root):
    """On a terminal the fleet shows a live progress bar and a coloured table (rich)."""
    pty = pytest.importorskip("pty")
    import subprocess

    from e2e_support import ATOLL, clean_env

    not_a_database(root / SHARDS[3])
    master, slave = pty.openpty()
    proc = subprocess.Popen([*ATOLL, "migrate", "apply", "--config", DEVELOP, "--env", "all",
                             "--continue-on-error"], cwd=root, stdin=slave, stdout=slave,
                            stderr=slave, env=clean_env(COLUMNS="160"))
    os.close(slave)
    out = b""
    while True:  # read while it runs: a full pty buffer would block the child
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its side
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    proc.wait(timeout=60)
    text = out.decode("utf-8", "replace")
    assert proc.returncode == 1, text
    assert "Traceback" not in text
    assert "not a database" in text
    assert re.search(r"5 database\(s\): 1 failed, 4 ok", re.sub(r"\x1b\[[0-9;]*m", "", text))
    assert all(tables(root / s) == SHARD_TABLES for s in SHARDS[:3])
