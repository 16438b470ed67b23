"""MySQL/MariaDB: a connection lost in the middle of a migration file (the server kills the
query's connection) ends the run with its report and a one-line error; the re-run finishes
the file without repeating what was kept."""

from __future__ import annotations

import subprocess
import threading
import time

import pymysql

from atoll.dialects.mysql.connection import mysql_message
from mysql_support import ATOLL, drop_db, new_db, q, url


def test_a_connection_already_gone_reads_as_closed():
    assert mysql_message(pymysql.err.InterfaceError(0, "")) == "the connection is closed"
    assert mysql_message(pymysql.err.OperationalError(2013, "Lost connection")) == \
        "Error 2013: Lost connection"


def _kill_when_sleeping(name: str, stop: threading.Event) -> None:
    while not stop.is_set():
        ids = q("SELECT id FROM information_schema.processlist WHERE db = %s AND "
                "info LIKE 'SELECT SLEEP%%'", (name,))
        if ids:
            q(f"KILL {int(ids[0][0])}")
            return
        time.sleep(0.05)


def test_a_connection_lost_mid_file_then_the_rerun_finishes_it(tmp_path):
    name = new_db()
    try:
        d = tmp_path / "migrations"
        d.mkdir()
        (d / "1_a.sql").write_text("CREATE TABLE t (a int);\n")
        (d / "2_b.sql").write_text("INSERT INTO t VALUES (1);\nSELECT SLEEP(60);\n"
                                   "INSERT INTO t VALUES (2);\n")
        subprocess.run([ATOLL, "migrate", "hash", "--dir", f"file://{d}"], check=True)
        stop = threading.Event()
        killer = threading.Thread(target=_kill_when_sleeping, args=(name, stop))
        killer.start()
        try:
            r = subprocess.run([ATOLL, "migrate", "apply", "--dir", f"file://{d}", "--url",
                                url(name)], capture_output=True, text=True, timeout=120)
        finally:
            stop.set()
            killer.join()
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert "-- migrating version 2" in r.stdout and "1 with errors" in r.stdout
        assert "Error 0" not in r.stderr and len(r.stderr.strip().splitlines()) <= 2
        (d / "2_b.sql").write_text("INSERT INTO t VALUES (1);\nSELECT 1;\n"
                                   "INSERT INTO t VALUES (2);\n")
        subprocess.run([ATOLL, "migrate", "hash", "--dir", f"file://{d}"], check=True)
        r = subprocess.run([ATOLL, "migrate", "apply", "--dir", f"file://{d}", "--url",
                            url(name)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert sorted(q(f"SELECT a FROM `{name}`.t")) == [(1,), (2,)]
    finally:
        drop_db(name)
