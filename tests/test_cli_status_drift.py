"""`migrate status --dev-url`: drift from the migration history, in text and JSON."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from atoll.migrate import hash_dir

ATOLL = str(Path(sys.executable).with_name("atoll"))
DEV = "sqlite://drift?mode=memory"


def run(*args, cwd):
    return subprocess.run([ATOLL, *args], cwd=cwd, capture_output=True, text=True)


def test_drift_in_text_and_json(tmp_path):
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1_users.sql").write_text("CREATE TABLE users (id int NOT NULL);\n")
    hash_dir(d)
    url = f"sqlite://{tmp_path / 'app.db'}"
    assert run("migrate", "apply", "--url", url, cwd=tmp_path).returncode == 0

    clean = run("migrate", "status", "--url", url, "--dev-url", DEV, cwd=tmp_path)
    assert "Drift" not in clean.stdout and clean.returncode == 0

    with sqlite3.connect(tmp_path / "app.db") as conn:
        conn.execute("CREATE TABLE hack (id int)")
    text = run("migrate", "status", "--url", url, "--dev-url", DEV, cwd=tmp_path).stdout
    assert text.endswith("  -- Drift:           schema changed outside the migration history\n"
                         '     Create "hack" table\n')
    data = json.loads(run("migrate", "status", "--url", url, "--dev-url", DEV, "--format",
                          "json", cwd=tmp_path).stdout)
    assert data["Status"] == "OK" and data["Drift"] == ['Create "hack" table']


def test_drift_exits_1_for_ci_in_every_format(tmp_path):
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1_users.sql").write_text("CREATE TABLE users (id int NOT NULL);\n")
    hash_dir(d)
    url = f"sqlite://{tmp_path / 'app.db'}"
    assert run("migrate", "apply", "--url", url, cwd=tmp_path).returncode == 0
    for fmt in ((), ("--format", "json"), ("--format", "{{ .Status }}")):
        clean = run("migrate", "status", "--url", url, "--dev-url", DEV, *fmt, cwd=tmp_path)
        assert clean.returncode == 0, clean.stderr
    with sqlite3.connect(tmp_path / "app.db") as conn:
        conn.execute("ALTER TABLE users ADD COLUMN junk text")
    conn.close()
    for fmt in ((), ("--format", "json"), ("--format", "{{ .Status }}")):
        drifted = run("migrate", "status", "--url", url, "--dev-url", DEV, *fmt, cwd=tmp_path)
        assert drifted.returncode == 1 and drifted.stdout and not drifted.stderr, fmt
    # Without --dev-url there is no drift check, so nothing to fail on.
    assert run("migrate", "status", "--url", url, cwd=tmp_path).returncode == 0


def test_an_applied_file_edited_since_is_named_without_a_dev_database(tmp_path):
    # The revisions table keeps each file's chained atlas.sum hash, so an applied file edited
    # (and re-hashed) since it ran is found by reading the table alone.
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1_users.sql").write_text("CREATE TABLE users (id int NOT NULL);\n")
    (d / "2_pets.sql").write_text("CREATE TABLE pets (id int NOT NULL);\n")
    hash_dir(d)
    url = f"sqlite://{tmp_path / 'app.db'}"
    assert run("migrate", "apply", "--url", url, cwd=tmp_path).returncode == 0
    assert run("migrate", "status", "--url", url, cwd=tmp_path).returncode == 0
    (d / "1_users.sql").write_text("CREATE TABLE users (id int NOT NULL, name text);\n")
    hash_dir(d)
    r = run("migrate", "status", "--url", url, cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout.endswith("  -- Changed:         1_users.sql was changed after it was "
                             "applied (its atlas.sum hash differs from the one in the "
                             "revisions table): the database ran the earlier text. Put the "
                             "file back and add the change as a new migration\n")
    data = json.loads(run("migrate", "status", "--url", url, "--format", "json",
                          cwd=tmp_path).stdout)
    assert data["Status"] == "OK" and data["Changed"].startswith("1_users.sql was changed")
    # Put back, all is well again.
    (d / "1_users.sql").write_text("CREATE TABLE users (id int NOT NULL);\n")
    hash_dir(d)
    assert run("migrate", "status", "--url", url, cwd=tmp_path).returncode == 0
