"""Realm scope on PostgreSQL (real server at 127.0.0.1:5432, user postgres, trust): a URL
without ``search_path`` names the whole database. Inspect prints every schema, HCL with several
``schema`` blocks applies as a realm (schemas created first, qualified SQL, schemas dropped),
migrate diff runs on a realm dev database, schema clean drops every schema, and a realm cannot
be diffed with a schema-bound URL. Each test creates its own databases and drops them."""

from __future__ import annotations

from postgres_support import atoll, dbs, failed, ok, sql, url  # noqa: F401 (dbs: a fixture)


def schemas(db: str) -> list[str]:
    return [r[0] for r in sql(db, "SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' "
                                  "AND nspname <> 'information_schema' ORDER BY 1")]


REALM_SQL = """
CREATE SCHEMA other;
CREATE TYPE public.status AS ENUM ('active', 'inactive');
CREATE TABLE public.users (id serial PRIMARY KEY, s status NOT NULL, ss status[]);
CREATE TABLE other.posts (id int PRIMARY KEY, user_id int REFERENCES public.users (id));
CREATE TABLE other.users (id int);
"""

REALM_HCL = """table "posts" {
  schema = schema.other
  column "id" {
    null = false
    type = integer
  }
  column "user_id" {
    null = true
    type = integer
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "posts_user_id_fkey" {
    columns     = [column.user_id]
    ref_columns = [table.public.users.column.id]
    on_update   = NO_ACTION
    on_delete   = NO_ACTION
  }
}
table "other" "users" {
  schema = schema.other
  column "id" {
    null = true
    type = integer
  }
}
table "public" "users" {
  schema = schema.public
  column "id" {
    null = false
    type = serial
  }
  column "s" {
    null = false
    type = enum.status
  }
  column "ss" {
    null = true
    type = sql("public.status[]")
  }
  primary_key {
    columns = [column.id]
  }
}
enum "status" {
  schema = schema.public
  values = ["active", "inactive"]
}
schema "other" {
}
schema "public" {
  comment = "standard public schema"
}
"""


def test_inspect_realm(tmp_path, dbs):
    """Every user schema, enums, a cross-schema foreign key, tables of one name in two
    schemas qualified as Atlas qualifies them; the session search_path is back afterwards."""
    db = dbs()
    sql(db, REALM_SQL)
    assert ok(atoll(tmp_path, "schema", "inspect", "-u", url(db))) == REALM_HCL
    # A schema URL still sees one schema only, unqualified.
    out = ok(atoll(tmp_path, "schema", "inspect", "-u", url(db, "other")))
    assert 'schema "public"' not in out and 'table "users" {' in out
    out = ok(atoll(tmp_path, "schema", "inspect", "-u", url(db), "--format",
                   "{{ range .schemas }}{{ .name }},{{ end }}"))
    assert out == "other,public,"
    # --exclude reaches into schemas (first part) or leaves a schema out.
    out = ok(atoll(tmp_path, "schema", "inspect", "-u", url(db), "--exclude", "other"))
    assert 'schema "other"' not in out and 'table "users" {' in out
    from atoll.dialects import dialect_for
    from atoll.urls import parse_url

    u = parse_url(url(db))
    dialect = dialect_for(u)
    with dialect.connect(u) as conn:
        before = conn.query("SHOW search_path")
        realm = dialect.inspect_realm(conn)
        assert conn.query("SHOW search_path") == before
    assert [s.name for s in realm.schemas] == ["other", "public"]
    fk = realm.schema("other").table("posts").foreign_keys[0]
    assert (fk.ref_schema, fk.ref_table) == ("public", "users")


