"""env → command flags (spec/project.md §3.3–3.4)."""

from __future__ import annotations

import textwrap

import pytest

from atoll.errors import ProjectError
from atoll.project import COMMAND_FLAGS, Env, env_flag_defaults, load_project

CONFIG = '''
lint {
  latest = 1
  log    = "global-log"
  git {
    base = "master"
  }
}
env "local" {
  url     = "sqlite://app.db?_fk=1"
  dev     = "sqlite://dev?mode=memory&_fk=1"
  src     = ["./schema", "file://other.hcl"]
  schemas = ["main"]
  exclude = ["tmp_*", "*.bak"]
  migration {
    dir              = "file://migrations"
    format           = golang-migrate
    baseline         = "20240101000000"
    exec_order       = LINEAR_SKIP
    lock_timeout     = "5s"
    revisions_schema = "revs"
  }
  format {
    migrate {
      apply  = "apply-tpl"
      diff   = "diff-tpl"
      status = "status-tpl"
    }
    schema {
      inspect = "inspect-tpl"
      apply   = "sapply-tpl"
      diff    = "sdiff-tpl"
      clean   = "clean-tpl"
    }
  }
}
env "lintfmt" {
  dev = "sqlite://dev?mode=memory"
  format {
    migrate {
      lint = "format-wins"
    }
  }
  lint {
    log = "lint-log"
  }
}
env "minimal" {
  src = "1.hcl"
  dev = "sqlite://devdb"
}
'''


@pytest.fixture
def envs(tmp_path):
    (tmp_path / "atlas.hcl").write_text(textwrap.dedent(CONFIG))

    def get(name):
        return load_project(env=name, variables={}, cwd=str(tmp_path)).envs[0]

    get.cwd = tmp_path
    return get


def test_migrate_apply(envs):
    assert env_flag_defaults(envs("local"), "migrate apply") == {
        "url": "sqlite://app.db?_fk=1",
        "dir": "file://migrations",
        "baseline": "20240101000000",
        "revisions-schema": "revs",
        "lock-timeout": "5s",
        "exec-order": "linear-skip",
        "format": "apply-tpl",
    }


def test_migrate_diff_makes_src_absolute(envs):
    got = env_flag_defaults(envs("local"), "migrate diff")
    assert got == {
        "dev-url": "sqlite://dev?mode=memory&_fk=1",
        "dir": "file://migrations",
        "dir-format": "golang-migrate",
        "lock-timeout": "5s",
        "format": "diff-tpl",
        "to": [f"file://{envs.cwd}/schema", "file://other.hcl"],
        "schema": ["main"],
    }


def test_migrate_diff_minimal_env(envs):
    assert env_flag_defaults(envs("minimal"), "migrate diff") == {
        "dev-url": "sqlite://devdb", "to": [f"file://{envs.cwd}/1.hcl"]}


def test_migrate_lint_format_cascade_and_inherited_latest(envs):
    got = env_flag_defaults(envs("lintfmt"), "migrate lint")
    # The env has no change detection: the global git settings are inherited, and because
    # the global block has git settings, its "latest" is not (Atlas's Lint.Extend).
    assert got == {"dev-url": "sqlite://dev?mode=memory", "format": "format-wins",
                   "git-base": "master"}
    got = env_flag_defaults(envs("local"), "migrate lint")
    assert got["format"] == "global-log" and got["latest"] == 1  # no env lint: global as is
    assert "url" not in got  # migrate lint has no --url


@pytest.mark.parametrize("command,expected", [
    ("migrate status", {"url", "dir", "dir-format", "revisions-schema", "format"}),
    ("migrate validate", {"dev-url", "dir", "dir-format"}),
    ("migrate hash", {"dir", "dir-format"}),
    ("migrate new", {"dir", "dir-format"}),
    ("migrate set", {"url", "dir", "dir-format", "revisions-schema"}),
])
def test_migrate_other_commands(envs, command, expected):
    assert set(env_flag_defaults(envs("local"), command)) == expected


def test_schema_commands(envs):
    env = envs("local")
    assert env_flag_defaults(env, "schema inspect") == {
        "url": "sqlite://app.db?_fk=1", "dev-url": "sqlite://dev?mode=memory&_fk=1",
        "schema": ["main"], "exclude": ["tmp_*", "*.bak"], "format": "inspect-tpl"}
    assert env_flag_defaults(env, "schema apply") == {
        "url": "sqlite://app.db?_fk=1", "dev-url": "sqlite://dev?mode=memory&_fk=1",
        "file": ["file://./schema", "file://other.hcl"], "schema": ["main"],
        "exclude": ["tmp_*", "*.bak"], "format": "sapply-tpl"}
    assert env_flag_defaults(env, "schema diff") == {
        "dev-url": "sqlite://dev?mode=memory&_fk=1", "schema": ["main"],
        "exclude": ["tmp_*", "*.bak"], "format": "sdiff-tpl"}
    assert env_flag_defaults(env, "schema clean") == {"url": "sqlite://app.db?_fk=1",
                                                      "format": "clean-tpl"}


def test_given_flags_are_left_out(envs):
    env = envs("local")
    got = env_flag_defaults(env, "schema apply", given={"url", "to"})
    assert "url" not in got and "file" not in got  # --to given: the env's src is ignored
    got = env_flag_defaults(env, "schema apply", given={"file"})
    assert "file" not in got and got["url"] == "sqlite://app.db?_fk=1"


def test_empty_env_supplies_nothing():
    env = Env(name="x")
    for command in COMMAND_FLAGS:
        assert env_flag_defaults(env, command) == {}


def test_unknown_command():
    with pytest.raises(ProjectError, match='unknown command "migrate nope"'):
        env_flag_defaults(Env(name="x"), "migrate nope")
