"""Row 14: how a fleet run scales. One `atoll migrate apply` over N fresh shards (no master)
of 5 migration files each (the first five of row 6's shard history: four tables and their
first rows), for N = 100, 1,000 and 10,000, as whole processes: the time per shard should
stay flat and the peak memory (`ru_maxrss`) should not grow with N. The time per shard is
the marginal one: (time at N − time of the same run over 1 shard, best of 3) / (N − 1), so
the interpreter's start-up and the config's evaluation are not spread over the shards."""

from __future__ import annotations

import os
import shutil
import sqlite3

import gen

ROW = "14"
TITLE = "Fleet scale, 5 files per shard"


def _fleet(n: int, sdir: str) -> gen.Timed:
    base = gen.fresh_dir(gen.work("scale", str(n)))
    os.makedirs(os.path.join(base, "shards"))
    shards = [os.path.join(base, "shards", f"shard_{i:05d}.db") for i in range(1, n + 1)]
    names = ",\n    ".join(f'"shard_{i:05d}"' for i in range(1, n + 1))
    cfg = os.path.join(base, "atlas.hcl")
    with open(cfg, "w", encoding="utf-8") as fh:
        fh.write(f'locals {{\n  home = "{base}/shards"\n}}\n\nenv "fleet" {{\n'
                 f'  for_each = toset([\n    {names}\n  ])\n'
                 '  url = "sqlite://${local.home}/${each.value}.db"\n'
                 f'  migration {{\n    dir = "file://{sdir}"\n  }}\n}}\n')
    t = gen.run_rss([gen.tool("atoll"), "migrate", "apply", "--config", f"file://{cfg}",
                     "--env", "fleet"], cwd=base, timeout=1800)
    if t.returncode:
        raise gen.failure(t, f"atoll migrate apply over {n} shards")
    if n > 1 and f"{n} database(s): {n} ok" not in t.stdout:
        raise gen.NotAvailable(f"{n} shards: {t.stdout.strip().splitlines()[-1][:120]}")
    want = _content(shards[0])
    for db in (shards[len(shards) // 2], shards[-1]):
        if _content(db) != want or not want[0]:
            raise gen.NotAvailable(f"{os.path.basename(db)} differs from the first shard")
    shutil.rmtree(os.path.join(base, "shards"), ignore_errors=True)
    return t


def _content(path: str) -> tuple:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM "
                           "sqlite_master), (SELECT count(*) FROM atlas_schema_revisions)"
                           ).fetchone()
    finally:
        con.close()


def run(ctx) -> list[dict]:
    sizes = (4, 16, 64) if ctx.quick else (100, 1000, 10000)
    files = gen.migration_files(ctx.shard_unit)[:5]
    sdir = gen.write_atlas_dir(gen.work("scale", "dir"), files)
    one = min((_fleet(1, sdir) for _ in range(3)), key=lambda t: t.seconds)
    runs = {n: _fleet(n, sdir) for n in sizes}
    small, mid, big = sizes
    per = {n: (runs[n].seconds - one.seconds) / (n - 1) for n in sizes}
    rss = {n: runs[n].maxrss_kb / 1024 for n in sizes}
    note = (f"one process per size, --parallel 8; 1 shard: {one.seconds:.2f} s; per shard: "
            + ", ".join(
        f"{n:,} → {per[n] * 1000:.2f} ms ({runs[n].seconds:.1f} s, {rss[n]:.1f} MB)"
        for n in sizes) + "; goal: per-shard time within ±20 % of the 100-shard run")
    rows = [
        gen.ratio_row(ROW, f"{TITLE}: time per shard, {mid:,} vs {small:,}", per[mid],
                      f"{small:,} shards", per[small], goal="0.8x-1.2x", note=note, unit="ms"),
        gen.ratio_row(ROW, f"{TITLE}: time per shard, {big:,} vs {small:,}", per[big],
                      f"{small:,} shards", per[small], goal="0.8x-1.2x", unit="ms"),
        gen.ratio_row(ROW, f"{TITLE}: peak RSS, {big:,} vs {small:,} shards", rss[big],
                      f"{small:,} shards", rss[small], goal="≤ 1.2x", limit=1.2, unit="MB"),
    ]
    for r in rows[:2]:
        r["met"] = 0.8 <= r["ratio"] <= 1.2
    return rows
