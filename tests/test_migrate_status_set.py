"""`migrate status` and `migrate set` on real SQLite files, and their exact texts."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from atoll.migrate.revisions import RevisionStore

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "migrate"))
from migsupport import FIXTURES, make_dir, open_db, rows, tables

from atoll.errors import ChecksumError, MigrationError
from atoll.migrate import (
    ReportEnv,
    apply,
    hash_dir,
    render_apply,
    render_set,
    render_status,
    set_version,
    status,
    status_json,
)
from atoll.migrate.executor import NotCleanError

FILES = {"1.sql": "CREATE TABLE t1(c int);", "2.sql": "CREATE TABLE t2(c int);",
         "3.sql": "CREATE TABLE t3(c int);\nTHIS LINE ADDS A SYNTAX ERROR;\n"}


def test_status_texts(tmp_path):
    d = make_dir(tmp_path, FILES)
    conn, dialect = open_db(tmp_path / "app.db")
    assert render_status(status(conn, dialect, d)) == (
        "Migration Status: PENDING\n"
        "  -- Current Version: No migration applied yet\n"
        "  -- Next Version:    1\n"
        "  -- Executed Files:  0\n"
        "  -- Pending Files:   3\n")
    assert tables(conn) == []  # status never creates the revisions table
    apply(conn, dialect, d, amount=1)
    assert render_status(status(conn, dialect, d)) == (
        "Migration Status: PENDING\n"
        "  -- Current Version: 1\n"
        "  -- Next Version:    2\n"
        "  -- Executed Files:  1\n"
        "  -- Pending Files:   2\n")
    assert apply(conn, dialect, d, tx_mode="none").error
    assert render_status(status(conn, dialect, d)) == (
        "Migration Status: PENDING\n"
        "  -- Current Version: 3 (1 statements applied)\n"
        "  -- Next Version:    3 (1 statements left)\n"
        "  -- Executed Files:  3 (last one partially)\n"
        "  -- Pending Files:   1\n\n"
        "Last migration attempt had errors:\n"
        "  -- SQL:   THIS LINE ADDS A SYNTAX ERROR;\n"
        "  -- ERROR: near \"THIS\": syntax error\n")
    (d / "3.sql").write_text("CREATE TABLE t3(c int);\nCREATE TABLE t4(c int);\n")
    hash_dir(d)
    assert apply(conn, dialect, d).ok
    st = status(conn, dialect, d)
    assert render_status(st) == (
        "Migration Status: OK\n"
        "  -- Current Version: 3\n"
        "  -- Next Version:    Already at latest version\n"
        "  -- Executed Files:  3\n"
        "  -- Pending Files:   0\n")
    st.env = ReportEnv("sqlite", None, "file://migrations")
    data = json.loads(status_json(st))
    assert list(data) == ["Env", "Available", "Applied", "Current", "Next", "Status"]
    assert data["Env"] == {"Driver": "sqlite", "Dir": "file://migrations"}
    assert data["Applied"][0]["Type"] == "applied"
    assert list(data["Applied"][0]) == ["Version", "Description", "Type", "Applied", "Total",
                                        "ExecutedAt", "ExecutionTime", "OperatorVersion"]
    color = render_status(st, color=True)
    assert "\x1b[92mOK\x1b[0m" in color and "\x1b[33m--\x1b[0m" in color


def test_status_out_of_order(tmp_path):
    d = make_dir(tmp_path, {"1.sql": "SELECT 1;", "2.sql": "SELECT 2;"})
    conn, dialect = open_db(tmp_path / "app.db")
    apply(conn, dialect, d)
    (d / "1.5.sql").write_text("SELECT 15;")
    hash_dir(d)
    assert render_status(status(conn, dialect, d)) == (
        "Migration Status: PENDING\n"
        "  -- Current Version: 2\n"
        "  -- Next Version:    UNKNOWN\n"
        "  -- Executed Files:  2\n"
        "  -- Pending Files:   1 (out of order)\n\n"
        "  ERROR: migration file 1.5.sql was added out of order. See: "
        "https://atlasgo.io/versioned/apply#non-linear-error\n")
    (d / "1.6.sql").write_text("SELECT 16;")
    hash_dir(d)
    out = render_status(status(conn, dialect, d))
    assert "  -- Pending Files:   2 (out of order)\n" in out
    assert "migration files 1.5.sql, 1.6.sql were added out of order" in out
    (d / "3.sql").write_text("SELECT 3;")
    hash_dir(d)
    st = status(conn, dialect, d)
    assert "  -- Pending Files:   3 (2 out of order)\n" in render_status(st)
    assert [f.name for f in st.out_of_order] == ["1.5.sql", "1.6.sql"]
    assert json.loads(status_json(st))["OutOfOrder"][0] == {"Name": "1.5.sql",
                                                           "Version": "1.5"}


def test_status_errors(tmp_path):
    d = make_dir(tmp_path, {"1.sql": "SELECT 1;"})
    conn, dialect = open_db(tmp_path / "app.db")
    RevisionStore(conn, dialect).migrate()  # creates the table, no rows
    conn.execute("CREATE TABLE t (c int)")
    with pytest.raises(NotCleanError, match="found multiple tables: 2"):
        status(conn, dialect, d)
    (d / "2.sql").write_text("x")
    with pytest.raises(ChecksumError):
        status(conn, dialect, d)


def _copy(tmp_path: Path, name: str, dst: str = "migrations") -> Path:
    out = tmp_path / dst
    shutil.copytree(FIXTURES / "sums" / name, out)
    return out


def test_set_flow(tmp_path):
    # TestMigrate_Set.
    d = _copy(tmp_path, "cmd-sqlite")
    conn, dialect = open_db(tmp_path / "app.db")
    with pytest.raises(MigrationError, match=r"^accepts 1 arg\(s\), received 0$"):
        set_version(conn, dialect, d)
    assert tables(conn) == ["atlas_schema_revisions"]
    assert apply(conn, dialect, d).ok
    assert render_set(set_version(conn, dialect, d, "20220318104614")) == (
        "Current version is 20220318104614 (1 removed):\n\n  - 20220318104615 (second)\n\n")
    assert render_set(set_version(conn, dialect, d, "20220318104615")) == (
        "Current version is 20220318104615 (1 set):\n\n  + 20220318104615 (second)\n\n")
    assert rows(conn)[-1][2] == 4
    d1 = _copy(tmp_path, "cmd-baseline1", "b1")
    assert render_set(set_version(conn, dialect, d1)) == (
        "Current version is 1 (1 set, 2 removed):\n\n  + 1 (baseline)\n"
        "  - 20220318104614 (initial)\n  - 20220318104615 (second)\n\n")
    empty = make_dir(tmp_path, {}, hashed=False, name="empty")
    assert render_set(set_version(conn, dialect, empty)) == (
        "All revisions deleted (1 in total):\n\n  - 1 (baseline)\n\n")
    assert rows(conn) == []
    r = set_version(conn, dialect, d, "20220318104614")
    assert render_set(r) == ("Current version is 20220318104614 (1 set):\n\n"
                             "  + 20220318104614 (initial)\n\n")
    assert render_set(set_version(conn, dialect, d, "20220318104614")) == ""
    with pytest.raises(MigrationError, match=r"^accepts 1 arg\(s\), received 2$"):
        set_version(conn, dialect, d, ["1", "2"])
    with pytest.raises(MigrationError, match='^migration with version "4" not found$'):
        set_version(conn, dialect, d, "4")


def test_set_then_apply(tmp_path):
    # cli-migrate-set.
    d = make_dir(tmp_path, {"1_first.sql": "CREATE TABLE a(c int);",
                            "2_second.sql": "CREATE TABLE b(c int);",
                            "3_third.sql": "CREATE TABLE c(c int);"})
    conn, dialect = open_db(tmp_path / "app.db")
    set_version(conn, dialect, d, "1")
    assert render_apply(apply(conn, dialect, d, amount=1, dry_run=True)).startswith(
        "Migrating to version 2 from 1")
    set_version(conn, dialect, d, "2")
    assert render_apply(apply(conn, dialect, d, amount=1, dry_run=True)).startswith(
        "Migrating to version 3 from 2")
    set_version(conn, dialect, d, "3")
    assert render_apply(apply(conn, dialect, d)) == "No migration files to execute\n"
    assert tables(conn) == ["atlas_schema_revisions"]  # set never runs statements


def test_set_resolves_failed_file(tmp_path):
    d = make_dir(tmp_path, {"1.sql": "CREATE TABLE a(c int);",
                            "4.sql": "CREATE TABLE b(c int);\nBROKEN;\n"})
    conn, dialect = open_db(tmp_path / "app.db")
    r = apply(conn, dialect, d, tx_mode="none")
    assert render_apply(r).startswith("Migrating to version 4")
    assert r.error
    assert render_set(set_version(conn, dialect, d, "4")) == (
        "Current version is 4 (1 set):\n\n  + 4\n\n")
    # Complete and clean (Atlas would keep it partial, applied 1 of 2, so still pending).
    assert rows(conn)[-1][2:5] == (6, 2, 2)
    st = status(conn, dialect, d)
    assert st.total == 0 and st.error == "" and st.status == "OK" and not st.pending
    assert "Executed Files:  2\n" in render_status(st)
    assert render_apply(apply(conn, dialect, d)) == "No migration files to execute\n"


def test_set_clears_the_error_of_a_rolled_back_file(tmp_path):
    """A file that failed under --tx-mode file left a row with its error and nothing applied;
    `migrate set` on its version means the database is at it (fixed by hand)."""
    d = make_dir(tmp_path, {"1.sql": "CREATE TABLE a(c int);",
                            "2.sql": "CREATE TABLE b(c int);\nCREATE TABLE a(c int);\n"})
    conn, dialect = open_db(tmp_path / "app.db")
    assert apply(conn, dialect, d).error
    assert status(conn, dialect, d).status == "PENDING"
    set_version(conn, dialect, d, "2")
    st = status(conn, dialect, d)
    assert (st.status, st.current, st.error, st.pending) == ("OK", "2", "", [])


def test_set_lock_is_shared_with_apply(tmp_path):
    from atoll.errors import LockError
    from atoll.migrate.lock import acquire_lock

    d = make_dir(tmp_path, {"1.sql": "SELECT 1;"})
    conn, dialect = open_db(tmp_path / "app.db")
    with acquire_lock(conn, dialect, timeout=0):
        with pytest.raises(LockError, match=r'^acquiring database lock: sql/sqlite: lock on '
                                            r'"atlas_migrate_execute" already taken'):
            set_version(conn, dialect, d, "1")
        with pytest.raises(LockError, match="^acquiring database lock: "):
            apply(conn, dialect, d, lock_timeout=0.2)
    assert apply(conn, dialect, d, lock_timeout=0).ok
    assert not (tmp_path / "app.db.atlas_migrate_execute.lock").exists()
