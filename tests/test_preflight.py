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
    return fleet_env(tmp_path, names, extra, "?_fk=1")


def fleet_env(root: Path, names: list[str], extra: str = "", params: str = "") -> Path:
    """atlas.hcl with an env ``fleet`` over the ``names`` databases."""
    shards = ", ".join(f'"{n}"' for n in names)
    (root / "atlas.hcl").write_text(f"""
env "fleet" {{
  for_each = toset([{shards}])
  url      = "sqlite://${{each.value}}.db{params}"
  {extra}
  migration {{
    dir = "file://migrations"
  }}
}}
""")
    return root


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
        "Data at risk:",
        '  shard_1.db: 20240102000000_email.sql: 1 rows would violate (unique index '
        '"users_name" on "users")',
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


# -- data at risk ----------------------------------------------------------------------------

RISKY = {
    "20240102000000_drops.sql": "DROP TABLE junk;\nALTER TABLE users DROP COLUMN old;\n",
    "20240103000000_unique.sql": "CREATE UNIQUE INDEX users_name ON users (name);\n",
    # the rebuild Atlas plans to drop "nick" and make "name" NOT NULL varchar(5)
    "20240104000000_rebuild.sql": (
        "PRAGMA foreign_keys = off;\n"
        "CREATE TABLE `new_users` (`id` integer NULL PRIMARY KEY AUTOINCREMENT, "
        "`name` varchar(5) NOT NULL);\n"
        "INSERT INTO `new_users` (`id`, `name`) SELECT `id`, `name` FROM `users`;\n"
        "DROP TABLE `users`;\n"
        "ALTER TABLE `new_users` RENAME TO `users`;\n"
        "PRAGMA foreign_keys = on;\n"),
    "20240105000000_not_null.sql": "ALTER TABLE users ADD COLUMN score integer NOT NULL;\n",
}


def risky_project(tmp_path: Path, names: list[str], extra: str = "") -> Path:
    mig = tmp_path / "migrations"
    mig.mkdir()
    (mig / "20240101000000_init.sql").write_text(
        "CREATE TABLE users (id integer PRIMARY KEY, name varchar(100), nick text, old text);\n"
        "CREATE TABLE junk (id integer);\n")
    hash_dir(mig)
    for name in names:
        r = run(tmp_path, "migrate", "apply", "--url", f"sqlite://{name}.db", "--dir",
                "file://migrations")
        assert r.returncode == 0, r.stderr
    for n, text in RISKY.items():
        (mig / n).write_text(text)
    hash_dir(mig)
    return fleet_env(tmp_path, names, extra)


def fill(db: Path, users: list[tuple], junk: int = 0) -> None:
    with sqlite3.connect(db) as c:
        c.executemany("INSERT INTO users (name, nick, old) VALUES (?, ?, ?)", users)
        c.executemany("INSERT INTO junk VALUES (?)", [(i,) for i in range(junk)])
    c.close()


def test_each_risky_statement_is_counted_on_each_database(tmp_path):
    root = risky_project(tmp_path, ["shard_1", "shard_2"])
    fill(root / "shard_1.db", [("ann", "a", None), ("bob", None, "x")], junk=3)
    # shard 2: nothing at risk except a nick (dropped by the rebuild) and a long name
    fill(root / "shard_2.db", [("carol", "c", None)])
    r = fleet(root, "--format", "{{ json . }}", "--continue-on-error")
    rows = {row["Name"]: row for row in json.loads(r.stdout)}
    # the last file fails on both: SQLite refuses a NOT NULL column without a default on a
    # table with rows, which is what its count said
    assert r.returncode == 1
    assert {(row["State"], row["VersionAfter"]) for row in rows.values()} == {
        ("failed", "20240104000000")}
    got = {n: [(x["File"][:14], x["Kind"], x["Table"], x["Column"], x["Count"])
               for x in row.get("DataAtRisk", [])] for n, row in rows.items()}
    assert got["shard_1"] == [
        ("20240102000000", "rows lost", "junk", "", 3),
        ("20240102000000", "values lost", "users", "old", 1),
        ("20240104000000", "values lost", "users", "nick", 1),
        ("20240105000000", "rows would violate", "users", "score", 2),
    ]
    assert got["shard_2"] == [
        ("20240104000000", "values lost", "users", "nick", 1),
        ("20240105000000", "rows would violate", "users", "score", 1),
    ]


def test_counts_of_a_rebuild_unique_index_and_narrowing(tmp_path):
    from atoll.dialects import dialect_for
    from atoll.migrate.data_risk import RiskMeter
    from atoll.urls import parse_url

    db = tmp_path / "t.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE users (id integer PRIMARY KEY, name varchar(100), nick text)")
        c.executemany("INSERT INTO users (name, nick) VALUES (?, ?)",
                      [("ann", "a"), ("ann", None), (None, "z"), ("bartholomew", None)])
    c.close()
    dialect = dialect_for(f"sqlite://{db}")

    class F:
        name = "1.sql"

    with dialect.connect(parse_url(f"sqlite://{db}")) as conn:
        meter = RiskMeter(dialect.risk_probe())
        meter(conn, F, "CREATE UNIQUE INDEX IF NOT EXISTS `u` ON `users` (`name` COLLATE NOCASE "
                       "DESC) WHERE nick IS NOT NULL OR nick IS NULL")
        conn.execute("CREATE TABLE new_users (id integer PRIMARY KEY, name varchar(5) NOT NULL "
                     "UNIQUE)")
        meter(conn, F, 'INSERT INTO "new_users" ("id", "name") SELECT "id", "name" FROM '
                       '"users"')
        meter(conn, F, "DROP TABLE users")  # the rebuild's drop: its rows were copied
        meter(conn, F, "DROP TABLE IF EXISTS nowhere")
    got = [(r.measure.kind, r.measure.column, r.measure.count, r.measure.what)
           for r in meter.found]
    assert got == [
        ("rows would violate", "", 1, 'unique index "u" on "users"'),
        ("values lost", "nick", 2, 'rebuild of "users" drops column "nick"'),
        ("rows would violate", "name", 1, 'column "name" of "users" becomes NOT NULL'),
        ("rows would violate", "name", 1, 'column "name" of "users" narrows to varchar(5)'),
        ("rows would violate", "", 1, 'rebuild of "users" adds unique name'),
    ]


