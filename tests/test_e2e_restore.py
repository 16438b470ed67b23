"""Restore points, run records, `migrate restore` and `migrate apply --resume`, end to end: the
real executable on a fleet of real SQLite files (one env with for_each over five shards),
with a file that fails on one shard, databases changed after the run, WAL databases, other
connections writing, and `kill -9` in the middle of a restore."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
from e2e_support import ATOLL, atoll, clean_env, failed, fleet_rows, ok, summary

SHARDS = ["s1", "s2", "s3", "s4", "s5"]
SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "run-record.schema.json"

CONFIG = """
locals {
  shards = ["s1", "s2", "s3", "s4", "s5"]
}
env "fleet" {
  for_each   = toset(local.shards)
  url        = "sqlite://data/${each.value}.db"
  backup_dir = "backups"
  migration {
    dir = "file://migrations"
  }
}
"""

FIRST = {
    "1_users.sql": "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);\n",
    "2_seed.sql": "INSERT INTO users (name) VALUES ('ann'), ('bob');\n",
}


def project(root: Path) -> Path:
    """``root`` with the first two migration files, hashed."""
    (root / "migrations").mkdir(parents=True)
    for name, sql in FIRST.items():
        (root / "migrations" / name).write_text(sql)
    ok(atoll(root, "migrate", "hash"))
    return root


@pytest.fixture
def fleet(tmp_path):
    root = project(tmp_path / "fleet")
    (root / "data").mkdir()
    (root / "atlas.hcl").write_text(CONFIG)
    ok(atoll(root, "migrate", "apply", "--env", "fleet"))
    import shutil

    shutil.rmtree(root / "backups")
    return root


def add_migration(root: Path, name: str, sql: str) -> None:
    (root / "migrations" / name).write_text(sql)
    ok(atoll(root, "migrate", "hash"))


def apply(root: Path, *extra: str, env=None):
    return atoll(root, "migrate", "apply", "--env", "fleet", "--parallel", "1", *extra, env=env)


def restore(root: Path, *extra: str, run: str = "latest", env=None):
    return atoll(root, "migrate", "restore", "--env", "fleet", "--run", run, *extra, env=env)


def db(root: Path, shard: str) -> Path:
    return root / "data" / f"{shard}.db"


def files_of(root: Path) -> dict[str, bytes]:
    return {s: db(root, s).read_bytes() for s in SHARDS}


def runs(root: Path) -> list[str]:
    return sorted(os.listdir(root / "backups"))


def record(root: Path, run_id: str | None = None) -> dict:
    run_id = run_id or runs(root)[-1]
    return json.loads((root / "backups" / run_id / "run.json").read_text())


def validate(rec: dict) -> None:
    import jsonschema

    jsonschema.validate(rec, json.loads(SCHEMA.read_text()))


def rows_of(path: Path, sql: str = "SELECT name FROM users ORDER BY id") -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def integrity(path: Path) -> str:
    return rows_of(path, "PRAGMA integrity_check")[0][0]


# --- restore after runs ----------------------------------------------------------------


def test_restore_after_a_successful_run_is_byte_identical(fleet):
    before = files_of(fleet)
    add_migration(fleet, "3_coins.sql", "ALTER TABLE users ADD COLUMN coins integer NOT NULL "
                  "DEFAULT 0;\nUPDATE users SET coins = 10;\n")
    r = ok(apply(fleet))
    assert summary(r.out) == "5 database(s): 5 ok"
    (run_id,) = runs(fleet)
    rec = record(fleet)
    validate(rec)
    assert rec["id"] == run_id and rec["state"] == "ok" and rec["ended_at"]
    for e in rec["databases"]:
        assert (e["state"], e["version_before"], e["version_after"], e["files"],
                e["statements"]) == ("ok", "2", "3", ["3"], 2)
        point = fleet / "backups" / run_id / e["restore_point"]["path"]
        assert point.read_bytes() == before[e["name"]]  # the copy is the database as it was
        assert e["restore_point"]["version"] == "2" and e["end"]["version"] == "3"
    assert all(files_of(fleet)[s] != before[s] for s in SHARDS)

    r = ok(restore(fleet, "--run", run_id))
    rows = fleet_rows(r.out)
    assert all(rows[s]["STATE"] == "restored" and rows[s]["VERSION"] == "3 → 2" for s in SHARDS)
    assert files_of(fleet) == before
    assert not list((fleet / "data").glob("*.atoll-restore*"))
    # Restored already: a second restore has nothing to do and changes nothing.
    rows = fleet_rows(ok(restore(fleet)).out)
    assert all(rows[s]["STATE"] == "already-restored" for s in SHARDS)
    assert files_of(fleet) == before
    # The databases work: the run can be applied again.
    ok(apply(fleet))
    assert all(rows_of(db(fleet, s), "SELECT coins FROM users") == [(10,), (10,)]
               for s in SHARDS)


def test_no_op_run_takes_no_restore_point(fleet):
    ok(apply(fleet))
    rec = record(fleet)
    validate(rec)
    assert all(e["restore_point"] is None and e["files"] == [] for e in rec["databases"])
    assert [p for p in os.listdir(fleet / "backups" / rec["id"])] == ["run.json"]
    r = ok(restore(fleet, "--run", rec["id"]))
    assert "changed no database" in r.out
    failed(restore(fleet), "no run with restore points")


def test_half_finished_run_restores_only_what_it_changed_then_resume(fleet):
    # A file that fails on shard 3 of 5: that shard already has a table of the same name.
    conn = sqlite3.connect(db(fleet, "s3"))
    conn.execute("CREATE TABLE items (id integer)")
    conn.commit()
    conn.close()
    before = files_of(fleet)
    add_migration(fleet, "3_items.sql", "CREATE TABLE items (id integer PRIMARY KEY, "
                  "user_id integer);\n")
    r = apply(fleet)
    assert r.code == 1, str(r)
    rows = fleet_rows(r.out)
    assert [rows[s]["STATE"] for s in SHARDS] == ["ok", "ok", "failed", "skipped", "skipped"]
    rec = record(fleet)
    validate(rec)
    states = {e["name"]: e for e in rec["databases"]}
    assert [states[s]["state"] for s in SHARDS] == ["ok", "ok", "failed", "skipped", "skipped"]
    assert rec["state"] == "failed" and "already exists" in states["s3"]["error"]
    assert states["s3"]["files"] == ["3"]
    assert [bool(states[s]["restore_point"]) for s in SHARDS] == [True, True, True, False, False]
    untouched = {s: before[s] for s in ("s4", "s5")}
    assert {s: files_of(fleet)[s] for s in ("s4", "s5")} == untouched

    r = ok(restore(fleet))
    rows = fleet_rows(r.out)
    # s3's failed file was rolled back but its error was recorded: the run changed it too.
    assert set(rows) == {"s1", "s2", "s3"}
    assert files_of(fleet) == before

    # --resume re-runs only what the run left failed or not started. Shard 3 still has its
    # conflicting table (it was there before the run): the same run fails the same way.
    assert apply(fleet).code == 1
    half = record(fleet)
    assert half["id"] != rec["id"]
    conn = sqlite3.connect(db(fleet, "s3"))
    conn.execute("DROP TABLE items")
    conn.commit()
    conn.close()
    s12 = {s: files_of(fleet)[s] for s in ("s1", "s2")}
    r = ok(apply(fleet, "--resume", half["id"]))
    assert set(fleet_rows(r.out)) == {"s3", "s4", "s5"}
    resumed = record(fleet)
    validate(resumed)
    assert resumed["resumed_from"] == half["id"]
    assert [e["name"] for e in resumed["databases"]] == ["s3", "s4", "s5"]
    assert {s: files_of(fleet)[s] for s in ("s1", "s2")} == s12
    assert all(rows_of(db(fleet, s), "SELECT count(*) FROM items") == [(0,)] for s in SHARDS)
    r = ok(apply(fleet, "--resume", resumed["id"]))
    assert "Nothing to resume" in r.out


def test_a_database_changed_after_the_run_is_refused_without_force(fleet):
    before = files_of(fleet)
    add_migration(fleet, "3_coins.sql", "ALTER TABLE users ADD COLUMN coins integer;\n")
    ok(apply(fleet))
    after = files_of(fleet)
    conn = sqlite3.connect(db(fleet, "s4"))
    conn.execute("INSERT INTO users (name) VALUES ('eve')")
    conn.commit()
    conn.close()
    changed = db(fleet, "s4").read_bytes()

    r = restore(fleet)
    assert r.code == 1, str(r)
    rows = fleet_rows(r.out)
    assert "changed since the run" in rows["s4"]["ERROR"] and "--force" in rows["s4"]["ERROR"]
    assert all(rows[s]["STATE"] == "checked" for s in SHARDS if s != "s4")
    assert "Nothing restored" in r.err
    # All or nothing: no database was restored.
    assert files_of(fleet) == {**after, "s4": changed}

    ok(restore(fleet, "--force"))
    assert files_of(fleet) == before


def test_restore_takes_the_migration_lock(fleet):
    from atoll.migrate.lock import APPLY_LOCK, lock_file

    add_migration(fleet, "3_coins.sql", "ALTER TABLE users ADD COLUMN coins integer;\n")
    ok(apply(fleet))
    after = files_of(fleet)
    path = f"{os.path.realpath(db(fleet, 's2'))}.{APPLY_LOCK}.lock"
    with lock_file(path, APPLY_LOCK, 0):
        r = restore(fleet, "--lock-timeout", "0s")
        assert r.code == 1, str(r)
        assert "acquiring database lock" in fleet_rows(r.out)["s2"]["ERROR"]
    assert files_of(fleet) == after


# --- crash safety ----------------------------------------------------------------------


def kill_9_at(point: str, cwd: Path, *args: str) -> None:
    """Run atoll until it pauses at ``point`` (ATOLL_PAUSE_AT), then ``kill -9`` it."""
    proc = subprocess.Popen([*ATOLL, *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env=clean_env(ATOLL_PAUSE_AT=point))
    try:
        seen = ""
        while f"paused at {point}" not in seen:  # progress lines come first
            line = proc.stderr.readline()
            assert line, f"exited without pausing:\n{seen}"
            seen += line
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def wal_db(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()


@pytest.mark.parametrize("wal", [False, True], ids=["rollback", "wal"])
@pytest.mark.parametrize("point", ["restore:marked", "restore:copied", "restore:cleared",
                                   "restore:replaced"])
def test_kill_9_during_restore_then_restore_again(tmp_path, point, wal):
    root = project(tmp_path)
    path = root / "one.db"
    if wal:
        wal_db(path)
    url = "sqlite://one.db"
    ok(atoll(root, "migrate", "apply", "1", "--url", url))
    before = path.read_bytes()
    ok(atoll(root, "migrate", "apply", "--url", url, "--backup-dir", "bk"))
    after_rows = rows_of(path)
    assert after_rows == [("ann",), ("bob",)]

    kill_9_at(point, root, "migrate", "restore", "--url", url, "--run", "latest",
              "--backup-dir", "bk")
    # Whatever the moment, the database is whole: the run's state or the restored one.
    assert integrity(path) == "ok"
    assert rows_of(path) in (after_rows, [])
    r = ok(atoll(root, "migrate", "restore", "--url", url, "--run", "latest",
                 "--backup-dir", "bk"))
    assert "restored" in r.out
    assert integrity(path) == "ok" and rows_of(path, "SELECT count(*) FROM users") == [(0,)]
    if not wal:
        assert path.read_bytes() == before
    assert not list(root.glob("one.db.atoll-restore*"))


def test_wal_database_with_another_connection_writing(tmp_path):
    """The other connection's commits sit in the WAL (no checkpoint): the restore point holds
    them, and the restore puts back exactly that state."""
    root = project(tmp_path)
    path = root / "live.db"
    wal_db(path)
    url = "sqlite://live.db"
    ok(atoll(root, "migrate", "apply", "--url", url))
    app = sqlite3.connect(path, isolation_level=None)
    app.execute("PRAGMA wal_autocheckpoint=0")
    app.execute("INSERT INTO users (name) VALUES ('carl')")
    assert os.path.getsize(str(path) + "-wal") > 0
    expected = rows_of(path)
    assert expected == [("ann",), ("bob",), ("carl",)]

    (root / "migrations" / "3_coins.sql").write_text(
        "ALTER TABLE users ADD COLUMN coins integer NOT NULL DEFAULT 5;\n")
    ok(atoll(root, "migrate", "hash"))
    ok(atoll(root, "migrate", "apply", "--url", url, "--backup-dir", "bk"))
    app.execute("INSERT INTO users (name, coins) VALUES ('dan', 1)")  # the app goes on
    app.close()
    (run_id,) = os.listdir(root / "bk")
    rec = json.loads((root / "bk" / run_id / "run.json").read_text())
    validate(rec)
    point = root / "bk" / run_id / rec["databases"][0]["restore_point"]["path"]
    copy = tmp_path / "copy.db"
    copy.write_bytes(point.read_bytes())
    assert integrity(copy) == "ok" and rows_of(copy) == expected

    # The app wrote after the run: refused, then forced.
    r = atoll(root, "migrate", "restore", "--url", url, "--run", run_id, "--backup-dir", "bk")
    assert r.code == 1 and "changed since the run" in r.out, str(r)
    ok(atoll(root, "migrate", "restore", "--url", url, "--run", run_id, "--backup-dir", "bk",
             "--force"))
    assert path.read_bytes() == point.read_bytes()
    assert rows_of(path) == expected and integrity(path) == "ok"
    assert rows_of(path, "PRAGMA journal_mode") == [("wal",)]


# --- run ids, pruning, record contents -------------------------------------------------


def test_backup_keep_prunes_older_runs(fleet):
    kept = []
    for i in range(3, 7):
        add_migration(fleet, f"{i}_t{i}.sql", f"CREATE TABLE t{i} (id integer);\n")
        ok(apply(fleet, "--backup-keep", "2"))
        kept.append(runs(fleet)[-1])
        assert runs(fleet) == kept[-2:]
    ok(apply(fleet, "--backup-keep", "2"))  # a no-op run keeps both restore point runs
    assert runs(fleet)[:2] == kept[-2:] and len(runs(fleet)) == 3
    failed(apply(fleet, "--backup-keep", "0"), "--backup-keep")


def test_run_ids_are_unique_within_one_second(tmp_path):
    from atoll.fleet.run_record import RUN_ID, create_run_dirs

    ids = [create_run_dirs([str(tmp_path / "a"), str(tmp_path / "b")]) for _ in range(200)]
    assert len(set(ids)) == 200 and all(RUN_ID.match(i) for i in ids)
    assert sorted(os.listdir(tmp_path / "a")) == sorted(ids) == sorted(os.listdir(tmp_path / "b"))


def test_run_dir_without_backups_and_masked_command_line(fleet, tmp_path):
    from atoll.fleet.run_record import mask_argv

    assert mask_argv(["--url", "postgres://u:secret@h/db", "--dev-url=mysql://r:pw@h/x",
                      "--var", "token=abc", "--var=k=v"]) == [
        "--url", "postgres://u:xxxxx@h/db", "--dev-url=mysql://r:xxxxx@h/x",
        "--var", "token=xxxxx", "--var=k=xxxxx"]
    add_migration(fleet, "3_coins.sql", "ALTER TABLE users ADD COLUMN coins integer;\n")
    rdir = tmp_path / "runs"
    (fleet / "atlas.hcl").write_text(CONFIG.replace('backup_dir = "backups"', ""))
    ok(apply(fleet, "--run-dir", str(rdir), "--var", "secret=hunter2"))
    (run_id,) = os.listdir(rdir)
    rec = json.loads((rdir / run_id / "run.json").read_text())
    validate(rec)
    assert "hunter2" not in json.dumps(rec)
    assert all(e["restore_point"] is None and e["state"] == "ok" for e in rec["databases"])
    assert not (fleet / "backups").exists()


def test_kill_9_after_a_database_was_migrated_still_restores_it(fleet):
    # run.json is saved at most once a second; what restore needs (each restore point, each
    # end state) is in run.journal before the run goes on, so it survives the kill.
    add_migration(fleet, "3_coins.sql", "ALTER TABLE users ADD COLUMN coins integer;\n")
    before = files_of(fleet)
    kill_9_at("apply:database-done", fleet, "migrate", "apply", "--env", "fleet",
              "--parallel", "1")
    migrated = [s for s in SHARDS if files_of(fleet)[s] != before[s]]
    assert len(migrated) == 1
    assert record(fleet)["state"] == "running"
    r = ok(restore(fleet))
    assert f"{migrated[0]} " in r.out and "1 restored" in r.out
    assert files_of(fleet) == before


def test_restore_point_errors_stop_the_database_before_any_change(fleet, tmp_path):
    add_migration(fleet, "3_coins.sql", "ALTER TABLE users ADD COLUMN coins integer;\n")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    before = files_of(fleet)
    failed(apply(fleet, "--backup-dir", str(blocker / "sub")), r"backup dir")
    assert files_of(fleet) == before
