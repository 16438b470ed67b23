"""Report texts and JSON built from fixed data, and the Go-compatibility helpers."""

from __future__ import annotations

import json

import pytest

from atoll.gotext import go_json, go_quote, go_quote_rune
from atoll.migrate import go_duration, parse_go_duration
from atoll.migrate.directory import MigrationFile
from atoll.migrate.report import (
    AppliedFile,
    ApplyReport,
    GoTime,
    RevisionOp,
    SetReport,
    StatusReport,
    StmtError,
    apply_data,
    go_url_json,
    render_apply,
    render_set,
    render_status,
)
from atoll.migrate.revisions import Revision, type_name

MS = 1_000_000
T0 = GoTime(1_705_363_200_000_000_000)  # 2024-01-16T00:00:00Z


def at(ms: float) -> GoTime:
    return GoTime(T0.unix_ns + int(ms * MS))


FILES = [MigrationFile(f"2024011600000{i}.sql", b"") for i in (1, 2, 3)]


def test_apply_template_single_file():
    r = ApplyReport(start=T0, end=at(10))
    assert render_apply(r) == "No migration files to execute\n"
    r.pending, r.target = FILES[:1], FILES[0].version
    r.applied = [AppliedFile(FILES[0], T0, at(5), applied=[
        "CREATE TABLE users (id int NOT NULL);", "CREATE TABLE posts (id int NOT NULL);"])]
    assert render_apply(r) == (
        "Migrating to version 20240116000001 (1 migrations in total):\n\n"
        "  -- migrating version 20240116000001\n"
        "    -> CREATE TABLE users (id int NOT NULL);\n"
        "    -> CREATE TABLE posts (id int NOT NULL);\n"
        "  -- ok (5ms)\n\n"
        "  -------------------------\n"
        "  -- 10ms\n"
        "  -- 1 migration\n"
        "  -- 2 sql statements\n")


def test_apply_template_with_error():
    r = ApplyReport(start=T0, end=at(10), pending=FILES[1:], current=FILES[0].version,
                    target=FILES[2].version)
    r.applied = [
        AppliedFile(FILES[1], T0, at(1), applied=["CREATE TABLE t1 (id int NOT NULL);",
                                                  "CREATE TABLE t2 (id int NOT NULL);"]),
        AppliedFile(FILES[2], T0, at(2), applied=["CREATE TABLE t3 (id int NOT NULL);",
                                                  "CREATE TABLE t4 (id int NOT NULL);"],
                    error=StmtError("CREATE TABLE t4 (id int NOT NULL);",
                                    "table t4 already exists")),
    ]
    r.error = "sql/migrate: executing statement ..."
    assert render_apply(r) == (
        "Migrating to version 20240116000003 from 20240116000001 (2 migrations in total):\n\n"
        "  -- migrating version 20240116000002\n"
        "    -> CREATE TABLE t1 (id int NOT NULL);\n"
        "    -> CREATE TABLE t2 (id int NOT NULL);\n"
        "  -- ok (1ms)\n\n"
        "  -- migrating version 20240116000003\n"
        "    -> CREATE TABLE t3 (id int NOT NULL);\n"
        "    -> CREATE TABLE t4 (id int NOT NULL);\n"
        "    table t4 already exists\n\n"
        "  -------------------------\n"
        "  -- 10ms\n"
        "  -- 1 migration ok, 1 with errors\n"
        "  -- 3 sql statements ok, 1 with errors\n")
    assert r.summary("  ") == ("-- 10ms\n  -- 1 migration ok, 1 with errors\n"
                               "  -- 3 sql statements ok, 1 with errors")
    data = apply_data(r)
    assert "Message" not in data and data["Error"] == r.error
    assert data["Applied"][1]["Error"] == {"Stmt": "CREATE TABLE t4 (id int NOT NULL);",
                                           "Text": "table t4 already exists"}
    colored = render_apply(r, color=True)
    assert "\x1b[97;101mtable t4 already exists\x1b[0m" in colored
    assert "\x1b[36m20240116000003\x1b[0m" in colored


def test_apply_template_error_before_files():
    r = ApplyReport(start=T0, end=at(10), pending=FILES[1:], current=FILES[0].version,
                    target=FILES[2].version,
                    error="sql/migrate: scanning statements from \"20240116000003.sql\": "
                          "5:115: unclosed quote '\\''")
    assert render_apply(r) == (
        "Migrating to version 20240116000003 from 20240116000001 (2 migrations in total):\n\n"
        "    sql/migrate: scanning statements from \"20240116000003.sql\": 5:115: unclosed "
        "quote '\\''\n\n"
        "  -------------------------\n"
        "  -- 10ms\n")
    r.end = None  # an error Atlas does not log: Go's minimum duration
    assert "  -- -2562047h47m16.854775808s\n" in render_apply(r)


def test_plural_rules():
    f = FILES[0]
    r = ApplyReport(start=T0, end=at(1), pending=[f, f], target="x",
                    applied=[AppliedFile(f, T0, at(1), applied=["a", "b"]),
                             AppliedFile(f, T0, at(1), applied=["c"], error=StmtError("c", "e"))])
    assert render_apply(r).endswith("  -- 1 migration ok, 1 with errors\n"
                                     "  -- 2 sql statements ok, 1 with errors\n")
    r.applied = [AppliedFile(f, T0, at(1), applied=["c"], error=StmtError("c", "e"))] * 2
    assert render_apply(r).endswith("  -- 2 migrations with errors\n"
                                    "  -- 2 sql statements with errors\n")


