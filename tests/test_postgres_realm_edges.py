"""Edges of PostgreSQL's realm scope (real server at 127.0.0.1:5432, user postgres, trust):
views with one name in several schemas are qualified in HCL as tables are; a view grouping by
a primary key comes down around a change of that key; a schema-bound ``--to`` read against a
realm dev database compares without false changes; a dev database whose replay dropped
``public`` gets it back. Each test creates its own databases and drops them."""

from __future__ import annotations

from postgres_support import atoll, db, dbs, ok, sql, url  # noqa: F401 (fixtures)


TWIN_VIEWS_SQL = """
CREATE SCHEMA a;
CREATE SCHEMA b;
CREATE TABLE a.t (id int PRIMARY KEY);
CREATE TABLE b.u (id int);
CREATE VIEW a.v AS SELECT id FROM a.t;
CREATE VIEW b.v AS SELECT id FROM b.u;
CREATE VIEW b.w AS SELECT v.id FROM b.v JOIN a.v x ON x.id = v.id;
CREATE VIEW b.a AS SELECT id FROM b.u;
CREATE MATERIALIZED VIEW a.m AS SELECT count(*) AS n FROM a.t;
CREATE MATERIALIZED VIEW b.m AS SELECT count(*) AS n FROM b.u;
"""


def test_views_with_one_name_in_two_schemas_are_qualified(tmp_path, dbs):
    """``view "a" "v"`` and ``view.a.v``, as Atlas writes tables; the view named like a
    qualifying schema is qualified too; the file applies to an empty database and reads back
    with no changes."""
    src, db, dev = dbs(), dbs(), dbs()
    sql(src, TWIN_VIEWS_SQL)
    hcl = ok(atoll(tmp_path, "schema", "inspect", "-u", url(src)))
    heads = [ln for ln in hcl.splitlines() if ln.startswith(("view", "materialized"))]
    assert heads == ['materialized "a" "m" {', 'view "a" "v" {', 'view "b" "a" {',
                     'materialized "b" "m" {', 'view "b" "v" {', 'view "w" {']
    assert "  depends_on = [view.a.v, view.b.v]" in hcl
    (tmp_path / "r.hcl").write_text(hcl)
    for extra in ((), ("--dev-url", url(dev))):
        assert ok(atoll(tmp_path, "schema", "diff", "--from", url(src), "--to", "file://r.hcl",
                        *extra)) == "Schemas are synced, no changes to be made.\n"
    out = ok(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://r.hcl",
                   "--dev-url", url(dev), "--auto-approve"))
    assert out.index('CREATE VIEW "b"."w"') > out.index('CREATE VIEW "a"."v"')
    assert out.index('CREATE VIEW "b"."w"') > out.index('CREATE VIEW "b"."v"')
    assert ok(atoll(tmp_path, "schema", "inspect", "-u", url(db))) == hcl
    assert ok(atoll(tmp_path, "schema", "diff", "--from", url(src), "--to", url(db))) == \
        "Schemas are synced, no changes to be made.\n"


KEYED = """schema "app" {}
table "t" {
  schema = schema.app
  column "id" {
    type = integer
  }
  column "name" {
    type = text
  }
  primary_key {
    columns = [column.id]
  }
}
view "by_id" {
  schema     = schema.app
  as         = "SELECT id, name FROM t GROUP BY id"
  depends_on = [table.t]
}
view "names" {
  schema     = schema.app
  as         = "SELECT name FROM by_id"
  depends_on = [view.by_id]
}
"""


def test_a_view_grouping_by_the_primary_key_comes_down_around_a_key_change(tmp_path, db):
    """``GROUP BY id`` selects ``name`` through the key: the view depends on the constraint
    (pg_depend), so changing or dropping the key drops the view (and its readers) first
    and creates them again after."""
    from atoll.dialects.postgres import DIALECT
    from atoll.urls import parse_url

    def apply(text: str) -> list[str]:
        (tmp_path / "s.hcl").write_text(text)
        out = ok(atoll(tmp_path, "schema", "apply", "-u", url(db, "app"), "--to",
                       "file://s.hcl", "--dev-url", url(db, "dev"), "--auto-approve"))
        return [ln.split(" AS ")[0] for ln in out.splitlines()
                if ln.startswith(("DROP", "ALTER", "CREATE"))]

    apply(KEYED)
    with DIALECT.connect(parse_url(url(db, "app"))) as conn:
        by_id = DIALECT.inspect(conn).view("by_id")
    assert by_id.key_reads == ("t",)
    sql(db, "INSERT INTO app.t VALUES (1, 'x')")
    # The key gains an INCLUDE column: the constraint is dropped and added again, the view
    # (unchanged, and valid with the new key) goes down and comes back around it.
    wider = KEYED.replace("columns = [column.id]\n  }",
                          "columns = [column.id]\n    include = [column.name]\n  }")
    assert apply(wider) == [
        'DROP VIEW "names";', 'DROP VIEW "by_id";',
        'ALTER TABLE "t" DROP CONSTRAINT "t_pkey", ADD PRIMARY KEY ("id") INCLUDE ("name");',
        'CREATE VIEW "by_id"', 'CREATE VIEW "names"']
    assert sql(db, "SELECT name FROM app.names") == [("x",)]
    assert apply(wider) == []
    # Without a key the query must change too; the key goes after the views.
    keyless = KEYED.replace("  primary_key {\n    columns = [column.id]\n  }\n", "")
    out = apply(keyless.replace("GROUP BY id", "GROUP BY id, name"))
    assert out[:3] == ['DROP VIEW "names";', 'DROP VIEW "by_id";',
                       'ALTER TABLE "t" DROP CONSTRAINT "t_pkey";']


