"""Other tools' migration directories (goose, golang-migrate, Flyway, Liquibase, dbmate), end to
end on real SQLite files: which files are hashed (atlas.sum), listed, applied (only the up
parts) and reported; the env's ``migration { format }`` on apply; an Atlas-format file with
another tool's down marker refused. The directories are laid out as each tool writes them."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from e2e_support import atoll, failed, ok, query, tables

from atoll.migrate.checksum import compute_sum
from atoll.migrate.formats import open_dir
from atoll.migrate.splitter import split_statements

GOOSE = {
    "00001_create_users.sql": """\
        -- +goose Up
        CREATE TABLE users (
            id integer PRIMARY KEY,
            name text NOT NULL
        );
        INSERT INTO users (id, name) VALUES (1, 'ann');

        -- +goose Down
        DROP TABLE users;
        """,
    "00002_audit.sql": """\


        -- +goose Up
        -- +goose StatementBegin
        CREATE TABLE audit (user_id integer, note text);
        -- +goose StatementEnd
        -- +goose StatementBegin
        CREATE TRIGGER users_audit AFTER INSERT ON users
        BEGIN
            INSERT INTO audit (user_id, note) VALUES (new.id, 'added;');
        END;
        -- +goose StatementEnd

        -- +goose Down
        -- +goose StatementBegin
        DROP TRIGGER users_audit;
        -- +goose StatementEnd
        DROP TABLE audit;
        """,
}

DBMATE = {
    "20240101120000_create_users.sql": """\
        -- migrate:up
        CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);
        INSERT INTO users (id, name) VALUES (1, 'ann');

        -- migrate:down
        DROP TABLE users;
        """,
    "20240102120000_add_email.sql": """\
        -- migrate:up transaction:false
        ALTER TABLE users ADD COLUMN email text;

        -- migrate:down
        ALTER TABLE users DROP COLUMN email;
        """,
}

GOLANG_MIGRATE = {
    "000001_create_users.up.sql": "CREATE TABLE users (id integer PRIMARY KEY, name text);\n",
    "000001_create_users.down.sql": "DROP TABLE users;\n",
    "000002_add_email.up.sql": "ALTER TABLE users ADD COLUMN email text;\n",
    "000002_add_email.down.sql": "ALTER TABLE users DROP COLUMN email;\n",
}

FLYWAY = {
    "V1__create_users.sql": "CREATE TABLE users (id integer PRIMARY KEY, name text);\n",
    "U1__create_users.sql": "DROP TABLE users;\n",
    "V1.1__add_email.sql": "ALTER TABLE users ADD COLUMN email text;\n",
    "more/V2__orders.sql": "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer);\n",
    "V10__order_note.sql": "ALTER TABLE orders ADD COLUMN note text;\n",
    "R__user_names.sql": "CREATE VIEW IF NOT EXISTS user_names AS SELECT name FROM users;\n",
    ".hidden/V3__never.sql": "CREATE TABLE never (id integer);\n",
    "README.md": "not a migration\n",
}

LIQUIBASE = {
    "001_create_users.sql": """\
        --liquibase formatted sql

        --changeset alice:1
        CREATE TABLE users (id integer PRIMARY KEY, name text);
        --rollback DROP TABLE users;

        --changeset alice:2
        INSERT INTO users (id, name) VALUES (1, 'ann');
        --rollback DELETE FROM users WHERE id = 1;
        """,
    "002_add_email.sql": """\
        --liquibase formatted sql

        --changeset bob:3
        ALTER TABLE users ADD COLUMN email text;
        --rollback ALTER TABLE users DROP COLUMN email;
        """,
}

LAYOUTS = {
    "goose": (GOOSE, ["00001_create_users.sql", "00002_audit.sql"],
              ["00001", "00002"], {"users", "audit"}),
    "dbmate": (DBMATE, ["20240101120000_create_users.sql", "20240102120000_add_email.sql"],
               ["20240101120000", "20240102120000"], {"users"}),
    "golang-migrate": (GOLANG_MIGRATE, ["000001_create_users.up.sql", "000002_add_email.up.sql"],
                       ["000001", "000002"], {"users"}),
    "flyway": (FLYWAY, ["V1__create_users.sql", "V1.1__add_email.sql", "more/V2__orders.sql",
                        "V10__order_note.sql", "R__user_names.sql"],
               ["1", "1.1", "2", "10", "10R"], {"users", "orders"}),
    "liquibase": (LIQUIBASE, ["001_create_users.sql", "002_add_email.sql"], ["001", "002"],
                  {"users"}),
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@pytest.fixture(params=sorted(LAYOUTS))
def layout(request, tmp_path):
    fmt = request.param
    files, hashed, versions, created = LAYOUTS[fmt]
    write_tree(tmp_path / "migrations", files)
    return fmt, tmp_path, hashed, versions, created


def test_hash_lists_the_files_the_tool_runs(layout):
    fmt, root, hashed, _, _ = layout
    ok(atoll(root, "migrate", "hash", "--dir", f"file://migrations?format={fmt}"))
    sum_lines = (root / "migrations" / "atlas.sum").read_text().splitlines()
    assert [ln.split(" h1:")[0] for ln in sum_lines[1:]] == hashed
    # The hash is Atlas's over exactly those files' raw bytes.
    expected = compute_sum((n, (root / "migrations" / n).read_bytes()) for n in hashed)
    assert (root / "migrations" / "atlas.sum").read_bytes() == expected.to_bytes()
    ok(atoll(root, "migrate", "validate", "--dir", "file://migrations", "--dir-format", fmt))
    # Read as Atlas's own format, the directory no longer matches its sum (more or other files).
    if fmt in ("golang-migrate", "flyway"):
        failed(atoll(root, "migrate", "validate", "--dir", "file://migrations"), "checksum")


def test_ls_and_versions(layout):
    fmt, root, hashed, versions, _ = layout
    ok(atoll(root, "migrate", "hash", "--dir", f"file://migrations?format={fmt}"))
    r = ok(atoll(root, "migrate", "ls", "--dir", f"file://migrations?format={fmt}"))
    assert r.out.splitlines() == hashed
    r = ok(atoll(root, "migrate", "ls", "-s", "--dir", "file://migrations", "--dir-format", fmt))
    assert r.out.splitlines() == versions


def test_apply_runs_only_the_up_parts(layout):
    fmt, root, hashed, versions, created = layout
    url = f"file://migrations?format={fmt}"
    ok(atoll(root, "migrate", "hash", "--dir", url))
    r = ok(atoll(root, "migrate", "apply", "--dir", url, "--url", "sqlite://app.db"))
    assert f"Migrating to version {versions[-1]} ({len(hashed)} migrations in total)" in r.out
    db = root / "app.db"
    assert created <= tables(db)
    rows = query(db, "SELECT version FROM atlas_schema_revisions ORDER BY version")
    assert sorted(v for (v,) in rows) == sorted(versions)
    r = ok(atoll(root, "migrate", "status", "--dir", url, "--url", "sqlite://app.db"))
    assert "Already at latest version" in r.out
    r = ok(atoll(root, "migrate", "apply", "--dir", url, "--url", "sqlite://app.db"))
    assert "No migration files to execute" in r.out
    if fmt == "goose":  # the trigger body kept its semicolons; the Down part never ran
        from e2e_support import execute

        execute(db, "INSERT INTO users (id, name) VALUES (2, 'bo')")
        assert query(db, "SELECT user_id, note FROM audit") == [(2, "added;")]
    if "users" in created and fmt != "goose":
        assert query(db, "SELECT count(*) FROM sqlite_master WHERE name = 'users'") == [(1,)]


def test_statements_of_each_format(tmp_path):
    write_tree(tmp_path / "goose", GOOSE)
    d = open_dir(f"file://{tmp_path}/goose?format=goose")
    assert [split_statements(f.sql) for f in d.files] == [
        ["CREATE TABLE users (\n    id integer PRIMARY KEY,\n    name text NOT NULL\n);",
         "INSERT INTO users (id, name) VALUES (1, 'ann');"],
        ["CREATE TABLE audit (user_id integer, note text);",
         "CREATE TRIGGER users_audit AFTER INSERT ON users\nBEGIN\n    INSERT INTO audit "
         "(user_id, note) VALUES (new.id, 'added;');\nEND;"],
    ]
    write_tree(tmp_path / "dbmate", DBMATE)
    d = open_dir(f"file://{tmp_path}/dbmate", "dbmate")
    assert [split_statements(f.sql) for f in d.files] == [
        ["CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);",
         "INSERT INTO users (id, name) VALUES (1, 'ann');"],
        ["ALTER TABLE users ADD COLUMN email text;"],
    ]
    write_tree(tmp_path / "lb", LIQUIBASE)
    d = open_dir(f"file://{tmp_path}/lb", "liquibase")
    assert [len(split_statements(f.sql)) for f in d.files] == [2, 1]
    assert [(f.version, f.description) for f in d.files] == [
        ("001", "create_users"), ("002", "add_email")]


def test_flyway_baseline_hides_what_it_includes(tmp_path):
    write_tree(tmp_path / "m", {
        "V1__a.sql": "CREATE TABLE a (id int);\n",
        "V2__b.sql": "CREATE TABLE b (id int);\n",
        "B2__base.sql": "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n",
        "B1__old.sql": "CREATE TABLE a (id int);\n",
        "V10__c.sql": "CREATE TABLE c (id int);\n",
        "R__v.sql": "CREATE VIEW IF NOT EXISTS v AS SELECT 1;\n",
        "R__w.sql": "CREATE VIEW IF NOT EXISTS w AS SELECT 2;\n",
    })
    d = open_dir(f"file://{tmp_path}/m?format=flyway")
    assert [(f.name, f.version, f.description) for f in d.files] == [
        ("B2__base.sql", "2", "base"), ("V10__c.sql", "10", "c"),
        ("R__v.sql", "10R", "v"), ("R__w.sql", "10R2", "w")]


def test_golang_migrate_without_description(tmp_path):
    write_tree(tmp_path / "m", {"1.up.sql": "CREATE TABLE a (id int);\n",
                                "1.down.sql": "DROP TABLE a;\n"})
    d = open_dir(f"file://{tmp_path}/m?format=golang-migrate")
    assert [(f.name, f.version, f.description) for f in d.files] == [("1.up.sql", "1.up", "")]


def test_env_format_is_honoured_by_apply(tmp_path):
    write_tree(tmp_path / "migrations", GOOSE)
    (tmp_path / "atlas.hcl").write_text(textwrap.dedent("""\
        env "local" {
          url = "sqlite://app.db"
          migration {
            dir    = "file://migrations"
            format = goose
          }
        }
        """))
    ok(atoll(tmp_path, "migrate", "hash", "--env", "local"))
    assert "00002_audit.sql" in (tmp_path / "migrations" / "atlas.sum").read_text()
    ok(atoll(tmp_path, "migrate", "validate", "--env", "local"))
    ok(atoll(tmp_path, "migrate", "apply", "--env", "local"))
    assert {"users", "audit"} <= tables(tmp_path / "app.db")  # Atlas would drop both again
    r = ok(atoll(tmp_path, "migrate", "status", "--env", "local"))
    assert "Already at latest version" in r.out


def test_fleet_apply_with_format(tmp_path):
    write_tree(tmp_path / "migrations", DBMATE)
    (tmp_path / "atlas.hcl").write_text(textwrap.dedent("""\
        locals { dbs = ["a", "b", "c"] }
        env "fleet" {
          for_each = toset(local.dbs)
          url      = "sqlite://${each.value}.db"
          migration {
            dir    = "file://migrations"
            format = dbmate
          }
        }
        """))
    ok(atoll(tmp_path, "migrate", "hash", "--dir", "file://migrations?format=dbmate"))
    r = ok(atoll(tmp_path, "migrate", "apply", "--env", "fleet"))
    assert "3 database(s): 3 ok" in r.out and r.out.count("  2      3  ") == 3, r.out
    for name in "abc":
        assert "email" in [c for (_, c, *_) in query(tmp_path / f"{name}.db",
                                                      "PRAGMA table_info(users)")]
    r = ok(atoll(tmp_path, "migrate", "status", "--env", "fleet"))
    assert r.out.count("20240102120000") == 3 and "behind" not in r.out, r.out


@pytest.mark.parametrize("marker,tool", [("-- +goose Down", "goose"),
                                         ("-- migrate:down", "dbmate")])
def test_atlas_format_refuses_a_foreign_down_marker(tmp_path, marker, tool):
    up = "-- +goose Up\n" if tool == "goose" else "-- migrate:up\n"
    write_tree(tmp_path / "migrations", {
        "1_init.sql": f"{up}CREATE TABLE t (id int);\n\n{marker}\nDROP TABLE t;\n"})
    ok(atoll(tmp_path, "migrate", "hash"))  # hashing is harmless
    for args in (("migrate", "apply", "--url", "sqlite://app.db"),
                 ("migrate", "validate")):
        line = failed(atoll(tmp_path, *args), rf"migrations/1_init\.sql:4: ",
                      re.escape(f'"{marker}"'), rf"\?format={tool}")
        assert "\n" not in line
    assert not (tmp_path / "app.db").exists() or "t" not in tables(tmp_path / "app.db")
    ok(atoll(tmp_path, "migrate", "apply", "--url", "sqlite://app.db", "--dir",
             f"file://migrations?format={tool}"))
    assert "t" in tables(tmp_path / "app.db")


def test_broken_goose_file_is_refused_before_anything_runs(tmp_path):
    write_tree(tmp_path / "m", {
        "1_a.sql": "-- +goose Up\nCREATE TABLE a (id int);\n",
        "2_b.sql": "-- +goose Down\nDROP TABLE a;\n-- +goose Up\nCREATE TABLE b (id int);\n",
    })
    url = "file://m?format=goose"
    ok(atoll(tmp_path, "migrate", "hash", "--dir", url))
    failed(atoll(tmp_path, "migrate", "apply", "--dir", url, "--url", "sqlite://app.db"),
           r"goose: 2_b\.sql:1 unexpected goosePragma 'Down'")
    assert not (tmp_path / "app.db").exists() or not tables(tmp_path / "app.db")


def test_rm_and_edit_are_atlas_only(tmp_path):
    write_tree(tmp_path / "migrations", GOLANG_MIGRATE)
    failed(atoll(tmp_path, "migrate", "rm", "--dir", "file://migrations?format=golang-migrate"),
           "Atlas-format")





@pytest.mark.parametrize("fmt,files", [
    ("goose", {"1_vacuum.sql": "-- +goose NO TRANSACTION\n-- +goose Up\nVACUUM;\n\n"
                               "-- +goose Down\nSELECT 1;\n"}),
    ("dbmate", {"1_vacuum.sql": "-- migrate:up transaction:false\nVACUUM;\n\n"
                                "-- migrate:down\nSELECT 1;\n"}),
])
def test_tools_no_transaction_marker(tmp_path, fmt, files):
    """VACUUM cannot run inside a transaction: the tool's own marker runs the file outside
    one (as goose and dbmate do); without it the file fails."""
    write_tree(tmp_path / "m", files)
    url = f"file://m?format={fmt}"
    ok(atoll(tmp_path, "migrate", "hash", "--dir", url))
    ok(atoll(tmp_path, "migrate", "apply", "--dir", url, "--url", "sqlite://app.db"))
    plain = {n: t.replace("-- +goose NO TRANSACTION\n", "").replace(" transaction:false", "")
             for n, t in files.items()}
    write_tree(tmp_path / "p", plain)
    ok(atoll(tmp_path, "migrate", "hash", "--dir", f"file://p?format={fmt}"))
    failed(atoll(tmp_path, "migrate", "apply", "--dir", f"file://p?format={fmt}", "--url",
                 "sqlite://other.db"), "VACUUM|transaction")


def test_bare_dir_path_takes_the_format(tmp_path):
    write_tree(tmp_path / "migrations", GOLANG_MIGRATE)
    r = ok(atoll(tmp_path, "migrate", "ls", "--dir", "migrations", "--dir-format",
                 "golang-migrate"))
    assert r.out.splitlines() == ["000001_create_users.up.sql", "000002_add_email.up.sql"]


def test_new_twice_in_one_second_gets_two_versions(tmp_path):
    for _ in range(2):
        ok(atoll(tmp_path, "migrate", "new", "x", "--dir", "file://m?format=golang-migrate"))
    d = open_dir(f"file://{tmp_path}/m?format=golang-migrate")
    assert len({f.version for f in d.files}) == 2


def test_directory_in_another_format_as_a_desired_state(tmp_path):
    """`--to file://dir?format=goose` replays only the up parts on the dev database."""
    write_tree(tmp_path / "migrations", GOOSE)
    ok(atoll(tmp_path, "migrate", "hash", "--dir", "file://migrations?format=goose"))
    r = ok(atoll(tmp_path, "schema", "diff", "--from", "sqlite://file?mode=memory", "--to",
                 "file://migrations?format=goose", "--dev-url", "sqlite://file?mode=memory"))
    assert 'CREATE TABLE `audit`' in r.out and "DROP" not in r.out


def test_flyway_semver_order_as_atlas_lists_it(tmp_path):
    """The order of Atlas's TestChecksum "flyway with semver versioning" case."""
    names = ["V1__.sql", "V1_1_0__.sql", "V1.1.1__.sql", "V2__.sql", "V2.1.0__.sql", "V3__.sql",
             "V11__.sql", "V11.11.11__.sql"]
    write_tree(tmp_path / "m", {n: f"SELECT '{n}';\n" for n in reversed(names)})
    assert [f.name for f in open_dir(f"file://{tmp_path}/m?format=flyway").files] == names
