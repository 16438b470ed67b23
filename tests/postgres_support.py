"""Helpers for the tests that need the local PostgreSQL server (127.0.0.1:5432, user
postgres, trust): an admin connection, a fresh database per test (the ``db`` fixture, with
schemas ``app`` and ``dev``) dropped afterwards, URLs, a query helper and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from process_checks import error_line, ok_stdout

ATOLL = str(Path(sys.executable).with_name("atoll"))


def admin(db: str = "postgres") -> psycopg.Connection:
    try:
        return psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname=db,
                               autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # never skip: CI starts the server
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {exc}")


def new_db(prefix: str = "atoll_d") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin() as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_db(name: str) -> None:
    with admin() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db():
    """A fresh database with the schemas ``app`` and ``dev``, dropped afterwards."""
    name = new_db()
    with admin(name) as c:
        c.execute("CREATE SCHEMA app; CREATE SCHEMA dev")
    try:
        yield name
    finally:
        drop_db(name)


@pytest.fixture
def dbs():
    """A factory of fresh databases (no schema added), all dropped at the end."""
    made: list[str] = []

    def make() -> str:
        made.append(new_db("atoll_r"))
        return made[-1]

    yield make
    for name in made:
        drop_db(name)


def url(db: str, schema: str | None = None) -> str:
    """A URL bound to ``schema`` (``search_path``), or to the whole database without one."""
    return (f"postgres://postgres@127.0.0.1:5432/{db}?sslmode=disable"
            + (f"&search_path={schema}" if schema else ""))


def sql(db: str, text: str) -> list[tuple]:
    with admin(db) as c:
        cur = c.execute(text)
        return cur.fetchall() if cur.description else []


def atoll(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run([ATOLL, *args], check=False, cwd=cwd, capture_output=True,
                          text=True, timeout=60, env=env)


def ok(r: subprocess.CompletedProcess) -> str:
    return ok_stdout(r)


failed = error_line
