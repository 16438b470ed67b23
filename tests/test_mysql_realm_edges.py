"""MySQL server-wide URLs (no database) through ``migrate lint`` and ``migrate down`` on
MariaDB. A realm dev URL needs a server with no user database at all, which the shared server
(127.0.0.1:3306, holding other suites' databases and ``test``) never is, and whose put-back
drops every database created meanwhile: so the dev server here is a private MariaDB started
for this module in a temporary directory, and the shared server is only a ``migrate down``
target, with databases of this test's own prefix, after a dry run shows that nothing else
would be touched."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid

import pymysql
import pytest

from mysql_support import atoll, drop_db, failed, ok, q, url

_BINARIES = ("mariadb-install-db", "mariadbd")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory):
    """A private, empty MariaDB server (root, no password); its URL without a database."""
    if not all(shutil.which(b) for b in _BINARIES):
        pytest.skip("mariadb-install-db/mariadbd not installed: no private dev server")
    home = tmp_path_factory.mktemp("mdb")
    user = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={home}/data",
                    "--auth-root-authentication-method=normal", "--skip-test-db", *user],
                   check=True, capture_output=True, timeout=120)
    port = _free_port()
    log = open(home / "server.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(["mariadbd", "--no-defaults", f"--datadir={home}/data",
                             f"--socket={home}/s.sock", f"--port={port}",
                             "--bind-address=127.0.0.1", "--skip-log-bin",
                             "--innodb-buffer-pool-size=16M", f"--pid-file={home}/pid",
                             # the shared server's defaults, or every table differs by them
                             "--character-set-server=utf8mb4",
                             "--collation-server=utf8mb4_general_ci", *user],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(600):
            try:
                pymysql.connect(host="127.0.0.1", port=port, user="root").close()
                break
            except pymysql.MySQLError:
                if proc.poll() is not None:
                    pytest.fail(f"private MariaDB did not start: {(home / 'server.log').read_text()}")
                time.sleep(0.1)
        else:
            pytest.fail("private MariaDB did not accept connections")
        yield f"mysql://root@127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
        shutil.rmtree(home, ignore_errors=True)


def _dev_q(dev: str, sql: str) -> list[tuple]:
    port = int(dev.rsplit(":", 1)[1].strip("/"))
    conn = pymysql.connect(host="127.0.0.1", port=port, user="root", autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return [tuple(r) for r in cur.fetchall()]
    finally:
        conn.close()


def _user_dbs(dev: str) -> list[str]:
    return [r[0] for r in _dev_q(dev, "SHOW DATABASES") if r[0] not in (
        "information_schema", "mysql", "performance_schema", "sys")]


def _directory(tmp, prefix: str) -> None:
    a, b = f"{prefix}_a", f"{prefix}_b"
    (tmp / "migrations").mkdir()
    (tmp / "migrations" / "1_a.sql").write_text(
        f"CREATE DATABASE `{a}`;\nCREATE TABLE `{a}`.`t` (`id` int);\n")
    (tmp / "migrations" / "2_b.sql").write_text(
        f"CREATE DATABASE `{b}`;\nCREATE TABLE `{b}`.`u` (`id` int);\n"
        f"ALTER TABLE `{a}`.`t` ADD COLUMN `n` int;\n")
    ok(atoll(tmp, "migrate", "hash"))


@pytest.fixture
def prefix():
    name = f"atoll_rd_{uuid.uuid4().hex[:8]}"
    yield name
    for db in (f"{name}_a", f"{name}_b", f"{name}_rev"):
        drop_db(db)


def test_migrate_down_on_a_server_url_touches_only_the_directory_databases(
        tmp_path, prefix, dev_server):
    """Applied with a server-wide URL, reverted with one: the plan covers the databases the
    directory made (the one the reverted file created is dropped), never the server's other
    databases, which a dry run shows before anything runs."""
    _directory(tmp_path, prefix)
    rev = ["--revisions-schema", f"{prefix}_rev"]
    ok(atoll(tmp_path, "migrate", "apply", "-u", url(""), "--allow-dirty", *rev))
    assert q(f"SHOW DATABASES LIKE '{prefix}%'") == [
        (f"{prefix}_a",), (f"{prefix}_b",), (f"{prefix}_rev",)]
    down = ["migrate", "down", "-u", url(""), "--dev-url", dev_server, *rev]
    out = ok(atoll(tmp_path, *down, "--dry-run"))
    planned = [ln.strip()[3:] for ln in out.splitlines() if ln.strip().startswith("-> ")
               and ln.strip().endswith(";")]
    assert planned == [f"DROP DATABASE `{prefix}_b`;",
                       f"ALTER TABLE `{prefix}_a`.`t` DROP COLUMN `n`;"], out
    ok(atoll(tmp_path, *down))
    # (Other suites create and drop databases meanwhile: only this test's are compared.)
    assert q(f"SHOW DATABASES LIKE '{prefix}%'") == [(f"{prefix}_a",), (f"{prefix}_rev",)]
    assert q(f"SELECT column_name FROM information_schema.columns WHERE table_schema = "
             f"'{prefix}_a' AND table_name = 't'") == [("id",)]
    assert _user_dbs(dev_server) == []  # the dev server is put back
    # The first file reverted too: its database goes, the revisions stay.
    out = ok(atoll(tmp_path, *down, "--dry-run"))
    assert [ln.strip() for ln in out.splitlines() if "DROP" in ln] == [
        f"-> DROP DATABASE `{prefix}_a`;"], out
    ok(atoll(tmp_path, *down))
    assert q(f"SHOW DATABASES LIKE '{prefix}%'") == [(f"{prefix}_rev",)]


def test_lint_on_a_dev_server(tmp_path, prefix, dev_server):
    """A server-wide dev URL: the directory's databases are created on the private server,
    every database's changes analysed, the server emptied again; while another session
    holds ``atlas_lint`` there, the lint stops with Atlas's lock error."""
    _directory(tmp_path, prefix)
    (tmp_path / "migrations" / "3_c.sql").write_text(f"DROP TABLE `{prefix}_b`.`u`;\n")
    ok(atoll(tmp_path, "migrate", "hash"))
    lint = ["migrate", "lint", "--dev-url", dev_server, "--latest", "1"]
    r = atoll(tmp_path, *lint)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stdout + r.stderr
    assert 'Dropping table "u" https://atlasgo.io/lint/analyzers#DS102' in r.stdout
    assert _user_dbs(dev_server) == []
    port = int(dev_server.rsplit(":", 1)[1].strip("/"))
    holder = pymysql.connect(host="127.0.0.1", port=port, user="root", autocommit=True)
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT GET_LOCK('atlas_lint', 0)")
        assert failed(atoll(tmp_path, *lint)) == (
            "Error: acquiring database lock: sql/schema: lock is held by other session")
    finally:
        holder.close()
    assert _user_dbs(dev_server) == []
    assert atoll(tmp_path, *lint).returncode == 1  # free again: the lint runs (and reports)


def test_lint_lock_on_a_database_url(tmp_path, prefix):
    """A dev URL naming a database takes ``atlas_lint_<database>`` (MySQL's named locks are
    server-wide, so lints on other databases go on)."""
    dev = f"{prefix}_a"
    q(f"CREATE DATABASE `{dev}`")
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "1_a.sql").write_text("CREATE TABLE t (id int);\n")
    ok(atoll(tmp_path, "migrate", "hash"))
    lint = ["migrate", "lint", "--dev-url", url(dev), "--latest", "1"]
    conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT GET_LOCK(%s, 0)", (f"atlas_lint_{dev}",))
        assert failed(atoll(tmp_path, *lint)) == (
            "Error: acquiring database lock: sql/schema: lock is held by other session")
        with conn.cursor() as cur:
            cur.execute("SELECT RELEASE_LOCK(%s)", (f"atlas_lint_{dev}",))
            cur.execute("SELECT GET_LOCK(%s, 0)", (f"atlas_lint_{prefix}_other",))
        ok(atoll(tmp_path, *lint))
    finally:
        conn.close()
