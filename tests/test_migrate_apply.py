"""`migrate apply` on real SQLite files: reports, transactions, resume, baseline, orders."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from atoll.migrate.revisions import RevisionStore

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "migrate"))
from migsupport import FIXTURES, make_dir, normalize, open_db, rows, tables

from atoll.errors import ChecksumError, MigrationError
from atoll.migrate import apply, apply_data, apply_json, hash_dir, render_apply, status
from atoll.migrate.executor import (
    HistoryNonLinearError,
    MissingMigrationError,
    NotCleanError,
)

USERS = ("CREATE TABLE `users` (\n  `id` integer NOT NULL,\n  `age` integer NOT NULL,\n"
         "  `name` TEXT NOT NULL,\n  PRIMARY KEY (`id`)\n);\n")
PETS = "CREATE TABLE `pets` (`id` integer NOT NULL, `name` TEXT NOT NULL, PRIMARY KEY (`id`));\n"
BROKEN = "CREATE TABLE `broken` (`id` integer);\nTHIS IS A FAILING STATEMENT;\n"


def fixture_dir(tmp_path: Path, name: str) -> Path:
    dst = tmp_path / "migrations"
    shutil.copytree(FIXTURES / "sums" / name, dst)
    return dst


def sql_of(conn, table: str) -> str:
    return conn.query("SELECT sql FROM sqlite_master WHERE name = ?", (table,))[0][0]


def clear(conn) -> None:
    for t in tables(conn):
        conn.execute(f"DROP TABLE `{t}`")


# -- the cli-migrate-apply scenario -------------------------------------------------------------


def test_apply_all_then_one_by_one(tmp_path):
    d = make_dir(tmp_path, {"1_first.sql": USERS, "2_second.sql": PETS})
    conn, dialect = open_db(tmp_path / "app.db")
    r = apply(conn, dialect, d)
    assert r.ok and r.error is None
    assert normalize(render_apply(r)) == (
        "Migrating to version 2 (2 migrations in total):\n\n"
        "  -- migrating version 1\n"
        "    -> CREATE TABLE `users` (\n"
        "         `id` integer NOT NULL,\n"
        "         `age` integer NOT NULL,\n"
        "         `name` TEXT NOT NULL,\n"
        "         PRIMARY KEY (`id`)\n"
        "       );\n"
        "  -- ok («d»)\n\n"
        "  -- migrating version 2\n"
        "    -> CREATE TABLE `pets` (`id` integer NOT NULL, `name` TEXT NOT NULL, "
        "PRIMARY KEY (`id`));\n"
        "  -- ok («d»)\n\n"
        "  -------------------------\n"
        "  -- «d»\n"
        "  -- 2 migrations\n"
        "  -- 2 sql statements\n")
    assert sql_of(conn, "users") == USERS.strip().rstrip(";")
    assert sql_of(conn, "pets") == PETS.strip().rstrip(";")
    r = apply(conn, dialect, d, amount=1)
    assert render_apply(r) == "No migration files to execute\n"
    assert r.current == "2" and r.message == "No migration files to execute"

    clear(conn)
    r = apply(conn, dialect, d, amount=1)
    assert render_apply(r).startswith("Migrating to version 1 (1 migrations in total):\n")
    r = apply(conn, dialect, d, amount=1)
    assert render_apply(r).startswith("Migrating to version 2 from 1 (1 migrations in total):\n")
    assert render_apply(apply(conn, dialect, d, amount=1)) == "No migration files to execute\n"
    assert tables(conn) == ["atlas_schema_revisions", "pets", "users"]


def test_tx_mode_all_file_none(tmp_path):
    d = make_dir(tmp_path, {"1_first.sql": USERS, "2_second.sql": PETS, "3_third.sql": BROKEN})
    conn, dialect = open_db(tmp_path / "app.db")
    msg = ('sql/migrate: executing statement "THIS IS A FAILING STATEMENT;" from version "3": '
           'near "THIS": syntax error')

    r = apply(conn, dialect, d, tx_mode="all")
    assert r.error == msg
    assert tables(conn) == ["atlas_schema_revisions"]
    assert rows(conn) == []
    # One file after the rollback, then "all" fails again and keeps only that file.
    assert apply(conn, dialect, d, amount=1).ok
    assert tables(conn) == ["atlas_schema_revisions", "users"]
    assert apply(conn, dialect, d, tx_mode="all").error == msg
    assert tables(conn) == ["atlas_schema_revisions", "users"]
    assert [r[0] for r in rows(conn)] == ["1"]

    clear(conn)
    r = apply(conn, dialect, d, tx_mode="file")
    assert r.error == msg and isinstance(r.exception, MigrationError)
    assert tables(conn) == ["atlas_schema_revisions", "pets", "users"]
    # The failed file's statements were rolled back; its row records the failure (nothing
    # applied, the error and the statement), so status can say what went wrong.
    assert [x[0] for x in rows(conn)] == ["1", "2", "3"]
    assert rows(conn)[-1][3:6] == (0, 2, 'near "THIS": syntax error')
    assert normalize(render_apply(r)).endswith(
        "  -- migrating version 3\n"
        "    -> CREATE TABLE `broken` (`id` integer);\n"
        "    -> THIS IS A FAILING STATEMENT;\n"
        "    near \"THIS\": syntax error\n\n"
        "  -------------------------\n"
        "  -- «d»\n"
        "  -- 2 migrations ok, 1 with errors\n"
        "  -- 3 sql statements ok, 1 with errors\n")

    clear(conn)
    r = apply(conn, dialect, d, tx_mode="none")
    assert r.error == msg
    assert tables(conn) == ["atlas_schema_revisions", "broken", "pets", "users"]
    stmt1 = "CREATE TABLE `broken` (`id` integer);"
    h1 = base64.b64encode(hashlib.sha256(stmt1.encode()).digest()).decode()
    assert rows(conn)[-1] == ("3", "third", 2, 1, 2, 'near "THIS": syntax error',
                              "THIS IS A FAILING STATEMENT;",
                              hash_dir(d).sum_by_name("3_third.sql"),
                              f'["h1:{h1}"]'.encode())


def test_invalid_tx_mode(tmp_path):
    d = make_dir(tmp_path, {"1_first.sql": USERS})
    conn, dialect = open_db(tmp_path / "app.db")
    r = apply(conn, dialect, d, tx_mode="invalid")
    assert r.error == 'unknown tx-mode "invalid"'
    assert render_apply(r) == (
        "Migrating to version 1 (1 migrations in total):\n\n"
        "    unknown tx-mode \"invalid\"\n\n"
        "  -------------------------\n"
        "  -- -2562047h47m16.854775808s\n")
    assert tables(conn) == ["atlas_schema_revisions"]
    assert apply(conn, dialect, d, tx_mode="invalid", dry_run=True).ok  # not checked then
    assert apply(conn, dialect, d).ok
    assert apply(conn, dialect, d, tx_mode="invalid").ok  # nothing pending: not checked


# -- failing statement, resume, history (TestMigrate_Apply with testdata/sqlite2) ---------------


def test_fail_resume_and_history(tmp_path):
    d = fixture_dir(tmp_path, "cmd-sqlite2")
    first_hash = hash_dir(d).sum_by_name("20220318104615_second.sql")
    conn, dialect = open_db(tmp_path / "app.db")
    r = apply(conn, dialect, d)
    out = render_apply(r)
    assert "20220318104614" in out and "CREATE TABLE tbl (`col` int NOT NULL);" in out
    assert "ALTER TABLE `tbl` ADD `col_2` bigint;" in out
    assert "asdasd ALTER TABLE `tbl` ADD `col_3` bigint;" in out and "col_4" not in out
    assert "-- 1 migration ok, 1 with errors" in out
    assert "-- 2 sql statements ok, 1 with errors" in out
    assert 'near "asdasd": syntax error' in out
    assert [c[1] for c in conn.query("PRAGMA table_info(tbl)")] == ["col"]
    assert [x[:6] for x in rows(conn)][1] == ("20220318104615", "second", 2, 0, 3,
                                             'near "asdasd": syntax error')

    r = apply(conn, dialect, d)
    out = render_apply(r)
    # The recorded failure makes the file the current (partial) revision, as a failure in
    # tx-mode none does in Atlas.
    assert out.startswith("Migrating to version 20220318104615 from 20220318104615 "
                          "(1 migrations in total):")
    assert "CREATE TABLE tbl" not in out and "col_4" not in out
    assert "-- 1 migration with errors" in out and "-- 1 sql statement ok, 1 with errors" in out

    r = apply(conn, dialect, d, tx_mode="none")
    assert r.error.endswith('near "asdasd": syntax error')
    row = rows(conn)[-1]
    assert row[:5] == ("20220318104615", "second", 2, 1, 3)
    assert row[5] == 'near "asdasd": syntax error'
    assert [c[1] for c in conn.query("PRAGMA table_info(tbl)")] == ["col", "col_2"]
    st = status(conn, dialect, d)
    assert (st.count, st.total, st.sql) == (1, 3, "asdasd ALTER TABLE `tbl` ADD `col_3` bigint;")

    # Editing an applied statement is refused.
    second = d / "20220318104615_second.sql"
    original = second.read_text()
    second.write_text(original.replace("col_2", "col_5"))
    hash_dir(d)
    r = apply(conn, dialect, d)
    assert r.error == ('sql/migrate: history changed: statement 1 from file '
                       '"20220318104615_second.sql" changed')
    assert "history changed" in render_apply(r)

    # Fixed: the next run resumes at statement 2.
    second.write_text(original.replace("asdasd ", ""))
    hash_dir(d)
    r = apply(conn, dialect, d)
    assert r.ok, r.error
    out = render_apply(r)
    assert "20220318104615" in out and "col_2" not in out
    assert "ALTER TABLE `tbl` ADD `col_3` bigint;" in out and "col_4" in out
    assert "(1 migrations in total)" in out and "syntax error" not in out
    data = apply_data(r)
    assert data["Applied"][0]["Skipped"] == 1 and len(data["Applied"][0]["Applied"]) == 2
    row = rows(conn)[-1]
    # The row of the first attempt is reused; it ends with the hash of the text that
    # completed it (Atlas keeps the first attempt's).
    assert row[3:9] == (3, 3, "", "", hash_dir(d).sum_by_name("20220318104615_second.sql"),
                        b"null")
    assert row[7] != first_hash
    assert [c[1] for c in conn.query("PRAGMA table_info(tbl)")] == ["col", "col_2", "col_3",
                                                                  "col_4"]
    assert render_apply(apply(conn, dialect, d)) == "No migration files to execute\n"


def test_dry_run_changes_nothing(tmp_path):
    d = fixture_dir(tmp_path, "cmd-sqlite")
    conn, dialect = open_db(tmp_path / "app.db")
    assert apply(conn, dialect, d, amount=1).ok
    before = rows(conn)
    r = apply(conn, dialect, d, amount=1, dry_run=True)
    out = render_apply(r)
    assert "20220318104615" in out and "ALTER TABLE `tbl` ADD `col_2` bigint;" in out
    assert rows(conn) == before
    assert [c[1] for c in conn.query("PRAGMA table_info(tbl)")] == ["col"]
    # A dry run changes nothing, not even the revisions table (Atlas creates it).
    conn2, _ = open_db(tmp_path / "fresh.db")
    assert apply(conn2, dialect, d, dry_run=True).ok
    assert tables(conn2) == []


def test_fake_revisions(tmp_path):
    d = fixture_dir(tmp_path, "cmd-sqlite")
    conn, dialect = open_db(tmp_path / "app.db")
    RevisionStore(conn, dialect).migrate()  # create the table
    ins = ("INSERT INTO atlas_schema_revisions (version, description, type, applied, total, "
           "executed_at, execution_time, hash, operator_version) VALUES (?, ?, 2, ?, ?, "
           "'2024-01-01 00:00:00+00:00', 0, '', 'test')")
    conn.execute(ins, ("zzz", "", 0, 0))
    assert render_apply(apply(conn, dialect, d)) == "No migration files to execute\n"
    conn.execute("DELETE FROM atlas_schema_revisions")
    conn.execute(ins, ("1", "", 0, 0))
    r = apply(conn, dialect, d)
    assert [f.version for f in r.applied] == ["20220318104614", "20220318104615"]
    conn.execute("DELETE FROM atlas_schema_revisions")
    conn.execute(ins, ("z", "z", 0, 1))
    with pytest.raises(MissingMigrationError, match=r'^sql/migrate: missing migration: revision '
                                                    r'"z_z.sql" is partially applied but '
                                                    r'migration file was not found$'):
        apply(conn, dialect, d)
    # The cloud identifier row is not a revision.
    conn.execute("DELETE FROM atlas_schema_revisions")
    conn.execute(ins, (".atlas_cloud_identifier", "", 0, 0))
    clear_user = [t for t in tables(conn) if t != "atlas_schema_revisions"]
    for t in clear_user:
        conn.execute(f"DROP TABLE {t}")
    assert len(apply(conn, dialect, d).applied) == 2


def test_skips_files_at_or_below_last_revision(tmp_path):
    d = make_dir(tmp_path, {"20220318104614_initial.sql": "CREATE TABLE tbl (c int);",
                            "20220318104616_second.sql": "ALTER TABLE tbl ADD col_2 int;"})
    conn, dialect = open_db(tmp_path / "app.db")
    apply(conn, dialect, d, amount=1)
    conn.execute("INSERT INTO atlas_schema_revisions VALUES ('20220318104615', 'fake', 2, 0, 0, "
                 "'2024-01-01 00:00:00+00:00', 0, '', '', '', NULL, 'x')")
    r = apply(conn, dialect, d)
    assert [f.version for f in r.applied] == ["20220318104616"]


# -- foreign keys and tx-mode directives (TestMigrate_ApplyTxMode*) ------------------------------


@pytest.mark.parametrize("mode", ["none", "file", "all"])
def test_tx_modes_with_foreign_keys(tmp_path, mode):
    d = fixture_dir(tmp_path, "cmd-sqlitetx")
    conn, dialect = open_db(tmp_path / "test.db", "?_fk=1")
    assert apply(conn, dialect, d, tx_mode=mode, amount=2).ok
    assert conn.query("SELECT COUNT(*) FROM friendships") == [(2,)]
    r = apply(conn, dialect, d, tx_mode=mode)
    assert r.ok, r.error
    assert conn.query("SELECT COUNT(*) FROM friendships") == [(2,)]
    assert conn.query("PRAGMA foreign_keys") == [(1,)]
    if mode == "none":
        return
    d2 = tmp_path / "tx2"
    shutil.copytree(FIXTURES / "sums" / "cmd-sqlitetx2", d2)
    conn2, _ = open_db(tmp_path / "test_2.db", "?_fk=1")
    assert apply(conn2, dialect, d2, tx_mode=mode, amount=2).ok
    conn2.execute("PRAGMA foreign_keys = off")
    conn2.execute("INSERT INTO `friendships` (`user_id`, `friend_id`) VALUES (3,3)")
    conn2.execute("PRAGMA foreign_keys = on")
    r = apply(conn2, dialect, d2, tx_mode=mode)
    assert r.error == "sql/sqlite: foreign key mismatch: [{tbl:friendships ref:users row:4 index:1}]"
    assert conn2.query("SELECT COUNT(*) FROM friendships") == [(3,)]
    assert conn2.query("PRAGMA foreign_keys") == [(1,)]
    assert [x[0] for x in rows(conn2)] == ["20220925092817", "20220925094021"]


@pytest.mark.parametrize("mode", ["none", "file"])
def test_txmode_directive(tmp_path, mode):
    d = fixture_dir(tmp_path, "cmd-sqlitetx3")
    conn, dialect = open_db(tmp_path / "app.db")
    r = apply(conn, dialect, d, tx_mode=mode)
    assert r.error == ('sql/migrate: executing statement "INSERT INTO t1 VALUES (1), (1);" from '
                       'version "20220925094021": UNIQUE constraint failed: t1.a')
    assert tables(conn) == ["atlas_schema_revisions", "t1", "users"]
    assert rows(conn)[-1][3:5] == (1, 2)


def test_txmode_directive_errors(tmp_path):
    d = fixture_dir(tmp_path, "cmd-sqlitetx3")
    conn, dialect = open_db(tmp_path / "app.db")
    r = apply(conn, dialect, d, tx_mode="all")
    assert r.error == ('cannot set txmode directive to "none" in "20220925094021_second.sql" '
                       'when txmode "all" is set globally')
    assert tables(conn) == ["atlas_schema_revisions"]  # the first file was rolled back too
    d4 = tmp_path / "tx4"
    shutil.copytree(FIXTURES / "sums" / "cmd-sqlitetx4", d4)
    conn4, _ = open_db(tmp_path / "app4.db")
    r = apply(conn4, dialect, d4, tx_mode="all")
    assert r.error == 'unknown txmode "unknown" found in file directive "20220925094021_second.sql"'
    assert json.loads(apply_json(r))["Error"] == r.error


# -- execution order (TestMigrate_ApplyExecOrder) ----------------------------------------------


def test_exec_order(tmp_path):
    d = make_dir(tmp_path, {"1.sql": "CREATE TABLE t1(c int);", "3.sql": "CREATE TABLE t3(c int);"})
    conn, dialect = open_db(tmp_path / "app.db")
    assert len(apply(conn, dialect, d).applied) == 2
    (d / "2.sql").write_text("CREATE TABLE t2(c int);")
    hash_dir(d)
    for order in ("linear", ""):
        with pytest.raises(HistoryNonLinearError, match=r"^migration file 2.sql was added out of "
                           r"order. See: https://atlasgo.io/versioned/apply#non-linear-error$"):
            apply(conn, dialect, d, exec_order=order)
    assert render_apply(apply(conn, dialect, d, exec_order="linear-skip")) == \
        "No migration files to execute\n"
    r = apply(conn, dialect, d, exec_order="non-linear")
    assert [f.version for f in r.applied] == ["2"]
    (d / "2.5.sql").write_text("CREATE TABLE t25(c int);")
    (d / "4.sql").write_text("CREATE TABLE t4(c int);")
    hash_dir(d)
    r = apply(conn, dialect, d, exec_order="non-linear")
    assert [f.version for f in r.applied] == ["2.5", "4"]
    for order in ("linear", "linear-skip", "non-linear"):
        assert render_apply(apply(conn, dialect, d, exec_order=order)) == \
            "No migration files to execute\n"
    with pytest.raises(MigrationError, match='^unknown execution order: "sideways"$'):
        apply(conn, dialect, d, exec_order="sideways")


def test_out_of_order_several(tmp_path):
    d = make_dir(tmp_path, {f"{v}.sql": f"CREATE TABLE t{i}(c int);"
                            for i, v in enumerate(["1", "2", "3"])})
    conn, dialect = open_db(tmp_path / "app.db")
    apply(conn, dialect, d)
    (d / "2.5.sql").write_text("CREATE TABLE a(c int);")
    (d / "2.6.sql").write_text("CREATE TABLE b(c int);")
    hash_dir(d)
    with pytest.raises(HistoryNonLinearError, match="^migration files 2.5.sql, 2.6.sql were "
                                                    "added out of order"):
        apply(conn, dialect, d)


# -- baseline and dirty databases (TestMigrate_ApplyBaseline, TestExecutor_Baseline) ------------


def test_baseline(tmp_path):
    d1 = fixture_dir(tmp_path / "a", "cmd-baseline1")
    conn, dialect = open_db(tmp_path / "b1.db")
    r = apply(conn, dialect, d1, baseline="1")
    assert render_apply(r) == "No migration files to execute\n"
    assert rows(conn) == [("1", "baseline", 1, 0, 0, "", "", "", b"null")]
    assert render_apply(apply(conn, dialect, d1)) == "No migration files to execute\n"

    d2 = fixture_dir(tmp_path / "b", "cmd-baseline2")
    conn, dialect = open_db(tmp_path / "b2.db")
    r = apply(conn, dialect, d2, baseline="1")
    assert render_apply(r).startswith(
        "Migrating to version 20220318104615 from 1 (2 migrations in total):\n")
    assert r.current == "1"
    conn, dialect = open_db(tmp_path / "b3.db")
    r = apply(conn, dialect, d2)
    assert render_apply(r).startswith(
        "Migrating to version 20220318104615 (3 migrations in total):\n")


def test_dirty_database(tmp_path):
    d = fixture_dir(tmp_path, "sm-migrate/sub")
    conn, dialect = open_db(tmp_path / "app.db")
    conn.execute("CREATE TABLE t (c int)")
    with pytest.raises(NotCleanError, match=r"^sql/migrate: connected database is not clean: "
                                            r"found multiple tables: 2. baseline version or "
                                            r"allow-dirty is required$"):
        apply(conn, dialect, d)
    assert apply(conn, dialect, d, allow_dirty=True, dry_run=True).pending.__len__() == 3
    with pytest.raises(MigrationError, match="^sql/migrate: baseline and allow-dirty are "
                                             "mutually exclusive$"):
        apply(conn, dialect, d, allow_dirty=True, baseline="3")
    with pytest.raises(MigrationError, match='^baseline version "9" not found$'):
        apply(conn, dialect, d, baseline="9")
    # A baseline row is written even in a dry run.
    r = apply(conn, dialect, d, baseline="2.10.x-20", dry_run=True)
    assert [f.name for f in r.pending] == ["3_partly.sql"]
    assert rows(conn) == [("2.10.x-20", "description", 1, 0, 0, "", "", "", b"null")]
    conn.execute("DELETE FROM atlas_schema_revisions")
    r = apply(conn, dialect, d, baseline="3")
    assert render_apply(r) == "No migration files to execute\n"
    assert rows(conn)[0][:3] == ("3", "partly", 1)


def test_clean_check_wording(tmp_path):
    from atoll.dialects.sqlite.revisions import HOOK

    assert HOOK.not_clean_reason(["atlas_schema_revisions"]) is None
    assert HOOK.not_clean_reason([]) is None
    assert HOOK.not_clean_reason(["t"]) == 'found table "t"'
    assert HOOK.not_clean_reason(["a", "atlas_schema_revisions", "b"]) == "found multiple tables: 3"


# -- arguments, checkpoints, to-version, scan errors ---------------------------------------------


def test_arguments(tmp_path):
    d = make_dir(tmp_path, {"1.sql": "SELECT 1;"})
    conn, dialect = open_db(tmp_path / "app.db")
    for n in (0, -1):
        with pytest.raises(MigrationError, match=f"^cannot apply '{n}' migration files$"):
            apply(conn, dialect, d, amount=n)
    with pytest.raises(MigrationError, match=r'^cannot store revisions-table in a separate '
                                             r'schema \("other"\) with SQLite driver$'):
        apply(conn, dialect, d, revisions_schema="other")
    assert apply(conn, dialect, d, revisions_schema="main", amount=5).ok
    empty = make_dir(tmp_path, {}, hashed=False, name="empty")
    assert render_apply(apply(conn, dialect, empty)) == "No migration files to execute\n"
    (d / "2.sql").write_text("x")
    with pytest.raises(ChecksumError, match="^checksum mismatch$"):
        apply(conn, dialect, d)
    (d / "atlas.sum").unlink()
    with pytest.raises(ChecksumError, match="^checksum file not found$"):
        apply(conn, dialect, d)


def test_checkpoints(tmp_path):
    d = fixture_dir(tmp_path, "partial-checkpoint")
    conn, dialect = open_db(tmp_path / "app.db")
    st = status(conn, dialect, d)
    assert [f.name for f in st.pending] == ["5_checkpoint.sql", "6_sixth.sql"]
    assert "Next Version:    5 (checkpoint)" in __import__("atoll.migrate", fromlist=["x"]) \
        .render_status(st)
    r = apply(conn, dialect, d)
    assert [f.version for f in r.applied] == ["5", "6"]
    assert tables(conn) == ["atlas_schema_revisions", "tbl_1", "tbl_2", "tbl_3", "tbl_4"]
    # A partially applied checkpoint is resumed, followed by the files after it.
    conn2, _ = open_db(tmp_path / "p.db")
    RevisionStore(conn2, dialect).migrate()
    conn2.execute("CREATE TABLE `tbl_1` (`col` int)")
    conn2.execute("INSERT INTO atlas_schema_revisions VALUES ('3', 'checkpoint', 2, 1, 2, "
                  "'2024-01-01 00:00:00+00:00', 0, '', '', ?, ?, 'x')",
                  (hash_dir(d).sum_by_name("3_checkpoint.sql"), json.dumps(
                      ["h1:" + base64.b64encode(hashlib.sha256(
                          b"CREATE TABLE `tbl_1` (`col` int);").digest()).decode()]).encode()))
    r = apply(conn2, dialect, d)
    assert r.ok, r.error
    assert [(f.version, f.skipped) for f in r.applied] == [("3", 1), ("4", 0), ("6", 0)]


def test_to_version(tmp_path):
    d = fixture_dir(tmp_path, "sm-migrate/sub")
    conn, dialect = open_db(tmp_path / "app.db")
    with pytest.raises(MigrationError, match=r'^sql/migrate: migration with version "3.sql" not '
                                             r'found. Did you mean "3"\?$'):
        apply(conn, dialect, d, to_version="3.sql")
    with pytest.raises(MigrationError, match=r'^sql/migrate: migration with version "7" not '
                                             r'found$'):
        apply(conn, dialect, d, to_version="7")
    r = apply(conn, dialect, d, to_version="2.10.x-20")
    assert [f.version for f in r.applied] == ["1.a", "2.10.x-20"]
    assert rows(conn)[0][7] == "nXyZR020M/mH7LxkoTkJr7BcQkipVg90imQ9I4595dw="


def test_scan_error_and_missing_checksum(tmp_path):
    d = make_dir(tmp_path, {"1.sql": "SELECT 1;\n", "2.sql": "SELECT 'abc\n"})
    conn, dialect = open_db(tmp_path / "app.db")
    assert apply(conn, dialect, d, amount=1).ok
    r = apply(conn, dialect, d)
    assert r.error == 'sql/migrate: scanning statements from "2.sql": 1:8: unclosed quote \'\\\'\''
    assert normalize(render_apply(r)) == (
        "Migrating to version 2 from 1 (1 migrations in total):\n\n"
        "    sql/migrate: scanning statements from \"2.sql\": 1:8: unclosed quote '\\''\n\n"
        "  -------------------------\n"
        "  -- «d»\n")
    d2 = make_dir(tmp_path, {"1.sql": "-- atlas:sum ignore\nSELECT 1;\n"}, name="ign")
    conn2, _ = open_db(tmp_path / "ign.db")
    r = apply(conn2, dialect, d2)
    assert r.error == 'sql/migrate: scanning checksum from "1.sql": checksum not found'


def test_revisions_table_and_row(tmp_path):
    d = make_dir(tmp_path, {"1_first.sql": "CREATE TABLE t (c int);\n"})
    conn, dialect = open_db(tmp_path / "app.db")
    assert apply(conn, dialect, d, operator_version="Atlas CLI v0.31.0").ok
    assert sql_of(conn, "atlas_schema_revisions") == (
        "CREATE TABLE `atlas_schema_revisions` (`version` text NOT NULL, `description` text NOT "
        "NULL, `type` integer NOT NULL DEFAULT (2), `applied` integer NOT NULL DEFAULT (0), "
        "`total` integer NOT NULL DEFAULT (0), `executed_at` datetime NOT NULL, `execution_time` "
        "integer NOT NULL, `error` text NULL, `error_stmt` text NULL, `hash` text NOT NULL, "
        "`partial_hashes` json NULL, `operator_version` text NOT NULL, PRIMARY KEY (`version`))")
    row = conn.query("SELECT *, typeof(partial_hashes), typeof(executed_at) "
                     "FROM atlas_schema_revisions")[0]
    assert row[:5] == ("1", "first", 2, 1, 1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d", row[5])
    assert isinstance(row[6], int) and row[6] >= 0
    assert row[7:12] == ("", "", hash_dir(d).sum_by_name("1_first.sql"), b"null",
                         "Atlas CLI v0.31.0")
    assert row[12:] == ("blob", "text")


def test_stale_error_cleared_on_success(tmp_path):
    d = make_dir(tmp_path, {"1.sql": "CREATE TABLE t(c int);"})
    conn, dialect = open_db(tmp_path / "app.db")
    RevisionStore(conn, dialect).migrate()
    conn.execute("INSERT INTO atlas_schema_revisions VALUES ('1', '', 2, 0, 1, "
                 "'2024-01-01 00:00:00+00:00', 0, 'error', ';CREATE TABLE t(c int);', '', NULL, "
                 "'x')")
    assert apply(conn, dialect, d).ok
    assert rows(conn)[0][3:7] == (1, 1, "", "")


def test_fixed_file_with_more_statements_completes(tmp_path):
    """A failed file's row (kept after the rollback, applied 0) counts the fixed file's
    statements on the re-run, so it ends complete and status says OK."""
    d = make_dir(tmp_path, {"1_a.sql": "CREATE TABLE a (c int);\nINSERT INTO b VALUES (1);\n"})
    conn, dialect = open_db(tmp_path / "app.db")
    assert not apply(conn, dialect, d).ok
    assert rows(conn)[0][3:5] == (0, 2)
    make_dir(tmp_path, {"1_a.sql": "CREATE TABLE a (c int);\nCREATE TABLE b (c int);\n"
                                   "INSERT INTO b VALUES (1);\n"})
    assert apply(conn, dialect, d).ok
    assert rows(conn)[0][3:7] == (3, 3, "", "")
    assert status(conn, dialect, d).status == "OK"


def test_apply_json(tmp_path):
    d = make_dir(tmp_path, {"1_init.sql": "CREATE TABLE t (c int);\n"})
    conn, dialect = open_db(tmp_path / "app.db")
    from atoll.migrate import ReportEnv, go_url_json

    env = ReportEnv("sqlite", go_url_json("sqlite://app.db"), "file://migrations")
    r = apply(conn, dialect, d, env=env)
    text = apply_json(r)
    data = json.loads(text)
    assert list(data) == ["Driver", "URL", "Dir", "Pending", "Applied", "Target", "Start", "End",
                          "Message"]
    assert text.startswith(
        '{"Driver":"sqlite","URL":{"Scheme":"sqlite","Opaque":"","User":null,"Host":"app.db",'
        '"Path":"","RawPath":"","OmitHost":false,"ForceQuery":false,"RawQuery":"","Fragment":"",'
        '"RawFragment":"","Schema":"main"},"Dir":"file://migrations","Pending":[{"Name":'
        '"1_init.sql","Version":"1","Description":"init"}],"Applied":[{"Name":"1_init.sql",'
        '"Version":"1","Description":"init","Start":"')
    assert data["Applied"][0]["Applied"] == ["CREATE TABLE t (c int);"]
    assert data["Message"] == "Migrated to version 1 from  (1 migrations in total)"
    data = json.loads(apply_json(apply(conn, dialect, d, env=env)))
    assert "Pending" not in data and "Applied" not in data
    assert data["Current"] == "1" and data["Message"] == "No migration files to execute"


def test_replay_on_dev_database(tmp_path):
    from atoll.migrate import replay

    d = make_dir(tmp_path, {"1_initial.sql": "create table t1 (c1 int)",
                            "2_second.sql": "create table t2 (c2 int)"})
    conn, dialect = open_db(tmp_path / "dev.db")
    assert [f.name for f in replay(conn, dialect, d)] == ["1_initial.sql", "2_second.sql"]
    assert tables(conn) == ["t1", "t2"]  # no revisions table
    with pytest.raises(NotCleanError, match=r'^sql/migrate: taking database snapshot: '
                                            r'sql/migrate: connected database is not clean: '
                                            r'found table "t1"$'):
        replay(conn, dialect, d)
    bad = make_dir(tmp_path, {"1.sql": "CREATE TABLE a(c int);\nBORING;\n"}, name="bad")
    conn2, _ = open_db(tmp_path / "dev2.db")
    with pytest.raises(MigrationError, match=r'^sql/migrate: read migration directory state: '
                                             r'sql/migrate: executing statement "BORING;" from '
                                             r'version "1": near "BORING": syntax error$'):
        replay(conn2, dialect, bad)
    conn3, _ = open_db(tmp_path / "dev3.db")
    assert [f.version for f in replay(conn3, dialect, d, to_version="1")] == ["1"]


def test_pending_rules_exec_order_linear():
    # Atlas's TestExecutor_ExecOrderLinear, on the pending computation alone.
    from atoll.migrate.directory import MigrationDir, MigrationFile
    from atoll.migrate.executor import compute_pending
    from atoll.migrate.revisions import Revision

    def mdir(*names):
        return MigrationDir("mem", [MigrationFile(n, b"-- atlas:checkpoint\n\nx" if "checkpoint"
                                                  in n else b"") for n in names])

    def pend(d, revs, order="linear"):
        return [f.name for f in compute_pending(d, [Revision(v) for v in revs],
                                                exec_order=order)]

    revs = ["1", "2", "3"]
    assert pend(mdir(), revs) == []
    assert pend(mdir("1.sql", "2.sql", "3.sql"), revs) == []
    with pytest.raises(HistoryNonLinearError, match="^migration file 2.5.sql was added"):
        pend(mdir("1.sql", "2.sql", "2.5.sql", "3.sql"), revs)
    with pytest.raises(HistoryNonLinearError) as e:
        pend(mdir("1.sql", "2.sql", "2.5.sql", "2.6.sql", "3.sql", "4.sql"), revs)
    assert [f.name for f in e.value.out_of_order] == ["2.5.sql", "2.6.sql"]
    assert [f.name for f in e.value.pending] == ["4.sql"]
    assert pend(mdir("1.sql", "2_checkpoint.sql", "3.sql"), ["2", "3"]) == []
    with pytest.raises(HistoryNonLinearError, match="^migration file 2.5.sql was added"):
        pend(mdir("1.sql", "2_checkpoint.sql", "2.5.sql", "3.sql"), ["2", "3"])
    for order, expected in (("linear-skip", ["4.sql"]),
                            ("non-linear", ["2.5.sql", "2.6.sql", "4.sql"])):
        assert pend(mdir("1.sql", "2.sql", "2.5.sql", "2.6.sql", "3.sql", "4.sql"), revs,
                    order) == expected


def test_a_commit_that_fails_reports_the_file_failed_and_keeps_nothing_of_it(tmp_path,
                                                                             monkeypatch):
    # A full disk fails the COMMIT after every statement of the file succeeded; SQLite keeps
    # the transaction open then. The file must be reported failed (not "ok"), its work rolled
    # back, and the next run must apply it.
    from atoll.dialects.sqlite.revisions import HOOK
    from atoll.errors import DatabaseError

    d = make_dir(tmp_path, {"1_first.sql": USERS,
                            "2_second.sql": "INSERT INTO users VALUES (1, 2, 'a');\n",
                            "3_third.sql": PETS})
    conn, dialect = open_db(tmp_path / "app.db")
    real_commit, commits = HOOK.commit, []

    def full_disk(conn, state):
        commits.append(state)
        if len(commits) == 2:
            raise DatabaseError("database or disk is full")
        real_commit(conn, state)

    monkeypatch.setattr(type(HOOK), "commit", lambda self, c, s: full_disk(c, s))
    r = apply(conn, dialect, d)
    assert r.error == "database or disk is full"
    text = normalize(render_apply(r))
    assert "-- ok" not in text.split("migrating version 2")[1]
    assert "database or disk is full" in text and "1 migration ok, 1 with errors" in text
    assert conn.query("SELECT count(*) FROM users") == [(0,)]
    assert [r[0] for r in rows(conn)] == ["1"]
    monkeypatch.undo()
    r = apply(conn, dialect, d)
    assert r.ok and conn.query("SELECT count(*) FROM users") == [(1,)]
    assert [r[0] for r in rows(conn)] == ["1", "2", "3"]
