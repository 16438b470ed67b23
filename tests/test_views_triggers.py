"""Views and triggers on SQLite, end to end: inspect from sqlite_master, HCL both ways, diff,
the planner's ordering around table rebuilds, ``schema inspect --format sql``, ``schema clean``,
``migrate diff`` and lint replay. Every test runs on real SQLite files."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from atoll.dialects.sqlite import DIALECT
from atoll.dialects.sqlite.plan import format_plan
from atoll.dialects.sqlite.sqltext import parse_trigger_sql, parse_view_sql, referenced_names
from atoll.errors import AtollError
from atoll.hcl.schema_codec import decode_schema, encode_schema
from atoll.hcl.schema_eval import evaluate_schema_files
from atoll.urls import parse_url

sys.path.insert(0, str(Path(__file__).parent))
from e2e_support import atoll, failed, ok, query  # noqa: E402

BASE = """
CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL, active bool DEFAULT 1);
CREATE TABLE audit (user_id int, what text);
CREATE VIEW active_users AS SELECT id, name FROM users WHERE active;
CREATE VIEW named AS
  SELECT u.id,
         count(*) AS n
    FROM users u JOIN audit a ON a.user_id = u.id
   GROUP BY u.id;
CREATE TRIGGER users_audit AFTER UPDATE OF name ON users FOR EACH ROW WHEN new.name <> old.name
BEGIN
  INSERT INTO audit (user_id, what) VALUES (new.id, 'rename');