def test_refuse_touches_no_database_with_data_at_risk(tmp_path):
    root = risky_project(tmp_path, ["shard_1", "shard_2", "shard_3"])
    fill(root / "shard_2.db", [("ann", None, "x")])  # one value in a dropped column
    before = digests(root)
    r = fleet(root, "--data-loss", "refuse", "--continue-on-error")
    assert r.returncode == 1
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("shard_2 "))
    assert "data at risk, refused (--data-loss=refuse): 1 values lost" in line
    assert "shard_2: 20240102000000_drops.sql: 1 values lost (drop column \"old\" of " \
           "\"users\")" in r.stdout
    assert digests(root)["shard_2.db"] == before["shard_2.db"]  # untouched
    # the empty shards had nothing at risk and were migrated (until SQLite's own refusal
    # of a NOT NULL column without default on a non-empty table: they are empty)
    assert version(root / "shard_1.db") == "20240105000000"


def test_refuse_with_preflight_changes_no_database_at_all(tmp_path):
    root = risky_project(tmp_path, ["shard_1", "shard_2", "shard_3"],
                         extra='data_loss = "refuse"\n  preflight = true')
    fill(root / "shard_3.db", [], junk=2)
    before = digests(root)
    r = fleet(root)
    assert r.returncode == 1
    assert digests(root) == before
    assert "preflight: 1 of 3 database(s) failed; no database was changed" in r.stderr
    assert "shard_3: 20240102000000_drops.sql: 2 rows lost (drop table \"junk\")" in r.stdout
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("shard_3 "))
    assert "preflight: data at risk, refused (--data-loss=refuse): 2 rows lost" in line
    # with the risk gone, the same command migrates everything
    with sqlite3.connect(root / "shard_3.db") as c:
        c.execute("DELETE FROM junk")
        c.execute("DELETE FROM users")
    c.close()
    r = fleet(root)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Data at risk" not in r.stdout


def test_refuse_on_a_single_database(tmp_path):
    root = risky_project(tmp_path, ["one"])
    fill(root / "one.db", [("ann", "a", None)])
    before = (root / "one.db").read_bytes()
    r = run(root, "migrate", "apply", "--url", "sqlite://one.db", "--dir", "file://migrations",
            "--data-loss", "refuse")
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        "Data at risk:",
        '  one.db: 20240104000000_rebuild.sql: 1 values lost (rebuild of "users" drops '
        'column "nick")',
        '  one.db: 20240105000000_not_null.sql: 1 rows would violate (add column "score" '
        'NOT NULL without default to "users")',
        'Error: data at risk, refused (--data-loss=refuse): 1 values lost, 1 rows would '
        'violate; nothing was changed']
    assert (root / "one.db").read_bytes() == before
    r = run(root, "migrate", "apply", "--url", "sqlite://one.db", "--dir", "file://migrations",
            "--data-loss", "maybe")
    assert r.stderr == 'Error: unknown --data-loss mode "maybe"; use "warn" or "refuse"\n'


def test_refuse_is_refused_where_it_cannot_measure(tmp_path):
    (tmp_path / "migrations").mkdir()
    hash_dir(tmp_path / "migrations")
    r = run(tmp_path, "migrate", "apply", "--url", "mysql://root@127.0.0.1:3306/x",
            "--dir", "file://migrations", "--data-loss", "refuse")
    assert r.returncode == 1
    assert "--data-loss=refuse cannot measure data at risk" in r.stderr


def test_data_at_risk_survives_a_report_merge_of_partitions(tmp_path):
    root = risky_project(tmp_path, ["shard_1", "shard_2", "shard_3"])
    fill(root / "shard_2.db", [], junk=4)
    files = []
    for i in range(2):
        r = fleet(root, "--partition", f"{i}/2", "--format", "json", "--continue-on-error")
        (root / f"slice-{i}.json").write_text(r.stdout)
        files.append(str(root / f"slice-{i}.json"))
    r = run(root, "report", "merge", *files, "--format", "json")
    merged = {row["Name"]: row for row in json.loads(r.stdout)}
    assert [(x["Kind"], x["Count"], x["What"]) for x in merged["shard_2"]["DataAtRisk"]] == [
        ("rows lost", 4, 'drop table "junk"')]
    assert "DataAtRisk" not in merged["shard_1"]
    text = run(root, "report", "merge", *files).stdout
    assert 'shard_2: 20240102000000_drops.sql: 4 rows lost (drop table "junk")' in text
