"""Row 6: a fleet of 1 master + N shard SQLite databases, 20 migration files each (the master
has the row-5 history with its data; the shards the same history with a few rows per table).

* floor: stdlib sqlite3, one transaction per file, every database in turn, in-process;
* fleet: ONE `atoll migrate apply --config file://atlas.hcl --env fleet` (two env blocks named
  `fleet`: the master, and a `for_each = toset([...])` block over the shard files);
* shell loop: the operations guide's loop, one `atoll migrate apply --url … --dir …` process
  per database (bash `for`);
* yoyo loop: one `yoyo apply --batch` process per database.

The two process loops run the master plus a *sample* of shards; the table extrapolates
linearly: master + sample × N / sample_size (the note says so). Peak memory is `ru_maxrss` of
the fleet process at N shards against the same run at a small N. Every database each tool
touched is checked against the floor's content."""

from __future__ import annotations

import json
import os
import shutil
import time

import gen

ROW = "6"
TITLE = "Fleet"


def _layout(variant: str, n: int) -> tuple[str, list[str]]:
    d = gen.fresh_dir(gen.work("fleet", variant))
    os.makedirs(os.path.join(d, "shards"))
    return (os.path.join(d, "master.db"),
            [os.path.join(d, "shards", f"shard_{i:04d}.db") for i in range(1, n + 1)])


def child_floor(master: str, mdir: str, shards_json: str, sdir: str) -> dict:
    with open(shards_json) as fh:
        shards = json.load(fh)
    mfiles = sorted(os.path.join(mdir, n) for n in os.listdir(mdir) if n.endswith(".sql"))
    sfiles = sorted(os.path.join(sdir, n) for n in os.listdir(sdir) if n.endswith(".sql"))
    gen.settle()
    t0 = time.perf_counter()
    gen.floor_apply(master, mfiles)
    for db in shards:
        gen.floor_apply(db, sfiles)
    return {"seconds": time.perf_counter() - t0}


def _check(master: str, shards: list[str], want_master: tuple, want_shard: tuple,
           what: str) -> None:
    got = gen.check_db(master)
    if got != want_master:
        raise gen.NotAvailable(f"{what}: master has {list(got)}, floor {list(want_master)}")
    for db in shards:
        if not os.path.exists(db):
            raise gen.NotAvailable(f"{what}: {os.path.basename(db)} was not created")
        got = gen.check_db(db)
        if got != want_shard:
            raise gen.NotAvailable(f"{what}: {os.path.basename(db)} has {list(got)}, "
                                   f"floor {list(want_shard)}")


def _fleet_run(n: int, mdir: str, sdir: str, variant: str) -> tuple[gen.Timed, str, list[str]]:
    master, shards = _layout(variant, n)
    cfg = gen.fleet_config(gen.work("fleet", variant, "atlas.hcl"), master, mdir, sdir, shards)
    t = gen.run_rss([gen.tool("atoll"), "migrate", "apply", "--config", f"file://{cfg}",
                     "--env", "fleet"], cwd=gen.work("fleet", variant), timeout=900)
    if t.returncode:
        raise gen.failure(t, "atoll migrate apply --env fleet")
    return t, master, shards


def _loop(cmd_for, master: str, shards: list[str], what: str) -> tuple[float, float]:
    """Seconds for the master alone, and for a bash loop over ``shards``."""
    m = gen.run_timed(["bash", "-c", 'set -e; for db in "$@"; do ' + cmd_for(master=True)
                       + " >/dev/null; done", "loop", master])
    if m.returncode:
        raise gen.failure(m, what)
    s = gen.run_timed(["bash", "-c", 'set -e; for db in "$@"; do ' + cmd_for(master=False)
                       + " >/dev/null; done", "loop", *shards])
    if s.returncode:
        raise gen.failure(s, what)
    return m.seconds, s.seconds