def test_apply_realm_hcl(tmp_path, dbs):
    """A realm HCL file applied to an empty database: schemas first, every statement
    qualified; applied again: nothing to do; a schema left out of the file is dropped."""
    db, dev = dbs(), dbs()
    (tmp_path / "realm.hcl").write_text(REALM_HCL)
    out = ok(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://realm.hcl",
                   "--auto-approve"))
    assert out.startswith('-- Planned Changes:\n-- Add new schema named "other"\n'
                          'CREATE SCHEMA "other";\n-- Create enum type "status"\n'
                          'CREATE TYPE "public"."status" AS ENUM (\'active\', \'inactive\');\n'
                          '-- Create "users" table\nCREATE TABLE "public"."users" (\n')
    assert '  "s" "public"."status" NOT NULL,\n  "ss" "public"."status"[] NULL,\n' in out
    assert ('REFERENCES "public"."users" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION'
            in out)
    assert out.index('CREATE TABLE "other"."posts"') > out.index('CREATE TABLE "public"."users"')
    assert ok(atoll(tmp_path, "schema", "inspect", "-u", url(db))) == REALM_HCL
    for extra in ((), ("--dev-url", url(dev))):
        assert ok(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://realm.hcl",
                        "--auto-approve", *extra)) == "Schema is synced, no changes to be made\n"
    # The dev database is put back (only an empty public).
    assert schemas(dev) == ["public"] and sql(dev, "SELECT count(*) FROM pg_tables WHERE "
                                                   "schemaname = 'public'") == [(0,)]
    # The same file read through the realm dev database is what the database holds.
    assert ok(atoll(tmp_path, "schema", "inspect", "-u", "file://realm.hcl", "--dev-url",
                    url(dev))) == REALM_HCL
    # A new schema with a comment, one schema dropped.
    text = REALM_HCL.split('table "other" "users"')[0].replace("schema.other", "schema.extra")
    text += REALM_HCL[REALM_HCL.index('table "public" "users"'):].replace(
        'schema "other" {\n}', 'schema "extra" {\n  comment = "new"\n}')
    text = text.replace('table "public" "users"', 'table "users"')
    (tmp_path / "realm.hcl").write_text(text.replace("table.public.users", "table.users"))
    out = ok(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://realm.hcl",
                   "--dry-run"))
    assert out == ('-- Planned Changes:\n'
                   '-- Drop schema named "other"\nDROP SCHEMA "other" CASCADE;\n'
                   '-- Add new schema named "extra"\nCREATE SCHEMA "extra";\n'
                   '-- Set comment to schema: "extra"\nCOMMENT ON SCHEMA "extra" IS \'new\';\n'
                   '-- Create "posts" table\nCREATE TABLE "extra"."posts" (\n'
                   '  "id" integer NOT NULL,\n  "user_id" integer NULL,\n'
                   '  PRIMARY KEY ("id"),\n  CONSTRAINT "posts_user_id_fkey" FOREIGN KEY '
                   '("user_id") REFERENCES "public"."users" ("id") ON UPDATE NO ACTION ON '
                   'DELETE NO ACTION\n);\n')
    ok(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://realm.hcl",
             "--auto-approve"))
    assert schemas(db) == ["extra", "public"]
    assert ok(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://realm.hcl",
                    "--auto-approve")) == "Schema is synced, no changes to be made\n"