def test_set_template():
    # TestMigrateSet.
    assert render_set(SetReport()) == ""
    r = SetReport(current=Revision("1"))
    assert render_set(r) == ""
    r.revisions = [RevisionOp(Revision("2"), "remove"),
                   RevisionOp(Revision("3", "desc"), "remove")]
    assert render_set(r) == "Current version is 1 (2 removed):\n\n  - 2\n  - 3 (desc)\n\n"
    r.revisions.append(RevisionOp(Revision("1.1", "desc"), "set"))
    assert render_set(r) == ("Current version is 1 (1 set, 2 removed):\n\n  + 1.1 (desc)\n"
                             "  - 2\n  - 3 (desc)\n\n")
    r = SetReport(revisions=[RevisionOp(Revision("2"), "remove"),
                             RevisionOp(Revision("3", "desc"), "remove")])
    assert render_set(r) == "All revisions deleted (2 in total):\n\n  - 2\n  - 3 (desc)\n\n"


def test_status_template_checkpoint_and_json():
    ck = MigrationFile("1_ck.sql", b"-- atlas:checkpoint\n\nSELECT 1;")
    r = StatusReport(available=[ck], pending=[ck], current="No migration applied yet",
                     next="1", status="PENDING")
    assert "  -- Next Version:    1 (checkpoint)\n" in render_status(r)
    rev = Revision("1", "d", 2, 1, 2, T0, 1500, "boom", "X;", "h", None, "op")
    r = StatusReport(applied=[rev], current="1", next="1", status="PENDING", count=1, total=2,
                     error="boom", sql="X;", pending=[ck])
    assert json.loads(go_json({"Applied": [rev.to_json()]}))["Applied"][0] == {
        "Version": "1", "Description": "d", "Type": "applied", "Applied": 1, "Total": 2,
        "ExecutedAt": "2024-01-16T00:00:00Z", "ExecutionTime": 1500, "Error": "boom",
        "ErrorStmt": "X;", "OperatorVersion": "op"}
    assert "(checkpoint)" not in render_status(r)


@pytest.mark.parametrize("t,name", [(1, "baseline"), (2, "applied"), (4, "manually set"),
                                    (6, "applied + manually set"), (3, "unknown (0011)"),
                                    (8, "unknown (1000)")])
def test_revision_type_names(t, name):
    assert type_name(t) == name


@pytest.mark.parametrize("ns,text", [
    (0, "0s"), (850, "850ns"), (812_500, "812.5µs"), (1_204_000, "1.204ms"), (5 * MS, "5ms"),
    (2_300_000_000, "2.3s"), (62_500_000_000, "1m2.5s"), (3_723_004_000_000, "1h2m3.004s"),
    (3_600_000_000_000, "1h0m0s"), (-1500, "-1.5µs"), (-(1 << 63), "-2562047h47m16.854775808s"),
])
def test_go_duration(ns, text):
    assert go_duration(ns) == text
    if ns > -(1 << 63):
        assert parse_go_duration(text) == ns


def test_go_quote():
    assert go_quote("CREATE TABLE t (\n  c int\n);") == '"CREATE TABLE t (\\n  c int\\n);"'
    assert go_quote('a"b\\c\td\x01\x7f\u00a0é\U0001F600') == \
        '"a\\"b\\\\c\\td\\x01\\x7f\\u00a0é\U0001F600"'
    assert go_quote(b"\xff".decode("utf-8", "surrogateescape")) == '"\\xff"'
    assert [go_quote_rune(c) for c in "'\"`"] == ["'\\''", "'\"'", "'`'"]


def test_go_json_and_times():
    assert go_json({"a": "<&>\u2028", "b": [1, None, True], "c": "é\n"}) == \
        '{"a":"\\u003c\\u0026\\u003e\\u2028","b":[1,null,true],"c":"é\\n"}'
    t = GoTime.parse("2025-01-02 03:04:05.1234567+00:00")
    assert t.rfc3339() == "2025-01-02T03:04:05.1234567Z"
    assert t.sqlite_text() == "2025-01-02 03:04:05.1234567+00:00"
    t = GoTime.parse("2025-01-02T03:04:05+09:00")
    assert t.rfc3339() == "2025-01-02T03:04:05+09:00"
    assert t.sqlite_text() == "2025-01-02 03:04:05+09:00"
    assert GoTime.parse("2025-01-02 03:04:05Z").unix_ns == GoTime.parse(
        "2025-01-02T12:04:05+09:00").unix_ns
    assert GoTime.parse("garbage") is None and GoTime.parse(None) is None
    assert go_url_json("sqlite:///abs/app.db")["Path"] == "/abs/app.db"
    u = go_url_json("sqlite://file:/abs/app.db?cache=shared&_fk=1")
    assert (u["Host"], u["Path"], u["RawQuery"]) == ("file:", "/abs/app.db", "cache=shared&_fk=1")
