"""Checks on a finished ``atoll`` process (``subprocess.CompletedProcess``), shared by the
server test modules."""

from __future__ import annotations

import subprocess


def ok_stdout(r: subprocess.CompletedProcess, *, forbid: tuple[str, ...] = ()) -> str:
    """Exit 0 and none of ``forbid`` on stderr; returns stdout."""
    assert r.returncode == 0, f"{r.args}\n{r.stdout}\n{r.stderr}"
    for text in forbid:
        assert text not in r.stderr, r.stderr
    return r.stdout


def error_line(r: subprocess.CompletedProcess) -> str:
    """Exit 1 and exactly one line on stderr, ``Error: …``; returns that line."""
    assert r.returncode == 1, f"{r.args}\n{r.stdout}\n{r.stderr}"
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    lines = r.stderr.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("Error: "), r.stderr
    return lines[0]
