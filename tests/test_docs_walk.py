"""The docs walk: the operations guide (and the README's command blocks) run as written, in
order, on a fresh copy of examples/game, with every output shown compared with what atoll
prints; the Japanese guide carries exactly the same commands and outputs. A change of
behaviour fails here until the docs follow (``ATOLL_DOCS_UPDATE=1`` rewrites the outputs;
the block conventions are in ``docs_walk.py``)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from docs_walk import commands_of, parse_blocks, walk

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "operations.md"
GUIDE_JA = ROOT / "docs" / "ja" / "operations.md"


def scratch_checkout(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A checkout-like folder holding a copy of examples/ (without databases), a HOME, and
    an environment in which ``atoll`` is the one under test."""
    checkout = tmp_path / "atoll"
    shutil.copytree(ROOT / "examples", checkout / "examples",
                    ignore=shutil.ignore_patterns("data", "*.db", "*.db-*", "__pycache__"))
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC",
        "TERM": "dumb", "NO_COLOR": "1", "TMPDIR": str(tmp_path),
    }
    return checkout, env


def test_operations_guide_runs_as_written(tmp_path):
    checkout, env = scratch_checkout(tmp_path)
    failures = walk(GUIDE, checkout, env, update=os.environ.get("ATOLL_DOCS_UPDATE") == "1")
    assert not failures, "\n\n".join(str(f) for f in failures)


def test_readme_runs_as_written(tmp_path):
    checkout, env = scratch_checkout(tmp_path)
    failures = walk(ROOT / "README.md", checkout, env)
    assert not failures, "\n\n".join(str(f) for f in failures)


def test_japanese_guide_carries_the_same_commands_and_outputs():
    en = commands_of(parse_blocks(GUIDE.read_text()))
    ja = commands_of(parse_blocks(GUIDE_JA.read_text()))
    for i, (a, b) in enumerate(zip(en, ja)):
        assert a == b, f"block {i + 1} differs between the guides:\n--- en\n{a}\n--- ja\n{b}"
    assert len(en) == len(ja), f"{len(en)} command blocks in English, {len(ja)} in Japanese"
