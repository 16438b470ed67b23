"""Row 5: `migrate apply` of a 20-file migration directory (tables, added columns, indexes,
data inserts and updates; 6,550 inserted rows at full size) to one new SQLite file.

* floor: the same files through stdlib sqlite3, one transaction per file, in-process;
* atoll in-process: `atoll.migrate.apply(conn, DIALECT, load_dir(dir))`, connect included;
* atoll CLI: `atoll migrate apply --url sqlite://… --dir file://…` as a subprocess;
* yoyo: `yoyo apply --batch` on the same SQL files (its own directory layout), subprocess.

Each variant runs on a fresh database file; the median of `reps` runs is reported, and every
result database is checked against the floor's (row counts, object count)."""

from __future__ import annotations

import os
import statistics
import time

import gen

ROW = "5"
TITLE = "migrate apply, 1 DB"


def _fresh(db: str) -> str:
    for p in (db, db + "-journal"):
        if os.path.exists(p):
            os.remove(p)
    return db


def _floor_once(files: list[str], db: str) -> float:
    _fresh(db)
    gen.settle()
    t0 = time.perf_counter()
    gen.floor_apply(db, files)
    return time.perf_counter() - t0


def _atoll_once(dir: str, db: str) -> tuple[float, int]:
    from atoll.dialects.sqlite import DIALECT
    from atoll.migrate import apply, load_dir
    from atoll.urls import parse_url

    from atoll.dialects import sqlite as sqlite_dialect

    # Each repetition must split the files again, as a fresh process would.
    sqlite_dialect._split_cached.cache_clear()
    _fresh(db)
    gen.settle()
    t0 = time.perf_counter()
    conn = DIALECT.connect(parse_url(f"sqlite://{db}"))
    try:
        report = apply(conn, DIALECT, load_dir(dir))
    finally:
        conn.close()
    seconds = time.perf_counter() - t0
    if report.error:
        raise RuntimeError(f"atoll apply failed: {report.error}")
    return seconds, len(report.pending)


def child_inproc(dir: str, floor_db: str, atoll_db: str, reps: int) -> dict:
    """The floor and atoll's library call, interleaved (alternating which goes first) so
    both see the same disk and CPU conditions."""
    files = sorted(os.path.join(dir, n) for n in os.listdir(dir) if n.endswith(".sql"))
    floor, lib, errors = [], [], []
    try:
        import atoll.migrate.executor  # noqa: F401  (lazy imports before the clock)
        import atoll.dialects.sqlite.connection  # noqa: F401
    except ImportError as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    for i in range(reps):
        order = ("floor", "atoll") if i % 2 == 0 else ("atoll", "floor")
        for which in order:
            if which == "floor":
                floor.append(_floor_once(files, floor_db))
            elif not errors:
                try:
                    lib.append(_atoll_once(dir, atoll_db)[0])
                except Exception as exc:  # report, keep the floor
                    errors.append(f"{type(exc).__name__}: {exc}")
    return {"floor": floor, "atoll": lib, "error": errors[0][:200] if errors else "",
            "floor_check": list(gen.check_db(floor_db)),
            "atoll_check": list(gen.check_db(atoll_db)) if lib else []}


def run(ctx) -> list[dict]:
    files = gen.migration_files(ctx.apply_unit)
    adir = gen.write_atlas_dir(gen.work("apply", "atlas"), files)
    ydir = gen.write_yoyo_dir(gen.work("apply", "yoyo"), files)
    reps = ctx.apply_reps
    med = f"median of {reps}" if reps > 1 else "one run"
    size = (f"20 files, {sum(len(f.statements) for f in files):,} statements, "
            f"{sum(len(f.text) for f in files) / 1e3:.0f} kB")
    rows = []

    r = gen.child("bench_apply", "child_inproc", dir=adir, floor_db=gen.work("apply", "floor.db"),
                  atoll_db=gen.work("apply", "lib.db"), reps=reps)
    f_s = statistics.median(r["floor"])
    want = tuple(r["floor_check"])
    what = f"{TITLE}: atoll in-process"
    if r["error"]:
        rows.append(gen.na_row(ROW, what, r["error"]))
    elif tuple(r["atoll_check"]) != want:
        rows.append(gen.na_row(ROW, what, f"wrong result {r['atoll_check']}, floor has "
                                          f"{list(want)}"))
    else:
        rows.append(gen.ratio_row(ROW, what, statistics.median(r["atoll"]),
                                  "floor: sqlite3, 1 tx/file", f_s, goal="≤ 1.15x", limit=1.15,
                                  note=f"{size}; {med}, interleaved with the floor; same DB "
                                       "content as the floor"))

    # The two CLIs, interleaved too.
    cmds = {}
    try:
        atoll = gen.tool("atoll")
        cmds["atoll"] = lambda db: [atoll, "migrate", "apply", "--url", f"sqlite://{db}",
                                    "--dir", f"file://{adir}"]
    except gen.NotAvailable as exc:
        rows.append(gen.na_row(ROW, f"{TITLE}: atoll CLI", str(exc)))
    try:
        yoyo = gen.tool("yoyo")
        cmds["yoyo"] = lambda db: [yoyo, "apply", "--batch", "--no-config-file", "--database",
                                   f"sqlite:///{db}", ydir]
    except gen.NotAvailable as exc:
        rows.append(gen.na_row(ROW, f"{TITLE}: yoyo apply --batch", str(exc)))
    times: dict[str, list[float]] = {k: [] for k in cmds}
    failed: dict[str, str] = {}
    for i in range(reps):
        for name in (list(cmds) if i % 2 == 0 else list(cmds)[::-1]):
            if name in failed:
                continue
            db = _fresh(gen.work("apply", f"{name}.db"))
            t = gen.run_timed(cmds[name](db))
            if t.returncode:
                failed[name] = str(gen.failure(t, f"{name} apply"))
            elif gen.check_db(db) != want:
                failed[name] = f"wrong result {list(gen.check_db(db))}, floor has {list(want)}"
            else:
                times[name].append(t.seconds)
    c_s = statistics.median(times["atoll"]) if times.get("atoll") and "atoll" not in failed \
        else None
    y_s = statistics.median(times["yoyo"]) if times.get("yoyo") and "yoyo" not in failed \
        else None
    for name, why in failed.items():
        rows.append(gen.na_row(ROW, f"{TITLE}: {name} CLI", why))
    if c_s is not None:
        rows.append(gen.ratio_row(ROW, f"{TITLE}: atoll CLI", c_s, "floor: sqlite3, 1 tx/file",
                                  f_s, note=f"subprocess, {med}"))
    if c_s is not None and y_s is not None:
        rows.append(gen.ratio_row(ROW, f"{TITLE}: atoll CLI vs yoyo", c_s, "yoyo apply --batch",
                                  y_s, goal="< 1x (faster)", limit=1.0,
                                  note=f"both subprocesses, {med}, interleaved; yoyo ÷ floor "
                                       f"= {y_s / f_s:.1f}x"))
    elif y_s is not None:
        rows.append(gen.ratio_row(ROW, f"{TITLE}: yoyo apply --batch", y_s,
                                  "floor: sqlite3, 1 tx/file", f_s, note=f"subprocess, {med}"))
    return rows
