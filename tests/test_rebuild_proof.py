"""The rebuild proof: every SQLite table rebuild is checked inside the file's transaction (row
count, child rows, foreign-key violations, triggers, views), and a plan never rebuilds a table
whose definition did not change (Atlas issue 1597). Real SQLite files throughout."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from atoll.declarative import execute_plan
from atoll.dialects.base import Statement
from atoll.dialects.sqlite import DIALECT
from atoll.dialects.sqlite.plan import format_plan
from atoll.dialects.sqlite.rebuild_proof import find_rebuilds, rebuild_proof
from atoll.errors import RebuildProofError
from atoll.hcl.schema_codec import decode_schema, encode_schema
from atoll.hcl.schema_eval import evaluate_schema_files
from atoll.urls import parse_url

sys.path.insert(0, str(Path(__file__).parent))
from e2e_support import atoll, ok, query  # noqa: E402

PARENT_CHILD = """
CREATE TABLE t (id integer PRIMARY KEY, name text);
CREATE TABLE c (x int REFERENCES t(id) ON DELETE CASCADE);
CREATE TRIGGER tg AFTER INSERT ON t BEGIN SELECT 1; END;
INSERT INTO t (name) VALUES ('a'), ('b'), ('c');
INSERT INTO c VALUES (1), (2);
"""

REBUILD = [
    "PRAGMA foreign_keys = off",
    "CREATE TABLE `new_t` (`id` integer NULL, `name` text NULL, PRIMARY KEY (`id`))",
    "INSERT INTO `new_t` (`id`, `name`) SELECT `id`, `name` FROM `t`",
    "DROP TABLE `t`",
    "ALTER TABLE `new_t` RENAME TO `t`",
    "CREATE TRIGGER tg AFTER INSERT ON t BEGIN SELECT 1; END",
    "PRAGMA foreign_keys = on",
]


def make_db(path: Path, script: str) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.close()
    return path


def write_dir(root: Path, files: dict[str, list[str]]) -> None:
    d = root / "migrations"
    d.mkdir()
    for name, stmts in files.items():
        (d / name).write_text("".join(f"{s};\n" for s in stmts))
    ok(atoll(root, "migrate", "hash", "--dir", "file://migrations"))


def apply(root: Path, db: Path, *extra: str):
    return atoll(root, "migrate", "apply", "--dir", "file://migrations", "-u",
                 f"sqlite://{db}", *extra)


def inspect(path: Path):
    conn = DIALECT.connect(parse_url(f"sqlite://{path}"))
    try:
        return DIALECT.inspect(conn)
    finally:
        conn.close()


def test_rebuilds_are_found_in_any_quoting_and_only_with_a_swap():
    assert [(r.table, r.start, r.swap) for r in find_rebuilds(REBUILD)] == [("t", 1, 4)]
    hand = ['create table "tmp" (a)', "insert into tmp select a from main.t",
            "drop table if exists main.t", 'alter table main."tmp" rename to [t]']
    assert [(r.table, r.start, r.swap) for r in find_rebuilds(hand)] == [("t", 0, 3)]
    # A rename without a dropped table of the new name is no rebuild.
    assert find_rebuilds(["CREATE TABLE a (x)", "ALTER TABLE a RENAME TO b"]) == []


def test_a_planned_rebuild_passes_and_keeps_everything(tmp_path):
    db = make_db(tmp_path / "a.db", PARENT_CHILD)
    current = inspect(db)
    hcl = encode_schema(current).replace('column "name" {\n    null = true',
                                         'column "name" {\n    null = false')
    desired = decode_schema(evaluate_schema_files([("s.hcl", hcl)], {}))
    statements = DIALECT.plan(DIALECT.diff(current, desired))
    assert find_rebuilds([s.sql for s in statements])
    conn = DIALECT.connect(parse_url(f"sqlite://{db}?_fk=1"))
    try:
        result = execute_plan(DIALECT, conn, statements)
    finally:
        conn.close()
    assert result.error is None
    assert query(db, "SELECT count(*) FROM t") == [(3,)]
    assert query(db, "SELECT count(*) FROM c") == [(2,)]
    assert query(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'") == [("tg",)]


@pytest.mark.parametrize("copy, message", [
    ("INSERT INTO `new_t` (`id`, `name`) SELECT `id`, `name` FROM `t` WHERE id > 1",
     r'rebuild of table "t" changed its row count: 3 before, 2 after'),
    ("INSERT INTO `new_t` (`id`, `name`) SELECT `id` + 10, `name` FROM `t`",
     r'rebuild of table "t" left foreign-key violations in "c": 0 before, 2 after'),
])
def test_a_lossy_rebuild_file_rolls_back_naming_table_and_counts(tmp_path, copy, message):
    root = tmp_path
    write_dir(root, {"1_init.sql": PARENT_CHILD.strip().rstrip(";").split(";\n"),
                     "2_rebuild.sql": [REBUILD[0], REBUILD[1], copy, *REBUILD[3:]]})
    db = tmp_path / "a.db"
    r = apply(root, db)
    assert r.code == 1 and "Traceback" not in r.err
    assert message.replace("\\", "") in r.out
    assert f'from version "2": {message}'.replace("\\", "") in r.err
    # Nothing of file 2 stayed: the old table, its rows and its trigger are all there.
    assert query(db, "SELECT id FROM t ORDER BY id") == [(1,), (2,), (3,)]
    assert query(db, "SELECT name FROM sqlite_master WHERE name LIKE 'new_%'") == []
    assert query(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'") == [("tg",)]
    status = atoll(root, "migrate", "status", "--dir", "file://migrations", "-u", f"sqlite://{db}")
    assert "rebuild of table" in status.out


def test_a_rebuild_that_loses_a_trigger_rolls_back(tmp_path):
    write_dir(tmp_path, {"1_init.sql": PARENT_CHILD.strip().rstrip(";").split(";\n"),
                         "2_rebuild.sql": [s for s in REBUILD if "TRIGGER" not in s]})
    db = tmp_path / "a.db"
    r = apply(tmp_path, db)
    assert r.code == 1
    assert 'rebuild of table "t" lost trigger(s) "tg": dropped with the old table' in r.err
    assert query(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'") == [("tg",)]
    # A file that drops the trigger on purpose is fine.
    (tmp_path / "migrations" / "2_rebuild.sql").write_text(
        "DROP TRIGGER tg;\n" + "".join(f"{s};\n" for s in REBUILD if "TRIGGER" not in s))
    ok(atoll(tmp_path, "migrate", "hash", "--dir", "file://migrations"))
    ok(apply(tmp_path, db))
    assert query(db, "SELECT count(*) FROM t") == [(3,)]


def test_a_view_dropped_around_a_rebuild_must_come_back(tmp_path):
    init = [*PARENT_CHILD.strip().rstrip(";").split(";\n"), "CREATE VIEW v AS SELECT name FROM t"]
    body = ["DROP VIEW v", *REBUILD, "CREATE VIEW v AS SELECT nope FROM t"]
    write_dir(tmp_path, {"1_init.sql": init, "2_rebuild.sql": body})
    db = tmp_path / "a.db"
    r = apply(tmp_path, db)
    assert r.code == 1
    assert 'view "v" no longer works after the rebuild of "t": no such column: nope' in r.err
    assert query(db, "SELECT sql FROM sqlite_master WHERE name = 'v'") == [
        ("CREATE VIEW v AS SELECT name FROM t",)]


def test_cascade_fired_by_a_rebuild_is_caught(tmp_path):
    """Atlas issue 3317: inside a transaction ``PRAGMA foreign_keys = off`` does nothing, so
    with enforcement on, dropping the old table deletes the children's rows."""
    db = make_db(tmp_path / "a.db", PARENT_CHILD)
    conn = DIALECT.connect(parse_url(f"sqlite://{db}?_fk=1"))
    try:
        conn.begin()  # enforcement stays on: the situation of the Atlas issue
        proof = rebuild_proof(conn, REBUILD)
        with pytest.raises(RebuildProofError, match=(
                r'rebuild of table "t" changed the rows of "c", whose foreign key references '
                r"it: 2 before, 0 after \(an ON DELETE action fired")):
            for i, stmt in enumerate(REBUILD):
                proof.before(i)
                conn.execute(stmt)
                proof.after(i)
        conn.rollback()
    finally:
        conn.close()
    assert query(db, "SELECT count(*) FROM c") == [(2,)]


