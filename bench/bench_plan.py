"""Row 2: planning empty → the generated schema. atoll: evaluate HCL, decode, diff against an
empty Schema, plan (its `schema diff` path, parsing included because HCL is its input).
Alembic: `compare_metadata` on an empty SQLite file for the same schema as SQLAlchemy MetaData
(MetaData construction not timed). Each side runs once in a fresh interpreter.

Row 2b: the same when nothing changed: the database already holds the schema (built from
atoll's plan, not timed). atoll also connects and inspects it (its `schema apply` path);
Alembic compares the same file."""

from __future__ import annotations

import os
import time

import gen

ROW = "2"
TITLE = "Plan empty → schema"


def _load(path: str):
    """atoll's planning functions, lazy imports done (before the clock), and the HCL text."""
    from atoll.dialects.sqlite import DIALECT
    from atoll.hcl.schema_codec import decode_schema
    from atoll.hcl.schema_eval import evaluate_schema_files
    import atoll.dialects.sqlite.inspect  # noqa: F401
    import atoll.dialects.sqlite.plan  # noqa: F401
    import atoll.dialects.sqlite.diff_rules  # noqa: F401
    import atoll.schema.diff  # noqa: F401

    with open(path, encoding="utf-8") as fh:
        return DIALECT, decode_schema, evaluate_schema_files, fh.read()


def child_atoll(path: str) -> dict:
    from atoll.schema.model import Schema

    DIALECT, decode_schema, evaluate_schema_files, text = _load(path)
    t0 = time.perf_counter()
    c0 = time.process_time()
    desired = decode_schema(evaluate_schema_files([(path, text)], {}))
    t1 = time.perf_counter()
    changes = DIALECT.diff(Schema(name="main"), desired)
    t2 = time.perf_counter()
    stmts = DIALECT.plan(changes)
    t3 = time.perf_counter()
    cpu = time.process_time() - c0
    return {"total": t3 - t0, "cpu": cpu, "parse": t1 - t0, "diff": t2 - t1, "plan": t3 - t2,
            "changes": len(changes), "statements": len(stmts)}


def child_atoll_same(path: str, db: str) -> dict:
    from atoll.urls import parse_url

    DIALECT, decode_schema, evaluate_schema_files, text = _load(path)
    t0 = time.perf_counter()
    c0 = time.process_time()
    desired = decode_schema(evaluate_schema_files([(path, text)], {}))
    t1 = time.perf_counter()
    conn = DIALECT.connect(parse_url(f"sqlite://{db}"))
    current = DIALECT.inspect(conn)
    t2 = time.perf_counter()
    stmts = DIALECT.plan(DIALECT.diff(current, desired))
    t3 = time.perf_counter()
    cpu = time.process_time() - c0
    conn.close()
    return {"total": t3 - t0, "cpu": cpu, "parse": t1 - t0, "inspect": t2 - t1,
            "diff": t3 - t2, "statements": len(stmts)}


def child_alembic(tables: int, db: str, fresh: bool = True) -> dict:
    import sqlalchemy as sa
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    md = gen.sqlalchemy_metadata(gen.schema_tables(tables))  # not timed
    if fresh and os.path.exists(db):
        os.remove(db)
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        t0 = time.perf_counter()
        c0 = time.process_time()
        diffs = compare_metadata(MigrationContext.configure(conn), md)
        cpu = time.process_time() - c0
        t1 = time.perf_counter()
    return {"total": t1 - t0, "cpu": cpu, "diffs": len(diffs)}


def run(ctx) -> list[dict]:
    path = ctx.schema_file()
    what = f"{TITLE} ({ctx.tables} tables)"
    try:
        a = gen.child("bench_plan", "child_atoll", path=path)
    except gen.NotAvailable as exc:
        return [gen.na_row(ROW, what, str(exc))]
    b = gen.child("bench_plan", "child_alembic", tables=ctx.tables,
                  db=gen.work("alembic_empty.db"))
    note = (f"atoll: parse+eval+decode {a['parse']:.3f} s, diff {a['diff']:.3f} s, plan "
            f"{a['plan']:.3f} s → {a['statements']} statements; Alembic compare_metadata → "
            f"{b['diffs']} diffs, MetaData construction excluded; one run each; CPU time "
            f"{a['cpu']:.3f} s vs {b['cpu']:.3f} s ({a['cpu'] / b['cpu']:.2f}x)")
    rows = [gen.ratio_row(ROW, what, a["total"], "Alembic compare_metadata", b["total"],
                          goal="≤ 0.12x", limit=0.12, note=note)]
    rows.append(_no_change(ctx, path))
    return rows


def _no_change(ctx, path: str) -> dict:
    what = f"Plan, no change ({ctx.tables} tables)"
    db = gen.work(f"plan_same_{ctx.tables}.db")
    try:
        built = gen.child("bench_inspect", "child_build", path=path, db=db, tables=ctx.tables)
        if built["tables"] != ctx.tables:
            raise gen.NotAvailable(f"built {built['tables']} tables, expected {ctx.tables}")
        a = gen.child("bench_plan", "child_atoll_same", path=path, db=db)
    except gen.NotAvailable as exc:
        return gen.na_row(ROW + "b", what, str(exc))
    if a["statements"]:
        return gen.na_row(ROW + "b", what, f"atoll planned {a['statements']} statements for a "
                                           "database that already holds the schema")
    b = gen.child("bench_plan", "child_alembic", tables=ctx.tables, db=db, fresh=False)
    note = (f"atoll: parse+eval+decode {a['parse']:.3f} s, connect+inspect {a['inspect']:.3f} s, "
            f"diff+plan {a['diff']:.3f} s → 0 statements; Alembic compare_metadata on the same "
            f"database → {b['diffs']} diffs (its false positives: REAL vs Float, foreign-key names "
            f"SQLite does not keep); one run each; CPU time {a['cpu']:.3f} s vs "
            f"{b['cpu']:.3f} s ({a['cpu'] / b['cpu']:.2f}x)")
    return gen.ratio_row(ROW + "b", what, a["total"], "Alembic compare_metadata", b["total"],
                         goal="≤ 0.12x", limit=0.12, note=note)
