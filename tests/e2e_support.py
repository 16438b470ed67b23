"""Helpers of the end-to-end tests: run the real ``atoll`` executable in a subprocess, on a
private copy of ``examples/game`` (one per test, under pytest's ``tmp_path``, so ``-n`` runs
never share a file)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GAME = REPO / "examples" / "game"
DEV = "sqlite://file?mode=memory"
DEVELOP = "file://config/develop/atlas.hcl"
STAGING = "file://config/staging/atlas.hcl"
PRODUCTION = "file://config/production/atlas.hcl"
MASTER_DIR = "file://db/migrations/master"
SHARDING_DIR = "file://db/migrations/sharding"
MASTER_DB = "server/data/master.db"
SHARDS = [f"server/data/sharding_db_{i}.db" for i in range(1, 5)]
VERSION_RE = re.compile(r"^(\d{14})_")


def atoll_command() -> list[str]:
    """The executable under test: $ATOLL_TEST_COMMAND (split like a shell command) if set,
    else the ``atoll`` script beside this Python, else the one on PATH."""
    override = os.environ.get("ATOLL_TEST_COMMAND")
    if override:
        import shlex

        return shlex.split(override)
    exe = Path(sys.executable).with_name("atoll")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("atoll")
    if found:
        return [found]
    return [sys.executable, "-c", "from atoll.cli.main import main; main()"]


ATOLL = atoll_command()


@dataclass
class Result:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return (f"$ atoll {' '.join(self.args)}\n-- exit {self.code}\n-- stdout\n{self.out}"
                f"-- stderr\n{self.err}")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("STAGING_DATA_DIR", "PRODUCTION_DATA_DIR", "ATLAS_ENV", "ATOLL")}
    env.update({"NO_COLOR": "1", "COLUMNS": "200", "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra)
    return env


def atoll(cwd: Path, *args: str, env: dict[str, str] | None = None, stdin: str = "",
          timeout: float = 60) -> Result:
    proc = subprocess.run([*ATOLL, *args], cwd=cwd, env=clean_env(**(env or {})),
                          input=stdin, capture_output=True, text=True, timeout=timeout,
                          check=False)
    return Result(tuple(args), proc.returncode, proc.stdout, proc.stderr)


def ok(r: Result) -> Result:
    """The command succeeded, without any error or traceback."""
    assert r.code == 0, str(r)
    assert "Traceback" not in r.err and "Error:" not in r.err, str(r)
    return r


def failed(r: Result, *patterns: str) -> str:
    """The command failed the way a user should see it: exit 1, the error as one
    ``Error: …`` line on stderr (the last line; a fleet's progress may precede it), no
    traceback, no "internal error". Each regex in ``patterns`` must match that line.
    Returns the line."""
    assert r.code == 1, str(r)
    assert "Traceback" not in r.err and "Traceback" not in r.out, str(r)
    assert "internal error" not in r.err, str(r)
    lines = r.err.strip("\n").splitlines()
    assert lines, str(r)
    errors = [ln for ln in lines if ln.startswith("Error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], str(r)
    for pattern in patterns:
        assert re.search(pattern, errors[0]), f"{pattern!r} not in {errors[0]!r}\n{r}"
    return errors[0]


def game(tmp_path: Path) -> Path:
    """A private copy of examples/game without any database."""
    root = tmp_path / "game"
    shutil.copytree(GAME, root, ignore=shutil.ignore_patterns("data", "__pycache__"))
    (root / "server" / "data").mkdir(parents=True, exist_ok=True)
    return root


def query(db: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def execute(db: Path, *statements: str) -> None:
    """Change a database outside atoll (as someone with the sqlite3 shell would)."""
    conn = sqlite3.connect(db)
    try:
        for stmt in statements:
            conn.execute(stmt)
        conn.commit()
    finally:
        conn.close()


def tables(db: Path) -> set[str]:
    return {r[0] for r in query(db, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                    "AND name NOT LIKE 'sqlite_%'")}


def columns(db: Path, table: str) -> list[str]:
    return [r[1] for r in query(db, f"PRAGMA table_info(`{table}`)")]


def indexes(db: Path, table: str) -> dict[str, bool]:
    return {r[1]: bool(r[2]) for r in query(db, f"PRAGMA index_list(`{table}`)")
            if not r[1].startswith("sqlite_")}


def revisions(db: Path) -> list[tuple]:
    """(version, description, applied, total, error, error_stmt) of every revision."""
    return query(db, "SELECT version, description, applied, total, error, error_stmt "
                     "FROM atlas_schema_revisions ORDER BY version")


def snapshot(db: Path) -> tuple[str, list]:
    """What a database holds: its bytes' digest plus its schema and every row, to show a
    failed or dry-run command left it untouched."""
    digest = hashlib.sha256(db.read_bytes()).hexdigest() if db.exists() else ""
    if not db.exists():
        return digest, []
    content = []
    for name, sql in query(db, "SELECT name, sql FROM sqlite_master ORDER BY name"):
        content.append((name, sql))
        if sql and sql.upper().startswith("CREATE TABLE"):
            content.append(query(db, f"SELECT * FROM `{name}`"))
    return digest, content


def migration_files(root: Path, kind: str) -> list[str]:
    return sorted(p.name for p in (root / "db" / "migrations" / kind).glob("*.sql"))


def new_files(root: Path, kind: str, before: list[str]) -> list[Path]:
    return [root / "db" / "migrations" / kind / n for n in migration_files(root, kind)
            if n not in before]


def version_of(path: Path | str) -> str:
    m = VERSION_RE.match(Path(path).name)
    assert m, path
    return m.group(1)


def add_to_table(hcl: Path, table: str, block: str) -> None:
    """Insert ``block`` (HCL lines) at the end of ``table "<table>"`` in a schema file."""
    text = hcl.read_text()
    start = text.index(f'table "{table}" {{')
    end = text.index("\n}\n", start)
    hcl.write_text(text[:end] + "\n" + block.rstrip("\n") + text[end:])


def remove_table(hcl: Path, table: str) -> None:
    text = hcl.read_text()
    start = text.index(f'table "{table}" {{')
    end = text.index("\n}\n", start) + 3
    hcl.write_text(text[:start] + text[end:].lstrip("\n"))


def fleet_rows(out: str) -> dict[str, dict[str, str]]:
    """The plain fleet table on stdout → {database: {HEADER: cell}}. Cells are split on
    runs of two or more spaces; empty trailing cells are ''."""
    lines = [ln for ln in out.splitlines() if ln.strip()]
    header_at = next(i for i, ln in enumerate(lines) if ln.startswith("DATABASE "))
    header = lines[header_at]
    names = header.split()
    starts = [header.index(n) for n in names]
    rows = {}
    for ln in lines[header_at + 1:]:
        if re.match(r"^\d+ database\(s\):", ln):
            break
        cells = []
        for i, s in enumerate(starts):
            e = starts[i + 1] if i + 1 < len(starts) else None
            cells.append(ln[s:e].strip() if len(ln) > s else "")
        rows[cells[0]] = dict(zip(names, cells))
    return rows


def summary(out: str) -> str:
    return next(ln for ln in out.splitlines() if re.match(r"^\d+ database\(s\):", ln))
