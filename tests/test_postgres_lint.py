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


REALM_INIT = ("CREATE SCHEMA shop;\n"
              "CREATE TABLE shop.orders (id bigint PRIMARY KEY, note text, total int);\n"
              "CREATE INDEX orders_note ON shop.orders (note);\n"
              "CREATE TABLE public.users (id bigint PRIMARY KEY);\n")


def test_lint_with_a_realm_dev_url_analyses_every_schema(tmp_path):
    """A dev URL without search_path names the whole database: the files replay on it and
    the changes of every schema are analysed (Atlas's DevLoader on a realm connection), and
    the dev database is put back as it was."""
    from postgres_support import drop_db, new_db

    dev = new_db("atoll_lr")
    try:
        (tmp_path / "migrations").mkdir()
        files = {
            "1_init.sql": REALM_INIT,
            "2_change.sql": ("ALTER TABLE shop.orders DROP COLUMN note;\n"
                             "ALTER TABLE shop.orders ALTER COLUMN total SET NOT NULL;\n"
                             "CREATE INDEX orders_total ON shop.orders (total);\n"
                             "CREATE UNIQUE INDEX orders_id_total ON shop.orders (id, total);\n"
                             "DROP TABLE public.users;\n"
                             "CREATE SCHEMA tmp;\nCREATE TABLE tmp.t (id int);\n"
                             "CREATE INDEX t_id ON tmp.t (id);\nDROP SCHEMA tmp CASCADE;\n"),
        }
        for name, text in files.items():
            (tmp_path / "migrations" / name).write_text(text)
        (tmp_path / "atlas.hcl").write_text(
            CONCURRENT_ON + f'env "pg" {{\n  dev = "{url(dev)}"\n}}\n')
        ok(atoll(tmp_path, "migrate", "hash"))
        r = atoll(tmp_path, "migrate", "lint", "--env", "pg", "--latest", "1")
        assert r.returncode == 1, r.stdout + r.stderr
        out = " ".join(r.stdout.split())
        assert 'L1: Dropping non-virtual column "note"' in out
        assert ('L2: Modifying nullable column "total" to non-nullable might fail in case it '
                'contains NULL values') in out
        assert ('L3: Creating index "orders_total" non-concurrently causes write locks on the '
                '"orders" table') in out
        assert ('L4: Adding a unique index "orders_id_total" on table "orders" might fail in '
                'case columns "id", "total" contain duplicate entries') in out
        assert 'L5: Dropping table "users"' in out
        # A schema created and dropped in the same file is temporary: no DS101, no PG101.
        assert '"tmp"' not in out and '"t_id"' not in out
        assert [r[0] for r in sql(dev, "SELECT nspname FROM pg_namespace WHERE nspname !~ "
                                       "'^pg_' AND nspname <> 'information_schema'")] == [
            "public"]
        # The report's schemas are the realm's HCL (every schema).
        js = atoll(tmp_path, "migrate", "lint", "--dev-url", url(dev), "--latest", "1",
                   "--format", "{{ json . }}")
        assert js.returncode == 1 and 'schema \\"shop\\"' in js.stdout
        # Dropping a whole schema is DS101.
        (tmp_path / "migrations" / "3_drop.sql").write_text("DROP SCHEMA shop CASCADE;\n")
        ok(atoll(tmp_path, "migrate", "hash"))
        r = atoll(tmp_path, "migrate", "lint", "--env", "pg", "--latest", "1")
        assert r.returncode == 1
        assert 'L1: Dropping non-empty schema "shop" with 1 table' in r.stdout
    finally:
        drop_db(dev)
