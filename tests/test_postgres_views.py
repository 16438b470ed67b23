"""Views and materialized views on PostgreSQL (beyond Atlas's open-source build): inspected,
printed as ``view``/``materialized`` blocks that apply back with no changes, planned around
the table changes that would break them, written by ``migrate diff`` and dropped by
``schema clean``. Real server at 127.0.0.1:5432, own database per test."""

from __future__ import annotations

from pathlib import Path

from postgres_support import atoll, db, failed, ok, sql, url  # noqa: F401

SCHEMA = """schema "app" {}
table "users" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "name" {
    type = text
    null = true
  }
  column "active" {
    type    = boolean
    default = true
  }
  primary_key {
    columns = [column.id]
  }
}
view "active_users" {
  schema     = schema.app
  as         = "SELECT id, name FROM users WHERE active"
  depends_on = [table.users]
}
view "names" {
  schema     = schema.app
  as         = "SELECT name FROM active_users"
  depends_on = [view.active_users]
}
materialized "user_count" {
  schema     = schema.app
  as         = "SELECT count(*) AS n FROM users"
  depends_on = [table.users]
}
"""


def apply(tmp: Path, db: str, text: str, *extra: str) -> str:
    (tmp / "s.hcl").write_text(text)
    return ok(atoll(tmp, "schema", "apply", "-u", url(db, "app"), "--to", "file://s.hcl",
                    "--dev-url", url(db, "dev"), "--auto-approve", *extra))


def relations(db: str, schema: str = "app") -> list[tuple[str, str]]:
    return sql(db, "SELECT c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n "
                   f"ON n.oid = c.relnamespace WHERE n.nspname = '{schema}' "
                   "AND c.relkind IN ('r', 'v', 'm') ORDER BY 1")


def test_views_apply_inspect_and_apply_back_without_changes(tmp_path, db):
    out = apply(tmp_path, db, SCHEMA)
    assert out.index('CREATE VIEW "active_users"') < out.index('CREATE VIEW "names"')
    assert 'CREATE MATERIALIZED VIEW "user_count" AS SELECT count(*) AS n' in out
    assert relations(db) == [("active_users", "v"), ("names", "v"), ("user_count", "m"),
                             ("users", "r")]
    assert relations(db, "dev") == []  # the dev schema is left empty
    assert "no changes to be made" in apply(tmp_path, db, SCHEMA)

    inspected = ok(atoll(tmp_path, "schema", "inspect", "-u", url(db, "app")))
    assert 'view "active_users" {' in inspected
    assert "  depends_on = [view.active_users]" in inspected.replace("  as         =", "")
    assert 'materialized "user_count" {' in inspected
    assert "no changes to be made" in apply(tmp_path, db, inspected)


def test_a_retyped_column_takes_its_views_down_and_back(tmp_path, db):
    apply(tmp_path, db, SCHEMA)
    sql(db, "INSERT INTO app.users (id, name) VALUES (1, 'a'), (2, 'b')")
    changed = SCHEMA.replace('column "name" {\n    type = text',
                             'column "name" {\n    type = varchar(100)')
    out = apply(tmp_path, db, changed)
    lines = [ln for ln in out.splitlines() if ln.startswith(("DROP", "ALTER", "CREATE"))]
    # Every view reading the retyped column goes down (dependents first) and comes back
    # after it; the materialized view counting rows does not read it and is not rebuilt.
    assert lines == [
        'DROP VIEW "names";',
        'DROP VIEW "active_users";',
        'ALTER TABLE "users" ALTER COLUMN "name" TYPE character varying(100);',
        'CREATE VIEW "active_users" AS SELECT users.id,',
        'CREATE VIEW "names" AS SELECT active_users.name',
    ]
    assert sql(db, "SELECT count(*) FROM app.names") == [(2,)]
    assert "no changes to be made" in apply(tmp_path, db, changed)

    # A changed query, and a view turned materialized, are dropped and created again.
    again = changed.replace("SELECT count(*) AS n FROM users",
                            "SELECT count(*) AS n, max(id) AS top FROM users")
    again = again.replace('view "names" {', 'materialized "names" {')
    out = apply(tmp_path, db, again)
    assert 'DROP MATERIALIZED VIEW "user_count";' in out
    assert 'CREATE MATERIALIZED VIEW "names" AS' in out
    assert sql(db, "SELECT n, top FROM app.user_count") == [(2, 2)]
    assert ("names", "m") in relations(db)


def test_migrate_diff_writes_views_and_schema_clean_drops_them(tmp_path, db):
    (tmp_path / "migrations").mkdir()
    (tmp_path / "s.hcl").write_text(SCHEMA)
    ok(atoll(tmp_path, "migrate", "diff", "init", "--dir", "file://migrations", "--to",
             "file://s.hcl", "--dev-url", url(db, "dev")))
    text = next((tmp_path / "migrations").glob("*_init.sql")).read_text()
    assert '-- Create "names" view\nCREATE VIEW "names" AS' in text
    assert '-- Create "user_count" materialized view\nCREATE MATERIALIZED VIEW' in text
    ok(atoll(tmp_path, "migrate", "apply", "-u", url(db, "app"), "--dir", "file://migrations"))
    out = ok(atoll(tmp_path, "migrate", "status", "-u", url(db, "app"), "--dir",
                   "file://migrations", "--dev-url", url(db, "dev")))
    assert "Drift" not in out
    assert "no changes to be made" in ok(atoll(
        tmp_path, "migrate", "diff", "--dir", "file://migrations", "--to", "file://s.hcl",
        "--dev-url", url(db, "dev")))
    ok(atoll(tmp_path, "schema", "clean", "-u", url(db, "app"), "--auto-approve"))
    assert relations(db) == [("atlas_schema_revisions", "r")]  # kept, as everywhere


def test_a_view_without_a_query_is_an_error_of_the_file(tmp_path, db):
    (tmp_path / "s.hcl").write_text(SCHEMA.replace(
        '  as         = "SELECT name FROM active_users"\n', ""))
    failed(atoll(tmp_path, "schema", "apply", "-u", url(db, "app"), "--to", "file://s.hcl",
                 "--dev-url", url(db, "dev"), "--auto-approve"))
    assert relations(db) == []


def test_a_column_no_view_reads_is_dropped_without_touching_the_views(tmp_path, db):
    """pg_depend's column-level rows: views that read the table, but not the dropped or
    retyped column, stay (the materialized view is not rebuilt)."""
    extra = SCHEMA.replace('  column "active" {', '  column "nick" {\n    type = text\n'
                           '    null = true\n  }\n  column "score" {\n    type = integer\n'
                           '    null = true\n  }\n  column "active" {')
    apply(tmp_path, db, extra)
    changed = extra.replace('  column "nick" {\n    type = text\n    null = true\n  }\n', "")
    changed = changed.replace('column "score" {\n    type = integer',
                              'column "score" {\n    type = bigint')
    out = apply(tmp_path, db, changed)
    lines = [ln for ln in out.splitlines() if ln.startswith(("DROP", "ALTER", "CREATE"))]
    assert lines == ['ALTER TABLE "users" DROP COLUMN "nick", ALTER COLUMN "score" TYPE bigint;']
    assert "no changes to be made" in apply(tmp_path, db, changed)
