"""``migrate apply --preflight`` on PostgreSQL: the trial runs inside one transaction that is
rolled back (PostgreSQL's DDL is transactional), through the same executor as the real run."""

from __future__ import annotations

from test_server_postgres import atoll, make_dir, pgdb, q, url  # noqa: F401 - pgdb: fixture

FILES = {
    "1_init.sql": "CREATE TABLE users (id int PRIMARY KEY, name text);\n"
                  "INSERT INTO users VALUES (1, 'ann'), (2, 'ann');\n",
}
UNIQUE = {"2_unique.sql": "ALTER TABLE users ADD COLUMN email text;\n"
                          "CREATE UNIQUE INDEX users_name ON users (name);\n"}


def test_a_failing_file_changes_nothing_and_a_passing_one_applies(tmp_path, pgdb):
    d = make_dir(tmp_path, FILES)
    r = atoll(tmp_path, "migrate", "apply", "--url", url(pgdb), "--dir", f"file://{d}")
    assert r.returncode == 0, r.stderr
    make_dir(tmp_path, UNIQUE)
    r = atoll(tmp_path, "migrate", "apply", "--url", url(pgdb), "--dir", f"file://{d}",
              "--preflight")
    assert r.returncode == 1
    assert r.stderr.startswith("Error: preflight failed, nothing was changed: 2_unique.sql: "
                               "pq: could not create unique index"), r.stderr
    assert "CREATE UNIQUE INDEX users_name ON users (name);" in r.stderr
    assert q(pgdb, "SELECT version FROM atlas_schema_revisions.atlas_schema_revisions") == [
        ("1",)]
    assert q(pgdb, "SELECT column_name FROM information_schema.columns WHERE table_name = "
                   "'users' ORDER BY ordinal_position") == [("id",), ("name",)]
    assert q(pgdb, "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                   "WHERE l.locktype = 'advisory' AND d.datname = current_database()") == [(0,)]
    q(pgdb, "UPDATE users SET name = 'bob' WHERE id = 2")
    r = atoll(tmp_path, "migrate", "apply", "--url", url(pgdb), "--dir", f"file://{d}",
              "--preflight")
    assert r.returncode == 0, r.stderr
    assert q(pgdb, "SELECT version FROM atlas_schema_revisions.atlas_schema_revisions ORDER BY version") == [
        ("1",), ("2",)]
