"""Row 3: `schema inspect` of the N-table database built from the row-1 schema (atoll's plan,
executed with plain sqlite3 in one transaction; building is not timed). Measured once each:
the CLI as a subprocess (start-up, inspect, HCL encoding, printing), and in-process
inspect + encode. Peer: SQLAlchemy `MetaData.reflect()` of the same database (what Alembic
does before it compares), in-process."""

from __future__ import annotations

import os
import sqlite3
import time

import gen

ROW = "3"
TITLE = "schema inspect"


def child_build(path: str, db: str, tables: int) -> dict:
    """The database to inspect: atoll's plan when it works, the generator's DDL otherwise."""
    source = "atoll plan"
    try:
        from atoll.dialects.sqlite import DIALECT
        from atoll.hcl.schema_codec import decode_schema
        from atoll.hcl.schema_eval import evaluate_schema_files
        from atoll.schema.model import Schema

        with open(path, encoding="utf-8") as fh:
            desired = decode_schema(evaluate_schema_files([(path, fh.read())], {}))
        stmts = [s.sql for s in DIALECT.plan(DIALECT.diff(Schema(name="main"), desired))]
    except Exception as exc:  # planner not there: same schema from the generator
        source = f"generator DDL ({type(exc).__name__})"
        stmts = gen.schema_sql(gen.schema_tables(tables))
    if os.path.exists(db):
        os.remove(db)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("BEGIN")
    for s in stmts:
        con.execute(s)
    con.execute("COMMIT")
    n = con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    con.close()
    return {"source": source, "tables": n}


def child_atoll(db: str) -> dict:
    from atoll.dialects.sqlite import DIALECT
    from atoll.hcl.schema_codec import encode_schema
    from atoll.urls import parse_url
    import atoll.dialects.sqlite.inspect  # noqa: F401  (lazy import before the clock)

    t0 = time.perf_counter()
    conn = DIALECT.connect(parse_url(f"sqlite://{db}"))
    schema = DIALECT.inspect(conn)
    t1 = time.perf_counter()
    text = encode_schema(schema)
    t2 = time.perf_counter()
    conn.close()
    return {"inspect": t1 - t0, "encode": t2 - t1, "tables": len(schema.tables),
            "chars": len(text)}


def child_reflect(db: str) -> dict:
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{db}")
    md = sa.MetaData()
    t0 = time.perf_counter()
    md.reflect(engine)
    t1 = time.perf_counter()
    return {"total": t1 - t0, "tables": len(md.tables)}


def run(ctx) -> list[dict]:
    db = gen.work(f"inspect_{ctx.tables}.db")
    built = gen.child("bench_inspect", "child_build", path=ctx.schema_file(), db=db,
                      tables=ctx.tables)
    if built["tables"] != ctx.tables:
        raise gen.NotAvailable(f"built {built['tables']} tables, expected {ctx.tables}")
    rows = []
    what_cli = f"{TITLE} CLI, {ctx.tables} tables (subprocess)"
    try:
        t = gen.run_timed([gen.tool("atoll"), "schema", "inspect", "--url", f"sqlite://{db}"])
        if t.returncode:
            raise gen.failure(t, "atoll schema inspect")
        got = t.stdout.count('\ntable "') + t.stdout.startswith('table "')
        if got != ctx.tables:
            raise gen.NotAvailable(f"printed {got} tables, expected {ctx.tables}")
        rows.append(gen.ratio_row(ROW, what_cli, t.seconds, "", None,
                                  note=f"DB built by {built['source']}; CLI printed "
                                       f"{len(t.stdout) / 1e6:.2f} MB of HCL; one run"))
    except gen.NotAvailable as exc:
        rows.append(gen.na_row(ROW, what_cli, str(exc)))
    what_lib = f"{TITLE} in-process (inspect+encode)"
    ref = gen.child("bench_inspect", "child_reflect", db=db)
    try:
        a = gen.child("bench_inspect", "child_atoll", db=db)
        rows.append(gen.ratio_row(
            ROW, what_lib, a["inspect"] + a["encode"], "SQLAlchemy MetaData.reflect",
            ref["total"], note=f"in-process: inspect {a['inspect']:.3f} s + encode "
                               f"{a['encode']:.3f} s; reflect found {ref['tables']} tables; "
                               "one run each"))
    except gen.NotAvailable as exc:
        rows.append(gen.na_row(ROW, what_lib, str(exc)))
    return rows
