"""Bad input never shows a traceback: the real ``atoll`` executable answers every mistake
with one ``Error: …`` line on stderr and exit status 1, and leaves the databases alone."""

from __future__ import annotations

import pytest
from e2e_support import (
    DEV,
    DEVELOP,
    MASTER_DB,
    MASTER_DIR,
    STAGING,
    atoll,
    failed,
    game,
    ok,
    snapshot,
)

MASTER = f"sqlite://{MASTER_DB}"

PROJECT = '''
variable "url" {
  type = string
}
variable "count" {
  type    = number
  default = 2
}
env "needs_var" {
  url = var.url
  migration {
    dir = "file://db/migrations/master"
  }
}
env "getenv_unset" {
  url = "sqlite://${getenv("ATOLL_TEST_SURELY_UNSET")}/master.db"
  migration {
    dir = "file://db/migrations/master"
  }
}
env "unknown_var" {
  url = "sqlite://${var.nope}/x.db"
}
env "bad_for_each" {
  for_each = 3
  url      = "sqlite://x.db"
}
env "bad_url" {
  url = "nowhere"
  migration {
    dir = "file://db/migrations/master"
  }
}
env "bad_dir" {
  url = "sqlite://server/data/master.db"
  migration {
    dir = "file://no/such/dir"
  }
}
'''


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = game(tmp_path_factory.mktemp("errors"))
    ok(atoll(root, "migrate", "apply", "--dir", MASTER_DIR, "--url", MASTER))
    (root / "project.hcl").write_text(PROJECT)
    (root / "broken.hcl").write_text('env "x" {\n  url = \n}\n')
    (root / "garbage.db").write_text("not a database\n" * 30)
    return root


CFG = "file://project.hcl"
APPLY = ("migrate", "apply", "--dir", MASTER_DIR)

CASES = {
    # unknown commands and flags
    "unknown command": (("bogus",), r"No such command"),
    "unknown subcommand": (("migrate", "bogus"), r"No such command"),
    "unknown flag": ((*APPLY, "--url", MASTER, "--bogus"), r"unknown flag: --bogus"),
    "unknown short flag": ((*APPLY, "--url", MASTER, "-Z"), r"-Z"),
    "flag without value": ((*APPLY, "--url"), r"--url"),
    "bad amount": ((*APPLY, "--url", MASTER, "abc"), r'invalid amount argument "abc"'),
    "zero amount": ((*APPLY, "--url", MASTER, "0"), r"'0'"),
    "bad parallel": ((*APPLY, "--url", MASTER, "--parallel", "x"), r"--parallel"),
    "zero parallel": ((*APPLY, "--url", MASTER, "--parallel", "0"), r"--parallel"),
    "negative parallel": (("migrate", "status", "--config", DEVELOP, "--env", "all",
                           "--parallel", "-2"), r"--parallel"),
    "bad duration": ((*APPLY, "--url", MASTER, "--lock-timeout", "soon"), r"invalid duration"),
    "bad tx-mode": ((*APPLY, "--url", MASTER, "--tx-mode", "maybe"), r'tx-mode "maybe"'),
    "bad exec-order": ((*APPLY, "--url", MASTER, "--exec-order", "random"), r"random"),
    "bad format": ((*APPLY, "--url", MASTER, "--format", "{{ nope }}"), r"format"),
    "inspect bad format": (("schema", "inspect", "--url", MASTER, "--format", "xml"), r"xml"),
    "set unknown version": (("migrate", "set", "42", "--dir", MASTER_DIR, "--url", MASTER),
                            r'"42" not found'),
    # bad URLs
    "url without scheme": ((*APPLY, "--url", "server/data/master.db"), r"scheme"),
    "url empty scheme": ((*APPLY, "--url", "://x"), r"scheme"),
    "url unknown scheme": ((*APPLY, "--url", "oracle://db"), r'"oracle"'),
    "sqlite url without file": ((*APPLY, "--url", "sqlite://"), r"sqlite://"),
    "postgres url": ((*APPLY, "--url", "postgres://u:secret@127.0.0.1:1/db?sslmode=disable"),
                     r"postgres|127\.0\.0\.1"),
    "mysql url": ((*APPLY, "--url", "mysql://u:secret@127.0.0.1:1/db"),
                  r"mysql|127\.0\.0\.1"),
    "db is a directory": ((*APPLY, "--url", "sqlite://server/data"), r"server/data"),
    "db not a database": ((*APPLY, "--url", "sqlite://garbage.db"), r"not a database"),
    "db in missing dir": (("migrate", "status", "--dir", MASTER_DIR, "--url",
                           "sqlite:///no-such-atoll-dir/x.db"), r"no-such-atoll-dir"),
    "dev url bad": (("migrate", "status", "--dir", MASTER_DIR, "--url", MASTER,
                     "--dev-url", "nowhere"), r"nowhere"),
    "dev url not clean": (("migrate", "status", "--dir", MASTER_DIR, "--url", MASTER,
                           "--dev-url", MASTER), r"not clean"),
    "dir bad scheme": (("migrate", "apply", "--dir", "http://x/y", "--url", MASTER), r'"http"'),
    "dir missing": (("migrate", "apply", "--dir", "file://no/such", "--url", MASTER),
                    r"no/such"),
    "dir unknown format": (("migrate", "status", "--dir", MASTER_DIR, "--dir-format",
                            "nosuch", "--url", MASTER), r'unknown dir format "nosuch"'),
    "foreign format checksum": (("migrate", "status", "--dir", MASTER_DIR, "--dir-format",
                                 "flyway", "--url", MASTER), r"checksum mismatch"),
    "to without scheme": (("migrate", "diff", "--dir", MASTER_DIR, "--to", "db/schema/master.hcl",
                           "--dev-url", DEV), r"scheme"),
    "to missing file": (("schema", "apply", "--url", MASTER, "--to", "file://nope.hcl",
                         "--auto-approve"), r"nope\.hcl"),
    "project file as schema": (("schema", "apply", "--url", MASTER, "--to", DEVELOP,
                                "--auto-approve"), r"project file"),
    "inspect without url": (("schema", "inspect",), r'"url"'),
    "fmt missing path": (("schema", "fmt", "no-such.hcl"), r"no-such\.hcl"),
    "new in unwritable dir": (("migrate", "new", "x", "--dir", "file:///proc/atoll-nope"),
                              r"/proc/atoll-nope"),
    "backup dir unwritable": ((*APPLY, "--url", "sqlite://server/data/other.db",
                               "--backup-dir", "/proc/atoll-nope"), r"backup"),
    # project files and envs
    "unknown env": ((*APPLY, "--config", DEVELOP, "--env", "nope"), r'env "nope"'),
    "config not found": (("migrate", "apply", "--config", "file://nope.hcl", "--env", "master"),
                         r"nope\.hcl"),
    "config without scheme": (("migrate", "apply", "--config", "nope.hcl", "--env", "master"),
                              r"scheme"),
    "default config missing": (("migrate", "status", "--env", "master"), r"atlas\.hcl"),
    "broken config": (("migrate", "status", "--config", "file://broken.hcl", "--env", "x"),
                      r"broken\.hcl:2,"),
    "missing variable": (("migrate", "status", "--config", CFG, "--env", "needs_var"),
                         r'variable "url"'),
    "bad var syntax": (("migrate", "status", "--config", CFG, "--env", "needs_var", "--var",
                        "url"), r"key=value"),
    "var of wrong type": (("migrate", "status", "--config", CFG, "--env", "needs_var", "--var",
                           f"url={MASTER}", "--var", "count=many"), r"count"),
    "getenv unset in url": (("migrate", "status", "--config", CFG, "--env", "getenv_unset",
                             "--var", f"url={MASTER}"), r"ATOLL_TEST_SURELY_UNSET"),
    "getenv unset in guide config": (("migrate", "apply", "--config", STAGING, "--env", "master"),
                                     r"STAGING_DATA_DIR"),
    "getenv unset in data source": (("migrate", "status", "--config", STAGING, "--env",
                                     "sharding"), r"STAGING_DATA_DIR"),
    "unknown variable reference": (("migrate", "status", "--config", CFG, "--env", "unknown_var",
                                    "--var", f"url={MASTER}"), r'"nope"'),
    "bad for_each": (("migrate", "status", "--config", CFG, "--env", "bad_for_each",
                      "--var", f"url={MASTER}"), r"for_each"),
    "env url without scheme": (("migrate", "apply", "--config", CFG, "--env", "bad_url",
                                "--var", f"url={MASTER}"), r"nowhere"),
    "env dir missing": (("migrate", "apply", "--config", CFG, "--env", "bad_dir",
                         "--var", f"url={MASTER}"), r"no/such/dir"),
    "multi env where one is needed": (("migrate", "diff", "x", "--config", DEVELOP, "--env",
                                       "all"), r"all"),
}


