"""``migrate lint`` and drift on PostgreSQL (real server at 127.0.0.1:5432): the replay on a
dev schema, the generic analyzers, PostgreSQL's concurrent-index rules (PG101–PG103, on when
the project's ``lint`` block names ``concurrent_index``), and ``migrate status --dev-url``
reporting a change made outside the migration history. Each test has its own database."""

from __future__ import annotations

from pathlib import Path

from postgres_support import atoll, db, ok, sql, url  # noqa: F401 (db is a fixture)

INIT = ("CREATE TABLE users (id bigint PRIMARY KEY, name text);\n"
        "CREATE INDEX users_name_old ON users (name);\n")


def project(tmp: Path, db: str, files: dict[str, str], lint: str = "") -> None:
    (tmp / "migrations").mkdir(exist_ok=True)
    for name, text in files.items():
        (tmp / "migrations" / name).write_text(text)
    (tmp / "atlas.hcl").write_text(f"""{lint}
env "pg" {{
  url = "{url(db, 'app')}"
  dev = "{url(db, 'dev')}"
  migration {{
    dir = "file://migrations"
  }}
}}
""")
    ok(atoll(tmp, "migrate", "hash", "--dir", "file://migrations"))


CONCURRENT_ON = "lint {\n  concurrent_index {\n    error = true\n  }\n}\n"


def test_concurrent_index_rules(tmp_path, db):
    project(tmp_path, db, {
        "1_init.sql": INIT,
        "2_indexes.sql": (
            "CREATE INDEX users_name ON users (name);\n"
            "DROP INDEX users_name_old;\n"
            "CREATE INDEX CONCURRENTLY users_id_name ON users (id, name);\n"
            "CREATE TABLE posts (id bigint, author bigint);\n"
            "CREATE INDEX posts_author ON posts (author);\n"),
    }, CONCURRENT_ON)
    r = atoll(tmp_path, "migrate", "lint", "--env", "pg", "--latest", "1")
    assert r.returncode == 1, r.stdout + r.stderr
    out = " ".join(r.stdout.split())
    assert ('L1: Creating index "users_name" non-concurrently causes write locks on the '
            '"users" table https://atlasgo.io/lint/analyzers#PG101') in out
    assert ('L2: Dropping index "users_name_old" non-concurrently causes write locks on the '
            '"users" table https://atlasgo.io/lint/analyzers#PG103') in out
    assert ('L3: Indexes cannot be created or deleted concurrently within a transaction. Add '
            'the "atlas:txmode none" directive') in out
    # An index on a table the same file creates locks nobody out.
    assert "posts_author" not in out
    assert "3 diagnostics" in out


def test_concurrent_index_rules_pass_a_safe_file_and_are_off_unless_configured(tmp_path, db):
    safe = ("-- atlas:txmode none\n\n"
            "CREATE INDEX CONCURRENTLY users_name ON users (name);\n"
            "DROP INDEX CONCURRENTLY users_name_old;\n")
    project(tmp_path, db, {"1_init.sql": INIT, "2_safe.sql": safe}, CONCURRENT_ON)
    out = ok(atoll(tmp_path, "migrate", "lint", "--env", "pg", "--latest", "1"))
    assert "PG10" not in out and "0 diagnostics" not in out.replace("no diagnostics", "")
    # Without the lint block, a locking index is not PostgreSQL's business (as Atlas's
    # open-source build): no PG1xx report.
    (tmp_path / "migrations" / "2_safe.sql").write_text("CREATE INDEX users_name ON users (name);\n")
    project(tmp_path, db, {})
    out = ok(atoll(tmp_path, "migrate", "lint", "--env", "pg", "--latest", "1"))
    assert "PG101" not in out


def test_destructive_changes_are_linted_on_postgres(tmp_path, db):
    project(tmp_path, db, {"1_init.sql": INIT,
                           "2_drop.sql": "ALTER TABLE users DROP COLUMN name;\n"})
    r = atoll(tmp_path, "migrate", "lint", "--env", "pg", "--latest", "1")
    assert r.returncode == 1
    assert 'L1: Dropping non-virtual column "name"' in r.stdout
    assert "#DS103" in r.stdout


def test_status_reports_drift_made_outside_the_history(tmp_path, db):
    project(tmp_path, db, {"1_init.sql": INIT})
    ok(atoll(tmp_path, "migrate", "apply", "--env", "pg"))
    status = ("migrate", "status", "--env", "pg", "--dev-url", url(db, "dev"))
    out = ok(atoll(tmp_path, *status))
    assert "Drift" not in out
    sql(db, "ALTER TABLE app.users ADD COLUMN nickname text")
    r = atoll(tmp_path, *status)
    assert r.returncode == 1
    assert "-- Drift:           schema changed outside the migration history" in r.stdout
    assert 'modify "users" table' in r.stdout


def test_servers_older_than_postgres_10_are_refused(monkeypatch):
    """Atlas's minimum: ``server_version_num`` 100000; older servers get its message."""
    from types import SimpleNamespace

    import pytest

    from atoll.dialects.postgres import connection
    from atoll.errors import DatabaseError
    from atoll.urls import parse_url

    closed = []

    class OldServer:
        info = SimpleNamespace(server_version=90624)

        def add_notice_handler(self, handler):
            pass

        def close(self):
            closed.append(True)

    monkeypatch.setattr(connection.psycopg, "connect", lambda **kw: OldServer())
    with pytest.raises(DatabaseError, match=r"^postgres: unsupported postgres version: 90624$"):
        connection.PostgresConnection(parse_url("postgres://u@127.0.0.1:5432/x?sslmode=disable"))
    assert closed == [True]
