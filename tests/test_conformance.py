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