def test_migrate_diff_with_realm_dev_database(tmp_path, dbs):
    """Atlas's TestPostgres_MigrateDiffRealm: qualified statements, CREATE SCHEMA first, then
    no change; a table in another schema with a name already used is one more file. Drift in
    migrate status --dev-url compares realms."""
    dev, db = dbs(), dbs()
    hcl = ('schema "public" {}\ntable "users" {\n  schema = schema.public\n'
           '  column "id" { type = integer }\n}\nschema "other" {}\ntable "posts" {\n'
           '  schema = schema.other\n  column "id" { type = integer }\n}\n')
    (tmp_path / "schema.hcl").write_text(hcl)

    def diff(name: str) -> str:
        return ok(atoll(tmp_path, "migrate", "diff", name, "--dir", "file://migrations",
                        "--to", "file://schema.hcl", "--dev-url", url(dev)))

    assert diff("initial") == ""
    files = sorted(p.name for p in (tmp_path / "migrations").iterdir())
    assert len(files) == 2 and files[1] == "atlas.sum"
    assert (tmp_path / "migrations" / files[0]).read_text() == (
        '-- Add new schema named "other"\nCREATE SCHEMA "other";\n'
        '-- Create "users" table\nCREATE TABLE "public"."users" ("id" integer NOT NULL);\n'
        '-- Create "posts" table\nCREATE TABLE "other"."posts" ("id" integer NOT NULL);\n')
    synced = "The migration directory is synced with the desired state, no changes to be made\n"
    assert diff("no_change") == synced
    (tmp_path / "schema.hcl").write_text(hcl + 'table "other" "users" {\n'
                                         '  schema = schema.other\n'
                                         '  column "id" { type = integer }\n}\n')
    assert diff("second") == ""
    assert diff("no_change") == synced
    second = sorted((tmp_path / "migrations").glob("*_second.sql"))[0]
    assert second.read_text() == ('-- Create "users" table\n'
                                  'CREATE TABLE "other"."users" ("id" integer NOT NULL);\n')
    assert schemas(dev) == ["public"]
    # validate replays on the realm dev database and puts it back (schema "other" goes).
    ok(atoll(tmp_path, "migrate", "validate", "--dir", "file://migrations", "--dev-url",
             url(dev)))
    assert schemas(dev) == ["public"]
    # The directory applied to a database; drift over the realm.
    ok(atoll(tmp_path, "migrate", "apply", "--dir", "file://migrations", "-u", url(db)))
    status = ["migrate", "status", "--dir", "file://migrations", "-u", url(db), "--dev-url",
              url(dev)]
    assert "Drift" not in ok(atoll(tmp_path, *status))
    sql(db, "CREATE TABLE other.hack (x int)")
    r = atoll(tmp_path, *status)
    assert r.returncode == 1 and 'create "hack" table' in r.stdout
    # A dev database that is not clean is refused and left as it is.
    sql(dev, "CREATE SCHEMA busy")
    line = failed(atoll(tmp_path, "migrate", "diff", "x", "--dir", "file://migrations", "--to",
                        "file://schema.hcl", "--dev-url", url(dev)))
    assert line.endswith('connected database is not clean: found schema "busy"')
    assert schemas(dev) == ["busy", "public"]
    # The desired state is one schema of a database: Atlas's hint to bind the dev URL too.
    line = failed(atoll(tmp_path, "migrate", "diff", "x", "--dir", "file://migrations", "--to",
                        url(db, "other"), "--dev-url", url(dev)))
    assert line == ('Error: dev database is not clean (found schema "busy"). Add a schema to '
                    'the URL to limit the scope of the connection')
    sql(dev, "DROP SCHEMA busy")
    # Clean, the same command plans that one schema against the directory's realm.
    out = ok(atoll(tmp_path, "migrate", "diff", "x", "--dir", "file://migrations", "--to",
                   url(db, "other"), "--dev-url", url(dev)))
    assert out == "" and schemas(dev) == ["public"]
    x = next((tmp_path / "migrations").glob("*_x.sql")).read_text()
    assert x == ('-- Drop schema named "public"\nDROP SCHEMA "public" CASCADE;\n'
                 '-- Create "hack" table\nCREATE TABLE "other"."hack" ("x" integer NULL);\n')


