"""Row 8: `migrate apply --preflight`, phase 1 (every pending file of every database tried on
its real data, nothing kept) against the apply itself, on row 6's fleet (1 master + N shards
× 20 files), in-process through the fleet runner, 8 databases at a time. Both SQLite trial
kinds are timed:

* copy: the online backup API copies each database into a private in-memory database and the
  files run there (the default);
* transaction: the files run on the real file inside one write transaction that is rolled
  back (the engine's per-file transactions become savepoints).

A second measurement shows what a live application feels: the master is migrated halfway,
then a writer thread inserts a row every millisecond while one trial of the remaining files
runs; the longest insert is the time the trial blocked the application's writes."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time

import gen

ROW = "8"
TITLE = "Preflight"


def _targets(master: str, mdir: str, shards: list[str], sdir: str):
    from atoll.fleet.runner import Target

    return ([Target("master", f"sqlite://{master}", {"dir": f"file://{mdir}"})]
            + [Target(os.path.basename(s), f"sqlite://{s}", {"dir": f"file://{sdir}"})
               for s in shards])


def child_phases(master: str, mdir: str, shards_json: str, sdir: str, method: str) -> dict:
    """Phase 1 (``method``), then the real apply, on the same fresh databases."""
    from atoll.fleet.jobs import ApplyOptions, DirCache, apply_job
    from atoll.fleet.preflight import preflight_job
    from atoll.fleet.runner import FleetOptions, run_fleet

    with open(shards_json) as fh:
        shards = json.load(fh)
    targets = _targets(master, mdir, shards, sdir)
    dirs = DirCache()
    options = ApplyOptions(keep_report=False)
    # Warm-up on a throwaway master + shard: imports, parsed files and split statements are
    # then as warm for phase 1 as for the apply that follows it.
    spare = _targets(master + ".warm.db", mdir, [shards[0] + ".warm.db"], sdir)
    run_fleet(spare, preflight_job(dirs, options, method), FleetOptions())
    run_fleet(spare, apply_job(dirs, options), FleetOptions())
    gen.settle()
    t0 = time.perf_counter()
    tried = run_fleet(targets, preflight_job(dirs, options, method),
                      FleetOptions(continue_on_error=True))
    phase1 = time.perf_counter() - t0
    bad = [r for r in tried if r.state != "checked" or r.files != 20]
    if bad:
        raise gen.NotAvailable(f"preflight {method}: {bad[0].target.name}: {bad[0].state} "
                               f"{bad[0].error[:100]}")
    gen.settle()
    t0 = time.perf_counter()
    applied = run_fleet(targets, apply_job(dirs, options), FleetOptions())
    phase2 = time.perf_counter() - t0
    bad = [r for r in applied if r.state != "ok"]
    if bad:
        raise gen.NotAvailable(f"apply: {bad[0].target.name}: {bad[0].error[:100]}")
    return {"phase1": phase1, "apply": phase2}


_WRITER = """
import json, select, sqlite3, sys, time
app = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)
print("ready", flush=True)
longest, n = 0.0, 0
while not select.select([sys.stdin], [], [], 0.001)[0]:
    t = time.perf_counter()
    app.execute("INSERT INTO app_writes VALUES (1)")
    longest, n = max(longest, time.perf_counter() - t), n + 1
print(json.dumps({"max": longest, "n": n}))
"""


def child_blocking(db: str, mdir: str, method: str) -> dict:
    """The longest write of a live application while one trial runs on ``db``."""
    from atoll.dialects.sqlite import DIALECT
    from atoll.fleet.jobs import ApplyOptions, DirCache, try_target
    from atoll.fleet.runner import Target
    from atoll.migrate import apply, load_dir
    from atoll.urls import parse_url

    d = load_dir(mdir)
    with DIALECT.connect(parse_url(f"sqlite://{db}")) as conn:
        apply(conn, DIALECT, d, amount=10)
        conn.execute("CREATE TABLE app_writes (n integer)")
    # The application is another process (a thread here would mostly wait for the GIL).
    app = subprocess.Popen([sys.executable, "-c", _WRITER, db], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True)
    assert app.stdout.readline().strip() == "ready"
    time.sleep(0.05)
    target = Target("master", f"sqlite://{db}", {"dir": f"file://{mdir}"})
    t0 = time.perf_counter()
    with DIALECT.connect(parse_url(target.url)) as conn:
        report, _ = try_target(conn, DIALECT, DirCache().get(f"file://{mdir}"), target,
                               f"file://{mdir}", ApplyOptions(), method)
    trial = time.perf_counter() - t0
    time.sleep(0.05)
    out, _ = app.communicate("stop\n", timeout=60)
    waits = json.loads(out)
    if report.error or len(report.applied) != 10:
        raise gen.NotAvailable(f"blocking {method}: {report.error[:100]}")
    return {"trial": trial, "max_wait": waits["max"], "writes": waits["n"]}


def _layout(variant: str, n: int) -> tuple[str, list[str], str]:
    d = gen.fresh_dir(gen.work("preflight", variant))
    os.makedirs(os.path.join(d, "shards"))
    shards = [os.path.join(d, "shards", f"shard_{i:04d}.db") for i in range(1, n + 1)]
    shards_json = os.path.join(d, "shards.json")
    with open(shards_json, "w") as fh:
        json.dump(shards, fh)
    return os.path.join(d, "master.db"), shards, shards_json


def run(ctx) -> list[dict]:
    n = ctx.shards
    mdir = gen.write_atlas_dir(gen.work("preflight", "dirs", "master"),
                               gen.migration_files(ctx.master_unit))
    sdir = gen.write_atlas_dir(gen.work("preflight", "dirs", "shard"),
                               gen.migration_files(ctx.shard_unit))
    what = f"{TITLE} phase 1, 1+{n} DBs × 20 files"
    rows: list[dict] = []
    blocking = {}
    for method in ("copy", "transaction"):
        master, _shards, shards_json = _layout(method, n)
        got = gen.child("bench_preflight", "child_phases", master=master, mdir=mdir,
                        shards_json=shards_json, sdir=sdir, method=method)
        db = os.path.join(gen.fresh_dir(gen.work("preflight", f"live_{method}")), "live.db")
        blocking[method] = gen.child("bench_preflight", "child_blocking", db=db, mdir=mdir,
                                     method=method)
        b = blocking[method]
        rows.append(gen.ratio_row(
            ROW, f"{what}: {method}", got["phase1"], "the apply itself", got["apply"],
            goal="≤ 1x", limit=1.0,
            note=f"{method}: phase 1 then the real apply on the same fresh fleet, in "
                 f"process, 8 at a time; a live writer on the master waited at most "
                 f"{b['max_wait'] * 1000:.1f} ms during a {b['trial'] * 1000:.0f} ms trial "
                 f"of 10 files ({b['writes']} writes)"))
        for variant in (method, f"live_{method}"):
            import shutil

            shutil.rmtree(gen.work("preflight", variant), ignore_errors=True)
    return rows
