"""The benchmark harness runs end to end at tiny sizes and prints every row. Behaviour only:
no timing is asserted (bench/README.md explains the numbers)."""

from __future__ import annotations

import os
import subprocess
import sys


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = os.path.join(ROOT, "bench", "run.py")

# Every row of the table, by its number and a fragment of its label.
ROWS = [
    ("1", "HCL parse+evaluate+decode"),
    ("2", "Plan empty → schema"),
    ("3", "schema inspect"),
    ("4", "Start-up: atoll --help"),
    ("9", "Start-up: atoll version"),
    ("5", "migrate apply, 1 DB"),
    ("6", "Fleet"),
    ("7", "migrate lint --latest 1"),
    ("8", "Preflight"),
    ("10", "No-op fleet: migrate apply"),
    ("11", "No-op fleet: migrate status"),
    ("12", "migrate diff, 500 files, second run"),
    ("13", "migrate lint --latest 1, 500 files, second run"),
    ("14", "Fleet scale, 5 files per shard"),
]


def _peers_installed() -> bool:
    try:
        import alembic  # noqa: F401
        import sqlalchemy  # noqa: F401
        import yoyo  # noqa: F401
    except ImportError:
        return False
    return True


def test_quick_run_prints_every_row():
    # `make test` installs the bench extra: the peers must be there, not skipped.
    assert _peers_installed(), "bench extra not installed (pip install -e '.[bench]')"
    proc = subprocess.run([sys.executable, RUN, "--quick"], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "measurement" in out and "ratio" in out
    table = out.split("ratio = atoll", 1)[1]
    for number, label in ROWS:
        lines = [ln for ln in table.splitlines() if ln.startswith(f"{number}  ")]
        assert any(label in ln for ln in lines), f"row {number} ({label}) missing:\n{out}"
    assert "benchmark error" not in out, out


def test_only_and_unknown_names():
    proc = subprocess.run([sys.executable, RUN, "--quick", "--only", "startup"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Start-up: atoll --help" in proc.stdout
    assert "Fleet" not in proc.stdout.split("ratio = atoll", 1)[1]
    bad = subprocess.run([sys.executable, RUN, "--only", "nope"], capture_output=True,
                         text=True, timeout=60, cwd=ROOT)
    assert bad.returncode == 2 and "unknown benchmark" in bad.stderr