def test_clean_and_schema_vs_realm(tmp_path, dbs):
    db, other = dbs(), dbs()
    sql(db, REALM_SQL)
    # schema diff between databases: realm to realm.
    out = ok(atoll(tmp_path, "schema", "diff", "--from", url(other), "--to", url(db)))
    assert out.startswith('-- Add new schema named "other"\nCREATE SCHEMA "other";\n')
    assert ok(atoll(tmp_path, "schema", "diff", "--from", url(db), "--to", url(db))) == \
        "Schemas are synced, no changes to be made.\n"
    for a, b in ((url(db), url(db, "public")), (url(db, "public"), url(db))):
        line = failed(atoll(tmp_path, "schema", "diff", "--from", a, "--to", b))
        assert line == ('Error: cannot diff a schema "public" with a database connection. '
                        'See: https://atlasgo.io/url')
    # schema clean on a realm URL drops every schema (public too), revisions schema kept.
    sql(db, "CREATE SCHEMA atlas_schema_revisions; "
            "CREATE TABLE atlas_schema_revisions.atlas_schema_revisions (version text)")
    out = ok(atoll(tmp_path, "schema", "clean", "-u", url(db), "--auto-approve"))
    assert out == ('-- Planned Changes:\n-- Drop schema named "other"\n'
                   'DROP SCHEMA "other" CASCADE;\n-- Drop schema named "public"\n'
                   'DROP SCHEMA "public" CASCADE;\n')
    assert schemas(db) == ["atlas_schema_revisions"]
    ok(atoll(tmp_path, "schema", "clean", "-u", url(db), "--auto-approve", "--with-revisions"))
    assert schemas(db) == []
    assert ok(atoll(tmp_path, "schema", "clean", "-u", url(db), "--auto-approve")) == \
        "Nothing to drop\n"


def test_realm_views(tmp_path, dbs):
    """A view in one schema reading a table of another: inspected with the query PostgreSQL
    prints with the search path cleared (qualified), created after the tables it reads."""
    src, db, dev = dbs(), dbs(), dbs()
    sql(src, "CREATE SCHEMA other; CREATE TABLE public.users (id int, name text); "
             "CREATE VIEW other.names AS SELECT name FROM public.users")
    out = ok(atoll(tmp_path, "schema", "inspect", "-u", url(src)))
    assert 'view "names" {\n  schema = schema.other\n' in out and "FROM public.users" in out
    (tmp_path / "v.hcl").write_text(out)
    out = ok(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://v.hcl",
                   "--dev-url", url(dev), "--auto-approve"))
    assert out.endswith('-- Create "names" view\nCREATE VIEW "other"."names" AS SELECT '
                        'users.name\n   FROM public.users;\n')
    assert ok(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://v.hcl",
                    "--dev-url", url(dev), "--auto-approve")) == \
        "Schema is synced, no changes to be made\n"
    assert ok(atoll(tmp_path, "schema", "diff", "--from", url(src), "--to", url(db))) == \
        "Schemas are synced, no changes to be made.\n"


def test_library_plan_of_realms(dbs):
    """``atoll.plan`` between two realm URLs plans every schema, qualified."""
    import atoll

    src, db = dbs(), dbs()
    sql(src, "CREATE SCHEMA other; CREATE TABLE other.t (id int)")
    assert [(s.comment, s.sql) for s in atoll.plan(url(db), url(src))] == [
        ('add new schema named "other"', 'CREATE SCHEMA "other"'),
        ('create "t" table', 'CREATE TABLE "other"."t" ("id" integer NULL)')]
    assert atoll.plan(url(src), url(src)) == []


CROSS_SQL = """
CREATE SCHEMA a; CREATE SCHEMA b;
CREATE TABLE a.users (id int PRIMARY KEY, name text, age int);
CREATE TABLE b.users (id int);
CREATE VIEW b.names AS SELECT id, name FROM a.users;
CREATE VIEW a.upper_names AS SELECT upper(name) AS name FROM b.names;
CREATE VIEW b.ids AS SELECT id FROM a.users;
CREATE MATERIALIZED VIEW b.cnt AS SELECT count(*) AS n FROM a.users;
"""


