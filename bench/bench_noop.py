"""Rows 10 and 11: a fleet where nothing is pending. One `atoll migrate apply` and one
`atoll migrate status` over 1 master + N up-to-date shards (the 20-file shard history of
row 6), whole processes, against the floor: one `python` process that opens every file
read-only and reads its newest version with stdlib `sqlite3`.

The shards are copies of one migrated database (a no-op reads the same rows whatever the
data). The three commands are interleaved, median of 3 each."""

from __future__ import annotations

import os
import shutil
import statistics

import gen

ROW = "10"
TITLE = "No-op fleet: migrate apply"
STATUS_ROW = "11"
STATUS_TITLE = "No-op fleet: migrate status"

FLOOR = r"""
import sqlite3, sys
for path in sys.argv[1:]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    con.execute("SELECT max(version) FROM atlas_schema_revisions").fetchone()
    con.close()
"""


def up_to_date_fleet(n: int, unit: int, variant: str) -> tuple[str, list[str]]:
    """``atlas.hcl`` of 1 master + ``n`` shards, every database already migrated."""
    base = gen.fresh_dir(gen.work(variant))
    sdir = gen.write_atlas_dir(os.path.join(base, "dir"), gen.migration_files(unit))
    os.makedirs(os.path.join(base, "shards"))
    seed = os.path.join(base, "seed.db")
    t = gen.run_timed([gen.tool("atoll"), "migrate", "apply", "--url", f"sqlite://{seed}",
                       "--dir", f"file://{sdir}"])
    if t.returncode:
        raise gen.failure(t, "atoll migrate apply (seed)")
    master = os.path.join(base, "master.db")
    shards = [os.path.join(base, "shards", f"shard_{i:05d}.db") for i in range(1, n + 1)]
    for path in (master, *shards):
        shutil.copyfile(seed, path)
    return gen.fleet_config(os.path.join(base, "atlas.hcl"), master, sdir, sdir, shards), \
        [master, *shards]


def run(ctx) -> list[dict]:
    n, reps = ctx.shards, (1 if ctx.quick else 3)
    cfg, dbs = up_to_date_fleet(n, ctx.shard_unit, "noop")
    atoll = gen.tool("atoll")
    cmds = {
        "apply": [atoll, "migrate", "apply", "--config", f"file://{cfg}", "--env", "fleet"],
        "status": [atoll, "migrate", "status", "--config", f"file://{cfg}", "--env", "fleet"],
        "floor": [gen.PYTHON, "-c", FLOOR, *dbs],
    }
    times: dict[str, list[float]] = {k: [] for k in cmds}
    cpu: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(reps):
        for name, cmd in cmds.items():
            t = gen.run_timed(cmd, cwd=os.path.dirname(cfg))
            cpu[name].append(t.cpu)
            if t.returncode:
                raise gen.failure(t, name)
            if name == "apply" and "No migration files to execute" not in t.stdout and \
                    f"{n + 1} database(s): {n + 1} ok" not in t.stdout:
                raise gen.NotAvailable(f"no-op apply did something: {t.stdout[-200:]}")
            times[name].append(t.seconds)
    med = {k: statistics.median(v) for k, v in times.items()}
    used = {k: statistics.median(v) for k, v in cpu.items()}
    note = (f"1+{n} databases, whole processes, median of {reps}, interleaved; goal: ≤ 1.0 s "
            f"each. CPU (user+sys): apply {used['apply']:.2f} s, status {used['status']:.2f} s, "
            f"floor {used['floor']:.2f} s; on a loaded machine wall time exceeds CPU time")
    rows = [gen.ratio_row(ROW, f"{TITLE}, 1+{n} up-to-date shards", med["apply"],
                          "floor: sqlite3 reads each version", med["floor"], goal="≤ 1.0 s",
                          note=note),
            gen.ratio_row(STATUS_ROW, f"{STATUS_TITLE}, 1+{n} up-to-date shards",
                          med["status"], "floor: sqlite3 reads each version", med["floor"],
                          goal="≤ 1.0 s")]
    for r in rows:
        r["met"] = r["secs"] <= 1.0
    shutil.rmtree(gen.work("noop", "shards"), ignore_errors=True)
    return rows
