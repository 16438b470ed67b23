"""Row 1: HCL parse + evaluate + decode of the generated N-table schema (in-process, in a
fresh interpreter; imports done before the clock starts)."""

from __future__ import annotations

import time

import gen

ROW = "1"
TITLE = "HCL parse+evaluate+decode"


def child_eval(path: str) -> dict:
    from atoll.hcl.schema_codec import decode_schema
    from atoll.hcl.schema_eval import evaluate_schema_files

    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    t0 = time.perf_counter()
    doc = evaluate_schema_files([(path, text)], {})
    t1 = time.perf_counter()
    schema = decode_schema(doc)
    t2 = time.perf_counter()
    return {"eval": t1 - t0, "decode": t2 - t1, "tables": len(schema.tables),
            "indexes": sum(len(t.indexes) for t in schema.tables),
            "fks": sum(len(t.foreign_keys) for t in schema.tables)}


def run(ctx) -> list[dict]:
    path = ctx.schema_file()
    size = sum(1 for _ in open(path, "rb")), len(open(path, "rb").read())
    r = gen.child("bench_hcl", "child_eval", path=path)
    if (r["tables"], r["indexes"], r["fks"]) != (ctx.tables, 2 * ctx.tables, ctx.tables):
        raise gen.NotAvailable(f"decoded {r['tables']} tables/{r['indexes']} indexes/"
                               f"{r['fks']} FKs, expected {ctx.tables}/{2 * ctx.tables}/"
                               f"{ctx.tables}")
    what = f"{TITLE} ({ctx.tables}×15 cols×2 idx)"
    note = (f"{size[1] / 1e6:.2f} MB, {size[0]:,} lines; evaluate_schema_files "
            f"{r['eval']:.3f} s + decode_schema {r['decode']:.3f} s; one run, no peer "
            "(notes/deps.md: python-hcl2 loads 20.8 s)")
    return [gen.ratio_row(ROW, what, r["eval"] + r["decode"], "", None, note=note)]
