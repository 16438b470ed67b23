"""Row 4: start-up. `atoll --help` against bare `python -c pass` in the same venv, as
subprocesses, interleaved, median of N runs each (after one untimed warm-up of each)."""

from __future__ import annotations

import statistics

import gen

ROW = "4"
TITLE = "Start-up: atoll --help"


def run(ctx) -> list[dict]:
    atoll = [gen.tool("atoll"), "--help"]
    bare = [gen.PYTHON, "-c", "pass"]
    for cmd in (atoll, bare):  # warm the page cache and .pyc files
        t = gen.run_timed(cmd)
        if t.returncode:
            raise gen.failure(t, " ".join(cmd[-2:]))
    a, b = [], []
    for _ in range(ctx.startup_runs):
        a.append(gen.run_timed(atoll).seconds)
        b.append(gen.run_timed(bare).seconds)
    ma, mb = statistics.median(a), statistics.median(b)
    note = (f"median of {ctx.startup_runs} runs each (atoll min {min(a) * 1000:.0f} ms, "
            f"python min {min(b) * 1000:.0f} ms)")
    return [gen.ratio_row(ROW, TITLE, ma, "python -c pass", mb, goal="< 5x", limit=5,
                          note=note, unit="ms")]
