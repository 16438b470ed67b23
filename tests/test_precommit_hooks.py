"""The pre-commit recipes of docs/ci.md, run by the ``pre-commit`` tool itself in a scratch git
repository: the hooks file this repository ships (``.pre-commit-hooks.yaml``, through
``pre-commit try-repo``, which installs atoll from this checkout the way a user's pre-commit
does) and the ``repo: local`` recipe that uses the atoll already installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PRE_COMMIT = BIN / "pre-commit"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")

LOCAL_CONFIG = """\
repos:
  - repo: local
    hooks:
      - id: atoll-migrate-validate
        name: atoll migrate validate
        entry: atoll migrate validate
        language: system
        pass_filenames: false
        files: ^migrations/
        args: [--dir, "file://migrations", --dev-url, "sqlite://file?mode=memory"]
      - id: atoll-migrate-lint
        name: atoll migrate lint
        entry: atoll migrate lint
        language: system
        pass_filenames: false
        files: ^migrations/
        args: [--dir, "file://migrations", --dev-url, "sqlite://file?mode=memory", --git-base, HEAD]
"""


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PRE_COMMIT_HOME"] = str(home)
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@e")
    return env


def _run(args, cwd, env, check=True):
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def _project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A git repository with one committed, hashed migration directory."""
    repo = tmp_path / "project"
    (repo / "migrations").mkdir(parents=True)
    env = _env(tmp_path / "pre-commit-home")
    (repo / "migrations" / "1_users.sql").write_text("CREATE TABLE users (id int);\n")
    _run(["git", "init", "-q"], repo, env)
    _run([str(BIN / "atoll"), "migrate", "hash", "--dir", "file://migrations"], repo, env)
    _run(["git", "add", "."], repo, env)
    _run(["git", "commit", "-qm", "base"], repo, env)
    return repo, env


def _stage_drop(repo: Path, env: dict[str, str], nolint: bool = False) -> None:
    text = ("-- atlas:nolint DS102\n" if nolint else "") + "DROP TABLE users;\n"
    (repo / "migrations" / "2_drop.sql").write_text(text)
    _run([str(BIN / "atoll"), "migrate", "hash", "--dir", "file://migrations"], repo, env)
    _run(["git", "add", "migrations"], repo, env)


@pytest.mark.skipif(not PRE_COMMIT.exists(), reason="pre-commit is a test extra")
def test_local_recipe_fails_a_staged_drop_and_passes_a_nolint_one(tmp_path):
    repo, env = _project(tmp_path)
    (repo / ".pre-commit-config.yaml").write_text(LOCAL_CONFIG)
    _run(["git", "add", ".pre-commit-config.yaml"], repo, env)
    _stage_drop(repo, env)
    r = _run([str(PRE_COMMIT), "run"], repo, env, check=False)
    assert r.returncode == 1, r.stdout
    assert "atoll migrate validate" in r.stdout and "Passed" in r.stdout
    assert 'Dropping table "users"' in r.stdout and "DS102" in r.stdout
    _stage_drop(repo, env, nolint=True)
    r = _run([str(PRE_COMMIT), "run"], repo, env, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.skipif(not PRE_COMMIT.exists(), reason="pre-commit is a test extra")
def test_shipped_hooks_file_lints_what_is_staged(tmp_path):
    """``pre-commit try-repo`` installs atoll from this checkout into pre-commit's own
    virtualenv and runs the hook exactly as .pre-commit-hooks.yaml declares it."""
    repo, env = _project(tmp_path)
    _stage_drop(repo, env)
    # Both hooks in one run: pre-commit builds its virtualenv once (about a minute).
    r = _run([str(PRE_COMMIT), "try-repo", str(ROOT)], repo, env, check=False)
    assert r.returncode == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert any(ln.startswith("atoll migrate validate") and ln.endswith("Passed") for ln in lines)
    assert any(ln.startswith("atoll migrate lint") and ln.endswith("Failed") for ln in lines)
    assert 'Dropping table "users"' in r.stdout