END;
CREATE TRIGGER add_active INSTEAD OF INSERT ON active_users
BEGIN INSERT INTO users (name) VALUES (new.name); END;
"""

BASE_HCL = '''table "users" {
  schema = schema.main
  column "id" {
    null = true
    type = integer
  }
  column "name" {
    null = false
    type = text
  }
  column "active" {
    null    = true
    type    = bool
    default = 1
  }
  primary_key {
    columns = [column.id]
  }
}
table "audit" {
  schema = schema.main
  column "user_id" {
    null = true
    type = int
  }
  column "what" {
    null = true
    type = text
  }
}
view "active_users" {
  schema = schema.main
  column "id" {
    null = true
    type = integer
  }
  column "name" {
    null = true
    type = text
  }
  as         = "SELECT id, name FROM users WHERE active"
  depends_on = [table.users]
}
view "named" {
  schema = schema.main
  column "id" {
    null = true
    type = integer
  }
  column "n" {
    null = true
    type = blob
  }
  as         = <<-SQL
  SELECT u.id,
           count(*) AS n
      FROM users u JOIN audit a ON a.user_id = u.id
     GROUP BY u.id
  SQL
  depends_on = [table.audit, table.users]
}
trigger "users_audit" {
  on = table.users
  after {
    update_of = [table.users.column.name]
  }
  when = "new.name <> old.name"
  as   = <<-SQL
  BEGIN
    INSERT INTO audit (user_id, what) VALUES (new.id, 'rename');
  END
  SQL
}
trigger "add_active" {
  on = view.active_users
  instead_of {
    insert = true
  }
  as = "BEGIN INSERT INTO users (name) VALUES (new.name); END"
}
schema "main" {
}
'''


def make_db(path: Path, script: str = BASE) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.commit()
    conn.close()
    return path


def inspect(path: Path):
    conn = DIALECT.connect(parse_url(f"sqlite://{path}"))
    try:
        return DIALECT.inspect(conn, exclude=["atlas_schema_revisions"])
    finally:
        conn.close()


def from_hcl(text: str):
    return decode_schema(evaluate_schema_files([("schema.hcl", text)], {}))


def plan_text(current, desired) -> str:
    return format_plan(DIALECT.plan(DIALECT.diff(current, desired)))


def apply_plan(path: Path, desired) -> str:
    text = plan_text(inspect(path), desired)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for stmt in DIALECT.split(text):
            conn.execute(stmt)
        conn.execute("COMMIT")
    finally:
        conn.close()
    return text


# --- reading the stored CREATE texts ---------------------------------------------------------


def test_view_and_trigger_texts_are_cut_verbatim():
    v = parse_view_sql('CREATE VIEW "my view" (a, b) AS SELECT 1, 2;')
    assert (v.name, v.definition, v.column_list) == ("my view", "SELECT 1, 2", True)
    t = parse_trigger_sql("CREATE TRIGGER t after update of a, `b c` on main.x for each row "
                          "when (new.a > 0) begin select 1; end")
    assert (t.name, t.table, t.timing, t.event) == ("t", "x", "AFTER", "UPDATE")
    assert t.update_of == ("a", "b c") and t.when == "(new.a > 0)"
    assert t.body == "begin select 1; end"
    # No timing means BEFORE, as SQLite reads it.
    assert parse_trigger_sql("CREATE TRIGGER t DELETE ON x BEGIN SELECT 1; END").timing == "BEFORE"
    with pytest.raises(AtollError, match="expected BEGIN"):
        parse_trigger_sql("CREATE TRIGGER t DELETE ON x SELECT 1")


def test_referenced_names_ignore_strings_and_match_case_insensitively():
    sql = "SELECT 'users' FROM \"Audit\" a JOIN [v1] ON 1 -- users\n/* users */"
    assert referenced_names(sql, ["users", "audit", "v1", "other"]) == ("audit", "v1")


# --- inspect and HCL -------------------------------------------------------------------------


def test_inspect_prints_views_and_triggers_in_atlas_hcl(tmp_path):
    db = make_db(tmp_path / "a.db")
    s = inspect(db)
    assert [v.name for v in s.views] == ["active_users", "named"]
    assert s.view("named").depends_on == ("users", "audit")
    assert [t.name for t in s.triggers] == ["users_audit", "add_active"]
    assert s.trigger("add_active").on_view
    assert encode_schema(s) == BASE_HCL


def test_hcl_round_trip_is_stable_and_plans_nothing(tmp_path):
    db = make_db(tmp_path / "a.db")
    current = inspect(db)
    desired = from_hcl(BASE_HCL)
    assert DIALECT.diff(current, desired) == []
    assert encode_schema(desired) == BASE_HCL


def test_hcl_view_with_interpolated_names_and_explicit_depends_on(tmp_path):
    hcl = '''
schema "main" {}
table "t" {
  schema = schema.main
  column "a" {
    type = int
  }
}
view "v2" {
  schema     = schema.main
  as         = "SELECT a FROM ${view.v1.name}"
  depends_on = [view.v1]
}
view "v1" {
  schema = schema.main
  as     = <<-SQL
    SELECT a
      FROM ${table.t.name}
  SQL
}
'''
    s = from_hcl(hcl)
    assert s.view("v1").definition == "SELECT a\n  FROM t"
    assert s.view("v2").depends_on == ("v1",)
    db = tmp_path / "a.db"
    text = apply_plan(db, s)
    # v2 reads v1, so v1 is created first although the file lists it second.
    assert text.index('CREATE VIEW `v1`') < text.index('CREATE VIEW `v2`')
    assert DIALECT.diff(inspect(db), s) == []


@pytest.mark.parametrize("body, message", [
    ('view "v" {\n  schema = schema.main\n}',
     'cannot convert view "v": missing "as" definition'),
    ('view "v" {\n  schema = schema.main\n  as = "SELECT 1"\n  depends_on = [table.nope]\n}',
     r'schema.hcl:11,17-27: Unsupported attribute; .* named "nope"'),
    ('trigger "g" {\n  on = table.nope\n  after {\n    insert = true\n  }\n  as = "BEGIN SELECT 1; END"\n}',
     r'schema.hcl:9,8-18: Unsupported attribute; .* named "nope"'),
    ('trigger "g" {\n  on = table.t\n  after {\n    insert = true\n    delete = true\n  }\n  as = "BEGIN SELECT 1; END"\n}',
     'cannot convert trigger "g": a SQLite trigger fires on one event; after has 2'),
    ('trigger "g" {\n  on = table.t\n  as = "BEGIN SELECT 1; END"\n}',
     'cannot convert trigger "g": expected one of the blocks before, after or instead_of, got 0'),
    ('trigger "g" {\n  on = table.t\n  after {\n    update_of = [table.t.column.zz]\n  }\n  as = "BEGIN SELECT 1; END"\n}',
     r'schema.hcl:11,18-35: Unsupported attribute; .* named "zz"'),
    ('trigger "g" {\n  on = table.t\n  after {\n    insert = true\n  }\n  as = "BEGIN SELECT 1; END"\n  for = STATEMENT\n}',
     'cannot convert trigger "g": SQLite triggers are "for = ROW" only, got STATEMENT'),
])
def test_bad_view_and_trigger_blocks_are_one_line_errors(body, message):
    hcl = ('schema "main" {}\ntable "t" {\n  schema = schema.main\n  column "a" {\n'
           '    type = int\n  }\n}\n' + body + "\n")
    with pytest.raises(AtollError, match=message):
        from_hcl(hcl)


# --- diff and plan ---------------------------------------------------------------------------


def test_changed_view_and_trigger_are_dropped_and_created(tmp_path):
    db = make_db(tmp_path / "a.db")
    desired = from_hcl(BASE_HCL.replace("WHERE active", "WHERE active AND name <> ''")
                       .replace("'rename'", "'renamed'"))
    text = apply_plan(db, desired)
    assert text == (
        '-- Drop "users_audit" trigger\nDROP TRIGGER `users_audit`;\n'
        '-- Drop "active_users" view\nDROP VIEW `active_users`;\n'
        '-- Create "active_users" view\nCREATE VIEW `active_users` AS SELECT id, name FROM users '
        "WHERE active AND name <> '';\n"
        '-- Create "users_audit" trigger\nCREATE TRIGGER `users_audit` AFTER UPDATE OF `name` ON '
        "`users` WHEN new.name <> old.name BEGIN\n  INSERT INTO audit (user_id, what) VALUES "
        "(new.id, 'renamed');\nEND;\n")
    # The trigger on the re-created view went with it: the diff says so and it comes back.
    assert DIALECT.diff(inspect(db), desired) != []
    apply_plan(db, desired)
    assert DIALECT.diff(inspect(db), desired) == []


def test_rebuild_takes_views_and_triggers_down_and_puts_them_back(tmp_path):
    db = make_db(tmp_path / "a.db")
    execute = sqlite3.connect(db)
    execute.executescript("INSERT INTO users (name) VALUES ('ann'), ('bob');"
                          "UPDATE users SET name = 'bo' WHERE name = 'bob';")
    execute.commit()
    execute.close()
    desired = from_hcl(BASE_HCL.replace("type    = bool", "type    = integer"))
    text = apply_plan(db, desired)
    lines = [ln for ln in text.splitlines() if not ln.startswith("--")]
    swap = lines.index("ALTER TABLE `new_users` RENAME TO `users`;")
    before, after = lines[:swap], lines[swap + 1:]
    for stmt in ("DROP TRIGGER `users_audit`;", "DROP TRIGGER `add_active`;",
                 "DROP VIEW `named`;", "DROP VIEW `active_users`;"):
        assert stmt in before
    assert [ln.split("`")[1] for ln in after if ln.startswith("CREATE")] == [
        "active_users", "named", "users_audit", "add_active"]
    # Nothing lost: rows, the views, the triggers, and the trigger still fires.
    assert DIALECT.diff(inspect(db), desired) == []
    assert query(db, "SELECT name FROM active_users ORDER BY id") == [("ann",), ("bo",)]
    conn = sqlite3.connect(db)
    conn.execute("UPDATE users SET name = 'anna' WHERE name = 'ann'")
    conn.execute("INSERT INTO active_users (name) VALUES ('cy')")
    conn.commit()
    conn.close()
    assert query(db, "SELECT count(*) FROM audit") == [(2,)]
    assert query(db, "SELECT name FROM users WHERE name = 'cy'") == [("cy",)]


def test_trigger_of_another_table_naming_the_rebuilt_table_comes_back(tmp_path):
    db = make_db(tmp_path / "a.db", """