def test_views_across_schemas(tmp_path, dbs):
    """A view of schema b reading a table of schema a (and a view of a reading it) is
    inspected with its qualified dependency, created after what it reads and dropped before
    it, and re-created only when a column it reads is dropped or retyped."""
    from atoll.dialects.postgres import DIALECT
    from atoll.urls import parse_url

    src, db, dev = dbs(), dbs(), dbs()
    sql(src, CROSS_SQL)
    with DIALECT.connect(parse_url(url(src))) as conn:
        realm = DIALECT.inspect_realm(conn)
    names = realm.schema("b").view("names")
    assert names.depends_on == ("a.users",)
    assert set(names.column_reads) == {("a.users", "id"), ("a.users", "name")}
    assert realm.schema("a").view("upper_names").depends_on == ("b.names",)
    assert realm.schema("b").view("cnt").column_reads == ()  # count(*): no column
    hcl = ok(atoll(tmp_path, "schema", "inspect", "-u", url(src)))
    assert "depends_on = [table.a.users]" in hcl  # "users" is in both schemas: qualified
    assert "depends_on = [view.names]" in hcl
    (tmp_path / "r.hcl").write_text(hcl)

    def apply(*extra: str) -> str:
        return ok(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://r.hcl",
                        "--dev-url", url(dev), "--auto-approve", *extra))

    out = apply()
    creates = [ln for ln in out.splitlines() if ln.startswith("CREATE") and "VIEW" in ln]
    assert [ln.split(" AS ")[0] for ln in creates] == [
        'CREATE VIEW "b"."names"', 'CREATE VIEW "a"."upper_names"',
        'CREATE MATERIALIZED VIEW "b"."cnt"', 'CREATE VIEW "b"."ids"']
    assert apply() == "Schema is synced, no changes to be made\n"
    assert ok(atoll(tmp_path, "schema", "diff", "--from", url(src), "--to", url(db))) == \
        "Schemas are synced, no changes to be made.\n"

    # Retyping a.users.name takes down the views reading it (and the view of a reading that
    # view), not b.ids nor the materialized b.cnt; dropping a.users.age takes down nothing.
    (tmp_path / "r.hcl").write_text(
        hcl.replace('column "name" {\n    null = true\n    type = text',
                    'column "name" {\n    null = true\n    type = character_varying(50)', 1)
        .replace('  column "age" {\n    null = true\n    type = integer\n  }\n', "", 1))
    out = apply()
    lines = [ln.split(" AS ")[0] for ln in out.splitlines()
             if ln.startswith(("DROP", "ALTER", "CREATE"))]
    assert lines == [
        'DROP VIEW "a"."upper_names";', 'DROP VIEW "b"."names";',
        'ALTER TABLE "a"."users" ALTER COLUMN "name" TYPE character varying(50), '
        'DROP COLUMN "age";',
        'CREATE VIEW "b"."names"', 'CREATE VIEW "a"."upper_names"']
    assert apply() == "Schema is synced, no changes to be made\n"

    # Schema b goes, with what reads it: the view of a is dropped first (DROP SCHEMA …
    # CASCADE would take it, and a DROP VIEW after it would fail).
    (tmp_path / "r.hcl").write_text(
        'schema "a" {}\ntable "users" {\n  schema = schema.a\n'
        '  column "id" {\n    type = integer\n  }\n  primary_key {\n    columns = '
        '[column.id]\n  }\n}\nschema "public" {\n  comment = "standard public schema"\n}\n')
    out = apply()
    lines = [ln for ln in out.splitlines() if ln.startswith(("DROP", "ALTER", "CREATE"))]
    assert lines[:2] == ['DROP VIEW "a"."upper_names";', 'DROP SCHEMA "b" CASCADE;']
    assert schemas(db) == ["a", "public"]


def test_schema_flag_limits_a_realm_to_those_schemas(tmp_path, dbs):
    db = dbs()
    sql(db, "CREATE SCHEMA keep; CREATE TABLE keep.t (id int); CREATE SCHEMA app")
    (tmp_path / "app.hcl").write_text('schema "app" {}\ntable "u" {\n  schema = schema.app\n'
                                      '  column "id" {\n    type = int\n  }\n}\n')
    out = ok(atoll(tmp_path, "schema", "apply", "-u", url(db), "--to", "file://app.hcl",
                   "-s", "app", "--auto-approve"))
    assert "DROP" not in out and 'CREATE TABLE "app"."u"' in out
    assert schemas(db) == ["app", "keep", "public"]
    assert ok(atoll(tmp_path, "schema", "inspect", "-u", url(db), "-s", "app")).startswith(
        'table "u" {\n  schema = schema.app\n')
