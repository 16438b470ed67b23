"""PostgreSQL: a connection lost in the middle of a migration file (the server terminates the
backend) ends the run with the report of what ran and what failed, and nothing half-applied."""

from __future__ import annotations

import subprocess
import threading
import time

from postgres_support import ATOLL, admin, db, sql, url  # noqa: F401 (db: fixture)


def _terminate_when_sleeping(name: str, stop: threading.Event) -> None:
    """Terminate the backend of ``name`` once it runs the file's pg_sleep."""
    while not stop.is_set():
        with admin() as conn:
            pids = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND "
                                "query LIKE 'SELECT pg_sleep%%'", (name,)).fetchall()
            if pids:
                conn.execute("SELECT pg_terminate_backend(%s)", (pids[0][0],))
                return
        time.sleep(0.05)


def test_a_connection_lost_mid_file_reports_the_run_and_keeps_nothing_of_the_file(tmp_path,
                                                                                  db):
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1_a.sql").write_text("CREATE TABLE t (a int);\n")
    (d / "2_b.sql").write_text("INSERT INTO t VALUES (1);\nSELECT pg_sleep(60);\n")
    subprocess.run([ATOLL, "migrate", "hash", "--dir", f"file://{d}"], check=True)
    stop = threading.Event()
    killer = threading.Thread(target=_terminate_when_sleeping, args=(db, stop))
    killer.start()
    try:
        r = subprocess.run([ATOLL, "migrate", "apply", "--dir", f"file://{d}", "--url",
                            url(db, "public")], capture_output=True, text=True, timeout=120)
    finally:
        stop.set()
        killer.join()
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "-- migrating version 2" in r.stdout and "terminating connection" in r.stdout
    assert "1 migration ok, 1 with errors" in r.stdout
    assert sql(db, "SELECT count(*) FROM public.t") == [(0,)]
    assert sql(db, "SELECT version FROM public.atlas_schema_revisions") == [("1",)]