CREATE TABLE t (a int, b text);
CREATE TABLE log (x int);
CREATE TRIGGER copy AFTER INSERT ON log BEGIN INSERT INTO t (a) VALUES (new.x); END;
""")
    current = inspect(db)
    hcl = encode_schema(current).replace('''  column "b" {
    null = true
    type = text
  }''', '''  column "b" {
    null = false
    type = text
    default = ""
  }''')
    desired = from_hcl(hcl)
    text = apply_plan(db, desired)
    assert "DROP TRIGGER `copy`" in text and "CREATE TRIGGER `copy`" in text
    assert DIALECT.diff(inspect(db), desired) == []


def test_view_or_trigger_changes_never_rebuild_a_table(tmp_path):
    """Atlas issue 1597: a plan must not rebuild a table whose definition did not change."""
    db = make_db(tmp_path / "a.db")
    hcl = (BASE_HCL.replace("WHERE active", "WHERE NOT active")
           .replace("update_of = [table.users.column.name]", "delete = true")
           .replace('  when = "new.name <> old.name"\n', "")
           .replace("  as   = <<-SQL\n  BEGIN\n    INSERT", "  as = <<-SQL\n  BEGIN\n    INSERT"))
    text = plan_text(inspect(db), from_hcl(hcl))
    assert "TABLE" not in text and "PRAGMA" not in text
    assert "CREATE VIEW `active_users`" in text and "CREATE TRIGGER `users_audit`" in text


def test_inspect_format_sql_and_clean_include_views_and_triggers(tmp_path):
    db = make_db(tmp_path / "a.db")
    url = f"sqlite://{db}"
    out = ok(atoll(tmp_path, "schema", "inspect", "-u", url, "--format", "{{ sql . }}")).out
    assert out.index("CREATE TABLE `audit`") < out.index("CREATE VIEW `active_users`")
    assert out.index("CREATE VIEW `named`") < out.index("CREATE TRIGGER `users_audit`")
    # The SQL form builds the same schema again.
    copy = make_db(tmp_path / "b.db", out)
    assert DIALECT.diff(inspect(copy), inspect(db)) == []
    out = ok(atoll(tmp_path, "schema", "clean", "-u", url, "--auto-approve")).out
    assert "DROP VIEW `named`" in out
    assert query(db, "SELECT count(*) FROM sqlite_master") == [(0,)]


def test_migrate_diff_writes_views_and_triggers_and_lint_replays_them(tmp_path):
    (tmp_path / "schema.hcl").write_text(BASE_HCL)
    dev = "sqlite://dev?mode=memory"
    ok(atoll(tmp_path, "migrate", "diff", "init", "--dir", "file://migrations",
             "--to", "file://schema.hcl", "--dev-url", dev))
    (tmp_path / "schema.hcl").write_text(BASE_HCL.replace("type    = bool", "type    = integer"))
    ok(atoll(tmp_path, "migrate", "diff", "change", "--dir", "file://migrations",
             "--to", "file://schema.hcl", "--dev-url", dev))
    files = sorted(p.name for p in (tmp_path / "migrations").glob("*.sql"))
    second = (tmp_path / "migrations" / files[1]).read_text()
    assert "DROP VIEW `named`" in second and "CREATE TRIGGER `add_active`" in second
    out = ok(atoll(tmp_path, "migrate", "diff", "again", "--dir", "file://migrations",
                   "--to", "file://schema.hcl", "--dev-url", dev)).out
    assert "no changes to be made" in out
    ok(atoll(tmp_path, "migrate", "lint", "--dir", "file://migrations", "--dev-url", dev,
             "--latest", "1"))
    db = tmp_path / "app.db"
    ok(atoll(tmp_path, "migrate", "apply", "--dir", "file://migrations", "-u", f"sqlite://{db}"))
    assert DIALECT.diff(inspect(db), from_hcl((tmp_path / "schema.hcl").read_text())) == []


def test_exclude_applies_to_views_and_triggers(tmp_path):
    db = make_db(tmp_path / "a.db")
    conn = DIALECT.connect(parse_url(f"sqlite://{db}"))
    try:
        s = DIALECT.inspect(conn, exclude=["named", "users_audit"])
        assert [v.name for v in s.views] == ["active_users"]
        assert [t.name for t in s.triggers] == ["add_active"]
        s = DIALECT.inspect(conn, exclude=["*[type=view]"])
        assert s.views == () and [t.name for t in s.triggers] == ["users_audit"]
        assert [t.name for t in s.tables] == ["users", "audit"]
    finally:
        conn.close()


def test_a_view_sqlite_accepted_but_cannot_run_is_named_by_inspect(tmp_path):
    # SQLite checks a view's query only when it is used: CREATE VIEW succeeds.
    db = make_db(tmp_path / "a.db", "CREATE TABLE t (a int); CREATE VIEW v AS SELECT nope FROM t;")
    failed(atoll(tmp_path, "schema", "inspect", "-u", f"sqlite://{db}"),
           r'^Error: sqlite: inspect view "v": no such column: nope$')
