"""Run atoll's benchmarks and print one table of side-by-side ratios.

    .venv/bin/python bench/run.py              # full size (what `make bench` runs)
    .venv/bin/python bench/run.py --quick      # tiny sizes: a smoke test of the harness
    .venv/bin/python bench/run.py --only fleet # one benchmark (repeatable, or comma-separated)

Every benchmark runs independently: a row whose feature is missing prints
``not available: <reason>`` and the others still run. Results are also written to
``bench/.work/results.json``. See bench/README.md for what each row measures.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sqlite3
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen  # noqa: E402

# Order of the table. name → module
BENCHMARKS = {
    "hcl": "bench_hcl",
    "plan": "bench_plan",
    "inspect": "bench_inspect",
    "startup": "bench_startup",
    "apply": "bench_apply",
    "fleet": "bench_fleet",
    "lint": "bench_lint",
    "preflight": "bench_preflight",
    "noop": "bench_noop",
    "scale": "bench_scale",
}


class Context:
    """Sizes for one run. ``--quick`` shrinks every workload so the whole run takes seconds."""

    def __init__(self, quick: bool):
        self.quick = quick
        self.tables = 20 if quick else 1000          # rows 1-3: schema size
        self.startup_runs = 3 if quick else 20       # row 4
        self.apply_unit = 20 if quick else 1000      # row 5: data scale (1000 → 6,550 rows)
        self.apply_reps = 1 if quick else 5          # row 5: median of this many fresh runs
        self.shards = 4 if quick else 1000           # row 6
        self.shards_small = 2 if quick else 10       # row 6: memory baseline
        self.loop_sample = 2 if quick else 100       # row 6: process loops timed on a sample
        self.master_unit = 20 if quick else 1000     # row 6: master data scale
        self.shard_unit = 2 if quick else 10         # row 6: shard data scale
        self._schema: dict[int, str] = {}

    def schema_file(self) -> str:
        """The generated Atlas HCL schema (written once per run)."""
        n = self.tables
        if n not in self._schema:
            path = gen.work(f"schema_{n}.hcl")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(gen.schema_hcl(gen.schema_tables(n)))
            self._schema[n] = path
        return self._schema[n]


# --- rendering ---------------------------------------------------------------------------------

def fmt_value(v, unit: str = "s") -> str:
    if v is None:
        return "—"
    if unit == "MB":
        return f"{v:.1f} MB"
    if unit == "ms":
        return f"{v * 1000:.1f} ms"
    return f"{v:.3f} s" if v < 10 else f"{v:.1f} s"


def fmt_ratio(r) -> str:
    return "—" if r is None else f"{r:.2f}x"


def render(rows: list[dict]) -> str:
    head = ("#", "measurement", "atoll", "comparison", "theirs", "ratio", "goal", "met")
    body = []
    for r in rows:
        if r.get("na"):
            body.append((r["row"], r["what"], "not available: " + r["na"], "", "", "", "", ""))
            continue
        unit = r.get("unit", "s")
        met = r.get("met")
        body.append((
            r["row"], r["what"], fmt_value(r.get("secs"), unit), r.get("vs", "—") or "—",
            fmt_value(r.get("vs_secs"), unit) if r.get("vs") else "—",
            fmt_ratio(r.get("ratio")), r.get("goal", "") or "—",
            {True: "yes", False: "NO", None: "—"}[met],
        ))
    widths = [max(len(str(x[i])) for x in [head, *body] if not (x[2].startswith(
        "not available") and i >= 2)) for i in range(len(head))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(head, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for b in body:
        if b[2].startswith("not available"):
            lines.append("  ".join(str(x).ljust(w) for x, w in zip(b[:2], widths[:2]))
                         + "  " + b[2])
        else:
            lines.append("  ".join(str(x).ljust(w) for x, w in zip(b, widths)).rstrip())
    notes = [f"  [{r['row']}] {r['note']}" for r in rows if r.get("note") and not r.get("na")]
    if notes:
        lines += ["", "notes:", *notes]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    ap.add_argument("--only", action="append", default=[],
                    help=f"run only these benchmarks: {', '.join(BENCHMARKS)}")
    args = ap.parse_args(argv)
    only = [n for o in args.only for n in o.split(",") if n]
    unknown = [n for n in only if n not in BENCHMARKS]
    if unknown:
        ap.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    if args.quick:
        gen.WORK = os.environ["ATOLL_BENCH_WORK"] = os.path.join(gen.BENCH_DIR, ".work", "quick")
    os.makedirs(gen.WORK, exist_ok=True)
    ctx = Context(args.quick)
    print(f"atoll benchmarks ({'quick' if args.quick else 'full'} sizes) — Python "
          f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"{os.cpu_count()} CPUs", flush=True)
    rows: list[dict] = []
    started = time.perf_counter()
    for name, module_name in BENCHMARKS.items():
        if only and name not in only:
            continue
        t0 = time.perf_counter()
        print(f"… {name}", end="", flush=True)
        module = importlib.import_module(module_name)
        try:
            got = module.run(ctx)
        except gen.NotAvailable as exc:
            got = [{"row": module.ROW, "what": module.TITLE, "na": str(exc)}]
        except Exception as exc:  # a harness bug or an atoll crash: still print the row
            traceback.print_exc(file=sys.stderr)
            got = [{"row": module.ROW, "what": module.TITLE,
                    "na": f"benchmark error: {type(exc).__name__}: {exc}"[:200]}]
        print(f" {time.perf_counter() - t0:.1f} s", flush=True)
        rows += got
    if args.quick:
        print("\nquick sizes: a smoke test of the harness; the goals are about full sizes only")
    print(f"\ntotal bench time {time.perf_counter() - started:.0f} s; ratio = atoll ÷ "
          "comparison (below 1 = atoll faster/smaller)\n")
    print(render(rows))
    with open(gen.work("results.json"), "w", encoding="utf-8") as fh:
        json.dump({"quick": args.quick, "rows": rows}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