def test_schema_apply_rolls_back_a_failed_proof(tmp_path):
    db = make_db(tmp_path / "a.db", PARENT_CHILD)
    lossy = [Statement(s.replace(" FROM `t`", " FROM `t` LIMIT 1")) for s in REBUILD]
    conn = DIALECT.connect(parse_url(f"sqlite://{db}"))
    try:
        result = execute_plan(DIALECT, conn, lossy)
    finally:
        conn.close()
    assert result.error is not None
    assert result.error[1] == 'rebuild of table "t" changed its row count: 3 before, 1 after'
    assert query(db, "SELECT count(*) FROM t") == [(3,)]


# --- Atlas issue 1597: no rebuild of an unchanged table ---------------------------------------

UNCHANGED = """
CREATE TABLE "parent" (id integer PRIMARY KEY AUTOINCREMENT, code text NOT NULL UNIQUE,
  score real DEFAULT 0.5, created text DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT score_ok CHECK (score >= 0));
CREATE TABLE "my child" ("id" int NOT NULL, "parent id" int, doubled int AS ("id" * 2) STORED,
  note text DEFAULT 'x''y',
  PRIMARY KEY ("id"), CONSTRAINT fk_parent FOREIGN KEY ("parent id") REFERENCES parent (id)
  ON DELETE CASCADE ON UPDATE SET NULL, CHECK (length(note) < 100)) WITHOUT ROWID;
CREATE INDEX parent_lower_code ON parent (lower(code)) WHERE code <> '';
CREATE UNIQUE INDEX child_pair ON "my child" ("parent id" DESC, "id");
CREATE TABLE s (a integer, b text) STRICT;
CREATE VIEW pv AS SELECT p.id, count(*) AS n FROM parent p JOIN "my child" c ON c."parent id" = p.id GROUP BY p.id;
CREATE TRIGGER st BEFORE INSERT ON s WHEN new.a < 0 BEGIN SELECT RAISE(ABORT, 'negative'); END;
"""


