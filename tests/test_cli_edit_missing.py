"""`migrate edit` (and `migrate new --edit`) through $EDITOR, and the one-line answers for
Atlas commands atoll does not have."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from atoll.migrate import hash_dir
from atoll.migrate.directory import load_dir

ATOLL = str(Path(sys.executable).with_name("atoll"))


def run(*args, cwd, editor=None):
    env = dict(os.environ)
    if editor is not None:
        env["EDITOR"] = editor
    return subprocess.run([ATOLL, *args], cwd=cwd, capture_output=True, text=True, env=env)


@pytest.fixture
def migrations(tmp_path):
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1_users.sql").write_text("CREATE TABLE users (id int);\n")
    (d / "2_posts.sql").write_text("CREATE TABLE posts (id int);\n")
    hash_dir(d)
    script = tmp_path / "editor.sh"
    script.write_text('#!/bin/sh\necho "-- edited $(basename "$1")" >> "$1"\n')
    script.chmod(0o755)
    return d


@pytest.mark.parametrize("arg,edited", [(None, "2_posts.sql"), ("1", "1_users.sql"),
                                        ("1_users.sql", "1_users.sql")])
def test_edit_rehashes_the_directory(migrations, arg, edited):
    editor = str(migrations.parent / "editor.sh")
    r = run("migrate", "edit", *([arg] if arg else []), cwd=migrations.parent, editor=editor)
    assert r.returncode == 0, r.stderr
    assert (migrations / edited).read_text().endswith(f"-- edited {edited}\n")
    load_dir(migrations).validate()  # atlas.sum matches the edited file


def test_editor_is_a_shell_command_line(migrations):
    # Like Atlas, $EDITOR may carry arguments ("code --wait").
    r = run("migrate", "edit", "2", cwd=migrations.parent, editor="sed -i s/posts/articles/")
    assert r.returncode == 0, r.stderr
    assert (migrations / "2_posts.sql").read_text() == "CREATE TABLE articles (id int);\n"
    load_dir(migrations).validate()


def test_failing_editor_changes_nothing(migrations):
    before = (migrations / "atlas.sum").read_bytes()
    r = run("migrate", "edit", "2", cwd=migrations.parent, editor="false")
    assert r.returncode == 1
    assert r.stderr.startswith("Error: exec edit: false exited with status 1")
    assert (migrations / "atlas.sum").read_bytes() == before


def test_edit_unknown_file_and_broken_sum(migrations):
    r = run("migrate", "edit", "9", cwd=migrations.parent, editor="true")
    assert r.returncode == 1 and r.stderr.startswith('Error: migration file "9" not found')
    (migrations / "1_users.sql").write_text("-- changed behind atlas.sum's back\n")
    r = run("migrate", "edit", "2", cwd=migrations.parent, editor="true")
    assert r.returncode == 1 and "checksum mismatch" in r.stderr


def test_edit_with_env_dir(migrations):
    (migrations.parent / "atlas.hcl").write_text(
        'env "dev" {\n  migration {\n    dir = "file://migrations"\n  }\n}\n')
    r = run("migrate", "edit", "1", "--env", "dev", cwd=migrations.parent,
            editor=str(migrations.parent / "editor.sh"))
    assert r.returncode == 0, r.stderr
    assert "-- edited" in (migrations / "1_users.sql").read_text()


def test_new_with_edit(migrations):
    r = run("migrate", "new", "seed", "--edit", cwd=migrations.parent,
            editor=str(migrations.parent / "editor.sh"))
    assert r.returncode == 0, r.stderr
    [new] = [p for p in migrations.iterdir() if p.name.endswith("_seed.sql")]
    assert new.read_text() == f"-- edited {new.name}\n"
    load_dir(migrations).validate()


@pytest.mark.parametrize("command,hint", [
    (("migrate", "push", "app"), "atoll migrate validate"),
    (("migrate", "checkpoint", "--dir", "file://x"), "atoll migrate diff"),
    (("migrate", "test"), "atoll migrate validate --dev-url"),
    (("schema", "test", "--url", "sqlite://x.db"), "atoll schema apply"),
    (("schema", "plan"), "atoll schema apply --dry-run"),
    (("login",), "no Atlas Cloud account"),
])
def test_missing_atlas_commands_say_so_in_one_line(tmp_path, command, hint):
    name = " ".join(command[:1] if command[0] == "login" else command[:2])
    r = run(*command, cwd=tmp_path)
    assert (r.returncode, r.stdout) == (1, "")
    [line] = r.stderr.splitlines()
    assert line.startswith(f"Error: 'atoll {name}' is not available: ") and hint in line
    # Hidden from the help's command list.
    group = [] if command[0] == "login" else [command[0]]
    listing = run(*group, "--help", cwd=tmp_path).stdout.split("Commands:")[-1]
    assert name.split()[-1] not in [ln.split()[0] for ln in listing.splitlines() if ln.strip()]