ENUM_SQL = """
CREATE SCHEMA app;
CREATE TYPE app.status AS ENUM ('a', 'b');
CREATE TABLE app.t (
  id int PRIMARY KEY, s app.status NOT NULL, ss app.status[],
  d app.status DEFAULT 'b', dd app.status[] DEFAULT '{a}', c int CHECK (c > 0)
);
CREATE INDEX ix ON app.t (id) WHERE s = 'a'::app.status;
"""


def test_schema_bound_to_with_a_realm_dev_database(tmp_path, dbs):
    """``migrate diff --to <URL with search_path>`` on a realm dev database: the desired
    schema is read as the realm sees it, so the enum cast in the index predicate is
    qualified (``'a'::app.status``) and the next diff finds no change. The replay that
    dropped ``public`` on the dev database leaves it as it was."""
    src, dev = dbs(), dbs()
    sql(src, ENUM_SQL)
    to = url(src, "app")

    def diff(name: str) -> str:
        return ok(atoll(tmp_path, "migrate", "diff", name, "--dir", "file://migrations",
                        "--to", to, "--dev-url", url(dev)))

    diff("init")
    text = next((tmp_path / "migrations").glob("*_init.sql")).read_text()
    assert 'CREATE TYPE "app"."status"' in text
    assert "WHERE (s = 'a'::app.status)" in text
    assert '"d" "app"."status" NULL DEFAULT \'b\'' in text
    assert diff("again") == ("The migration directory is synced with the desired state, "
                             "no changes to be made\n")
    assert [r[0] for r in sql(dev, "SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' "
                                   "AND nspname <> 'information_schema'")] == ["public"]
    assert sql(dev, "SELECT obj_description('public'::regnamespace)") == [
        ("standard public schema",)]
    # schema apply with the same URL as desired state, on a copy: nothing to change.
    copy = dbs()
    sql(copy, "CREATE SCHEMA app")
    for _ in range(2):
        out = ok(atoll(tmp_path, "schema", "apply", "-u", url(copy, "app"), "--to", to,
                       "--dev-url", url(dev), "--auto-approve"))
    assert out == "Schema is synced, no changes to be made\n"


def test_lint_holds_atlas_lint_lock_on_the_dev_database(tmp_path, dbs):
    """While another session (another lint, Atlas's or atoll's) holds ``atlas_lint`` (a realm
    dev URL) or ``atlas_lint_<schema>`` (a schema-bound one), a lint stops at once with
    Atlas's error and leaves the dev database alone; once it is free, the lint runs and
    releases it."""
    from atoll.dialects.postgres.revisions import fnv32
    from postgres_support import admin

    dev, bound = dbs(), dbs()
    sql(bound, "CREATE SCHEMA d")
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "1_a.sql").write_text("CREATE TABLE t (id int);\n")

    def lint(dev_url: str):
        return atoll(tmp_path, "migrate", "lint", "--dir", "file://migrations", "--dev-url",
                     dev_url, "--latest", "1")

    for db, name, dev_url in ((dev, "atlas_lint", url(dev)),
                              (bound, "atlas_lint_d", url(bound, "d"))):
        with admin(db) as holder:
            holder.execute("SELECT pg_advisory_lock(%s)", (fnv32(name.encode()),))
            r = lint(dev_url)
            assert r.returncode == 1, r.stdout + r.stderr
            assert r.stderr == ("Error: acquiring database lock: sql/schema: lock is held by "
                                "other session\n")
            assert "Traceback" not in r.stdout
        ok(lint(dev_url))
        with admin(db) as other:  # released: another session takes it at once
            assert other.execute("SELECT pg_try_advisory_lock(%s)",
                                 (fnv32(name.encode()),)).fetchone() == (True,)
        assert sql(db, "SELECT count(*) FROM pg_tables WHERE schemaname IN ('public', 'd')") \
            == [(0,)]
