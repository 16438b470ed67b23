"""Several real processes on one database: the lock, and crash safety under ``kill -9``."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "migrate"))
from migsupport import make_dir, open_db, rows

from atoll.migrate import apply, render_status, status

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals and flock")

SCRIPT = r"""
import json, sys
from atoll.dialects import dialect_for
from atoll.urls import parse_url
from atoll.migrate import apply
db, d, timeout, mode = sys.argv[1:5]
url = parse_url("sqlite://" + db)
dialect = dialect_for(url)
conn = dialect.connect(url)
try:
    r = apply(conn, dialect, d, lock_timeout=float(timeout), tx_mode=mode)
    out = {"ok": r.ok, "error": r.error, "applied": [f.version for f in r.applied]}
except Exception as e:
    out = {"ok": False, "error": str(e), "exc": type(e).__name__, "applied": []}
print(json.dumps(out), flush=True)
"""

# ~12 ms of CPU in SQLite per call, without growing the database.
BUSY = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 100000) "
        "SELECT count(*) FROM c;")


def slow_dir(root: Path, n: int, busy: int = 2) -> Path:
    files = {}
    for i in range(1, n + 1):
        files[f"{i:03d}_step.sql"] = (
            f"CREATE TABLE t_{i} (x int);\n" + (BUSY + "\n") * busy
            + f"INSERT INTO log (version) VALUES ('{i:03d}');\n")
    files["000_log.sql"] = "CREATE TABLE log (version text NOT NULL);\n"
    return make_dir(root, files)


def spawn(tmp_path: Path, db: Path, d: Path, timeout: float, mode: str = "file"):
    script = tmp_path / "run_apply.py"
    if not script.exists():
        script.write_text(SCRIPT)
    return subprocess.Popen([sys.executable, str(script), str(db), str(d), str(timeout), mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def result(proc) -> dict:
    out, err = proc.communicate(timeout=60)
    assert out.strip(), err
    return json.loads(out.strip().splitlines()[-1])


def check_consistent(db: Path, n: int) -> None:
    conn, _ = open_db(db)
    assert conn.query("PRAGMA integrity_check") == [("ok",)]
    counts = dict(conn.query("SELECT version, COUNT(*) FROM log GROUP BY version"))
    assert counts == {f"{i:03d}": 1 for i in range(1, n + 1)}, "a migration ran twice or never"
    revs = rows(conn)
    assert [r[0] for r in revs] == [f"{i:03d}" for i in range(n + 1)]
    assert all(r[2] == 2 and r[3] == r[4] and r[5] == "" and r[8] == b"null" for r in revs)
    names = {r[0] for r in conn.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {f"t_{i}" for i in range(1, n + 1)} <= names
    conn.close()


def check_atomic_files(db: Path, mode: str) -> None:
    """After a crash in a transactional mode: no partial row, and a file's effects exist
    exactly when its revision row does (with "all", nothing of an unfinished run remains)."""
    conn, _ = open_db(db)
    names = {r[0] for r in conn.query("SELECT name FROM sqlite_master WHERE type='table'")}
    if "atlas_schema_revisions" not in names:
        conn.close()
        return
    revs = rows(conn)
    assert all(r[3] == r[4] for r in revs), f"partial revision after kill -9: {revs}"
    with_row = {r[0] for r in revs} - {"000"}
    created = {n[2:].rjust(3, "0") for n in names if n.startswith("t_")}
    logged = {r[0] for r in conn.query("SELECT version FROM log")} if "log" in names else set()
    assert with_row == created == logged
    if mode == "all":
        assert revs == []
    conn.close()


def test_two_processes_share_one_lock(tmp_path):
    n = 60
    d = slow_dir(tmp_path, n, busy=3)
    db = tmp_path / "app.db"
    lock_file = Path(f"{os.path.realpath(db)}.atlas_migrate_execute.lock")
    a = spawn(tmp_path, db, d, 30)
    deadline = time.monotonic() + 10
    while not lock_file.exists():
        assert a.poll() is None, a.communicate()
        assert time.monotonic() < deadline, "first process never took the lock"
        time.sleep(0.005)
    b = spawn(tmp_path, db, d, 0)       # gives up at once
    c = spawn(tmp_path, db, d, 60)      # waits for the first one
    rb = result(b)
    assert rb["exc"] == "LockError"
    assert rb["error"].startswith('acquiring database lock: sql/sqlite: lock on '
                                  '"atlas_migrate_execute" already taken')
    ra, rc = result(a), result(c)
    assert ra["ok"], ra
    assert rc["ok"], rc
    # Every file ran exactly once, split between the two successful runs in order.
    assert sorted(ra["applied"] + rc["applied"]) == [f"{i:03d}" for i in range(n + 1)]
    assert rc["applied"] == []
    check_consistent(db, n)
    assert not lock_file.exists()


@pytest.mark.parametrize("mode", ["file", "all"])
def test_kill_9_at_random_moments(tmp_path, mode):
    n = 70
    d = slow_dir(tmp_path, n)
    db = tmp_path / "app.db"
    rng = random.Random(int(time.time()))
    kills_mid_run = 0
    rounds = 6 if mode == "file" else 2
    for _ in range(rounds):
        p = spawn(tmp_path, db, d, 5, mode)
        time.sleep(rng.uniform(0.25, 0.9))
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
            kills_mid_run += 1
        out, _ = p.communicate(timeout=60)
        if p.returncode == 0:
            assert json.loads(out)["ok"], out
            break
        check_atomic_files(db, mode)
    assert kills_mid_run >= 2, "the runs finished before they could be killed"
    # Whatever the kills left behind, a normal run completes the directory.
    conn, dialect = open_db(db)
    r = apply(conn, dialect, d, lock_timeout=5, tx_mode=mode)
    assert r.ok, r.error
    st = status(conn, dialect, d)
    assert render_status(st).startswith("Migration Status: OK\n")
    conn.close()
    check_consistent(db, n)


# -- no-op runs read without the lock; runs with work re-check under it ----------------------

def _log_dir(tmp_path: Path, n: int) -> Path:
    files = {"000_log.sql": "CREATE TABLE log (version text NOT NULL);\n"}
    for i in range(1, n + 1):
        files[f"{i:03d}_step.sql"] = (f"CREATE TABLE t_{i} (x int);\n"
                                      f"INSERT INTO log (version) VALUES ('{i:03d}');\n")
    return make_dir(tmp_path, files)


def test_up_to_date_database_needs_no_lock(tmp_path):
    from atoll.migrate.lock import lock_file

    d = _log_dir(tmp_path, 2)
    db = tmp_path / "app.db"
    conn, dialect = open_db(db)
    assert apply(conn, dialect, d).ok
    path = f"{os.path.realpath(db)}.atlas_migrate_execute.lock"
    with lock_file(path, "atlas_migrate_execute", 0):  # another migrator holds it
        r = apply(conn, dialect, d, lock_timeout=0)
        assert r.ok and r.applied == [] and r.current == "002"
        (d / "003_step.sql").write_text("CREATE TABLE t_3 (x int);\n")
        from atoll.migrate import hash_dir

        hash_dir(d)
        with pytest.raises(Exception, match="lock on \"atlas_migrate_execute\" already taken"):
            apply(conn, dialect, d, lock_timeout=0)  # pending work still waits for the lock
    conn.close()


def test_files_applied_by_another_run_after_the_unlocked_read_run_once(tmp_path, monkeypatch):
    """The race the re-check under the lock exists for: this run reads pending files without
    the lock, another run applies them before this one gets the lock."""
    from atoll.migrate import executor

    n = 3
    d = _log_dir(tmp_path, n)
    db = tmp_path / "app.db"
    conn, dialect = open_db(db)
    assert apply(conn, dialect, d, amount=2).ok  # revisions table in place, 002 and 003 pending
    real = executor.acquire_lock
    raced = []

    def other_run_first(*args, **kwargs):
        if not raced:
            raced.append(True)
            other, _ = open_db(db)
            assert [f.version for f in apply(other, dialect, d).applied] == ["002", "003"]
            other.close()
        return real(*args, **kwargs)

    monkeypatch.setattr(executor, "acquire_lock", other_run_first)
    r = apply(conn, dialect, d)
    assert raced and r.ok and r.applied == [] and r.current == "003"
    counts = dict(conn.query("SELECT version, COUNT(*) FROM log GROUP BY version"))
    assert counts == {f"{i:03d}": 1 for i in range(1, n + 1)}
    conn.close()
