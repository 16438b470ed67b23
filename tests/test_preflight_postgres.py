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
    last = r.stderr.splitlines()[-1]
    assert last.startswith("Error: preflight failed, nothing was changed: 2_unique.sql: "
                           "pq: could not create unique index"), r.stderr
    assert f"{url(pgdb)}: 2_unique.sql: 1 rows would violate (unique index on users)" in r.stderr
    assert "CREATE UNIQUE INDEX users_name ON users (name);" in last
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


RISKY = {
    "2_risky.sql": (
        "ALTER TABLE users ADD COLUMN note text, ADD COLUMN code varchar(20);\n"
        "UPDATE users SET note = 'n', code = 'abcdefgh' WHERE id = 1;\n"
        "CREATE TABLE \"Junk\" (id int);\n"
        "INSERT INTO \"Junk\" VALUES (1), (2), (3);\n"),
    "3_drop.sql": (
        "DROP TABLE IF EXISTS \"Junk\", nowhere CASCADE;\n"
        "ALTER TABLE public.users DROP COLUMN note, ALTER COLUMN code TYPE varchar(4),\n"
        "  ALTER COLUMN name SET NOT NULL;\n"
        "ALTER TABLE users ADD COLUMN score int NOT NULL;\n"
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_name ON ONLY users (lower(name));\n"),
}


def test_data_at_risk_is_counted_and_refused_on_postgres(tmp_path, pgdb):
    d = make_dir(tmp_path, {**FILES, "2_risky.sql": RISKY["2_risky.sql"]})
    r = atoll(tmp_path, "migrate", "apply", "--url", url(pgdb), "--dir", f"file://{d}")
    assert r.returncode == 0, r.stderr
    make_dir(tmp_path, {"3_drop.sql": RISKY["3_drop.sql"]})
    name = url(pgdb)
    r = atoll(tmp_path, "migrate", "apply", "--url", url(pgdb), "--dir", f"file://{d}",
              "--data-loss", "refuse")
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        "Data at risk:",
        f"  {name}: 3_drop.sql: 3 rows lost (drop table \"Junk\")",
        f"  {name}: 3_drop.sql: 1 values lost (drop column note of public.users)",
        f"  {name}: 3_drop.sql: 1 rows would violate (column code of public.users narrows to "
        "varchar(4))",
        # the trial stopped at that statement (the value does not fit): nothing after it ran
        "Error: data at risk, refused (--data-loss=refuse): 3 rows lost, 1 values lost, "
        "1 rows would violate; nothing was changed"], r.stderr
    assert q(pgdb, "SELECT count(*) FROM \"Junk\"") == [(3,)]
    assert q(pgdb, "SELECT max(version) FROM atlas_schema_revisions.atlas_schema_revisions"
             ) == [("2",)]


def test_each_postgres_statement_shape_is_counted(tmp_path, pgdb):
    from atoll.dialects import dialect_for
    from atoll.migrate.data_risk import RiskMeter
    from atoll.urls import parse_url

    q(pgdb, "CREATE TABLE users (id bigint, name text, score bigint)")
    q(pgdb, "INSERT INTO users VALUES (1, 'Ann', 5), (2, 'ann', NULL), (3, NULL, 9999999999)")
    dialect = dialect_for(url(pgdb))

    class F:
        name = "1.sql"

    with dialect.connect(parse_url(url(pgdb))) as conn:
        meter = RiskMeter(dialect.risk_probe())
        conn.begin()  # inside a migration's transaction a failing count must not abort it
        for stmt in ["ALTER TABLE users ADD COLUMN x int NOT NULL",
                     "ALTER TABLE users ADD COLUMN y int NOT NULL DEFAULT 0",
                     "ALTER TABLE users ALTER COLUMN score TYPE integer",
                     "ALTER TABLE users ALTER COLUMN name SET NOT NULL",
                     "ALTER TABLE users ADD CONSTRAINT u UNIQUE (id)",
                     "CREATE UNIQUE INDEX ON users (lower(name)) WHERE id > 0",
                     "ALTER TABLE users DROP COLUMN nope",
                     "DROP TABLE users"]:
            meter(conn, F, stmt)
        assert conn.query("SELECT 1") == [(1,)]
        conn.rollback()
    assert [(r.measure.kind, r.measure.count, r.measure.what) for r in meter.found] == [
        ("rows would violate", 3, "add column x NOT NULL without default to users"),
        ("rows would violate", 1, "column score of users narrows to integer"),
        ("rows would violate", 1, "column name of users becomes NOT NULL"),
        ("rows would violate", 1, "unique index on users"),
        ("rows lost", 3, "drop table users"),
    ]