def test_an_unchanged_schema_plans_nothing_from_hcl_or_sql(tmp_path):
    db = make_db(tmp_path / "a.db", UNCHANGED)
    current = inspect(db)
    from_hcl = decode_schema(evaluate_schema_files([("s.hcl", encode_schema(current))], {}))
    assert DIALECT.diff(current, from_hcl) == []
    again = inspect(make_db(tmp_path / "b.db", DIALECT.schema_sql(current)))
    assert DIALECT.diff(again, from_hcl) == []
    # Re-created from its SQL form, an expression index reads back wrapped in parentheses,
    # which Atlas's diff accepts as the same index when the database has the wrapped form.
    assert DIALECT.diff(again, current) == []


def test_changing_one_table_never_rebuilds_another(tmp_path):
    db = make_db(tmp_path / "a.db", UNCHANGED)
    current = inspect(db)
    hcl = encode_schema(current).replace('column "b" {\n    null = true\n    type = text',
                                         'column "b" {\n    null = true\n    type = integer')
    desired = decode_schema(evaluate_schema_files([("s.hcl", hcl)], {}))
    text = format_plan(DIALECT.plan(DIALECT.diff(current, desired)))
    rebuilt = {r.table for r in find_rebuilds(DIALECT.split(text))}
    assert rebuilt == {"s"}
    assert "parent" not in text and "my child" not in text and "pv" not in text
