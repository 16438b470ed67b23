"""Errors CI can read: non-UTF-8 files, duplicate migration versions, --debug anywhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from atoll.migrate import hash_dir

ATOLL = str(Path(sys.executable).with_name("atoll"))
DEV = "sqlite://codes?mode=memory"


def run(*args, cwd):
    return subprocess.run([ATOLL, *args], cwd=cwd, capture_output=True, text=True)


def one_error(out, *needles):
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stderr.count("\n") == 1 and "internal error" not in out.stderr, out.stderr
    for n in needles:
        assert n in out.stderr, out.stderr


def test_non_utf8_files_are_named(tmp_path):
    (tmp_path / "schema.hcl").write_bytes(b'schema "main" {\n  comment = "caf\xe9"\n}\n')
    one_error(run("schema", "diff", "--from", DEV, "--to", "file://schema.hcl", cwd=tmp_path),
              "file ", "schema.hcl is not valid UTF-8 (line 2)")
    (tmp_path / "schema.sql").write_bytes(b"CREATE TABLE t (x text DEFAULT '\xff');\n")
    one_error(run("schema", "diff", "--from", DEV, "--to", "file://schema.sql", "--dev-url", DEV,
                  cwd=tmp_path), "schema.sql is not valid UTF-8 (line 1)")
    (tmp_path / "atlas.hcl").write_bytes(b'env "x" {\n  url = "\xfe"\n}\n')
    one_error(run("migrate", "status", "--env", "x", cwd=tmp_path),
              "atlas.hcl is not valid UTF-8 (line 2)")
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1_a.sql").write_bytes(b"\n\nCREATE TABLE t (x text DEFAULT '\xff');\n")
    hash_dir(d)
    db = f"sqlite://{tmp_path / 'app.db'}"
    for args in (("migrate", "apply", "--url", db), ("migrate", "validate"),
                 ("migrate", "lint", "--dev-url", DEV, "--latest", "1")):
        one_error(run(*args, cwd=tmp_path), "1_a.sql is not valid UTF-8 (line 3)")


def test_two_files_with_one_version_are_refused(tmp_path):
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1_users.sql").write_text("CREATE TABLE users (id int);\n")
    (d / "1_posts.sql").write_text("CREATE TABLE posts (id int);\n")
    hash_dir(d)
    db = tmp_path / "app.db"
    for args in (("migrate", "apply", "--url", f"sqlite://{db}"), ("migrate", "validate"),
                 ("migrate", "lint", "--dev-url", DEV, "--latest", "1")):
        one_error(run(*args, cwd=tmp_path), "1_posts.sql", "1_users.sql", 'same version "1"')
    assert not db.exists()


def test_debug_is_accepted_anywhere(tmp_path):
    for args in (("--debug", "version"), ("version", "--debug"),
                 ("schema", "inspect", "--debug", "--url", DEV),
                 ("schema", "inspect", "--url", DEV, "--debug")):
        out = run(*args, cwd=tmp_path)
        assert out.returncode == 0, (args, out.stderr)
