"""The ``schema`` commands through the real CLI: outputs as Atlas prints them."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

ATOLL = str(Path(sys.executable).with_name("atoll"))

USERS_HCL = """schema "main" {
}
table "users" {
  schema = schema.main
  column "id" {
    null = false
    type = int
  }
  column "name" {
    null    = true
    type    = text
    default = "anon"
  }
  primary_key {
    columns = [column.id]
  }
}
"""


def atoll(*args, cwd, stdin=None):
    return subprocess.run([ATOLL, *args], cwd=cwd, capture_output=True, text=True, input=stdin)


def tables(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


def test_apply_dry_run_prompt_and_auto_approve(tmp_path):
    (tmp_path / "schema.hcl").write_text(USERS_HCL)
    url = f"sqlite://{tmp_path / 'app.db'}"
    missing = atoll("schema", "apply", "-u", url, "--to", "file://schema.hcl", "--dry-run",
                    cwd=tmp_path)  # a dry run creates no database file
    assert missing.returncode == 1 and "database file does not exist" in missing.stderr
    assert not (tmp_path / "app.db").exists()
    sqlite3.connect(tmp_path / "app.db").close()
    dry = atoll("schema", "apply", "-u", url, "--to", "file://schema.hcl", "--dry-run",
                cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout == (
        "-- Planned Changes:\n"
        '-- Create "users" table\n'
        "CREATE TABLE `users` (\n"
        "  `id` int NOT NULL,\n"
        "  `name` text NULL DEFAULT 'anon',\n"
        "  PRIMARY KEY (`id`)\n"
        ");\n")
    assert tables(tmp_path / "app.db") == []

    aborted = atoll("schema", "apply", "-u", url, "--to", "file://schema.hcl", cwd=tmp_path,
                    stdin="abort\n")
    assert aborted.returncode == 0 and "Are you sure?" in aborted.stdout
    assert tables(tmp_path / "app.db") == []

    applied = atoll("schema", "apply", "-u", url, "--to", "file://schema.hcl", cwd=tmp_path,
                    stdin="apply\n")
    assert applied.returncode == 0, applied.stderr
    assert tables(tmp_path / "app.db") == ["users"]

    again = atoll("schema", "apply", "-u", url, "--to", "file://schema.hcl", "--auto-approve",
                  cwd=tmp_path)
    assert again.stdout == "Schema is synced, no changes to be made\n"


def test_apply_format_json_reports_applied_statements(tmp_path):
    (tmp_path / "schema.hcl").write_text(USERS_HCL)
    out = atoll("schema", "apply", "-u", f"sqlite://{tmp_path / 'a.db'}", "--to",
                "file://schema.hcl", "--auto-approve", "--format", "{{ json . }}", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Applied"][0].startswith("CREATE TABLE `users`")


def test_format_without_auto_approve_or_dry_run_is_refused(tmp_path):
    (tmp_path / "schema.hcl").write_text(USERS_HCL)
    out = atoll("schema", "apply", "-u", f"sqlite://{tmp_path / 'a.db'}", "--to",
                "file://schema.hcl", "--format", "{{ json . }}", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr == ("Error: --log and --format can only be used with --dry-run or "
                          "--auto-approve\n")


def test_diff_prints_migration_file_form_and_synced_message(tmp_path):
    (tmp_path / "schema.hcl").write_text(USERS_HCL)
    db = tmp_path / "d.db"
    sqlite3.connect(db).close()
    out = atoll("schema", "diff", "--from", f"sqlite://{db}", "--to", "file://schema.hcl",
                cwd=tmp_path)
    assert out.stdout == ('-- Create "users" table\n'
                          "CREATE TABLE `users` (`id` int NOT NULL, `name` text NULL DEFAULT "
                          "'anon', PRIMARY KEY (`id`));\n")
    atoll("schema", "apply", "-u", f"sqlite://{db}", "--to", "file://schema.hcl",
          "--auto-approve", cwd=tmp_path)
    synced = atoll("schema", "diff", "--from", f"sqlite://{db}", "--to", "file://schema.hcl",
                   cwd=tmp_path)
    assert synced.stdout == "Schemas are synced, no changes to be made.\n"


def test_diff_of_sql_needs_a_dev_database(tmp_path):
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id int);\n")
    out = atoll("schema", "diff", "--from", f"sqlite://{tmp_path / 'x.db'}", "--to",
                "file://schema.sql", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr == ("Error: --dev-url cannot be empty. See: "
                          "https://atlasgo.io/atlas-schema/sql#dev-database\n")


def test_inspect_formats(tmp_path):
    db = tmp_path / "i.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t1 (id integer primary key)")
    url = f"sqlite://{db}"
    hcl = atoll("schema", "inspect", "-u", url, cwd=tmp_path).stdout
    assert hcl.startswith('table "t1" {\n  schema = schema.main\n')
    assert atoll("schema", "inspect", "-u", url, "--format", "hcl", cwd=tmp_path).stdout == hcl
    sql = atoll("schema", "inspect", "-u", url, "--format", "{{ sql . }}", cwd=tmp_path).stdout
    assert sql == '-- Create "t1" table\nCREATE TABLE `t1` (`id` integer NULL, PRIMARY KEY (`id`));\n'
    assert atoll("schema", "inspect", "-u", url, "--format", "sql", cwd=tmp_path).stdout == sql
    doc = json.loads(atoll("schema", "inspect", "-u", url, "--format", "json",
                           cwd=tmp_path).stdout)
    assert doc["schemas"][0]["tables"][0]["name"] == "t1"
    names = atoll("schema", "inspect", "-u", url, "--format",
                  "{{ range .schemas }}{{ range .tables }}{{ println .name }}{{ end }}{{ end }}",
                  cwd=tmp_path)
    assert names.stdout == "t1\n", names.stderr


def test_clean_plans_drops_and_asks(tmp_path):
    db = tmp_path / "c.db"
    url = f"sqlite://{db}"
    sqlite3.connect(db).close()
    assert atoll("schema", "clean", "-u", url, cwd=tmp_path).stdout == "Nothing to drop\n"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE users (id int)")
    out = atoll("schema", "clean", "-u", url, "--auto-approve", cwd=tmp_path)
    assert out.stdout == (
        "-- Planned Changes:\n"
        "-- Disable the enforcement of foreign-keys constraints\n"
        "PRAGMA foreign_keys = off;\n"
        '-- Drop "users" table\n'
        "DROP TABLE `users`;\n"
        "-- Enable back the enforcement of foreign-keys constraints\n"
        "PRAGMA foreign_keys = on;\n")
    assert tables(db) == []


def test_fmt_rewrites_and_names_changed_files(tmp_path):
    (tmp_path / "test.hcl").write_text('block  "x"  {\n x = 1\n    y     = 2\n}\n')
    (tmp_path / "ok.hcl").write_text('block "x" {\n  x = 1\n}\n')
    (tmp_path / "notes.txt").write_text("block  {\n")
    out = atoll("schema", "fmt", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "test.hcl\n"
    assert (tmp_path / "test.hcl").read_text() == 'block "x" {\n  x = 1\n  y = 2\n}\n'
    assert atoll("schema", "fmt", cwd=tmp_path).stdout == ""


def test_broken_hcl_names_the_place_and_touches_nothing(tmp_path):
    (tmp_path / "bad.hcl").write_text('table "t" {\n  schema = schema.main\n  column "id" {\n'
                                      "    type int\n  }\n}\n")
    db = tmp_path / "b.db"
    out = atoll("schema", "apply", "-u", f"sqlite://{db}", "--to", "file://bad.hcl",
                "--auto-approve", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr.startswith("Error: bad.hcl:4,")
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert not db.exists() or tables(db) == []