@pytest.mark.parametrize("args, pattern", list(CASES.values()), ids=list(CASES))
def test_bad_input_is_one_line(root, args, pattern):
    before = snapshot(root / MASTER_DB)
    failed(atoll(root, *args), pattern)
    assert snapshot(root / MASTER_DB) == before


def test_debug_flag_shows_the_traceback_for_errors(root):
    r = atoll(root, "--debug", "migrate", "apply", "--dir", MASTER_DIR, "--url", "oracle://x")
    assert r.code != 0 and "Traceback" in r.err


def test_help_and_version(root):
    assert "migrate" in ok(atoll(root, "--help")).out
    assert "--continue-on-error" in ok(atoll(root, "migrate", "apply", "--help")).out
    assert ok(atoll(root, "version")).out.startswith("atoll version v")
    assert ok(atoll(root, "--version")).out == ok(atoll(root, "version")).out
    # A group without a command shows its help, as Atlas does.
    r = ok(atoll(root, "migrate"))
    assert "apply" in r.out and "status" in r.out


def test_password_never_printed(root):
    r = atoll(root, *APPLY, "--url", "postgres://admin:hunter2@127.0.0.1:1/db")
    failed(r)
    assert "hunter2" not in r.err + r.out


def test_migrate_diff_on_a_missing_to_file_creates_no_directory(root):
    line = failed(atoll(root, "migrate", "diff", "x", "--dir", "file://db/migrations/new",
                        "--to", "file://db/schema/missing.hcl", "--dev-url", DEV))
    assert "missing.hcl" in line
    assert not (root / "db" / "migrations" / "new").exists()
    # The same command with a real schema creates the directory and its first file.
    ok(atoll(root, "migrate", "diff", "x", "--dir", "file://db/migrations/new",
             "--to", "file://db/schema/master.hcl", "--dev-url", DEV))
    assert len(list((root / "db" / "migrations" / "new").glob("*_x.sql"))) == 1
