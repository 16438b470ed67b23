"""Writing other tools' formats: the formatters (byte for byte against Atlas's
``sql/sqltool`` formatter test plan), ``migrate import`` into an Atlas directory, and
``migrate diff|new --dir-format`` end to end on real SQLite files."""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import pytest
from e2e_support import DEV, atoll, failed, ok, tables

from atoll.migrate.formats import Change, Plan, open_dir, render

V = "20240102030405"

# The plan of Atlas's TestFormatters (sql/sqltool/tool_test.go).
PLAN_CHANGES = [
    Change("CREATE TABLE t1(c int)", "create table t1", ("DROP TABLE t1 IF EXISTS",)),
    Change("CREATE TABLE t2(c int)", "create table t2", ("DROP TABLE t2",)),
    Change("DROP TABLE t3", "drop table t3",
           ("CREATE TABLE t1(id int)", "CREATE INDEX idx ON t1(id)")),
]

UP = """\
-- create table t1
CREATE TABLE t1(c int);
-- create table t2
CREATE TABLE t2(c int);
-- drop table t3
DROP TABLE t3;
"""
DOWN = """\
-- reverse: drop table t3
CREATE TABLE t1(id int);
CREATE INDEX idx ON t1(id);
-- reverse: create table t2
DROP TABLE t2;
-- reverse: create table t1
DROP TABLE t1 IF EXISTS;
"""

EXPECTED = {
    "golang-migrate": {f"{V}_tooling-plan.up.sql": UP, f"{V}_tooling-plan.down.sql": DOWN},
    "goose": {f"{V}_tooling-plan.sql": f"-- +goose Up\n{UP}\n-- +goose Down\n{DOWN}"},
    "flyway": {f"V{V}__tooling-plan.sql": UP, f"U{V}__tooling-plan.sql": DOWN},
    "liquibase": {f"{V}_tooling-plan.sql": f"""\
--liquibase formatted sql
--changeset atlas:{V}-1
--comment: create table t1
CREATE TABLE t1(c int);
--rollback: DROP TABLE t1 IF EXISTS;

--changeset atlas:{V}-2
--comment: create table t2
CREATE TABLE t2(c int);
--rollback: DROP TABLE t2;

--changeset atlas:{V}-3
--comment: drop table t3
DROP TABLE t3;
--rollback: CREATE TABLE t1(id int);
--rollback: CREATE INDEX idx ON t1(id);
"""},
    "dbmate": {f"{V}_tooling-plan.sql": f"-- migrate:up\n{UP}\n-- migrate:down\n{DOWN}"},
}


@pytest.mark.parametrize("fmt", sorted(EXPECTED))
def test_formatters_match_atlas(fmt):
    plan = Plan(name="tooling-plan", changes=list(PLAN_CHANGES), version=V)
    assert dict(render(fmt, plan)) == EXPECTED[fmt]


@pytest.mark.parametrize("fmt,files", [
    ("golang-migrate", {f"{V}.up.sql": "", f"{V}.down.sql": ""}),
    ("goose", {f"{V}.sql": "-- +goose Up\n\n-- +goose Down\n"}),
    ("flyway", {f"V{V}.sql": "", f"U{V}.sql": ""}),
    ("liquibase", {f"{V}.sql": "--liquibase formatted sql"}),
    ("dbmate", {f"{V}.sql": "-- migrate:up\n\n-- migrate:down\n"}),
    ("atlas", {f"{V}.sql": ""}),
])
def test_empty_plan_is_migrate_new(fmt, files):
    assert dict(render(fmt, Plan(version=V))) == files


def test_unknown_formatter():
    with pytest.raises(Exception, match='unknown format "nope"'):
        render("nope", Plan(version=V))


# --- migrate import --------------------------------------------------------------------------

SOURCES = {
    "goose": {
        "1_initial.sql": """\
            -- +goose Up
            CREATE TABLE post (
                id int NOT NULL,
                title text
            );

            -- the title is filled in later
            ALTER TABLE post ADD body text;

            -- +goose Down
            DROP TABLE post;
            """,
        "2_trigger.sql": """\


            -- +goose Up
            -- +goose StatementBegin
            CREATE TRIGGER post_title AFTER INSERT ON post
            BEGIN
                UPDATE post SET title = 'untitled' WHERE id = new.id AND title IS NULL;
            END;
            -- +goose StatementEnd

            -- +goose Down
            DROP TRIGGER post_title;
            """,
    },
    "dbmate": {
        "1_initial.sql": """\
            -- migrate:up
            CREATE TABLE post (id int NOT NULL, title text);

            /*
             the body
             */
            ALTER TABLE post ADD body text;

            -- migrate:down
            DROP TABLE post;
            """,
    },
    "golang-migrate": {
        "1_initial.up.sql": "CREATE TABLE post (id int NOT NULL, title text);\n",
        "1_initial.down.sql": "DROP TABLE post;\n",
        "2_body.up.sql": "ALTER TABLE post ADD body text;",
        "2_body.down.sql": "ALTER TABLE post DROP COLUMN body;",
    },
    "flyway": {
        "V1__initial.sql": "-- comment\nCREATE TABLE post (id int NOT NULL, title text);\n",
        "U1__initial.sql": "DROP TABLE post;\n",
        "B2__baseline.sql": "CREATE TABLE post (id int NOT NULL, title text, body text);\n",
        "V2__body.sql": "ALTER TABLE post ADD body text;\n",
        "V3__note.sql": "ALTER TABLE post ADD note text;\n",
        "R__titles.sql": "CREATE VIEW IF NOT EXISTS titles AS SELECT title FROM post;\n",
    },
    "liquibase": {
        "1_initial.sql": """\
            --liquibase formatted sql

            --changeset ann:1
            CREATE TABLE post (id int NOT NULL, title text);
            --rollback: DROP TABLE post;

            --changeset ann:2
            ALTER TABLE post ADD body text;
            --rollback ALTER TABLE post DROP COLUMN body;
            """,
    },
}

