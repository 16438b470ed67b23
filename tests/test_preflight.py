"""``migrate apply --preflight``: every pending file is tried on every database's real data
first, and nothing is changed anywhere unless all pass. Real SQLite files, the real executable;
faults injected on one shard of N (a file that fails only there), and ``kill -9`` in phase 1."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from atoll.migrate import hash_dir

ATOLL = str(Path(sys.executable).with_name("atoll"))
N = 5

INIT = ("CREATE TABLE users (id integer PRIMARY KEY, name text);\n"
        "CREATE TABLE items (id integer PRIMARY KEY, user_id integer REFERENCES users (id));\n")
ADD_EMAIL = ("ALTER TABLE users ADD COLUMN email text;\n"
             "CREATE UNIQUE INDEX users_name ON users (name);\n")


def run(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([ATOLL, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False)


def project(tmp_path: Path, n: int = N, *, extra: str = "") -> Path:
    """N shard files at version 1 (each with a few users), a directory whose version 2 adds a
    unique index, and an env ``fleet`` over the shards."""
    mig = tmp_path / "migrations"
    mig.mkdir()
    (mig / "20240101000000_init.sql").write_text(INIT)
    hash_dir(mig)
    names = [f"shard_{i}" for i in range(1, n + 1)]
    for name in names:
        r = run(tmp_path, "migrate", "apply", "--url", f"sqlite://{name}.db",
                "--dir", "file://migrations")
        assert r.returncode == 0, r.stderr
        with sqlite3.connect(tmp_path / f"{name}.db") as c:
            c.executemany("INSERT INTO users (name) VALUES (?)", [("ann",), ("bob",)])
        c.close()
    (mig / "20240102000000_email.sql").write_text(ADD_EMAIL)
    hash_dir(mig)
    shards = ", ".join(f'"{n}"' for n in names)
    (tmp_path / "atlas.hcl").write_text(f"""
