"""Atlas's own recorded CLI scripts (../shared/conformance), played against our CLI. The
scripts listed are the ones the issues promise; each runs as its own test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = ROOT.parent / "shared" / "conformance"
SCRIPTS = [
    # foundation
    "autoincrement", "cli-inspect", "column-default", "column-generated", "index-desc",
    "index-expr", "table-options", "cli-apply-multifile", "cli-apply-vars",
    "cli-schema-project-file",
    # versioned migrations
    "cli-migrate-apply", "cli-migrate-diff", "cli-migrate-diff-sql",
    "cli-migrate-diff-minimal-env", "cli-migrate-project", "cli-migrate-diff-datasrc-hcl",
    "cli-migrate-diff-datasrc-hcl-paths",
    # project files
    "cli-apply-project-multifile",
    # lint
    "cli-migrate-lint-destructive", "cli-migrate-lint-ignore", "cli-migrate-lint-minimal-env",
    "cli-migrate-lint-project",
]


def _cli() -> str:
    found = shutil.which("atoll", path=os.path.dirname(sys.executable))
    return found or f"{sys.executable} -m atoll.cli.main"


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="../shared/conformance is not beside the checkout")
@pytest.mark.parametrize("script", SCRIPTS)
def test_atlas_script(script, tmp_path):
    path = CONFORMANCE / "sqlite" / f"{script}.txtar"
    proc = subprocess.run(
        [sys.executable, str(CONFORMANCE / "run.py"), "--timeout", "60", "--cli", _cli(),
         str(path)],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"PASS {script}" in proc.stdout


# Atlas's PostgreSQL scripts, against the local server (127.0.0.1:5432, user postgres); each
# test runs its script on a database of its own. The two `only postgres14` scripts skip on
# PostgreSQL 15 by their own condition.
PG_SCRIPTS = [
    "cli-inspect", "cli-migrate-apply", "cli-migrate-apply-datasrc", "cli-migrate-diff",
    "cli-migrate-diff-unsupported", "cli-migrate-status", "column-array", "column-bit",
    "column-comment", "column-default", "column-domain", "column-enum", "column-float",
    "column-generated-inspect", "column-identity", "column-numeric", "column-serial",
    "column-time-precision", "foreign-key", "index-desc", "index-expr", "index-include",
    "index-operator-class", "index-partial", "index-type", "index-type-brin",
    "index-unique-constraint", "primary-key", "table-checks", "table-partition",
]


@pytest.fixture
def pg_database():
    import uuid

    psycopg = pytest.importorskip("psycopg")
    name = f"atoll_conf_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres",
                         autocommit=True, connect_timeout=5) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres",
                             autocommit=True, connect_timeout=5) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="../shared/conformance is not beside the checkout")
@pytest.mark.parametrize("script", PG_SCRIPTS)
def test_atlas_postgres_script(script, tmp_path, pg_database):
    path = CONFORMANCE / "postgres" / f"{script}.txtar"
    proc = subprocess.run(
        [sys.executable, str(CONFORMANCE / "run.py"), "--dialect", "postgres", "--url",
         f"postgres://postgres@127.0.0.1:5432/{pg_database}?sslmode=disable",
         "--timeout", "60", "--cli", _cli(), str(path)],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Only the scripts gated with `only postgres14` may skip (on other server versions).
    if script in ("cli-migrate-apply-datasrc", "index-operator-class"):
        assert f"PASS {script}" in proc.stdout or f"SKIP {script}" in proc.stdout
    else:
        assert f"PASS {script}" in proc.stdout


# Atlas's MySQL scripts, against the local MariaDB (127.0.0.1:3306, root); each test gives the
# runner a database of its own. On MariaDB 10.11 the scripts written for MySQL (or for older
# MariaDB versions) skip by their own `only` conditions; the ones listed here run.
MY_SCRIPTS = [
    "autoincrement", "column-add-drop", "column-bit", "column-bool", "column-generated",
    "column-generated-inspect", "column-time-precision-maria", "foreign-key-add",
    "index-add-drop", "index-unique",
]
# Scripts gated on `only maria107`: run as that version (`--version-name`), they check the
# migrate diff files and MariaDB checks too.
MY_MARIA107 = ["check-maria", "cli-migrate-diff", "foreign-key"]
# Gated on MySQL versions though their expectations hold on MariaDB too: run as mysql8.
MY_MYSQL8 = ["cli-migrate-diff-mode-normalized", "cli-migrate-apply-datasrc"]


@pytest.fixture
def my_database():
    import uuid

    pymysql = pytest.importorskip("pymysql")
    name = f"atoll_conf_{uuid.uuid4().hex[:12]}"

    def run(sql: str) -> None:
        conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", connect_timeout=5,
                               autocommit=True)
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    run(f"CREATE DATABASE `{name}`")
    try:
        yield name
    finally:
        run(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="../shared/conformance is not beside the checkout")
@pytest.mark.parametrize("script", MY_SCRIPTS + MY_MARIA107 + MY_MYSQL8)
def test_atlas_mysql_script(script, tmp_path, my_database):
    path = CONFORMANCE / "mysql" / f"{script}.txtar"
    extra = ["--version-name", "maria107"] if script in MY_MARIA107 else \
        ["--version-name", "mysql8"] if script in MY_MYSQL8 else []
    proc = subprocess.run(
        [sys.executable, str(CONFORMANCE / "run.py"), "--dialect", "mysql", "--url",
         f"mysql://root@127.0.0.1:3306/{my_database}", *extra,
         "--timeout", "60", "--cli", _cli(), str(path)],
        # The script's databases are named after it (script_<name>), server-wide: the runner
        # keeps two runs of one script apart with a lock file in the system temp folder, so
        # every run (other checkouts' too) must see the same one.
        capture_output=True, text=True, cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "TMPDIR"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"PASS {script}" in proc.stdout
