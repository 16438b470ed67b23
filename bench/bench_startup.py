"""Rows 4 and 9: start-up. `atoll --help` and `atoll version` against bare `python -c pass`
in the same venv, as subprocesses, interleaved, median of N runs each (after one untimed
warm-up of each)."""

from __future__ import annotations

import statistics

import gen

ROW = "4"
TITLE = "Start-up: atoll --help"
VERSION_ROW = "9"
VERSION_TITLE = "Start-up: atoll version"


def run(ctx) -> list[dict]:
    cmds = {"help": [gen.tool("atoll"), "--help"], "version": [gen.tool("atoll"), "version"],
            "bare": [gen.PYTHON, "-c", "pass"]}
    for cmd in cmds.values():  # warm the page cache and .pyc files
        t = gen.run_timed(cmd)
        if t.returncode:
            raise gen.failure(t, " ".join(cmd[-2:]))
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(ctx.startup_runs):
        for name, cmd in cmds.items():
            times[name].append(gen.run_timed(cmd).seconds)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    low = {name: min(ts) * 1000 for name, ts in times.items()}
    note = (f"median of {ctx.startup_runs} runs each, interleaved (min: --help {low['help']:.0f}"
            f" ms, version {low['version']:.0f} ms, python {low['bare']:.0f} ms); both answer "
            "without importing click (cli/main.py), any other command imports it")
    return [gen.ratio_row(ROW, TITLE, med["help"], "python -c pass", med["bare"],
                          goal="≤ 3x", limit=3, note=note, unit="ms"),
            gen.ratio_row(VERSION_ROW, VERSION_TITLE, med["version"], "python -c pass",
                          med["bare"], goal="≤ 3x", limit=3, unit="ms")]
