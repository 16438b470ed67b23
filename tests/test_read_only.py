"""Read-only commands neither create nor change a SQLite database: a mistyped path is an error
naming the file, an existing file keeps every byte; in-memory URLs still work."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import atoll
from atoll.migrate import hash_dir

ATOLL = str(Path(sys.executable).with_name("atoll"))
DEV = "sqlite://ro_dev?mode=memory"


def run(*args, cwd):
    return subprocess.run([ATOLL, *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def project(tmp_path):
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1_users.sql").write_text("CREATE TABLE users (id int NOT NULL);\n")
    hash_dir(d)
    (tmp_path / "schema.hcl").write_text('schema "main" {}\n')
    return tmp_path


READ_ONLY = [
    ("migrate", "status", "--url", "sqlite://{db}"),
    ("migrate", "status", "--url", "sqlite://{db}", "--dev-url", DEV),
    ("migrate", "apply", "--dry-run", "--url", "sqlite://{db}"),
    ("schema", "inspect", "--url", "sqlite://{db}"),
    ("schema", "inspect", "--url", "sqlite://file:{db}?cache=shared&_fk=1", "--format", "sql"),
    ("schema", "diff", "--from", "sqlite://{db}", "--to", "file://schema.hcl"),
    ("schema", "diff", "--from", "file://schema.hcl", "--to", "sqlite://{db}"),
    ("schema", "apply", "--dry-run", "--url", "sqlite://{db}", "--to", "file://schema.hcl"),
]


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda a: " ".join(a[:3]))
def test_a_missing_database_is_an_error_not_a_new_file(project, args):
    db = project / "typo.db"
    out = run(*(a.format(db=db) for a in args), cwd=project)
    assert out.returncode == 1, out.stdout
    assert out.stderr.startswith(f"Error: database file does not exist: {db}"), out.stderr
    assert out.stderr.count("\n") == 1
    assert sorted(p.name for p in project.iterdir()) == ["migrations", "schema.hcl"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda a: " ".join(a[:3]))
def test_an_existing_database_keeps_every_byte(project, args):
    db = project / "app.db"
    assert run("migrate", "apply", "--url", f"sqlite://{db}", cwd=project).returncode == 0
    (project / "migrations" / "2_posts.sql").write_text("CREATE TABLE posts (id int);\n")
    hash_dir(project / "migrations")  # one file pending, and a table outside the history
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE hack (id int)")
    conn.close()
    before = digest(db)
    out = run(*(a.format(db=db) for a in args), cwd=project)
    assert out.returncode == (1 if "--dev-url" in args else 0), out.stderr  # drift: exit 1
    assert out.stdout.strip() and not out.stderr
    assert digest(db) == before
    assert sorted(p.name for p in project.iterdir()) == ["app.db", "migrations", "schema.hcl"]


def test_writing_commands_still_create_the_database(project):
    db = project / "new.db"
    out = run("migrate", "apply", "--url", f"sqlite://{db}", cwd=project)
    assert out.returncode == 0, out.stderr
    assert run("migrate", "status", "--url", f"sqlite://{db}", cwd=project).returncode == 0
    other = project / "set.db"
    assert run("migrate", "set", "1", "--url", f"sqlite://{other}", cwd=project).returncode == 0
    assert other.exists()


def test_in_memory_urls_still_work(project):
    for url in ("sqlite://mem?mode=memory", "sqlite://:memory:", "sqlite://file::memory:"):
        out = run("schema", "inspect", "--url", url, cwd=project)
        assert out.returncode == 0 and out.stdout == 'schema "main" {\n}\n', (url, out.stderr)
    out = run("schema", "diff", "--from", "sqlite://a?mode=memory", "--to", "file://schema.hcl",
              cwd=project)
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in project.iterdir()) == ["migrations", "schema.hcl"]


def test_fleet_status_names_the_missing_shard_and_creates_nothing(project):
    assert run("migrate", "apply", "--url", "sqlite://a.db", cwd=project).returncode == 0
    (project / "atlas.hcl").write_text(
        'env "fleet" {\n  for_each = toset(["a", "b"])\n'
        '  url = "sqlite://${each.value}.db"\n  migration {\n    dir = "file://migrations"\n'
        '  }\n}\n')
    out = run("migrate", "status", "--env", "fleet", cwd=project)
    assert out.returncode == 1
    assert "database file does not exist: b.db" in out.stdout + out.stderr
    assert not (project / "b.db").exists()


def test_python_api_reads_without_creating(project):
    db = project / "missing.db"
    for call in (lambda: atoll.status(f"sqlite://{db}", str(project / "migrations")),
                 lambda: atoll.inspect(f"sqlite://{db}"),
                 lambda: atoll.apply(f"sqlite://{db}", str(project / "migrations"), dry_run=True)):
        with pytest.raises(atoll.AtollError, match="database file does not exist"):
            call()
    assert not db.exists()
