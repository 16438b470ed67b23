"""Helpers for the tests that need the local MariaDB/MySQL server (127.0.0.1:3306, root, no
password): databases with unique names that are dropped afterwards, the CLI, and a query
helper. Imported by tests/test_mysql_*.py."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pymysql
import pytest
from process_checks import error_line, ok_stdout

SERVER = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}
ATOLL = str(Path(sys.executable).with_name("atoll"))


def q(sql: str, params=None, db: str | None = None) -> list[tuple]:
    try:
        conn = pymysql.connect(autocommit=True, database=db, connect_timeout=5, **SERVER)
    except pymysql.MySQLError as exc:  # never skip: CI starts the server
        pytest.fail(f"MariaDB/MySQL at 127.0.0.1:3306 is not reachable: {exc}")
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return [tuple(r) for r in cur.fetchall()]
    finally:
        conn.close()


def url(db: str = "", scheme: str = "mysql") -> str:
    return f"{scheme}://root@127.0.0.1:3306/{db}"


def new_db() -> str:
    name = f"atoll_m_{uuid.uuid4().hex[:12]}"
    q(f"CREATE DATABASE `{name}`")
    return name


def drop_db(name: str) -> None:
    q(f"DROP DATABASE IF EXISTS `{name}`")


def atoll(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {"NO_COLOR": "1", "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run([ATOLL, *args], check=False, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def ok(r: subprocess.CompletedProcess) -> str:
    return ok_stdout(r, forbid=("Traceback",))


failed = error_line


def tables(db: str) -> list[str]:
    return [r[0] for r in q("SELECT table_name FROM information_schema.tables WHERE "
                            "table_schema = %s ORDER BY 1", (db,))]
