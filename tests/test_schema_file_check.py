"""Schema files are checked before anything is planned: a repeated name or a table without
columns is a one-line error at the file, line and column of the offending block; nothing is
applied and ``migrate diff`` writes no file. Names that need quoting work on every path."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from atoll.errors import SchemaError
from atoll.hcl.schema_check import NameRules, check_schema_document
from atoll.hcl.schema_eval import evaluate_schema_files

ATOLL = str(Path(sys.executable).with_name("atoll"))
DEV = "sqlite://dev?mode=memory"


def atoll(*args, cwd):
    return subprocess.run([ATOLL, *args], cwd=cwd, capture_output=True, text=True)


def table(name: str, body: str = '  column "a" {\n    type = int\n  }\n') -> str:
    return f'table "{name}" {{\n  schema = schema.main\n{body}}}\n'


SCHEMA = 'schema "main" {\n}\n'
COL_A = '  column "a" {\n    type = int\n  }\n'

BAD_FILES = {
    "table twice": (SCHEMA + table("t") + table("t"),
                    'schema.hcl:9,1: table "t" is defined twice (first at line 3)'),
    "table twice, one by its name attribute": (
        SCHEMA + table("t") + table("x", '  name = "t"\n' + COL_A),
        'schema.hcl:9,1: table "t" is defined twice (first at line 3)'),
    "tables differing only in case": (
        SCHEMA + table("users") + table("Users"),
        'schema.hcl:9,1: table "Users" has the same name as table "users" (at line 3)'),
    "column twice": (
        SCHEMA + table("t", COL_A + '  column "A" {\n    type = text\n  }\n'),
        'schema.hcl:8,3: column "A" of table "t" has the same name as column "a" of table '
        '"t" (at line 5)'),
    "index twice in a table": (
        SCHEMA + table("t", COL_A + '  index "i" {\n    columns = [column.a]\n  }\n' * 2),
        'schema.hcl:11,3: index "i" of table "t" is defined twice (first at line 8)'),
    "one index name in two tables": (
        SCHEMA + table("t", COL_A + '  index "i" {\n    columns = [column.a]\n  }\n')
        + table("u", COL_A + '  index "i" {\n    columns = [column.a]\n  }\n'),
        'schema.hcl:17,3: index "i" of table "u" has the same name as index "i" of table "t" '
        '(at line 8)'),
    "an index named like a table": (
        SCHEMA + table("t", COL_A + '  index "u" {\n    columns = [column.a]\n  }\n')
        + table("u"),
        'schema.hcl:12,1: table "u" has the same name as index "u" of table "t" (at line 8)'),
    "a view named like a table": (
        SCHEMA + table("t")
        + 'view "t" {\n  schema = schema.main\n  as = "SELECT 1 AS a"\n}\n',
        'schema.hcl:9,1: view "t" has the same name as table "t" (at line 3)'),
    "trigger twice": (
        SCHEMA + table("t") + (
            'trigger "g" {\n  on = table.t\n  after {\n    insert = true\n  }\n'
            '  as = "BEGIN SELECT 1; END"\n}\n') * 2,
        'schema.hcl:16,1: trigger "g" is defined twice (first at line 9)'),
    "table without columns": (SCHEMA + table("t", ""),
                              'schema.hcl:3,1: table "t" has no columns'),
    "index on a missing column": (
        SCHEMA + table("t", COL_A + '  index "i" {\n    columns = [column.b]\n  }\n'),
        "schema.hcl:9,16-24: Unsupported attribute; This object does not have an attribute "
        'named "b".'),
    "foreign key to a missing column": (
        SCHEMA + table("u") + table("t", COL_A + '  foreign_key "f" {\n'
                                    '    columns     = [column.a]\n'
                                    '    ref_columns = [table.u.column.id]\n  }\n'),
        "schema.hcl:16,20-37: Unsupported attribute; This object does not have an attribute "
        'named "id".'),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_schema_apply_refuses_a_bad_schema_file_and_changes_nothing(tmp_path, case):
    text, message = BAD_FILES[case]
    (tmp_path / "schema.hcl").write_text(text)
    db = tmp_path / "app.db"
    sqlite3.connect(db).execute("CREATE TABLE keep (x)").connection.close()
    r = atoll("schema", "apply", "-u", f"sqlite://{db}", "--to", "file://schema.hcl",
              "--dev-url", DEV, "--auto-approve", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr == f"Error: {message}\n"
    with sqlite3.connect(db) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master")]
    assert names == ["keep"]


@pytest.mark.parametrize("case", ["table twice", "column twice", "table without columns"])
def test_migrate_diff_writes_no_file_for_a_bad_schema_file(tmp_path, case):
    text, message = BAD_FILES[case]
    (tmp_path / "schema.hcl").write_text(text)
    (tmp_path / "migrations").mkdir()
    r = atoll("migrate", "diff", "init", "--dir", "file://migrations", "--to",
              "file://schema.hcl", "--dev-url", DEV, cwd=tmp_path)
    assert r.returncode == 1, r.stdout
    assert r.stderr == f"Error: {message}\n"
    assert list((tmp_path / "migrations").iterdir()) == []


def test_a_repeat_across_files_names_both_files(tmp_path):
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "a.hcl").write_text(SCHEMA + table("t"))
    (tmp_path / "schema" / "b.hcl").write_text(table("t"))
    r = atoll("schema", "diff", "--from", DEV, "--to", "file://schema", "--dev-url", DEV,
              cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr == ('Error: schema/b.hcl:1,1: table "t" is defined twice '
                        '(first at schema/a.hcl:3,1)\n')


def _check(text: str, rules: NameRules) -> None:
    check_schema_document(evaluate_schema_files([("s.hcl", text)]), rules)


def test_engines_decide_which_names_collide():
    case_only = SCHEMA + table("users") + table("Users")
    index_in_two_tables = (SCHEMA + table("t", COL_A + '  index "i" {\n    columns = '
                           '[column.a]\n  }\n') + table("u", COL_A + '  index "i" {\n'
                           '    columns = [column.a]\n  }\n'))
    empty = SCHEMA + table("t", "")
    from atoll.dialects import dialect_for

    postgres = dialect_for("postgres://").hcl_name_rules
    mysql = dialect_for("mysql://").hcl_name_rules
    for text in (case_only, index_in_two_tables, empty):
        with pytest.raises(SchemaError):
            _check(text, NameRules())
    _check(case_only, postgres)
    _check(empty, postgres)
    with pytest.raises(SchemaError, match="has the same name as index"):
        _check(index_in_two_tables, postgres)
    _check(index_in_two_tables, mysql)
    with pytest.raises(SchemaError, match='column "A" of table "t" has the same name'):
        _check(SCHEMA + table("t", COL_A + '  column "A" {\n    type = int\n  }\n'), mysql)


AWKWARD_HCL = r'''table "order items" {
  schema = schema.main
  column "id" {
    null = false
    type = integer
  }
  column "a`b \"c\" d.e" {
    null = true
    type = text
  }
  column "日本" {
    null = true
    type = text
  }
  primary_key {
    columns = [column.id]
  }
  index "by `tick`" {
    columns = [column["a`b \"c\" d.e"], column.日本]
  }
}
schema "main" {
}
'''


def test_awkward_names_through_the_cli(tmp_path):
    """Apply, inspect, re-apply and migrate diff a schema whose names need quoting."""
    (tmp_path / "schema.hcl").write_text(AWKWARD_HCL)
    url = f"sqlite://{tmp_path / 'app.db'}"
    r = atoll("schema", "apply", "-u", url, "--to", "file://schema.hcl", "--dev-url", DEV,
              "--auto-approve", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    inspected = atoll("schema", "inspect", "-u", url, cwd=tmp_path)
    assert inspected.returncode == 0, inspected.stderr
    assert inspected.stdout == AWKWARD_HCL
    (tmp_path / "inspected.hcl").write_text(inspected.stdout)
    again = atoll("schema", "apply", "-u", url, "--to", "file://inspected.hcl", "--dev-url",
                  DEV, "--auto-approve", cwd=tmp_path)
    assert again.returncode == 0 and "Schema is synced, no changes to be made" in again.stdout
    (tmp_path / "migrations").mkdir()
    diff = atoll("migrate", "diff", "init", "--dir", "file://migrations", "--to",
                 "file://schema.hcl", "--dev-url", DEV, cwd=tmp_path)
    assert diff.returncode == 0, diff.stderr
    fresh = f"sqlite://{tmp_path / 'fresh.db'}"
    applied = atoll("migrate", "apply", "-u", fresh, "--dir", "file://migrations", cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    assert atoll("schema", "inspect", "-u", fresh, "--exclude", "atlas_schema_revisions",
                 cwd=tmp_path).stdout == AWKWARD_HCL