env "fleet" {{
  for_each = toset([{shards}])
  url      = "sqlite://${{each.value}}.db?_fk=1"
  {extra}
  migration {{
    dir = "file://migrations"
  }}
}}
""")
    return tmp_path


def digests(root: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.glob("shard_*.db"))}


def version(db: Path) -> str:
    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT version FROM atlas_schema_revisions ORDER BY version").fetchall()
    c.close()
    return rows[-1][0] if rows else ""


def break_shard(root: Path, k: int) -> None:
    """Shard k gets a duplicate name: the unique index of version 2 fails there only."""
    with sqlite3.connect(root / f"shard_{k}.db") as c:
        c.execute("INSERT INTO users (name) VALUES ('ann')")
    c.close()


def fleet(root: Path, *extra: str) -> subprocess.CompletedProcess:
    return run(root, "migrate", "apply", "--config", "file://atlas.hcl", "--env", "fleet",
               *extra)


@pytest.mark.parametrize("k", [1, 3, N])
def test_a_file_failing_on_shard_k_of_n_leaves_all_n_unchanged(tmp_path, k):
    root = project(tmp_path)
    break_shard(root, k)
    before = digests(root)
    r = fleet(root, "--preflight")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    assert digests(root) == before  # byte for byte, every shard
    assert "preflight: 1 of 5 database(s) failed; no database was changed" in r.stderr
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith(f"shard_{k} "))
    assert "failed" in line and "20240102000000_email.sql" in line
    assert "UNIQUE constraint failed: users.name" in line
    assert "CREATE UNIQUE INDEX users_name ON users (name);" in line
    others = [ln for ln in r.stdout.splitlines() if ln.startswith("shard_")
              and not ln.startswith(f"shard_{k} ")]
    assert len(others) == N - 1 and all(" checked " in ln for ln in others)


def test_every_failing_database_is_named_in_json(tmp_path):
    root = project(tmp_path)
    break_shard(root, 2)
    break_shard(root, 4)
    before = digests(root)
    r = fleet(root, "--preflight", "--format", "{{ json . }}")
    assert r.returncode == 1
    assert digests(root) == before
    rows = {row["Name"]: row for row in json.loads(r.stdout)}
    assert {n for n, row in rows.items() if row["State"] == "failed"} == {"shard_2", "shard_4"}
    assert "20240102000000_email.sql" in rows["shard_2"]["Error"]
    assert rows["shard_1"]["State"] == "checked"


def test_a_passing_preflight_applies_everywhere(tmp_path):
    root = project(tmp_path)
    r = fleet(root, "--preflight")
    assert r.returncode == 0, r.stdout + r.stderr
    assert all(version(root / f"shard_{i}.db") == "20240102000000" for i in range(1, N + 1))
    assert "5 ok" in r.stdout


def test_env_attribute_turns_preflight_on(tmp_path):
    root = project(tmp_path, extra="preflight = true")
    break_shard(root, 2)
    before = digests(root)
    r = fleet(root)
    assert r.returncode == 1
    assert digests(root) == before
    # without the attribute the same fleet migrates the good shards (fail-fast aside)
    (root / "atlas.hcl").write_text((root / "atlas.hcl").read_text().replace(
        "preflight = true", ""))
    r = fleet(root, "--continue-on-error")
    assert r.returncode == 1
    assert version(root / "shard_1.db") == "20240102000000"


def test_a_single_database_is_a_fleet_of_one(tmp_path):
    root = project(tmp_path, n=1)
    break_shard(root, 1)
    before = digests(root)
    r = run(root, "migrate", "apply", "--url", "sqlite://shard_1.db", "--dir",
            "file://migrations", "--preflight")
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        "Error: preflight failed, nothing was changed: 20240102000000_email.sql: UNIQUE "
        "constraint failed: users.name (statement: CREATE UNIQUE INDEX users_name ON users "
        "(name);)"]
    assert digests(root) == before
    with sqlite3.connect(root / "shard_1.db") as c:
        c.execute("DELETE FROM users WHERE id = 3")
    c.close()
    r = run(root, "migrate", "apply", "--url", "sqlite://shard_1.db", "--dir",
            "file://migrations", "--preflight")
    assert r.returncode == 0, r.stderr
    assert "Migrating to version 20240102000000 from 20240101000000" in r.stdout
    assert version(root / "shard_1.db") == "20240102000000"


def test_preflight_checks_foreign_keys_like_the_real_run(tmp_path):
    """A file that leaves a dangling reference fails at its commit in the real run; the
    trial finds it too (shard 2 only has the orphan)."""
    root = project(tmp_path, n=2)
    mig = root / "migrations"
    (mig / "20240102000000_email.sql").unlink()
    (mig / "20240103000000_orphan.sql").write_text(
        "PRAGMA foreign_keys = off;\nDELETE FROM users WHERE name = 'zed';\n"
        "PRAGMA foreign_keys = on;\n")
    hash_dir(mig)
    with sqlite3.connect(root / "shard_2.db") as c:
        c.execute("INSERT INTO users (id, name) VALUES (9, 'zed')")
        c.execute("INSERT INTO items (user_id) VALUES (9)")
    c.close()
    before = digests(root)
    r = fleet(root, "--preflight")
    assert r.returncode == 1, r.stdout
    assert digests(root) == before
    assert "foreign key mismatch" in next(ln for ln in r.stdout.splitlines()
                                          if ln.startswith("shard_2 "))


def test_kill_9_during_phase_1_leaves_everything_unchanged(tmp_path):
    root = project(tmp_path, n=3)
    mig = root / "migrations"
    # a file slow enough on each shard that phase 1 is surely still running
    (mig / "20240103000000_slow.sql").write_text(
        "CREATE TABLE big (n integer);\n"
        "INSERT INTO big WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
        "WHERE x < 3000000) SELECT x FROM c;\n")
    hash_dir(mig)
    before = digests(root)
    proc = subprocess.Popen([ATOLL, "migrate", "apply", "--config", "file://atlas.hcl", "--env",
                             "fleet", "--preflight", "--parallel", "1"], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # the first shard's trial has finished; phase 2 cannot start before the third's
        line = proc.stderr.readline()
        assert "checked" in line, line + proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert digests(root) == before
    assert all(version(root / f"shard_{i}.db") == "20240101000000" for i in (1, 2, 3))
    assert not list(root.glob("*.db-journal")) and not list(root.glob("*.lock"))
    r = fleet(root, "--preflight")  # and a new run goes through
    assert r.returncode == 0, r.stdout + r.stderr


def test_mysql_targets_are_refused_before_anything_runs(tmp_path):
    (tmp_path / "migrations").mkdir()
    hash_dir(tmp_path / "migrations")
    r = run(tmp_path, "migrate", "apply", "--url", "mysql://root@127.0.0.1:3306/nope",
            "--dir", "file://migrations", "--preflight")
    assert r.returncode == 1
    assert r.stderr.startswith("Error: --preflight cannot check mysql://root@127.0.0.1:3306/nope: MySQL's DDL "
                               "is not transactional"), r.stderr


@pytest.mark.parametrize("method", ["copy", "transaction"])
def test_both_sqlite_trials_keep_nothing(tmp_path, method):
    from atoll.fleet.jobs import ApplyOptions, DirCache
    from atoll.fleet.preflight import preflight_job
    from atoll.fleet.runner import Target

    root = project(tmp_path, n=2)
    break_shard(root, 2)
    before = digests(root)
    job = preflight_job(DirCache(), ApplyOptions(), method)
    good = job(Target("shard_1", f"sqlite://{root}/shard_1.db?_fk=1",
                      {"dir": f"file://{root}/migrations"}), lambda _m: None)
    bad = job(Target("shard_2", f"sqlite://{root}/shard_2.db?_fk=1",
                     {"dir": f"file://{root}/migrations"}), lambda _m: None)
    assert (good.state, good.files, good.statements) == ("checked", 1, 2)
    assert bad.failed and "UNIQUE constraint failed" in bad.error
    assert digests(root) == before