def run(ctx) -> list[dict]:
    n, sample = ctx.shards, min(ctx.loop_sample, ctx.shards)
    mfiles, sfiles = gen.migration_files(ctx.master_unit), gen.migration_files(ctx.shard_unit)
    mdir = gen.write_atlas_dir(gen.work("fleet", "dirs", "master"), mfiles)
    sdir = gen.write_atlas_dir(gen.work("fleet", "dirs", "shard"), sfiles)
    ymdir = gen.write_yoyo_dir(gen.work("fleet", "dirs", "yoyo_master"), mfiles)
    ysdir = gen.write_yoyo_dir(gen.work("fleet", "dirs", "yoyo_shard"), sfiles)
    what = f"{TITLE} 1+{n} DBs × 20 files"
    rows: list[dict] = []

    # floor
    master, shards = _layout("floor", n)
    with open(gen.work("fleet", "floor", "shards.json"), "w") as fh:
        json.dump(shards, fh)
    floor = gen.child("bench_fleet", "child_floor", master=master, mdir=mdir,
                      shards_json=gen.work("fleet", "floor", "shards.json"), sdir=sdir)["seconds"]
    want_m, want_s = gen.check_db(master), gen.check_db(shards[0])
    _check(master, shards, want_m, want_s, "floor")
    scale = n / sample

    def extrapolate(m_s: float, s_s: float) -> float:
        return m_s + s_s * scale

    loop_note = (f"loop timed on master + {sample} shards, extrapolated: master + "
                 f"sample × {n}/{sample}") if sample < n else "loop over every database"

    # yoyo loop (peer; independent of atoll)
    yoyo_est = None
    try:
        yoyo = gen.tool("yoyo")
        ym, ys = _layout("yoyo", sample)
        y_m, y_s = _loop(lambda master: f'"{yoyo}" apply --batch --no-config-file --database '
                         f'"sqlite:///$db" "{ymdir if master else ysdir}"', ym, ys, "yoyo loop")
        _check(ym, ys, want_m, want_s, "yoyo loop")
        yoyo_est = extrapolate(y_m, y_s)
    except gen.NotAvailable as exc:
        rows.append(gen.na_row(ROW, f"{what}: yoyo loop", str(exc)))

    # shell loop of atoll processes
    shell_est = None
    try:
        atoll = gen.tool("atoll")
        sm, ss = _layout("shell", sample)
        s_m, s_s = _loop(lambda master: f'"{atoll}" migrate apply --url "sqlite://$db" --dir '
                         f'"file://{mdir if master else sdir}"', sm, ss, "atoll shell loop")
        _check(sm, ss, want_m, want_s, "atoll shell loop")
        shell_est = extrapolate(s_m, s_s)
    except gen.NotAvailable as exc:
        rows.append(gen.na_row(ROW, f"{what}: atoll shell loop", str(exc)))

    # one fleet run, then the same at a small N for memory
    try:
        big, bm, bs = _fleet_run(n, mdir, sdir, "fleet")
        _check(bm, bs, want_m, want_s, "atoll fleet")
        small, _, _ = _fleet_run(ctx.shards_small, mdir, sdir, "fleet_small")
    except gen.NotAvailable as exc:
        rows.append(gen.na_row(ROW, f"{what}: atoll fleet run", str(exc)))
        if yoyo_est is not None:
            rows.append(gen.ratio_row(ROW, f"{what}: yoyo loop (est.)", yoyo_est,
                                      "floor: sqlite3 sequential", floor, note=loop_note))
        return rows

    for variant in ("floor", "yoyo", "shell", "fleet", "fleet_small"):  # ~0.5 GB at N=1000
        shutil.rmtree(gen.work("fleet", variant, "shards"), ignore_errors=True)
    rows.append(gen.ratio_row(
        ROW, f"{what}: atoll fleet run", big.seconds, "floor: sqlite3 sequential", floor,
        goal="≤ 0.8x", limit=0.8,
        note=f"one `migrate apply --env fleet` process; one run each; the floor applies "
             f"{(n + 1) * 20:,} files, one tx each"))
    if shell_est is not None:
        rows.append(gen.ratio_row(
            ROW, f"{what}: fleet vs shell loop", big.seconds, "atoll shell loop (est.)",
            shell_est, goal="≤ 0.10x (≥10x faster)", limit=0.10,
            note=f"{loop_note}; shell loop ÷ floor = {shell_est / floor:.1f}x"))
    if yoyo_est is not None:
        rows.append(gen.ratio_row(
            ROW, f"{what}: fleet vs yoyo loop", big.seconds, "yoyo loop (est.)", yoyo_est,
            note=f"{loop_note}; yoyo loop ÷ floor = {yoyo_est / floor:.1f}x"))
    rows.append(gen.ratio_row(
        ROW, f"{TITLE} peak RSS: 1+{n} vs 1+{ctx.shards_small} DBs", big.maxrss_kb / 1024,
        f"same run, {ctx.shards_small} shards", small.maxrss_kb / 1024, goal="≤ 1.2x",
        limit=1.2, unit="MB",
        note=f"ru_maxrss of the atoll process; the {ctx.shards_small}-shard run took "
             f"{small.seconds:.2f} s"))
    return rows