IMPORTED = {
    "goose": {
        "1_initial.sql": "CREATE TABLE post (\n    id int NOT NULL,\n    title text\n);\n"
                         "-- the title is filled in later\nALTER TABLE post ADD body text;\n",
        "2_trigger.sql": "CREATE TRIGGER post_title AFTER INSERT ON post\nBEGIN\n    UPDATE "
                         "post SET title = 'untitled' WHERE id = new.id AND title IS NULL;\n"
                         "END;\n",
    },
    "dbmate": {
        "1_initial.sql": "CREATE TABLE post (id int NOT NULL, title text);\n"
                         "/*\n the body\n */\nALTER TABLE post ADD body text;\n",
    },
    "golang-migrate": {
        "1_initial.sql": "CREATE TABLE post (id int NOT NULL, title text);\n",
        "2_body.sql": "ALTER TABLE post ADD body text;\n",
    },
    "flyway": {
        "2_baseline.sql": "CREATE TABLE post (id int NOT NULL, title text, body text);\n",
        "3_note.sql": "ALTER TABLE post ADD note text;\n",
        "3R_titles.sql": "CREATE VIEW IF NOT EXISTS titles AS SELECT title FROM post;\n",
    },
    "liquibase": {
        "1_initial.sql": "--changeset ann:1\nCREATE TABLE post (id int NOT NULL, title text);\n"
                         "--changeset ann:2\nALTER TABLE post ADD body text;\n",
    },
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@pytest.mark.parametrize("fmt", sorted(SOURCES))
def test_import_each_format(tmp_path, fmt):
    write_tree(tmp_path / "src", SOURCES[fmt])
    r = ok(atoll(tmp_path, "migrate", "import", "--from", f"file://src?format={fmt}",
                 "--to", "file://out"))
    assert r.out == "" and r.err == ""
    out = tmp_path / "out"
    written = {p.name: p.read_text() for p in out.iterdir() if p.name != "atlas.sum"}
    assert written == IMPORTED[fmt]
    ok(atoll(tmp_path, "migrate", "validate", "--dir", "file://out", "--dev-url", DEV))
    ok(atoll(tmp_path, "migrate", "apply", "--dir", "file://out", "--url", "sqlite://app.db"))
    assert "post" in tables(tmp_path / "app.db")


def test_import_with_dir_format_and_errors(tmp_path):
    write_tree(tmp_path / "src", SOURCES["golang-migrate"])
    failed(atoll(tmp_path, "migrate", "import", "--from", "file://src", "--to", "file://out"),
           'cannot import a migration directory already in "atlas" format')
    ok(atoll(tmp_path, "migrate", "import", "--from", "file://src", "--dir-format",
             "golang-migrate", "--to", "file://out"))
    failed(atoll(tmp_path, "migrate", "import", "--from", "file://src", "--dir-format",
                 "golang-migrate", "--to", "file://out"), "target migration directory must be empty")
    (tmp_path / "empty").mkdir()
    r = ok(atoll(tmp_path, "migrate", "import", "--from", "file://empty?format=goose",
                 "--to", "file://out2"))
    assert r.err.strip() == "nothing to import"
    # A source with an atlas.sum that does not match is refused with the checksum help.
    ok(atoll(tmp_path, "migrate", "hash", "--dir", "file://src?format=golang-migrate"))
    (tmp_path / "src" / "2_body.up.sql").write_text("ALTER TABLE post ADD other text;\n")
    r = atoll(tmp_path, "migrate", "import", "--from", "file://src?format=golang-migrate",
              "--to", "file://out3")
    failed(r, "checksum mismatch")
    assert "2_body.up.sql was edited" in r.out
    assert not (tmp_path / "out3").exists() or not list((tmp_path / "out3").iterdir())


def test_import_env_format(tmp_path):
    write_tree(tmp_path / "src", SOURCES["dbmate"])
    (tmp_path / "atlas.hcl").write_text(
        'env "old" {\n  migration {\n    format = dbmate\n  }\n}\n')
    ok(atoll(tmp_path, "migrate", "import", "--env", "old", "--from", "file://src",
             "--to", "file://out"))
    assert (tmp_path / "out" / "1_initial.sql").exists()


# --- migrate diff / new with --dir-format -----------------------------------------------------

SCHEMA = """\
schema "main" {}
table "users" {
  schema = schema.main
  column "id" { type = integer }
  column "name" { type = text }
  primary_key { columns = [column.id] }
}
"""
SCHEMA2 = SCHEMA.replace('  primary_key', '  column "email" {\n    type = text\n    null = true\n  }\n'
                         '  primary_key')


def _schema_sql(db: Path) -> dict:
    """Each table's columns (name, type, not null, pk) and indexes."""
    from e2e_support import indexes, query

    return {t: (query(db, f"SELECT name, type, \"notnull\", pk FROM pragma_table_info('{t}')"),
                indexes(db, t))
            for t in tables(db) if not t.startswith("atlas_")}


@pytest.mark.parametrize("fmt", ["goose", "dbmate", "golang-migrate", "flyway", "liquibase"])
def test_diff_writes_the_format_and_apply_runs_it(tmp_path, fmt):
    (tmp_path / "s1.hcl").write_text(SCHEMA)
    (tmp_path / "s2.hcl").write_text(SCHEMA2)
    url = f"file://migrations?format={fmt}"
    ok(atoll(tmp_path, "migrate", "diff", "init", "--dir", url, "--to", "file://s1.hcl",
             "--dev-url", DEV))
    ok(atoll(tmp_path, "migrate", "diff", "email", "--dir", "file://migrations", "--dir-format",
             fmt, "--to", "file://s2.hcl", "--dev-url", DEV))
    d = open_dir(str(tmp_path / "migrations"), fmt)
    assert [f.description for f in d.files] == ["init", "email"]
    names = sorted(p.name for p in (tmp_path / "migrations").iterdir())
    if fmt == "golang-migrate":
        assert len([n for n in names if n.endswith(".down.sql")]) == 2
    if fmt == "flyway":
        assert len([n for n in names if n.startswith("U")]) == 2
    email = d.files[1].text
    assert 'ALTER TABLE `users` ADD COLUMN `email` text NULL;' in email or fmt in (
        "golang-migrate", "flyway")
    if fmt in ("goose", "dbmate"):
        assert "-- add column \"email\" to table: \"users\"" in email
        assert ("-- +goose Down" if fmt == "goose" else "-- migrate:down") in email
    ok(atoll(tmp_path, "migrate", "validate", "--dir", url, "--dev-url", DEV))
    ok(atoll(tmp_path, "migrate", "apply", "--dir", url, "--url", "sqlite://app.db"))
    r = ok(atoll(tmp_path, "migrate", "diff", "--dir", url, "--to", "file://s2.hcl",
                 "--dev-url", DEV))
    assert "synced" in r.out


@pytest.mark.parametrize("fmt", ["goose", "dbmate", "golang-migrate"])
def test_diff_down_part_reverts_the_up_part(tmp_path, fmt):
    """The down part, run by hand (as the tool would), brings the schema back."""
    (tmp_path / "s1.hcl").write_text(SCHEMA)
    (tmp_path / "s2.hcl").write_text(SCHEMA2)
    url = f"file://migrations?format={fmt}"
    ok(atoll(tmp_path, "migrate", "diff", "init", "--dir", url, "--to", "file://s1.hcl",
             "--dev-url", DEV))
    ok(atoll(tmp_path, "migrate", "apply", "--dir", url, "--url", "sqlite://app.db"))
    db = tmp_path / "app.db"
    before = _schema_sql(db)
    ok(atoll(tmp_path, "migrate", "diff", "email", "--dir", url, "--to", "file://s2.hcl",
             "--dev-url", DEV))
    ok(atoll(tmp_path, "migrate", "apply", "--dir", url, "--url", "sqlite://app.db"))
    assert _schema_sql(db) != before
    last = sorted((tmp_path / "migrations").glob("*email*"))
    if fmt == "golang-migrate":
        down = next(p for p in last if p.name.endswith(".down.sql")).read_text()
    else:
        text = last[0].read_text()
        down = text.split("-- +goose Down\n" if fmt == "goose" else "-- migrate:down\n")[1]
    conn = sqlite3.connect(db)
    conn.executescript(down)
    conn.close()
    assert _schema_sql(db) == before


def test_new_in_each_format(tmp_path):
    ok(atoll(tmp_path, "migrate", "new", "first", "--dir", "file://g", "--dir-format",
             "golang-migrate"))
    names = sorted(p.name for p in (tmp_path / "g").iterdir())
    assert len(names) == 3 and names[0].endswith("_first.down.sql") and names[2] == "atlas.sum"
    sum_text = (tmp_path / "g" / "atlas.sum").read_text()
    assert ".up.sql h1:" in sum_text and ".down.sql" not in sum_text
    ok(atoll(tmp_path, "migrate", "new", "--dir", "file://f?format=flyway"))
    assert sorted(p.name[0] for p in (tmp_path / "f").iterdir()) == ["U", "V", "a"]
    failed(atoll(tmp_path, "migrate", "new", "x", "--dir", "file://z", "--dir-format", "zz"),
           'unknown dir format "zz"')
