"""Behaviours real projects' ``atlas.hcl`` files rely on (issue 14, item 4): ``getenv`` of an
unset variable, Go's URL printing in ``urlsetpath``/``urlqueryset``, ``sqlite3://`` URLs,
env attributes on every command with ``--env``, and the HCL schema name check of
``schema diff``."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from atoll.hcl.functions import STANDARD_FUNCTIONS as FUNCTIONS
from atoll.migrate import hash_dir

ATOLL = str(Path(sys.executable).with_name("atoll"))
DEV = "sqlite://dev?mode=memory"


def run(*args, cwd, env=None):
    import os

    environ = {k: v for k, v in os.environ.items() if not k.startswith("ATOLL_CFG_")}
    environ.update(env or {})
    return subprocess.run([ATOLL, *args], cwd=cwd, capture_output=True, text=True, env=environ)


@pytest.fixture
def project(tmp_path):
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1_users.sql").write_text("CREATE TABLE users (id int NOT NULL);\n")
    (d / "2_posts.sql").write_text("CREATE TABLE posts (id int NOT NULL);\n")
    hash_dir(d)
    (tmp_path / "atlas.hcl").write_text('''
env "prod" {
  url = getenv("ATOLL_CFG_URL")
  dev = "sqlite://${getenv("ATOLL_CFG_DEV")}"
  migration {
    dir = "file://migrations"
  }
}
''')
    return tmp_path


def test_unset_getenv_fails_only_commands_that_connect(project):
    assert run("migrate", "hash", "--env", "prod", cwd=project).returncode == 0
    assert run("migrate", "validate", "--env", "prod", cwd=project).returncode == 0
    ls = run("migrate", "ls", "--env", "prod", cwd=project)
    assert ls.returncode == 0 and ls.stdout == "1_users.sql\n2_posts.sql\n"
    status = run("migrate", "status", "--env", "prod", cwd=project)
    assert status.returncode == 1 and status.stderr == (
        'Error: atlas.hcl:3,3: env "prod": url: the URL is built from getenv("ATOLL_CFG_URL"), '
        "but the environment variable ATOLL_CFG_URL is not set\n")
    diff = run("migrate", "diff", "x", "--env", "prod", "--to", "file://s.hcl", cwd=project)
    assert diff.returncode == 1 and 'getenv("ATOLL_CFG_DEV")' in diff.stderr
    # Explicit flags win over the env's broken URLs.
    db = project / "app.db"
    ok = run("migrate", "apply", "--env", "prod", "--url", f"sqlite://{db}", cwd=project)
    assert ok.returncode == 0, ok.stderr
    # Set, the variables make the env whole.
    env = {"ATOLL_CFG_URL": f"sqlite://{db}", "ATOLL_CFG_DEV": "dev?mode=memory"}
    assert "Already at latest version" in run("migrate", "status", "--env", "prod",
                                              cwd=project, env=env).stdout
    assert run("migrate", "validate", "--env", "prod", cwd=project, env=env).returncode == 0


@pytest.mark.parametrize("call,expected", [
    (("urlsetpath", "sqlite://", "/data/x.db"), "sqlite:///data/x.db"),
    (("urlsetpath", "sqlite:///old.db", "/data/x.db"), "sqlite:///data/x.db"),
    (("urlsetpath", "file://", "/srv/schema.hcl"), "file:///srv/schema.hcl"),
    (("urlsetpath", "sqlite:/old.db", "/x.db"), "sqlite:/x.db"),
    (("urlsetpath", "mysql://root@h:3306/a", "b"), "mysql://root@h:3306/b"),
    (("urlqueryset", "sqlite:///data/x.db", "_fk", "1"), "sqlite:///data/x.db?_fk=1"),
    # Go writes "//" only with a host or a path.
    (("urlqueryset", "sqlite://", "mode", "memory"), "sqlite:?mode=memory"),
    (("urlqueryset", "postgres://u@h/db?b=2", "a", "1"), "postgres://u@h/db?a=1&b=2"),
])
def test_url_functions_print_urls_as_go_does(call, expected):
    name, *args = call
    assert FUNCTIONS[name](*args) == expected


def test_urlsetpath_in_a_config(project, tmp_path):
    (project / "atlas.hcl").write_text(f'''
env "local" {{
  url = urlsetpath("sqlite3://", "{tmp_path / 'data.db'}")
  migration {{
    dir = "file://migrations"
  }}
}}
''')
    assert run("migrate", "apply", "--env", "local", cwd=project).returncode == 0
    assert (tmp_path / "data.db").exists()


@pytest.mark.parametrize("form", ["sqlite3://{rel}", "sqlite3://file:{rel}?cache=shared",
                                  "sqlite3://{abs}", "SQLITE3://{rel}"])
def test_sqlite3_scheme_in_every_url_form(project, form):
    url = form.format(rel="app.db", abs=project / "app.db")
    applied = run("migrate", "apply", "--url", url, cwd=project)
    assert applied.returncode == 0, applied.stderr
    status = run("migrate", "status", "--url", url, cwd=project)
    assert "Already at latest version" in status.stdout
    with sqlite3.connect(project / "app.db") as conn:
        assert conn.execute("SELECT count(*) FROM atlas_schema_revisions").fetchone() == (2,)
    inspected = run("schema", "inspect", "--url", url, "--format", "sql", cwd=project)
    assert "CREATE TABLE `posts`" in inspected.stdout
    lint = run("migrate", "lint", "--dev-url", "sqlite3://dev?mode=memory", "--latest", "1",
               cwd=project)
    assert lint.returncode == 0, lint.stderr


def test_sqlite3_scheme_in_a_data_source(project):
    sub = project / "config"
    sub.mkdir()
    with sqlite3.connect(project / "tenants.db") as conn:
        conn.execute("CREATE TABLE tenants (name text)")
        conn.execute("INSERT INTO tenants VALUES ('a.db')")
    (sub / "atlas.hcl").write_text('''
data "sql" "tenants" {
  url   = "sqlite3://tenants.db"
  query = "SELECT name FROM tenants"
}
env "t" {
  url = "sqlite3://${data.sql.tenants.value}"
  migration {
    dir = "file://migrations"
  }
}
''')
    r = run("migrate", "apply", "--config", "file://config/atlas.hcl", "--env", "t", cwd=project)
    assert r.returncode == 0, r.stderr
    assert (project / "a.db").exists()


def test_schema_diff_refuses_a_differently_named_hcl_schema(project):
    db = project / "app.db"
    assert run("migrate", "apply", "--url", f"sqlite://{db}", cwd=project).returncode == 0
    (project / "other.hcl").write_text(
        'schema "other" {}\ntable "users" {\n  schema = schema.other\n'
        '  column "id" {\n    type = int\n  }\n}\n')
    diff = run("schema", "diff", "--from", f"sqlite://{db}", "--to", "file://other.hcl",
               cwd=project)
    assert (diff.returncode, diff.stdout) == (1, "")
    assert diff.stderr == 'Error: mismatched HCL and database schemas: "main" <> "other"\n'
    apply = run("schema", "apply", "--url", f"sqlite://{db}", "--to", "file://other.hcl",
                "--auto-approve", cwd=project)
    assert apply.stderr == diff.stderr
    # The reverse direction (HCL → database) compares realms, as Atlas does.
    assert run("schema", "diff", "--from", "file://other.hcl", "--to", f"sqlite://{db}",
               cwd=project).returncode == 0
